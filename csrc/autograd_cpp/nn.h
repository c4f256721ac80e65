#pragma once

// ag::nn: modules for C++ users, the counterparts of torch.nn's (the Python
// package's classes are separate; both use the same ops, so the same weights
// give the same outputs). Modules are shared through std::shared_ptr: a copy
// of a module object shares its parameters.

#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "autograd_cpp/check.h"
#include "ops/ops.h"

namespace ag::nn {

class Module;
// Prints module.repr(), as print(model) does in Python.
std::ostream& operator<<(std::ostream& os, const Module& module);

// Named tensors in registration order (PyTorch's OrderedDict).
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

class Module {
 public:
  virtual ~Module() = default;

  // One input, one output; modules with other signatures add their own.
  virtual Tensor forward(const Tensor& input);
  Tensor operator()(const Tensor& input) {
    if (!input.defined()) detail::throw_undefined_argument(name(), "input");
    return forward(input);
  }

  // PyTorch's class name ("Linear") and the text inside its repr's
  // parentheses ("in_features=2, out_features=3, bias=True").
  virtual std::string name() const = 0;
  virtual std::string extra_repr() const { return ""; }
  // The module as Python's repr() prints it, children indented.
  std::string repr() const;

  std::vector<Tensor> parameters(bool recurse = true) const;
  NamedTensors named_parameters(bool recurse = true) const;
  NamedTensors named_buffers(bool recurse = true) const;
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>&
  named_children() const {
    return children_;
  }
  // Parameters then buffers of each module, parents before children, with
  // dotted names ("0.weight"): the keys Python's state_dict() gives.
  NamedTensors state_dict() const;
  // Copies values in (no graph recorded). With strict, the keys must be
  // exactly this module's; shapes must always match.
  void load_state_dict(const NamedTensors& state, bool strict = true);

  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  // Sets every parameter's grad to undefined (PyTorch's set_to_none=True).
  void zero_grad();
  // Converts parameters and floating buffers to `dtype`, in place.
  void to(DType dtype);

 protected:
  // Registers t (made a leaf that requires grad) and returns it.
  Tensor register_parameter(std::string name, Tensor t,
                            bool requires_grad = true);
  Tensor register_buffer(std::string name, Tensor t);
  template <typename M>
  std::shared_ptr<M> register_module(std::string name,
                                     std::shared_ptr<M> module) {
    children_.emplace_back(std::move(name), module);
    return module;
  }

 private:
  void collect(const std::string& prefix, bool recurse, bool buffers,
               NamedTensors& out) const;
  NamedTensors params_, buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

// nn.init: in-place fills outside the graph (torch.nn.init's names).
namespace init {
Tensor uniform_(Tensor t, double low = 0.0, double high = 1.0);
Tensor normal_(Tensor t, double mean = 0.0, double std = 1.0);
Tensor constant_(Tensor t, const Scalar& value);
Tensor zeros_(Tensor t);
Tensor ones_(Tensor t);
// fan_in and fan_out of a weight: dims 1 and 0 times the receptive field.
std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t);
// With a = sqrt(5) (nn.Linear's and nn.Conv2d's default init) the bound is
// 1 / sqrt(fan_in).
Tensor kaiming_uniform_(Tensor t, double a = 0.0);
Tensor xavier_uniform_(Tensor t, double gain = 1.0);
}  // namespace init

// y = x W^T + b, W of shape (out_features, in_features).
class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true);
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Linear"; }
  std::string extra_repr() const override;
  Tensor weight, bias;  // bias undefined without one

 private:
  int64_t in_features_, out_features_;
};

struct Conv2dOptions {
  Conv2dOptions(int64_t in_channels, int64_t out_channels, int64_t kernel_size)
      : in_channels(in_channels),
        out_channels(out_channels),
        kernel_size{kernel_size, kernel_size} {}
  int64_t in_channels, out_channels;
  std::vector<int64_t> kernel_size;
  std::vector<int64_t> stride{1, 1}, padding{0, 0}, dilation{1, 1};
  int64_t groups = 1;
  bool bias = true;
};

