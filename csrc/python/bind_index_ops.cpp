// Mask and index ops, unique, diff, cross, kron, nan_to_num (ops/index_ops.h).

#include "ops/index_ops.h"

#include "python/bind_utils.h"

namespace ag::python {

namespace {

py::tuple as_tuple(const TensorList& ts) {
  py::tuple out(ts.size());
  for (size_t i = 0; i < ts.size(); ++i) out[i] = py::cast(ts[i]);
  return out;
}

std::optional<double> optional_double(const py::object& v) {
  if (v.is_none()) return std::nullopt;
  return to_scalar(v).to<double>();
}

py::object unique_result(const std::tuple<Tensor, Tensor, Tensor>& r,
                         bool inverse, bool counts) {
  if (!inverse && !counts) return py::cast(std::get<0>(r));
  py::list out;
  out.append(std::get<0>(r));
  if (inverse) out.append(std::get<1>(r));
  if (counts) out.append(std::get<2>(r));
  return py::tuple(out);
}

}  // namespace

void bind_index_ops(TensorClass& cls, py::module_& m) {
  def_both(
      cls, m, "nonzero",
      [](const Tensor& t, bool as_tuple_result) -> py::object {
        if (as_tuple_result) return as_tuple(ops::nonzero_numpy(t));
        return py::cast(ops::nonzero(t));
      },
      py::kw_only(), py::arg("as_tuple") = false);
  def_both(cls, m, "argwhere", [](const Tensor& t) { return ops::nonzero(t); });
  // where(condition) alone: the coordinates, as nonzero(as_tuple=True).
  m.def(
      "where",
      [](const Tensor& cond) { return as_tuple(ops::nonzero_numpy(cond)); },
      py::arg("condition"));
  def_both(cls, m, "masked_select", &ops::masked_select, py::arg("mask"));
  def_both(cls, m, "masked_scatter", &ops::masked_scatter, py::arg("mask"),
           py::arg("source"));
  cls.def("masked_scatter_", &ops::masked_scatter_, py::arg("mask"),
          py::arg("source"));
  def_both(
      cls, m, "index_add",
      [](const Tensor& t, int64_t dim, const Tensor& index,
         const Tensor& source, py::handle alpha) {
        return ops::index_add(t, dim, index, source, to_scalar(alpha));
      },
      py::arg("dim"), py::arg("index"), py::arg("source"), py::kw_only(),
      py::arg("alpha") = 1);
  cls.def(
      "index_add_",
      [](Tensor& t, int64_t dim, const Tensor& index, const Tensor& source,
         py::handle alpha) -> Tensor& {
        return ops::index_add_(t, dim, index, source, to_scalar(alpha));
      },
      py::arg("dim"), py::arg("index"), py::arg("source"), py::kw_only(),
      py::arg("alpha") = 1);
  def_both(cls, m, "index_copy", &ops::index_copy, py::arg("dim"),
           py::arg("index"), py::arg("source"));
  cls.def("index_copy_", &ops::index_copy_, py::arg("dim"), py::arg("index"),
          py::arg("source"));
  def_both(
      cls, m, "index_fill",
      [](const Tensor& t, int64_t dim, const Tensor& index, py::handle value) {
        return ops::index_fill(t, dim, index, to_scalar(value));
      },
      py::arg("dim"), py::arg("index"), py::arg("value"));
  cls.def(
      "index_fill_",
      [](Tensor& t, int64_t dim, const Tensor& index,
         py::handle value) -> Tensor& {
        return ops::index_fill_(t, dim, index, to_scalar(value));
      },
      py::arg("dim"), py::arg("index"), py::arg("value"));
  def_both(
      cls, m, "unique",
      [](const Tensor& t, bool sorted, bool return_inverse, bool return_counts,
         std::optional<int64_t> dim) {
        (void)sorted;  // PyTorch's CPU result is sorted either way
        return unique_result(ops::unique(t, return_inverse, return_counts, dim),
                             return_inverse, return_counts);
      },
      py::arg("sorted") = true, py::arg("return_inverse") = false,
      py::arg("return_counts") = false, py::arg("dim") = py::none());
  def_both(
      cls, m, "unique_consecutive",
      [](const Tensor& t, bool return_inverse, bool return_counts,
         std::optional<int64_t> dim) {
        return unique_result(
            ops::unique_consecutive(t, return_inverse, return_counts, dim),
            return_inverse, return_counts);
      },
      py::arg("return_inverse") = false, py::arg("return_counts") = false,
      py::arg("dim") = py::none());
  def_both(
      cls, m, "diff",
      [](const Tensor& t, int64_t n, int64_t dim, const py::object& prepend,
         const py::object& append) {
        return ops::diff(t, n, dim,
                         prepend.is_none() ? Tensor() : prepend.cast<Tensor>(),
                         append.is_none() ? Tensor() : append.cast<Tensor>());
      },
      py::arg("n") = 1, py::arg("dim") = -1, py::arg("prepend") = py::none(),
      py::arg("append") = py::none());
  // torch.cross without dim takes the first dim of size 3.
  def_both(
      cls, m, "cross",
      [](const Tensor& t, const Tensor& other, const py::object& dim) {
        int64_t d = -1;
        if (!dim.is_none()) {
          d = dim.cast<int64_t>();
        } else {
          for (int64_t i = 0; i < t.dim(); ++i) {
            if (t.size(i) == 3) {
              d = i;
              break;
            }
          }
        }
        return ops::cross(t, other, d);
      },
      py::arg("other"), py::arg("dim") = py::none());
  def_both(cls, m, "kron", &ops::kron, py::arg("other"));
  def_both(
      cls, m, "nan_to_num",
      [](const Tensor& t, const py::object& nan, const py::object& posinf,
         const py::object& neginf) {
        return ops::nan_to_num(t, optional_double(nan).value_or(0.0),
                               optional_double(posinf),
                               optional_double(neginf));
      },
      py::arg("nan") = 0.0, py::arg("posinf") = py::none(),
      py::arg("neginf") = py::none());
  cls.def(
      "nan_to_num_",
      [](Tensor& t, const py::object& nan, const py::object& posinf,
         const py::object& neginf) -> Tensor& {
        return ops::nan_to_num_(t, optional_double(nan).value_or(0.0),
                                optional_double(posinf),
                                optional_double(neginf));
      },
      py::arg("nan") = 0.0, py::arg("posinf") = py::none(),
      py::arg("neginf") = py::none());
}

}  // namespace ag::python
