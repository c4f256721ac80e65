// Elementwise arithmetic: add, sub, rsub, mul, div, neg, pow, where, and the
// in-place forms. Gradients come out in the broadcast shape; the engine sums
// them down to each input's shape.

#include "compile/capture.h"
#include "ops/op_utils.h"

namespace ag::ops {

namespace {

using kernels::BinaryOp;

// PyTorch's checks of add's and sub's alpha against the result's dtype (a
// default alpha of 1 passes every dtype).
void check_alpha(DType result, const Scalar& alpha) {
  AG_CHECK(!alpha.is_bool() || result == DType::Bool,
           "Boolean alpha only supported for Boolean results.");
  AG_CHECK(is_floating(result) || alpha.is_integral(),
           "For integral input tensors, argument alpha must not be a floating "
           "point number.");
}

// Shapes are checked before alpha, as PyTorch does.
Tensor binary_out(BinaryOp op, const Tensor& a, const Tensor& b, DType compute,
                  const Scalar& alpha = Scalar(int64_t{1})) {
  const Shape shape = a.sizes() == b.sizes()
                          ? a.sizes()
                          : broadcast_shapes(a.sizes(), b.sizes());
  check_alpha(compute, alpha);
  Tensor out = empty_tensor(shape, compute);
  kernels::binary(op, cast_data(a, compute), cast_data(b, compute), out, alpha);
  return out;
}

// Writes op(self, other) into self after PyTorch's checks, in its order:
// overlapping elements of self, shapes, dtypes, then alpha.
void binary_inplace(BinaryOp op, Tensor& self, const Tensor& other,
                    DType result, const char* name,
                    const Scalar& alpha = Scalar(int64_t{1})) {
  check_no_internal_overlap(self);
  const Shape shape = broadcast_shapes(self.sizes(), other.sizes());
  AG_CHECK(shape == self.sizes(), "output with shape ", shape_str(self.sizes()),
           " doesn't match the broadcast shape ", shape_str(shape));
  check_inplace_dtype(self, result);
  check_alpha(result, alpha);
  kernels::binary(op, self, cast_data(other, self.dtype()), self, alpha);
  self.impl()->bump_version(name);
}

// PyTorch refuses a bool operand of either side (a Python bool included).
void check_not_bool_sub(const Tensor& a, const Tensor& b) {
  AG_CHECK(!(a.dtype() == DType::Bool && b.dtype() == DType::Bool),
           "Subtraction, the `-` operator, with two bool tensors is not "
           "supported. Use the `^` or `logical_xor()` operator instead.");
  AG_CHECK(a.dtype() != DType::Bool && b.dtype() != DType::Bool,
           "Subtraction, the `-` operator, with a bool tensor is not "
           "supported. If you are trying to invert a mask, use the `~` or "
           "`logical_not()` operator instead.");
}

DType true_div_type(const Tensor& a, const Tensor& b) {
  const DType t = result_type(a, b);
  return is_floating(t) ? t : default_dtype();
}

// t * factor (t itself when factor is 1; undefined stays undefined).
Tensor scaled(const Tensor& t, double factor) {
  if (!t.defined() || factor == 1.0) return t;
  if (factor == -1.0) return neg(t);
  return mul(t, wrap_scalar(Scalar(factor)));
}

// d(self) = grad ; d(other) = grad * alpha
class AddBackward0 final : public Node {
 public:
  AG_NODE(AddBackward0);
  static constexpr bool kForwardRule =
      true;  // tangent = self_t + alpha * other_t
  variable_list apply(variable_list&& grads) override {
    variable_list out(2);
    if (should_compute_output(0)) out[0] = grads[0];
    if (should_compute_output(1)) {
      out[1] = alpha.to<double>() == 1.0 ? grads[0]
                                         : mul(grads[0], wrap_scalar(alpha));
    }
    return out;
  }
  Saved<Scalar> alpha{this, "alpha"};
};

// d(self) = grad ; d(other) = -grad * alpha
class SubBackward0 final : public Node {
 public:
  AG_NODE(SubBackward0);
  static constexpr bool kForwardRule =
      true;  // tangent = self_t - alpha * other_t
  variable_list apply(variable_list&& grads) override {
    variable_list out(2);
    if (should_compute_output(0)) out[0] = grads[0];
    if (should_compute_output(1)) {
      out[1] = alpha.to<double>() == 1.0
                   ? neg(grads[0])
                   : mul(grads[0], wrap_scalar(Scalar(-alpha.to<double>())));
    }
    return out;
  }
  Saved<Scalar> alpha{this, "alpha"};
};

// d(self) = -grad * alpha
class RsubBackward1 final : public Node {
 public:
  AG_NODE(RsubBackward1);
  static constexpr bool kForwardRule = true;  // tangent = -alpha * self_t
  variable_list apply(variable_list&& grads) override {
    return {mul(grads[0], wrap_scalar(Scalar(-alpha.to<double>())))};
  }
  Saved<Scalar> alpha{this, "alpha"};
};

// d(self) = grad * other ; d(other) = grad * self
class MulBackward0 final : public Node {
 public:
  AG_NODE(MulBackward0);
  static constexpr bool kForwardRule =
      true;  // tangent = self_t * other + self * other_t
  variable_list apply(variable_list&& grads) override {
    variable_list out(2);
    if (should_compute_output(0)) out[0] = mul(grads[0], other.unpack());
    if (should_compute_output(1)) out[1] = mul(grads[0], self.unpack());
    return out;
  }
  SavedTensor self{this, "self"}, other{this, "other"};
};

// d(self) = grad / other ; d(other) = -grad * self / other^2
class DivBackward0 final : public Node {
 public:
  AG_NODE(DivBackward0);
  static constexpr bool kForwardRule =
      true;  // tangent = (self_t - result * other_t) / other
  variable_list apply(variable_list&& grads) override {
    variable_list out(2);
    const Tensor o = other.unpack();
    if (should_compute_output(0)) out[0] = div(grads[0], o);
    if (should_compute_output(1)) {
      out[1] = neg(div(mul(grads[0], self.unpack()), mul(o, o)));
    }
    return out;
  }
  SavedTensor self{this, "self"}, other{this, "other"};
};

// d(self) = -grad
class NegBackward0 final : public Node {
 public:
  AG_NODE(NegBackward0);
  static constexpr bool kForwardRule = true;  // tangent = -self_t
  variable_list apply(variable_list&& grads) override {
    return {neg(grads[0])};
  }
};

// grad * exponent * self^(exponent - 1)   (0 when exponent == 0)
Tensor pow_scalar_grad(const Tensor& grad, const Tensor& s,
                       const Scalar& exponent) {
  if (exponent.to<double>() == 0.0) return zeros(s.sizes(), s.dtype());
  const double e = exponent.to<double>();
  const Tensor d = e == 2.0
                       ? mul(s, wrap_scalar(Scalar(2.0)))
                       : mul(pow(s, Scalar(e - 1.0)), wrap_scalar(Scalar(e)));
  return mul(grad, d);
}

// d(self) = grad * exponent * self^(exponent - 1)   (0 when exponent == 0)
class PowBackward0 final : public Node {
 public:
  AG_NODE(PowBackward0);
  static constexpr bool kForwardRule =
      true;  // tangent = self_t * exponent * self^(exponent - 1)
  variable_list apply(variable_list&& grads) override {
    return {pow_scalar_grad(grads[0], self.unpack(), exponent)};
  }
  SavedTensor self{this, "self"};
  Saved<Scalar> exponent{this, "exponent"};
};

// Where self == 0 and exponent >= 0, log(self) is -inf but the true
// derivative of self^exponent with respect to exponent is 0 (or undefined);
// PyTorch returns 0 there, and so do we.
Tensor pow_exponent_grad(const Tensor& grad, const Tensor& self,
                         const Tensor& exponent, const Tensor& result) {
  const Tensor mask = [&] {
    NoGradGuard no_grad;
    const Tensor zero = wrap_scalar(Scalar(0.0));
    const Tensor at_zero = eq(self, zero);
    const Tensor nonneg = ge(exponent, zero);
    Tensor both = empty_tensor(
        broadcast_shapes(at_zero.sizes(), nonneg.sizes()), DType::Bool);
    kernels::binary(kernels::BinaryOp::LogicalAnd, at_zero, nonneg, both);
    return both;
  }();
  const Tensor logs = mul(result, log(self));
  return mul(grad, where(mask, zeros({}, logs.dtype()), logs));
}

// grad * exponent * self^(exponent - 1)   (0 where exponent == 0)
Tensor pow_tensor_grad(const Tensor& grad, const Tensor& s, const Tensor& e) {
  const Tensor d = mul(e, pow(s, sub(e, wrap_scalar(Scalar(1.0)))));
  const Tensor zero_exp = [&] {
    NoGradGuard no_grad;
    return eq(e, wrap_scalar(Scalar(0.0)));
  }();
  return mul(grad, where(zero_exp, zeros({}, d.dtype()), d));
}

// d(self) = grad * exponent * self^(exponent - 1)
// d(exponent) = grad * result * log(self)
class PowBackward1 final : public Node {
 public:
  AG_NODE(PowBackward1);
  static constexpr bool kForwardRule =
      true;  // tangent = self_t * (d/d self) + exponent_t * result * log(self)
  variable_list apply(variable_list&& grads) override {
    variable_list out(2);
    const Tensor s = self.unpack();
    const Tensor e = exponent.unpack();
    if (should_compute_output(0)) out[0] = pow_tensor_grad(grads[0], s, e);
    if (should_compute_output(1)) {
      out[1] =
          pow_exponent_grad(grads[0], s, e, result.unpack(shared_from_this()));
    }
    return out;
  }
  SavedTensor self{this, "self"}, exponent{this, "exponent"},
      result{this, "result"};
};

// d(exponent) = grad * result * log(self)   (self a number)
class PowBackward2 final : public Node {
 public:
  AG_NODE(PowBackward2);
  static constexpr bool kForwardRule =
      true;  // tangent = exponent_t * result * log(self)
  variable_list apply(variable_list&& grads) override {
    const Tensor e = exponent.unpack();
    return {pow_exponent_grad(grads[0], wrap_scalar(self), e,
                              result.unpack(shared_from_this()))};
  }
  Saved<Scalar> self{this, "self"};
  SavedTensor exponent{this, "exponent"}, result{this, "result"};
};

// d(self) = where(cond, grad, 0) ; d(other) = where(cond, 0, grad)
class WhereBackward0 final : public Node {
 public:
  AG_NODE(WhereBackward0);
  static constexpr bool kForwardRule =
      true;  // tangent = where(cond, self_t, other_t)
  variable_list apply(variable_list&& grads) override {
    variable_list out(2);
    const Tensor c = condition.unpack();
    const Tensor zero = zeros({}, grads[0].dtype());
    if (should_compute_output(0)) out[0] = where(c, grads[0], zero);
    if (should_compute_output(1)) out[1] = where(c, zero, grads[0]);
    return out;
  }
  SavedTensor condition{this, "condition"};
};

// An integer tensor to a negative Python integer: PyTorch refuses it (an
// exponent tensor takes integer_pow's values instead).
void check_int_pow_exponent(const Tensor& self, const Scalar& exponent) {
  AG_CHECK(is_floating(self.dtype()) || !exponent.is_integral() ||
               exponent.to<int64_t>() >= 0,
           "Integers to negative integer powers are not allowed.");
}

// PyTorch's pow kernel has no bool version; a Python bool exponent of a
// tensor takes the scalar path (pow_as_unary), which it does not reach.
DType pow_result_type(const Tensor& base, const Tensor& exponent) {
  const DType dtype = result_type(base, exponent);
  AG_CHECK_AS(NotImplementedError, dtype != DType::Bool,
              "\"pow\" not implemented for 'Bool'");
  return dtype;
}

}  // namespace

Tensor add(const Tensor& self, const Tensor& other, const Scalar& alpha) {
  AG_CAPTURE_RETURN_ATTRS("add", add(in[0], in[1], alpha),
                          (std::vector<double>{alpha.to<double>()}), self,
                          other)
  Tensor out =
      binary_out(BinaryOp::Add, self, other, result_type(self, other), alpha);
  if (auto fn = record<AddBackward0>(self, other)) {
    fn->alpha = alpha;
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self, other)) {
    set_tangent(out, [&] {
      return add_tangents(
          forward_ad::tangent(self),
          scaled(forward_ad::tangent(other), alpha.to<double>()));
    });
  }
  return out;
}

