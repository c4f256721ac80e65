// Matrix products: mm, bmm, mv, dot, matmul (which dispatches to them by
// rank, broadcasting batch dims), outer, addmm and linear; einsum, which
// reduces every equation to sums, diagonals and batched products. The kernels
// call BLAS.

#include <algorithm>
#include <cctype>
#include <functional>
#include <string>

#include "compile/capture.h"
#include "kernels/fused.h"
#include "ops/op_utils.h"

namespace ag::ops {

namespace {

void check_same_dtype(const Tensor& a, const Tensor& b) {
  AG_CHECK(a.dtype() == b.dtype(),
           "expected m1 and m2 to have the same dtype, but got: ",
           dtype_cpp_name(a.dtype()), " != ", dtype_cpp_name(b.dtype()));
}

// PyTorch's product kernels have no bool version; like them, an empty
// result or an empty inner dim is filled before the kernel is reached.
void check_product_kernel(const Tensor& a, const Shape& out_shape,
                          const char* kernel) {
  AG_CHECK_AS(
      NotImplementedError,
      a.dtype() != DType::Bool || numel_of(out_shape) == 0 || a.size(-1) == 0,
      "\"", kernel, "\" not implemented for 'Bool'");
}

Tensor matmul_data(const Tensor& a, const Tensor& b, const Shape& out_shape,
                   const char* kernel) {
  check_product_kernel(a, out_shape, kernel);
  Tensor out = empty_tensor(out_shape, a.dtype());
  kernels::matmul(a, b, out);
  return out;
}

// A 2-D tensor stored as the transpose of a contiguous matrix (e.g. the
// weight.t() that linear multiplies by).
bool is_transposed_matrix(const Shape& sizes, const Shape& strides) {
  return sizes.size() == 2 && strides[0] == 1 && strides[1] == sizes[0] &&
         sizes[0] > 1 && sizes[1] > 1;
}

// Gradients of mm(mat1, mat2) for one operand, computed in that operand's
// memory layout: for a transposed operand, the transpose of a contiguous
// product. The gradient then reaches the parameter behind the transpose
// contiguous, so accumulating it and optimizer steps need no strided copy.
Tensor mm_mat1_grad(const Tensor& grad, const Tensor& mat2,
                    bool mat1_transposed) {
  return mat1_transposed ? t(mm(mat2, t(grad))) : mm(grad, t(mat2));
}
Tensor mm_mat2_grad(const Tensor& grad, const Tensor& mat1,
                    bool mat2_transposed) {
  return mat2_transposed ? t(mm(t(grad), mat1)) : mm(t(mat1), grad);
}

// d(self) = grad @ mat2^T ; d(mat2) = self^T @ grad
class MmBackward0 final : public Node {
 public:
  AG_NODE(MmBackward0);
  static constexpr bool kForwardRule = true;  // record_product
  variable_list apply(variable_list&& grads) override {
    variable_list out(2);
    if (should_compute_output(0)) {
      out[0] = mm_mat1_grad(grads[0], mat2.unpack(), self_transposed);
    }
    if (should_compute_output(1)) {
      out[1] = mm_mat2_grad(grads[0], self.unpack(), mat2_transposed);
    }
    return out;
  }
  SavedTensor self{this, "self"}, mat2{this, "mat2"};
  bool self_transposed = false, mat2_transposed = false;
};

// d(self) = grad @ mat2^T ; d(mat2) = self^T @ grad   (per batch)
class BmmBackward0 final : public Node {
 public:
  AG_NODE(BmmBackward0);
  static constexpr bool kForwardRule = true;  // record_product
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
  SavedTensor self{this, "self"}, mat2{this, "mat2"};
};

// d(self) = outer(grad, vec) ; d(vec) = self^T @ grad
class MvBackward0 final : public Node {
 public:
  AG_NODE(MvBackward0);
  static constexpr bool kForwardRule = true;  // record_product
  variable_list apply(variable_list&& grads) override {
    variable_list out(2);
    if (should_compute_output(0)) {
      out[0] = mm(unsqueeze(grads[0], 1), unsqueeze(vec.unpack(), 0));
    }
    if (should_compute_output(1)) out[1] = mv(t(self.unpack()), grads[0]);
    return out;
  }
  SavedTensor self{this, "self"}, vec{this, "vec"};
};

// d(self) = grad * tensor ; d(tensor) = grad * self
class DotBackward0 final : public Node {
 public:
  AG_NODE(DotBackward0);
  static constexpr bool kForwardRule = true;  // record_product
  variable_list apply(variable_list&& grads) override {
    variable_list out(2);
    if (should_compute_output(0)) out[0] = mul(grads[0], tensor.unpack());
    if (should_compute_output(1)) out[1] = mul(grads[0], self.unpack());
    return out;
  }
  SavedTensor self{this, "self"}, tensor{this, "tensor"};
};

// The tangent of a bilinear product(a, b): product(a_t, b) + product(a, b_t).
void product_tangent(const Tensor& out, const Tensor& a, const Tensor& b,
                     Tensor (*product)(const Tensor&, const Tensor&)) {
  if (!forward_ad::any_dual(a, b)) return;
  set_tangent(out, [&] {
    const Tensor at = forward_ad::tangent(a), bt = forward_ad::tangent(b);
    return add_tangents(at.defined() ? product(at, b) : Tensor(),
                        bt.defined() ? product(a, bt) : Tensor());
  });
}

// Returns the node (null when no gradient is recorded).
template <typename NodeT>
std::shared_ptr<NodeT> record_product(const Tensor& out, const Tensor& a,
                                      const Tensor& b, SavedTensor NodeT::* sa,
                                      SavedTensor NodeT::* sb,
                                      Tensor (*product)(const Tensor&,
                                                        const Tensor&)) {
  auto fn = record<NodeT>(a, b);
  if (fn) {
    // Each input's gradient needs the other input.
    if (fn->should_compute_output(1)) (*fn).*sa = SavedVariable(a, false);
    if (fn->should_compute_output(0)) (*fn).*sb = SavedVariable(b, false);
    autograd::set_history(out, fn);
  }
  product_tangent(out, a, b, product);
  return fn;
}

// d(self) = grad.unsqueeze(dim)
class SqueezeBackward4 final : public Node {
 public:
  AG_NODE(SqueezeBackward4);
  static constexpr bool kForwardRule = true;  // the same view of the tangent
  variable_list apply(variable_list&& grads) override {
    return {unsqueeze(grads[0], dim)};
  }
  Saved<int64_t> dim{this, "dim", 0};
};

// Drops the leading size-1 dim of a product's fresh result (PyTorch's
// in-place squeeze_(0) in matmul).
Tensor squeeze_leading(const Tensor& self) {
  Shape sizes = self.sizes(), strides = self.strides();
  sizes.erase(0);
  strides.erase(0);
  Tensor out = make_view(self, sizes, strides, self.impl()->storage_offset());
  if (auto fn = record<SqueezeBackward4>(self)) autograd::set_history(out, fn);
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] { return squeeze(forward_ad::tangent(self), {0}); });
  }
  return out;
}

