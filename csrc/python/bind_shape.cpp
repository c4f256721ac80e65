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
        type_name_of(seq.ptr()));
  }
  TensorList out;
  size_t i = 0;
  for (py::handle item : py::reinterpret_borrow<py::sequence>(seq)) {
    if (!is_tensor(item)) {
      throw py::type_error("expected Tensor as element " + std::to_string(i) +
                           " in argument 0, but got " +
                           type_name_of(item.ptr()));
    }
    out.push_back(item.cast<Tensor>());
    ++i;
  }
  return out;
}

// As PyTorch: a one-element tensor of any dtype is a split size through
// int() (2.5 truncates; NaN and many elements are no size, inf overflows).
TensorList split_by_tensor(const Tensor& t, PyObject* size_tensor,
                           int64_t dim) {
  PyObject* size = PyNumber_Long(size_tensor);
  if (size == nullptr) {
    if (!PyErr_ExceptionMatches(PyExc_ValueError)) {
      throw py::error_already_set();
    }
    PyErr_Clear();
    throw py::type_error(
        "split_with_sizes(): argument 'split_sizes' (position 2) must be "
        "tuple of ints, not Tensor");
  }
  const auto owned = py::reinterpret_steal<py::object>(size);
  return ops::split(t, owned.cast<int64_t>(), dim);
}

Tensor scatter_any(Args& a, bool inplace) {
  Tensor self = a.tensor(0);
  const int64_t dim = a.to_int(1);
  const Tensor index = a.tensor(2);
  if (!a.is_none(5)) {
    throw py::value_error("scatter(): the reduce argument is not supported");
  }
  const py::object given = a.is_none(3) ? a.object(4) : a.object(3);
  if (given.is_none()) {
    throw py::type_error(
        "scatter() missing 1 required positional argument: 'src' or 'value'");
  }
  if (is_tensor(given)) {
    const Tensor s = given.cast<Tensor>();
    return inplace ? ops::scatter_(self, dim, index, s)
                   : ops::scatter(self, dim, index, s);
  }
  if (!is_number(given)) {
    throw py::type_error("scatter(): argument 'value' must be Number, not " +
                         type_name_of(given.ptr()));
  }
  const Scalar v = to_scalar(given);
  return inplace ? ops::scatter_(self, dim, index, v)
                 : ops::scatter(self, dim, index, v);
}

