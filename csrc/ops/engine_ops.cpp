// The ops the autograd engine needs (see autograd/engine_ops.h).

#include "autograd/engine_ops.h"

#include "ops/op_utils.h"

namespace ag::autograd::engine_ops {

Tensor add(const Tensor& a, const Tensor& b) {
  return ops::add(a, b);
}

void add_inplace(const Tensor& a, const Tensor& b) {
  const Tensor src = ops::cast_data(b, a.dtype());
  if (!a.is_contiguous() && a.strides() == src.strides() &&
      is_non_overlapping_and_dense(a.sizes(), a.strides())) {
    // The same dense layout on both sides (a transposed weight's gradients,
    // summed once per timestep of a recurrent loop): add in memory order
    // instead of walking both with transposed strides.
    const Shape flat{a.numel()}, unit{1};
    const Tensor dst = make_view(a, flat, unit, a.impl()->storage_offset());
    kernels::binary(kernels::BinaryOp::Add, dst,
                    make_view(src, flat, unit, src.impl()->storage_offset()),
                    dst);
  } else {
    kernels::binary(kernels::BinaryOp::Add, a, src, a);
  }
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
