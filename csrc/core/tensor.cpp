#include "core/tensor.h"

#include "core/dispatch.h"
#include "core/small_alloc.h"

namespace ag {

namespace detail {
void throw_undefined_tensor(const char* accessor) {
  throw Error(str_cat(
      accessor,
      "() called on an undefined Tensor: this ag::Tensor holds no tensor. "
      "It was default-constructed, or it is the grad() of a tensor that has "
      "not received a gradient (no backward() reached it yet); check "
      "t.defined() before using it."));
}
}  // namespace detail

namespace {
// A 0-d tensor has no sizes to index: wrap_dim alone would accept dim 0.
size_t checked_dim(int64_t dim, int64_t ndim) {
  AG_INDEX_CHECK(ndim > 0, "Dimension specified as ", dim,
                 " but tensor has no dimensions");
  return static_cast<size_t>(wrap_dim(dim, ndim));
}
}  // namespace

int64_t Tensor::size(int64_t dim) const {
  return sizes()[checked_dim(dim, this->dim())];
}

int64_t Tensor::stride(int64_t dim) const {
  return strides()[checked_dim(dim, this->dim())];
}

Scalar Tensor::item() const {
  AG_CHECK(numel() == 1, "a Tensor with ", numel(),
           " elements cannot be converted to Scalar");
  return dispatch_all(dtype(), [&](auto tag) -> Scalar {
    using T = decltype(tag);
    const T v = *static_cast<const T*>(raw_data());
    if constexpr (std::is_same_v<T, bool>)
      return Scalar(v);
    else if constexpr (std::is_integral_v<T>)
      return Scalar(int64_t{v});
    else
      return Scalar(double{v});
  });
}

Tensor empty_tensor(const Shape& sizes, DType dtype) {
  int64_t n = 1;
  for (int64_t s : sizes) {
    AG_CHECK(s >= 0, "Trying to create tensor with negative dimension ", s,
             ": ", shape_str(sizes));
    AG_CHECK(
        !__builtin_mul_overflow(n, s, &n),
        "Storage size calculation overflowed with sizes=", shape_str(sizes));
  }
  int64_t nbytes = 0;
  AG_CHECK(!__builtin_mul_overflow(n, static_cast<int64_t>(itemsize(dtype)),
                                   &nbytes),
           "Storage size calculation overflowed with sizes=", shape_str(sizes));
  auto storage = std::allocate_shared<Storage>(detail::PoolAllocator<Storage>(),
                                               static_cast<size_t>(nbytes));
  return Tensor(std::allocate_shared<TensorImpl>(
      detail::PoolAllocator<TensorImpl>(), std::move(storage), sizes,
      contiguous_strides(sizes), 0, dtype));
}

Tensor make_view(const Tensor& base, Shape sizes, Shape strides,
                 int64_t storage_offset) {
  return Tensor(std::allocate_shared<TensorImpl>(
      detail::PoolAllocator<TensorImpl>(), base.impl()->storage(),
      std::move(sizes), std::move(strides), storage_offset, base.dtype(),
      base.impl()->version_counter()));
}

Tensor scalar_tensor(const Scalar& value, DType dtype) {
  Tensor t = empty_tensor({}, dtype);
  dispatch_all(dtype, [&](auto tag) {
    using T = decltype(tag);
    *static_cast<T*>(t.raw_data()) = value.to<T>();
  });
  return t;
}

Tensor wrap_scalar(const Scalar& value) {
  Tensor t = scalar_tensor(value, value.dtype());
  t.impl()->set_wrapped_number(true);
  return t;
}

}  // namespace ag