void bind_views(TensorClass& cls, py::module_& m) {
  for (const auto& [name, a0, a1] : {std::tuple{"transpose", "dim0", "dim1"},
                                     std::tuple{"swapaxes", "axis0", "axis1"},
                                     std::tuple{"swapdims", "dim0", "dim1"}}) {
    def_both(
        cls, m,
        {std::string(name) + "(Tensor input, int " + a0 + ", int " + a1 +
         ") -> Tensor"},
        [](Args& a) {
          return wrap(ops::transpose(a.tensor(0), a.to_int(1), a.to_int(2)));
        },
        std::string(name) == "transpose" ? "A view with two dimensions swapped."
                                         : "Alias of transpose.");
  }
  def_both(
      cls, m, {"t(Tensor input) -> Tensor"},
      [](Args& a) { return wrap(ops::t(a.tensor(0))); },
      "Transpose of a tensor of at most 2 dims.");
  def_both(
      cls, m, {"unsqueeze(Tensor input, int dim) -> Tensor"},
      [](Args& a) { return wrap(ops::unsqueeze(a.tensor(0), a.to_int(1))); },
      "A view with a size-1 dim inserted at dim.");
  // In-place view ops: self's sizes and strides change, its data does not.
  for (const auto& [name, a0, a1] : {std::tuple{"transpose_", "dim0", "dim1"},
                                     std::tuple{"swapaxes_", "axis0", "axis1"},
                                     std::tuple{"swapdims_", "dim0", "dim1"}}) {
    def_method(
        cls,
        {std::string(name) + "(Tensor self, int " + a0 + ", int " + a1 +
         ") -> Tensor"},
        [](Args& a) {
          Tensor t = a.tensor(0);
          ops::transpose_(t, a.to_int(1), a.to_int(2));
          return a.object(0);
        },
        std::string(name) == "transpose_" ? "In-place transpose."
                                          : "Alias of transpose_.");
  }
  def_method(
      cls, {"t_(Tensor self) -> Tensor"},
      [](Args& a) {
        Tensor t = a.tensor(0);
        ops::t_(t);
        return a.object(0);
      },
      "In-place t.");
  def_method(
      cls, {"unsqueeze_(Tensor self, int dim) -> Tensor"},
      [](Args& a) {
        Tensor t = a.tensor(0);
        ops::unsqueeze_(t, a.to_int(1));
        return a.object(0);
      },
      "In-place unsqueeze.");
  def_method(
      cls, {"squeeze_(Tensor self, int[1]? dim=None) -> Tensor"},
      [](Args& a) {
        Tensor t = a.tensor(0);
        const auto dims = a.optional_int_list(1);
        dims ? ops::squeeze_(t, *dims) : ops::squeeze_(t);
        return a.object(0);
      },
      "In-place squeeze.");
  def_both(
      cls, m,
      {"as_strided(Tensor input, int[] size, int[] stride, int? "
       "storage_offset=None) -> Tensor"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        const int64_t offset =
            a.is_none(3) ? t.impl()->storage_offset() : a.to_int(3);
        return wrap(ops::as_strided(t, a.shape(1), a.shape(2), offset));
      },
      "A view of the input's storage with the given sizes, strides and "
      "offset.");
  def_method(
      cls,
      {"as_strided_(Tensor self, int[] size, int[] stride, int? "
       "storage_offset=None) -> Tensor"},
      [](Args& a) {
        Tensor t = a.tensor(0);
        const int64_t offset =
            a.is_none(3) ? t.impl()->storage_offset() : a.to_int(3);
        ops::as_strided_(t, a.shape(1), a.shape(2), offset);
        return a.object(0);
      },
      "In-place as_strided.");
  def_both(
      cls, m, {"select(Tensor input, int dim, int index) -> Tensor"},
      [](Args& a) {
        return wrap(ops::select(a.tensor(0), a.to_int(1), a.to_int(2)));
      },
      "A view of the slice at index along dim (that dim removed).");
  def_both(
      cls, m,
      {"flatten(Tensor input, int start_dim=0, int end_dim=-1) -> Tensor"},
      [](Args& a) {
        return wrap(ops::flatten(a.tensor(0), a.to_int(1), a.to_int(2)));
      },
      "Flattens dims start_dim..end_dim into one.");
  def_both(
      cls, m, {"squeeze(Tensor input, int[1]? dim=None) -> Tensor"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        const auto dims = a.optional_int_list(1);
        return wrap(dims ? ops::squeeze(t, *dims) : ops::squeeze(t));
      },
      "A view with size-1 dims removed (all, or the given ones).");
  def(
      m, {"reshape(Tensor input, int[] shape) -> Tensor"},
      [](Args& a) { return wrap(ops::reshape(a.tensor(0), a.shape(1))); },
      "A tensor of the given shape with the same elements (a view when "
      "possible).");
  def_both(
      cls, m, {"clone(Tensor input) -> Tensor"},
      [](Args& a) { return wrap(ops::clone(a.tensor(0))); },
      "A copy with its own storage, differentiable.");
  def_both(
      cls, m, {"contiguous(Tensor input) -> Tensor"},
      [](Args& a) { return wrap(ops::contiguous(a.tensor(0))); },
      "self if contiguous, else a contiguous copy.");
  def_both(
      cls, m, {"detach(Tensor input) -> Tensor"},
      [](Args& a) { return wrap(ops::detach(a.tensor(0))); },
      "A new tensor that shares this tensor's data but has no autograd "
      "history:\n"
      "its requires_grad is False and it has no grad_fn, so gradients do not\n"
      "flow through it. Use it to use a value without differentiating through\n"
      "it (a target, a logged metric, a stopped gradient). The data is "
      "shared,\n"
      "not copied: an in-place change to one shows in the other (add .clone()\n"
      "for a copy).\n"
      "\n"
      "Examples:\n"
      "    >>> import autograd_cpp as torch\n"
      "    >>> x = torch.tensor([1.0, 2.0], requires_grad=True)\n"
      "    >>> y = x * 2\n"
      "    >>> d = y.detach()\n"
      "    >>> d.requires_grad, d.grad_fn is None\n"
      "    (False, True)\n"
      "    >>> (x * d).sum().backward()  # d is a constant here\n"
      "    >>> x.grad\n"
      "    tensor([2., 4.])");
  def(
      m, {"permute(Tensor input, int[] dims) -> Tensor"},
      [](Args& a) { return wrap(ops::permute(a.tensor(0), a.int_list(1))); },
      "A view with dimensions reordered.");
  def_both(
      cls, m,
      {"narrow(Tensor input, int dim, int start, int length) -> Tensor"},
      [](Args& a) {
        return wrap(
            ops::narrow(a.tensor(0), a.to_int(1), a.to_int(2), a.to_int(3)));
      },
      "A view of length elements along dim starting at start.");
  for (const char* name : {"movedim", "moveaxis"}) {
    def_both(
        cls, m,
        {std::string(name) +
         "(Tensor input, int[1] source, int[1] destination) -> Tensor"},
        [](Args& a) {
          return wrap(ops::movedim(a.tensor(0), a.int_list(1), a.int_list(2)));
        },
        std::string(name) == "movedim"
            ? "A view with dimensions moved from source to destination "
              "positions."
            : "Alias of movedim.");
  }
}

