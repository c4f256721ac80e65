// Reductions: sum, mean, norm, and sum_to (the engine's broadcast undo).

#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/op_utils.h"

namespace ag::ops {

namespace {

// Sorted, wrapped, duplicate-free dims; an empty list means every dim.
IntList normalize_dims(const IntList& dims, int64_t ndim) {
  IntList out;
  if (dims.empty()) {
    for (int64_t d = 0; d < ndim; ++d) out.push_back(d);
    return out;
  }
  std::vector<bool> seen(static_cast<size_t>(std::max<int64_t>(ndim, 1)),
                         false);
  for (int64_t d : dims) {
    const int64_t w = wrap_dim(d, ndim);
    AG_CHECK(!seen[static_cast<size_t>(w)], "dim ", w,
             " appears multiple times in the list of dims");
    seen[static_cast<size_t>(w)] = true;
    if (w < ndim) out.push_back(w);  // 0-d tensors accept dim 0 and -1
  }
  std::sort(out.begin(), out.end());
  return out;
}

Shape kept_shape(const Shape& sizes, const IntList& dims) {
  Shape out = sizes;
  for (int64_t d : dims) out[static_cast<size_t>(d)] = 1;
  return out;
}

Shape reduced_shape(const Shape& sizes, const IntList& dims, bool keepdim) {
  if (keepdim) return kept_shape(sizes, dims);
  Shape out;
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (!std::binary_search(dims.begin(), dims.end(),
                            static_cast<int64_t>(d))) {
      out.push_back(sizes[d]);
    }
  }
  return out;
}

DType sum_dtype(const Tensor& self, std::optional<DType> dtype) {
  if (dtype) return *dtype;
  return is_floating(self.dtype()) ? self.dtype() : DType::Int64;
}

// Sum of self over `dims` (normalized), as a new tensor without history.
Tensor sum_data(const Tensor& self, const IntList& dims, bool keepdim,
                DType dtype) {
  Tensor out = empty_tensor(kept_shape(self.sizes(), dims), dtype);
  kernels::sum(cast_data(self, dtype), out);
  if (!keepdim) {
    const Shape shape = reduced_shape(self.sizes(), dims, false);
    out.impl()->set_sizes_and_strides(shape, contiguous_strides(shape), 0);
  }
  return out;
}

// A gradient of a reduction, brought back to the input's shape.
Tensor expand_reduced_grad(const Tensor& grad, const Shape& self_sizes,
                           const IntList& dims, bool keepdim) {
  Tensor g = grad;
  if (!keepdim) {
    for (int64_t d : dims) g = unsqueeze(g, d);
  }
  return expand(g, self_sizes);
}

// d(self) = grad expanded to self's shape
class SumBackward0 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "SumBackward0"; }
  variable_list apply(variable_list&& grads) override {
    return {expand(grads[0], self_sizes)};
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("self_sym_sizes", ints_field(self_sizes));
  }
  Shape self_sizes;
};

// d(self) = grad, unsqueezed at the reduced dims, expanded to self's shape
class SumBackward1 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "SumBackward1"; }
  variable_list apply(variable_list&& grads) override {
    return {expand_reduced_grad(grads[0], self_sizes, dims, keepdim)};
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("dim", ints_field(dims));
    v.visit("keepdim", bool_field(keepdim));
    v.visit("self_sym_sizes", ints_field(self_sizes));
  }
  Shape self_sizes;
  IntList dims;
  bool keepdim = false;
};

// d(self) = grad expanded / numel
class MeanBackward0 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "MeanBackward0"; }
  variable_list apply(variable_list&& grads) override {
    return {div(expand(grads[0], self_sizes),
                wrap_scalar(Scalar(numel_of(self_sizes))))};
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("self_sym_numel", int_field(numel_of(self_sizes)));
    v.visit("self_sym_sizes", ints_field(self_sizes));
  }
  Shape self_sizes;
};

// d(self) = grad expanded / (number of reduced elements)
class MeanBackward1 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "MeanBackward1"; }
  variable_list apply(variable_list&& grads) override {
    int64_t count = 1;
    for (int64_t d : dims) count *= self_sizes[static_cast<size_t>(d)];
    return {div(expand_reduced_grad(grads[0], self_sizes, dims, keepdim),
                wrap_scalar(Scalar(count)))};
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("dim", ints_field(dims));
    v.visit("keepdim", bool_field(keepdim));
    v.visit("self_sym_numel", int_field(numel_of(self_sizes)));
    v.visit("self_sym_sizes", ints_field(self_sizes));
  }
  Shape self_sizes;
  IntList dims;
  bool keepdim = false;
};

// p = 2: d(self) = grad * self / result;  p = 1: grad * sign(self);
// otherwise grad * self * |self|^(p-2) / result^(p-1). A zero norm gives a
// zero gradient (the minimum-norm subgradient).
class LinalgVectorNormBackward0 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "LinalgVectorNormBackward0"; }
  variable_list apply(variable_list&& grads) override {
    const Tensor s = self.unpack();
    const Tensor r = result.unpack(shared_from_this());
    const Shape& sizes = s.sizes();
    const Tensor g = expand_reduced_grad(grads[0], sizes, dims, keepdim);
    if (ord == 1.0) return {mul(g, sign(s))};
    const Tensor rr = expand_reduced_grad(r, sizes, dims, keepdim);
    Tensor scale;
    if (ord == 2.0) {
      scale = div(s, rr);
    } else {
      scale = div(mul(s, pow(abs(s), Scalar(ord - 2.0))),
                  pow(rr, Scalar(ord - 1.0)));
    }
    Tensor zero_norm;
    {
      NoGradGuard no_grad;
      zero_norm = eq(rr, wrap_scalar(Scalar(0.0)));
    }
    return {mul(g, where(zero_norm, zeros({}, scale.dtype()), scale))};
  }
  void release_variables() override {
    self.release();
    result.release();
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("dim", ints_field(dims));
    v.visit("keepdim", bool_field(keepdim));
    v.visit("ord", scalar_field(Scalar(ord)));
    v.visit("result", result);
    v.visit("self", self);
  }
  SavedVariable self, result;
  IntList dims;
  bool keepdim = false;
  double ord = 2.0;
};

}  // namespace

