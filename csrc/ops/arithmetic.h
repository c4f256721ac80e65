#pragma once

// Elementwise arithmetic and its in-place forms (arithmetic.cpp)

#include <optional>
#include <vector>

#include "core/scalar.h"
#include "core/tensor.h"
#include "decl/binary.h"
#include "ops/common.h"

namespace ag::ops {

Tensor add(const Tensor& self, const Tensor& other,
           const Scalar& alpha = Scalar(int64_t{1}));
Tensor sub(const Tensor& self, const Tensor& other,
           const Scalar& alpha = Scalar(int64_t{1}));
// other - alpha * self, for Python's reflected `2 - x`.
Tensor rsub(const Tensor& self, const Scalar& other,
            const Scalar& alpha = Scalar(int64_t{1}));
Tensor mul(const Tensor& self, const Tensor& other);
Tensor div(const Tensor& self, const Tensor& other);
Tensor neg(const Tensor& self);
Tensor pow(const Tensor& self, const Tensor& exponent);
Tensor pow(const Tensor& self, const Scalar& exponent);
Tensor pow(const Scalar& self, const Tensor& exponent);

// How div rounds its quotient (PyTorch's rounding_mode=None/'trunc'/'floor').
enum class RoundingMode { None, Trunc, Floor };
Tensor div(const Tensor& self, const Tensor& other, RoundingMode mode);
// self // other with Python's semantics (rounds toward -inf).
Tensor floor_divide(const Tensor& self, const Tensor& other);
// self % other with Python's semantics (the result has other's sign).
Tensor remainder(const Tensor& self, const Tensor& other);
Tensor remainder(const Scalar& self, const Tensor& other);
Tensor square(const Tensor& self);

// Bounds: an undefined tensor or nullopt stands for None; at least one of
// min and max must be given. The gradient passes where min <= self <= max.
Tensor clamp(const Tensor& self, const std::optional<Scalar>& min,
             const std::optional<Scalar>& max);
Tensor clamp(const Tensor& self, const Tensor& min, const Tensor& max);
Tensor clamp_min(const Tensor& self, const Scalar& min);
Tensor clamp_min(const Tensor& self, const Tensor& min);
Tensor clamp_max(const Tensor& self, const Scalar& max);
Tensor clamp_max(const Tensor& self, const Tensor& max);
// The declared binary ops (decl/binary.h): Tensor maximum(const Tensor&
// self, const Tensor& other), and so on for every line.
#define AG_DECLARE_BINARY(name, ...) \
  Tensor name(const Tensor& self, const Tensor& other);
AG_BINARY_TENSOR_OPS(AG_DECLARE_BINARY)
#undef AG_DECLARE_BINARY
// self + weight * (end - self)
// self + value * tensor1 * tensor2 ; self + value * tensor1 / tensor2
Tensor addcmul(const Tensor& self, const Tensor& tensor1, const Tensor& tensor2,
               const Scalar& value);
Tensor addcdiv(const Tensor& self, const Tensor& tensor1, const Tensor& tensor2,
               const Scalar& value);
Tensor lerp(const Tensor& self, const Tensor& end, const Scalar& weight);
Tensor lerp(const Tensor& self, const Tensor& end, const Tensor& weight);
// where(mask, value, self); value is a number or a 0-d tensor.
Tensor masked_fill(const Tensor& self, const Tensor& mask, const Scalar& value);
Tensor masked_fill(const Tensor& self, const Tensor& mask, const Tensor& value);

// In place: these write into self, bump its version and rewrite its history.
Tensor& add_(Tensor& self, const Tensor& other,
             const Scalar& alpha = Scalar(int64_t{1}));
Tensor& sub_(Tensor& self, const Tensor& other,
             const Scalar& alpha = Scalar(int64_t{1}));
Tensor& mul_(Tensor& self, const Tensor& other);
Tensor& div_(Tensor& self, const Tensor& other);
Tensor& div_(Tensor& self, const Tensor& other, RoundingMode mode);
Tensor& floor_divide_(Tensor& self, const Tensor& other);
Tensor& remainder_(Tensor& self, const Tensor& other);
Tensor& neg_(Tensor& self);
Tensor& pow_(Tensor& self, const Scalar& exponent);
Tensor& pow_(Tensor& self, const Tensor& exponent);
Tensor& square_(Tensor& self);
Tensor& clamp_(Tensor& self, const std::optional<Scalar>& min,
               const std::optional<Scalar>& max);
Tensor& clamp_(Tensor& self, const Tensor& min, const Tensor& max);
Tensor& clamp_min_(Tensor& self, const Scalar& min);
Tensor& clamp_min_(Tensor& self, const Tensor& min);
Tensor& clamp_max_(Tensor& self, const Scalar& max);
Tensor& clamp_max_(Tensor& self, const Tensor& max);
Tensor& addcmul_(Tensor& self, const Tensor& tensor1, const Tensor& tensor2,
                 const Scalar& value);
Tensor& addcdiv_(Tensor& self, const Tensor& tensor1, const Tensor& tensor2,
                 const Scalar& value);
Tensor& lerp_(Tensor& self, const Tensor& end, const Scalar& weight);
Tensor& lerp_(Tensor& self, const Tensor& end, const Tensor& weight);
Tensor& masked_fill_(Tensor& self, const Tensor& mask, const Scalar& value);
Tensor& masked_fill_(Tensor& self, const Tensor& mask, const Tensor& value);

// cond ? self : other elementwise (cond is bool), differentiable in both.
Tensor where(const Tensor& cond, const Tensor& self, const Tensor& other);

}  // namespace ag::ops
