#include "autograd/saved_variable.h"

#include <atomic>
#include <cctype>

#include "autograd/autograd_meta.h"
#include "autograd/forward_ad.h"

namespace ag {

const char* const kBackwardTwiceMessage =
    "Trying to backward through the graph a second time (or directly access "
    "saved tensors after they have already been freed). Saved intermediate "
    "values of the graph are freed when you call .backward() or "
    "autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved tensors "
    "after calling backward.";

std::string backward_twice_message(const std::string& node_name) {
  return detail::str_cat(
      "Trying to backward through the graph a second time (or directly "
      "access saved tensors after they have already been freed). The node ",
      node_name,
      " was already run by an earlier backward(), which freed the tensors it "
      "had saved. The usual cause is a tensor from an earlier step (a hidden "
      "state, a running total of the loss) that still carries that step's "
      "graph into this one: detach() it when carrying it over. Only if you "
      "really mean to backward through the same graph twice, specify "
      "retain_graph=True in the first backward() or autograd.grad() call.");
}

namespace {
std::atomic<SavedHooksFactory> saved_hooks_factory{nullptr};
}  // namespace

void set_saved_hooks_factory(SavedHooksFactory factory) {
  saved_hooks_factory.store(factory);
}

SavedVariable::SavedVariable(const Tensor& t, bool is_output) {
  if (!t.defined()) return;
  was_defined_ = true;
  is_output_ = is_output;
  saved_version_ = t.impl()->version();
  requires_grad_ = autograd::requires_grad(t);
  if (is_output) output_nr_ = autograd::output_nr(t);
  if (const SavedHooksFactory factory = saved_hooks_factory.load()) {
    if (auto hooks = factory()) {
      // The hooks own the value from here on; only its history is kept.
      hooks->pack(autograd::detach(t));
      hooks_ = std::move(hooks);
      // Keep only the history needed to rebuild the unpacked tensor.
      if (!is_output && requires_grad_) {
        if (autograd::is_leaf(t)) {
          data_ = t;  // a leaf: the unpacked tensor is the leaf itself
        } else {
          hooked_grad_fn_ = autograd::grad_fn(t);
          output_nr_ = autograd::output_nr(t);
        }
      }
      return;
    }
  }
  data_ = is_output ? autograd::detach(t) : t;
  // Forward over reverse: the saved alias follows the output's tangent,
  // which is set after the node saves it.
  if (is_output && forward_ad::detail::level_open()) {
    forward_ad::add_alias(t, data_);
  }
}

namespace {

// "[torch.FloatTensor [2, 2]]", as PyTorch describes a tensor in errors.
std::string describe(const Tensor& t) {
  return detail::str_cat("[torch.", dtype_legacy_name(t.dtype()), "Tensor ",
                         shape_str(t.sizes()), "]");
}

// "MulBackward0" -> "Mul": the op that produced a tensor.
std::string op_name(const Node& fn) {
  std::string name = fn.name();
  const auto pos = name.rfind("Backward");
  if (pos != std::string::npos && pos > 0) name.resize(pos);
  return name;
}

}  // namespace

Tensor SavedVariable::unpack(const std::shared_ptr<Node>& owner) const {
  if (!was_defined_) return {};
  AG_CHECK(!released_, kBackwardTwiceMessage);
  if (hooks_) return unpack_with_hooks(owner);
  const uint32_t current = data_.impl()->version();
  if (current != saved_version_) {
    std::string origin;
    const Node* fn = is_output_ ? owner.get() : autograd::grad_fn(data_).get();
    if (fn) {
      origin =
          detail::str_cat(", which is output ",
                          is_output_ ? output_nr_ : autograd::output_nr(data_),
                          " of ", op_name(*fn), ",");
    }
    const char* writer = data_.impl()->last_writer();
    throw Error(detail::str_cat(
        "one of the variables needed for gradient computation has been "
        "modified by an inplace operation: ",
        describe(data_), origin, " is at version ", current,
        "; expected version ", saved_version_, " instead.",
        writer
            ? detail::str_cat(" The last in-place op on it was ", writer, "().")
            : std::string(),
        " A backward node saved this tensor to compute gradients and it was "
        "overwritten before backward ran. Fix: use the out-of-place form "
        "(x = x + y instead of x += y), or clone() the tensor before "
        "modifying it. Hint: enable anomaly detection to find the operation "
        "that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True)."));
  }
  if (!is_output_) return data_;
  Tensor out = autograd::detach(data_);
  if (requires_grad_ && owner) {
    AutogradMeta& m = autograd::materialize_meta(out);
    m.grad_fn = owner;
    m.output_nr = output_nr_;
  }
  if (forward_ad::detail::level_open()) {
    const Tensor tangent = forward_ad::tangent(data_);
    if (tangent.defined()) forward_ad::set_tangent(out, tangent);
  }
  return out;
}

// A tensor given back by an unpack hook is a new tensor: it carries the
// saved history (the owner node for outputs) but no version check.
Tensor SavedVariable::unpack_with_hooks(
    const std::shared_ptr<Node>& owner) const {
  Tensor value = hooks_->unpack();
  AG_CHECK(value.defined(),
           "the unpack hook of saved_tensors_hooks returned None; it must "
           "return a Tensor");
  if (data_.defined()) return data_;
  Tensor out = autograd::detach(value);
  const std::shared_ptr<Node>& fn = is_output_ ? owner : hooked_grad_fn_;
  if (requires_grad_ && fn) {
    AutogradMeta& m = autograd::materialize_meta(out);
    m.grad_fn = fn;
    m.output_nr = output_nr_;
  }
  return out;
}

void SavedVariable::release() {
  if (!was_defined_) return;
  data_ = Tensor();
  hooks_.reset();
  hooked_grad_fn_.reset();
  released_ = true;
}

}  // namespace ag
