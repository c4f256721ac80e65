// Unary math: the declared ops of decl/unary.h (exp, log, sin, sigmoid,
// logsigmoid, ...: their Specs here, forwards generated below), abs, sign,
// and rounding (floor, ceil, round, trunc). Integer inputs of the declared
// float ops compute in the default float dtype, as in PyTorch; rounding
// keeps integer dtypes.

#include <cmath>

#include "compile/capture.h"
#include "ops/op_utils.h"

namespace ag::ops {

namespace {

using kernels::UnaryOp;

// d(self) = grad * result
struct ExpSpec {
  static constexpr const char* kName = "ExpBackward0";
  static constexpr bool kSavesResult = true;
  static Tensor backward(const Tensor& g, const Tensor& result) {
    return mul(g, result);
  }
  // Note [Elementwise forward rules]
  static Tensor jvp(const Tensor& t, const Tensor& result) {
    return backward(t, result);
  }
};

// d(self) = grad / self
struct LogSpec {
  static constexpr const char* kName = "LogBackward0";
  static constexpr bool kSavesResult = false;
  static Tensor backward(const Tensor& g, const Tensor& self) {
    return div(g, self);
  }
  // Note [Elementwise forward rules]
  static Tensor jvp(const Tensor& t, const Tensor& self) {
    return backward(t, self);
  }
};

// d(self) = grad / (1 + self)
struct Log1pSpec {
  static constexpr const char* kName = "Log1PBackward0";
  static constexpr bool kSavesResult = false;
  static Tensor backward(const Tensor& g, const Tensor& self) {
    return div(g, add(self, wrap_scalar(Scalar(1.0))));
  }
  // Note [Elementwise forward rules]
  static Tensor jvp(const Tensor& t, const Tensor& self) {
    return backward(t, self);
  }
};

// d(self) = grad / (2 * result)   (inf at 0, as the limit)
struct SqrtSpec {
  static constexpr const char* kName = "SqrtBackward0";
  static constexpr bool kSavesResult = true;
  static Tensor backward(const Tensor& g, const Tensor& result) {
    return div(g, mul(result, wrap_scalar(Scalar(2.0))));
  }
  // Note [Elementwise forward rules]
  static Tensor jvp(const Tensor& t, const Tensor& result) {
    return backward(t, result);
  }
};

// d(self) = grad * cos(self)
struct SinSpec {
  static constexpr const char* kName = "SinBackward0";
  static constexpr bool kSavesResult = false;
  static Tensor backward(const Tensor& g, const Tensor& self) {
    return mul(g, cos(self));
  }
  // Note [Elementwise forward rules]
  static Tensor jvp(const Tensor& t, const Tensor& self) {
    return backward(t, self);
  }
};

// d(self) = -grad * sin(self)
struct CosSpec {
  static constexpr const char* kName = "CosBackward0";
  static constexpr bool kSavesResult = false;
  static Tensor backward(const Tensor& g, const Tensor& self) {
    return mul(g, neg(sin(self)));
  }
  // Note [Elementwise forward rules]
  static Tensor jvp(const Tensor& t, const Tensor& self) {
    return backward(t, self);
  }
};

// d(self) = grad * (1 - result^2)
struct TanhSpec {
  static constexpr const char* kName = "TanhBackward0";
  static constexpr bool kSavesResult = true;
  static Tensor backward(const Tensor& g, const Tensor& result) {
    if (Tensor fused = fused_backward(kernels::UnaryOp::Tanh, g, result);
        fused.defined()) {
      return fused;
    }
    return mul(g, rsub(mul(result, result), Scalar(1.0)));
  }
  // Note [Elementwise forward rules]
  static Tensor jvp(const Tensor& t, const Tensor& result) {
    return backward(t, result);
  }
};

// d(self) = grad * sign(self)   (0 at 0)
struct AbsSpec {
  static constexpr const char* kName = "AbsBackward0";
  static constexpr bool kSavesResult = false;
  static Tensor backward(const Tensor& g, const Tensor& self) {
    return mul(g, sign(self));
  }
  // Note [Elementwise forward rules]
  static Tensor jvp(const Tensor& t, const Tensor& self) {
    return backward(t, self);
  }
};

// d(self) = grad * (result + 1)
struct Expm1Spec {
  static constexpr const char* kName = "Expm1Backward0";
  static constexpr bool kSavesResult = true;
  static Tensor backward(const Tensor& g, const Tensor& result) {
    return mul(g, add(result, wrap_scalar(Scalar(1.0))));
  }
  // Note [Elementwise forward rules]
  static Tensor jvp(const Tensor& t, const Tensor& result) {
    return backward(t, result);
  }
};

// d(self) = grad / (self * ln 2)
struct Log2Spec {
  static constexpr const char* kName = "Log2Backward0";
  static constexpr bool kSavesResult = false;
  static Tensor backward(const Tensor& g, const Tensor& self) {
    return div(g, mul(self, wrap_scalar(Scalar(0.69314718055994530942))));
  }
  // Note [Elementwise forward rules]
  static Tensor jvp(const Tensor& t, const Tensor& self) {
    return backward(t, self);
  }
};

// d(self) = grad / (self * ln 10)
struct Log10Spec {
  static constexpr const char* kName = "Log10Backward0";
  static constexpr bool kSavesResult = false;
  static Tensor backward(const Tensor& g, const Tensor& self) {
    return div(g, mul(self, wrap_scalar(Scalar(2.30258509299404568402))));
  }
  // Note [Elementwise forward rules]
  static Tensor jvp(const Tensor& t, const Tensor& self) {
    return backward(t, self);
  }
};

// d(self) = -grad * result^3 / 2
struct RsqrtSpec {
  static constexpr const char* kName = "RsqrtBackward0";
  static constexpr bool kSavesResult = true;
  static Tensor backward(const Tensor& g, const Tensor& result) {
    return mul(mul(g, wrap_scalar(Scalar(-0.5))),
               pow(result, Scalar(int64_t{3})));
  }
  // Note [Elementwise forward rules]
  static Tensor jvp(const Tensor& t, const Tensor& result) {
    return backward(t, result);
  }
};

// d(self) = -grad * result^2
struct ReciprocalSpec {
  static constexpr const char* kName = "ReciprocalBackward0";
  static constexpr bool kSavesResult = true;
  static Tensor backward(const Tensor& g, const Tensor& result) {
    return mul(neg(g), mul(result, result));
  }
  // Note [Elementwise forward rules]
  static Tensor jvp(const Tensor& t, const Tensor& result) {
    return backward(t, result);
  }
};

// d(self) = grad * (1 + result^2)
struct TanSpec {
  static constexpr const char* kName = "TanBackward0";
  static constexpr bool kSavesResult = true;
  static Tensor backward(const Tensor& g, const Tensor& result) {
    return mul(g, add(mul(result, result), wrap_scalar(Scalar(1.0))));
  }
  // Note [Elementwise forward rules]
  static Tensor jvp(const Tensor& t, const Tensor& result) {
    return backward(t, result);
  }
};

// d(self) = grad * 2 / sqrt(pi) * exp(-self^2)
struct ErfSpec {
  static constexpr const char* kName = "ErfBackward0";
  static constexpr bool kSavesResult = false;
  static Tensor backward(const Tensor& g, const Tensor& self) {
    const Tensor d = mul(exp(neg(mul(self, self))),
                         wrap_scalar(Scalar(1.12837916709551257390)));
    return mul(g, d);
  }
  // Note [Elementwise forward rules]
  static Tensor jvp(const Tensor& t, const Tensor& self) {
    return backward(t, self);
  }
};

// d(self) = grad * sqrt(pi) / 2 * exp(erfinv(self)^2)
struct ErfinvSpec {
  static constexpr const char* kName = "ErfinvBackward0";
  static constexpr bool kSavesResult = false;
  static Tensor backward(const Tensor& g, const Tensor& self) {
    const Tensor r = erfinv(self);
    const Tensor d =
        mul(exp(mul(r, r)), wrap_scalar(Scalar(0.88622692545275801365)));
    return mul(g, d);
  }
  // Note [Elementwise forward rules]
  static Tensor jvp(const Tensor& t, const Tensor& self) {
    return backward(t, self);
  }
};

// d(self) = grad * result * (1 - result)
struct SigmoidSpec {
  static constexpr const char* kName = "SigmoidBackward0";
  static constexpr bool kSavesResult = true;
  static Tensor backward(const Tensor& g, const Tensor& result) {
    if (Tensor fused = fused_backward(kernels::UnaryOp::Sigmoid, g, result);
        fused.defined()) {
      return fused;
    }
    return mul(g, mul(result, rsub(result, Scalar(1.0))));
  }
  // Note [Elementwise forward rules]
  static Tensor jvp(const Tensor& t, const Tensor& result) {
    return backward(t, result);
  }
};

// d(self) = grad * sigmoid(-self)   (= grad * (1 - sigmoid(self)))
// d(self) = 0 up to -3, grad * (self / 3 + 1/2) between, grad from 3 on
// (PyTorch's choice at the kinks)
struct HardswishSpec {
  static constexpr const char* kName = "HardswishBackward0";
  static constexpr const char* kKernelName = "hardswish_cpu";
  static constexpr bool kSavesResult = false;
  static Tensor backward(const Tensor& g, const Tensor& self) {
    Tensor below, ramp;
    {
      NoGradGuard no_grad;
      below = le(self, scalar_tensor(Scalar(-3.0), self.dtype()));
      ramp = lt(self, scalar_tensor(Scalar(3.0), self.dtype()));
    }
    const Tensor slope =
        add(div(self, wrap_scalar(Scalar(3.0))), wrap_scalar(Scalar(0.5)));
    return where(below, zeros({}, g.dtype()), where(ramp, mul(g, slope), g));
  }
  // Note [Elementwise forward rules]
  static Tensor jvp(const Tensor& t, const Tensor& self) {
    return backward(t, self);
  }
};

struct LogSigmoidSpec {
  static constexpr const char* kName = "LogSigmoidBackward0";
  static constexpr const char* kKernelName = "log_sigmoid_cpu";
  static constexpr bool kSavesResult = false;
  static Tensor backward(const Tensor& g, const Tensor& self) {
    return mul(g, sigmoid(neg(self)));
  }
  // Note [Elementwise forward rules]
  static Tensor jvp(const Tensor& t, const Tensor& self) {
    return backward(t, self);
  }
};

}  // namespace

// The declared ops' forwards and in-place forms (decl/unary.h).
#define AG_DEFINE_UNARY(name, Name, ...)                                      \
  Tensor name(const Tensor& self) {                                           \
    AG_CAPTURE_RETURN(#name, name(in[0]), self)                               \
    return unary_op<Name##Spec>(self, UnaryOp::Name, IntegerInputs::ToFloat); \
  }                                                                           \
  Tensor& name##_(Tensor& self) {                                             \
    AG_CAPTURE_INPLACE(self, #name "_", name##_(s), self)                     \
    return apply_inplace(self, #name "_", {},                                 \
                         [](const Tensor& s) { return name(s); });            \
  }
AG_UNARY_FLOAT_OPS(AG_DEFINE_UNARY)
#undef AG_DEFINE_UNARY
#define AG_DEFINE_UNARY_NN(name, Name, ...)                                \
  Tensor name(const Tensor& self) {                                        \
    AG_CAPTURE_RETURN(#name, name(in[0]), self)                            \
    return unary_op<Name##Spec>(self, UnaryOp::Name, IntegerInputs::Raise, \
                                Name##Spec::kKernelName);                  \
  }
AG_UNARY_NN_OPS(AG_DEFINE_UNARY_NN)
#undef AG_DEFINE_UNARY_NN

Tensor abs(const Tensor& self) {
  // The one integral dtype PyTorch's abs kernel lacks.
  AG_CHECK_AS(NotImplementedError, self.dtype() != DType::Bool,
              "\"abs_cpu\" not implemented for 'Bool'");
  return unary_op<AbsSpec>(self, UnaryOp::Abs, IntegerInputs::Keep);
}

// d(self) = 0: sign is piecewise constant.
namespace {
class SignBackward0 final : public Node {
 public:
  AG_NODE(SignBackward0);
  static constexpr bool kForwardRule = true;  // tangent = 0
  variable_list apply(variable_list&& grads) override {
    return {zeros(grads[0].sizes(), grads[0].dtype())};
  }
};
}  // namespace

Tensor sign(const Tensor& self) {
  Tensor out = empty_tensor(self.sizes(), self.dtype());
  kernels::unary(UnaryOp::Sign, self, out);
  if (auto fn = record<SignBackward0>(self)) autograd::set_history(out, fn);
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] { return zeros(out.sizes(), out.dtype()); });
  }
  return out;
}

