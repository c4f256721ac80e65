#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/scalar.h"
#include "core/tensor_impl.h"

namespace ag {

// A cheap, shared handle to a TensorImpl. Copies alias the same tensor; an
// undefined (null) Tensor stands for "no tensor" (Python's None).
class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return impl_ != nullptr; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  long use_count() const { return impl_.use_count(); }
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

  const Shape& sizes() const { return impl_->sizes(); }
  const Shape& strides() const { return impl_->strides(); }
  int64_t size(int64_t dim) const;
  int64_t stride(int64_t dim) const;
  int64_t dim() const { return impl_->dim(); }
  int64_t numel() const { return impl_->numel(); }
  DType dtype() const { return impl_->dtype(); }
  bool is_contiguous() const { return impl_->is_contiguous(); }
  bool is_floating_point() const { return is_floating(dtype()); }

  void* raw_data() const { return impl_->data(); }
  template <typename T>
  T* data_ptr() const {
    AG_CHECK(DTypeOf<T>::value == dtype(), "expected scalar type ",
             dtype_legacy_name(DTypeOf<T>::value), " but found ",
             dtype_legacy_name(dtype()));
    return static_cast<T*>(impl_->data());
  }
  // The single value of a one-element tensor.
  Scalar item() const;

 private:
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
