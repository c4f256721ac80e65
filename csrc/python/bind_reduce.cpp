// Reductions.

#include "python/bind_utils.h"

namespace ag::python {

void bind_reduce(TensorClass& cls, py::module_& m) {
  def_both(
      cls, m, "sum",
      [](const Tensor& t, const py::object& dim, bool keepdim,
         const py::object& dtype) {
        const auto dims = optional_dims(dim);
        const auto dt = to_optional_dtype(dtype);
        return without_gil(t.numel(), [&] {
          return dims ? ops::sum(t, *dims, keepdim, dt) : ops::sum(t, dt);
        });
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(),
      py::arg("dtype") = py::none());
  def_both(
      cls, m, "mean",
      [](const Tensor& t, const py::object& dim, bool keepdim,
         const py::object& dtype) {
        const auto dims = optional_dims(dim);
        const auto dt = to_optional_dtype(dtype);
        return without_gil(t.numel(), [&] {
          return dims ? ops::mean(t, *dims, keepdim, dt) : ops::mean(t, dt);
        });
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(),
      py::arg("dtype") = py::none());
  def_both(
      cls, m, "norm",
      [](const Tensor& t, const py::object& p, const py::object& dim,
         bool keepdim) {
        double order = 2.0;
        if (py::isinstance<py::str>(p)) {
          if (p.cast<std::string>() != "fro") {
            throw py::value_error("norm: unsupported order '" +
                                  p.cast<std::string>() + "'");
          }
        } else if (!p.is_none()) {
          order = to_scalar(p).to<double>();
        }
        const auto dims = optional_dims(dim);
        return without_gil(t.numel(), [&] {
          return ops::norm(t, order, dims.value_or(std::vector<int64_t>{}),
                           keepdim);
        });
      },
      py::arg("p") = py::none(), py::arg("dim") = py::none(),
      py::arg("keepdim") = false);
}

}  // namespace ag::python
