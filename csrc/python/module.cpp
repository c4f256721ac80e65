// The extension module autograd_cpp._C.

#include "autograd_cpp/version.h"
#include "python/bind_utils.h"

PYBIND11_MODULE(_C, m) {
  m.doc() = "autograd_cpp core: tensors, ops and the autograd engine in C++";
  m.attr("__version__") = AUTOGRAD_CPP_VERSION;  // pyproject.toml's version

  // C++ errors surface as the Python exceptions PyTorch raises, in the
  // pybind11-bound members as in ours (Note [One argument parser]).
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ag::Error&) {
      ag::python::set_python_error();
    }
  });

  ag::python::init_callables(m);
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
  ag::python::bind_compile(m);
}
