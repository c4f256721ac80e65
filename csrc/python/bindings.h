#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <utility>

#include "core/tensor.h"

namespace py = pybind11;

namespace ag::python {

using TensorClass = py::class_<TensorImpl, std::shared_ptr<TensorImpl>>;

void init_tensor(py::module_& m);
// Makes Tensor visible to Python's cycle collector (see tensor_gc.cpp).
void setup_tensor_type(PyHeapTypeObject* heap_type);
void init_ops(py::module_& m);
void init_autograd(py::module_& m);
// Ops exposed both as Tensor methods and module functions (x.exp(), exp(x)),
// one binding file per op family; the nn ops go to the submodule _C._nn.
void bind_shared_methods(TensorClass& cls, py::module_& m);
void bind_math(TensorClass& cls, py::module_& m, py::module_& nn);
void bind_reduce(TensorClass& cls, py::module_& m);
void bind_shape(TensorClass& cls, py::module_& m);
void bind_nn(TensorClass& cls, py::module_& m, py::module_& nn);
void bind_sorting(TensorClass& cls, py::module_& m);
void bind_index_ops(TensorClass& cls, py::module_& m);
// Hooks on tensors and nodes, anomaly mode, custom Functions.
void bind_hooks(TensorClass& cls, py::module_& m);
void bind_function(py::module_& m);
// DLPack export (Tensor.__dlpack__) and import (from_dlpack).
void bind_dlpack(TensorClass& cls, py::module_& m);
// Fused optimizer steps (optim.SGD, Adam, AdamW, RMSprop).
void bind_optim(py::module_& m);
// Generators, random factories, sampling and in-place random fills.
void bind_sampling(py::module_& m);
// The profiler's session and ranges (autograd_cpp.profiler).
void bind_profiler(py::module_& m);
// Capture sessions and compiled programs (autograd_cpp.compiler).
void bind_compile(py::module_& m);

// Work (in elements) above which a kernel runs with the GIL released, so
// other Python threads proceed; below it the release costs more than it buys.
constexpr int64_t kReleaseGilWork = 1 << 15;

template <typename F>
auto without_gil(int64_t work, F&& f) {
  if (work < kReleaseGilWork) return f();
  py::gil_scoped_release no_gil;
  return f();
}

// Runs f with the GIL released (long kernels: BLAS products).
template <typename F>
auto released(F&& f) {
  py::gil_scoped_release no_gil;
  return f();
}

// Accepts "cpu" and cpu device objects; raises for any other device.
bool check_device(py::handle device);

}  // namespace ag::python
