// Sorting, selection, scans and counting (ops/sorting.h).

#include "ops/sorting.h"

#include "python/bind_utils.h"

namespace ag::python {

namespace {

// A torch.return_types namedtuple of (values, indices).
py::object named_pair(const char* name, std::pair<Tensor, Tensor> p) {
  return py::module_::import("autograd_cpp.return_types")
      .attr(name)(wrap(p.first), wrap(p.second));
}

}  // namespace

void bind_sorting(TensorClass& cls, py::module_& m) {
  def_both(
      cls, m,
      {"sort(Tensor input, int dim=-1, bool descending=False, *, bool? "
       "stable=None) -> _return_types.sort"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        const int64_t dim = a.to_int(1);
        const bool descending = a.to_bool(2);
        const bool stable = a.optional_bool(3).value_or(false);
        return named_pair("sort", without_gil(t.numel(), [&] {
                            return ops::sort(t, dim, descending, stable);
                          }));
      },
      "Sorted values along dim and the indices they came from.");
  def_both(
      cls, m,
      {"argsort(Tensor input, int dim=-1, bool descending=False, bool "
       "stable=False) -> Tensor"},
      [](Args& a) {
        // Arguments are read while the GIL is held.
        const Tensor t = a.tensor(0);
        const int64_t dim = a.to_int(1);
        const bool descending = a.to_bool(2), stable = a.to_bool(3);
        return wrap(without_gil(t.numel(), [&] {
          return ops::argsort(t, dim, descending, stable);
        }));
      },
      "Indices that sort the tensor along dim (ascending unless "
      "descending=True).");
  def_both(
      cls, m, {"msort(Tensor input) -> Tensor"},
      [](Args& a) { return wrap(ops::msort(a.tensor(0))); },
      "Sorts along the first dimension (ascending).");
  def_both(
      cls, m,
      {"topk(Tensor input, int k, int dim=-1, bool largest=True, bool "
       "sorted=True) -> _return_types.topk"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        const int64_t k = a.to_int(1), dim = a.to_int(2);
        const bool largest = a.to_bool(3), sorted = a.to_bool(4);
        return named_pair("topk", without_gil(t.numel(), [&] {
                            return ops::topk(t, k, dim, largest, sorted);
                          }));
      },
      "The k largest (or smallest) values along dim, and their indices.");
  def_both(
      cls, m,
      {"kthvalue(Tensor input, int k, int dim=-1, bool keepdim=False) -> "
       "_return_types.kthvalue"},
      [](Args& a) {
        return named_pair("kthvalue", ops::kthvalue(a.tensor(0), a.to_int(1),
                                                    a.to_int(2), a.to_bool(3)));
      },
      "The k-th smallest value along dim, and its index.");
  for (const bool ignore_nan : {false, true}) {
    const std::string name = ignore_nan ? "nanmedian" : "median";
    def_both(
        cls, m,
        {name + "(Tensor input) -> Tensor",
         name +
             "(Tensor input, int dim, bool keepdim=False) -> "
             "_return_types." +
             name},
        [ignore_nan](Args& a) -> py::object {
          const Tensor t = a.tensor(0);
          if (a.index() == 0) {
            return wrap(ignore_nan ? ops::nanmedian(t) : ops::median(t));
          }
          const int64_t d = a.to_int(1);
          const bool keepdim = a.to_bool(2);
          return named_pair(ignore_nan ? "nanmedian" : "median",
                            ignore_nan ? ops::nanmedian(t, d, keepdim)
                                       : ops::median(t, d, keepdim));
        },
        ignore_nan ? "The median ignoring NaNs, of all elements or along dim "
                     "with its index."
                   : "The lower median of all elements, or along dim with "
                     "its index.");
  }
  def_both(
      cls, m,
      {"mode(Tensor input, int dim=-1, bool keepdim=False) -> "
       "_return_types.mode"},
      [](Args& a) {
        return named_pair("mode",
                          ops::mode(a.tensor(0), a.to_int(1), a.to_bool(2)));
      },
      "The most frequent value along dim, and an index where it occurs.");
  def_both(
      cls, m,
      {"cumprod(Tensor input, int dim, *, dtype? dtype=None) -> Tensor"},
      [](Args& a) {
        return wrap(
            ops::cumprod(a.tensor(0), a.to_int(1), a.optional_dtype(2)));
      },
      "Cumulative product along dim.");
  for (const bool is_max : {true, false}) {
    const std::string name = is_max ? "cummax" : "cummin";
    def_both(
        cls, m, {name + "(Tensor input, int dim) -> _return_types." + name},
        [is_max](Args& a) {
          const Tensor t = a.tensor(0);
          const int64_t d = a.to_int(1);
          return named_pair(is_max ? "cummax" : "cummin",
                            is_max ? ops::cummax(t, d) : ops::cummin(t, d));
        },
        is_max ? "Running maximum along dim, with the index where each "
                 "maximum occurred."
               : "Running minimum along dim, with the index where each "
                 "minimum occurred.");
  }
  def_both(
      cls, m, {"logcumsumexp(Tensor input, int dim) -> Tensor"},
      [](Args& a) { return wrap(ops::logcumsumexp(a.tensor(0), a.to_int(1))); },
      "Logarithm of the cumulative sum of exponentials along dim, computed "
      "stably.");
  def(
      m,
      {"searchsorted(Tensor sorted_sequence, Tensor|Number input, *, bool "
       "out_int32=False, bool right=False, str? side=None, Tensor? "
       "sorter=None) -> Tensor"},
      [](Args& a) {
        return wrap(ops::searchsorted(a.tensor(0), a.operand(1), a.to_bool(2),
                                      a.to_bool(3), a.optional_string(4),
                                      a.optional_tensor(5).value_or(Tensor())));
      },
      "Indices at which values would be inserted into sorted_sequence to "
      "keep it sorted.");
  def(
      m,
      {"bucketize(Tensor|Number input, Tensor boundaries, *, bool "
       "out_int32=False, bool right=False) -> Tensor"},
      [](Args& a) {
        return wrap(ops::bucketize(a.operand(0), a.tensor(1), a.to_bool(2),
                                   a.to_bool(3)));
      },
      "Index of the bucket of boundaries that each input value falls into.");
  def_both(
      cls, m,
      {"bincount(Tensor input, Tensor? weights=None, int minlength=0) -> "
       "Tensor"},
      [](Args& a) {
        return wrap(ops::bincount(
            a.tensor(0), a.optional_tensor(1).value_or(Tensor()), a.to_int(2)));
      },
      "Counts of each non-negative integer value (summing weights when "
      "given).");
  def_both(
      cls, m,
      {"histc(Tensor input, int bins=100, Number min=0, Number max=0) -> "
       "Tensor"},
      [](Args& a) {
        return wrap(ops::histc(a.tensor(0), a.to_int(1),
                               a.scalar(2).to<double>(),
                               a.scalar(3).to<double>()));
      },
      "Histogram of the values in equal-width bins between min and max.");
}

}  // namespace ag::python
