#pragma once

// Tensor creation for C++ users: TensorOptions in libtorch's style, the
// factories with Python's defaults (float32 unless told), ag::tensor from
// values, ag::scalar for 0-d tensors and the *_like factories.

#include <algorithm>
#include <initializer_list>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

#include "autograd/autograd_meta.h"
#include "autograd_cpp/check.h"
#include "ops/ops.h"

namespace ag {

constexpr DType kBool = DType::Bool;
constexpr DType kInt32 = DType::Int32;
constexpr DType kInt64 = DType::Int64;
constexpr DType kFloat32 = DType::Float32;
constexpr DType kFloat64 = DType::Float64;

// What a factory makes: its dtype (unset: the default float dtype, or for
// the *_like factories the source's) and whether it requires grad.
//   ag::zeros({2, 3}, ag::dtype(ag::kFloat64).requires_grad(true))
// A DType converts to options, so ag::zeros({2}, ag::kFloat64) works too.
class TensorOptions {
 public:
  TensorOptions() = default;
  TensorOptions(DType dtype) : dtype_(dtype) {}  // NOLINT(runtime/explicit)

  TensorOptions dtype(DType dtype) const {
    TensorOptions o = *this;
    o.dtype_ = dtype;
    return o;
  }
  TensorOptions requires_grad(bool requires_grad) const {
    TensorOptions o = *this;
    o.requires_grad_ = requires_grad;
    return o;
  }
  bool has_dtype() const { return dtype_.has_value(); }
  DType dtype() const { return dtype_.value_or(default_dtype()); }
  bool requires_grad() const { return requires_grad_; }

