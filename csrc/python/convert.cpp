#include "python/convert.h"

#include <climits>
#include <cstring>

#include "core/dispatch.h"

namespace ag::python {

// ---- dtypes
// -------------------------------------------------------------------

// Note [Borrowed globals]: objects cached here are owned by the module (as
// attributes), and only borrowed by these statics, so nothing is released
// after the interpreter has shut down.
namespace {
std::array<py::handle, kNumDTypes>& dtype_objects() {
  static std::array<py::handle, kNumDTypes> objects;
  return objects;
}
py::handle& size_class() {
  static py::handle cls;
  return cls;
}
}  // namespace

void register_dtype_objects(py::module_& m) {
  for (int i = 0; i < kNumDTypes; ++i) {
    const auto t = static_cast<DType>(i);
    py::object obj = py::cast(PyDType{t});
    m.attr(dtype_name(t)) = obj;
    dtype_objects()[static_cast<size_t>(i)] = obj;
  }
  // Both 16-bit floats (the value field is unused for them).
  for (const char* name : {"float16", "bfloat16"}) {
    m.attr(name) = py::cast(PyDType{DType::Float32, name});
  }
}

py::object dtype_object(DType t) {
  return py::reinterpret_borrow<py::object>(
      dtype_objects()[static_cast<size_t>(t)]);
}

DType to_dtype(py::handle obj) {
  if (py::isinstance<PyDType>(obj)) {
    const PyDType& d = obj.cast<PyDType&>();
    if (d.foreign) {
      throw py::type_error(
          std::string("autograd_cpp has no tensors of dtype torch.") +
          d.foreign +
          ": its tensors are float32, float64, int64, int32 or bool "
          "(compute in float32 where a program asks for torch." +
          d.foreign + ")");
    }
    return d.value;
  }
  if (obj.ptr() == reinterpret_cast<PyObject*>(&PyFloat_Type))
    return DType::Float64;
  if (obj.ptr() == reinterpret_cast<PyObject*>(&PyLong_Type))
    return DType::Int64;
  if (obj.ptr() == reinterpret_cast<PyObject*>(&PyBool_Type))
    return DType::Bool;
  throw py::type_error(
      std::string("expected a dtype (e.g. float32), got ") +
      std::string(py::str(py::type::of(obj).attr("__name__"))));
}

std::optional<DType> to_optional_dtype(py::handle obj) {
  if (obj.is_none()) return std::nullopt;
  return to_dtype(obj);
}

// ---- shapes -----------------------------------------------------------------

int64_t int_value(py::handle obj, const char* what) {
  if (PyLong_Check(obj.ptr()) && !PyBool_Check(obj.ptr())) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(obj.ptr(), &overflow);
    if (overflow) throw py::value_error("Overflow when unpacking long");
    return v;
  }
  if (is_tensor(obj)) {
    const Tensor t = obj.cast<Tensor>();
    if (t.numel() == 1 && !is_floating(t.dtype()) && t.dtype() != DType::Bool) {
      return t.item().to<int64_t>();
    }
  }
  if (py::hasattr(obj, "__index__") && !PyFloat_Check(obj.ptr())) {
    return py::int_(obj.attr("__index__")()).cast<int64_t>();
  }
  throw py::type_error(
      std::string(what) + " must be int, not " +
      std::string(py::str(py::type::of(obj).attr("__name__"))));
}

