// Reductions: sum, mean, prod, max/min (with and without indices), amax,
// amin, argmax, argmin, var, std, norm, logsumexp, cumsum, all, any, and
// sum_to (the engine's broadcast undo).

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>

#include "compile/capture.h"
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

// Folds self over `dims` (normalized) in `dtype`, without history. All and
// Any give bool results.
Tensor reduce_data(kernels::ReduceOp op, const Tensor& self,
                   const IntList& dims, bool keepdim, DType dtype) {
  const bool logical =
      op == kernels::ReduceOp::All || op == kernels::ReduceOp::Any;
  Tensor out = empty_tensor(kept_shape(self.sizes(), dims),
                            logical ? DType::Bool : dtype);
  kernels::reduce(op, cast_data(self, dtype), out);
  if (!keepdim) {
    const Shape shape = reduced_shape(self.sizes(), dims, false);
    out.impl()->set_sizes_and_strides(shape, contiguous_strides(shape), 0);
  }
  return out;
}

Tensor sum_data(const Tensor& self, const IntList& dims, bool keepdim,
                DType dtype) {
  return reduce_data(kernels::ReduceOp::Sum, self, dims, keepdim, dtype);
}

int64_t reduced_count(const Shape& sizes, const IntList& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= sizes[static_cast<size_t>(d)];
  return n;
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

// grad of a max-like reduction spread evenly over the positions that hold
// the extreme value (PyTorch's rule for ties). With `nan_is_extreme` (the
// backward of a full max/min and of the inf-norm), a NaN result's share
// goes to the NaNs that made it, as PyTorch's evenly_distribute_backward
// and norm backward do; amax/amin's NaN results keep a NaN gradient.
Tensor evenly_distribute(const Tensor& grad, const Tensor& self,
                         const Tensor& result, const IntList& dims,
                         bool keepdim, bool nan_is_extreme = false) {
  const Tensor g = expand_reduced_grad(grad, self.sizes(), dims, keepdim);
  const Tensor r = expand_reduced_grad(result, self.sizes(), dims, keepdim);
  Tensor mask, count;
  {
    NoGradGuard no_grad;
    Tensor hit = eq(self, r);
    if (nan_is_extreme)
      hit = logical_or(hit, logical_and(isnan(self), isnan(r)));
    mask = cast_data(hit, g.dtype());
    count = expand_reduced_grad(sum(mask, dims, keepdim), self.sizes(), dims,
                                keepdim);
  }
  return div(mul(g, mask), count);
}

// Note [Reduction forward rules]: a reduction's backward spreads grad over
// self times per-element partial derivatives; its tangent is self's tangent
// times the same partials (the backward run on a grad of ones), summed over
// the reduced dims. The partials are differentiable, so reverse over
// forward works.
Tensor reduction_tangent(const Tensor& self_t, const Tensor& partials,
                         const IntList& dims, bool keepdim) {
  return sum(mul(self_t, partials), dims, keepdim, std::nullopt);
}
Tensor ones_like_data(const Tensor& t) {
  return ones(t.sizes(), t.dtype());
}

// d(self) = grad expanded to self's shape
class SumBackward0 final : public Node {
 public:
  AG_NODE(SumBackward0);
  static constexpr bool kForwardRule = true;  // tangent = sum(self_t)
  variable_list apply(variable_list&& grads) override {
    return {expand(grads[0], self_sizes)};
  }
  Saved<Shape> self_sizes{this, "self_sym_sizes"};
};

// d(self) = grad, unsqueezed at the reduced dims, expanded to self's shape
class SumBackward1 final : public Node {
 public:
  AG_NODE(SumBackward1);
  static constexpr bool kForwardRule =
      true;  // tangent = sum(self_t, dims, keepdim)
  variable_list apply(variable_list&& grads) override {
    return {expand_reduced_grad(grads[0], self_sizes, dims, keepdim)};
  }
  Saved<Shape> self_sizes{this, "self_sym_sizes"};
  Saved<IntList> dims{this, "dim"};
  Saved<bool> keepdim{this, "keepdim", false};
};

// d(self) = grad expanded / numel
class MeanBackward0 final : public Node {
 public:
  AG_NODE(MeanBackward0);
  static constexpr bool kForwardRule = true;  // tangent = mean(self_t)
  variable_list apply(variable_list&& grads) override {
    return {div(expand(grads[0], self_sizes),
                wrap_scalar(Scalar(numel_of(self_sizes))))};
  }
  void visit_saved(SavedVisitor& v) const override {
    Node::visit_saved(v);
    v.visit("self_sym_numel", int_field(numel_of(self_sizes)));
  }
  Saved<Shape> self_sizes{this, "self_sym_sizes"};
};

// d(self) = grad expanded / (number of reduced elements)
class MeanBackward1 final : public Node {
 public:
  AG_NODE(MeanBackward1);
  static constexpr bool kForwardRule =
      true;  // tangent = mean(self_t, dims, keepdim)
  variable_list apply(variable_list&& grads) override {
    int64_t count = 1;
    for (int64_t d : dims) count *= self_sizes[static_cast<size_t>(d)];
    return {div(expand_reduced_grad(grads[0], self_sizes, dims, keepdim),
                wrap_scalar(Scalar(count)))};
  }
  void visit_saved(SavedVisitor& v) const override {
    Node::visit_saved(v);
    v.visit("self_sym_numel", int_field(numel_of(self_sizes)));
  }
  Saved<Shape> self_sizes{this, "self_sym_sizes"};
  Saved<IntList> dims{this, "dim"};
  Saved<bool> keepdim{this, "keepdim"};
};

// p = 2: d(self) = grad * self / result;  p = 1: grad * sign(self);
// p = +-inf: grad * sign(self) spread evenly over the extreme |self|;
// p = 0: zero (a count of nonzeros);
// otherwise grad * self * |self|^(p-2) / result^(p-1). A zero norm gives a
// zero gradient (the minimum-norm subgradient).
Tensor norm_backward(const Tensor& grad, const Tensor& s, const Tensor& r,
                     double ord, const IntList& dims, bool keepdim) {
  const Shape& sizes = s.sizes();
  if (std::isinf(ord)) {
    return mul(evenly_distribute(grad, abs(s), r, dims, keepdim,
                                 /*nan_is_extreme=*/true),
               sign(s));
  }
  const Tensor g = expand_reduced_grad(grad, sizes, dims, keepdim);
  if (ord == 0.0) return mul(g, zeros({}, g.dtype()));
  if (ord == 1.0) return mul(g, sign(s));
  const Tensor rr = expand_reduced_grad(r, sizes, dims, keepdim);
  Tensor scale;
  if (ord == 2.0) {
    scale = div(s, rr);
  } else {
    scale =
        div(mul(s, pow(abs(s), Scalar(ord - 2.0))), pow(rr, Scalar(ord - 1.0)));
  }
  Tensor zero_norm;
  {
    NoGradGuard no_grad;
    zero_norm = eq(rr, wrap_scalar(Scalar(0.0)));
  }
  return mul(g, where(zero_norm, zeros({}, scale.dtype()), scale));
}

class LinalgVectorNormBackward0 final : public Node {
 public:
  AG_NODE(LinalgVectorNormBackward0);
  static constexpr bool kForwardRule = true;  // Note [Reduction forward rules]
  variable_list apply(variable_list&& grads) override {
    return {norm_backward(grads[0], self.unpack(),
                          result.unpack(shared_from_this()), ord, dims,
                          keepdim)};
  }
  SavedTensor self{this, "self"}, result{this, "result"};
  Saved<IntList> dims{this, "dim"};
  Saved<bool> keepdim{this, "keepdim", false};
  Saved<double> ord{this, "ord", 2.0};
};

}  // namespace

