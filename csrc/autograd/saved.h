#pragma once

// Note [Saved slots]: a node declares each value its backward keeps once, as
// a member that names itself:
//
//   // d(self) = grad * other ; d(other) = grad * self
//   struct MulBackward0 final : Node {
//     AG_NODE(MulBackward0);
//     SavedTensor self{this, "self"}, other{this, "other"};
//     Saved<Scalar> alpha{this, "alpha"};
//     variable_list apply(variable_list&& grads) override;
//   };
//
// Each slot links itself into its node's list on construction; the node's
// release_variables() (drop saved tensors once backward has run) and
// visit_saved() (Python's `_saved_<name>` attributes) walk that list, so no
// saved value can be left out of either.

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "autograd/node.h"
#include "autograd/saved_variable.h"
#include "core/scalar.h"
#include "core/shape.h"

namespace ag {

// A saved tensor (see Note [Saved outputs] for saving a node's own output).
class SavedTensor final : public SavedSlot, public SavedVariable {
 public:
  SavedTensor(Node* owner, const char* name) : SavedSlot(owner, name) {}
  SavedTensor& operator=(SavedVariable v) {
    static_cast<SavedVariable&>(*this) = std::move(v);
    return *this;
  }
  void release() override { SavedVariable::release(); }
  void visit(SavedVisitor& v) const override {
    v.visit(name(), static_cast<const SavedVariable&>(*this));
  }
};

// Saved tensors of a list input (cat, stack, index with tensor indices).
class SavedTensorList final : public SavedSlot {
 public:
  SavedTensorList(Node* owner, const char* name) : SavedSlot(owner, name) {}
  SavedTensorList& operator=(std::vector<SavedVariable> v) {
    items_ = std::move(v);
    return *this;
  }
  const std::vector<SavedVariable>& items() const { return items_; }
  TensorList unpack() const {
    TensorList out;
    out.reserve(items_.size());
    for (const SavedVariable& s : items_) out.push_back(s.unpack());
    return out;
  }
  void release() override {
    for (SavedVariable& s : items_) s.release();
  }
  void visit(SavedVisitor& v) const override { v.visit(name(), items_); }

 private:
  std::vector<SavedVariable> items_;
};

namespace detail {
inline SavedField saved_field(const Scalar& v) {
  SavedField f;
  f.kind = SavedField::Kind::Scalar;
  f.scalar = v;
  return f;
}
inline SavedField saved_field(double v) {
  return saved_field(Scalar(v));
}
inline SavedField saved_field(bool v) {
  SavedField f;
  f.kind = SavedField::Kind::Bool;
  f.scalar = Scalar(v);
  return f;
}
inline SavedField saved_field(int64_t v) {
  SavedField f;
  f.kind = SavedField::Kind::Int;
  f.scalar = Scalar(v);
  return f;
}
inline SavedField saved_field(const std::vector<int64_t>& v) {
  SavedField f;
  f.kind = SavedField::Kind::Ints;
  f.ints = v;
  return f;
}
inline SavedField saved_field(const Shape& v) {
  return saved_field(v.vec());
}
// A tensor kept as is: no version check, never released (integer
// positions an op computed, which never require grad, so cannot form a
// cycle through a grad_fn).
inline SavedField saved_field(const Tensor& v) {
  SavedField f;
  f.kind = SavedField::Kind::Tensor;
  f.tensor = v;
  return f;
}
template <typename T>
SavedField saved_field(const std::optional<T>& v) {
  return v ? saved_field(*v) : SavedField{};
}
}  // namespace detail

namespace detail {
// Holds a saved value of a non-class type (int64_t, bool, double).
template <typename T>
class SavedValue {
 public:
  SavedValue(T value) : value_(value) {}  // NOLINT: converts like a T
  operator T() const { return value_; }   // NOLINT: reads as a T

 private:
  T value_;
};
template <typename T>
using SavedBase =
    std::conditional_t<std::is_class_v<T>, T, detail::SavedValue<T>>;
}  // namespace detail

// A saved value that is not a SavedTensor: a Scalar, double, bool, int64_t,
// Shape, std::vector<int64_t>, a plain Tensor (see saved_field(const
// Tensor&) above), an optional of one of them, or a type with
// a saved_field() overload in its own namespace. It is a T (or
// converts to one), so the backward formula reads it as one.
template <typename T>
class Saved final : public SavedSlot, public detail::SavedBase<T> {
 public:
  Saved(Node* owner, const char* name, T value = T())
      : SavedSlot(owner, name), detail::SavedBase<T>(std::move(value)) {}
  Saved& operator=(T v) {
    static_cast<detail::SavedBase<T>&>(*this) =
        detail::SavedBase<T>(std::move(v));
    return *this;
  }
  T get() const { return *this; }
  void visit(SavedVisitor& v) const override {
    // Unqualified: an op's own types add overloads beside them (found by
    // argument-dependent lookup), e.g. a loss's Reduction.
    using detail::saved_field;
    v.visit(name(), saved_field(static_cast<T>(*this)));
  }
};

// The name PyTorch prints and Node's constructors, in one line of a node.
#define AG_NODE(Name)                 \
  using Node::Node;                   \
  std::string name() const override { \
    return #Name;                     \
  }                                   \
  static_assert(true, "")

// For a second node class that prints as an existing one (PyTorch's name)
// but needs a C++ name of its own: files are compiled in unity batches, so
// two file-local classes of one name would collide.
#define AG_NODE_PRINTED_AS(PrintedName) \
  using Node::Node;                     \
  std::string name() const override {   \
    return PrintedName;                 \
  }                                     \
  static_assert(true, "")

}  // namespace ag
