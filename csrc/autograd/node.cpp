#include "autograd/node.h"

#include "autograd/anomaly_mode.h"

#include <algorithm>
#include <atomic>

namespace ag {

SavedSlot::SavedSlot(Node* owner, const char* name) : name_(name) {
  if (name == nullptr) return;
  *owner->saved_tail_ = this;
  owner->saved_tail_ = &next_;
}

void Node::release_variables() {
  for (SavedSlot* s = saved_slots_; s != nullptr; s = s->next_) s->release();
}

void Node::visit_saved(SavedVisitor& visitor) const {
  for (const SavedSlot* s = saved_slots_; s != nullptr; s = s->next_) {
    s->visit(visitor);
  }
}

namespace {
// Later nodes run first in backward; thread-local so threads do not contend.
thread_local uint64_t next_sequence_nr = 0;
std::atomic<int64_t> live_nodes{0};
}  // namespace

Node::Node(edge_list&& next_edges)
    : next_edges_(std::move(next_edges)),
      sequence_nr_(next_sequence_nr++),
      min_epoch_(edges_min_epoch(next_edges_)) {
  live_nodes.fetch_add(1, std::memory_order_relaxed);
  if (AnomalyMode::is_enabled()) creation_trace_ = AnomalyMode::capture_trace();
}

Node::~Node() {
  live_nodes.fetch_sub(1, std::memory_order_relaxed);
}

uint64_t Node::edges_min_epoch(const edge_list& edges) {
  uint64_t epoch = kNoEpoch;
  for (const Edge& e : edges) {
    if (e.function) epoch = std::min(epoch, e.function->min_epoch_);
  }
  return epoch;
}

int64_t Node::live_count() {
  return live_nodes.load(std::memory_order_relaxed);
}

uint32_t Node::add_input_metadata(const Tensor& output) {
  input_metadata_.push_back({output.sizes(), output.dtype()});
  return static_cast<uint32_t>(input_metadata_.size() - 1);
}

variable_list Node::run_pre_hooks(variable_list&& grads) {
  // Copies of the hook lists: a hook may remove itself while running.
  if (!pre_hooks_.empty()) {
    const auto hooks = pre_hooks_;
    for (const auto& hook : hooks) grads = (*hook)(grads);
  }
  for (const auto& hook : retains_grad_hooks_) grads = (*hook)(grads);
  return std::move(grads);
}

variable_list Node::run(variable_list&& grads) {
  if (post_hooks_.empty()) return apply(std::move(grads));
  variable_list inputs = grads;
  variable_list outputs = apply(std::move(grads));
  const auto hooks = post_hooks_;
  for (const auto& hook : hooks) outputs = (*hook)(outputs, inputs);
  return outputs;
}

namespace {
template <typename T>
bool erase_hook(std::vector<std::shared_ptr<T>>& hooks, const T* hook) {
  const auto it = std::find_if(
      hooks.begin(), hooks.end(),
      [hook](const std::shared_ptr<T>& h) { return h.get() == hook; });
  if (it == hooks.end()) return false;
  hooks.erase(it);
  return true;
}
}  // namespace

bool Node::remove_pre_hook(const FunctionPreHook* hook) {
  return erase_hook(pre_hooks_, hook);
}
bool Node::remove_post_hook(const FunctionPostHook* hook) {
  return erase_hook(post_hooks_, hook);
}

namespace detail {

// The queue lives on the stack of the outermost deletion; nested deletions
// on the same thread only append to it. (A thread_local vector would be
// destroyed at thread exit while nodes may still be released.)
void NodeDeleter::operator()(Node* node) const {
  thread_local std::vector<std::unique_ptr<Node>>* pending = nullptr;
  std::unique_ptr<Node> owned(node);
  if (pending) {
    pending->push_back(std::move(owned));
    return;
  }
  std::vector<std::unique_ptr<Node>> queue;
  pending = &queue;
  owned.reset();  // may queue more nodes; they are handled below
  while (!queue.empty()) {
    std::unique_ptr<Node> next = std::move(queue.back());
    queue.pop_back();
    next.reset();
  }
  pending = nullptr;
}

}  // namespace detail

}  // namespace ag