Tensor sum(const Tensor& self, std::optional<DType> dtype) {
  AG_CAPTURE_RETURN("sum", sum(in[0], dtype), self)
  const IntList dims = normalize_dims({}, self.dim());
  Tensor out = sum_data(self, dims, false, sum_dtype(self, dtype));
  if (auto fn = record<SumBackward0>(self)) {
    fn->self_sizes = self.sizes();
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] { return sum(forward_ad::tangent(self), dtype); });
  }
  return out;
}

Tensor sum(const Tensor& self, const IntList& dims_in, bool keepdim,
           std::optional<DType> dtype) {
  AG_CAPTURE_RETURN("sum", sum(in[0], dims_in, keepdim, dtype), self)
  const IntList dims = normalize_dims(dims_in, self.dim());
  Tensor out = sum_data(self, dims, keepdim, sum_dtype(self, dtype));
  if (auto fn = record<SumBackward1>(self)) {
    fn->self_sizes = self.sizes();
    fn->dims = dims;
    fn->keepdim = keepdim;
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] {
      return sum(forward_ad::tangent(self), dims, keepdim, dtype);
    });
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
  AG_CAPTURE_RETURN("mean", mean(in[0], dtype), self)
  const DType t = mean_dtype(self, dtype);
  Tensor out = mean_data(self, normalize_dims({}, self.dim()), false, t);
  if (auto fn = record<MeanBackward0>(self)) {
    fn->self_sizes = self.sizes();
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] { return mean(forward_ad::tangent(self), dtype); });
  }
  return out;
}

Tensor mean(const Tensor& self, const IntList& dims_in, bool keepdim,
            std::optional<DType> dtype) {
  AG_CAPTURE_RETURN("mean", mean(in[0], dims_in, keepdim, dtype), self)
  const DType t = mean_dtype(self, dtype);
  const IntList dims = normalize_dims(dims_in, self.dim());
  Tensor out = mean_data(self, dims, keepdim, t);
  if (auto fn = record<MeanBackward1>(self)) {
    fn->self_sizes = self.sizes();
    fn->dims = dims;
    fn->keepdim = keepdim;
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] {
      return mean(forward_ad::tangent(self), dims, keepdim, dtype);
    });
  }
  return out;
}

