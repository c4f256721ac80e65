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

TEST(Nn, NormalizationLayersKeysReprAndRunningStats) {
  nn::BatchNorm2d bn(3);
  EXPECT_EQ(keys(bn.state_dict()),
            (std::vector<std::string>{"weight", "bias", "running_mean",
                                      "running_var", "num_batches_tracked"}));
  EXPECT_EQ(bn.repr(),
            "BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, "
            "track_running_stats=True)");
  EXPECT_EQ(bn.parameters().size(), 2u);
  EXPECT_EQ(bn.num_batches_tracked.dtype(), ag::kInt64);
  // A batch whose channel c holds the values c + {0, 1, 2, 3}: mean c + 1.5,
  // unbiased variance 5/3.
  ag::Tensor x = ag::arange(4).reshape({4, 1, 1, 1}).expand({4, 3, 1, 1}) +
                 ag::arange(3).reshape({1, 3, 1, 1});
  x = x.to(ag::kFloat32);
  ag::Tensor y = bn(x);
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 1);
  const std::vector<float> mean = ag::to_vector<float>(bn.running_mean);
  const std::vector<float> var = ag::to_vector<float>(bn.running_var);
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(mean[c], 0.1 * (c + 1.5), 1e-6);
    EXPECT_NEAR(var[c], 0.9 + 0.1 * 5.0 / 3.0, 1e-6);
  }
  EXPECT_NEAR(y.mean().item<double>(), 0.0, 1e-6);
  bn.eval();
  ag::Tensor z = bn(x);
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 1);
  EXPECT_NEAR(z.select(1, 0).select(0, 0).item<double>(),
              (0.0 - 0.15) / std::sqrt(0.9 + 0.5 / 3.0 + 1e-5), 1e-5);
  EXPECT_THROW(bn(ag::randn({2, 3})), ag::ValueError);
  EXPECT_THROW(nn::BatchNorm1d(3)(ag::randn({2, 3, 4, 5})), ag::ValueError);

  nn::BatchNorm1d untracked(4, 1e-5, 0.1, false, false);
  EXPECT_TRUE(untracked.state_dict().empty());
  untracked.eval();  // batch statistics still
  EXPECT_NEAR(untracked(ag::randn({8, 4})).mean().item<double>(), 0.0, 1e-5);

  nn::LayerNorm ln({2, 3});
  EXPECT_EQ(ln.repr(),
            "LayerNorm((2, 3), eps=1e-05, elementwise_affine=True, bias=True)");
  EXPECT_EQ(ln.weight.sizes(), ag::Shape({2, 3}));
  EXPECT_EQ(nn::LayerNorm(4).repr(),
            "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)");
  EXPECT_EQ(keys(nn::LayerNorm(4, 1e-5, true, false).state_dict()),
            (std::vector<std::string>{"weight"}));
  ag::Tensor h = ln(ag::randn({5, 2, 3}));
  EXPECT_NEAR(h.select(0, 1).mean().item<double>(), 0.0, 1e-5);
}

TEST(Nn, EmbeddingPoolingAndLogSoftmax) {
  ag::manual_seed(0);
  nn::Embedding emb(1000, 8, -1);
  EXPECT_EQ(emb.repr(), "Embedding(1000, 8, padding_idx=999)");
  EXPECT_EQ(nn::Embedding(4, 2).repr(), "Embedding(4, 2)");
  // N(0, 1) rows, the padding row zero.
  const double std = ag::std(emb.weight).item<double>();
  EXPECT_GT(std, 0.95);
  EXPECT_LT(std, 1.05);
  EXPECT_EQ(emb.weight.select(0, 999).abs().sum().item<double>(), 0.0);
  ag::Tensor idx = ag::tensor({{1, 999}, {1, 2}});
  ag::Tensor out = emb(idx);
  EXPECT_EQ(out.sizes(), ag::Shape({2, 2, 8}));
  out.sum().backward();
  EXPECT_EQ(emb.weight.grad().select(0, 999).abs().sum().item<double>(), 0.0);
  EXPECT_EQ(emb.weight.grad().select(0, 1).sum().item<double>(), 16.0);
  EXPECT_THROW(nn::Embedding(4, 2, 4), ag::ValueError);

  nn::MaxPool2d max_pool(2);
  EXPECT_EQ(max_pool.repr(),
            "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, "
            "ceil_mode=False)");
  ag::Tensor img = ag::arange(16).reshape({1, 1, 4, 4}).to(ag::kFloat32);
  EXPECT_EQ(ag::to_vector<float>(max_pool(img)),
            (std::vector<float>{5, 7, 13, 15}));
  nn::AvgPool2d avg_pool(3, 1, 1);
  EXPECT_EQ(avg_pool.repr(), "AvgPool2d(kernel_size=3, stride=1, padding=1)");
  EXPECT_EQ(avg_pool(img).sizes(), ag::Shape({1, 1, 4, 4}));
  // count_include_pad: the corner averages 4 values over 9 places.
  EXPECT_NEAR(avg_pool(img).flatten().select(0, 0).item<double>(),
              (0 + 1 + 4 + 5) / 9.0, 1e-6);

  nn::LogSoftmax log_softmax(1);
  EXPECT_EQ(log_softmax.repr(), "LogSoftmax(dim=1)");
  ag::Tensor logits = ag::randn({3, 5});
  EXPECT_NEAR(log_softmax(logits).exp().sum().item<double>(), 3.0, 1e-5);
  ag::Tensor target = ag::tensor({0, 4, 2});
  EXPECT_NEAR(nn::NLLLoss()(log_softmax(logits), target).item<double>(),
              nn::CrossEntropyLoss()(logits, target).item<double>(), 1e-6);
  ag::Tensor probs = ag::tensor({0.2f, 0.9f});
  ag::Tensor labels = ag::tensor({0.f, 1.f});
  EXPECT_NEAR(nn::BCELoss()(probs, labels).item<double>(),
              -(std::log(0.8) + std::log(0.9)) / 2, 1e-6);
  EXPECT_NEAR(nn::BCEWithLogitsLoss()(ag::log(probs / (1 - probs)), labels)
                  .item<double>(),
              nn::BCELoss()(probs, labels).item<double>(), 1e-6);
  EXPECT_NEAR(nn::L1Loss()(probs, labels).item<double>(), 0.15, 1e-6);
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
