// Module-level functions: dtypes, factories, conversions, and the ops shared
// by Tensor methods and functions (x.exp() and exp(x) bind the same lambda).

#include "autograd/autograd_meta.h"
#include "kernels/kernels.h"
#include "kernels/parallel.h"
#include "python/bindings.h"
#include "python/convert.h"

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

namespace {

Tensor finish(Tensor t, bool requires_grad) {
  if (requires_grad) autograd::set_requires_grad(t, true);
  return t;
}

DType dtype_or_default(const py::object& dtype) {
  return to_optional_dtype(dtype).value_or(default_dtype());
}

Tensor operand_or_throw(py::handle obj, const char* op) {
  std::optional<Tensor> t = to_operand(obj);
  if (!t) {
    throw py::type_error(
        std::string(op) +
        "(): argument 'other' must be Tensor or Number, not " +
        std::string(py::str(py::type::of(obj).attr("__name__"))));
  }
  return *t;
}

std::optional<std::vector<int64_t>> optional_dims(const py::object& dim) {
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

}  // namespace

void bind_shared_methods(TensorClass& cls, py::module_& m) {
  def_both(cls, m, "exp", unary(&ops::exp));
  def_both(cls, m, "log", unary(&ops::log));
  def_both(cls, m, "log1p", unary(&ops::log1p));
  def_both(cls, m, "sqrt", unary(&ops::sqrt));
  def_both(cls, m, "sin", unary(&ops::sin));
  def_both(cls, m, "cos", unary(&ops::cos));
  def_both(cls, m, "tanh", unary(&ops::tanh));
  def_both(cls, m, "sigmoid", unary(&ops::sigmoid));
  def_both(cls, m, "relu", unary(&ops::relu));
  def_both(cls, m, "abs", unary(&ops::abs));
  def_both(cls, m, "neg", unary(&ops::neg));
  def_both(cls, m, "sign", unary(&ops::sign));
  def_both(
      cls, m, "mul",
      binary([](const Tensor& a, const Tensor& b) { return ops::mul(a, b); },
             "mul"),
      py::arg("other"));
  def_both(
      cls, m, "div",
      binary([](const Tensor& a, const Tensor& b) { return ops::div(a, b); },
             "div"),
      py::arg("other"));
  def_both(cls, m, "eq", binary(&ops::eq, "eq"), py::arg("other"));
  def_both(cls, m, "ne", binary(&ops::ne, "ne"), py::arg("other"));
  def_both(cls, m, "lt", binary(&ops::lt, "lt"), py::arg("other"));
  def_both(cls, m, "le", binary(&ops::le, "le"), py::arg("other"));
  def_both(cls, m, "gt", binary(&ops::gt, "gt"), py::arg("other"));
  def_both(cls, m, "ge", binary(&ops::ge, "ge"), py::arg("other"));
  def_both(
      cls, m, "add",
      [](const Tensor& t, py::handle other, py::handle alpha) {
        return ops::add(t, operand_or_throw(other, "add"), to_scalar(alpha));
      },
      py::arg("other"), py::kw_only(), py::arg("alpha") = 1);
  def_both(
      cls, m, "sub",
      [](const Tensor& t, py::handle other, py::handle alpha) {
        return ops::sub(t, operand_or_throw(other, "sub"), to_scalar(alpha));
      },
      py::arg("other"), py::kw_only(), py::arg("alpha") = 1);
  def_both(
      cls, m, "matmul",
      [](const Tensor& a, const Tensor& b) {
        py::gil_scoped_release no_gil;
        return ops::matmul(a, b);
      },
      py::arg("other"));
  def_both(
      cls, m, "mm",
      [](const Tensor& a, const Tensor& b) {
        py::gil_scoped_release no_gil;
        return ops::mm(a, b);
      },
      py::arg("mat2"));
  def_both(
      cls, m, "bmm",
      [](const Tensor& a, const Tensor& b) {
        py::gil_scoped_release no_gil;
        return ops::bmm(a, b);
      },
      py::arg("mat2"));
  def_both(cls, m, "mv", &ops::mv, py::arg("vec"));
  def_both(cls, m, "dot", &ops::dot, py::arg("other"));
  def_both(cls, m, "transpose", &ops::transpose, py::arg("dim0"),
           py::arg("dim1"));
  def_both(cls, m, "t", &ops::t);
  def_both(cls, m, "unsqueeze", &ops::unsqueeze, py::arg("dim"));
  def_both(cls, m, "select", &ops::select, py::arg("dim"), py::arg("index"));
  def_both(cls, m, "flatten", &ops::flatten, py::arg("start_dim") = 0,
           py::arg("end_dim") = -1);
  def_both(
      cls, m, "squeeze",
      [](const Tensor& t, const py::object& dim) {
        const auto dims = optional_dims(dim);
        return dims ? ops::squeeze(t, *dims) : ops::squeeze(t);
      },
      py::arg("dim") = py::none());
  def_both(
      cls, m, "sum",
      [](const Tensor& t, const py::object& dim, bool keepdim,
         const py::object& dtype) {
        const auto dims = optional_dims(dim);
        const auto dt = to_optional_dtype(dtype);
        return without_gil(t.numel(), [&] {
          return dims ? ops::sum(t, *dims, keepdim, dt) : ops::sum(t, dt);
        });
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(),
      py::arg("dtype") = py::none());
  def_both(
      cls, m, "mean",
      [](const Tensor& t, const py::object& dim, bool keepdim,
         const py::object& dtype) {
        const auto dims = optional_dims(dim);
        const auto dt = to_optional_dtype(dtype);
        return without_gil(t.numel(), [&] {
          return dims ? ops::mean(t, *dims, keepdim, dt) : ops::mean(t, dt);
        });
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(),
      py::arg("dtype") = py::none());
  def_both(
      cls, m, "norm",
      [](const Tensor& t, const py::object& p, const py::object& dim,
         bool keepdim) {
        double order = 2.0;
        if (py::isinstance<py::str>(p)) {
          if (p.cast<std::string>() != "fro") {
            throw py::value_error("norm: unsupported order '" +
                                  p.cast<std::string>() + "'");
          }
        } else if (!p.is_none()) {
          order = to_scalar(p).to<double>();
        }
        const auto dims = optional_dims(dim);
        return without_gil(t.numel(), [&] {
          return ops::norm(t, order, dims.value_or(std::vector<int64_t>{}),
                           keepdim);
        });
      },
      py::arg("p") = py::none(), py::arg("dim") = py::none(),
      py::arg("keepdim") = false);
  m.def(
      "reshape",
      [](const Tensor& t, py::handle shape) {
        return ops::reshape(t, shape_from_sequence(shape));
      },
      py::arg("input"), py::arg("shape"));
  def_both(cls, m, "clone", [](const Tensor& t) { return ops::clone(t); });
  def_both(cls, m, "contiguous",
           [](const Tensor& t) { return ops::contiguous(t); });
  def_both(cls, m, "detach", &ops::detach);
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
        [make](const py::args& size, const py::object& dtype,
               const py::object& device, bool requires_grad) {
          check_device(device);
          return finish(make(shape_from_args(size), to_optional_dtype(dtype)),
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

  // ---- module-only ops
  // ---------------------------------------------------------
  m.def(
      "pow",
      [](py::handle input, py::handle exponent) {
        if (is_tensor(input)) {
          const Tensor self = input.cast<Tensor>();
          if (is_tensor(exponent))
            return ops::pow(self, exponent.cast<Tensor>());
          return ops::pow(self, to_scalar(exponent));
        }
        return ops::pow(to_scalar(input), exponent.cast<Tensor>());
      },
      py::arg("input"), py::arg("exponent"));
  m.def(
      "where",
      [](const Tensor& cond, py::handle a, py::handle b) {
        return ops::where(cond, operand_or_throw(a, "where"),
                          operand_or_throw(b, "where"));
      },
      py::arg("condition"), py::arg("input"), py::arg("other"));
  m.def(
      "permute",
      [](const Tensor& t, py::handle dims) {
        return ops::permute(t, int_list(dims));
      },
      py::arg("input"), py::arg("dims"));
  m.def(
      "binary_cross_entropy_with_logits",
      [](const Tensor& input, const Tensor& target,
         std::optional<Tensor> weight, std::optional<Tensor> pos_weight,
         const std::string& reduction) {
        ops::Reduction r = ops::Reduction::Mean;
        if (reduction == "sum") {
          r = ops::Reduction::Sum;
        } else if (reduction == "none") {
          r = ops::Reduction::None;
        } else if (reduction != "mean") {
          throw py::value_error(reduction +
                                " is not a valid value for reduction");
        }
        return ops::binary_cross_entropy_with_logits(
            input, target, weight.value_or(Tensor()),
            pos_weight.value_or(Tensor()), r);
      },
      py::arg("input"), py::arg("target"), py::arg("weight") = py::none(),
      py::arg("pos_weight") = py::none(), py::arg("reduction") = "mean");

  // ---- random state and threads
  // ------------------------------------------------
  m.def(
      "manual_seed",
      [](int64_t seed) { kernels::manual_seed(static_cast<uint64_t>(seed)); },
      py::arg("seed"));
  m.def("initial_seed", [] { return kernels::initial_seed(); });
  m.def("get_num_threads", &kernels::get_num_threads);
  m.def("set_num_threads", &kernels::set_num_threads, py::arg("num"));
}

}  // namespace ag::python
