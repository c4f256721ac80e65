// Shape ops that copy (cat, stack, flip, repeat, roll, tril, triu, padding)
// and indexing (gather, scatter, index_select, advanced indexing, embedding,
// one_hot). Forward passes call the kernels in kernels/index.h; backward
// formulas are built from these same differentiable ops.

#include <algorithm>
#include <numeric>

#include "compile/capture.h"
#include "kernels/index.h"
#include "ops/op_utils.h"

namespace ag::ops {

namespace {

// A view over t's storage without autograd state: kernel operands only.
Tensor data_view(const Tensor& t, Shape sizes, Shape strides, int64_t offset) {
  return make_view(t, std::move(sizes), std::move(strides), offset);
}

Tensor narrow_data(const Tensor& t, int64_t dim, int64_t start,
                   int64_t length) {
  const auto d = static_cast<size_t>(dim);
  Shape sizes = t.sizes();
  sizes[d] = length;
  return data_view(t, sizes, t.strides(),
                   t.impl()->storage_offset() + start * t.strides()[d]);
}

// Geometry with a 0-d tensor seen as a 1-d tensor of one element (how
// gather, scatter and index_select treat scalars).
Shape sizes_1d(const Tensor& t) {
  return t.dim() > 0 ? t.sizes() : Shape{1};
}
Shape strides_1d(const Tensor& t) {
  return t.dim() > 0 ? t.strides() : Shape{1};
}
Tensor as_1d(const Tensor& t) {
  return t.dim() > 0 ? t : data_view(t, {1}, {1}, t.impl()->storage_offset());
}

bool is_index_dtype(DType t) {
  return t == DType::Int64 || t == DType::Int32;
}

// ---- cat and stack ----------------------------------------------------------

// PyTorch skips 1-d empty tensors in cat whatever the other shapes (a
// legacy rule from when empty tensors were all of shape [0]).
bool skipped_in_cat(const Tensor& t) {
  return t.dim() == 1 && t.numel() == 0;
}

// d(tensors[i]) = grad.narrow(dim, offset_i, size_i)
class CatBackward0 final : public Node {
 public:
  AG_NODE(CatBackward0);
  static constexpr bool kForwardRule = true;  // list_tangent
  variable_list apply(variable_list&& grads) override {
    variable_list out(num_outputs());
    int64_t offset = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
      if (skipped[i]) {
        if (should_compute_output(i)) out[i] = zeros({0}, grads[0].dtype());
        continue;
      }
      const int64_t d = wrap_dim(dim, grads[0].dim());
      const int64_t n = sizes[i][static_cast<size_t>(d)];
      if (should_compute_output(i)) out[i] = narrow(grads[0], d, offset, n);
      offset += n;
    }
    return out;
  }
  Saved<int64_t> dim{this, "dim", 0};
  std::vector<Shape> sizes;
  std::vector<bool> skipped;
};

// d(tensors[i]) = grad.select(dim, i)
class StackBackward0 final : public Node {
 public:
  AG_NODE(StackBackward0);
  static constexpr bool kForwardRule = true;  // list_tangent
  variable_list apply(variable_list&& grads) override {
    variable_list out(num_outputs());
    for (size_t i = 0; i < out.size(); ++i) {
      if (should_compute_output(i)) {
        out[i] = select(grads[0], dim, static_cast<int64_t>(i));
      }
    }
    return out;
  }
  Saved<int64_t> dim{this, "dim", 0};
};

DType promoted(const TensorList& tensors) {
  DType t = tensors[0].dtype();
  for (const Tensor& x : tensors) t = promote_types(t, x.dtype());
  return t;
}

// The tangent of a list op (cat, stack): the same op on the inputs'
// tangents, zeros standing in for inputs without one.
template <typename F>
void list_tangent(const Tensor& out, const TensorList& tensors, F&& op) {
  if (!forward_ad::any_dual_list(tensors)) return;
  set_tangent(out, [&] {
    TensorList tangents;
    tangents.reserve(tensors.size());
    for (const Tensor& t : tensors) tangents.push_back(tangent_or_zeros(t));
    return op(tangents);
  });
}

}  // namespace

Tensor cat(const TensorList& tensors, int64_t dim) {
  AG_CAPTURE_RETURN_LIST("cat", cat(in, dim), tensors)
  AG_CHECK_AS(ValueError, !tensors.empty(),
              "torch.cat(): expected a non-empty list of Tensors");
  const Tensor* ref = nullptr;
  for (size_t i = 0; i < tensors.size(); ++i) {
    AG_CHECK(tensors[i].dim() > 0, "zero-dimensional tensor (at position ", i,
             ") cannot be concatenated");
    if (!ref && !skipped_in_cat(tensors[i])) ref = &tensors[i];
  }
  // With every tensor skipped the result is empty and dim goes unchecked.
  const int64_t d = ref ? wrap_dim(dim, ref->dim()) : 0;
  const auto ud = static_cast<size_t>(d);
  Shape shape = ref ? ref->sizes() : Shape{0};
  shape[ud] = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (skipped_in_cat(t)) continue;
    AG_CHECK(t.dim() == ref->dim(),
             "Tensors must have same number of dimensions: got ", ref->dim(),
             " and ", t.dim());
    for (size_t k = 0; k < shape.size(); ++k) {
      AG_CHECK(k == ud || t.sizes()[k] == ref->sizes()[k],
               "Sizes of tensors must match except in dimension ", d,
               ". Expected size ", ref->sizes()[k], " but got size ",
               t.sizes()[k], " for tensor number ", i, " in the list.");
    }
    shape[ud] += t.sizes()[ud];
  }
  Tensor out = empty_tensor(shape, promoted(tensors));
  int64_t offset = 0;
  for (const Tensor& t : tensors) {
    if (skipped_in_cat(t)) continue;
    kernels::copy(t, narrow_data(out, d, offset, t.sizes()[ud]));
    offset += t.sizes()[ud];
  }
  if (should_record_list<CatBackward0>(tensors)) {
    auto fn =
        make_node<CatBackward0>(autograd::collect_next_edges_list(tensors));
    fn->dim = dim;
    for (const Tensor& t : tensors) {
      fn->sizes.push_back(t.sizes());
      fn->skipped.push_back(skipped_in_cat(t));
    }
    autograd::set_history(out, fn);
  }
  list_tangent(out, tensors,
               [&](const TensorList& ts) { return cat(ts, dim); });
  return out;
}

