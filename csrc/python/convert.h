#pragma once

// Conversions between Python objects and the C++ core: the Tensor caster,
// dtypes, shapes, numbers and nested data. No math and no autograd logic.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>

#include "autograd/node.h"
#include "core/tensor.h"
#include "ops/ops.h"

namespace py = pybind11;

// Python sees TensorImpl (held by shared_ptr) as `Tensor`; C++ signatures use
// the ag::Tensor handle, and None stands for an undefined tensor only where a
// signature says std::optional<ag::Tensor>.
namespace pybind11::detail {
template <>
struct type_caster<ag::Tensor> {
  PYBIND11_TYPE_CASTER(ag::Tensor, const_name("Tensor"));

  bool load(handle src, bool convert) {
    copyable_holder_caster<ag::TensorImpl, std::shared_ptr<ag::TensorImpl>>
        caster;
    if (src.is_none() || !caster.load(src, convert)) return false;
    value = ag::Tensor(static_cast<std::shared_ptr<ag::TensorImpl>&>(caster));
    return true;
  }

  static handle cast(const ag::Tensor& t, return_value_policy policy,
                     handle parent) {
    if (!t.defined()) return none().release();
    return copyable_holder_caster<
        ag::TensorImpl, std::shared_ptr<ag::TensorImpl>>::cast(t.impl_ptr(),
                                                               policy, parent);
  }
};
}  // namespace pybind11::detail

namespace ag::python {

// ---- dtypes
// ------------------------------------------------------------------- A dtype
// as Python sees it: one immutable object per DType.
struct PyDType {
  DType value;
  // Set for a dtype PyTorch has and autograd_cpp has no tensors of
  // (float16, bfloat16): programs can name it, compare it and read its
  // itemsize; asking for a tensor of it raises TypeError naming it.
  const char* foreign = nullptr;
};
py::object dtype_object(DType t);
// Accepts our dtype objects and the Python types float, int and bool.
DType to_dtype(py::handle obj);
std::optional<DType> to_optional_dtype(py::handle obj);

// ---- shapes -----------------------------------------------------------------
// Reads sizes given as varargs (x.view(2, 3)) or one sequence (x.view((2, 3))).
// Sizes given one by one or as one sequence, for `fn`'s parameter `param`.
// At least one argument is required (PyTorch's TypeError): `t.permute()` is
// not an empty permutation, nor `zeros()` a 0-d tensor.
Shape shape_from_args(const py::args& args, const char* fn, const char* param);
void require_args(const py::args& args, const char* fn, const char* param);
Shape shape_from_sequence(py::handle seq);
std::vector<int64_t> int_list(py::handle obj);
py::object size_object(const Shape& sizes);  // a torch.Size-like tuple

// ---- numbers and operands ---------------------------------------------------
bool is_number(py::handle obj);
// A Python int (or an object with __index__, or an integer 0-d tensor) as
// int64; `what` names it in errors.
int64_t int_value(py::handle obj, const char* what);
Scalar to_scalar(py::handle obj);
// A tensor operand for arithmetic: tensors as they are, Python numbers as
// wrapped 0-d tensors, other array-likes converted. Nullopt if unsupported.
std::optional<Tensor> to_operand(py::handle obj);
bool is_tensor(py::handle obj);

// ---- data
// ---------------------------------------------------------------------
// torch.tensor(data, dtype): copies nested sequences, numbers, arrays.
Tensor tensor_from_data(py::handle data, std::optional<DType> dtype);
// A tensor sharing memory with a numpy array.
Tensor tensor_from_numpy(const py::array& array);
// A numpy array sharing memory with the tensor (keeps it alive).
py::array tensor_to_numpy(const Tensor& t);
py::object tensor_to_list(const Tensor& t);
py::object scalar_to_python(const Scalar& s);

// Indices for basic indexing (ints, slices, None, Ellipsis, 0-d int tensors).
std::vector<ops::TensorIndex> parse_indices(py::handle index);

// The Size class registered from Python (autograd_cpp.Size).
void set_size_class(py::module_& m, py::object cls);
// Creates the dtype singletons as attributes of m (float32, ...).
void register_dtype_objects(py::module_& m);

}  // namespace ag::python