Tensor sub(const Tensor& self, const Tensor& other, const Scalar& alpha) {
  AG_CAPTURE_RETURN_ATTRS("sub", sub(in[0], in[1], alpha),
                          (std::vector<double>{alpha.to<double>()}), self,
                          other)
  check_not_bool_sub(self, other);
  Tensor out =
      binary_out(BinaryOp::Sub, self, other, result_type(self, other), alpha);
  if (auto fn = record<SubBackward0>(self, other)) {
    fn->alpha = alpha;
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self, other)) {
    set_tangent(out, [&] {
      return add_tangents(
          forward_ad::tangent(self),
          scaled(forward_ad::tangent(other), -alpha.to<double>()));
    });
  }
  return out;
}

Tensor rsub(const Tensor& self, const Scalar& other, const Scalar& alpha) {
  AG_CAPTURE_RETURN_ATTRS(
      "rsub", rsub(in[0], other, alpha),
      (std::vector<double>{other.to<double>(), alpha.to<double>()}), self)
  const Tensor wrapped = wrap_scalar(other);
  check_not_bool_sub(self, wrapped);
  Tensor out = binary_out(BinaryOp::Sub, wrapped, self,
                          result_type(self, wrapped), alpha);
  if (auto fn = record<RsubBackward1>(self)) {
    fn->alpha = alpha;
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] {
      return scaled(forward_ad::tangent(self), -alpha.to<double>());
    });
  }
  return out;
}

Tensor mul(const Tensor& self, const Tensor& other) {
  AG_CAPTURE_RETURN("mul", mul(in[0], in[1]), self, other)
  Tensor out = binary_out(BinaryOp::Mul, self, other, result_type(self, other));
  if (auto fn = record<MulBackward0>(self, other)) {
    if (fn->should_compute_output(0)) fn->other = SavedVariable(other, false);
    if (fn->should_compute_output(1)) fn->self = SavedVariable(self, false);
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self, other)) {
    set_tangent(out, [&] {
      const Tensor st = forward_ad::tangent(self);
      const Tensor ot = forward_ad::tangent(other);
      return add_tangents(st.defined() ? mul(st, other) : Tensor(),
                          ot.defined() ? mul(self, ot) : Tensor());
    });
  }
  return out;
}

Tensor div(const Tensor& self, const Tensor& other) {
  AG_CAPTURE_RETURN("div", div(in[0], in[1]), self, other)
  Tensor out =
      binary_out(BinaryOp::Div, self, other, true_div_type(self, other));
  if (auto fn = record<DivBackward0>(self, other)) {
    fn->other = SavedVariable(other, false);
    if (fn->should_compute_output(1)) fn->self = SavedVariable(self, false);
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self, other)) {
    set_tangent(out, [&] {
      const Tensor st = forward_ad::tangent(self);
      const Tensor ot = forward_ad::tangent(other);
      const Tensor num =
          ot.defined() ? add_tangents(st, neg(mul(out, ot))) : st;
      return div(num, other);
    });
  }
  return out;
}

Tensor neg(const Tensor& self) {
  AG_CAPTURE_RETURN("neg", neg(in[0]), self)
  AG_CHECK(self.dtype() != DType::Bool,
           "Negation, the `-` operator, on a bool tensor is not supported. If "
           "you are trying to invert a mask, use the `~` or `logical_not()` "
           "operator instead.");
  Tensor out = empty_tensor(self.sizes(), self.dtype());
  kernels::unary(kernels::UnaryOp::Neg, self, out);
  if (auto fn = record<NegBackward0>(self)) autograd::set_history(out, fn);
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] { return neg(forward_ad::tangent(self)); });
  }
  return out;
}