// Note [Sequence items]: the items of a generic sequence (range, a numpy
// array's rows, ...) may be made on access and freed as soon as nothing
// holds them, so a py::handle to one taken while iterating a py::sequence
// dangles. Loops over sequences go through this list (or tuple) of owned
// items instead.
namespace {
py::object fast_sequence(py::handle obj) {
  PyObject* fast = PySequence_Fast(obj.ptr(), "expected a sequence");
  if (fast == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(fast);
}
}  // namespace

std::vector<int64_t> int_list(py::handle obj) {
  std::vector<int64_t> out;
  if (PyLong_Check(obj.ptr()) || is_tensor(obj)) {
    out.push_back(int_value(obj, "dim"));
    return out;
  }
  if (!PySequence_Check(obj.ptr())) {
    throw py::type_error(
        std::string("expected a sequence of ints, got ") +
        std::string(py::str(py::type::of(obj).attr("__name__"))));
  }
  const py::object items = fast_sequence(obj);
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(items.ptr());
  for (Py_ssize_t i = 0; i < n; ++i) {
    out.push_back(int_value(PySequence_Fast_GET_ITEM(items.ptr(), i), "size"));
  }
  return out;
}

Shape shape_from_sequence(py::handle seq) {
  const std::vector<int64_t> v = int_list(seq);
  return Shape(v.begin(), v.end());
}

void require_args(const py::args& args, const char* fn, const char* param) {
  if (args.size() == 0) {
    throw py::type_error(std::string(fn) +
                         "() missing 1 required positional arguments: \"" +
                         param + "\"");
  }
}

Shape shape_from_args(const py::args& args, const char* fn, const char* param) {
  require_args(args, fn, param);
  if (args.size() == 1 && !PyLong_Check(args[0].ptr())) {
    return shape_from_sequence(args[0]);
  }
  Shape out;
  for (py::handle item : args) out.push_back(int_value(item, "size"));
  return out;
}

void set_size_class(py::module_& m, py::object cls) {
  m.attr("_size_class") = cls;
  size_class() = cls;
}

py::object size_object(const Shape& sizes) {
  py::tuple t(sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i) {
    t[i] = py::int_(sizes[i]);
  }
  if (size_class()) return size_class()(t);
  return std::move(t);
}

// ---- numbers and operands ---------------------------------------------------

bool is_tensor(py::handle obj) {
  return py::isinstance<TensorImpl>(obj);
}

namespace {
bool is_numpy_scalar(py::handle obj) {
  // Borrowed: numpy stays in sys.modules (see Note [Borrowed globals]).
  static py::handle generic = py::module_::import("numpy").attr("generic");
  return py::isinstance(obj, generic);
}
}  // namespace

bool is_number(py::handle obj) {
  return PyBool_Check(obj.ptr()) || PyLong_Check(obj.ptr()) ||
         PyFloat_Check(obj.ptr()) || is_numpy_scalar(obj);
}

Scalar to_scalar(py::handle obj) {
  if (PyBool_Check(obj.ptr())) return Scalar(obj.ptr() == Py_True);
  if (PyLong_Check(obj.ptr())) return Scalar(int_value(obj, "value"));
  if (PyFloat_Check(obj.ptr())) return Scalar(PyFloat_AS_DOUBLE(obj.ptr()));
  if (is_numpy_scalar(obj)) return to_scalar(obj.attr("item")());
  if (is_tensor(obj)) return obj.cast<Tensor>().item();
  throw py::type_error(
      std::string("expected a number, got ") +
      std::string(py::str(py::type::of(obj).attr("__name__"))));
}

std::optional<Tensor> to_operand(py::handle obj) {
  if (is_tensor(obj)) return obj.cast<Tensor>();
  if (PyFloat_Check(obj.ptr()))
    return wrap_scalar(Scalar(PyFloat_AS_DOUBLE(obj.ptr())));
  if (PyBool_Check(obj.ptr()) || PyLong_Check(obj.ptr()) ||
      is_numpy_scalar(obj)) {
    return wrap_scalar(to_scalar(obj));
  }
  if (py::isinstance<py::array>(obj))
    return tensor_from_data(obj, std::nullopt);
  return std::nullopt;
}

// ---- numpy
// ----------------------------------------------------------------------

namespace {

std::optional<DType> dtype_from_numpy(const py::dtype& dt) {
  if (dt.kind() == 'b') return DType::Bool;
  if (dt.kind() == 'f' && dt.itemsize() == 4) return DType::Float32;
  if (dt.kind() == 'f' && dt.itemsize() == 8) return DType::Float64;
  if (dt.kind() == 'i' && dt.itemsize() == 4) return DType::Int32;
  if (dt.kind() == 'i' && dt.itemsize() == 8) return DType::Int64;
  return std::nullopt;
}

py::dtype numpy_dtype(DType t) {
  switch (t) {
    case DType::Bool:
      return py::dtype::of<bool>();
    case DType::Int32:
      return py::dtype::of<int32_t>();
    case DType::Int64:
      return py::dtype::of<int64_t>();
    case DType::Float32:
      return py::dtype::of<float>();
    case DType::Float64:
      break;
  }
  return py::dtype::of<double>();
}

[[noreturn]] void unsupported_numpy_dtype(const py::dtype& dt) {
  throw py::type_error(
      "can't convert np.ndarray of type " +
      std::string(py::str(dt.attr("name"))) +
      ". The only supported types are: float64, float32, int64, int32, and "
      "bool.");
}

void release_pyobject(void* ctx) {
  if (!Py_IsInitialized()) return;
  py::gil_scoped_acquire gil;
  Py_DECREF(static_cast<PyObject*>(ctx));
}

}  // namespace

Tensor tensor_from_numpy(const py::array& array) {
  const auto dtype = dtype_from_numpy(array.dtype());
  if (!dtype) unsupported_numpy_dtype(array.dtype());
  AG_CHECK(array.dtype().attr("isnative").cast<bool>(),
           "given numpy array has byte order different from the native byte "
           "order. Conversion between byte orders is currently not supported.");
  const auto item = static_cast<int64_t>(itemsize(*dtype));
  Shape sizes, strides;
  int64_t extent = 1;
  for (py::ssize_t d = 0; d < array.ndim(); ++d) {
    const int64_t stride = array.strides(d);
    AG_CHECK_AS(ValueError, stride >= 0,
                "At least one stride in the given numpy array is negative, and "
                "tensors with negative strides are not currently supported. "
                "(You can probably work around this by making a copy of your "
                "array  with array.copy().) ");
    AG_CHECK_AS(ValueError, stride % item == 0,
                "given numpy array strides not a multiple of the element byte "
                "size. Copy the numpy array to reallocate the memory.");
    sizes.push_back(array.shape(d));
    strides.push_back(stride / item);
    if (array.shape(d) == 0) extent = 0;
    if (extent > 0) extent += (array.shape(d) - 1) * (stride / item);
  }
  PyObject* owner = array.ptr();
  Py_INCREF(owner);
  DataPtr data(const_cast<void*>(array.data()), owner, &release_pyobject);
  auto storage = std::make_shared<Storage>(std::move(data),
                                           static_cast<size_t>(extent * item));
  return Tensor(std::make_shared<TensorImpl>(std::move(storage), sizes, strides,
                                             0, *dtype));
}

py::array tensor_to_numpy(const Tensor& t) {
  std::vector<py::ssize_t> shape, strides;
  const auto item = static_cast<py::ssize_t>(itemsize(t.dtype()));
  for (int64_t d = 0; d < t.dim(); ++d) {
    shape.push_back(t.sizes()[static_cast<size_t>(d)]);
    strides.push_back(t.strides()[static_cast<size_t>(d)] * item);
  }
  // The array's base is a tensor over the same storage, which keeps it alive.
  py::object base = py::cast(ops::detach(t));
  return py::array(numpy_dtype(t.dtype()), shape, strides, t.raw_data(), base);
}

// ---- nested data
// ----------------------------------------------------------------

namespace {

// Lists, tuples and other sequences (range, ...), but not strings, arrays
// or tensors, which are read differently.
bool is_sequence(py::handle obj) {
  if (PyList_Check(obj.ptr()) || PyTuple_Check(obj.ptr())) return true;
  return PySequence_Check(obj.ptr()) && !PyUnicode_Check(obj.ptr()) &&
         !PyBytes_Check(obj.ptr()) && !is_tensor(obj) &&
         !py::isinstance<py::array>(obj);
}

// Nested Python data flattened to numbers, with the kinds seen.
struct FlatData {
  std::vector<Scalar> values;
  bool any_float = false;
  bool all_bool = true;
};

void infer_shape(py::handle obj, Shape& shape) {
  py::object held;  // the current item (Note [Sequence items])
  while (true) {
    if (is_sequence(obj)) {
      const auto n = static_cast<int64_t>(py::len(obj));
      shape.push_back(n);
      if (n == 0) return;
      held = py::reinterpret_borrow<py::sequence>(obj)[0];
      obj = held;
    } else if (is_tensor(obj)) {
      const Tensor t = obj.cast<Tensor>();
      for (int64_t s : t.sizes()) shape.push_back(s);
      return;
    } else if (py::isinstance<py::array>(obj)) {
      const py::array a = py::reinterpret_borrow<py::array>(obj);
      for (py::ssize_t d = 0; d < a.ndim(); ++d) shape.push_back(a.shape(d));
      return;
    } else {
      return;
    }
  }
}

// PyTorch's errors for data it cannot turn into numbers.
[[noreturn]] void throw_uninferable(py::handle obj, size_t dim) {
  const std::string type_name = py::str(py::type::of(obj).attr("__name__"));
  if (PyUnicode_Check(obj.ptr())) {
    if (dim == 0) throw py::type_error("new(): invalid data type 'str'");
    throw py::value_error("too many dimensions 'str'");
  }
  throw std::runtime_error("Could not infer dtype of " + type_name);
}

void note_kind(FlatData& flat, const Scalar& s) {
  flat.any_float = flat.any_float || s.is_floating();
  flat.all_bool = flat.all_bool && s.is_bool();
}

void flatten_into(py::handle obj, const Shape& shape, size_t dim,
                  FlatData& flat) {
  if (dim == shape.size()) {
    if (is_tensor(obj) || py::isinstance<py::array>(obj)) {
      const Tensor t = is_tensor(obj) ? obj.cast<Tensor>()
                                      : tensor_from_data(obj, std::nullopt);
      AG_CHECK_AS(
          ValueError, t.numel() == 1,
          "only one element tensors can be converted to Python scalars");
      const Scalar s = t.item();
      note_kind(flat, s);
      flat.values.push_back(s);
      return;
    }
    if (!is_number(obj)) throw_uninferable(obj, dim);
    const Scalar s = to_scalar(obj);
    note_kind(flat, s);
    flat.values.push_back(s);
    return;
  }
  if (is_tensor(obj) || py::isinstance<py::array>(obj)) {
    // A tensor inside a list contributes all of its remaining dims.
    const Tensor t = is_tensor(obj) ? obj.cast<Tensor>()
                                    : tensor_from_data(obj, std::nullopt);
    Shape rest(shape.begin() + static_cast<long>(dim), shape.end());
    AG_CHECK_AS(ValueError, t.sizes() == rest, "expected sequence of length ",
                shape[dim], " at dim ", dim, " (got ",
                t.dim() > 0 ? t.sizes()[0] : 0, ")");
    const Tensor c = ops::contiguous(ops::detach(t));
    for (int64_t i = 0; i < c.numel(); ++i) {
      dispatch_all(c.dtype(), [&](auto tag) {
        using T = decltype(tag);
        const T v = static_cast<const T*>(c.raw_data())[i];
        Scalar s;
        if constexpr (std::is_same_v<T, bool>)
          s = Scalar(v);
        else if constexpr (std::is_integral_v<T>)
          s = Scalar(int64_t{v});
        else
          s = Scalar(double{v});
        note_kind(flat, s);
        flat.values.push_back(s);
      });
    }
    return;
  }
  if (!is_sequence(obj)) {
    if (is_number(obj)) {
      throw py::value_error("expected sequence of length " +
                            std::to_string(shape[dim]) + " at dim " +
                            std::to_string(dim) + " (got a number)");
    }
    throw_uninferable(obj, dim);
  }
  const py::object items = fast_sequence(obj);
  const auto n = static_cast<int64_t>(PySequence_Fast_GET_SIZE(items.ptr()));
  if (n != shape[dim]) {
    throw py::value_error(
        "expected sequence of length " + std::to_string(shape[dim]) +
        " at dim " + std::to_string(dim) + " (got " + std::to_string(n) + ")");
  }
  for (int64_t i = 0; i < n; ++i) {
    flatten_into(PySequence_Fast_GET_ITEM(items.ptr(), i), shape, dim + 1,
                 flat);
  }
}

}  // namespace

Tensor tensor_from_data(py::handle data, std::optional<DType> dtype) {
  if (is_tensor(data)) {
    const Tensor src = data.cast<Tensor>();
    return ops::clone(ops::detach(ops::to(src, dtype.value_or(src.dtype()))));
  }
  if (py::isinstance<py::array>(data) || is_numpy_scalar(data)) {
    // A numpy scalar keeps its dtype, as a 0-d array would.
    const auto array = py::array::ensure(data);
    const auto src_dtype = dtype_from_numpy(array.dtype());
    if (!src_dtype) unsupported_numpy_dtype(array.dtype());
    const Tensor shared = tensor_from_numpy(
        py::array::ensure(array, py::array::c_style | py::array::forcecast));
    return ops::to(shared, dtype.value_or(*src_dtype), /*copy=*/true);
  }
  Shape shape;
  infer_shape(data, shape);
  FlatData flat;
  flat.values.reserve(static_cast<size_t>(numel_of(shape)));
  flatten_into(data, shape, 0, flat);
  const DType inferred =
      flat.values.empty()
          ? default_dtype()
          : (flat.any_float ? default_dtype()
                            : (flat.all_bool ? DType::Bool : DType::Int64));
  const DType out_dtype = dtype.value_or(inferred);
  Tensor out = empty_tensor(shape, out_dtype);
  dispatch_all(out_dtype, [&](auto tag) {
    using T = decltype(tag);
    T* ptr = static_cast<T*>(out.raw_data());
    for (size_t i = 0; i < flat.values.size(); ++i) {
      ptr[i] = flat.values[i].to<T>();
    }
  });
  return out;
}

py::object scalar_to_python(const Scalar& s) {
  switch (s.kind()) {
    case Scalar::Kind::Bool:
      return py::bool_(s.to<bool>());
    case Scalar::Kind::Int:
      return py::int_(s.to<int64_t>());
    case Scalar::Kind::Float:
      break;
  }
  return py::float_(s.to<double>());
}

py::object tensor_to_list(const Tensor& t) {
  if (t.dim() == 0) return scalar_to_python(t.item());
  py::list out;
  for (int64_t i = 0; i < t.size(0); ++i) {
    out.append(tensor_to_list(ops::select(ops::detach(t), 0, i)));
  }
  return std::move(out);
}

// ---- indexing
// -------------------------------------------------------------------

namespace {
std::optional<int64_t> optional_int(py::handle obj) {
  if (obj.is_none()) return std::nullopt;
  return int_value(obj, "slice indices");
}

std::string type_name(py::handle obj) {
  return py::str(py::type::of(obj).attr("__name__"));
}

// A Python list (or nested sequence) used as an index: bools stay a mask,
// anything else becomes int64 positions, as PyTorch converts them.
Tensor sequence_index(py::handle seq) {
  // Other sequences (range, ...) are read as lists.
  const bool plain = PyList_Check(seq.ptr()) || PyTuple_Check(seq.ptr());
  const py::object data =
      plain ? py::reinterpret_borrow<py::object>(seq)
            : py::module_::import("builtins").attr("list")(seq);
  const Tensor t = tensor_from_data(data, std::nullopt);
  return t.dtype() == DType::Bool ? t : ops::to(t, DType::Int64);
}

ops::TensorIndex parse_index(py::handle item) {
  using Kind = ops::TensorIndex::Kind;
  ops::TensorIndex idx;
  if (item.is_none()) return idx;
  if (item.ptr() == Py_Ellipsis) {
    idx.kind = Kind::Ellipsis;
    return idx;
  }
  if (PySlice_Check(item.ptr())) {
    idx.kind = Kind::Slice;
    idx.start = optional_int(item.attr("start"));
    idx.stop = optional_int(item.attr("stop"));
    const auto step = optional_int(item.attr("step"));
    if (step && *step == 0) throw py::value_error("slice step cannot be zero");
    idx.step = step.value_or(1);
    return idx;
  }
  if (PyLong_Check(item.ptr()) && !PyBool_Check(item.ptr())) {
    idx.kind = Kind::Integer;  // the common case, checked first
    idx.integer = int_value(item, "index");
    return idx;
  }
  // Borrowed: numpy stays in sys.modules (see Note [Borrowed globals]).
  static py::handle np_integer = py::module_::import("numpy").attr("integer");
  static py::handle np_bool = py::module_::import("numpy").attr("bool_");
  if (PyBool_Check(item.ptr()) || py::isinstance(item, np_bool)) {
    // x[True] is an advanced index: a new dim of size 1 (or 0 for False).
    idx.kind = Kind::Tensor;
    idx.tensor = scalar_tensor(Scalar(py::cast<bool>(item)), DType::Bool);
    return idx;
  }
  const bool integral_tensor = is_tensor(item) &&
                               item.cast<Tensor>().dim() == 0 &&
                               is_integral(item.cast<Tensor>().dtype(), false);
  if (integral_tensor || py::isinstance(item, np_integer)) {
    idx.kind = Kind::Integer;
    idx.integer = int_value(item, "index");
    return idx;
  }
  if (is_tensor(item)) {
    idx.kind = Kind::Tensor;
    idx.tensor = item.cast<Tensor>();
    return idx;
  }
  if (py::isinstance<py::array>(item)) {
    idx.kind = Kind::Tensor;
    idx.tensor = tensor_from_data(item, std::nullopt);
    return idx;
  }
  if (PySequence_Check(item.ptr()) && !PyUnicode_Check(item.ptr()) &&
      !PyBytes_Check(item.ptr())) {
    idx.kind = Kind::Tensor;
    idx.tensor = sequence_index(item);
    return idx;
  }
  if (PyUnicode_Check(item.ptr())) {
    throw py::type_error("new(): invalid data type 'str'");
  }
  throw py::index_error(
      "only integers, slices (`:`), ellipsis (`...`), None and long or byte "
      "Variables are valid indices (got " +
      type_name(item) + ")");
}

// NumPy's legacy rule, kept by PyTorch: a short non-tuple sequence holding
// a sequence, slice, tensor, Ellipsis or None is read as a tuple of indices.
bool sequence_as_tuple(py::handle index) {
  if (is_tensor(index) || py::isinstance<py::array>(index) ||
      PyUnicode_Check(index.ptr()) || PyBytes_Check(index.ptr()) ||
      !PySequence_Check(index.ptr())) {
    return false;
  }
  const Py_ssize_t n = PySequence_Size(index.ptr());
  if (n < 0) {
    PyErr_Clear();
    return false;
  }
  if (n >= 32) return false;
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* raw = PySequence_GetItem(index.ptr(), i);
    if (!raw) {
      PyErr_Clear();
      return false;
    }
    const py::object obj = py::reinterpret_steal<py::object>(raw);
    if (is_tensor(obj) || PySequence_Check(raw) || PySlice_Check(raw) ||
        raw == Py_Ellipsis || raw == Py_None) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<ops::TensorIndex> parse_indices(py::handle index) {
  std::vector<ops::TensorIndex> out;
  const bool as_tuple = !PyTuple_Check(index.ptr()) && sequence_as_tuple(index);
  if (as_tuple) {
    if (PyErr_WarnEx(PyExc_UserWarning,
                     "Using a non-tuple sequence for multidimensional indexing "
                     "is deprecated and will be changed in pytorch 2.9; use "
                     "x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this "
                     "will be interpreted as tensor index, x[torch.tensor(seq)]"
                     ", which will result either in an error or a different "
                     "result",
                     1) < 0) {
      throw py::error_already_set();
    }
  }
  if (PyTuple_Check(index.ptr()) || as_tuple) {
    const py::object items = fast_sequence(index);
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(items.ptr());
    for (Py_ssize_t i = 0; i < n; ++i) {
      out.push_back(parse_index(PySequence_Fast_GET_ITEM(items.ptr(), i)));
    }
  } else {
    out.push_back(parse_index(index));
  }
  return out;
}

}  // namespace ag::python
