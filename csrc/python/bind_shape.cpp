// Shape, view and copy ops.

#include "python/bind_utils.h"

namespace ag::python {

void bind_shape(TensorClass& cls, py::module_& m) {
  def_both(cls, m, "transpose", &ops::transpose, py::arg("dim0"),
           py::arg("dim1"));
  def_both(cls, m, "t", &ops::t);
  def_both(cls, m, "unsqueeze", &ops::unsqueeze, py::arg("dim"));
  def_both(cls, m, "select", &ops::select, py::arg("dim"), py::arg("index"));
  def_both(cls, m, "flatten", &ops::flatten, py::arg("start_dim") = 0,
           py::arg("end_dim") = -1);
  def_both(
      cls, m, "squeeze",
      [](const Tensor& t, const py::object& dim) {
        const auto dims = optional_dims(dim);
        return dims ? ops::squeeze(t, *dims) : ops::squeeze(t);
      },
      py::arg("dim") = py::none());
  m.def(
      "reshape",
      [](const Tensor& t, py::handle shape) {
        return ops::reshape(t, shape_from_sequence(shape));
      },
      py::arg("input"), py::arg("shape"));
  def_both(cls, m, "clone", [](const Tensor& t) { return ops::clone(t); });
  def_both(cls, m, "contiguous",
           [](const Tensor& t) { return ops::contiguous(t); });
  def_both(cls, m, "detach", &ops::detach);
  m.def(
      "permute",
      [](const Tensor& t, py::handle dims) {
        return ops::permute(t, int_list(dims));
      },
      py::arg("input"), py::arg("dims"));
}

}  // namespace ag::python
