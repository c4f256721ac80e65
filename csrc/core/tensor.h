#pragma once

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/scalar.h"
#include "core/tensor_impl.h"

namespace ag {

class Node;

namespace detail {
// Note [Undefined tensors]: every Tensor accessor that reaches the impl goes
// through Tensor::checked_impl(), so any op, method or autograd call handed
// an undefined tensor throws this error instead of dereferencing null. It is
// the one place the check lives; ops need no checks of their own.
[[noreturn]] void throw_undefined_tensor(const char* accessor);
}  // namespace detail

// A cheap, shared handle to a TensorImpl. Copies alias the same tensor; an
// undefined (null) Tensor stands for "no tensor" (Python's None).
class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return impl_ != nullptr; }
  TensorImpl* impl() const { return &checked_impl("impl"); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  long use_count() const { return impl_.use_count(); }
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

  const Shape& sizes() const { return checked_impl("sizes").sizes(); }
  const Shape& strides() const { return checked_impl("strides").strides(); }
  int64_t size(int64_t dim) const;
  int64_t stride(int64_t dim) const;
  int64_t dim() const { return checked_impl("dim").dim(); }
  int64_t numel() const { return checked_impl("numel").numel(); }
  DType dtype() const { return checked_impl("dtype").dtype(); }
  bool is_contiguous() const {
    return checked_impl("is_contiguous").is_contiguous();
  }
  bool is_floating_point() const { return is_floating(dtype()); }

  void* raw_data() const { return checked_impl("data_ptr").data(); }
  template <typename T>
  T* data_ptr() const {
    AG_CHECK(DTypeOf<T>::value == dtype(), "expected scalar type ",
             dtype_legacy_name(DTypeOf<T>::value), " but found ",
             dtype_legacy_name(dtype()));
    return static_cast<T*>(impl_->data());
  }
  // The single value of a one-element tensor.
  Scalar item() const;
  // The same, converted: x.item<float>().
  template <typename T>
  T item() const {
    return item().to<T>();
  }

  // ---- The C++ frontend: methods with PyTorch's names ----------------------
  // Defined in ops/tensor_methods.cpp; each calls the ag::ops function of the
  // same name, so a method and its free function never differ.

  // Autograd state: x.grad(), x.requires_grad_(), x.backward(), ...
  Tensor grad() const;  // undefined until a gradient has arrived
  void set_grad(const Tensor& grad) const;  // x.grad = g (undefined: None)
  bool requires_grad() const;
  Tensor& requires_grad_(bool requires_grad = true);
  bool is_leaf() const;
  std::shared_ptr<Node> grad_fn() const;
  void retain_grad() const;
  // retain_graph defaults to create_graph, as in PyTorch.
  void backward(const Tensor& gradient = Tensor(),
                std::optional<bool> retain_graph = std::nullopt,
                bool create_graph = false) const;
  Tensor detach() const;

  // Copies and conversions.
  Tensor clone() const;
  Tensor contiguous() const;
  Tensor to(DType dtype, bool copy = false) const;

  // Reductions (dims empty: over all elements).
  Tensor sum(std::optional<DType> dtype = std::nullopt) const;
  Tensor sum(const std::vector<int64_t>& dims, bool keepdim = false,
             std::optional<DType> dtype = std::nullopt) const;
  Tensor mean(std::optional<DType> dtype = std::nullopt) const;
  Tensor mean(const std::vector<int64_t>& dims, bool keepdim = false,
              std::optional<DType> dtype = std::nullopt) const;
  Tensor max() const;
  Tensor min() const;
  Tensor argmax(std::optional<int64_t> dim = std::nullopt,
                bool keepdim = false) const;
  Tensor norm(double p = 2.0) const;

  // Arithmetic: the operators' method spellings (a Scalar acts as a Python
  // number in type promotion).
  Tensor add(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor add(const Scalar& other) const;
  Tensor sub(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor sub(const Scalar& other) const;
  Tensor mul(const Tensor& other) const;
  Tensor mul(const Scalar& other) const;
  Tensor div(const Tensor& other) const;
  Tensor div(const Scalar& other) const;

  // Elementwise math.
  Tensor abs() const;
  Tensor exp() const;
  Tensor log() const;
  Tensor sqrt() const;
  Tensor sin() const;
  Tensor cos() const;
  Tensor tanh() const;
  Tensor sigmoid() const;
  Tensor relu() const;
  Tensor neg() const;
  Tensor square() const;
  Tensor pow(const Scalar& exponent) const;
  Tensor pow(const Tensor& exponent) const;
  Tensor clamp(std::optional<Scalar> min, std::optional<Scalar> max) const;
  Tensor softmax(int64_t dim) const;
  Tensor log_softmax(int64_t dim) const;

  // Linear algebra.
  Tensor matmul(const Tensor& other) const;
  Tensor mm(const Tensor& other) const;
  Tensor t() const;

  // Shape and views.
  Tensor reshape(const Shape& sizes) const;
  Tensor view(const Shape& sizes) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor permute(const std::vector<int64_t>& dims) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor expand(const Shape& sizes) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;

  // In place (bump the version; recorded like PyTorch's in-place ops).
  Tensor& add_(const Tensor& other, const Scalar& alpha = 1);
  Tensor& add_(const Scalar& other);
  Tensor& sub_(const Tensor& other, const Scalar& alpha = 1);
  Tensor& sub_(const Scalar& other);
  Tensor& mul_(const Tensor& other);
  Tensor& mul_(const Scalar& other);
  Tensor& div_(const Tensor& other);
  Tensor& div_(const Scalar& other);
  Tensor& zero_();
  Tensor& fill_(const Scalar& value);
  Tensor& copy_(const Tensor& src);

 private:
  TensorImpl& checked_impl(const char* accessor) const {
    if (__builtin_expect(impl_ == nullptr, 0)) {
      detail::throw_undefined_tensor(accessor);
    }
    return *impl_;
  }
  std::shared_ptr<TensorImpl> impl_;
};

using TensorList = std::vector<Tensor>;

// A new, uninitialised, contiguous tensor.
Tensor empty_tensor(const Shape& sizes, DType dtype);
// A view over the storage of `base` (shares storage and version counter).
Tensor make_view(const Tensor& base, Shape sizes, Shape strides,
                 int64_t storage_offset);
// A 0-d tensor holding a Python number, marked as a wrapped number.
Tensor wrap_scalar(const Scalar& value);
// A 0-d tensor (not a wrapped number) of the given dtype.
Tensor scalar_tensor(const Scalar& value, DType dtype);

}  // namespace ag