Tensor norm(const Tensor& self, double p, const IntList& dims_in,
            bool keepdim) {
  AG_CHECK(is_floating(self.dtype()),
           "linalg.vector_norm: Expected a floating point tensor as input. "
           "Got ",
           dtype_legacy_name(self.dtype()));
  AG_CHECK(!std::isnan(p), "linalg.vector_norm: ord must not be NaN");
  const IntList dims = normalize_dims(dims_in, self.dim());
  if (self.numel() == 0 && (p < 0 || p == HUGE_VAL)) {
    // A minimum, or the maximum, of no values: PyTorch's checks.
    AG_CHECK(!dims_in.empty(), "linalg.vector_norm cannot compute the ", p,
             " norm on an empty tensor because the operation does not have "
             "an identity");
    for (int64_t d : dims_in) {  // named as given, as PyTorch's message does
      AG_CHECK(self.size(d) != 0, "linalg.vector_norm cannot compute the ", p,
               " norm on the dimension ", d,
               "because this dimension is empty and the operation does not "
               "have an identity");
    }
  }
  Tensor out;
  {
    NoGradGuard no_grad;
    forward_ad::DisableGuard no_tangents;  // the op sets its own
    // The 2-norm of more than one value per result squares and adds in one
    // pass, without the absolute values (the common case: weight norms,
    // gradient clipping).
    const bool two_norm = p == 2.0 && reduced_count(self.sizes(), dims) > 1;
    const Tensor a = two_norm ? Tensor() : abs(self);
    if (two_norm) {
      out = reduce_data(kernels::ReduceOp::SumSquares, self, dims, keepdim,
                        self.dtype());
      kernels::unary(kernels::UnaryOp::Sqrt, out, out);
    } else if (std::isinf(p)) {
      out = reduce_data(p > 0 ? kernels::ReduceOp::Max : kernels::ReduceOp::Min,
                        a, dims, keepdim, self.dtype());
    } else if (p == 0.0) {
      out = sum_data(cast_data(ne(a, wrap_scalar(Scalar(0.0))), self.dtype()),
                     dims, keepdim, self.dtype());
    } else if (reduced_count(self.sizes(), dims) == 1) {
      // One value per result: its absolute value, exactly, as PyTorch
      // gives it (the p-th power would underflow or overflow first).
      out = sum_data(a, dims, keepdim, self.dtype());
    } else {
      const Tensor powered = p == 1.0 ? a : pow(a, Scalar(p));
      out = sum_data(powered, dims, keepdim, self.dtype());
      if (p != 1.0) out = pow(out, Scalar(1.0 / p));
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
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] {
      return reduction_tangent(
          forward_ad::tangent(self),
          norm_backward(ones_like_data(out), self, out, p, dims, keepdim), dims,
          keepdim);
    });
  }
  return out;
}

Tensor sum_to(const Tensor& self, const Shape& shape) {
  if (self.sizes() == shape) return self;
  const int64_t lead = self.dim() - static_cast<int64_t>(shape.size());
  IntList dims;
  bool inner = false;  // a dim of `shape` is reduced too
  for (int64_t d = 0; d < self.dim(); ++d) {
    if (d < lead) {
      dims.push_back(d);
    } else if (shape[static_cast<size_t>(d - lead)] == 1 &&
               self.sizes()[static_cast<size_t>(d)] != 1) {
      dims.push_back(d);
      inner = true;
    }
  }
  if (dims.empty()) return view(self, shape);
  // Leading dims alone (a bias's gradient in the engine): summing them away
  // gives `shape` without a view. Where a graph is recorded, the sum and
  // view PyTorch records.
  const bool keepdim = inner || GradMode::is_enabled();
  const Tensor out = sum(self, dims, keepdim);
  return out.sizes() == shape ? out : view(out, shape);
}

// ---- prod -----------------------------------------------------------------

