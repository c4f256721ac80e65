#pragma once

#include <memory>
#include <string>

#include "autograd/node.h"
#include "core/tensor.h"

namespace ag {

// Note [Saved outputs]: a node that saves its own output must not own it
// through the output's grad_fn (output -> node -> output is a cycle). Such a
// tensor is saved as a plain alias of its data plus a weak link to the node,
// and unpack() rebuilds a tensor with that history.
//
// A saved tensor remembers its version; unpack() raises if an in-place op
// changed it since, and after release() it raises the "backward through the
// graph a second time" error.
// Pack/unpack hooks on saved tensors (autograd.graph.saved_tensors_hooks):
// pack runs when a tensor is saved and may store it elsewhere (on disk,
// compressed); unpack must give the tensor back when backward needs it.
class SavedVariableHooks {
 public:
  virtual ~SavedVariableHooks() = default;
  virtual void pack(const Tensor& t) = 0;
  virtual Tensor unpack() = 0;
};

// The hooks in force on this thread, if any (installed by the bindings).
using SavedHooksFactory = std::unique_ptr<SavedVariableHooks> (*)();
void set_saved_hooks_factory(SavedHooksFactory factory);

class SavedVariable {
 public:
  SavedVariable() = default;
  SavedVariable(const Tensor& t, bool is_output);

  bool defined() const { return was_defined_; }
  // `owner` is the node this variable is saved in (needed for outputs).
  Tensor unpack(const std::shared_ptr<Node>& owner = nullptr) const;
  void release();

 private:
  Tensor unpack_with_hooks(const std::shared_ptr<Node>& owner) const;

  Tensor data_;
  std::shared_ptr<SavedVariableHooks> hooks_;
  std::shared_ptr<Node> hooked_grad_fn_;  // with hooks: a non-leaf input's
  uint32_t saved_version_ = 0;
  uint32_t output_nr_ = 0;
  bool was_defined_ = false;
  bool is_output_ = false;
  bool requires_grad_ = false;
  bool released_ = false;
};

// The message PyTorch users know for a second backward through freed nodes.
extern const char* const kBackwardTwiceMessage;
// The same error raised by the engine, naming the freed node and the usual
// cause before the retain_graph remedy.
std::string backward_twice_message(const std::string& node_name);

}  // namespace ag
