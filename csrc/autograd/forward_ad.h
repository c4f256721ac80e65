#pragma once

// Note [Forward AD]: forward-mode automatic differentiation by dual numbers.
// While a dual level is open (enter_level), a tensor may carry a tangent
// beside its autograd slot (AutogradMeta::fw_grad). Each op whose inputs
// carry tangents gives its output the tangent computed by its Spec's (or
// node's) forward rule, at the op's recording gate (should_record/record<>
// in ops/op_utils.h); an op without a rule raises NotImplementedError there.
// Rules are written with public differentiable ops and run with tangent
// propagation paused (DisableGuard), so they see primals only, while the
// reverse-mode graph is still recorded: reverse-over-forward works.
//
// As in PyTorch, one level exists at a time (its index is 0) and levels are
// process-wide. Tangents die when their level exits: the level remembers
// every tensor given a tangent and clears it, which also breaks the cycles a
// tangent's graph can form with its own primal.

#include <cstdint>

#include "autograd/autograd_meta.h"
#include "core/tensor.h"

namespace ag::forward_ad {

namespace detail {
// Whether a level is open (any thread): the one branch ops pay when off.
bool level_open();
// Whether propagation is paused on this thread (inside a forward rule).
bool paused();
}  // namespace detail

// Whether tangents propagate on this thread now.
inline bool active() {
  return detail::level_open() && !detail::paused();
}

// Opens level 0; RuntimeError when one is open already (nesting).
int64_t enter_level();
// Closes `level`, dropping every tangent set at it.
void exit_level(int64_t level);
// The open level, or -1.
int64_t current_level();

// t's tangent at the open level, or an undefined tensor.
Tensor tangent(const Tensor& t);
// Gives t the tangent at the open level (an undefined one clears it), and
// the aliases registered with add_alias.
void set_tangent(const Tensor& t, const Tensor& tangent);
// Makes `alias` (a saved copy of output t's handle) follow t's tangent.
void add_alias(const Tensor& t, const Tensor& alias);

inline bool is_dual(const Tensor& t) {
  if (!t.defined()) return false;
  const AutogradMeta* m = autograd::meta(t);
  return m && m->fw_grad.defined() && tangent(t).defined();
}

template <typename... Ts>
bool any_dual(const Ts&... ts) {
  return active() && (is_dual(ts) || ...);
}
bool any_dual_list(const TensorList& ts);

// Note [Untracked tangents]: forward rules record reverse-graph nodes, so a
// tangent can be differentiated (reverse over forward). A caller that knows
// no tangent will be differentiated with respect to anything newer than
// transform epoch E (Note [Transform epochs], autograd/node.h) -- func.jvp
// whose inputs and tangents do not require grad: its tangents are then
// returned, never differentiated inside it -- sets E on this thread. Rules
// whose output has its node already and reaches no leaf older than E then
// run without recording,
// which forward over reverse (jvp of grad) spends most of its tangent
// arithmetic on; an output depending on a tensor from before E (one func
// closes over) keeps its tangent's graph. 0: every rule records.
void set_untracked_epoch(uint64_t epoch);
uint64_t untracked_epoch();
namespace detail {
extern thread_local uint64_t t_untracked_epoch;
bool tangent_graph_needed_slow(const Tensor& out);
}  // namespace detail
// Whether out's forward rule must record its reverse graph.
inline bool tangent_graph_needed(const Tensor& out) {
  return detail::t_untracked_epoch == 0 ||
         detail::tangent_graph_needed_slow(out);
}

// Pauses tangent propagation on this thread while a forward rule runs.
class DisableGuard {
 public:
  DisableGuard();
  ~DisableGuard();
  DisableGuard(const DisableGuard&) = delete;
  DisableGuard& operator=(const DisableGuard&) = delete;
};

// "Trying to use forward AD with <op> that does not support it ...", as a
// NotImplementedError; `node_name` is the op's backward node name
// ("CumprodBackward0" names cumprod).
[[noreturn]] void raise_no_rule(const std::string& node_name);

}  // namespace ag::forward_ad
