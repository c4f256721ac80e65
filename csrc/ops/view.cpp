// Shape and view ops: each returns a tensor sharing storage (and version
// counter) with its input, split/chunk/unbind several at once. Also the
// machinery that keeps gradients right when a view is written in place
// (CopySlices, AsStridedBackward0), and x[...] / x[...] = v: basic items
// make views here, tensor items go on to index()/index_put_
// (advanced_index.cpp).

#include <algorithm>
#include <functional>
#include <numeric>

#include "compile/capture.h"
#include "ops/op_utils.h"

namespace ag::ops {

namespace {

// A view of self with the given geometry, registered as a view of self's base.
Tensor view_of(const Tensor& self, Shape sizes, Shape strides, int64_t offset) {
  Tensor out = make_view(self, std::move(sizes), std::move(strides), offset);
  autograd::mark_view(out, self);
  return out;
}

// Where a tensor sits in its storage. Gradients for a base and its views are
// built in a zero buffer as long as that storage, so each lands at its own
// strides and offset.
struct Geometry {
  Shape sizes, strides;
  int64_t offset;
};

Geometry geometry_of(const Tensor& t) {
  return {t.sizes(), t.strides(), t.impl()->storage_offset()};
}

int64_t storage_numel(const Tensor& t) {
  return static_cast<int64_t>(t.impl()->storage()->nbytes() /
                              itemsize(t.dtype()));
}

// d(base) = grad placed at the view's positions, zeros elsewhere.
class AsStridedBackward0 final : public Node {
 public:
  AsStridedBackward0(edge_list&& edges, Geometry view, Geometry base,
                     int64_t storage_numel,
                     const char* name = "AsStridedBackward0")
      : Node(std::move(edges)),
        view_(std::move(view)),
        base_(std::move(base)),
        storage_numel_(storage_numel),
        name_(name) {}
  static constexpr bool kForwardRule = true;  // as_strided_tangent
  std::string name() const override { return name_; }

  variable_list apply(variable_list&& grads) override {
    Tensor grad = grads[0];
    Shape sizes = view_.sizes;
    // Broadcast (stride-0) dims map many positions onto one element: their
    // gradients add up first.
    IntList summed;
    for (size_t d = 0; d < sizes.size(); ++d) {
      if (view_.strides[d] == 0 && sizes[d] > 1) {
        summed.push_back(static_cast<int64_t>(d));
        sizes[d] = 1;
      }
    }
    if (!summed.empty()) grad = sum(grad, summed, /*keepdim=*/true);
    Tensor storage = zeros({storage_numel_}, grad.dtype());
    Tensor base = as_strided(storage, base_.sizes, base_.strides, base_.offset);
    Tensor slot = as_strided(storage, sizes, view_.strides, view_.offset);
    copy_(slot, grad);
    return {base};
  }

  // The view's geometry, shown as PyTorch's separate fields.
  void visit_saved(SavedVisitor& v) const override {
    v.visit("size", ints_field(view_.sizes));
    v.visit("storage_offset", int_field(view_.offset));
    v.visit("stride", ints_field(view_.strides));
  }

 private:
  Geometry view_, base_;
  int64_t storage_numel_;
  const char* name_;  // AsStridedBackward1 for as_strided_
};

std::shared_ptr<Node> make_as_strided_backward(const Tensor& view,
                                               const Tensor& base) {
  auto fn = make_node<AsStridedBackward0>(autograd::collect_next_edges(base),
                                          geometry_of(view), geometry_of(base),
                                          storage_numel(base));
  fn->add_input_metadata(view);
  return fn;
}

// Note [In-place ops on views]: writing through a view changes its base, so
// the base's history becomes CopySlices: the base's gradient passes unchanged
// outside the view, and through the in-place op's node inside it.
class CopySlices : public Node {
 public:
  CopySlices(const Tensor& base, Geometry view, std::shared_ptr<Node> fn)
      : view_(std::move(view)),
        base_(geometry_of(base)),
        storage_numel_(storage_numel(base)),
        fn_(std::move(fn)) {
    // fn's first edge is the view's old history; the base's covers it.
    add_next_edge(autograd::gradient_edge(base));
    for (size_t i = 1; i < fn_->num_outputs(); ++i) {
      add_next_edge(fn_->next_edge(i));
    }
  }
  std::string name() const override { return "torch::autograd::CopySlices"; }

  variable_list apply(variable_list&& grads) override {
    Tensor storage = zeros({storage_numel_}, grads[0].dtype());
    Tensor result =
        as_strided(storage, base_.sizes, base_.strides, base_.offset);
    copy_(result, grads[0]);
    Tensor slot = as_strided(storage, view_.sizes, view_.strides, view_.offset);
    variable_list fn_grads = fn_->call({clone(slot)});
    if (fn_grads.empty() || !fn_grads[0].defined()) {
      zero_(slot);
    } else {
      copy_(slot, fn_grads[0]);
    }
    variable_list out(num_outputs());
    out[0] = result;
    for (size_t i = 1; i < out.size() && i < fn_grads.size(); ++i) {
      out[i] = fn_grads[i];
    }
    return out;
  }
  void release_variables() override { fn_->release_variables(); }

 private:
  Geometry view_, base_;
  int64_t storage_numel_;
  std::shared_ptr<Node> fn_;
};

// d(self) = grad.reshape(self_sizes)
class ReshapeLikeBackward final : public Node {
 public:
  static constexpr bool kForwardRule = true;  // view_tangent
  ReshapeLikeBackward(edge_list&& edges, const char* name, Shape self_sizes)
      : Node(std::move(edges)),
        name_(name),
        self_sizes_(this, "self_sym_sizes", std::move(self_sizes)) {}
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& grads) override {
    return {reshape(grads[0], self_sizes_)};
  }

 private:
  const char* name_;
  Saved<Shape> self_sizes_{this, "self_sym_sizes"};
};

// The forward rule of every view op: the output's tangent is the same view
// of the input's tangent (`same_view` applied to it). Views defined by sizes
// reshape the tangent, whose strides may differ from the primal's.
template <typename F>
void view_tangent(const Tensor& out, const Tensor& self, F&& same_view) {
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] { return same_view(forward_ad::tangent(self)); });
  }
}