namespace {
// The exponents PyTorch computes with a dedicated function rather than pow:
// results differ at the edges (sqrt(-inf) is NaN, pow(-inf, 0.5) is inf;
// sqrt(-0.0) is -0.0), and the dedicated kernels are faster.
std::optional<kernels::UnaryOp> pow_as_unary(DType dtype, const Scalar& e) {
  if (!is_floating(dtype)) return std::nullopt;
  const double v = e.to<double>();
  if (v == 0.5) return kernels::UnaryOp::Sqrt;
  if (v == -0.5) return kernels::UnaryOp::Rsqrt;
  if (v == 2.0) return kernels::UnaryOp::Square;
  if (v == -1.0) return kernels::UnaryOp::Reciprocal;
  return std::nullopt;
}
}  // namespace

Tensor pow(const Tensor& self, const Scalar& exponent) {
  AG_CAPTURE_RETURN("pow", pow(in[0], exponent), self)
  const Tensor wrapped = wrap_scalar(exponent);
  check_int_pow_exponent(self, exponent);
  Tensor out;
  if (const auto op = pow_as_unary(self.dtype(), exponent)) {
    out = empty_tensor(self.sizes(), self.dtype());
    kernels::unary(*op, self, out);
  } else {
    out = binary_out(BinaryOp::Pow, self, wrapped, result_type(self, wrapped));
  }
  if (auto fn = record<PowBackward0>(self)) {
    fn->self = SavedVariable(self, false);
    fn->exponent = exponent;
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] {
      return pow_scalar_grad(forward_ad::tangent(self), self, exponent);
    });
  }
  return out;
}

Tensor pow(const Tensor& self, const Tensor& exponent) {
  AG_CAPTURE_RETURN("pow", pow(in[0], in[1]), self, exponent)
  if (exponent.impl()->is_wrapped_number()) return pow(self, exponent.item());
  // Negative integer exponents in a tensor give integer_pow's values
  // (PyTorch raises for them only in a Python number exponent).
  const DType dtype = pow_result_type(self, exponent);
  Tensor out = binary_out(BinaryOp::Pow, self, exponent, dtype);
  if (auto fn = record<PowBackward1>(self, exponent)) {
    fn->self = SavedVariable(self, false);
    fn->exponent = SavedVariable(exponent, false);
    autograd::set_history(out, fn);
    if (fn->should_compute_output(1)) fn->result = SavedVariable(out, true);
  }
  if (forward_ad::any_dual(self, exponent)) {
    set_tangent(out, [&] {
      const Tensor st = forward_ad::tangent(self);
      const Tensor et = forward_ad::tangent(exponent);
      return add_tangents(
          st.defined() ? pow_tensor_grad(st, self, exponent) : Tensor(),
          et.defined() ? pow_exponent_grad(et, self, exponent, out) : Tensor());
    });
  }
  return out;
}

Tensor pow(const Scalar& self, const Tensor& exponent) {
  AG_CAPTURE_RETURN("pow", pow(self, in[0]), exponent)
  const Tensor wrapped = wrap_scalar(self);
  const DType dtype = pow_result_type(wrapped, exponent);
  Tensor out = binary_out(BinaryOp::Pow, wrapped, exponent, dtype);
  if (auto fn = record<PowBackward2>(exponent)) {
    fn->self = self;
    fn->exponent = SavedVariable(exponent, false);
    autograd::set_history(out, fn);
    fn->result = SavedVariable(out, true);
  }
  if (forward_ad::any_dual(exponent)) {
    set_tangent(out, [&] {
      return pow_exponent_grad(forward_ad::tangent(exponent), wrapped, exponent,
                               out);
    });
  }
  return out;
}

Tensor where(const Tensor& cond, const Tensor& self, const Tensor& other) {
  AG_CAPTURE_RETURN("where", where(in[0], in[1], in[2]), cond, self, other)
  AG_CHECK(cond.dtype() == DType::Bool,
           "where expected condition to be a boolean tensor, but got a tensor "
           "with dtype ",
           dtype_legacy_name(cond.dtype()));
  const DType dtype = result_type(self, other);
  const Shape shape = broadcast_shapes(
      cond.sizes(), broadcast_shapes(self.sizes(), other.sizes()));
  Tensor out = empty_tensor(shape, dtype);
  kernels::where(cond, cast_data(self, dtype), cast_data(other, dtype), out);
  if (auto fn = record<WhereBackward0>(self, other)) {
    fn->condition = SavedVariable(cond, false);
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self, other)) {
    set_tangent(out, [&] {
      return where(cond, tangent_or_zeros(self), tangent_or_zeros(other));
    });
  }
  return out;
}

Tensor& add_(Tensor& self, const Tensor& other, const Scalar& alpha) {
  AG_CAPTURE_INPLACE_ATTRS(self, "add_", add_(s, in[1], alpha),
                           (std::vector<double>{alpha.to<double>()}), self,
                           other)
  // Forward AD: through the out-of-place op, which computes the tangent.
  if (forward_ad::any_dual(self, other)) {
    return apply_inplace(self, "add_", {other},
                         [&](const Tensor& s) { return add(s, other, alpha); });
  }
  autograd::check_inplace(self);
  std::shared_ptr<AddBackward0> fn = record<AddBackward0>(self, other);
  binary_inplace(BinaryOp::Add, self, other, result_type(self, other), "add_",
                 alpha);
  if (fn) {
    fn->alpha = alpha;
    rebase_history(self, fn);
  }
  return self;
}

Tensor& sub_(Tensor& self, const Tensor& other, const Scalar& alpha) {
  AG_CAPTURE_INPLACE(self, "sub_", sub_(s, in[1], alpha), self, other)
  // Forward AD: through the out-of-place op, which computes the tangent.
  if (forward_ad::any_dual(self, other)) {
    return apply_inplace(self, "sub_", {other},
                         [&](const Tensor& s) { return sub(s, other, alpha); });
  }
  autograd::check_inplace(self);
  check_not_bool_sub(self, other);
  std::shared_ptr<SubBackward0> fn = record<SubBackward0>(self, other);
  binary_inplace(BinaryOp::Sub, self, other, result_type(self, other), "sub_",
                 alpha);
  if (fn) {
    fn->alpha = alpha;
    rebase_history(self, fn);
  }
  return self;
}

// The old value of self is needed for the gradient of other, so it is
// cloned before being overwritten.
Tensor& mul_(Tensor& self, const Tensor& other) {
  AG_CAPTURE_INPLACE(self, "mul_", mul_(s, in[1]), self, other)
  // Forward AD: through the out-of-place op, which computes the tangent.
  if (forward_ad::any_dual(self, other)) {
    return apply_inplace(self, "mul_", {other},
                         [&](const Tensor& s) { return mul(s, other); });
  }
  autograd::check_inplace(self);
  std::shared_ptr<MulBackward0> fn = record<MulBackward0>(self, other);
  if (fn) {
    if (fn->should_compute_output(0)) fn->other = SavedVariable(other, false);
    if (fn->should_compute_output(1)) {
      fn->self = SavedVariable(clone_data(self), false);
    }
  }
  binary_inplace(BinaryOp::Mul, self, other, result_type(self, other), "mul_");
  if (fn) rebase_history(self, fn);
  return self;
}

Tensor& div_(Tensor& self, const Tensor& other) {
  AG_CAPTURE_INPLACE(self, "div_", div_(s, in[1]), self, other)
  // Forward AD: through the out-of-place op, which computes the tangent.
  if (forward_ad::any_dual(self, other)) {
    return apply_inplace(self, "div_", {other},
                         [&](const Tensor& s) { return div(s, other); });
  }
  autograd::check_inplace(self);
  std::shared_ptr<DivBackward0> fn = record<DivBackward0>(self, other);
  if (fn) {
    fn->other = SavedVariable(other, false);
    if (fn->should_compute_output(1)) {
      fn->self = SavedVariable(clone_data(self), false);
    }
  }
  binary_inplace(BinaryOp::Div, self, other, true_div_type(self, other),
                 "div_");
  if (fn) rebase_history(self, fn);
  return self;
}

}  // namespace ag::ops

// ---- rounding division, remainder, clamp, maximum/minimum, lerp,
// masked_fill -----------------------------------------------------------------