namespace {

// d(self)_i = grad * prod_{j != i} self_j, computed without dividing by zero:
// with no zero among the reduced values it is result / self; at a lone zero
// it is the product of the others; with two or more zeros it is 0. A 0-d
// self passes the gradient unchanged, as in PyTorch's formula (so a NaN
// gets gradient 1).
Tensor prod_backward(const Tensor& grad, const Tensor& self,
                     const Tensor& result, const IntList& dims, bool keepdim) {
  if (self.dim() == 0) return grad;
  const Tensor g = expand_reduced_grad(grad, self.sizes(), dims, keepdim);
  const Tensor r = expand_reduced_grad(result, self.sizes(), dims, keepdim);
  Tensor zero_mask, lone_zero;
  bool any_zero = false;
  {
    NoGradGuard no_grad;
    zero_mask = eq(self, wrap_scalar(Scalar(0.0)));
    any_zero =
        reduce_data(kernels::ReduceOp::Any, zero_mask,
                    normalize_dims({}, zero_mask.dim()), false, DType::Bool)
            .item()
            .to<bool>();
    if (any_zero) {
      const Tensor count = expand_reduced_grad(
          sum(zero_mask, dims, /*keepdim=*/true), self.sizes(), dims, true);
      lone_zero = eq(count, wrap_scalar(Scalar(int64_t{1})));
    }
  }
  if (!any_zero) return mul(g, div(r, self));
  const Tensor one = ones({}, self.dtype());
  const Tensor safe = where(zero_mask, one, self);
  Tensor others_at_zero = prod(safe, dims, /*keepdim=*/true);
  others_at_zero = expand(others_at_zero, self.sizes());
  const Tensor at_zero =
      where(lone_zero, others_at_zero, zeros({}, self.dtype()));
  return mul(g, where(zero_mask, at_zero, div(r, safe)));
}

// See prod_backward.
class ProdBackward0 final : public Node {
 public:
  AG_NODE(ProdBackward0);
  static constexpr bool kForwardRule = true;  // Note [Reduction forward rules]
  variable_list apply(variable_list&& grads) override {
    const Tensor s = self.unpack();
    return {prod_backward(grads[0], s, result.unpack(shared_from_this()),
                          normalize_dims({}, s.dim()), false)};
  }
  SavedTensor self{this, "self"}, result{this, "result"};
};

// See prod_backward.
class ProdBackward1 final : public Node {
 public:
  AG_NODE(ProdBackward1);
  static constexpr bool kForwardRule = true;  // Note [Reduction forward rules]
  variable_list apply(variable_list&& grads) override {
    return {prod_backward(grads[0], self.unpack(),
                          result.unpack(shared_from_this()), {dim}, keepdim)};
  }
  SavedTensor self{this, "self"}, result{this, "result"};
  Saved<int64_t> dim{this, "dim", 0};
  Saved<bool> keepdim{this, "keepdim", false};
};

}  // namespace

Tensor prod(const Tensor& self, std::optional<DType> dtype) {
  const IntList dims = normalize_dims({}, self.dim());
  Tensor out = reduce_data(kernels::ReduceOp::Prod, self, dims, false,
                           sum_dtype(self, dtype));
  if (auto fn = record<ProdBackward0>(self)) {
    fn->self = SavedVariable(self, false);
    autograd::set_history(out, fn);
    fn->result = SavedVariable(out, true);
  }
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] {
      return reduction_tangent(
          forward_ad::tangent(self),
          prod_backward(ones_like_data(out), self, out, dims, false), dims,
          false);
    });
  }
  return out;
}

Tensor prod(const Tensor& self, const IntList& dims_in, bool keepdim,
            std::optional<DType> dtype) {
  const IntList dims = normalize_dims(dims_in, self.dim());
  Tensor out = reduce_data(kernels::ReduceOp::Prod, self, dims, keepdim,
                           sum_dtype(self, dtype));
  if (dims.size() > 1) {
    // Several dims: as a chain of single-dim products (PyTorch's prod takes
    // one dim; this serves the backward of a full product).
    Tensor r = self;
    for (size_t i = dims.size(); i-- > 0;)
      r = prod(r, {dims[i]}, keepdim, dtype);
    return r;
  }
  if (auto fn = record<ProdBackward1>(self)) {
    fn->self = SavedVariable(self, false);
    fn->dim = dims.empty() ? 0 : dims[0];
    fn->keepdim = keepdim;
    autograd::set_history(out, fn);
    fn->result = SavedVariable(out, true);
  }
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] {
      return reduction_tangent(
          forward_ad::tangent(self),
          prod_backward(ones_like_data(out), self, out, dims, keepdim), dims,
          keepdim);
    });
  }
  return out;
}

// ---- max / min / amax / amin / argmax / argmin ----------------------------

namespace {

// d(self) = grad spread evenly over the positions equal to the result
class ExtremumBackward final : public Node {
 public:
  ExtremumBackward(edge_list&& edges, const char* name, bool has_dims)
      : Node(std::move(edges)),
        dims(this, has_dims ? "dim" : nullptr),
        keepdim(this, has_dims ? "keepdim" : nullptr),
        name_(name),
        has_dims_(has_dims) {}
  static constexpr bool kForwardRule = true;  // Note [Reduction forward rules]
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& grads) override {
    const Tensor s = self.unpack();
    const IntList d = has_dims_ ? dims : normalize_dims({}, s.dim());
    return {evenly_distribute(grads[0], s, result.unpack(shared_from_this()), d,
                              has_dims_ && keepdim,
                              /*nan_is_extreme=*/!has_dims_)};
  }
  SavedTensor self{this, "self"}, result{this, "result"};
  Saved<IntList> dims;  // only for the overloads taking dims
  Saved<bool> keepdim;

