#include "ops/optim.h"

#include <initializer_list>
#include <string>

#include "core/error.h"
#include "kernels/optim.h"

namespace ag::ops {

namespace {

// Every list holds one entry per parameter.
void check_group(const char* step, size_t n,
                 std::initializer_list<size_t> sizes) {
  for (size_t s : sizes) {
    AG_CHECK(s == n, step, ": expected ", n,
             " entries per list (one per parameter), got ", s);
  }
}

void check_defined(const char* step, const std::vector<Tensor>& tensors,
                   const char* what) {
  for (const Tensor& t : tensors) {
    AG_CHECK(t.defined(), step, ": every ", what, " must be a tensor");
  }
}

}  // namespace

void sgd_step(const std::vector<Tensor>& params,
              const std::vector<Tensor>& grads,
              const std::vector<Tensor>& momentum_buffers,
              const std::vector<bool>& first_step, const SgdOptions& options) {
  check_group("SGD.step", params.size(),
              {grads.size(), momentum_buffers.size(), first_step.size()});
  check_defined("SGD.step", params, "parameter");
  check_defined("SGD.step", grads, "gradient");
  const kernels::SgdOptions o{options.lr,        options.momentum,
                              options.dampening, options.weight_decay,
                              options.nesterov,  options.maximize};
  for (size_t i = 0; i < params.size(); ++i) {
    AG_CHECK(options.momentum == 0.0 || momentum_buffers[i].defined(),
             "SGD.step: momentum needs a buffer per parameter");
    kernels::sgd_step(params[i], grads[i], momentum_buffers[i], first_step[i],
                      o);
    params[i].impl()->bump_version("SGD.step");
  }
}

void adam_step(const std::vector<Tensor>& params,
               const std::vector<Tensor>& grads,
               const std::vector<Tensor>& exp_avgs,
               const std::vector<Tensor>& exp_avg_sqs,
               const std::vector<Tensor>& max_exp_avg_sqs,
               const std::vector<int64_t>& steps, const AdamOptions& options) {
  const char* name =
      options.decoupled_weight_decay ? "AdamW.step" : "Adam.step";
  check_group(name, params.size(),
              {grads.size(), exp_avgs.size(), exp_avg_sqs.size(),
               max_exp_avg_sqs.size(), steps.size()});
  check_defined(name, params, "parameter");
  check_defined(name, grads, "gradient");
  check_defined(name, exp_avgs, "exp_avg");
  check_defined(name, exp_avg_sqs, "exp_avg_sq");
  const kernels::AdamOptions o{
      options.lr,           options.beta1,
      options.beta2,        options.eps,
      options.weight_decay, options.amsgrad,
      options.maximize,     options.decoupled_weight_decay};
  for (size_t i = 0; i < params.size(); ++i) {
    kernels::adam_step(params[i], grads[i], exp_avgs[i], exp_avg_sqs[i],
                       max_exp_avg_sqs[i], steps[i], o);
    params[i].impl()->bump_version(name);
  }
}

void rmsprop_step(const std::vector<Tensor>& params,
                  const std::vector<Tensor>& grads,
                  const std::vector<Tensor>& square_avgs,
                  const std::vector<Tensor>& momentum_buffers,
                  const std::vector<Tensor>& grad_avgs,
                  const RmspropOptions& options) {
  check_group("RMSprop.step", params.size(),
              {grads.size(), square_avgs.size(), momentum_buffers.size(),
               grad_avgs.size()});
  check_defined("RMSprop.step", params, "parameter");
  check_defined("RMSprop.step", grads, "gradient");
  check_defined("RMSprop.step", square_avgs, "square_avg");
  const kernels::RmspropOptions o{
      options.lr,       options.alpha,    options.eps,     options.weight_decay,
      options.momentum, options.centered, options.maximize};
  for (size_t i = 0; i < params.size(); ++i) {
    AG_CHECK(options.momentum == 0.0 || momentum_buffers[i].defined(),
             "RMSprop.step: momentum needs a buffer per parameter");
    AG_CHECK(!options.centered || grad_avgs[i].defined(),
             "RMSprop.step: centered needs a grad_avg per parameter");
    kernels::rmsprop_step(params[i], grads[i], square_avgs[i],
                          momentum_buffers[i], grad_avgs[i], o);
    params[i].impl()->bump_version("RMSprop.step");
  }
}

}  // namespace ag::ops
