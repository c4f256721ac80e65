#include "autograd/node.h"

#include <atomic>

namespace ag {

namespace {
// Later nodes run first in backward; thread-local so threads do not contend.
thread_local uint64_t next_sequence_nr = 0;
std::atomic<int64_t> live_nodes{0};
}  // namespace

Node::Node(edge_list&& next_edges)
    : next_edges_(std::move(next_edges)), sequence_nr_(next_sequence_nr++) {
  live_nodes.fetch_add(1, std::memory_order_relaxed);
}

Node::~Node() {
  live_nodes.fetch_sub(1, std::memory_order_relaxed);
}

int64_t Node::live_count() {
  return live_nodes.load(std::memory_order_relaxed);
}

uint32_t Node::add_input_metadata(const Tensor& output) {
  input_metadata_.push_back({output.sizes(), output.dtype()});
  return static_cast<uint32_t>(input_metadata_.size() - 1);
}

variable_list Node::call(variable_list&& grads) {
  for (auto& hook : pre_hooks_) grads = (*hook)(grads);
  if (post_hooks_.empty()) return apply(std::move(grads));
  variable_list inputs = grads;
  variable_list outputs = apply(std::move(grads));
  for (auto& hook : post_hooks_) outputs = (*hook)(outputs, inputs);
  return outputs;
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
