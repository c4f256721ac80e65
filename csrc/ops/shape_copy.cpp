// Shape ops that copy their input into a new layout: cat, stack, flip,
// repeat, tile, roll, tril, triu and padding (constant, reflection,
// replication). Each op's forward rule sits beside it.

#include <algorithm>
#include <string>

#include "compile/capture.h"
#include "ops/index_data.h"

namespace ag::ops {

namespace {

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
  // The dim first, against the first tensor, as PyTorch checks it.
  const int64_t d = wrap_dim(dim, ref.dim() + 1);
  for (size_t i = 1; i < tensors.size(); ++i) {
    AG_CHECK(tensors[i].sizes() == ref.sizes(),
             "stack expects each tensor to be equal size, but got ",
             shape_str(ref.sizes()), " at entry 0 and ",
             shape_str(tensors[i].sizes()), " at entry ", i);
  }
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
  AG_CAPTURE_RETURN("flip", flip(in[0], dims), self)
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
    // PyTorch returns an empty input's copy before reading the dims.
    out = self.numel() == 0 ? clone_data(self) : self;
    for (size_t i = 0; i < dims.size() && self.numel() != 0; ++i) {
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
