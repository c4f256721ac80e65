#pragma once

// Kernels that work along one dim of a tensor, a row at a time (cpu/sort.cpp):
// sorting, selection of the k-th or most frequent value, running scans,
// binary search, and counting into bins. Raw compute like kernels.h: no
// graph.
//
// A "row" is the line of elements along `dim`: `in` is contiguous and seen as
// [outer, n, inner] (n = in's size at dim, 1 for a 0-d tensor); the outputs
// are contiguous with in's shape except for their size k at dim, so row r of
// the output sits where row r of the input does. Indices are int64.

#include <cstdint>

#include "core/tensor.h"

namespace ag::kernels {

// values, indices: in sorted along dim (ascending, or descending); NaN counts
// as larger than any number. Ties keep their order when `stable`; otherwise
// they land where PyTorch's CPU kernel (an introsort) puts them.
void sort(const Tensor& in, int64_t dim, bool descending, bool stable,
          const Tensor& values, const Tensor& indices);

// The k largest (smallest) elements of each row; sorted, or in the order a
// partial selection leaves them. Ties are picked as PyTorch's CPU kernel
// picks them (the same partial sort or nth_element over (value, index)).
void topk(const Tensor& in, int64_t dim, int64_t k, bool largest, bool sorted,
          const Tensor& values, const Tensor& indices);

// The k-th smallest element (k from 1) of each row, found by quickselect
// (median of three); among equal values the one it lands on, as PyTorch's.
void kthvalue(const Tensor& in, int64_t dim, int64_t k, const Tensor& values,
              const Tensor& indices);

// The lower median of each row (found by nth_element, as PyTorch's). A row
// holding NaN gives its first NaN, unless `ignore_nan` (nanmedian), which
// takes the median of the other values (NaN for a row of NaNs).
void median(const Tensor& in, int64_t dim, bool ignore_nan,
            const Tensor& values, const Tensor& indices);

// The most frequent value of each row (the smallest of equally frequent
// ones) and an index where it occurs.
void mode(const Tensor& in, int64_t dim, const Tensor& values,
          const Tensor& indices);

// Running scans along dim; out has in's shape. Max/Min also write the index
// of the running extreme (the latest among equal values; NaN sticks).
enum class ScanOp : uint8_t { Prod, Max, Min, LogSumExp };
void scan(ScanOp op, const Tensor& in, int64_t dim, const Tensor& out,
          const Tensor& indices);

// For each value, the position where it would be inserted into its row of
// `sorted` (the last dim) to keep it sorted: before equal elements, or after
// them when `right`. sorted and values are contiguous and share their leading
// dims, unless sorted is 1-d (one row for all values). `sorter` (undefined or
// int64, sorted's shape) gives the order in which to read each row. out is
// int64 or int32, values' shape.
void searchsorted(const Tensor& sorted, const Tensor& values, bool right,
                  const Tensor& sorter, const Tensor& out);

// out[v] += weight (or 1 without weights) for each value v of the 1-d
// non-negative integer tensor `in`; out is zeroed first.
void bincount(const Tensor& in, const Tensor& weights, const Tensor& out);

// Counts of in's values in `bins` equal bins spanning [min, max]; values
// outside are ignored, max falls in the last bin. out is in's dtype.
void histc(const Tensor& in, double min, double max, const Tensor& out);

}  // namespace ag::kernels
