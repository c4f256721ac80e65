#pragma once

// Helpers shared by the binding files: argument conversion and the pattern
// that binds one lambda as both a Tensor method and a module function.

#include <optional>
#include <string>
#include <vector>

#include "autograd/autograd_meta.h"
#include "python/bindings.h"
#include "python/convert.h"

namespace ag::python {

inline Tensor finish(Tensor t, bool requires_grad) {
  if (requires_grad) autograd::set_requires_grad(t, true);
  return t;
}

inline DType dtype_or_default(const py::object& dtype) {
  return to_optional_dtype(dtype).value_or(default_dtype());
}

inline Tensor operand_or_throw(py::handle obj, const char* op) {
  std::optional<Tensor> t = to_operand(obj);
  if (!t) {
    throw py::type_error(
        std::string(op) +
        "(): argument 'other' must be Tensor or Number, not " +
        std::string(py::str(py::type::of(obj).attr("__name__"))));
  }
  return *t;
}

inline std::optional<std::vector<int64_t>> optional_dims(
    const py::object& dim) {
  if (dim.is_none()) return std::nullopt;
  return int_list(dim);
}

// Binds f as a Tensor method and as a module function whose first argument
// is called `input`.
template <typename F, typename... Extra>
void def_both(TensorClass& cls, py::module_& m, const char* name, F f,
              const Extra&... extra) {
  cls.def(name, f, extra...);
  m.def(name, f, py::arg("input"), extra...);
}

template <typename Op>
auto unary(Op op) {
  return [op](const Tensor& t) {
    return without_gil(t.numel(), [&] { return op(t); });
  };
}

template <typename Op>
auto binary(Op op, const char* name) {
  return [op, name](const Tensor& t, py::handle other) {
    const Tensor o = operand_or_throw(other, name);
    return without_gil(t.numel(), [&] { return op(t, o); });
  };
}

}  // namespace ag::python
