// Copies and conversions: clone, contiguous, to(dtype), detach, and the
// in-place writers copy_, fill_, zero_.

#include "compile/capture.h"
#include "ops/op_utils.h"

namespace ag::ops {

namespace {

// d(self) = grad
class CloneBackward0 final : public Node {
 public:
  AG_NODE(CloneBackward0);
  static constexpr bool kForwardRule = true;  // tangent = clone(self_t)
  variable_list apply(variable_list&& grads) override { return {grads[0]}; }
};

// d(self) = grad in self's dtype (the engine casts it)
class ToCopyBackward0 final : public Node {
 public:
  AG_NODE(ToCopyBackward0);
  // tangent = self_t in the new dtype
  static constexpr bool kForwardRule = true;
  variable_list apply(variable_list&& grads) override { return {grads[0]}; }
};

// d(self) = 0 (overwritten) ; d(src) = grad (summed to src's shape). Also
// fill_ with a tensor value, under PyTorch's name for that node.
class CopyBackwards : public Node {
 public:
  using Node::Node;
  static constexpr bool kForwardRule = true;  // copy_tangent
  std::string name() const override { return node_name; }
  const char* node_name = "torch::autograd::CopyBackwards";
  variable_list apply(variable_list&& grads) override {
    variable_list out(2);
    if (should_compute_output(0)) {
      out[0] = zeros(grads[0].sizes(), grads[0].dtype());
    }
    if (should_compute_output(1)) out[1] = grads[0];
    return out;
  }
};

// d(self) = 0: every element was overwritten by a constant.
class OverwrittenBackward : public Node {
 public:
  OverwrittenBackward(edge_list&& edges, const char* name)
      : Node(std::move(edges)), name_(name) {}
  static constexpr bool kForwardRule = true;  // tangent = 0
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& grads) override {
    return {zeros(grads[0].sizes(), grads[0].dtype())};
  }

 private:
  const char* name_;
};

// Forward rule of copy_: self's tangent becomes src's (broadcast, in self's
// dtype), written through a view into its base's (write_tangent).
void copy_tangent(const Tensor& self, const Tensor& src) {
  Tensor src_t = forward_ad::tangent(src);
  forward_ad::DisableGuard paused;
  Tensor t = empty_tensor(self.sizes(), self.dtype());
  if (src_t.defined()) {
    kernels::copy(src_t, t);
  } else {
    kernels::fill(t, Scalar(0.0));
  }
  write_tangent(self, t);
}

Tensor& fill_with(Tensor& self, const Scalar& value, const char* node_name,
                  const char* op_name) {
  // No overlap check: every aliased element receives the same value, so
  // PyTorch allows filling an expanded view.
  autograd::check_inplace(self);
  kernels::fill(self, value);
  self.impl()->bump_version(op_name);
  if (should_record_as<OverwrittenBackward>(node_name, self)) {
    rebase_history(self, make_node<OverwrittenBackward>(
                             autograd::collect_next_edges(self), node_name));
  }
  if (forward_ad::any_dual(self)) {
    write_tangent(self, zeros(self.sizes(), self.dtype()));
  }
  return self;
}

}  // namespace

Tensor clone(const Tensor& self) {
  AG_CAPTURE_RETURN("clone", clone(in[0]), self)
  Tensor out = clone_data(self);
  if (auto fn = record<CloneBackward0>(self)) autograd::set_history(out, fn);
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] { return clone(forward_ad::tangent(self)); });
  }
  return out;
}

Tensor contiguous(const Tensor& self) {
  AG_CAPTURE_RETURN("contiguous", contiguous(in[0]), self)
  return self.is_contiguous() ? self : clone(self);
}

Tensor to(const Tensor& self, DType dtype, bool copy) {
  AG_CAPTURE_RETURN("to", to(in[0], dtype, copy), self)
  if (self.dtype() == dtype && !copy) return self;
  Tensor out = empty_tensor(self.sizes(), dtype);
  kernels::copy(self, out);
  if (is_floating(dtype)) {
    if (auto fn = record<ToCopyBackward0>(self)) autograd::set_history(out, fn);
    if (forward_ad::any_dual(self)) {
      set_tangent(out, [&] {
        return to(forward_ad::tangent(self), dtype, /*copy=*/true);
      });
    }
  }
  return out;
}

Tensor detach(const Tensor& self) {
  AG_CAPTURE_RETURN("detach", detach(in[0]), self)
  return autograd::detach(self);
}

Tensor& detach_(Tensor& self) {
  autograd::detach_(self);
  return self;
}

namespace {
// copy_'s work, its node named `node_name`.
Tensor& copy_into(Tensor& self, const Tensor& src, const char* node_name) {
  autograd::check_inplace(self);
  AG_CHECK(is_expandable_to(src.sizes(), self.sizes()), "output with shape ",
           shape_str(self.sizes()), " doesn't match the broadcast shape ",
           shape_str(broadcast_shapes(self.sizes(), src.sizes())));
  check_no_internal_overlap(self);
  std::shared_ptr<CopyBackwards> fn;
  if (is_floating(self.dtype())) fn = record<CopyBackwards>(self, src);
  if (fn) fn->node_name = node_name;
  // Reading from memory that is being written would see half-copied values.
  const bool overlaps =
      src.impl()->storage() == self.impl()->storage() && !src.is_same(self);
  kernels::copy(overlaps ? clone_data(src) : src, self);
  self.impl()->bump_version("copy_");
  if (fn) rebase_history(self, fn);
  if (is_floating(self.dtype()) && forward_ad::any_dual(self, src)) {
    copy_tangent(self, src);
  }
  return self;
}
}  // namespace

Tensor& copy_(Tensor& self, const Tensor& src) {
  AG_CAPTURE_INPLACE(self, "copy_", copy_(s, in[1]), self, src)
  return copy_into(self, src, "torch::autograd::CopyBackwards");
}

Tensor& fill_(Tensor& self, const Scalar& value) {
  check_fill_value_fits(value, self.dtype());
  AG_CAPTURE_INPLACE(self, "fill_", fill_(s, value), self)
  return fill_with(self, value, "FillBackward2", "fill_");
}

Tensor& fill_(Tensor& self, const Tensor& value) {
  autograd::check_inplace(self);
  AG_CHECK(value.dim() == 0,
           "fill_ only supports 0-dimension value tensor but got tensor with ",
           value.dim(), " dimensions.");
  // Unlike a number fill, PyTorch refuses an expanded self here.
  check_no_internal_overlap(self);
  // A value that carries a gradient or tangent is copied in, so they reach
  // it (PyTorch's value gradient is the sum of self's); else a number fill.
  const bool differentiable =
      (GradMode::is_enabled() && autograd::requires_grad(value)) ||
      forward_ad::any_dual(value);
  // A tensor value is converted as a copy converts it (an out-of-range
  // float wraps), not checked as a number is.
  return differentiable ? copy_into(self, value, "FillBackward3")
                        : fill_(self, cast_data(value, self.dtype()).item());
}

Tensor& zero_(Tensor& self) {
  AG_CAPTURE_INPLACE(self, "zero_", zero_(s), self)
  return fill_with(self, Scalar(int64_t{0}), "ZeroBackward0", "zero_");
}

}  // namespace ag::ops