namespace ag::ops {

namespace {

void check_not_bool(DType t, const char* kernel_name) {
  AG_CHECK_AS(NotImplementedError, t != DType::Bool, "\"", kernel_name,
              "\" not implemented for 'Bool'");
}

// result_type over up to three operands (undefined ones skipped), with the
// priority of type_promotion.cpp: dimensioned tensors, then 0-d tensors, then
// Python numbers; a lower tier only counts when it brings a higher category
// (bool < integer < floating point).
DType promote_operands(std::initializer_list<const Tensor*> operands) {
  auto category = [](DType t) {
    return is_floating(t) ? 2 : (t == DType::Bool ? 0 : 1);
  };
  std::optional<DType> tiers[3];
  for (const Tensor* t : operands) {
    if (!t->defined()) continue;
    DType dtype = t->dtype();
    int tier = 0;
    if (t->impl()->is_wrapped_number()) {
      tier = 2;
      if (is_floating(dtype)) dtype = default_dtype();
    } else if (t->dim() == 0) {
      tier = 1;
    }
    tiers[tier] = tiers[tier] ? promote_types(*tiers[tier], dtype) : dtype;
  }
  std::optional<DType> result;
  for (int tier = 2; tier >= 0; --tier) {
    const auto& higher = tiers[tier];
    if (!higher) continue;
    if (!result || category(*result) > category(*higher)) {
      result = result ? promote_types(*higher, *result) : *higher;
    } else {
      result = *higher;
    }
  }
  return *result;
}

Shape broadcast_all(std::initializer_list<const Tensor*> operands) {
  Shape shape;
  bool first = true;
  for (const Tensor* t : operands) {
    if (!t->defined()) continue;
    shape = first ? t->sizes() : broadcast_shapes(shape, t->sizes());
    first = false;
  }
  return shape;
}

Tensor zeros_like_grad(const Tensor& grad) {
  return zeros(grad.sizes(), grad.dtype());
}

// A bool mask computed outside the graph.
template <typename F>
Tensor mask_of(F&& f) {
  NoGradGuard no_grad;
  return f();
}

// Raised when differentiated, as PyTorch's NotImplemented node does.
class NotImplementedBackward : public Node {
 public:
  NotImplementedBackward(edge_list&& edges, const char* op)
      : Node(std::move(edges)), op_(op) {}
  std::string name() const override { return "NotImplemented"; }
  variable_list apply(variable_list&&) override {
    throw Error(detail::str_cat("derivative for ", op_, " is not implemented"));
  }

