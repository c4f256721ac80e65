// Undefined tensors (a default-constructed ag::Tensor, or the grad() of a
// tensor no gradient reached) handed to the public API: every op, method,
// module, loss, init function, factory and save/load call throws an ag::Error
// that says so, and nothing dereferences null. CI runs these under ASan and
// UBSan (.ci/sanitize address), where a stray dereference fails the run.

#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "autograd_cpp/autograd_cpp.h"

namespace {

// The message of the ag::Error `fn` throws; a test failure when it throws
// nothing or something else.
std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ag::Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw a non-ag::Error: " << e.what();
    return "";
  }
  ADD_FAILURE() << "threw nothing";
  return "";
}

void expect_undefined_error(const std::string& what,
                            const std::function<void()>& fn) {
  const std::string message = error_of(fn);
  EXPECT_NE(message.find("undefined Tensor"), std::string::npos)
      << what << ": " << message;
}

// The error of an API entry point names the function and the argument.
void expect_named_error(const std::string& function,
                        const std::string& argument,
                        const std::function<void()>& fn) {
  const std::string message = error_of(fn);
  EXPECT_EQ(message.rfind(function + "(): argument '" + argument + "'", 0), 0u)
      << function << ": " << message;
  EXPECT_NE(message.find("undefined Tensor"), std::string::npos) << message;
}