class Conv2d : public Module {
 public:
  explicit Conv2d(Conv2dOptions options);
  Conv2d(int64_t in_channels, int64_t out_channels, int64_t kernel_size)
      : Conv2d(Conv2dOptions(in_channels, out_channels, kernel_size)) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Conv2d"; }
  std::string extra_repr() const override;
  Tensor weight, bias;

 private:
  Conv2dOptions options_;
};

// F.conv_transpose2d: the adjoint of conv2d. Input (N, C_in, H, W) or
// (C_in, H, W), weight (C_in, C_out / groups, kH, kW), bias (C_out) or
// undefined; the arguments in PyTorch's order.
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight,
                        const Tensor& bias = Tensor(),
                        const ops::IntList& stride = {1, 1},
                        const ops::IntList& padding = {0, 0},
                        const ops::IntList& output_padding = {0, 0},
                        int64_t groups = 1,
                        const ops::IntList& dilation = {1, 1});
// F.conv_transpose1d: input (N, C_in, L) or (C_in, L), weight
// (C_in, C_out / groups, k).
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight,
                        const Tensor& bias = Tensor(),
                        const ops::IntList& stride = {1},
                        const ops::IntList& padding = {0},
                        const ops::IntList& output_padding = {0},
                        int64_t groups = 1, const ops::IntList& dilation = {1});

// nn.ConvTranspose1d's and nn.ConvTranspose2d's arguments, N sizes each.
template <size_t N>
struct ConvTransposeOptions {
  ConvTransposeOptions(int64_t in_channels, int64_t out_channels,
                       int64_t kernel_size)
      : in_channels(in_channels),
        out_channels(out_channels),
        kernel_size(N, kernel_size) {}
  int64_t in_channels, out_channels;
  std::vector<int64_t> kernel_size;
  std::vector<int64_t> stride = std::vector<int64_t>(N, 1),
                       padding = std::vector<int64_t>(N, 0),
                       output_padding = std::vector<int64_t>(N, 0),
                       dilation = std::vector<int64_t>(N, 1);
  int64_t groups = 1;
  bool bias = true;
};
using ConvTranspose1dOptions = ConvTransposeOptions<1>;
using ConvTranspose2dOptions = ConvTransposeOptions<2>;

template <size_t N>
class ConvTransposeNd : public Module {
 public:
  explicit ConvTransposeNd(ConvTransposeOptions<N> options);
  ConvTransposeNd(int64_t in_channels, int64_t out_channels,
                  int64_t kernel_size)
      : ConvTransposeNd(
            ConvTransposeOptions<N>(in_channels, out_channels, kernel_size)) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override;
  std::string extra_repr() const override;
  Tensor weight, bias;

 private:
  ConvTransposeOptions<N> options_;
};
// nn.ConvTranspose1d(in, out, k) and with options:
//   ag::nn::ConvTranspose2dOptions o(3, 8, 3); o.stride = {2, 2};
//   ag::nn::ConvTranspose2d up(o);
using ConvTranspose1d = ConvTransposeNd<1>;
using ConvTranspose2d = ConvTransposeNd<2>;

