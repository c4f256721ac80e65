#pragma once

// Unary math and rounding (unary.cpp)

#include <optional>
#include <vector>

#include "core/scalar.h"
#include "core/tensor.h"
#include "ops/common.h"

namespace ag::ops {

Tensor exp(const Tensor& self);
Tensor log(const Tensor& self);
Tensor log1p(const Tensor& self);
Tensor sqrt(const Tensor& self);
Tensor sin(const Tensor& self);
Tensor cos(const Tensor& self);
Tensor tanh(const Tensor& self);
Tensor abs(const Tensor& self);
Tensor sign(const Tensor& self);
Tensor expm1(const Tensor& self);
Tensor log2(const Tensor& self);
Tensor log10(const Tensor& self);
Tensor rsqrt(const Tensor& self);
Tensor reciprocal(const Tensor& self);
Tensor tan(const Tensor& self);
Tensor erf(const Tensor& self);
// Rounding: zero gradient; the identity (a copy) on integer tensors.
Tensor floor(const Tensor& self);
Tensor ceil(const Tensor& self);
Tensor trunc(const Tensor& self);
Tensor round(const Tensor& self);  // half to even
// Rounds to `decimals` decimal places (negative: to tens, hundreds, ...).
Tensor round(const Tensor& self, int64_t decimals);

// In place (see Note [In place through the out-of-place op]).
Tensor& exp_(Tensor& self);
Tensor& expm1_(Tensor& self);
Tensor& log_(Tensor& self);
Tensor& log1p_(Tensor& self);
Tensor& log2_(Tensor& self);
Tensor& log10_(Tensor& self);
Tensor& sqrt_(Tensor& self);
Tensor& rsqrt_(Tensor& self);
Tensor& reciprocal_(Tensor& self);
Tensor& sin_(Tensor& self);
Tensor& cos_(Tensor& self);
Tensor& tan_(Tensor& self);
Tensor& tanh_(Tensor& self);
Tensor& erf_(Tensor& self);
Tensor& abs_(Tensor& self);
Tensor& sign_(Tensor& self);
Tensor& floor_(Tensor& self);
Tensor& ceil_(Tensor& self);
Tensor& trunc_(Tensor& self);
Tensor& round_(Tensor& self);
Tensor& round_(Tensor& self, int64_t decimals);

}  // namespace ag::ops