Tensor record_reshape_like(const Tensor& self, Tensor out, const char* name) {
  view_tangent(out, self,
               [&](const Tensor& t) { return reshape(t, out.sizes()); });
  if (should_record<ReshapeLikeBackward>(self)) {
    auto fn = make_node<ReshapeLikeBackward>(autograd::collect_next_edges(self),
                                             name, self.sizes());
    autograd::set_history(out, fn);
  }
  return out;
}

// d(self) = grad.transpose(dim0, dim1)
class TransposeBackward0 final : public Node {
 public:
  AG_NODE(TransposeBackward0);
  static constexpr bool kForwardRule = true;  // view_tangent
  variable_list apply(variable_list&& grads) override {
    return {transpose(grads[0], dim0, dim1)};
  }
  Saved<int64_t> dim0{this, "dim0", 0}, dim1{this, "dim1", 0};
};

// d(self) = grad.t()
class TBackward0 final : public Node {
 public:
  AG_NODE(TBackward0);
  static constexpr bool kForwardRule = true;  // view_tangent
  variable_list apply(variable_list&& grads) override { return {t(grads[0])}; }
};

// The nodes of transpose_ and t_, as PyTorch names them (same formulas).
class TransposeBackward1 final : public Node {
 public:
  AG_NODE(TransposeBackward1);
  static constexpr bool kForwardRule = true;  // the tangent is moved in place
  variable_list apply(variable_list&& grads) override {
    return {transpose(grads[0], dim0, dim1)};
  }
  Saved<int64_t> dim0{this, "dim0", 0}, dim1{this, "dim1", 0};
};

class TBackward1 final : public Node {
 public:
  AG_NODE(TBackward1);
  static constexpr bool kForwardRule = true;  // the tangent is moved in place
  variable_list apply(variable_list&& grads) override { return {t(grads[0])}; }
};

// d(self) = grad.permute(inverse of dims)
class PermuteBackward0 final : public Node {
 public:
  AG_NODE(PermuteBackward0);
  static constexpr bool kForwardRule = true;  // view_tangent
  variable_list apply(variable_list&& grads) override {
    IntList inverse(dims.size());
    for (size_t i = 0; i < dims.size(); ++i) {
      inverse[static_cast<size_t>(dims[i])] = static_cast<int64_t>(i);
    }
    return {permute(grads[0], inverse)};
  }
  Saved<IntList> dims{this, "dims"};
};

// d(self) = grad.squeeze(dim)
class UnsqueezeBackward0 final : public Node {
 public:
  AG_NODE(UnsqueezeBackward0);
  static constexpr bool kForwardRule = true;  // view_tangent
  variable_list apply(variable_list&& grads) override {
    return {squeeze(grads[0], {dim})};
  }
  Saved<int64_t> dim{this, "dim", 0};
};

// d(self) = sum of grad over the expanded dims
class ExpandBackward0 final : public Node {
 public:
  AG_NODE(ExpandBackward0);
  static constexpr bool kForwardRule = true;  // view_tangent
  variable_list apply(variable_list&& grads) override {
    return {sum_to(grads[0], self_sizes)};
  }
  Saved<Shape> self_sizes{this, "self_sym_sizes"};
};

// Scatters grad into zeros of self's shape at the selected positions.
Tensor scatter_into_zeros(const Tensor& grad, const Shape& self_sizes,
                          const std::function<Tensor(const Tensor&)>& pick) {
  Tensor result = zeros(self_sizes, grad.dtype());
  Tensor slot = pick(result);
  copy_(slot, grad);
  return result;
}

// d(self) = zeros with grad written at [index] along dim
class SelectBackward0 final : public Node {
 public:
  AG_NODE(SelectBackward0);
  static constexpr bool kForwardRule = true;  // view_tangent
  variable_list apply(variable_list&& grads) override {
    return {scatter_into_zeros(grads[0], self_sizes, [&](const Tensor& r) {
      return select(r, dim, index);
    })};
  }
  Saved<Shape> self_sizes{this, "self_sym_sizes"};
  Saved<int64_t> dim{this, "dim", 0}, index{this, "index", 0};
};

// d(self) = zeros with grad written at [start:end:step] along dim
class SliceBackward0 final : public Node {
 public:
  AG_NODE(SliceBackward0);
  static constexpr bool kForwardRule = true;  // view_tangent
  variable_list apply(variable_list&& grads) override {
    return {scatter_into_zeros(grads[0], self_sizes, [&](const Tensor& r) {
      return slice(r, dim, start, end, step);
    })};
  }
  Saved<Shape> self_sizes{this, "self_sym_sizes"};
  Saved<int64_t> dim{this, "dim", 0}, start{this, "start", 0},
      end{this, "end", 0}, step{this, "step", 1};
};

// d(self) = grad
class AliasBackward0 final : public Node {
 public:
  AG_NODE(AliasBackward0);
  static constexpr bool kForwardRule = true;  // view_tangent
  variable_list apply(variable_list&& grads) override { return {grads[0]}; }
};

Tensor alias(const Tensor& self) {
  Tensor out = view_of(self, self.sizes(), self.strides(),
                       self.impl()->storage_offset());
  if (auto fn = record<AliasBackward0>(self)) autograd::set_history(out, fn);
  view_tangent(out, self, [](const Tensor& t) { return alias(t); });
  return out;
}

}  // namespace

void rebase_history(Tensor& self, const std::shared_ptr<Node>& fn) {
  AutogradMeta* m = autograd::meta(self);
  if (!m || !m->is_view) {
    autograd::set_history(self, fn);
    return;
  }
  Tensor base = m->base;
  autograd::set_history(base,
                        make_node<CopySlices>(base, geometry_of(self), fn));
  m->grad_fn = make_as_strided_backward(self, base);
  m->output_nr = 0;
  m->attr_version = self.impl()->version();
}

Tensor view(const Tensor& self, const Shape& sizes) {
  AG_CAPTURE_RETURN("view", view(in[0], sizes), self)
  const Shape shape = infer_size(sizes, self.numel());
  Shape strides;
  AG_CHECK(compute_view_strides(self.sizes(), self.strides(), shape, &strides),
           "view size is not compatible with input tensor's size and stride "
           "(at least one dimension spans across two contiguous subspaces). "
           "Use .reshape(...) instead.");
  Tensor out = view_of(self, shape, strides, self.impl()->storage_offset());
  return record_reshape_like(self, out, "ViewBackward0");
}