 private:
  const char* name_;
  bool has_dims_;
};

// d(self) = grad at the returned index along dim, zeros elsewhere
class IndexedExtremumBackward final : public Node {
 public:
  IndexedExtremumBackward(edge_list&& edges, const char* name)
      : Node(std::move(edges)), name_(name) {}
  // tangent = self_t gathered at the returned indices
  static constexpr bool kForwardRule = true;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& grads) override {
    const Tensor g = expand_reduced_grad(grads[0], self_sizes, {dim}, keepdim);
    Tensor mask;
    {
      NoGradGuard no_grad;
      const int64_t size = self_sizes[static_cast<size_t>(dim)];
      Shape positions_shape(self_sizes.size(), 1);
      positions_shape[static_cast<size_t>(dim)] = size;
      const Tensor positions = reshape(arange(Scalar(int64_t{0}), Scalar(size),
                                              Scalar(int64_t{1}), DType::Int64),
                                       positions_shape);
      const Tensor chosen = keepdim ? indices : unsqueeze(indices, dim);
      mask = cast_data(eq(positions, chosen), g.dtype());
    }
    return {mul(g, mask)};
  }
  Saved<Shape> self_sizes{this, "self_sym_sizes"};
  Saved<Tensor> indices{this, "indices"};  // the op's own integer output
  Saved<int64_t> dim{this, "dim"};
  Saved<bool> keepdim{this, "keepdim"};

 private:
  const char* name_;
};

Tensor full_extremum(const Tensor& self, bool is_max) {
  const char* op = is_max ? "max" : "min";
  AG_CHECK(self.numel() > 0, op,
           "(): Expected reduction dim to be specified for input.numel() == "
           "0. Specify the reduction dim with the 'dim' argument.");
  const IntList dims = normalize_dims({}, self.dim());
  Tensor out =
      reduce_data(is_max ? kernels::ReduceOp::Max : kernels::ReduceOp::Min,
                  self, dims, false, self.dtype());
  if (should_record_as<ExtremumBackward>(
          is_max ? "MaxBackward1" : "MinBackward1", self)) {
    auto fn = make_node<ExtremumBackward>(
        autograd::collect_next_edges(self),
        is_max ? "MaxBackward1" : "MinBackward1", false);
    fn->self = SavedVariable(self, false);
    autograd::set_history(out, fn);
    fn->result = SavedVariable(out, true);
  }
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] {
      return reduction_tangent(
          forward_ad::tangent(self),
          evenly_distribute(ones_like_data(out), self, out, dims, false), dims,
          false);
    });
  }
  return out;
}

std::pair<Tensor, Tensor> extremum_with_indices(const Tensor& self,
                                                int64_t dim_in, bool keepdim,
                                                bool is_max) {
  const char* op = is_max ? "max" : "min";
  const int64_t dim = wrap_dim(dim_in, self.dim());
  const int64_t size = self.dim() == 0 ? 1 : self.size(dim);
  AG_INDEX_CHECK(size > 0, op, "(): Expected reduction dim ", dim,
                 " to have non-zero size.");
  const Tensor src = contiguous_data(self);
  Shape out_shape = reduced_shape(self.sizes(), {dim}, false);
  if (self.dim() == 0) out_shape = {};
  Tensor values = empty_tensor(out_shape, self.dtype());
  Tensor indices = empty_tensor(out_shape, DType::Int64);
  if (values.numel() > 0) {
    kernels::arg_extremum(is_max, src, self.dim() == 0 ? 0 : dim, values,
                          indices);
  }
  if (keepdim && self.dim() > 0) {
    const Shape kept = kept_shape(self.sizes(), {dim});
    values.impl()->set_sizes_and_strides(kept, contiguous_strides(kept), 0);
    indices.impl()->set_sizes_and_strides(kept, contiguous_strides(kept), 0);
  }
  if (should_record_as<IndexedExtremumBackward>(
          is_max ? "MaxBackward0" : "MinBackward0", self)) {
    auto fn = make_node<IndexedExtremumBackward>(
        autograd::collect_next_edges(self),
        is_max ? "MaxBackward0" : "MinBackward0");
    fn->self_sizes = self.sizes();
    fn->indices = indices;
    fn->dim = self.dim() == 0 ? 0 : dim;
    fn->keepdim = keepdim || self.dim() == 0;
    autograd::set_history(values, fn);
  }
  if (forward_ad::any_dual(self)) {
    set_tangent(values, [&] {
      const Tensor t = forward_ad::tangent(self);
      if (self.dim() == 0) return t;
      const Tensor picked =
          gather(t, dim, keepdim ? indices : unsqueeze(indices, dim));
      return keepdim ? picked : squeeze(picked, IntList{dim});
    });
  }
  return {values, indices};
}

