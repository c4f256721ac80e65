// Shape and view ops: each returns a tensor sharing storage (and version
// counter) with its input. Also the machinery that keeps gradients right when
// a view is written in place (CopySlices, AsStridedBackward0).

#include <algorithm>
#include <functional>
#include <numeric>

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
class AsStridedBackward0 : public Node {
 public:
  AsStridedBackward0(edge_list&& edges, Geometry view, Geometry base,
                     int64_t storage_numel)
      : Node(std::move(edges)),
        view_(std::move(view)),
        base_(std::move(base)),
        storage_numel_(storage_numel) {}
  std::string name() const override { return "AsStridedBackward0"; }

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

  void visit_saved(SavedVisitor& v) const override {
    v.visit("size", ints_field(view_.sizes));
    v.visit("storage_offset", int_field(view_.offset));
    v.visit("stride", ints_field(view_.strides));
  }

 private:
  Geometry view_, base_;
  int64_t storage_numel_;
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
class ReshapeLikeBackward : public Node {
 public:
  ReshapeLikeBackward(edge_list&& edges, const char* name, Shape self_sizes)
      : Node(std::move(edges)),
        name_(name),
        self_sizes_(std::move(self_sizes)) {}
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& grads) override {
    return {reshape(grads[0], self_sizes_)};
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("self_sym_sizes", ints_field(self_sizes_));
  }

 private:
  const char* name_;
  Shape self_sizes_;
};

Tensor record_reshape_like(const Tensor& self, Tensor out, const char* name) {
  if (should_record(self)) {
    auto fn = make_node<ReshapeLikeBackward>(autograd::collect_next_edges(self),
                                             name, self.sizes());
    autograd::set_history(out, fn);
  }
  return out;
}

// d(self) = grad.transpose(dim0, dim1)
class TransposeBackward0 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "TransposeBackward0"; }
  variable_list apply(variable_list&& grads) override {
    return {transpose(grads[0], dim0, dim1)};
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("dim0", int_field(dim0));
    v.visit("dim1", int_field(dim1));
  }
  int64_t dim0 = 0, dim1 = 0;
};

// d(self) = grad.t()
class TBackward0 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "TBackward0"; }
  variable_list apply(variable_list&& grads) override { return {t(grads[0])}; }
};

// d(self) = grad.permute(inverse of dims)
class PermuteBackward0 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "PermuteBackward0"; }
  variable_list apply(variable_list&& grads) override {
    IntList inverse(dims.size());
    for (size_t i = 0; i < dims.size(); ++i) {
      inverse[static_cast<size_t>(dims[i])] = static_cast<int64_t>(i);
    }
    return {permute(grads[0], inverse)};
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("dims", ints_field(dims));
  }
  IntList dims;
};

// d(self) = grad.squeeze(dim)
class UnsqueezeBackward0 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "UnsqueezeBackward0"; }
  variable_list apply(variable_list&& grads) override {
    return {squeeze(grads[0], {dim})};
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("dim", int_field(dim));
  }
  int64_t dim = 0;
};

// d(self) = sum of grad over the expanded dims
class ExpandBackward0 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "ExpandBackward0"; }
  variable_list apply(variable_list&& grads) override {
    return {sum_to(grads[0], self_sizes)};
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("self_sym_sizes", ints_field(self_sizes));
  }
  Shape self_sizes;
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
class SelectBackward0 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "SelectBackward0"; }
  variable_list apply(variable_list&& grads) override {
    return {scatter_into_zeros(grads[0], self_sizes, [&](const Tensor& r) {
      return select(r, dim, index);
    })};
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("dim", int_field(dim));
    v.visit("index", int_field(index));
    v.visit("self_sym_sizes", ints_field(self_sizes));
  }
  Shape self_sizes;
  int64_t dim = 0, index = 0;
};

