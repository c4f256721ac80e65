// Capture and replay from C++ (compile/capture.h): a function captured once
// replays with eager's results (bit for bit unfused, within 1e-12 relative
// fused: compile/fusion.h), guards reject other inputs, and
// what cannot be replayed fails the capture.

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "autograd/autograd_meta.h"
#include "autograd/engine.h"
#include "compile/capture.h"
#include "ops/ops.h"
#include "test_util.h"

namespace ag {
namespace {

using ::ag::testing::leaf;
using ::ag::testing::make_tensor;
using ::ag::testing::values_of;

// loss = sum(tanh(sin(x * w) + x)), with loss.backward() accumulating into
// w.grad.
Tensor step(const Tensor& x, const Tensor& w) {
  Tensor y = ops::tanh(ops::add(ops::sin(ops::mul(x, w)), x));
  Tensor loss = ops::sum(y);
  autograd::backward({loss}, {}, false, false);
  return loss;
}

// Captures step() (fused or not) and checks replays against eager: bit for
// bit unfused, within 1e-12 relative fused (float64).
void check_replay(bool fused) {
  const Tensor w_eager = leaf({0.5, -1.0, 2.0}, {3});
  const Tensor w_comp = leaf({0.5, -1.0, 2.0}, {3});
  const Tensor x0 = make_tensor<double>({1, 2, 3}, {3});
  // A first eager call each, so that w.grad exists when the capture starts
  // (the program's guards expect what the capture saw).
  step(x0, w_eager);
  step(x0, w_comp);
  const bool before = compile::fusion_enabled();
  compile::set_fusion_enabled(fused);
  std::shared_ptr<compile::Program> program;
  {
    compile::Recorder recorder({x0});
    const Tensor out = step(x0, w_comp);
    program = recorder.finish({out});
  }
  compile::set_fusion_enabled(before);
  ASSERT_NE(program, nullptr);
  // mul sin add tanh sum backward, or one fused step for all of them.
  EXPECT_EQ(program->steps().size(), fused ? 1u : 6u);
  step(x0, w_eager);
  auto expect_same = [&](const Tensor& a, const Tensor& b) {
    const auto u = values_of<double>(a);
    const auto v = values_of<double>(b);
    ASSERT_EQ(u.size(), v.size());
    for (size_t i = 0; i < u.size(); ++i) {
      if (fused) {
        EXPECT_NEAR(u[i], v[i], 1e-12 * std::abs(v[i]));
      } else {
        EXPECT_EQ(u[i], v[i]);
      }
    }
  };
  expect_same(autograd::grad(w_comp), autograd::grad(w_eager));
  for (double shift : {0.25, -3.0, 7.5}) {
    const Tensor x = make_tensor<double>({1 + shift, 2 - shift, shift}, {3});
    TensorList outputs;
    ASSERT_TRUE(program->run({x}, outputs));
    const Tensor expected = step(x, w_eager);
    expect_same(outputs[0], expected);
    expect_same(autograd::grad(w_comp), autograd::grad(w_eager));
  }
}

TEST(Compile, ReplayEqualsEagerBitForBit) {
  check_replay(false);
}

TEST(Compile, FusedReplayMatchesEager) {
  check_replay(true);
}

TEST(Compile, GuardsRejectOtherSignatures) {
  const Tensor x = make_tensor<float>({1, 2}, {2});
  std::shared_ptr<compile::Program> program;
  {
    compile::Recorder recorder({x});
    program = recorder.finish({ops::exp(x)});
  }
  ASSERT_NE(program, nullptr);
  TensorList outputs;
  EXPECT_FALSE(program->run({make_tensor<float>({1, 2, 3}, {3})}, outputs));
  EXPECT_FALSE(program->run({make_tensor<double>({1, 2}, {2})}, outputs));
  EXPECT_EQ(program->check_guards({make_tensor<float>({1, 2, 3}, {3})}),
            "input 0: sizes differ");
  EXPECT_TRUE(program->run({make_tensor<float>({0, 1}, {2})}, outputs));
  EXPECT_EQ(values_of<float>(outputs[0]),
            values_of<float>(ops::exp(make_tensor<float>({0, 1}, {2}))));
}

TEST(Compile, UnrecordedOpFailsTheCapture) {
  const Tensor x = make_tensor<float>({1, 2}, {2});
  compile::Recorder recorder({x});
  // cumprod has no replay kernel: its output is found as a tensor made
  // outside any recorded op.
  const Tensor out = ops::mul(ops::cumprod(x, 0), x);
  EXPECT_EQ(recorder.finish({out}), nullptr);
  ASSERT_FALSE(recorder.failures().empty());
  EXPECT_NE(recorder.failures()[0].find("without a replay kernel"),
            std::string::npos);
}

TEST(Compile, FactoriesRecordAsTheUserCallsThem) {
  const Tensor x = make_tensor<float>({1, 2}, {2});
  compile::Recorder recorder({x});
  const Tensor out = ops::add(x, ops::user::ones({2}, DType::Float32, false));
  auto program = recorder.finish({out});
  ASSERT_NE(program, nullptr);
  ASSERT_EQ(program->steps().size(), 2u);
  EXPECT_EQ(program->steps()[0].name, "ones");
  TensorList outs;
  ASSERT_TRUE(program->run({make_tensor<float>({5, 6}, {2})}, outs));
  EXPECT_EQ(outs[0].data_ptr<float>()[0], 6.0f);
  EXPECT_EQ(outs[0].data_ptr<float>()[1], 7.0f);
}

TEST(Compile, MemoryPlanReusesOnlyFreedBuffers) {
  auto plan = std::make_unique<BufferPlan>();
  plan->begin();
  DataPtr a = plan->take(4096);  // the first replay makes the block
  plan->begin();
  DataPtr held = plan->take(4096);  // `a` still holds block 0
  EXPECT_NE(held.get(), a.get());
  void* const kept = a.get();
  a.reset();
  plan->begin();
  DataPtr b = plan->take(4096);  // free again: the same memory
  EXPECT_EQ(b.get(), kept);
  EXPECT_EQ(plan->take(128).get() == nullptr, false);
  plan.reset();  // the block outlives its plan while lent
  static_cast<unsigned char*>(b.get())[4095] = 1;
  b.reset();
}

TEST(Compile, CapturesDoNotNest) {
  compile::Recorder outer({});
  EXPECT_THROW(compile::Recorder inner({}), Error);
}

}  // namespace
}  // namespace ag
