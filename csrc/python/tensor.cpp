// The Tensor class: attributes, conversions, operators and methods. Each
// binding converts its arguments and calls into ag::ops or ag::autograd.

#include <set>
#include <string>

#include "autograd/autograd_meta.h"
#include "autograd/engine.h"
#include "python/bindings.h"
#include "python/convert.h"

namespace ag::python {

namespace {

py::object not_implemented() {
  return py::reinterpret_borrow<py::object>(Py_NotImplemented);
}

// Binds a binary operator whose right operand may be a tensor or a number;
// anything else returns NotImplemented so Python can try the other side.
template <typename F>
auto binary_operator(F op) {
  return [op](const Tensor& self, py::handle other) -> py::object {
    const std::optional<Tensor> o = to_operand(other);
    if (!o) return not_implemented();
    return py::cast(without_gil(self.numel(), [&] { return op(self, *o); }));
  };
}

template <typename F>
auto inplace_operator(F op) {
  return [op](Tensor& self, py::handle other) -> py::object {
    const std::optional<Tensor> o = to_operand(other);
    if (!o) return not_implemented();
    op(self, *o);
    return py::cast(self);
  };
}

Tensor pow_method(const Tensor& self, py::handle exponent) {
  if (is_tensor(exponent)) return ops::pow(self, exponent.cast<Tensor>());
  return ops::pow(self, to_scalar(exponent));
}

Tensor to_method(const Tensor& self, const py::args& args,
                 const py::kwargs& kwargs) {
  std::optional<DType> dtype;
  bool copy = false;
  for (py::handle a : args) {
    if (py::isinstance<PyDType>(a)) {
      dtype = to_dtype(a);
    } else if (is_tensor(a)) {
      dtype = a.cast<Tensor>().dtype();
    } else if (!check_device(a)) {
      throw py::type_error("to() received an invalid combination of arguments");
    }
  }
  if (kwargs.contains("dtype")) dtype = to_optional_dtype(kwargs["dtype"]);
  if (kwargs.contains("copy")) copy = kwargs["copy"].cast<bool>();
  if (kwargs.contains("device")) check_device(kwargs["device"]);
  return ops::to(self, dtype.value_or(self.dtype()), copy);
}

Tensor getitem(const Tensor& self, py::handle index) {
  const auto indices = parse_indices(index);
  return without_gil(self.numel(), [&] { return ops::index(self, indices); });
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

Scalar single_value(const Tensor& self, const char* what) {
  if (self.numel() != 1) {
    throw py::value_error(
        std::string("only one element tensors can be converted to Python ") +
        what);
  }
  return self.item();
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

}  // namespace

void init_tensor(py::module_& m) {
  // No per-instance __dict__, which keeps creating one cheap (Python
  // subclasses such as Parameter get a dict). Tensors do take part in the
  // cycle collector: hooks and ctx objects may refer back to them.
  py::class_<TensorImpl, std::shared_ptr<TensorImpl>> cls(
      m, "Tensor", py::custom_type_setup(&setup_tensor_type));
  cls.attr("__array_priority__") = 1000;

  // ---- attributes ----------------------------------------------------------
  cls.def_property_readonly(
         "shape", [](const Tensor& t) { return size_object(t.sizes()); })
      .def_property_readonly(
          "dtype", [](const Tensor& t) { return dtype_object(t.dtype()); })
      .def_property_readonly("ndim", [](const Tensor& t) { return t.dim(); })
      .def_property_readonly(
          "is_leaf", [](const Tensor& t) { return autograd::is_leaf(t); })
      .def_property_readonly(
          "grad_fn", [](const Tensor& t) { return autograd::grad_fn(t); })
      .def_property_readonly(
          "_version", [](const Tensor& t) { return t.impl()->version(); })
      .def_property_readonly("is_cuda", [](const Tensor&) { return false; })
      .def_property_readonly(
          "output_nr", [](const Tensor& t) { return autograd::output_nr(t); })
      .def_property(
          "requires_grad",
          [](const Tensor& t) { return autograd::requires_grad(t); },
          [](const Tensor& t, bool value) {
            autograd::set_requires_grad(t, value);
          })
      .def_property(
          "_grad", [](const Tensor& t) { return autograd::grad(t); },
          [](const Tensor& t, std::optional<Tensor> g) {
            autograd::set_grad(t, g.value_or(Tensor()));
          })
      .def_property(
          "data", [](const Tensor& t) { return autograd::variable_data(t); },
          [](const Tensor& t, const Tensor& other) {
            AG_CHECK(is_floating(other.dtype()) || !autograd::requires_grad(t),
                     "data set to a tensor that requires gradients must be "
                     "floating point or complex dtype");
            t.impl()->set_data_from(*other.impl());
          })
      .def_property_readonly("_retains_grad", [](const Tensor& t) {
        const AutogradMeta* meta = autograd::meta(t);
        return meta != nullptr && meta->retains_grad;
      });

  // ---- size and conversion
  // ---------------------------------------------------
  cls.def(
         "size",
         [](const Tensor& t, const py::object& dim) -> py::object {
           if (dim.is_none()) return size_object(t.sizes());
           return py::int_(t.size(int_list(dim).at(0)));
         },
         py::arg("dim") = py::none())
      .def(
          "stride",
          [](const Tensor& t, const py::object& dim) -> py::object {
            if (dim.is_none()) return py::tuple(py::cast(t.strides().vec()));
            return py::int_(t.stride(int_list(dim).at(0)));
          },
          py::arg("dim") = py::none())
      .def("dim", [](const Tensor& t) { return t.dim(); })
      .def("ndimension", [](const Tensor& t) { return t.dim(); })
      .def("numel", [](const Tensor& t) { return t.numel(); })
      .def("nelement", [](const Tensor& t) { return t.numel(); })
      .def("element_size", [](const Tensor& t) { return itemsize(t.dtype()); })
      .def("storage_offset",
           [](const Tensor& t) { return t.impl()->storage_offset(); })
      .def("data_ptr",
           [](const Tensor& t) {
             return reinterpret_cast<uintptr_t>(t.raw_data());
           })
      .def("is_contiguous", [](const Tensor& t) { return t.is_contiguous(); })
      .def("is_floating_point",
           [](const Tensor& t) { return t.is_floating_point(); })
      .def("item", [](const Tensor& t) { return scalar_to_python(t.item()); })
      .def("tolist", [](const Tensor& t) { return tensor_to_list(t); })
      .def(
          "numpy",
          [](const Tensor& t, bool force) {
            if (!force && autograd::requires_grad(t)) {
              throw std::runtime_error(
                  "Can't call numpy() on Tensor that requires grad. Use "
                  "tensor.detach().numpy() instead.");
            }
            return tensor_to_numpy(t);
          },
          py::arg("force") = false)
      .def("_numpy_view", [](const Tensor& t) { return tensor_to_numpy(t); })
      // The whole storage as a flat tensor, and a tensor over it with given
      // geometry: pickle and copy keep storage, strides and offset as
      // PyTorch does. Aliases carry no autograd state.
      .def("_storage_flat",
           [](const Tensor& t) {
             const auto n = static_cast<int64_t>(t.impl()->storage()->nbytes() /
                                                 itemsize(t.dtype()));
             return make_view(t, {n}, {1}, 0);
           })
      .def("_alias_as",
           [](const Tensor& t, py::handle sizes, py::handle strides,
              int64_t offset) {
             // as_strided checks the geometry stays inside the storage.
             const Tensor v =
                 ops::as_strided(ops::detach(t), shape_from_sequence(sizes),
                                 shape_from_sequence(strides), offset);
             return make_view(v, v.sizes(), v.strides(),
                              v.impl()->storage_offset());
           })
      .def("__len__",
           [](const Tensor& t) {
             if (t.dim() == 0) throw py::type_error("len() of a 0-d tensor");
             return t.size(0);
           })
      .def("__bool__",
           [](const Tensor& t) {
             AG_CHECK(t.numel() == 1, "Boolean value of Tensor with ",
                      t.numel() == 0 ? "no values" : "more than one value",
                      " is ambiguous");
             return t.item().to<bool>();
           })
      .def("__float__",
           [](const Tensor& t) {
             return single_value(t, "scalars").to<double>();
           })
      .def("__int__",
           [](const Tensor& t) -> py::object {
             const Scalar v = single_value(t, "scalars");
             // Python's int(float): NaN is a ValueError, inf an
             // OverflowError, and big values stay exact, as PyTorch's.
             if (is_floating(t.dtype())) {
               PyObject* out = PyLong_FromDouble(v.to<double>());
               if (out == nullptr) throw py::error_already_set();
               return py::reinterpret_steal<py::object>(out);
             }
             return py::int_(v.to<int64_t>());
           })
      .def("__index__",
           [](const Tensor& t) {
             if (is_floating(t.dtype()) || t.numel() != 1) {
               throw py::type_error(
                   "only integer tensors of a single element can be converted "
                   "to an index");
             }
             return t.item().to<int64_t>();
           })
      .def("__hash__",
           [](py::handle self) {
             return reinterpret_cast<intptr_t>(self.ptr());
           })
      .def("to", &to_method)
      .def("float", [](const Tensor& t) { return ops::to(t, DType::Float32); })
      .def("double", [](const Tensor& t) { return ops::to(t, DType::Float64); })
      .def("long", [](const Tensor& t) { return ops::to(t, DType::Int64); })
      .def("int", [](const Tensor& t) { return ops::to(t, DType::Int32); })
      .def("bool", [](const Tensor& t) { return ops::to(t, DType::Bool); })
      .def("type_as", [](const Tensor& t, const Tensor& o) {
        return ops::to(t, o.dtype());
      });

  // ---- autograd
  // --------------------------------------------------------------
  cls.def(
         "requires_grad_",
         [](const Tensor& t, bool value) {
           autograd::set_requires_grad(t, value);
           return t;
         },
         py::arg("requires_grad") = true)
      .def("detach_",
           [](Tensor& t) {
             AutogradMeta* meta = autograd::meta(t);
             AG_CHECK(!(meta && meta->is_view &&
                        autograd::requires_grad(meta->base)),
                      "Can't detach views in-place. Use detach() instead.");
             if (meta) {
               meta->grad_fn = nullptr;
               meta->requires_grad = false;
               meta->output_nr = 0;
             }
             return t;
           })
      .def("retain_grad", &autograd::retain_grad)
      .def("_backward", [](const Tensor& self, std::optional<Tensor> gradient,
                           bool retain_graph, bool create_graph,
                           std::vector<Tensor> inputs) {
        py::gil_scoped_release no_gil;
        autograd::backward({self}, {gradient.value_or(Tensor())}, retain_graph,
                           create_graph, inputs);
      });

  // ---- arithmetic operators
  // --------------------------------------------------
  cls.def("__add__", binary_operator([](const Tensor& a, const Tensor& b) {
            return ops::add(a, b);
          }))
      .def("__radd__", binary_operator([](const Tensor& a, const Tensor& b) {
             return ops::add(b, a);
           }))
      .def("__sub__", binary_operator([](const Tensor& a, const Tensor& b) {
             return ops::sub(a, b);
           }))
      .def("__rsub__", binary_operator([](const Tensor& a, const Tensor& b) {
             return b.impl()->is_wrapped_number() ? ops::rsub(a, b.item())
                                                  : ops::sub(b, a);
           }))
      .def("__mul__", binary_operator([](const Tensor& a, const Tensor& b) {
             return ops::mul(a, b);
           }))
      .def("__rmul__", binary_operator([](const Tensor& a, const Tensor& b) {
             return ops::mul(b, a);
           }))
      .def("__truediv__", binary_operator([](const Tensor& a, const Tensor& b) {
             return ops::div(a, b);
           }))
      .def("__rtruediv__",
           binary_operator(
               [](const Tensor& a, const Tensor& b) { return ops::div(b, a); }))
      .def("__pow__", binary_operator([](const Tensor& a, const Tensor& b) {
             return ops::pow(a, b);
           }))
      .def("__rpow__", binary_operator([](const Tensor& a, const Tensor& b) {
             return b.impl()->is_wrapped_number() ? ops::pow(b.item(), a)
                                                  : ops::pow(b, a);
           }))
      .def("__matmul__", binary_operator([](const Tensor& a, const Tensor& b) {
             return ops::matmul(a, b);
           }))
      .def("__rmatmul__", binary_operator([](const Tensor& a, const Tensor& b) {
             return ops::matmul(b, a);
           }))
      .def("__eq__", binary_operator([](const Tensor& a, const Tensor& b) {
             return ops::eq(a, b);
           }))
      .def("__ne__", binary_operator([](const Tensor& a, const Tensor& b) {
             return ops::ne(a, b);
           }))
      .def("__lt__", binary_operator([](const Tensor& a, const Tensor& b) {
             return ops::lt(a, b);
           }))
      .def("__le__", binary_operator([](const Tensor& a, const Tensor& b) {
             return ops::le(a, b);
           }))
      .def("__gt__", binary_operator([](const Tensor& a, const Tensor& b) {
             return ops::gt(a, b);
           }))
      .def("__ge__", binary_operator([](const Tensor& a, const Tensor& b) {
             return ops::ge(a, b);
           }))
      .def("__iadd__", inplace_operator(
                           [](Tensor& a, const Tensor& b) { ops::add_(a, b); }))
      .def("__isub__", inplace_operator(
                           [](Tensor& a, const Tensor& b) { ops::sub_(a, b); }))
      .def("__imul__", inplace_operator(
                           [](Tensor& a, const Tensor& b) { ops::mul_(a, b); }))
      .def("__itruediv__", inplace_operator([](Tensor& a, const Tensor& b) {
             ops::div_(a, b);
           }))
      .def("__floordiv__",
           binary_operator([](const Tensor& a, const Tensor& b) {
             return ops::floor_divide(a, b);
           }))
      .def("__rfloordiv__",
           binary_operator([](const Tensor& a, const Tensor& b) {
             return ops::floor_divide(b, a);
           }))
      .def("__mod__", binary_operator([](const Tensor& a, const Tensor& b) {
             return ops::remainder(a, b);
           }))
      .def("__rmod__", binary_operator([](const Tensor& a, const Tensor& b) {
             return b.impl()->is_wrapped_number() ? ops::remainder(b.item(), a)
                                                  : ops::remainder(b, a);
           }))
      .def("__and__", binary_operator([](const Tensor& a, const Tensor& b) {
             return ops::bitwise_and(a, b);
           }))
      .def("__rand__", binary_operator([](const Tensor& a, const Tensor& b) {
             return ops::bitwise_and(b, a);
           }))
      .def("__or__", binary_operator([](const Tensor& a, const Tensor& b) {
             return ops::bitwise_or(a, b);
           }))
      .def("__ror__", binary_operator([](const Tensor& a, const Tensor& b) {
             return ops::bitwise_or(b, a);
           }))
      .def("__xor__", binary_operator([](const Tensor& a, const Tensor& b) {
             return ops::bitwise_xor(a, b);
           }))
      .def("__rxor__", binary_operator([](const Tensor& a, const Tensor& b) {
             return ops::bitwise_xor(b, a);
           }))
      .def("__ifloordiv__", inplace_operator([](Tensor& a, const Tensor& b) {
             ops::floor_divide_(a, b);
           }))
      .def("__imod__", inplace_operator([](Tensor& a, const Tensor& b) {
             ops::remainder_(a, b);
           }))
      .def("__iand__", inplace_operator([](Tensor& a, const Tensor& b) {
             ops::bitwise_and_(a, b);
           }))
      .def("__ior__", inplace_operator([](Tensor& a, const Tensor& b) {
             ops::bitwise_or_(a, b);
           }))
      .def("__ixor__", inplace_operator([](Tensor& a, const Tensor& b) {
             ops::bitwise_xor_(a, b);
           }))
      .def("__invert__",
           [](const Tensor& t) {
             AG_TYPE_CHECK(!is_floating(t.dtype()),
                           "~ (operator.invert) is only implemented on "
                           "integer and Boolean-type tensors");
             return ops::bitwise_not(t);
           })
      .def("__neg__", &ops::neg)
      .def("__abs__", &ops::abs)
      .def("__pos__", [](const Tensor& t) { return t; })
      .def("__getitem__", &getitem)
      .def("__setitem__", &setitem);

  // ---- in-place methods
  // ------------------------------------------------------
  auto scalar_or_tensor = [](py::handle obj) {
    std::optional<Tensor> t = to_operand(obj);
    if (!t) throw py::type_error("expected a Tensor or a number");
    return *t;
  };
  cls.def(
         "add_",
         [=](Tensor& self, py::handle other, py::handle alpha) {
           return ops::add_(self, scalar_or_tensor(other), to_scalar(alpha));
         },
         py::arg("other"), py::kw_only(), py::arg("alpha") = 1)
      .def(
          "sub_",
          [=](Tensor& self, py::handle other, py::handle alpha) {
            return ops::sub_(self, scalar_or_tensor(other), to_scalar(alpha));
          },
          py::arg("other"), py::kw_only(), py::arg("alpha") = 1)
      // PyTorch's deprecated overloads add_(alpha, other) and
      // sub_(alpha, other), still written by older training loops
      // ("p.data.add_(-lr, p.grad)"); tried only when the above do not match.
      .def("add_",
           [=](Tensor& self, py::handle alpha, const Tensor& other) {
             warn_deprecated_alpha_first("add_");
             return ops::add_(self, other, to_scalar(alpha));
           })
      .def("sub_",
           [=](Tensor& self, py::handle alpha, const Tensor& other) {
             warn_deprecated_alpha_first("sub_");
             return ops::sub_(self, other, to_scalar(alpha));
           })
      .def("mul_",
           [=](Tensor& self, py::handle other) {
             return ops::mul_(self, scalar_or_tensor(other));
           })
      .def("zero_", &ops::zero_)
      .def("fill_",
           [](Tensor& self, py::handle value) {
             return ops::fill_(self, to_scalar(value));
           })
      .def(
          "copy_",
          [](Tensor& self, const Tensor& src, bool) {
            return ops::copy_(self, src);
          },
          py::arg("src"), py::arg("non_blocking") = false);

  // ---- methods shared with module functions (see bindings.h)
  // ------------------
  bind_shared_methods(cls, m);

  // ---- views and shape
  // ---------------------------------------------------------
  cls.def("view",
          [](const Tensor& t, const py::args& a) {
            return ops::view(t, shape_from_args(a, "view", "size"));
          })
      .def("view_as", [](const Tensor& t,
                         const Tensor& o) { return ops::view(t, o.sizes()); })
      .def("reshape",
           [](const Tensor& t, const py::args& a) {
             return ops::reshape(t, shape_from_args(a, "reshape", "shape"));
           })
      .def("reshape_as",
           [](const Tensor& t, const Tensor& o) {
             return ops::reshape(t, o.sizes());
           })
      .def("expand",
           [](const Tensor& t, const py::args& a) {
             return ops::expand(t, shape_from_args(a, "expand", "size"));
           })
      .def("expand_as",
           [](const Tensor& t, const Tensor& o) {
             return ops::expand(t, o.sizes());
           })
      .def("permute",
           [](const Tensor& t, const py::args& a) {
             const Shape dims = shape_from_args(a, "permute", "dims");
             return ops::permute(t, dims.vec());
           })
      .def_property_readonly(
          "T",
          [](const Tensor& t) {
            std::vector<int64_t> dims(static_cast<size_t>(t.dim()));
            for (size_t i = 0; i < dims.size(); ++i)
              dims[i] = t.dim() - 1 - static_cast<int64_t>(i);
            return t.dim() <= 2 ? ops::t(t) : ops::permute(t, dims);
          })
      .def("pow", &pow_method);
}

}  // namespace ag::python
