#pragma once

// The few tensor ops the engine itself needs. Declared here and implemented
// by the ops layer (ops/engine_ops.cpp), so autograd depends on an interface
// rather than on the ops above it. All are differentiable, so accumulation and
// broadcast reduction are recorded when create_graph is set.

#include <memory>

#include "autograd/node.h"
#include "core/tensor.h"

namespace ag::autograd::engine_ops {

Tensor add(const Tensor& a, const Tensor& b);
// Accumulates b into a's memory without recording (a is not shared).
void add_inplace(const Tensor& a, const Tensor& b);
// Sums a broadcast gradient back down to `shape`.
Tensor sum_to(const Tensor& t, const Shape& shape);
Tensor to_dtype(const Tensor& t, DType dtype);
Tensor clone(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor zeros(const Shape& shape, DType dtype);
bool has_nan(const Tensor& t);
// The grad_fn of `view` rebuilt on top of its base's current history.
std::shared_ptr<Node> view_grad_fn(const Tensor& view, const Tensor& base);

}  // namespace ag::autograd::engine_ops
