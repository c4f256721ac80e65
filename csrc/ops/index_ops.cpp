// Mask and index ops, unique, and the composites diff, cross, kron and
// nan_to_num (see index_ops.h).

#include "ops/index_ops.h"

#include <cmath>
#include <limits>
#include <string>

#include "kernels/index.h"
#include "ops/op_utils.h"
#include "ops/sorting.h"

namespace ag::ops {

namespace {

enum class IndexMode { Add, Copy, Fill };

Tensor bool_data(const Tensor& t) {
  NoGradGuard no_grad;
  if (t.dtype() == DType::Bool) return autograd::detach(t);
  return ne(autograd::detach(t), scalar_tensor(Scalar(int64_t{0}), t.dtype()));
}

// The index list that picks `index` along dim and whole slices elsewhere.
TensorList along(int64_t dim, const Tensor& index) {
  TensorList out(static_cast<size_t>(dim) + 1);
  out[static_cast<size_t>(dim)] = index;
  return out;
}

const char* index_op_name(IndexMode mode) {
  switch (mode) {
    case IndexMode::Add:
      return "index_add_";
    case IndexMode::Copy:
      return "index_copy_";
    case IndexMode::Fill:
      break;
  }
  return "index_fill_";
}

// PyTorch's argument checks, with its messages and error types (which
// differ between the three ops).
void check_index_args(const Tensor& self, int64_t dim, const Tensor& index,
                      const Tensor& source, IndexMode mode) {
  const char* op = index_op_name(mode);
  AG_INDEX_CHECK(index.dim() <= 1, op, "(): Index is supposed to be a vector");
  if (mode == IndexMode::Fill) {
    AG_INDEX_CHECK(index.dtype() == DType::Int64, op,
                   "(): Expected dtype int64 for index.");
  } else {
    AG_CHECK(index.dtype() == DType::Int64 || index.dtype() == DType::Int32, op,
             "(): Expected dtype int32/int64 for index");
    AG_CHECK(source.dtype() == self.dtype(), op, "(): self (",
             dtype_legacy_name(self.dtype()), ") and source (",
             dtype_legacy_name(source.dtype()),
             ") must have the same scalar type");
    const int64_t slices = source.dim() == 0 ? 1 : source.size(dim);
    if (mode == IndexMode::Add) {
      AG_CHECK(index.numel() == slices, op, "(): Number of indices (",
               index.numel(), ") should be equal to source.size(dim): (",
               slices, "), for dim: ", dim);
    } else {
      AG_INDEX_CHECK(index.numel() == slices, op, "(): Number of indices (",
                     index.numel(), ") should be equal to source.size(dim) (",
                     slices, ")");
    }
    bool same_slices =
        source.dim() == 0 ? self.dim() <= 1 : source.dim() == self.dim();
    for (int64_t d = 0; same_slices && d < source.dim(); ++d) {
      same_slices = d == dim || source.size(d) == self.size(d);
    }
    AG_CHECK(same_slices, op,
             "(): source tensor shape must match self tensor shape, "
             "excluding the specified dimension. Got self.shape = ",
             shape_str(self.sizes()),
             " source.shape = ", shape_str(source.sizes()));
  }
  // Bounds: index_fill takes negative indices, the other two do not.
  const int64_t size = self.dim() == 0 ? 1 : self.size(dim);
  const int64_t low = mode == IndexMode::Fill ? -size : 0;
  const Tensor idx = contiguous_data(cast_data(index, DType::Int64));
  const int64_t* p = idx.data_ptr<int64_t>();
  for (int64_t i = 0; i < idx.numel(); ++i) {
    if (p[i] >= low && p[i] < size) continue;
    const std::string prefix =
        mode == IndexMode::Copy ? std::string(op) + "(): " : "";
    if (mode == IndexMode::Add) {
      AG_CHECK(false, "index ", p[i], " is out of bounds for dimension ", dim,
               " with size ", size);
    }
    AG_INDEX_CHECK(false, prefix, "index ", p[i],
                   " is out of bounds for dimension ", dim, " with size ",
                   size);
  }
}

Tensor flat_index(const Tensor& index) {
  return index.dim() == 0 ? reshape(index, {1}) : index;
}

}  // namespace

// ---- nonzero / masked_select / masked_scatter -----------------------------

Tensor nonzero(const Tensor& self) {
  return kernels::nonzero(bool_data(self));
}

TensorList nonzero_numpy(const Tensor& self) {
  const Tensor mask =
      self.dim() == 0 ? reshape(bool_data(self), {1}) : bool_data(self);
  const Tensor coords = kernels::nonzero(mask);
  TensorList out;
  for (int64_t d = 0; d < mask.dim(); ++d) {
    out.push_back(contiguous(select(coords, 1, d)));
  }
  return out;
}

namespace {

// d(self) = zeros.index_put(mask, grad)   (summed to self's shape)
class MaskedSelectBackward0 : public Node {
 public:
  AG_NODE(MaskedSelectBackward0);
  variable_list apply(variable_list&& grads) override {
    const Tensor& g = grads[0];
    return {index_put(zeros(mask.sizes(), g.dtype()), {mask}, g, false)};
  }
  Saved<Tensor> mask{this, "mask"};  // bool, broadcast to the common shape
};

// d(self) = grad.masked_fill(mask, 0);
// d(source) = grad[mask], padded with zeros to source's shape
class MaskedScatterBackward0 : public Node {
 public:
  AG_NODE(MaskedScatterBackward0);
  variable_list apply(variable_list&& grads) override {
    const Tensor& g = grads[0];
    variable_list out(2);
    if (should_compute_output(0)) {
      out[0] = masked_fill(g, mask, Scalar(0.0));
    }
    if (should_compute_output(1)) {
      const Tensor picked = index(g, {mask});
      int64_t total = 1;
      for (int64_t s : source_sizes) total *= s;
      Tensor flat = picked;
      if (picked.numel() < total) {
        flat = cat({picked, zeros({total - picked.numel()}, g.dtype())}, 0);
      }
      out[1] = reshape(flat, source_sizes);
    }
    return out;
  }
  Saved<Tensor> mask{this, "mask"};
  Saved<Shape> source_sizes{this, "source_sym_sizes"};
};

// The common shape of self and mask, and both expanded to it.
std::pair<Tensor, Tensor> broadcast_with_mask(const Tensor& self,
                                              const Tensor& mask,
                                              const char* op) {
  AG_CHECK(mask.dtype() == DType::Bool, op, ": expected BoolTensor for mask");
  Shape shape;
  {
    NoGradGuard no_grad;
    shape = logical_or(zeros(self.sizes(), DType::Bool), autograd::detach(mask))
                .sizes();
  }
  return {expand(self, shape), contiguous_data(expand(mask, shape))};
}

}  // namespace

Tensor masked_select(const Tensor& self, const Tensor& mask) {
  auto [s, m] = broadcast_with_mask(self, mask, "masked_select");
  Tensor out;
  {
    NoGradGuard no_grad;
    out = index(autograd::detach(s), {m});
  }
  if (auto fn = record<MaskedSelectBackward0>(s)) {
    fn->mask = m;
    autograd::set_history(out, fn);
  }
  return out;
}

Tensor masked_scatter(const Tensor& self, const Tensor& mask,
                      const Tensor& source) {
  auto [s, m] = broadcast_with_mask(self, mask, "masked_scatter_");
  AG_CHECK(source.dtype() == self.dtype(),
           "masked_scatter_: expected self and source to have same dtypes "
           "but got ",
           dtype_legacy_name(self.dtype()), " and ",
           dtype_legacy_name(source.dtype()));
  Tensor out;
  {
    NoGradGuard no_grad;
    const int64_t count = sum(cast_data(m, DType::Int64)).item().to<int64_t>();
    AG_CHECK(count <= source.numel(),
             "Number of elements of source < number of ones in mask");
    const Tensor values = slice(
        reshape(contiguous_data(autograd::detach(source)), {source.numel()}), 0,
        0, count, 1);
    out = index_put(autograd::detach(s), {m}, values, false);
  }
  if (auto fn = record<MaskedScatterBackward0>(s, source)) {
    fn->mask = m;
    fn->source_sizes = source.sizes();
    autograd::set_history(out, fn);
  }
  return out;
}

Tensor& masked_scatter_(Tensor& self, const Tensor& mask,
                        const Tensor& source) {
  return apply_inplace(self, "masked_scatter_", {source}, [&](const Tensor& s) {
    return masked_scatter(s, mask, source);
  });
}

// ---- index_add / index_copy / index_fill ----------------------------------

namespace {

// d(self) = grad (add) or grad.index_fill(dim, index, 0) (copy, fill);
// d(source) = grad.index_select(dim, index) (* alpha for add)
const char* index_update_node_name(IndexMode mode) {
  switch (mode) {
    case IndexMode::Add:
      return "IndexAddBackward0";
    case IndexMode::Copy:
      return "IndexCopyBackward0";
    case IndexMode::Fill:
      break;
  }
  return "IndexFillBackward0";
}

class IndexUpdateBackward : public Node {
 public:
  IndexUpdateBackward(edge_list&& edges, IndexMode mode)
      : Node(std::move(edges)), mode_(mode) {}
  std::string name() const override { return index_update_node_name(mode_); }
  variable_list apply(variable_list&& grads) override {
    const Tensor& g = grads[0];
    variable_list out(num_outputs());
    if (should_compute_output(0)) {
      out[0] =
          mode_ == IndexMode::Add
              ? g
              : index_fill(g, dim, cast_data(index, DType::Int64), Scalar(0.0));
    }
    if (mode_ != IndexMode::Fill && should_compute_output(1)) {
      Tensor picked = index_select(g, dim, flat_index(index));
      if (mode_ == IndexMode::Add) {
        picked = mul(picked, scalar_tensor(alpha, g.dtype()));
      }
      out[1] = reshape(picked, source_sizes);
    }
    return out;
  }
  Saved<int64_t> dim{this, "dim"};
  Saved<Tensor> index{this, "index"};
  Shape source_sizes;
  Scalar alpha = Scalar(1.0);

