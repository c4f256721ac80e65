// The autograd engine: backward, grad, accumulation, broadcasting and
// higher-order gradients.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "autograd/autograd_meta.h"
#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "autograd/saved_variable.h"
#include "core/error.h"
#include "ops/ops.h"
#include "test_util.h"

namespace ag {
namespace {

using ::ag::testing::leaf;
using ::ag::testing::message_of;
using ::ag::testing::sizes_of;
using ::ag::testing::values_of;
using D = std::vector<double>;

Tensor scalar(double v) {
  return wrap_scalar(Scalar(v));
}

void backward(const Tensor& root, bool keep_graph = false,
              bool create_graph = false) {
  autograd::backward({root}, {}, keep_graph, create_graph);
}

TEST(Engine, LeafFlags) {
  Tensor x = leaf({1, 2}, {2});
  EXPECT_TRUE(autograd::requires_grad(x));
  EXPECT_TRUE(autograd::is_leaf(x));
  EXPECT_EQ(autograd::grad_fn(x), nullptr);
  Tensor y = ops::mul(x, scalar(2.0));
  EXPECT_TRUE(autograd::requires_grad(y));
  EXPECT_FALSE(autograd::is_leaf(y));
  ASSERT_NE(autograd::grad_fn(y), nullptr);
  EXPECT_EQ(autograd::grad_fn(y)->name(), "MulBackward0");

  // Under no_grad nothing is recorded.
  {
    NoGradGuard no_grad;
    EXPECT_FALSE(GradMode::is_enabled());
    Tensor z = ops::mul(x, scalar(2.0));
    EXPECT_FALSE(autograd::requires_grad(z));
    EXPECT_TRUE(autograd::is_leaf(z));
  }
  EXPECT_TRUE(GradMode::is_enabled());

  // Integer tensors cannot require grad.
  Tensor i = ops::zeros({2}, DType::Int64);
  EXPECT_THROW(autograd::set_requires_grad(i, true), Error);
  // Non-leaves cannot change the flag.
  EXPECT_THROW(autograd::set_requires_grad(y, false), Error);
}

TEST(Engine, SimpleBackward) {
  Tensor x = leaf({1, 2, 3}, {3});
  Tensor y = ops::sum(ops::mul(x, x));  // d/dx = 2x
  backward(y);
  Tensor g = autograd::grad(x);
  ASSERT_TRUE(g.defined());
  EXPECT_EQ(g.dtype(), DType::Float64);
  EXPECT_EQ(sizes_of(g), (std::vector<int64_t>{3}));
  EXPECT_EQ(values_of<double>(g), (D{2, 4, 6}));
}

TEST(Engine, DiamondGraph) {
  // a = 2x, b = 3x, y = a * b = 6x^2, dy/dx = 12x.
  Tensor x = leaf({1, -2, 0.5}, {3});
  Tensor a = ops::mul(x, scalar(2.0));
  Tensor b = ops::mul(x, scalar(3.0));
  Tensor y = ops::mul(a, b);
  EXPECT_EQ(values_of<double>(y), (D{6, 24, 1.5}));
  backward(ops::sum(y));
  EXPECT_EQ(values_of<double>(autograd::grad(x)), (D{12, -24, 6}));
  // Intermediate tensors do not keep .grad unless asked to.
  EXPECT_FALSE(autograd::grad(a).defined());
}

TEST(Engine, DiamondGraphWithRetainGrad) {
  Tensor x = leaf({2}, {1});
  Tensor a = ops::mul(x, scalar(2.0));
  Tensor b = ops::mul(x, scalar(3.0));
  autograd::retain_grad(a);
  Tensor y = ops::mul(a, b);
  backward(ops::sum(y));
  EXPECT_EQ(values_of<double>(autograd::grad(x)), (D{24}));
  // dy/da = b = 3x = 6.
  ASSERT_TRUE(autograd::grad(a).defined());
  EXPECT_EQ(values_of<double>(autograd::grad(a)), (D{6}));
}

TEST(Engine, AccumulatesAcrossBackwardCalls) {
  Tensor x = leaf({1, 2}, {2});
  Tensor y = ops::sum(ops::mul(x, x));
  backward(y, /*keep_graph=*/true);
  EXPECT_EQ(values_of<double>(autograd::grad(x)), (D{2, 4}));
  backward(y, /*keep_graph=*/true);
  EXPECT_EQ(values_of<double>(autograd::grad(x)), (D{4, 8}));
  // A different graph accumulates into the same .grad.
  backward(ops::sum(ops::mul(x, scalar(10.0))));
  EXPECT_EQ(values_of<double>(autograd::grad(x)), (D{14, 18}));
  // Clearing .grad starts over.
  autograd::set_grad(x, Tensor());
  backward(y);
  EXPECT_EQ(values_of<double>(autograd::grad(x)), (D{2, 4}));
}

TEST(Engine, AccumulationDoesNotAliasUserGradient) {
  // The first gradient stored in .grad must not be written by a later
  // accumulation if the caller still holds it.
  Tensor x = leaf({1, 2}, {2});
  Tensor y = ops::sum(ops::mul(x, scalar(3.0)));
  backward(y, true);
  Tensor first = autograd::grad(x);
  const std::vector<double> first_values = values_of<double>(first);
  backward(y, true);
  EXPECT_EQ(values_of<double>(autograd::grad(x)), (D{6, 6}));
  EXPECT_EQ(first_values, (D{3, 3}));
}

TEST(Engine, SecondBackwardThroughReleasedGraphThrows) {
  Tensor x = leaf({1, 2}, {2});
  Tensor y = ops::sum(ops::mul(x, x));
  backward(y);
  const std::string msg = message_of<Error>([&] { backward(y); });
  EXPECT_NE(msg.find("Trying to backward through the graph a second time"),
            std::string::npos)
      << msg;
  // The engine names the freed node and the usual cause.
  EXPECT_EQ(msg, backward_twice_message("MulBackward0"));
  // The first backward's result is intact.
  EXPECT_EQ(values_of<double>(autograd::grad(x)), (D{2, 4}));
}

TEST(Engine, GradReturnsWithoutTouchingDotGrad) {
  Tensor x = leaf({1, 2, 3}, {3});
  Tensor w = leaf({4, 5, 6}, {3});
  Tensor y = ops::sum(ops::mul(x, w));
  TensorList gs = autograd::grad({y}, {x, w}, {}, /*keep_graph=*/true,
                                 /*create_graph=*/false,
                                 /*allow_unused=*/false);
  ASSERT_EQ(gs.size(), 2u);
  EXPECT_EQ(values_of<double>(gs[0]), (D{4, 5, 6}));
  EXPECT_EQ(values_of<double>(gs[1]), (D{1, 2, 3}));
  EXPECT_FALSE(autograd::grad(x).defined());
  EXPECT_FALSE(autograd::grad(w).defined());

  // Only the requested input: w's gradient is neither computed nor stored.
  TensorList gx = autograd::grad({y}, {x}, {}, true, false, false);
  ASSERT_EQ(gx.size(), 1u);
  EXPECT_EQ(values_of<double>(gx[0]), (D{4, 5, 6}));
  EXPECT_FALSE(autograd::grad(w).defined());

  // With respect to a non-leaf.
  Tensor x2 = leaf({3}, {1});
  Tensor m = ops::mul(x2, scalar(2.0));
  Tensor out = ops::sum(ops::mul(m, m));
  TensorList gm = autograd::grad({out}, {m}, {}, false, false, false);
  EXPECT_EQ(values_of<double>(gm[0]), (D{12}));
  EXPECT_FALSE(autograd::grad(x2).defined());
}

TEST(Engine, GradWithExplicitGradOutputs) {
  Tensor x = leaf({1, 2}, {2});
  Tensor y = ops::mul(x, x);
  Tensor v = testing::make_tensor<double>({10, 100}, {2});
  TensorList g = autograd::grad({y}, {x}, {v}, false, false, false);
  EXPECT_EQ(values_of<double>(g[0]), (D{20, 400}));

  // A non-scalar root without a gradient is an error.
  Tensor y2 = ops::mul(x, x);
  const std::string msg = message_of<Error>(
      [&] { autograd::grad({y2}, {x}, {}, false, false, false); });
  EXPECT_EQ(msg.rfind("grad can be implicitly created only for scalar outputs "
                      "(this output has shape [2])",
                      0),
            0u)
      << msg;
}

TEST(Engine, AllowUnused) {
  Tensor x = leaf({1, 2}, {2});
  Tensor unused = leaf({5}, {1});
  Tensor y = ops::sum(ops::mul(x, scalar(2.0)));

  const std::string msg = message_of<Error>([&] {
    autograd::grad({y}, {x, unused}, {}, /*keep_graph=*/true, false,
                   /*allow_unused=*/false);
  });
  EXPECT_NE(msg.find("appears to not have been used in the graph"),
            std::string::npos)
      << msg;

  TensorList gs = autograd::grad({y}, {x, unused}, {}, true, false,
                                 /*allow_unused=*/true);
  ASSERT_EQ(gs.size(), 2u);
  ASSERT_TRUE(gs[0].defined());
  EXPECT_EQ(values_of<double>(gs[0]), (D{2, 2}));
  EXPECT_FALSE(gs[1].defined());
  EXPECT_FALSE(autograd::grad(unused).defined());
}

TEST(Engine, InputThatDoesNotRequireGradIsAnError) {
  Tensor x = leaf({1}, {1});
  Tensor c = testing::make_tensor<double>({1}, {1});
  Tensor y = ops::sum(ops::mul(x, c));
  EXPECT_THROW(autograd::grad({y}, {c}, {}, false, false, true), Error);
  Tensor plain = ops::sum(c);
  const std::string msg = message_of<Error>([&] { backward(plain); });
  EXPECT_NE(msg.find("does not require grad and does not have a grad_fn"),
            std::string::npos)
      << msg;
}

TEST(Engine, BroadcastGradientIsReducedToInputShape) {
  Tensor x = leaf({1, 2, 3}, {3});
  Tensor y = leaf({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor z = ops::add(x, y);
  EXPECT_EQ(sizes_of(z), (std::vector<int64_t>{2, 3}));
  backward(ops::sum(z));
  ASSERT_TRUE(autograd::grad(x).defined());
  EXPECT_EQ(sizes_of(autograd::grad(x)), (std::vector<int64_t>{3}));
  EXPECT_EQ(values_of<double>(autograd::grad(x)), (D{2, 2, 2}));
  EXPECT_EQ(sizes_of(autograd::grad(y)), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(values_of<double>(autograd::grad(y)), (D(6, 1.0)));
}

TEST(Engine, BroadcastMulGradientWeightsBySummedPartner) {
  // z = x * y with x [3] and y [2, 3]: dz/dx = sum over rows of y.
  Tensor x = leaf({1, 2, 3}, {3});
  Tensor y = leaf({1, 2, 3, 4, 5, 6}, {2, 3});
  backward(ops::sum(ops::mul(x, y)));
  EXPECT_EQ(values_of<double>(autograd::grad(x)), (D{5, 7, 9}));
  EXPECT_EQ(values_of<double>(autograd::grad(y)), (D{1, 2, 3, 1, 2, 3}));

  // Keepdim-style broadcast: a [2, 1] column against [2, 3].
  Tensor col = leaf({1, 2}, {2, 1});
  Tensor m = testing::make_tensor<double>({1, 2, 3, 4, 5, 6}, {2, 3});
  backward(ops::sum(ops::mul(col, m)));
  EXPECT_EQ(sizes_of(autograd::grad(col)), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(values_of<double>(autograd::grad(col)), (D{6, 15}));
}

TEST(Engine, GradientOfFloat32LeafStaysFloat32) {
  Tensor x = ops::full({2}, Scalar(3.0), DType::Float32);
  autograd::set_requires_grad(x, true);
  // x * 2.0 (a wrapped float) stays float32.
  Tensor y = ops::sum(ops::mul(x, scalar(2.0)));
  EXPECT_EQ(y.dtype(), DType::Float32);
  backward(y);
  EXPECT_EQ(autograd::grad(x).dtype(), DType::Float32);
  EXPECT_EQ(values_of<float>(autograd::grad(x)), (std::vector<float>{2, 2}));
}

TEST(Engine, MatmulGradients) {
  // d/dA sum(A @ B) = ones @ B^T ; d/dB = A^T @ ones.
  Tensor a = leaf({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor b = leaf({7, 8, 9, 10, 11, 12}, {3, 2});
  backward(ops::sum(ops::matmul(a, b)));
  EXPECT_EQ(values_of<double>(autograd::grad(a)), (D{15, 19, 23, 15, 19, 23}));
  EXPECT_EQ(values_of<double>(autograd::grad(b)), (D{5, 5, 7, 7, 9, 9}));
}

TEST(Engine, SumWithKeepdimGradient) {
  Tensor x = leaf({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor s = ops::sum(x, {1}, /*keepdim=*/true);  // [2, 1]
  Tensor w = testing::make_tensor<double>({10, 20}, {2, 1});
  backward(ops::sum(ops::mul(s, w)));
  EXPECT_EQ(values_of<double>(autograd::grad(x)), (D{10, 10, 10, 20, 20, 20}));
}

TEST(Engine, CreateGraphSecondDerivative) {
  // y = x^3: dy/dx = 3x^2, d2y/dx2 = 6x.
  Tensor x = leaf({3.0, -1.0, 0.5}, {3});
  Tensor y = ops::sum(ops::pow(x, Scalar(3.0)));
  TensorList g = autograd::grad({y}, {x}, {}, /*keep_graph=*/true,
                                /*create_graph=*/true, false);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(values_of<double>(g[0]), (D{27, 3, 0.75}));
  ASSERT_TRUE(autograd::requires_grad(g[0]));
  TensorList g2 =
      autograd::grad({ops::sum(g[0])}, {x}, {}, false, false, false);
  EXPECT_EQ(values_of<double>(g2[0]), (D{18, -6, 3}));
  EXPECT_FALSE(autograd::grad(x).defined());
}

TEST(Engine, CreateGraphThroughProducts) {
  // Same function written as x * x * x, through backward(create_graph).
  Tensor x = leaf({2.0}, {1});
  Tensor y = ops::sum(ops::mul(ops::mul(x, x), x));
  backward(y, /*keep_graph=*/true, /*create_graph=*/true);
  Tensor g = autograd::grad(x);
  EXPECT_EQ(values_of<double>(g), (D{12}));
  ASSERT_TRUE(autograd::requires_grad(g));
  TensorList g2 = autograd::grad({ops::sum(g)}, {x}, {}, false, false, false);
  EXPECT_EQ(values_of<double>(g2[0]), (D{12}));
  // As in PyTorch, x.grad now holds a graph leading back to x's accumulator,
  // which holds x: a reference cycle. Clearing .grad (x.grad = None) breaks
  // it, so the test does not leak.
  autograd::set_grad(x, Tensor());
  g = Tensor();
  // Without create_graph the gradient is a plain tensor.
  Tensor x2 = leaf({2.0}, {1});
  backward(ops::sum(ops::mul(x2, x2)));
  EXPECT_FALSE(autograd::requires_grad(autograd::grad(x2)));
}

TEST(Engine, BackwardWithInputs) {
  Tensor x = leaf({1, 2}, {2});
  Tensor w = leaf({3, 4}, {2});
  Tensor y = ops::sum(ops::mul(x, w));
  autograd::backward({y}, {}, false, false, {w});
  EXPECT_EQ(values_of<double>(autograd::grad(w)), (D{1, 2}));
  EXPECT_FALSE(autograd::grad(x).defined());
}

}  // namespace
}  // namespace ag