// d(self) = beta * grad ; d(mat1) = alpha * grad @ mat2^T ;
// d(mat2) = alpha * mat1^T @ grad
class AddmmBackward0 final : public Node {
 public:
  AG_NODE(AddmmBackward0);
  // tangent = beta * self_t + alpha * (mat1_t @ mat2 + mat1 @ mat2_t)
  static constexpr bool kForwardRule = true;
  variable_list apply(variable_list&& grads) override {
    const Tensor& g = grads[0];
    auto scaled = [](const Tensor& t, const Scalar& s) {
      return s.to<double>() == 1.0 ? t : mul(t, wrap_scalar(s));
    };
    variable_list out(3);
    if (should_compute_output(0)) out[0] = scaled(g, beta);
    if (should_compute_output(1)) {
      out[1] = scaled(mm_mat1_grad(g, mat2.unpack(), mat1_transposed), alpha);
    }
    if (should_compute_output(2)) {
      out[2] = scaled(mm_mat2_grad(g, mat1.unpack(), mat2_transposed), alpha);
    }
    return out;
  }
  SavedTensor mat1{this, "mat1"}, mat2{this, "mat2"};
  Saved<Shape> mat1_sizes{this, "mat1_sym_sizes"},
      mat2_sizes{this, "mat2_sym_sizes"};
  Saved<Scalar> beta{this, "beta"}, alpha{this, "alpha"};
  bool mat1_transposed = false, mat2_transposed = false;
};