 private:
  const char* op_;
};

template <typename... Ts>
void record_not_implemented(const Tensor& out, const char* op,
                            const Ts&... inputs) {
  if (!should_record_as<NotImplementedBackward>(op, inputs...)) return;
  autograd::set_history(out, make_node<NotImplementedBackward>(
                                 autograd::collect_next_edges(inputs...), op));
}

// d(self) = 0 ; d(other) = 0   (the rounded quotient is piecewise constant)
class DivBackward2 final : public Node {
 public:
  AG_NODE(DivBackward2);
  static constexpr bool kForwardRule = true;  // tangent = 0
  variable_list apply(variable_list&& grads) override {
    variable_list out(2);
    if (should_compute_output(0)) out[0] = zeros_like_grad(grads[0]);
    if (should_compute_output(1)) out[1] = zeros_like_grad(grads[0]);
    return out;
  }
};

// d(self) = grad   (other a number)
class RemainderBackward0 final : public Node {
 public:
  AG_NODE(RemainderBackward0);
  static constexpr bool kForwardRule = true;  // tangent = self_t
  variable_list apply(variable_list&& grads) override { return {grads[0]}; }
};

// d(self) = grad ; d(other) = -grad * floor(self / other)
class RemainderBackward1 final : public Node {
 public:
  AG_NODE(RemainderBackward1);
  // tangent = self_t - other_t * floor(self / other)
  static constexpr bool kForwardRule = true;
  variable_list apply(variable_list&& grads) override {
    variable_list out(2);
    if (should_compute_output(0)) out[0] = grads[0];
    if (should_compute_output(1)) {
      const Tensor q = div(self.unpack(), other.unpack(), RoundingMode::Floor);
      out[1] = neg(mul(grads[0], q));
    }
    return out;
  }
  SavedTensor self{this, "self"}, other{this, "other"};
};

// grad where min <= s <= max, else 0 (a bound may be None)
Tensor clamp_pass(const Tensor& grad, const Tensor& s,
                  const std::optional<Scalar>& min,
                  const std::optional<Scalar>& max) {
  const Tensor pass = mask_of([&] {
    Tensor m;
    if (min) m = ge(s, wrap_scalar(*min));
    if (max) {
      const Tensor below = le(s, wrap_scalar(*max));
      m = m.defined() ? logical_and(m, below) : below;
    }
    return m;
  });
  return where(pass, grad, zeros({}, grad.dtype()));
}

// d(self) = grad where min <= self <= max, else 0 (a bound may be None)
class ClampBackward1 final : public Node {
 public:
  AG_NODE(ClampBackward1);
  static constexpr bool kForwardRule =
      true;  // tangent = self_t where min <= self <= max, else 0
  variable_list apply(variable_list&& grads) override {
    return {clamp_pass(grads[0], self.unpack(), min, max)};
  }
  SavedTensor self{this, "self"};
  Saved<std::optional<Scalar>> min{this, "min"}, max{this, "max"};
};

// d(self) = grad where min <= self <= max
// d(min) = grad where self < min (and min <= max)
// d(max) = grad where self > max (or max < min, where max wins)
class ClampBackward0 final : public Node {
 public:
  AG_NODE(ClampBackward0);
  // tangent = the three masks below applied to self_t, min_t and max_t
  static constexpr bool kForwardRule = true;
  variable_list apply(variable_list&& grads) override {
    const Tensor s = self.unpack();
    const Tensor lo = min.unpack();
    const Tensor hi = max.unpack();
    variable_list out(3);
    for (int i = 0; i < 3; ++i) {
      if (should_compute_output(static_cast<size_t>(i))) {
        out[static_cast<size_t>(i)] = pass(i, grads[0], s, lo, hi);
      }
    }
    return out;
  }
  // g where input i (self, min, max) is the one clamp returns.
  static Tensor pass(int i, const Tensor& g, const Tensor& s, const Tensor& lo,
                     const Tensor& hi) {
    // With both bounds, the masks combine in place as in PyTorch's
    // clamp_backward_min_max, so bounds that broadcast beyond self and the
    // other bound raise its shape error (the in-place result keeps the
    // first mask's shape).
    const Tensor taken = mask_of([&] {
      if (i == 0) {
        if (lo.defined() && hi.defined()) {
          Tensor inside = ge(s, lo);
          return logical_and_(inside, le(s, hi));
        }
        return lo.defined() ? ge(s, lo) : le(s, hi);
      }
      if (i == 1) {
        // Bounds that meet (min == max) pass no gradient to min.
        Tensor below = lt(s, lo);
        return hi.defined() ? logical_and_(below, lt(lo, hi)) : below;
      }
      Tensor above = gt(s, hi);
      return lo.defined() ? logical_or_(above, lt(hi, lo)) : above;
    });
    return where(taken, g, zeros({}, g.dtype()));
  }
  SavedTensor self{this, "self"}, min{this, "min"}, max{this, "max"};
};

// clamp_min: d(self) = grad where self >= min ; clamp_max: where self <= max.
// The tensor-bound forms (Backward1) also give d(min) = grad where self < min
// (d(max) = grad where self > max).
template <bool kIsMin>
class ClampBoundBackward0 final : public Node {
 public:
  using Node::Node;
  // tangent = self_t where self is inside the bound, else 0
  static constexpr bool kForwardRule = true;
  std::string name() const override {
    return kIsMin ? "ClampMinBackward0" : "ClampMaxBackward0";
  }
  variable_list apply(variable_list&& grads) override {
    const Tensor s = self.unpack();
    const Tensor pass = mask_of([&] {
      return kIsMin ? ge(s, wrap_scalar(bound)) : le(s, wrap_scalar(bound));
    });
    return {where(pass, grads[0], zeros({}, grads[0].dtype()))};
  }
  SavedTensor self{this, "self"};
  Saved<Scalar> bound{this, kIsMin ? "min" : "max"};
};

template <bool kIsMin>
class ClampBoundBackward1 final : public Node {
 public:
  using Node::Node;
  // tangent = self_t where self is inside the bound, bound_t where the bound
  // is taken
  static constexpr bool kForwardRule = true;
  std::string name() const override {
    return kIsMin ? "ClampMinBackward1" : "ClampMaxBackward1";
  }
  variable_list apply(variable_list&& grads) override {
    const Tensor s = self.unpack();
    const Tensor b = bound.unpack();
    const Tensor zero = zeros({}, grads[0].dtype());
    variable_list out(2);
    if (should_compute_output(0)) {
      const Tensor pass = mask_of([&] { return kIsMin ? ge(s, b) : le(s, b); });
      out[0] = where(pass, grads[0], zero);
    }
    if (should_compute_output(1)) {
      // Strict, so a NaN self gives neither side a gradient.
      const Tensor taken =
          mask_of([&] { return kIsMin ? lt(s, b) : gt(s, b); });
      out[1] = where(taken, grads[0], zero);
    }
    return out;
  }
  SavedTensor self{this, "self"}, bound{this, kIsMin ? "min" : "max"};
};

// The gradient of maximum (kIsMax) or minimum for one input: grad where
// `mine` wins, grad / 2 where the two tie, 0 where it loses (NaN pairs pass
// the gradient to both).
template <bool kIsMax>
Tensor extremum_grad(const Tensor& g, const Tensor& mine,
                     const Tensor& theirs) {
  const Tensor tie = mask_of([&] { return eq(mine, theirs); });
  const Tensor lose =
      mask_of([&] { return kIsMax ? lt(mine, theirs) : gt(mine, theirs); });
  const Tensor shared = where(tie, mul(g, wrap_scalar(Scalar(0.5))), g);
  return where(lose, zeros({}, g.dtype()), shared);
}

// d(self) = grad where self > other, grad / 2 where equal, else 0;
// d(other) symmetrically
struct MaximumSpec {
  // tangent = self_t where self wins, other_t where other wins, the mean of
  // the two where they tie
  static Tensor jvp(const Tensor& self_t, const Tensor& other_t,
                    const Tensor& self, const Tensor& other, const Tensor&) {
    return add_tangents(
        self_t.defined() ? extremum_grad<true>(self_t, self, other) : Tensor(),
        other_t.defined() ? extremum_grad<true>(other_t, other, self)
                          : Tensor());
  }
  static constexpr const char* kName = "MaximumBackward0";
  static constexpr bool kSavesSelf = true, kSavesOther = true,
                        kSavesResult = false;
  static Tensor grad_self(const Tensor& g, const Tensor& self,
                          const Tensor& other, const Tensor&) {
    return extremum_grad<true>(g, self, other);
  }
  static Tensor grad_other(const Tensor& g, const Tensor& self,
                           const Tensor& other, const Tensor&) {
    return extremum_grad<true>(g, other, self);
  }
};

// d(self) = grad where self < other, grad / 2 where equal, else 0;
// d(other) symmetrically
struct MinimumSpec {
  // tangent = self_t where self wins, other_t where other wins, the mean of
  // the two where they tie
  static Tensor jvp(const Tensor& self_t, const Tensor& other_t,
                    const Tensor& self, const Tensor& other, const Tensor&) {
    return add_tangents(
        self_t.defined() ? extremum_grad<false>(self_t, self, other) : Tensor(),
        other_t.defined() ? extremum_grad<false>(other_t, other, self)
                          : Tensor());
  }
  static constexpr const char* kName = "MinimumBackward0";
  static constexpr bool kSavesSelf = true, kSavesOther = true,
                        kSavesResult = false;
  static Tensor grad_self(const Tensor& g, const Tensor& self,
                          const Tensor& other, const Tensor&) {
    return extremum_grad<false>(g, self, other);
  }
  static Tensor grad_other(const Tensor& g, const Tensor& self,
                           const Tensor& other, const Tensor&) {
    return extremum_grad<false>(g, other, self);
  }
};

// d(self) = grad / (1 + b^(other - self)) ;
// d(other) = grad / (1 + b^(self - other)), with base b = e or 2.
template <bool kBase2>
struct LogaddexpFamilySpec {
  // tangent = self_t / (1 + b^(other - self)) + other_t / (1 + b^(self -
  // other)) (Note [Elementwise forward rules])
  static Tensor jvp(const Tensor& self_t, const Tensor& other_t,
                    const Tensor& self, const Tensor& other, const Tensor&) {
    return add_tangents(
        self_t.defined() ? share(self_t, self, other) : Tensor(),
        other_t.defined() ? share(other_t, other, self) : Tensor());
  }
  static constexpr const char* kName =
      kBase2 ? "Logaddexp2Backward0" : "LogaddexpBackward0";
  static constexpr bool kSavesSelf = true, kSavesOther = true,
                        kSavesResult = false;
  static Tensor grad_self(const Tensor& g, const Tensor& self,
                          const Tensor& other, const Tensor&) {
    return share(g, self, other);
  }
  static Tensor grad_other(const Tensor& g, const Tensor& self,
                           const Tensor& other, const Tensor&) {
    return share(g, other, self);
  }
  // g / (1 + b^(theirs - mine)): mine's share of the sum.
  static Tensor share(const Tensor& g, const Tensor& mine,
                      const Tensor& theirs) {
    const Tensor gap = sub(theirs, mine);
    const Tensor power = kBase2 ? pow(Scalar(2.0), gap) : exp(gap);
    return div(g, add(power, wrap_scalar(Scalar(1.0))));
  }
};
using LogaddexpSpec = LogaddexpFamilySpec<false>;
using Logaddexp2Spec = LogaddexpFamilySpec<true>;

// d(self) = grad * self / result ; d(other) = grad * other / result
struct HypotSpec {
  // tangent = (self_t * self + other_t * other) / result
  // (Note [Elementwise forward rules])
  static Tensor jvp(const Tensor& self_t, const Tensor& other_t,
                    const Tensor& self, const Tensor& other,
                    const Tensor& result) {
    return add_tangents(
        self_t.defined() ? grad_self(self_t, self, other, result) : Tensor(),
        other_t.defined() ? grad_other(other_t, self, other, result)
                          : Tensor());
  }
  static constexpr const char* kName = "HypotBackward0";
  static constexpr bool kSavesSelf = true, kSavesOther = true,
                        kSavesResult = true;
  static Tensor grad_self(const Tensor& g, const Tensor& self, const Tensor&,
                          const Tensor& result) {
    return div(mul(g, self), result);
  }
  static Tensor grad_other(const Tensor& g, const Tensor&, const Tensor& other,
                           const Tensor& result) {
    return div(mul(g, other), result);
  }
};

// addcmul: d(self) = grad ; d(tensor1) = grad * (tensor2 * value) ;
//          d(tensor2) = grad * (tensor1 * value)
// addcdiv: d(self) = grad ; d(tensor1) = grad * (value / tensor2) ;
//          d(tensor2) = -grad * (value * tensor1 / (tensor2 * tensor2))
class AddcBackward final : public Node {
 public:
  AddcBackward(edge_list&& edges, bool divide)
      : Node(std::move(edges)), divide_(divide) {}
  // tangent = self_t + value * (the product's or quotient's tangent)
  static constexpr bool kForwardRule = true;
  std::string name() const override {
    return divide_ ? "AddcdivBackward0" : "AddcmulBackward0";
  }
  variable_list apply(variable_list&& grads) override {
    const Tensor& g = grads[0];
    const Tensor v = wrap_scalar(value);
    variable_list out(3);
    if (should_compute_output(0)) out[0] = g;
    if (should_compute_output(1)) {
      const Tensor t2 = tensor2.unpack();
      // PyTorch's formula writes value / tensor2 (a true division, in the
      // default dtype) into an integer tensor2's dtype.
      AG_CHECK(!divide_ || is_floating(t2.dtype()), "result type ",
               dtype_legacy_name(default_dtype()),
               " can't be cast to the desired output type ",
               dtype_legacy_name(t2.dtype()));
      out[1] = mul(g, divide_ ? div(v, t2) : mul(t2, v));
    }
    if (should_compute_output(2)) {
      const Tensor t1 = tensor1.unpack();
      if (divide_) {
        const Tensor t2 = tensor2.unpack();
        out[2] = mul(neg(g), div(mul(v, t1), mul(t2, t2)));
      } else {
        out[2] = mul(g, mul(t1, v));
      }
    }
    return out;
  }
  Saved<Scalar> value{this, "value"};
  SavedTensor tensor1{this, "tensor1"}, tensor2{this, "tensor2"};

