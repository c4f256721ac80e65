#include "ops/optim.h"

#include <initializer_list>
#include <string>

#include "compile/capture.h"
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

// The lists of one optimizer call as one list of step inputs, and back.
TensorList optim_concat(std::initializer_list<const TensorList*> lists) {
  TensorList all;
  for (const TensorList* l : lists) all.insert(all.end(), l->begin(), l->end());
  return all;
}
TensorList optim_part(const TensorList& all, size_t n, size_t k) {
  return TensorList(all.begin() + static_cast<std::ptrdiff_t>(n * k),
                    all.begin() + static_cast<std::ptrdiff_t>(n * (k + 1)));
}

}  // namespace

void sgd_step(const std::vector<Tensor>& params,
              const std::vector<Tensor>& grads,
              const std::vector<Tensor>& momentum_buffers,
              const std::vector<bool>& first_step, const SgdOptions& options) {
  check_group("SGD.step", params.size(),
              {grads.size(), momentum_buffers.size(), first_step.size()});
  AG_CAPTURE_VOID(
      "sgd_step",
      ([n = params.size(), first_step, options](const TensorList& in) {
        sgd_step(optim_part(in, n, 0), optim_part(in, n, 1),
                 optim_part(in, n, 2), first_step, options);
        return TensorList{};
      }),
      optim_concat({&params, &grads, &momentum_buffers}))
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

void adam_step(const std::vector<Tensor>& params,
               const std::vector<Tensor>& grads,
               const std::vector<Tensor>& exp_avgs,
               const std::vector<Tensor>& exp_avg_sqs,
               const std::vector<Tensor>& max_exp_avg_sqs,
               const std::vector<Tensor>& steps, const AdamOptions& options) {
  check_group(options.decoupled_weight_decay ? "AdamW.step" : "Adam.step",
              params.size(),
              {grads.size(), exp_avgs.size(), exp_avg_sqs.size(),
               max_exp_avg_sqs.size(), steps.size()});
  AG_CAPTURE_VOID(
      "adam_step", ([n = params.size(), options](const TensorList& in) {
        adam_step(optim_part(in, n, 0), optim_part(in, n, 1),
                  optim_part(in, n, 2), optim_part(in, n, 3),
                  optim_part(in, n, 4), optim_part(in, n, 5), options);
        return TensorList{};
      }),
      optim_concat(
          {&params, &grads, &exp_avgs, &exp_avg_sqs, &max_exp_avg_sqs, &steps}))
  std::vector<int64_t> numbers;
  for (const Tensor& t : steps) {
    AG_CHECK(t.defined() && t.numel() == 1,
             "Adam.step: every step must be a one-element tensor");
    numbers.push_back(static_cast<int64_t>(t.item().to<double>()));
  }
  adam_step(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, numbers,
            options);
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
  AG_CAPTURE_VOID("rmsprop_step",
                  ([n = params.size(), options](const TensorList& in) {
                    rmsprop_step(optim_part(in, n, 0), optim_part(in, n, 1),
                                 optim_part(in, n, 2), optim_part(in, n, 3),
                                 optim_part(in, n, 4), options);
                    return TensorList{};
                  }),
                  optim_concat({&params, &grads, &square_avgs,
                                &momentum_buffers, &grad_avgs}))
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
