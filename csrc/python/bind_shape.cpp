// Shape, view, copy and indexing ops.

#include "python/bind_utils.h"

namespace ag::python {

namespace {

// A list or tuple of tensors (cat, stack, index_put's indices).
TensorList tensor_sequence(py::handle seq, const char* op) {
  if (is_tensor(seq) ||
      !(PyList_Check(seq.ptr()) || PyTuple_Check(seq.ptr()))) {
    throw py::type_error(
        std::string(op) +
        "(): argument 'tensors' (position 1) must be tuple of Tensors, not " +
        std::string(py::str(py::type::of(seq).attr("__name__"))));
  }
  TensorList out;
  size_t i = 0;
  for (py::handle item : py::reinterpret_borrow<py::sequence>(seq)) {
    if (!is_tensor(item)) {
      throw py::type_error(
          "expected Tensor as element " + std::to_string(i) +
          " in argument 0, but got " +
          std::string(py::str(py::type::of(item).attr("__name__"))));
    }
    out.push_back(item.cast<Tensor>());
    ++i;
  }
  return out;
}

py::tuple to_tuple(const TensorList& ts) {
  py::tuple out(ts.size());
  for (size_t i = 0; i < ts.size(); ++i) out[i] = py::cast(ts[i]);
  return out;
}

int64_t int_arg(py::handle obj) {
  return int_list(obj).at(0);
}

// Tensor.flip(0, 1), Tensor.flip((0, 1)) and Tensor.repeat(2, 3) read ints
// given one by one or as one sequence.
std::vector<int64_t> ints_from_args(const py::args& args, const char* fn,
                                    const char* param) {
  require_args(args, fn, param);
  if (args.size() == 1 && !PyLong_Check(args[0].ptr())) {
    return int_list(args[0]);
  }
  std::vector<int64_t> out;
  for (py::handle a : args) out.push_back(int_arg(a));
  return out;
}

TensorList split_any(const Tensor& t, py::handle split, int64_t dim) {
  if (PyBool_Check(split.ptr())) {
    throw py::type_error(
        "split(): argument 'split_size' must be int or tuple of ints, not "
        "bool");
  }
  if (PyLong_Check(split.ptr())) return ops::split(t, int_arg(split), dim);
  if (is_tensor(split)) {
    // As PyTorch: a one-element tensor of any dtype is a split size by int()
    // (2.5 truncates, NaN and many elements are no size, inf overflows).
    PyObject* size = PyNumber_Long(split.ptr());
    if (size == nullptr) {
      if (!PyErr_ExceptionMatches(PyExc_ValueError)) {
        throw py::error_already_set();
      }
      PyErr_Clear();
      throw py::type_error(
          "split_with_sizes(): argument 'split_sizes' (position 2) must be "
          "tuple of ints, not Tensor");
    }
    return ops::split(t, int_arg(py::reinterpret_steal<py::object>(size)), dim);
  }
  return ops::split_with_sizes(t, int_list(split), dim);
}

Tensor scatter_any(const Tensor& t, int64_t dim, const Tensor& index,
                   const py::object& src, const py::object& value,
                   const py::object& reduce, bool inplace) {
  if (!reduce.is_none()) {
    throw py::value_error("scatter(): the reduce argument is not supported");
  }
  const py::object given = src.is_none() ? value : src;
  if (given.is_none()) {
    throw py::type_error(
        "scatter() missing 1 required positional argument: 'src' or 'value'");
  }
  Tensor self = t;
  if (is_tensor(given)) {
    const Tensor s = given.cast<Tensor>();
    return inplace ? ops::scatter_(self, dim, index, s)
                   : ops::scatter(t, dim, index, s);
  }
  const Scalar v = to_scalar(given);
  return inplace ? ops::scatter_(self, dim, index, v)
                 : ops::scatter(t, dim, index, v);
}

}  // namespace

void bind_shape(TensorClass& cls, py::module_& m) {
  def_both(cls, m, "transpose", &ops::transpose, py::arg("dim0"),
           py::arg("dim1"));
  def_both(cls, m, "swapaxes", &ops::transpose, py::arg("axis0"),
           py::arg("axis1"));
  def_both(cls, m, "swapdims", &ops::transpose, py::arg("dim0"),
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

  // ---- joining and splitting
  auto cat = [](py::handle tensors, int64_t dim) {
    const TensorList ts = tensor_sequence(tensors, "cat");
    int64_t work = 0;
    for (const Tensor& t : ts) work += t.numel();
    return without_gil(work, [&] { return ops::cat(ts, dim); });
  };
  m.def("cat", cat, py::arg("tensors"), py::arg("dim") = 0);
  m.def("concat", cat, py::arg("tensors"), py::arg("dim") = 0);
  m.def("concatenate", cat, py::arg("tensors"), py::arg("axis") = 0);
  m.def(
      "stack",
      [](py::handle tensors, int64_t dim) {
        const TensorList ts = tensor_sequence(tensors, "stack");
        return without_gil(ts.size() * (ts.empty() ? 0 : ts[0].numel()),
                           [&] { return ops::stack(ts, dim); });
      },
      py::arg("tensors"), py::arg("dim") = 0);
  cls.def(
      "split",
      [](const Tensor& t, py::handle split_size, int64_t dim) {
        return to_tuple(split_any(t, split_size, dim));
      },
      py::arg("split_size"), py::arg("dim") = 0);
  m.def(
      "split",
      [](const Tensor& t, py::handle split, int64_t dim) {
        return to_tuple(split_any(t, split, dim));
      },
      py::arg("tensor"), py::arg("split_size_or_sections"), py::arg("dim") = 0);
  def_both(
      cls, m, "split_with_sizes",
      [](const Tensor& t, py::handle sizes, int64_t dim) {
        return to_tuple(ops::split_with_sizes(t, int_list(sizes), dim));
      },
      py::arg("split_sizes"), py::arg("dim") = 0);
  def_both(
      cls, m, "chunk",
      [](const Tensor& t, int64_t chunks, int64_t dim) {
        return to_tuple(ops::chunk(t, chunks, dim));
      },
      py::arg("chunks"), py::arg("dim") = 0);
  def_both(
      cls, m, "unbind",
      [](const Tensor& t, int64_t dim) {
        return to_tuple(ops::unbind(t, dim));
      },
      py::arg("dim") = 0);
  def_both(
      cls, m, "narrow",
      [](const Tensor& t, int64_t dim, py::handle start, int64_t length) {
        return ops::narrow(t, dim, int_arg(start), length);
      },
      py::arg("dim"), py::arg("start"), py::arg("length"));
  auto movedim = [](const Tensor& t, py::handle source,
                    py::handle destination) {
    return ops::movedim(t, int_list(source), int_list(destination));
  };
  def_both(cls, m, "movedim", movedim, py::arg("source"),
           py::arg("destination"));
  def_both(cls, m, "moveaxis", movedim, py::arg("source"),
           py::arg("destination"));

  // ---- copies along the shape
  cls.def("flip", [](const Tensor& t, const py::args& dims) {
    const std::vector<int64_t> d = ints_from_args(dims, "flip", "dims");
    return without_gil(t.numel(), [&] { return ops::flip(t, d); });
  });
  m.def(
      "flip",
      [](const Tensor& t, py::handle dims) {
        if (!PySequence_Check(dims.ptr())) {
          throw py::type_error(
              "flip(): argument 'dims' (position 2) must be tuple of ints, "
              "not " +
              std::string(py::str(py::type::of(dims).attr("__name__"))));
        }
        return ops::flip(t, int_list(dims));
      },
      py::arg("input"), py::arg("dims"));
  cls.def("repeat", [](const Tensor& t, const py::args& repeats) {
    const std::vector<int64_t> r = ints_from_args(repeats, "repeat", "repeats");
    return without_gil(t.numel(), [&] { return ops::repeat(t, r); });
  });
  cls.def("tile", [](const Tensor& t, const py::args& dims) {
    const std::vector<int64_t> d = ints_from_args(dims, "tile", "dims");
    return without_gil(t.numel(), [&] { return ops::tile(t, d); });
  });
  m.def(
      "tile",
      [](const Tensor& t, py::handle dims) {
        return ops::tile(t, int_list(dims));
      },
      py::arg("input"), py::arg("dims"));
  def_both(
      cls, m, "roll",
      [](const Tensor& t, py::handle shifts, const py::object& dims) {
        return ops::roll(
            t, int_list(shifts),
            dims.is_none() ? std::vector<int64_t>{} : int_list(dims));
      },
      py::arg("shifts"), py::arg("dims") = py::none());
  def_both(
      cls, m, "tril",
      [](const Tensor& t, int64_t diagonal) {
        return without_gil(t.numel(), [&] { return ops::tril(t, diagonal); });
      },
      py::arg("diagonal") = 0);
  def_both(
      cls, m, "triu",
      [](const Tensor& t, int64_t diagonal) {
        return without_gil(t.numel(), [&] { return ops::triu(t, diagonal); });
      },
      py::arg("diagonal") = 0);

  // ---- indexing
  def_both(
      cls, m, "gather",
      [](const Tensor& t, int64_t dim, const Tensor& index, bool) {
        return without_gil(index.numel(),
                           [&] { return ops::gather(t, dim, index); });
      },
      py::arg("dim"), py::arg("index"), py::kw_only(),
      py::arg("sparse_grad") = false);
  def_both(
      cls, m, "scatter",
      [](const Tensor& t, int64_t dim, const Tensor& index,
         const py::object& src, const py::object& value,
         const py::object& reduce) {
        return scatter_any(t, dim, index, src, value, reduce, false);
      },
      py::arg("dim"), py::arg("index"), py::arg("src") = py::none(),
      py::arg("value") = py::none(), py::kw_only(),
      py::arg("reduce") = py::none());
  cls.def(
      "scatter_",
      [](const Tensor& t, int64_t dim, const Tensor& index,
         const py::object& src, const py::object& value,
         const py::object& reduce) {
        return scatter_any(t, dim, index, src, value, reduce, true);
      },
      py::arg("dim"), py::arg("index"), py::arg("src") = py::none(),
      py::arg("value") = py::none(), py::kw_only(),
      py::arg("reduce") = py::none());
  def_both(
      cls, m, "scatter_add",
      [](const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
        return ops::scatter_add(t, dim, index, src);
      },
      py::arg("dim"), py::arg("index"), py::arg("src"));
  cls.def(
      "scatter_add_",
      [](Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
        return ops::scatter_add_(t, dim, index, src);
      },
      py::arg("dim"), py::arg("index"), py::arg("src"));
  def_both(
      cls, m, "index_select",
      [](const Tensor& t, int64_t dim, const Tensor& index) {
        return without_gil(t.numel(),
                           [&] { return ops::index_select(t, dim, index); });
      },
      py::arg("dim"), py::arg("index"));
  def_both(
      cls, m, "index_put",
      [](const Tensor& t, py::handle indices, const Tensor& values,
         bool accumulate) {
        return ops::index_put(t, tensor_sequence(indices, "index_put"), values,
                              accumulate);
      },
      py::arg("indices"), py::arg("values"), py::arg("accumulate") = false);
  def_both(
      cls, m, "index_put_",
      [](Tensor& t, py::handle indices, const Tensor& values, bool accumulate) {
        return ops::index_put_(t, tensor_sequence(indices, "index_put_"),
                               values, accumulate);
      },
      py::arg("indices"), py::arg("values"), py::arg("accumulate") = false);
  m.def(
      "embedding",
      [](const Tensor& weight, const Tensor& indices, int64_t padding_idx,
         bool scale_grad_by_freq, bool sparse) {
        if (sparse) {
          throw NotImplementedError(
              "embedding: sparse gradients are not supported");
        }
        return ops::embedding(weight, indices, padding_idx, scale_grad_by_freq);
      },
      py::arg("weight"), py::arg("indices"), py::arg("padding_idx") = -1,
      py::arg("scale_grad_by_freq") = false, py::arg("sparse") = false);
  m.def("one_hot", &ops::one_hot, py::arg("tensor"),
        py::arg("num_classes") = -1);
  m.def(
      "constant_pad_nd",
      [](const Tensor& t, py::handle pad, py::handle value) {
        return ops::constant_pad_nd(t, int_list(pad), to_scalar(value));
      },
      py::arg("input"), py::arg("pad"), py::arg("value") = 0);
  m.def(
      "_reflection_pad",
      [](const Tensor& t, py::handle pad) {
        return ops::reflection_pad(t, int_list(pad));
      },
      py::arg("input"), py::arg("pad"));
  m.def(
      "_replication_pad",
      [](const Tensor& t, py::handle pad) {
        return ops::replication_pad(t, int_list(pad));
      },
      py::arg("input"), py::arg("pad"));
}

}  // namespace ag::python
