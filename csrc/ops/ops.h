#pragma once

// The public, differentiable tensor ops: what the Python bindings call and
// what C++ users program against. Every op here records its backward node
// when grad mode is on and an input requires grad.

#include <optional>
#include <vector>

#include "core/scalar.h"
#include "core/tensor.h"

namespace ag::ops {

using IntList = std::vector<int64_t>;

// ---- type promotion ---------------------------------------------------------
DType result_type(const Tensor& a, const Tensor& b);

// ---- factories (factories.cpp) ----------------------------------------------
Tensor empty(const Shape& sizes, DType dtype);
Tensor zeros(const Shape& sizes, DType dtype);
Tensor ones(const Shape& sizes, DType dtype);
Tensor full(const Shape& sizes, const Scalar& value, DType dtype);
Tensor eye(int64_t n, int64_t m, DType dtype);
Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step,
              std::optional<DType> dtype);
Tensor linspace(double start, double end, int64_t steps, DType dtype);
Tensor rand(const Shape& sizes, DType dtype);
Tensor randn(const Shape& sizes, DType dtype);
Tensor randint(int64_t low, int64_t high, const Shape& sizes, DType dtype);
// A contiguous tensor holding a copy of `count` values of dtype at `data`.
Tensor from_buffer(const void* data, const Shape& sizes, DType dtype);

// ---- arithmetic (arithmetic.cpp) --------------------------------------------
Tensor add(const Tensor& self, const Tensor& other,
           const Scalar& alpha = Scalar(int64_t{1}));
Tensor sub(const Tensor& self, const Tensor& other,
           const Scalar& alpha = Scalar(int64_t{1}));
// other - alpha * self, for Python's reflected `2 - x`.
Tensor rsub(const Tensor& self, const Scalar& other,
            const Scalar& alpha = Scalar(int64_t{1}));
Tensor mul(const Tensor& self, const Tensor& other);
Tensor div(const Tensor& self, const Tensor& other);
Tensor neg(const Tensor& self);
Tensor pow(const Tensor& self, const Tensor& exponent);
Tensor pow(const Tensor& self, const Scalar& exponent);
Tensor pow(const Scalar& self, const Tensor& exponent);

// In place: these write into self, bump its version and rewrite its history.
Tensor& add_(Tensor& self, const Tensor& other,
             const Scalar& alpha = Scalar(int64_t{1}));
Tensor& sub_(Tensor& self, const Tensor& other,
             const Scalar& alpha = Scalar(int64_t{1}));
Tensor& mul_(Tensor& self, const Tensor& other);
Tensor& div_(Tensor& self, const Tensor& other);

// cond ? self : other elementwise (cond is bool), differentiable in both.
Tensor where(const Tensor& cond, const Tensor& self, const Tensor& other);

// ---- comparisons (comparison.cpp): bool results, never differentiable ------
Tensor eq(const Tensor& self, const Tensor& other);
Tensor ne(const Tensor& self, const Tensor& other);
Tensor lt(const Tensor& self, const Tensor& other);
Tensor le(const Tensor& self, const Tensor& other);
Tensor gt(const Tensor& self, const Tensor& other);
Tensor ge(const Tensor& self, const Tensor& other);

// ---- unary math (unary.cpp) -------------------------------------------------
Tensor exp(const Tensor& self);
Tensor log(const Tensor& self);
Tensor log1p(const Tensor& self);
Tensor sqrt(const Tensor& self);
Tensor sin(const Tensor& self);
Tensor cos(const Tensor& self);
Tensor tanh(const Tensor& self);
Tensor abs(const Tensor& self);
Tensor sign(const Tensor& self);

// ---- activations (activation.cpp) -------------------------------------------
Tensor relu(const Tensor& self);
Tensor sigmoid(const Tensor& self);

// ---- reductions (reduce.cpp) ------------------------------------------------
Tensor sum(const Tensor& self, std::optional<DType> dtype = std::nullopt);
Tensor sum(const Tensor& self, const IntList& dims, bool keepdim,
           std::optional<DType> dtype = std::nullopt);
