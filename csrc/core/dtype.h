#pragma once

#include <cstddef>
#include <cstdint>

namespace ag {

// Ordered by promotion category: bool < integers < floating point.
enum class DType : uint8_t { Bool, Int32, Int64, Float32, Float64 };

constexpr int kNumDTypes = 5;

inline size_t itemsize(DType t) {
  switch (t) {
    case DType::Bool:
      return 1;
    case DType::Int32:
    case DType::Float32:
      return 4;
    case DType::Int64:
    case DType::Float64:
      return 8;
  }
  return 0;
}

inline bool is_floating(DType t) {
  return t == DType::Float32 || t == DType::Float64;
}
inline bool is_integral(DType t, bool include_bool) {
  return t == DType::Int32 || t == DType::Int64 ||
         (include_bool && t == DType::Bool);
}

// The user-visible name, e.g. "float32" (Python prints it as torch.float32).
const char* dtype_name(DType t);
// PyTorch's legacy name used in error messages, e.g. "Float", "Long".
const char* dtype_legacy_name(DType t);
// The C++ element type's name, as some PyTorch errors print it ("float",
// "long int").
const char* dtype_cpp_name(DType t);

// Promotion between two tensor dtypes of equal priority.
DType promote_types(DType a, DType b);

// The dtype new floating tensors get (float32 unless changed).
DType default_dtype();
void set_default_dtype(DType t);

template <typename T>
struct DTypeOf;
template <>
struct DTypeOf<bool> {
  static constexpr DType value = DType::Bool;
};
template <>
struct DTypeOf<int32_t> {
  static constexpr DType value = DType::Int32;
};
template <>
struct DTypeOf<int64_t> {
  static constexpr DType value = DType::Int64;
};
template <>
struct DTypeOf<float> {
  static constexpr DType value = DType::Float32;
};
template <>
struct DTypeOf<double> {
  static constexpr DType value = DType::Float64;
};

}  // namespace ag
