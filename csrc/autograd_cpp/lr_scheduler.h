#pragma once

// ag::optim's learning rate schedulers, torch.optim.lr_scheduler's for one
// parameter group, with the same numbers. A scheduler sets its optimizer's
// learning rate when built (the schedule's value at epoch 0) and on each
// step(), which follows optimizer.step():
//   ag::optim::SGD opt(model.parameters(), ag::optim::SGDOptions(0.1));
//   ag::optim::StepLR sched(opt, /*step_size=*/30, /*gamma=*/0.1);
//   for (...) { ...; opt.step(); sched.step(); }

#include <cstdint>
#include <functional>
#include <vector>

#include "autograd_cpp/optim.h"

namespace ag::optim {

class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  // Advances one epoch and sets the optimizer's learning rate.
  void step();
  // The learning rate the last step (or the constructor) set.
  double get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }

 protected:
  explicit LRScheduler(Optimizer& optimizer);
  // Each scheduler's constructor ends with this: PyTorch's step to epoch 0.
  void initial_step();
  // The learning rate at last_epoch_ (PyTorch's get_lr); `initial` in the
  // constructor's step. Most schedules derive it from the current one.
  virtual double compute_lr(bool initial) = 0;

  Optimizer& optimizer_;
  double base_lr_;  // the learning rate when the scheduler was built
  int64_t last_epoch_ = -1;

 private:
  void advance(bool initial);
  double last_lr_ = 0.0;
};

// Multiplies the learning rate by gamma every step_size epochs.
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);

 protected:
  double compute_lr(bool initial) override;

 private:
  int64_t step_size_;
  double gamma_;
};

// Multiplies the learning rate by gamma at each milestone (by gamma ** n at a
// milestone listed n times).
class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones,
              double gamma = 0.1);

 protected:
  double compute_lr(bool initial) override;

 private:
  std::vector<int64_t> milestones_;
  double gamma_;
};

// Multiplies the learning rate by gamma every epoch.
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);

 protected:
  double compute_lr(bool initial) override;

 private:
  double gamma_;
};

// eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2, computed
// step by step as PyTorch does (past T_max the cosine climbs back).
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min = 0.0);

 protected:
  double compute_lr(bool initial) override;

 private:
  int64_t t_max_;
  double eta_min_;
};

// base_lr * lr_lambda(epoch).
class LambdaLR : public LRScheduler {
 public:
  LambdaLR(Optimizer& optimizer, std::function<double(int64_t)> lr_lambda);

 protected:
  double compute_lr(bool initial) override;

 private:
  std::function<double(int64_t)> lr_lambda_;
};

enum class AnnealStrategy { Cos, Linear };

struct OneCycleLROptions {
  AG_OPTIM_OPTION(OneCycleLROptions, double, pct_start) = 0.3;
  AG_OPTIM_OPTION(OneCycleLROptions, AnnealStrategy,
                  anneal_strategy) = AnnealStrategy::Cos;
  AG_OPTIM_OPTION(OneCycleLROptions, bool, cycle_momentum) = true;
  AG_OPTIM_OPTION(OneCycleLROptions, double, base_momentum) = 0.85;
  AG_OPTIM_OPTION(OneCycleLROptions, double, max_momentum) = 0.95;
  AG_OPTIM_OPTION(OneCycleLROptions, double, div_factor) = 25.0;
  AG_OPTIM_OPTION(OneCycleLROptions, double, final_div_factor) = 1e4;
  AG_OPTIM_OPTION(OneCycleLROptions, bool, three_phase) = false;
};

// The 1cycle policy over total_steps steps (step() once per batch): the
// learning rate climbs from max_lr / div_factor to max_lr and anneals to
// max_lr / div_factor / final_div_factor, the momentum moving the other way
// between max_momentum and base_momentum.
class OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(Optimizer& optimizer, double max_lr, int64_t total_steps,
             OneCycleLROptions options = OneCycleLROptions());

 protected:
  double compute_lr(bool initial) override;

 private:
  struct Phase {
    double end_step, start_lr, end_lr, start_momentum, end_momentum;
  };
  double anneal(double start, double end, double pct) const;
  int64_t total_steps_;
  OneCycleLROptions options_;
  std::vector<Phase> phases_;
};

enum class PlateauMode { Min, Max };
enum class ThresholdMode { Rel, Abs };

// Divides the learning rate by 1 / factor once the metric given to step()
// has not improved (by more than threshold) for more than `patience` steps;
// then waits `cooldown` steps before counting again.
class ReduceLROnPlateau {
 public:
  explicit ReduceLROnPlateau(Optimizer& optimizer,
                             PlateauMode mode = PlateauMode::Min,
                             double factor = 0.1, int64_t patience = 10,
                             double threshold = 1e-4,
                             ThresholdMode threshold_mode = ThresholdMode::Rel,
                             int64_t cooldown = 0, double min_lr = 0.0,
                             double eps = 1e-8);
  void step(double metric);
  double get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  int64_t num_bad_epochs() const { return num_bad_epochs_; }

 private:
  bool is_better(double a) const;
  Optimizer& optimizer_;
  PlateauMode mode_;
  double factor_;
  int64_t patience_;
  double threshold_;
  ThresholdMode threshold_mode_;
  int64_t cooldown_;
  double min_lr_, eps_;
  double best_;
  int64_t cooldown_counter_ = 0, num_bad_epochs_ = 0, last_epoch_ = 0;
  double last_lr_;
};

}  // namespace ag::optim
