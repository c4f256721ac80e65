// The extension module autograd_cpp._C.

#include <pybind11/pybind11.h>

#include "autograd_cpp/version.h"
#include "core/error.h"
#include "python/bindings.h"

PYBIND11_MODULE(_C, m) {
  m.doc() = "autograd_cpp core: tensors, ops and the autograd engine in C++";
  m.attr("__version__") = AUTOGRAD_CPP_VERSION;  // pyproject.toml's version

  // C++ errors surface as the Python exceptions PyTorch raises.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ag::IndexError& e) {
      PyErr_SetString(PyExc_IndexError, e.what());
    } catch (const ag::TypeError& e) {
      PyErr_SetString(PyExc_TypeError, e.what());
    } catch (const ag::ValueError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const ag::NotImplementedError& e) {
      PyErr_SetString(PyExc_NotImplementedError, e.what());
    } catch (const ag::Error& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });

  ag::python::init_tensor(m);
  ag::python::init_ops(m);
  ag::python::init_autograd(m);
  auto tensor_class =
      py::reinterpret_borrow<ag::python::TensorClass>(m.attr("Tensor"));
  ag::python::bind_hooks(tensor_class, m);
  ag::python::bind_dlpack(tensor_class, m);
  ag::python::bind_function(m);
  ag::python::bind_optim(m);
  ag::python::bind_profiler(m);
  ag::python::install_docstrings(m);
}
