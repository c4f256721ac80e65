#pragma once

// Unary elementwise ops, one line each (see Note [Op declarations] in
// decl/README.md). Each list expands, where it is used, into the kernel's
// enum entry and loop (kernels/kernels.h, kernels/cpu/unary.cpp), the C++
// declarations and definitions (ops/unary.h, ops/unary.cpp, where each op's
// Spec lives), and the Python binding with its docstring
// (python/bind_math.cpp), from which the stub is generated.
//
// Columns: X(name, Name, math, doc)
//   name  the C++ and Python name
//   Name  CamelCase: the kernel's UnaryOp::Name and the op's NameSpec
//   math  the kernel's value at x, an element of float type T
//   doc   the docstring

// Floating point; integer inputs compute in the default float dtype. Bound
// as torch.name, Tensor.name and the in-place Tensor.name_.
#define AG_UNARY_FLOAT_OPS(X)                                            \
  X(exp, Exp, cpu::fast_exp(x), "Exponential, elementwise: e ** input.") \
  X(expm1, Expm1, cpu::fast_expm1(x),                                    \
    "exp(input) - 1, elementwise, accurate for input near 0.")           \
  X(log, Log, cpu::fast_log(x), "Natural logarithm, elementwise.")       \
  X(log1p, Log1p, std::log1p(x),                                         \
    "log(1 + input), elementwise, accurate for input near 0.")           \
  X(log2, Log2, std::log2(x), "Base-2 logarithm, elementwise.")          \
  X(log10, Log10, std::log10(x), "Base-10 logarithm, elementwise.")      \
  X(sqrt, Sqrt, std::sqrt(x), "Square root, elementwise.")               \
  X(rsqrt, Rsqrt, T(1) / std::sqrt(x), "1 / sqrt(input), elementwise.")  \
  X(reciprocal, Reciprocal, T(1) / x, "1 / input, elementwise.")         \
  X(sin, Sin, std::sin(x), "Sine, elementwise (radians).")               \
  X(cos, Cos, std::cos(x), "Cosine, elementwise (radians).")             \
  X(tan, Tan, std::tan(x), "Tangent, elementwise (radians).")            \
  X(tanh, Tanh, cpu::fast_tanh(x), "Hyperbolic tangent, elementwise.")   \
  X(erf, Erf, cpu::fast_erf(x), "The error function, elementwise.")      \
  X(erfinv, Erfinv, cpu::erfinv(x),                                      \
    "The inverse error function, elementwise (NaN outside [-1, 1]).")    \
  /* exp(-x) overflows to inf for x << 0, giving the limit 0. */         \
  X(sigmoid, Sigmoid, T(1) / (T(1) + cpu::fast_exp(-x)),                 \
    "The logistic function 1 / (1 + exp(-input)), elementwise.")

// Floating point only (integer inputs raise, as in PyTorch); bound in
// torch._C._nn, behind nn.functional.
#define AG_UNARY_NN_OPS(X)                                           \
  /* min(x, 0) - log1p(exp(-|x|)): no overflow at either end. */     \
  X(logsigmoid, LogSigmoid,                                          \
    (x < T(0) ? x : T(0)) - std::log1p(cpu::fast_exp(-std::abs(x))), \
    "log(sigmoid(input)), elementwise, computed without overflow.")  \
  /* relu6(x + 3) as a clamp of x: the same value, NaN included. */  \
  X(hardswish, Hardswish,                                            \
    (x < T(-3) ? T(0) : (x > T(3) ? T(6) : x + T(3))) * x / T(6),    \
    "input * relu6(input + 3) / 6, elementwise.")