Tensor reshape(const Tensor& self, const Shape& sizes) {
  AG_CAPTURE_RETURN("reshape", reshape(in[0], sizes), self)
  const Shape shape = infer_size(sizes, self.numel());
  Shape strides;
  if (compute_view_strides(self.sizes(), self.strides(), shape, &strides)) {
    Tensor out = view_of(self, shape, strides, self.impl()->storage_offset());
    return record_reshape_like(self, out, "ViewBackward0");
  }
  // Not expressible as a view: copy, then view the copy.
  const Tensor copied = clone(self);
  Tensor out = make_view(copied, shape, contiguous_strides(shape), 0);
  return record_reshape_like(copied, out, "UnsafeViewBackward0");
}

Tensor transpose(const Tensor& self, int64_t dim0, int64_t dim1) {
  AG_CAPTURE_RETURN("transpose", transpose(in[0], dim0, dim1), self)
  const int64_t nd = self.dim();
  const auto d0 = static_cast<size_t>(wrap_dim(dim0, nd));
  const auto d1 = static_cast<size_t>(wrap_dim(dim1, nd));
  Shape sizes = self.sizes(), strides = self.strides();
  if (nd > 0) {
    std::swap(sizes[d0], sizes[d1]);
    std::swap(strides[d0], strides[d1]);
  }
  Tensor out = view_of(self, sizes, strides, self.impl()->storage_offset());
  if (auto fn = record<TransposeBackward0>(self)) {
    fn->dim0 = static_cast<int64_t>(d0);
    fn->dim1 = static_cast<int64_t>(d1);
    autograd::set_history(out, fn);
  }
  view_tangent(out, self,
               [&](const Tensor& t) { return transpose(t, dim0, dim1); });
  return out;
}

Tensor t(const Tensor& self) {
  AG_CAPTURE_RETURN("t", t(in[0]), self)
  AG_CHECK(self.dim() <= 2,
           "t() expects a tensor with <= 2 dimensions, but self is ",
           self.dim(), "D");
  Shape sizes = self.sizes(), strides = self.strides();
  std::reverse(sizes.begin(), sizes.end());
  std::reverse(strides.begin(), strides.end());
  Tensor out = view_of(self, sizes, strides, self.impl()->storage_offset());
  if (auto fn = record<TBackward0>(self)) autograd::set_history(out, fn);
  view_tangent(out, self, [](const Tensor& tan) { return t(tan); });
  return out;
}

Tensor permute(const Tensor& self, const IntList& dims) {
  AG_CAPTURE_RETURN("permute", permute(in[0], dims), self)
  const int64_t nd = self.dim();
  AG_CHECK(static_cast<int64_t>(dims.size()) == nd,
           "permute(sparse_coo): number of dimensions in the tensor input does "
           "not match the length of the desired ordering of dimensions i.e. "
           "input.dim() = ",
           nd, " is not equal to len(dims) = ", dims.size());
  IntList wrapped(dims.size());
  std::vector<bool> seen(dims.size(), false);
  Shape sizes(dims.size()), strides(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = wrap_dim(dims[i], nd);
    AG_CHECK(!seen[static_cast<size_t>(d)],
             "permute(): duplicate dims are not allowed.");
    seen[static_cast<size_t>(d)] = true;
    wrapped[i] = d;
    sizes[i] = self.sizes()[static_cast<size_t>(d)];
    strides[i] = self.strides()[static_cast<size_t>(d)];
  }
  Tensor out = view_of(self, sizes, strides, self.impl()->storage_offset());
  if (auto fn = record<PermuteBackward0>(self)) {
    fn->dims = wrapped;
    autograd::set_history(out, fn);
  }
  view_tangent(out, self, [&](const Tensor& t) { return permute(t, wrapped); });
  return out;
}

Tensor squeeze(const Tensor& self) {
  AG_CAPTURE_RETURN("squeeze", squeeze(in[0]), self)
  Shape sizes, strides;
  for (int64_t d = 0; d < self.dim(); ++d) {
    if (self.sizes()[static_cast<size_t>(d)] != 1) {
      sizes.push_back(self.sizes()[static_cast<size_t>(d)]);
      strides.push_back(self.strides()[static_cast<size_t>(d)]);
    }
  }
  Tensor out = view_of(self, sizes, strides, self.impl()->storage_offset());
  return record_reshape_like(self, out, "SqueezeBackward0");
}

Tensor squeeze(const Tensor& self, const IntList& dims) {
  std::vector<bool> drop(static_cast<size_t>(self.dim()), false);
  for (int64_t d : dims) {
    const int64_t w = wrap_dim(d, self.dim());
    if (self.dim() > 0 && self.sizes()[static_cast<size_t>(w)] == 1) {
      drop[static_cast<size_t>(w)] = true;
    }
  }
  Shape sizes, strides;
  for (size_t d = 0; d < drop.size(); ++d) {
    if (!drop[d]) {
      sizes.push_back(self.sizes()[d]);
      strides.push_back(self.strides()[d]);
    }
  }
  Tensor out = view_of(self, sizes, strides, self.impl()->storage_offset());
  return record_reshape_like(
      self, out, dims.size() == 1 ? "SqueezeBackward1" : "SqueezeBackward2");
}

Tensor unsqueeze(const Tensor& self, int64_t dim) {
  AG_CAPTURE_RETURN("unsqueeze", unsqueeze(in[0], dim), self)
  const int64_t d = wrap_dim(dim, self.dim() + 1);
  Shape sizes = self.sizes(), strides = self.strides();
  const auto pos = static_cast<size_t>(d);
  const int64_t stride =
      pos < sizes.size() ? sizes[pos] * strides[pos] : int64_t{1};
  sizes.insert(pos, 1);
  strides.insert(pos, stride);
  Tensor out = view_of(self, sizes, strides, self.impl()->storage_offset());
  if (auto fn = record<UnsqueezeBackward0>(self)) {
    fn->dim = d;
    autograd::set_history(out, fn);
  }
  view_tangent(out, self, [&](const Tensor& t) { return unsqueeze(t, d); });
  return out;
}