Tensor stack(const TensorList& tensors, int64_t dim) {
  AG_CAPTURE_RETURN_LIST("stack", stack(in, dim), tensors)
  AG_CHECK(!tensors.empty(), "stack expects a non-empty TensorList");
  const Tensor& ref = tensors[0];
  for (size_t i = 1; i < tensors.size(); ++i) {
    AG_CHECK(tensors[i].sizes() == ref.sizes(),
             "stack expects each tensor to be equal size, but got ",
             shape_str(ref.sizes()), " at entry 0 and ",
             shape_str(tensors[i].sizes()), " at entry ", i);
  }
  const int64_t d = wrap_dim(dim, ref.dim() + 1);
  Shape shape = ref.sizes();
  shape.insert(static_cast<size_t>(d), static_cast<int64_t>(tensors.size()));
  Tensor out = empty_tensor(shape, promoted(tensors));
  Shape piece_strides = out.strides();
  piece_strides.erase(static_cast<size_t>(d));
  for (size_t i = 0; i < tensors.size(); ++i) {
    kernels::copy(tensors[i],
                  data_view(out, ref.sizes(), piece_strides,
                            static_cast<int64_t>(i) *
                                out.strides()[static_cast<size_t>(d)]));
  }
  if (should_record_list<StackBackward0>(tensors)) {
    auto fn =
        make_node<StackBackward0>(autograd::collect_next_edges_list(tensors));
    fn->dim = dim;
    autograd::set_history(out, fn);
  }
  list_tangent(out, tensors,
               [&](const TensorList& ts) { return stack(ts, dim); });
  return out;
}

// ---- flip, repeat, roll, tril, triu
// ------------------------------------------

namespace {

// d(self) = grad.flip(dims)
class FlipBackward0 final : public Node {
 public:
  AG_NODE(FlipBackward0);
  static constexpr bool kForwardRule = true;  // Note [Linear forward rules]
  variable_list apply(variable_list&& grads) override {
    return {flip(grads[0], dims)};
  }
  Saved<IntList> dims{this, "dims"};
};

// d(self) = grad summed over the copies: viewed as (r0, s0, r1, s1, ...),
// summed over the r dims.
class RepeatBackward0 final : public Node {
 public:
  AG_NODE(RepeatBackward0);
  static constexpr bool kForwardRule = true;  // Note [Linear forward rules]
  variable_list apply(variable_list&& grads) override {
    const size_t n = repeats.size();
    const size_t lead = n - self_sizes.size();
    Shape split;
    IntList summed;
    for (size_t i = 0; i < n; ++i) {
      const int64_t size = i < lead ? 1 : self_sizes[i - lead];
      if (repeats[i] != 1) summed.push_back(static_cast<int64_t>(split.size()));
      split.push_back(repeats[i]);
      split.push_back(size);
    }
    Tensor g = reshape(grads[0], split);
    if (!summed.empty()) g = sum(g, summed, /*keepdim=*/false);
    return {reshape(g, self_sizes)};
  }
  Saved<IntList> repeats{this, "repeats"};
  Saved<Shape> self_sizes{this, "self_sym_sizes"};
};

// d(self) = grad.roll(-shifts, dims)
class RollBackward0 final : public Node {
 public:
  AG_NODE(RollBackward0);
  static constexpr bool kForwardRule = true;  // Note [Linear forward rules]
  variable_list apply(variable_list&& grads) override {
    IntList back(shifts.size());
    for (size_t i = 0; i < shifts.size(); ++i) back[i] = -shifts[i];
    return {roll(grads[0], back, dims)};
  }
  Saved<IntList> shifts{this, "shifts"}, dims{this, "dims"};
};

// d(self) = grad.tril(diagonal)  (or triu for TriuBackward0)
class TriangleBackward final : public Node {
 public:
  TriangleBackward(edge_list&& edges, bool upper, int64_t diagonal)
      : Node(std::move(edges)),
        upper_(upper),
        diagonal_(this, "diagonal", diagonal) {}
  static constexpr bool kForwardRule = true;  // Note [Linear forward rules]
  std::string name() const override {
    return upper_ ? "TriuBackward0" : "TrilBackward0";
  }
  variable_list apply(variable_list&& grads) override {
    return {upper_ ? triu(grads[0], diagonal_) : tril(grads[0], diagonal_)};
  }

