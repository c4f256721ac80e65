// Unary math: exp, log, log1p, sqrt, sin, cos, tanh, abs, sign. Integer inputs
// of the transcendental ops compute in the default float dtype, as in PyTorch.

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

}  // namespace ag::ops
