#pragma once

// Kernel operands over existing storage, shared by the shape-copy ops
// (shape_copy.cpp), gather/scatter (gather_scatter.cpp) and advanced
// indexing (advanced_index.cpp). Inline: every helper is a few lines.

#include <utility>

#include "kernels/index.h"
#include "ops/op_utils.h"

namespace ag::ops {

// A view over t's storage without autograd state: kernel operands only.
inline Tensor data_view(const Tensor& t, Shape sizes, Shape strides,
                        int64_t offset) {
  return make_view(t, std::move(sizes), std::move(strides), offset);
}

inline Tensor narrow_data(const Tensor& t, int64_t dim, int64_t start,
                          int64_t length) {
  const auto d = static_cast<size_t>(dim);
  Shape sizes = t.sizes();
  sizes[d] = length;
  return data_view(t, sizes, t.strides(),
                   t.impl()->storage_offset() + start * t.strides()[d]);
}

// Geometry with a 0-d tensor seen as a 1-d tensor of one element (how
// gather, scatter and index_select treat scalars).
inline Shape sizes_1d(const Tensor& t) {
  return t.dim() > 0 ? t.sizes() : Shape{1};
}
inline Shape strides_1d(const Tensor& t) {
  return t.dim() > 0 ? t.strides() : Shape{1};
}
inline Tensor as_1d(const Tensor& t) {
  return t.dim() > 0 ? t : data_view(t, {1}, {1}, t.impl()->storage_offset());
}

inline bool is_index_dtype(DType t) {
  return t == DType::Int64 || t == DType::Int32;
}

// self.index_select(d, index) as new data; index is 0-d or 1-d, in range.
inline Tensor select_indices(const Tensor& self, int64_t d,
                             const Tensor& index) {
  const auto ud = static_cast<size_t>(d);
  Shape shape = sizes_1d(self);
  shape[ud] = index.numel();
  Tensor out = empty_tensor(shape, self.dtype());
  Shape src_strides = strides_1d(self);
  const int64_t stride = src_strides[ud];
  src_strides[ud] = 0;
  Shape index_strides(shape.size(), 0);
  index_strides[ud] = index.dim() > 0 ? index.strides()[0] : 0;
  kernels::index_gather(
      data_view(self, shape, src_strides, self.impl()->storage_offset()),
      data_view(index, shape, index_strides, index.impl()->storage_offset()),
      stride, kernels::IndexBound{}, out);
  return out;
}

}  // namespace ag::ops
