#include "autograd_cpp/lr_scheduler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "core/error.h"

namespace ag::optim {

namespace {
constexpr double kPi = 3.14159265358979323846;
}  // namespace

LRScheduler::LRScheduler(Optimizer& optimizer)
    : optimizer_(optimizer), base_lr_(optimizer.lr()) {}

void LRScheduler::initial_step() {
  advance(true);
}

void LRScheduler::step() {
  advance(false);
}

void LRScheduler::advance(bool initial) {
  ++last_epoch_;
  optimizer_.set_lr(compute_lr(initial));
  last_lr_ = optimizer_.lr();
}

StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  AG_CHECK_AS(ValueError, step_size > 0,
              "StepLR: step_size must be positive, got ", step_size);
  initial_step();
}

double StepLR::compute_lr(bool) {
  const double lr = optimizer_.lr();
  if (last_epoch_ == 0 || last_epoch_ % step_size_ != 0) return lr;
  return lr * gamma_;
}

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones,
                         double gamma)
    : LRScheduler(optimizer),
      milestones_(std::move(milestones)),
      gamma_(gamma) {
  initial_step();
}

double MultiStepLR::compute_lr(bool) {
  const auto times =
      std::count(milestones_.begin(), milestones_.end(), last_epoch_);
  const double lr = optimizer_.lr();
  if (times == 0) return lr;
  return lr * std::pow(gamma_, static_cast<double>(times));
}

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma)
    : LRScheduler(optimizer), gamma_(gamma) {
  initial_step();
}

double ExponentialLR::compute_lr(bool initial) {
  return initial ? optimizer_.lr() : optimizer_.lr() * gamma_;
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t T_max,
                                     double eta_min)
    : LRScheduler(optimizer), t_max_(T_max), eta_min_(eta_min) {
  AG_CHECK_AS(ValueError, T_max > 0,
              "CosineAnnealingLR: T_max must be positive, got ", T_max);
  initial_step();
}

double CosineAnnealingLR::compute_lr(bool initial) {
  const double lr = optimizer_.lr();
  if (initial) return lr;
  const double t = static_cast<double>(t_max_);
  const double e = static_cast<double>(last_epoch_);
  // At the bottom of the cosine (epoch T_max + 1, 3 T_max + 1, ...) the
  // ratio below would divide by zero: the step back up is added instead.
  if ((last_epoch_ - 1 - t_max_) % (2 * t_max_) == 0) {
    return lr + (base_lr_ - eta_min_) * (1 - std::cos(kPi / t)) / 2;
  }
  return (1 + std::cos(kPi * e / t)) / (1 + std::cos(kPi * (e - 1) / t)) *
             (lr - eta_min_) +
         eta_min_;
}

LambdaLR::LambdaLR(Optimizer& optimizer,
                   std::function<double(int64_t)> lr_lambda)
    : LRScheduler(optimizer), lr_lambda_(std::move(lr_lambda)) {
  AG_CHECK_AS(TypeError, static_cast<bool>(lr_lambda_),
              "LambdaLR: lr_lambda is an empty function");
  initial_step();
}

double LambdaLR::compute_lr(bool) {
  return base_lr_ * lr_lambda_(last_epoch_);
}

OneCycleLR::OneCycleLR(Optimizer& optimizer, double max_lr, int64_t total_steps,
                       OneCycleLROptions options)
    : LRScheduler(optimizer), total_steps_(total_steps), options_(options) {
  AG_CHECK_AS(ValueError, total_steps > 0,
              "Expected positive integer total_steps, but got ", total_steps);
  const double pct = options.pct_start();
  AG_CHECK_AS(ValueError, pct >= 0 && pct <= 1,
              "Expected float between 0 and 1 pct_start, but got ", pct);
  const double initial_lr = max_lr / options.div_factor();
  const double min_lr = initial_lr / options.final_div_factor();
  const double total = static_cast<double>(total_steps);
  const double lo = options.base_momentum(), hi = options.max_momentum();
  if (options.three_phase()) {
    phases_ = {{pct * total - 1, initial_lr, max_lr, hi, lo},
               {2 * pct * total - 2, max_lr, initial_lr, lo, hi},
               {total - 1, initial_lr, min_lr, hi, hi}};
  } else {
    phases_ = {{pct * total - 1, initial_lr, max_lr, hi, lo},
               {total - 1, max_lr, min_lr, lo, hi}};
  }
  base_lr_ = initial_lr;
  if (options.cycle_momentum()) optimizer.set_momentum(hi);
  initial_step();
}

double OneCycleLR::anneal(double start, double end, double pct) const {
  if (options_.anneal_strategy() == AnnealStrategy::Linear) {
    return (end - start) * pct + start;
  }
  return end + (start - end) / 2.0 * (std::cos(kPi * pct) + 1);
}

double OneCycleLR::compute_lr(bool) {
  AG_CHECK_AS(ValueError, last_epoch_ <= total_steps_, "Tried to step ",
              last_epoch_, " times. The specified number of total steps is ",
              total_steps_);
  const double step = static_cast<double>(last_epoch_);
  double start_step = 0.0;
  for (size_t i = 0; i < phases_.size(); ++i) {
    const Phase& phase = phases_[i];
    if (step <= phase.end_step || i + 1 == phases_.size()) {
      const double pct = (step - start_step) / (phase.end_step - start_step);
      if (options_.cycle_momentum()) {
        optimizer_.set_momentum(
            anneal(phase.start_momentum, phase.end_momentum, pct));
      }
      return anneal(phase.start_lr, phase.end_lr, pct);
    }
    start_step = phase.end_step;
  }
  return optimizer_.lr();  // not reached: the last phase always matches
}

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, PlateauMode mode,
                                     double factor, int64_t patience,
                                     double threshold,
                                     ThresholdMode threshold_mode,
                                     int64_t cooldown, double min_lr,
                                     double eps)
    : optimizer_(optimizer),
      mode_(mode),
      factor_(factor),
      patience_(patience),
      threshold_(threshold),
      threshold_mode_(threshold_mode),
      cooldown_(cooldown),
      min_lr_(min_lr),
      eps_(eps),
      best_(mode == PlateauMode::Min
                ? std::numeric_limits<double>::infinity()
                : -std::numeric_limits<double>::infinity()),
      last_lr_(optimizer.lr()) {
  AG_CHECK_AS(ValueError, factor < 1.0, "Factor should be < 1.0.");
}

bool ReduceLROnPlateau::is_better(double a) const {
  const bool rel = threshold_mode_ == ThresholdMode::Rel;
  if (mode_ == PlateauMode::Min) {
    return rel ? a < best_ * (1.0 - threshold_) : a < best_ - threshold_;
  }
  return rel ? a > best_ * (threshold_ + 1.0) : a > best_ + threshold_;
}

void ReduceLROnPlateau::step(double metric) {
  ++last_epoch_;
  if (is_better(metric)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    ++num_bad_epochs_;
  }
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    num_bad_epochs_ = 0;  // bad epochs in the cooldown do not count
  }
  if (num_bad_epochs_ > patience_) {
    const double old_lr = optimizer_.lr();
    const double new_lr = std::max(old_lr * factor_, min_lr_);
    if (old_lr - new_lr > eps_) optimizer_.set_lr(new_lr);
    cooldown_counter_ = cooldown_;
    num_bad_epochs_ = 0;
  }
  last_lr_ = optimizer_.lr();
}

}  // namespace ag::optim
