#pragma once

// Tensor factories. None records history (factories.cpp)

#include <optional>
#include <vector>

#include "core/generator.h"
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
Tensor rand(const Shape& sizes, DType dtype, Generator* gen = nullptr);
Tensor randn(const Shape& sizes, DType dtype, Generator* gen = nullptr);
Tensor randint(int64_t low, int64_t high, const Shape& sizes, DType dtype,
               Generator* gen = nullptr);

// The factories as a user calls them (the Python bindings, the C++ API),
// rather than an op: a running capture records each call as a step that
// makes a fresh tensor on every replay, requires_grad included. Ops make
// their outputs with the plain factories above, which record nothing: what
// an op writes into its output afterwards belongs to that op. The random
// ones record only with the default generator (a replay draws from it at
// the same point of the program as eager does); an explicit generator is
// not owned by the program, so it fails the capture.
namespace user {
Tensor empty(const Shape& sizes, DType dtype, bool requires_grad);
Tensor zeros(const Shape& sizes, DType dtype, bool requires_grad);
Tensor ones(const Shape& sizes, DType dtype, bool requires_grad);
Tensor full(const Shape& sizes, const Scalar& value, DType dtype,
            bool requires_grad);
Tensor eye(int64_t n, int64_t m, DType dtype, bool requires_grad);
Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step,
              std::optional<DType> dtype, bool requires_grad);
Tensor linspace(double start, double end, int64_t steps, DType dtype,
                bool requires_grad);
Tensor rand(const Shape& sizes, DType dtype, Generator* gen,
            bool requires_grad);
Tensor randn(const Shape& sizes, DType dtype, Generator* gen,
             bool requires_grad);
Tensor randint(int64_t low, int64_t high, const Shape& sizes, DType dtype,
               Generator* gen, bool requires_grad);
}  // namespace user

// A contiguous tensor holding a copy of `count` values of dtype at `data`.
Tensor from_buffer(const void* data, const Shape& sizes, DType dtype);

}  // namespace ag::ops
