#pragma once

// Elementwise arithmetic and its in-place forms (arithmetic.cpp)

#include <optional>
#include <vector>

#include "core/scalar.h"
#include "core/tensor.h"
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

// In place: these write into self, bump its version and rewrite its history.
Tensor& add_(Tensor& self, const Tensor& other,
             const Scalar& alpha = Scalar(int64_t{1}));
Tensor& sub_(Tensor& self, const Tensor& other,
             const Scalar& alpha = Scalar(int64_t{1}));
Tensor& mul_(Tensor& self, const Tensor& other);
Tensor& div_(Tensor& self, const Tensor& other);

// cond ? self : other elementwise (cond is bool), differentiable in both.
Tensor where(const Tensor& cond, const Tensor& self, const Tensor& other);

}  // namespace ag::ops
