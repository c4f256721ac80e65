#pragma once

// Optimizer updates: one fused elementwise pass per parameter, in the same
// order of floating-point operations as PyTorch's single-tensor
// implementations, so results match it closely. No graph is built.

#include <cstdint>

#include "core/tensor.h"

namespace ag::kernels {

struct SgdOptions {
  double lr = 0.0, momentum = 0.0, dampening = 0.0, weight_decay = 0.0;
  bool nesterov = false, maximize = false;
};
// `momentum_buffer` is undefined when momentum == 0; `first_step` says the
// buffer is to be initialised from this gradient.
void sgd_step(const Tensor& param, const Tensor& grad,
              const Tensor& momentum_buffer, bool first_step,
              const SgdOptions& o);

struct AdamOptions {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.0;
  bool amsgrad = false, maximize = false;
  bool decoupled_weight_decay = false;  // AdamW
};
// `step` is the step number after this update (1 on the first call).
void adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
               const Tensor& exp_avg_sq, const Tensor& max_exp_avg_sq,
               int64_t step, const AdamOptions& o);

struct RmspropOptions {
  double lr = 1e-2, alpha = 0.99, eps = 1e-8, weight_decay = 0.0,
         momentum = 0.0;
  bool centered = false, maximize = false;
};
void rmsprop_step(const Tensor& param, const Tensor& grad,
                  const Tensor& square_avg, const Tensor& momentum_buffer,
                  const Tensor& grad_avg, const RmspropOptions& o);

}  // namespace ag::kernels
