#pragma once

// Optimizer updates (optim.cpp): each call updates a group of parameters in
// place, one fused pass per parameter, outside the graph. Parameters' version
// counters advance as for any in-place write. Gradients, parameters and
// state tensors must be contiguous and of one floating dtype per parameter.

#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace ag::ops {

struct SgdOptions {
  double lr = 1e-3, momentum = 0.0, dampening = 0.0, weight_decay = 0.0;
  bool nesterov = false, maximize = false;
};
// momentum_buffers[i] is undefined when momentum == 0; first_step[i] says
// buffer i is to be initialised from this gradient.
void sgd_step(const std::vector<Tensor>& params,
              const std::vector<Tensor>& grads,
              const std::vector<Tensor>& momentum_buffers,
              const std::vector<bool>& first_step, const SgdOptions& options);

struct AdamOptions {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.0;
  bool amsgrad = false, maximize = false;
  bool decoupled_weight_decay = false;  // AdamW
};
// steps[i] is parameter i's step number after this update (1 at first);
// max_exp_avg_sqs[i] is undefined unless amsgrad.
void adam_step(const std::vector<Tensor>& params,
               const std::vector<Tensor>& grads,
               const std::vector<Tensor>& exp_avgs,
               const std::vector<Tensor>& exp_avg_sqs,
               const std::vector<Tensor>& max_exp_avg_sqs,
               const std::vector<int64_t>& steps, const AdamOptions& options);

// The same, reading each parameter's step number from a one-element tensor
// (the optimizer's state["step"]), so a captured step replays with the
// current count.
void adam_step(const std::vector<Tensor>& params,
               const std::vector<Tensor>& grads,
               const std::vector<Tensor>& exp_avgs,
               const std::vector<Tensor>& exp_avg_sqs,
               const std::vector<Tensor>& max_exp_avg_sqs,
               const std::vector<Tensor>& steps, const AdamOptions& options);

struct RmspropOptions {
  double lr = 1e-2, alpha = 0.99, eps = 1e-8, weight_decay = 0.0,
         momentum = 0.0;
  bool centered = false, maximize = false;
};
// momentum_buffers[i] is undefined when momentum == 0, grad_avgs[i] unless
// centered.
void rmsprop_step(const std::vector<Tensor>& params,
                  const std::vector<Tensor>& grads,
                  const std::vector<Tensor>& square_avgs,
                  const std::vector<Tensor>& momentum_buffers,
                  const std::vector<Tensor>& grad_avgs,
                  const RmspropOptions& options);

}  // namespace ag::ops