Tensor mean(const Tensor& self, std::optional<DType> dtype = std::nullopt);
Tensor mean(const Tensor& self, const IntList& dims, bool keepdim,
            std::optional<DType> dtype = std::nullopt);
// Vector p-norm over all elements or `dims` (p = 2 by default).
Tensor norm(const Tensor& self, double p, const IntList& dims, bool keepdim);
// Sums a broadcast tensor back down to `shape`.
Tensor sum_to(const Tensor& self, const Shape& shape);

// ---- shape and views (view.cpp) ---------------------------------------------
Tensor view(const Tensor& self, const Shape& sizes);
Tensor reshape(const Tensor& self, const Shape& sizes);
Tensor transpose(const Tensor& self, int64_t dim0, int64_t dim1);
Tensor t(const Tensor& self);
Tensor permute(const Tensor& self, const IntList& dims);
Tensor squeeze(const Tensor& self);
Tensor squeeze(const Tensor& self, const IntList& dims);
Tensor unsqueeze(const Tensor& self, int64_t dim);
Tensor expand(const Tensor& self, const Shape& sizes);
Tensor flatten(const Tensor& self, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor select(const Tensor& self, int64_t dim, int64_t index);
Tensor slice(const Tensor& self, int64_t dim, std::optional<int64_t> start,
             std::optional<int64_t> end, int64_t step);
Tensor as_strided(const Tensor& self, const Shape& sizes, const Shape& strides,
                  int64_t storage_offset);

// One item of a basic index expression: x[1, 2:5:2, None, ...].
struct TensorIndex {
  enum class Kind { Integer, Slice, None, Ellipsis };
  Kind kind = Kind::None;
  int64_t integer = 0;
  std::optional<int64_t> start, stop;
  int64_t step = 1;
};
Tensor index(const Tensor& self, const std::vector<TensorIndex>& indices);
// self[indices] = value (value broadcast to the indexed view).
void index_put_(Tensor& self, const std::vector<TensorIndex>& indices,
                const Tensor& value);

// ---- copies and conversions (copy.cpp) --------------------------------------
Tensor clone(const Tensor& self);
Tensor contiguous(const Tensor& self);
Tensor to(const Tensor& self, DType dtype, bool copy = false);
Tensor detach(const Tensor& self);
Tensor& copy_(Tensor& self, const Tensor& src);
Tensor& fill_(Tensor& self, const Scalar& value);
Tensor& zero_(Tensor& self);

// ---- linear algebra (linalg.cpp) --------------------------------------------
Tensor mm(const Tensor& self, const Tensor& mat2);
Tensor bmm(const Tensor& self, const Tensor& mat2);
Tensor mv(const Tensor& self, const Tensor& vec);
Tensor dot(const Tensor& self, const Tensor& other);
Tensor matmul(const Tensor& self, const Tensor& other);

// ---- losses (loss.cpp) ------------------------------------------------------
enum class Reduction { None, Mean, Sum };
Tensor binary_cross_entropy_with_logits(const Tensor& self,
                                        const Tensor& target,
                                        const Tensor& weight,
                                        const Tensor& pos_weight,
                                        Reduction reduction);

}  // namespace ag::ops

namespace ag {
// C++ operator sugar over the ops above.
inline Tensor operator+(const Tensor& a, const Tensor& b) {
  return ops::add(a, b);
}
inline Tensor operator-(const Tensor& a, const Tensor& b) {
  return ops::sub(a, b);
}
inline Tensor operator*(const Tensor& a, const Tensor& b) {
  return ops::mul(a, b);
}
inline Tensor operator/(const Tensor& a, const Tensor& b) {
  return ops::div(a, b);
}
inline Tensor operator-(const Tensor& a) {
  return ops::neg(a);
}
inline Tensor operator+(const Tensor& a, const Scalar& b) {
  return ops::add(a, wrap_scalar(b));
}
inline Tensor operator-(const Tensor& a, const Scalar& b) {
  return ops::sub(a, wrap_scalar(b));
}
inline Tensor operator*(const Tensor& a, const Scalar& b) {
  return ops::mul(a, wrap_scalar(b));
}
inline Tensor operator/(const Tensor& a, const Scalar& b) {
  return ops::div(a, wrap_scalar(b));
}
}  // namespace ag
