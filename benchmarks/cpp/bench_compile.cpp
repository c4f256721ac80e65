// Capture and replay from C++: the 200-op elementwise chain with gradients
// on a (16,) tensor, run eagerly and replayed from a captured Program (no
// Python in either), fused (the default) and unfused. per_op is the time
// of one iteration divided by 200.

#include <benchmark/benchmark.h>

#include <memory>

#include "autograd/autograd_meta.h"
#include "autograd/engine.h"
#include "compile/capture.h"
#include "core/scalar.h"
#include "core/tensor.h"
#include "ops/ops.h"

namespace ag {
namespace {

constexpr int kOps = 200;

Tensor chain(const Tensor& x) {
  const Tensor k = wrap_scalar(Scalar(1.01));
  Tensor y = x;
  for (int i = 0; i < kOps / 4; ++i) {
    y = ops::tanh(ops::add(ops::sin(ops::mul(y, k)), x));
  }
  Tensor loss = ops::sum(y);
  autograd::backward({loss}, {}, false, false);
  return loss;
}

Tensor input() {
  Tensor x = ops::randn({16}, DType::Float32);
  autograd::set_requires_grad(x, true);
  return x;
}

void BM_ChainEager(benchmark::State& state) {
  const Tensor x = input();
  for (auto _ : state) {
    benchmark::DoNotOptimize(chain(x));
  }
  state.counters["per_op"] =
      benchmark::Counter(kOps, benchmark::Counter::kIsIterationInvariantRate |
                                   benchmark::Counter::kInvert);
}
BENCHMARK(BM_ChainEager);

// Captures the chain once and replays it; `fused` picks whether the
// capture fuses the elementwise steps (forward and backward in one step)
// or keeps every recorded op.
void chain_replay(benchmark::State& state, bool fused) {
  const Tensor x = input();
  chain(x);  // eager first, as compile does: the guards see .grad set
  const bool before = compile::fusion_enabled();
  compile::set_fusion_enabled(fused);
  std::shared_ptr<compile::Program> program;
  {
    compile::Recorder recorder({x});
    const Tensor loss = chain(x);
    program = recorder.finish({loss});
  }
  compile::set_fusion_enabled(before);
  if (program->steps().size() != (fused ? 1U : kOps + 2U)) {
    state.SkipWithError("unexpected program");
    return;
  }
  TensorList outputs;
  for (auto _ : state) {
    program->run({x}, outputs);
    benchmark::DoNotOptimize(outputs);
  }
  state.counters["per_op"] =
      benchmark::Counter(kOps, benchmark::Counter::kIsIterationInvariantRate |
                                   benchmark::Counter::kInvert);
}

void BM_ChainReplay(benchmark::State& state) {
  chain_replay(state, true);
}
BENCHMARK(BM_ChainReplay);

void BM_ChainReplayUnfused(benchmark::State& state) {
  chain_replay(state, false);
}
BENCHMARK(BM_ChainReplayUnfused);

}  // namespace
}  // namespace ag
