#include "ops/custom_function.h"

#include "ops/op_utils.h"

namespace ag::ops {

void set_custom_function_history(const std::shared_ptr<Node>& node,
                                 TensorList& outputs,
                                 const std::vector<bool>& non_differentiable,
                                 const std::vector<bool>& dirty) {
  AG_CHECK(non_differentiable.size() == outputs.size() &&
               dirty.size() == outputs.size(),
           "set_custom_function_history: one flag per output expected");
  for (size_t i = 0; i < outputs.size(); ++i) {
    Tensor& t = outputs[i];
    if (non_differentiable[i] || !is_floating(t.dtype())) {
      node->add_input_metadata(t);  // a gradient slot, but no history
    } else if (dirty[i]) {
      autograd::check_inplace(t);
      rebase_history(t, node);
    } else {
      autograd::set_history(t, node);
    }
  }
}

}  // namespace ag::ops