 private:
  bool divide_;
};

// d(self) = grad * (1 - weight) ; d(end) = grad * weight
class LerpBackward0 final : public Node {
 public:
  AG_NODE(LerpBackward0);
  // tangent = lerp(self_t, end_t, weight)  (linear in self and end)
  static constexpr bool kForwardRule = true;
  variable_list apply(variable_list&& grads) override {
    const double w = weight.to<double>();
    variable_list out(2);
    if (should_compute_output(0)) {
      out[0] = mul(grads[0], wrap_scalar(Scalar(1.0 - w)));
    }
    if (should_compute_output(1)) out[1] = mul(grads[0], wrap_scalar(weight));
    return out;
  }
  Saved<Scalar> weight{this, "weight"};
};

// d(self) = grad * (1 - weight) ; d(end) = grad * weight ;
// d(weight) = grad * (end - self)
class LerpBackward1 final : public Node {
 public:
  AG_NODE(LerpBackward1);
  // tangent = lerp(self_t, end_t, weight) + weight_t * (end - self)
  static constexpr bool kForwardRule = true;
  variable_list apply(variable_list&& grads) override {
    const Tensor w = weight.unpack();
    variable_list out(3);
    if (should_compute_output(0)) {
      out[0] = mul(grads[0], rsub(w, Scalar(1.0)));
    }
    if (should_compute_output(1)) out[1] = mul(grads[0], w);
    if (should_compute_output(2)) {
      out[2] = mul(grads[0], sub(end.unpack(), self.unpack()));
    }
    return out;
  }
  SavedTensor self{this, "self"}, end{this, "end"}, weight{this, "weight"};
};

// d(self) = grad where !mask, else 0 ; d(value) = sum of grad where mask
class MaskedFillBackward final : public Node {
 public:
  explicit MaskedFillBackward(edge_list&& edges, bool tensor_value = false)
      : Node(std::move(edges)), tensor_value_(tensor_value) {}
  // tangent = self_t where !mask, value_t (0 for a number) where mask
  static constexpr bool kForwardRule = true;
  std::string name() const override {
    return tensor_value_ ? "MaskedFillBackward1" : "MaskedFillBackward0";
  }
  variable_list apply(variable_list&& grads) override {
    const Tensor m = mask.unpack();
    const Tensor zero = zeros({}, grads[0].dtype());
    variable_list out(num_outputs());
    if (should_compute_output(0)) out[0] = where(m, zero, grads[0]);
    if (tensor_value_ && should_compute_output(1)) {
      out[1] = sum(where(m, grads[0], zero));
    }
    return out;
  }
  SavedTensor mask{this, "mask"};

 private:
  bool tensor_value_;
};

Tensor rounding_div_out(const Tensor& self, const Tensor& other,
                        RoundingMode mode) {
  const DType dtype = result_type(self, other);
  broadcast_shapes(self.sizes(), other.sizes());  // PyTorch checks it first
  check_not_bool(
      dtype, mode == RoundingMode::Floor ? "div_floor_cpu" : "div_trunc_cpu");
  return binary_out(
      mode == RoundingMode::Floor ? BinaryOp::DivFloor : BinaryOp::DivTrunc,
      self, other, dtype);
}

Tensor remainder_out(const Tensor& self, const Tensor& other) {
  const DType dtype = result_type(self, other);
  broadcast_shapes(self.sizes(), other.sizes());  // PyTorch checks it first
  check_not_bool(dtype, "remainder_cpu");
  return binary_out(BinaryOp::Remainder, self, other, dtype);
}

// PyTorch's kernels for Python-number bounds have no bool version.
const char* clamp_scalar_kernel(bool has_min, bool has_max) {
  if (has_min && has_max) return "clamp_scalar_cpu";
  return has_min ? "clamp_min_scalar_cpu" : "clamp_max_scalar_cpu";
}

// The clamp forward over optional tensor bounds; `number_bounds` when they
// came as Python numbers.
Tensor clamp_out(const Tensor& self, const Tensor& min, const Tensor& max,
                 bool number_bounds = false) {
  AG_CHECK(min.defined() || max.defined(),
           "torch.clamp: At least one of 'min' or 'max' must not be None");
  const DType dtype = promote_operands({&self, &min, &max});
  if (number_bounds) {
    check_not_bool(dtype, clamp_scalar_kernel(min.defined(), max.defined()));
  }
  if (!max.defined()) return binary_out(BinaryOp::Maximum, self, min, dtype);
  if (!min.defined()) return binary_out(BinaryOp::Minimum, self, max, dtype);
  Tensor out = empty_tensor(broadcast_all({&self, &min, &max}), dtype);
  kernels::ternary(kernels::TernaryOp::Clamp, cast_data(self, dtype),
                   cast_data(min, dtype), cast_data(max, dtype), out);
  return out;
}

Tensor optional_wrap(const std::optional<Scalar>& s) {
  return s ? wrap_scalar(*s) : Tensor();
}

template <bool kIsMin>
Tensor clamp_bound(const Tensor& self, const Scalar& bound) {
  const Tensor b = wrap_scalar(bound);
  Tensor out = kIsMin ? clamp_out(self, b, Tensor(), true)
                      : clamp_out(self, Tensor(), b, true);
  if (auto fn = record<ClampBoundBackward0<kIsMin>>(self)) {
    fn->self = SavedVariable(self, false);
    fn->bound = bound;
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] {
      const std::optional<Scalar> none, given = bound;
      return clamp_pass(forward_ad::tangent(self), self, kIsMin ? given : none,
                        kIsMin ? none : given);
    });
  }
  return out;
}

template <bool kIsMin>
Tensor clamp_bound(const Tensor& self, const Tensor& bound) {
  Tensor out = kIsMin ? clamp_out(self, bound, Tensor())
                      : clamp_out(self, Tensor(), bound);
  if (auto fn = record<ClampBoundBackward1<kIsMin>>(self, bound)) {
    fn->self = SavedVariable(self, false);
    fn->bound = SavedVariable(bound, false);
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self, bound)) {
    set_tangent(out, [&] {
      const Tensor zero = zeros({}, out.dtype());
      const Tensor st = forward_ad::tangent(self);
      const Tensor bt = forward_ad::tangent(bound);
      Tensor from_self, from_bound;
      if (st.defined()) {
        const Tensor pass =
            mask_of([&] { return kIsMin ? ge(self, bound) : le(self, bound); });
        from_self = where(pass, st, zero);
      }
      if (bt.defined()) {
        const Tensor taken =
            mask_of([&] { return kIsMin ? lt(self, bound) : gt(self, bound); });
        from_bound = where(taken, bt, zero);
      }
      return add_tangents(from_self, from_bound);
    });
  }
  return out;
}

void check_lerp_end(const Tensor& self, const Tensor& end) {
  AG_CHECK(end.dtype() == self.dtype(), "expected dtype ",
           dtype_cpp_name(self.dtype()), " for `end` but got dtype ",
           dtype_cpp_name(end.dtype()));
}

// PyTorch's order: shapes, then the kernel's dtypes (floating only), named
// by `kernel`.
Tensor lerp_out(const Tensor& self, const Tensor& end, const Tensor& weight,
                DType dtype, const char* kernel) {
  const Shape shape = broadcast_all({&self, &end, &weight});
  AG_CHECK_AS(NotImplementedError, is_floating(dtype), "\"", kernel,
              "\" not implemented for '", dtype_legacy_name(dtype), "'");
  Tensor out = empty_tensor(shape, dtype);
  kernels::ternary(kernels::TernaryOp::Lerp, cast_data(self, dtype),
                   cast_data(end, dtype), cast_data(weight, dtype), out);
  return out;
}

void check_mask(const Tensor& mask) {
  AG_CHECK(mask.dtype() == DType::Bool,
           "masked_fill_ only supports boolean masks, but got mask with dtype ",
           dtype_cpp_name(mask.dtype()));
}

