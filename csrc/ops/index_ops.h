#pragma once

// Mask and index ops (index_ops.cpp): nonzero/argwhere, masked_select,
// masked_scatter, index_add/index_copy/index_fill (and in place), unique,
// unique_consecutive; and the small composites diff, cross, kron and
// nan_to_num.

#include <optional>
#include <tuple>

#include "core/scalar.h"
#include "core/tensor.h"
#include "ops/common.h"

namespace ag::ops {

// Coordinates of the non-zero elements: int64 [count, ndim].
Tensor nonzero(const Tensor& self);
// The same coordinates as one int64 tensor per dim (where(cond)).
TensorList nonzero_numpy(const Tensor& self);
// The elements of self (broadcast with mask) where mask is true, 1-d.
Tensor masked_select(const Tensor& self, const Tensor& mask);
// self with the positions where mask is true filled, in order, from the
// first elements of source.
Tensor masked_scatter(const Tensor& self, const Tensor& mask,
                      const Tensor& source);
Tensor& masked_scatter_(Tensor& self, const Tensor& mask, const Tensor& source);

// self with source added (copied) into the slices index picks along dim.
Tensor index_add(const Tensor& self, int64_t dim, const Tensor& index,
                 const Tensor& source, const Scalar& alpha = Scalar(1.0));
Tensor index_copy(const Tensor& self, int64_t dim, const Tensor& index,
                  const Tensor& source);
Tensor index_fill(const Tensor& self, int64_t dim, const Tensor& index,
                  const Scalar& value);
Tensor& index_add_(Tensor& self, int64_t dim, const Tensor& index,
                   const Tensor& source, const Scalar& alpha = Scalar(1.0));
Tensor& index_copy_(Tensor& self, int64_t dim, const Tensor& index,
                    const Tensor& source);
Tensor& index_fill_(Tensor& self, int64_t dim, const Tensor& index,
                    const Scalar& value);

// Sorted distinct values of the flattened input (or, with dim, the distinct
// slices along dim in lexicographic order), the position of each input
// element (slice) among them and how often each occurs; inverse and counts
// are undefined unless asked for.
std::tuple<Tensor, Tensor, Tensor> unique(
    const Tensor& self, bool return_inverse = false, bool return_counts = false,
    std::optional<int64_t> dim = std::nullopt);
// Runs of equal neighbours (elements, or slices along dim) collapsed to one.
std::tuple<Tensor, Tensor, Tensor> unique_consecutive(
    const Tensor& self, bool return_inverse = false, bool return_counts = false,
    std::optional<int64_t> dim = std::nullopt);

// n-th forward difference along dim, with prepend/append joined first.
Tensor diff(const Tensor& self, int64_t n = 1, int64_t dim = -1,
            const Tensor& prepend = Tensor(), const Tensor& append = Tensor());
// Cross product of 3-vectors along dim (broadcast).
Tensor cross(const Tensor& self, const Tensor& other, int64_t dim = -1);
Tensor kron(const Tensor& self, const Tensor& other);
// NaN, +inf and -inf replaced (defaults: 0 and the dtype's extremes).
Tensor nan_to_num(const Tensor& self, std::optional<double> nan = 0.0,
                  std::optional<double> posinf = std::nullopt,
                  std::optional<double> neginf = std::nullopt);
Tensor& nan_to_num_(Tensor& self, std::optional<double> nan = 0.0,
                    std::optional<double> posinf = std::nullopt,
                    std::optional<double> neginf = std::nullopt);

}  // namespace ag::ops
