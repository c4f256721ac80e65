// Mask and index ops, unique, diff, cross, kron, nan_to_num (ops/index_ops.h).

#include "ops/index_ops.h"

#include "python/bind_utils.h"

namespace ag::python {

namespace {

py::object unique_result(const std::tuple<Tensor, Tensor, Tensor>& r,
                         bool inverse, bool counts) {
  if (!inverse && !counts) return wrap(std::get<0>(r));
  py::list out;
  out.append(wrap(std::get<0>(r)));
  if (inverse) out.append(wrap(std::get<1>(r)));
  if (counts) out.append(wrap(std::get<2>(r)));
  return py::tuple(out);
}

}  // namespace

void bind_index_ops(TensorClass& cls, py::module_& m) {
  def_both(
      cls, m, {"nonzero(Tensor input, *, bool as_tuple=False) -> typing.Any"},
      [](Args& a) -> py::object {
        const Tensor t = a.tensor(0);
        if (a.to_bool(1)) return wrap(ops::nonzero_numpy(t));
        return wrap(ops::nonzero(t));
      },
      "Coordinates of the non-zero elements: int64 [count, ndim], or one "
      "tensor per dim with as_tuple=True.");
  def_both(
      cls, m, {"argwhere(Tensor input) -> Tensor"},
      [](Args& a) { return wrap(ops::nonzero(a.tensor(0))); },
      "Coordinates of the non-zero elements, one row per element (int64 "
      "[count, ndim]).");
  def_both(
      cls, m, {"masked_select(Tensor input, Tensor mask) -> Tensor"},
      [](Args& a) {
        return wrap(ops::masked_select(a.tensor(0), a.tensor(1)));
      },
      "The elements where mask (broadcast with self) is true, as a 1-d "
      "tensor.");
  def_both(
      cls, m,
      {"masked_scatter(Tensor input, Tensor mask, Tensor source) -> Tensor"},
      [](Args& a) {
        return wrap(ops::masked_scatter(a.tensor(0), a.tensor(1), a.tensor(2)));
      },
      "self with the positions where mask is true filled, in order, from "
      "source.");
  def_method(
      cls,
      {"masked_scatter_(Tensor self, Tensor mask, Tensor source) -> Tensor"},
      [](Args& a) {
        Tensor t = a.tensor(0);
        ops::masked_scatter_(t, a.tensor(1), a.tensor(2));
        return a.object(0);
      },
      "Fills in place the positions where mask is true, in order, from "
      "source.");
  def_both(
      cls, m,
      {"index_add(Tensor input, int dim, Tensor index, Tensor source, *, "
       "Number alpha=1) -> Tensor"},
      [](Args& a) {
        return wrap(ops::index_add(a.tensor(0), a.to_int(1), a.tensor(2),
                                   a.tensor(3), a.scalar(4)));
      },
      "self with alpha * source added into the slices that index picks along "
      "dim.");
  def_method(
      cls,
      {"index_add_(Tensor self, int dim, Tensor index, Tensor source, *, "
       "Number alpha=1) -> Tensor"},
      [](Args& a) {
        Tensor t = a.tensor(0);
        ops::index_add_(t, a.to_int(1), a.tensor(2), a.tensor(3), a.scalar(4));
        return a.object(0);
      },
      "Adds alpha * source in place into the slices that index picks along "
      "dim.");
  def_both(
      cls, m,
      {"index_copy(Tensor input, int dim, Tensor index, Tensor source) -> "
       "Tensor"},
      [](Args& a) {
        return wrap(ops::index_copy(a.tensor(0), a.to_int(1), a.tensor(2),
                                    a.tensor(3)));
      },
      "self with source copied into the slices that index picks along dim.");
  def_method(
      cls,
      {"index_copy_(Tensor self, int dim, Tensor index, Tensor source) -> "
       "Tensor"},
      [](Args& a) {
        Tensor t = a.tensor(0);
        ops::index_copy_(t, a.to_int(1), a.tensor(2), a.tensor(3));
        return a.object(0);
      },
      "Copies source in place into the slices that index picks along dim.");
  def_both(
      cls, m,
      {"index_fill(Tensor input, int dim, Tensor index, Number value) -> "
       "Tensor"},
      [](Args& a) {
        return wrap(ops::index_fill(a.tensor(0), a.to_int(1), a.tensor(2),
                                    a.scalar(3)));
      },
      "self with the slices that index picks along dim filled with value.");
  def_method(
      cls,
      {"index_fill_(Tensor self, int dim, Tensor index, Number value) -> "
       "Tensor"},
      [](Args& a) {
        Tensor t = a.tensor(0);
        ops::index_fill_(t, a.to_int(1), a.tensor(2), a.scalar(3));
        return a.object(0);
      },
      "Fills in place the slices that index picks along dim with value.");
  def_both(
      cls, m,
      {"unique(Tensor input, bool sorted=True, bool return_inverse=False, "
       "bool return_counts=False, int? dim=None) -> typing.Any"},
      [](Args& a) {
        // a.to_bool(1), sorted: PyTorch's CPU result is sorted either way.
        const bool inverse = a.to_bool(2);
        const bool counts = a.to_bool(3);
        return unique_result(
            ops::unique(a.tensor(0), inverse, counts, a.optional_int(4)),
            inverse, counts);
      },
      "The sorted distinct elements (or slices along dim), optionally with "
      "the inverse indices and counts.");
  def_both(
      cls, m,
      {"unique_consecutive(Tensor input, bool return_inverse=False, bool "
       "return_counts=False, int? dim=None) -> typing.Any"},
      [](Args& a) {
        const bool inverse = a.to_bool(1);
        const bool counts = a.to_bool(2);
        return unique_result(ops::unique_consecutive(a.tensor(0), inverse,
                                                     counts, a.optional_int(3)),
                             inverse, counts);
      },
      "Collapses runs of equal consecutive elements (or slices along dim) to "
      "one, optionally with inverse indices and counts.");
  def_both(
      cls, m,
      {"diff(Tensor input, int n=1, int dim=-1, Tensor? prepend=None, "
       "Tensor? append=None) -> Tensor"},
      [](Args& a) {
        return wrap(ops::diff(a.tensor(0), a.to_int(1), a.to_int(2),
                              a.optional_tensor(3).value_or(Tensor()),
                              a.optional_tensor(4).value_or(Tensor())));
      },
      "The n-th forward difference along dim, with prepend and append joined "
      "first.");
  def_both(
      cls, m, {"cross(Tensor input, Tensor other, int? dim=None) -> Tensor"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        // Without dim: the first dim of size 3, as torch.cross.
        int64_t d = -1;
        if (auto given = a.optional_int(2)) {
          d = *given;
        } else {
          for (int64_t i = 0; i < t.dim(); ++i) {
            if (t.size(i) == 3) {
              d = i;
              break;
            }
          }
        }
        return wrap(ops::cross(t, a.tensor(1), d));
      },
      "Cross product of 3-vectors along dim (the first dim of size 3 when dim "
      "is not given).");
  def_both(
      cls, m, {"kron(Tensor input, Tensor other) -> Tensor"},
      [](Args& a) { return wrap(ops::kron(a.tensor(0), a.tensor(1))); },
      "Kronecker product: every element of self scales a block that is a "
      "copy of other.");
  def_both(
      cls, m,
      {"nan_to_num(Tensor input, float? nan=0.0, float? posinf=None, float? "
       "neginf=None) -> Tensor"},
      [](Args& a) {
        return wrap(
            ops::nan_to_num(a.tensor(0), a.optional_double(1).value_or(0.0),
                            a.optional_double(2), a.optional_double(3)));
      },
      "NaN, +inf and -inf replaced by the given numbers (by default 0 and the "
      "dtype's largest and lowest finite values).");
  def_method(
      cls,
      {"nan_to_num_(Tensor self, float? nan=0.0, float? posinf=None, float? "
       "neginf=None) -> Tensor"},
      [](Args& a) {
        Tensor t = a.tensor(0);
        ops::nan_to_num_(t, a.optional_double(1).value_or(0.0),
                         a.optional_double(2), a.optional_double(3));
        return a.object(0);
      },
      "Replaces NaN, +inf and -inf in place (see nan_to_num).");
}

}  // namespace ag::python
