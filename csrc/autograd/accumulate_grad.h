#pragma once

#include "autograd/node.h"

namespace ag {

struct AutogradMeta;

// The sink of a leaf's gradient: adds it into the leaf's .grad.
class AccumulateGrad : public Node {
 public:
  explicit AccumulateGrad(Tensor variable);

  variable_list apply(variable_list&& grads) override;
  // The leaf's own hooks (Tensor.register_hook) run as this node's pre-hooks,
  // so autograd.grad sees their result too.
  variable_list run_pre_hooks(variable_list&& grads) override;
  std::string name() const override {
    return "torch::autograd::AccumulateGrad";
  }
  const Tensor& variable() const { return variable_; }

 private:
  // Adds `incoming` into m.grad; the caller holds m.mutex.
  void accumulate(AutogradMeta& m, Tensor&& incoming);

  Tensor variable_;
};

}  // namespace ag