Tensor expand(const Tensor& self, const Shape& sizes_in) {
  AG_CAPTURE_RETURN("expand", expand(in[0], sizes_in), self)
  const auto nd = static_cast<int64_t>(sizes_in.size());
  AG_CHECK(nd >= self.dim(), "expand(torch.", dtype_legacy_name(self.dtype()),
           "Tensor{", shape_str(self.sizes()), "}, size=", shape_str(sizes_in),
           "): the number of sizes provided (", nd,
           ") must be greater or equal to the number of dimensions in the "
           "tensor (",
           self.dim(), ")");
  Shape sizes(static_cast<size_t>(nd)), strides(static_cast<size_t>(nd));
  const int64_t lead = nd - self.dim();
  for (int64_t i = nd - 1; i >= 0; --i) {
    const auto ui = static_cast<size_t>(i);
    const int64_t target = sizes_in[ui];
    if (i < lead) {
      AG_CHECK(target >= 0, "The expanded size of the tensor (", target,
               ") isn't allowed in a leading, non-existing dimension ", i);
      sizes[ui] = target;
      strides[ui] = 0;
      continue;
    }
    const auto si = static_cast<size_t>(i - lead);
    const int64_t have = self.sizes()[si];
    if (target == -1 || target == have) {
      sizes[ui] = have;
      strides[ui] = self.strides()[si];
    } else {
      AG_CHECK(have == 1, "The expanded size of the tensor (", target,
               ") must match the existing size (", have,
               ") at non-singleton dimension ", i,
               ".  Target sizes: ", shape_str(sizes_in),
               ".  Tensor sizes: ", shape_str(self.sizes()));
      AG_CHECK(target >= 0, "Trying to create tensor with negative dimension ",
               target, ": ", shape_str(sizes_in));
      sizes[ui] = target;
      strides[ui] = 0;
    }
  }
  Tensor out = view_of(self, sizes, strides, self.impl()->storage_offset());
  if (auto fn = record<ExpandBackward0>(self)) {
    fn->self_sizes = self.sizes();
    autograd::set_history(out, fn);
  }
  view_tangent(out, self, [&](const Tensor& t) { return expand(t, sizes); });
  return out;
}

Tensor flatten(const Tensor& self, int64_t start_dim, int64_t end_dim) {
  AG_CAPTURE_RETURN("flatten", flatten(in[0], start_dim, end_dim), self)
  if (self.dim() == 0) {
    // A 0-d tensor takes dims as a 1-d one does ([-1, 0]), as in PyTorch.
    static_cast<void>(wrap_dim(start_dim, 1));
    static_cast<void>(wrap_dim(end_dim, 1));
    return reshape(self, {1});
  }
  const int64_t s = wrap_dim(start_dim, self.dim());
  const int64_t e = wrap_dim(end_dim, self.dim());
  AG_CHECK(s <= e,
           "flatten() has invalid args: start_dim cannot come after end_dim");
  if (s == e) return self;
  Shape sizes;
  for (int64_t d = 0; d < s; ++d)
    sizes.push_back(self.sizes()[static_cast<size_t>(d)]);
  int64_t merged = 1;
  for (int64_t d = s; d <= e; ++d)
    merged *= self.sizes()[static_cast<size_t>(d)];
  sizes.push_back(merged);
  for (int64_t d = e + 1; d < self.dim(); ++d) {
    sizes.push_back(self.sizes()[static_cast<size_t>(d)]);
  }
  return reshape(self, sizes);
}

Tensor select(const Tensor& self, int64_t dim, int64_t index) {
  AG_INDEX_CHECK(self.dim() > 0,
                 "select() cannot be applied to a 0-dim tensor.");
  const int64_t d = wrap_dim(dim, self.dim());
  const int64_t size = self.sizes()[static_cast<size_t>(d)];
  AG_INDEX_CHECK(index >= -size && index < size, "select(): index ", index,
                 " out of range for tensor of size ", shape_str(self.sizes()),
                 " at dimension ", d);
  const int64_t i = index < 0 ? index + size : index;
  Shape sizes = self.sizes(), strides = self.strides();
  const int64_t offset =
      self.impl()->storage_offset() + i * strides[static_cast<size_t>(d)];
  sizes.erase(static_cast<size_t>(d));
  strides.erase(static_cast<size_t>(d));
  Tensor out = view_of(self, sizes, strides, offset);
  if (auto fn = record<SelectBackward0>(self)) {
    fn->self_sizes = self.sizes();
    fn->dim = d;
    fn->index = i;
    autograd::set_history(out, fn);
  }
  view_tangent(out, self, [&](const Tensor& t) { return select(t, d, i); });
  return out;
}

Tensor slice(const Tensor& self, int64_t dim, std::optional<int64_t> start_in,
             std::optional<int64_t> end_in, int64_t step) {
  AG_INDEX_CHECK(self.dim() > 0,
                 "slice() cannot be applied to a 0-dim tensor.");
  AG_CHECK_AS(ValueError, step > 0, "step must be greater than zero");
  const int64_t d = wrap_dim(dim, self.dim());
  const int64_t size = self.sizes()[static_cast<size_t>(d)];
  // Python slice semantics: negative counts from the end, then clamp.
  auto clamp_index = [size](std::optional<int64_t> v, int64_t fallback) {
    if (!v) return fallback;
    int64_t i = *v < 0 ? *v + size : *v;
    return std::min(std::max<int64_t>(i, 0), size);
  };
  const int64_t start = clamp_index(start_in, 0);
  const int64_t end = std::max(start, clamp_index(end_in, size));
  Shape sizes = self.sizes(), strides = self.strides();
  sizes[static_cast<size_t>(d)] = (end - start + step - 1) / step;
  const int64_t offset =
      self.impl()->storage_offset() + start * strides[static_cast<size_t>(d)];
  strides[static_cast<size_t>(d)] *= step;
  Tensor out = view_of(self, sizes, strides, offset);
  if (auto fn = record<SliceBackward0>(self)) {
    fn->self_sizes = self.sizes();
    fn->dim = d;
    fn->start = start;
    fn->end = end;
    fn->step = step;
    autograd::set_history(out, fn);
  }
  view_tangent(out, self,
               [&](const Tensor& t) { return slice(t, d, start, end, step); });
  return out;
}