Tensor dims_extremum(const Tensor& self, const IntList& dims_in, bool keepdim,
                     bool is_max) {
  const IntList dims = normalize_dims(dims_in, self.dim());
  AG_CHECK(self.numel() > 0 || !dims_in.empty(), is_max ? "amax" : "amin",
           "(): Expected reduction dim to be specified for input.numel() == "
           "0. Specify the reduction dim with the 'dim' argument.");
  for (int64_t d : dims) {
    AG_INDEX_CHECK(self.sizes()[static_cast<size_t>(d)] > 0,
                   is_max ? "amax" : "amin", "(): Expected reduction dim ", d,
                   " to have non-zero size.");
  }
  Tensor out =
      reduce_data(is_max ? kernels::ReduceOp::Max : kernels::ReduceOp::Min,
                  self, dims, keepdim, self.dtype());
  if (should_record_as<ExtremumBackward>(
          is_max ? "AmaxBackward0" : "AminBackward0", self)) {
    auto fn = make_node<ExtremumBackward>(
        autograd::collect_next_edges(self),
        is_max ? "AmaxBackward0" : "AminBackward0", true);
    fn->self = SavedVariable(self, false);
    fn->dims = dims;
    fn->keepdim = keepdim;
    autograd::set_history(out, fn);
    fn->result = SavedVariable(out, true);
  }
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] {
      return reduction_tangent(
          forward_ad::tangent(self),
          evenly_distribute(ones_like_data(out), self, out, dims, keepdim),
          dims, keepdim);
    });
  }
  return out;
}

Tensor arg_index(const Tensor& self, std::optional<int64_t> dim, bool keepdim,
                 bool is_max) {
  const char* op = is_max ? "argmax" : "argmin";
  AG_CHECK(self.dtype() != DType::Bool, op, "(): does not support bool input");
  if (!dim) {
    AG_INDEX_CHECK(self.numel() > 0, op,
                   "(): Expected reduction dim to be specified for "
                   "input.numel() == 0.");
    const Tensor flat = reshape(contiguous_data(self), {self.numel()});
    Tensor idx =
        extremum_with_indices(autograd::detach(flat), 0, false, is_max).second;
    if (keepdim) {
      const Shape ones_shape(self.sizes().size(), 1);
      idx.impl()->set_sizes_and_strides(ones_shape,
                                        contiguous_strides(ones_shape), 0);
    }
    return idx;
  }
  return extremum_with_indices(autograd::detach(self), *dim, keepdim, is_max)
      .second;
}

}  // namespace

Tensor max(const Tensor& self) {
  return full_extremum(self, true);
}
Tensor min(const Tensor& self) {
  return full_extremum(self, false);
}
std::pair<Tensor, Tensor> max(const Tensor& self, int64_t dim, bool keepdim) {
  return extremum_with_indices(self, dim, keepdim, true);
}
std::pair<Tensor, Tensor> min(const Tensor& self, int64_t dim, bool keepdim) {
  return extremum_with_indices(self, dim, keepdim, false);
}
Tensor amax(const Tensor& self, const IntList& dims, bool keepdim) {
  return dims_extremum(self, dims, keepdim, true);
}
Tensor amin(const Tensor& self, const IntList& dims, bool keepdim) {
  return dims_extremum(self, dims, keepdim, false);
}
Tensor argmax(const Tensor& self, std::optional<int64_t> dim, bool keepdim) {
  return arg_index(self, dim, keepdim, true);
}
Tensor argmin(const Tensor& self, std::optional<int64_t> dim, bool keepdim) {
  return arg_index(self, dim, keepdim, false);
}

// ---- var / std -------------------------------------------------------------

