// Comparisons: bool results in the promoted dtype of the operands; never
// recorded in the graph.

#include "ops/op_utils.h"

namespace ag::ops {

namespace {
Tensor compare(kernels::BinaryOp op, const Tensor& a, const Tensor& b) {
  const DType compute = result_type(a, b);
  Tensor out =
      empty_tensor(broadcast_shapes(a.sizes(), b.sizes()), DType::Bool);
  kernels::binary(op, cast_data(a, compute), cast_data(b, compute), out);
  return out;
}
}  // namespace

Tensor eq(const Tensor& a, const Tensor& b) {
  return compare(kernels::BinaryOp::Eq, a, b);
}
Tensor ne(const Tensor& a, const Tensor& b) {
  return compare(kernels::BinaryOp::Ne, a, b);
}
Tensor lt(const Tensor& a, const Tensor& b) {
  return compare(kernels::BinaryOp::Lt, a, b);
}
Tensor le(const Tensor& a, const Tensor& b) {
  return compare(kernels::BinaryOp::Le, a, b);
}
Tensor gt(const Tensor& a, const Tensor& b) {
  return compare(kernels::BinaryOp::Gt, a, b);
}
Tensor ge(const Tensor& a, const Tensor& b) {
  return compare(kernels::BinaryOp::Ge, a, b);
}

}  // namespace ag::ops