Tensor make_dual(const Tensor& primal, const Tensor& tangent) {
  AG_CHECK(forward_ad::current_level() >= 0,
           "Trying to create a dual Tensor for forward AD but no level "
           "exists, make sure to enter_dual_level() first.");
  AG_CHECK(!forward_ad::is_dual(primal),
           "Making a dual Tensor based on a Tensor that already has a forward "
           "gradient at the same level 0 is not supported.");
  AG_CHECK(!forward_ad::is_dual(tangent),
           "Setting a forward grad that itself has a forward gradient at the "
           "same level0 is not supported.");
  AG_CHECK(tangent.sizes() == primal.sizes(),
           "Trying to set a forward gradient that has a different size than "
           "that of the original Tensor, this is not supported. Tensor is of "
           "size ",
           shape_str(primal.sizes()),
           " while the given forward gradient is of "
           "size ",
           shape_str(tangent.sizes()), ".");
  Tensor out = view(primal, primal.sizes());
  // The tangent is laid out as the primal where that is cheap to tell.
  const bool relayout = primal.is_contiguous() && !tangent.is_contiguous();
  forward_ad::set_tangent(out, relayout ? contiguous(tangent) : tangent);
  return out;
}

std::pair<Tensor, Tensor> unpack_dual(const Tensor& t) {
  Tensor tangent = forward_ad::tangent(t);
  if (!tangent.defined()) return {t, Tensor()};
  forward_ad::DisableGuard paused;
  return {alias(t), tangent};
}

Tensor as_strided(const Tensor& self, const Shape& sizes, const Shape& strides,
                  int64_t storage_offset) {
  AG_CHECK(sizes.size() == strides.size(),
           "mismatch in length of strides and shape");
  int64_t max_offset = storage_offset;
  for (size_t i = 0; i < sizes.size(); ++i) {
    AG_CHECK(sizes[i] >= 0 && strides[i] >= 0,
             "as_strided: sizes and strides must be non-negative");
    if (sizes[i] == 0) max_offset = -1;
    if (max_offset >= 0) max_offset += (sizes[i] - 1) * strides[i];
  }
  AG_CHECK(max_offset < storage_numel(self), "setStorage: sizes ",
           shape_str(sizes), ", strides ", shape_str(strides),
           ", storage offset ", storage_offset,
           " requiring a storage size out of bounds for storage of ",
           storage_numel(self), " elements");
  Tensor out = view_of(self, sizes, strides, storage_offset);
  if (should_record_as<AsStridedBackward0>("AsStridedBackward0", self)) {
    autograd::materialize_meta(out).grad_fn =
        make_as_strided_backward(out, self);
  }
  if (forward_ad::any_dual(self)) {
    // The same geometry read from the tangent, once the tangent is laid out
    // in a storage as self is (zeros where self's storage lies outside it).
    set_tangent(out, [&] {
      Tensor t = forward_ad::tangent(self);
      const bool same_layout =
          t.strides() == self.strides() &&
          t.impl()->storage_offset() == self.impl()->storage_offset() &&
          storage_numel(t) == storage_numel(self);
      if (!same_layout) {
        const Tensor buffer = zeros({storage_numel(self)}, t.dtype());
        Tensor slot = as_strided(buffer, self.sizes(), self.strides(),
                                 self.impl()->storage_offset());
        copy_(slot, t);
        t = buffer;
      }
      return as_strided(t, sizes, strides, storage_offset);
    });
  }
  return out;
}

Tensor narrow(const Tensor& self, int64_t dim, int64_t start, int64_t length) {
  AG_CHECK(self.dim() > 0, "narrow() cannot be applied to a 0-dim tensor.");
  AG_CHECK(length >= 0, "narrow(): length must be non-negative.");
  const int64_t d = wrap_dim(dim, self.dim());
  const int64_t size = self.sizes()[static_cast<size_t>(d)];
  AG_INDEX_CHECK(start >= -size && start <= size,
                 "start out of range (expected to be in range of [", -size,
                 ", ", size, "], but got ", start, ")");
  const int64_t s = start < 0 ? start + size : start;
  AG_CHECK(s <= size - length, "start (", s, ") + length (", length,
           ") exceeds dimension size (", size, ").");
  return slice(self, d, s, s + length, 1);
}

Tensor movedim(const Tensor& self, const IntList& source,
               const IntList& destination) {
  AG_CHECK(source.size() == destination.size(),
           "movedim: Invalid source or destination dims: source (",
           shape_str(Shape(source.begin(), source.end())),
           " dims) should contain the same number of dims as destination (",
           shape_str(Shape(destination.begin(), destination.end())), " dims)");
  const int64_t nd = self.dim();
  const auto n = static_cast<size_t>(std::max<int64_t>(nd, 1));
  // order[d] = the source dim that lands at d; unplaced dims keep their order.
  std::vector<int64_t> order(n, -1);
  std::vector<bool> moved(n, false);
  for (size_t i = 0; i < source.size(); ++i) {
    const auto s = static_cast<size_t>(wrap_dim(source[i], nd));
    const auto d = static_cast<size_t>(wrap_dim(destination[i], nd));
    AG_CHECK(!moved[s], "movedim: repeated dim in `source` (",
             shape_str(Shape(source.begin(), source.end())), ")");
    AG_CHECK(order[d] < 0, "movedim: repeated dim in `destination` (",
             shape_str(Shape(destination.begin(), destination.end())), ")");
    moved[s] = true;
    order[d] = static_cast<int64_t>(s);
  }
  if (nd == 0) return permute(self, {});
  size_t next = 0;
  for (size_t d = 0; d < n; ++d) {
    if (order[d] >= 0) continue;
    while (moved[next]) ++next;
    order[d] = static_cast<int64_t>(next++);
  }
  return permute(self, order);
}

