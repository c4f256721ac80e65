// Elementwise math: the declared unary and binary families (decl/*.h, one
// binding each from their lists), arithmetic, rounding, clamp, logical and
// bitwise ops, activations, and their in-place forms.

#include "decl/binary.h"
#include "decl/unary.h"
#include "python/bind_utils.h"

namespace ag::python {

namespace {

using UnaryFn = Tensor (*)(const Tensor&);
using InplaceUnaryFn = Tensor& (*)(Tensor&);
using BinaryFn = Tensor (*)(const Tensor&, const Tensor&);
using InplaceBinaryFn = Tensor& (*)(Tensor&, const Tensor&);

Body unary_body(UnaryFn op) {
  return [op](Args& a) {
    const Tensor t = a.tensor(0);
    return wrap(without_gil(t.numel(), [&] { return op(t); }));
  };
}

// In-place methods return self itself (a Parameter stays a Parameter).
Body inplace_unary_body(InplaceUnaryFn op) {
  return [op](Args& a) {
    Tensor t = a.tensor(0);
    op(t);
    return a.object(0);
  };
}

// `other` a tensor or a number (wrapped as a 0-d tensor).
Body binary_body(BinaryFn op) {
  return [op](Args& a) {
    const Tensor t = a.tensor(0);
    const Tensor o = a.operand(1);
    return wrap(without_gil(t.numel(), [&] { return op(t, o); }));
  };
}

// `other` a tensor only.
Body tensor_binary_body(BinaryFn op) {
  return [op](Args& a) {
    const Tensor t = a.tensor(0);
    const Tensor o = a.tensor(1);
    return wrap(without_gil(t.numel(), [&] { return op(t, o); }));
  };
}

Body inplace_binary_body(InplaceBinaryFn op) {
  return [op](Args& a) {
    Tensor t = a.tensor(0);
    op(t, a.operand(1));
    return a.object(0);
  };
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

void bind_declared(TensorClass& cls, py::module_& m, py::module_& nn) {
  // One binding per line of the lists: function, method and in-place method
  // for the float ops; a function of _C._nn for the nn ops; function and
  // method for the binary ops.
#define AG_BIND_UNARY(name, Name, math, doc)                                   \
  def_both(cls, m, {#name "(Tensor input) -> Tensor"}, unary_body(&ops::name), \
           doc);                                                               \
  def_method(cls, {#name "_(Tensor self) -> Tensor"},                          \
             inplace_unary_body(&ops::name##_), "In-place " #name ".");
  AG_UNARY_FLOAT_OPS(AG_BIND_UNARY)
#undef AG_BIND_UNARY
#define AG_BIND_UNARY_NN(name, Name, math, doc) \
  def(nn, {#name "(Tensor input) -> Tensor"}, unary_body(&ops::name), doc);
  AG_UNARY_NN_OPS(AG_BIND_UNARY_NN)
#undef AG_BIND_UNARY_NN
#define AG_BIND_BINARY(name, Name, kind, math, doc)                  \
  def_both(cls, m, {#name "(Tensor input, Tensor other) -> Tensor"}, \
           tensor_binary_body(&ops::name), doc);
  AG_BINARY_TENSOR_OPS(AG_BIND_BINARY)
#undef AG_BIND_BINARY
}

void bind_unary(TensorClass& cls, py::module_& m) {
  const std::tuple<const char*, UnaryFn, const char*> unary[] = {
      {"square", &ops::square, "input * input, elementwise."},
      {"relu", &ops::relu, "max(input, 0), elementwise."},
      {"abs", &ops::abs, "Absolute value, elementwise."},
      {"neg", &ops::neg, "Negation, elementwise."},
      {"negative", &ops::neg, "Alias of neg."},
      {"sign", &ops::sign, "-1, 0 or 1 by the sign of each element."},
      {"floor", &ops::floor,
       "Rounds down to the nearest integer, elementwise (zero gradient)."},
      {"ceil", &ops::ceil,
       "Rounds up to the nearest integer, elementwise (zero gradient)."},
      {"trunc", &ops::trunc,
       "Rounds toward zero, elementwise (zero gradient)."},
      {"fix", &ops::trunc, "Alias of trunc."},
      {"logical_not", &ops::logical_not,
       "Elementwise logical NOT, as a bool tensor."},
      {"bitwise_not", &ops::bitwise_not,
       "Bitwise NOT of an integer or bool tensor."},
      {"isnan", &ops::isnan, "Elementwise test for NaN."},
      {"isinf", &ops::isinf, "Elementwise test for infinities."},
      {"isfinite", &ops::isfinite, "Elementwise test for finite values."},
  };
  for (const auto& [name, op, doc] : unary) {
    def_both(cls, m, {std::string(name) + "(Tensor input) -> Tensor"},
             unary_body(op), doc);
  }
  const std::pair<const char*, InplaceUnaryFn> inplace[] = {
      {"neg_", &ops::neg_},
      {"negative_", &ops::neg_},
      {"square_", &ops::square_},
      {"abs_", &ops::abs_},
      {"sign_", &ops::sign_},
      {"floor_", &ops::floor_},
      {"ceil_", &ops::ceil_},
      {"trunc_", &ops::trunc_},
      {"fix_", &ops::trunc_},
      {"relu_", &ops::relu_},
      {"logical_not_", &ops::logical_not_},
      {"bitwise_not_", &ops::bitwise_not_},
  };
  for (const auto& [name, op] : inplace) {
    def_method(cls, {std::string(name) + "(Tensor self) -> Tensor"},
               inplace_unary_body(op),
               "In place: the result is written into self.");
  }
  def(m, {"relu_(Tensor input) -> Tensor"}, inplace_unary_body(&ops::relu_),
      "In-place relu.");
  def(m, {"sigmoid_(Tensor input) -> Tensor"},
      inplace_unary_body(&ops::sigmoid_), "In-place sigmoid.");
  def_both(
      cls, m, {"round(Tensor input, *, int? decimals=None) -> Tensor"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        const std::optional<int64_t> decimals = a.optional_int(1);
        return wrap(without_gil(t.numel(), [&] {
          return decimals ? ops::round(t, *decimals) : ops::round(t);
        }));
      },
      "Rounds to the nearest integer (ties to even), or to decimals places.");
  def_method(
      cls, {"round_(Tensor self, *, int? decimals=None) -> Tensor"},
      [](Args& a) {
        Tensor t = a.tensor(0);
        const std::optional<int64_t> decimals = a.optional_int(1);
        decimals ? ops::round_(t, *decimals) : ops::round_(t);
        return a.object(0);
      },
      "In-place round.");
}

void bind_arithmetic(TensorClass& cls, py::module_& m) {
  for (const char* name : {"add", "sub"}) {
    const bool add = std::string(name) == "add";
    def_both(
        cls, m,
        {std::string(name) +
         "(Tensor input, Tensor|Number other, *, Number alpha=1) -> Tensor"},
        [add](Args& a) {
          const Tensor t = a.tensor(0), o = a.operand(1);
          const Scalar alpha = a.scalar(2);
          return wrap(without_gil(t.numel(), [&] {
            return add ? ops::add(t, o, alpha) : ops::sub(t, o, alpha);
          }));
        },
        add ? "input + alpha * other, with broadcasting and type promotion."
            : "input - alpha * other, with broadcasting.");
  }
  def_both(cls, m, {"mul(Tensor input, Tensor|Number other) -> Tensor"},
           binary_body(&ops::mul), "input * other, with broadcasting.");
  for (const char* name : {"div", "divide"}) {
    def_both(
        cls, m,
        {std::string(name) +
         "(Tensor input, Tensor|Number other, *, str? rounding_mode=None) -> "
         "Tensor"},
        [](Args& a) {
          const Tensor t = a.tensor(0), o = a.operand(1);
          const ops::RoundingMode mode = to_rounding_mode(a.optional_string(2));
          return wrap(
              without_gil(t.numel(), [&] { return ops::div(t, o, mode); }));
        },
        "input / other, or its quotient rounded ('trunc' toward zero, "
        "'floor' toward -inf).");
  }
  def_method(
      cls,
      {"div_(Tensor self, Tensor|Number other, *, str? rounding_mode=None) -> "
       "Tensor"},
      [](Args& a) {
        Tensor t = a.tensor(0);
        ops::div_(t, a.operand(1), to_rounding_mode(a.optional_string(2)));
        return a.object(0);
      },
      "In-place div.");
  def_both(cls, m, {"true_divide(Tensor input, Tensor|Number other) -> Tensor"},
           binary_body(
               [](const Tensor& a, const Tensor& b) { return ops::div(a, b); }),
           "Alias of div without rounding.");
  def_both(cls, m,
           {"floor_divide(Tensor input, Tensor|Number other) -> Tensor"},
           binary_body(&ops::floor_divide),
           "input // other, rounding toward negative infinity.");
  def_method(cls, {"remainder(Tensor self, Tensor|Number other) -> Tensor"},
             binary_body(&ops::remainder),
             "Python's modulo: the remainder has the sign of the divisor.");
  def(
      m,
      {"remainder(Tensor input, Tensor|Number other) -> Tensor",
       "remainder(Number input, Tensor other) -> Tensor"},
      [](Args& a) {
        if (a.index() == 1) {
          return wrap(ops::remainder(a.scalar(0), a.tensor(1)));
        }
        return wrap(ops::remainder(a.tensor(0), a.operand(1)));
      },
      "Python's modulo: the remainder has the sign of the divisor.");
  const std::tuple<const char*, BinaryFn, const char*> comparisons[] = {
      {"eq", &ops::eq, "Elementwise ==, as a bool tensor."},
      {"ne", &ops::ne, "Elementwise !=, as a bool tensor."},
      {"lt", &ops::lt, "Elementwise <, as a bool tensor."},
      {"le", &ops::le, "Elementwise <=, as a bool tensor."},
      {"gt", &ops::gt, "Elementwise >, as a bool tensor."},
      {"ge", &ops::ge, "Elementwise >=, as a bool tensor."},
      {"bitwise_and", &ops::bitwise_and,
       "Bitwise AND of integer or bool tensors."},
      {"bitwise_or", &ops::bitwise_or,
       "Bitwise OR of integer or bool tensors."},
      {"bitwise_xor", &ops::bitwise_xor,
       "Bitwise XOR of integer or bool tensors."},
  };
  for (const auto& [name, op, doc] : comparisons) {
    def_both(
        cls, m,
        {std::string(name) + "(Tensor input, Tensor|Number other) -> Tensor"},
        binary_body(op), doc);
  }
  const std::tuple<const char*, BinaryFn, const char*> logical[] = {
      {"logical_and", &ops::logical_and,
       "Elementwise logical AND, as a bool tensor."},
      {"logical_or", &ops::logical_or,
       "Elementwise logical OR, as a bool tensor."},
      {"logical_xor", &ops::logical_xor,
       "Elementwise logical XOR, as a bool tensor."},
  };
  for (const auto& [name, op, doc] : logical) {
    def_both(cls, m,
             {std::string(name) + "(Tensor input, Tensor other) -> Tensor"},
             tensor_binary_body(op), doc);
  }
  // The logical ones take a tensor only, as their out-of-place forms.
  const std::tuple<const char*, InplaceBinaryFn, const char*> inplace[] = {
      {"floor_divide_", &ops::floor_divide_, "Tensor|Number"},
      {"remainder_", &ops::remainder_, "Tensor|Number"},
      {"logical_and_", &ops::logical_and_, "Tensor"},
      {"logical_or_", &ops::logical_or_, "Tensor"},
      {"logical_xor_", &ops::logical_xor_, "Tensor"},
      {"bitwise_and_", &ops::bitwise_and_, "Tensor|Number"},
      {"bitwise_or_", &ops::bitwise_or_, "Tensor|Number"},
      {"bitwise_xor_", &ops::bitwise_xor_, "Tensor|Number"},
  };
  for (const auto& [name, op, other] : inplace) {
    def_method(
        cls,
        {std::string(name) + "(Tensor self, " + other + " other) -> Tensor"},
        inplace_binary_body(op), "In place: the result is written into self.");
  }
  def_method(
      cls,
      {"pow(Tensor self, Tensor exponent) -> Tensor",
       "pow(Tensor self, Number exponent) -> Tensor"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        if (a.index() == 0) return wrap(ops::pow(t, a.tensor(1)));
        return wrap(ops::pow(t, a.scalar(1)));
      },
      "input ** exponent, elementwise.");
  def(
      m,
      {"pow(Tensor input, Tensor exponent) -> Tensor",
       "pow(Tensor input, Number exponent) -> Tensor",
       "pow(Number input, Tensor exponent) -> Tensor"},
      [](Args& a) {
        switch (a.index()) {
          case 0:
            return wrap(ops::pow(a.tensor(0), a.tensor(1)));
          case 1:
            return wrap(ops::pow(a.tensor(0), a.scalar(1)));
          default:
            return wrap(ops::pow(a.scalar(0), a.tensor(1)));
        }
      },
      "input ** exponent, elementwise.");
  def_method(
      cls,
      {"pow_(Tensor self, Tensor exponent) -> Tensor",
       "pow_(Tensor self, Number exponent) -> Tensor"},
      [](Args& a) {
        Tensor t = a.tensor(0);
        if (a.index() == 0) {
          ops::pow_(t, a.tensor(1));
        } else {
          ops::pow_(t, a.scalar(1));
        }
        return a.object(0);
      },
      "In-place pow.");
  def(
      m,
      {"where(Tensor condition, Tensor|Number input, Tensor|Number other) -> "
       "Tensor",
       "where(Tensor condition) -> tuple[Tensor, ...]"},
      [](Args& a) -> py::object {
        if (a.index() == 1) {
          // where(condition) alone: the coordinates, as nonzero(as_tuple=True).
          const TensorList coords = ops::nonzero_numpy(a.tensor(0));
          py::tuple out(coords.size());
          for (size_t i = 0; i < coords.size(); ++i) out[i] = wrap(coords[i]);
          return out;
        }
        return wrap(ops::where(a.tensor(0), a.operand(1), a.operand(2)));
      },
      "Elements of input where condition is True and of other elsewhere, with "
      "broadcasting; with the condition alone, its nonzero coordinates.");
}

void bind_clamp(TensorClass& cls, py::module_& m) {
  for (const char* name : {"clamp", "clip"}) {
    const std::string n(name);
    def_both(
        cls, m,
        {n + "(Tensor input, Tensor? min=None, Tensor? max=None) -> Tensor",
         n + "(Tensor input, Number? min=None, Number? max=None) -> Tensor"},
        [](Args& a) {
          const Tensor t = a.tensor(0);
          if (a.index() == 0) {
            const Tensor lo = a.optional_tensor(1).value_or(Tensor());
            const Tensor hi = a.optional_tensor(2).value_or(Tensor());
            return wrap(
                without_gil(t.numel(), [&] { return ops::clamp(t, lo, hi); }));
          }
          const auto lo = a.optional_scalar(1), hi = a.optional_scalar(2);
          return wrap(
              without_gil(t.numel(), [&] { return ops::clamp(t, lo, hi); }));
        },
        "Limits values to [min, max]; the gradient passes where the input is "
        "inside the bounds.");
    def_method(
        cls,
        {n + "_(Tensor self, Tensor? min=None, Tensor? max=None) -> Tensor",
         n + "_(Tensor self, Number? min=None, Number? max=None) -> Tensor"},
        [](Args& a) {
          Tensor t = a.tensor(0);
          if (a.index() == 0) {
            ops::clamp_(t, a.optional_tensor(1).value_or(Tensor()),
                        a.optional_tensor(2).value_or(Tensor()));
          } else {
            ops::clamp_(t, a.optional_scalar(1), a.optional_scalar(2));
          }
          return a.object(0);
        },
        "In-place clamp.");
  }
  for (const bool is_min : {true, false}) {
    const std::string n = is_min ? "clamp_min" : "clamp_max";
    const std::string bound = is_min ? "min" : "max";
    def_both(
        cls, m,
        {n + "(Tensor input, Tensor " + bound + ") -> Tensor",
         n + "(Tensor input, Number " + bound + ") -> Tensor"},
        [is_min](Args& a) {
          const Tensor t = a.tensor(0);
          if (a.index() == 0) {
            return wrap(is_min ? ops::clamp_min(t, a.tensor(1))
                               : ops::clamp_max(t, a.tensor(1)));
          }
          return wrap(is_min ? ops::clamp_min(t, a.scalar(1))
                             : ops::clamp_max(t, a.scalar(1)));
        },
        is_min ? "Limits values from below: maximum(input, min)."
               : "Limits values from above: minimum(input, max).");
    def_method(
        cls,
        {n + "_(Tensor self, Tensor " + bound + ") -> Tensor",
         n + "_(Tensor self, Number " + bound + ") -> Tensor"},
        [is_min](Args& a) {
          Tensor t = a.tensor(0);
          if (a.index() == 0) {
            is_min ? ops::clamp_min_(t, a.tensor(1))
                   : ops::clamp_max_(t, a.tensor(1));
          } else {
            is_min ? ops::clamp_min_(t, a.scalar(1))
                   : ops::clamp_max_(t, a.scalar(1));
          }
          return a.object(0);
        },
        "In place: the result is written into self.");
  }
  // addcmul, addcdiv and their in-place forms.
  for (const bool divide : {false, true}) {
    const std::string name = divide ? "addcdiv" : "addcmul";
    auto op = divide ? ops::addcdiv : ops::addcmul;
    auto op_ = divide ? ops::addcdiv_ : ops::addcmul_;
    def_both(
        cls, m,
        {name + "(Tensor input, Tensor tensor1, Tensor tensor2, *, Number "
                "value=1) -> Tensor"},
        [op](Args& a) {
          return wrap(op(a.tensor(0), a.tensor(1), a.tensor(2), a.scalar(3)));
        },
        divide ? "input + value * tensor1 / tensor2."
               : "input + value * tensor1 * tensor2.");
    def_method(
        cls,
        {name + "_(Tensor self, Tensor tensor1, Tensor tensor2, *, Number "
                "value=1) -> Tensor"},
        [op_](Args& a) {
          Tensor t = a.tensor(0);
          op_(t, a.tensor(1), a.tensor(2), a.scalar(3));
          return a.object(0);
        },
        divide ? "In-place addcdiv." : "In-place addcmul.");
  }
  def_both(
      cls, m,
      {"lerp(Tensor input, Tensor end, Tensor weight) -> Tensor",
       "lerp(Tensor input, Tensor end, Number weight) -> Tensor"},
      [](Args& a) {
        if (a.index() == 0) {
          return wrap(ops::lerp(a.tensor(0), a.tensor(1), a.tensor(2)));
        }
        return wrap(ops::lerp(a.tensor(0), a.tensor(1), a.scalar(2)));
      },
      "Linear interpolation: input + weight * (end - input).");
  def_method(
      cls,
      {"lerp_(Tensor self, Tensor end, Tensor weight) -> Tensor",
       "lerp_(Tensor self, Tensor end, Number weight) -> Tensor"},
      [](Args& a) {
        Tensor t = a.tensor(0);
        if (a.index() == 0) {
          ops::lerp_(t, a.tensor(1), a.tensor(2));
        } else {
          ops::lerp_(t, a.tensor(1), a.scalar(2));
        }
        return a.object(0);
      },
      "In-place lerp.");
  def_both(
      cls, m,
      {"masked_fill(Tensor input, Tensor mask, Tensor value) -> Tensor",
       "masked_fill(Tensor input, Tensor mask, Number value) -> Tensor"},
      [](Args& a) {
        if (a.index() == 0) {
          return wrap(ops::masked_fill(a.tensor(0), a.tensor(1), a.tensor(2)));
        }
        return wrap(ops::masked_fill(a.tensor(0), a.tensor(1), a.scalar(2)));
      },
      "A copy with value written where mask is True.");
  def_method(
      cls,
      {"masked_fill_(Tensor self, Tensor mask, Tensor value) -> Tensor",
       "masked_fill_(Tensor self, Tensor mask, Number value) -> Tensor"},
      [](Args& a) {
        Tensor t = a.tensor(0);
        if (a.index() == 0) {
          ops::masked_fill_(t, a.tensor(1), a.tensor(2));
        } else {
          ops::masked_fill_(t, a.tensor(1), a.scalar(2));
        }
        return a.object(0);
      },
      "In-place masked_fill.");
}

void bind_activations(py::module_& m) {
  def(
      m, {"leaky_relu(Tensor input, float negative_slope=0.01) -> Tensor"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        const double slope = a.to_double(1);
        return wrap(
            without_gil(t.numel(), [&] { return ops::leaky_relu(t, slope); }));
      },
      "input if input > 0 else negative_slope * input.");
  def(
      m, {"leaky_relu_(Tensor input, float negative_slope=0.01) -> Tensor"},
      [](Args& a) {
        Tensor t = a.tensor(0);
        ops::leaky_relu_(t, a.to_double(1));
        return a.object(0);
      },
      "In-place leaky_relu.");
  def(
      m, {"elu(Tensor input, float alpha=1.0) -> Tensor"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        const double alpha = a.to_double(1);
        return wrap(without_gil(t.numel(), [&] { return ops::elu(t, alpha); }));
      },
      "input if input > 0 else alpha * (exp(input) - 1).");
  def(
      m, {"elu_(Tensor input, float alpha=1.0) -> Tensor"},
      [](Args& a) {
        Tensor t = a.tensor(0);
        ops::elu_(t, a.to_double(1));
        return a.object(0);
      },
      "In-place elu.");
  def(
      m, {"gelu(Tensor input, *, str approximate='none') -> Tensor"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        const ops::GeluApproximate approx = to_gelu_approximate(a.string(1));
        return wrap(
            without_gil(t.numel(), [&] { return ops::gelu(t, approx); }));
      },
      "Gaussian error linear unit x * Phi(x) (approximate='tanh' for the tanh "
      "form).");
  def(m, {"silu(Tensor input) -> Tensor"}, unary_body(&ops::silu),
      "input * sigmoid(input), elementwise.");
  def(m, {"silu_(Tensor input) -> Tensor"}, inplace_unary_body(&ops::silu_),
      "In-place silu.");
  def(
      m,
      {"softplus(Tensor input, float beta=1.0, float threshold=20.0) -> "
       "Tensor"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        const double beta = a.to_double(1), threshold = a.to_double(2);
        return wrap(without_gil(
            t.numel(), [&] { return ops::softplus(t, beta, threshold); }));
      },
      "log(1 + exp(beta * input)) / beta, linear above threshold.");
  def(
      m,
      {"hardtanh(Tensor input, float min_val=-1.0, float max_val=1.0) -> "
       "Tensor"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        const double lo = a.to_double(1), hi = a.to_double(2);
        return wrap(
            without_gil(t.numel(), [&] { return ops::hardtanh(t, lo, hi); }));
      },
      "Clamps to [min_val, max_val].");
  def(
      m,
      {"hardtanh_(Tensor input, float min_val=-1.0, float max_val=1.0) -> "
       "Tensor"},
      [](Args& a) {
        Tensor t = a.tensor(0);
        ops::hardtanh_(t, a.to_double(1), a.to_double(2));
        return a.object(0);
      },
      "In-place hardtanh.");
  def(m, {"relu6(Tensor input) -> Tensor"}, unary_body(&ops::relu6),
      "min(max(input, 0), 6), elementwise.");
  def(
      m, {"dropout(Tensor input, float p, bool train) -> Tensor"},
      [](Args& a) {
        return wrap(ops::dropout(a.tensor(0), a.to_double(1), a.to_bool(2)));
      },
      "Zeroes elements with probability p and scales the rest by 1 / (1 - p) "
      "when training.");
  def(
      m, {"dropout_(Tensor input, float p, bool train) -> Tensor"},
      [](Args& a) {
        Tensor t = a.tensor(0);
        ops::dropout_(t, a.to_double(1), a.to_bool(2));
        return a.object(0);
      },
      "In-place dropout.");
}

}  // namespace

void bind_math(TensorClass& cls, py::module_& m, py::module_& nn) {
  bind_declared(cls, m, nn);
  bind_unary(cls, m);
  bind_arithmetic(cls, m);
  bind_clamp(cls, m);
  bind_activations(m);
}

}  // namespace ag::python