 private:
  IndexMode mode_;
};

Tensor index_update(const Tensor& self, int64_t dim_in, const Tensor& index,
                    const Tensor& source, const Scalar& alpha, IndexMode mode) {
  const int64_t dim = self.dim() == 0 ? 0 : wrap_dim(dim_in, self.dim());
  check_index_args(self, dim, index, source, mode);
  const Tensor idx = flat_index(autograd::detach(index));
  Tensor out;
  {
    NoGradGuard no_grad;
    Tensor target = self.dim() == 0 ? reshape(autograd::detach(self), {1})
                                    : autograd::detach(self);
    Tensor values;
    if (mode == IndexMode::Fill) {
      values = scalar_tensor(alpha, self.dtype());
    } else {
      values = autograd::detach(source);
      if (values.dim() == 0) values = reshape(values, {1});
      if (mode == IndexMode::Add) {
        values = mul(values, scalar_tensor(alpha, self.dtype()));
      }
    }
    out = index_put(target, along(dim, idx), values, mode == IndexMode::Add);
    if (self.dim() == 0) out = reshape(out, {});
  }
  const bool grad_source = mode != IndexMode::Fill;
  const char* name = index_update_node_name(mode);
  if (is_floating(out.dtype()) &&
      (grad_source ? should_record_as<IndexUpdateBackward>(name, self, source)
                   : should_record_as<IndexUpdateBackward>(name, self))) {
    auto fn = grad_source
                  ? make_node<IndexUpdateBackward>(
                        autograd::collect_next_edges(self, source), mode)
                  : make_node<IndexUpdateBackward>(
                        autograd::collect_next_edges(self), mode);
    fn->index = idx;
    fn->dim = dim;
    fn->alpha = alpha;
    if (grad_source) fn->source_sizes = source.sizes();
    autograd::set_history(out, fn);
  }
  return out;
}

}  // namespace

Tensor index_add(const Tensor& self, int64_t dim, const Tensor& index,
                 const Tensor& source, const Scalar& alpha) {
  return index_update(self, dim, index, source, alpha, IndexMode::Add);
}
Tensor index_copy(const Tensor& self, int64_t dim, const Tensor& index,
                  const Tensor& source) {
  return index_update(self, dim, index, source, Scalar(1.0), IndexMode::Copy);
}
Tensor index_fill(const Tensor& self, int64_t dim, const Tensor& index,
                  const Scalar& value) {
  return index_update(self, dim, index, Tensor(), value, IndexMode::Fill);
}
Tensor& index_add_(Tensor& self, int64_t dim, const Tensor& index,
                   const Tensor& source, const Scalar& alpha) {
  return apply_inplace(self, "index_add_", {source}, [&](const Tensor& s) {
    return index_add(s, dim, index, source, alpha);
  });
}
Tensor& index_copy_(Tensor& self, int64_t dim, const Tensor& index,
                    const Tensor& source) {
  return apply_inplace(self, "index_copy_", {source}, [&](const Tensor& s) {
    return index_copy(s, dim, index, source);
  });
}
Tensor& index_fill_(Tensor& self, int64_t dim, const Tensor& index,
                    const Scalar& value) {
  return apply_inplace(self, "index_fill_", {}, [&](const Tensor& s) {
    return index_fill(s, dim, index, value);
  });
}

// ---- unique / unique_consecutive ------------------------------------------

namespace {

// From rows [n, m] in which equal rows sit next to each other: the first
// row of each run, each row's run number, and run lengths. NaN differs from
// itself, so each NaN row is a run of its own (as PyTorch).
std::tuple<Tensor, Tensor, Tensor> runs(const Tensor& rows) {
  const int64_t n = rows.size(0);
  if (n == 0) {
    return {rows, empty_tensor({0}, DType::Int64),
            empty_tensor({0}, DType::Int64)};
  }
  const Tensor later = slice(rows, 0, 1, n, 1);
  const Tensor earlier = slice(rows, 0, 0, n - 1, 1);
  const Tensor differs = any(ne(later, earlier), {1}, false);
  const Tensor starts = cat({ones({1}, DType::Bool), differs}, 0);
  const Tensor run_id = sub(cumsum(starts, 0, DType::Int64),
                            scalar_tensor(Scalar(int64_t{1}), DType::Int64));
  return {index(rows, {starts}), run_id, bincount(run_id)};
}

// self as rows [size(dim), rest] (the slices along dim, flattened), or the
// flattened values as rows of one element when dim is absent.
Tensor as_rows(const Tensor& self, std::optional<int64_t> dim) {
  const Tensor x = autograd::detach(self);
  if (!dim) return reshape(contiguous_data(x), {self.numel(), 1});
  if (self.numel() == 0) {
    for (int64_t d = 0; d < self.dim(); ++d) {
      AG_CHECK(d == *dim || self.size(d) != 0,
               "There are 0 sized dimensions, and they aren't selected, so "
               "unique cannot be applied");
    }
  }
  const int64_t n = self.dim() == 0 ? 1 : self.size(*dim);
  const Tensor moved = self.dim() == 0 ? x : movedim(x, {*dim}, {0});
  return reshape(contiguous(moved), {n, n == 0 ? 0 : self.numel() / n});
}

// The unique rows back in self's layout: [k, rest] -> k slices along dim.
Tensor from_rows(const Tensor& self, const Tensor& rows,
                 std::optional<int64_t> dim) {
  if (!dim) return reshape(rows, {rows.size(0)});
  if (self.dim() == 0) return reshape(rows, {rows.size(0)});
  Shape shape = self.sizes();
  shape.erase(static_cast<size_t>(*dim));
  shape.insert(0, rows.size(0));
  return movedim(reshape(rows, shape), {0}, {*dim});
}

std::optional<int64_t> wrap_unique_dim(const Tensor& self,
                                       std::optional<int64_t> dim) {
  if (!dim) return dim;
  return wrap_dim(*dim, std::max<int64_t>(self.dim(), 1));
}

Tensor inverse_shape(const Tensor& run_id, const Tensor& self,
                     std::optional<int64_t> dim) {
  return dim ? run_id : reshape(run_id, self.sizes());
}

}  // namespace

std::tuple<Tensor, Tensor, Tensor> unique(const Tensor& self,
                                          bool return_inverse,
                                          bool return_counts,
                                          std::optional<int64_t> dim_in) {
  NoGradGuard no_grad;
  const std::optional<int64_t> dim = wrap_unique_dim(self, dim_in);
  const Tensor rows = as_rows(self, dim);
  // Rows in lexicographic order: stable sorts by each column, last first.
  Tensor order = arange(Scalar(int64_t{0}), Scalar(rows.size(0)),
                        Scalar(int64_t{1}), DType::Int64);
  for (int64_t c = rows.size(1) - 1; c >= 0 && rows.size(0) > 0; --c) {
    const Tensor column = index_select(select(rows, 1, c), 0, order);
    order = index_select(order, 0, std::get<1>(sort(column, 0, false, true)));
  }
  auto [values, run_id, counts] = runs(index_select(rows, 0, order));
  Tensor inverse;
  if (return_inverse) {
    inverse = inverse_shape(
        scatter(empty_tensor({rows.size(0)}, DType::Int64), 0, order, run_id),
        self, dim);
  }
  return {from_rows(self, values, dim), inverse,
          return_counts ? counts : Tensor()};
}

std::tuple<Tensor, Tensor, Tensor> unique_consecutive(
    const Tensor& self, bool return_inverse, bool return_counts,
    std::optional<int64_t> dim_in) {
  NoGradGuard no_grad;
  const std::optional<int64_t> dim = wrap_unique_dim(self, dim_in);
  auto [values, run_id, counts] = runs(as_rows(self, dim));
  return {from_rows(self, values, dim),
          return_inverse ? inverse_shape(run_id, self, dim) : Tensor(),
          return_counts ? counts : Tensor()};
}

// ---- diff / cross / kron / nan_to_num -------------------------------------

Tensor diff(const Tensor& self, int64_t n, int64_t dim_in,
            const Tensor& prepend, const Tensor& append) {
  AG_CHECK(self.dim() >= 1,
           "diff expects input to be at least one-dimensional");
  AG_CHECK(n >= 0, "order must be non-negative but got ", n);
  const int64_t dim = wrap_dim(dim_in, self.dim());
  Tensor x = self;
  if (prepend.defined() || append.defined()) {
    TensorList parts;
    if (prepend.defined()) parts.push_back(prepend);
    parts.push_back(self);
    if (append.defined()) parts.push_back(append);
    x = cat(parts, dim);
  }
  for (int64_t i = 0; i < n && x.size(dim) > 0; ++i) {
    const int64_t len = x.size(dim);
    const Tensor later = slice(x, dim, 1, len, 1);
    const Tensor earlier = slice(x, dim, 0, len - 1, 1);
    x = x.dtype() == DType::Bool ? logical_xor(later, earlier)
                                 : sub(later, earlier);
  }
  return x;
}

namespace {

// Components (i + 1) and (i + 2) mod 3 of a 3-vector along dim.
Tensor rot(const Tensor& t, int64_t by, int64_t dim) {
  return roll(t, {-by}, {dim});
}

Tensor cross_data(const Tensor& a, const Tensor& b, int64_t dim) {
  return sub(mul(rot(a, 1, dim), rot(b, 2, dim)),
             mul(rot(a, 2, dim), rot(b, 1, dim)));
}

// d(self) = cross(other, grad); d(other) = cross(grad, self)
class LinalgCrossBackward0 : public Node {
 public:
  AG_NODE(LinalgCrossBackward0);
  variable_list apply(variable_list&& grads) override {
    const Tensor& g = grads[0];
    variable_list out(2);
    if (should_compute_output(0)) {
      out[0] = cross_data(other.unpack(), g, dim);
    }
    if (should_compute_output(1)) {
      out[1] = cross_data(g, self.unpack(), dim);
    }
    return out;
  }
  SavedTensor self{this, "self"}, other{this, "other"};
  Saved<int64_t> dim{this, "dim"};
};

}  // namespace

Tensor cross(const Tensor& self, const Tensor& other, int64_t dim_in) {
  AG_CHECK(self.dim() == other.dim(),
           "linalg.cross: inputs must have the same number of dimensions.");
  const int64_t dim = wrap_dim(dim_in, self.dim());
  AG_CHECK(self.size(dim) == 3 && other.size(dim) == 3,
           "linalg.cross: inputs dimension ", dim_in, " must have length 3. ",
           "Got ", self.size(dim), " and ", other.size(dim));
  const DType dtype = result_type(self, other);
  Tensor out;
  {
    NoGradGuard no_grad;
    out = cross_data(cast_data(autograd::detach(self), dtype),
                     cast_data(autograd::detach(other), dtype), dim);
  }
  if (auto fn = record<LinalgCrossBackward0>(self, other)) {
    fn->self = SavedVariable(self, false);
    fn->other = SavedVariable(other, false);
    fn->dim = dim;
    autograd::set_history(out, fn);
  }
  return out;
}

Tensor kron(const Tensor& self, const Tensor& other) {
  const int64_t nd = std::max(self.dim(), other.dim());
  Shape a_shape, b_shape, out_shape;
  for (int64_t d = 0; d < nd; ++d) {
    const int64_t a =
        d < nd - self.dim() ? 1 : self.size(d - (nd - self.dim()));
    const int64_t b =
        d < nd - other.dim() ? 1 : other.size(d - (nd - other.dim()));
    a_shape.push_back(a);
    a_shape.push_back(1);
    b_shape.push_back(1);
    b_shape.push_back(b);
    out_shape.push_back(a * b);
  }
  // The product is fresh, so (as PyTorch) it is reshaped by _unsafe_view.
  return unsafe_view(
      contiguous(mul(reshape(self, a_shape), reshape(other, b_shape))),
      out_shape);
}

namespace {

// d(self) = grad where self is finite, else 0
class NanToNumBackward0 : public Node {
 public:
  AG_NODE(NanToNumBackward0);
  variable_list apply(variable_list&& grads) override {
    Tensor finite;
    {
      NoGradGuard no_grad;
      finite = isfinite(self.unpack());
    }
    return {where(finite, grads[0], zeros({}, grads[0].dtype()))};
  }
  SavedTensor self{this, "self"};
};

}  // namespace

Tensor nan_to_num(const Tensor& self, std::optional<double> nan,
                  std::optional<double> posinf, std::optional<double> neginf) {
  if (!is_floating(self.dtype())) return clone(self);
  const bool f32 = self.dtype() == DType::Float32;
  const double hi = f32 ? std::numeric_limits<float>::max()
                        : std::numeric_limits<double>::max();
  Tensor out;
  {
    NoGradGuard no_grad;
    const Tensor x = autograd::detach(self);
    const Tensor inf = scalar_tensor(
        Scalar(std::numeric_limits<double>::infinity()), self.dtype());
    out =
        where(isnan(x), scalar_tensor(Scalar(nan.value_or(0.0)), x.dtype()), x);
    out = where(eq(out, inf),
                scalar_tensor(Scalar(posinf.value_or(hi)), x.dtype()), out);
    out = where(eq(out, neg(inf)),
                scalar_tensor(Scalar(neginf.value_or(-hi)), x.dtype()), out);
  }
  if (auto fn = record<NanToNumBackward0>(self)) {
    fn->self = SavedVariable(self, false);
    autograd::set_history(out, fn);
  }
  return out;
}

Tensor& nan_to_num_(Tensor& self, std::optional<double> nan,
                    std::optional<double> posinf,
                    std::optional<double> neginf) {
  return apply_inplace(self, "nan_to_num_", {}, [&](const Tensor& s) {
    return nan_to_num(s, nan, posinf, neginf);
  });
}

}  // namespace ag::ops
