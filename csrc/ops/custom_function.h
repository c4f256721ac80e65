#pragma once

// Support for autograd.Function (custom_function.cpp): a node whose
// backward is user code becomes the history of the function's outputs.

#include <memory>
#include <vector>

#include "autograd/node.h"
#include "core/tensor.h"

namespace ag::ops {

// Makes `node` the history of `outputs`. An output marked non-differentiable
// (or not floating point) gets a gradient slot on the node but no history;
// an output marked dirty (modified in place by forward) takes the node as an
// in-place op's result does (through its base when it is a view).
void set_custom_function_history(const std::shared_ptr<Node>& node,
                                 TensorList& outputs,
                                 const std::vector<bool>& non_differentiable,
                                 const std::vector<bool>& dirty);

}  // namespace ag::ops
