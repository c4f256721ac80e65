// Note [Iterative graph teardown]: long chains of nodes must be destroyed
// (and backpropagated through) without recursing once per node.

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "autograd/autograd_meta.h"
#include "autograd/engine.h"
#include "autograd/node.h"
#include "ops/ops.h"
#include "test_util.h"

namespace ag {
namespace {

#ifdef AG_SANITIZED
// Instrumented allocation is ~20x slower; 200k nodes still overflow the stack
// if teardown ever recurses (sanitizer frames are larger, not smaller).
constexpr int kChainLength = 200000;
#else
constexpr int kChainLength = 1000000;
#endif

// y = x + 1 + 1 + ... (kChainLength adds of a wrapped scalar).
Tensor long_chain(const Tensor& x, int length) {
  const Tensor one = wrap_scalar(Scalar(1.0));
  Tensor y = x;
  for (int i = 0; i < length; ++i) y = ops::add(y, one);
  return y;
}

TEST(Teardown, BackwardThroughMillionNodeChain) {
  Tensor x = ops::zeros({1}, DType::Float64);
  autograd::set_requires_grad(x, true);
  {
    Tensor y = long_chain(x, kChainLength);
    EXPECT_DOUBLE_EQ(y.item().to<double>(), static_cast<double>(kChainLength));
    autograd::backward({y}, {}, /*keep_graph=*/false, /*create_graph=*/false);
    // y (and with it the whole chain) is dropped here.
  }
  ASSERT_TRUE(autograd::grad(x).defined());
  EXPECT_DOUBLE_EQ(autograd::grad(x).item().to<double>(), 1.0);
  // The accumulator was owned by the chain only.
  EXPECT_EQ(autograd::grad_accumulator(x).use_count(), 1);
}

TEST(Teardown, DropMillionNodeChainWithoutBackward) {
  Tensor x = ops::zeros({1}, DType::Float64);
  autograd::set_requires_grad(x, true);
  std::weak_ptr<Node> first_node;
  {
    // Multiply by a scalar so nodes also hold saved variables.
    const Tensor half = wrap_scalar(Scalar(0.5));
    Tensor y = ops::mul(x, half);
    first_node = autograd::grad_fn(y);
    for (int i = 1; i < kChainLength; ++i) y = ops::mul(y, half);
    EXPECT_FALSE(first_node.expired());
    EXPECT_EQ(autograd::grad_fn(y)->name(), "MulBackward0");
  }
  // Dropping y destroyed every node of the chain.
  EXPECT_TRUE(first_node.expired());
  EXPECT_FALSE(autograd::grad(x).defined());
}

TEST(Teardown, DropChainFromMiddleReference) {
  // Holding a tensor from the middle keeps the lower half alive; dropping the
  // top releases only the upper half, then the rest.
  Tensor x = ops::zeros({1}, DType::Float64);
  autograd::set_requires_grad(x, true);
  std::weak_ptr<Node> top_node;
  Tensor middle = long_chain(x, kChainLength / 5);
  std::weak_ptr<Node> middle_node = autograd::grad_fn(middle);
  {
    Tensor top = long_chain(middle, kChainLength / 5);
    top_node = autograd::grad_fn(top);
  }
  EXPECT_TRUE(top_node.expired());
  EXPECT_FALSE(middle_node.expired());
  autograd::backward({middle}, {}, false, false);
  EXPECT_DOUBLE_EQ(autograd::grad(x).item().to<double>(), 1.0);
  middle = Tensor();
  EXPECT_TRUE(middle_node.expired());
}

}  // namespace
}  // namespace ag
