#pragma once

// Note [Undefined arguments]: the C++ API's entry points (module calls,
// losses, nn::init, the *_like factories, save/load) check their tensor
// arguments up front, so the error names the function the user called. The
// ops need no such check: any of them handed an undefined tensor throws at
// its first accessor (Note [Undefined tensors], core/tensor.h).

#include <string>

#include "core/tensor.h"

namespace ag::detail {

[[noreturn]] void throw_undefined_argument(const std::string& function,
                                           const std::string& argument);

inline void check_defined(const Tensor& t, const char* function,
                          const char* argument = "input") {
  if (__builtin_expect(!t.defined(), 0)) {
    throw_undefined_argument(function, argument);
  }
}

// A loss's two arguments.
inline void check_loss_arguments(const char* loss, const Tensor& input,
                                 const Tensor& target) {
  check_defined(input, loss, "input");
  check_defined(target, loss, "target");
}

}  // namespace ag::detail