namespace {

// d(self) = cat(grads, dim)   (pieces that got no gradient count as zeros)
class SplitBackward0 final : public Node {
 public:
  AG_NODE(SplitBackward0);
  static constexpr bool kForwardRule = true;  // view_tangent
  variable_list apply(variable_list&& grads) override {
    return {cat(grads, dim)};
  }
  Saved<Shape> self_sizes{this, "self_sym_sizes"};
  Saved<int64_t> dim{this, "dim", 0}, split_size{this, "split_size", 0};
};

// d(self) = cat(grads, dim)
class SplitWithSizesBackward0 final : public Node {
 public:
  AG_NODE(SplitWithSizesBackward0);
  static constexpr bool kForwardRule = true;  // view_tangent
  variable_list apply(variable_list&& grads) override {
    return {cat(grads, dim)};
  }
  Saved<Shape> self_sizes{this, "self_sym_sizes"};
  Saved<int64_t> dim{this, "dim", 0};
  Saved<IntList> split_sizes{this, "split_sizes"};
};

// d(self) = stack(grads, dim)
class UnbindBackward0 final : public Node {
 public:
  AG_NODE(UnbindBackward0);
  static constexpr bool kForwardRule = true;  // view_tangent
  variable_list apply(variable_list&& grads) override {
    return {stack(grads, dim)};
  }
  Saved<int64_t> dim{this, "dim", 0};
};

// The tangents of a view op's several outputs: the same views of the
// input's tangent.
void pieces_tangents(const TensorList& out, const Tensor& self,
                     const std::function<TensorList(const Tensor&)>& same) {
  if (!forward_ad::any_dual(self)) return;
  TensorList ts;
  {
    forward_ad::DisableGuard paused;
    ts = same(forward_ad::tangent(self));
  }
  for (size_t i = 0; i < out.size(); ++i)
    forward_ad::set_tangent(out[i], ts[i]);
}

// Views of consecutive pieces of self along dim d, all outputs of fn.
TensorList pieces(const Tensor& self, int64_t d, const IntList& sizes,
                  const std::shared_ptr<Node>& fn) {
  TensorList out;
  out.reserve(sizes.size());
  const auto ud = static_cast<size_t>(d);
  int64_t offset = self.impl()->storage_offset();
  for (int64_t size : sizes) {
    Shape shape = self.sizes();
    shape[ud] = size;
    out.push_back(view_of(self, shape, self.strides(), offset));
    offset += size * self.strides()[ud];
    if (fn) autograd::set_history(out.back(), fn);
  }
  return out;
}

TensorList split_into(const Tensor& self, int64_t d, int64_t split_size,
                      const IntList& sizes) {
  std::shared_ptr<SplitBackward0> fn = record<SplitBackward0>(self);
  if (fn) {
    fn->self_sizes = self.sizes();
    fn->dim = d;
    fn->split_size = split_size;
  }
  TensorList out = pieces(self, d, sizes, fn);
  pieces_tangents(out, self, [&](const Tensor& t) {
    return split_into(t, d, split_size, sizes);
  });
  return out;
}

}  // namespace

TensorList split(const Tensor& self, int64_t split_size, int64_t dim) {
  AG_CHECK(self.dim() != 0, "split expects at least a 1-dimensional tensor");
  AG_CHECK(split_size >= 0,
           "split expects split_size be non-negative, but got split_size=",
           split_size);
  const int64_t d = wrap_dim(dim, self.dim());
  const int64_t size = self.sizes()[static_cast<size_t>(d)];
  AG_CHECK(split_size != 0 || size == 0,
           "split_size can only be 0 if dimension size is 0, but got "
           "dimension size of ",
           size);
  const int64_t count =
      split_size == 0
          ? 1
          : std::max<int64_t>((size + split_size - 1) / split_size, 1);
  IntList sizes(static_cast<size_t>(count), split_size);
  sizes.back() = size - split_size * (count - 1);
  return split_into(self, d, split_size, sizes);
}

TensorList split_with_sizes(const Tensor& self, const IntList& split_sizes,
                            int64_t dim) {
  AG_CHECK(self.dim() != 0, "split expects at least a 1-dimensional tensor");
  const int64_t d = wrap_dim(dim, self.dim());
  const int64_t size = self.sizes()[static_cast<size_t>(d)];
  int64_t total = 0;
  for (int64_t s : split_sizes) {
    AG_CHECK(s >= 0,
             "split_with_sizes expects split_sizes have only non-negative "
             "entries, but got split_sizes=",
             shape_str(Shape(split_sizes.begin(), split_sizes.end())));
    total += s;
  }
  AG_CHECK(total == size,
           "split_with_sizes expects split_sizes to sum exactly to ", size,
           " (input tensor's size at dimension ", d, "), but got split_sizes=",
           shape_str(Shape(split_sizes.begin(), split_sizes.end())));
  std::shared_ptr<SplitWithSizesBackward0> fn =
      record<SplitWithSizesBackward0>(self);
  if (fn) {
    fn->self_sizes = self.sizes();
    fn->dim = d;
    fn->split_sizes = split_sizes;
  }
  TensorList out = pieces(self, d, split_sizes, fn);
  pieces_tangents(out, self, [&](const Tensor& t) {
    return split_with_sizes(t, split_sizes, d);
  });
  return out;
}

TensorList chunk(const Tensor& self, int64_t chunks, int64_t dim) {
  AG_CHECK(self.dim() > 0, "chunk expects at least a 1-dimensional tensor");
  AG_CHECK(chunks > 0,
           "chunk expects `chunks` to be greater than 0, got: ", chunks);
  const int64_t d = wrap_dim(dim, self.dim());
  const int64_t size = self.sizes()[static_cast<size_t>(d)];
  const int64_t split_size = (size + chunks - 1) / chunks;
  // An empty dim still yields `chunks` (empty) pieces.
  if (split_size == 0 && size == 0) {
    return split_with_sizes(self, IntList(static_cast<size_t>(chunks), 0), d);
  }
  return split(self, split_size, d);
}

TensorList unbind(const Tensor& self, int64_t dim) {
  AG_INDEX_CHECK(self.dim() > 0,
                 "Dimension specified as 0 but tensor has no dimensions");
  const int64_t d = wrap_dim(dim, self.dim());
  const auto ud = static_cast<size_t>(d);
  std::shared_ptr<UnbindBackward0> fn = record<UnbindBackward0>(self);
  if (fn) fn->dim = d;
  Shape sizes = self.sizes(), strides = self.strides();
  sizes.erase(ud);
  strides.erase(ud);
  TensorList out;
  const int64_t n = self.sizes()[ud];
  out.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    out.push_back(
        view_of(self, sizes, strides,
                self.impl()->storage_offset() + i * self.strides()[ud]));
    if (fn) autograd::set_history(out.back(), fn);
  }
  pieces_tangents(out, self, [&](const Tensor& t) { return unbind(t, d); });
  return out;
}

namespace {

using Kind = TensorIndex::Kind;

bool is_int_index(const Tensor& t) {
  return t.dim() == 0 && is_integral(t.dtype(), /*include_bool=*/false);
}

// What basic indexing leaves: a view (or self) and the advanced indices to
// apply to it, one entry per dim of that view up to the last indexed one.
struct Sliced {
  Tensor result;
  TensorList indices;
  int64_t covered = 0;  // dims of `result` that `indices` spans

