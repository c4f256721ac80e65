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
// The state tensors of a parameter start as zeros of its shape and dtype.
Tensor zeros_like(const Tensor& p) {
  return ops::zeros(p.sizes(), p.dtype());
}
}  // namespace

Optimizer::Optimizer(std::vector<Tensor> params) : params_(std::move(params)) {
  check_params(params_);
}

void Optimizer::zero_grad() {
  for (const Tensor& p : params_) p.set_grad(Tensor());
}

SGD::SGD(std::vector<Tensor> params, SGDOptions options)
    : Optimizer(std::move(params)),
      options_(options),
      momentum_buffers_(params_.size()) {
  AG_CHECK_AS(ValueError, options.lr() >= 0.0,
              "Invalid learning rate: ", options.lr());
  AG_CHECK_AS(ValueError, options.momentum() >= 0.0,
              "Invalid momentum value: ", options.momentum());
  AG_CHECK_AS(ValueError, options.weight_decay() >= 0.0,
              "Invalid weight_decay value: ", options.weight_decay());
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
  // One group of the parameters that received a gradient.
  std::vector<Tensor> params, grads, buffers;
  std::vector<bool> first;
  for (size_t i = 0; i < params_.size(); ++i) {
    Tensor g = params_[i].grad();
    if (!g.defined()) continue;
    first.push_back(o.momentum != 0 && !momentum_buffers_[i].defined());
    if (first.back()) momentum_buffers_[i] = zeros_like(params_[i]);
    params.push_back(params_[i]);
    grads.push_back(std::move(g));
    buffers.push_back(momentum_buffers_[i]);
  }
  if (!params.empty()) ops::sgd_step(params, grads, buffers, first, o);
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
  AG_CHECK_AS(ValueError, options.lr() >= 0.0,
              "Invalid learning rate: ", options.lr());
  AG_CHECK_AS(ValueError, options.eps() >= 0.0,
              "Invalid epsilon value: ", options.eps());
  AG_CHECK_AS(ValueError, options.beta1() >= 0.0 && options.beta1() < 1.0,
              "Invalid beta parameter at index 0: ", options.beta1());
  AG_CHECK_AS(ValueError, options.beta2() >= 0.0 && options.beta2() < 1.0,
              "Invalid beta parameter at index 1: ", options.beta2());
  AG_CHECK_AS(ValueError, options.weight_decay() >= 0.0,
              "Invalid weight_decay value: ", options.weight_decay());
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
  std::vector<Tensor> params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs;
  std::vector<int64_t> steps;
  for (size_t i = 0; i < params_.size(); ++i) {
    Tensor g = params_[i].grad();
    if (!g.defined()) continue;
    if (!exp_avg_[i].defined()) {
      exp_avg_[i] = zeros_like(params_[i]);
      exp_avg_sq_[i] = zeros_like(params_[i]);
      if (o.amsgrad) max_exp_avg_sq_[i] = zeros_like(params_[i]);
    }
    params.push_back(params_[i]);
    grads.push_back(std::move(g));
    exp_avgs.push_back(exp_avg_[i]);
    exp_avg_sqs.push_back(exp_avg_sq_[i]);
    max_exp_avg_sqs.push_back(max_exp_avg_sq_[i]);
    steps.push_back(++steps_[i]);
  }
  if (!params.empty()) {
    ops::adam_step(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps,
                   o);
  }
}

RMSprop::RMSprop(std::vector<Tensor> params, RMSpropOptions options)
    : Optimizer(std::move(params)),
      options_(options),
      square_avg_(params_.size()),
      momentum_buffer_(params_.size()),
      grad_avg_(params_.size()) {
  AG_CHECK_AS(ValueError, options.lr() >= 0.0,
              "Invalid learning rate: ", options.lr());
  AG_CHECK_AS(ValueError, options.eps() >= 0.0,
              "Invalid epsilon value: ", options.eps());
  AG_CHECK_AS(ValueError, options.momentum() >= 0.0,
              "Invalid momentum value: ", options.momentum());
  AG_CHECK_AS(ValueError, options.alpha() >= 0.0,
              "Invalid alpha value: ", options.alpha());
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
  std::vector<Tensor> params, grads, square_avgs, momentum_buffers, grad_avgs;
  for (size_t i = 0; i < params_.size(); ++i) {
    Tensor g = params_[i].grad();
    if (!g.defined()) continue;
    if (!square_avg_[i].defined()) {
      square_avg_[i] = zeros_like(params_[i]);
      if (o.momentum > 0) momentum_buffer_[i] = zeros_like(params_[i]);
      if (o.centered) grad_avg_[i] = zeros_like(params_[i]);
    }
    params.push_back(params_[i]);
    grads.push_back(std::move(g));
    square_avgs.push_back(square_avg_[i]);
    momentum_buffers.push_back(momentum_buffer_[i]);
    grad_avgs.push_back(grad_avg_[i]);
  }
  if (!params.empty()) {
    ops::rmsprop_step(params, grads, square_avgs, momentum_buffers, grad_avgs,
                      o);
  }
}

}  // namespace ag::optim
