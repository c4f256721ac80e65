#pragma once

// Branch-free float32 math that the compiler can vectorise. std::exp is a
// library call per element, which keeps loops like softmax scalar; this
// version uses only arithmetic and bit operations (within about 2 ulp of
// std::exp, with the same inf/0/NaN results), so whole loops become SIMD.
// float64 keeps the library functions: gradient checks rely on their
// precision.

#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace ag::kernels::cpu {

// Always inlined: a call per element would stop the loop from vectorising.
#define AG_ALWAYS_INLINE inline __attribute__((always_inline))

AG_ALWAYS_INLINE float pow2_int(int32_t n) {
  const int32_t bits = (n + 127) << 23;
  float out;
  std::memcpy(&out, &bits, sizeof(out));
  return out;
}

// e^x = 2^n * e^r with n = round(x / ln 2) and |r| <= ln(2)/2, and
// e^r = 1 + r + r^2 q(r), q a degree-5 least-squares fit of
// (e^r - 1 - r) / r^2 on that interval. 2^n is applied in two halves so
// that results down to the subnormal range come out right.
AG_ALWAYS_INLINE float exp_f32(float x) {
  constexpr float kMax = 88.72283935546875f;    // above: overflows to inf
  constexpr float kMin = -103.97208404541016f;  // below: rounds to 0
  const float xc = x < kMin ? kMin : (x > kMax ? kMax : x);
  // Rounds to nearest by adding and removing 1.5 * 2^23 (no libcall, so the
  // loop still vectorises without SSE4.1's round instruction).
  constexpr float kRound = 12582912.0f;
  const float n = (xc * 1.44269504088896341f + kRound) - kRound;
  const float r = (xc - n * 0.693145751953125f) - n * 1.428606765330187e-06f;
  float p = 1.98992755e-4f;
  p = p * r + 1.39336439e-3f;
  p = p * r + 8.33329838e-3f;
  p = p * r + 4.16664667e-2f;
  p = p * r + 1.66666672e-1f;
  p = p * r + 0.5f;
  p = p * r * r + r + 1.0f;
  const auto ni = static_cast<int32_t>(n);
  const int32_t half = ni / 2;
  float result = p * pow2_int(half) * pow2_int(ni - half);
  result = x > kMax ? INFINITY : result;
  result = x < kMin ? 0.0f : result;
  return x != x ? x : result;  // NaN stays NaN
}

// exp for any floating type: the vectorisable version for float.
template <typename T>
AG_ALWAYS_INLINE T fast_exp(T x) {
  if constexpr (std::is_same_v<T, float>) {
    return exp_f32(x);
  } else {
    return std::exp(x);
  }
}

// tanh from the same pieces (about 1.5 ulp): near 0, x + x^3 q(x^2) with q
// a degree-4 least-squares fit on |x| < 0.55 (where 1 - 2/(e^2|x| + 1)
// would cancel); beyond, 1 - 2/(e^2|x| + 1) with the sign of x. Both are
// computed and one selected, so there is no branch to stop vectorisation.
AG_ALWAYS_INLINE float tanh_f32(float x) {
  const float ax = std::fabs(x);
  const float x2 = x * x;
  float q = -6.264368072152138e-3f;
  q = q * x2 + 2.1064136177301407e-2f;
  q = q * x2 - 5.385029688477516e-2f;
  q = q * x2 + 1.3332565128803253e-1f;
  q = q * x2 - 3.3333316445350647e-1f;
  const float near_zero = x + x * x2 * q;
  const float far = std::copysign(1.0f - 2.0f / (exp_f32(2.0f * ax) + 1.0f), x);
  const float result = ax < 0.55f ? near_zero : far;  // NaN: `far` is NaN
  return x == 0.0f ? x : result;                      // keeps -0
}

template <typename T>
AG_ALWAYS_INLINE T fast_tanh(T x) {
  if constexpr (std::is_same_v<T, float>) {
    return tanh_f32(x);
  } else {
    return std::tanh(x);
  }
}

}  // namespace ag::kernels::cpu
