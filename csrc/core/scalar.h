#pragma once

#include <cstdint>
#include <type_traits>

#include "core/dtype.h"

namespace ag {

// A Python-style number: bool, int or float.
class Scalar {
 public:
  enum class Kind : uint8_t { Bool, Int, Float };

  Scalar() : Scalar(int64_t{0}) {}
  // Exactly bool: a value that only converts to one (a pointer, a class
  // with a conversion to int64_t) must not become a Python bool.
  template <typename T, std::enable_if_t<std::is_same_v<T, bool>, int> = 0>
  Scalar(T v) : kind_(Kind::Bool), i_(v) {}  // NOLINT(runtime/explicit)
  // Every integer type is a Python int and every floating type a Python
  // float, so `x * 2u` or `x * 0.5f` picks one constructor, not an overload
  // set of equally good conversions.
  template <typename T,
            std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>,
                             int> = 0>
  Scalar(T v)  // NOLINT(runtime/explicit)
      : kind_(Kind::Int), i_(static_cast<int64_t>(v)) {}
  template <typename T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  Scalar(T v)  // NOLINT(runtime/explicit)
      : kind_(Kind::Float), d_(static_cast<double>(v)) {}

  Kind kind() const { return kind_; }
  bool is_floating() const { return kind_ == Kind::Float; }
  bool is_integral() const { return kind_ != Kind::Float; }
  bool is_bool() const { return kind_ == Kind::Bool; }

  template <typename T>
  T to() const {
    return kind_ == Kind::Float ? static_cast<T>(d_) : static_cast<T>(i_);
  }

  // The dtype of the 0-d tensor this number becomes (double for floats, as
  // PyTorch's wrapped numbers; promotion treats it specially).
  DType dtype() const {
    switch (kind_) {
      case Kind::Bool:
        return DType::Bool;
      case Kind::Int:
        return DType::Int64;
      case Kind::Float:
        break;
    }
    return DType::Float64;
  }

 private:
  Kind kind_;
  union {
    int64_t i_;
    double d_;
  };
};

}  // namespace ag
