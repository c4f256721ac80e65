// Matrix products, einsum, softmax, convolution, pooling, normalization and
// losses. Module functions that PyTorch keeps in torch._C._nn (the losses,
// linear, pooling with options) live in the submodule _C._nn, which
// nn/functional.py wraps with PyTorch's Python signatures.

#include <tuple>

#include "python/bind_utils.h"

namespace ag::python {

namespace {

ops::Reduction to_reduction(const std::string& reduction) {
  if (reduction == "mean") return ops::Reduction::Mean;
  if (reduction == "sum") return ops::Reduction::Sum;
  if (reduction == "none") return ops::Reduction::None;
  throw py::value_error(reduction + " is not a valid value for reduction");
}

Tensor optional_tensor(const std::optional<Tensor>& t) {
  return t.value_or(Tensor());
}

// Work estimate for the GIL decision: a convolution's cost grows with the
// input times the kernel.
int64_t conv_work(const Tensor& input, const Tensor& weight) {
  return input.numel() * std::max<int64_t>(1, weight.numel());
}

// conv1d/conv2d: padding is an int, a sequence of ints, or "same"/"valid".
template <size_t Spatial>
auto conv_binding() {
  return [](const Tensor& input, const Tensor& weight,
            const std::optional<Tensor>& bias, const py::object& stride,
            const py::object& padding, const py::object& dilation,
            int64_t groups) {
    const std::vector<int64_t> s = int_list(stride), d = int_list(dilation);
    const Tensor b = optional_tensor(bias);
    if (py::isinstance<py::str>(padding)) {
      const auto mode = padding.cast<std::string>();
      return without_gil(conv_work(input, weight), [&] {
        return Spatial == 1 ? ops::conv1d(input, weight, b, s, mode, d, groups)
                            : ops::conv2d(input, weight, b, s, mode, d, groups);
      });
    }
    const std::vector<int64_t> p = int_list(padding);
    return without_gil(conv_work(input, weight), [&] {
      return Spatial == 1 ? ops::conv1d(input, weight, b, s, p, d, groups)
                          : ops::conv2d(input, weight, b, s, p, d, groups);
    });
  };
}

// None or an empty sequence both mean "default to the kernel size".
std::vector<int64_t> optional_ints(const py::object& obj) {
  return obj.is_none() ? std::vector<int64_t>{} : int_list(obj);
}

TensorList einsum_operands(const py::args& args) {
  TensorList operands;
  // torch.einsum(eq, [a, b]) and torch.einsum(eq, a, b) are both accepted.
  if (args.size() == 2 && !is_tensor(args[1])) {
    for (py::handle h : py::reinterpret_borrow<py::sequence>(args[1])) {
      operands.push_back(h.cast<Tensor>());
    }
    return operands;
  }
  for (size_t i = 1; i < args.size(); ++i) {
    operands.push_back(args[i].cast<Tensor>());
  }
  return operands;
}

void bind_losses(py::module_& nn) {
  nn.def(
      "nll_loss",
      [](const Tensor& input, const Tensor& target,
         const std::optional<Tensor>& weight, const std::string& reduction,
         int64_t ignore_index) {
        return ops::nll_loss(input, target, optional_tensor(weight),
                             to_reduction(reduction), ignore_index);
      },
      py::arg("input"), py::arg("target"), py::arg("weight") = py::none(),
      py::arg("reduction") = "mean", py::arg("ignore_index") = -100);
  nn.def(
      "cross_entropy",
      [](const Tensor& input, const Tensor& target,
         const std::optional<Tensor>& weight, const std::string& reduction,
         int64_t ignore_index, double label_smoothing) {
        return ops::cross_entropy(input, target, optional_tensor(weight),
                                  to_reduction(reduction), ignore_index,
                                  label_smoothing);
      },
      py::arg("input"), py::arg("target"), py::arg("weight") = py::none(),
      py::arg("reduction") = "mean", py::arg("ignore_index") = -100,
      py::arg("label_smoothing") = 0.0);
  nn.def(
      "binary_cross_entropy",
      [](const Tensor& input, const Tensor& target,
         const std::optional<Tensor>& weight, const std::string& reduction) {
        return ops::binary_cross_entropy(input, target, optional_tensor(weight),
                                         to_reduction(reduction));
      },
      py::arg("input"), py::arg("target"), py::arg("weight") = py::none(),
      py::arg("reduction") = "mean");
  nn.def(
      "mse_loss",
      [](const Tensor& input, const Tensor& target,
         const std::string& reduction) {
        return ops::mse_loss(input, target, to_reduction(reduction));
      },
      py::arg("input"), py::arg("target"), py::arg("reduction") = "mean");
  nn.def(
      "l1_loss",
      [](const Tensor& input, const Tensor& target,
         const std::string& reduction) {
        return ops::l1_loss(input, target, to_reduction(reduction));
      },
      py::arg("input"), py::arg("target"), py::arg("reduction") = "mean");
  nn.def(
      "smooth_l1_loss",
      [](const Tensor& input, const Tensor& target,
         const std::string& reduction, double beta) {
        return ops::smooth_l1_loss(input, target, to_reduction(reduction),
                                   beta);
      },
      py::arg("input"), py::arg("target"), py::arg("reduction") = "mean",
      py::arg("beta") = 1.0);
}

void bind_layers(py::module_& m, py::module_& nn) {
  nn.def(
      "linear",
      [](const Tensor& input, const Tensor& weight,
         const std::optional<Tensor>& bias) {
        return without_gil(input.numel() * weight.size(0), [&] {
          return ops::linear(input, weight, optional_tensor(bias));
        });
      },
      py::arg("input"), py::arg("weight"), py::arg("bias") = py::none());
  m.def("conv1d", conv_binding<1>(), py::arg("input"), py::arg("weight"),
        py::arg("bias") = py::none(), py::arg("stride") = 1,
        py::arg("padding") = 0, py::arg("dilation") = 1, py::arg("groups") = 1);
  m.def("conv2d", conv_binding<2>(), py::arg("input"), py::arg("weight"),
        py::arg("bias") = py::none(), py::arg("stride") = 1,
        py::arg("padding") = 0, py::arg("dilation") = 1, py::arg("groups") = 1);
  nn.def(
      "im2col",
      [](const Tensor& input, const py::object& kernel_size,
         const py::object& dilation, const py::object& padding,
         const py::object& stride) {
        return ops::unfold(input, int_list(kernel_size), int_list(dilation),
                           int_list(padding), int_list(stride));
      },
      py::arg("input"), py::arg("kernel_size"), py::arg("dilation"),
      py::arg("padding"), py::arg("stride"));
  nn.def(
      "col2im",
      [](const Tensor& input, const py::object& output_size,
         const py::object& kernel_size, const py::object& dilation,
         const py::object& padding, const py::object& stride) {
        return ops::fold(input, int_list(output_size), int_list(kernel_size),
                         int_list(dilation), int_list(padding),
                         int_list(stride));
      },
      py::arg("input"), py::arg("output_size"), py::arg("kernel_size"),
      py::arg("dilation"), py::arg("padding"), py::arg("stride"));
  m.def(
      "max_pool2d",
      [](const Tensor& input, const py::object& kernel_size,
         const py::object& stride, const py::object& padding,
         const py::object& dilation, bool ceil_mode) {
        const auto k = int_list(kernel_size), s = optional_ints(stride),
                   p = int_list(padding), d = int_list(dilation);
        return without_gil(input.numel(), [&] {
          return ops::max_pool2d(input, k, s, p, d, ceil_mode);
        });
      },
      py::arg("input"), py::arg("kernel_size"), py::arg("stride") = py::tuple(),
      py::arg("padding") = 0, py::arg("dilation") = 1,
      py::arg("ceil_mode") = false);
  nn.def(
      "max_pool2d_with_indices",
      [](const Tensor& input, const py::object& kernel_size,
         const py::object& stride, const py::object& padding,
         const py::object& dilation, bool ceil_mode) {
        const auto k = int_list(kernel_size), s = optional_ints(stride),
                   p = int_list(padding), d = int_list(dilation);
        return without_gil(input.numel(), [&] {
          return ops::max_pool2d_with_indices(input, k, s, p, d, ceil_mode);
        });
      },
      py::arg("input"), py::arg("kernel_size"), py::arg("stride") = py::tuple(),
      py::arg("padding") = 0, py::arg("dilation") = 1,
      py::arg("ceil_mode") = false);
  nn.def(
      "avg_pool2d",
      [](const Tensor& input, const py::object& kernel_size,
         const py::object& stride, const py::object& padding, bool ceil_mode,
         bool count_include_pad, std::optional<int64_t> divisor_override) {
        const auto k = int_list(kernel_size), s = optional_ints(stride),
                   p = int_list(padding);
        return without_gil(input.numel(), [&] {
          return ops::avg_pool2d(input, k, s, p, ceil_mode, count_include_pad,
                                 divisor_override);
        });
      },
      py::arg("input"), py::arg("kernel_size"), py::arg("stride") = py::none(),
      py::arg("padding") = 0, py::arg("ceil_mode") = false,
      py::arg("count_include_pad") = true,
      py::arg("divisor_override") = py::none());
  m.def(
      "layer_norm",
      [](const Tensor& input, const py::object& normalized_shape,
         const std::optional<Tensor>& weight, const std::optional<Tensor>& bias,
         double eps, bool) {
        if (PyLong_Check(normalized_shape.ptr())) {
          throw py::type_error(
              "layer_norm(): argument 'normalized_shape' (position 2) must be "
              "tuple of ints, not int");
        }
        const auto shape = int_list(normalized_shape);
        return without_gil(input.numel(), [&] {
          return ops::layer_norm(input, shape, optional_tensor(weight),
                                 optional_tensor(bias), eps);
        });
      },
      py::arg("input"), py::arg("normalized_shape"),
      py::arg("weight") = py::none(), py::arg("bias") = py::none(),
      py::arg("eps") = 1e-5, py::arg("cudnn_enable") = true);
  m.def(
      "batch_norm",
      [](const Tensor& input, const std::optional<Tensor>& weight,
         const std::optional<Tensor>& bias,
         const std::optional<Tensor>& running_mean,
         const std::optional<Tensor>& running_var, bool training,
         double momentum, double eps, bool) {
        return without_gil(input.numel(), [&] {
          return ops::batch_norm(
              input, optional_tensor(weight), optional_tensor(bias),
              optional_tensor(running_mean), optional_tensor(running_var),
              training, momentum, eps);
        });
      },
      py::arg("input"), py::arg("weight"), py::arg("bias"),
      py::arg("running_mean"), py::arg("running_var"), py::arg("training"),
      py::arg("momentum"), py::arg("eps"), py::arg("cudnn_enabled"));
}

}  // namespace

void bind_nn(TensorClass& cls, py::module_& m) {
  def_both(
      cls, m, "matmul",
      [](const Tensor& a, const Tensor& b) {
        py::gil_scoped_release no_gil;
        return ops::matmul(a, b);
      },
      py::arg("other"));
  def_both(
      cls, m, "mm",
      [](const Tensor& a, const Tensor& b) {
        py::gil_scoped_release no_gil;
        return ops::mm(a, b);
      },
      py::arg("mat2"));
  def_both(
      cls, m, "bmm",
      [](const Tensor& a, const Tensor& b) {
        py::gil_scoped_release no_gil;
        return ops::bmm(a, b);
      },
      py::arg("mat2"));
  def_both(cls, m, "mv", &ops::mv, py::arg("vec"));
  def_both(cls, m, "dot", &ops::dot, py::arg("other"));
  def_both(cls, m, "outer", &ops::outer, py::arg("vec2"));
  def_both(cls, m, "ger", &ops::outer, py::arg("vec2"));
  def_both(
      cls, m, "addmm",
      [](const Tensor& self, const Tensor& mat1, const Tensor& mat2,
         py::handle beta, py::handle alpha) {
        const Scalar b = to_scalar(beta), a = to_scalar(alpha);
        py::gil_scoped_release no_gil;
        return ops::addmm(self, mat1, mat2, b, a);
      },
      py::arg("mat1"), py::arg("mat2"), py::kw_only(), py::arg("beta") = 1,
      py::arg("alpha") = 1);
  m.def("einsum", [](const py::args& args) {
    if (args.size() == 0 || !py::isinstance<py::str>(args[0])) {
      throw py::type_error(
          "einsum(): must specify the equation string and at least one "
          "operand, or at least one operand and its subscripts list");
    }
    const auto equation = args[0].cast<std::string>();
    const TensorList operands = einsum_operands(args);
    py::gil_scoped_release no_gil;
    return ops::einsum(equation, operands);
  });
  def_both(
      cls, m, "softmax",
      [](const Tensor& t, int64_t dim, const py::object& dtype) {
        const auto dt = to_optional_dtype(dtype);
        return without_gil(t.numel(), [&] { return ops::softmax(t, dim, dt); });
      },
      py::arg("dim"), py::arg("dtype") = py::none());
  def_both(
      cls, m, "log_softmax",
      [](const Tensor& t, int64_t dim, const py::object& dtype) {
        const auto dt = to_optional_dtype(dtype);
        return without_gil(t.numel(),
                           [&] { return ops::log_softmax(t, dim, dt); });
      },
      py::arg("dim"), py::arg("dtype") = py::none());
  m.def(
      "binary_cross_entropy_with_logits",
      [](const Tensor& input, const Tensor& target,
         std::optional<Tensor> weight, std::optional<Tensor> pos_weight,
         const std::string& reduction) {
        return ops::binary_cross_entropy_with_logits(
            input, target, weight.value_or(Tensor()),
            pos_weight.value_or(Tensor()), to_reduction(reduction));
      },
      py::arg("input"), py::arg("target"), py::arg("weight") = py::none(),
      py::arg("pos_weight") = py::none(), py::arg("reduction") = "mean");

  py::module_ nn = m.def_submodule(
      "_nn", "nn ops behind nn.functional (PyTorch's torch._C._nn)");
  bind_layers(m, nn);
  bind_losses(nn);
}

}  // namespace ag::python
