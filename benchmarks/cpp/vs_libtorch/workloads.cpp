// The same workloads written once against autograd_cpp's C++ API and
// libtorch's (their spellings agree; MODULE and CROSS_ENTROPY cover the
// differences: libtorch modules are held by pointer). bench_vs_libtorch.py
// builds this file twice and reports the ratios.

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <vector>

#ifdef AG_BENCH_LIBTORCH
#include <torch/torch.h>
namespace lib = torch;
#define MODULE(m) (m)->
#define CROSS_ENTROPY torch::nn::functional::cross_entropy
#define LIBRARY "libtorch"
#else
#include <autograd_cpp/autograd_cpp.h>
namespace lib = ag;
#define MODULE(m) (m).
#define CROSS_ENTROPY ag::cross_entropy
#define LIBRARY "autograd_cpp"
#endif

namespace {

// The process's CPU time in microseconds (all its threads). Both libraries
// run single-threaded here, so this is their time without the waits a
// shared machine adds to the wall clock.
double cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 +
         static_cast<double>(ts.tv_nsec) / 1e3;
}

// Median over `trials` of the mean CPU time of `reps` calls, in
// microseconds.
double time_us(const std::function<void()>& fn, int reps, int trials = 7) {
  for (int i = 0; i < reps / 4 + 1; ++i) fn();  // warm up
  std::vector<double> samples;
  for (int t = 0; t < trials; ++t) {
    const double start = cpu_us();
    for (int i = 0; i < reps; ++i) fn();
    samples.push_back((cpu_us() - start) / reps);
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

}  // namespace

int main() {
  lib::manual_seed(0);
  lib::set_num_threads(1);

  // 100 small elementwise ops (50 mul + 50 add), forward and backward.
  {
    lib::Tensor x = lib::randn({16}, lib::requires_grad(true));
    const double us = time_us(
        [&] {
          lib::Tensor y = x;
          for (int i = 0; i < 50; ++i) y = y * 1.0001 + 0.5;
          y.sum().backward();
          x.grad().zero_();
        },
        200);
    std::printf("%s chain100_us_per_op %.4f\n", LIBRARY, us / 100);
  }
  // A 1000-op chain of unary ops (tanh), forward and backward.
  {
    lib::Tensor x = lib::randn({8}, lib::requires_grad(true));
    const double us = time_us(
        [&] {
          lib::Tensor y = x;
          for (int i = 0; i < 1000; ++i) y = y.tanh();
          y.sum().backward();
        },
        20);
    std::printf("%s deep1000_us_per_op %.4f\n", LIBRARY, us / 1000);
  }
  // MLP training step: 64-128-10, batch 32, cross-entropy, Adam.
  {
    lib::nn::Sequential model(lib::nn::Linear(64, 128), lib::nn::ReLU(),
                              lib::nn::Linear(128, 10));
    lib::optim::Adam opt(MODULE(model) parameters(),
                         lib::optim::AdamOptions(1e-3));
    lib::Tensor x = lib::randn({32, 64});
    lib::Tensor target = lib::randint(0, 10, {32});
    const double us = time_us(
        [&] {
          opt.zero_grad();
          lib::Tensor loss = CROSS_ENTROPY(MODULE(model) forward(x), target);
          loss.backward();
          opt.step();
        },
        200);
    std::printf("%s mlp_step_us %.2f\n", LIBRARY, us);
  }
  // 256x256 matmul, forward and backward.
  {
    lib::Tensor a = lib::randn({256, 256}, lib::requires_grad(true));
    lib::Tensor b = lib::randn({256, 256}, lib::requires_grad(true));
    const double us = time_us([&] { a.matmul(b).sum().backward(); }, 20);
    std::printf("%s matmul256_us %.1f\n", LIBRARY, us);
  }
  return 0;
}
