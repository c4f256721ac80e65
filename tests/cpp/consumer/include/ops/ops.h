#pragma once

// The user's own ops/ops.h (see core/scalar.h).
namespace user {
inline double twice(double x) {
  return 2 * x;
}
}  // namespace user
