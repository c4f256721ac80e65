// Matrix products: mm, bmm, mv, dot and matmul (which dispatches to them by
// rank, broadcasting batch dims). The kernels call BLAS.

#include "ops/op_utils.h"

namespace ag::ops {

namespace {

// The C++ type names PyTorch's matmul errors use ("float != double").
const char* c_type_name(DType t) {
  switch (t) {
    case DType::Bool:
      return "bool";
    case DType::Int32:
      return "int";
    case DType::Int64:
      return "long int";
    case DType::Float32:
      return "float";
    case DType::Float64:
      break;
  }
  return "double";
}

void check_same_dtype(const Tensor& a, const Tensor& b) {
  AG_CHECK(a.dtype() == b.dtype(),
           "expected m1 and m2 to have the same dtype, but got: ",
           c_type_name(a.dtype()), " != ", c_type_name(b.dtype()));
}

Tensor matmul_data(const Tensor& a, const Tensor& b, const Shape& out_shape) {
  Tensor out = empty_tensor(out_shape, a.dtype());
  kernels::matmul(a, b, out);
  return out;
}

// d(self) = grad @ mat2^T ; d(mat2) = self^T @ grad
class MmBackward0 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "MmBackward0"; }
  variable_list apply(variable_list&& grads) override {
    variable_list out(2);
    if (should_compute_output(0)) out[0] = mm(grads[0], t(mat2.unpack()));
    if (should_compute_output(1)) out[1] = mm(t(self.unpack()), grads[0]);
    return out;
  }
  void release_variables() override {
    self.release();
    mat2.release();
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("mat2", mat2);
    v.visit("self", self);
  }
  SavedVariable self, mat2;
};

// d(self) = grad @ mat2^T ; d(mat2) = self^T @ grad   (per batch)
class BmmBackward0 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "BmmBackward0"; }
  variable_list apply(variable_list&& grads) override {
    variable_list out(2);
    if (should_compute_output(0)) {
      out[0] = bmm(grads[0], transpose(mat2.unpack(), 1, 2));
    }
    if (should_compute_output(1)) {
      out[1] = bmm(transpose(self.unpack(), 1, 2), grads[0]);
    }
    return out;
  }
  void release_variables() override {
    self.release();
    mat2.release();
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("mat2", mat2);
    v.visit("self", self);
  }
  SavedVariable self, mat2;
};

// d(self) = outer(grad, vec) ; d(vec) = self^T @ grad
class MvBackward0 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "MvBackward0"; }
  variable_list apply(variable_list&& grads) override {
    variable_list out(2);
    if (should_compute_output(0)) {
      out[0] = mm(unsqueeze(grads[0], 1), unsqueeze(vec.unpack(), 0));
    }
    if (should_compute_output(1)) out[1] = mv(t(self.unpack()), grads[0]);
    return out;
  }
  void release_variables() override {
    self.release();
    vec.release();
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("self", self);
    v.visit("vec", vec);
  }
  SavedVariable self, vec;
};

// d(self) = grad * tensor ; d(tensor) = grad * self
class DotBackward0 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "DotBackward0"; }
  variable_list apply(variable_list&& grads) override {
    variable_list out(2);
    if (should_compute_output(0)) out[0] = mul(grads[0], tensor.unpack());
    if (should_compute_output(1)) out[1] = mul(grads[0], self.unpack());
    return out;
  }
  void release_variables() override {
    self.release();
    tensor.release();
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("self", self);
    v.visit("tensor", tensor);
  }
  SavedVariable self, tensor;
};

template <typename NodeT>
void record_product(const Tensor& out, const Tensor& a, const Tensor& b,
                    SavedVariable NodeT::* sa, SavedVariable NodeT::* sb) {
  if (auto fn = record<NodeT>(a, b)) {
    // Each input's gradient needs the other input.
    if (fn->should_compute_output(1)) (*fn).*sa = SavedVariable(a, false);
    if (fn->should_compute_output(0)) (*fn).*sb = SavedVariable(b, false);
    autograd::set_history(out, fn);
  }
}

}  // namespace

Tensor mm(const Tensor& self, const Tensor& mat2) {
  AG_CHECK(self.dim() == 2, "self must be a matrix");
  AG_CHECK(mat2.dim() == 2, "mat2 must be a matrix");
  check_same_dtype(self, mat2);
  AG_CHECK(self.size(1) == mat2.size(0),
           "mat1 and mat2 shapes cannot be multiplied (", self.size(0), "x",
           self.size(1), " and ", mat2.size(0), "x", mat2.size(1), ")");
  Tensor out = matmul_data(self, mat2, {self.size(0), mat2.size(1)});
  record_product(out, self, mat2, &MmBackward0::self, &MmBackward0::mat2);
  return out;
}

