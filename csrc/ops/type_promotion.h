#pragma once

// Type promotion: the dtype a binary op computes in (type_promotion.cpp)

#include <optional>
#include <vector>

#include "core/scalar.h"
#include "core/tensor.h"
#include "ops/common.h"

namespace ag::ops {

DType result_type(const Tensor& a, const Tensor& b);
DType result_type(const Tensor& a, const Tensor& b, const Tensor& c);

}  // namespace ag::ops
