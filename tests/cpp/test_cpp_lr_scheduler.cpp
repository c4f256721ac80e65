// ag::optim's learning rate schedulers against PyTorch's numbers: each
// schedule below replays one of gen_lr_schedules.py's with the same optimizer
// and settings, and must give the learning rates (and OneCycleLR's momentum,
// and the trained parameter) that torch 2.13.0 gave, in data/lr_schedules.h.

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "autograd_cpp/autograd_cpp.h"
#include "data/lr_schedules.h"

namespace {

namespace optim = ag::optim;

ag::Tensor parameter() {
  return ag::tensor(std::vector<double>{1.0, -2.0}).requires_grad_();
}

void expect_close(const std::vector<double>& got,
                  const std::vector<double>& expected,
                  const std::string& what) {
  ASSERT_EQ(got.size(), expected.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got[i], expected[i], 1e-12 * std::abs(expected[i]) + 1e-15)
        << what << " at " << i;
  }
}

// The optimizer's learning rate after construction and after each of
// `steps` (optimizer step, scheduler step) pairs.
std::vector<double> lrs(optim::Optimizer& opt,
                        const std::function<void()>& scheduler_step,
                        size_t steps) {
  std::vector<double> out{opt.lr()};
  for (size_t i = 0; i < steps; ++i) {
    opt.step();
    scheduler_step();
    out.push_back(opt.lr());
  }
  return out;
}

TEST(LRScheduler, StepLR) {
  optim::SGD opt({parameter()}, optim::SGDOptions(0.1));
  optim::StepLR sched(opt, 3, 0.5);
  const auto& expected = lr_reference::step_lr_lr;
  expect_close(
      lrs(opt, [&] { sched.step(); }, expected.size() - 1), expected, "StepLR");
  EXPECT_EQ(sched.get_last_lr(), opt.lr());
  EXPECT_EQ(sched.last_epoch(), 10);
}

TEST(LRScheduler, MultiStepLR) {
  optim::SGD opt({parameter()}, optim::SGDOptions(0.1));
  optim::MultiStepLR sched(opt, {2, 5, 5, 8}, 0.1);
  const auto& expected = lr_reference::multi_step_lr_lr;
  expect_close(lrs(
                   opt, [&] { sched.step(); }, expected.size() - 1),
               expected, "MultiStepLR");
}

TEST(LRScheduler, ExponentialLR) {
  optim::Adam opt({parameter()}, optim::AdamOptions(0.01));
  optim::ExponentialLR sched(opt, 0.9);
  const auto& expected = lr_reference::exponential_lr_lr;
  expect_close(lrs(
                   opt, [&] { sched.step(); }, expected.size() - 1),
               expected, "ExponentialLR");
}

TEST(LRScheduler, CosineAnnealingLRPastTMax) {
  optim::SGD opt({parameter()}, optim::SGDOptions(0.1));
  optim::CosineAnnealingLR sched(opt, 4, 0.001);
  const auto& expected = lr_reference::cosine_annealing_lr_lr;
  expect_close(lrs(
                   opt, [&] { sched.step(); }, expected.size() - 1),
               expected, "CosineAnnealingLR");
}

TEST(LRScheduler, LambdaLR) {
  optim::SGD opt({parameter()}, optim::SGDOptions(0.1));
  optim::LambdaLR sched(opt, [](int64_t e) {
    return std::pow(0.95, static_cast<double>(e)) / (1.0 + e);
  });
  const auto& expected = lr_reference::lambda_lr_lr;
  expect_close(lrs(
                   opt, [&] { sched.step(); }, expected.size() - 1),
               expected, "LambdaLR");
}

TEST(LRScheduler, ReduceLROnPlateau) {
  optim::SGD opt({parameter()}, optim::SGDOptions(0.1));
  optim::ReduceLROnPlateau sched(opt, optim::PlateauMode::Min, 0.5, 2, 0.01,
                                 optim::ThresholdMode::Rel, 1, 0.02);
  const auto& metrics = lr_reference::plateau_metrics;
  size_t i = 0;
  expect_close(lrs(
                   opt, [&] { sched.step(metrics[i++]); }, metrics.size()),
               lr_reference::reduce_lr_on_plateau_lr, "ReduceLROnPlateau");
  EXPECT_EQ(sched.get_last_lr(), opt.lr());
}