 private:
  bool upper_;
  Saved<int64_t> diagonal_{this, "diagonal"};
};

// Distinct wrapped dims (0-d tensors accept 0 and -1 and have none).
IntList unique_dims(const IntList& dims, int64_t ndim) {
  IntList out;
  std::vector<bool> seen(static_cast<size_t>(std::max<int64_t>(ndim, 1)),
                         false);
  for (int64_t d : dims) {
    const int64_t w = wrap_dim(d, ndim);
    AG_CHECK(!seen[static_cast<size_t>(w)], "dim ", w,
             " appears multiple times in the list of dims");
    seen[static_cast<size_t>(w)] = true;
    if (w < ndim) out.push_back(w);
  }
  return out;
}

// self rolled by `shift` along dim d, as new data.
Tensor roll_data(const Tensor& self, int64_t d, int64_t shift) {
  const int64_t n = self.sizes()[static_cast<size_t>(d)];
  Tensor out = empty_tensor(self.sizes(), self.dtype());
  const int64_t s = n == 0 ? 0 : ((shift % n) + n) % n;
  if (s > 0)
    kernels::copy(narrow_data(self, d, n - s, s), narrow_data(out, d, 0, s));
  kernels::copy(narrow_data(self, d, 0, n - s), narrow_data(out, d, s, n - s));
  return out;
}

Tensor triangle(const Tensor& self, int64_t diagonal, bool upper) {
  AG_CHECK(self.dim() >= 2, upper ? "triu" : "tril",
           ": input tensor must have at least 2 dimensions");
  Tensor out = empty_tensor(self.sizes(), self.dtype());
  kernels::triangle(self, diagonal, upper, out);
  if (should_record_as<TriangleBackward>(
          upper ? "TriuBackward0" : "TrilBackward0", self)) {
    autograd::set_history(
        out, make_node<TriangleBackward>(autograd::collect_next_edges(self),
                                         upper, diagonal));
  }
  linear_tangent(out, self, [&](const Tensor& t) {
    return upper ? triu(t, diagonal) : tril(t, diagonal);
  });
  return out;
}

}  // namespace

Tensor flip(const Tensor& self, const IntList& dims) {
  const IntList wrapped = unique_dims(dims, self.dim());
  Tensor out = empty_tensor(self.sizes(), self.dtype());
  kernels::flip(self, wrapped, out);
  if (auto fn = record<FlipBackward0>(self)) {
    fn->dims = dims;
    autograd::set_history(out, fn);
  }
  linear_tangent(out, self, [&](const Tensor& t) { return flip(t, dims); });
  return out;
}

Tensor repeat(const Tensor& self, const IntList& repeats) {
  AG_CHECK(static_cast<int64_t>(repeats.size()) >= self.dim(),
           "Number of dimensions of repeat dims can not be smaller than number "
           "of dimensions of tensor");
  const size_t n = repeats.size();
  const size_t lead = n - static_cast<size_t>(self.dim());
  // The result seen as (r0, s0, r1, s1, ...) is self broadcast along the r's.
  Shape shape, split, src_sizes, src_strides;
  for (size_t i = 0; i < n; ++i) {
    const int64_t size = i < lead ? 1 : self.sizes()[i - lead];
    const int64_t stride = i < lead ? 0 : self.strides()[i - lead];
    shape.push_back(size * repeats[i]);
    split.push_back(repeats[i]);
    split.push_back(size);
    src_sizes.push_back(1);
    src_sizes.push_back(size);
    src_strides.push_back(0);
    src_strides.push_back(stride);
  }
  Tensor out = empty_tensor(shape, self.dtype());
  if (out.numel() > 0) {
    kernels::copy(
        data_view(self, src_sizes, src_strides, self.impl()->storage_offset()),
        data_view(out, split, contiguous_strides(split), 0));
  }
  if (auto fn = record<RepeatBackward0>(self)) {
    fn->repeats = repeats;
    fn->self_sizes = self.sizes();
    autograd::set_history(out, fn);
  }
  linear_tangent(out, self,
                 [&](const Tensor& t) { return repeat(t, repeats); });
  return out;
}

Tensor tile(const Tensor& self, const IntList& dims) {
  IntList repeats = dims;
  if (static_cast<int64_t>(repeats.size()) < self.dim()) {
    repeats.insert(repeats.begin(),
                   static_cast<size_t>(self.dim()) - repeats.size(), 1);
  }
  return repeat(self, repeats);
}

Tensor roll(const Tensor& self, const IntList& shifts, const IntList& dims) {
  AG_CHECK(!shifts.empty(), "`shifts` required");
  AG_CHECK((dims.empty() && shifts.size() == 1) || dims.size() == shifts.size(),
           "shifts and dimensions must align. shifts: ", shifts.size(),
           ", dims:", dims.size());
  Tensor out;
  if (dims.empty()) {
    const Tensor flat = self.is_contiguous() ? self : clone_data(self);
    out = roll_data(
        data_view(flat, {flat.numel()}, {1}, flat.impl()->storage_offset()), 0,
        shifts[0]);
    out.impl()->set_sizes_and_strides(self.sizes(),
                                      contiguous_strides(self.sizes()), 0);
  } else {
    AG_INDEX_CHECK(self.dim() > 0, "Dimension specified as ", dims[0],
                   " but tensor has no dimensions");
    out = self;
    for (size_t i = 0; i < dims.size(); ++i) {
      out = roll_data(out, wrap_dim(dims[i], self.dim()), shifts[i]);
    }
  }
  if (auto fn = record<RollBackward0>(self)) {
    fn->shifts = shifts;
    fn->dims = dims;
    autograd::set_history(out, fn);
  }
  linear_tangent(out, self,
                 [&](const Tensor& t) { return roll(t, shifts, dims); });
  return out;
}

Tensor tril(const Tensor& self, int64_t diagonal) {
  return triangle(self, diagonal, /*upper=*/false);
}

Tensor triu(const Tensor& self, int64_t diagonal) {
  return triangle(self, diagonal, /*upper=*/true);
}