namespace {

// d(self) = grad * 2 (self - mean) / (N - correction)
Tensor var_backward(const Tensor& grad, const Tensor& self, const IntList& dims,
                    double correction, bool keepdim) {
  const Tensor g = expand_reduced_grad(grad, self.sizes(), dims, keepdim);
  const double n =
      static_cast<double>(reduced_count(self.sizes(), dims)) - correction;
  const Tensor centered = sub(self, mean(self, dims, /*keepdim=*/true));
  return mul(g, mul(centered, wrap_scalar(Scalar(2.0 / n))));
}

class VarBackward0 final : public Node {
 public:
  AG_NODE(VarBackward0);
  static constexpr bool kForwardRule = true;  // Note [Reduction forward rules]
  variable_list apply(variable_list&& grads) override {
    return {var_backward(grads[0], self.unpack(), dims, correction, keepdim)};
  }
  SavedTensor self{this, "self"};
  Saved<IntList> dims{this, "dim"};
  Saved<double> correction{this, "correction", 1.0};
  Saved<bool> keepdim{this, "keepdim", false};
};

// d(self) = var_backward(grad / (2 std)), zero where std == 0
class StdBackward0 final : public Node {
 public:
  AG_NODE(StdBackward0);
  static constexpr bool kForwardRule = true;  // Note [Reduction forward rules]
  variable_list apply(variable_list&& grads) override {
    const Tensor r = result.unpack(shared_from_this());
    Tensor zero_std;
    {
      NoGradGuard no_grad;
      zero_std = eq(r, wrap_scalar(Scalar(0.0)));
    }
    const Tensor scaled =
        where(zero_std, zeros({}, r.dtype()),
              div(grads[0], mul(r, wrap_scalar(Scalar(2.0)))));
    return {var_backward(scaled, self.unpack(), dims, correction, keepdim)};
  }
  SavedTensor self{this, "self"}, result{this, "result"};
  Saved<IntList> dims{this, "dim"};
  Saved<double> correction{this, "correction", 1.0};
  Saved<bool> keepdim{this, "keepdim", false};
};

Tensor var_data(const Tensor& self, const IntList& dims, double correction,
                bool keepdim) {
  NoGradGuard no_grad;
  forward_ad::DisableGuard no_tangents;  // the op sets its own
  // Shifted by the first element of each reduced slice before centring: a
  // constant slice becomes exact zeros, so its variance is exactly 0 (the
  // rounded mean of large equal values would leave ulp-sized residues).
  Tensor shift = self;
  for (int64_t d : dims) {
    if (shift.size(d) > 0) shift = narrow(shift, d, 0, 1);
  }
  const Tensor shifted = self.numel() > 0 ? sub(self, shift) : self;
  const Tensor centered = sub(shifted, mean(shifted, dims, /*keepdim=*/true));
  Tensor total = sum(mul(centered, centered), dims, keepdim);
  const double n =
      static_cast<double>(reduced_count(self.sizes(), dims)) - correction;
  // n <= 0 gives inf or nan, as in PyTorch.
  return div(total, scalar_tensor(Scalar(std::max(n, 0.0)), self.dtype()));
}

template <typename NodeT>
Tensor var_like(const Tensor& self, const IntList& dims_in, double correction,
                bool keepdim, bool take_sqrt) {
  AG_CHECK(is_floating(self.dtype()),
           "std and var only support floating point and complex dtypes");
  const IntList dims = normalize_dims(dims_in, self.dim());
  Tensor out = var_data(self, dims, correction, keepdim);
  if (take_sqrt) kernels::unary(kernels::UnaryOp::Sqrt, out, out);
  if (auto fn = record<NodeT>(self)) {
    fn->self = SavedVariable(self, false);
    fn->dims = dims;
    fn->correction = correction;
    fn->keepdim = keepdim;
    autograd::set_history(out, fn);
    if constexpr (std::is_same_v<NodeT, StdBackward0>) {
      fn->result = SavedVariable(out, true);
    }
  }
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] {
      // d std = d var / (2 std), zero where std == 0 (as the backward)
      Tensor g = ones_like_data(out);
      if (take_sqrt) {
        Tensor zero_std;
        {
          NoGradGuard no_grad;
          zero_std = eq(out, wrap_scalar(Scalar(0.0)));
        }
        g = where(zero_std, zeros({}, out.dtype()),
                  div(g, mul(out, wrap_scalar(Scalar(2.0)))));
      }
      return reduction_tangent(forward_ad::tangent(self),
                               var_backward(g, self, dims, correction, keepdim),
                               dims, keepdim);
    });
  }
  return out;
}

}  // namespace

Tensor var(const Tensor& self, const IntList& dims, double correction,
           bool keepdim) {
  AG_CAPTURE_RETURN("var", var(in[0], dims, correction, keepdim), self)
  return var_like<VarBackward0>(self, dims, correction, keepdim, false);
}

Tensor std(const Tensor& self, const IntList& dims, double correction,
           bool keepdim) {
  AG_CAPTURE_RETURN("std", std(in[0], dims, correction, keepdim), self)
  return var_like<StdBackward0>(self, dims, correction, keepdim, true);
}

// ---- logsumexp
// ---------------------------------------------------------------

namespace {
// d(self) = grad * exp(self - result)
class LogsumexpBackward0 final : public Node {
 public:
  AG_NODE(LogsumexpBackward0);
  static constexpr bool kForwardRule = true;  // Note [Reduction forward rules]
  variable_list apply(variable_list&& grads) override {
    const Tensor s = self.unpack();
    const Tensor g = expand_reduced_grad(grads[0], s.sizes(), dims, keepdim);
    const Tensor r = expand_reduced_grad(result.unpack(shared_from_this()),
                                         s.sizes(), dims, keepdim);
    return {mul(g, exp(sub(s, r)))};
  }
  SavedTensor self{this, "self"}, result{this, "result"};
  Saved<IntList> dims{this, "dim"};
  Saved<bool> keepdim{this, "keepdim", false};
};
}  // namespace

