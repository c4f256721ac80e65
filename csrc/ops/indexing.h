#pragma once

#include <string>

// Shape ops that copy, and indexing: cat, stack, flip, repeat, roll, tril,
// triu, gather, scatter, index_select, advanced indexing, embedding,
// one_hot and padding (shape_copy.cpp, gather_scatter.cpp,
// advanced_index.cpp)

#include <optional>
#include <vector>

#include "core/scalar.h"
#include "core/tensor.h"
#include "ops/common.h"

namespace ag::ops {

Tensor cat(const TensorList& tensors, int64_t dim = 0);
Tensor stack(const TensorList& tensors, int64_t dim = 0);
Tensor flip(const Tensor& self, const IntList& dims);
Tensor repeat(const Tensor& self, const IntList& repeats);
// repeat() with missing leading repeats counted as 1.
Tensor tile(const Tensor& self, const IntList& dims);
// An empty `dims` rolls the flattened tensor.
Tensor roll(const Tensor& self, const IntList& shifts, const IntList& dims);
Tensor tril(const Tensor& self, int64_t diagonal = 0);
Tensor triu(const Tensor& self, int64_t diagonal = 0);
Tensor& tril_(Tensor& self, int64_t diagonal = 0);
Tensor& triu_(Tensor& self, int64_t diagonal = 0);

Tensor gather(const Tensor& self, int64_t dim, const Tensor& index);
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index,
               const Tensor& src);
Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index,
               const Scalar& value);
Tensor scatter_add(const Tensor& self, int64_t dim, const Tensor& index,
                   const Tensor& src);
Tensor& scatter_(Tensor& self, int64_t dim, const Tensor& index,
                 const Tensor& src);
Tensor& scatter_(Tensor& self, int64_t dim, const Tensor& index,
                 const Scalar& value);
Tensor& scatter_add_(Tensor& self, int64_t dim, const Tensor& index,
                     const Tensor& src);
// reduce is "sum", "prod", "mean", "amax" or "amin"; without include_self
// the positions written take only src's values.
Tensor scatter_reduce(const Tensor& self, int64_t dim, const Tensor& index,
                      const Tensor& src, const std::string& reduce,
                      bool include_self = true);
Tensor& scatter_reduce_(Tensor& self, int64_t dim, const Tensor& index,
                        const Tensor& src, const std::string& reduce,
                        bool include_self = true);
Tensor index_select(const Tensor& self, int64_t dim, const Tensor& index);

// Advanced indexing (aten::index): one entry per indexed dim in order, an
// undefined tensor for a dim taken whole; bool masks cover their own dims.
Tensor index(const Tensor& self, const TensorList& indices);
Tensor index_put(const Tensor& self, const TensorList& indices,
                 const Tensor& values, bool accumulate = false);
Tensor& index_put_(Tensor& self, const TensorList& indices,
                   const Tensor& values, bool accumulate = false);

// Rows of weight picked by integer indices; the padding_idx row (if >= 0)
// gets no gradient.
Tensor embedding(const Tensor& weight, const Tensor& indices,
                 int64_t padding_idx = -1, bool scale_grad_by_freq = false);
Tensor one_hot(const Tensor& self, int64_t num_classes = -1);

// pad = (last dim left, last dim right, next-to-last left, ...); negative
// amounts crop.
Tensor constant_pad_nd(const Tensor& self, const IntList& pad,
                       const Scalar& value = Scalar(int64_t{0}));
// Reflect or replicate padding of the last pad.size() / 2 dims (1 to 3).
Tensor reflection_pad(const Tensor& self, const IntList& pad);
Tensor replication_pad(const Tensor& self, const IntList& pad);

}  // namespace ag::ops