Tensor& tril_(Tensor& self, int64_t diagonal) {
  return apply_inplace(self, "tril_", {}, [=](const Tensor& s) {
    return triangle(s, diagonal, /*upper=*/false);
  });
}

Tensor& triu_(Tensor& self, int64_t diagonal) {
  return apply_inplace(self, "triu_", {}, [=](const Tensor& s) {
    return triangle(s, diagonal, /*upper=*/true);
  });
}

// ---- gather, scatter, index_select
// -------------------------------------------

namespace {

// grad (shaped like an index) placed at the front of a zero tensor of
// `sizes`: the gradient of a src that is larger than the index it feeds.
Tensor pad_to(const Tensor& grad, const Shape& sizes) {
  if (grad.sizes() == sizes || grad.dim() != static_cast<int64_t>(sizes.size()))
    return grad;
  IntList pad;
  for (size_t i = sizes.size(); i-- > 0;) {
    pad.push_back(0);
    pad.push_back(sizes[i] - grad.sizes()[i]);
  }
  return constant_pad_nd(grad, pad);
}

// d(self) = zeros(self_sizes).scatter_add(dim, index, grad)
class GatherBackward0 final : public Node {
 public:
  AG_NODE(GatherBackward0);
  static constexpr bool kForwardRule = true;  // Note [Linear forward rules]
  variable_list apply(variable_list&& grads) override {
    return {scatter_add(zeros(self_sizes, grads[0].dtype()), dim,
                        index.unpack(), grads[0])};
  }
  Shape self_sizes;
  Saved<int64_t> dim{this, "dim", 0};
  SavedTensor index{this, "index"};
  Saved<bool> sparse_grad{this, "sparse_grad", false};  // as PyTorch saves it
};

// Scatter nodes. src given:   d(self) = grad.scatter(dim, index, 0)
//                             d(src) = grad.gather(dim, index)
// value given (Backward1):    d(self) = grad.scatter(dim, index, 0)
// add (ScatterAddBackward0):  d(self) = grad ; d(src) = grad.gather(dim, index)
class ScatterBackward final : public Node {
 public:
  enum class Mode { Src, Value, Add };
  ScatterBackward(edge_list&& edges, Mode mode)
      : Node(std::move(edges)), mode_(mode) {}
  static constexpr bool kForwardRule = true;  // scatter_tangent
  std::string name() const override {
    switch (mode_) {
      case Mode::Src:
        return "ScatterBackward0";
      case Mode::Value:
        return "ScatterBackward1";
      case Mode::Add:
        break;
    }
    return "ScatterAddBackward0";
  }
  variable_list apply(variable_list&& grads) override {
    variable_list out(num_outputs());
    const Tensor& g = grads[0];
    const Tensor idx = index.unpack();
    if (should_compute_output(0)) {
      out[0] = mode_ == Mode::Add ? g : scatter(g, dim, idx, Scalar(0.0));
    }
    if (mode_ != Mode::Value && should_compute_output(1)) {
      out[1] = pad_to(gather(g, dim, idx), src_sizes);
    }
    return out;
  }
  Saved<int64_t> dim{this, "dim", 0};
  SavedTensor index{this, "index"};
  Shape src_sizes;

 private:
  Mode mode_;
};

void check_gather_like_index(const Tensor& index, const char* op) {
  AG_CHECK(is_index_dtype(index.dtype()), op,
           "(): Expected dtype int32/int64 for index");
}

// Checks scatter's arguments and returns the wrapped dim.
int64_t check_scatter(const Tensor& self, int64_t dim, const Tensor& index,
                      const Tensor* src) {
  check_gather_like_index(index, "scatter");
  const int64_t d = wrap_dim(dim, self.dim());
  if (src) {
    AG_CHECK(src->dtype() == self.dtype(),
             "scatter(): Expected self.dtype to be equal to src.dtype");
  }
  const Shape is = sizes_1d(index), ss = sizes_1d(self);
  AG_CHECK(is.size() == ss.size(),
           "Index tensor must have the same number of dimensions as self "
           "tensor");
  if (src) {
    AG_CHECK(is.size() == sizes_1d(*src).size(),
             "Index tensor must have the same number of dimensions as src "
             "tensor");
  }
  if (index.numel() == 0) return d;
  for (size_t k = 0; k < is.size(); ++k) {
    const bool fits = (static_cast<int64_t>(k) == d || is[k] <= ss[k]) &&
                      (!src || is[k] <= sizes_1d(*src)[k]);
    if (!fits) {
      throw Error(detail::str_cat(
          "Expected index ", shape_str(index.sizes()),
          " to be no larger than self ", shape_str(self.sizes()),
          " apart from dimension ", d,
          src ? detail::str_cat(" and to be no larger size than src ",
                                shape_str(src->sizes()))
              : std::string()));
    }
  }
  return d;
}

// Writes src (a tensor viewed at index's shape, or a 0-d value) into `dst`
// (self's data or a copy of it) at index along d.
void scatter_data(const Tensor& dst, int64_t d, const Tensor& index,
                  const Tensor& src, bool accumulate) {
  const auto ud = static_cast<size_t>(d);
  Shape strides = strides_1d(dst);
  const int64_t stride = strides[ud];
  strides[ud] = 0;
  const Tensor target =
      data_view(dst, sizes_1d(index), strides, dst.impl()->storage_offset());
  const Tensor values = src.dim() == 0 && src.impl()->is_wrapped_number()
                            ? src
                            : data_view(src, sizes_1d(index), strides_1d(src),
                                        src.impl()->storage_offset());
  kernels::IndexBound bound;
  bound.size = sizes_1d(dst)[ud];
  bound.dim = d;
  bound.index_error = false;
  kernels::index_scatter(target, as_1d(index), stride, bound, values,
                         accumulate);
}

// The tangent of a scatter: the same scatter of the tangents (a written
// value is a constant).
Tensor scatter_tangent(const Tensor& self, int64_t dim, const Tensor& index,
                       const Tensor& src, ScatterBackward::Mode mode) {
  const Tensor self_t = tangent_or_zeros(self);
  switch (mode) {
    case ScatterBackward::Mode::Src:
      return scatter(self_t, dim, index, tangent_or_zeros(src));
    case ScatterBackward::Mode::Value:
      return scatter(self_t, dim, index, Scalar(0.0));
    case ScatterBackward::Mode::Add:
      break;
  }
  return scatter_add(self_t, dim, index, tangent_or_zeros(src));
}

Tensor scatter_impl(const Tensor& self, int64_t dim, const Tensor& index,
                    const Tensor& src, ScatterBackward::Mode mode) {
  const bool is_value = mode == ScatterBackward::Mode::Value;
  const int64_t d = check_scatter(self, dim, index, is_value ? nullptr : &src);
  Tensor out = clone_data(self);
  scatter_data(out, d, index, src, mode == ScatterBackward::Mode::Add);
  if (should_record_as<ScatterBackward>(mode == ScatterBackward::Mode::Add
                                            ? "ScatterAddBackward0"
                                            : "ScatterBackward0",
                                        self, src)) {
    auto fn = make_node<ScatterBackward>(
        is_value ? autograd::collect_next_edges(self)
                 : autograd::collect_next_edges(self, src),
        mode);
    fn->dim = dim;
    fn->index = SavedVariable(index, false);
    fn->src_sizes = src.sizes();
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self, src)) {
    set_tangent(out,
                [&] { return scatter_tangent(self, dim, index, src, mode); });
  }
  return out;
}

