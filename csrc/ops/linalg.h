#pragma once

// Matrix products, linear, einsum (linalg.cpp)

#include <optional>
#include <string>
#include <vector>

#include "core/scalar.h"
#include "core/tensor.h"
#include "ops/common.h"

namespace ag::ops {

Tensor mm(const Tensor& self, const Tensor& mat2);
Tensor bmm(const Tensor& self, const Tensor& mat2);
Tensor mv(const Tensor& self, const Tensor& vec);
Tensor dot(const Tensor& self, const Tensor& other);
Tensor matmul(const Tensor& self, const Tensor& other);
// self (n) x vec2 (m) -> (n, m); ger is its old name.
Tensor outer(const Tensor& self, const Tensor& vec2);
// beta * self + alpha * (mat1 @ mat2), self broadcast to the product's shape.
Tensor addmm(const Tensor& self, const Tensor& mat1, const Tensor& mat2,
             const Scalar& beta = Scalar(int64_t{1}),
             const Scalar& alpha = Scalar(int64_t{1}));
// input @ weight^T + bias (bias may be undefined).
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias);
// Einstein summation: "ij,jk->ik", "...ij,...jk", "ii->i", implicit output.
Tensor einsum(const std::string& equation, const TensorList& operands);

}  // namespace ag::ops
