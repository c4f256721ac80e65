// Advanced indexing: index (self[indices]) and index_put / index_put_
// (self[indices] = values), with tensor and mask indices. Each op's forward
// rule sits beside it; view.cpp turns Python subscripts into these calls.

#include <algorithm>
#include <string>
#include <vector>

#include "compile/capture.h"
#include "ops/index_data.h"

namespace ag::ops {

// ---- advanced indexing
// ---------------------------------------------------------

namespace {

// Where advanced indexing reads or writes: `target` is self re-strided to
// the result's shape (stride 0 along the indexed dims) and `offsets` the
// element offsets the indices add, viewed at the same shape.
struct IndexPlan {
  Shape shape;
  Tensor target;
  Tensor offsets;
};

bool broadcast_into(Shape& acc, const Shape& s) {
  const size_t nd = std::max(acc.size(), s.size());
  Shape out(nd);
  for (size_t i = 0; i < nd; ++i) {
    const size_t from_end = nd - 1 - i;
    const int64_t a =
        from_end < acc.size() ? acc[acc.size() - 1 - from_end] : 1;
    const int64_t b = from_end < s.size() ? s[s.size() - 1 - from_end] : 1;
    if (a != b && a != 1 && b != 1) return false;
    out[i] = a == 1 ? b : a;
  }
  acc = out;
  return true;
}

IndexPlan plan_index(const Tensor& self, const TensorList& indices) {
  // Masks become the coordinates of their true elements, one index per dim.
  TensorList idx;
  IntList dims;
  int64_t dim = 0;
  for (const Tensor& t : indices) {
    if (!t.defined()) {
      ++dim;
      continue;
    }
    AG_INDEX_CHECK(is_index_dtype(t.dtype()) || t.dtype() == DType::Bool,
                   "tensors used as indices must be long, int, byte or bool "
                   "tensors");
    const int64_t covers = t.dtype() == DType::Bool ? t.dim() : 1;
    AG_INDEX_CHECK(dim + covers <= self.dim(),
                   "too many indices for tensor of dimension ", self.dim());
    if (t.dtype() != DType::Bool) {
      idx.push_back(t);
      dims.push_back(dim++);
      continue;
    }
    AG_INDEX_CHECK(t.dim() > 0,
                   "a 0-d bool index is only supported in x[...] syntax");
    for (int64_t j = 0; j < t.dim(); ++j) {
      AG_INDEX_CHECK(t.sizes()[static_cast<size_t>(j)] ==
                         self.sizes()[static_cast<size_t>(dim + j)],
                     "The shape of the mask ", shape_str(t.sizes()),
                     " at index ", j,
                     " does not match the shape of the indexed tensor ",
                     shape_str(self.sizes()), " at index ", dim + j);
    }
    const Tensor coords = kernels::nonzero(t);
    const int64_t count = coords.sizes()[0];
    for (int64_t j = 0; j < t.dim(); ++j) {
      idx.push_back(data_view(coords, {count}, {t.dim()}, j));
      dims.push_back(dim++);
    }
  }

  Shape bshape;
  for (const Tensor& t : idx) {
    if (!broadcast_into(bshape, t.sizes())) {
      std::string shapes;
      for (size_t i = 0; i < idx.size(); ++i) {
        shapes += (i ? ", " : "") + shape_str(idx[i].sizes());
      }
      throw IndexError(
          "shape mismatch: indexing tensors could not be broadcast together "
          "with shapes " +
          shapes);
    }
  }
  // No value indexes an empty dim: PyTorch refuses any index there unless
  // the indices are empty themselves, even where the result would be empty
  // (and so no index value is read).
  const bool indexes_empty_dim = std::any_of(
      dims.begin(), dims.end(),
      [&](int64_t d) { return self.sizes()[static_cast<size_t>(d)] == 0; });
  AG_INDEX_CHECK(!indexes_empty_dim || numel_of(bshape) == 0,
                 "index is out of bounds for dimension with size 0");
  // Adjacent indexed dims keep their place; separated ones go first.
  bool adjacent = true;
  for (size_t i = 1; i < dims.size(); ++i) {
    adjacent = adjacent && dims[i] == dims[i - 1] + 1;
  }
  const Shape bstrides = contiguous_strides(bshape);
  IndexPlan plan;
  Shape target_strides, offset_strides;
  auto push_broadcast = [&] {
    for (size_t k = 0; k < bshape.size(); ++k) {
      plan.shape.push_back(bshape[k]);
      target_strides.push_back(0);
      offset_strides.push_back(bstrides[k]);
    }
  };
  if (!adjacent || dims.empty()) push_broadcast();
  std::vector<bool> indexed(static_cast<size_t>(self.dim()), false);
  for (int64_t d : dims) indexed[static_cast<size_t>(d)] = true;
  for (int64_t d = 0; d < self.dim(); ++d) {
    const auto ud = static_cast<size_t>(d);
    if (adjacent && !dims.empty() && d == dims[0]) push_broadcast();
    if (indexed[ud]) continue;
    plan.shape.push_back(self.sizes()[ud]);
    target_strides.push_back(self.strides()[ud]);
    offset_strides.push_back(0);
  }
  Tensor offsets = empty_tensor(bshape, DType::Int64);
  // An empty result reads nothing, and PyTorch checks no index then.
  if (numel_of(plan.shape) > 0) {
    std::vector<int64_t> sizes, strides;
    for (int64_t d : dims) {
      sizes.push_back(self.sizes()[static_cast<size_t>(d)]);
      strides.push_back(self.strides()[static_cast<size_t>(d)]);
    }
    kernels::index_offsets(idx, sizes, strides, offsets);
  }
  plan.target = data_view(self, plan.shape, target_strides,
                          self.impl()->storage_offset());
  plan.offsets = data_view(offsets, plan.shape, offset_strides, 0);
  return plan;
}

std::vector<SavedVariable> save_all(const TensorList& ts) {
  std::vector<SavedVariable> out;
  for (const Tensor& t : ts) out.emplace_back(t, false);
  return out;
}

// d(self) = zeros(self_sizes).index_put(indices, grad, accumulate=True)
class IndexBackward0 final : public Node {
 public:
  AG_NODE(IndexBackward0);
  static constexpr bool kForwardRule = true;  // Note [Linear forward rules]
  variable_list apply(variable_list&& grads) override {
    return {index_put(zeros(self_sizes, grads[0].dtype()), indices.unpack(),
                      grads[0], /*accumulate=*/true)};
  }
  Saved<Shape> self_sizes{this, "self_sym_sizes"};
  SavedTensorList indices{this, "indices"};
};

// d(self) = grad (accumulate) or grad.index_put(indices, 0) ;
// d(values) = grad[indices]
class IndexPutBackward0 final : public Node {
 public:
  AG_NODE(IndexPutBackward0);
  // tangent = self_t.index_put(indices, values_t, accumulate)
  static constexpr bool kForwardRule = true;
  variable_list apply(variable_list&& grads) override {
    variable_list out(2);
    const TensorList idx = indices.unpack();
    if (should_compute_output(0)) {
      out[0] = accumulate ? grads[0]
                          : index_put(grads[0], idx,
                                      zeros({}, grads[0].dtype()), false);
    }
    if (should_compute_output(1)) out[1] = index(grads[0], idx);
    return out;
  }
  SavedTensorList indices{this, "indices"};
  Saved<bool> accumulate{this, "accumulate", false};
};

// Writes values into `dst` (self or a copy of it) at the indexed positions.
void put_data(const Tensor& dst, const TensorList& indices,
              const Tensor& values, bool accumulate) {
  AG_CHECK(values.dtype() == dst.dtype(),
           "Index put requires the source and destination dtypes match, got ",
           dtype_legacy_name(dst.dtype()), " for the destination and ",
           dtype_legacy_name(values.dtype()), " for the source.");
  const IndexPlan plan = plan_index(dst, indices);
  AG_CHECK(is_expandable_to(values.sizes(), plan.shape),
           "shape mismatch: value tensor of shape ", shape_str(values.sizes()),
           " cannot be broadcast to indexing result of shape ",
           shape_str(plan.shape));
  const bool overlaps = values.impl()->storage() == dst.impl()->storage();
  kernels::index_scatter(plan.target, plan.offsets, 1, kernels::IndexBound{},
                         overlaps ? clone_data(values) : values, accumulate);
}

std::shared_ptr<IndexPutBackward0> record_index_put(const Tensor& self,
                                                    const TensorList& indices,
                                                    const Tensor& values,
                                                    bool accumulate) {
  auto fn = record<IndexPutBackward0>(self, values);
  if (fn) {
    fn->indices = save_all(indices);
    fn->accumulate = accumulate;
  }
  return fn;
}

}  // namespace

Tensor index(const Tensor& self, const TensorList& indices) {
  const IndexPlan plan = plan_index(self, indices);
  Tensor out = empty_tensor(plan.shape, self.dtype());
  kernels::index_gather(plan.target, plan.offsets, 1, kernels::IndexBound{},
                        out);
  if (auto fn = record<IndexBackward0>(self)) {
    fn->self_sizes = self.sizes();
    fn->indices = save_all(indices);
    autograd::set_history(out, fn);
  }
  linear_tangent(out, self, [&](const Tensor& t) { return index(t, indices); });
  return out;
}

namespace {
Tensor index_put_tangent(const Tensor& self, const TensorList& indices,
                         const Tensor& values, bool accumulate) {
  Tensor values_t = forward_ad::tangent(values);
  if (!values_t.defined()) values_t = zeros({}, self.dtype());
  return index_put(tangent_or_zeros(self), indices, values_t, accumulate);
}
}  // namespace

namespace {
// A recorded index_put's inputs: self, values, then the indices (which
// may change from call to call).
TensorList put_inputs(const Tensor& self, const Tensor& values,
                      const TensorList& indices) {
  TensorList in{self, values};
  in.insert(in.end(), indices.begin(), indices.end());
  return in;
}
TensorList put_indices(const TensorList& in) {
  return TensorList(in.begin() + 2, in.end());
}
}  // namespace

Tensor index_put(const Tensor& self, const TensorList& indices,
                 const Tensor& values, bool accumulate) {
  AG_CAPTURE_RETURN_LIST("index_put",
                         index_put(in[0], put_indices(in), in[1], accumulate),
                         put_inputs(self, values, indices))
  Tensor out = clone_data(self);
  put_data(out, indices, values, accumulate);
  if (auto fn = record_index_put(self, indices, values, accumulate)) {
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self, values)) {
    set_tangent(out, [&] {
      return index_put_tangent(self, indices, values, accumulate);
    });
  }
  return out;
}

Tensor& index_put_(Tensor& self, const TensorList& indices,
                   const Tensor& values, bool accumulate) {
  if (auto* rec = compile::Recorder::armed()) {
    rec->call("index_put_", put_inputs(self, values, indices),
              [accumulate](const TensorList& in) {
                Tensor s = in[0];
                index_put_(s, put_indices(in), in[1], accumulate);
                return TensorList{};
              });
    return self;
  }
  autograd::check_inplace(self);
  check_no_internal_overlap(self);
  auto fn = record_index_put(self, indices, values, accumulate);
  Tensor tangent;
  if (forward_ad::any_dual(self, values)) {
    forward_ad::DisableGuard paused;
    tangent = index_put_tangent(self, indices, values, accumulate);
  }
  put_data(self, indices, values, accumulate);
  if (tangent.defined()) write_tangent(self, tangent);
  self.impl()->bump_version("index_put_");
  if (fn) rebase_history(self, fn);
  return self;
}

}  // namespace ag::ops
