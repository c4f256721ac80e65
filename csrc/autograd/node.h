#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/small_alloc.h"
#include "core/tensor.h"

namespace ag {

class Node;
class SavedVariable;
using variable_list = std::vector<Tensor>;

// Where a gradient goes: input `input_nr` of `function`. An edge without a
// function means "this input needs no gradient".
struct Edge {
  Edge() = default;
  Edge(std::shared_ptr<Node> fn, uint32_t nr)
      : function(std::move(fn)), input_nr(nr) {}
  bool is_valid() const { return function != nullptr; }

  std::shared_ptr<Node> function;
  uint32_t input_nr = 0;
};
using edge_list = std::vector<Edge, detail::PoolAllocator<Edge>>;

// Shape and dtype of one forward output, which its gradient must match.
struct InputMetadata {
  Shape shape;
  DType dtype;
};

// A hook on the gradients flowing into a node; it may replace them.
class FunctionPreHook {
 public:
  virtual ~FunctionPreHook() = default;
  virtual variable_list operator()(const variable_list& grads) = 0;
};

// A hook that sees a node's outputs (gradients of its forward inputs) and
// inputs after apply; it may replace the outputs.
class FunctionPostHook {
 public:
  virtual ~FunctionPostHook() = default;
  virtual variable_list operator()(const variable_list& outputs,
                                   const variable_list& inputs) = 0;
};

// One value a node keeps for its backward, as Python's `_saved_<name>` shows.
struct SavedField {
  enum class Kind { None, Tensor, Scalar, Ints, Int, Bool };
  Kind kind = Kind::None;
  ag::Tensor tensor;
  ag::Scalar scalar;
  std::vector<int64_t> ints;
};

// Receives each saved value of a node in turn (see Node::visit_saved).
class SavedVisitor {
 public:
  virtual ~SavedVisitor() = default;
  virtual void visit(const char* name, const SavedVariable& value) = 0;
  virtual void visit(const char* name, const SavedField& value) = 0;
  // Tensors saved from a list argument (Python sees a tuple).
  virtual void visit(const char* name,
                     const std::vector<SavedVariable>& values) = 0;
};

// One value a node saves for its backward, declared once as a member of the
// node (Note [Saved slots], autograd/saved.h). Constructing it links it into
// the node's list of slots.
class SavedSlot {
 public:
  // A null name leaves the slot out of the node's list (a Spec that does not
  // save this value).
  SavedSlot(Node* owner, const char* name);
  SavedSlot(const SavedSlot&) = delete;
  SavedSlot& operator=(const SavedSlot&) = delete;

  const char* name() const { return name_; }
  // Drops what the slot holds once backward no longer needs it.
  virtual void release() {}
  virtual void visit(SavedVisitor& visitor) const = 0;

 protected:
  ~SavedSlot() = default;

