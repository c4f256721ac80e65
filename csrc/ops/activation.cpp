// Activations: relu and sigmoid.

#include "ops/op_utils.h"

namespace ag::ops {

namespace {

// d(self) = grad * (result > 0)   (0 at 0: the minimum-norm subgradient)
struct ReluSpec {
  static constexpr const char* kName = "ReluBackward0";
  static constexpr bool kSavesResult = true;
  static constexpr kernels::UnaryOp kOp = kernels::UnaryOp::Relu;
  static constexpr bool kFloating = false;
  static Tensor backward(const Tensor& g, const Tensor& result) {
    Tensor mask;
    {
      NoGradGuard no_grad;
      mask = cast_data(gt(result, wrap_scalar(Scalar(0.0))), g.dtype());
    }
    return mul(g, mask);
  }
};

// d(self) = grad * result * (1 - result)
struct SigmoidSpec {
  static constexpr const char* kName = "SigmoidBackward0";
  static constexpr bool kSavesResult = true;
  static constexpr kernels::UnaryOp kOp = kernels::UnaryOp::Sigmoid;
  static constexpr bool kFloating = true;
  static Tensor backward(const Tensor& g, const Tensor& result) {
    return mul(g, mul(result, rsub(result, Scalar(1.0))));
  }
};

}  // namespace

Tensor relu(const Tensor& self) {
  AG_CHECK(self.dtype() != DType::Bool,
           "\"clamp_min_scalar_cpu\" not implemented for 'Bool'");
  return unary_op<ReluSpec>(self);
}
Tensor sigmoid(const Tensor& self) {
  return unary_op<SigmoidSpec>(self);
}

}  // namespace ag::ops
