// Sorting, selection, scans and counting (ops/sorting.h).

#include "ops/sorting.h"

#include "python/bind_utils.h"

namespace ag::python {

namespace {

// A torch.return_types namedtuple of (values, indices).
py::object named_pair(const char* name, std::pair<Tensor, Tensor> p) {
  return py::module_::import("autograd_cpp.return_types")
      .attr(name)(p.first, p.second);
}

// A Python number or tensor as a tensor (searchsorted's values).
Tensor tensor_or_number(py::handle obj, const char* op) {
  std::optional<Tensor> t = to_operand(obj);
  if (!t) {
    throw py::type_error(
        std::string(op) +
        "(): argument 'input' must be Tensor or Number, not " +
        std::string(py::str(py::type::of(obj).attr("__name__"))));
  }
  return *t;
}

}  // namespace

void bind_sorting(TensorClass& cls, py::module_& m) {
  def_both(
      cls, m, "sort",
      [](const Tensor& t, int64_t dim, bool descending,
         const py::object& stable) {
        return named_pair("sort", without_gil(t.numel(), [&] {
                            return stable.is_none()
                                       ? ops::sort(t, dim, descending, false)
                                       : ops::sort(t, dim, descending,
                                                   stable.cast<bool>());
                          }));
      },
      py::arg("dim") = -1, py::arg("descending") = false, py::kw_only(),
      py::arg("stable") = py::none());
  def_both(
      cls, m, "argsort",
      [](const Tensor& t, int64_t dim, bool descending, bool stable) {
        return without_gil(t.numel(), [&] {
          return ops::argsort(t, dim, descending, stable);
        });
      },
      py::arg("dim") = -1, py::arg("descending") = false,
      py::arg("stable") = false);
  def_both(cls, m, "msort", [](const Tensor& t) { return ops::msort(t); });
  def_both(
      cls, m, "topk",
      [](const Tensor& t, int64_t k, int64_t dim, bool largest, bool sorted) {
        return named_pair("topk", without_gil(t.numel(), [&] {
                            return ops::topk(t, k, dim, largest, sorted);
                          }));
      },
      py::arg("k"), py::arg("dim") = -1, py::arg("largest") = true,
      py::arg("sorted") = true);
  def_both(
      cls, m, "kthvalue",
      [](const Tensor& t, int64_t k, int64_t dim, bool keepdim) {
        return named_pair("kthvalue", ops::kthvalue(t, k, dim, keepdim));
      },
      py::arg("k"), py::arg("dim") = -1, py::arg("keepdim") = false);
  for (const bool ignore_nan : {false, true}) {
    const char* name = ignore_nan ? "nanmedian" : "median";
    def_both(
        cls, m, name,
        [ignore_nan, name](const Tensor& t, const py::object& dim,
                           bool keepdim) -> py::object {
          if (dim.is_none()) {
            return py::cast(ignore_nan ? ops::nanmedian(t) : ops::median(t));
          }
          const int64_t d = dim.cast<int64_t>();
          return named_pair(name, ignore_nan ? ops::nanmedian(t, d, keepdim)
                                             : ops::median(t, d, keepdim));
        },
        py::arg("dim") = py::none(), py::arg("keepdim") = false);
  }
  def_both(
      cls, m, "mode",
      [](const Tensor& t, int64_t dim, bool keepdim) {
        return named_pair("mode", ops::mode(t, dim, keepdim));
      },
      py::arg("dim") = -1, py::arg("keepdim") = false);
  def_both(
      cls, m, "cumprod",
      [](const Tensor& t, int64_t dim, const py::object& dtype) {
        return ops::cumprod(t, dim, to_optional_dtype(dtype));
      },
      py::arg("dim"), py::kw_only(), py::arg("dtype") = py::none());
  def_both(
      cls, m, "cummax",
      [](const Tensor& t, int64_t dim) {
        return named_pair("cummax", ops::cummax(t, dim));
      },
      py::arg("dim"));
  def_both(
      cls, m, "cummin",
      [](const Tensor& t, int64_t dim) {
        return named_pair("cummin", ops::cummin(t, dim));
      },
      py::arg("dim"));
  def_both(cls, m, "logcumsumexp", &ops::logcumsumexp, py::arg("dim"));
  m.def(
      "searchsorted",
      [](const Tensor& sorted, py::handle values, bool out_int32, bool right,
         const std::optional<std::string>& side, const py::object& sorter) {
        return ops::searchsorted(
            sorted, tensor_or_number(values, "searchsorted"), out_int32, right,
            side, sorter.is_none() ? Tensor() : sorter.cast<Tensor>());
      },
      py::arg("sorted_sequence"), py::arg("input"), py::kw_only(),
      py::arg("out_int32") = false, py::arg("right") = false,
      py::arg("side") = py::none(), py::arg("sorter") = py::none());
  m.def(
      "bucketize",
      [](py::handle input, const Tensor& boundaries, bool out_int32,
         bool right) {
        return ops::bucketize(tensor_or_number(input, "bucketize"), boundaries,
                              out_int32, right);
      },
      py::arg("input"), py::arg("boundaries"), py::kw_only(),
      py::arg("out_int32") = false, py::arg("right") = false);
  def_both(
      cls, m, "bincount",
      [](const Tensor& t, const py::object& weights, int64_t minlength) {
        return ops::bincount(
            t, weights.is_none() ? Tensor() : weights.cast<Tensor>(),
            minlength);
      },
      py::arg("weights") = py::none(), py::arg("minlength") = 0);
  def_both(
      cls, m, "histc",
      [](const Tensor& t, int64_t bins, py::handle min, py::handle max) {
        return ops::histc(t, bins, to_scalar(min).to<double>(),
                          to_scalar(max).to<double>());
      },
      py::arg("bins") = 100, py::arg("min") = 0, py::arg("max") = 0);
}

}  // namespace ag::python
