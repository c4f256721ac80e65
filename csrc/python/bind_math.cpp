// Elementwise math: arithmetic, unary functions, rounding, clamp, logical
// and bitwise ops, activations, and their in-place forms.

#include "python/bind_utils.h"

namespace ag::python {

namespace {

std::string type_name(py::handle obj) {
  return py::str(py::type::of(obj).attr("__name__"));
}

// A tensor-only argument, with PyTorch's TypeError for anything else.
Tensor tensor_arg(py::handle obj, const char* fn, const char* arg,
                  int position) {
  if (!is_tensor(obj)) {
    throw py::type_error(std::string(fn) + "(): argument '" + arg +
                         "' (position " + std::to_string(position) +
                         ") must be Tensor, not " + type_name(obj));
  }
  return obj.cast<Tensor>();
}

ops::RoundingMode to_rounding_mode(const std::optional<std::string>& mode) {
  if (!mode) return ops::RoundingMode::None;
  if (*mode == "trunc") return ops::RoundingMode::Trunc;
  if (*mode == "floor") return ops::RoundingMode::Floor;
  throw Error(
      "div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
      "found '" +
      *mode + "'");
}

ops::GeluApproximate to_gelu_approximate(const std::string& approximate) {
  if (approximate == "none") return ops::GeluApproximate::None;
  if (approximate == "tanh") return ops::GeluApproximate::Tanh;
  throw Error("approximate argument must be either none or tanh.");
}

std::optional<Scalar> optional_scalar(py::handle obj) {
  if (obj.is_none()) return std::nullopt;
  return to_scalar(obj);
}

// clamp's bounds: numbers (0-d tensors count as numbers beside one), or
// tensors, each possibly None; numbers and n-d tensors don't mix.
template <typename ScalarOp, typename TensorOp>
auto clamp_dispatch(const char* name, ScalarOp scalar_op, TensorOp tensor_op) {
  return [=](py::handle min, py::handle max) {
    const bool tmin = is_tensor(min);
    const bool tmax = is_tensor(max);
    const bool nmin = !tmin && !min.is_none();
    const bool nmax = !tmax && !max.is_none();
    if ((tmin && nmax) || (tmax && nmin)) {
      const py::handle t = tmin ? min : max;
      if (t.cast<Tensor>().dim() != 0) {
        throw py::type_error(std::string(name) +
                             "() received an invalid combination of "
                             "arguments - got (Tensor, Number): min and max "
                             "must both be tensors or both be numbers");
      }
      return scalar_op(optional_scalar(min), optional_scalar(max));
    }
    if (tmin || tmax) {
      return tensor_op(tmin ? min.cast<Tensor>() : Tensor(),
                       tmax ? max.cast<Tensor>() : Tensor());
    }
    return scalar_op(optional_scalar(min), optional_scalar(max));
  };
}

Tensor clamp_any(const Tensor& t, py::handle min, py::handle max) {
  return clamp_dispatch(
      "clamp",
      [&](const std::optional<Scalar>& lo, const std::optional<Scalar>& hi) {
        return without_gil(t.numel(), [&] { return ops::clamp(t, lo, hi); });
      },
      [&](const Tensor& lo, const Tensor& hi) {
        return without_gil(t.numel(), [&] { return ops::clamp(t, lo, hi); });
      })(min, max);
}

// Returns the handle by value: clamp_dispatch's result is a copy.
Tensor clamp_any_(Tensor& t, py::handle min, py::handle max) {
  return clamp_dispatch(
      "clamp_",
      [&](const std::optional<Scalar>& lo, const std::optional<Scalar>& hi)
          -> Tensor& { return ops::clamp_(t, lo, hi); },
      [&](const Tensor& lo, const Tensor& hi) -> Tensor& {
        return ops::clamp_(t, lo, hi);
      })(min, max);
}

// Binds op as a method and a module function whose `other` must be a tensor
// (its position differs between the two in PyTorch's TypeError).
void def_tensor_binary(TensorClass& cls, py::module_& m, const char* name,
                       Tensor (*op)(const Tensor&, const Tensor&)) {
  cls.def(
      name,
      [name, op](const Tensor& t, py::handle other) {
        return op(t, tensor_arg(other, name, "other", 1));
      },
      py::arg("other"));
  m.def(
      name,
      [name, op](const Tensor& t, py::handle other) {
        return op(t, tensor_arg(other, name, "other", 2));
      },
      py::arg("input"), py::arg("other"));
}

// Binds an in-place Tensor method of one tensor-or-number operand.
template <typename Op>
void def_inplace_binary(TensorClass& cls, const char* name, Op op) {
  cls.def(
      name,
      [op, name](Tensor& self, py::handle other) -> Tensor& {
        return op(self, operand_or_throw(other, name));
      },
      py::arg("other"));
}

}  // namespace

void bind_math(TensorClass& cls, py::module_& m) {
  // ---- unary math
  // ------------------------------------------------------------
  def_both(cls, m, "exp", unary(&ops::exp));
  def_both(cls, m, "expm1", unary(&ops::expm1));
  def_both(cls, m, "log", unary(&ops::log));
  def_both(cls, m, "log1p", unary(&ops::log1p));
  def_both(cls, m, "log2", unary(&ops::log2));
  def_both(cls, m, "log10", unary(&ops::log10));
  def_both(cls, m, "sqrt", unary(&ops::sqrt));
  def_both(cls, m, "rsqrt", unary(&ops::rsqrt));
  def_both(cls, m, "reciprocal", unary(&ops::reciprocal));
  def_both(cls, m, "square", unary(&ops::square));
  def_both(cls, m, "sin", unary(&ops::sin));
  def_both(cls, m, "cos", unary(&ops::cos));
  def_both(cls, m, "tan", unary(&ops::tan));
  def_both(cls, m, "tanh", unary(&ops::tanh));
  def_both(cls, m, "erf", unary(&ops::erf));
  def_both(cls, m, "sigmoid", unary(&ops::sigmoid));
  def_both(cls, m, "relu", unary(&ops::relu));
  def_both(cls, m, "abs", unary(&ops::abs));
  def_both(cls, m, "neg", unary(&ops::neg));
  def_both(cls, m, "negative", unary(&ops::neg));
  def_both(cls, m, "sign", unary(&ops::sign));
  def_both(cls, m, "floor", unary(&ops::floor));
  def_both(cls, m, "ceil", unary(&ops::ceil));
  def_both(cls, m, "trunc", unary(&ops::trunc));
  def_both(cls, m, "fix", unary(&ops::trunc));
  def_both(
      cls, m, "round",
      [](const Tensor& t, std::optional<int64_t> decimals) {
        return without_gil(t.numel(), [&] {
          return decimals ? ops::round(t, *decimals) : ops::round(t);
        });
      },
      py::kw_only(), py::arg("decimals") = py::none());

  // ---- arithmetic
  // --------------------------------------------------------------
  def_both(
      cls, m, "mul",
      binary([](const Tensor& a, const Tensor& b) { return ops::mul(a, b); },
             "mul"),
      py::arg("other"));
  for (const char* name : {"div", "divide"}) {
    def_both(
        cls, m, name,
        [name](const Tensor& t, py::handle other,
               const std::optional<std::string>& rounding_mode) {
          const Tensor o = operand_or_throw(other, name);
          const ops::RoundingMode mode = to_rounding_mode(rounding_mode);
          return without_gil(t.numel(), [&] { return ops::div(t, o, mode); });
        },
        py::arg("other"), py::kw_only(), py::arg("rounding_mode") = py::none());
  }
  def_both(
      cls, m, "true_divide",
      binary([](const Tensor& a, const Tensor& b) { return ops::div(a, b); },
             "true_divide"),
      py::arg("other"));
  def_both(cls, m, "floor_divide",
           binary(static_cast<Tensor (*)(const Tensor&, const Tensor&)>(
                      &ops::floor_divide),
                  "floor_divide"),
           py::arg("other"));
  def_both(cls, m, "remainder",
           binary(static_cast<Tensor (*)(const Tensor&, const Tensor&)>(
                      &ops::remainder),
                  "remainder"),
           py::arg("other"));
  m.def(
      "remainder",
      [](py::handle input, const Tensor& other) {
        return ops::remainder(to_scalar(input), other);
      },
      py::arg("input"), py::arg("other"));
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

  // ---- clamp, maximum/minimum, lerp, masked_fill
  // -----------------------------
  for (const char* name : {"clamp", "clip"}) {
    def_both(cls, m, name, &clamp_any, py::arg("min") = py::none(),
             py::arg("max") = py::none());
    cls.def((std::string(name) + "_").c_str(), &clamp_any_,
            py::arg("min") = py::none(), py::arg("max") = py::none());
  }
  def_both(
      cls, m, "clamp_min",
      [](const Tensor& t, py::handle min) {
        return is_tensor(min) ? ops::clamp_min(t, min.cast<Tensor>())
                              : ops::clamp_min(t, to_scalar(min));
      },
      py::arg("min"));
  def_both(
      cls, m, "clamp_max",
      [](const Tensor& t, py::handle max) {
        return is_tensor(max) ? ops::clamp_max(t, max.cast<Tensor>())
                              : ops::clamp_max(t, to_scalar(max));
      },
      py::arg("max"));
  cls.def(
      "clamp_min_",
      [](Tensor& t, py::handle min) -> Tensor& {
        return is_tensor(min) ? ops::clamp_min_(t, min.cast<Tensor>())
                              : ops::clamp_min_(t, to_scalar(min));
      },
      py::arg("min"));
  cls.def(
      "clamp_max_",
      [](Tensor& t, py::handle max) -> Tensor& {
        return is_tensor(max) ? ops::clamp_max_(t, max.cast<Tensor>())
                              : ops::clamp_max_(t, to_scalar(max));
      },
      py::arg("max"));
  def_tensor_binary(cls, m, "maximum", &ops::maximum);
  def_tensor_binary(cls, m, "minimum", &ops::minimum);
  def_both(
      cls, m, "lerp",
      [](const Tensor& t, const Tensor& end, py::handle weight) {
        return is_tensor(weight) ? ops::lerp(t, end, weight.cast<Tensor>())
                                 : ops::lerp(t, end, to_scalar(weight));
      },
      py::arg("end"), py::arg("weight"));
  cls.def(
      "lerp_",
      [](Tensor& t, const Tensor& end, py::handle weight) -> Tensor& {
        return is_tensor(weight) ? ops::lerp_(t, end, weight.cast<Tensor>())
                                 : ops::lerp_(t, end, to_scalar(weight));
      },
      py::arg("end"), py::arg("weight"));
  def_both(
      cls, m, "masked_fill",
      [](const Tensor& t, const Tensor& mask, py::handle value) {
        return is_tensor(value)
                   ? ops::masked_fill(t, mask, value.cast<Tensor>())
                   : ops::masked_fill(t, mask, to_scalar(value));
      },
      py::arg("mask"), py::arg("value"));
  cls.def(
      "masked_fill_",
      [](Tensor& t, const Tensor& mask, py::handle value) -> Tensor& {
        return is_tensor(value)
                   ? ops::masked_fill_(t, mask, value.cast<Tensor>())
                   : ops::masked_fill_(t, mask, to_scalar(value));
      },
      py::arg("mask"), py::arg("value"));

  // ---- logical, bitwise, predicates
  // --------------------------------------------
  def_tensor_binary(cls, m, "logical_and", &ops::logical_and);
  def_tensor_binary(cls, m, "logical_or", &ops::logical_or);
  def_tensor_binary(cls, m, "logical_xor", &ops::logical_xor);
  def_both(cls, m, "logical_not", unary(&ops::logical_not));
  def_both(cls, m, "bitwise_and", binary(&ops::bitwise_and, "bitwise_and"),
           py::arg("other"));
  def_both(cls, m, "bitwise_or", binary(&ops::bitwise_or, "bitwise_or"),
           py::arg("other"));
  def_both(cls, m, "bitwise_xor", binary(&ops::bitwise_xor, "bitwise_xor"),
           py::arg("other"));
  def_both(cls, m, "bitwise_not", unary(&ops::bitwise_not));
  def_both(cls, m, "isnan", unary(&ops::isnan));
  def_both(cls, m, "isinf", unary(&ops::isinf));
  def_both(cls, m, "isfinite", unary(&ops::isfinite));

  // ---- in-place methods
  // ----------------------------------------------------------
  cls.def(
      "div_",
      [](Tensor& self, py::handle other,
         const std::optional<std::string>& rounding_mode) -> Tensor& {
        return ops::div_(self, operand_or_throw(other, "div_"),
                         to_rounding_mode(rounding_mode));
      },
      py::arg("other"), py::kw_only(), py::arg("rounding_mode") = py::none());
  def_inplace_binary(cls, "floor_divide_", &ops::floor_divide_);
  def_inplace_binary(cls, "remainder_", &ops::remainder_);
  def_inplace_binary(cls, "logical_and_", &ops::logical_and_);
  def_inplace_binary(cls, "logical_or_", &ops::logical_or_);
  def_inplace_binary(cls, "logical_xor_", &ops::logical_xor_);
  def_inplace_binary(cls, "bitwise_and_", &ops::bitwise_and_);
  def_inplace_binary(cls, "bitwise_or_", &ops::bitwise_or_);
  def_inplace_binary(cls, "bitwise_xor_", &ops::bitwise_xor_);
  cls.def(
      "pow_",
      [](Tensor& self, py::handle exponent) -> Tensor& {
        return is_tensor(exponent) ? ops::pow_(self, exponent.cast<Tensor>())
                                   : ops::pow_(self, to_scalar(exponent));
      },
      py::arg("exponent"));
  for (const auto& [name, op] : {
           std::pair{"neg_", &ops::neg_},
           std::pair{"negative_", &ops::neg_},
           std::pair{"square_", &ops::square_},
           std::pair{"exp_", &ops::exp_},
           std::pair{"expm1_", &ops::expm1_},
           std::pair{"log_", &ops::log_},
           std::pair{"log1p_", &ops::log1p_},
           std::pair{"log2_", &ops::log2_},
           std::pair{"log10_", &ops::log10_},
           std::pair{"sqrt_", &ops::sqrt_},
           std::pair{"rsqrt_", &ops::rsqrt_},
           std::pair{"reciprocal_", &ops::reciprocal_},
           std::pair{"sin_", &ops::sin_},
           std::pair{"cos_", &ops::cos_},
           std::pair{"tan_", &ops::tan_},
           std::pair{"tanh_", &ops::tanh_},
           std::pair{"erf_", &ops::erf_},
           std::pair{"abs_", &ops::abs_},
           std::pair{"sign_", &ops::sign_},
           std::pair{"floor_", &ops::floor_},
           std::pair{"ceil_", &ops::ceil_},
           std::pair{"trunc_", &ops::trunc_},
           std::pair{"fix_", &ops::trunc_},
           std::pair{"relu_", &ops::relu_},
           std::pair{"sigmoid_", &ops::sigmoid_},
           std::pair{"logical_not_", &ops::logical_not_},
           std::pair{"bitwise_not_", &ops::bitwise_not_},
       }) {
    cls.def(name, op);
  }
  cls.def(
      "round_",
      [](Tensor& t, std::optional<int64_t> decimals) -> Tensor& {
        return decimals ? ops::round_(t, *decimals) : ops::round_(t);
      },
      py::kw_only(), py::arg("decimals") = py::none());
  m.def("relu_", &ops::relu_, py::arg("input"));
  m.def("sigmoid_", &ops::sigmoid_, py::arg("input"));

  // ---- activations (module functions; nn.functional wraps them)
  // ---------------
  m.def(
      "leaky_relu",
      [](const Tensor& t, double slope) {
        return without_gil(t.numel(),
                           [&] { return ops::leaky_relu(t, slope); });
      },
      py::arg("input"), py::arg("negative_slope") = 0.01);
  m.def("leaky_relu_", &ops::leaky_relu_, py::arg("input"),
        py::arg("negative_slope") = 0.01);
  m.def(
      "elu",
      [](const Tensor& t, double alpha) {
        return without_gil(t.numel(), [&] { return ops::elu(t, alpha); });
      },
      py::arg("input"), py::arg("alpha") = 1.0);
  m.def("elu_", &ops::elu_, py::arg("input"), py::arg("alpha") = 1.0);
  m.def(
      "gelu",
      [](const Tensor& t, const std::string& approximate) {
        const ops::GeluApproximate a = to_gelu_approximate(approximate);
        return without_gil(t.numel(), [&] { return ops::gelu(t, a); });
      },
      py::arg("input"), py::kw_only(), py::arg("approximate") = "none");
  m.def(
      "silu",
      [](const Tensor& t) {
        return without_gil(t.numel(), [&] { return ops::silu(t); });
      },
      py::arg("input"));
  m.def("silu_", &ops::silu_, py::arg("input"));
  m.def(
      "softplus",
      [](const Tensor& t, double beta, double threshold) {
        return without_gil(t.numel(),
                           [&] { return ops::softplus(t, beta, threshold); });
      },
      py::arg("input"), py::arg("beta") = 1.0, py::arg("threshold") = 20.0);
  m.def(
      "hardtanh",
      [](const Tensor& t, double min_val, double max_val) {
        return without_gil(t.numel(),
                           [&] { return ops::hardtanh(t, min_val, max_val); });
      },
      py::arg("input"), py::arg("min_val") = -1.0, py::arg("max_val") = 1.0);
  m.def("hardtanh_", &ops::hardtanh_, py::arg("input"),
        py::arg("min_val") = -1.0, py::arg("max_val") = 1.0);
  m.def("relu6", &ops::relu6, py::arg("input"));
  m.def("dropout", &ops::dropout, py::arg("input"), py::arg("p"),
        py::arg("train"));
  m.def("dropout_", &ops::dropout_, py::arg("input"), py::arg("p"),
        py::arg("train"));
}

}  // namespace ag::python