// ---- einsum

// Dims are named by ids: letters A-Z are 0-25, a-z 26-51, and the dims an
// ellipsis covers 52, 53, ... (right-aligned across operands).
constexpr int kEllipsisId = 52;

int letter_id(char c) {
  return c >= 'A' && c <= 'Z' ? c - 'A' : c - 'a' + 26;
}

char id_letter(int id) {
  return static_cast<char>(id < 26 ? 'A' + id : 'a' + (id - 26));
}

// One parsed term of the equation: its ids, with -1 marking the ellipsis.
struct Term {
  std::vector<int> ids;
  bool has_ellipsis = false;
};

// Splits eq[begin, end) ("ab,b...c") into terms; error messages give
// positions in the whole equation.
std::vector<Term> parse_terms(const std::string& eq, size_t begin, size_t end) {
  std::vector<Term> terms(1);
  for (size_t i = begin; i < end; ++i) {
    const char c = eq[i];
    if (c == ' ') continue;
    if (c == ',') {
      terms.emplace_back();
    } else if (c == '.') {
      AG_CHECK(i + 3 <= end && eq.compare(i, 3, "...") == 0 &&
                   !terms.back().has_ellipsis,
               "einsum(): found '.' for operand ", terms.size() - 1,
               " that is not part of any ellipsis");
      terms.back().has_ellipsis = true;
      terms.back().ids.push_back(-1);
      i += 2;
    } else {
      AG_CHECK(std::isalpha(static_cast<unsigned char>(c)),
               "einsum(): invalid subscript given at index ", i,
               " in the equation string, subscripts must be in [a-zA-Z]");
      terms.back().ids.push_back(letter_id(c));
    }
  }
  return terms;
}

// An operand during contraction: a tensor and the id of each of its dims.
struct Labeled {
  Tensor t;
  std::vector<int> ids;
};

// Sums out the dims whose ids fail `keep`.
Labeled sum_unneeded(const Labeled& x, const std::function<bool(int)>& keep) {
  IntList dims;
  Labeled out;
  for (size_t d = 0; d < x.ids.size(); ++d) {
    if (keep(x.ids[d])) {
      out.ids.push_back(x.ids[d]);
    } else {
      dims.push_back(static_cast<int64_t>(d));
    }
  }
  out.t = dims.empty() ? x.t : sum(x.t, dims, false);
  return out;
}

// Takes the diagonal over dims that repeat an id ("ii->i").
Labeled take_diagonals(Labeled x, size_t operand) {
  for (size_t a = 0; a < x.ids.size(); ++a) {
    for (size_t b = a + 1; b < x.ids.size();) {
      if (x.ids[b] != x.ids[a]) {
        ++b;
        continue;
      }
      const int64_t na = x.t.size(static_cast<int64_t>(a));
      const int64_t nb = x.t.size(static_cast<int64_t>(b));
      AG_CHECK(na == nb, "einsum(): subscript ", id_letter(x.ids[a]),
               " is repeated for operand ", operand,
               " but the sizes don't match, ", nb, " != ", na);
      Shape sizes = x.t.sizes(), strides = x.t.strides();
      strides[a] += strides[b];
      sizes.erase(b);
      strides.erase(b);
      x.t = as_strided(x.t, sizes, strides, x.t.impl()->storage_offset());
      x.ids.erase(x.ids.begin() + static_cast<long>(b));
    }
  }
  return x;
}

int64_t size_of(const Labeled& x, int id) {
  for (size_t d = 0; d < x.ids.size(); ++d) {
    if (x.ids[d] == id) return x.t.size(static_cast<int64_t>(d));
  }
  return 1;
}

// Expands x's size-1 dims with these ids to `sizes` (broadcasting).
Labeled expand_ids(const Labeled& x, const std::vector<int>& ids,
                   const std::vector<int64_t>& sizes) {
  Shape target = x.t.sizes();
  bool changed = false;
  for (size_t d = 0; d < x.ids.size(); ++d) {
    for (size_t k = 0; k < ids.size(); ++k) {
      if (x.ids[d] == ids[k] && target[d] != sizes[k]) {
        target[d] = sizes[k];
        changed = true;
      }
    }
  }
  return changed ? Labeled{expand(x.t, target), x.ids} : x;
}