void bind_joins(TensorClass& cls, py::module_& m) {
  def(
      m, {"broadcast_shapes(object... shapes) -> Size"},
      [](Args& a) {
        Shape out;
        if (a.given(0)) {
          for (py::handle shape : a.object(0)) {
            out = broadcast_shapes(out, shape_from_sequence(shape));
          }
        }
        return size_object(out);
      },
      "The shape tensors of the given shapes broadcast to.");
  for (const auto& [name, dim] :
       {std::pair{"cat", "dim"}, std::pair{"concat", "dim"},
        std::pair{"concatenate", "axis"}}) {
    def(
        m,
        {std::string(name) + "(object tensors, int " + dim + "=0) -> Tensor"},
        [](Args& a) {
          const TensorList ts = tensor_sequence(a.object(0), "cat");
          const int64_t d = a.to_int(1);
          int64_t work = 0;
          for (const Tensor& t : ts) work += t.numel();
          return wrap(without_gil(work, [&] { return ops::cat(ts, d); }));
        },
        std::string(name) == "cat"
            ? "Concatenates tensors along an existing dimension."
            : "Alias of cat.");
  }
  def(
      m, {"stack(object tensors, int dim=0) -> Tensor"},
      [](Args& a) {
        const TensorList ts = tensor_sequence(a.object(0), "stack");
        const int64_t d = a.to_int(1);
        const auto work =
            static_cast<int64_t>(ts.size()) * (ts.empty() ? 0 : ts[0].numel());
        return wrap(without_gil(work, [&] { return ops::stack(ts, d); }));
      },
      "Joins tensors of one shape along a new dimension.");
  const char* split_doc =
      "Splits into views of split_size (or the given sizes) along dim.";
  def_method(
      cls,
      {"split(Tensor self, int split_size, int dim=0) -> tuple[Tensor, ...]",
       "split(Tensor self, int[] split_size, int dim=0) -> tuple[Tensor, ...]",
       "split(Tensor self, Tensor split_size, int dim=0) -> tuple[Tensor, "
       "...]"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        const int64_t dim = a.to_int(2);
        if (a.index() == 0) return wrap(ops::split(t, a.to_int(1), dim));
        if (a.index() == 2) {
          return wrap(split_by_tensor(t, a.object(1).ptr(), dim));
        }
        return wrap(ops::split_with_sizes(t, a.int_list(1), dim));
      },
      split_doc);
  def(
      m,
      {"split(Tensor tensor, int split_size_or_sections, int dim=0) -> "
       "tuple[Tensor, ...]",
       "split(Tensor tensor, int[] split_size_or_sections, int dim=0) -> "
       "tuple[Tensor, ...]",
       "split(Tensor tensor, Tensor split_size_or_sections, int dim=0) -> "
       "tuple[Tensor, ...]"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        const int64_t dim = a.to_int(2);
        if (a.index() == 0) return wrap(ops::split(t, a.to_int(1), dim));
        if (a.index() == 2) {
          return wrap(split_by_tensor(t, a.object(1).ptr(), dim));
        }
        return wrap(ops::split_with_sizes(t, a.int_list(1), dim));
      },
      split_doc);
  def_both(
      cls, m,
      {"split_with_sizes(Tensor input, int[] split_sizes, int dim=0) -> "
       "tuple[Tensor, ...]"},
      [](Args& a) {
        return wrap(
            ops::split_with_sizes(a.tensor(0), a.int_list(1), a.to_int(2)));
      },
      "Splits into views of the given sizes along dim.");
  def_both(
      cls, m,
      {"chunk(Tensor input, int chunks, int dim=0) -> tuple[Tensor, ...]"},
      [](Args& a) {
        return wrap(ops::chunk(a.tensor(0), a.to_int(1), a.to_int(2)));
      },
      "Splits into the given number of nearly equal views along dim.");
  def_both(
      cls, m, {"unbind(Tensor input, int dim=0) -> tuple[Tensor, ...]"},
      [](Args& a) { return wrap(ops::unbind(a.tensor(0), a.to_int(1))); },
      "Removes dim, returning the slices along it as views.");
}

