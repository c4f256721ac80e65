// ag::nn's transposed convolutions and recurrent layers and cells against
// PyTorch: each case fills weights, input and states by the formulas of
// data/gen_reference.py and must give torch 2.13.0's outputs, gradients
// (input, then every parameter in named_parameters order) and repr, stored in
// data/nn_reference.h.

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "autograd_cpp/autograd_cpp.h"
#include "data/nn_reference.h"

namespace {

namespace nn = ag::nn;
using ag::Tensor;
using ag::TensorList;

Tensor fill(const ag::Shape& shape, double lo, double hi) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return ag::linspace(lo, hi, n, ag::kFloat64).reshape(shape);
}

// cos(linspace(-1, 1)) / 2, as gen_reference.py's _state.
Tensor state(const ag::Shape& shape) {
  return fill(shape, -1, 1).cos() / 2;
}

void expect_close(const std::vector<double>& got,
                  const std::vector<double>& expected,
                  const std::string& what) {
  ASSERT_EQ(got.size(), expected.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(got[i], expected[i], 1e-10 * std::abs(expected[i]) + 1e-12)
        << what << " at " << i;
  }
}

void append(std::vector<double>& out, const Tensor& t) {
  for (double v : ag::to_vector<double>(t)) out.push_back(v);
}

// gen_reference.py's _layer_case for one module, checked against the case
// `name`'s stored numbers.
void check_case(nn::Module& module, const ag::Shape& input_shape,
                const std::function<TensorList(const Tensor&)>& call,
                const std::vector<double>& expected_outputs,
                const std::vector<double>& expected_grads,
                const std::string& expected_repr) {
  module.to(ag::kFloat64);
  std::vector<Tensor> params = module.parameters();
  {
    ag::NoGradGuard no_grad;
    for (size_t i = 0; i < params.size(); ++i) {
      params[i].copy_(fill(params[i].sizes(), -0.5, 0.5) *
                      (1 + static_cast<double>(i) / 4));
    }
  }
  const Tensor x = fill(input_shape, -2, 2).sin().requires_grad_();
  const TensorList outs = call(x);
  Tensor loss = ag::scalar(0.0, ag::kFloat64);
  std::vector<double> values, grads;
  for (const Tensor& o : outs) {
    loss = loss + (o * fill(o.sizes(), -1, 1)).sum();
    append(values, o);
  }
  loss.backward();
  append(grads, x.grad());
  for (const Tensor& p : params) append(grads, p.grad());
  EXPECT_EQ(module.repr(), expected_repr);
  expect_close(values, expected_outputs, expected_repr + " outputs");
  expect_close(grads, expected_grads, expected_repr + " gradients");
}