// Permutes x so its dims follow `order` (every id of x, once).
Tensor arrange(const Labeled& x, const std::vector<int>& order) {
  IntList perm;
  bool identity = true;
  for (int id : order) {
    const auto d = static_cast<int64_t>(
        std::find(x.ids.begin(), x.ids.end(), id) - x.ids.begin());
    identity = identity && d == static_cast<int64_t>(perm.size());
    perm.push_back(d);
  }
  return identity ? x.t : permute(x.t, perm);
}

// Contracts a and b over their shared ids not in `keep`, as one batched
// matrix product: a (batch, left, shared) @ b (batch, shared, right).
Labeled contract(Labeled a, Labeled b, const std::function<bool(int)>& keep) {
  auto in = [](const Labeled& x, int id) {
    return std::find(x.ids.begin(), x.ids.end(), id) != x.ids.end();
  };
  a = sum_unneeded(a, [&](int id) { return keep(id) || in(b, id); });
  b = sum_unneeded(b, [&](int id) { return keep(id) || in(a, id); });
  std::vector<int> batch, left, shared, right;
  std::vector<int64_t> batch_sizes, shared_sizes;
  for (int id : a.ids) {
    if (!in(b, id)) {
      left.push_back(id);
      continue;
    }
    const int64_t size = std::max(size_of(a, id), size_of(b, id));
    if (keep(id)) {
      batch.push_back(id);
      batch_sizes.push_back(size);
    } else {
      shared.push_back(id);
      shared_sizes.push_back(size);
    }
  }
  for (int id : b.ids) {
    if (!in(a, id)) right.push_back(id);
  }
  Labeled out;
  out.ids = batch;
  out.ids.insert(out.ids.end(), left.begin(), left.end());
  out.ids.insert(out.ids.end(), right.begin(), right.end());
  if (shared.empty()) {
    // Nothing to sum: an elementwise product of a (batch, left, 1...) and
    // b (batch, 1..., right), broadcasting.
    std::vector<int> a_order = batch, b_order = batch;
    a_order.insert(a_order.end(), left.begin(), left.end());
    b_order.insert(b_order.end(), right.begin(), right.end());
    Tensor ta = arrange(a, a_order), tb = arrange(b, b_order);
    for (size_t i = 0; i < right.size(); ++i) ta = unsqueeze(ta, -1);
    for (size_t i = 0; i < left.size(); ++i) {
      tb = unsqueeze(tb, static_cast<int64_t>(batch.size()));
    }
    out.t = mul(ta, tb);
    return out;
  }
  std::vector<int> all = batch;
  all.insert(all.end(), shared.begin(), shared.end());
  std::vector<int64_t> all_sizes = batch_sizes;
  all_sizes.insert(all_sizes.end(), shared_sizes.begin(), shared_sizes.end());
  a = expand_ids(a, all, all_sizes);
  b = expand_ids(b, all, all_sizes);
  auto product = [&](const Labeled& x, const std::vector<int>& ids) {
    int64_t p = 1;
    for (int id : ids) p *= size_of(x, id);
    return p;
  };
  std::vector<int> a_order = batch, b_order = batch;
  a_order.insert(a_order.end(), left.begin(), left.end());
  a_order.insert(a_order.end(), shared.begin(), shared.end());
  b_order.insert(b_order.end(), shared.begin(), shared.end());
  b_order.insert(b_order.end(), right.begin(), right.end());
  const int64_t nb = product(a, batch), nl = product(a, left);
  const int64_t ns = product(a, shared), nr = product(b, right);
  const Tensor a3 = reshape(arrange(a, a_order), {nb, nl, ns});
  const Tensor b3 = reshape(arrange(b, b_order), {nb, ns, nr});
  Shape sizes;
  for (int id : batch) sizes.push_back(size_of(a, id));
  for (int id : left) sizes.push_back(size_of(a, id));
  for (int id : right) sizes.push_back(size_of(b, id));
  out.t = reshape(bmm(a3, b3), sizes);
  return out;
}

}  // namespace