Tensor& scatter_inplace(Tensor& self, int64_t dim, const Tensor& index,
                        const Tensor& src, ScatterBackward::Mode mode) {
  const bool is_value = mode == ScatterBackward::Mode::Value;
  autograd::check_inplace(self);
  const int64_t d = check_scatter(self, dim, index, is_value ? nullptr : &src);
  check_no_internal_overlap(self);
  std::shared_ptr<ScatterBackward> fn;
  if (should_record_as<ScatterBackward>(mode == ScatterBackward::Mode::Add
                                            ? "ScatterAddBackward0"
                                            : "ScatterBackward0",
                                        self, src)) {
    fn = make_node<ScatterBackward>(
        is_value ? autograd::collect_next_edges(self)
                 : autograd::collect_next_edges(self, src),
        mode);
    fn->dim = dim;
    fn->index = SavedVariable(index, false);
    fn->src_sizes = src.sizes();
  }
  Tensor tangent;
  if (forward_ad::any_dual(self, src)) {
    forward_ad::DisableGuard paused;
    tangent = scatter_tangent(self, dim, index, src, mode);
  }
  const bool overlaps = src.impl()->storage() == self.impl()->storage();
  scatter_data(self, d, index, overlaps ? clone_data(src) : src,
               mode == ScatterBackward::Mode::Add);
  if (tangent.defined()) write_tangent(self, tangent);
  self.impl()->bump_version(mode == ScatterBackward::Mode::Add ? "scatter_add_"
                                                               : "scatter_");
  if (fn) rebase_history(self, fn);
  return self;
}

// A 0-d value of self's dtype that broadcasts in the scatter kernel.
Tensor scatter_value(const Tensor& self, const Scalar& value) {
  Tensor v = scalar_tensor(value, self.dtype());
  v.impl()->set_wrapped_number(true);
  return v;
}

// self.index_select(d, index) as new data; index is 0-d or 1-d, in range.
Tensor select_indices(const Tensor& self, int64_t d, const Tensor& index) {
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

// d(self) = zeros(self_sizes).index_put([None] * dim + [index], grad, True)
class IndexSelectBackward0 final : public Node {
 public:
  AG_NODE(IndexSelectBackward0);
  static constexpr bool kForwardRule = true;  // Note [Linear forward rules]
  variable_list apply(variable_list&& grads) override {
    const Tensor idx = index.unpack();
    if (self_sizes.empty()) return {reshape(grads[0], {})};
    TensorList indices(static_cast<size_t>(wrap_dim(dim, self_sizes.size())));
    indices.push_back(idx.dim() == 0 ? reshape(idx, {1}) : idx);
    return {index_put(zeros(self_sizes, grads[0].dtype()), indices, grads[0],
                      /*accumulate=*/true)};
  }
  Saved<Shape> self_sizes{this, "self_sym_sizes"};
  Saved<int64_t> dim{this, "dim", 0};
  SavedTensor index{this, "index"};
};

}  // namespace

