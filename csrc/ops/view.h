#pragma once

// Shape and view ops: results share storage with their input (view.cpp)

#include <optional>
#include <vector>

#include "core/scalar.h"
#include "core/tensor.h"
#include "ops/common.h"

namespace ag::ops {

Tensor view(const Tensor& self, const Shape& sizes);
Tensor reshape(const Tensor& self, const Shape& sizes);
Tensor transpose(const Tensor& self, int64_t dim0, int64_t dim1);
Tensor t(const Tensor& self);
Tensor permute(const Tensor& self, const IntList& dims);
Tensor squeeze(const Tensor& self);
Tensor squeeze(const Tensor& self, const IntList& dims);
Tensor unsqueeze(const Tensor& self, int64_t dim);
Tensor expand(const Tensor& self, const Shape& sizes);
Tensor flatten(const Tensor& self, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor select(const Tensor& self, int64_t dim, int64_t index);
Tensor slice(const Tensor& self, int64_t dim, std::optional<int64_t> start,
             std::optional<int64_t> end, int64_t step);
Tensor as_strided(const Tensor& self, const Shape& sizes, const Shape& strides,
                  int64_t storage_offset);

// One item of a basic index expression: x[1, 2:5:2, None, ...].
struct TensorIndex {
  enum class Kind { Integer, Slice, None, Ellipsis };
  Kind kind = Kind::None;
  int64_t integer = 0;
  std::optional<int64_t> start, stop;
  int64_t step = 1;
};
Tensor index(const Tensor& self, const std::vector<TensorIndex>& indices);
// self[indices] = value (value broadcast to the indexed view).
void index_put_(Tensor& self, const std::vector<TensorIndex>& indices,
                const Tensor& value);

}  // namespace ag::ops