Tensor masked_fill_out(const Tensor& self, const Tensor& mask,
                       const Tensor& value) {
  check_mask(mask);
  Tensor out =
      empty_tensor(broadcast_shapes(self.sizes(), mask.sizes()), self.dtype());
  kernels::where(mask, cast_data(value, self.dtype()), self, out);
  return out;
}

}  // namespace

Tensor div(const Tensor& self, const Tensor& other, RoundingMode mode) {
  if (mode == RoundingMode::None) return div(self, other);
  Tensor out = rounding_div_out(self, other, mode);
  if (is_floating(out.dtype())) {
    if (auto fn = record<DivBackward2>(self, other)) {
      autograd::set_history(out, fn);
    }
    if (forward_ad::any_dual(self, other)) {
      set_tangent(out, [&] { return zeros(out.sizes(), out.dtype()); });
    }
  }
  return out;
}

Tensor floor_divide(const Tensor& self, const Tensor& other) {
  Tensor out = rounding_div_out(self, other, RoundingMode::Floor);
  if (is_floating(out.dtype())) {
    record_not_implemented(out, "aten::floor_divide", self, other);
  }
  return out;
}

Tensor remainder(const Tensor& self, const Tensor& other) {
  Tensor out = remainder_out(self, other);
  if (!is_floating(out.dtype())) return out;
  if (other.impl()->is_wrapped_number()) {
    if (auto fn = record<RemainderBackward0>(self)) {
      autograd::set_history(out, fn);
    }
  } else if (auto fn = record<RemainderBackward1>(self, other)) {
    if (fn->should_compute_output(1)) {
      fn->self = SavedVariable(self, false);
      fn->other = SavedVariable(other, false);
    }
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self, other)) {
    set_tangent(out, [&] {
      const Tensor other_t = forward_ad::tangent(other);
      const Tensor self_t = forward_ad::tangent(self);
      if (!other_t.defined()) return self_t;
      const Tensor moved =
          neg(mul(other_t, div(self, other, RoundingMode::Floor)));
      return add_tangents(self_t, moved);
    });
  }
  return out;
}

Tensor remainder(const Scalar& self, const Tensor& other) {
  Tensor out = remainder_out(wrap_scalar(self), other);
  if (is_floating(out.dtype())) {
    record_not_implemented(out, "aten::remainder", other);
  }
  return out;
}

Tensor square(const Tensor& self) {
  AG_CAPTURE_RETURN("square", square(in[0]), self)
  return pow(self, Scalar(int64_t{2}));
}

Tensor clamp(const Tensor& self, const std::optional<Scalar>& min,
             const std::optional<Scalar>& max) {
  AG_CAPTURE_RETURN("clamp", clamp(in[0], min, max), self)
  Tensor out = clamp_out(self, optional_wrap(min), optional_wrap(max), true);
  if (auto fn = record<ClampBackward1>(self)) {
    fn->self = SavedVariable(self, false);
    fn->min = min;
    fn->max = max;
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] {
      return clamp_pass(forward_ad::tangent(self), self, min, max);
    });
  }
  return out;
}

Tensor clamp(const Tensor& self, const Tensor& min, const Tensor& max) {
  Tensor out = clamp_out(self, min, max);
  if (auto fn = record<ClampBackward0>(self, min, max)) {
    fn->self = SavedVariable(self, false);
    fn->min = SavedVariable(min, false);
    fn->max = SavedVariable(max, false);
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self, min, max)) {
    set_tangent(out, [&] {
      Tensor t;
      const Tensor inputs[] = {self, min, max};
      for (int i = 0; i < 3; ++i) {
        const Tensor it = forward_ad::tangent(inputs[i]);
        if (it.defined()) {
          t = add_tangents(t, ClampBackward0::pass(i, it, self, min, max));
        }
      }
      return t;
    });
  }
  return out;
}

Tensor clamp_min(const Tensor& self, const Scalar& min) {
  AG_CAPTURE_RETURN("clamp_min", clamp_min(in[0], min), self)
  return clamp_bound<true>(self, min);
}
Tensor clamp_min(const Tensor& self, const Tensor& min) {
  return clamp_bound<true>(self, min);
}
Tensor clamp_max(const Tensor& self, const Scalar& max) {
  AG_CAPTURE_RETURN("clamp_max", clamp_max(in[0], max), self)
  return clamp_bound<false>(self, max);
}
Tensor clamp_max(const Tensor& self, const Tensor& max) {
  return clamp_bound<false>(self, max);
}

// The declared binary ops' forwards (decl/binary.h).
#define AG_DEFINE_BINARY(name, Name, kind, ...)                           \
  Tensor name(const Tensor& self, const Tensor& other) {                  \
    AG_CAPTURE_RETURN(#name, name(in[0], in[1]), self, other)             \
    return binary_op<Name##Spec>(                                         \
        self, other, BinaryOp::Name,                                      \
        decl::BinaryKind::kind == decl::BinaryKind::Float, #name "_cpu"); \
  }
AG_BINARY_TENSOR_OPS(AG_DEFINE_BINARY)
#undef AG_DEFINE_BINARY

Tensor lerp(const Tensor& self, const Tensor& end, const Scalar& weight) {
  check_lerp_end(self, end);
  Tensor out = lerp_out(self, end, wrap_scalar(weight), self.dtype(),
                        "lerp_kernel_scalar");
  if (auto fn = record<LerpBackward0>(self, end)) {
    fn->weight = weight;
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self, end)) {
    set_tangent(out, [&] {
      return lerp(tangent_or_zeros(self), tangent_or_zeros(end), weight);
    });
  }
  return out;
}

Tensor lerp(const Tensor& self, const Tensor& end, const Tensor& weight) {
  check_lerp_end(self, end);
  // A 0-d weight takes part in type promotion; any other must match self.
  AG_CHECK(weight.dtype() == self.dtype() || weight.dim() == 0,
           "expected dtype ", dtype_cpp_name(self.dtype()),
           " for `weight` but got dtype ", dtype_cpp_name(weight.dtype()));
  Tensor out =
      lerp_out(self, end, weight, promote_operands({&self, &end, &weight}),
               "lerp_kernel_tensor");
  if (auto fn = record<LerpBackward1>(self, end, weight)) {
    fn->weight = SavedVariable(weight, false);
    if (fn->should_compute_output(2)) {
      fn->self = SavedVariable(self, false);
      fn->end = SavedVariable(end, false);
    }
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self, end, weight)) {
    set_tangent(out, [&] {
      Tensor t;
      if (forward_ad::is_dual(self) || forward_ad::is_dual(end)) {
        t = lerp(tangent_or_zeros(self), tangent_or_zeros(end), weight);
      }
      const Tensor weight_t = forward_ad::tangent(weight);
      if (weight_t.defined()) {
        t = add_tangents(t, mul(weight_t, sub(end, self)));
      }
      return t;
    });
  }
  return out;
}

namespace {

// self + value * tensor1 (*|/) tensor2 in the three tensors' common dtype,
// value cast to it, rounded as PyTorch's kernel rounds: the value times
// tensor1 first, then by tensor2, then self added.
Tensor addc_out(const Tensor& self, const Tensor& tensor1,
                const Tensor& tensor2, const Scalar& value, bool divide) {
  const DType dtype = result_type(self, tensor1, tensor2);
  NoGradGuard no_grad;
  forward_ad::DisableGuard no_tangents;
  const Tensor scaled_t1 =
      mul(cast_data(tensor1, dtype), scalar_tensor(value, dtype));
  const Tensor t2 = cast_data(tensor2, dtype);
  return add(cast_data(self, dtype),
             divide ? div(scaled_t1, t2) : mul(scaled_t1, t2));
}

// addcmul and addcdiv after their argument checks.

Tensor addc(const Tensor& self, const Tensor& tensor1, const Tensor& tensor2,
            const Scalar& value, bool divide) {
  Tensor out = addc_out(self, tensor1, tensor2, value, divide);
  if (should_record_as<AddcBackward>(
          divide ? "AddcdivBackward0" : "AddcmulBackward0", self, tensor1,
          tensor2)) {
    auto fn = make_node<AddcBackward>(
        autograd::collect_next_edges(self, tensor1, tensor2), divide);
    fn->value = value;
    if (fn->should_compute_output(2)) {
      fn->tensor1 = SavedVariable(tensor1, false);
    }
    if (fn->should_compute_output(1) || divide) {
      fn->tensor2 = SavedVariable(tensor2, false);
    }
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self, tensor1, tensor2)) {
    set_tangent(out, [&] {
      Tensor t = forward_ad::tangent(self);
      const Tensor v = wrap_scalar(value);
      if (const Tensor t1 = forward_ad::tangent(tensor1); t1.defined()) {
        t = add_tangents(t,
                         mul(divide ? div(t1, tensor2) : mul(t1, tensor2), v));
      }
      if (const Tensor t2 = forward_ad::tangent(tensor2); t2.defined()) {
        const Tensor d = divide
                             ? neg(div(mul(tensor1, t2), mul(tensor2, tensor2)))
                             : mul(tensor1, t2);
        t = add_tangents(t, mul(d, v));
      }
      return t;
    });
  }
  return out;
}

}  // namespace