TEST(LRScheduler, ReduceLROnPlateauMaxAbs) {
  optim::SGD opt({parameter()}, optim::SGDOptions(0.1));
  optim::ReduceLROnPlateau sched(opt, optim::PlateauMode::Max, 0.1, 1, 0.05,
                                 optim::ThresholdMode::Abs);
  const auto& metrics = lr_reference::plateau_max_metrics;
  size_t i = 0;
  expect_close(lrs(
                   opt, [&] { sched.step(metrics[i++]); }, metrics.size()),
               lr_reference::reduce_lr_on_plateau_max_abs_lr,
               "ReduceLROnPlateau max abs");
}

// OneCycleLR with SGD cycles the momentum too; the parameter, trained on
// sum(p ** 2) under the schedule, ends where PyTorch's did.
TEST(LRScheduler, OneCycleLRTrainsWithSgd) {
  ag::Tensor p = parameter();
  optim::SGD opt({p}, optim::SGDOptions(0.1).momentum(0.9));
  optim::OneCycleLR sched(opt, 1.0, 10);
  std::vector<double> got_lr{opt.lr()}, got_momentum{opt.momentum()},
      got_params;
  for (int i = 0; i < 10; ++i) {
    opt.zero_grad();
    p.pow(2).sum().backward();
    opt.step();
    sched.step();
    got_lr.push_back(opt.lr());
    got_momentum.push_back(opt.momentum());
    for (double v : ag::to_vector<double>(p)) got_params.push_back(v);
  }
  expect_close(got_lr, lr_reference::one_cycle_lr_sgd_lr, "OneCycleLR lr");
  expect_close(got_momentum, lr_reference::one_cycle_lr_sgd_momentum,
               "OneCycleLR momentum");
  expect_close(got_params, lr_reference::one_cycle_lr_sgd_params,
               "OneCycleLR parameters");
  EXPECT_THROW(sched.step(), ag::ValueError);  // step 11 of 10
}

TEST(LRScheduler, OneCycleLRThreePhaseLinearAdamBeta1) {
  optim::Adam opt({parameter()}, optim::AdamOptions(0.01));
  optim::OneCycleLR sched(opt, 0.01, 12,
                          optim::OneCycleLROptions()
                              .anneal_strategy(optim::AnnealStrategy::Linear)
                              .three_phase(true));
  std::vector<double> got_lr{opt.lr()}, got_beta1{opt.options().beta1()};
  for (int i = 0; i < 12; ++i) {
    opt.step();
    sched.step();
    got_lr.push_back(opt.lr());
    got_beta1.push_back(opt.options().beta1());
  }
  expect_close(got_lr, lr_reference::one_cycle_lr_adam_lr, "OneCycleLR lr");
  expect_close(got_beta1, lr_reference::one_cycle_lr_adam_momentum,
               "OneCycleLR beta1");
}

TEST(LRScheduler, BadSettingsThrowValueError) {
  optim::SGD opt({parameter()}, optim::SGDOptions(0.1));
  EXPECT_THROW(optim::StepLR(opt, 0), ag::ValueError);
  EXPECT_THROW(optim::CosineAnnealingLR(opt, 0), ag::ValueError);
  EXPECT_THROW(optim::OneCycleLR(opt, 1.0, 0), ag::ValueError);
  EXPECT_THROW(
      optim::OneCycleLR(opt, 1.0, 10, optim::OneCycleLROptions().pct_start(2)),
      ag::ValueError);
  EXPECT_THROW(optim::ReduceLROnPlateau(opt, optim::PlateauMode::Min, 1.0),
               ag::ValueError);
  EXPECT_THROW(optim::LambdaLR(opt, nullptr), ag::TypeError);
}

}  // namespace
