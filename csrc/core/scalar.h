#pragma once

#include <cstdint>

#include "core/dtype.h"

namespace ag {

// A Python-style number: bool, int or float.
class Scalar {
 public:
  enum class Kind : uint8_t { Bool, Int, Float };

  Scalar() : Scalar(int64_t{0}) {}
  Scalar(bool v) : kind_(Kind::Bool), i_(v) {}     // NOLINT(runtime/explicit)
  Scalar(int v) : kind_(Kind::Int), i_(v) {}       // NOLINT(runtime/explicit)
  Scalar(int64_t v) : kind_(Kind::Int), i_(v) {}   // NOLINT(runtime/explicit)
  Scalar(double v) : kind_(Kind::Float), d_(v) {}  // NOLINT(runtime/explicit)

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
