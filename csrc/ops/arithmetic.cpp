// Elementwise arithmetic: add, sub, rsub, mul, div, neg, pow, where, and the
// in-place forms. Gradients come out in the broadcast shape; the engine sums
// them down to each input's shape.

#include "ops/op_utils.h"

namespace ag::ops {

namespace {

using kernels::BinaryOp;

Tensor binary_out(BinaryOp op, const Tensor& a, const Tensor& b, DType compute,
                  const Scalar& alpha = Scalar(int64_t{1})) {
  const Shape shape = a.sizes() == b.sizes()
                          ? a.sizes()
                          : broadcast_shapes(a.sizes(), b.sizes());
  Tensor out = empty_tensor(shape, compute);
  kernels::binary(op, cast_data(a, compute), cast_data(b, compute), out, alpha);
  return out;
}

// Writes op(self, other) into self after checking dtype and shape.
void binary_inplace(BinaryOp op, Tensor& self, const Tensor& other,
                    DType result, const char* name,
                    const Scalar& alpha = Scalar(int64_t{1})) {
  check_inplace_dtype(self, result, name);
  const Shape shape = broadcast_shapes(self.sizes(), other.sizes());
  AG_CHECK(shape == self.sizes(), "output with shape ", shape_str(self.sizes()),
           " doesn't match the broadcast shape ", shape_str(shape));
  check_no_internal_overlap(self);
  kernels::binary(op, self, cast_data(other, self.dtype()), self, alpha);
  self.impl()->bump_version();
}

void check_not_bool_sub(const Tensor& a, const Tensor& b) {
  AG_CHECK(!(a.dtype() == DType::Bool && b.dtype() == DType::Bool),
           "Subtraction, the `-` operator, with two bool tensors is not "
           "supported. Use the `^` or `logical_xor()` operator instead.");
}

DType true_div_type(const Tensor& a, const Tensor& b) {
  const DType t = result_type(a, b);
  return is_floating(t) ? t : default_dtype();
}

// d(self) = grad ; d(other) = grad * alpha
class AddBackward0 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "AddBackward0"; }
  variable_list apply(variable_list&& grads) override {
    variable_list out(2);
    if (should_compute_output(0)) out[0] = grads[0];
    if (should_compute_output(1)) {
      out[1] = alpha.to<double>() == 1.0 ? grads[0]
                                         : mul(grads[0], wrap_scalar(alpha));
    }
    return out;
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("alpha", scalar_field(alpha));
  }
  Scalar alpha;
};

// d(self) = grad ; d(other) = -grad * alpha
class SubBackward0 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "SubBackward0"; }
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
  void visit_saved(SavedVisitor& v) const override {
    v.visit("alpha", scalar_field(alpha));
  }
  Scalar alpha;
};

// d(self) = -grad * alpha
class RsubBackward1 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "RsubBackward1"; }
  variable_list apply(variable_list&& grads) override {
    return {mul(grads[0], wrap_scalar(Scalar(-alpha.to<double>())))};
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("alpha", scalar_field(alpha));
  }
  Scalar alpha;
};

// d(self) = grad * other ; d(other) = grad * self
class MulBackward0 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "MulBackward0"; }
  variable_list apply(variable_list&& grads) override {
    variable_list out(2);
    if (should_compute_output(0)) out[0] = mul(grads[0], other.unpack());
    if (should_compute_output(1)) out[1] = mul(grads[0], self.unpack());
    return out;
  }
  void release_variables() override {
    self.release();
    other.release();
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("other", other);
    v.visit("self", self);
  }
  SavedVariable self, other;
};

// d(self) = grad / other ; d(other) = -grad * self / other^2
class DivBackward0 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "DivBackward0"; }
  variable_list apply(variable_list&& grads) override {
    variable_list out(2);
    const Tensor o = other.unpack();
    if (should_compute_output(0)) out[0] = div(grads[0], o);
    if (should_compute_output(1)) {
      out[1] = neg(div(mul(grads[0], self.unpack()), mul(o, o)));
    }
    return out;
  }
  void release_variables() override {
    self.release();
    other.release();
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("other", other);
    v.visit("self", self);
  }
  SavedVariable self, other;
};

