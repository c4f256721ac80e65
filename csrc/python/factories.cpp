// Module-level functions: dtypes, factories, conversions from Python data,
// random state and threads.

#include "ops/runtime.h"
#include "python/bind_utils.h"

namespace ag::python {

bool check_device(py::handle device) {
  if (device.is_none()) return true;
  const std::string text = py::str(device);
  if (text == "cpu" || text == "device(type='cpu')" ||
      text.rfind("cpu:", 0) == 0) {
    return true;
  }
  if (py::isinstance<py::str>(device) || py::hasattr(device, "type")) {
    throw std::runtime_error(
        "autograd_cpp only supports the cpu device, got '" + text + "'");
  }
  throw py::type_error("expected a device (e.g. 'cpu'), got " +
                       type_name_of(device.ptr()));
}

void bind_shared_methods(TensorClass& cls, py::module_& m) {
  py::module_ nn = m.def_submodule("_nn",
                                   "nn ops behind nn.functional (PyTorch's "
                                   "torch._C._nn)");
  bind_math(cls, m, nn);
  bind_reduce(cls, m);
  bind_shape(cls, m);
  bind_nn(cls, m, nn);
  bind_sorting(cls, m);
  bind_index_ops(cls, m);
}

namespace {

// Tensor(...) as PyTorch's legacy constructor: Tensor(other) aliases
// other's data without its history (what nn.Parameter builds on), Tensor(2,
// 3) or Tensor(Size) is an empty tensor of that shape in the default dtype,
// and a sequence or array (a plain tuple or list included) is data. A lone
// number is neither, and is refused.
std::shared_ptr<TensorImpl> legacy_from_data(py::handle data) {
  PyObject* obj = data.ptr();
  const bool sequence_like =
      PySequence_Check(obj) || py::hasattr(data, "__array__");
  if (obj == Py_None || is_number_object(obj) || PyComplex_Check(obj) ||
      !sequence_like) {
    throw py::type_error(std::string("new(): data must be a sequence (got ") +
                         type_name_of(obj) + ")");
  }
  return tensor_from_data(data, default_dtype()).impl_ptr();
}

void bind_tensor_constructor(py::module_& m) {
  auto cls = py::reinterpret_borrow<TensorClass>(m.attr("Tensor"));
  cls.def(py::init([](const py::args& args) {
    static const ArgParser parser(
        {"Tensor() -> None", "Tensor(Tensor other) -> None",
         "Tensor(int... size) -> None", "Tensor(object data) -> None"});
    // A plain tuple or list is data; a Size (a tuple subclass) is a shape.
    if (args.size() == 1 &&
        (PyList_Check(args[0].ptr()) || PyTuple_CheckExact(args[0].ptr()))) {
      return legacy_from_data(args[0]);
    }
    Args a = parser.parse(&PyTuple_GET_ITEM(args.ptr(), 0),
                          PyTuple_GET_SIZE(args.ptr()), nullptr);
    switch (a.index()) {
      case 0:
        return ops::empty({0}, default_dtype()).impl_ptr();
      case 1:
        return ops::detach(a.tensor(0)).impl_ptr();
      case 2:
        return ops::empty(a.shape(0), default_dtype()).impl_ptr();
      default:
        return legacy_from_data(a.object(0));
    }
  }));
}

void bind_dtype(py::module_& m) {
  py::class_<PyDType> dtype(m, "dtype");
  dtype.doc() = "The element type of a tensor (float32, int64, bool, ...).";
  def_method(
      dtype, {"__repr__(self) -> _str"},
      [](Args& a) -> py::object {
        const PyDType& d = a.self<PyDType>();
        return py::str(std::string("torch.") +
                       (d.foreign ? d.foreign : dtype_name(d.value)));
      },
      "");
  def_method(
      dtype, {"__reduce__(self) -> tuple[typing.Any, tuple[_str]]"},
      [](Args& a) -> py::object {
        return py::make_tuple(
            py::module_::import("autograd_cpp").attr("_dtype_by_name"),
            py::make_tuple(a.self<PyDType>().foreign
                               ? a.self<PyDType>().foreign
                               : dtype_name(a.self<PyDType>().value)));
      },
      "");
  dtype.def_property_readonly(
      "is_floating_point",
      [](const PyDType& d) { return d.foreign || is_floating(d.value); },
      "_bool\n\nWhether this is a floating-point type.");
  dtype.def_property_readonly(
      "itemsize",
      [](const PyDType& d) {
        return d.foreign ? size_t{2} : itemsize(d.value);
      },
      "_int\n\nThe size of one element in bytes.");
  register_dtype_objects(m);
  def(
      m, {"get_default_dtype() -> dtype"},
      [](Args&) { return dtype_object(default_dtype()); },
      "The dtype floating-point factories use by default (float32 unless "
      "changed).");
  def(
      m, {"set_default_dtype(dtype d) -> None"},
      [](Args& a) {
        const DType t = a.dtype(0);
        if (!is_floating(t)) {
          throw py::type_error(
              "only floating-point types are supported as the default type");
        }
        set_default_dtype(t);
        return py::none();
      },
      "Sets the dtype floating-point factories use by default.");
  def(
      m, {"promote_types(dtype type1, dtype type2) -> dtype"},
      [](Args& a) {
        return dtype_object(promote_types(a.dtype(0), a.dtype(1)));
      },
      "The dtype two dtypes promote to.");
  def(
      m, {"result_type(Tensor|Number tensor, Tensor|Number other) -> dtype"},
      [](Args& a) {
        return dtype_object(ops::result_type(a.operand(0), a.operand(1)));
      },
      "The dtype an operation on the given tensors or numbers would produce.");
  m.attr("_size_class") = py::none();  // autograd_cpp.Size, once imported
  def(
      m, {"_set_size_class(object cls) -> None"},
      // Borrowed: a body outlives the interpreter (Note [Borrowed globals]).
      [module = m.ptr()](Args& a) {
        auto mod = py::reinterpret_borrow<py::module_>(module);
        set_size_class(mod, a.object(0));
        return py::none();
      },
      "Sets the class shapes are returned as (autograd_cpp.Size).");
}

// The keyword arguments every factory takes.
constexpr const char* kFactoryKwargs =
    "dtype? dtype=None, object device=None, bool requires_grad=False";

std::string factory(const std::string& head) {
  return head + ", *, " + kFactoryKwargs + ") -> Tensor";
}

void bind_data_factories(py::module_& m) {
  def(
      m,
      {"tensor(object data, *, dtype? dtype=None, object device=None, bool "
       "requires_grad=False) -> Tensor"},
      [](Args& a) {
        check_device(a.object(2));
        const py::object data = a.object(0);
        if (is_tensor(data)) {
          if (PyErr_WarnEx(
                  PyExc_UserWarning,
                  "To copy construct from a tensor, it is recommended to use "
                  "sourceTensor.detach().clone() or "
                  "sourceTensor.detach().clone().requires_grad_(True), "
                  "rather than torch.tensor(sourceTensor).",
                  1) < 0) {
            throw py::error_already_set();
          }
        }
        return wrap(
            finish(tensor_from_data(data, a.optional_dtype(1)), a.to_bool(3)));
      },
      "A new tensor holding a copy of data (nested lists, numbers, numpy "
      "arrays or tensors).");
  def(
      m,
      {"as_tensor(object data, dtype? dtype=None, object device=None) -> "
       "Tensor"},
      [](Args& a) {
        check_device(a.object(2));
        const auto dt = a.optional_dtype(1);
        const py::object data = a.object(0);
        if (is_tensor(data)) {
          const Tensor t = data.cast<Tensor>();
          return wrap(dt ? ops::to(t, *dt) : t);
        }
        if (py::isinstance<py::array>(data)) {
          const Tensor shared =
              tensor_from_numpy(py::reinterpret_borrow<py::array>(data));
          return wrap(dt ? ops::to(shared, *dt) : shared);
        }
        return wrap(tensor_from_data(data, dt));
      },
      "Converts data to a tensor, sharing memory with a tensor or numpy array "
      "when dtype allows.");
  def(
      m, {"from_numpy(object ndarray) -> Tensor"},
      [](Args& a) {
        const py::object array = a.object(0);
        if (!py::isinstance<py::array>(array)) {
          throw py::type_error("expected np.ndarray (got " +
                               type_name_of(array.ptr()) + ")");
        }
        return wrap(
            tensor_from_numpy(py::reinterpret_borrow<py::array>(array)));
      },
      "A tensor sharing memory with a numpy array.");
}

void bind_shape_factories(py::module_& m) {
  using Make = Tensor (*)(const Shape&, DType, bool);
  const std::tuple<const char*, Make, const char*> sized[] = {
      {"zeros", &ops::user::zeros,
       "A tensor of the given size filled with zeros."},
      {"ones", &ops::user::ones,
       "A tensor of the given size filled with ones."},
      {"empty", &ops::user::empty,
       "An uninitialised tensor of the given size."},
  };
  for (const auto& [name, make, doc] : sized) {
    def(
        m, {factory(std::string(name) + "(int... size")},
        [make = make](Args& a) {
          check_device(a.object(2));
          const DType d = a.optional_dtype(1).value_or(default_dtype());
          return wrap(make(a.shape(0), d, a.to_bool(3)));
        },
        doc);
  }
  const std::tuple<const char*, Make, const char*> like[] = {
      {"zeros_like", &ops::user::zeros,
       "A tensor of zeros with input's size and dtype."},
      {"ones_like", &ops::user::ones,
       "A tensor of ones with input's size and dtype."},
      {"empty_like", &ops::user::empty,
       "An uninitialised tensor with input's size and dtype."},
  };
  for (const auto& [name, make, doc] : like) {
    def(
        m, {factory(std::string(name) + "(Tensor input")},
        [make = make](Args& a) {
          check_device(a.object(2));
          const Tensor t = a.tensor(0);
          const DType d = a.optional_dtype(1).value_or(t.dtype());
          return wrap(make(t.sizes(), d, a.to_bool(3)));
        },
        doc);
  }
  def(
      m,
      {"full_like(Tensor input, Number fill_value, *, dtype? dtype=None, "
       "bool requires_grad=False) -> Tensor"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        const DType d = a.optional_dtype(2).value_or(t.dtype());
        return wrap(ops::user::full(t.sizes(), a.scalar(1), d, a.to_bool(3)));
      },
      "A tensor with input's size filled with fill_value.");
  def(
      m, {factory("full(int[] size, Number fill_value")},
      [](Args& a) {
        check_device(a.object(3));
        const Scalar v = a.scalar(1);
        const DType inferred = v.is_floating() ? default_dtype() : v.dtype();
        return wrap(ops::user::full(a.shape(0), v,
                                    a.optional_dtype(2).value_or(inferred),
                                    a.to_bool(4)));
      },
      "A tensor of the given size filled with fill_value.");
  def(
      m, {factory("eye(int n, int? m=None")},
      [](Args& a) {
        check_device(a.object(3));
        const int64_t n = a.to_int(0);
        const int64_t cols = a.optional_int(1).value_or(n);
        const DType d = a.optional_dtype(2).value_or(default_dtype());
        return wrap(ops::user::eye(n, cols, d, a.to_bool(4)));
      },
      "A 2-d tensor with ones on the diagonal and zeros elsewhere.");
  def(
      m,
      {factory("arange(Number end"),
       factory("arange(Number start, Number end, Number step=1")},
      [](Args& a) {
        const bool short_form = a.index() == 0;
        const size_t kw = short_form ? 1 : 3;
        check_device(a.object(kw + 1));
        const Scalar start = short_form ? Scalar(int64_t{0}) : a.scalar(0);
        const Scalar end = short_form ? a.scalar(0) : a.scalar(1);
        const Scalar step = short_form ? Scalar(int64_t{1}) : a.scalar(2);
        return wrap(ops::user::arange(start, end, step, a.optional_dtype(kw),
                                      a.to_bool(kw + 2)));
      },
      "Values from start to end (exclusive) spaced by step, as a 1-d tensor.");
  def(
      m, {factory("linspace(Number start, Number end, int steps")},
      [](Args& a) {
        check_device(a.object(4));
        const DType d = a.optional_dtype(3).value_or(default_dtype());
        return wrap(ops::user::linspace(a.scalar(0).to<double>(),
                                        a.scalar(1).to<double>(), a.to_int(2),
                                        d, a.to_bool(5)));
      },
      "steps values evenly spaced from start to end inclusive.");
}

void bind_runtime(py::module_& m) {
  def(
      m, {"manual_seed(int seed) -> None"},
      [](Args& a) {
        ops::manual_seed(static_cast<uint64_t>(a.to_int(0)));
        return py::none();
      },
      "Seeds the default random generator, making random factories "
      "reproducible.");
  def(
      m, {"initial_seed() -> _int"},
      [](Args&) -> py::object { return py::int_(ops::initial_seed()); },
      "The seed of the default random generator.");
  def(
      m, {"get_num_threads() -> _int"},
      [](Args&) { return wrap(int64_t{ops::get_num_threads()}); },
      "The number of threads kernels may use.");
  def(
      m, {"set_num_threads(int num) -> None"},
      [](Args& a) {
        ops::set_num_threads(a.to_int(0));
        return py::none();
      },
      "Sets the number of threads kernels (and BLAS) may use.");
  def(
      m, {"_get_cpu_capability() -> _str"},
      [](Args&) -> py::object { return py::str(ops::cpu_capability()); },
      "The instruction set the kernels run with: AVX2 or DEFAULT.");
}

}  // namespace

void init_ops(py::module_& m) {
  bind_dtype(m);
  bind_tensor_constructor(m);
  bind_data_factories(m);
  bind_shape_factories(m);
  bind_runtime(m);
  // Generators, random factories and fills (bind_sampling.cpp).
  bind_sampling(m);
}

}  // namespace ag::python