 private:
  std::optional<DType> dtype_;
  bool requires_grad_ = false;
};

inline TensorOptions dtype(DType dtype) {
  return TensorOptions(dtype);
}
inline TensorOptions requires_grad(bool requires_grad = true) {
  return TensorOptions().requires_grad(requires_grad);
}

namespace detail {
inline Tensor finish(Tensor t, const TensorOptions& options) {
  if (options.requires_grad()) t.requires_grad_(true);
  return t;
}
// The options of a *_like factory: the source's dtype unless given.
inline TensorOptions like(const Tensor& t, TensorOptions options) {
  return options.has_dtype() ? options : options.dtype(t.dtype());
}
// torch.tensor's dtype for a C++ element type: floating values take the
// default dtype (float32), integers int64, bools bool.
template <typename T>
DType inferred_dtype(const TensorOptions& options) {
  if (options.has_dtype()) return options.dtype();
  if constexpr (std::is_same_v<T, bool>) return DType::Bool;
  if constexpr (std::is_floating_point_v<T>) return default_dtype();
  return DType::Int64;
}
template <typename T>
Tensor from_values(const T* data, size_t count, const Shape& sizes,
                   const TensorOptions& options) {
  // Copied in the C++ type's own dtype, then converted.
  using Stored = std::conditional_t<
      std::is_same_v<T, bool>, bool,
      std::conditional_t<std::is_floating_point_v<T>, double, int64_t>>;
  auto values = std::make_unique<Stored[]>(count);
  std::copy(data, data + count, values.get());
  Tensor t = ops::from_buffer(values.get(), sizes, DTypeOf<Stored>::value);
  return finish(ops::to(t, inferred_dtype<T>(options)), options);
}
}  // namespace detail

inline Tensor empty(const Shape& sizes, TensorOptions options = {}) {
  return ops::user::empty(sizes, options.dtype(), options.requires_grad());
}
inline Tensor zeros(const Shape& sizes, TensorOptions options = {}) {
  return ops::user::zeros(sizes, options.dtype(), options.requires_grad());
}
inline Tensor ones(const Shape& sizes, TensorOptions options = {}) {
  return ops::user::ones(sizes, options.dtype(), options.requires_grad());
}
inline Tensor full(const Shape& sizes, const Scalar& value,
                   TensorOptions options = {}) {
  return ops::user::full(sizes, value, options.dtype(),
                         options.requires_grad());
}
inline Tensor rand(const Shape& sizes, TensorOptions options = {}) {
  return ops::user::rand(sizes, options.dtype(), nullptr,
                         options.requires_grad());
}
inline Tensor randn(const Shape& sizes, TensorOptions options = {}) {
  return ops::user::randn(sizes, options.dtype(), nullptr,
                          options.requires_grad());
}
// torch.randint(low, high, sizes): int64 unless the options say otherwise.
inline Tensor randint(int64_t low, int64_t high, const Shape& sizes,
                      TensorOptions options = {}) {
  const DType dtype = options.has_dtype() ? options.dtype() : DType::Int64;
  return ops::user::randint(low, high, sizes, dtype, nullptr,
                            options.requires_grad());
}
inline Tensor eye(int64_t n, TensorOptions options = {}) {
  return ops::user::eye(n, n, options.dtype(), options.requires_grad());
}
inline Tensor linspace(double start, double end, int64_t steps,
                       TensorOptions options = {}) {
  return ops::user::linspace(start, end, steps, options.dtype(),
                             options.requires_grad());
}
// torch.arange(end) / torch.arange(start, end, step): int64 for integer
// bounds, the default float dtype otherwise (unless options give one).
inline Tensor arange(const Scalar& start, const Scalar& end,
                     const Scalar& step = 1, TensorOptions options = {}) {
  std::optional<DType> dtype;
  if (options.has_dtype()) dtype = options.dtype();
  return ops::user::arange(start, end, step, dtype, options.requires_grad());
}
inline Tensor arange(const Scalar& end, TensorOptions options = {}) {
  return arange(0, end, 1, options);
}

inline Tensor empty_like(const Tensor& t, TensorOptions options = {}) {
  detail::check_defined(t, "empty_like");
  return empty(t.sizes(), detail::like(t, options));
}
inline Tensor zeros_like(const Tensor& t, TensorOptions options = {}) {
  detail::check_defined(t, "zeros_like");
  return zeros(t.sizes(), detail::like(t, options));
}
inline Tensor ones_like(const Tensor& t, TensorOptions options = {}) {
  detail::check_defined(t, "ones_like");
  return ones(t.sizes(), detail::like(t, options));
}
inline Tensor full_like(const Tensor& t, const Scalar& value,
                        TensorOptions options = {}) {
  detail::check_defined(t, "full_like");
  return full(t.sizes(), value, detail::like(t, options));
}
inline Tensor rand_like(const Tensor& t, TensorOptions options = {}) {
  detail::check_defined(t, "rand_like");
  return rand(t.sizes(), detail::like(t, options));
}
inline Tensor randn_like(const Tensor& t, TensorOptions options = {}) {
  detail::check_defined(t, "randn_like");
  return randn(t.sizes(), detail::like(t, options));
}

// torch.tensor(2.0): a 0-d tensor (float32 for a float, int64 for an int).
inline Tensor scalar(const Scalar& value, TensorOptions options = {}) {
  DType dtype = options.dtype();
  if (!options.has_dtype() && !value.is_floating()) dtype = value.dtype();
  return detail::finish(scalar_tensor(value, dtype), options);
}

// torch.tensor([1., 2.]) as ag::tensor({1.f, 2.f}); a nested list makes a
// 2-d tensor: ag::tensor({{1, 2}, {3, 4}}).
template <typename T>
Tensor tensor(std::initializer_list<T> values, TensorOptions options = {}) {
  return detail::from_values(values.begin(), values.size(),
                             Shape{static_cast<int64_t>(values.size())},
                             options);
}
template <typename T>
Tensor tensor(std::initializer_list<std::initializer_list<T>> rows,
              TensorOptions options = {}) {
  std::vector<T> flat;
  const size_t cols = rows.size() ? rows.begin()->size() : 0;
  for (const auto& row : rows) {
    AG_CHECK(row.size() == cols, "expected sequence of length ", cols,
             " at dim 1 (got ", row.size(), ")");
    flat.insert(flat.end(), row.begin(), row.end());
  }
  return detail::from_values(
      flat.data(), flat.size(),
      Shape{static_cast<int64_t>(rows.size()), static_cast<int64_t>(cols)},
      options);
}
// torch.tensor(values).reshape(sizes): a copy of `values` in their own C++
// type's dtype (std::vector<double> gives float64), 1-d when sizes is empty.
template <typename T>
Tensor tensor(const std::vector<T>& values, Shape sizes = {}) {
  if (sizes.empty()) sizes = Shape{static_cast<int64_t>(values.size())};
  AG_CHECK(numel_of(sizes) == static_cast<int64_t>(values.size()),
           "tensor: ", values.size(), " values for a shape of ",
           numel_of(sizes), " elements");
  return ops::from_buffer(values.data(), sizes, DTypeOf<T>::value);
}

// The values of a tensor (any layout) as a flat vector, in row-major order.
template <typename T>
std::vector<T> to_vector(const Tensor& t) {
  Tensor c = ops::contiguous(ops::to(t, DTypeOf<T>::value));
  const T* data = c.data_ptr<T>();
  return std::vector<T>(data, data + c.numel());
}

}  // namespace ag
