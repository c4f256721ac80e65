#pragma once

// Reductions (reduce.cpp)

#include <optional>
#include <vector>

#include "core/scalar.h"
#include "core/tensor.h"
#include "ops/common.h"

namespace ag::ops {

Tensor sum(const Tensor& self, std::optional<DType> dtype = std::nullopt);
Tensor sum(const Tensor& self, const IntList& dims, bool keepdim,
           std::optional<DType> dtype = std::nullopt);
Tensor mean(const Tensor& self, std::optional<DType> dtype = std::nullopt);
Tensor mean(const Tensor& self, const IntList& dims, bool keepdim,
            std::optional<DType> dtype = std::nullopt);
// Vector p-norm over all elements or `dims` (p = 2 by default).
Tensor norm(const Tensor& self, double p, const IntList& dims, bool keepdim);
// Sums a broadcast tensor back down to `shape`.
Tensor sum_to(const Tensor& self, const Shape& shape);

}  // namespace ag::ops
