#pragma once

// Copies, conversions and in-place writers (copy.cpp)

#include <optional>
#include <vector>

#include "core/scalar.h"
#include "core/tensor.h"
#include "ops/common.h"

namespace ag::ops {

Tensor clone(const Tensor& self);
Tensor contiguous(const Tensor& self);
Tensor to(const Tensor& self, DType dtype, bool copy = false);
Tensor detach(const Tensor& self);
Tensor& detach_(Tensor& self);
Tensor& copy_(Tensor& self, const Tensor& src);
Tensor& fill_(Tensor& self, const Scalar& value);
// A 0-d tensor's value (PyTorch's fill_.Tensor).
Tensor& fill_(Tensor& self, const Tensor& value);
Tensor& zero_(Tensor& self);

}  // namespace ag::ops
