// The ops the autograd engine needs (see autograd/engine_ops.h).

#include "autograd/engine_ops.h"

#include "ops/op_utils.h"

namespace ag::autograd::engine_ops {

Tensor add(const Tensor& a, const Tensor& b) {
  return ops::add(a, b);
}

void add_inplace(const Tensor& a, const Tensor& b) {
  kernels::binary(kernels::BinaryOp::Add, a, ops::cast_data(b, a.dtype()), a);
  a.impl()->bump_version();
}

Tensor sum_to(const Tensor& t, const Shape& shape) {
  return ops::sum_to(t, shape);
}
Tensor to_dtype(const Tensor& t, DType dtype) {
  return ops::to(t, dtype);
}
Tensor clone(const Tensor& t) {
  return ops::clone(t);
}
Tensor ones_like(const Tensor& t) {
  return ops::ones(t.sizes(), t.dtype());
}
bool has_nan(const Tensor& t) {
  if (!is_floating(t.dtype())) return false;
  NoGradGuard no_grad;
  return ops::any(ops::ne(t, t)).item().to<bool>();
}
Tensor zeros(const Shape& shape, DType dtype) {
  return ops::zeros(shape, dtype);
}

}  // namespace ag::autograd::engine_ops
