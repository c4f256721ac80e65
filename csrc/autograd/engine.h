#pragma once

#include <functional>

#include "autograd/node.h"
#include "core/tensor.h"

namespace ag::autograd {

// Tensor.backward / autograd.backward: gradients of `roots` (weighted by
// `grad_roots`, undefined meaning ones for one-element roots) accumulate into
// the .grad of the leaves, or only of `inputs` when given.
void backward(const TensorList& roots, const TensorList& grad_roots,
              bool keep_graph, bool create_graph,
              const TensorList& inputs = {});

// Which nodes gradients may flow through (GradientTape's recording window).
using NodeFilter = std::function<bool(const Node&)>;

// autograd.grad: gradients of `outputs` with respect to `inputs`, returned
// rather than accumulated. Unreachable inputs give undefined tensors when
// allow_unused, an error otherwise. With `allowed`, nodes it rejects are
// treated as cut.
TensorList grad(const TensorList& outputs, const TensorList& inputs,
                const TensorList& grad_outputs, bool keep_graph,
                bool create_graph, bool allow_unused,
                const NodeFilter& allowed = nullptr);

}  // namespace ag::autograd
