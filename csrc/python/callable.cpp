#include "python/callable.h"

// structmember.h: T_PYSSIZET and READONLY for the vectorcall offset member
// (Python.h itself names them only from 3.12).
#include <structmember.h>

#include <cstddef>
#include <deque>
#include <new>
#include <stdexcept>

#include "core/error.h"

namespace ag::python {

namespace {

// What a callable object points at; lives as long as the process.
struct Callable {
  Callable(std::vector<std::string> signatures, PyTypeObject* self_type,
           Body body_, std::string qualname_, std::string doc_)
      : parser(std::move(signatures), self_type),
        body(std::move(body_)),
        qualname(std::move(qualname_)),
        doc(parser.python_signatures() + (doc_.empty() ? "" : "\n" + doc_)) {}
  ArgParser parser;
  Body body;
  std::string qualname;
  std::string doc;
};

std::deque<Callable>& callables() {
  static std::deque<Callable> all;
  return all;
}

struct PyCallable {
  PyObject_HEAD vectorcallfunc vectorcall;
  const Callable* fn;
};

// Note [vmap's dispatch hook]: while a vmap runs, a call that gets one of
// its batched tensors (an argument, a keyword argument or an item of a
// list/tuple argument) is handed to the hook, which runs the op's batching
// rule; every other call runs here as usual. Calls outside vmap pay one
// pointer test. Both are owned references, set by _set_vmap_hook.
PyObject* g_vmap_hook = nullptr;
PyObject* g_batched_type = nullptr;

bool is_batched(PyObject* o) {
  return reinterpret_cast<PyObject*>(Py_TYPE(o)) == g_batched_type;
}

bool any_batched(PyObject* const* args, Py_ssize_t n) {
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* a = args[i];
    if (is_batched(a)) return true;
    if (PyTuple_CheckExact(a) || PyList_CheckExact(a)) {
      PyObject** items = PySequence_Fast_ITEMS(a);
      const Py_ssize_t k = PySequence_Fast_GET_SIZE(a);
      for (Py_ssize_t j = 0; j < k; ++j) {
        if (is_batched(items[j])) return true;
      }
    }
  }
  return false;
}

// hook(callable, args, kwargs); NotImplemented where the hook leaves the
// call to run as usual (an op vmap does not dispatch).
PyObject* call_hook(PyObject* self, PyObject* const* args, Py_ssize_t nargs,
                    PyObject* kwnames) {
  py::object hook = py::reinterpret_borrow<py::object>(g_vmap_hook);
  py::tuple positional(nargs);
  for (Py_ssize_t i = 0; i < nargs; ++i) {
    positional[i] = py::reinterpret_borrow<py::object>(args[i]);
  }
  py::dict kwargs;
  if (kwnames != nullptr) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(kwnames); ++i) {
      kwargs[PyTuple_GET_ITEM(kwnames, i)] =
          py::reinterpret_borrow<py::object>(args[nargs + i]);
    }
  }
  return hook(py::handle(self), positional, kwargs).release().ptr();
}

PyObject* call(PyObject* self, PyObject* const* args, size_t nargsf,
               PyObject* kwnames) {
  const Callable& fn = *reinterpret_cast<PyCallable*>(self)->fn;
  try {
    if (g_vmap_hook != nullptr) {
      const Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
      const Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
      if (any_batched(args, nargs + nkw)) {
        PyObject* out = call_hook(self, args, nargs, kwnames);
        if (out != Py_NotImplemented) return out;
        Py_DECREF(out);
      }
    }
    Args parsed = fn.parser.parse(args, PyVectorcall_NARGS(nargsf), kwnames);
    return fn.body(parsed).release().ptr();
  } catch (...) {
    set_python_error();
    return nullptr;
  }
}

void dealloc(PyObject* self) {
  PyTypeObject* type = Py_TYPE(self);
  type->tp_free(self);
  Py_DECREF(type);
}

const Callable& callable_of(PyObject* self) {
  return *reinterpret_cast<PyCallable*>(self)->fn;
}

PyObject* get_name(PyObject* self, void*) {
  return PyUnicode_FromString(callable_of(self).parser.name().c_str());
}
PyObject* get_qualname(PyObject* self, void*) {
  return PyUnicode_FromString(callable_of(self).qualname.c_str());
}
PyObject* get_doc(PyObject* self, void*) {
  return PyUnicode_FromString(callable_of(self).doc.c_str());
}
PyObject* get_text_signature(PyObject*, void*) {
  Py_RETURN_NONE;
}

