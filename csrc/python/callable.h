#pragma once

// Functions and methods defined in C++ (Note [One argument parser]). Each is
// a Python object of our own callable type: called through vectorcall, it
// parses its arguments with its ArgParser and runs its body; C++ exceptions
// become the Python exceptions PyTorch raises. Methods are descriptors that
// bind like Python's own (x.exp() passes x as the first argument).
//
//   def(m, {"exp(Tensor input) -> Tensor"},
//       [](Args& a) { return wrap(ops::exp(a.tensor(0))); },
//       "Exponential, elementwise.");

#include <pybind11/pybind11.h>

#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "python/arg_parser.h"

namespace py = pybind11;

namespace ag::python {

using Body = std::function<py::object(Args&)>;

// A module function.
void def(py::module_& m, std::vector<std::string> signatures, Body body,
         const char* doc);
// A method of `cls`; each signature's first parameter is self.
void def_method(py::handle cls, std::vector<std::string> signatures, Body body,
                const char* doc);
// Both: the same body as a Tensor method and a module function (x.exp()
// and exp(x)); the first parameter is the tensor.
void def_both(py::handle cls, py::module_& m,
              const std::vector<std::string>& signatures, const Body& body,
              const char* doc);

// The Python exception for the C++ exception being handled.
void set_python_error();

// Creates the callable types; before any def.
void init_callables(py::module_& m);

inline py::object wrap(const Tensor& t) {
  return py::cast(t);
}
py::object wrap(const TensorList& ts);  // a tuple
inline py::object wrap(bool v) {
  return py::bool_(v);
}
inline py::object wrap(int64_t v) {
  return py::int_(v);
}
inline py::object wrap(double v) {
  return py::float_(v);
}

}  // namespace ag::python
