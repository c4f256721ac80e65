#include "autograd/autograd_meta.h"
#include "compile/capture.h"

#include <algorithm>
#include <atomic>

#include "autograd/accumulate_grad.h"
#include "autograd/engine_ops.h"
#include "autograd/grad_mode.h"

namespace ag {

variable_list TensorPreHook::operator()(const variable_list& grads) {
  if (slot_ >= grads.size() || !grads[slot_].defined()) return grads;
  Tensor replaced = (*hook_)(grads[slot_]);
  if (!replaced.defined()) return grads;
  variable_list out = grads;
  out[slot_] = std::move(replaced);
  return out;
}

}  // namespace ag

namespace ag::autograd {

AutogradMeta* meta(const Tensor& t) {
  return static_cast<AutogradMeta*>(t.impl()->autograd_meta());
}

AutogradMeta& materialize_meta(const Tensor& t) {
  AutogradMeta* m = meta(t);
  if (!m) {
    auto fresh = std::make_unique<AutogradMeta>();
    m = fresh.get();
    t.impl()->set_autograd_meta(std::move(fresh));
  }
  return *m;
}

void set_requires_grad(const Tensor& t, bool requires_grad) {
  if (!requires_grad && !meta(t)) return;
  AutogradMeta& m = materialize_meta(t);
  AG_CHECK(!m.grad_fn,
           "you can only change requires_grad flags of leaf variables. If you "
           "want to use a computed variable in a subgraph that doesn't require "
           "differentiation use var_no_grad = var.detach().");
  AG_CHECK(!requires_grad || is_floating(t.dtype()),
           "only Tensors of floating point dtype can require gradients (got ",
           dtype_name(t.dtype()), ")");
  m.requires_grad = requires_grad;
}

Tensor grad(const Tensor& t) {
  const AutogradMeta* m = meta(t);
  return m ? m->grad : Tensor();
}

void set_grad(const Tensor& t, const Tensor& g) {
  // Note [Capture and replay]: `p.grad = ...` (zero_grad) is a step.
  if (auto* rec = compile::Recorder::armed()) {
    rec->call("set_grad", {t, g}, [](const TensorList& in) {
      set_grad(in[0], in[1]);
      return TensorList{};
    });
    return;
  }
  if (g.defined()) {
    AG_CHECK(g.dtype() == t.dtype(),
             "assigned grad has data of a different type");
    AG_CHECK(g.sizes() == t.sizes(),
             "assigned grad has data of a different size");
  }
  if (!g.defined() && !meta(t)) return;
  materialize_meta(t).grad = g;
}

std::shared_ptr<Node> grad_accumulator(const Tensor& t) {
  AutogradMeta* m = meta(t);
  if (!m || !m->requires_grad) return nullptr;
  std::lock_guard<std::recursive_mutex> lock(m->mutex);
  if (auto existing = m->grad_accumulator.lock()) return existing;
  auto acc = make_node<AccumulateGrad>(t);
  acc->set_min_epoch(m->leaf_epoch);
  m->grad_accumulator = acc;
  return acc;
}

uint64_t next_transform_epoch() {
  static std::atomic<uint64_t> counter{0};
  return counter.fetch_add(1, std::memory_order_relaxed) + 1;
}

void mark_transform_leaf(const Tensor& t, uint64_t epoch) {
  AutogradMeta& m = materialize_meta(t);
  AG_CHECK(!m.grad_fn, "mark_transform_leaf: expected a leaf");
  std::lock_guard<std::recursive_mutex> lock(m.mutex);
  m.leaf_epoch = epoch;
  if (auto acc = m.grad_accumulator.lock()) acc->set_min_epoch(epoch);
}

uint64_t min_epoch(const Tensor& t) {
  const Edge edge = gradient_edge(t);
  return edge.function ? edge.function->min_epoch() : Node::kNoEpoch;
}

void refresh_view_history(const Tensor& view, AutogradMeta& m) {
  if (view.impl()->version() == m.attr_version) return;
  m.attr_version = view.impl()->version();
  if (!requires_grad(m.base)) return;
  m.grad_fn = engine_ops::view_grad_fn(view, m.base);
  m.output_nr = 0;
}

Edge gradient_edge(const Tensor& t) {
  AutogradMeta* m = current_meta(t);
  if (!m) return {};
  if (m->grad_fn) return {m->grad_fn, m->output_nr};
  if (m->requires_grad) return {grad_accumulator(t), 0};
  return {};
}

edge_list collect_next_edges_list(const TensorList& ts) {
  edge_list edges;
  edges.reserve(ts.size());
  for (const Tensor& t : ts) edges.push_back(gradient_edge(t));
  return edges;
}

void set_history(const Tensor& output, const std::shared_ptr<Node>& fn) {
  AutogradMeta& m = materialize_meta(output);
  m.output_nr = fn->add_input_metadata(output);
  m.grad_fn = fn;
}

void mark_view(const Tensor& view, const Tensor& base) {
  const AutogradMeta* bm = meta(base);
  AutogradMeta& vm = materialize_meta(view);
  vm.is_view = true;
  vm.base = (bm && bm->is_view) ? bm->base : base;
  vm.attr_version = view.impl()->version();
}

bool has_private_buffer(const Tensor& t) {
  if (t.use_count() != 1) return false;
  long expected = t.impl()->storage_refs();
  const AutogradMeta* m = meta(t);
  if (m && m->is_view && m->base.defined()) {
    if (m->base.use_count() != 1) return false;
    if (m->base.impl()->storage() == t.impl()->storage())
      expected += m->base.impl()->storage_refs();
  }
  return t.impl()->storage().use_count() == expected;
}

void detach_(const Tensor& t) {
  AutogradMeta* m = meta(t);
  AG_CHECK(!(m && m->is_view && requires_grad(m->base)),
           "Can't detach views in-place. Use detach() instead.");
  if (m) {
    m->grad_fn = nullptr;
    m->requires_grad = false;
    m->output_nr = 0;
  }
}

Tensor detach(const Tensor& t) {
  return make_view(t, t.sizes(), t.strides(), t.impl()->storage_offset());
}

namespace {
// Stores the gradient flowing into a node's output slot in the .grad of the
// tensor that slot belongs to. Holds the tensor weakly: the tensor owns the
// node, so a strong reference would be a cycle.
class RetainGradHook : public FunctionPreHook {
 public:
  RetainGradHook(const Tensor& t, uint32_t slot)
      : tensor_(t.impl_ptr()), slot_(slot) {}
  variable_list operator()(const variable_list& grads) override {
    auto impl = tensor_.lock();
    if (!impl || slot_ >= grads.size() || !grads[slot_].defined()) return grads;
    const Tensor t(impl);
    AutogradMeta& m = materialize_meta(t);
    if (!m.retains_grad) return grads;
    if (!m.grad.defined()) {
      m.grad = engine_ops::clone(grads[slot_]);
    } else if (GradMode::is_enabled()) {
      m.grad = engine_ops::add(m.grad, grads[slot_]);
    } else {
      engine_ops::add_inplace(m.grad, grads[slot_]);
    }
    return grads;
  }

