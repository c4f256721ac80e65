// SavedVariable: version checks against in-place writes, release, and saved
// outputs.

#include <gtest/gtest.h>

#include <cmath>
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
using ::ag::testing::values_of;
using D = std::vector<double>;

constexpr const char* kInplaceMessage = "modified by an inplace operation";

void backward(const Tensor& root) {
  autograd::backward({root}, {}, false, false);
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(SavedVariable, UnpackReturnsSavedInput) {
  Tensor t = ops::ones({2}, DType::Float32);
  SavedVariable sv(t, /*is_output=*/false);
  EXPECT_TRUE(sv.defined());
  Tensor u = sv.unpack();
  EXPECT_TRUE(u.is_same(t));
  EXPECT_FALSE(SavedVariable().defined());
  EXPECT_FALSE(SavedVariable().unpack().defined());
  EXPECT_FALSE(SavedVariable(Tensor(), false).defined());
}

TEST(SavedVariable, VersionMismatchThrows) {
  Tensor t = ops::ones({2, 2}, DType::Float32);
  SavedVariable sv(t, false);
  ops::add_(t, ops::ones({2, 2}, DType::Float32));
  const std::string msg = message_of<Error>([&] { sv.unpack(); });
  EXPECT_TRUE(contains(msg, kInplaceMessage)) << msg;
  EXPECT_TRUE(contains(msg, "[torch.FloatTensor [2, 2]]")) << msg;
  EXPECT_TRUE(contains(msg, "is at version 1; expected version 0 instead"))
      << msg;
}

TEST(SavedVariable, ReleasedVariableThrowsBackwardTwice) {
  Tensor t = ops::ones({2}, DType::Float64);
  SavedVariable sv(t, false);
  sv.release();
  EXPECT_TRUE(sv.defined());
  const std::string msg = message_of<Error>([&] { sv.unpack(); });
  EXPECT_TRUE(
      contains(msg, "Trying to backward through the graph a second time"))
      << msg;
  // The saved reference is dropped.
  EXPECT_EQ(t.use_count(), 1);
}

TEST(SavedVariable, LeafModifiedUnderNoGradBreaksBackward) {
  Tensor x = leaf({1, 2, 3}, {3});
  Tensor y = ops::sum(ops::mul(x, x));
  {
    NoGradGuard no_grad;
    ops::add_(x, testing::make_tensor<double>({1, 1, 1}, {3}));
  }
  EXPECT_EQ(x.impl()->version(), 1u);
  const std::string msg = message_of<Error>([&] { backward(y); });
  EXPECT_TRUE(contains(msg, kInplaceMessage)) << msg;
  // A leaf has no producing node to name.
  EXPECT_TRUE(contains(msg,
                       "[torch.DoubleTensor [3]] is at version 1; expected "
                       "version 0 instead"))
      << msg;
}

TEST(SavedVariable, LeafInplaceWithGradEnabledIsRejected) {
  Tensor x = leaf({1, 2, 3}, {3});
  const std::string msg = message_of<Error>(
      [&] { ops::add_(x, testing::make_tensor<double>({1, 1, 1}, {3})); });
  EXPECT_TRUE(contains(msg,
                       "a leaf Variable that requires grad is being used "
                       "in an in-place operation."))
      << msg;
  EXPECT_EQ(x.impl()->version(), 0u);
}

TEST(SavedVariable, NonLeafModifiedInPlaceBreaksBackward) {
  Tensor x = leaf({1, 2, 3}, {3});
  Tensor a = ops::mul(x, wrap_scalar(Scalar(2.0)));
  Tensor y = ops::sum(ops::mul(a, a));  // saves a (twice)
  ops::add_(a, wrap_scalar(Scalar(1.0)));
  EXPECT_EQ(values_of<double>(a), (D{3, 5, 7}));
  ASSERT_NE(autograd::grad_fn(a), nullptr);
  EXPECT_EQ(autograd::grad_fn(a)->name(), "AddBackward0");
  const std::string msg = message_of<Error>([&] { backward(y); });
  EXPECT_TRUE(contains(msg, kInplaceMessage)) << msg;
  EXPECT_TRUE(contains(msg, "is at version 1; expected version 0 instead"))
      << msg;
}

TEST(SavedVariable, InplaceMessageNamesTheProducingNode) {
  // PyTorch 2.13 names the op without its "Backward0" suffix: "...:
  // [torch.DoubleTensor [3]], which is output 0 of Add, is at version 1;
  // expected version 0 instead."
  Tensor x = leaf({1, 2, 3}, {3});
  Tensor a = ops::mul(x, wrap_scalar(Scalar(2.0)));
  Tensor y = ops::sum(ops::mul(a, a));
  ops::add_(a, wrap_scalar(Scalar(1.0)));
  const std::string msg = message_of<Error>([&] { backward(y); });
  EXPECT_TRUE(contains(msg,
                       "[torch.DoubleTensor [3]], which is output 0 of "
                       "Add, is at version 1"))
      << msg;
}

TEST(SavedVariable, SavedOutputModifiedInPlaceBreaksBackward) {
  // exp saves its result; writing into the result invalidates it.
  Tensor x = leaf({0, 1}, {2});
  Tensor e = ops::exp(x);
  Tensor y = ops::sum(e);
  ops::mul_(e, wrap_scalar(Scalar(2.0)));
  const std::string msg = message_of<Error>([&] { backward(y); });
  EXPECT_TRUE(contains(msg, kInplaceMessage)) << msg;
  EXPECT_TRUE(contains(msg, "which is output 0 of Exp,")) << msg;
}

TEST(SavedVariable, UnmodifiedSavedOutputGivesCorrectGradient) {
  Tensor x = leaf({0, 1}, {2});
  Tensor e = ops::exp(x);
  backward(ops::sum(e));
  const std::vector<double> g = values_of<double>(autograd::grad(x));
  ASSERT_EQ(g.size(), 2u);
  EXPECT_DOUBLE_EQ(g[0], 1.0);
  EXPECT_DOUBLE_EQ(g[1], std::exp(1.0));
}

TEST(SavedVariable, InplaceOnUnsavedTensorIsFine) {
  // add does not save its inputs, so writing into one afterwards is allowed.
  Tensor x = leaf({1, 2}, {2});
  Tensor a = ops::mul(x, wrap_scalar(Scalar(3.0)));
  Tensor y = ops::sum(ops::add(a, wrap_scalar(Scalar(1.0))));
  ops::add_(a, wrap_scalar(Scalar(100.0)));
  backward(y);
  EXPECT_EQ(values_of<double>(autograd::grad(x)), (D{3, 3}));
}

TEST(SavedVariable, InplaceThroughViewOfSavedTensorIsDetected) {
  // The view shares the saved tensor's version counter.
  Tensor x = leaf({1, 2, 3, 4}, {4});
  Tensor a = ops::mul(x, wrap_scalar(Scalar(1.0)));
  Tensor y = ops::sum(ops::mul(a, a));
  Tensor v = ops::slice(a, 0, 0, 2, 1);
  ops::mul_(v, wrap_scalar(Scalar(0.0)));
  EXPECT_EQ(a.impl()->version(), 1u);
  const std::string msg = message_of<Error>([&] { backward(y); });
  EXPECT_TRUE(contains(msg, kInplaceMessage)) << msg;
}

TEST(SavedVariable, DetachSharesVersionCounterButDataDoesNot) {
  Tensor x = leaf({1, 2}, {2});
  Tensor y = ops::sum(ops::mul(x, x));
  // Writes through variable_data (Python's .data) are invisible to autograd:
  // backward runs, using the new values.
  Tensor data = autograd::variable_data(x);
  data.data_ptr<double>()[0] = 5.0;
  ops::add_(data, testing::make_tensor<double>({0, 0}, {2}));
  EXPECT_EQ(x.impl()->version(), 0u);
  backward(y);
  EXPECT_EQ(values_of<double>(autograd::grad(x)), (D{10, 4}));

  // Writes through detach() are seen.
  Tensor x2 = leaf({1, 2}, {2});
  Tensor y2 = ops::sum(ops::mul(x2, x2));
  Tensor det = autograd::detach(x2);
  ops::add_(det, testing::make_tensor<double>({1, 1}, {2}));
  EXPECT_EQ(x2.impl()->version(), 1u);
  const std::string msg = message_of<Error>([&] { backward(y2); });
  EXPECT_TRUE(contains(msg, kInplaceMessage)) << msg;
}

}  // namespace
}  // namespace ag
