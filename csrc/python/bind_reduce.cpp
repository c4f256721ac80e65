// Reductions.

#include "python/bind_utils.h"

namespace ag::python {

void bind_reduce(TensorClass& cls, py::module_& m) {
  for (const bool is_sum : {true, false}) {
    const std::string name = is_sum ? "sum" : "mean";
    def_both(
        cls, m,
        {name +
         "(Tensor input, int[1]? dim=None, bool keepdim=False, *, dtype? "
         "dtype=None) -> Tensor"},
        [is_sum](Args& a) {
          const Tensor t = a.tensor(0);
          const auto dims = a.optional_int_list(1);
          const bool keepdim = a.to_bool(2);
          const auto dtype = a.optional_dtype(3);
          return wrap(without_gil(t.numel(), [&] {
            if (is_sum) {
              return dims ? ops::sum(t, *dims, keepdim, dtype)
                          : ops::sum(t, dtype);
            }
            return dims ? ops::mean(t, *dims, keepdim, dtype)
                        : ops::mean(t, dtype);
          }));
        },
        is_sum ? "Sum of all elements, or along dims."
               : "Mean of all elements, or along dims.");
  }
  def_both(
      cls, m,
      {"norm(Tensor input, object p=None, int[1]? dim=None, bool "
       "keepdim=False) -> Tensor"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        double order = 2.0;
        const py::object p = a.object(1);
        if (PyUnicode_Check(p.ptr())) {
          const auto text = p.cast<std::string>();
          if (text != "fro") {
            throw py::value_error("norm: unsupported order '" + text + "'");
          }
        } else if (!p.is_none()) {
          // PyTorch's parser takes a tensor order only as a 0-d number
          // that needs no gradient.
          if (is_tensor_object(p.ptr())) {
            const Tensor ord = p.cast<Tensor>();
            if (ord.dim() != 0 || autograd::requires_grad(ord)) {
              throw py::type_error(
                  "linalg_vector_norm(): argument 'ord' (position 2) must be "
                  "Number, not Tensor");
            }
          }
          order = to_scalar(p).to<double>();
        }
        const auto dims = a.optional_int_list(2).value_or(ops::IntList{});
        const bool keepdim = a.to_bool(3);
        return wrap(without_gil(
            t.numel(), [&] { return ops::norm(t, order, dims, keepdim); }));
      },
      "The p-norm of all elements or along dim (p=2 by default).");
  // max/min: full (x.max()), along a dim (values and indices, as a
  // return_types namedtuple), or elementwise against another tensor.
  for (const bool is_max : {true, false}) {
    const std::string name = is_max ? "max" : "min";
    def_both(
        cls, m,
        {name + "(Tensor input) -> Tensor",
         name + "(Tensor input, Tensor other) -> Tensor",
         name +
             "(Tensor input, int dim, bool keepdim=False) -> "
             "_return_types." +
             name},
        [is_max, name](Args& a) -> py::object {
          const Tensor t = a.tensor(0);
          if (a.index() == 0) return wrap(is_max ? ops::max(t) : ops::min(t));
          if (a.index() == 1) {
            return wrap(is_max ? ops::maximum(t, a.tensor(1))
                               : ops::minimum(t, a.tensor(1)));
          }
          const int64_t d = a.to_int(1);
          const bool keepdim = a.to_bool(2);
          auto [values, indices] =
              is_max ? ops::max(t, d, keepdim) : ops::min(t, d, keepdim);
          return py::module_::import("autograd_cpp.return_types")
              .attr(name.c_str())(values, indices);
        },
        is_max ? "The largest value, or with dim the (values, indices) of the "
                 "largest along dim, or elementwise maximum with another "
                 "tensor."
               : "The smallest value, or with dim the (values, indices) of "
                 "the smallest along dim, or elementwise minimum with "
                 "another tensor.");
    def_both(
        cls, m,
        {std::string(is_max ? "amax" : "amin") +
         "(Tensor input, int[1] dim=(), bool keepdim=False) -> Tensor"},
        [is_max](Args& a) {
          const Tensor t = a.tensor(0);
          const auto dims = a.int_list(1);
          const bool keepdim = a.to_bool(2);
          return wrap(is_max ? ops::amax(t, dims, keepdim)
                             : ops::amin(t, dims, keepdim));
        },
        is_max ? "Maximum along the given dims; the gradient is shared "
                 "between ties."
               : "Minimum along the given dims; the gradient is shared "
                 "between ties.");
    def_both(
        cls, m,
        {std::string(is_max ? "argmax" : "argmin") +
         "(Tensor input, int? dim=None, bool keepdim=False) -> Tensor"},
        [is_max](Args& a) {
          const Tensor t = a.tensor(0);
          const auto dim = a.optional_int(1);
          const bool keepdim = a.to_bool(2);
          return wrap(is_max ? ops::argmax(t, dim, keepdim)
                             : ops::argmin(t, dim, keepdim));
        },
        is_max ? "Index of the largest value (flattened, or along dim)."
               : "Index of the smallest value (flattened, or along dim).");
  }
  def_both(
      cls, m,
      {"prod(Tensor input, int? dim=None, bool keepdim=False, *, dtype? "
       "dtype=None) -> Tensor"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        const auto dim = a.optional_int(1);
        const auto dtype = a.optional_dtype(3);
        if (!dim) return wrap(ops::prod(t, dtype));
        return wrap(ops::prod(t, {*dim}, a.to_bool(2), dtype));
      },
      "Product of all elements, or along dim.");
  // var/std: correction defaults to 1; the older `unbiased` flag maps to it.
  for (const bool take_sqrt : {false, true}) {
    const std::string name = take_sqrt ? "std" : "var";
    def_both(
        cls, m,
        {name + "(Tensor input, int[1]? dim=None, bool? unbiased=None, bool "
                "keepdim=False, *, Number? correction=None) -> Tensor",
         name + "(Tensor input, bool unbiased) -> Tensor"},
        [take_sqrt](Args& a) {
          const Tensor t = a.tensor(0);
          double c = 1.0;
          ops::IntList dims;
          bool keepdim = false;
          if (a.index() == 1) {
            c = a.to_bool(1) ? 1.0 : 0.0;
          } else {
            dims = a.optional_int_list(1).value_or(ops::IntList{});
            if (const auto unbiased = a.optional_bool(2)) {
              c = *unbiased ? 1.0 : 0.0;
            }
            keepdim = a.to_bool(3);
            if (const auto correction = a.optional_scalar(4)) {
              c = correction->to<double>();
            }
          }
          return wrap(take_sqrt ? ops::std(t, dims, c, keepdim)
                                : ops::var(t, dims, c, keepdim));
        },
        take_sqrt ? "Standard deviation along dims with the given correction "
                    "(1: Bessel's)."
                  : "Variance along dims with the given correction (1: "
                    "Bessel's).");
  }
  def_both(
      cls, m,
      {"logsumexp(Tensor input, int[1] dim, bool keepdim=False) -> Tensor"},
      [](Args& a) {
        return wrap(ops::logsumexp(a.tensor(0), a.int_list(1), a.to_bool(2)));
      },
      "log(sum(exp(x))) along dims, computed stably.");
  def_both(
      cls, m, {"cumsum(Tensor input, int dim, *, dtype? dtype=None) -> Tensor"},
      [](Args& a) {
        return wrap(ops::cumsum(a.tensor(0), a.to_int(1), a.optional_dtype(2)));
      },
      "Running sums along dim.");
  for (const bool is_all : {true, false}) {
    const std::string name = is_all ? "all" : "any";
    def_both(
        cls, m,
        // PyTorch's two overloads: a lone dim is an int (a 0-d integer
        // tensor, not a bool one), several a list.
        {name + "(Tensor input, int dim, bool keepdim=False) -> Tensor",
         name +
             "(Tensor input, int[]? dim=None, bool keepdim=False) -> Tensor"},
        [is_all](Args& a) {
          const Tensor t = a.tensor(0);
          auto dims =
              a.index() == 0
                  ? std::optional<ops::IntList>(ops::IntList{a.to_int(1)})
                  : a.optional_int_list(1);
          const bool keepdim = a.to_bool(2);
          if (!dims && !keepdim) {
            return wrap(is_all ? ops::all(t) : ops::any(t));
          }
          if (!dims) {  // None with keepdim: every dim, kept with size 1
            dims.emplace();
            for (int64_t d = 0; d < t.dim(); ++d) dims->push_back(d);
          }
          return wrap(is_all ? ops::all(t, *dims, keepdim)
                             : ops::any(t, *dims, keepdim));
        },
        is_all ? "True if every element (or every element along dim) is "
                 "nonzero."
               : "True if some element (or some element along dim) is "
                 "nonzero.");
  }
}

}  // namespace ag::python
