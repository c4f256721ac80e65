#pragma once

// Loss functions (loss.cpp)

#include <optional>
#include <vector>

#include "core/scalar.h"
#include "core/tensor.h"
#include "ops/common.h"

namespace ag::ops {

Tensor binary_cross_entropy_with_logits(const Tensor& self,
                                        const Tensor& target,
                                        const Tensor& weight,
                                        const Tensor& pos_weight,
                                        Reduction reduction);
Tensor binary_cross_entropy(const Tensor& self, const Tensor& target,
                            const Tensor& weight, Reduction reduction);
// Class-index targets (int64) of input (C), (N, C) or (N, C, d1, ...);
// entries equal to ignore_index contribute nothing.
Tensor nll_loss(const Tensor& self, const Tensor& target, const Tensor& weight,
                Reduction reduction, int64_t ignore_index);
// Targets are class indices, or class probabilities when target has the
// input's shape.
Tensor cross_entropy(const Tensor& self, const Tensor& target,
                     const Tensor& weight, Reduction reduction,
                     int64_t ignore_index, double label_smoothing);
Tensor mse_loss(const Tensor& self, const Tensor& target, Reduction reduction);
Tensor l1_loss(const Tensor& self, const Tensor& target, Reduction reduction);
Tensor smooth_l1_loss(const Tensor& self, const Tensor& target,
                      Reduction reduction, double beta);

}  // namespace ag::ops
