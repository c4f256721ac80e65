// Row reductions (maximum, sums) written with GCC/Clang vector extensions.
// Lane arrays in plain loops are often left scalar by the vectorizer (their
// accumulators stay in memory); vector-typed accumulators live in registers.
//
// Included inside a kernel file's ISA region (after AG_ISA_BEGIN, see
// isa.h), so each build gets its own copy at its native width: 64-byte
// vectors in the AVX-512 build, 32-byte ones in the AVX2 build, 16-byte
// (SSE2) ones in the baseline build.
// The including file provides <cstdint>, <cstring> and <limits> first.

namespace simd {

#if defined(AG_ISA_AVX512)
constexpr int kBytes = 64;
#elif defined(AG_ISA_AVX2)
constexpr int kBytes = 32;
#else
constexpr int kBytes = 16;
#endif

template <typename T>
struct VecOf;
template <>
struct VecOf<float> {
  typedef float type __attribute__((vector_size(kBytes)));
};
template <>
struct VecOf<double> {
  typedef double type __attribute__((vector_size(kBytes)));
};
template <typename T>
using Vec = typename VecOf<T>::type;
template <typename T>
constexpr int64_t kWidth = static_cast<int64_t>(kBytes / sizeof(T));

template <typename T>
inline Vec<T> load(const T* p) {
  Vec<T> v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

template <typename T>
inline double lanes_sum(const Vec<T>& v) {
  double total = 0;
  for (int64_t k = 0; k < kWidth<T>; ++k) total += static_cast<double>(v[k]);
  return total;
}

// max that keeps a NaN once one is seen.
template <typename T>
inline T nan_max(T a, T b) {
  return (b > a || b != b) ? b : a;
}

// The maximum of x[0..n), or NaN if any element is NaN.
template <typename T>
inline T row_max(const T* x, int64_t n) {
  constexpr int64_t w = kWidth<T>;
  const T lowest = -std::numeric_limits<T>::infinity();
  Vec<T> m0 = Vec<T>{} + lowest, m1 = m0;
  int64_t i = 0;
  for (; i + 2 * w <= n; i += 2 * w) {
    const Vec<T> a = load(x + i), b = load(x + i + w);
    m0 = (a > m0 || a != a) ? a : m0;
    m1 = (b > m1 || b != b) ? b : m1;
  }
  T best = lowest;
  for (; i < n; ++i) best = nan_max(best, x[i]);
  for (int64_t k = 0; k < w; ++k) best = nan_max(nan_max(best, m0[k]), m1[k]);
  return best;
}

// The sum over i in [0, n) of the T-vector f(i) (elements i .. i+width-1),
// with g(i) for the scalar tail. Lanes sum blocks of up to 256 elements in
// T before each block is added in double, so long rows keep precision.
template <typename T, typename VecF, typename ScalarF>
inline double row_sum(int64_t n, const VecF& f, const ScalarF& g) {
  constexpr int64_t w = kWidth<T>;
  constexpr int64_t kBlock = 256;
  double total = 0;
  int64_t i = 0;
  while (i + 2 * w <= n) {
    Vec<T> s0{}, s1{};
    const int64_t stop = i + kBlock < n ? i + kBlock : n;
    for (; i + 2 * w <= stop; i += 2 * w) {
      s0 += f(i);
      s1 += f(i + w);
    }
    total += lanes_sum<T>(s0 + s1);
  }
  for (; i < n; ++i) total += static_cast<double>(g(i));
  return total;
}

}  // namespace simd
