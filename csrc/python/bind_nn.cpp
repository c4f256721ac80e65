// Matrix products, einsum, softmax, convolution, pooling, normalization and
// losses. Module functions that PyTorch keeps in torch._C._nn (the losses,
// linear, pooling with options) live in the submodule _C._nn, which
// nn/functional.py wraps with PyTorch's Python signatures.

#include <algorithm>

#include "python/bind_utils.h"

namespace ag::python {

namespace {

ops::Reduction to_reduction(const std::string& reduction) {
  if (reduction == "mean") return ops::Reduction::Mean;
  if (reduction == "sum") return ops::Reduction::Sum;
  if (reduction == "none") return ops::Reduction::None;
  throw py::value_error(reduction + " is not a valid value for reduction");
}

Tensor optional_tensor(Args& a, size_t i) {
  return a.optional_tensor(i).value_or(Tensor());
}

// Work estimate for the GIL decision: a convolution's cost grows with the
// input times the kernel.
int64_t conv_work(const Tensor& input, const Tensor& weight) {
  return input.numel() * std::max<int64_t>(1, weight.numel());
}

// None or an empty sequence both mean "default to the kernel size".
std::vector<int64_t> optional_ints(Args& a, size_t i) {
  return a.optional_int_list(i).value_or(std::vector<int64_t>{});
}

void bind_products(TensorClass& cls, py::module_& m) {
  const std::tuple<const char*, const char*,
                   Tensor (*)(const Tensor&, const Tensor&), const char*>
      products[] = {
          {"matmul", "other", &ops::matmul,
           "Matrix product with NumPy's rules for 1-d and batched operands."},
          {"mm", "mat2", &ops::mm, "Matrix product of two 2-d tensors."},
          {"bmm", "mat2", &ops::bmm,
           "Batched matrix product of (b, n, m) and (b, m, p) tensors."},
          {"mv", "vec", &ops::mv, "Matrix-vector product."},
          {"dot", "other", &ops::dot, "Dot product of two 1-d tensors."},
          {"outer", "vec2", &ops::outer, "Outer product of two 1-d tensors."},
          {"ger", "vec2", &ops::outer, "Alias of outer."},
  };
  for (const auto& [name, other, op, doc] : products) {
    def_both(
        cls, m,
        {std::string(name) + "(Tensor input, Tensor " + other + ") -> Tensor"},
        [op = op](Args& a) {
          const Tensor x = a.tensor(0), y = a.tensor(1);
          return wrap(released([&] { return op(x, y); }));
        },
        doc);
  }
  def_both(
      cls, m,
      {"addmm(Tensor input, Tensor mat1, Tensor mat2, *, Number beta=1, "
       "Number alpha=1) -> Tensor"},
      [](Args& a) {
        const Tensor self = a.tensor(0), m1 = a.tensor(1), m2 = a.tensor(2);
        const Scalar beta = a.scalar(3), alpha = a.scalar(4);
        return wrap(
            released([&] { return ops::addmm(self, m1, m2, beta, alpha); }));
      },
      "beta * input + alpha * (mat1 @ mat2).");
  def(
      m, {"einsum(str equation, Tensor... operands) -> Tensor"},
      [](Args& a) {
        const std::string equation = a.string(0);
        const TensorList operands = a.tensor_list(1);
        return wrap(released([&] { return ops::einsum(equation, operands); }));
      },
      "Sums products of the operands' elements over the indices the equation "
      "names.");
  for (const bool log : {false, true}) {
    def_both(
        cls, m,
        {std::string(log ? "log_softmax" : "softmax") +
         "(Tensor input, int dim, dtype? dtype=None) -> Tensor"},
        [log](Args& a) {
          const Tensor t = a.tensor(0);
          const int64_t dim = a.to_int(1);
          const auto dtype = a.optional_dtype(2);
          return wrap(without_gil(t.numel(), [&] {
            return log ? ops::log_softmax(t, dim, dtype)
                       : ops::softmax(t, dim, dtype);
          }));
        },
        log ? "log(softmax(x)) along dim, computed stably."
            : "exp(x) / sum(exp(x)) along dim.");
  }
}

void bind_losses(py::module_& m, py::module_& nn) {
  def(
      m,
      {"binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? "
       "weight=None, Tensor? pos_weight=None, str reduction='mean') -> "
       "Tensor"},
      [](Args& a) {
        return wrap(ops::binary_cross_entropy_with_logits(
            a.tensor(0), a.tensor(1), optional_tensor(a, 2),
            optional_tensor(a, 3), to_reduction(a.string(4))));
      },
      "Binary cross-entropy computed from logits, numerically stable.");
  def(
      nn,
      {"nll_loss(Tensor input, Tensor target, Tensor? weight=None, str "
       "reduction='mean', int ignore_index=-100) -> Tensor"},
      [](Args& a) {
        return wrap(ops::nll_loss(a.tensor(0), a.tensor(1),
                                  optional_tensor(a, 2),
                                  to_reduction(a.string(3)), a.to_int(4)));
      },
      "Negative log-likelihood of the target classes under log-probabilities.");
  def(
      nn,
      {"cross_entropy(Tensor input, Tensor target, Tensor? weight=None, str "
       "reduction='mean', int ignore_index=-100, float label_smoothing=0.0) "
       "-> Tensor"},
      [](Args& a) {
        return wrap(ops::cross_entropy(
            a.tensor(0), a.tensor(1), optional_tensor(a, 2),
            to_reduction(a.string(3)), a.to_int(4), a.to_double(5)));
      },
      "Cross-entropy of class logits (or probabilities) against targets.");
  def(
      nn,
      {"binary_cross_entropy(Tensor input, Tensor target, Tensor? "
       "weight=None, str reduction='mean') -> Tensor"},
      [](Args& a) {
        return wrap(ops::binary_cross_entropy(a.tensor(0), a.tensor(1),
                                              optional_tensor(a, 2),
                                              to_reduction(a.string(3))));
      },
      "Binary cross-entropy of probabilities against targets.");
  for (const bool l1 : {false, true}) {
    def(
        nn,
        {std::string(l1 ? "l1_loss" : "mse_loss") +
         "(Tensor input, Tensor target, str reduction='mean') -> Tensor"},
        [l1](Args& a) {
          const Tensor x = a.tensor(0), y = a.tensor(1);
          const ops::Reduction r = to_reduction(a.string(2));
          return wrap(l1 ? ops::l1_loss(x, y, r) : ops::mse_loss(x, y, r));
        },
        l1 ? "Mean (or sum) absolute error." : "Mean (or sum) squared error.");
  }
  def(
      nn,
      {"smooth_l1_loss(Tensor input, Tensor target, str reduction='mean', "
       "float beta=1.0) -> Tensor"},
      [](Args& a) {
        return wrap(ops::smooth_l1_loss(a.tensor(0), a.tensor(1),
                                        to_reduction(a.string(2)),
                                        a.to_double(3)));
      },
      "Squared error below beta, absolute error above it.");
}

void bind_layers(py::module_& m, py::module_& nn) {
  def(
      nn, {"linear(Tensor input, Tensor weight, Tensor? bias=None) -> Tensor"},
      [](Args& a) {
        const Tensor x = a.tensor(0), w = a.tensor(1),
                     b = optional_tensor(a, 2);
        const int64_t work = x.numel() * (w.dim() > 0 ? w.size(0) : 1);
        return wrap(without_gil(work, [&] { return ops::linear(x, w, b); }));
      },
      "input @ weight.T + bias.");
  // conv1d/conv2d: padding is an int, a sequence of ints, or "same"/"valid".
  for (const int spatial : {1, 2}) {
    const std::string name = spatial == 1 ? "conv1d" : "conv2d";
    const std::string n = std::to_string(spatial);
    const std::string head = name +
                             "(Tensor input, Tensor weight, Tensor? bias=None, "
                             "int[" +
                             n + "] stride=1, ";
    def(
        m,
        {head + "int[" + n + "] padding=0, int[" + n +
             "] dilation=1, int groups=1) -> Tensor",
         head + "str padding='valid', int[" + n +
             "] dilation=1, int groups=1) -> Tensor"},
        [spatial](Args& a) {
          const Tensor x = a.tensor(0), w = a.tensor(1),
                       b = optional_tensor(a, 2);
          const auto s = a.int_list(3), d = a.int_list(5);
          const int64_t groups = a.to_int(6);
          if (a.index() == 1) {
            const std::string mode = a.string(4);
            return wrap(without_gil(conv_work(x, w), [&] {
              return spatial == 1 ? ops::conv1d(x, w, b, s, mode, d, groups)
                                  : ops::conv2d(x, w, b, s, mode, d, groups);
            }));
          }
          const auto p = a.int_list(4);
          return wrap(without_gil(conv_work(x, w), [&] {
            return spatial == 1 ? ops::conv1d(x, w, b, s, p, d, groups)
                                : ops::conv2d(x, w, b, s, p, d, groups);
          }));
        },
        spatial == 1 ? "1-d convolution over an (N, C, L) input."
                     : "2-d convolution over an (N, C, H, W) input.");
  }
  def(
      nn,
      {"_lstm_layer(Tensor input, Tensor hx, Tensor cx, Tensor weight_hh, "
       "bool reverse=False) -> tuple[Tensor, Tensor, Tensor]"},
      [](Args& a) {
        const Tensor x = a.tensor(0), h = a.tensor(1), c = a.tensor(2),
                     w = a.tensor(3);
        const bool reverse = a.to_bool(4);
        const TensorList r = without_gil(x.numel() * w.size(-1), [&] {
          return ops::lstm_layer(x, h, c, w, reverse);
        });
        return py::object(py::make_tuple(r[0], r[1], r[2]));
      },
      "One LSTM layer over a (T, B, 4H) input projection (biases included): "
      "output, h_n, c_n.");
  def(
      nn,
      {"im2col(Tensor input, int[2] kernel_size, int[2] dilation, int[2] "
       "padding, int[2] stride) -> Tensor"},
      [](Args& a) {
        return wrap(ops::unfold(a.tensor(0), a.int_list(1), a.int_list(2),
                                a.int_list(3), a.int_list(4)));
      },
      "The sliding blocks of a batched 4-d input as columns (unfold).");
  def(
      nn,
      {"col2im(Tensor input, int[2] output_size, int[2] kernel_size, int[2] "
       "dilation, int[2] padding, int[2] stride) -> Tensor"},
      [](Args& a) {
        return wrap(ops::fold(a.tensor(0), a.int_list(1), a.int_list(2),
                              a.int_list(3), a.int_list(4), a.int_list(5)));
      },
      "Sums columns of sliding blocks back into a batched 4-d tensor (fold).");
  const std::string pool_args =
      "(Tensor input, int[2] kernel_size, int[2]? stride=(), int[2] "
      "padding=0, int[2] dilation=1, bool ceil_mode=False)";
  def(
      m, {"max_pool2d" + pool_args + " -> Tensor"},
      [](Args& a) {
        const Tensor x = a.tensor(0);
        const auto k = a.int_list(1), s = optional_ints(a, 2),
                   p = a.int_list(3), d = a.int_list(4);
        const bool ceil = a.to_bool(5);
        return wrap(without_gil(
            x.numel(), [&] { return ops::max_pool2d(x, k, s, p, d, ceil); }));
      },
      "2-d max pooling over an (N, C, H, W) input.");
  def(
      nn, {"max_pool2d_with_indices" + pool_args + " -> tuple[Tensor, Tensor]"},
      [](Args& a) {
        const Tensor x = a.tensor(0);
        const auto k = a.int_list(1), s = optional_ints(a, 2),
                   p = a.int_list(3), d = a.int_list(4);
        const bool ceil = a.to_bool(5);
        auto [values, indices] = without_gil(x.numel(), [&] {
          return ops::max_pool2d_with_indices(x, k, s, p, d, ceil);
        });
        return py::object(py::make_tuple(values, indices));
      },
      "2-d max pooling, with the flat positions of the maxima.");
  def(
      nn,
      {"avg_pool2d(Tensor input, int[2] kernel_size, int[2]? stride=None, "
       "int[2] padding=0, bool ceil_mode=False, bool count_include_pad=True, "
       "int? divisor_override=None) -> Tensor"},
      [](Args& a) {
        const Tensor x = a.tensor(0);
        const auto k = a.int_list(1), s = optional_ints(a, 2),
                   p = a.int_list(3);
        const bool ceil = a.to_bool(4), include_pad = a.to_bool(5);
        const auto divisor = a.optional_int(6);
        return wrap(without_gil(x.numel(), [&] {
          return ops::avg_pool2d(x, k, s, p, ceil, include_pad, divisor);
        }));
      },
      "2-d average pooling over an (N, C, H, W) input.");
  def(
      m,
      {"layer_norm(Tensor input, int[] normalized_shape, Tensor? weight=None, "
       "Tensor? bias=None, float eps=1e-05, bool cudnn_enable=True) -> "
       "Tensor"},
      [](Args& a) {
        const Tensor x = a.tensor(0), w = optional_tensor(a, 2),
                     b = optional_tensor(a, 3);
        const auto shape = a.int_list(1);
        const double eps = a.to_double(4);
        return wrap(without_gil(
            x.numel(), [&] { return ops::layer_norm(x, shape, w, b, eps); }));
      },
      "Normalises over the last dims given by normalized_shape, then applies "
      "weight and bias.");
  def(
      m,
      {"batch_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? "
       "running_mean, Tensor? running_var, bool training, float momentum, "
       "float eps, bool cudnn_enabled) -> Tensor"},
      [](Args& a) {
        const Tensor x = a.tensor(0), w = optional_tensor(a, 1),
                     b = optional_tensor(a, 2), mean = optional_tensor(a, 3),
                     var = optional_tensor(a, 4);
        const bool training = a.to_bool(5);
        const double momentum = a.to_double(6), eps = a.to_double(7);
        return wrap(without_gil(x.numel(), [&] {
          return ops::batch_norm(x, w, b, mean, var, training, momentum, eps);
        }));
      },
      "Batch normalisation over the channel dimension, updating running "
      "statistics when training.");
}

}  // namespace

void bind_nn(TensorClass& cls, py::module_& m, py::module_& nn) {
  bind_products(cls, m);
  bind_losses(m, nn);
  bind_layers(m, nn);
}

}  // namespace ag::python
