#pragma once

// The public, differentiable tensor ops: what the Python bindings call and
// what C++ users program against. Every op records its backward node when
// grad mode is on and an input requires grad. One header per op family.

#include "ops/activation.h"
#include "ops/arithmetic.h"
#include "ops/comparison.h"
#include "ops/copy.h"
#include "ops/factories.h"
#include "ops/index_ops.h"
#include "ops/indexing.h"
#include "ops/linalg.h"
#include "ops/loss.h"
#include "ops/nn.h"
#include "ops/optim.h"
#include "ops/reduce.h"
#include "ops/runtime.h"
#include "ops/sampling.h"
#include "ops/sorting.h"
#include "ops/type_promotion.h"
#include "ops/unary.h"
#include "ops/view.h"

namespace ag {
// C++ operator sugar over the ops.
inline Tensor operator+(const Tensor& a, const Tensor& b) {
  return ops::add(a, b);
}
inline Tensor operator-(const Tensor& a, const Tensor& b) {
  return ops::sub(a, b);
}
inline Tensor operator*(const Tensor& a, const Tensor& b) {
  return ops::mul(a, b);
}
inline Tensor operator/(const Tensor& a, const Tensor& b) {
  return ops::div(a, b);
}
inline Tensor operator-(const Tensor& a) {
  return ops::neg(a);
}
inline Tensor operator+(const Tensor& a, const Scalar& b) {
  return ops::add(a, wrap_scalar(b));
}
inline Tensor operator-(const Tensor& a, const Scalar& b) {
  return ops::sub(a, wrap_scalar(b));
}
inline Tensor operator*(const Tensor& a, const Scalar& b) {
  return ops::mul(a, wrap_scalar(b));
}
inline Tensor operator/(const Tensor& a, const Scalar& b) {
  return ops::div(a, wrap_scalar(b));
}
}  // namespace ag
