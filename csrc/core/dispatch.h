#pragma once

#include <type_traits>

#include "core/dtype.h"
#include "core/error.h"

namespace ag {

// Calls f(T{}) with T the C++ type of `dtype`: the one place where a runtime
// dtype becomes a compile-time type.
template <typename F>
decltype(auto) dispatch_all(DType dtype, F&& f) {
  switch (dtype) {
    case DType::Bool:
      return f(bool{});
    case DType::Int32:
      return f(int32_t{});
    case DType::Int64:
      return f(int64_t{});
    case DType::Float32:
      return f(float{});
    case DType::Float64:
      break;
  }
  return f(double{});
}

template <typename F>
decltype(auto) dispatch_floating(DType dtype, const char* op, F&& f) {
  AG_CHECK_AS(NotImplementedError, is_floating(dtype), "\"", op,
              "\" not implemented for '", dtype_legacy_name(dtype), "'");
  if (dtype == DType::Float32) return f(float{});
  return f(double{});
}

}  // namespace ag