PyObject* function_repr(PyObject* self) {
  return PyUnicode_FromFormat("<built-in function %s>",
                              callable_of(self).parser.name().c_str());
}
PyObject* method_repr(PyObject* self) {
  const Callable& fn = callable_of(self);
  return PyUnicode_FromFormat("<method '%s' of '%s' objects>",
                              fn.parser.name().c_str(),
                              fn.parser.self_type()->tp_name);
}

// Pickled by reference: a module function by its name, a method as
// getattr(its class, name).
PyObject* function_reduce(PyObject* self, PyObject*) {
  return PyUnicode_FromString(callable_of(self).parser.name().c_str());
}
PyObject* method_reduce(PyObject* self, PyObject*) {
  try {
    const Callable& fn = callable_of(self);
    py::handle cls(reinterpret_cast<PyObject*>(fn.parser.self_type()));
    return py::make_tuple(py::module_::import("builtins").attr("getattr"),
                          py::make_tuple(cls, fn.parser.name()))
        .release()
        .ptr();
  } catch (...) {
    set_python_error();
    return nullptr;
  }
}

// x.name gives a bound method; Tensor.name the descriptor itself.
PyObject* descr_get(PyObject* self, PyObject* obj, PyObject*) {
  if (obj == nullptr || obj == Py_None) {
    Py_INCREF(self);
    return self;
  }
  return PyMethod_New(self, obj);
}

PyGetSetDef getset[] = {
    {"__name__", get_name, nullptr, nullptr, nullptr},
    {"__qualname__", get_qualname, nullptr, nullptr, nullptr},
    {"__doc__", get_doc, nullptr, nullptr, nullptr},
    {"__text_signature__", get_text_signature, nullptr, nullptr, nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

PyMemberDef members[] = {
    {"__vectorcalloffset__", T_PYSSIZET,
     static_cast<Py_ssize_t>(offsetof(PyCallable, vectorcall)), READONLY,
     nullptr},
    {nullptr, 0, 0, 0, nullptr},
};

PyMethodDef function_methods[] = {
    {"__reduce__", function_reduce, METH_NOARGS, nullptr},
    {nullptr, nullptr, 0, nullptr},
};
PyMethodDef method_methods[] = {
    {"__reduce__", method_reduce, METH_NOARGS, nullptr},
    {nullptr, nullptr, 0, nullptr},
};

PyType_Slot function_slots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(&dealloc)},
    {Py_tp_call, reinterpret_cast<void*>(&PyVectorcall_Call)},
    {Py_tp_repr, reinterpret_cast<void*>(&function_repr)},
    {Py_tp_getset, getset},
    {Py_tp_members, members},
    {Py_tp_methods, function_methods},
    {0, nullptr},
};
PyType_Slot method_slots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(&dealloc)},
    {Py_tp_call, reinterpret_cast<void*>(&PyVectorcall_Call)},
    {Py_tp_repr, reinterpret_cast<void*>(&method_repr)},
    {Py_tp_descr_get, reinterpret_cast<void*>(&descr_get)},
    {Py_tp_getset, getset},
    {Py_tp_members, members},
    {Py_tp_methods, method_methods},
    {0, nullptr},
};

constexpr unsigned long kFlags = Py_TPFLAGS_DEFAULT |
                                 Py_TPFLAGS_HAVE_VECTORCALL |
                                 Py_TPFLAGS_DISALLOW_INSTANTIATION;

PyType_Spec function_spec = {"autograd_cpp._C.builtin_function",
                             sizeof(PyCallable), 0, kFlags, function_slots};
// Marked a method descriptor, so x.exp() calls without making a bound
// method first.
PyType_Spec method_spec = {"autograd_cpp._C.method_descriptor",
                           sizeof(PyCallable), 0,
                           kFlags | Py_TPFLAGS_METHOD_DESCRIPTOR, method_slots};

PyTypeObject*& function_type() {
  static PyTypeObject* type = nullptr;
  return type;
}
PyTypeObject*& method_type() {
  static PyTypeObject* type = nullptr;
  return type;
}

py::object make(PyTypeObject* type, std::vector<std::string> signatures,
                PyTypeObject* self_type, Body body,
                const std::string& qual_prefix, const char* doc) {
  AG_CHECK(type != nullptr, "init_callables() must run first");
  Callable& fn =
      callables().emplace_back(std::move(signatures), self_type,
                               std::move(body), "", doc == nullptr ? "" : doc);
  fn.qualname = qual_prefix + fn.parser.name();
  auto* obj = PyObject_New(PyCallable, type);
  if (obj == nullptr) throw py::error_already_set();
  obj->vectorcall = &call;
  obj->fn = &fn;
  return py::reinterpret_steal<py::object>(reinterpret_cast<PyObject*>(obj));
}