// ---- rounding -------------------------------------------------------------

namespace {

// d(self) = 0: rounding is piecewise constant.
class RoundingBackward : public Node {
 public:
  RoundingBackward(edge_list&& edges, const char* name)
      : Node(std::move(edges)), name_(name) {}
  static constexpr bool kForwardRule = true;  // tangent = 0
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& grads) override {
    return {zeros(grads[0].sizes(), grads[0].dtype())};
  }

 private:
  const char* name_;
};

Tensor record_rounding(const Tensor& self, Tensor out, const char* node) {
  if (should_record_as<RoundingBackward>(node, self)) {
    autograd::set_history(out, make_node<RoundingBackward>(
                                   autograd::collect_next_edges(self), node));
  }
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] { return zeros(out.sizes(), out.dtype()); });
  }
  return out;
}

Tensor rounding(UnaryOp op, const Tensor& self, const char* kernel_name,
                const char* node) {
  AG_CHECK_AS(NotImplementedError, self.dtype() != DType::Bool, "\"",
              kernel_name, "\" not implemented for 'Bool'");
  Tensor out = empty_tensor(self.sizes(), self.dtype());
  kernels::unary(op, self, out);
  return record_rounding(self, out, node);
}

}  // namespace

Tensor floor(const Tensor& self) {
  return rounding(UnaryOp::Floor, self, "floor_vml_cpu", "FloorBackward0");
}
Tensor ceil(const Tensor& self) {
  return rounding(UnaryOp::Ceil, self, "ceil_vml_cpu", "CeilBackward0");
}
Tensor trunc(const Tensor& self) {
  return rounding(UnaryOp::Trunc, self, "trunc_vml_cpu", "TruncBackward0");
}
Tensor round(const Tensor& self) {
  return rounding(UnaryOp::Round, self, "round_vml_cpu", "RoundBackward0");
}