void bind_copies(TensorClass& cls, py::module_& m) {
  def_method(
      cls, {"flip(Tensor self, int... dims) -> Tensor"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        const auto dims = a.int_list(1);
        return wrap(without_gil(t.numel(), [&] { return ops::flip(t, dims); }));
      },
      "A copy with the order of elements reversed along dims.");
  def(
      m, {"flip(Tensor input, int[] dims) -> Tensor"},
      [](Args& a) { return wrap(ops::flip(a.tensor(0), a.int_list(1))); },
      "A copy with the order of elements reversed along dims.");
  def_method(
      cls, {"repeat(Tensor self, int... repeats) -> Tensor"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        const auto reps = a.int_list(1);
        return wrap(
            without_gil(t.numel(), [&] { return ops::repeat(t, reps); }));
      },
      "Tiles the tensor: repeats it the given number of times along each "
      "dim.");
  const char* tile_doc =
      "Repeats the tensor along each dim (fewer reps than dims are padded "
      "with ones).";
  def_method(
      cls, {"tile(Tensor self, int... dims) -> Tensor"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        const auto dims = a.int_list(1);
        return wrap(without_gil(t.numel(), [&] { return ops::tile(t, dims); }));
      },
      tile_doc);
  def(
      m, {"tile(Tensor input, int[] dims) -> Tensor"},
      [](Args& a) { return wrap(ops::tile(a.tensor(0), a.int_list(1))); },
      tile_doc);
  def_both(
      cls, m,
      {"roll(Tensor input, int[1] shifts, int[1]? dims=None) -> Tensor"},
      [](Args& a) {
        return wrap(ops::roll(a.tensor(0), a.int_list(1),
                              a.optional_int_list(2).value_or(ops::IntList{})));
      },
      "Rotates elements along dims by shifts.");
  for (const bool lower : {true, false}) {
    def_both(
        cls, m,
        {std::string(lower ? "tril" : "triu") +
         "(Tensor input, int diagonal=0) -> Tensor"},
        [lower](Args& a) {
          const Tensor t = a.tensor(0);
          const int64_t diagonal = a.to_int(1);
          return wrap(without_gil(t.numel(), [&] {
            return lower ? ops::tril(t, diagonal) : ops::triu(t, diagonal);
          }));
        },
        lower ? "The lower triangle (below diagonal + offset); the rest is "
                "zero."
              : "The upper triangle (above diagonal + offset); the rest is "
                "zero.");
    def_method(
        cls,
        {std::string(lower ? "tril_" : "triu_") +
         "(Tensor self, int diagonal=0) -> Tensor"},
        [lower](Args& a) {
          Tensor t = a.tensor(0);
          const int64_t diagonal = a.to_int(1);
          lower ? ops::tril_(t, diagonal) : ops::triu_(t, diagonal);
          return a.object(0);
        },
        lower ? "In-place tril." : "In-place triu.");
  }
}

