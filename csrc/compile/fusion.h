#pragma once

// Note [Elementwise fusion]: after a capture, runs of consecutive
// elementwise steps over one shape and floating dtype (unary math, add, sub,
// mul, div with same-shape tensors or Python numbers) become one step that
// runs them as a kernels::FusedProgram: one pass over memory in blocks, the
// intermediates in block-sized scratch rows that live as long as the
// program (so a replay allocates only what escapes the group).
//
// Two shapes of group are fused:
// - forward only: no value of the group requires grad (grad mode off, or
//   no input requires grad). Values read after the group or returned are
//   written to fresh tensors; the others are never materialised.
// - forward and backward: the group is followed by a full `sum` of one of
//   its values and a `loss.backward()` of that sum (no retain_graph, no
//   create_graph), and nothing else reads the group's values. The fused
//   program also runs the derivative formulas of the group's ops in
//   reverse, seeded with the sum's gradient of ones, and the gradients of
//   the leaves it reads are accumulated into their .grad as the engine's
//   AccumulateGrad does. The returned loss carries a grad_fn of the sum's
//   name whose graph is spent, as eager's is after backward().
//
// The formulas are the eager kernels' and backward nodes', evaluated in the
// engine's order, so results match eager closely (reduction order aside,
// the same arithmetic). A group checks at replay what it assumed at capture
// (shapes, contiguity, leaves without hooks, no forward-mode tangents, no
// anomaly mode) and otherwise runs the original steps.

#include <vector>

#include "compile/capture.h"

namespace ag::compile {

// Rewrites p's steps in place; slot_tensor holds each slot's tensor as the
// capture saw it.
void fuse_elementwise(Program& p, const std::vector<Tensor>& slot_tensor);

}  // namespace ag::compile
