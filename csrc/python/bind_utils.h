#pragma once

// Helpers shared by the binding files.

#include <optional>
#include <string>
#include <vector>

#include "autograd/autograd_meta.h"
#include "python/arg_parser.h"
#include "python/bindings.h"
#include "python/callable.h"
#include "python/convert.h"

namespace ag::python {

// A factory's requires_grad= keyword.
inline Tensor finish(Tensor t, bool requires_grad) {
  if (requires_grad) autograd::set_requires_grad(t, true);
  return t;
}

}  // namespace ag::python
