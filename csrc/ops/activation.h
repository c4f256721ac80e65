#pragma once

// Activation functions (activation.cpp)

#include <optional>
#include <vector>

#include "core/scalar.h"
#include "core/tensor.h"
#include "ops/common.h"

namespace ag::ops {

Tensor relu(const Tensor& self);
Tensor sigmoid(const Tensor& self);

}  // namespace ag::ops
