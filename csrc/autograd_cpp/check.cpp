#include "autograd_cpp/check.h"

#include <string>

namespace ag::detail {

void throw_undefined_argument(const std::string& function,
                              const std::string& argument) {
  throw TypeError(function + "(): argument '" + argument +
                  "' is an undefined Tensor: a default-constructed "
                  "ag::Tensor, or the grad() of a tensor that has not "
                  "received a gradient; check t.defined() before passing it.");
}

}  // namespace ag::detail