Tensor gather(const Tensor& self, int64_t dim, const Tensor& index) {
  AG_CAPTURE_RETURN("gather", gather(in[0], dim, in[1]), self, index)
  check_gather_like_index(index, "gather");
  const int64_t d = wrap_dim(dim, self.dim());
  const Shape is = sizes_1d(index), ss = sizes_1d(self);
  AG_CHECK(is.size() == ss.size(),
           "Index tensor must have the same number of dimensions as input "
           "tensor");
  for (size_t k = 0; k < is.size() && index.numel() > 0; ++k) {
    AG_CHECK(static_cast<int64_t>(k) == d || is[k] <= ss[k],
             "Size does not match at dimension ", k, " expected index ",
             shape_str(index.sizes()), " to be no larger than self ",
             shape_str(self.sizes()), " apart from dimension ", d);
  }
  Tensor out = empty_tensor(index.sizes(), self.dtype());
  Shape strides = strides_1d(self);
  const int64_t stride = strides[static_cast<size_t>(d)];
  strides[static_cast<size_t>(d)] = 0;
  kernels::IndexBound bound;
  bound.size = ss[static_cast<size_t>(d)];
  bound.dim = d;
  bound.index_error = false;
  kernels::index_gather(
      data_view(self, is, strides, self.impl()->storage_offset()), as_1d(index),
      stride, bound, as_1d(out));
  if (auto fn = record<GatherBackward0>(self)) {
    fn->self_sizes = self.sizes();
    fn->dim = dim;
    fn->index = SavedVariable(index, false);
    autograd::set_history(out, fn);
  }
  linear_tangent(out, self,
                 [&](const Tensor& t) { return gather(t, dim, index); });
  return out;
}

Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index,
               const Tensor& src) {
  return scatter_impl(self, dim, index, src, ScatterBackward::Mode::Src);
}

Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index,
               const Scalar& value) {
  return scatter_impl(self, dim, index, scatter_value(self, value),
                      ScatterBackward::Mode::Value);
}

Tensor scatter_add(const Tensor& self, int64_t dim, const Tensor& index,
                   const Tensor& src) {
  return scatter_impl(self, dim, index, src, ScatterBackward::Mode::Add);
}

Tensor& scatter_(Tensor& self, int64_t dim, const Tensor& index,
                 const Tensor& src) {
  return scatter_inplace(self, dim, index, src, ScatterBackward::Mode::Src);
}

Tensor& scatter_(Tensor& self, int64_t dim, const Tensor& index,
                 const Scalar& value) {
  return scatter_inplace(self, dim, index, scatter_value(self, value),
                         ScatterBackward::Mode::Value);
}

Tensor& scatter_add_(Tensor& self, int64_t dim, const Tensor& index,
                     const Tensor& src) {
  return scatter_inplace(self, dim, index, src, ScatterBackward::Mode::Add);
}

Tensor index_select(const Tensor& self, int64_t dim, const Tensor& index) {
  AG_CAPTURE_RETURN("index_select", index_select(in[0], dim, in[1]), self,
                    index)
  AG_INDEX_CHECK(index.dim() <= 1,
                 "index_select(): Index is supposed to be a vector");
  AG_CHECK(is_index_dtype(index.dtype()),
           "index_select(): Expected dtype int32 or int64 for index");
  const int64_t d = wrap_dim(dim, self.dim());
  if (self.dim() == 0) {
    AG_CHECK(index.numel() == 1,
             "index_select(): Index to scalar can have only 1 value, got ",
             index.numel(), " value(s)");
  }
  const int64_t size = sizes_1d(self)[static_cast<size_t>(d)];
  if (index.numel() > 0) {
    const auto [lo, hi] = kernels::min_max(index);
    if (lo < 0 || hi >= size) {
      // PyTorch words this differently along dim 0 and along later dims.
      AG_INDEX_CHECK(d > 0, "index out of range in self");
      const Tensor values =
          cast_data(index.dim() ? index : as_1d(index), DType::Int64);
      const Tensor flat = clone_data(values);
      const auto* v = static_cast<const int64_t*>(flat.raw_data());
      const int64_t* bad = std::find_if(
          v, v + flat.numel(), [&](int64_t i) { return i < 0 || i >= size; });
      throw Error(detail::str_cat("INDICES element is out of DATA bounds, id=",
                                  *bad, " axis_dim=", size));
    }
  }
  Tensor out = select_indices(self, d, index);
  if (self.dim() == 0) out.impl()->set_sizes_and_strides({}, {}, 0);
  if (auto fn = record<IndexSelectBackward0>(self)) {
    fn->self_sizes = self.sizes();
    fn->dim = dim;
    fn->index = SavedVariable(index, false);
    autograd::set_history(out, fn);
  }
  linear_tangent(out, self,
                 [&](const Tensor& t) { return index_select(t, dim, index); });
  return out;
}

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