namespace {

// d(self) = grad.reshape(self_sizes)
class UnsafeViewBackward0 final : public Node {
 public:
  AG_NODE(UnsafeViewBackward0);
  static constexpr bool kForwardRule = true;  // the same view of the tangent
  variable_list apply(variable_list&& grads) override {
    return {reshape(grads[0], self_sizes)};
  }
  Saved<Shape> self_sizes{this, "self_sym_sizes"};
};

}  // namespace

// A product's fresh contiguous result seen with another shape. Nothing else
// aliases it, so (as PyTorch's _unsafe_view) it is not tracked as a view.
Tensor unsafe_view(const Tensor& self, const Shape& sizes) {
  Tensor out = make_view(self, sizes, contiguous_strides(sizes),
                         self.impl()->storage_offset());
  if (auto fn = record<UnsafeViewBackward0>(self)) {
    fn->self_sizes = self.sizes();
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] { return reshape(forward_ad::tangent(self), sizes); });
  }
  return out;
}

Tensor mm(const Tensor& self, const Tensor& mat2) {
  AG_CAPTURE_RETURN("mm", mm(in[0], in[1]), self, mat2)
  AG_CHECK(self.dim() == 2, "self must be a matrix");
  AG_CHECK(mat2.dim() == 2, "mat2 must be a matrix");
  check_same_dtype(self, mat2);
  AG_CHECK(self.size(1) == mat2.size(0),
           "mat1 and mat2 shapes cannot be multiplied (", self.size(0), "x",
           self.size(1), " and ", mat2.size(0), "x", mat2.size(1), ")");
  Tensor out =
      matmul_data(self, mat2, {self.size(0), mat2.size(1)}, "addmm_impl_cpu_");
  if (auto fn = record_product(out, self, mat2, &MmBackward0::self,
                               &MmBackward0::mat2, &mm)) {
    fn->self_transposed = is_transposed_matrix(self.sizes(), self.strides());
    fn->mat2_transposed = is_transposed_matrix(mat2.sizes(), mat2.strides());
  }
  return out;
}

Tensor bmm(const Tensor& self, const Tensor& mat2) {
  AG_CAPTURE_RETURN("bmm", bmm(in[0], in[1]), self, mat2)
  AG_CHECK(self.dim() == 3, "batch1 must be a 3D tensor");
  AG_CHECK(mat2.dim() == 3, "batch2 must be a 3D tensor");
  AG_CHECK(mat2.size(0) == self.size(0) && mat2.size(1) == self.size(2),
           "Expected size for first two dimensions of batch2 tensor to be: [",
           self.size(0), ", ", self.size(2), "] but got: [", mat2.size(0), ", ",
           mat2.size(1), "].");
  // PyTorch's order: shapes, the kernel's dtype (self's), then mat2's.
  const Shape out_shape{self.size(0), self.size(1), mat2.size(2)};
  check_product_kernel(self, out_shape, "bmm");
  AG_CHECK(self.dtype() == mat2.dtype(), "expected scalar type ",
           dtype_legacy_name(self.dtype()), " but found ",
           dtype_legacy_name(mat2.dtype()));
  Tensor out = matmul_data(self, mat2, out_shape, "bmm");
  record_product(out, self, mat2, &BmmBackward0::self, &BmmBackward0::mat2,
                 &bmm);
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
  Tensor out = matmul_data(self, col, {self.size(0), 1}, "addmv_impl_cpu");
  out.impl()->set_sizes_and_strides({self.size(0)}, {1}, 0);
  record_product(out, self, vec, &MvBackward0::self, &MvBackward0::vec, &mv);
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
  AG_CHECK_AS(NotImplementedError, self.dtype() != DType::Bool,
              "\"dot\" not implemented for 'Bool'");
  Tensor out = matmul_data(row, col, {1, 1}, "dot");
  out.impl()->set_sizes_and_strides({}, {}, 0);
  record_product(out, self, other, &DotBackward0::self, &DotBackward0::tensor,
                 &dot);
  return out;
}