// One definition per name: overloads are signatures of one callable.
void check_new_name(py::handle owner, const std::string& name) {
  if (!py::hasattr(owner, name.c_str())) return;
  const py::object existing = owner.attr(name.c_str());
  const auto* type = Py_TYPE(existing.ptr());
  AG_CHECK(type != function_type() && type != method_type(), "'", name,
           "' is defined twice: give all its signatures to one definition");
}

}  // namespace

void set_python_error() {
  try {
    throw;
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (const py::builtin_exception& e) {
    e.set_error();
  } catch (const IndexError& e) {
    PyErr_SetString(PyExc_IndexError, e.what());
  } catch (const TypeError& e) {
    PyErr_SetString(PyExc_TypeError, e.what());
  } catch (const ValueError& e) {
    PyErr_SetString(PyExc_ValueError, e.what());
  } catch (const NotImplementedError& e) {
    PyErr_SetString(PyExc_NotImplementedError, e.what());
  } catch (const Error& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  } catch (const OutOfMemoryError& e) {
    // A failed tensor allocation: PyTorch's CPU allocator raises RuntimeError.
    PyErr_SetString(PyExc_RuntimeError, e.what());
  } catch (const std::bad_alloc& e) {
    PyErr_SetString(PyExc_MemoryError, e.what());
  } catch (const std::out_of_range& e) {
    PyErr_SetString(PyExc_IndexError, e.what());
  } catch (const std::invalid_argument& e) {
    PyErr_SetString(PyExc_ValueError, e.what());
  } catch (const std::length_error& e) {
    PyErr_SetString(PyExc_ValueError, e.what());
  } catch (const std::overflow_error& e) {
    PyErr_SetString(PyExc_OverflowError, e.what());
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  } catch (...) {
    PyErr_SetString(PyExc_SystemError, "unknown C++ exception");
  }
}

void init_callables(py::module_& m) {
  function_type() =
      reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&function_spec));
  method_type() =
      reinterpret_cast<PyTypeObject*>(PyType_FromSpec(&method_spec));
  if (function_type() == nullptr || method_type() == nullptr) {
    throw py::error_already_set();
  }
  // Owned by the module from here on (Note [Borrowed globals]).
  m.attr("_builtin_function") = py::reinterpret_steal<py::object>(
      reinterpret_cast<PyObject*>(function_type()));
  m.attr("_method_descriptor") = py::reinterpret_steal<py::object>(
      reinterpret_cast<PyObject*>(method_type()));
  def(
      m, {"_set_vmap_hook(object hook, object batched_type) -> None"},
      [](Args& a) {
        py::object hook = a.object(0), batched_type = a.object(1);
        Py_XDECREF(g_vmap_hook);
        Py_XDECREF(g_batched_type);
        g_vmap_hook = hook.is_none() ? nullptr : hook.release().ptr();
        g_batched_type =
            batched_type.is_none() ? nullptr : batched_type.release().ptr();
        return py::none();
      },
      "Note [vmap's dispatch hook]: while a vmap runs, the hook and the "
      "class of its batched tensors; None, None removes them.");
}

void def(py::module_& m, std::vector<std::string> signatures, Body body,
         const char* doc) {
  py::object fn = make(function_type(), std::move(signatures), nullptr,
                       std::move(body), "", doc);
  const std::string name = callable_of(fn.ptr()).parser.name();
  check_new_name(m, name);
  m.attr(name.c_str()) = fn;
}

void def_method(py::handle cls, std::vector<std::string> signatures, Body body,
                const char* doc) {
  auto* type = reinterpret_cast<PyTypeObject*>(cls.ptr());
  py::object fn =
      make(method_type(), std::move(signatures), type, std::move(body),
           py::str(cls.attr("__name__")).cast<std::string>() + ".", doc);
  const std::string name = callable_of(fn.ptr()).parser.name();
  check_new_name(cls, name);
  py::setattr(cls, name.c_str(), fn);
}

void def_both(py::handle cls, py::module_& m,
              const std::vector<std::string>& signatures, const Body& body,
              const char* doc) {
  def_method(cls, signatures, body, doc);
  def(m, signatures, body, doc);
}

py::object wrap(const TensorList& ts) {
  py::tuple out(ts.size());
  for (size_t i = 0; i < ts.size(); ++i) out[i] = py::cast(ts[i]);
  return std::move(out);
}

}  // namespace ag::python