Tensor index_put(const Tensor& self, const TensorList& indices,
                 const Tensor& values, bool accumulate) {
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

// ---- embedding and one_hot
// -------------------------------------------------------

namespace {

// d(weight) = zeros(num_weights, D).index_put([indices], grad rows, True),
// with the rows of padding_idx zeroed and, with scale_grad_by_freq, each
// row divided by how often its index occurs.
class EmbeddingBackward0 final : public Node {
 public:
  AG_NODE(EmbeddingBackward0);
  static constexpr bool kForwardRule = true;  // Note [Linear forward rules]
  variable_list apply(variable_list&& grads) override {
    const Tensor idx = reshape(indices.unpack(), {-1});
    const int64_t width = grads[0].size(-1);
    Tensor g = reshape(grads[0], {-1, width});
    if (padding_idx >= 0) {
      Tensor padded;
      {
        NoGradGuard no_grad;
        padded = unsqueeze(eq(idx, wrap_scalar(Scalar(padding_idx.get()))), 1);
      }
      g = where(padded, zeros({}, g.dtype()), g);
    }
    if (scale_grad_by_freq) {
      Tensor freq;
      {
        NoGradGuard no_grad;
        const Tensor counts =
            index_put(zeros({num_weights}, g.dtype()), TensorList{idx},
                      ones({}, g.dtype()), true);
        freq = unsqueeze(index(counts, TensorList{idx}), 1);
      }
      g = div(g, freq);
    }
    return {index_put(zeros({num_weights, width}, g.dtype()), TensorList{idx},
                      g, /*accumulate=*/true)};
  }
  SavedTensor indices{this, "indices"};
  Saved<int64_t> num_weights{this, "weight_sym_argsize_0", 0},
      padding_idx{this, "padding_idx", -1};
  Saved<bool> scale_grad_by_freq{this, "scale_grad_by_freq", false};
  Saved<bool> sparse{this, "sparse", false};  // as PyTorch saves it
};

}  // namespace

Tensor embedding(const Tensor& weight, const Tensor& indices,
                 int64_t padding_idx, bool scale_grad_by_freq) {
  AG_CAPTURE_RETURN("embedding",
                    embedding(in[0], in[1], padding_idx, scale_grad_by_freq),
                    weight, indices)
  AG_CHECK(is_index_dtype(indices.dtype()),
           "Expected tensor for argument #1 'indices' to have one of the "
           "following scalar types: Long, Int; but got torch.",
           dtype_legacy_name(indices.dtype()),
           "Tensor instead (while checking arguments for embedding)");
  AG_CHECK(weight.dim() == 2, "'weight' must be 2-D");
  const int64_t rows = weight.sizes()[0];
  if (indices.numel() > 0) {
    const auto [lo, hi] = kernels::min_max(indices);
    AG_INDEX_CHECK(lo >= 0 && hi < rows, "index out of range in self");
  }
  const Tensor flat = reshape(detach(indices), {-1});
  Tensor out = select_indices(weight, 0, flat);
  Shape shape = indices.sizes();
  shape.push_back(weight.sizes()[1]);
  out.impl()->set_sizes_and_strides(shape, contiguous_strides(shape), 0);
  if (auto fn = record<EmbeddingBackward0>(weight)) {
    fn->indices = SavedVariable(indices, false);
    fn->num_weights = rows;
    fn->padding_idx = padding_idx;
    fn->scale_grad_by_freq = scale_grad_by_freq;
    autograd::set_history(out, fn);
  }
  linear_tangent(out, weight, [&](const Tensor& t) {
    return embedding(t, indices, -1, false);
  });
  return out;
}

Tensor one_hot(const Tensor& self, int64_t num_classes) {
  AG_CHECK(self.dtype() == DType::Int64,
           "one_hot is only applicable to index tensor of type LongTensor.");
  Shape shape = self.sizes();
  if (self.numel() == 0) {
    AG_CHECK(num_classes != -1,
             "Can not infer total number of classes from empty tensor.");
    shape.push_back(num_classes);
    return zeros(shape, DType::Int64);
  }
  const auto [lo, hi] = kernels::min_max(self);
  AG_CHECK(lo >= 0, "Class values must be non-negative.");
  if (num_classes == -1) {
    num_classes = hi + 1;
  } else {
    AG_CHECK(hi < num_classes,
             "Class values must be smaller than num_classes.");
  }
  shape.push_back(num_classes);
  Tensor out = zeros(shape, DType::Int64);
  // out[..., self[...]] = 1: scatter along the new last dim.
  Shape index_sizes = self.sizes(), index_strides = self.strides();
  index_sizes.push_back(1);
  index_strides.push_back(0);
  Shape target_strides = out.strides();
  target_strides.back() = 0;
  kernels::index_scatter(data_view(out, index_sizes, target_strides, 0),
                         data_view(self, index_sizes, index_strides,
                                   self.impl()->storage_offset()),
                         1, kernels::IndexBound{},
                         scalar_tensor(Scalar(int64_t{1}), DType::Int64),
                         false);
  return out;
}

// ---- padding
// -------------------------------------------------------------------

namespace {

// d(self) = constant_pad_nd(grad, -pad)  (negative padding crops)
class ConstantPadNdBackward0 final : public Node {
 public:
  AG_NODE(ConstantPadNdBackward0);
  static constexpr bool kForwardRule = true;  // Note [Linear forward rules]
  variable_list apply(variable_list&& grads) override {
    IntList back(pad.size());
    for (size_t i = 0; i < pad.size(); ++i) back[i] = -pad[i];
    return {constant_pad_nd(grads[0], back)};
  }
  Saved<IntList> pad{this, "pad"};
};

enum class PadMode { Reflect, Replicate };

// For each padded dim (last first), the input position each output
// position reads; d(self) sums grad back through those positions.
// d(self) = for each dim d: g = zeros(...).index_put([None]*d + [pos_d], g,
// True)
class IndexPadBackward final : public Node {
 public:
  IndexPadBackward(edge_list&& edges, std::string name, IntList pad)
      : Node(std::move(edges)),
        name_(std::move(name)),
        pad_(this, "padding", std::move(pad)) {}
  static constexpr bool kForwardRule = true;  // Note [Linear forward rules]
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& grads) override {
    Tensor g = grads[0];
    for (size_t i = positions.size(); i-- > 0;) {
      const auto d = static_cast<size_t>(dims[i]);
      Shape sizes = g.sizes();
      sizes[d] = input_sizes[i];
      TensorList indices(d);
      indices.push_back(positions[i]);
      g = index_put(zeros(sizes, g.dtype()), indices, g, /*accumulate=*/true);
    }
    return {g};
  }
  IntList dims, input_sizes;
  TensorList positions;

 private:
  std::string name_;
  Saved<IntList> pad_{this, "padding"};
};

Tensor index_pad(const Tensor& self, const IntList& pad, PadMode mode) {
  const auto k = static_cast<int64_t>(pad.size() / 2);
  const int64_t nd = self.dim();
  const char* kind = mode == PadMode::Reflect ? "reflection" : "replication";
  if (pad.size() % 2 != 0 || k < 1 || k > 3 || nd < k + 1 || nd > k + 2) {
    throw NotImplementedError(detail::str_cat(
        "Padding size ", pad.size(), " is not supported for ", nd,
        "D input tensor.\nSupported combinations for non-constant padding:\n"
        "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
        "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
        "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"));
  }
  if (self.dtype() == DType::Bool) {
    throw NotImplementedError(detail::str_cat(
        "\"", kind, "_pad", k, "d\" not implemented for 'Bool'"));
  }
  // Only a batch dim (present when nd == k + 2) may be empty.
  for (int64_t d = nd - k - 1; d < nd; ++d) {
    AG_CHECK(self.sizes()[static_cast<size_t>(d)] != 0, "Expected ", k + 1,
             "D or ", k + 2,
             "D (batch mode) tensor with possibly 0 batch size and other "
             "non-zero dimensions for input, but got: ",
             shape_str(self.sizes()));
  }
  IntList dims, input_sizes;
  TensorList positions;
  Tensor out = self;
  for (int64_t i = 0; i < k; ++i) {
    const int64_t d = nd - 1 - i;
    const int64_t size = self.sizes()[static_cast<size_t>(d)];
    const int64_t left = pad[static_cast<size_t>(2 * i)];
    const int64_t right = pad[static_cast<size_t>(2 * i + 1)];
    if (mode == PadMode::Reflect) {
      AG_CHECK(left < size && right < size, "Argument #", 4 + 2 * i,
               ": Padding size should be less than the corresponding input "
               "dimension, but got: padding (",
               left, ", ", right, ") at dimension ", d, " of input ",
               shape_str(self.sizes()));
    }
    const int64_t n = size + left + right;
    if (k == 1) {
      AG_CHECK(n >= 1, "input (W: ", size,
               ") is too small. Calculated output W: ", n);
    } else {
      Shape shape = out.sizes();
      shape[static_cast<size_t>(d)] = n;
      AG_CHECK(n >= 0, "Trying to create tensor with negative dimension ", n,
               ": ", shape_str(shape));
    }
    Tensor pos = empty_tensor({n}, DType::Int64);
    auto* p = static_cast<int64_t*>(pos.raw_data());
    for (int64_t o = 0; o < n; ++o) {
      const int64_t j = o - left;
      p[o] = mode == PadMode::Reflect
                 ? (j < 0 ? -j : (j >= size ? 2 * (size - 1) - j : j))
                 : std::clamp<int64_t>(j, 0, size - 1);
    }
    out = select_indices(out, d, pos);
    dims.push_back(d);
    input_sizes.push_back(size);
    positions.push_back(pos);
  }
  if (should_record_as<IndexPadBackward>(mode == PadMode::Reflect
                                             ? "ReflectionPadBackward0"
                                             : "ReplicationPadBackward0",
                                         self)) {
    const std::string name =
        detail::str_cat(mode == PadMode::Reflect ? "Reflection" : "Replication",
                        "Pad", k, "DBackward0");
    auto fn = make_node<IndexPadBackward>(autograd::collect_next_edges(self),
                                          name, pad);
    fn->dims = dims;
    fn->input_sizes = input_sizes;
    fn->positions = positions;
    autograd::set_history(out, fn);
  }
  linear_tangent(out, self,
                 [&](const Tensor& t) { return index_pad(t, pad, mode); });
  return out;
}

}  // namespace

