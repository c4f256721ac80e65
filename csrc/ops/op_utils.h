#pragma once

// Shared plumbing of the op files: dtype casts without recording, output
// allocation, and the record-a-node pattern every differentiable op follows.

#include <algorithm>
#include <functional>
#include <memory>
#include <vector>

#include "autograd/autograd_meta.h"
#include "autograd/forward_ad.h"
#include "autograd/grad_mode.h"
#include "autograd/node.h"
#include "autograd/saved.h"
#include "autograd/saved_variable.h"
#include "core/dispatch.h"
#include "kernels/kernels.h"
#include "ops/ops.h"

namespace ag::ops {

// t in `dtype`, copying only when it differs (no graph recorded).
Tensor cast_data(const Tensor& t, DType dtype);
// A contiguous copy of t's values, outside the graph.
Tensor clone_data(const Tensor& t);
// t itself when contiguous, else clone_data(t).
inline Tensor contiguous_data(const Tensor& t) {
  return t.is_contiguous() ? t : clone_data(t);
}
// A fresh contiguous result seen with another shape, recorded as PyTorch's
// _unsafe_view (UnsafeViewBackward0; linalg.cpp).
Tensor unsafe_view(const Tensor& self, const Shape& sizes);
// t's values as doubles, in row-major order.
std::vector<double> values_of(const Tensor& t);
// grad * f'(x) for f = op in one fused kernel pass (kernels::unary_backward;
// for Tanh and Sigmoid, x is the forward's result), or undefined when the
// backward itself is being differentiated (create_graph) and must be
// composed of differentiable ops.
Tensor fused_backward(kernels::UnaryOp op, const Tensor& grad, const Tensor& x);

// Note [Forward AD gate]: should_record<T> (and record<T>, built on it) is
// the gate every differentiable op passes with its differentiable inputs,
// naming its backward node T. There, an input carrying a tangent (Note
// [Forward AD], autograd/forward_ad.h) is refused with NotImplementedError
// unless T declares that the op computes its output's tangent:
//
//   static constexpr bool kForwardRule = true;
//
// (UnaryBackward/BinaryBackward declare it when their Spec has `jvp`). An op
// that declares it computes the tangent right after the kernel, with
// set_tangent below. The error names the op: T's static kNodeName when it
// has one, else the name of a T built without edges.
template <typename T, typename = void>
struct has_forward_rule : std::false_type {};
template <typename T>
struct has_forward_rule<T, std::void_t<decltype(T::kForwardRule)>>
    : std::bool_constant<T::kForwardRule> {};

template <typename T, typename = void>
struct has_static_node_name : std::false_type {};
template <typename T>
struct has_static_node_name<T, std::void_t<decltype(T::kNodeName)>>
    : std::true_type {};

template <typename T>
[[noreturn]] void raise_no_forward_rule() {
  if constexpr (has_static_node_name<T>::value) {
    forward_ad::raise_no_rule(T::kNodeName);
  } else {
    forward_ad::raise_no_rule(std::make_unique<T>(edge_list())->name());
  }
}

// Whether an op on these inputs should record node T.
template <typename T, typename... Ts>
bool should_record(const Ts&... inputs) {
  if constexpr (!has_forward_rule<T>::value) {
    if (forward_ad::any_dual(inputs...)) raise_no_forward_rule<T>();
  }
  return GradMode::is_enabled() && autograd::any_requires_grad(inputs...);
}
// The same, for a node T whose name is only known at the call.
template <typename T, typename... Ts>
bool should_record_as(const char* node_name, const Ts&... inputs) {
  if constexpr (!has_forward_rule<T>::value) {
    if (forward_ad::any_dual(inputs...)) forward_ad::raise_no_rule(node_name);
  }
  return GradMode::is_enabled() && autograd::any_requires_grad(inputs...);
}
template <typename T>
bool should_record_list(const TensorList& inputs) {
  if constexpr (!has_forward_rule<T>::value) {
    if (forward_ad::any_dual_list(inputs)) raise_no_forward_rule<T>();
  }
  return GradMode::is_enabled() &&
         std::any_of(inputs.begin(), inputs.end(), autograd::requires_grad);
}

// Creates node T wired to the inputs' gradient edges, or null when no node
// is needed.
template <typename T, typename... Ts>
std::shared_ptr<T> record(const Ts&... inputs) {
  if (!should_record<T>(inputs...)) return nullptr;
  return make_node<T>(autograd::collect_next_edges(inputs...));
}

// Forward rules (Note [Forward AD]): `rule` computes out's tangent from the
// inputs' tangents, with propagation paused so it sees primals only. A
// tangent computed from a broadcast input is expanded to out's shape.
template <typename F>
void set_tangent(const Tensor& out, F&& rule) {
  Tensor t;
  {
    forward_ad::DisableGuard paused;
    // Note [Untracked tangents]: recorded only where it may be needed.
    AutoGradMode record(GradMode::is_enabled() &&
                        forward_ad::tangent_graph_needed(out));
    t = rule();
    if (t.defined() && t.sizes() != out.sizes()) {
      t = expand(t, out.sizes());
    } else if (t.defined() && t.impl_ptr().use_count() > 1) {
      // An input's tangent passed through unchanged: out gets its own, so an
      // in-place write into out's tangent (write_tangent) cannot reach the
      // input's.
      t = clone(t);
    }
  }
  forward_ad::set_tangent(out, t);
}
// Gives self (written in place) `tangent`. When self is a view, the tangent
// is written into its base's (one laid out as the base is made where it has
// none), so the base and its other views see the write, as in PyTorch.
void write_tangent(const Tensor& self, const Tensor& tangent);
// Note [Linear forward rules]: an op linear in `self` has as tangent the
// same op applied to self's tangent.
template <typename F>
void linear_tangent(const Tensor& out, const Tensor& self, F&& same_op) {
  if (forward_ad::any_dual(self)) {
    set_tangent(out, [&] { return same_op(forward_ad::tangent(self)); });
  }
}
// t's tangent, or zeros shaped like t where it has none.
Tensor tangent_or_zeros(const Tensor& t);
// a + b where either may be undefined (the tangent of an input without one).
Tensor add_tangents(const Tensor& a, const Tensor& b);

// The shape of an integer-list argument for _saved_* inspection.
inline SavedField ints_field(const Shape& shape) {
  SavedField f;
  f.kind = SavedField::Kind::Ints;
  f.ints = shape.vec();
  return f;
}
inline SavedField ints_field(const std::vector<int64_t>& v) {
  SavedField f;
  f.kind = SavedField::Kind::Ints;
  f.ints = v;
  return f;
}
inline SavedField int_field(int64_t v) {
  SavedField f;
  f.kind = SavedField::Kind::Int;
  f.scalar = Scalar(v);
  return f;
}
inline SavedField bool_field(bool v) {
  SavedField f;
  f.kind = SavedField::Kind::Bool;
  f.scalar = Scalar(v);
  return f;
}
inline SavedField scalar_field(const Scalar& v) {
  SavedField f;
  f.kind = SavedField::Kind::Scalar;
  f.scalar = v;
  return f;
}

// Rejects writes into tensors whose elements overlap (expanded views).
void check_no_internal_overlap(const Tensor& self);

// Refuses a fill value that `dtype` cannot hold (PyTorch's checked scalar
// conversion): out of range, or NaN or infinite for an integer dtype. An
// infinity fills a floating tensor; any value fills a bool one.
void check_fill_value_fits(const Scalar& value, DType dtype);

// After an in-place op computed into `self`, makes `fn` self's history.
// Handles views: the base's history is rewritten (CopySlices).
void rebase_history(Tensor& self, const std::shared_ptr<Node>& fn);

// Checks that the result dtype of an in-place op can be stored in self
// (PyTorch's text, which names no op; self's dtype named by `self_name`, the
// legacy name unless the op's PyTorch check prints another).
void check_inplace_dtype(const Tensor& self, DType result,
                         const char* (*self_name)(DType) = dtype_legacy_name);

// Note [In place through the out-of-place op]: runs `op` on self's value and
// writes the result back into self. When a node is recorded, `op` sees a copy
// of self (a differentiable clone if self requires grad), so the tensors its
// node saves are not changed by the write. Self then takes over the result's
// node as its history; a view instead records the write as copy_(self,
// result) into its base (CopySlices), because a node that saved its output
// would otherwise be reachable both inside CopySlices and through that saved
// output, and run (and be freed) twice in a double backward. Costs one extra
// buffer over a fused kernel. `others` are the op's other tensor inputs.
Tensor& apply_inplace(Tensor& self, const char* name, const TensorList& others,
                      const std::function<Tensor(const Tensor&)>& op);

// Note [Op specs]: an op of a declared family (Note [Op declarations],
// decl/README.md) takes its kernel, C++ declaration, forward and binding
// from its line in the family's list. What the line cannot say is in its
// Spec, beside the family's other Specs:
//
//   // d(self) = grad * result
//   struct ExpSpec {
//     static constexpr const char* kName = "ExpBackward0";  // PyTorch's
//     static constexpr bool kSavesResult = true;  // else it saves self
//     static Tensor backward(const Tensor& grad, const Tensor& saved);
//   };
//
// A binary Spec says which of self, other and result its node saves, and
// gives one formula per input:
//
//   static constexpr bool kSavesSelf = true, kSavesOther = true,
//                         kSavesResult = false;
//   static Tensor grad_self(const Tensor& grad, const Tensor& self,
//                           const Tensor& other, const Tensor& result);
//   static Tensor grad_other(/* the same arguments */);
//
// (tensors a Spec does not save arrive undefined). A forward-mode formula
// belongs in the same Spec, as `jvp` (the result's tangent from the inputs'
// tangents), read by the same templates.
//
// Note [Elementwise forward rules]: for an elementwise op y = f(x) the
// backward formula is grad * f'(x), a pointwise factor; the tangent of y is
// tangent * f'(x), the same product. Such a Spec's jvp is its backward
// applied to the tangent.
//
// Note [Dispatch point]: unary_op and binary_op below are the one place each
// call of a declared op passes through (kernel, node, saved tensors): where a
// profiler records it, a forward-mode tangent is computed, or a batching rule
// applies. Ops written by hand follow the same shape (kernel, then record<>).

// What a unary op does with integer (and bool) inputs.
enum class IntegerInputs {
  Keep,     // computes in the input's dtype (abs, relu)
  ToFloat,  // computes in the default float dtype (exp, sin, ...)
  Raise,    // NotImplementedError naming the op's CPU kernel (logsigmoid)
};

template <typename Spec, typename = void>
struct has_jvp : std::false_type {};
template <typename Spec>
struct has_jvp<Spec, std::void_t<decltype(&Spec::jvp)>> : std::true_type {};

template <typename Spec>
class UnaryBackward final : public Node {
 public:
  using Node::Node;
  static constexpr bool kForwardRule = has_jvp<Spec>::value;
  std::string name() const override { return Spec::kName; }
  variable_list apply(variable_list&& grads) override {
    return {Spec::backward(grads[0], saved.unpack(shared_from_this()))};
  }
  SavedTensor saved{this, Spec::kSavesResult ? "result" : "self"};
};

template <typename Spec>
Tensor unary_op(const Tensor& self, kernels::UnaryOp op, IntegerInputs ints,
                const char* kernel_name = nullptr) {
  DType dtype = self.dtype();
  if (!is_floating(dtype) && ints != IntegerInputs::Keep) {
    AG_CHECK_AS(NotImplementedError, ints != IntegerInputs::Raise, "\"",
                kernel_name, "\" not implemented for '",
                dtype_legacy_name(dtype), "'");
    dtype = default_dtype();
  }
  Tensor out = empty_tensor(self.sizes(), dtype);
  kernels::unary(op, cast_data(self, dtype), out);
  if (auto fn = record<UnaryBackward<Spec>>(self)) {
    autograd::set_history(out, fn);
    fn->saved = Spec::kSavesResult ? SavedVariable(out, true)
                                   : SavedVariable(self, false);
  }
  if constexpr (has_jvp<Spec>::value) {
    if (forward_ad::any_dual(self)) {
      set_tangent(out, [&] {
        return Spec::jvp(forward_ad::tangent(self),
                         Spec::kSavesResult ? out : self);
      });
    }
  }
  return out;
}

template <typename Spec>
class BinaryBackward final : public Node {
 public:
  using Node::Node;
  static constexpr bool kForwardRule = has_jvp<Spec>::value;
  std::string name() const override { return Spec::kName; }
  variable_list apply(variable_list&& grads) override {
    const auto owner = shared_from_this();
    const Tensor s = self.unpack(owner), o = other.unpack(owner),
                 r = result.unpack(owner);
    variable_list out(2);
    if (should_compute_output(0)) out[0] = Spec::grad_self(grads[0], s, o, r);
    if (should_compute_output(1)) out[1] = Spec::grad_other(grads[0], s, o, r);
    return out;
  }
  SavedTensor self{this, Spec::kSavesSelf ? "self" : nullptr},
      other{this, Spec::kSavesOther ? "other" : nullptr},
      result{this, Spec::kSavesResult ? "result" : nullptr};
};

// Both inputs broadcast and promote (result_type); a Float op raises
// NotImplementedError, naming its CPU kernel, on an integral result type
// (after the shapes, as PyTorch checks them).
template <typename Spec>
Tensor binary_op(const Tensor& self, const Tensor& other, kernels::BinaryOp op,
                 bool floating_only, const char* kernel_name) {
  const Shape shape = self.sizes() == other.sizes()
                          ? self.sizes()
                          : broadcast_shapes(self.sizes(), other.sizes());
  const DType dtype = result_type(self, other);
  AG_CHECK_AS(NotImplementedError, !floating_only || is_floating(dtype), "\"",
              kernel_name, "\" not implemented for '", dtype_legacy_name(dtype),
              "'");
  Tensor out = empty_tensor(shape, dtype);
  kernels::binary(op, cast_data(self, dtype), cast_data(other, dtype), out);
  if (auto fn = record<BinaryBackward<Spec>>(self, other)) {
    autograd::set_history(out, fn);
    if (Spec::kSavesSelf) fn->self = SavedVariable(self, false);
    if (Spec::kSavesOther) fn->other = SavedVariable(other, false);
    if (Spec::kSavesResult) fn->result = SavedVariable(out, true);
  }
  if constexpr (has_jvp<Spec>::value) {
    if (forward_ad::any_dual(self, other)) {
      set_tangent(out, [&] {
        return Spec::jvp(forward_ad::tangent(self), forward_ad::tangent(other),
                         self, other, out);
      });
    }
  }
  return out;
}

}  // namespace ag::ops
