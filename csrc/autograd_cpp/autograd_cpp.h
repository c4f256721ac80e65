#pragma once

// The C++ API in one header, mirroring the Python one:
//
//   #include <autograd_cpp/autograd_cpp.h>
//   ag::Tensor w = ag::requires_grad(ag::randn({3, 1}));
//   ag::Tensor loss = ag::mse_loss(ag::matmul(x, w), y);
//   ag::backward(loss);                   // loss.backward()
//   { ag::NoGradGuard no_grad;            // with torch.no_grad():
//     ag::sub_(w, ag::grad(w) * 0.1); }
//
// Every differentiable op of csrc/ops/ is reachable as ag::name (they live in
// ag::ops); factories default to float32 as in Python.

#include <cstring>
#include <vector>

#include "autograd/autograd_meta.h"
#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "autograd_cpp/version.h"
#include "ops/ops.h"

namespace ag {

using namespace ops;  // NOLINT(build/namespaces): ag::add, ag::matmul, ...

// Factories with Python's default dtype (float32).
inline Tensor zeros(const Shape& sizes, DType dtype = DType::Float32) {
  return ops::zeros(sizes, dtype);
}
inline Tensor ones(const Shape& sizes, DType dtype = DType::Float32) {
  return ops::ones(sizes, dtype);
}
inline Tensor full(const Shape& sizes, const Scalar& value,
                   DType dtype = DType::Float32) {
  return ops::full(sizes, value, dtype);
}
inline Tensor rand(const Shape& sizes, DType dtype = DType::Float32) {
  return ops::rand(sizes, dtype);
}
inline Tensor randn(const Shape& sizes, DType dtype = DType::Float32) {
  return ops::randn(sizes, dtype);
}
// torch.tensor(values).reshape(sizes): a copy of `values` with shape `sizes`
// (a 1-d tensor when sizes is empty).
template <typename T>
Tensor tensor(const std::vector<T>& values, Shape sizes = {}) {
  if (sizes.empty()) sizes = Shape{static_cast<int64_t>(values.size())};
  Tensor t = empty_tensor(sizes, DTypeOf<T>::value);
  AG_CHECK(static_cast<size_t>(t.numel()) == values.size(),
           "tensor: ", values.size(), " values for a shape of ", t.numel(),
           " elements");
  if (!values.empty()) {
    std::memcpy(t.raw_data(), values.data(), values.size() * sizeof(T));
  }
  return t;
}
// Autograd on a tensor: t.requires_grad_(), t.requires_grad, t.grad,
// t.grad = None, t.is_leaf, t.backward(gradient, retain_graph, create_graph).
inline Tensor requires_grad(Tensor t, bool requires = true) {
  autograd::set_requires_grad(t, requires);
  return t;
}
inline bool requires_grad_flag(const Tensor& t) {
  return autograd::requires_grad(t);
}
inline Tensor grad(const Tensor& t) {
  return autograd::grad(t);
}
inline void zero_grad(const Tensor& t) {
  autograd::set_grad(t, Tensor());
}
inline bool is_leaf(const Tensor& t) {
  return autograd::is_leaf(t);
}
inline void backward(const Tensor& root, const Tensor& gradient = Tensor(),
                     bool retain_graph = false, bool create_graph = false) {
  autograd::backward({root}, {gradient}, retain_graph || create_graph,
                     create_graph);
}

// The values of a tensor (any layout) as a flat vector, in row-major order.
template <typename T>
std::vector<T> to_vector(const Tensor& t) {
  Tensor c = ops::contiguous(ops::to(t, DTypeOf<T>::value));
  const T* data = c.data_ptr<T>();
  return std::vector<T>(data, data + c.numel());
}

}  // namespace ag
