#pragma once

// Shared plumbing of the op files: dtype casts without recording, output
// allocation, and the record-a-node pattern every differentiable op follows.

#include <functional>
#include <memory>

#include "autograd/autograd_meta.h"
#include "autograd/grad_mode.h"
#include "autograd/node.h"
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

// Whether an op on these inputs should record a node.
template <typename... Ts>
bool should_record(const Ts&... inputs) {
  return GradMode::is_enabled() && autograd::any_requires_grad(inputs...);
}

// Creates node T wired to the inputs' gradient edges, or null when no node
// is needed.
template <typename T, typename... Ts>
std::shared_ptr<T> record(const Ts&... inputs) {
  if (!should_record(inputs...)) return nullptr;
  return make_node<T>(autograd::collect_next_edges(inputs...));
}

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

// After an in-place op computed into `self`, makes `fn` self's history.
// Handles views: the base's history is rewritten (CopySlices).
void rebase_history(Tensor& self, const std::shared_ptr<Node>& fn);

// Checks that the result dtype of an in-place op can be stored in self.
void check_inplace_dtype(const Tensor& self, DType result, const char* op);

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

// Note [Unary op specs]: a one-input op whose backward needs one saved tensor
// (its input or its result) is described by a Spec:
//   struct ExpSpec {
//     static constexpr const char* kName = "ExpBackward0";
//     static constexpr bool kSavesResult = true;
//     static constexpr kernels::UnaryOp kOp = kernels::UnaryOp::Exp;
//     static constexpr bool kFloating = true;  // ints compute in float
//     static Tensor backward(const Tensor& grad, const Tensor& saved);
//   };
// and gets its node and forward from the templates below.
template <typename Spec>
class UnaryBackward final : public Node {
 public:
  using Node::Node;
  std::string name() const override { return Spec::kName; }
  variable_list apply(variable_list&& grads) override {
    return {Spec::backward(grads[0], saved.unpack(shared_from_this()))};
  }
  void release_variables() override { saved.release(); }
  void visit_saved(SavedVisitor& v) const override {
    v.visit(Spec::kSavesResult ? "result" : "self", saved);
  }
  SavedVariable saved;
};

template <typename Spec>
Tensor unary_op(const Tensor& self) {
  const DType dtype = Spec::kFloating && !is_floating(self.dtype())
                          ? default_dtype()
                          : self.dtype();
  Tensor out = empty_tensor(self.sizes(), dtype);
  kernels::unary(Spec::kOp, cast_data(self, dtype), out);
  if (auto fn = record<UnaryBackward<Spec>>(self)) {
    autograd::set_history(out, fn);
    fn->saved = Spec::kSavesResult ? SavedVariable(out, true)
                                   : SavedVariable(self, false);
  }
  return out;
}

}  // namespace ag::ops