TEST(UndefinedTensor, EveryDeclaredUnaryOp) {
  const ag::Tensor u;
  int count = 0;
#define AG_TEST_UNARY(name, ...)                            \
  expect_undefined_error(#name, [&] { ag::ops::name(u); }); \
  expect_undefined_error(#name "_", [&] {                   \
    ag::Tensor v;                                           \
    ag::ops::name##_(v);                                    \
  });                                                       \
  ++count;
  AG_UNARY_FLOAT_OPS(AG_TEST_UNARY)
#undef AG_TEST_UNARY
#define AG_TEST_UNARY_NN(name, ...)                         \
  expect_undefined_error(#name, [&] { ag::ops::name(u); }); \
  ++count;
  AG_UNARY_NN_OPS(AG_TEST_UNARY_NN)
#undef AG_TEST_UNARY_NN
  EXPECT_GT(count, 15);
}

TEST(UndefinedTensor, EveryDeclaredBinaryOpInEitherPosition) {
  const ag::Tensor u;
  const ag::Tensor x = ag::ones({2});
  int count = 0;
#define AG_TEST_BINARY(name, ...)                                       \
  expect_undefined_error(#name "(u, x)", [&] { ag::ops::name(u, x); }); \
  expect_undefined_error(#name "(x, u)", [&] { ag::ops::name(x, u); }); \
  ++count;
  AG_BINARY_TENSOR_OPS(AG_TEST_BINARY)
#undef AG_TEST_BINARY
  EXPECT_GE(count, 2);
}

// The other op families, each with the undefined tensor in every tensor
// argument that may not be absent.
TEST(UndefinedTensor, OtherOps) {
  const ag::Tensor u;
  const ag::Tensor x = ag::ones({2, 2});
  const ag::Tensor idx = ag::tensor({0, 1});
  const ag::Tensor img = ag::ones({1, 1, 4, 4});
  const ag::Tensor w = ag::ones({1, 1, 3, 3});
  const ag::ops::IntList one{1, 1}, zero{0, 0};
  const std::vector<std::pair<std::string, std::function<void()>>> calls = {
      {"abs", [&] { ag::abs(u); }},
      {"sign", [&] { ag::sign(u); }},
      {"floor", [&] { ag::floor(u); }},
      {"round", [&] { ag::round(u, 2); }},
      {"add", [&] { ag::add(u, x, 2); }},
      {"sub", [&] { ag::sub(x, u); }},
      {"rsub", [&] { ag::rsub(u, 1); }},
      {"pow tensor", [&] { ag::pow(u, 2); }},
      {"pow scalar base", [&] { ag::pow(2, u); }},
      {"div rounding", [&] { ag::div(x, u, ag::ops::RoundingMode::Floor); }},
      {"remainder", [&] { ag::remainder(u, x); }},
      {"clamp", [&] { ag::clamp(u, 0.0, 1.0); }},
      {"clamp tensor", [&] { ag::clamp(u, x, x); }},
      {"lerp", [&] { ag::lerp(x, u, 0.5); }},
      {"masked_fill", [&] { ag::masked_fill(x, u, 1); }},
      {"where", [&] { ag::where(u, x, x); }},
      {"where other", [&] { ag::where(x > 0, x, u); }},
      {"sum", [&] { ag::sum(u); }},
      {"sum dims", [&] { ag::sum(u, {0}); }},
      {"mean", [&] { ag::mean(u); }},
      {"prod", [&] { ag::prod(u); }},
      {"max", [&] { ag::max(u); }},
      {"amax", [&] { ag::amax(u, {0}); }},
      {"argmax", [&] { ag::argmax(u); }},
      {"var", [&] { ag::var(u); }},
      {"logsumexp", [&] { ag::logsumexp(u, {0}); }},
      {"cumsum", [&] { ag::cumsum(u, 0); }},
      {"all", [&] { ag::all(u); }},
      {"norm", [&] { ag::norm(u); }},
      {"mm", [&] { ag::mm(x, u); }},
      {"bmm", [&] { ag::bmm(u, u); }},
      {"mv", [&] { ag::mv(x, u); }},
      {"dot", [&] { ag::dot(u, u); }},
      {"matmul", [&] { ag::matmul(u, x); }},
      {"addmm", [&] { ag::addmm(u, x, x); }},
      {"linear input", [&] { ag::linear(u, x, ag::Tensor()); }},
      {"linear weight", [&] { ag::linear(x, u, ag::Tensor()); }},
      {"einsum", [&] { ag::einsum("ij,jk->ik", {x, u}); }},
      {"relu", [&] { ag::relu(u); }},
      {"gelu", [&] { ag::gelu(u); }},
      {"softplus", [&] { ag::softplus(u); }},
      {"dropout", [&] { ag::dropout(u, 0.5, true); }},
      {"softmax", [&] { ag::softmax(u, 0); }},
      {"log_softmax", [&] { ag::log_softmax(u, 0); }},
      {"mse_loss", [&] { ag::mse_loss(u, x); }},
      {"mse_loss target", [&] { ag::mse_loss(x, u); }},
      {"l1_loss", [&] { ag::l1_loss(u, x); }},
      {"cross_entropy", [&] { ag::cross_entropy(u, idx); }},
      {"cross_entropy target", [&] { ag::cross_entropy(x, u); }},
      {"nll_loss", [&] { ag::nll_loss(u, idx); }},
      {"binary_cross_entropy", [&] { ag::binary_cross_entropy(x, u); }},
      {"bce_with_logits", [&] { ag::binary_cross_entropy_with_logits(u, x); }},
      {"conv2d input",
       [&] { ag::conv2d(u, w, ag::Tensor(), one, zero, one, 1); }},
      {"conv2d weight",
       [&] { ag::conv2d(img, u, ag::Tensor(), one, zero, one, 1); }},
      {"max_pool2d",
       [&] { ag::max_pool2d(u, {2, 2}, {2, 2}, {0, 0}, {1, 1}, false); }},
      {"avg_pool2d",
       [&] {
         ag::avg_pool2d(u, {2, 2}, {2, 2}, {0, 0}, false, true, std::nullopt);
       }},
      {"layer_norm",
       [&] { ag::layer_norm(u, {2}, ag::Tensor(), ag::Tensor(), 1e-5); }},
      {"batch_norm",
       [&] {
         ag::batch_norm(u, ag::Tensor(), ag::Tensor(), ag::Tensor(),
                        ag::Tensor(), true, 0.1, 1e-5);
       }},
      {"embedding weight", [&] { ag::embedding(u, idx); }},
      {"embedding indices", [&] { ag::embedding(x, u); }},
      {"one_hot", [&] { ag::one_hot(u, 3); }},
      {"view", [&] { ag::view(u, {4}); }},
      {"reshape", [&] { ag::reshape(u, {4}); }},
      {"transpose", [&] { ag::transpose(u, 0, 1); }},
      {"t", [&] { ag::t(u); }},
      {"permute", [&] { ag::permute(u, {1, 0}); }},
      {"squeeze", [&] { ag::squeeze(u); }},
      {"unsqueeze", [&] { ag::unsqueeze(u, 0); }},
      {"expand", [&] { ag::expand(u, {2, 2}); }},
      {"flatten", [&] { ag::flatten(u); }},
      {"select", [&] { ag::select(u, 0, 0); }},
      {"narrow", [&] { ag::narrow(u, 0, 0, 1); }},
      {"split", [&] { ag::split(u, 1); }},
      {"chunk", [&] { ag::chunk(u, 2); }},
      {"unbind", [&] { ag::unbind(u); }},
      {"cat", [&] { ag::cat({x, u}); }},
      {"stack", [&] { ag::stack({u, x}); }},
      {"flip", [&] { ag::flip(u, {0}); }},
      {"repeat", [&] { ag::repeat(u, {2, 1}); }},
      {"roll", [&] { ag::roll(u, {1}, {0}); }},
      {"tril", [&] { ag::tril(u); }},
      {"gather", [&] { ag::gather(x, 0, u); }},
      {"index_select", [&] { ag::index_select(u, 0, idx); }},
      {"index_select index", [&] { ag::index_select(x, 0, u); }},
      {"constant_pad_nd", [&] { ag::constant_pad_nd(u, {1, 1}); }},
      {"clone", [&] { ag::clone(u); }},
      {"contiguous", [&] { ag::contiguous(u); }},
      {"to", [&] { ag::to(u, ag::kFloat64); }},
      {"detach", [&] { ag::detach(u); }},
      {"copy_ src",
       [&] {
         ag::Tensor y = ag::zeros({2, 2});
         ag::copy_(y, u);
       }},
      {"copy_ self",
       [&] {
         ag::Tensor v;
         ag::copy_(v, x);
       }},
      {"fill_",
       [&] {
         ag::Tensor v;
         ag::fill_(v, 1);
       }},
      {"add_ other",
       [&] {
         ag::Tensor y = ag::zeros({2, 2});
         ag::add_(y, u);
       }},
      {"comparison", [&] { (void)(u > 0); }},
      {"eq", [&] { ag::eq(x, u); }},
      {"printing", [&] { (void)ag::to_vector<float>(u); }},
  };
  for (const auto& [what, call] : calls) expect_undefined_error(what, call);
}

TEST(UndefinedTensor, MethodsAndAutograd) {
  ag::Tensor u;
  const ag::Tensor x = ag::ones({2}).requires_grad_();
  expect_undefined_error("item", [&] { u.item<double>(); });
  expect_undefined_error("numel", [&] { u.numel(); });
  expect_undefined_error("size", [&] { u.size(0); });
  expect_undefined_error("exp method", [&] { u.exp(); });
  expect_undefined_error("mean method", [&] { u.mean(); });
  expect_undefined_error("matmul method", [&] { x.matmul(u); });
  expect_undefined_error("pow method", [&] { u.pow(2); });
  expect_undefined_error("unary minus", [&] { (void)(-u); });
  expect_undefined_error("-=", [&] { u -= 1; });
  expect_undefined_error("*= tensor", [&] {
    ag::Tensor y = ag::ones({2});
    y *= u;
  });
  expect_undefined_error("copy_", [&] { u.copy_(x); });
  expect_undefined_error("grad", [&] { u.grad(); });
  expect_undefined_error("set_grad", [&] { u.set_grad(x); });
  EXPECT_FALSE(error_of([&] { u.backward(); }).empty());
  EXPECT_FALSE(error_of([&] { ag::autograd::grad({u}, {x}); }).empty());
  EXPECT_FALSE(error_of([&] { ag::autograd::grad({x.sum()}, {u}); }).empty());
  EXPECT_FALSE(error_of([&] { x.sum().backward(u.exp()); }).empty());
}

TEST(UndefinedTensor, ModulesNameThemselves) {
  namespace nn = ag::nn;
  const ag::Tensor u;
  nn::Linear linear(2, 3);
  nn::Conv2d conv(1, 2, 3);
  nn::Sequential seq(nn::Linear(2, 2), nn::ReLU());
  nn::LayerNorm norm(2);
  nn::BatchNorm1d batch(2);
  nn::Embedding embed(4, 2);
  nn::ReLU relu;
  nn::Dropout dropout;
  nn::MaxPool2d pool(2);
  expect_named_error("Linear", "input", [&] { linear(u); });
  expect_named_error("Conv2d", "input", [&] { conv(u); });
  expect_named_error("Sequential", "input", [&] { seq(u); });
  expect_named_error("LayerNorm", "input", [&] { norm(u); });
  expect_named_error("BatchNorm1d", "input", [&] { batch(u); });
  expect_named_error("Embedding", "input", [&] { embed(u); });
  expect_named_error("ReLU", "input", [&] { relu(u); });
  expect_named_error("Dropout", "input", [&] { dropout(u); });
  expect_named_error("MaxPool2d", "input", [&] { pool(u); });
  // forward() itself, below the call operator, still throws.
  expect_undefined_error("Linear::forward", [&] { linear.forward(u); });
}

TEST(UndefinedTensor, LossesNameTheArgument) {
  namespace nn = ag::nn;
  const ag::Tensor u;
  const ag::Tensor x = ag::ones({2, 3});
  const ag::Tensor target = ag::tensor({0, 2});
  expect_named_error("MSELoss", "input", [&] { nn::MSELoss()(u, x); });
  expect_named_error("MSELoss", "target", [&] { nn::MSELoss()(x, u); });
  expect_named_error("L1Loss", "target", [&] { nn::L1Loss()(x, u); });
  expect_named_error("BCELoss", "input", [&] { nn::BCELoss()(u, x); });
  expect_named_error("BCEWithLogitsLoss", "target",
                     [&] { nn::BCEWithLogitsLoss()(x, u); });
  expect_named_error("NLLLoss", "input", [&] { nn::NLLLoss()(u, target); });
  expect_named_error("CrossEntropyLoss", "target",
                     [&] { nn::CrossEntropyLoss()(x, u); });
}

TEST(UndefinedTensor, InitFactoriesAndSerialization) {
  namespace init = ag::nn::init;
  const ag::Tensor u;
  expect_named_error("nn::init::uniform_", "tensor",
                     [&] { init::uniform_(u); });
  expect_named_error("nn::init::normal_", "tensor", [&] { init::normal_(u); });
  expect_named_error("nn::init::constant_", "tensor",
                     [&] { init::constant_(u, 1); });
  expect_named_error("nn::init::constant_", "tensor", [&] { init::zeros_(u); });
  expect_named_error("nn::init::calculate_fan_in_and_fan_out", "tensor",
                     [&] { init::kaiming_uniform_(u); });
  expect_named_error("nn::init::calculate_fan_in_and_fan_out", "tensor",
                     [&] { init::xavier_uniform_(u); });
  expect_named_error("empty_like", "input", [&] { ag::empty_like(u); });
  expect_named_error("zeros_like", "input", [&] { ag::zeros_like(u); });
  expect_named_error("ones_like", "input", [&] { ag::ones_like(u); });
  expect_named_error("full_like", "input", [&] { ag::full_like(u, 2); });
  expect_named_error("rand_like", "input", [&] { ag::rand_like(u); });
  expect_named_error("randn_like", "input", [&] { ag::randn_like(u); });

  const std::string path =
      ::testing::TempDir() + "/undefined_tensor_test.safetensors";
  expect_named_error("save_file", "tensors[\"b\"]", [&] {
    ag::save_file({{"a", ag::ones({1})}, {"b", u}}, path);
  });
  ag::nn::Linear model(2, 1);
  expect_named_error("load_state_dict", "state_dict[\"bias\"]", [&] {
    model.load_state_dict({{"weight", ag::ones({1, 2})}, {"bias", u}});
  });
  std::remove(path.c_str());
}

// Parameters without a gradient are skipped by every optimizer, as in
// PyTorch; an undefined parameter is refused when the optimizer is built.
TEST(UndefinedTensor, OptimizersAndData) {
  ag::Tensor used = ag::ones({2}).requires_grad_();
  ag::Tensor unused = ag::ones({2}).requires_grad_();
  (used * 3).sum().backward();
  ag::optim::SGD sgd({used, unused}, ag::optim::SGDOptions(0.1).momentum(0.9));
  ag::optim::Adam adam({used, unused});
  ag::optim::RMSprop rms({used, unused});
  for (ag::optim::Optimizer* opt :
       std::vector<ag::optim::Optimizer*>{&sgd, &adam, &rms}) {
    EXPECT_NO_THROW(opt->step());
  }
  EXPECT_EQ(ag::to_vector<float>(unused), std::vector<float>({1, 1}));
  EXPECT_FALSE(error_of([&] {
                 ag::optim::SGD({ag::Tensor()}, ag::optim::SGDOptions(0.1));
               }).empty());
  EXPECT_FALSE(error_of([&] {
                 ag::data::TensorDataset({ag::ones({2}), ag::Tensor()});
               }).empty());
}

}  // namespace
