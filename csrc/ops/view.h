#pragma once

#include <utility>

// Shape and view ops: results share storage with their input; also the
// Python-style index expressions x[...] (view.cpp)

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
Tensor narrow(const Tensor& self, int64_t dim, int64_t start, int64_t length);
Tensor movedim(const Tensor& self, const IntList& source,
               const IntList& destination);

// In-place view ops (Note [In-place view ops], view.cpp): self takes the
// view's sizes and strides; its data is unchanged.
Tensor& unsqueeze_(Tensor& self, int64_t dim);
Tensor& squeeze_(Tensor& self);
Tensor& squeeze_(Tensor& self, const IntList& dims);
Tensor& t_(Tensor& self);
Tensor& transpose_(Tensor& self, int64_t dim0, int64_t dim1);
Tensor& as_strided_(Tensor& self, const Shape& sizes, const Shape& strides,
                    int64_t storage_offset);

// Views of consecutive pieces of self along dim (all share one node).
// Forward AD (Note [Forward AD], autograd/forward_ad.h): a view of primal
// carrying `tangent` at the open level, with PyTorch's checks.
Tensor make_dual(const Tensor& primal, const Tensor& tangent);
// t's primal (a view without the tangent) and its tangent at the open level
// (undefined when it has none).
std::pair<Tensor, Tensor> unpack_dual(const Tensor& t);

TensorList split(const Tensor& self, int64_t split_size, int64_t dim = 0);
TensorList split_with_sizes(const Tensor& self, const IntList& split_sizes,
                            int64_t dim = 0);
TensorList chunk(const Tensor& self, int64_t chunks, int64_t dim = 0);
TensorList unbind(const Tensor& self, int64_t dim = 0);

// One item of an index expression: x[1, 2:5:2, None, ..., idx, mask].
// A Tensor item is an advanced index: integer positions, or a bool mask
// covering as many dims as it has (a 0-d bool adds a dim of size 1 or 0).
struct TensorIndex {
  enum class Kind { Integer, Slice, None, Ellipsis, Tensor };
  Kind kind = Kind::None;
  int64_t integer = 0;
  std::optional<int64_t> start, stop;
  int64_t step = 1;
  ag::Tensor tensor;
};
// self[indices], with PyTorch's rules: ints, slices, None and ... make a
// view, then the tensor items (if any) gather with index().
Tensor index(const Tensor& self, const std::vector<TensorIndex>& indices);
// self[indices] = value (value broadcast to the indexed shape).
void index_put_(Tensor& self, const std::vector<TensorIndex>& indices,
                const Tensor& value);
void index_put_(Tensor& self, const std::vector<TensorIndex>& indices,
                const Scalar& value);

}  // namespace ag::ops
