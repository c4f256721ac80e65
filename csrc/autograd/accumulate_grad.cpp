#include "autograd/accumulate_grad.h"

#include <limits>

#include "autograd/autograd_meta.h"
#include "autograd/engine_ops.h"
#include "autograd/forward_ad.h"
#include "autograd/grad_mode.h"

namespace ag {

AccumulateGrad::AccumulateGrad(Tensor variable)
    : variable_(std::move(variable)) {
  // Leaves run as soon as they are ready.
  set_sequence_nr(std::numeric_limits<uint64_t>::max());
  add_input_metadata(variable_);
}

variable_list AccumulateGrad::run_pre_hooks(variable_list&& grads) {
  if (!grads.empty()) grads[0] = autograd::run_leaf_hooks(variable_, grads[0]);
  return Node::run_pre_hooks(std::move(grads));
}

variable_list AccumulateGrad::apply(variable_list&& grads) {
  Tensor& incoming = grads[0];
  if (!incoming.defined()) return {};
  AutogradMeta& m = autograd::materialize_meta(variable_);
  {
    std::lock_guard<std::recursive_mutex> lock(m.mutex);
    accumulate(m, std::move(incoming));
  }
  // Outside the lock: a Python hook takes the GIL, which another thread
  // may hold while it waits for this lock.
  for (const auto& hook : m.post_accumulate_hooks) (*hook)(variable_);
  return {};
}

void AccumulateGrad::accumulate(AutogradMeta& m, Tensor&& incoming) {
  if (!m.grad.defined()) {
    // Steal the buffer when nobody else can see it; otherwise copy, so .grad
    // never aliases a user tensor (y.backward(x) passes x straight through).
    const bool stealable =
        !GradMode::is_enabled() && autograd::has_private_buffer(incoming) &&
        incoming.is_contiguous() && !autograd::requires_grad(incoming);
    m.grad =
        stealable ? std::move(incoming) : autograd::engine_ops::clone(incoming);
  } else if (GradMode::is_enabled() || forward_ad::any_dual(m.grad, incoming)) {
    // create_graph: keep the accumulation differentiable; forward AD: keep
    // the tangents (an in-place kernel add would drop them).
    m.grad = autograd::engine_ops::add(m.grad, incoming);
  } else {
    autograd::engine_ops::add_inplace(m.grad, incoming);
  }
}

}  // namespace ag
