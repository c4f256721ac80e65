#include "ops/op_utils.h"

#include <cmath>
#include <limits>
#include "kernels/fused.h"

namespace ag::ops {

std::vector<double> values_of(const Tensor& t) {
  const Tensor d = contiguous_data(cast_data(t, DType::Float64));
  const auto* p = static_cast<const double*>(d.raw_data());
  return std::vector<double>(p, p + d.numel());
}

namespace {

// The tangent of tanh's and sigmoid's backward g * f'(y) (y the saved
// result) with a dual g or y: the same backward of g's tangent, plus
// g * f''(y) * (y's tangent), with f'(y) = 1 - y^2 and f''(y) = -2y for
// tanh, y(1 - y) and 1 - 2y for sigmoid. Called with forward AD paused.
Tensor result_saved_backward_tangent(kernels::UnaryOp op, const Tensor& g,
                                     const Tensor& y) {
  const bool tanh = op == kernels::UnaryOp::Tanh;
  Tensor first;
  if (const Tensor gt = forward_ad::tangent(g); gt.defined()) {
    // g's tangent has g's shape and dtype, which fused_backward checked
    // against y's.
    first = empty_tensor(y.sizes(), y.dtype());
    kernels::unary_backward(op, gt, y, first);
  }
  Tensor second;
  if (const Tensor yt = forward_ad::tangent(y); yt.defined()) {
    second = tanh ? mul(mul(g, y), mul(yt, wrap_scalar(Scalar(-2.0))))
                  : mul(mul(g, rsub(y, Scalar(1.0), Scalar(2.0))), yt);
  }
  return add_tangents(first, second);
}

}  // namespace

Tensor fused_backward(kernels::UnaryOp op, const Tensor& grad,
                      const Tensor& x) {
  if (GradMode::is_enabled() || grad.dtype() != x.dtype() ||
      grad.sizes() != x.sizes()) {
    return Tensor();
  }
  // A dual grad or saved result (forward over reverse): the kernel would
  // drop their tangents, so the composed ops run instead, except for tanh
  // and sigmoid, whose tangent has a short closed form.
  const bool dual = forward_ad::any_dual(grad, x);
  if (dual && op != kernels::UnaryOp::Tanh && op != kernels::UnaryOp::Sigmoid) {
    return Tensor();
  }
  Tensor out = empty_tensor(x.sizes(), x.dtype());
  kernels::unary_backward(op, grad, x, out);
  if (dual) {
    set_tangent(out,
                [&] { return result_saved_backward_tangent(op, grad, x); });
  }
  return out;
}

Tensor cast_data(const Tensor& t, DType dtype) {
  if (t.dtype() == dtype) return t;
  if (t.dim() == 0) {
    // Python numbers in arithmetic land here on every op: skip the copy
    // kernel's setup for a single element.
    Tensor out = scalar_tensor(t.item(), dtype);
    out.impl()->set_wrapped_number(t.impl()->is_wrapped_number());
    return out;
  }
  Tensor out = empty_tensor(t.sizes(), dtype);
  kernels::copy(t, out);
  if (t.impl()->is_wrapped_number()) out.impl()->set_wrapped_number(true);
  return out;
}

Tensor clone_data(const Tensor& t) {
  Tensor out = empty_tensor(t.sizes(), t.dtype());
  kernels::copy(t, out);
  return out;
}

void check_no_internal_overlap(const Tensor& self) {
  if (self.numel() == 0) return;  // nothing is written, as PyTorch sees it
  for (int64_t d = 0; d < self.dim(); ++d) {
    AG_CHECK(!(self.strides()[static_cast<size_t>(d)] == 0 &&
               self.sizes()[static_cast<size_t>(d)] > 1),
             "unsupported operation: more than one element of the written-to "
             "tensor refers to a single memory location. Please clone() the "
             "tensor before performing the operation.");
  }
}

void check_fill_value_fits(const Scalar& value, DType dtype) {
  if (dtype == DType::Bool || dtype == DType::Float64 || value.is_bool()) {
    return;
  }
  const char* type_name = "float";
  double lowest = std::numeric_limits<float>::lowest();
  double highest = std::numeric_limits<float>::max();
  if (dtype == DType::Int32 || dtype == DType::Int64) {
    type_name = dtype == DType::Int32 ? "int" : "int64_t";
    if (!value.is_floating()) {
      // An integer fits an int64_t; only a narrower int can overflow.
      const auto v = value.to<int64_t>();
      AG_CHECK(
          dtype == DType::Int64 || (v >= std::numeric_limits<int32_t>::min() &&
                                    v <= std::numeric_limits<int32_t>::max()),
          "value cannot be converted to type ", type_name, " without overflow");
      return;
    }
    lowest =
        dtype == DType::Int32 ? std::numeric_limits<int32_t>::min() : -0x1p63;
    highest =
        dtype == DType::Int32 ? std::numeric_limits<int32_t>::max() : 0x1p63;
  } else if (!value.is_floating()) {
    return;  // every int64 is within float's range
  }
  const double v = value.to<double>();
  // Compared as PyTorch compares, in double: 2^63 itself passes for int64_t.
  const bool fits =
      std::isfinite(v) ? v >= lowest && v <= highest : dtype == DType::Float32;
  AG_CHECK(fits, "value cannot be converted to type ", type_name,
           " without overflow");
}

void check_inplace_dtype(const Tensor& self, DType result,
                         const char* (*self_name)(DType)) {
  AG_CHECK(promote_types(self.dtype(), result) == self.dtype() ||
               (is_floating(self.dtype()) && is_floating(result)),
           "result type ", dtype_legacy_name(result),
           " can't be cast to the desired output type ",
           self_name(self.dtype()));
}

Tensor& apply_inplace(Tensor& self, const char* name, const TensorList& others,
                      const std::function<Tensor(const Tensor&)>& op) {
  autograd::check_inplace(self);
  check_no_internal_overlap(self);
  bool recording = GradMode::is_enabled() && autograd::requires_grad(self);
  for (const Tensor& t : others) {
    recording = recording || (GradMode::is_enabled() && t.defined() &&
                              autograd::requires_grad(t));
  }
  Tensor input = self;
  if (recording) {
    // clone keeps self's history and tangent; clone_data neither.
    input = autograd::requires_grad(self) || forward_ad::any_dual(self)
                ? clone(self)
                : clone_data(self);
  }
  const Tensor result = op(input);
  // Shapes before dtypes, as PyTorch checks them.
  AG_CHECK(result.sizes() == self.sizes(), "output with shape ",
           shape_str(self.sizes()), " doesn't match the broadcast shape ",
           shape_str(result.sizes()));
  check_inplace_dtype(self, result.dtype());
  const std::shared_ptr<Node> fn =
      recording ? autograd::grad_fn(result) : nullptr;
  AutogradMeta* m = autograd::meta(self);
  // Forward AD: self takes over result's tangent (through a view, into its
  // base's: write_tangent).
  const Tensor result_tangent = forward_ad::tangent(result);
  if (!result_tangent.defined() && forward_ad::any_dual(self)) {
    forward_ad::raise_no_rule(name);
  }
  if (fn && m && m->is_view) {
    // Written as a copy of result, so result keeps fn as its own history;
    // copy_ writes the tangent too.
    copy_(self, result);
    return self;
  }
  kernels::copy(result, self);
  self.impl()->bump_version(name);
  if (fn) {
    // fn already describes result's slot; self takes it over.
    AutogradMeta& meta = autograd::materialize_meta(self);
    meta.grad_fn = fn;
    meta.output_nr = autograd::output_nr(result);
  }
  if (result_tangent.defined()) {
    const Tensor old_tangent = forward_ad::tangent(self);
    // Only a tangent laid out as self is written (an expanded one reads
    // another tensor's tangent).
    if (!GradMode::is_enabled() && old_tangent.defined() &&
        old_tangent.sizes() == self.sizes() &&
        old_tangent.strides() == self.strides() &&
        old_tangent.dtype() == result_tangent.dtype()) {
      // Under no_grad the tangent is updated in place, as PyTorch does: it
      // keeps its own history, so reverse over forward sees the write as
      // the primal's gradient does (not at all).
      forward_ad::DisableGuard paused;
      kernels::copy(result_tangent, old_tangent);
      old_tangent.impl()->bump_version(name);
    } else {
      write_tangent(self, result_tangent);
    }
  }
  return self;
}

void write_tangent(const Tensor& self, const Tensor& tangent) {
  const AutogradMeta* m = autograd::meta(self);
  if (!m || !m->is_view) {
    forward_ad::set_tangent(self, tangent);
    return;
  }
  forward_ad::DisableGuard paused;
  const Tensor old = forward_ad::tangent(self);
  if (old.defined() && old.sizes() == self.sizes() &&
      old.strides() == self.strides() &&
      old.impl()->storage_offset() == self.impl()->storage_offset() &&
      old.dtype() == tangent.dtype()) {
    // The view's tangent is the same view of its base's tangent (laid out
    // as the primal): written in place, the base's tangent and its other
    // views see the write, as in PyTorch (which also writes a tangent
    // given to make_dual).
    Tensor slot = old;
    copy_(slot, tangent);
    return;
  }
  const Tensor& base = m->base;
  Tensor base_t = forward_ad::tangent(base);
  const bool laid_out_as_base =
      base_t.defined() && base_t.strides() == base.strides() &&
      base_t.impl()->storage_offset() == base.impl()->storage_offset();
  if (!laid_out_as_base) {
    // A buffer laid out as the base, so the view's strides address it.
    AG_CHECK_AS(NotImplementedError,
                base.is_contiguous() && base.impl()->storage_offset() == 0,
                "Trying to use forward AD with an in-place write into a view "
                "of a non-contiguous tensor that does not support it because "
                "it has not been implemented yet.");
    Tensor fresh = empty_tensor(base.sizes(), base.dtype());
    if (base_t.defined()) {
      kernels::copy(base_t, fresh);
    } else {
      kernels::fill(fresh, Scalar(0.0));
    }
    base_t = fresh;
    forward_ad::set_tangent(base, base_t);
  }
  Tensor slot = as_strided(base_t, self.sizes(), self.strides(),
                           self.impl()->storage_offset());
  copy_(slot, tangent);
  forward_ad::set_tangent(self, slot);
}

Tensor tangent_or_zeros(const Tensor& t) {
  Tensor tan = forward_ad::tangent(t);
  return tan.defined() ? tan : zeros(t.sizes(), t.dtype());
}

Tensor add_tangents(const Tensor& a, const Tensor& b) {
  if (!a.defined()) return b;
  if (!b.defined()) return a;
  return add(a, b);
}

}  // namespace ag::ops
