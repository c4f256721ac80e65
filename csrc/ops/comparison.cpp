// Comparisons and logical ops (bool results in the promoted dtype of the
// operands) and bitwise ops; none is recorded in the graph.

#include "compile/capture.h"
#include "ops/op_utils.h"

namespace ag::ops {

namespace {

using kernels::BinaryOp;
using kernels::UnaryOp;

Tensor compare(BinaryOp op, const Tensor& a, const Tensor& b) {
  const DType compute = result_type(a, b);
  Tensor out =
      empty_tensor(broadcast_shapes(a.sizes(), b.sizes()), DType::Bool);
  kernels::binary(op, cast_data(a, compute), cast_data(b, compute), out);
  return out;
}

Tensor predicate(UnaryOp op, const Tensor& self) {
  Tensor out = empty_tensor(self.sizes(), DType::Bool);
  kernels::unary(op, self, out);
  return out;
}

Tensor bitwise(BinaryOp op, const Tensor& a, const Tensor& b,
               const char* kernel_name) {
  const DType compute = result_type(a, b);
  AG_CHECK_AS(NotImplementedError, !is_floating(compute), "\"", kernel_name,
              "\" not implemented for '", dtype_legacy_name(compute), "'");
  Tensor out = empty_tensor(broadcast_shapes(a.sizes(), b.sizes()), compute);
  kernels::binary(op, cast_data(a, compute), cast_data(b, compute), out);
  return out;
}

}  // namespace

Tensor eq(const Tensor& a, const Tensor& b) {
  AG_CAPTURE_RETURN("eq", eq(in[0], in[1]), a, b)
  return compare(BinaryOp::Eq, a, b);
}
Tensor ne(const Tensor& a, const Tensor& b) {
  AG_CAPTURE_RETURN("ne", ne(in[0], in[1]), a, b)
  return compare(BinaryOp::Ne, a, b);
}
Tensor lt(const Tensor& a, const Tensor& b) {
  AG_CAPTURE_RETURN("lt", lt(in[0], in[1]), a, b)
  return compare(BinaryOp::Lt, a, b);
}
Tensor le(const Tensor& a, const Tensor& b) {
  AG_CAPTURE_RETURN("le", le(in[0], in[1]), a, b)
  return compare(BinaryOp::Le, a, b);
}
Tensor gt(const Tensor& a, const Tensor& b) {
  AG_CAPTURE_RETURN("gt", gt(in[0], in[1]), a, b)
  return compare(BinaryOp::Gt, a, b);
}
Tensor ge(const Tensor& a, const Tensor& b) {
  AG_CAPTURE_RETURN("ge", ge(in[0], in[1]), a, b)
  return compare(BinaryOp::Ge, a, b);
}

Tensor logical_and(const Tensor& a, const Tensor& b) {
  AG_CAPTURE_RETURN("logical_and", logical_and(in[0], in[1]), a, b)
  return compare(BinaryOp::LogicalAnd, a, b);
}
Tensor logical_or(const Tensor& a, const Tensor& b) {
  AG_CAPTURE_RETURN("logical_or", logical_or(in[0], in[1]), a, b)
  return compare(BinaryOp::LogicalOr, a, b);
}
Tensor logical_xor(const Tensor& a, const Tensor& b) {
  AG_CAPTURE_RETURN("logical_xor", logical_xor(in[0], in[1]), a, b)
  return compare(BinaryOp::LogicalXor, a, b);
}
Tensor logical_not(const Tensor& self) {
  AG_CAPTURE_RETURN("logical_not", logical_not(in[0]), self)
  return predicate(UnaryOp::LogicalNot, self);
}
Tensor isnan(const Tensor& self) {
  return predicate(UnaryOp::IsNan, self);
}
Tensor isinf(const Tensor& self) {
  return predicate(UnaryOp::IsInf, self);
}
Tensor isfinite(const Tensor& self) {
  return predicate(UnaryOp::IsFinite, self);
}

Tensor bitwise_and(const Tensor& a, const Tensor& b) {
  AG_CAPTURE_RETURN("bitwise_and", bitwise_and(in[0], in[1]), a, b)
  return bitwise(BinaryOp::BitwiseAnd, a, b, "bitwise_and_cpu");
}
Tensor bitwise_or(const Tensor& a, const Tensor& b) {
  AG_CAPTURE_RETURN("bitwise_or", bitwise_or(in[0], in[1]), a, b)
  return bitwise(BinaryOp::BitwiseOr, a, b, "bitwise_or_cpu");
}
Tensor bitwise_xor(const Tensor& a, const Tensor& b) {
  AG_CAPTURE_RETURN("bitwise_xor", bitwise_xor(in[0], in[1]), a, b)
  return bitwise(BinaryOp::BitwiseXor, a, b, "bitwise_xor_cpu");
}
Tensor bitwise_not(const Tensor& self) {
  AG_CAPTURE_RETURN("bitwise_not", bitwise_not(in[0]), self)
  AG_CHECK_AS(NotImplementedError, !is_floating(self.dtype()),
              "\"bitwise_not_cpu\" not implemented for '",
              dtype_legacy_name(self.dtype()), "'");
  Tensor out = empty_tensor(self.sizes(), self.dtype());
  kernels::unary(UnaryOp::BitwiseNot, self, out);
  return out;
}

Tensor& logical_and_(Tensor& self, const Tensor& other) {
  return apply_inplace(self, "logical_and_", {other},
                       [&](const Tensor& s) { return logical_and(s, other); });
}
Tensor& logical_or_(Tensor& self, const Tensor& other) {
  return apply_inplace(self, "logical_or_", {other},
                       [&](const Tensor& s) { return logical_or(s, other); });
}
Tensor& logical_xor_(Tensor& self, const Tensor& other) {
  return apply_inplace(self, "logical_xor_", {other},
                       [&](const Tensor& s) { return logical_xor(s, other); });
}
Tensor& logical_not_(Tensor& self) {
  return apply_inplace(self, "logical_not_", {},
                       [](const Tensor& s) { return logical_not(s); });
}
Tensor& bitwise_and_(Tensor& self, const Tensor& other) {
  return apply_inplace(self, "bitwise_and_", {other},
                       [&](const Tensor& s) { return bitwise_and(s, other); });
}
Tensor& bitwise_or_(Tensor& self, const Tensor& other) {
  return apply_inplace(self, "bitwise_or_", {other},
                       [&](const Tensor& s) { return bitwise_or(s, other); });
}
Tensor& bitwise_xor_(Tensor& self, const Tensor& other) {
  return apply_inplace(self, "bitwise_xor_", {other},
                       [&](const Tensor& s) { return bitwise_xor(s, other); });
}
Tensor& bitwise_not_(Tensor& self) {
  return apply_inplace(self, "bitwise_not_", {},
                       [](const Tensor& s) { return bitwise_not(s); });
}

}  // namespace ag::ops
