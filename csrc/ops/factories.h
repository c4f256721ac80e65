#pragma once

// Tensor factories. None records history (factories.cpp)

#include <optional>
#include <vector>

#include "core/scalar.h"
#include "core/tensor.h"
#include "ops/common.h"

namespace ag::ops {

Tensor empty(const Shape& sizes, DType dtype);
Tensor zeros(const Shape& sizes, DType dtype);
Tensor ones(const Shape& sizes, DType dtype);
Tensor full(const Shape& sizes, const Scalar& value, DType dtype);
Tensor eye(int64_t n, int64_t m, DType dtype);
Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step,
              std::optional<DType> dtype);
Tensor linspace(double start, double end, int64_t steps, DType dtype);
Tensor rand(const Shape& sizes, DType dtype);
Tensor randn(const Shape& sizes, DType dtype);
Tensor randint(int64_t low, int64_t high, const Shape& sizes, DType dtype);
// In-place random fills (x.uniform_(a, b), x.normal_(mean, std)), as nn.init
// uses them: written like any in-place op (views, version counter, leaf
// checks), recording copy_'s history.
Tensor& uniform_(Tensor& self, double from, double to);
Tensor& normal_(Tensor& self, double mean, double std);
// A contiguous tensor holding a copy of `count` values of dtype at `data`.
Tensor from_buffer(const void* data, const Shape& sizes, DType dtype);

}  // namespace ag::ops