// d(self) = -grad
class NegBackward0 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "NegBackward0"; }
  variable_list apply(variable_list&& grads) override {
    return {neg(grads[0])};
  }
};

// d(self) = grad * exponent * self^(exponent - 1)   (0 when exponent == 0)
class PowBackward0 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "PowBackward0"; }
  variable_list apply(variable_list&& grads) override {
    const Tensor s = self.unpack();
    if (exponent.to<double>() == 0.0) return {zeros(s.sizes(), s.dtype())};
    const double e = exponent.to<double>();
    const Tensor d = e == 2.0
                         ? mul(s, wrap_scalar(Scalar(2.0)))
                         : mul(pow(s, Scalar(e - 1.0)), wrap_scalar(Scalar(e)));
    return {mul(grads[0], d)};
  }
  void release_variables() override { self.release(); }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("exponent", scalar_field(exponent));
    v.visit("self", self);
  }
  SavedVariable self;
  Scalar exponent;
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

// d(self) = grad * exponent * self^(exponent - 1)
// d(exponent) = grad * result * log(self)
class PowBackward1 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "PowBackward1"; }
  variable_list apply(variable_list&& grads) override {
    variable_list out(2);
    const Tensor s = self.unpack();
    const Tensor e = exponent.unpack();
    if (should_compute_output(0)) {
      const Tensor d = mul(e, pow(s, sub(e, wrap_scalar(Scalar(1.0)))));
      const Tensor zero_exp = [&] {
        NoGradGuard no_grad;
        return eq(e, wrap_scalar(Scalar(0.0)));
      }();
      out[0] = mul(grads[0], where(zero_exp, zeros({}, d.dtype()), d));
    }
    if (should_compute_output(1)) {
      out[1] =
          pow_exponent_grad(grads[0], s, e, result.unpack(shared_from_this()));
    }
    return out;
  }
  void release_variables() override {
    self.release();
    exponent.release();
    result.release();
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("exponent", exponent);
    v.visit("result", result);
    v.visit("self", self);
  }
  SavedVariable self, exponent, result;
};

// d(exponent) = grad * result * log(self)   (self a number)
class PowBackward2 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "PowBackward2"; }
  variable_list apply(variable_list&& grads) override {
    const Tensor e = exponent.unpack();
    return {pow_exponent_grad(grads[0], wrap_scalar(self), e,
                              result.unpack(shared_from_this()))};
  }
  void release_variables() override {
    exponent.release();
    result.release();
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("exponent", exponent);
    v.visit("result", result);
    v.visit("self", scalar_field(self));
  }
  Scalar self;
  SavedVariable exponent, result;
};

// d(self) = where(cond, grad, 0) ; d(other) = where(cond, 0, grad)
class WhereBackward0 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "WhereBackward0"; }
  variable_list apply(variable_list&& grads) override {
    variable_list out(2);
    const Tensor c = condition.unpack();
    const Tensor zero = zeros({}, grads[0].dtype());
    if (should_compute_output(0)) out[0] = where(c, grads[0], zero);
    if (should_compute_output(1)) out[1] = where(c, zero, grads[0]);
    return out;
  }
  void release_variables() override { condition.release(); }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("condition", condition);
  }
  SavedVariable condition;
};

void check_int_pow_exponent(const Tensor& base_like, const Tensor& exponent) {
  if (is_floating(base_like.dtype()) || is_floating(exponent.dtype())) return;
  const Tensor negative = lt(exponent, wrap_scalar(Scalar(int64_t{0})));
  const Tensor any = sum(negative);
  AG_CHECK(any.item().to<int64_t>() == 0,
           "Integers to negative integer powers are not allowed.");
}

}  // namespace

Tensor add(const Tensor& self, const Tensor& other, const Scalar& alpha) {
  Tensor out =
      binary_out(BinaryOp::Add, self, other, result_type(self, other), alpha);
  if (auto fn = record<AddBackward0>(self, other)) {
    fn->alpha = alpha;
    autograd::set_history(out, fn);
  }
  return out;
}

