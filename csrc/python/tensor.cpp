// The Tensor class: attributes, conversions, operators and methods. Each
// binding reads its arguments through its signatures (Note [One argument
// parser]) and calls into ag::ops or ag::autograd.

#include <set>
#include <string>

#include "autograd/autograd_meta.h"
#include "autograd/engine.h"
#include "core/capture_state.h"
#include "python/bind_utils.h"

namespace ag::python {

namespace {

py::object not_implemented() {
  return py::reinterpret_borrow<py::object>(Py_NotImplemented);
}

using BinaryFn = Tensor (*)(const Tensor&, const Tensor&);

// A binary operator whose right operand may be a tensor or a number; for
// anything else it returns NotImplemented, so Python tries the other side.
Body binary_operator(BinaryFn op) {
  return [op](Args& a) -> py::object {
    const std::optional<Tensor> o = to_operand(a.object(1));
    if (!o) return not_implemented();
    const Tensor self = a.tensor(0);
    return wrap(without_gil(self.numel(), [&] { return op(self, *o); }));
  };
}

using InplaceFn = Tensor& (*)(Tensor&, const Tensor&);

Body inplace_operator(InplaceFn op) {
  return [op](Args& a) -> py::object {
    const std::optional<Tensor> o = to_operand(a.object(1));
    if (!o) return not_implemented();
    Tensor self = a.tensor(0);
    op(self, *o);
    return a.object(0);
  };
}

// The reflected operators: `2 - x` is rsub(x, 2), `t - x` is sub(t, x).
Tensor rsub_op(const Tensor& a, const Tensor& b) {
  return b.impl()->is_wrapped_number() ? ops::rsub(a, b.item())
                                       : ops::sub(b, a);
}
Tensor rpow_op(const Tensor& a, const Tensor& b) {
  return b.impl()->is_wrapped_number() ? ops::pow(b.item(), a) : ops::pow(b, a);
}
// x **= 2 takes pow_'s Number overload, as PyTorch's does.
Tensor& ipow_op(Tensor& a, const Tensor& b) {
  return b.impl()->is_wrapped_number() ? ops::pow_(a, b.item())
                                       : ops::pow_(a, b);
}
Tensor rmod_op(const Tensor& a, const Tensor& b) {
  return b.impl()->is_wrapped_number() ? ops::remainder(b.item(), a)
                                       : ops::remainder(b, a);
}

Scalar single_value(const Tensor& self, const char* what) {
  capture::note_uncapturable(
      std::string("a tensor's value read into Python (conversion to Python ") +
      what + ")");
  if (self.numel() != 1) {
    throw py::value_error(
        std::string("only one element tensors can be converted to Python ") +
        what);
  }
  return self.item();
}

void setitem(Tensor& self, py::handle index, py::handle value) {
  const auto indices = parse_indices(index);
  if (is_tensor(value)) {
    ops::index_put_(self, indices, value.cast<Tensor>());
  } else if (is_number(value)) {
    ops::index_put_(self, indices, to_scalar(value));
  } else {
    throw py::type_error(std::string("can't assign a ") +
                         Py_TYPE(value.ptr())->tp_name + " to a torch." +
                         dtype_legacy_name(self.dtype()) + "Tensor");
  }
}

void bind_attributes(TensorClass& cls) {
  cls.def_property_readonly(
         "shape", [](const Tensor& t) { return size_object(t.sizes()); },
         "Size\n\nThe size of each dimension, as a torch.Size.")
      .def_property_readonly(
          "dtype", [](const Tensor& t) { return dtype_object(t.dtype()); },
          "_dtype\n\nThe element type.")
      .def_property_readonly(
          "ndim", [](const Tensor& t) { return t.dim(); },
          "_int\n\nThe number of dimensions.")
      .def_property_readonly(
          "is_leaf", [](const Tensor& t) { return autograd::is_leaf(t); },
          "_bool\n\nTrue for tensors not produced by a recorded operation "
          "(their .grad is populated by backward).")
      .def_property_readonly(
          "grad_fn", [](const Tensor& t) { return autograd::grad_fn(t); },
          "Node | None\n\nThe backward node that produced this tensor, or "
          "None for leaves.")
      .def_property_readonly(
          "_version", [](const Tensor& t) { return t.impl()->version(); },
          "_int\n\nHow many in-place writes the data has seen.")
      .def_property_readonly(
          "is_cuda", [](const Tensor&) { return false; },
          "_bool\n\nAlways False: tensors live on the CPU.")
      .def_property_readonly(
          "output_nr", [](const Tensor& t) { return autograd::output_nr(t); },
          "_int\n\nWhich output of its grad_fn this tensor is.")
      .def_property(
          "requires_grad",
          [](const Tensor& t) { return autograd::requires_grad(t); },
          [](const Tensor& t, bool value) {
            capture::note_uncapturable("requires_grad set from Python");
            autograd::set_requires_grad(t, value);
          },
          "_bool\n\nWhether autograd records operations on this tensor.")
      .def_property(
          "_grad", [](const Tensor& t) { return autograd::grad(t); },
          [](const Tensor& t, std::optional<Tensor> g) {
            autograd::set_grad(t, g.value_or(Tensor()));
          },
          "Tensor | None\n\nThe accumulated gradient, without .grad's "
          "warning for non-leaves.")
      .def_property(
          "data", [](const Tensor& t) { return autograd::variable_data(t); },
          [](const Tensor& t, const Tensor& other) {
            AG_CHECK(is_floating(other.dtype()) || !autograd::requires_grad(t),
                     "data set to a tensor that requires gradients must be "
                     "floating point or complex dtype");
            t.impl()->set_data_from(*other.impl());
          },
          "Tensor\n\nThe same data, outside the graph: writes through it are "
          "not seen by autograd.")
      .def_property_readonly(
          "_retains_grad",
          [](const Tensor& t) {
            const AutogradMeta* meta = autograd::meta(t);
            return meta != nullptr && meta->retains_grad;
          },
          "_bool\n\nWhether retain_grad() was called on this non-leaf.")
      .def_property_readonly(
          "T",
          [](const Tensor& t) {
            std::vector<int64_t> dims(static_cast<size_t>(t.dim()));
            for (size_t i = 0; i < dims.size(); ++i) {
              dims[i] = t.dim() - 1 - static_cast<int64_t>(i);
            }
            return t.dim() <= 2 ? ops::t(t) : ops::permute(t, dims);
          },
          "Tensor\n\nThe tensor with its dimensions reversed (a view).");
}

void bind_conversions(TensorClass& cls) {
  def_method(
      cls, {"size(Tensor self, int dim) -> _int", "size(Tensor self) -> Size"},
      [](Args& a) -> py::object {
        const Tensor t = a.tensor(0);
        if (a.index() == 1) return size_object(t.sizes());
        return py::int_(t.size(a.to_int(1)));
      },
      "The shape as a torch.Size, or the size of one dim.");
  def_method(
      cls,
      {"stride(Tensor self, int dim) -> _int",
       "stride(Tensor self) -> tuple[_int, ...]"},
      [](Args& a) -> py::object {
        const Tensor t = a.tensor(0);
        if (a.index() == 1) return py::tuple(py::cast(t.strides().vec()));
        return py::int_(t.stride(a.to_int(1)));
      },
      "The strides in elements, or the stride of one dim.");
  for (const char* name : {"dim", "ndimension"}) {
    def_method(
        cls, {std::string(name) + "(Tensor self) -> _int"},
        [](Args& a) { return wrap(a.tensor(0).dim()); },
        "The number of dimensions.");
  }
  for (const char* name : {"numel", "nelement"}) {
    def_method(
        cls, {std::string(name) + "(Tensor self) -> _int"},
        [](Args& a) { return wrap(a.tensor(0).numel()); },
        "The number of elements.");
  }
  def_method(
      cls, {"element_size(Tensor self) -> _int"},
      [](Args& a) {
        return wrap(static_cast<int64_t>(itemsize(a.tensor(0).dtype())));
      },
      "The size of one element in bytes.");
  def_method(
      cls, {"storage_offset(Tensor self) -> _int"},
      [](Args& a) { return wrap(a.tensor(0).impl()->storage_offset()); },
      "The offset of the first element in the storage, in elements.");
  def_method(
      cls, {"data_ptr(Tensor self) -> _int"},
      [](Args& a) -> py::object {
        return py::int_(reinterpret_cast<uintptr_t>(a.tensor(0).raw_data()));
      },
      "The address of the first element.");
  def_method(
      cls, {"is_contiguous(Tensor self) -> _bool"},
      [](Args& a) { return wrap(a.tensor(0).is_contiguous()); },
      "Whether the elements are laid out contiguously in row-major order.");
  def_method(
      cls, {"is_floating_point(Tensor self) -> _bool"},
      [](Args& a) { return wrap(a.tensor(0).is_floating_point()); },
      "Whether the dtype is a floating-point type.");
  def_method(
      cls, {"item(Tensor self) -> _float | _int | _bool"},
      [](Args& a) {
        capture::note_uncapturable(
            "a tensor's value read into Python (.item())");
        return scalar_to_python(a.tensor(0).item());
      },
      "The value of a one-element tensor as a Python number.");
  def_method(
      cls, {"tolist(Tensor self) -> typing.Any"},
      [](Args& a) {
        capture::note_uncapturable(
            "a tensor's values read into Python (.tolist())");
        return tensor_to_list(a.tensor(0));
      },
      "The values as (nested) Python lists.");
  def_method(
      cls,
      {"numpy(Tensor self, *, bool force=False) -> "
       "numpy.typing.NDArray[typing.Any]"},
      [](Args& a) -> py::object {
        const Tensor t = a.tensor(0);
        capture::note_uncapturable(
            "a tensor's memory handed to numpy (.numpy())");
        if (!a.to_bool(1) && autograd::requires_grad(t)) {
          throw std::runtime_error(
              "Can't call numpy() on Tensor that requires grad. Use "
              "tensor.detach().numpy() instead.");
        }
        return tensor_to_numpy(t);
      },
      "A numpy array sharing this tensor's memory (the tensor must not "
      "require grad).");
  def_method(
      cls, {"_numpy_view(Tensor self) -> numpy.typing.NDArray[typing.Any]"},
      [](Args& a) -> py::object {
        capture::note_uncapturable(
            "a tensor's memory handed to numpy (.numpy())");
        return tensor_to_numpy(a.tensor(0));
      },
      "numpy() without the requires_grad check.");
  // The whole storage as a flat tensor, and a tensor over it with given
  // geometry: pickle and copy keep storage, strides and offset as PyTorch
  // does. Aliases carry no autograd state.
  def_method(
      cls, {"_storage_flat(Tensor self) -> Tensor"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        const auto n = static_cast<int64_t>(t.impl()->storage()->nbytes() /
                                            itemsize(t.dtype()));
        return wrap(make_view(t, {n}, {1}, 0));
      },
      "The whole storage as a flat tensor.");
  def_method(
      cls,
      {"_alias_as(Tensor self, int[] sizes, int[] strides, int offset) -> "
       "Tensor"},
      [](Args& a) {
        // as_strided checks the geometry stays inside the storage.
        const Tensor v = ops::as_strided(ops::detach(a.tensor(0)), a.shape(1),
                                         a.shape(2), a.to_int(3));
        return wrap(
            make_view(v, v.sizes(), v.strides(), v.impl()->storage_offset()));
      },
      "A tensor over the same storage with the given geometry.");
  def_method(
      cls, {"__len__(Tensor self) -> _int"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        if (t.dim() == 0) throw py::type_error("len() of a 0-d tensor");
        return wrap(t.size(0));
      },
      "");
  def_method(
      cls, {"__bool__(Tensor self) -> _bool"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        AG_CHECK(t.numel() == 1, "Boolean value of Tensor with ",
                 t.numel() == 0 ? "no values" : "more than one value",
                 " is ambiguous");
        capture::note_uncapturable(
            "a tensor's value read into Python (bool(tensor): data-dependent "
            "control flow)");
        return wrap(t.item().to<bool>());
      },
      "");
  def_method(
      cls, {"__float__(Tensor self) -> _float"},
      [](Args& a) {
        return wrap(single_value(a.tensor(0), "scalars").to<double>());
      },
      "");
  def_method(
      cls, {"__int__(Tensor self) -> _int"},
      [](Args& a) -> py::object {
        const Tensor t = a.tensor(0);
        const Scalar v = single_value(t, "scalars");
        // Python's int(float): NaN is a ValueError, inf an OverflowError,
        // and big values stay exact, as PyTorch's.
        if (is_floating(t.dtype())) {
          PyObject* out = PyLong_FromDouble(v.to<double>());
          if (out == nullptr) throw py::error_already_set();
          return py::reinterpret_steal<py::object>(out);
        }
        return wrap(v.to<int64_t>());
      },
      "");
  def_method(
      cls, {"__index__(Tensor self) -> _int"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        if (is_floating(t.dtype()) || t.numel() != 1) {
          throw py::type_error(
              "only integer tensors of a single element can be converted to "
              "an index");
        }
        capture::note_uncapturable(
            "a tensor's value read into Python (as an index)");
        return wrap(t.item().to<int64_t>());
      },
      "");
  def_method(
      cls, {"__hash__(Tensor self) -> _int"},
      [](Args& a) -> py::object {
        return py::int_(reinterpret_cast<intptr_t>(a.object(0).ptr()));
      },
      "");
  def_method(
      cls,
      {"to(Tensor self, dtype dtype, bool non_blocking=False, bool "
       "copy=False) -> Tensor",
       "to(Tensor self, Tensor other, bool non_blocking=False, bool "
       "copy=False) -> Tensor",
       "to(Tensor self, object device=None, dtype? dtype=None, bool "
       "non_blocking=False, bool copy=False) -> Tensor"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        DType dtype = t.dtype();
        bool copy = false;
        if (a.index() == 0) {
          dtype = a.dtype(1);
          copy = a.to_bool(3);
        } else if (a.index() == 1) {
          dtype = a.tensor(1).dtype();
          copy = a.to_bool(3);
        } else {
          check_device(a.object(1));
          dtype = a.optional_dtype(2).value_or(dtype);
          copy = a.to_bool(4);
        }
        return wrap(ops::to(t, dtype, copy));
      },
      "A copy converted to the given dtype (self when nothing changes).");
  for (const auto& [name, dtype] :
       {std::pair{"float", DType::Float32}, std::pair{"double", DType::Float64},
        std::pair{"long", DType::Int64}, std::pair{"int", DType::Int32},
        std::pair{"bool", DType::Bool}}) {
    const DType d = dtype;
    def_method(
        cls, {std::string(name) + "(Tensor self) -> Tensor"},
        [d](Args& a) { return wrap(ops::to(a.tensor(0), d)); },
        "A copy converted to this dtype (self if already of it).");
  }
  def_method(
      cls, {"type_as(Tensor self, Tensor other) -> Tensor"},
      [](Args& a) { return wrap(ops::to(a.tensor(0), a.tensor(1).dtype())); },
      "A copy converted to other's dtype.");
}

void bind_autograd_methods(TensorClass& cls) {
  def_method(
      cls, {"requires_grad_(Tensor self, bool requires_grad=True) -> Tensor"},
      [](Args& a) -> py::object {
        autograd::set_requires_grad(a.tensor(0), a.to_bool(1));
        return a.object(0);
      },
      "Sets whether autograd records operations on this tensor, in place, and\n"
      "returns the tensor. Only leaves (tensors not computed from others that\n"
      "require grad) can be changed; a tensor built by some computation can "
      "be\n"
      "made a trainable leaf this way, after the fact.\n"
      "\n"
      "Args:\n"
      "    requires_grad: True (the default) to record operations and\n"
      "        accumulate a gradient into .grad; False to stop.\n"
      "\n"
      "Raises:\n"
      "    RuntimeError: for a non-leaf tensor, or requires_grad=True on a\n"
      "        tensor that is not floating point.\n"
      "\n"
      "Examples:\n"
      "    >>> import autograd_cpp as torch\n"
      "    >>> w = torch.randn(3, 2) * 0.1  # a computed tensor ...\n"
      "    >>> w.requires_grad_()           # ... made a trainable leaf\n"
      "    tensor(..., requires_grad=True)\n"
      "    >>> (w ** 2).sum().backward()\n"
      "    >>> w.grad.shape\n"
      "    torch.Size([3, 2])");
  def_method(
      cls, {"detach_(Tensor self) -> Tensor"},
      [](Args& a) -> py::object {
        Tensor t = a.tensor(0);
        ops::detach_(t);
        return a.object(0);
      },
      "Detaches self from the graph in place and returns it.");
  def_method(
      cls, {"retain_grad(Tensor self) -> None"},
      [](Args& a) {
        autograd::retain_grad(a.tensor(0));
        return py::none();
      },
      "Makes this non-leaf tensor keep its .grad after backward.");
  def_method(
      cls,
      {"_backward(Tensor self, Tensor? gradient, bool retain_graph, bool "
       "create_graph, Tensor[] inputs) -> None"},
      [](Args& a) {
        const Tensor self = a.tensor(0);
        const Tensor gradient = a.optional_tensor(1).value_or(Tensor());
        const bool retain = a.to_bool(2), create = a.to_bool(3);
        const TensorList inputs = a.tensor_list(4);
        {
          // The release ends before py::none(): touching any Python object
          // without the GIL is undefined behaviour.
          py::gil_scoped_release no_gil;
          autograd::backward({self}, {gradient}, retain, create, inputs);
        }
        return py::none();
      },
      "Runs backward from self (Tensor.backward's C++ part).");
}

void bind_operators(TensorClass& cls) {
  const std::pair<const char*, BinaryFn> binary[] = {
      {"__add__",
       [](const Tensor& a, const Tensor& b) { return ops::add(a, b); }},
      {"__radd__",
       [](const Tensor& a, const Tensor& b) { return ops::add(b, a); }},
      {"__sub__",
       [](const Tensor& a, const Tensor& b) { return ops::sub(a, b); }},
      {"__rsub__", &rsub_op},
      {"__mul__", &ops::mul},
      {"__rmul__",
       [](const Tensor& a, const Tensor& b) { return ops::mul(b, a); }},
      {"__truediv__",
       [](const Tensor& a, const Tensor& b) { return ops::div(a, b); }},
      {"__rtruediv__",
       [](const Tensor& a, const Tensor& b) { return ops::div(b, a); }},
      {"__pow__",
       [](const Tensor& a, const Tensor& b) { return ops::pow(a, b); }},
      {"__rpow__", &rpow_op},
      {"__matmul__", &ops::matmul},
      {"__rmatmul__",
       [](const Tensor& a, const Tensor& b) { return ops::matmul(b, a); }},
      {"__eq__", &ops::eq},
      {"__ne__", &ops::ne},
      {"__lt__", &ops::lt},
      {"__le__", &ops::le},
      {"__gt__", &ops::gt},
      {"__ge__", &ops::ge},
      {"__floordiv__", [](const Tensor& a,
                          const Tensor& b) { return ops::floor_divide(a, b); }},
      {"__rfloordiv__",
       [](const Tensor& a, const Tensor& b) {
         return ops::floor_divide(b, a);
       }},
      {"__mod__",
       [](const Tensor& a, const Tensor& b) { return ops::remainder(a, b); }},
      {"__rmod__", &rmod_op},
      {"__and__", &ops::bitwise_and},
      {"__rand__",
       [](const Tensor& a, const Tensor& b) { return ops::bitwise_and(b, a); }},
      {"__or__", &ops::bitwise_or},
      {"__ror__",
       [](const Tensor& a, const Tensor& b) { return ops::bitwise_or(b, a); }},
      {"__xor__", &ops::bitwise_xor},
      {"__rxor__",
       [](const Tensor& a, const Tensor& b) { return ops::bitwise_xor(b, a); }},
  };
  for (const auto& [name, op] : binary) {
    def_method(cls,
               {std::string(name) + "(Tensor self, object other) -> Tensor"},
               binary_operator(op), "");
  }
  const std::pair<const char*, InplaceFn> inplace[] = {
      {"__iadd__",
       [](Tensor& a, const Tensor& b) -> Tensor& { return ops::add_(a, b); }},
      {"__isub__",
       [](Tensor& a, const Tensor& b) -> Tensor& { return ops::sub_(a, b); }},
      {"__imul__", &ops::mul_},
      {"__itruediv__",
       [](Tensor& a, const Tensor& b) -> Tensor& { return ops::div_(a, b); }},
      {"__ifloordiv__", &ops::floor_divide_},
      {"__imod__", &ops::remainder_},
      {"__iand__", &ops::bitwise_and_},
      {"__ior__", &ops::bitwise_or_},
      {"__ixor__", &ops::bitwise_xor_},
      {"__ipow__", &ipow_op},
  };
  for (const auto& [name, op] : inplace) {
    def_method(cls,
               {std::string(name) + "(Tensor self, object other) -> Tensor"},
               inplace_operator(op), "");
  }
  def_method(
      cls, {"__invert__(Tensor self) -> Tensor"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        AG_TYPE_CHECK(!is_floating(t.dtype()),
                      "~ (operator.invert) is only implemented on integer and "
                      "Boolean-type tensors");
        return wrap(ops::bitwise_not(t));
      },
      "");
  def_method(
      cls, {"__neg__(Tensor self) -> Tensor"},
      [](Args& a) { return wrap(ops::neg(a.tensor(0))); }, "");
  def_method(
      cls, {"__abs__(Tensor self) -> Tensor"},
      [](Args& a) { return wrap(ops::abs(a.tensor(0))); }, "");
  def_method(
      cls, {"__pos__(Tensor self) -> Tensor"},
      [](Args& a) { return a.object(0); }, "");
  def_method(
      cls, {"__getitem__(Tensor self, object index) -> Tensor"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        const auto indices = parse_indices(a.object(1));
        return wrap(
            without_gil(t.numel(), [&] { return ops::index(t, indices); }));
      },
      "");
  def_method(
      cls, {"__setitem__(Tensor self, object index, object value) -> None"},
      [](Args& a) {
        Tensor t = a.tensor(0);
        setitem(t, a.object(1), a.object(2));
        return py::none();
      },
      "");
}

// PyTorch's text for its deprecated alpha-first overloads, once per process
// for each method (as its warn-once does).
void warn_deprecated_alpha_first(const char* name) {
  static std::set<std::string> warned;
  if (!warned.insert(name).second) return;
  const std::string text =
      std::string("This overload of ") + name + " is deprecated:\n\t" + name +
      "(Number alpha, Tensor other)\nConsider using one of the following "
      "signatures instead:\n\t" +
      name + "(Tensor other, *, Number alpha = 1)";
  if (PyErr_WarnEx(PyExc_UserWarning, text.c_str(), 1) < 0) {
    throw py::error_already_set();
  }
}

void bind_inplace_basics(TensorClass& cls) {
  def_method(
      cls,
      // The second is PyTorch's deprecated alpha-first overload, still
      // written by older training loops ("p.data.add_(-lr, p.grad)").
      {"add_(Tensor self, Tensor|Number other, *, Number alpha=1) -> Tensor",
       "add_(Tensor self, Number alpha, Tensor other) -> Tensor"},
      [](Args& a) -> py::object {
        Tensor t = a.tensor(0);
        if (a.index() == 1) {
          warn_deprecated_alpha_first("add_");
          ops::add_(t, a.tensor(2), a.scalar(1));
        } else {
          ops::add_(t, a.operand(1), a.scalar(2));
        }
        return a.object(0);
      },
      "In-place add: self += alpha * other.");
  def_method(
      cls,
      // The second is PyTorch's deprecated alpha-first overload, still
      // written by older training loops ("p.data.sub_(-lr, p.grad)").
      {"sub_(Tensor self, Tensor|Number other, *, Number alpha=1) -> Tensor",
       "sub_(Tensor self, Number alpha, Tensor other) -> Tensor"},
      [](Args& a) -> py::object {
        Tensor t = a.tensor(0);
        if (a.index() == 1) {
          warn_deprecated_alpha_first("sub_");
          ops::sub_(t, a.tensor(2), a.scalar(1));
        } else {
          ops::sub_(t, a.operand(1), a.scalar(2));
        }
        return a.object(0);
      },
      "In-place sub: self -= alpha * other.");
  def_method(
      cls, {"mul_(Tensor self, Tensor|Number other) -> Tensor"},
      [](Args& a) -> py::object {
        Tensor t = a.tensor(0);
        ops::mul_(t, a.operand(1));
        return a.object(0);
      },
      "In-place mul.");
  def_method(
      cls, {"zero_(Tensor self) -> Tensor"},
      [](Args& a) -> py::object {
        Tensor t = a.tensor(0);
        ops::zero_(t);
        return a.object(0);
      },
      "Fills self with zeros, in place.");
  def_method(
      cls,
      {"fill_(Tensor self, Tensor value) -> Tensor",
       "fill_(Tensor self, Number value) -> Tensor"},
      [](Args& a) -> py::object {
        Tensor t = a.tensor(0);
        if (a.index() == 0) {
          ops::fill_(t, a.tensor(1));
        } else {
          ops::fill_(t, a.scalar(1));
        }
        return a.object(0);
      },
      "Fills self with value, in place.");
  def_method(
      cls,
      {"copy_(Tensor self, Tensor src, bool non_blocking=False) -> Tensor"},
      [](Args& a) -> py::object {
        Tensor t = a.tensor(0);
        ops::copy_(t, a.tensor(1));
        return a.object(0);
      },
      "Copies src into self (broadcasting, converting dtype), in place.");
}

void bind_views(TensorClass& cls) {
  def_method(
      cls, {"view(Tensor self, int... size) -> Tensor"},
      [](Args& a) { return wrap(ops::view(a.tensor(0), a.shape(1))); },
      "A view with a new shape over the same storage (-1 infers one dim).");
  def_method(
      cls, {"view_as(Tensor self, Tensor other) -> Tensor"},
      [](Args& a) { return wrap(ops::view(a.tensor(0), a.tensor(1).sizes())); },
      "view with other's shape.");
  def_method(
      cls, {"reshape(Tensor self, int... shape) -> Tensor"},
      [](Args& a) { return wrap(ops::reshape(a.tensor(0), a.shape(1))); },
      "A tensor of the given shape with the same elements (a view when "
      "possible).");
  def_method(
      cls, {"reshape_as(Tensor self, Tensor other) -> Tensor"},
      [](Args& a) {
        return wrap(ops::reshape(a.tensor(0), a.tensor(1).sizes()));
      },
      "reshape to other's shape.");
  def_method(
      cls, {"expand(Tensor self, int... size) -> Tensor"},
      [](Args& a) { return wrap(ops::expand(a.tensor(0), a.shape(1))); },
      "A view repeating size-1 dims to the given size (-1 keeps a dim).");
  def_method(
      cls, {"expand_as(Tensor self, Tensor other) -> Tensor"},
      [](Args& a) {
        return wrap(ops::expand(a.tensor(0), a.tensor(1).sizes()));
      },
      "expand to other's shape.");
  def_method(
      cls, {"permute(Tensor self, int... dims) -> Tensor"},
      [](Args& a) { return wrap(ops::permute(a.tensor(0), a.int_list(1))); },
      "A view with dimensions reordered.");
}

}  // namespace

void init_tensor(py::module_& m) {
  // No per-instance __dict__, which keeps creating one cheap (Python
  // subclasses such as Parameter get a dict). Tensors do take part in the
  // cycle collector: hooks and ctx objects may refer back to them.
  TensorClass cls(m, "Tensor", py::custom_type_setup(&setup_tensor_type));
  cls.doc() =
      "A multi-dimensional array of one dtype that can record the operations "
      "applied to it for automatic differentiation.";
  cls.attr("__array_priority__") = 1000;
  bind_attributes(cls);
  bind_conversions(cls);
  bind_autograd_methods(cls);
  bind_operators(cls);
  bind_inplace_basics(cls);
  bind_views(cls);
  bind_shared_methods(cls, m);
}

}  // namespace ag::python
