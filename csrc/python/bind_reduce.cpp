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
  // max/min: full (x.max()), along a dim (values and indices, as a
  // return_types namedtuple), or elementwise against another tensor.
  for (const bool is_max : {true, false}) {
    const char* name = is_max ? "max" : "min";
    def_both(
        cls, m, name,
        [is_max, name](const Tensor& t, const py::object& dim,
                       bool keepdim) -> py::object {
          if (dim.is_none()) {
            return py::cast(is_max ? ops::max(t) : ops::min(t));
          }
          if (is_tensor(dim)) {
            return py::module_::import("autograd_cpp")
                .attr(is_max ? "maximum" : "minimum")(t, dim);
          }
          const int64_t d = int_list(dim).at(0);
          auto [values, indices] =
              is_max ? ops::max(t, d, keepdim) : ops::min(t, d, keepdim);
          return py::module_::import("autograd_cpp.return_types")
              .attr(name)(values, indices);
        },
        py::arg("dim") = py::none(), py::arg("keepdim") = false);
  }
  for (const bool is_max : {true, false}) {
    def_both(
        cls, m, is_max ? "amax" : "amin",
        [is_max](const Tensor& t, const py::object& dim, bool keepdim) {
          const auto dims = optional_dims(dim).value_or(ops::IntList{});
          return is_max ? ops::amax(t, dims, keepdim)
                        : ops::amin(t, dims, keepdim);
        },
        py::arg("dim") = py::tuple(), py::arg("keepdim") = false);
    def_both(
        cls, m, is_max ? "argmax" : "argmin",
        [is_max](const Tensor& t, const py::object& dim, bool keepdim) {
          std::optional<int64_t> d;
          if (!dim.is_none()) d = int_list(dim).at(0);
          return is_max ? ops::argmax(t, d, keepdim)
                        : ops::argmin(t, d, keepdim);
        },
        py::arg("dim") = py::none(), py::arg("keepdim") = false);
  }
  def_both(
      cls, m, "prod",
      [](const Tensor& t, const py::object& dim, bool keepdim,
         const py::object& dtype) {
        const auto dt = to_optional_dtype(dtype);
        if (dim.is_none()) return ops::prod(t, dt);
        return ops::prod(t, {int_list(dim).at(0)}, keepdim, dt);
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(),
      py::arg("dtype") = py::none());
  // var/std: correction defaults to 1; the older `unbiased` flag maps to it.
  for (const bool take_sqrt : {false, true}) {
    def_both(
        cls, m, take_sqrt ? "std" : "var",
        [take_sqrt](const Tensor& t, const py::object& dim,
                    const py::object& unbiased, bool keepdim,
                    const py::object& correction) {
          py::object d = dim;
          double c = 1.0;
          if (py::isinstance<py::bool_>(dim)) {
            c = dim.cast<bool>() ? 1.0 : 0.0;
            d = py::none();
          }
          if (!unbiased.is_none()) c = unbiased.cast<bool>() ? 1.0 : 0.0;
          if (!correction.is_none()) c = to_scalar(correction).to<double>();
          const auto dims = optional_dims(d).value_or(ops::IntList{});
          return take_sqrt ? ops::std(t, dims, c, keepdim)
                           : ops::var(t, dims, c, keepdim);
        },
        py::arg("dim") = py::none(), py::arg("unbiased") = py::none(),
        py::arg("keepdim") = false, py::kw_only(),
        py::arg("correction") = py::none());
  }
  def_both(
      cls, m, "logsumexp",
      [](const Tensor& t, const py::object& dim, bool keepdim) {
        return ops::logsumexp(t, int_list(dim), keepdim);
      },
      py::arg("dim"), py::arg("keepdim") = false);
  def_both(
      cls, m, "cumsum",
      [](const Tensor& t, int64_t dim, const py::object& dtype) {
        return ops::cumsum(t, dim, to_optional_dtype(dtype));
      },
      py::arg("dim"), py::kw_only(), py::arg("dtype") = py::none());
  for (const bool is_all : {true, false}) {
    def_both(
        cls, m, is_all ? "all" : "any",
        [is_all](const Tensor& t, const py::object& dim, bool keepdim) {
          const auto dims = optional_dims(dim);
          if (!dims) return is_all ? ops::all(t) : ops::any(t);
          return is_all ? ops::all(t, *dims, keepdim)
                        : ops::any(t, *dims, keepdim);
        },
        py::arg("dim") = py::none(), py::arg("keepdim") = false);
  }
}

}  // namespace ag::python
