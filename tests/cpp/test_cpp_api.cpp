// The C++ frontend as users meet it through <autograd_cpp/autograd_cpp.h>:
// errors (never crashes) on undefined tensors, Tensor methods, operators,
// factories with options, printing, and autograd::grad's defaults.

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "autograd_cpp/autograd_cpp.h"

namespace {

// The message of the ag::Error `fn` throws ("" when it throws nothing).
template <typename F>
std::string error_of(F&& fn) {
  try {
    fn();
  } catch (const ag::Error& e) {
    return e.what();
  }
  return "";
}

bool mentions_undefined(const std::string& message) {
  return message.find("undefined Tensor") != std::string::npos;
}

TEST(UndefinedTensor, OpsThrowNamingTheProblem) {
  const ag::Tensor u;
  ag::Tensor x = ag::ones({2});
  EXPECT_TRUE(mentions_undefined(error_of([&] { ag::sum(u); })));
  EXPECT_TRUE(mentions_undefined(error_of([&] { u.item(); })));
  EXPECT_TRUE(mentions_undefined(error_of([&] { u.item<float>(); })));
  EXPECT_TRUE(mentions_undefined(error_of([&] { (void)(u + x); })));
  EXPECT_TRUE(mentions_undefined(error_of([&] { (void)(x * u); })));
  EXPECT_TRUE(mentions_undefined(error_of([&] { (void)(2 * u); })));
  EXPECT_TRUE(mentions_undefined(error_of([&] { ag::matmul(u, u); })));
  EXPECT_TRUE(mentions_undefined(error_of([&] { u.sizes(); })));
  EXPECT_TRUE(mentions_undefined(error_of([&] { u.sum(); })));
  EXPECT_TRUE(mentions_undefined(error_of([&] { u.reshape({1}); })));
  EXPECT_TRUE(mentions_undefined(error_of([&] { ag::zeros_like(u); })));
  EXPECT_TRUE(mentions_undefined(error_of([&] { ag::to_vector<float>(u); })));
  EXPECT_TRUE(mentions_undefined(error_of([&] { x += u; })));
  ag::Tensor v;
  EXPECT_TRUE(mentions_undefined(error_of([&] { v.requires_grad_(); })));
  EXPECT_TRUE(mentions_undefined(error_of([&] { v.zero_(); })));
}

// The documented SGD loop with a parameter that received no gradient.
TEST(UndefinedTensor, SgdUpdateWithoutGradThrows) {
  ag::Tensor p = ag::ones({3}).requires_grad_();
  ag::NoGradGuard no_grad;
  const std::string message =
      error_of([&] { ag::ops::sub_(p, p.grad(), 0.1); });
  EXPECT_TRUE(mentions_undefined(message)) << message;
  EXPECT_NE(message.find("grad()"), std::string::npos) << message;
}

TEST(UndefinedTensor, AutogradEntryPointsThrow) {
  const ag::Tensor u;
  ag::Tensor x = ag::ones({2}).requires_grad_();
  EXPECT_FALSE(error_of([&] { u.backward(); }).empty());
  EXPECT_FALSE(error_of([&] { ag::autograd::grad({u}, {x}); }).empty());
  EXPECT_FALSE(
      error_of([&] { ag::mse_loss(u, x, ag::Reduction::Mean); }).empty());
  EXPECT_TRUE(mentions_undefined(error_of([&] { u.grad(); })));
  // "Does nothing require grad?" has an answer: no.
  EXPECT_FALSE(u.requires_grad());
  EXPECT_EQ(ag::repr(u), "[ Tensor (undefined) ]");
}

TEST(Methods, ScalarDerivative) {
  ag::Tensor x = ag::scalar(3.0).requires_grad_();
  EXPECT_EQ(x.dim(), 0);
  EXPECT_EQ(x.dtype(), ag::kFloat32);
  ag::Tensor y = x * x * 2 + 1;  // 2x^2 + 1
  y.backward();
  EXPECT_FLOAT_EQ(y.item<float>(), 19.0f);
  EXPECT_FLOAT_EQ(x.grad().item<float>(), 12.0f);  // 4x
  EXPECT_TRUE(x.is_leaf());
  EXPECT_FALSE(y.is_leaf());
  EXPECT_EQ(y.grad_fn()->name(), "AddBackward0");
}

TEST(Methods, ReductionsShapesAndMath) {
  ag::Tensor a = ag::tensor({{1.f, 2.f}, {3.f, 4.f}});
  EXPECT_EQ(a.sizes(), ag::Shape({2, 2}));
  EXPECT_FLOAT_EQ(a.sum().item<float>(), 10.0f);
  EXPECT_EQ(ag::to_vector<float>(a.sum({0})), (std::vector<float>{4, 6}));
  EXPECT_EQ(a.sum({1}, true).sizes(), ag::Shape({2, 1}));
  EXPECT_EQ(ag::to_vector<float>(ag::sum(a, {1})), (std::vector<float>{3, 7}));
  EXPECT_FLOAT_EQ(a.mean().item<float>(), 2.5f);
  EXPECT_FLOAT_EQ(a.max().item<float>(), 4.0f);
  EXPECT_EQ(a.argmax().item<int64_t>(), 3);
  EXPECT_EQ(ag::to_vector<float>(a.t().reshape({4})),
            (std::vector<float>{1, 3, 2, 4}));
  EXPECT_EQ(a.matmul(a).sizes(), ag::Shape({2, 2}));
  EXPECT_EQ(a.unsqueeze(0).sizes(), ag::Shape({1, 2, 2}));
  EXPECT_EQ(a.flatten().sizes(), ag::Shape({4}));
  EXPECT_NEAR(a.exp().log().sum().item<double>(), 10.0, 1e-5);
  EXPECT_FLOAT_EQ(a.pow(2).sum().item<float>(), 30.0f);
  EXPECT_FLOAT_EQ(a.to(ag::kFloat64).sum().item<double>(), 10.0);
  EXPECT_NEAR(a.softmax(1).sum().item<float>(), 2.0f, 1e-6);
}

TEST(Operators, NumbersOnEitherSide) {
  ag::Tensor x = ag::tensor({1.f, 2.f});
  EXPECT_EQ(ag::to_vector<float>(3 * x), (std::vector<float>{3, 6}));
  EXPECT_EQ(ag::to_vector<float>(1.0 - x), (std::vector<float>{0, -1}));
  EXPECT_EQ(ag::to_vector<float>(x * 2u), (std::vector<float>{2, 4}));
  EXPECT_EQ(ag::to_vector<float>(x * 2L), (std::vector<float>{2, 4}));
  EXPECT_EQ(ag::to_vector<float>(x / 2.0f), (std::vector<float>{0.5, 1}));
  EXPECT_EQ(ag::to_vector<float>(2 / x), (std::vector<float>{2, 1}));
  EXPECT_EQ(ag::to_vector<float>(1 + x), (std::vector<float>{2, 3}));
  EXPECT_EQ(ag::to_vector<bool>(x > 1.5), (std::vector<bool>{false, true}));
  // Python's promotion: a float number keeps a float32 tensor float32.
  EXPECT_EQ((x * 2.5).dtype(), ag::kFloat32);
  EXPECT_EQ((1.0 - x).grad_fn(), nullptr);
  ag::Tensor w = ag::tensor({1.f, 2.f}).requires_grad_();
  EXPECT_EQ((1.0 - w).grad_fn()->name(), "RsubBackward1");
}

TEST(Methods, ArithmeticSpellingsAgreeWithTheOperators) {
  ag::Tensor x = ag::tensor({1.f, 2.f}).requires_grad_();
  ag::Tensor y = ag::tensor({4.f, 8.f});
  EXPECT_EQ(ag::to_vector<float>(x.add(y, 2)), (std::vector<float>{9, 18}));
  EXPECT_EQ(ag::to_vector<float>(x.sub(y)), ag::to_vector<float>(x - y));
  EXPECT_EQ(ag::to_vector<float>(x.mul(y)), ag::to_vector<float>(x * y));
  EXPECT_EQ(ag::to_vector<float>(x.div(y)), ag::to_vector<float>(x / y));
  EXPECT_EQ(ag::to_vector<float>(x.add(1)), (std::vector<float>{2, 3}));
  EXPECT_EQ(ag::to_vector<float>(x.sub(0.5)), (std::vector<float>{0.5, 1.5}));
  EXPECT_EQ(x.mul(2.5).dtype(), ag::kFloat32);
  EXPECT_EQ(x.div(2).dtype(), ag::kFloat32);
  EXPECT_EQ(ag::tensor({1, 2}).div(2).dtype(), ag::kFloat32);
  EXPECT_EQ(x.mul(y).grad_fn()->name(), "MulBackward0");
  EXPECT_EQ(x.add(1).grad_fn()->name(), "AddBackward0");
  EXPECT_THROW(ag::Tensor().mul(2), ag::Error);
  EXPECT_THROW(x.add(ag::Tensor()), ag::Error);
}

TEST(Operators, CompoundAssignmentWritesInPlace) {
  ag::Tensor x = ag::tensor({1.f, 2.f});
  ag::Tensor alias = x;
  x += ag::tensor({1.f, 1.f});
  x *= 2;
  x -= 1u;
  x /= ag::scalar(3.0);
  EXPECT_EQ(ag::to_vector<float>(alias), (std::vector<float>{1, 5.0f / 3}));
  ag::Tensor leaf = ag::ones({2}).requires_grad_();
  const std::string message = error_of([&] { leaf += 1; });
  EXPECT_NE(message.find("leaf Variable that requires grad"), std::string::npos)
      << message;
}

TEST(Factories, OptionsAndLike) {
  ag::Tensor a = ag::zeros({2, 3}, ag::dtype(ag::kFloat64).requires_grad(true));
  EXPECT_EQ(a.dtype(), ag::kFloat64);
  EXPECT_TRUE(a.requires_grad());
  ag::Tensor b = ag::zeros({2}, ag::kInt64);
  EXPECT_EQ(b.dtype(), ag::kInt64);
  EXPECT_EQ(ag::ones_like(a).dtype(), ag::kFloat64);
  EXPECT_FALSE(ag::ones_like(a).requires_grad());
  EXPECT_EQ(ag::zeros_like(a, ag::kFloat32).dtype(), ag::kFloat32);
  EXPECT_EQ(ag::full_like(b, 7).sum().item<int64_t>(), 14);
  EXPECT_EQ(ag::randn_like(a).sizes(), a.sizes());
  EXPECT_EQ(ag::scalar(2).dtype(), ag::kInt64);
  EXPECT_EQ(ag::scalar(2.0, ag::kFloat64).dtype(), ag::kFloat64);
  EXPECT_EQ(ag::tensor({1.0, 2.0}).dtype(), ag::kFloat32);  // as torch.tensor
  EXPECT_EQ(ag::tensor({1, 2}).dtype(), ag::kInt64);
  EXPECT_EQ(ag::tensor({true, false}).dtype(), ag::kBool);
  EXPECT_EQ(ag::tensor(std::vector<double>{1, 2}).dtype(), ag::kFloat64);
  EXPECT_EQ(ag::arange(5).dtype(), ag::kInt64);
  EXPECT_EQ(ag::arange(0.0, 1.0, 0.25).numel(), 4);
  EXPECT_EQ(ag::eye(3).sum().item<float>(), 3.0f);
  EXPECT_NE(error_of([] { ag::tensor({{1, 2}, {3}}); })
                .find("expected "
                      "sequence"),
            std::string::npos);
}

TEST(Autograd, GradDefaultsAndRetainGraph) {
  ag::Tensor x = ag::tensor({1.0, 2.0}, ag::kFloat64).requires_grad_();
  ag::Tensor y = (x * x).sum();
  const ag::TensorList g = ag::autograd::grad({y}, {x});
  EXPECT_EQ(ag::to_vector<double>(g[0]), (std::vector<double>{2, 4}));
  // The graph was freed: a second pass says so in C++ terms.
  const std::string again = error_of([&] { ag::autograd::grad({y}, {x}); });
  EXPECT_NE(again.find("second time"), std::string::npos) << again;
  // create_graph keeps the graph and makes the gradient differentiable.
  ag::Tensor z = (x * x * x).sum();
  const ag::TensorList dz = ag::autograd::grad({z}, {x}, {}, {}, true);
  const ag::TensorList d2 = ag::autograd::grad({dz[0].sum()}, {x});
  EXPECT_EQ(ag::to_vector<double>(d2[0]), (std::vector<double>{6, 12}));
}

TEST(Autograd, BackwardAccumulatesAndNoGrad) {
  ag::Tensor w = ag::ones({2}).requires_grad_();
  (w * 3).sum().backward();
  (w * 3).sum().backward();
  EXPECT_EQ(ag::to_vector<float>(w.grad()), (std::vector<float>{6, 6}));
  {
    ag::NoGradGuard no_grad;
    w -= 0.5 * w.grad();
    EXPECT_FALSE((w * 2).requires_grad());
  }
  EXPECT_EQ(ag::to_vector<float>(w), (std::vector<float>{-2, -2}));
  w.set_grad(ag::Tensor());
  EXPECT_FALSE(w.grad().defined());
  EXPECT_TRUE(w.is_leaf());
}

// The text Python's repr() gives for the same tensors (torch 2.13).
TEST(Printing, AsPythonRepr) {
  std::ostringstream os;
  os << ag::tensor({1.f, 2.f});
  EXPECT_EQ(os.str(), "tensor([1., 2.])");
  EXPECT_EQ(ag::repr(ag::tensor({1.5f, -2.25f})), "tensor([ 1.5000, -2.2500])");
  EXPECT_EQ(ag::repr(ag::scalar(3.0)), "tensor(3.)");
  EXPECT_EQ(ag::repr(ag::tensor({1, 22})), "tensor([ 1, 22])");
  EXPECT_EQ(ag::repr(ag::tensor({true, false})), "tensor([ True, False])");
  EXPECT_EQ(ag::repr(ag::tensor({1.0, 2.0}, ag::kFloat64)),
            "tensor([1., 2.], dtype=torch.float64)");
  EXPECT_EQ(ag::repr(ag::tensor({1e-5f, 1.f})),
            "tensor([1.0000e-05, 1.0000e+00])");
  EXPECT_EQ(ag::repr(ag::tensor({{1.f, 2.f}, {3.f, 4.f}})),
            "tensor([[1., 2.],\n        [3., 4.]])");
  ag::Tensor w = ag::tensor({1.f, 2.f}).requires_grad_();
  EXPECT_EQ(ag::repr(w), "tensor([1., 2.], requires_grad=True)");
  EXPECT_EQ(ag::repr(w * 2), "tensor([2., 4.], grad_fn=<MulBackward0>)");
  EXPECT_EQ(ag::repr(ag::zeros({0})), "tensor([])");
  EXPECT_EQ(ag::repr(ag::zeros({2, 0}, ag::kInt64)),
            "tensor([], size=(2, 0), dtype=torch.int64)");
  EXPECT_EQ(ag::repr(ag::arange(2000)).substr(0, 30),
            "tensor([   0,    1,    2,  ...");
}

}  // namespace