Tensor matmul(const Tensor& self, const Tensor& other) {
  AG_CAPTURE_RETURN("matmul", matmul(in[0], in[1]), self, other)
  const int64_t da = self.dim(), db = other.dim();
  AG_CHECK(da > 0 && db > 0,
           "both arguments to matmul need to be at least 1D, but they are ", da,
           "D and ", db, "D");
  if (da == 1 && db == 1) return dot(self, other);
  if (da == 2 && db == 1) return mv(self, other);
  if (da == 1 && db == 2) return squeeze_leading(mm(unsqueeze(self, 0), other));
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
    return unsafe_view(mm(folded, b), out_shape);
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
  return unsafe_view(bmm(a3, b3), out_shape);
}

Tensor outer(const Tensor& self, const Tensor& vec2) {
  AG_CHECK(self.dim() == 1, "outer: Expected 1-D argument self, but got ",
           self.dim(), "-D");
  AG_CHECK(vec2.dim() == 1, "outer: Expected 1-D argument vec2, but got ",
           vec2.dim(), "-D");
  return mul(reshape(self, {self.size(0), 1}), vec2);
}

Tensor addmm(const Tensor& self, const Tensor& mat1, const Tensor& mat2,
             const Scalar& beta, const Scalar& alpha) {
  AG_CAPTURE_RETURN("addmm", addmm(in[0], in[1], in[2], beta, alpha), self,
                    mat1, mat2)
  // Checked in PyTorch's order: dtypes, ranks, inner sizes, then self.
  AG_CHECK(self.dtype() == mat2.dtype(),
           "self and mat2 must have the same dtype, but got ",
           dtype_legacy_name(self.dtype()), " and ",
           dtype_legacy_name(mat2.dtype()));
  AG_CHECK(mat1.dtype() == mat2.dtype(),
           "mat1 and mat2 must have the same dtype, but got ",
           dtype_legacy_name(mat1.dtype()), " and ",
           dtype_legacy_name(mat2.dtype()));
  AG_CHECK(mat1.dim() == 2, "mat1 must be a matrix, got ", mat1.dim(),
           "-D tensor");
  AG_CHECK(mat2.dim() == 2, "mat2 must be a matrix, got ", mat2.dim(),
           "-D tensor");
  AG_CHECK(mat1.size(1) == mat2.size(0),
           "mat1 and mat2 shapes cannot be multiplied (", mat1.size(0), "x",
           mat1.size(1), " and ", mat2.size(0), "x", mat2.size(1), ")");
  const Shape shape{mat1.size(0), mat2.size(1)};
  // linear's case: the bias row is added as the product is computed.
  const bool fused_bias = self.dim() == 1 && self.size(0) == shape[1] &&
                          self.dtype() == mat1.dtype() &&
                          mat1.dtype() != DType::Bool &&
                          alpha.to<double>() == 1.0 && beta.to<double>() == 1.0;
  if (!fused_bias) {
    // A row of the product's width always broadcasts; anything else is
    // checked by expand, which raises PyTorch's message.
    NoGradGuard no_grad;
    expand(self, shape);
  }
  Tensor out;
  if (fused_bias) {
    out = empty_tensor(shape, mat1.dtype());
    kernels::addmm(contiguous_data(self), mat1, mat2, out);
  } else {
    out = matmul_data(mat1, mat2, shape, "addmm_impl_cpu_");
  }
  if (alpha.to<double>() != 1.0) {
    kernels::binary(kernels::BinaryOp::Mul, out,
                    scalar_tensor(alpha, out.dtype()), out);
  }
  // beta = 0 ignores self entirely (NaN and inf in it do not propagate).
  if (beta.to<double>() != 0.0 && !fused_bias) {
    kernels::binary(kernels::BinaryOp::Add, out, self, out, beta);
  }
  if (auto fn = record<AddmmBackward0>(self, mat1, mat2)) {
    if (fn->should_compute_output(2)) fn->mat1 = SavedVariable(mat1, false);
    if (fn->should_compute_output(1)) fn->mat2 = SavedVariable(mat2, false);
    fn->mat1_sizes = mat1.sizes();
    fn->mat2_sizes = mat2.sizes();
    fn->mat1_transposed = is_transposed_matrix(mat1.sizes(), mat1.strides());
    fn->mat2_transposed = is_transposed_matrix(mat2.sizes(), mat2.strides());
    fn->beta = beta;
    fn->alpha = alpha;
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self, mat1, mat2)) {
    set_tangent(out, [&] {
      const Tensor st = forward_ad::tangent(self);
      const Tensor m1t = forward_ad::tangent(mat1);
      const Tensor m2t = forward_ad::tangent(mat2);
      const Tensor products =
          add_tangents(m1t.defined() ? mm(m1t, mat2) : Tensor(),
                       m2t.defined() ? mm(mat1, m2t) : Tensor());
      const double a = alpha.to<double>(), b = beta.to<double>();
      return add_tangents(
          st.defined() && b != 0.0 ? mul(st, wrap_scalar(beta)) : Tensor(),
          products.defined() && a != 1.0 ? mul(products, wrap_scalar(alpha))
                                         : products);
    });
  }
  return out;
}

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  AG_CAPTURE_RETURN("linear", linear(in[0], in[1], in[2]), input, weight, bias)
  if (bias.defined() && input.dim() == 2) return addmm(bias, input, t(weight));
  if (bias.defined() && bias.dim() == 1 && input.dim() >= 1 &&
      input.is_contiguous()) {
    // Fold the leading dims into rows so the bias rides along in addmm.
    int64_t rows = 1;
    for (int64_t d = 0; d + 1 < input.dim(); ++d) rows *= input.size(d);
    const Tensor out =
        addmm(bias, reshape(input, {rows, input.size(-1)}), t(weight));
    Shape sizes(input.sizes().begin(), input.sizes().end() - 1);
    sizes.push_back(out.size(1));
    return view(out, sizes);
  }
  Tensor out = matmul(input, t(weight));
  // Here PyTorch adds the bias in place: the product's dtype and shape win
  // (a float64 bias into a float32 product; a bias that would broadcast the
  // product to a bigger shape is an error).
  if (bias.defined()) add_(out, bias);
  return out;
}

