#pragma once

// The user's own core/scalar.h: a library header that included
// "core/scalar.h" and found this one would not compile.
namespace user {
struct Scalar {
  double value;
};
}  // namespace user
