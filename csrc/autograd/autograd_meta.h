#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "autograd/node.h"
#include "core/tensor.h"

namespace ag {

// A hook on a tensor's gradient (Tensor.register_hook): may return a
// replacement gradient, or an undefined tensor to keep it.
class TensorHook {
 public:
  virtual ~TensorHook() = default;
  virtual Tensor operator()(const Tensor& grad) = 0;
};

// Called with a leaf after its .grad has been updated
// (Tensor.register_post_accumulate_grad_hook).
class PostAccumulateGradHook {
 public:
  virtual ~PostAccumulateGradHook() = default;
  virtual void operator()(const Tensor& leaf) = 0;
};

// Applies a TensorHook to slot `slot` of a node's incoming gradients: how
// hooks on non-leaf tensors attach to their grad_fn.
class TensorPreHook : public FunctionPreHook {
 public:
  TensorPreHook(std::shared_ptr<TensorHook> hook, uint32_t slot)
      : hook_(std::move(hook)), slot_(slot) {}
  variable_list operator()(const variable_list& grads) override;
  const TensorHook* hook() const { return hook_.get(); }

 private:
  std::shared_ptr<TensorHook> hook_;
  uint32_t slot_;
};

// Per-tensor autograd state, created on first need: plain tensors carry none.
struct AutogradMeta : public AutogradMetaInterface, detail::PoolAllocated {
  Tensor grad;
  std::shared_ptr<Node> grad_fn;
  // Leaves only: created on demand, owned by the graph, not by the tensor.
  std::weak_ptr<Node> grad_accumulator;
  uint32_t output_nr = 0;
  // Leaves only: hooks on the incoming gradient, and after accumulation.
  std::vector<std::shared_ptr<TensorHook>> hooks;
  std::vector<std::shared_ptr<PostAccumulateGradHook>> post_accumulate_hooks;
  // The tangent at the open dual level (Note [Forward AD], forward_ad.h),
  // valid while fw_generation is that level's.
  Tensor fw_grad;
  uint64_t fw_generation = 0;
  // Aliases a backward node saved of this output (Note [Saved outputs]):
  // they take its tangent too, so backward formulas see it (forward over
  // reverse). Only filled while a level is open.
  std::vector<std::weak_ptr<TensorImpl>> fw_aliases;
  // Leaves only: the func transform level that owns this leaf (Note
  // [Transform epochs] in node.h); 0 for every other leaf.
  uint64_t leaf_epoch = 0;
  bool requires_grad = false;  // the leaf flag; non-leaves use grad_fn
  bool retains_grad = false;
  // Views of a tensor that takes part in autograd remember their base, so an
  // in-place write through the view can rewrite the base's history.
  // Version at which a view's grad_fn was last set: after an in-place write
  // through the base or another view, the grad_fn is rebuilt on next use.
  bool is_view = false;
  uint32_t attr_version = 0;
  Tensor base;
  // Leaves only: several threads may build graphs on one leaf and run
  // backward at once; this guards creating its accumulator and adding into
  // its .grad. Recursive: with create_graph, adding into .grad records ops
  // whose inputs may be this very leaf.
  std::recursive_mutex mutex;
};

namespace autograd {

AutogradMeta* meta(const Tensor& t);              // may be null
AutogradMeta& materialize_meta(const Tensor& t);  // creates if missing

// Rebuilds a view's grad_fn if the data it aliases was written in place
// since it was set (see AutogradMeta::attr_version).
void refresh_view_history(const Tensor& view, AutogradMeta& m);

inline AutogradMeta* current_meta(const Tensor& t) {
  AutogradMeta* m = t.defined() ? meta(t) : nullptr;
  if (m && m->is_view) refresh_view_history(t, *m);
  return m;
}

inline bool requires_grad(const Tensor& t) {
  const AutogradMeta* m = current_meta(t);
  return m && (m->requires_grad || m->grad_fn);
}
inline bool is_leaf(const Tensor& t) {
  const AutogradMeta* m = current_meta(t);
  return !m || !m->grad_fn;
}
inline std::shared_ptr<Node> grad_fn(const Tensor& t) {
  const AutogradMeta* m = current_meta(t);
  return m ? m->grad_fn : nullptr;
}
inline uint32_t output_nr(const Tensor& t) {
  const AutogradMeta* m = meta(t);
  return m ? m->output_nr : 0;
}

// Whether no tensor but `t` can see t's memory (a view's base counts only
// when the view alone keeps it): such a gradient may become .grad as it is,
// or take further gradients summed into it in place.
bool has_private_buffer(const Tensor& t);

// Marks a leaf as requiring grad (float dtypes only; leaves only).
void set_requires_grad(const Tensor& t, bool requires_grad);

Tensor grad(const Tensor& t);
void set_grad(const Tensor& t, const Tensor& grad);

// The AccumulateGrad node of a leaf that requires grad (created on demand).
std::shared_ptr<Node> grad_accumulator(const Tensor& t);

// Where the gradient of t flows: its grad_fn, its accumulator, or nowhere.
Edge gradient_edge(const Tensor& t);

// Note [Transform epochs] (node.h): a fresh epoch, larger than all before;
// marking a leaf as a transform level's own; the smallest leaf epoch t's
// graph reaches (Node::kNoEpoch when t does not require grad).
uint64_t next_transform_epoch();
void mark_transform_leaf(const Tensor& t, uint64_t epoch);
uint64_t min_epoch(const Tensor& t);

template <typename... Ts>
bool any_requires_grad(const Ts&... ts) {
  return (requires_grad(ts) || ...);
}

template <typename... Ts>
edge_list collect_next_edges(const Ts&... ts) {
  edge_list edges;
  edges.reserve(sizeof...(Ts));
  (edges.push_back(gradient_edge(ts)), ...);
  return edges;
}
edge_list collect_next_edges_list(const TensorList& ts);

// Makes `fn` the grad_fn of `output` (as fn's next output slot).
void set_history(const Tensor& output, const std::shared_ptr<Node>& fn);

// Records in `view` that it aliases `base` (for in-place ops on views).
void mark_view(const Tensor& view, const Tensor& base);

// A tensor sharing data (and version counter) with t, cut from the graph.
Tensor detach(const Tensor& t);
// t.detach_(): t itself leaves the graph (no grad_fn, no longer requiring
// grad). Views of a base that requires grad refuse, as in PyTorch.
void detach_(const Tensor& t);
// Tensor.data: shares data but not the version counter, so writes through
// it are invisible to autograd (PyTorch's documented escape hatch).
Tensor variable_data(const Tensor& t);

// Tensor.register_hook: on a leaf the hook runs before accumulation; on a
// non-leaf it becomes a pre-hook of its grad_fn. remove_tensor_hook undoes it.
void add_tensor_hook(const Tensor& t, std::shared_ptr<TensorHook> hook);
bool remove_tensor_hook(const Tensor& t, const TensorHook* hook);
// Runs t's leaf hooks on a gradient (each may replace it).
Tensor run_leaf_hooks(const Tensor& t, Tensor grad);

// Makes a non-leaf keep its gradient in .grad after backward (a no-op on
// leaves, which always do).
void retain_grad(const Tensor& t);

// Errors for in-place ops on leaves (or views of leaves) that require grad
// while grad mode is on.
void check_inplace(const Tensor& self);

}  // namespace autograd
}  // namespace ag