// log(sum(exp(x - m))) + m with m the max, so large inputs do not overflow;
// an infinite max is left out of the shift (it would make inf - inf).
Tensor logsumexp(const Tensor& self_in, const IntList& dims_in, bool keepdim) {
  const Tensor self =
      is_floating(self_in.dtype()) ? self_in : to(self_in, default_dtype());
  const IntList dims = normalize_dims(dims_in, self.dim());
  Tensor out;
  {
    NoGradGuard no_grad;
    forward_ad::DisableGuard no_tangents;  // the op sets its own
    if (self.numel() == 0) {
      out = log(sum_data(self, dims, keepdim, self.dtype()));
    } else {
      Tensor m =
          reduce_data(kernels::ReduceOp::Max, self, dims, true, self.dtype());
      const Tensor finite = cast_data(
          eq(abs(m), scalar_tensor(Scalar(INFINITY), m.dtype())), DType::Bool);
      m = where(finite, zeros({}, m.dtype()), m);
      Tensor total = add(log(sum(exp(sub(self, m)), dims, true)), m);
      out = keepdim ? total
                    : reshape(total, reduced_shape(self.sizes(), dims, false));
    }
  }
  if (auto fn = record<LogsumexpBackward0>(self)) {
    fn->self = SavedVariable(self, false);
    fn->dims = dims;
    fn->keepdim = keepdim;
    autograd::set_history(out, fn);
    fn->result = SavedVariable(out, true);
  }
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] {
      const Tensor r = expand_reduced_grad(out, self.sizes(), dims, keepdim);
      return reduction_tangent(forward_ad::tangent(self), exp(sub(self, r)),
                               dims, keepdim);
    });
  }
  return out;
}

// ---- cumsum
// --------------------------------------------------------------------

namespace {

Tensor cumsum_impl(const Tensor& self, int64_t dim, bool reverse,
                   std::optional<DType> dtype);

// The adjoint of a cumulative sum is the same sum run from the other end.
class CumsumBackward final : public Node {
 public:
  CumsumBackward(edge_list&& edges, bool reverse)
      : Node(std::move(edges)), reverse_(reverse) {}
  static constexpr bool kForwardRule = true;  // tangent = cumsum(self_t)
  std::string name() const override {
    return reverse_ ? "ReverseCumsumBackward0" : "CumsumBackward0";
  }
  variable_list apply(variable_list&& grads) override {
    return {cumsum_impl(grads[0], dim, !reverse_, std::nullopt)};
  }
  Saved<int64_t> dim{this, "dim", 0};

 private:
  bool reverse_;
};

Tensor cumsum_impl(const Tensor& self, int64_t dim_in, bool reverse,
                   std::optional<DType> dtype) {
  const int64_t dim = wrap_dim(dim_in, self.dim());
  const Tensor src = contiguous_data(cast_data(self, sum_dtype(self, dtype)));
  Tensor out = empty_tensor(src.sizes(), src.dtype());
  if (out.numel() > 0) {
    kernels::cumsum(src, self.dim() == 0 ? 0 : dim, reverse, out);
  }
  if (is_floating(out.dtype()) &&
      should_record_as<CumsumBackward>("CumsumBackward0", self)) {
    auto fn =
        make_node<CumsumBackward>(autograd::collect_next_edges(self), reverse);
    fn->dim = dim;
    autograd::set_history(out, fn);
  }
  if (is_floating(out.dtype()) && forward_ad::any_dual(self)) {
    set_tangent(out, [&] {
      return cumsum_impl(forward_ad::tangent(self), dim, reverse, dtype);
    });
  }
  return out;
}

}  // namespace

Tensor cumsum(const Tensor& self, int64_t dim, std::optional<DType> dtype) {
  AG_CAPTURE_RETURN("cumsum", cumsum(in[0], dim, dtype), self)
  return cumsum_impl(self, dim, false, dtype);
}

// ---- all / any
// -----------------------------------------------------------------

Tensor all(const Tensor& self) {
  return reduce_data(kernels::ReduceOp::All, self,
                     normalize_dims({}, self.dim()), false, self.dtype());
}
namespace {
// all and any take an explicit empty list of dims as no dim (each element
// tested alone), as PyTorch does; the other reductions take it as every dim.
IntList logical_dims(const IntList& dims, int64_t ndim) {
  return dims.empty() ? IntList{} : normalize_dims(dims, ndim);
}
}  // namespace

Tensor all(const Tensor& self, const IntList& dims, bool keepdim) {
  return reduce_data(kernels::ReduceOp::All, self,
                     logical_dims(dims, self.dim()), keepdim, self.dtype());
}
Tensor any(const Tensor& self) {
  return reduce_data(kernels::ReduceOp::Any, self,
                     normalize_dims({}, self.dim()), false, self.dtype());
}
Tensor any(const Tensor& self, const IntList& dims, bool keepdim) {
  return reduce_data(kernels::ReduceOp::Any, self,
                     logical_dims(dims, self.dim()), keepdim, self.dtype());
}

}  // namespace ag::ops
