#pragma once

// Indexing kernels (cpu/index.cpp): gathers and scatters through integer
// index operands, masks to coordinates, triangles and flips. Raw strided
// compute like kernels.h: no graph, and every tensor here is plain data.

#include <cstdint>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace ag::kernels {

// Which index values are valid: [0, size), plus [-size, 0) counted from the
// end when `wrap`. A negative size skips the check. A bad value raises
// "index 5 is out of bounds for dimension <dim> with size <size>", as
// IndexError (indexing) or as RuntimeError (gather and scatter).
struct IndexBound {
  int64_t size = -1;
  bool wrap = false;
  int64_t dim = 0;
  bool index_error = true;
};

// out[i] = src[i + index[i] * stride] for every position i of out's shape.
// src and index (int32 or int64) are viewed at out's shape (a stride of 0
// broadcasts); src's indexed dims usually have stride 0, so the index alone
// moves along them. src and out share a dtype.
void index_gather(const Tensor& src, const Tensor& index, int64_t stride,
                  const IndexBound& bound, const Tensor& out);

// How index_scatter combines a written value v with the target t: Assign
// (t = v), Add (t + v), Mul (t * v), Max and Min (a NaN v, or a NaN already
// in t, wins, as in PyTorch's scatter_reduce amax/amin).
enum class ScatterMode { Assign, Add, Mul, Max, Min };

// dst[i + index[i] * stride] = combine(that target, src[i]) for every
// position i of index's shape; dst and src are viewed at that shape. Every
// mode but Assign runs on one thread, so repeated indices all combine, in
// index order.
void index_scatter(const Tensor& dst, const Tensor& index, int64_t stride,
                   const IndexBound& bound, const Tensor& src,
                   ScatterMode mode);
inline void index_scatter(const Tensor& dst, const Tensor& index,
                          int64_t stride, const IndexBound& bound,
                          const Tensor& src, bool accumulate) {
  index_scatter(dst, index, stride, bound, src,
                accumulate ? ScatterMode::Add : ScatterMode::Assign);
}

// out = sum over k of index_k * strides[k] (element offsets), with index_k
// checked against sizes[k] (negative values wrap) and reported as dimension
// k. Each index broadcasts to out's shape; out is contiguous int64.
void index_offsets(const std::vector<Tensor>& indices,
                   const std::vector<int64_t>& sizes,
                   const std::vector<int64_t>& strides, const Tensor& out);

// Coordinates of the true elements of a bool tensor: int64 [count, ndim].
Tensor nonzero(const Tensor& mask);

// The smallest and largest value of a non-empty integer tensor.
std::pair<int64_t, int64_t> min_max(const Tensor& t);

// out = in with the elements outside the triangle set to zero: kept are
// (i, j) of the last two dims with j - i <= diagonal (lower) or
// j - i >= diagonal (upper). in and out have the same shape and dtype.
void triangle(const Tensor& in, int64_t diagonal, bool upper,
              const Tensor& out);

// out = in reversed along each of `dims` (wrapped, distinct).
void flip(const Tensor& in, const std::vector<int64_t>& dims,
          const Tensor& out);

}  // namespace ag::kernels
