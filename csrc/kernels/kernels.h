#pragma once

// Compute over raw strided buffers. The one dispatch point between the ops and
// a device: every function here reads its operands' strides (a stride of 0
// broadcasts) and never builds graph nodes.

#include <cstdint>
#include <string>

#include "core/generator.h"
#include "core/scalar.h"
#include "core/tensor.h"
#include "decl/binary.h"
#include "decl/unary.h"

namespace ag::kernels {

enum class BinaryOp : uint8_t {
  Add,  // a + alpha * b
  Sub,  // a - alpha * b
  Mul,
  Div,
  Pow,
// The declared ops (decl/binary.h).
#define AG_BINARY_ENUM(name, Name, ...) Name,
  AG_BINARY_TENSOR_OPS(AG_BINARY_ENUM)
#undef AG_BINARY_ENUM
  // Not for bool. Integer division by zero throws "ZeroDivisionError".
  DivTrunc,   // a / b rounded toward zero
  DivFloor,   // a / b rounded toward -inf (Python's //)
  Remainder,  // a - b * floor(a / b): the sign of b (Python's %)
  // Integer and bool only.
  BitwiseAnd,
  BitwiseOr,
  BitwiseXor,
  // Comparisons and logical ops write bool outputs.
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  LogicalAnd,
  LogicalOr,
  LogicalXor,
};

enum class UnaryOp : uint8_t {
  // Any dtype.
  Neg,
  Abs,
  Sign,
  Relu,
  Square,
  BitwiseNot,  // integer and bool only
  // Not for bool; the identity on integers.
  Floor,
  Ceil,
  Round,  // half to even
  Trunc,
// Floating point only: the declared ops (decl/unary.h), then the
// activations, whose parameters are arg0 and arg1.
#define AG_UNARY_ENUM(name, Name, ...) Name,
  AG_UNARY_FLOAT_OPS(AG_UNARY_ENUM) AG_UNARY_NN_OPS(AG_UNARY_ENUM)
#undef AG_UNARY_ENUM
      LeakyRelu,  // arg0 = negative_slope
  Elu,            // arg0 = alpha
  Gelu,
  GeluTanh,
  Silu,
  Softplus,  // arg0 = beta, arg1 = threshold
  // Predicates: any input dtype, bool output.
  LogicalNot,
  IsNan,
  IsInf,
  IsFinite,
};

// Elementwise ops of three inputs; out and the inputs share one dtype.
enum class TernaryOp : uint8_t {
  Clamp,  // minimum(maximum(a, b), c), NaN propagating
  Lerp,   // a + c * (b - a), floating point only
};

inline bool is_comparison(BinaryOp op) {
  return op >= BinaryOp::Eq;
}
inline bool is_floating_only(UnaryOp op) {
  return op > UnaryOp::Trunc && op <= UnaryOp::Softplus;
}
inline bool is_predicate(UnaryOp op) {
  return op >= UnaryOp::LogicalNot;
}

// out = op(a, b). a and b share out's dtype (the bool output of comparisons
// aside) and broadcast to out's shape; out may alias a (in-place ops).
void binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out,
            const Scalar& alpha = Scalar(int64_t{1}));
// out = cond ? a : b, all broadcast to out's shape; cond is bool.
void where(const Tensor& cond, const Tensor& a, const Tensor& b,
           const Tensor& out);
// out = op(in), with in of out's dtype (bool out for predicates) and shape;
// out may alias in. arg0 and arg1 parameterise the activations.
void unary(UnaryOp op, const Tensor& in, const Tensor& out, double arg0 = 0.0,
           double arg1 = 0.0);
// out = op(a, b, c), all of out's dtype and broadcast to its shape.
void ternary(TernaryOp op, const Tensor& a, const Tensor& b, const Tensor& c,
             const Tensor& out);

// The instruction set the hot kernels run with: "AVX2" or "DEFAULT".
std::string cpu_capability();

// dst = src, converting dtypes; src broadcasts to dst's shape.
void copy(const Tensor& src, const Tensor& dst);
void fill(const Tensor& dst, const Scalar& value);

// Folds `in` over the dims where out has size 1 and in does not. out has
// in's rank (keepdim layout) and is contiguous; its dtype is in's (bool for
// All/Any). Max/Min propagate NaN.
// SumSquares: the sum of each value squared in its own dtype (a 2-norm's
// square, overflowing as PyTorch's does).
enum class ReduceOp : uint8_t { Sum, Prod, Max, Min, All, Any, SumSquares };
void reduce(ReduceOp op, const Tensor& in, const Tensor& out);
inline void sum(const Tensor& in, const Tensor& out) {
  reduce(ReduceOp::Sum, in, out);
}
// Along `dim` of a contiguous tensor: the first position of the max (min)
// into `indices` (int64) and its value into `values` (may be undefined).
// Both outputs have in's shape without `dim`, contiguous.
void arg_extremum(bool is_max, const Tensor& in, int64_t dim,
                  const Tensor& values, const Tensor& indices);
// Running sums along `dim` (from the end when reverse), contiguous operands.
void cumsum(const Tensor& in, int64_t dim, bool reverse, const Tensor& out);

// out = a @ b for 2-D (or batched 3-D with equal batch) float tensors.
// out must be contiguous; a and b may be transposed views.
void matmul(const Tensor& a, const Tensor& b, const Tensor& out);

// The BLAS library's own thread count. Products run BLAS on one thread and
// split the work across the kernel pool instead (cpu/matmul.cpp).
void set_blas_threads(int n);

// Random fills from `gen` (null: the default generator), drawn as PyTorch's
// CPU kernels draw them (more in random.h).
void uniform(const Tensor& dst, double low, double high,
             Generator* gen = nullptr);
void normal(const Tensor& dst, double mean, double stddev,
            Generator* gen = nullptr);
void random_int(const Tensor& dst, int64_t low, int64_t high,
                Generator* gen = nullptr);
void manual_seed(uint64_t seed);
uint64_t initial_seed();

}  // namespace ag::kernels
