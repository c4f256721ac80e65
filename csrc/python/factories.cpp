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
  return false;
}

void bind_shared_methods(TensorClass& cls, py::module_& m) {
  bind_math(cls, m);
  bind_reduce(cls, m);
  bind_shape(cls, m);
  bind_nn(cls, m);
}

// Tensor(...) as a constructor: Tensor(other) aliases other's data without
// its history (what nn.Parameter builds on), Tensor(2, 3) is an empty float
// tensor of that shape, Tensor([1, 2]) copies data as float.
void bind_tensor_constructor(py::module_& m) {
  auto cls = py::reinterpret_borrow<TensorClass>(m.attr("Tensor"));
  cls.def(py::init([](const py::args& args) {
    if (args.size() == 1 && is_tensor(args[0])) {
      return ops::detach(args[0].cast<Tensor>()).impl_ptr();
    }
    if (args.size() == 1 && !PyLong_Check(args[0].ptr())) {
      return tensor_from_data(args[0], default_dtype()).impl_ptr();
    }
    if (args.size() == 0) return ops::empty({0}, default_dtype()).impl_ptr();
    return ops::empty(shape_from_args(args, "Tensor", "size"), default_dtype())
        .impl_ptr();
  }));
}

void bind_random_fills(py::module_& m) {
  auto cls = py::reinterpret_borrow<TensorClass>(m.attr("Tensor"));
  cls.def("uniform_", &ops::uniform_, py::arg("from") = 0.0,
          py::arg("to") = 1.0);
  cls.def("normal_", &ops::normal_, py::arg("mean") = 0.0,
          py::arg("std") = 1.0);
}