// Elementwise activations and other parameter-free layers.
class ReLU : public Module {
 public:
  Tensor forward(const Tensor& input) override { return ops::relu(input); }
  std::string name() const override { return "ReLU"; }
};
class Tanh : public Module {
 public:
  Tensor forward(const Tensor& input) override { return ops::tanh(input); }
  std::string name() const override { return "Tanh"; }
};
class Sigmoid : public Module {
 public:
  Tensor forward(const Tensor& input) override { return ops::sigmoid(input); }
  std::string name() const override { return "Sigmoid"; }
};
class GELU : public Module {
 public:
  Tensor forward(const Tensor& input) override { return ops::gelu(input); }
  std::string name() const override { return "GELU"; }
  std::string extra_repr() const override { return "approximate='none'"; }
};
class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(double negative_slope = 0.01) : slope_(negative_slope) {}
  Tensor forward(const Tensor& input) override {
    return ops::leaky_relu(input, slope_);
  }
  std::string name() const override { return "LeakyReLU"; }
  std::string extra_repr() const override;

 private:
  double slope_;
};
class Softmax : public Module {
 public:
  explicit Softmax(int64_t dim) : dim_(dim) {}
  Tensor forward(const Tensor& input) override {
    return ops::softmax(input, dim_);
  }
  std::string name() const override { return "Softmax"; }
  std::string extra_repr() const override;

 private:
  int64_t dim_;
};
class Flatten : public Module {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1)
      : start_(start_dim), end_(end_dim) {}
  Tensor forward(const Tensor& input) override {
    return ops::flatten(input, start_, end_);
  }
  std::string name() const override { return "Flatten"; }
  std::string extra_repr() const override;

 private:
  int64_t start_, end_;
};
// Zeroes elements with probability p in training (scaling the rest by
// 1/(1-p)); the identity in eval().
class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5);
  Tensor forward(const Tensor& input) override {
    return ops::dropout(input, p_, is_training());
  }
  std::string name() const override { return "Dropout"; }
  std::string extra_repr() const override;

 private:
  double p_;
};

class LogSoftmax : public Module {
 public:
  explicit LogSoftmax(int64_t dim) : dim_(dim) {}
  Tensor forward(const Tensor& input) override {
    return ops::log_softmax(input, dim_);
  }
  std::string name() const override { return "LogSoftmax"; }
  std::string extra_repr() const override;

 private:
  int64_t dim_;
};

// Square windows over the last two dims; stride defaults to the kernel size.
class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(int64_t kernel_size,
                     std::optional<int64_t> stride = std::nullopt,
                     int64_t padding = 0, int64_t dilation = 1,
                     bool ceil_mode = false);
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "MaxPool2d"; }
  std::string extra_repr() const override;

 private:
  int64_t kernel_, stride_, padding_, dilation_;
  bool ceil_mode_;
};
class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(int64_t kernel_size,
                     std::optional<int64_t> stride = std::nullopt,
                     int64_t padding = 0, bool ceil_mode = false,
                     bool count_include_pad = true);
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "AvgPool2d"; }
  std::string extra_repr() const override;

 private:
  int64_t kernel_, stride_, padding_;
  bool ceil_mode_, count_include_pad_;
};

// Normalizes over the trailing dims `normalized_shape`; weight starts at
// ones and bias at zeros (each absent without elementwise_affine, bias also
// without `bias`).
class LayerNorm : public Module {
 public:
  explicit LayerNorm(std::vector<int64_t> normalized_shape, double eps = 1e-5,
                     bool elementwise_affine = true, bool bias = true);
  // LayerNorm({2, 3}) and LayerNorm(4), as Python takes normalized_shape.
  explicit LayerNorm(std::initializer_list<int64_t> normalized_shape,
                     double eps = 1e-5, bool elementwise_affine = true,
                     bool bias = true)
      : LayerNorm(std::vector<int64_t>(normalized_shape), eps,
                  elementwise_affine, bias) {}
  explicit LayerNorm(int64_t normalized_shape, double eps = 1e-5,
                     bool elementwise_affine = true, bool bias = true)
      : LayerNorm(std::vector<int64_t>{normalized_shape}, eps,
                  elementwise_affine, bias) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "LayerNorm"; }
  std::string extra_repr() const override;
  Tensor weight, bias;

 private:
  std::vector<int64_t> shape_;
  double eps_;
  bool affine_;
};

