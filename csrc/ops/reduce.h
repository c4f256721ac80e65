#pragma once

// Reductions (reduce.cpp)

#include <optional>
#include <utility>
#include <vector>

#include "core/scalar.h"
#include "core/tensor.h"
#include "ops/common.h"

namespace ag::ops {

Tensor sum(const Tensor& self, std::optional<DType> dtype = std::nullopt);
Tensor sum(const Tensor& self, const IntList& dims, bool keepdim = false,
           std::optional<DType> dtype = std::nullopt);
Tensor mean(const Tensor& self, std::optional<DType> dtype = std::nullopt);
Tensor mean(const Tensor& self, const IntList& dims, bool keepdim = false,
            std::optional<DType> dtype = std::nullopt);
// Vector p-norm over all elements or `dims` (p = 2 by default).
Tensor norm(const Tensor& self, double p = 2.0, const IntList& dims = {},
            bool keepdim = false);
Tensor prod(const Tensor& self, std::optional<DType> dtype = std::nullopt);
Tensor prod(const Tensor& self, const IntList& dims, bool keepdim = false,
            std::optional<DType> dtype = std::nullopt);
// Full max/min (gradient spread over ties); with a dim they also return the
// index of the first extreme value (gradient routed to it).
Tensor max(const Tensor& self);
Tensor min(const Tensor& self);
std::pair<Tensor, Tensor> max(const Tensor& self, int64_t dim,
                              bool keepdim = false);
std::pair<Tensor, Tensor> min(const Tensor& self, int64_t dim,
                              bool keepdim = false);
Tensor amax(const Tensor& self, const IntList& dims, bool keepdim = false);
Tensor amin(const Tensor& self, const IntList& dims, bool keepdim = false);
Tensor argmax(const Tensor& self, std::optional<int64_t> dim = std::nullopt,
              bool keepdim = false);
Tensor argmin(const Tensor& self, std::optional<int64_t> dim = std::nullopt,
              bool keepdim = false);
// Variance and standard deviation with Bessel-style `correction`.
Tensor var(const Tensor& self, const IntList& dims = {}, double correction = 1,
           bool keepdim = false);
Tensor std(const Tensor& self, const IntList& dims = {}, double correction = 1,
           bool keepdim = false);
Tensor logsumexp(const Tensor& self, const IntList& dims, bool keepdim = false);
Tensor cumsum(const Tensor& self, int64_t dim,
              std::optional<DType> dtype = std::nullopt);
Tensor all(const Tensor& self);
Tensor all(const Tensor& self, const IntList& dims, bool keepdim = false);
Tensor any(const Tensor& self);
Tensor any(const Tensor& self, const IntList& dims, bool keepdim = false);
// Sums a broadcast tensor back down to `shape`.
Tensor sum_to(const Tensor& self, const Shape& shape);

}  // namespace ag::ops