  void record(const Tensor& index, int64_t at) {
    while (covered < at) {
      indices.emplace_back();
      ++covered;
    }
    indices.push_back(index);
    covered += index.dtype() == DType::Bool ? index.dim() : 1;
  }
};

Tensor select_checked(const Tensor& t, int64_t dim, int64_t index) {
  // Several Ellipsis items can push `dim` past the last dim.
  const int64_t size = dim < t.dim() ? t.sizes()[static_cast<size_t>(dim)] : 0;
  AG_INDEX_CHECK(index >= -size && index < size, "index ", index,
                 " is out of bounds for dimension ", dim, " with size ", size);
  return select(t, dim, index);
}

// Applies ints, slices, None and Ellipsis as views, left to right, and
// collects the tensor items. Full slices are skipped when `skip_full`.
Sliced apply_slicing(const Tensor& self,
                     const std::vector<TensorIndex>& indices, bool skip_full) {
  // Each Ellipsis stands for the dims no other item addresses (PyTorch
  // accepts several).
  int64_t consumed = 0;
  for (const TensorIndex& idx : indices) {
    if (idx.kind == Kind::Integer || idx.kind == Kind::Slice) ++consumed;
    if (idx.kind == Kind::Tensor) {
      const Tensor& t = idx.tensor;
      consumed += t.dtype() == DType::Bool ? t.dim() : 1;
    }
  }
  AG_INDEX_CHECK(consumed <= self.dim(),
                 "too many indices for tensor of dimension ", self.dim());
  Sliced out;
  out.result = self;
  int64_t dim = 0;  // current dim of out.result
  for (const TensorIndex& idx : indices) {
    switch (idx.kind) {
      case Kind::Integer:
        out.result = select_checked(out.result, dim, idx.integer);
        break;
      case Kind::Slice: {
        AG_INDEX_CHECK(dim < out.result.dim(),
                       "too many indices for tensor of dimension ", self.dim());
        const int64_t size = out.result.sizes()[static_cast<size_t>(dim)];
        auto clamped = [size](std::optional<int64_t> v, int64_t fallback) {
          if (!v) return fallback;
          return std::clamp<int64_t>(*v < 0 ? *v + size : *v, 0, size);
        };
        const bool full = idx.step == 1 && clamped(idx.start, 0) == 0 &&
                          clamped(idx.stop, size) == size;
        if (!(skip_full && full)) {
          out.result = slice(out.result, dim, idx.start, idx.stop, idx.step);
        }
        ++dim;
        break;
      }
      case Kind::None:
        out.result = unsqueeze(out.result, dim);
        ++dim;
        break;
      case Kind::Ellipsis:
        dim += self.dim() - consumed;
        break;
      case Kind::Tensor: {
        const Tensor& t = idx.tensor;
        if (is_int_index(t)) {
          out.result = select_checked(out.result, dim, t.item().to<int64_t>());
        } else if (t.dim() == 0 && t.dtype() == DType::Bool) {
          // x[True] adds a dim of size 1 and keeps it; x[False] empties it.
          out.result = unsqueeze(out.result, dim);
          Tensor positions = zeros({t.item().to<bool>() ? 1 : 0}, DType::Int64);
          out.record(positions, dim);
          ++dim;
        } else {
          out.record(t, dim);
          dim += t.dtype() == DType::Bool ? t.dim() : 1;
        }
        break;
      }
    }
  }
  return out;
}

// self = value: FillBackward3 is PyTorch's node for fill_ with a 0-d tensor.
// d(self) = 0 ; d(value) = sum(grad)
class FillBackward3 final : public Node {
 public:
  AG_NODE(FillBackward3);
  static constexpr bool kForwardRule = true;  // tangent = 0
  variable_list apply(variable_list&& grads) override {
    variable_list out(2);
    if (should_compute_output(0)) {
      out[0] = zeros(grads[0].sizes(), grads[0].dtype());
    }
    if (should_compute_output(1)) out[1] = sum(grads[0]);
    return out;
  }
};

void fill_with_number(Tensor& self, const Scalar& value) {
  autograd::check_inplace(self);
  check_no_internal_overlap(self);
  kernels::fill(self, value);
  self.impl()->bump_version("fill_");
  if (should_record<FillBackward3>(self)) {
    rebase_history(self, make_node<FillBackward3>(
                             autograd::collect_next_edges(self, Tensor())));
  }
  if (forward_ad::any_dual(self)) {
    write_tangent(self, zeros(self.sizes(), self.dtype()));
  }
}

// Recording an indexing op: the tensors among `indices` are inputs of the
// step after `first` others (they may change from call to call); the rest
// of each index is an attribute.
TensorList index_tensors(TensorList first,
                         const std::vector<TensorIndex>& indices) {
  for (const TensorIndex& i : indices) {
    if (i.kind == TensorIndex::Kind::Tensor) first.push_back(i.tensor);
  }
  return first;
}
std::vector<TensorIndex> with_index_tensors(std::vector<TensorIndex> indices,
                                            const TensorList& in,
                                            size_t first) {
  for (TensorIndex& i : indices) {
    if (i.kind == TensorIndex::Kind::Tensor) i.tensor = in[first++];
  }
  return indices;
}
// A boolean index makes a result whose shape depends on the mask's values,
// which later recorded steps (and Python, through .shape) would take as
// fixed: such a read is not recorded, so the capture fails.
bool masked(const std::vector<TensorIndex>& indices) {
  for (const TensorIndex& i : indices) {
    if (i.kind == TensorIndex::Kind::Tensor && i.tensor.defined() &&
        i.tensor.dtype() == DType::Bool) {
      return true;
    }
  }
  return false;
}

}  // namespace

Tensor index(const Tensor& self, const std::vector<TensorIndex>& indices) {
  if (auto* rec = compile::Recorder::armed()) {
    if (!masked(indices)) {
      return rec->call(
          "getitem", index_tensors({self}, indices),
          [indices](const TensorList& in) {
            return TensorList{index(in[0], with_index_tensors(indices, in, 1))};
          })[0];
    }
    capture::note_uncapturable(
        "indexing with a boolean mask (the result's shape depends on the "
        "mask's values)");
  }
  // A lone slice is always applied (x[:] is a SliceBackward0 view, as in
  // PyTorch); inside a tuple, full slices are skipped.
  Sliced s = apply_slicing(self, indices, /*skip_full=*/indices.size() > 1);
  if (!s.indices.empty()) return index(s.result, s.indices);
  return s.result.is_same(self) ? alias(self) : s.result;
}