Tensor addcmul(const Tensor& self, const Tensor& tensor1, const Tensor& tensor2,
               const Scalar& value) {
  AG_CHECK_AS(NotImplementedError,
              result_type(self, tensor1, tensor2) != DType::Bool,
              "\"addcmul_cpu_out\" not implemented for 'Bool'");
  return addc(self, tensor1, tensor2, value, false);
}

Tensor addcdiv(const Tensor& self, const Tensor& tensor1, const Tensor& tensor2,
               const Scalar& value) {
  AG_CHECK(is_floating(tensor1.dtype()) || is_floating(tensor2.dtype()),
           "Integer division with addcdiv is no longer supported, and in a "
           "future  release addcdiv will perform a true division of tensor1 "
           "and tensor2. The historic addcdiv behavior can be implemented as "
           "(input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) "
           "for integer inputs and as (input + value * tensor1 / tensor2) for "
           "float inputs. The future addcdiv behavior is just the latter "
           "implementation: (input + value * tensor1 / tensor2), for all "
           "dtypes.");
  return addc(self, tensor1, tensor2, value, true);
}

Tensor masked_fill(const Tensor& self, const Tensor& mask,
                   const Scalar& value) {
  AG_CAPTURE_RETURN("masked_fill", masked_fill(in[0], in[1], value), self, mask)
  check_fill_value_fits(value, self.dtype());
  Tensor out = masked_fill_out(self, mask, scalar_tensor(value, self.dtype()));
  if (auto fn = record<MaskedFillBackward>(self)) {
    fn->mask = SavedVariable(mask, false);
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] {
      return masked_fill(forward_ad::tangent(self), mask, Scalar(0.0));
    });
  }
  return out;
}

Tensor masked_fill(const Tensor& self, const Tensor& mask,
                   const Tensor& value) {
  AG_CHECK(value.dim() == 0,
           "masked_fill_ only supports a 0-dimensional value tensor, but got "
           "tensor with ",
           value.dim(), " dimension(s).");
  check_fill_value_fits(value.item(), self.dtype());
  Tensor out = masked_fill_out(self, mask, value);
  if (should_record_as<MaskedFillBackward>("MaskedFillBackward1", self,
                                           value)) {
    auto fn = make_node<MaskedFillBackward>(
        autograd::collect_next_edges(self, value), true);
    fn->mask = SavedVariable(mask, false);
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self, value)) {
    set_tangent(out, [&] {
      const Tensor value_t = forward_ad::tangent(value);
      return where(mask, value_t.defined() ? value_t : zeros({}, out.dtype()),
                   tangent_or_zeros(self));
    });
  }
  return out;
}

// ---- in place
// ----------------------------------------------------------------

Tensor& div_(Tensor& self, const Tensor& other, RoundingMode mode) {
  if (mode == RoundingMode::None) return div_(self, other);
  return apply_inplace(self, "div_", {other},
                       [&](const Tensor& s) { return div(s, other, mode); });
}

Tensor& floor_divide_(Tensor& self, const Tensor& other) {
  return apply_inplace(self, "floor_divide_", {other},
                       [&](const Tensor& s) { return floor_divide(s, other); });
}

Tensor& remainder_(Tensor& self, const Tensor& other) {
  return apply_inplace(self, "remainder_", {other},
                       [&](const Tensor& s) { return remainder(s, other); });
}

Tensor& neg_(Tensor& self) {
  return apply_inplace(self, "neg_", {},
                       [](const Tensor& s) { return neg(s); });
}

Tensor& pow_(Tensor& self, const Scalar& exponent) {
  return apply_inplace(self, "pow_", {},
                       [&](const Tensor& s) { return pow(s, exponent); });
}

Tensor& pow_(Tensor& self, const Tensor& exponent) {
  return apply_inplace(self, "pow_", {exponent},
                       [&](const Tensor& s) { return pow(s, exponent); });
}

Tensor& square_(Tensor& self) {
  return pow_(self, Scalar(int64_t{2}));
}

// PyTorch's in-place clamp to Python numbers names self's dtype as its C++
// type when the result can't be stored in it.
void check_clamp_scalar_inplace(const Tensor& self,
                                const std::optional<Scalar>& min,
                                const std::optional<Scalar>& max) {
  const Tensor lo = optional_wrap(min), hi = optional_wrap(max);
  check_inplace_dtype(self, promote_operands({&self, &lo, &hi}),
                      dtype_cpp_name);
}

Tensor& clamp_(Tensor& self, const std::optional<Scalar>& min,
               const std::optional<Scalar>& max) {
  check_clamp_scalar_inplace(self, min, max);
  return apply_inplace(self, "clamp_", {},
                       [&](const Tensor& s) { return clamp(s, min, max); });
}

Tensor& clamp_(Tensor& self, const Tensor& min, const Tensor& max) {
  return apply_inplace(self, "clamp_", {min, max},
                       [&](const Tensor& s) { return clamp(s, min, max); });
}

Tensor& clamp_min_(Tensor& self, const Scalar& min) {
  check_clamp_scalar_inplace(self, min, std::nullopt);
  return apply_inplace(self, "clamp_min_", {},
                       [&](const Tensor& s) { return clamp_min(s, min); });
}
Tensor& clamp_min_(Tensor& self, const Tensor& min) {
  return apply_inplace(self, "clamp_min_", {min},
                       [&](const Tensor& s) { return clamp_min(s, min); });
}
Tensor& clamp_max_(Tensor& self, const Scalar& max) {
  check_clamp_scalar_inplace(self, std::nullopt, max);
  return apply_inplace(self, "clamp_max_", {},
                       [&](const Tensor& s) { return clamp_max(s, max); });
}
Tensor& clamp_max_(Tensor& self, const Tensor& max) {
  return apply_inplace(self, "clamp_max_", {max},
                       [&](const Tensor& s) { return clamp_max(s, max); });
}

Tensor& lerp_(Tensor& self, const Tensor& end, const Scalar& weight) {
  return apply_inplace(self, "lerp_", {end},
                       [&](const Tensor& s) { return lerp(s, end, weight); });
}
Tensor& lerp_(Tensor& self, const Tensor& end, const Tensor& weight) {
  return apply_inplace(self, "lerp_", {end, weight},
                       [&](const Tensor& s) { return lerp(s, end, weight); });
}

Tensor& addcmul_(Tensor& self, const Tensor& tensor1, const Tensor& tensor2,
                 const Scalar& value) {
  return apply_inplace(
      self, "addcmul_", {tensor1, tensor2},
      [&](const Tensor& s) { return addcmul(s, tensor1, tensor2, value); });
}
Tensor& addcdiv_(Tensor& self, const Tensor& tensor1, const Tensor& tensor2,
                 const Scalar& value) {
  return apply_inplace(
      self, "addcdiv_", {tensor1, tensor2},
      [&](const Tensor& s) { return addcdiv(s, tensor1, tensor2, value); });
}

Tensor& masked_fill_(Tensor& self, const Tensor& mask, const Scalar& value) {
  return apply_inplace(self, "masked_fill_", {}, [&](const Tensor& s) {
    return masked_fill(s, mask, value);
  });
}
Tensor& masked_fill_(Tensor& self, const Tensor& mask, const Tensor& value) {
  return apply_inplace(self, "masked_fill_", {value}, [&](const Tensor& s) {
    return masked_fill(s, mask, value);
  });
}

}  // namespace ag::ops