void init_ops(py::module_& m) {
  // ---- dtypes
  // ------------------------------------------------------------------
  py::class_<PyDType>(m, "dtype")
      .def("__repr__",
           [](const PyDType& d) {
             return std::string("torch.") + dtype_name(d.value);
           })
      .def_property_readonly(
          "is_floating_point",
          [](const PyDType& d) { return is_floating(d.value); })
      .def_property_readonly("itemsize",
                             [](const PyDType& d) { return itemsize(d.value); })
      .def("__reduce__", [](const PyDType& d) {
        return py::make_tuple(
            py::module_::import("autograd_cpp").attr("_dtype_by_name"),
            py::make_tuple(dtype_name(d.value)));
      });
  register_dtype_objects(m);
  bind_tensor_constructor(m);
  bind_random_fills(m);
  m.def("get_default_dtype", [] { return dtype_object(default_dtype()); });
  m.def("set_default_dtype", [](py::handle d) {
    const DType t = to_dtype(d);
    if (!is_floating(t))
      throw py::type_error(
          "only floating-point types are supported as the default type");
    set_default_dtype(t);
  });
  m.def("promote_types", [](py::handle a, py::handle b) {
    return dtype_object(promote_types(to_dtype(a), to_dtype(b)));
  });
  m.def("result_type", [](py::handle a, py::handle b) {
    return dtype_object(ops::result_type(*to_operand(a), *to_operand(b)));
  });
  m.def("_set_size_class",
        [m](py::object cls) mutable { set_size_class(m, std::move(cls)); });

  // ---- factories
  // -------------------------------------------------------------
  m.def(
      "tensor",
      [](py::handle data, const py::object& dtype, const py::object& device,
         bool requires_grad) {
        check_device(device);
        if (is_tensor(data)) {
          PyErr_WarnEx(
              PyExc_UserWarning,
              "To copy construct from a tensor, it is recommended to use "
              "sourceTensor.detach().clone() or "
              "sourceTensor.detach().clone().requires_grad_(True), rather "
              "than torch.tensor(sourceTensor).",
              1);
        }
        return finish(tensor_from_data(data, to_optional_dtype(dtype)),
                      requires_grad);
      },
      py::arg("data"), py::kw_only(), py::arg("dtype") = py::none(),
      py::arg("device") = py::none(), py::arg("requires_grad") = false);
  m.def(
      "as_tensor",
      [](py::handle data, const py::object& dtype, const py::object& device) {
        check_device(device);
        const auto dt = to_optional_dtype(dtype);
        if (is_tensor(data)) {
          const Tensor t = data.cast<Tensor>();
          return dt ? ops::to(t, *dt) : t;
        }
        if (py::isinstance<py::array>(data)) {
          const Tensor shared =
              tensor_from_numpy(py::reinterpret_borrow<py::array>(data));
          return dt ? ops::to(shared, *dt) : shared;
        }
        return tensor_from_data(data, dt);
      },
      py::arg("data"), py::arg("dtype") = py::none(),
      py::arg("device") = py::none());
  m.def("from_numpy", [](py::handle array) {
    if (!py::isinstance<py::array>(array)) {
      throw py::type_error(
          "expected np.ndarray (got " +
          std::string(py::str(py::type::of(array).attr("__name__"))) + ")");
    }
    return tensor_from_numpy(py::reinterpret_borrow<py::array>(array));
  });

  auto sized_factory = [&m](const char* name, auto make) {
    m.def(
        name,
        [make, name](const py::args& size, const py::object& dtype,
                     const py::object& device, bool requires_grad) {
          check_device(device);
          return finish(make(shape_from_args(size, name, "size"),
                             to_optional_dtype(dtype)),
                        requires_grad);
        },
        py::kw_only(), py::arg("dtype") = py::none(),
        py::arg("device") = py::none(), py::arg("requires_grad") = false);
  };
  sized_factory("zeros", [](const Shape& s, std::optional<DType> d) {
    return ops::zeros(s, d.value_or(default_dtype()));
  });
  sized_factory("ones", [](const Shape& s, std::optional<DType> d) {
    return ops::ones(s, d.value_or(default_dtype()));
  });
  sized_factory("empty", [](const Shape& s, std::optional<DType> d) {
    return ops::empty(s, d.value_or(default_dtype()));
  });
  sized_factory("rand", [](const Shape& s, std::optional<DType> d) {
    return ops::rand(s, d.value_or(default_dtype()));
  });
  sized_factory("randn", [](const Shape& s, std::optional<DType> d) {
    return ops::randn(s, d.value_or(default_dtype()));
  });

  auto like_factory = [&m](const char* name, auto make) {
    m.def(
        name,
        [make](const Tensor& like, const py::object& dtype,
               const py::object& device, bool requires_grad) {
          check_device(device);
          const DType d = to_optional_dtype(dtype).value_or(like.dtype());
          return finish(make(like.sizes(), d), requires_grad);
        },
        py::arg("input"), py::kw_only(), py::arg("dtype") = py::none(),
        py::arg("device") = py::none(), py::arg("requires_grad") = false);
  };
  like_factory("zeros_like",
               [](const Shape& s, DType d) { return ops::zeros(s, d); });
  like_factory("ones_like",
               [](const Shape& s, DType d) { return ops::ones(s, d); });
  like_factory("empty_like",
               [](const Shape& s, DType d) { return ops::empty(s, d); });
  like_factory("rand_like",
               [](const Shape& s, DType d) { return ops::rand(s, d); });
  like_factory("randn_like",
               [](const Shape& s, DType d) { return ops::randn(s, d); });
  m.def(
      "full_like",
      [](const Tensor& like, py::handle value, const py::object& dtype,
         bool requires_grad) {
        const DType d = to_optional_dtype(dtype).value_or(like.dtype());
        return finish(ops::full(like.sizes(), to_scalar(value), d),
                      requires_grad);
      },
      py::arg("input"), py::arg("fill_value"), py::kw_only(),
      py::arg("dtype") = py::none(), py::arg("requires_grad") = false);

  m.def(
      "full",
      [](py::handle size, py::handle value, const py::object& dtype,
         const py::object& device, bool requires_grad) {
        check_device(device);
        const Scalar v = to_scalar(value);
        const DType inferred = v.is_floating() ? default_dtype() : v.dtype();
        return finish(ops::full(shape_from_sequence(size), v,
                                to_optional_dtype(dtype).value_or(inferred)),
                      requires_grad);
      },
      py::arg("size"), py::arg("fill_value"), py::kw_only(),
      py::arg("dtype") = py::none(), py::arg("device") = py::none(),
      py::arg("requires_grad") = false);
  m.def(
      "eye",
      [](int64_t n, const py::object& cols, const py::object& dtype,
         const py::object& device, bool requires_grad) {
        check_device(device);
        const int64_t mcols = cols.is_none() ? n : cols.cast<int64_t>();
        return finish(ops::eye(n, mcols, dtype_or_default(dtype)),
                      requires_grad);
      },
      py::arg("n"), py::arg("m") = py::none(), py::kw_only(),
      py::arg("dtype") = py::none(), py::arg("device") = py::none(),
      py::arg("requires_grad") = false);
  m.def(
      "arange",
      [](py::handle a, const py::object& b, py::handle step,
         const py::object& dtype, const py::object& device,
         bool requires_grad) {
        check_device(device);
        const Scalar start = b.is_none() ? Scalar(int64_t{0}) : to_scalar(a);
        const Scalar end = b.is_none() ? to_scalar(a) : to_scalar(b);
        return finish(
            ops::arange(start, end, to_scalar(step), to_optional_dtype(dtype)),
            requires_grad);
      },
      py::arg("start"), py::arg("end") = py::none(), py::arg("step") = 1,
      py::kw_only(), py::arg("dtype") = py::none(),
      py::arg("device") = py::none(), py::arg("requires_grad") = false);
  m.def(
      "linspace",
      [](py::handle start, py::handle end, int64_t steps,
         const py::object& dtype, const py::object& device,
         bool requires_grad) {
        check_device(device);
        return finish(ops::linspace(to_scalar(start).to<double>(),
                                    to_scalar(end).to<double>(), steps,
                                    dtype_or_default(dtype)),
                      requires_grad);
      },
      py::arg("start"), py::arg("end"), py::arg("steps"), py::kw_only(),
      py::arg("dtype") = py::none(), py::arg("device") = py::none(),
      py::arg("requires_grad") = false);
  m.def(
      "randint",
      [](const py::args& args, const py::object& dtype,
         const py::object& device, bool requires_grad) {
        check_device(device);
        if (args.size() != 2 && args.size() != 3) {
          throw py::type_error(
              "randint() expects (high, size) or (low, high, size)");
        }
        const int64_t low = args.size() == 3 ? args[0].cast<int64_t>() : 0;
        const int64_t high = args[args.size() - 2].cast<int64_t>();
        const Shape size = shape_from_sequence(args[args.size() - 1]);
        const DType d = to_optional_dtype(dtype).value_or(DType::Int64);
        return finish(ops::randint(low, high, size, d), requires_grad);
      },
      py::kw_only(), py::arg("dtype") = py::none(),
      py::arg("device") = py::none(), py::arg("requires_grad") = false);

  // ---- random state and threads
  // ------------------------------------------------
  m.def(
      "manual_seed",
      [](int64_t seed) { ops::manual_seed(static_cast<uint64_t>(seed)); },
      py::arg("seed"));
  m.def("initial_seed", &ops::initial_seed);
  m.def("get_num_threads", &ops::get_num_threads);
  m.def("set_num_threads", &ops::set_num_threads, py::arg("num"));
  m.def("_get_cpu_capability", &ops::cpu_capability);
}

}  // namespace ag::python
