// Unary math: exp, expm1, log, log1p, log2, log10, sqrt, rsqrt, reciprocal,
// sin, cos, tan, tanh, erf, abs, sign, and rounding (floor, ceil, round,
// trunc). Integer inputs of the transcendental ops compute in the default float
// dtype, as in PyTorch; rounding keeps integer dtypes.

#include <cmath>

#include "ops/op_utils.h"

namespace ag::ops {

namespace {

using kernels::UnaryOp;

// d(self) = grad * result
struct ExpSpec {
  static constexpr const char* kName = "ExpBackward0";
  static constexpr bool kSavesResult = true;
  static constexpr UnaryOp kOp = UnaryOp::Exp;
  static constexpr bool kFloating = true;
  static Tensor backward(const Tensor& g, const Tensor& result) {
    return mul(g, result);
  }
};

// d(self) = grad / self
struct LogSpec {
  static constexpr const char* kName = "LogBackward0";
  static constexpr bool kSavesResult = false;
  static constexpr UnaryOp kOp = UnaryOp::Log;
  static constexpr bool kFloating = true;
  static Tensor backward(const Tensor& g, const Tensor& self) {
    return div(g, self);
  }
};

// d(self) = grad / (1 + self)
struct Log1pSpec {
  static constexpr const char* kName = "Log1PBackward0";
  static constexpr bool kSavesResult = false;
  static constexpr UnaryOp kOp = UnaryOp::Log1p;
  static constexpr bool kFloating = true;
  static Tensor backward(const Tensor& g, const Tensor& self) {
    return div(g, add(self, wrap_scalar(Scalar(1.0))));
  }
};

// d(self) = grad / (2 * result)   (inf at 0, as the limit)
struct SqrtSpec {
  static constexpr const char* kName = "SqrtBackward0";
  static constexpr bool kSavesResult = true;
  static constexpr UnaryOp kOp = UnaryOp::Sqrt;
  static constexpr bool kFloating = true;
  static Tensor backward(const Tensor& g, const Tensor& result) {
    return div(g, mul(result, wrap_scalar(Scalar(2.0))));
  }
};

// d(self) = grad * cos(self)
struct SinSpec {
  static constexpr const char* kName = "SinBackward0";
  static constexpr bool kSavesResult = false;
  static constexpr UnaryOp kOp = UnaryOp::Sin;
  static constexpr bool kFloating = true;
  static Tensor backward(const Tensor& g, const Tensor& self) {
    return mul(g, cos(self));
  }
};

// d(self) = -grad * sin(self)
struct CosSpec {
  static constexpr const char* kName = "CosBackward0";
  static constexpr bool kSavesResult = false;
  static constexpr UnaryOp kOp = UnaryOp::Cos;
  static constexpr bool kFloating = true;
  static Tensor backward(const Tensor& g, const Tensor& self) {
    return mul(g, neg(sin(self)));
  }
};

// d(self) = grad * (1 - result^2)
struct TanhSpec {
  static constexpr const char* kName = "TanhBackward0";
  static constexpr bool kSavesResult = true;
  static constexpr UnaryOp kOp = UnaryOp::Tanh;
  static constexpr bool kFloating = true;
  static Tensor backward(const Tensor& g, const Tensor& result) {
    return mul(g, rsub(mul(result, result), Scalar(1.0)));
  }
};

// d(self) = grad * sign(self)   (0 at 0)
struct AbsSpec {
  static constexpr const char* kName = "AbsBackward0";
  static constexpr bool kSavesResult = false;
  static constexpr UnaryOp kOp = UnaryOp::Abs;
  static constexpr bool kFloating = false;
  static Tensor backward(const Tensor& g, const Tensor& self) {
    return mul(g, sign(self));
  }
};

// d(self) = grad * (result + 1)
struct Expm1Spec {
  static constexpr const char* kName = "Expm1Backward0";
  static constexpr bool kSavesResult = true;
  static constexpr UnaryOp kOp = UnaryOp::Expm1;
  static constexpr bool kFloating = true;
  static Tensor backward(const Tensor& g, const Tensor& result) {
    return mul(g, add(result, wrap_scalar(Scalar(1.0))));
  }
};

// d(self) = grad / (self * ln 2)
struct Log2Spec {
  static constexpr const char* kName = "Log2Backward0";
  static constexpr bool kSavesResult = false;
  static constexpr UnaryOp kOp = UnaryOp::Log2;
  static constexpr bool kFloating = true;
  static Tensor backward(const Tensor& g, const Tensor& self) {
    return div(g, mul(self, wrap_scalar(Scalar(0.69314718055994530942))));
  }
};

// d(self) = grad / (self * ln 10)
struct Log10Spec {
  static constexpr const char* kName = "Log10Backward0";
  static constexpr bool kSavesResult = false;
  static constexpr UnaryOp kOp = UnaryOp::Log10;
  static constexpr bool kFloating = true;
  static Tensor backward(const Tensor& g, const Tensor& self) {
    return div(g, mul(self, wrap_scalar(Scalar(2.30258509299404568402))));
  }
};

// d(self) = -grad * result^3 / 2
struct RsqrtSpec {
  static constexpr const char* kName = "RsqrtBackward0";
  static constexpr bool kSavesResult = true;
  static constexpr UnaryOp kOp = UnaryOp::Rsqrt;
  static constexpr bool kFloating = true;
  static Tensor backward(const Tensor& g, const Tensor& result) {
    return mul(mul(g, wrap_scalar(Scalar(-0.5))),
               pow(result, Scalar(int64_t{3})));
  }
};

// d(self) = -grad * result^2
struct ReciprocalSpec {
  static constexpr const char* kName = "ReciprocalBackward0";
  static constexpr bool kSavesResult = true;
  static constexpr UnaryOp kOp = UnaryOp::Reciprocal;
  static constexpr bool kFloating = true;
  static Tensor backward(const Tensor& g, const Tensor& result) {
    return mul(neg(g), mul(result, result));
  }
};

// d(self) = grad * (1 + result^2)
struct TanSpec {
  static constexpr const char* kName = "TanBackward0";
  static constexpr bool kSavesResult = true;
  static constexpr UnaryOp kOp = UnaryOp::Tan;
  static constexpr bool kFloating = true;
  static Tensor backward(const Tensor& g, const Tensor& result) {
    return mul(g, add(mul(result, result), wrap_scalar(Scalar(1.0))));
  }
};

// d(self) = grad * 2 / sqrt(pi) * exp(-self^2)
struct ErfSpec {
  static constexpr const char* kName = "ErfBackward0";
  static constexpr bool kSavesResult = false;
  static constexpr UnaryOp kOp = UnaryOp::Erf;
  static constexpr bool kFloating = true;
  static Tensor backward(const Tensor& g, const Tensor& self) {
    const Tensor d = mul(exp(neg(mul(self, self))),
                         wrap_scalar(Scalar(1.12837916709551257390)));
    return mul(g, d);
  }
};

}  // namespace

Tensor exp(const Tensor& self) {
  return unary_op<ExpSpec>(self);
}
Tensor log(const Tensor& self) {
  return unary_op<LogSpec>(self);
}
Tensor log1p(const Tensor& self) {
  return unary_op<Log1pSpec>(self);
}
Tensor sqrt(const Tensor& self) {
  return unary_op<SqrtSpec>(self);
}
Tensor sin(const Tensor& self) {
  return unary_op<SinSpec>(self);
}
Tensor cos(const Tensor& self) {
  return unary_op<CosSpec>(self);
}
Tensor tanh(const Tensor& self) {
  return unary_op<TanhSpec>(self);
}
Tensor abs(const Tensor& self) {
  return unary_op<AbsSpec>(self);
}

// d(self) = 0: sign is piecewise constant.
namespace {
class SignBackward0 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "SignBackward0"; }
  variable_list apply(variable_list&& grads) override {
    return {zeros(grads[0].sizes(), grads[0].dtype())};
  }
};
}  // namespace