void bind_indexing(TensorClass& cls, py::module_& m) {
  def_both(
      cls, m,
      {"gather(Tensor input, int dim, Tensor index, *, bool sparse_grad=False) "
       "-> Tensor"},
      [](Args& a) {
        const Tensor t = a.tensor(0), index = a.tensor(2);
        const int64_t dim = a.to_int(1);
        return wrap(without_gil(index.numel(),
                                [&] { return ops::gather(t, dim, index); }));
      },
      "Values of input at the index positions along dim: `out[i][j] = "
      "input[index[i][j]][j]` for dim 0.");
  const std::string scatter_sig =
      "(Tensor input, int dim, Tensor index, object src=None, object "
      "value=None, *, str? reduce=None) -> Tensor";
  def_both(
      cls, m, {"scatter" + scatter_sig},
      [](Args& a) { return wrap(scatter_any(a, false)); },
      "A copy with src (or value) written at index positions along dim.");
  def_method(
      cls, {"scatter_" + scatter_sig},
      [](Args& a) {
        scatter_any(a, true);
        return a.object(0);
      },
      "In-place scatter.");
  def_both(
      cls, m,
      {"scatter_add(Tensor input, int dim, Tensor index, Tensor src) -> "
       "Tensor"},
      [](Args& a) {
        return wrap(ops::scatter_add(a.tensor(0), a.to_int(1), a.tensor(2),
                                     a.tensor(3)));
      },
      "A copy with src added at index positions along dim.");
  def_method(
      cls,
      {"scatter_add_(Tensor self, int dim, Tensor index, Tensor src) -> "
       "Tensor"},
      [](Args& a) {
        Tensor t = a.tensor(0);
        ops::scatter_add_(t, a.to_int(1), a.tensor(2), a.tensor(3));
        return a.object(0);
      },
      "In-place scatter_add.");
  const std::string scatter_reduce_sig =
      "(Tensor input, int dim, Tensor index, Tensor src, str reduce, *, bool "
      "include_self=True) -> Tensor";
  def_both(
      cls, m, {"scatter_reduce" + scatter_reduce_sig},
      [](Args& a) {
        return wrap(ops::scatter_reduce(a.tensor(0), a.to_int(1), a.tensor(2),
                                        a.tensor(3), a.string(4),
                                        a.to_bool(5)));
      },
      "A copy with src reduced into the index positions along dim by sum, "
      "prod, mean, amax or amin, together with self's value there unless "
      "include_self=False.");
  def_method(
      cls, {"scatter_reduce_" + scatter_reduce_sig},
      [](Args& a) {
        Tensor t = a.tensor(0);
        ops::scatter_reduce_(t, a.to_int(1), a.tensor(2), a.tensor(3),
                             a.string(4), a.to_bool(5));
        return a.object(0);
      },
      "In-place scatter_reduce.");
  def_both(
      cls, m, {"index_select(Tensor input, int dim, Tensor index) -> Tensor"},
      [](Args& a) {
        const Tensor t = a.tensor(0), index = a.tensor(2);
        const int64_t dim = a.to_int(1);
        return wrap(without_gil(
            t.numel(), [&] { return ops::index_select(t, dim, index); }));
      },
      "Entries of input along dim at the positions in a 1-d index tensor.");
  def_both(
      cls, m,
      {"index_put(Tensor input, object indices, Tensor values, bool "
       "accumulate=False) -> Tensor"},
      [](Args& a) {
        return wrap(ops::index_put(a.tensor(0),
                                   tensor_sequence(a.object(1), "index_put"),
                                   a.tensor(2), a.to_bool(3)));
      },
      "A copy of input with values written at the positions given by a tuple "
      "of index tensors (accumulate adds).");
  def_both(
      cls, m,
      {"index_put_(Tensor input, object indices, Tensor values, bool "
       "accumulate=False) -> Tensor"},
      [](Args& a) {
        Tensor t = a.tensor(0);
        ops::index_put_(t, tensor_sequence(a.object(1), "index_put_"),
                        a.tensor(2), a.to_bool(3));
        return a.object(0);
      },
      "In-place index_put.");
  def(
      m,
      {"embedding(Tensor weight, Tensor indices, int padding_idx=-1, bool "
       "scale_grad_by_freq=False, bool sparse=False) -> Tensor"},
      [](Args& a) {
        if (a.to_bool(4)) {
          throw NotImplementedError(
              "embedding: sparse gradients are not supported");
        }
        return wrap(ops::embedding(a.tensor(0), a.tensor(1), a.to_int(2),
                                   a.to_bool(3)));
      },
      "Rows of weight at the given indices.");
  def(
      m, {"one_hot(Tensor tensor, int num_classes=-1) -> Tensor"},
      [](Args& a) { return wrap(ops::one_hot(a.tensor(0), a.to_int(1))); },
      "One-hot encoding of integer class indices as int64.");
  def(
      m, {"constant_pad_nd(Tensor input, int[] pad, Number value=0) -> Tensor"},
      [](Args& a) {
        return wrap(
            ops::constant_pad_nd(a.tensor(0), a.int_list(1), a.scalar(2)));
      },
      "Pads the last dims by pad (pairs, last dim first) with value.");
  def(
      m, {"_reflection_pad(Tensor input, int[] pad) -> Tensor"},
      [](Args& a) {
        return wrap(ops::reflection_pad(a.tensor(0), a.int_list(1)));
      },
      "Pads the last dims by reflecting the input at its edges.");
  def(
      m, {"_replication_pad(Tensor input, int[] pad) -> Tensor"},
      [](Args& a) {
        return wrap(ops::replication_pad(a.tensor(0), a.int_list(1)));
      },
      "Pads the last dims by repeating the edge values.");
}

}  // namespace

void bind_shape(TensorClass& cls, py::module_& m) {
  bind_views(cls, m);
  bind_joins(cls, m);
  bind_copies(cls, m);
  bind_indexing(cls, m);
}

}  // namespace ag::python