// Batch normalization over every dim but 1. In training it normalizes with
// the batch's statistics and updates running_mean and running_var (buffers,
// absent without track_running_stats) by `momentum`; in eval() it uses them.
class BatchNorm : public Module {
 public:
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 protected:
  BatchNorm(int64_t num_features, double eps, double momentum, bool affine,
            bool track_running_stats);
  // Raises PyTorch's ValueError for an input of the wrong rank.
  virtual void check_input_dim(const Tensor& input) const = 0;

 private:
  int64_t num_features_;
  double eps_, momentum_;
  bool affine_, track_;
};
// Input (N, C) or (N, C, L).
class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(int64_t num_features, double eps = 1e-5,
                       double momentum = 0.1, bool affine = true,
                       bool track_running_stats = true)
      : BatchNorm(num_features, eps, momentum, affine, track_running_stats) {}
  std::string name() const override { return "BatchNorm1d"; }

 protected:
  void check_input_dim(const Tensor& input) const override;
};
// Input (N, C, H, W).
class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(int64_t num_features, double eps = 1e-5,
                       double momentum = 0.1, bool affine = true,
                       bool track_running_stats = true)
      : BatchNorm(num_features, eps, momentum, affine, track_running_stats) {}
  std::string name() const override { return "BatchNorm2d"; }

 protected:
  void check_input_dim(const Tensor& input) const override;
};

// A lookup table: forward(indices) gives the rows of weight (N(0, 1) at
// first). The padding_idx row (negative counts from the end) starts at zero
// and gets no gradient.
class Embedding : public Module {
 public:
  Embedding(int64_t num_embeddings, int64_t embedding_dim,
            std::optional<int64_t> padding_idx = std::nullopt);
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Embedding"; }
  std::string extra_repr() const override;
  Tensor weight;

 private:
  int64_t num_embeddings_, embedding_dim_;
  std::optional<int64_t> padding_idx_;
};

// Recurrent layers and cells (nn.RNN, nn.LSTM, nn.GRU and their cells).
// Weights are PyTorch's: weight_ih (G * hidden, input), weight_hh
// (G * hidden, hidden), bias_ih and bias_hh (G * hidden) with G = 1, 4
// (LSTM: gates i, f, g, o) or 3 (GRU: r, z, n), all uniform in
// [-1/sqrt(hidden), 1/sqrt(hidden)].
enum class RNNMode { RNNTanh, RNNRelu, LSTM, GRU };

// One step of each cell, on (N, input) and (N, hidden) tensors; biases may
// be undefined. lstm_cell returns (h', c').
Tensor rnn_tanh_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih,
                     const Tensor& w_hh, const Tensor& b_ih,
                     const Tensor& b_hh);
Tensor rnn_relu_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih,
                     const Tensor& w_hh, const Tensor& b_ih,
                     const Tensor& b_hh);
std::pair<Tensor, Tensor> lstm_cell(const Tensor& input, const Tensor& hx,
                                    const Tensor& cx, const Tensor& w_ih,
                                    const Tensor& w_hh, const Tensor& b_ih,
                                    const Tensor& b_hh);
Tensor gru_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih,
                const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh);

// nn.RNNCell (nonlinearity tanh, or relu with RNNMode::RNNRelu),
// nn.LSTMCell, nn.GRUCell: input (N, input_size) or (input_size); a state
// left undefined starts at zeros.
class RNNCellBase : public Module {
 public:
  // The next hidden state (RNNCell, GRUCell) or (h', c') (LSTMCell; c' is
  // undefined for the others).
  std::pair<Tensor, Tensor> forward_with_state(const Tensor& input,
                                               const Tensor& hx = Tensor(),
                                               const Tensor& cx = Tensor());
  // The next hidden state from a zero state.
  Tensor forward(const Tensor& input) override;
  std::string name() const override;
  std::string extra_repr() const override;
  Tensor weight_ih, weight_hh, bias_ih, bias_hh;

 protected:
  RNNCellBase(RNNMode mode, int64_t input_size, int64_t hidden_size, bool bias);

