// Elementwise math: arithmetic, unary functions, activations, comparisons.

#include "python/bind_utils.h"

namespace ag::python {

void bind_math(TensorClass& cls, py::module_& m) {
  def_both(cls, m, "exp", unary(&ops::exp));
  def_both(cls, m, "log", unary(&ops::log));
  def_both(cls, m, "log1p", unary(&ops::log1p));
  def_both(cls, m, "sqrt", unary(&ops::sqrt));
  def_both(cls, m, "sin", unary(&ops::sin));
  def_both(cls, m, "cos", unary(&ops::cos));
  def_both(cls, m, "tanh", unary(&ops::tanh));
  def_both(cls, m, "sigmoid", unary(&ops::sigmoid));
  def_both(cls, m, "relu", unary(&ops::relu));
  def_both(cls, m, "abs", unary(&ops::abs));
  def_both(cls, m, "neg", unary(&ops::neg));
  def_both(cls, m, "sign", unary(&ops::sign));
  def_both(
      cls, m, "mul",
      binary([](const Tensor& a, const Tensor& b) { return ops::mul(a, b); },
             "mul"),
      py::arg("other"));
  def_both(
      cls, m, "div",
      binary([](const Tensor& a, const Tensor& b) { return ops::div(a, b); },
             "div"),
      py::arg("other"));
  def_both(cls, m, "eq", binary(&ops::eq, "eq"), py::arg("other"));
  def_both(cls, m, "ne", binary(&ops::ne, "ne"), py::arg("other"));
  def_both(cls, m, "lt", binary(&ops::lt, "lt"), py::arg("other"));
  def_both(cls, m, "le", binary(&ops::le, "le"), py::arg("other"));
  def_both(cls, m, "gt", binary(&ops::gt, "gt"), py::arg("other"));
  def_both(cls, m, "ge", binary(&ops::ge, "ge"), py::arg("other"));
  def_both(
      cls, m, "add",
      [](const Tensor& t, py::handle other, py::handle alpha) {
        return ops::add(t, operand_or_throw(other, "add"), to_scalar(alpha));
      },
      py::arg("other"), py::kw_only(), py::arg("alpha") = 1);
  def_both(
      cls, m, "sub",
      [](const Tensor& t, py::handle other, py::handle alpha) {
        return ops::sub(t, operand_or_throw(other, "sub"), to_scalar(alpha));
      },
      py::arg("other"), py::kw_only(), py::arg("alpha") = 1);
  m.def(
      "pow",
      [](py::handle input, py::handle exponent) {
        if (is_tensor(input)) {
          const Tensor self = input.cast<Tensor>();
          if (is_tensor(exponent))
            return ops::pow(self, exponent.cast<Tensor>());
          return ops::pow(self, to_scalar(exponent));
        }
        return ops::pow(to_scalar(input), exponent.cast<Tensor>());
      },
      py::arg("input"), py::arg("exponent"));
  m.def(
      "where",
      [](const Tensor& cond, py::handle a, py::handle b) {
        return ops::where(cond, operand_or_throw(a, "where"),
                          operand_or_throw(b, "where"));
      },
      py::arg("condition"), py::arg("input"), py::arg("other"));
}

}  // namespace ag::python
