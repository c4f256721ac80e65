// ag::nn and ag::optim: module registration, state_dict keys and repr as
// PyTorch's, loading, initialisation scale, and optimizer updates checked
// against the formulas (tests/test_cpp.py compares them with Python's).

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "autograd_cpp/autograd_cpp.h"

namespace {

namespace nn = ag::nn;
namespace optim = ag::optim;

std::vector<std::string> keys(const nn::NamedTensors& named) {
  std::vector<std::string> out;
  for (const auto& kv : named) out.push_back(kv.first);
  return out;
}

TEST(Nn, LinearShapesInitAndRepr) {
  ag::manual_seed(0);
  nn::Linear fc(100, 3);
  EXPECT_EQ(fc.weight.sizes(), ag::Shape({3, 100}));
  EXPECT_EQ(fc.bias.sizes(), ag::Shape({3}));
  EXPECT_TRUE(fc.weight.requires_grad());
  EXPECT_TRUE(fc.weight.is_leaf());
  // kaiming_uniform_(a=sqrt(5)): U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
  EXPECT_LE(fc.weight.abs().max().item<double>(), 0.1);
  EXPECT_GT(fc.weight.abs().max().item<double>(), 0.09);
  EXPECT_EQ(fc.repr(), "Linear(in_features=100, out_features=3, bias=True)");
  EXPECT_EQ(fc(ag::ones({5, 100})).sizes(), ag::Shape({5, 3}));
  nn::Linear no_bias(2, 2, false);
  EXPECT_FALSE(no_bias.bias.defined());
  EXPECT_EQ(no_bias.parameters().size(), 1u);
  EXPECT_EQ(keys(no_bias.state_dict()), (std::vector<std::string>{"weight"}));
}

TEST(Nn, SequentialNamesStateDictAndForward) {
  nn::Sequential net(nn::Linear(2, 4), nn::Tanh(), nn::Linear(4, 1));
  EXPECT_EQ(net.size(), 3u);
  EXPECT_EQ(
      keys(net.state_dict()),
      (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"}));
  EXPECT_EQ(net.parameters().size(), 4u);
  EXPECT_EQ(net.repr(),
            "Sequential(\n"
            "  (0): Linear(in_features=2, out_features=4, bias=True)\n"
            "  (1): Tanh()\n"
            "  (2): Linear(in_features=4, out_features=1, bias=True)\n"
            ")");
  ag::Tensor x = ag::randn({3, 2});
  const auto& p = net.parameters();
  ag::Tensor manual = ag::linear(ag::linear(x, p[0], p[1]).tanh(), p[2], p[3]);
  EXPECT_EQ(ag::to_vector<float>(net(x)), ag::to_vector<float>(manual));
}

TEST(Nn, Conv2dAndActivations) {
  nn::Conv2dOptions o(3, 8, 3);
  o.padding = {1, 1};
  nn::Sequential net(nn::Conv2d(o), nn::ReLU(), nn::Flatten(),
                     nn::Linear(8 * 5 * 5, 10), nn::LeakyReLU(0.2),
                     nn::Dropout(0.1), nn::Softmax(1));
  ag::Tensor y = net(ag::randn({2, 3, 5, 5}));
  EXPECT_EQ(y.sizes(), ag::Shape({2, 10}));
  EXPECT_EQ(net[0]->repr(),
            "Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))");
  EXPECT_EQ(net[4]->repr(), "LeakyReLU(negative_slope=0.2)");
  EXPECT_EQ(net[5]->repr(), "Dropout(p=0.1, inplace=False)");
  net.eval();
  EXPECT_FALSE(net[5]->is_training());
  ag::Tensor a = ag::randn({2, 3, 5, 5});
  EXPECT_EQ(ag::to_vector<float>(net(a)), ag::to_vector<float>(net(a)));
  EXPECT_NEAR(net(a).sum().item<double>(), 2.0, 1e-5);
}

TEST(Nn, LoadStateDict) {
  nn::Sequential a(nn::Linear(2, 3), nn::ReLU(), nn::Linear(3, 1));
  nn::Sequential b(nn::Linear(2, 3), nn::ReLU(), nn::Linear(3, 1));
  b.load_state_dict(a.state_dict());
  ag::Tensor x = ag::randn({4, 2});
  EXPECT_EQ(ag::to_vector<float>(a(x)), ag::to_vector<float>(b(x)));
  // Loading copies values: b's parameters stay its own tensors.
  EXPECT_FALSE(a.parameters()[0].is_same(b.parameters()[0]));
  nn::NamedTensors wrong = a.state_dict();
  wrong.pop_back();
  wrong.emplace_back("extra", ag::zeros({1}));
  try {
    b.load_state_dict(wrong);
    FAIL() << "expected an error";
  } catch (const ag::Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("Missing key(s) in state_dict: \"2.bias\""),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("Unexpected key(s) in state_dict: \"extra\""),
              std::string::npos)
        << m;
  }
  nn::NamedTensors shape = a.state_dict();
  shape[0].second = ag::zeros({5, 5});
  EXPECT_THROW(b.load_state_dict(shape), ag::Error);
}

TEST(Nn, ZeroGradAndLosses) {
  nn::Linear fc(3, 2);
  ag::Tensor x = ag::randn({4, 3});
  nn::MSELoss mse;
  mse(fc(x), ag::zeros({4, 2})).backward();
  EXPECT_TRUE(fc.weight.grad().defined());
  fc.zero_grad();
  EXPECT_FALSE(fc.weight.grad().defined());
  nn::CrossEntropyLoss ce;
  ag::Tensor logits = ag::zeros({2, 4});
  EXPECT_NEAR(ce(logits, ag::tensor({1, 3})).item<double>(), std::log(4.0),
              1e-6);
}

// SGD with momentum, step by step: buf = g; then buf = m * buf + g.
TEST(Optim, SgdMomentumFollowsTheFormula) {
  ag::Tensor w = ag::tensor({1.0, -2.0}, ag::kFloat64).requires_grad_();
  optim::SGD opt({w}, optim::SGDOptions(0.1).momentum(0.9));
  std::vector<double> expect = {1.0, -2.0}, buf = {0, 0};
  for (int step = 0; step < 3; ++step) {
    opt.zero_grad();
    (w * w).sum().backward();  // g = 2w
    for (size_t i = 0; i < 2; ++i) {
      const double g = 2 * expect[i];
      buf[i] = step == 0 ? g : 0.9 * buf[i] + g;
      expect[i] -= 0.1 * buf[i];
    }
    opt.step();
  }
  const auto got = ag::to_vector<double>(w);
  EXPECT_NEAR(got[0], expect[0], 1e-12);
  EXPECT_NEAR(got[1], expect[1], 1e-12);
}

TEST(Optim, AdamFirstStepMovesByLr) {
  ag::Tensor w = ag::tensor({1.0, -2.0}, ag::kFloat64).requires_grad_();
  optim::Adam opt({w}, optim::AdamOptions(0.01));
  (w * w).sum().backward();
  opt.step();
  // Bias-corrected m / sqrt(v) is sign(g) on the first step.
  const auto got = ag::to_vector<double>(w);
  EXPECT_NEAR(got[0], 0.99, 1e-9);
  EXPECT_NEAR(got[1], -1.99, 1e-9);
  EXPECT_EQ(opt.step_count(0), 1);
}

TEST(Optim, AdamWDecaysAndSkipsParamsWithoutGrad) {
  ag::Tensor w = ag::tensor({1.0}, ag::kFloat64).requires_grad_();
  ag::Tensor unused = ag::tensor({5.0}, ag::kFloat64).requires_grad_();
  optim::AdamW opt({w, unused}, optim::AdamWOptions(0.1));
  EXPECT_DOUBLE_EQ(opt.options().weight_decay(), 0.01);
  (w * 0).sum().backward();  // zero gradient: only the decay moves w
  opt.step();
  EXPECT_NEAR(w.item<double>(), 1.0 - 0.1 * 0.01, 1e-12);
  EXPECT_EQ(unused.item<double>(), 5.0);
  EXPECT_EQ(opt.step_count(1), 0);
}

TEST(Optim, TrainsAnMlp) {
  ag::manual_seed(1);
  nn::Sequential net(nn::Linear(1, 16), nn::Tanh(), nn::Linear(16, 1));
  optim::Adam opt(net.parameters(), optim::AdamOptions(0.02));
  ag::Tensor x = ag::linspace(-2, 2, 32).reshape({32, 1});
  ag::Tensor y = x.sin();
  double first = 0, last = 0;
  for (int step = 0; step < 300; ++step) {
    opt.zero_grad();
    ag::Tensor loss = ag::mse_loss(net(x), y);
    loss.backward();
    opt.step();
    last = loss.item<double>();
    if (step == 0) first = last;
  }
  EXPECT_LT(last, first / 20);
  EXPECT_LT(last, 0.01);
}

TEST(Optim, RejectsBadOptionsAndParams) {
  ag::Tensor w = ag::ones({2}, ag::requires_grad());
  EXPECT_THROW(optim::SGD({w}, optim::SGDOptions(-1)), ag::ValueError);
  EXPECT_THROW(optim::Adam({w}, optim::AdamOptions().beta1(1.0)),
               ag::ValueError);
  EXPECT_THROW(optim::Adam({ag::Tensor()}), ag::TypeError);
  EXPECT_THROW(optim::Adam({w * 2}), ag::ValueError);
  EXPECT_THROW(optim::Adam(std::vector<ag::Tensor>{}), ag::ValueError);
}

}  // namespace

namespace {

TEST(Serialize, SafetensorsRoundTrip) {
  nn::Sequential a(nn::Linear(3, 4), nn::ReLU(), nn::Linear(4, 2));
  nn::Sequential b(nn::Linear(3, 4), nn::ReLU(), nn::Linear(4, 2));
  const std::string path = ::testing::TempDir() + "ag_model.safetensors";
  ag::save_file(a.state_dict(), path);
  const nn::NamedTensors loaded = ag::load_file(path);
  EXPECT_EQ(keys(loaded).size(), 4u);
  b.load_state_dict(loaded);
  ag::Tensor x = ag::randn({5, 3});
  EXPECT_EQ(ag::to_vector<float>(a(x)), ag::to_vector<float>(b(x)));
  // Other dtypes and a 0-d tensor keep their dtype and shape.
  ag::save_file({{"i", ag::tensor({1, 2, 3})},
                 {"d", ag::scalar(2.5, ag::kFloat64)},
                 {"m", ag::tensor({true, false})}},
                path);
  const nn::NamedTensors back = ag::load_file(path);
  ASSERT_EQ(back.size(), 3u);
  for (const auto& [name, t] : back) {
    if (name == "i") {
      EXPECT_EQ(ag::to_vector<int64_t>(t), (std::vector<int64_t>{1, 2, 3}));
    } else if (name == "d") {
      EXPECT_EQ(t.dim(), 0);
      EXPECT_EQ(t.item<double>(), 2.5);
    } else {
      EXPECT_EQ(t.dtype(), ag::kBool);
    }
  }
  EXPECT_THROW(ag::load_file(path + ".missing"), ag::Error);
}

}  // namespace
