#pragma once

// The public, differentiable tensor ops: what the Python bindings call and
// what C++ users program against. Every op records its backward node when
// grad mode is on and an input requires grad. One header per op family.

#include <iosfwd>
#include <string>

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
// C++ operator sugar over the ops: numbers on either side of a tensor become
// wrapped scalars, as Python's do (`3 * x`, `1.0 - x`, `x / 2u`).
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
inline Tensor operator+(const Scalar& a, const Tensor& b) {
  return ops::add(b, wrap_scalar(a));
}
inline Tensor operator-(const Scalar& a, const Tensor& b) {
  return ops::rsub(b, a);
}
inline Tensor operator*(const Scalar& a, const Tensor& b) {
  return ops::mul(b, wrap_scalar(a));
}
inline Tensor operator/(const Scalar& a, const Tensor& b) {
  return ops::div(wrap_scalar(a), b);
}

// In place, like Python's `x += y`: writes into x (x's version advances).
inline Tensor& operator+=(Tensor& a, const Tensor& b) {
  return ops::add_(a, b);
}
inline Tensor& operator-=(Tensor& a, const Tensor& b) {
  return ops::sub_(a, b);
}
inline Tensor& operator*=(Tensor& a, const Tensor& b) {
  return ops::mul_(a, b);
}
inline Tensor& operator/=(Tensor& a, const Tensor& b) {
  return ops::div_(a, b);
}
inline Tensor& operator+=(Tensor& a, const Scalar& b) {
  return ops::add_(a, wrap_scalar(b));
}
inline Tensor& operator-=(Tensor& a, const Scalar& b) {
  return ops::sub_(a, wrap_scalar(b));
}
inline Tensor& operator*=(Tensor& a, const Scalar& b) {
  return ops::mul_(a, wrap_scalar(b));
}
inline Tensor& operator/=(Tensor& a, const Scalar& b) {
  return ops::div_(a, wrap_scalar(b));
}

// Elementwise comparisons give bool tensors (x > 0 is a mask, as in Python).
inline Tensor operator<(const Tensor& a, const Tensor& b) {
  return ops::lt(a, b);
}
inline Tensor operator<=(const Tensor& a, const Tensor& b) {
  return ops::le(a, b);
}
inline Tensor operator>(const Tensor& a, const Tensor& b) {
  return ops::gt(a, b);
}
inline Tensor operator>=(const Tensor& a, const Tensor& b) {
  return ops::ge(a, b);
}
inline Tensor operator<(const Tensor& a, const Scalar& b) {
  return ops::lt(a, wrap_scalar(b));
}
inline Tensor operator<=(const Tensor& a, const Scalar& b) {
  return ops::le(a, wrap_scalar(b));
}
inline Tensor operator>(const Tensor& a, const Scalar& b) {
  return ops::gt(a, wrap_scalar(b));
}
inline Tensor operator>=(const Tensor& a, const Scalar& b) {
  return ops::ge(a, wrap_scalar(b));
}

// Prints as Python's repr(): `tensor([1., 2.], requires_grad=True)`.
std::ostream& operator<<(std::ostream& os, const Tensor& t);
// The same text as a string.
std::string repr(const Tensor& t);
}  // namespace ag
