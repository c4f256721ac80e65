#include "core/dtype.h"

#include <atomic>

namespace ag {

const char* dtype_name(DType t) {
  switch (t) {
    case DType::Bool:
      return "bool";
    case DType::Int32:
      return "int32";
    case DType::Int64:
      return "int64";
    case DType::Float32:
      return "float32";
    case DType::Float64:
      return "float64";
  }
  return "?";
}

const char* dtype_legacy_name(DType t) {
  switch (t) {
    case DType::Bool:
      return "Bool";
    case DType::Int32:
      return "Int";
    case DType::Int64:
      return "Long";
    case DType::Float32:
      return "Float";
    case DType::Float64:
      return "Double";
  }
  return "?";
}

const char* dtype_cpp_name(DType t) {
  switch (t) {
    case DType::Bool:
      return "bool";
    case DType::Int32:
      return "int";
    case DType::Int64:
      return "long int";
    case DType::Float32:
      return "float";
    case DType::Float64:
      break;
  }
  return "double";
}

// With only these five dtypes the enum order is a total promotion order.
DType promote_types(DType a, DType b) {
  return static_cast<uint8_t>(a) >= static_cast<uint8_t>(b) ? a : b;
}

namespace {
std::atomic<DType> g_default_dtype{DType::Float32};
}

DType default_dtype() {
  return g_default_dtype.load(std::memory_order_relaxed);
}
void set_default_dtype(DType t) {
  g_default_dtype.store(t);
}

}  // namespace ag
