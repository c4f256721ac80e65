// Several threads using the engine at once: independent graphs give the
// results they give one after another, gradients from several threads meet
// in one shared leaf without losing an update, and grad mode is per thread.
// Built with AUTOGRAD_CPP_SANITIZE=thread these also prove the absence of
// data races (bash .ci/sanitize thread; see the README).

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "autograd/autograd_meta.h"
#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "kernels/parallel.h"
#include "ops/ops.h"
#include "test_util.h"

namespace ag {
namespace {

using ::ag::testing::leaf;
using ::ag::testing::make_tensor;
using ::ag::testing::values_of;

constexpr int kThreads = 4;

// Runs fn(i) on kThreads threads released together, so they overlap.
template <typename Fn>
void run_together(Fn fn) {
  std::atomic<int> waiting{kThreads};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      waiting.fetch_sub(1);
      while (waiting.load() > 0) std::this_thread::yield();
      fn(i);
    });
  }
  for (auto& t : threads) t.join();
}

Tensor scalar(double v) {
  return wrap_scalar(Scalar(v));
}

// A few steps of gradient descent on a small two-layer net, starting from
// weights that depend on `seed`; returns the final weights and gradients.
std::vector<double> train(int seed) {
  std::vector<double> w1v(16 * 8), w2v(8);
  for (size_t i = 0; i < w1v.size(); ++i) w1v[i] = 0.01 * ((seed + i) % 17);
  for (size_t i = 0; i < w2v.size(); ++i) w2v[i] = 0.1 * ((seed * 3 + i) % 5);
  Tensor w1 = leaf(w1v, {16, 8});
  Tensor w2 = leaf(w2v, {8, 1});
  std::vector<double> xv(32 * 16);
  for (size_t i = 0; i < xv.size(); ++i) xv[i] = 0.05 * (i % 13) - 0.3;
  const Tensor x = make_tensor<double>(xv, {32, 16});
  for (int step = 0; step < 20; ++step) {
    const Tensor h = ops::tanh(ops::matmul(x, w1));
    const Tensor loss = ops::sum(ops::mul(ops::matmul(h, w2), scalar(0.5)));
    autograd::backward({loss}, {}, false, false);
    NoGradGuard no_grad;
    ops::sub_(w1, ops::mul(autograd::grad(w1), scalar(0.1)));
    ops::sub_(w2, ops::mul(autograd::grad(w2), scalar(0.1)));
  }
  std::vector<double> out = values_of<double>(w1);
  for (double v : values_of<double>(w2)) out.push_back(v);
  for (double v : values_of<double>(autograd::grad(w1))) out.push_back(v);
  return out;
}

TEST(Threads, IndependentGraphsMatchSerialRuns) {
  std::vector<std::vector<double>> serial;
  for (int i = 0; i < kThreads; ++i) serial.push_back(train(i));
  std::vector<std::vector<double>> parallel(kThreads);
  run_together([&](int i) { parallel[i] = train(i); });
  for (int i = 0; i < kThreads; ++i) EXPECT_EQ(parallel[i], serial[i]);
}

TEST(Threads, ConcurrentBackwardIntoOneLeafLosesNoUpdate) {
  // Each thread builds its own graphs on the shared leaf (creating its
  // accumulator concurrently) and adds i+1 per element and pass. The sums
  // are small integers, exact in any order.
  constexpr int kPasses = 200;
  Tensor w = leaf(std::vector<double>(64, 1.0), {64});
  run_together([&](int i) {
    const Tensor c = scalar(i + 1.0);
    for (int pass = 0; pass < kPasses; ++pass) {
      const Tensor loss = ops::sum(ops::mul(w, c));
      autograd::backward({loss}, {}, false, false);
    }
  });
  const double expected = kPasses * kThreads * (kThreads + 1) / 2.0;
  for (double g : values_of<double>(autograd::grad(w))) EXPECT_EQ(g, expected);
}

TEST(Threads, ConcurrentGradOfSharedGraphInputs) {
  // autograd::grad reads a shared leaf and a shared non-leaf from several
  // threads, each through its own graph, without touching .grad.
  Tensor w = leaf({1, 2, 3}, {3});
  const Tensor shared = ops::mul(w, w);  // built once, read by all
  std::vector<std::vector<double>> grads(kThreads);
  run_together([&](int i) {
    const Tensor y = ops::sum(ops::mul(shared, scalar(i + 1.0)));
    grads[i] =
        values_of<double>(autograd::grad({y}, {w}, {}, true, false, false)[0]);
  });
  for (int i = 0; i < kThreads; ++i) {
    const double k = i + 1.0;
    EXPECT_EQ(grads[i], (std::vector<double>{2 * k, 4 * k, 6 * k}));
  }
  EXPECT_FALSE(autograd::grad(w).defined());
}

TEST(Threads, GradModeIsPerThread) {
  Tensor x = leaf({1, 2}, {2});
  std::atomic<int> phase{0};
  bool recorded_elsewhere = false;
  std::thread other([&] {
    while (phase.load() != 1) std::this_thread::yield();
    // The main thread is inside no_grad now; this thread is not.
    recorded_elsewhere = autograd::requires_grad(ops::mul(x, scalar(2.0)));
    phase.store(2);
  });
  {
    NoGradGuard no_grad;
    phase.store(1);
    while (phase.load() != 2) std::this_thread::yield();
    EXPECT_FALSE(autograd::requires_grad(ops::mul(x, scalar(2.0))));
  }
  other.join();
  EXPECT_TRUE(recorded_elsewhere);
}

TEST(Threads, ResizedPoolRunsOnlyNewJobs) {
  // Workers started after a job must wait for the next one, not run a
  // chunk of the finished one (whose function is gone).
  const int before = kernels::get_num_threads();
  const Tensor x = ops::ones({1 << 20}, DType::Float64);
  for (int n : {2, 1, 3, 2}) {
    kernels::set_num_threads(n);
    EXPECT_EQ(ops::sum(ops::add(x, x)).item().to<double>(), 2.0 * (1 << 20));
  }
  kernels::set_num_threads(before);
}

}  // namespace
}  // namespace ag