 private:
  RNNMode mode_;
  int64_t input_size_, hidden_size_;
};
class RNNCell : public RNNCellBase {
 public:
  // nonlinearity: RNNMode::RNNTanh (PyTorch's "tanh") or RNNMode::RNNRelu.
  RNNCell(int64_t input_size, int64_t hidden_size, bool bias = true,
          RNNMode nonlinearity = RNNMode::RNNTanh);
};
class LSTMCell : public RNNCellBase {
 public:
  LSTMCell(int64_t input_size, int64_t hidden_size, bool bias = true)
      : RNNCellBase(RNNMode::LSTM, input_size, hidden_size, bias) {}
};
class GRUCell : public RNNCellBase {
 public:
  GRUCell(int64_t input_size, int64_t hidden_size, bool bias = true)
      : RNNCellBase(RNNMode::GRU, input_size, hidden_size, bias) {}
};

struct RNNOptions {
  RNNOptions(int64_t input_size, int64_t hidden_size)
      : input_size(input_size), hidden_size(hidden_size) {}
  int64_t input_size, hidden_size;
  int64_t num_layers = 1;
  RNNMode nonlinearity = RNNMode::RNNTanh;  // nn.RNN only
  bool bias = true;
  bool batch_first = false;
  double dropout = 0.0;  // between layers, in training
  bool bidirectional = false;
};

// What a recurrent layer returns: output (L, N, D * hidden) (batch first:
// (N, L, D * hidden)), h_n (D * num_layers, N, hidden) and, for LSTM, c_n.
struct RNNOutput {
  Tensor output, h_n, c_n;
};

// nn.RNN, nn.LSTM, nn.GRU over input (L, N, input_size), (N, L,
// input_size) with batch_first, or unbatched (L, input_size).
class RNNBase : public Module {
 public:
  // h0 (and for LSTM c0) left undefined start at zeros.
  RNNOutput forward_with_state(const Tensor& input, const Tensor& h0 = Tensor(),
                               const Tensor& c0 = Tensor());
  // The output alone, from zero states.
  Tensor forward(const Tensor& input) override;
  std::string name() const override;
  std::string extra_repr() const override;
  const RNNOptions& options() const { return options_; }

 protected:
  RNNBase(RNNMode mode, RNNOptions options);

 private:
  // Weights of layer `layer`, direction `dir` (weight_ih, weight_hh,
  // bias_ih, bias_hh; biases undefined without bias).
  std::vector<Tensor> weights(int64_t layer, int64_t dir) const;
  RNNMode mode_;
  RNNOptions options_;
  std::vector<Tensor> flat_weights_;
};
class RNN : public RNNBase {
 public:
  explicit RNN(RNNOptions options);
  RNN(int64_t input_size, int64_t hidden_size, int64_t num_layers = 1);
};
class LSTM : public RNNBase {
 public:
  explicit LSTM(RNNOptions options) : RNNBase(RNNMode::LSTM, options) {}
  LSTM(int64_t input_size, int64_t hidden_size, int64_t num_layers = 1);
};
class GRU : public RNNBase {
 public:
  explicit GRU(RNNOptions options) : RNNBase(RNNMode::GRU, options) {}
  GRU(int64_t input_size, int64_t hidden_size, int64_t num_layers = 1);
};