Tensor einsum(const std::string& equation, const TensorList& operands) {
  AG_CHECK(!operands.empty(), "einsum(): must provide at least one operand");
  const size_t arrow = equation.find("->");
  const size_t lhs_end = arrow == std::string::npos ? equation.size() : arrow;
  const std::vector<Term> terms = parse_terms(equation, 0, lhs_end);
  AG_CHECK(terms.size() <= operands.size(),
           "einsum(): fewer operands were provided than specified in the "
           "equation");
  AG_CHECK(terms.size() >= operands.size(),
           "einsum(): more operands were provided than specified in the "
           "equation");
  for (const Tensor& op : operands) {
    AG_CHECK(op.dtype() == operands[0].dtype(), "expected scalar type ",
             dtype_legacy_name(operands[0].dtype()), " but found ",
             dtype_legacy_name(op.dtype()));
  }
  // Give each operand's dims their ids; the ellipsis covers what is left.
  int64_t ellipsis_dims = 0;
  std::vector<Labeled> xs;
  std::vector<int> counts(kEllipsisId, 0);
  for (size_t k = 0; k < terms.size(); ++k) {
    const Term& term = terms[k];
    const Tensor& op = operands[k];
    const auto labels =
        static_cast<int64_t>(term.ids.size()) - (term.has_ellipsis ? 1 : 0);
    if (term.has_ellipsis) {
      AG_CHECK(labels <= op.dim(),
               "einsum(): the number of subscripts in the "
               "equation (",
               labels, ") is more than the number of dimensions (", op.dim(),
               ") for operand ", k);
    } else {
      AG_CHECK(labels == op.dim(),
               "einsum(): the number of subscripts in the "
               "equation (",
               labels, ") does not match the number of dimensions (", op.dim(),
               ") for operand ", k, " and no ellipsis was given");
    }
    ellipsis_dims = std::max(ellipsis_dims, op.dim() - labels);
  }
  for (size_t k = 0; k < terms.size(); ++k) {
    Labeled x{operands[k], {}};
    const int64_t covered =
        operands[k].dim() - (static_cast<int64_t>(terms[k].ids.size()) -
                             (terms[k].has_ellipsis ? 1 : 0));
    for (int id : terms[k].ids) {
      if (id >= 0) {
        x.ids.push_back(id);
        ++counts[static_cast<size_t>(id)];
        continue;
      }
      for (int64_t e = ellipsis_dims - covered; e < ellipsis_dims; ++e) {
        x.ids.push_back(kEllipsisId + static_cast<int>(e));
      }
    }
    xs.push_back(take_diagonals(x, k));
  }
  // The output's ids: given after "->", or the ellipsis then every letter
  // used exactly once, in alphabetical order (capitals first).
  std::vector<int> out_ids;
  bool any_ellipsis = false;
  for (const Term& term : terms)
    any_ellipsis = any_ellipsis || term.has_ellipsis;
  if (arrow == std::string::npos) {
    for (int64_t e = 0; e < ellipsis_dims; ++e) {
      out_ids.push_back(kEllipsisId + static_cast<int>(e));
    }
    for (int id = 0; id < kEllipsisId; ++id) {
      if (counts[static_cast<size_t>(id)] == 1) out_ids.push_back(id);
    }
  } else {
    const std::vector<Term> out_terms =
        parse_terms(equation, arrow + 2, equation.size());
    AG_CHECK(out_terms.size() == 1,
             "einsum(): found ',' in the output subscripts");
    std::vector<bool> seen(kEllipsisId, false);
    for (int id : out_terms[0].ids) {
      if (id < 0) {
        AG_CHECK(any_ellipsis,
                 "einsum(): ellipsis found in output but not in any input");
        for (int64_t e = 0; e < ellipsis_dims; ++e) {
          out_ids.push_back(kEllipsisId + static_cast<int>(e));
        }
        continue;
      }
      AG_CHECK(counts[static_cast<size_t>(id)] > 0,
               "einsum(): output subscript ", id_letter(id),
               " does not appear in the equation for any input operand");
      AG_CHECK(!seen[static_cast<size_t>(id)], "einsum(): output subscript ",
               id_letter(id), " appears more than once in the output");
      seen[static_cast<size_t>(id)] = true;
      out_ids.push_back(id);
    }
  }
  // Sizes of a shared id must agree, or be 1 and broadcast.
  std::vector<int64_t> seen_size(
      static_cast<size_t>(kEllipsisId + ellipsis_dims), -1);
  for (size_t k = 0; k < xs.size(); ++k) {
    for (size_t d = 0; d < xs[k].ids.size(); ++d) {
      const auto id = static_cast<size_t>(xs[k].ids[d]);
      const int64_t size = xs[k].t.size(static_cast<int64_t>(d));
      int64_t& seen = seen_size[id];
      if (seen < 0 || seen == 1) {
        seen = size;
        continue;
      }
      AG_CHECK(size == seen || size == 1,
               "einsum(): ", id < kEllipsisId ? "subscript " : "ellipsis dim ",
               id < kEllipsisId ? std::string(1, id_letter(xs[k].ids[d]))
                                : std::to_string(id - kEllipsisId),
               " has size ", size, " for operand ", k,
               " which does not broadcast with previously seen size ", seen);
    }
  }
  auto in_output = [&](int id) {
    return std::find(out_ids.begin(), out_ids.end(), id) != out_ids.end();
  };
  // Ids an operand alone carries, and that the output drops, sum out first.
  auto used_elsewhere = [&](size_t k, int id) {
    for (size_t j = 0; j < xs.size(); ++j) {
      if (j != k && std::find(xs[j].ids.begin(), xs[j].ids.end(), id) !=
                        xs[j].ids.end()) {
        return true;
      }
    }
    return false;
  };
  for (size_t k = 0; k < xs.size(); ++k) {
    xs[k] = sum_unneeded(
        xs[k], [&](int id) { return in_output(id) || used_elsewhere(k, id); });
  }
  Labeled result = xs[0];
  for (size_t k = 1; k < xs.size(); ++k) {
    auto keep = [&](int id) {
      if (in_output(id)) return true;
      for (size_t j = k + 1; j < xs.size(); ++j) {
        if (std::find(xs[j].ids.begin(), xs[j].ids.end(), id) !=
            xs[j].ids.end()) {
          return true;
        }
      }
      return false;
    };
    result = contract(result, xs[k], keep);
  }
  result = sum_unneeded(result, in_output);
  // A lone operand may still need its broadcast ids expanded to the output.
  std::vector<int64_t> out_sizes;
  for (int id : out_ids)
    out_sizes.push_back(seen_size[static_cast<size_t>(id)]);
  result = expand_ids(result, out_ids, out_sizes);
  return arrange(result, out_ids);
}

}  // namespace ag::ops