Tensor bmm(const Tensor& self, const Tensor& mat2) {
  AG_CHECK(self.dim() == 3, "batch1 must be a 3D tensor");
  AG_CHECK(mat2.dim() == 3, "batch2 must be a 3D tensor");
  check_same_dtype(self, mat2);
  AG_CHECK(mat2.size(0) == self.size(0) && mat2.size(1) == self.size(2),
           "Expected size for first two dimensions of batch2 tensor to be: [",
           self.size(0), ", ", self.size(2), "] but got: [", mat2.size(0), ", ",
           mat2.size(1), "].");
  Tensor out =
      matmul_data(self, mat2, {self.size(0), self.size(1), mat2.size(2)});
  record_product(out, self, mat2, &BmmBackward0::self, &BmmBackward0::mat2);
  return out;
}

Tensor mv(const Tensor& self, const Tensor& vec) {
  AG_CHECK(self.dim() == 2 && vec.dim() == 1,
           "vector + matrix @ vector expected, got ", self.dim(), ", ",
           vec.dim());
  check_same_dtype(self, vec);
  AG_CHECK(self.size(1) == vec.size(0), "size mismatch, got input (",
           self.size(0), "), mat (", self.size(0), "x", self.size(1),
           "), vec (", vec.size(0), ")");
  Tensor col = make_view(vec, {vec.size(0), 1}, {vec.stride(0), 1},
                         vec.impl()->storage_offset());
  Tensor out = matmul_data(self, col, {self.size(0), 1});
  out.impl()->set_sizes_and_strides({self.size(0)}, {1}, 0);
  record_product(out, self, vec, &MvBackward0::self, &MvBackward0::vec);
  return out;
}

Tensor dot(const Tensor& self, const Tensor& other) {
  AG_CHECK(self.dim() == 1 && other.dim() == 1, "1D tensors expected, but got ",
           self.dim(), "D and ", other.dim(), "D tensors");
  AG_CHECK(self.dtype() == other.dtype(),
           "dot : expected both vectors to have same dtype, but found ",
           dtype_legacy_name(self.dtype()), " and ",
           dtype_legacy_name(other.dtype()));
  AG_CHECK(self.size(0) == other.size(0),
           "inconsistent tensor size, expected tensor [", self.size(0),
           "] and src [", other.size(0),
           "] to have the same number of elements, but got ", self.size(0),
           " and ", other.size(0), " elements respectively");
  Tensor row = make_view(self, {1, self.size(0)}, {1, self.stride(0)},
                         self.impl()->storage_offset());
  Tensor col = make_view(other, {other.size(0), 1}, {other.stride(0), 1},
                         other.impl()->storage_offset());
  Tensor out = matmul_data(row, col, {1, 1});
  out.impl()->set_sizes_and_strides({}, {}, 0);
  record_product(out, self, other, &DotBackward0::self, &DotBackward0::tensor);
  return out;
}

Tensor matmul(const Tensor& self, const Tensor& other) {
  const int64_t da = self.dim(), db = other.dim();
  AG_CHECK(da > 0 && db > 0,
           "both arguments to matmul need to be at least 1D, but they are ", da,
           "D and ", db, "D");
  if (da == 1 && db == 1) return dot(self, other);
  if (da == 2 && db == 1) return mv(self, other);
  if (da == 1 && db == 2) return squeeze(mm(unsqueeze(self, 0), other), {0});
  if (da == 2 && db == 2) return mm(self, other);
  if (da >= 3 && db <= 2) {
    // Fold the batch dims into the rows of one matrix product.
    const Tensor b = db == 1 ? unsqueeze(other, 1) : other;
    Shape out_shape(self.sizes().begin(), self.sizes().end() - 1);
    const Tensor folded = reshape(self, {-1, self.size(-1)});
    AG_CHECK(self.size(-1) == b.size(0),
             "mat1 and mat2 shapes cannot be multiplied (", folded.size(0), "x",
             folded.size(1), " and ", b.size(0), "x", b.size(1), ")");
    if (db == 2) out_shape.push_back(b.size(1));
    return reshape(mm(folded, b), out_shape);
  }
  // General case: broadcast the batch dims and run one batched product.
  const Tensor a = da == 1 ? unsqueeze(self, 0) : self;
  const Tensor b = db == 1 ? unsqueeze(other, 1) : other;
  const Shape batch_a(a.sizes().begin(), a.sizes().end() - 2);
  const Shape batch_b(b.sizes().begin(), b.sizes().end() - 2);
  const Shape batch = broadcast_shapes(batch_a, batch_b);
  const int64_t n = a.size(-2), k = a.size(-1), k2 = b.size(-2), p = b.size(-1);
  AG_CHECK(k == k2,
           "Expected size for first two dimensions of batch2 tensor to be: [",
           numel_of(batch), ", ", k, "] but got: [", numel_of(batch), ", ", k2,
           "].");
  Shape a_shape = batch, b_shape = batch;
  a_shape.push_back(n);
  a_shape.push_back(k);
  b_shape.push_back(k);
  b_shape.push_back(p);
  const int64_t nb = numel_of(batch);
  const Tensor a3 = reshape(expand(a, a_shape), {nb, n, k});
  const Tensor b3 = reshape(expand(b, b_shape), {nb, k, p});
  Shape out_shape = batch;
  if (da > 1) out_shape.push_back(n);
  if (db > 1) out_shape.push_back(p);
  return reshape(bmm(a3, b3), out_shape);
}

}  // namespace ag::ops