 private:
  friend class Node;
  const char* name_;
  SavedSlot* next_ = nullptr;
};

// A backward function (Python's grad_fn). `apply` maps the gradients of the
// forward outputs to the gradients of the forward inputs, in edge order.
class Node : public std::enable_shared_from_this<Node>,
             public detail::PoolAllocated {
 public:
  explicit Node(edge_list&& next_edges = edge_list());
  virtual ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  virtual variable_list apply(variable_list&& grads) = 0;
  // The name PyTorch prints, e.g. "MulBackward0".
  virtual std::string name() const = 0;
  // Whether the engine should turn a missing incoming gradient into zeros
  // before apply (most nodes); others receive undefined tensors.
  virtual bool wants_zero_filled_grads() const { return true; }
  // Drops saved tensors once backward no longer needs them: by default,
  // every saved slot's.
  virtual void release_variables();
  // Lists saved values for inspection (Python's `_saved_*` attributes): by
  // default, every saved slot.
  virtual void visit_saved(SavedVisitor& visitor) const;

  // The engine runs a node in two steps: pre-hooks (which may replace the
  // incoming gradients, and whose result autograd.grad captures), then
  // apply followed by the post-hooks. call() does both.
  virtual variable_list run_pre_hooks(variable_list&& grads);
  variable_list run(variable_list&& grads);
  variable_list call(variable_list&& grads) {
    return run(run_pre_hooks(std::move(grads)));
  }

  const edge_list& next_edges() const { return next_edges_; }
  const Edge& next_edge(size_t i) const { return next_edges_[i]; }
  size_t num_outputs() const { return next_edges_.size(); }
  void set_next_edges(edge_list&& edges) {
    next_edges_ = std::move(edges);
    min_epoch_ = edges_min_epoch(next_edges_);
  }
  void add_next_edge(Edge edge) {
    if (edge.function) {
      min_epoch_ = std::min(min_epoch_, edge.function->min_epoch_);
    }
    next_edges_.push_back(std::move(edge));
  }
  // Note [Transform epochs]: each leaf carries an epoch (0 unless a func
  // transform marked it as its own), and each node the smallest epoch of the
  // leaves its graph reaches, kept up as edges are set. A transform call that
  // marks its leaves with a fresh, larger epoch E then knows in O(1) whether
  // an output depends on anything older than itself (min_epoch() < E),
  // without walking the graph. No leaf reachable: kNoEpoch.
  static constexpr uint64_t kNoEpoch = ~uint64_t{0};
  uint64_t min_epoch() const { return min_epoch_; }
  void set_min_epoch(uint64_t epoch) { min_epoch_ = epoch; }
  // Whether the gradient of forward input i is wanted.
  bool should_compute_output(size_t i) const {
    return i < next_edges_.size() && next_edges_[i].is_valid();
  }

  uint32_t add_input_metadata(const Tensor& output);
  void add_input_metadata(InputMetadata meta) {
    input_metadata_.push_back(std::move(meta));
  }
  size_t num_inputs() const { return input_metadata_.size(); }
  const InputMetadata& input_metadata(size_t i) const {
    return input_metadata_[i];
  }

  uint64_t sequence_nr() const { return sequence_nr_; }
  // Where this node was created (recorded only in anomaly mode).
  const std::string& creation_trace() const { return creation_trace_; }
  // Nodes alive in the process: lets tests prove graphs are freed.
  static int64_t live_count();
  void set_sequence_nr(uint64_t nr) { sequence_nr_ = nr; }

  void add_pre_hook(std::shared_ptr<FunctionPreHook> hook) {
    pre_hooks_.push_back(std::move(hook));
  }
  // retain_grad's hooks run after every other pre-hook, so .grad sees the
  // gradient the other hooks produced (PyTorch's order).
  void add_retains_grad_hook(std::unique_ptr<FunctionPreHook> hook) {
    retains_grad_hooks_.push_back(std::move(hook));
  }
  void add_post_hook(std::shared_ptr<FunctionPostHook> hook) {
    post_hooks_.push_back(std::move(hook));
  }
  bool remove_pre_hook(const FunctionPreHook* hook);
  bool remove_post_hook(const FunctionPostHook* hook);
  const std::vector<std::shared_ptr<FunctionPreHook>>& pre_hooks() const {
    return pre_hooks_;
  }
  const std::vector<std::shared_ptr<FunctionPostHook>>& post_hooks() const {
    return post_hooks_;
  }

 protected:
  edge_list next_edges_;
  std::vector<InputMetadata, detail::PoolAllocator<InputMetadata>>
      input_metadata_;
  std::vector<std::shared_ptr<FunctionPreHook>> pre_hooks_;
  std::vector<std::unique_ptr<FunctionPreHook>> retains_grad_hooks_;
  std::vector<std::shared_ptr<FunctionPostHook>> post_hooks_;
  std::string creation_trace_;
  uint64_t sequence_nr_;
  uint64_t min_epoch_ = kNoEpoch;

 private:
  static uint64_t edges_min_epoch(const edge_list& edges);
  friend class SavedSlot;
  SavedSlot* saved_slots_ = nullptr;
  SavedSlot** saved_tail_ = &saved_slots_;
};

namespace detail {
// Note [Iterative graph teardown]: dropping the last reference to a long
// chain of nodes would recurse once per node (node -> edge -> node ...) and
// overflow the stack. Every node is owned through this deleter, which queues
// nodes and destroys them in a loop on the outermost call instead.
struct NodeDeleter {
  void operator()(Node* node) const;
};
}  // namespace detail

namespace detail {
// GradientTape's recorders (autograd/recorder.h) hear of every new node.
bool any_recorder_active();
void notify_node_created(const std::shared_ptr<Node>& node);
}  // namespace detail

template <typename T, typename... Args>
std::shared_ptr<T> make_node(Args&&... args) {
  auto owned = std::make_unique<T>(std::forward<Args>(args)...);
  std::shared_ptr<T> node(owned.release(), detail::NodeDeleter{},
                          detail::PoolAllocator<T>());
  if (detail::any_recorder_active()) detail::notify_node_created(node);
  return node;
}

}  // namespace ag
