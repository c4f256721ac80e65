// Activations: relu, leaky_relu, elu, gelu, silu, softplus,
// hardtanh (relu6), and dropout. Forwards are single kernels written to stay
// finite for any finite input; backwards are compositions of differentiable
// ops (so they differentiate again), arranged so that no branch a `where`
// discards can produce inf or NaN at large |x|.

#include "compile/capture.h"
#include "kernels/fused.h"
#include "kernels/random.h"
#include "ops/op_utils.h"

namespace ag::ops {

namespace {

using kernels::UnaryOp;

// d(self) = grad * (result > 0)   (0 at 0: the minimum-norm subgradient)
struct ReluSpec {
  static constexpr const char* kName = "ReluBackward0";
  static constexpr bool kSavesResult = true;
  // PyTorch's threshold_backward: zero where result <= 0, grad elsewhere, so
  // a NaN result passes the gradient and an inf gradient is not made NaN.
  static Tensor backward(const Tensor& g, const Tensor& result) {
    if (Tensor fused = fused_backward(UnaryOp::Relu, g, result);
        fused.defined()) {
      return fused;
    }
    Tensor off;
    {
      NoGradGuard no_grad;
      off = le(result, wrap_scalar(Scalar(0.0)));
    }
    return where(off, zeros({}, g.dtype()), g);
  }
  // Note [Elementwise forward rules]
  static Tensor jvp(const Tensor& t, const Tensor& result) {
    return backward(t, result);
  }
};

Tensor no_grad_mask(const std::function<Tensor()>& f) {
  NoGradGuard no_grad;
  return f();
}

Tensor number(double v) {
  return wrap_scalar(Scalar(v));
}

// The forward kernel of a floating-point-only activation.
Tensor activation_out(UnaryOp op, const Tensor& self, const char* kernel_name,
                      double arg0 = 0.0, double arg1 = 0.0) {
  AG_CHECK_AS(NotImplementedError, is_floating(self.dtype()), "\"", kernel_name,
              "\" not implemented for '", dtype_legacy_name(self.dtype()), "'");
  Tensor out = empty_tensor(self.sizes(), self.dtype());
  kernels::unary(op, self, out, arg0, arg1);
  return out;
}

// An activation node that saves its input and some parameters. Its
// backward is elementwise, grad times a factor of self (Note [Elementwise
// forward rules]), so the same node applied to the tangent gives the
// output's tangent (record_activation).
class ActivationBackward : public Node {
 public:
  using Node::Node;
  static constexpr bool kForwardRule = true;
  SavedTensor self{this, "self"};
};

// d(self) = grad if self > 0 else grad * negative_slope
class LeakyReluBackward0 final : public ActivationBackward {
 public:
  using ActivationBackward::ActivationBackward;
  std::string name() const override { return "LeakyReluBackward0"; }
  variable_list apply(variable_list&& grads) override {
    const Tensor x = self.unpack();
    const Tensor pos = no_grad_mask([&] { return gt(x, number(0.0)); });
    return {where(pos, grads[0], mul(grads[0], number(negative_slope)))};
  }
  Saved<double> negative_slope{this, "negative_slope", 0.01};
};

// d(self) = grad * alpha * exp(self) where self <= 0, else grad. exp sees
// self only where self < 0 (0 elsewhere), so the discarded branch stays
// finite for self >> 0, and the second derivative at 0 is PyTorch's 0.
class EluBackward0 final : public ActivationBackward {
 public:
  using ActivationBackward::ActivationBackward;
  std::string name() const override { return "EluBackward0"; }
  variable_list apply(variable_list&& grads) override {
    const Tensor x = self.unpack();
    const Tensor neg_side = no_grad_mask([&] { return le(x, number(0.0)); });
    const Tensor strictly = no_grad_mask([&] { return lt(x, number(0.0)); });
    const Tensor d =
        mul(exp(where(strictly, x, zeros({}, x.dtype()))), number(alpha));
    return {where(neg_side, mul(grads[0], d), grads[0])};
  }
  Saved<double> alpha{this, "alpha", 1.0};
  // Always 1 here (selu's scales), saved as PyTorch does.
  Saved<double> input_scale{this, "input_scale", 1.0},
      scale{this, "scale", 1.0};
};

// none: d(self) = grad * (Phi(x) + x * phi(x))
// tanh: with u = sqrt(2/pi) (x + 0.044715 x^3), t = tanh(u):
//   d(self) = grad * (0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 *
//   0.044715 x^2))
class GeluBackward0 final : public ActivationBackward {
 public:
  using ActivationBackward::ActivationBackward;
  std::string name() const override { return "GeluBackward0"; }
  variable_list apply(variable_list&& grads) override {
    const Tensor x = self.unpack();
    const UnaryOp op = approximate == GeluApproximate::None ? UnaryOp::Gelu
                                                            : UnaryOp::GeluTanh;
    if (Tensor fused = fused_backward(op, grads[0], x); fused.defined()) {
      return {fused};
    }
    constexpr double kSqrt1_2 = 0.70710678118654752440;
    constexpr double kInvSqrt2Pi = 0.39894228040143267794;
    constexpr double kSqrt2OverPi = 0.79788456080286535588;
    constexpr double kKappa = 0.044715;
    Tensor d;
    if (approximate == GeluApproximate::None) {
      const Tensor cdf =
          mul(add(erf(mul(x, number(kSqrt1_2))), number(1.0)), number(0.5));
      const Tensor pdf =
          mul(exp(mul(mul(x, x), number(-0.5))), number(kInvSqrt2Pi));
      d = add(cdf, mul(x, pdf));
    } else {
      const Tensor x_sq = mul(x, x);
      const Tensor inner =
          mul(add(x, mul(mul(x_sq, x), number(kKappa))), number(kSqrt2OverPi));
      const Tensor t = tanh(inner);
      const Tensor left = mul(add(t, number(1.0)), number(0.5));
      const Tensor inner_d =
          mul(add(mul(x_sq, number(3.0 * kKappa)), number(1.0)),
              number(kSqrt2OverPi));
      const Tensor right =
          mul(mul(mul(x, number(0.5)), rsub(mul(t, t), Scalar(1.0))), inner_d);
      d = add(left, right);
    }
    return {mul(grads[0], d)};
  }
  GeluApproximate approximate = GeluApproximate::None;
};

// d(self) = grad * s * (1 + x * (1 - s)), s = sigmoid(x)
class SiluBackward0 final : public ActivationBackward {
 public:
  using ActivationBackward::ActivationBackward;
  std::string name() const override { return "SiluBackward0"; }
  variable_list apply(variable_list&& grads) override {
    const Tensor x = self.unpack();
    if (Tensor fused = fused_backward(UnaryOp::Silu, grads[0], x);
        fused.defined()) {
      return {fused};
    }
    const Tensor s = sigmoid(x);
    const Tensor d = mul(s, add(mul(x, rsub(s, Scalar(1.0))), number(1.0)));
    return {mul(grads[0], d)};
  }
};

// d(self) = grad * sigmoid(beta * x), or grad above the threshold. (PyTorch
// writes z / (z + 1) with z = exp(beta x), which is inf / inf for large x.)
class SoftplusBackward0 final : public ActivationBackward {
 public:
  using ActivationBackward::ActivationBackward;
  std::string name() const override { return "SoftplusBackward0"; }
  variable_list apply(variable_list&& grads) override {
    const Tensor x = self.unpack();
    const Tensor bx = mul(x, number(beta));
    const Tensor linear =
        no_grad_mask([&] { return gt(bx, number(threshold)); });
    return {where(linear, grads[0], mul(grads[0], sigmoid(bx)))};
  }
  Saved<double> beta{this, "beta", 1.0}, threshold{this, "threshold", 20.0};
};

// d(self) = grad where min_val < self < max_val, else 0
class HardtanhBackward0 final : public ActivationBackward {
 public:
  using ActivationBackward::ActivationBackward;
  std::string name() const override { return "HardtanhBackward0"; }
  variable_list apply(variable_list&& grads) override {
    const Tensor x = self.unpack();
    const Tensor outside = no_grad_mask([&] {
      return logical_or(le(x, number(min_val)), ge(x, number(max_val)));
    });
    return {where(outside, zeros({}, grads[0].dtype()), grads[0])};
  }
  Saved<double> min_val{this, "min_val", -1.0}, max_val{this, "max_val", 1.0};
};

// Records NodeT (its parameters set by `configure`) and, with forward AD,
// gives out the tangent: a NodeT outside the graph applied to self's.
template <typename NodeT, typename F>
void record_activation(const Tensor& self, Tensor& out, F&& configure) {
  if (auto fn = record<NodeT>(self)) {
    fn->self = SavedVariable(self, false);
    configure(*fn);
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] {
      NodeT rule{edge_list()};
      rule.self = SavedVariable(self, false);
      configure(rule);
      return rule.apply({forward_ad::tangent(self)})[0];
    });
  }
}
template <typename NodeT>
void record_activation(const Tensor& self, Tensor& out) {
  record_activation<NodeT>(self, out, [](NodeT&) {});
}

}  // namespace