// d(self) = zeros with grad written at [start:end:step] along dim
class SliceBackward0 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "SliceBackward0"; }
  variable_list apply(variable_list&& grads) override {
    return {scatter_into_zeros(grads[0], self_sizes, [&](const Tensor& r) {
      return slice(r, dim, start, end, step);
    })};
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("dim", int_field(dim));
    v.visit("end", int_field(end));
    v.visit("self_sym_sizes", ints_field(self_sizes));
    v.visit("start", int_field(start));
    v.visit("step", int_field(step));
  }
  Shape self_sizes;
  int64_t dim = 0, start = 0, end = 0, step = 1;
};

// d(self) = grad
class AliasBackward0 : public Node {
 public:
  using Node::Node;
  std::string name() const override { return "AliasBackward0"; }
  variable_list apply(variable_list&& grads) override { return {grads[0]}; }
};

Tensor alias(const Tensor& self) {
  Tensor out = view_of(self, self.sizes(), self.strides(),
                       self.impl()->storage_offset());
  if (auto fn = record<AliasBackward0>(self)) autograd::set_history(out, fn);
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
  return out;
}

Tensor t(const Tensor& self) {
  AG_CHECK(self.dim() <= 2,
           "t() expects a tensor with <= 2 dimensions, but self is ",
           self.dim(), "D");
  Shape sizes = self.sizes(), strides = self.strides();
  std::reverse(sizes.begin(), sizes.end());
  std::reverse(strides.begin(), strides.end());
  Tensor out = view_of(self, sizes, strides, self.impl()->storage_offset());
  if (auto fn = record<TBackward0>(self)) autograd::set_history(out, fn);
  return out;
}

Tensor permute(const Tensor& self, const IntList& dims) {
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
  return out;
}

Tensor squeeze(const Tensor& self) {
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
  return out;
}

Tensor expand(const Tensor& self, const Shape& sizes_in) {
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
  return out;
}

Tensor flatten(const Tensor& self, int64_t start_dim, int64_t end_dim) {
  if (self.dim() == 0) return reshape(self, {1});
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
  return out;
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
  if (should_record(self)) {
    autograd::materialize_meta(out).grad_fn =
        make_as_strided_backward(out, self);
  }
  return out;
}

Tensor index(const Tensor& self, const std::vector<TensorIndex>& indices) {
  using Kind = TensorIndex::Kind;
  int64_t consumed = 0;  // dims of self that the indices address
  int64_t ellipses = 0;
  for (const TensorIndex& idx : indices) {
    if (idx.kind == Kind::Integer || idx.kind == Kind::Slice) ++consumed;
    if (idx.kind == Kind::Ellipsis) ++ellipses;
  }
  AG_INDEX_CHECK(ellipses <= 1,
                 "an index can only have a single ellipsis ('...')");
  AG_INDEX_CHECK(consumed <= self.dim(),
                 "too many indices for tensor of dimension ", self.dim());
  if (indices.size() == 1 && indices[0].kind == Kind::Ellipsis)
    return alias(self);
  Tensor out = self;
  int64_t dim = 0;  // current dim of `out`
  for (const TensorIndex& idx : indices) {
    switch (idx.kind) {
      case Kind::Integer: {
        const int64_t size = out.sizes()[static_cast<size_t>(dim)];
        AG_INDEX_CHECK(idx.integer >= -size && idx.integer < size, "index ",
                       idx.integer, " is out of bounds for dimension ", dim,
                       " with size ", size);
        out = select(out, dim, idx.integer);
        break;
      }
      case Kind::Slice:
        out = slice(out, dim, idx.start, idx.stop, idx.step);
        ++dim;
        break;
      case Kind::None:
        out = unsqueeze(out, dim);
        ++dim;
        break;
      case Kind::Ellipsis:
        dim += self.dim() - consumed;
        break;
    }
  }
  return out.is_same(self) ? alias(self) : out;
}

void index_put_(Tensor& self, const std::vector<TensorIndex>& indices,
                const Tensor& value) {
  Tensor target = index(self, indices);
  copy_(target, value);
}

}  // namespace ag::ops

namespace ag::autograd::engine_ops {
std::shared_ptr<Node> view_grad_fn(const Tensor& view, const Tensor& base) {
  return ops::make_as_strided_backward(view, base);
}
}  // namespace ag::autograd::engine_ops