 private:
  std::weak_ptr<TensorImpl> tensor_;
  uint32_t slot_;
};
}  // namespace

void retain_grad(const Tensor& t) {
  AG_CHECK(requires_grad(t),
           "can't retain_grad on Tensor that has requires_grad=False");
  AutogradMeta& m = materialize_meta(t);
  if (!m.grad_fn || m.retains_grad) return;
  m.retains_grad = true;
  m.grad_fn->add_retains_grad_hook(
      std::make_unique<RetainGradHook>(t, m.output_nr));
}

void add_tensor_hook(const Tensor& t, std::shared_ptr<TensorHook> hook) {
  AG_CHECK(requires_grad(t),
           "cannot register a hook on a tensor that doesn't require gradient");
  AutogradMeta& m = materialize_meta(t);
  if (m.grad_fn) {
    m.grad_fn->add_pre_hook(
        std::make_shared<TensorPreHook>(std::move(hook), m.output_nr));
  } else {
    m.hooks.push_back(std::move(hook));
  }
}

bool remove_tensor_hook(const Tensor& t, const TensorHook* hook) {
  AutogradMeta* m = meta(t);
  if (!m) return false;
  auto& leaf = m->hooks;
  const auto it = std::find_if(leaf.begin(), leaf.end(), [hook](const auto& h) {
    return h.get() == hook;
  });
  if (it != leaf.end()) {
    leaf.erase(it);
    return true;
  }
  if (!m->grad_fn) return false;
  for (const auto& pre : m->grad_fn->pre_hooks()) {
    const auto* tensor_hook = dynamic_cast<const TensorPreHook*>(pre.get());
    if (tensor_hook && tensor_hook->hook() == hook) {
      return m->grad_fn->remove_pre_hook(pre.get());
    }
  }
  return false;
}

Tensor run_leaf_hooks(const Tensor& t, Tensor grad) {
  AutogradMeta* m = meta(t);
  if (!m || m->hooks.empty() || !grad.defined()) return grad;
  const auto hooks = m->hooks;  // a hook may remove itself
  for (const auto& hook : hooks) {
    Tensor replaced = (*hook)(grad);
    if (replaced.defined()) grad = std::move(replaced);
  }
  return grad;
}

Tensor variable_data(const Tensor& t) {
  auto impl = std::make_shared<TensorImpl>(
      t.impl()->storage(), t.sizes(), t.strides(), t.impl()->storage_offset(),
      t.dtype(), std::make_shared<VersionCounter>());
  return Tensor(std::move(impl));
}

void check_inplace(const Tensor& self) {
  if (!GradMode::is_enabled()) return;
  const AutogradMeta* m = meta(self);
  if (!m) return;
  AG_CHECK(!(m->requires_grad && !m->grad_fn),
           "a leaf Variable that requires grad is being used in an in-place "
           "operation. Updating a parameter in place belongs under `with "
           "torch.no_grad():` (e.g. `with torch.no_grad(): w -= lr * "
           "w.grad`), so the update itself is not recorded.");
  if (m->is_view) {
    const AutogradMeta* bm = meta(m->base);
    AG_CHECK(!(bm && bm->requires_grad && !bm->grad_fn),
             "a view of a leaf Variable that requires grad is being used in an "
             "in-place operation.");
  }
}

}  // namespace ag::autograd
