#pragma once

// ag::optim: the optimizers of torch.optim for C++ users. Each step is the
// same fused update the Python classes run, so the same gradients give the
// same parameters bit for bit. Options chain in libtorch's style:
//   ag::optim::Adam opt(model.parameters(),
//                       ag::optim::AdamOptions(1e-3).weight_decay(1e-4));

#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace ag::optim {

// A chainable option: `AdamOptions(1e-3).betas(0.9, 0.99)` (also used by
// lr_scheduler.h).
#define AG_OPTIM_OPTION(Options, type, name) \
  Options& name(type value) {                \
    name##_ = value;                         \
    return *this;                            \
  }                                          \
  type name() const {                        \
    return name##_;                          \
  }                                          \
  type name##_

class Optimizer {
 public:
  explicit Optimizer(std::vector<Tensor> params);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient (others are skipped,
  // as in PyTorch).
  virtual void step() = 0;
  // Sets every parameter's grad to undefined (set_to_none=True).
  void zero_grad();
  const std::vector<Tensor>& parameters() const { return params_; }

  // The learning rate (param_groups[0]["lr"]), which the schedulers of
  // lr_scheduler.h set; and what OneCycleLR cycles as the momentum: SGD's
  // and RMSprop's momentum, Adam's beta1.
  virtual double lr() const = 0;
  virtual void set_lr(double lr) = 0;
  virtual double momentum() const = 0;
  virtual void set_momentum(double momentum) = 0;

 protected:
  // The parameters that received a gradient, in the form the fused updates
  // take them: a step gathers these and their state, and makes one call.
  struct Batch {
    std::vector<size_t> index;  // into params_
    std::vector<Tensor> params, grads;
  };
  Batch with_grads() const;
  // state[i] for each parameter i of the batch; with `create`, an undefined
  // entry first becomes zeros of its parameter's shape and dtype.
  std::vector<Tensor> gather(std::vector<Tensor>& state, const Batch& batch,
                             bool create) const;

  std::vector<Tensor> params_;
};

struct SGDOptions {
  explicit SGDOptions(double lr) : lr_(lr) {}
  AG_OPTIM_OPTION(SGDOptions, double, lr);
  AG_OPTIM_OPTION(SGDOptions, double, momentum) = 0.0;
  AG_OPTIM_OPTION(SGDOptions, double, dampening) = 0.0;
  AG_OPTIM_OPTION(SGDOptions, double, weight_decay) = 0.0;
  AG_OPTIM_OPTION(SGDOptions, bool, nesterov) = false;
  AG_OPTIM_OPTION(SGDOptions, bool, maximize) = false;
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, SGDOptions options);
  void step() override;
  SGDOptions& options() { return options_; }
  double lr() const override { return options_.lr(); }
  void set_lr(double lr) override { options_.lr(lr); }
  double momentum() const override { return options_.momentum(); }
  void set_momentum(double momentum) override { options_.momentum(momentum); }

 private:
  SGDOptions options_;
  std::vector<Tensor> momentum_buffers_;  // undefined until first used
};

struct AdamOptions {
  explicit AdamOptions(double lr = 1e-3) : lr_(lr) {}
  AG_OPTIM_OPTION(AdamOptions, double, lr);
  AG_OPTIM_OPTION(AdamOptions, double, beta1) = 0.9;
  AG_OPTIM_OPTION(AdamOptions, double, beta2) = 0.999;
  AG_OPTIM_OPTION(AdamOptions, double, eps) = 1e-8;
  AG_OPTIM_OPTION(AdamOptions, double, weight_decay) = 0.0;
  AG_OPTIM_OPTION(AdamOptions, bool, amsgrad) = false;
  AG_OPTIM_OPTION(AdamOptions, bool, maximize) = false;
  AdamOptions& betas(double beta1, double beta2) {
    return this->beta1(beta1).beta2(beta2);
  }
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, AdamOptions options = AdamOptions());
  void step() override;
  AdamOptions& options() { return options_; }
  double lr() const override { return options_.lr(); }
  void set_lr(double lr) override { options_.lr(lr); }
  double momentum() const override { return options_.beta1(); }
  void set_momentum(double momentum) override { options_.beta1(momentum); }
  // The number of steps parameter i has taken.
  int64_t step_count(size_t i) const { return steps_.at(i); }

 protected:
  Adam(std::vector<Tensor> params, AdamOptions options, bool decoupled);

 private:
  AdamOptions options_;
  bool decoupled_;
  std::vector<Tensor> exp_avg_, exp_avg_sq_, max_exp_avg_sq_;
  std::vector<int64_t> steps_;
};

// Adam with decoupled weight decay (default 1e-2, as torch.optim.AdamW).
struct AdamWOptions : AdamOptions {
  explicit AdamWOptions(double lr = 1e-3) : AdamOptions(lr) {
    weight_decay(1e-2);
  }
};

class AdamW : public Adam {
 public:
  // AdamOptions too, so chained AdamWOptions(lr).amsgrad(true) (whose
  // setters return AdamOptions&) keep AdamW's weight decay default.
  AdamW(std::vector<Tensor> params, AdamOptions options = AdamWOptions())
      : Adam(std::move(params), options, true) {}
};

struct RMSpropOptions {
  explicit RMSpropOptions(double lr = 1e-2) : lr_(lr) {}
  AG_OPTIM_OPTION(RMSpropOptions, double, lr);
  AG_OPTIM_OPTION(RMSpropOptions, double, alpha) = 0.99;
  AG_OPTIM_OPTION(RMSpropOptions, double, eps) = 1e-8;
  AG_OPTIM_OPTION(RMSpropOptions, double, weight_decay) = 0.0;
  AG_OPTIM_OPTION(RMSpropOptions, double, momentum) = 0.0;
  AG_OPTIM_OPTION(RMSpropOptions, bool, centered) = false;
  AG_OPTIM_OPTION(RMSpropOptions, bool, maximize) = false;
};

class RMSprop : public Optimizer {
 public:
  RMSprop(std::vector<Tensor> params,
          RMSpropOptions options = RMSpropOptions());
  void step() override;
  RMSpropOptions& options() { return options_; }
  double lr() const override { return options_.lr(); }
  void set_lr(double lr) override { options_.lr(lr); }
  double momentum() const override { return options_.momentum(); }
  void set_momentum(double momentum) override { options_.momentum(momentum); }

 private:
  RMSpropOptions options_;
  std::vector<Tensor> square_avg_, momentum_buffer_, grad_avg_;
};

}  // namespace ag::optim
