// Matrix products, losses and other nn.functional ops.

#include "python/bind_utils.h"

namespace ag::python {

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
  m.def(
      "binary_cross_entropy_with_logits",
      [](const Tensor& input, const Tensor& target,
         std::optional<Tensor> weight, std::optional<Tensor> pos_weight,
         const std::string& reduction) {
        ops::Reduction r = ops::Reduction::Mean;
        if (reduction == "sum") {
          r = ops::Reduction::Sum;
        } else if (reduction == "none") {
          r = ops::Reduction::None;
        } else if (reduction != "mean") {
          throw py::value_error(reduction +
                                " is not a valid value for reduction");
        }
        return ops::binary_cross_entropy_with_logits(
            input, target, weight.value_or(Tensor()),
            pos_weight.value_or(Tensor()), r);
      },
      py::arg("input"), py::arg("target"), py::arg("weight") = py::none(),
      py::arg("pos_weight") = py::none(), py::arg("reduction") = "mean");
}

}  // namespace ag::python
