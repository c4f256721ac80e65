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

// e^r - 1 for |r| <= ln(2)/2: r + r^2 q(r), q a degree-5 least-squares fit
// of (e^r - 1 - r) / r^2 on that interval, evaluated in Estrin's order
// (pairs, then r^2 and r^4 terms): the loops that use it are bound by this
// chain's latency, which Horner's order would make six multiply-adds long.
AG_ALWAYS_INLINE float expm1_reduced_f32(float r) {
  const float r2 = r * r;
  const float lo =
      (0.5f + 1.66666672e-1f * r) + (4.16664667e-2f + 8.33329838e-3f * r) * r2;
  const float hi = 1.39336439e-3f + 1.98992755e-4f * r;
  return (lo + hi * (r2 * r2)) * r2 + r;
}
AG_ALWAYS_INLINE float exp_reduced_f32(float r) {
  return expm1_reduced_f32(r) + 1.0f;
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

// max(x, 0) with std::max's comparison, as PyTorch's relu (a clamp_min):
// NaN passes through, and so does -0.0.
template <typename T>
AG_ALWAYS_INLINE T relu(T x) {
  return x < T(0) ? T(0) : x;
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

// e^x - 1 from the same reduction: 2^n (e^r - 1) + (2^n - 1), both terms
// exact enough that no digits cancel near 0 (within about 2 ulp). For
// n > 24 the - 1 is below float's precision, and 2^n is applied in halves
// so that e^x near the overflow threshold does not overflow on the way.
AG_ALWAYS_INLINE float expm1_f32(float x) {
  constexpr float kMax = 88.72283935546875f;  // above: overflows to inf
  const float xc = x < -30.0f ? -30.0f : (x > kMax ? kMax : x);
  constexpr float kRound = 12582912.0f;
  const float n = (xc * 1.44269504088896341f + kRound) - kRound;
  const float r = (xc - n * 0.693145751953125f) - n * 1.428606765330187e-06f;
  const float em1 = expm1_reduced_f32(r);
  const auto ni = static_cast<int32_t>(n);
  const int32_t half = ni / 2;
  const float s1 = pow2_int(half), s2 = pow2_int(ni - half);
  const float scale = s1 * s2;
  const float moderate = em1 * scale + (scale - 1.0f);
  const float large = ((em1 + 1.0f) * s1) * s2 - 1.0f;
  float result = ni > 24 ? large : moderate;
  result = x > kMax ? INFINITY : result;
  return x == 0.0f || x != x ? x : result;  // keeps -0 and NaN
}

template <typename T>
AG_ALWAYS_INLINE T fast_expm1(T x) {
  if constexpr (std::is_same_v<T, float>) {
    return expm1_f32(x);
  } else {
    return std::expm1(x);
  }
}

// log x = e ln 2 + log m with x = m 2^e, m in [sqrt(1/2), sqrt(2)), and
// log(1 + f) = f - f^2 / 2 + f^3 p(f) for f = m - 1, p a degree-7
// least-squares fit (within about 1.5 ulp). ln 2 is split in two so e ln 2
// adds without rounding. Subnormal inputs are scaled into the normal range
// first; 0 gives -inf, negatives NaN, inf inf.
AG_ALWAYS_INLINE float log_f32(float x) {
  const bool subnormal = x < 1.17549435e-38f;
  const float xs = subnormal ? x * 8388608.0f : x;  // * 2^23
  int32_t bits;
  std::memcpy(&bits, &xs, sizeof(bits));
  int32_t e = ((bits >> 23) & 0xff) - 127 - (subnormal ? 23 : 0);
  const int32_t mantissa_bits = (bits & 0x007fffff) | 0x3f800000;
  float m;
  std::memcpy(&m, &mantissa_bits, sizeof(m));
  const bool upper = m > 1.41421356f;
  m = upper ? m * 0.5f : m;
  e = upper ? e + 1 : e;
  const float f = m - 1.0f;
  const float f2 = f * f;
  const float f4 = f2 * f2;
  // Estrin's order, for the latency (as in exp_reduced_f32).
  const float p = ((0.3333335518836975f - 0.250008523464203f * f) +
                   (0.19999825954437256f - 0.16621370613574982f * f) * f2) +
                  ((0.14227114617824554f - 0.13202103972434998f * f) +
                   (0.1262032687664032f - 0.07362867891788483f * f) * f2) *
                      f4;
  const auto ef = static_cast<float>(e);
  float result =
      (f - 0.5f * f2 + f2 * f * p + ef * -2.12194440e-4f) + ef * 0.693359375f;
  result = x == 0.0f ? -INFINITY : result;
  result = x < 0.0f ? std::numeric_limits<float>::quiet_NaN() : result;
  result = x == INFINITY ? INFINITY : result;
  return x != x ? x : result;
}

template <typename T>
AG_ALWAYS_INLINE T fast_log(T x) {
  if constexpr (std::is_same_v<T, float>) {
    return log_f32(x);
  } else {
    return std::log(x);
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

// Phi(x) for |x| < kNormalCdfCentral from one polynomial: a degree-12 fit
// of Phi on [-2.5, 0] in t = a + 2.5 (a = -|x|), whose low-order terms
// dominate where Phi is small, so x Phi(x) stays within about 5 ulp; on
// the right Phi(x) = 1 - Phi(-x). A third of normal_cdf_f32's cost (no exp,
// no division), for the rows whose inputs all lie in that range.
constexpr float kNormalCdfCentral = 2.5f;
AG_ALWAYS_INLINE float normal_cdf_central_f32(float x) {
  const float t = 2.5f - std::fabs(x);
  float p = 1.120562067e-06f;
  p = p * t - 1.339228033e-05f;
  p = p * t + 5.453418563e-05f;
  p = p * t - 8.124927179e-05f;
  p = p * t + 1.067666806e-04f;
  p = p * t - 3.829311390e-04f;
  p = p * t - 4.417336195e-04f;
  p = p * t + 6.385888397e-04f;
  p = p * t + 5.940746865e-03f;
  p = p * t + 1.533634885e-02f;
  p = p * t + 2.191043710e-02f;
  p = p * t + 1.752829898e-02f;
  p = p * t + 6.209665331e-03f;
  return x < 0.0f ? p : 1.0f - p;
}

// gelu and its derivative (below) for |x| < kNormalCdfCentral.
AG_ALWAYS_INLINE float gelu_central_f32(float x) {
  return x * normal_cdf_central_f32(x);
}
AG_ALWAYS_INLINE float gelu_derivative_central_f32(float x) {
  return normal_cdf_central_f32(x) +
         x * 0.39894228040143267794f * exp_nonpositive_f32(-0.5f * x * x);
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
