#pragma once

// Binary elementwise ops of two tensors, one line each (see Note [Op
// declarations] in decl/README.md): the kernel's enum entry and loop
// (kernels/kernels.h, kernels/cpu/binary.cpp), the C++ declaration and
// definition (ops/arithmetic.h, ops/arithmetic.cpp, beside each op's Spec),
// and the Python binding with its docstring (python/bind_math.cpp).
//
// Columns: X(name, Name, kind, math, doc)
//   name  the C++ and Python name: torch.name(input, other), Tensor.name
//   Name  CamelCase: the kernel's BinaryOp::Name and the op's NameSpec
//   kind  Any: every dtype, in the promoted dtype of the two inputs;
//         Float: floating point (an integral promoted dtype raises)
//   math  the kernel's value at a, b: elements of type T
//   doc   the docstring
//
// `other` must be a tensor (a number raises TypeError, as in PyTorch).

namespace ag::decl {
enum class BinaryKind { Any, Float };
}  // namespace ag::decl

#define AG_BINARY_TENSOR_OPS(X)                                           \
  X(maximum, Maximum, Any, max_propagate_nan(a, b),                       \
    "The larger of input and other, elementwise (NaN propagates); ties "  \
    "split the gradient.")                                                \
  X(minimum, Minimum, Any, min_propagate_nan(a, b),                       \
    "The smaller of input and other, elementwise (NaN propagates); ties " \
    "split the gradient.")                                                \
  X(logaddexp, Logaddexp, Float,                                          \
    std::isinf(a) && a == b                                               \
        ? a                                                               \
        : (a > b ? a : b) + std::log1p(std::exp(-std::abs(a - b))),       \
    "log(exp(input) + exp(other)), elementwise, without overflow.")       \
  X(logaddexp2, Logaddexp2, Float,                                        \
    std::isinf(a) && a == b                                               \
        ? a                                                               \
        : (a > b ? a : b) +                                               \
              std::log1p(std::exp2(-std::abs(a - b))) * T(M_LOG2E),       \
    "log2(2^input + 2^other), elementwise, without overflow.")            \
  X(hypot, Hypot, Float, std::hypot(a, b),                                \
    "sqrt(input^2 + other^2), elementwise, the squares never overflowing.")