// As PyTorch: nearbyint(x * 10^d) / 10^d, or nearbyint(x / 10^-d) * 10^-d
// for negative d, with 10^d in the tensor's dtype.
Tensor round(const Tensor& self, int64_t decimals) {
  AG_CHECK_AS(NotImplementedError, is_floating(self.dtype()), "\"",
              decimals == 0 ? "round_vml_cpu" : "round_cpu",
              "\" not implemented for '", dtype_legacy_name(self.dtype()), "'");
  const bool negative = decimals < 0;
  const Tensor ten_pow = scalar_tensor(
      Scalar(
          std::pow(10.0, static_cast<double>(negative ? -decimals : decimals))),
      self.dtype());
  Tensor out = empty_tensor(self.sizes(), self.dtype());
  kernels::binary(negative ? kernels::BinaryOp::Div : kernels::BinaryOp::Mul,
                  self, ten_pow, out);
  kernels::unary(UnaryOp::Round, out, out);
  kernels::binary(negative ? kernels::BinaryOp::Mul : kernels::BinaryOp::Div,
                  out, ten_pow, out);
  return record_rounding(self, out, "RoundBackward1");
}

// ---- in place ---------------------------------------------------------------

namespace {
template <Tensor (*Op)(const Tensor&)>
Tensor& inplace(Tensor& self, const char* name) {
  return apply_inplace(self, name, {}, [](const Tensor& s) { return Op(s); });
}
}  // namespace

Tensor& abs_(Tensor& self) {
  return inplace<abs>(self, "abs_");
}
Tensor& sign_(Tensor& self) {
  return inplace<sign>(self, "sign_");
}
Tensor& floor_(Tensor& self) {
  return inplace<floor>(self, "floor_");
}
Tensor& ceil_(Tensor& self) {
  return inplace<ceil>(self, "ceil_");
}
Tensor& trunc_(Tensor& self) {
  return inplace<trunc>(self, "trunc_");
}
Tensor& round_(Tensor& self) {
  return apply_inplace(self, "round_", {},
                       [](const Tensor& s) { return round(s); });
}
Tensor& round_(Tensor& self, int64_t decimals) {
  return apply_inplace(self, "round_", {},
                       [=](const Tensor& s) { return round(s, decimals); });
}

}  // namespace ag::ops
