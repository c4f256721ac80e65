// Kernel throughput without Python or autograd: each benchmark calls one
// kernel on preallocated float32 buffers, so only the compute (and the thread
// pool, for large inputs) is timed.

#include <benchmark/benchmark.h>

#include <cstdint>

#include "core/dtype.h"
#include "core/shape.h"
#include "core/tensor.h"
#include "kernels/kernels.h"
#include "kernels/nn.h"
#include "ops/factories.h"

namespace ag {
namespace {

constexpr int64_t kFloatBytes = 4;

Tensor random_tensor(const Shape& shape) {
  return ops::randn(shape, DType::Float32);
}

// Element counts for the elementwise and reduction kernels: from "fits in L1"
// to the 16M elements of the Python harness's elementwise workload.
void ElementwiseSizes(benchmark::internal::Benchmark* b) {
  for (int64_t n :
       {int64_t{64}, int64_t{4096}, int64_t{1} << 18, int64_t{1} << 24}) {
    b->Arg(n);
  }
}

void BM_Binary(benchmark::State& state, kernels::BinaryOp op) {
  const int64_t n = state.range(0);
  const Tensor a = random_tensor({n});
  const Tensor b = random_tensor({n});
  const Tensor out = ops::empty({n}, DType::Float32);
  for (auto _ : state) {
    kernels::binary(op, a, b, out);
    benchmark::DoNotOptimize(out.data_ptr<float>());
  }
  state.SetBytesProcessed(state.iterations() * 3 * n * kFloatBytes);
}
BENCHMARK_CAPTURE(BM_Binary, add, kernels::BinaryOp::Add)
    ->Apply(ElementwiseSizes)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Binary, mul, kernels::BinaryOp::Mul)
    ->Apply(ElementwiseSizes)
    ->UseRealTime();

void BM_Unary(benchmark::State& state, kernels::UnaryOp op) {
  const int64_t n = state.range(0);
  const Tensor in = random_tensor({n});
  const Tensor out = ops::empty({n}, DType::Float32);
  for (auto _ : state) {
    kernels::unary(op, in, out);
    benchmark::DoNotOptimize(out.data_ptr<float>());
  }
  state.SetBytesProcessed(state.iterations() * 2 * n * kFloatBytes);
}
BENCHMARK_CAPTURE(BM_Unary, exp, kernels::UnaryOp::Exp)
    ->Apply(ElementwiseSizes)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Unary, tanh, kernels::UnaryOp::Tanh)
    ->Apply(ElementwiseSizes)
    ->UseRealTime();

// Sum of a whole 1-D tensor.
void BM_SumAll(benchmark::State& state) {
  const int64_t n = state.range(0);
  const Tensor in = random_tensor({n});
  const Tensor out = ops::empty({1}, DType::Float32);
  for (auto _ : state) {
    kernels::sum(in, out);
    benchmark::DoNotOptimize(out.data_ptr<float>());
  }
  state.SetBytesProcessed(state.iterations() * n * kFloatBytes);
}
BENCHMARK(BM_SumAll)->Apply(ElementwiseSizes)->UseRealTime();

// Sum of an n x n matrix along dim 1 (each row) or dim 0 (each column).
void BM_SumDim(benchmark::State& state) {
  const int64_t n = state.range(0);
  const int64_t dim = state.range(1);
  const Tensor in = random_tensor({n, n});
  const Tensor out =
      ops::empty(dim == 1 ? Shape{n, 1} : Shape{1, n}, DType::Float32);
  for (auto _ : state) {
    kernels::sum(in, out);
    benchmark::DoNotOptimize(out.data_ptr<float>());
  }
  state.SetBytesProcessed(state.iterations() * n * n * kFloatBytes);
}
BENCHMARK(BM_SumDim)
    ->ArgsProduct({{256, 4096}, {0, 1}})
    ->ArgNames({"n", "dim"})
    ->UseRealTime();

void BM_Softmax(benchmark::State& state) {
  const int64_t n = state.range(0);
  const int64_t dim = state.range(1);
  const Tensor in = random_tensor({n, n});
  const Tensor out = ops::empty({n, n}, DType::Float32);
  for (auto _ : state) {
    kernels::softmax(in, dim, /*log=*/false, out);
    benchmark::DoNotOptimize(out.data_ptr<float>());
  }
  state.SetBytesProcessed(state.iterations() * 2 * n * n * kFloatBytes);
}
BENCHMARK(BM_Softmax)
    ->ArgsProduct({{256, 4096}, {0, 1}})
    ->ArgNames({"n", "dim"})
    ->UseRealTime();

void BM_Matmul(benchmark::State& state) {
  const int64_t n = state.range(0);
  const Tensor a = random_tensor({n, n});
  const Tensor b = random_tensor({n, n});
  const Tensor out = ops::empty({n, n}, DType::Float32);
  for (auto _ : state) {
    kernels::matmul(a, b, out);
    benchmark::DoNotOptimize(out.data_ptr<float>());
  }
  state.counters["FLOP/s"] =
      benchmark::Counter(2.0 * static_cast<double>(n * n * n),
                         benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Matmul)
    ->Arg(64)
    ->Arg(256)
    ->Arg(1024)
    ->Arg(2048)
    ->ArgName("n")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace ag
