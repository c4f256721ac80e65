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
                                        const Tensor& weight = {},
                                        const Tensor& pos_weight = {},
                                        Reduction reduction = Reduction::Mean);
Tensor binary_cross_entropy(const Tensor& self, const Tensor& target,
                            const Tensor& weight = {},
                            Reduction reduction = Reduction::Mean);
// Class-index targets (int64) of input (C), (N, C) or (N, C, d1, ...);
// entries equal to ignore_index contribute nothing.
Tensor nll_loss(const Tensor& self, const Tensor& target,
                const Tensor& weight = {},
                Reduction reduction = Reduction::Mean,
                int64_t ignore_index = -100);
// Targets are class indices, or class probabilities when target has the
// input's shape.
Tensor cross_entropy(const Tensor& self, const Tensor& target,
                     const Tensor& weight = {},
                     Reduction reduction = Reduction::Mean,
                     int64_t ignore_index = -100, double label_smoothing = 0.0);
Tensor mse_loss(const Tensor& self, const Tensor& target,
                Reduction reduction = Reduction::Mean);
Tensor l1_loss(const Tensor& self, const Tensor& target,
               Reduction reduction = Reduction::Mean);
Tensor smooth_l1_loss(const Tensor& self, const Tensor& target,
                      Reduction reduction = Reduction::Mean, double beta = 1.0);

}  // namespace ag::ops