Tensor sum(const Tensor& self, std::optional<DType> dtype) {
  const IntList dims = normalize_dims({}, self.dim());
  Tensor out = sum_data(self, dims, false, sum_dtype(self, dtype));
  if (auto fn = record<SumBackward0>(self)) {
    fn->self_sizes = self.sizes();
    autograd::set_history(out, fn);
  }
  return out;
}

Tensor sum(const Tensor& self, const IntList& dims_in, bool keepdim,
           std::optional<DType> dtype) {
  const IntList dims = normalize_dims(dims_in, self.dim());
  Tensor out = sum_data(self, dims, keepdim, sum_dtype(self, dtype));
  if (auto fn = record<SumBackward1>(self)) {
    fn->self_sizes = self.sizes();
    fn->dims = dims;
    fn->keepdim = keepdim;
    autograd::set_history(out, fn);
  }
  return out;
}

namespace {
DType mean_dtype(const Tensor& self, std::optional<DType> dtype) {
  const DType t = dtype ? *dtype : self.dtype();
  AG_CHECK(is_floating(t),
           "mean(): could not infer output dtype. Input dtype must be either "
           "a floating point or complex dtype. Got: ",
           dtype_legacy_name(t));
  return t;
}

Tensor mean_data(const Tensor& self, const IntList& dims, bool keepdim,
                 DType dtype) {
  Tensor total = sum_data(self, dims, keepdim, dtype);
  int64_t count = 1;
  for (int64_t d : dims) count *= self.sizes()[static_cast<size_t>(d)];
  // 0 / 0 gives NaN for an empty reduction, as in PyTorch.
  kernels::binary(kernels::BinaryOp::Div, total,
                  scalar_tensor(Scalar(static_cast<double>(count)), dtype),
                  total);
  return total;
}
}  // namespace

Tensor mean(const Tensor& self, std::optional<DType> dtype) {
  const DType t = mean_dtype(self, dtype);
  Tensor out = mean_data(self, normalize_dims({}, self.dim()), false, t);
  if (auto fn = record<MeanBackward0>(self)) {
    fn->self_sizes = self.sizes();
    autograd::set_history(out, fn);
  }
  return out;
}

Tensor mean(const Tensor& self, const IntList& dims_in, bool keepdim,
            std::optional<DType> dtype) {
  const DType t = mean_dtype(self, dtype);
  const IntList dims = normalize_dims(dims_in, self.dim());
  Tensor out = mean_data(self, dims, keepdim, t);
  if (auto fn = record<MeanBackward1>(self)) {
    fn->self_sizes = self.sizes();
    fn->dims = dims;
    fn->keepdim = keepdim;
    autograd::set_history(out, fn);
  }
  return out;
}

Tensor norm(const Tensor& self, double p, const IntList& dims_in,
            bool keepdim) {
  AG_CHECK(is_floating(self.dtype()),
           "linalg.vector_norm: Expected a floating point tensor as input. "
           "Got ",
           dtype_legacy_name(self.dtype()));
  AG_CHECK(p > 0 && std::isfinite(p),
           "norm: only finite positive orders are supported, got ord=", p);
  const IntList dims = normalize_dims(dims_in, self.dim());
  Tensor out;
  {
    NoGradGuard no_grad;
    const Tensor a = abs(self);
    const Tensor powered =
        p == 1.0 ? a : (p == 2.0 ? mul(a, a) : pow(a, Scalar(p)));
    out = sum_data(powered, dims, keepdim, self.dtype());
    if (p == 2.0) {
      kernels::unary(kernels::UnaryOp::Sqrt, out, out);
    } else if (p != 1.0) {
      out = pow(out, Scalar(1.0 / p));
    }
  }
  if (auto fn = record<LinalgVectorNormBackward0>(self)) {
    fn->self = SavedVariable(self, false);
    fn->dims = dims;
    fn->keepdim = keepdim;
    fn->ord = p;
    autograd::set_history(out, fn);
    fn->result = SavedVariable(out, true);
  }
  return out;
}

Tensor sum_to(const Tensor& self, const Shape& shape) {
  if (self.sizes() == shape) return self;
  const int64_t lead = self.dim() - static_cast<int64_t>(shape.size());
  IntList dims;
  for (int64_t d = 0; d < self.dim(); ++d) {
    if (d < lead || (shape[static_cast<size_t>(d - lead)] == 1 &&
                     self.sizes()[static_cast<size_t>(d)] != 1)) {
      dims.push_back(d);
    }
  }
  Tensor out = dims.empty() ? self : sum(self, dims, /*keepdim=*/true);
  return out.sizes() == shape ? out : view(out, shape);
}

}  // namespace ag::ops