void index_put_(Tensor& self, const std::vector<TensorIndex>& indices,
                const Tensor& value) {
  AG_CAPTURE_VOID(
      "setitem",
      [indices](const TensorList& in) {
        Tensor s = in[0];
        index_put_(s, with_index_tensors(indices, in, 2), in[1]);
        return TensorList{};
      },
      index_tensors({self, value}, indices))
  // As PyTorch's setitem: the value's leading size-1 dimensions are dropped
  // before broadcasting, so x[0] = y[None] works (copy_ alone refuses it).
  int64_t leading = 0;
  while (leading < value.dim() && value.size(leading) == 1) ++leading;
  IntList ones(static_cast<size_t>(leading));
  for (int64_t d = 0; d < leading; ++d) ones[static_cast<size_t>(d)] = d;
  const Tensor src = leading == 0 ? value : squeeze(value, ones);
  Sliced s = apply_slicing(self, indices, /*skip_full=*/true);
  if (!s.indices.empty()) {
    index_put_(s.result, s.indices, src);
  } else {
    copy_(s.result, src);
  }
}

void index_put_(Tensor& self, const std::vector<TensorIndex>& indices,
                const Scalar& value) {
  AG_CAPTURE_VOID("setitem", ([indices, value](const TensorList& in) {
                    Tensor s = in[0];
                    index_put_(s, with_index_tensors(indices, in, 1), value);
                    return TensorList{};
                  }),
                  index_tensors({self}, indices))
  Sliced s = apply_slicing(self, indices, /*skip_full=*/true);
  if (!s.indices.empty()) {
    index_put_(s.result, s.indices, scalar_tensor(value, self.dtype()));
  } else {
    fill_with_number(s.result, value);
  }
}

}  // namespace ag::ops

namespace ag::autograd::engine_ops {
std::shared_ptr<Node> view_grad_fn(const Tensor& view, const Tensor& base) {
  return ops::make_as_strided_backward(view, base);
}
}  // namespace ag::autograd::engine_ops

namespace ag::ops {

// Note [In-place view ops]: unsqueeze_, squeeze_, t_, transpose_ and
// as_strided_ change self's sizes and strides, not its data. `view_op`
// computes the new geometry (the out-of-place view, unrecorded); `make`
// builds self's node from self as it was, before the change. Self then
// takes the geometry and the node, and its version is bumped (as PyTorch
// does: tensors saved before see the change). A view's base keeps its
// history, as nothing was written; the view's history is marked current so
// it is not rebuilt from the base.
namespace {

Tensor& inplace_view(Tensor& self,
                     const std::function<Tensor(const Tensor&)>& view_op,
                     const std::function<std::shared_ptr<Node>()>& make) {
  autograd::check_inplace(self);
  // A capture records ops on values; it cannot replay a change of self's
  // geometry, so it fails and the function runs eagerly.
  capture::note_uncapturable(
      "an in-place view op (unsqueeze_, squeeze_, t_, transpose_, "
      "as_strided_) changed a tensor's sizes and strides");
  Tensor view;
  {
    NoGradGuard unrecorded;
    view = view_op(self);
  }
  std::shared_ptr<Node> fn;
  if (GradMode::is_enabled() && autograd::requires_grad(self)) fn = make();
  const Tensor tangent =
      forward_ad::any_dual(self) ? forward_ad::tangent(view) : Tensor();
  self.impl()->set_sizes_and_strides(view.sizes(), view.strides(),
                                     view.impl()->storage_offset());
  self.impl()->bump_version();
  if (fn) {
    autograd::set_history(self, fn);
    AutogradMeta& m = autograd::materialize_meta(self);
    if (m.is_view) m.attr_version = self.impl()->version();
  }
  if (tangent.defined()) forward_ad::set_tangent(self, tangent);
  return self;
}

// unsqueeze_ and squeeze_: the gradient is reshaped back to self's sizes.
Tensor& reshape_like_(Tensor& self, const char* name,
                      const std::function<Tensor(const Tensor&)>& view_op) {
  return inplace_view(self, view_op, [&] {
    return make_node<ReshapeLikeBackward>(autograd::collect_next_edges(self),
                                          name, self.sizes());
  });
}

}  // namespace

Tensor& unsqueeze_(Tensor& self, int64_t dim) {
  return reshape_like_(self, "UnsqueezeBackward1",
                       [&](const Tensor& s) { return unsqueeze(s, dim); });
}

Tensor& squeeze_(Tensor& self) {
  return reshape_like_(self, "SqueezeBackward3",
                       [](const Tensor& s) { return squeeze(s); });
}

Tensor& squeeze_(Tensor& self, const IntList& dims) {
  return reshape_like_(
      self, dims.size() == 1 ? "SqueezeBackward4" : "SqueezeBackward5",
      [&](const Tensor& s) { return squeeze(s, dims); });
}

Tensor& t_(Tensor& self) {
  AG_CHECK(self.dim() <= 2,
           "t_() expects a tensor with <= 2 dimensions, but self is ",
           self.dim(), "D");
  return inplace_view(
      self, [](const Tensor& s) { return t(s); },
      [&] {
        return make_node<TBackward1>(autograd::collect_next_edges(self));
      });
}

Tensor& transpose_(Tensor& self, int64_t dim0, int64_t dim1) {
  const int64_t nd = self.dim();
  const int64_t d0 = wrap_dim(dim0, nd), d1 = wrap_dim(dim1, nd);
  return inplace_view(
      self, [&](const Tensor& s) { return transpose(s, d0, d1); },
      [&] {
        auto fn =
            make_node<TransposeBackward1>(autograd::collect_next_edges(self));
        fn->dim0 = d0;
        fn->dim1 = d1;
        return fn;
      });
}

Tensor& as_strided_(Tensor& self, const Shape& sizes, const Shape& strides,
                    int64_t storage_offset) {
  return inplace_view(
      self,
      [&](const Tensor& s) {
        return as_strided(s, sizes, strides, storage_offset);
      },
      [&] {
        auto fn = make_node<AsStridedBackward0>(
            autograd::collect_next_edges(self),
            Geometry{sizes, strides, storage_offset}, geometry_of(self),
            storage_numel(self), "AsStridedBackward1");
        return std::static_pointer_cast<Node>(fn);
      });
}

}  // namespace ag::ops