// Runs its modules in order; they are registered as "0", "1", ...
//   ag::nn::Sequential net(ag::nn::Linear(2, 16), ag::nn::Tanh(),
//                          ag::nn::Linear(16, 1));
class Sequential : public Module {
 public:
  Sequential() = default;
  template <typename... Ms,
            typename = std::enable_if_t<
                (sizeof...(Ms) > 0) &&
                (!std::is_same_v<std::decay_t<Ms>, Sequential> && ...)>>
  explicit Sequential(Ms&&... modules) {
    (push_back(std::forward<Ms>(modules)), ...);
  }
  template <typename M>
  void push_back(std::shared_ptr<M> module) {
    register_module(std::to_string(modules_.size()), module);
    modules_.push_back(std::move(module));
  }
  template <typename M, typename = std::enable_if_t<std::is_base_of_v<
                            Module, std::remove_reference_t<M>>>>
  void push_back(M&& module) {
    push_back(std::make_shared<std::decay_t<M>>(std::forward<M>(module)));
  }
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Sequential"; }
  size_t size() const { return modules_.size(); }
  const std::shared_ptr<Module>& operator[](size_t i) const {
    return modules_.at(i);
  }

 private:
  std::vector<std::shared_ptr<Module>> modules_;
};

// Losses: loss(input, target), with PyTorch's reduction (mean by default).
class MSELoss {
 public:
  explicit MSELoss(ops::Reduction reduction = ops::Reduction::Mean)
      : reduction_(reduction) {}
  Tensor operator()(const Tensor& input, const Tensor& target) const {
    ag::detail::check_loss_arguments("MSELoss", input, target);
    return ops::mse_loss(input, target, reduction_);
  }

 private:
  ops::Reduction reduction_;
};
class L1Loss {
 public:
  explicit L1Loss(ops::Reduction reduction = ops::Reduction::Mean)
      : reduction_(reduction) {}
  Tensor operator()(const Tensor& input, const Tensor& target) const {
    ag::detail::check_loss_arguments("L1Loss", input, target);
    return ops::l1_loss(input, target, reduction_);
  }

 private:
  ops::Reduction reduction_;
};
// Probabilities in [0, 1] against targets of the same shape.
class BCELoss {
 public:
  explicit BCELoss(ops::Reduction reduction = ops::Reduction::Mean)
      : reduction_(reduction) {}
  Tensor operator()(const Tensor& input, const Tensor& target) const {
    ag::detail::check_loss_arguments("BCELoss", input, target);
    return ops::binary_cross_entropy(input, target, Tensor(), reduction_);
  }

 private:
  ops::Reduction reduction_;
};
// BCELoss on sigmoid(input), computed stably from the logits.
class BCEWithLogitsLoss {
 public:
  explicit BCEWithLogitsLoss(ops::Reduction reduction = ops::Reduction::Mean)
      : reduction_(reduction) {}
  Tensor operator()(const Tensor& input, const Tensor& target) const {
    ag::detail::check_loss_arguments("BCEWithLogitsLoss", input, target);
    return ops::binary_cross_entropy_with_logits(input, target, Tensor(),
                                                 Tensor(), reduction_);
  }

 private:
  ops::Reduction reduction_;
};
// Log-probabilities against class indices (int64).
class NLLLoss {
 public:
  explicit NLLLoss(ops::Reduction reduction = ops::Reduction::Mean,
                   int64_t ignore_index = -100)
      : reduction_(reduction), ignore_index_(ignore_index) {}
  Tensor operator()(const Tensor& input, const Tensor& target) const {
    ag::detail::check_loss_arguments("NLLLoss", input, target);
    return ops::nll_loss(input, target, Tensor(), reduction_, ignore_index_);
  }

 private:
  ops::Reduction reduction_;
  int64_t ignore_index_;
};
// Class-index (int64) or class-probability targets.
class CrossEntropyLoss {
 public:
  explicit CrossEntropyLoss(ops::Reduction reduction = ops::Reduction::Mean,
                            double label_smoothing = 0.0)
      : reduction_(reduction), label_smoothing_(label_smoothing) {}
  Tensor operator()(const Tensor& input, const Tensor& target) const {
    ag::detail::check_loss_arguments("CrossEntropyLoss", input, target);
    return ops::cross_entropy(input, target, Tensor(), reduction_, -100,
                              label_smoothing_);
  }

 private:
  ops::Reduction reduction_;
  double label_smoothing_;
};

}  // namespace ag::nn