Tensor relu(const Tensor& self) {
  AG_CAPTURE_RETURN("relu", relu(in[0]), self)
  AG_CHECK(self.dtype() != DType::Bool,
           "Boolean inputs not supported for relu");
  return unary_op<ReluSpec>(self, UnaryOp::Relu, IntegerInputs::Keep);
}

Tensor leaky_relu(const Tensor& self, double negative_slope) {
  AG_CAPTURE_RETURN("leaky_relu", leaky_relu(in[0], negative_slope), self)
  Tensor out = activation_out(UnaryOp::LeakyRelu, self, "leaky_relu_cpu",
                              negative_slope);
  record_activation<LeakyReluBackward0>(
      self, out, [&](auto& fn) { fn.negative_slope = negative_slope; });
  return out;
}

Tensor elu(const Tensor& self, double alpha) {
  AG_CAPTURE_RETURN("elu", elu(in[0], alpha), self)
  Tensor out = activation_out(UnaryOp::Elu, self, "elu_cpu", alpha);
  record_activation<EluBackward0>(self, out,
                                  [&](auto& fn) { fn.alpha = alpha; });
  return out;
}

Tensor gelu(const Tensor& self, GeluApproximate approximate) {
  AG_CAPTURE_RETURN("gelu", gelu(in[0], approximate), self)
  Tensor out = activation_out(
      approximate == GeluApproximate::None ? UnaryOp::Gelu : UnaryOp::GeluTanh,
      self, "GeluKernelImpl");
  record_activation<GeluBackward0>(
      self, out, [&](auto& fn) { fn.approximate = approximate; });
  return out;
}