Tensor sub(const Tensor& self, const Tensor& other, const Scalar& alpha) {
  check_not_bool_sub(self, other);
  Tensor out =
      binary_out(BinaryOp::Sub, self, other, result_type(self, other), alpha);
  if (auto fn = record<SubBackward0>(self, other)) {
    fn->alpha = alpha;
    autograd::set_history(out, fn);
  }
  return out;
}

Tensor rsub(const Tensor& self, const Scalar& other, const Scalar& alpha) {
  const Tensor wrapped = wrap_scalar(other);
  check_not_bool_sub(self, wrapped);
  Tensor out = binary_out(BinaryOp::Sub, wrapped, self,
                          result_type(self, wrapped), alpha);
  if (auto fn = record<RsubBackward1>(self)) {
    fn->alpha = alpha;
    autograd::set_history(out, fn);
  }
  return out;
}

Tensor mul(const Tensor& self, const Tensor& other) {
  Tensor out = binary_out(BinaryOp::Mul, self, other, result_type(self, other));
  if (auto fn = record<MulBackward0>(self, other)) {
    if (fn->should_compute_output(0)) fn->other = SavedVariable(other, false);
    if (fn->should_compute_output(1)) fn->self = SavedVariable(self, false);
    autograd::set_history(out, fn);
  }
  return out;
}

Tensor div(const Tensor& self, const Tensor& other) {
  Tensor out =
      binary_out(BinaryOp::Div, self, other, true_div_type(self, other));
  if (auto fn = record<DivBackward0>(self, other)) {
    fn->other = SavedVariable(other, false);
    if (fn->should_compute_output(1)) fn->self = SavedVariable(self, false);
    autograd::set_history(out, fn);
  }
  return out;
}

Tensor neg(const Tensor& self) {
  AG_CHECK(self.dtype() != DType::Bool,
           "Negation, the `-` operator, on a bool tensor is not supported. If "
           "you are trying to invert a mask, use the `~` or `logical_not()` "
           "operator instead.");
  Tensor out = empty_tensor(self.sizes(), self.dtype());
  kernels::unary(kernels::UnaryOp::Neg, self, out);
  if (auto fn = record<NegBackward0>(self)) autograd::set_history(out, fn);
  return out;
}

Tensor pow(const Tensor& self, const Scalar& exponent) {
  const Tensor wrapped = wrap_scalar(exponent);
  check_int_pow_exponent(self, wrapped);
  Tensor out =
      binary_out(BinaryOp::Pow, self, wrapped, result_type(self, wrapped));
  if (auto fn = record<PowBackward0>(self)) {
    fn->self = SavedVariable(self, false);
    fn->exponent = exponent;
    autograd::set_history(out, fn);
  }
  return out;
}

Tensor pow(const Tensor& self, const Tensor& exponent) {
  if (exponent.impl()->is_wrapped_number()) return pow(self, exponent.item());
  check_int_pow_exponent(self, exponent);
  Tensor out =
      binary_out(BinaryOp::Pow, self, exponent, result_type(self, exponent));
  if (auto fn = record<PowBackward1>(self, exponent)) {
    fn->self = SavedVariable(self, false);
    fn->exponent = SavedVariable(exponent, false);
    autograd::set_history(out, fn);
    if (fn->should_compute_output(1)) fn->result = SavedVariable(out, true);
  }
  return out;
}

Tensor pow(const Scalar& self, const Tensor& exponent) {
  const Tensor wrapped = wrap_scalar(self);
  check_int_pow_exponent(wrapped, exponent);
  Tensor out = binary_out(BinaryOp::Pow, wrapped, exponent,
                          result_type(wrapped, exponent));
  if (auto fn = record<PowBackward2>(exponent)) {
    fn->self = self;
    fn->exponent = SavedVariable(exponent, false);
    autograd::set_history(out, fn);
    fn->result = SavedVariable(out, true);
  }
  return out;
}

Tensor where(const Tensor& cond, const Tensor& self, const Tensor& other) {
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
  return out;
}

Tensor& add_(Tensor& self, const Tensor& other, const Scalar& alpha) {
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
