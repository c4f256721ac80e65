#include "autograd_cpp/optim.h"

#include <cstdint>
#include <utility>
#include <vector>

#include "autograd/grad_mode.h"
#include "ops/ops.h"

namespace ag::optim {

namespace {
void check_params(const std::vector<Tensor>& params) {
  AG_CHECK_AS(ValueError, !params.empty(),
              "optimizer got an empty parameter list");
  for (const Tensor& p : params) {
    AG_CHECK_AS(TypeError, p.defined(),
                "optimizer can only optimize Tensors, but one of the params "
                "is an undefined Tensor");
    AG_CHECK_AS(ValueError, p.is_leaf(), "can't optimize a non-leaf Tensor");
  }
}
// torch.optim's ValueError for a hyperparameter out of range.
void check_option(bool valid, const char* what, double value) {
  AG_CHECK_AS(ValueError, valid, "Invalid ", what, ": ", value);
}
}  // namespace

Optimizer::Optimizer(std::vector<Tensor> params) : params_(std::move(params)) {
  check_params(params_);
}

void Optimizer::zero_grad() {
  for (const Tensor& p : params_) p.set_grad(Tensor());
}

Optimizer::Batch Optimizer::with_grads() const {
  Batch batch;
  for (size_t i = 0; i < params_.size(); ++i) {
    Tensor g = params_[i].grad();
    if (!g.defined()) continue;
    batch.index.push_back(i);
    batch.params.push_back(params_[i]);
    batch.grads.push_back(std::move(g));
  }
  return batch;
}

std::vector<Tensor> Optimizer::gather(std::vector<Tensor>& state,
                                      const Batch& batch, bool create) const {
  std::vector<Tensor> out;
  out.reserve(batch.index.size());
  for (size_t i : batch.index) {
    if (create && !state[i].defined()) {
      state[i] = ops::zeros(params_[i].sizes(), params_[i].dtype());
    }
    out.push_back(state[i]);
  }
  return out;
}

SGD::SGD(std::vector<Tensor> params, SGDOptions options)
    : Optimizer(std::move(params)),
      options_(options),
      momentum_buffers_(params_.size()) {
  check_option(options.lr() >= 0.0, "learning rate", options.lr());
  check_option(options.momentum() >= 0.0, "momentum value", options.momentum());
  check_option(options.weight_decay() >= 0.0, "weight_decay value",
               options.weight_decay());
  AG_CHECK_AS(ValueError,
              !options.nesterov() ||
                  (options.momentum() > 0 && options.dampening() == 0),
              "Nesterov momentum requires a momentum and zero dampening");
}

void SGD::step() {
  NoGradGuard no_grad;
  const ops::SgdOptions o{options_.lr(),        options_.momentum(),
                          options_.dampening(), options_.weight_decay(),
                          options_.nesterov(),  options_.maximize()};
  Batch batch = with_grads();
  if (batch.params.empty()) return;
  // A momentum buffer's first step copies the gradient instead of blending.
  std::vector<bool> first;
  for (size_t i : batch.index) {
    first.push_back(o.momentum != 0 && !momentum_buffers_[i].defined());
  }
  std::vector<Tensor> buffers =
      gather(momentum_buffers_, batch, o.momentum != 0);
  ops::sgd_step(batch.params, batch.grads, buffers, first, o);
}

Adam::Adam(std::vector<Tensor> params, AdamOptions options)
    : Adam(std::move(params), options, false) {}

Adam::Adam(std::vector<Tensor> params, AdamOptions options, bool decoupled)
    : Optimizer(std::move(params)),
      options_(options),
      decoupled_(decoupled),
      exp_avg_(params_.size()),
      exp_avg_sq_(params_.size()),
      max_exp_avg_sq_(params_.size()),
      steps_(params_.size(), 0) {
  check_option(options.lr() >= 0.0, "learning rate", options.lr());
  check_option(options.eps() >= 0.0, "epsilon value", options.eps());
  check_option(options.beta1() >= 0.0 && options.beta1() < 1.0,
               "beta parameter at index 0", options.beta1());
  check_option(options.beta2() >= 0.0 && options.beta2() < 1.0,
               "beta parameter at index 1", options.beta2());
  check_option(options.weight_decay() >= 0.0, "weight_decay value",
               options.weight_decay());
}

void Adam::step() {
  NoGradGuard no_grad;
  ops::AdamOptions o;
  o.lr = options_.lr();
  o.beta1 = options_.beta1();
  o.beta2 = options_.beta2();
  o.eps = options_.eps();
  o.weight_decay = options_.weight_decay();
  o.amsgrad = options_.amsgrad();
  o.maximize = options_.maximize();
  o.decoupled_weight_decay = decoupled_;
  Batch batch = with_grads();
  if (batch.params.empty()) return;
  std::vector<int64_t> steps;
  for (size_t i : batch.index) steps.push_back(++steps_[i]);
  ops::adam_step(batch.params, batch.grads, gather(exp_avg_, batch, true),
                 gather(exp_avg_sq_, batch, true),
                 gather(max_exp_avg_sq_, batch, o.amsgrad), steps, o);
}

RMSprop::RMSprop(std::vector<Tensor> params, RMSpropOptions options)
    : Optimizer(std::move(params)),
      options_(options),
      square_avg_(params_.size()),
      momentum_buffer_(params_.size()),
      grad_avg_(params_.size()) {
  check_option(options.lr() >= 0.0, "learning rate", options.lr());
  check_option(options.eps() >= 0.0, "epsilon value", options.eps());
  check_option(options.momentum() >= 0.0, "momentum value", options.momentum());
  check_option(options.alpha() >= 0.0, "alpha value", options.alpha());
}

void RMSprop::step() {
  NoGradGuard no_grad;
  ops::RmspropOptions o;
  o.lr = options_.lr();
  o.alpha = options_.alpha();
  o.eps = options_.eps();
  o.weight_decay = options_.weight_decay();
  o.momentum = options_.momentum();
  o.centered = options_.centered();
  o.maximize = options_.maximize();
  Batch batch = with_grads();
  if (batch.params.empty()) return;
  ops::rmsprop_step(batch.params, batch.grads, gather(square_avg_, batch, true),
                    gather(momentum_buffer_, batch, o.momentum > 0),
                    gather(grad_avg_, batch, o.centered), o);
}

}  // namespace ag::optim
