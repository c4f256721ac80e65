// Small helpers shared by the C++ tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "autograd/autograd_meta.h"
#include "core/dtype.h"
#include "core/error.h"
#include "core/shape.h"
#include "core/tensor.h"
#include "ops/ops.h"

namespace ag::testing {

// A contiguous tensor holding `values` (row-major) with the given shape.
template <typename T>
Tensor make_tensor(const std::vector<T>& values, const Shape& shape) {
  EXPECT_EQ(static_cast<int64_t>(values.size()), numel_of(shape));
  return ops::from_buffer(values.data(), shape, DTypeOf<T>::value);
}

// A leaf tensor of float64 values that requires grad.
inline Tensor leaf(const std::vector<double>& values, const Shape& shape) {
  Tensor t = make_tensor<double>(values, shape);
  autograd::set_requires_grad(t, true);
  return t;
}

// The elements of any tensor (views included) in row-major logical order.
template <typename T>
std::vector<T> values_of(const Tensor& t) {
  const Tensor c = ops::contiguous(t);
  const T* p = c.data_ptr<T>();
  return std::vector<T>(p, p + c.numel());
}

inline std::vector<int64_t> sizes_of(const Tensor& t) {
  return t.sizes().vec();
}

// Runs `fn`, which must throw E; returns the exception's message.
template <typename E, typename Fn>
std::string message_of(Fn&& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw the wrong exception type: " << e.what();
    return {};
  }
  ADD_FAILURE() << "did not throw";
  return {};
}

}  // namespace ag::testing
