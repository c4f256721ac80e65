#pragma once

// Unary math and rounding (unary.cpp)

#include <optional>
#include <vector>

#include "core/scalar.h"
#include "core/tensor.h"
#include "decl/unary.h"
#include "ops/common.h"

namespace ag::ops {

// The declared ops (decl/unary.h): Tensor exp(const Tensor& self) and its
// in-place Tensor& exp_(Tensor& self), and so on for every line of
// AG_UNARY_FLOAT_OPS; Tensor logsigmoid(const Tensor& self), and so on for
// AG_UNARY_NN_OPS.
#define AG_DECLARE_UNARY(name, ...) \
  Tensor name(const Tensor& self);  \
  Tensor& name##_(Tensor& self);
AG_UNARY_FLOAT_OPS(AG_DECLARE_UNARY)
#undef AG_DECLARE_UNARY
#define AG_DECLARE_UNARY_NN(name, ...) Tensor name(const Tensor& self);
AG_UNARY_NN_OPS(AG_DECLARE_UNARY_NN)
#undef AG_DECLARE_UNARY_NN

Tensor abs(const Tensor& self);
Tensor sign(const Tensor& self);
// Rounding: zero gradient; the identity (a copy) on integer tensors.
Tensor floor(const Tensor& self);
Tensor ceil(const Tensor& self);
Tensor trunc(const Tensor& self);
Tensor round(const Tensor& self);  // half to even
// Rounds to `decimals` decimal places (negative: to tens, hundreds, ...).
Tensor round(const Tensor& self, int64_t decimals);

// In place (see Note [In place through the out-of-place op]).
Tensor& abs_(Tensor& self);
Tensor& sign_(Tensor& self);
Tensor& floor_(Tensor& self);
Tensor& ceil_(Tensor& self);
Tensor& trunc_(Tensor& self);
Tensor& round_(Tensor& self);
Tensor& round_(Tensor& self, int64_t decimals);

}  // namespace ag::ops
