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
#include <limits>
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

// e^r for |r| <= ln(2)/2: 1 + r + r^2 q(r), q a degree-5 least-squares fit
// of (e^r - 1 - r) / r^2 on that interval, evaluated in Estrin's order
// (pairs, then r^2 and r^4 terms): the loops that use it are bound by this
// chain's latency, which Horner's order would make six multiply-adds long.
AG_ALWAYS_INLINE float exp_reduced_f32(float r) {
  const float r2 = r * r;
  const float lo =
      (0.5f + 1.66666672e-1f * r) + (4.16664667e-2f + 8.33329838e-3f * r) * r2;
  const float hi = 1.39336439e-3f + 1.98992755e-4f * r;
  return (lo + hi * (r2 * r2)) * r2 + r + 1.0f;
}

// e^x = 2^n * e^r with n = round(x / ln 2) and |r| <= ln(2)/2. 2^n is
// applied in two halves so that results down to the subnormal range come
// out right.
AG_ALWAYS_INLINE float exp_f32(float x) {
  constexpr float kMax = 88.72283935546875f;    // above: overflows to inf
  constexpr float kMin = -103.97208404541016f;  // below: rounds to 0
  const float xc = x < kMin ? kMin : (x > kMax ? kMax : x);
  // Rounds to nearest by adding and removing 1.5 * 2^23 (no libcall, so the
  // loop still vectorises without SSE4.1's round instruction).
  constexpr float kRound = 12582912.0f;
  const float n = (xc * 1.44269504088896341f + kRound) - kRound;
  const float r = (xc - n * 0.693145751953125f) - n * 1.428606765330187e-06f;
  const float p = exp_reduced_f32(r);
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

// erf near 0: x * p(x^2), p a degree-5 least-squares fit of erf(x) / x on
// |x| < kErfSplit (relative error, within about 2.5 ulp).
constexpr float kErfSplit = 0.921875f;
AG_ALWAYS_INLINE float erf_small_f32(float x) {
  const float z = x * x;
  float p = -5.986208561807871e-4f;
  p = p * z + 4.992180969566107e-3f;
  p = p * z - 2.6765860617160797e-2f;
  p = p * z + 1.128179281949997e-1f;
  p = p * z - 3.7612491846084595e-1f;
  p = p * z + 1.1283791065216064f;
  return x * p;
}

// e^x for x <= 0 (a little above 0 is fine), one scaling step instead of
// two: results below float's normal range flush to 0. Cheaper than exp_f32
// where the argument is known to be non-positive.
AG_ALWAYS_INLINE float exp_nonpositive_f32(float x) {
  constexpr float kMin = -87.0f;
  const float xc = x < kMin ? kMin : x;
  constexpr float kRound = 12582912.0f;
  const float n = (xc * 1.44269504088896341f + kRound) - kRound;
  const float r = (xc - n * 0.693145751953125f) - n * 1.428606765330187e-06f;
  const float p = exp_reduced_f32(r);
  const float result = p * pow2_int(static_cast<int32_t>(n));
  return x < kMin ? 0.0f : result;
}

// erfc(z) for z >= 0: t e^(q(t) - z^2) with t = 1 / (1 + z / 2), q a
// degree-9 least-squares fit of log(erfc(z) / t) + z^2 on z in [0, 10].
// Relative error below 4e-7 for z < 1, 1.5e-6 below 4 and 8e-6 beyond
// (the rounding of z^2); past z = 9.2 the result flushes to 0.
AG_ALWAYS_INLINE float erfc_f32(float z) {
  const float t = 1.0f / (1.0f + 0.5f * z);
  // Estrin's order, for the latency (as in exp_reduced_f32).
  const float t2 = t * t;
  const float t4 = t2 * t2;
  const float c01 = -1.265447974205017f + 9.986327886581421e-1f * t;
  const float c23 = 3.8664039969444275e-1f + 3.460279852151871e-2f * t;
  const float c45 = 1.2675862526521087e-3f - 8.028043061494827e-2f * t;
  const float c67 = -6.962519288063049e-1f + 1.156733751296997f * t;
  const float c89 = -6.808272004127502e-1f + 1.4493021368980408e-1f * t;
  const float q = (c01 + c23 * t2) + (c45 + c67 * t2) * t4 + c89 * (t4 * t4);
  return t * exp_nonpositive_f32(q - z * z);
}

// erf from the two pieces above, both computed and one selected (within
// about 2.5 ulp; NaN stays NaN through the small branch).
AG_ALWAYS_INLINE float erf_f32(float x) {
  const float ax = std::fabs(x);
  const float large = std::copysign(1.0f - erfc_f32(ax), x);
  return ax < kErfSplit || x != x ? erf_small_f32(x) : large;
}

// The standard normal CDF, Phi(x) = erfc(-x / sqrt(2)) / 2, from erfc alone:
// the left tail comes out relative-accurate instead of as 1 + erf (which
// cancels), and Phi near 0.5 needs only absolute accuracy.
AG_ALWAYS_INLINE float normal_cdf_f32(float x) {
  const float tail = 0.5f * erfc_f32(std::fabs(x * 0.70710678118654752440f));
  return x < 0.0f ? tail : 1.0f - tail;  // NaN: 1 - NaN
}

// exp for arguments known to be <= 0 (softmax after subtracting the
// maximum); below float's normal range the result is 0.
template <typename T>
AG_ALWAYS_INLINE T fast_exp_nonpositive(T x) {
  if constexpr (std::is_same_v<T, float>) {
    return exp_nonpositive_f32(x);
  } else {
    return std::exp(x);
  }
}

template <typename T>
AG_ALWAYS_INLINE T fast_erf(T x) {
  if constexpr (std::is_same_v<T, float>) {
    return erf_f32(x);
  } else {
    return std::erf(x);
  }
}

// The inverse error function: Giles' (2010) single-precision approximation,
// refined in double by two Newton steps (each squares the relative error).
// Outside [-1, 1] it is NaN; at +-1, +-inf.
template <typename T>
inline T erfinv(T x) {
  const double y = static_cast<double>(x);
  if (!(std::fabs(y) < 1.0)) {
    if (std::fabs(y) == 1.0)
      return std::copysign(std::numeric_limits<T>::infinity(), x);
    return std::numeric_limits<T>::quiet_NaN();
  }
  const double w = -std::log((1.0 - y) * (1.0 + y));
  double p;
  if (w < 5.0) {
    const double c[] = {3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                        0.00021858087,  -0.00125372503, -0.00417768164,
                        0.246640727,    1.50140941};
    const double v = w - 2.5;
    p = 2.81022636e-08;
    for (double k : c) p = p * v + k;
  } else {
    const double c[] = {0.000100950558, 0.00134934322, -0.00367342844,
                        0.00573950773,  -0.0076224613, 0.00943887047,
                        1.00167406,     2.83297682};
    const double v = std::sqrt(w) - 3.0;
    p = -0.000200214257;
    for (double k : c) p = p * v + k;
  }
  // Refined for |y|. Near 1, erf has no digits left, so the tail solves
  // log(erfc(r)) = log(1 - |y|) instead (1 - |y| is exact), which Newton
  // also converges on from a far guess.
  const double a = std::fabs(y), q = 1.0 - a;
  constexpr double kTwoOverSqrtPi = 1.12837916709551257390;
  double r = p * a;
  for (int i = 0; i < 6; ++i) {
    const double slope = kTwoOverSqrtPi * std::exp(-r * r);
    double step;
    if (a < 0.5) {
      step = (std::erf(r) - a) / slope;
    } else {
      const double c = std::erfc(r);
      step = (std::log(q) - std::log(c)) * c / slope;
    }
    r -= step;
    if (std::fabs(step) <= 1e-16 * std::fabs(r)) break;
  }
  return static_cast<T>(std::copysign(r, y));
}

// x * Phi(x).
template <typename T>
AG_ALWAYS_INLINE T gelu(T x) {
  if constexpr (std::is_same_v<T, float>) {
    return x * normal_cdf_f32(x);
  } else {
    return x * T(0.5) * (T(1) + std::erf(x * T(0.70710678118654752440)));
  }
}

// d/dx x * Phi(x) = Phi(x) + x * phi(x), phi the standard normal density.
template <typename T>
AG_ALWAYS_INLINE T gelu_derivative(T x) {
  constexpr T kInvSqrt2Pi = T(0.39894228040143267794);
  if constexpr (std::is_same_v<T, float>) {
    return normal_cdf_f32(x) +
           x * kInvSqrt2Pi * exp_nonpositive_f32(-0.5f * x * x);
  } else {
    const T cdf = T(0.5) * (T(1) + std::erf(x * T(0.70710678118654752440)));
    return cdf + x * kInvSqrt2Pi * std::exp(T(-0.5) * x * x);
  }
}

// tanh-approximated GELU: 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + k x^3).
template <typename T>
AG_ALWAYS_INLINE T gelu_tanh(T x) {
  constexpr T kBeta = T(0.79788456080286535588);  // sqrt(2/pi)
  constexpr T kKappa = T(0.044715);
  return T(0.5) * x * (T(1) + fast_tanh(kBeta * (x + kKappa * x * x * x)));
}

// Its derivative: 0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 k x^2).
template <typename T>
AG_ALWAYS_INLINE T gelu_tanh_derivative(T x) {
  constexpr T kBeta = T(0.79788456080286535588);
  constexpr T kKappa = T(0.044715);
  const T x2 = x * x;
  const T t = fast_tanh(kBeta * (x + kKappa * x2 * x));
  return T(0.5) * (T(1) + t) +
         T(0.5) * x * (T(1) - t * t) * kBeta * (T(1) + T(3) * kKappa * x2);
}

// x * sigmoid(x) and its derivative s (1 + x (1 - s)).
template <typename T>
AG_ALWAYS_INLINE T silu_derivative(T x) {
  const T s = T(1) / (T(1) + fast_exp(-x));
  return s * (T(1) + x * (T(1) - s));
}

}  // namespace ag::kernels::cpu