// AG_CHECK_CASE(case name, module, input shape, call)
#define AG_CHECK_CASE(name, module, shape, ...)                        \
  check_case(module, shape, __VA_ARGS__, nn_reference::name##_outputs, \
             nn_reference::name##_grads, nn_reference::name##_repr)

TensorList plain(nn::Module& m, const Tensor& x) {
  return {m(x)};
}

TEST(NnLayers, ConvTranspose2d) {
  nn::ConvTranspose2dOptions o(2, 3, 3);
  o.stride = {2, 2};
  o.padding = {1, 1};
  o.output_padding = {1, 1};
  nn::ConvTranspose2d conv(o);
  AG_CHECK_CASE(conv_transpose2d, conv, ag::Shape({2, 2, 4, 5}),
                [&](const Tensor& x) { return plain(conv, x); });
}

TEST(NnLayers, ConvTranspose2dGroupsDilation) {
  nn::ConvTranspose2dOptions o(4, 6, 2);
  o.kernel_size = {2, 3};
  o.stride = {2, 1};
  o.groups = 2;
  o.dilation = {1, 2};
  nn::ConvTranspose2d conv(o);
  AG_CHECK_CASE(conv_transpose2d_groups, conv, ag::Shape({1, 4, 3, 3}),
                [&](const Tensor& x) { return plain(conv, x); });
}

TEST(NnLayers, ConvTranspose2dUnbatchedNoBias) {
  nn::ConvTranspose2dOptions o(2, 2, 2);
  o.bias = false;
  nn::ConvTranspose2d conv(o);
  AG_CHECK_CASE(conv_transpose2d_unbatched, conv, ag::Shape({2, 4, 4}),
                [&](const Tensor& x) { return plain(conv, x); });
}

TEST(NnLayers, ConvTranspose1d) {
  nn::ConvTranspose1dOptions o(3, 2, 4);
  o.stride = {3};
  o.padding = {1};
  o.output_padding = {2};
  nn::ConvTranspose1d conv(o);
  AG_CHECK_CASE(conv_transpose1d, conv, ag::Shape({2, 3, 5}),
                [&](const Tensor& x) { return plain(conv, x); });
}

TEST(NnLayers, ConvTranspose1dUnbatchedDilated) {
  nn::ConvTranspose1dOptions o(3, 2, 2);
  o.dilation = {2};
  nn::ConvTranspose1d conv(o);
  AG_CHECK_CASE(conv_transpose1d_unbatched, conv, ag::Shape({3, 5}),
                [&](const Tensor& x) { return plain(conv, x); });
}

TEST(NnLayers, RNNCell) {
  nn::RNNCell cell(3, 4);
  AG_CHECK_CASE(rnn_cell, cell, ag::Shape({2, 3}),
                [&](const Tensor& x) -> TensorList {
                  return {cell.forward_with_state(x, state({2, 4})).first};
                });
}

TEST(NnLayers, RNNCellReluUnbatched) {
  nn::RNNCell cell(3, 4, false, nn::RNNMode::RNNRelu);
  AG_CHECK_CASE(rnn_cell_relu_unbatched, cell, ag::Shape({3}),
                [&](const Tensor& x) { return plain(cell, x); });
}

TEST(NnLayers, LSTMCell) {
  nn::LSTMCell cell(3, 4);
  AG_CHECK_CASE(
      lstm_cell, cell, ag::Shape({2, 3}), [&](const Tensor& x) -> TensorList {
        auto [h, c] =
            cell.forward_with_state(x, state({2, 4}), state({2, 4}) * 2);
        return {h, c};
      });
}

TEST(NnLayers, GRUCell) {
  nn::GRUCell cell(3, 4);
  AG_CHECK_CASE(gru_cell, cell, ag::Shape({2, 3}),
                [&](const Tensor& x) -> TensorList {
                  return {cell.forward_with_state(x, state({2, 4})).first};
                });
}

TEST(NnLayers, RNNTwoLayersBidirectionalRelu) {
  nn::RNNOptions o(3, 4);
  o.num_layers = 2;
  o.nonlinearity = nn::RNNMode::RNNRelu;
  o.bidirectional = true;
  nn::RNN rnn(o);
  AG_CHECK_CASE(rnn, rnn, ag::Shape({5, 2, 3}),
                [&](const Tensor& x) -> TensorList {
                  nn::RNNOutput out = rnn.forward_with_state(x);
                  EXPECT_FALSE(out.c_n.defined());
                  return {out.output, out.h_n};
                });
}

TEST(NnLayers, LSTMTwoLayersBidirectionalBatchFirst) {
  nn::RNNOptions o(3, 4);
  o.num_layers = 2;
  o.batch_first = true;
  o.bidirectional = true;
  nn::LSTM lstm(o);
  AG_CHECK_CASE(
      lstm, lstm, ag::Shape({2, 5, 3}), [&](const Tensor& x) -> TensorList {
        nn::RNNOutput out =
            lstm.forward_with_state(x, state({4, 2, 4}), state({4, 2, 4}) * 2);
        return {out.output, out.h_n, out.c_n};
      });
}

TEST(NnLayers, GRUUnbatchedNoBias) {
  nn::RNNOptions o(3, 4);
  o.bias = false;
  nn::GRU gru(o);
  AG_CHECK_CASE(gru_unbatched, gru, ag::Shape({5, 3}),
                [&](const Tensor& x) -> TensorList {
                  nn::RNNOutput out = gru.forward_with_state(x);
                  return {out.output, out.h_n};
                });
}

// PyTorch's parameter names, so state_dicts move between C++ and Python.
TEST(NnLayers, RecurrentStateDictKeys) {
  nn::RNNOptions o(3, 4);
  o.num_layers = 2;
  o.bidirectional = true;
  nn::GRU gru(o);
  std::vector<std::string> keys;
  for (const auto& [key, value] : gru.state_dict()) keys.push_back(key);
  ASSERT_EQ(keys.size(), 16u);
  EXPECT_EQ(keys[0], "weight_ih_l0");
  EXPECT_EQ(keys[5], "weight_hh_l0_reverse");
  EXPECT_EQ(keys[15], "bias_hh_l1_reverse");
  EXPECT_EQ(gru.named_parameters()[8].second.sizes(), ag::Shape({12, 8}));
  const double bound = 0.5;  // 1 / sqrt(hidden_size)
  for (const Tensor& p : gru.parameters()) {
    EXPECT_LE(p.abs().max().item<double>(), bound);
  }
}

TEST(NnLayers, BadInputsThrow) {
  nn::LSTM lstm(3, 4);
  EXPECT_THROW(lstm(ag::ones({2, 5, 2})), ag::Error);  // wrong input_size
  EXPECT_THROW(lstm(ag::ones({3})), ag::Error);        // 1-D
  EXPECT_THROW(
      lstm.forward_with_state(ag::ones({5, 2, 3}), ag::ones({1, 3, 4})),
      ag::Error);
  nn::ConvTranspose2d conv(2, 3, 3);
  EXPECT_THROW(conv(ag::ones({1, 3, 4, 4})), ag::Error);  // channels
  EXPECT_THROW(conv(ag::ones({4, 4})), ag::Error);
  EXPECT_THROW(nn::RNN(nn::RNNOptions(3, 0)), ag::ValueError);
  nn::ConvTranspose2dOptions o(2, 3, 3);
  o.groups = 2;
  EXPECT_THROW(nn::ConvTranspose2d{o}, ag::ValueError);
}

}  // namespace