Tensor constant_pad_nd(const Tensor& self, const IntList& pad,
                       const Scalar& value) {
  AG_CHECK(pad.size() % 2 == 0, "Padding length must be divisible by 2");
  const auto k = static_cast<int64_t>(pad.size() / 2);
  AG_CHECK(k <= self.dim(),
           "Padding length should be less than or equal to two times the "
           "input dimension but got padding length ",
           pad.size(), " and input of dimension ", self.dim());
  Shape shape = self.sizes();
  Tensor src = self;  // the part of self that survives negative padding
  IntList dst_start(static_cast<size_t>(self.dim()), 0);
  for (int64_t i = 0; i < k; ++i) {
    const int64_t d = self.dim() - 1 - i;
    const auto ud = static_cast<size_t>(d);
    const int64_t left = pad[static_cast<size_t>(2 * i)];
    const int64_t right = pad[static_cast<size_t>(2 * i + 1)];
    const int64_t size = shape[ud];
    const int64_t kept =
        size + std::min<int64_t>(left, 0) + std::min<int64_t>(right, 0);
    AG_CHECK(kept >= 0, "narrow(): length must be non-negative.");
    src = narrow_data(src, d, std::max<int64_t>(-left, 0), kept);
    dst_start[ud] = std::max<int64_t>(left, 0);
    shape[ud] = size + left + right;
  }
  Tensor out = empty_tensor(shape, self.dtype());
  kernels::fill(out, value);
  Tensor region = out;
  for (int64_t d = 0; d < self.dim(); ++d) {
    region = narrow_data(region, d, dst_start[static_cast<size_t>(d)],
                         src.sizes()[static_cast<size_t>(d)]);
  }
  kernels::copy(src, region);
  if (auto fn = record<ConstantPadNdBackward0>(self)) {
    fn->pad = pad;
    autograd::set_history(out, fn);
  }
  linear_tangent(out, self,
                 [&](const Tensor& t) { return constant_pad_nd(t, pad); });
  return out;
}

Tensor reflection_pad(const Tensor& self, const IntList& pad) {
  return index_pad(self, pad, PadMode::Reflect);
}

Tensor replication_pad(const Tensor& self, const IntList& pad) {
  return index_pad(self, pad, PadMode::Replicate);
}

}  // namespace ag::ops
