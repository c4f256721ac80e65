// The autograd engine's cost per node, without Python: chains of N cheap ops
// (alternately a multiply and an add by a constant) on tiny tensors, so that
// recording the graph and walking it backward dominate the arithmetic. The
// per_node counter is the time of one iteration divided by N.

#include <benchmark/benchmark.h>

#include <cstdint>

#include "autograd/autograd_meta.h"
#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "core/dtype.h"
#include "core/scalar.h"
#include "core/shape.h"
#include "core/tensor.h"
#include "ops/ops.h"

namespace ag {
namespace {

// range(0): nodes in the chain; range(1): elements, 0 meaning a 0-d tensor.
void ChainArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"nodes", "numel"});
  for (int64_t nodes : {100, 10000}) {
    for (int64_t numel : {0, 16, 64}) {
      b->Args({nodes, numel});
    }
  }
}

Tensor leaf_input(int64_t numel) {
  const Shape shape = numel == 0 ? Shape{} : Shape{numel};
  Tensor x = ops::randn(shape, DType::Float32);
  autograd::set_requires_grad(x, true);
  return x;
}

// Multiplying by 1.0001 and adding 0.001 keeps values finite for any length.
Tensor chain(const Tensor& x, int64_t nodes, const Tensor& scale,
             const Tensor& shift) {
  Tensor y = x;
  for (int64_t i = 0; i < nodes; i += 2) {
    y = ops::mul(y, scale);
    y = ops::add(y, shift);
  }
  return y;
}

void set_per_node(benchmark::State& state) {
  state.counters["per_node"] =
      benchmark::Counter(static_cast<double>(state.range(0)),
                         benchmark::Counter::kIsIterationInvariantRate |
                             benchmark::Counter::kInvert);
}

// The ops alone, grad mode off: dispatch and kernels, nothing recorded.
void BM_ChainForwardNoGrad(benchmark::State& state) {
  const Tensor x = leaf_input(state.range(1));
  const Tensor scale = wrap_scalar(Scalar(1.0001));
  const Tensor shift = wrap_scalar(Scalar(0.001));
  NoGradGuard no_grad;
  for (auto _ : state) {
    benchmark::DoNotOptimize(chain(x, state.range(0), scale, shift));
  }
  set_per_node(state);
}
BENCHMARK(BM_ChainForwardNoGrad)->Apply(ChainArgs)->UseRealTime();

// Forward with the graph recorded, then sum().backward() through it.
void BM_ChainForwardBackward(benchmark::State& state) {
  const Tensor x = leaf_input(state.range(1));
  const Tensor scale = wrap_scalar(Scalar(1.0001));
  const Tensor shift = wrap_scalar(Scalar(0.001));
  for (auto _ : state) {
    autograd::set_grad(x, Tensor());
    const Tensor loss = ops::sum(chain(x, state.range(0), scale, shift));
    autograd::backward({loss}, {}, /*keep_graph=*/false,
                       /*create_graph=*/false);
  }
  benchmark::DoNotOptimize(autograd::grad(x).data_ptr<float>());
  set_per_node(state);
}
BENCHMARK(BM_ChainForwardBackward)->Apply(ChainArgs)->UseRealTime();

// Backward alone: the chain is built with the timer paused.
void BM_ChainBackward(benchmark::State& state) {
  const Tensor x = leaf_input(state.range(1));
  const Tensor scale = wrap_scalar(Scalar(1.0001));
  const Tensor shift = wrap_scalar(Scalar(0.001));
  for (auto _ : state) {
    state.PauseTiming();
    autograd::set_grad(x, Tensor());
    Tensor loss = ops::sum(chain(x, state.range(0), scale, shift));
    state.ResumeTiming();
    autograd::backward({loss}, {}, /*keep_graph=*/false,
                       /*create_graph=*/false);
    state.PauseTiming();
    loss = Tensor();  // frees the graph outside the timed region
    state.ResumeTiming();
  }
  benchmark::DoNotOptimize(autograd::grad(x).data_ptr<float>());
  set_per_node(state);
}
BENCHMARK(BM_ChainBackward)->Apply(ChainArgs)->UseRealTime();

}  // namespace
}  // namespace ag