Tensor sign(const Tensor& self) {
  Tensor out = empty_tensor(self.sizes(), self.dtype());
  kernels::unary(UnaryOp::Sign, self, out);
  if (auto fn = record<SignBackward0>(self)) autograd::set_history(out, fn);
  return out;
}

Tensor expm1(const Tensor& self) {
  return unary_op<Expm1Spec>(self);
}
Tensor log2(const Tensor& self) {
  return unary_op<Log2Spec>(self);
}
Tensor log10(const Tensor& self) {
  return unary_op<Log10Spec>(self);
}
Tensor rsqrt(const Tensor& self) {
  return unary_op<RsqrtSpec>(self);
}
Tensor reciprocal(const Tensor& self) {
  return unary_op<ReciprocalSpec>(self);
}
Tensor tan(const Tensor& self) {
  return unary_op<TanSpec>(self);
}
Tensor erf(const Tensor& self) {
  return unary_op<ErfSpec>(self);
}

// ---- rounding -------------------------------------------------------------

namespace {

// d(self) = 0: rounding is piecewise constant.
class RoundingBackward : public Node {
 public:
  RoundingBackward(edge_list&& edges, const char* name)
      : Node(std::move(edges)), name_(name) {}
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& grads) override {
    return {zeros(grads[0].sizes(), grads[0].dtype())};
  }

 private:
  const char* name_;
};

Tensor record_rounding(const Tensor& self, Tensor out, const char* node) {
  if (should_record(self)) {
    autograd::set_history(out, make_node<RoundingBackward>(
                                   autograd::collect_next_edges(self), node));
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

Tensor& exp_(Tensor& self) {
  return inplace<exp>(self, "exp_");
}
Tensor& expm1_(Tensor& self) {
  return inplace<expm1>(self, "expm1_");
}
Tensor& log_(Tensor& self) {
  return inplace<log>(self, "log_");
}
Tensor& log1p_(Tensor& self) {
  return inplace<log1p>(self, "log1p_");
}
Tensor& log2_(Tensor& self) {
  return inplace<log2>(self, "log2_");
}
Tensor& log10_(Tensor& self) {
  return inplace<log10>(self, "log10_");
}
Tensor& sqrt_(Tensor& self) {
  return inplace<sqrt>(self, "sqrt_");
}
Tensor& rsqrt_(Tensor& self) {
  return inplace<rsqrt>(self, "rsqrt_");
}
Tensor& reciprocal_(Tensor& self) {
  return inplace<reciprocal>(self, "reciprocal_");
}
Tensor& sin_(Tensor& self) {
  return inplace<sin>(self, "sin_");
}
Tensor& cos_(Tensor& self) {
  return inplace<cos>(self, "cos_");
}
Tensor& tan_(Tensor& self) {
  return inplace<tan>(self, "tan_");
}
Tensor& tanh_(Tensor& self) {
  return inplace<tanh>(self, "tanh_");
}
Tensor& erf_(Tensor& self) {
  return inplace<erf>(self, "erf_");
}
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