Tensor silu(const Tensor& self) {
  AG_CAPTURE_RETURN("silu", silu(in[0]), self)
  Tensor out = activation_out(UnaryOp::Silu, self, "silu_cpu");
  record_activation<SiluBackward0>(self, out);
  return out;
}

Tensor softplus(const Tensor& self, double beta, double threshold) {
  AG_CAPTURE_RETURN("softplus", softplus(in[0], beta, threshold), self)
  Tensor out =
      activation_out(UnaryOp::Softplus, self, "softplus_cpu", beta, threshold);
  record_activation<SoftplusBackward0>(self, out, [&](auto& fn) {
    fn.beta = beta;
    fn.threshold = threshold;
  });
  return out;
}

Tensor hardtanh(const Tensor& self, double min_val, double max_val) {
  AG_CAPTURE_RETURN("hardtanh", hardtanh(in[0], min_val, max_val), self)
  AG_CHECK(self.dtype() != DType::Bool,
           "Bool inputs not supported for hardtanh");
  // min_val > max_val is allowed here, as in PyTorch's kernel (every element
  // becomes max_val); only F.hardtanh rejects it, in Python.
  // The bounds take self's dtype: hardtanh never promotes.
  auto bound = [&](double v) {
    return is_floating(self.dtype()) ? Scalar(v)
                                     : Scalar(static_cast<int64_t>(v));
  };
  Tensor out;
  {
    NoGradGuard no_grad;
    out = clamp(self, bound(min_val), bound(max_val));
  }
  record_activation<HardtanhBackward0>(self, out, [&](auto& fn) {
    fn.min_val = min_val;
    fn.max_val = max_val;
  });
  return out;
}

Tensor relu6(const Tensor& self) {
  return hardtanh(self, 0.0, 6.0);
}

namespace {
// The scaled keep-mask of dropout: 1 / (1 - p) with probability 1 - p, else
// 0, in self's dtype.
Tensor dropout_mask(const Tensor& self, double p) {
  AG_CHECK(is_floating(self.dtype()),
           "result type Float can't be cast to the "
           "desired output type ",
           dtype_legacy_name(self.dtype()));
  if (p == 1.0) return zeros({}, self.dtype());
  // bernoulli_(1 - p) as PyTorch draws it, so a seed gives its masks.
  const Tensor keep = empty_tensor(self.sizes(), self.dtype());
  kernels::bernoulli(keep, 1.0 - p, nullptr);
  kernels::binary(kernels::BinaryOp::Div, keep,
                  scalar_tensor(Scalar(1.0 - p), self.dtype()), keep);
  return keep;
}

void check_dropout_p(double p) {
  AG_CHECK_AS(ValueError, p >= 0.0 && p <= 1.0,
              "dropout probability has to be between 0 and 1, but got ", p);
}
}  // namespace

Tensor dropout(const Tensor& self, double p, bool train) {
  AG_CAPTURE_RETURN("dropout", dropout(in[0], p, train), self)
  check_dropout_p(p);
  if (p == 0.0 || !train || self.numel() == 0) return self;
  return mul(self, dropout_mask(self, p));
}

Tensor& dropout_(Tensor& self, double p, bool train) {
  check_dropout_p(p);
  if (p == 0.0 || !train || self.numel() == 0) return self;
  return mul_(self, dropout_mask(self, p));
}

Tensor& relu_(Tensor& self) {
  AG_CAPTURE_INPLACE(self, "relu_", relu_(s), self)
  return apply_inplace(self, "relu_", {},
                       [](const Tensor& s) { return relu(s); });
}
Tensor& leaky_relu_(Tensor& self, double negative_slope) {
  return apply_inplace(self, "leaky_relu_", {}, [=](const Tensor& s) {
    return leaky_relu(s, negative_slope);
  });
}
Tensor& elu_(Tensor& self, double alpha) {
  return apply_inplace(self, "elu_", {},
                       [=](const Tensor& s) { return elu(s, alpha); });
}
Tensor& silu_(Tensor& self) {
  return apply_inplace(self, "silu_", {},
                       [](const Tensor& s) { return silu(s); });
}
Tensor& hardtanh_(Tensor& self, double min_val, double max_val) {
  return apply_inplace(self, "hardtanh_", {}, [=](const Tensor& s) {
    return hardtanh(s, min_val, max_val);
  });
}

}  // namespace ag::ops
