// The recurrent layers' step kernels (ops/rnn.cpp): the LSTM cell's
// elementwise part, forward and backward, in one pass over the gates per
// step, and the product of a few rows with a weight packed once for all
// steps. Work is split across the pool only when a task gets enough of it
// to pay for waking a thread.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "core/dispatch.h"
#include "kernels/cpu/isa.h"  // last: opens the ISA region
#include "kernels/cpu/vec_math.h"
#include "kernels/nn.h"
#include "kernels/parallel.h"

#if defined(AG_ISA_AVX2) || defined(AG_ISA_AVX512)
#include <immintrin.h>
#endif

namespace ag::kernels {
AG_ISA_BEGIN

namespace {

// Cells per task: each costs a few exponentials, so far fewer than
// kGrainSize's plain elements fill a task.
constexpr int64_t kCellsPerTask = 4096;

template <typename T>
AG_ALWAYS_INLINE T sigmoid_of(T x) {
  return T(1) / (T(1) + cpu::fast_exp(-x));
}

template <typename T>
const T* data_of(const Tensor& t) {
  return t.defined() ? static_cast<const T*>(t.raw_data()) : nullptr;
}

void check_contiguous(std::initializer_list<const Tensor*> ts,
                      const char* what) {
  for (const Tensor* t : ts) {
    AG_CHECK(!t->defined() || t->is_contiguous(), what,
             ": operands must be contiguous");
  }
}

// One row of cells. The pointers are restrict parameters (GCC ignores
// restrict on local pointers), so the loop vectorises without alias checks.
template <typename T>
void lstm_row(int64_t hidden, const T* __restrict x, const T* __restrict hh,
              const T* __restrict c_prev, T* __restrict gates, T* __restrict c,
              T* __restrict h) {
  for (int64_t j = 0; j < hidden; ++j) {
    // The same operations, in the same order, as the composed cell:
    // gates = x + hh; c' = f c + i g; h' = o tanh(c').
    const T i = sigmoid_of<T>(x[j] + hh[j]);
    const T f = sigmoid_of<T>(x[hidden + j] + hh[hidden + j]);
    const T g = cpu::fast_tanh(x[2 * hidden + j] + hh[2 * hidden + j]);
    const T o = sigmoid_of<T>(x[3 * hidden + j] + hh[3 * hidden + j]);
    const T cn = f * c_prev[j] + i * g;
    gates[j] = i;
    gates[hidden + j] = f;
    gates[2 * hidden + j] = g;
    gates[3 * hidden + j] = o;
    c[j] = cn;
    h[j] = o * cpu::fast_tanh(cn);
  }
}

template <typename T>
void lstm_row_backward(int64_t hidden, const T* __restrict gates,
                       const T* __restrict c_prev, const T* __restrict c,
                       const T* __restrict dh, const T* __restrict dh2,
                       const T* __restrict dc, T* __restrict d_gates,
                       T* __restrict dc_prev) {
  for (int64_t j = 0; j < hidden; ++j) {
    const T i = gates[j], f = gates[hidden + j], g = gates[2 * hidden + j],
            o = gates[3 * hidden + j];
    const T d_h = dh[j] + dh2[j];
    const T tc = cpu::fast_tanh(c[j]);
    // d(c) from h = o tanh(c) and from the next step (or c_n).
    const T d_c = dc[j] + d_h * o * (T(1) - tc * tc);
    d_gates[j] = d_c * g * (i * (T(1) - i));
    d_gates[hidden + j] = d_c * c_prev[j] * (f * (T(1) - f));
    d_gates[2 * hidden + j] = d_c * i * (T(1) - g * g);
    d_gates[3 * hidden + j] = d_h * tc * (o * (T(1) - o));
    dc_prev[j] = d_c * f;
  }
}

#include "kernels/cpu/simd.h"  // inside the region: this build's width

template <typename T>
using Vec = simd::Vec<T>;

// acc + a * b, one rounding where the build has FMA.
template <typename T>
AG_ALWAYS_INLINE Vec<T> multiply_add(Vec<T> a, Vec<T> b, Vec<T> acc) {
#if defined(AG_ISA_AVX512)
  if constexpr (std::is_same_v<T, float>) {
    return (Vec<T>)_mm512_fmadd_ps((__m512)a, (__m512)b, (__m512)acc);
  } else {
    return (Vec<T>)_mm512_fmadd_pd((__m512d)a, (__m512d)b, (__m512d)acc);
  }
#elif defined(AG_ISA_AVX2)
  if constexpr (std::is_same_v<T, float>) {
    return (Vec<T>)_mm256_fmadd_ps((__m256)a, (__m256)b, (__m256)acc);
  } else {
    return (Vec<T>)_mm256_fmadd_pd((__m256d)a, (__m256d)b, (__m256d)acc);
  }
#else
  return acc + a * b;
#endif
}

// *p in every lane (one load where the build has AVX2).
template <typename T>
AG_ALWAYS_INLINE Vec<T> broadcast(const T* p) {
#if defined(AG_ISA_AVX512)
  if constexpr (std::is_same_v<T, float>) {
    return (Vec<T>)_mm512_set1_ps(*p);
  } else {
    return (Vec<T>)_mm512_set1_pd(*p);
  }
#elif defined(AG_ISA_AVX2)
  if constexpr (std::is_same_v<T, float>) {
    return (Vec<T>)_mm256_set1_ps(*p);
  } else {
    return (Vec<T>)_mm256_set1_pd(*p);
  }
#else
  return Vec<T>{} + *p;
#endif
}

// The register tile of the packed product: kTileRows rows by a strip of
// kStripVectors vectors of a panel. AVX-512's 32 registers hold 4 x 4
// accumulators of a whole 64-float panel, so each element of B loaded
// serves four rows and each broadcast four vectors; the 16 registers of
// AVX2 and SSE hold 6 x 2 over a quarter panel (twelve accumulators cover
// the FMA latency).
#if defined(AG_ISA_AVX512)
constexpr int kTileRows = 4;
template <typename T>
constexpr int64_t kStripVectors = 4;
#else
constexpr int kTileRows = 6;
template <typename T>
constexpr int64_t kStripVectors = 64 / sizeof(T) / simd::kWidth<T>;
#endif
template <typename T>
constexpr int64_t kStrip = kStripVectors<T> * simd::kWidth<T>;
static_assert(packed_panel_width(sizeof(float)) % kStrip<float> == 0 &&
              packed_panel_width(sizeof(double)) % kStrip<double> == 0);

// Rows [0, MR) of a (lda apart) times one strip of a packed panel (rows
// `width` apart): C's rows (ldc apart), columns [0, cols) of the strip. The
// accumulators stay in registers over the whole depth.
template <typename T, int MR>
void strip_rows(int64_t depth, const T* a, int64_t lda, const T* strip, T* c,
                int64_t ldc, int64_t cols) {
  constexpr int64_t w = simd::kWidth<T>;
  constexpr int64_t nv = kStripVectors<T>;
  constexpr int64_t width = packed_panel_width(sizeof(T));
  Vec<T> acc[MR][nv];
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 8
    for (int64_t v = 0; v < nv; ++v) acc[r][v] = Vec<T>{};
  }
  for (int64_t p = 0; p < depth; ++p) {
    const T* bp = strip + p * width;
    Vec<T> b[nv];
#pragma GCC unroll 8
    for (int64_t v = 0; v < nv; ++v) b[v] = simd::load(bp + v * w);
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
      const Vec<T> s = broadcast<T>(a + r * lda + p);
#pragma GCC unroll 8
      for (int64_t v = 0; v < nv; ++v) {
        acc[r][v] = multiply_add<T>(s, b[v], acc[r][v]);
      }
    }
  }
  if (cols == nv * w) {
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 8
      for (int64_t v = 0; v < nv; ++v) {
        const Vec<T> out = acc[r][v];
        std::memcpy(c + r * ldc + v * w, &out, sizeof(out));
      }
    }
    return;
  }
  for (int r = 0; r < MR; ++r) {
    T row[nv * w];
#pragma GCC unroll 8
    for (int64_t v = 0; v < nv; ++v) {
      const Vec<T> out = acc[r][v];
      std::memcpy(row + v * w, &out, sizeof(out));
    }
    std::memcpy(c + r * ldc, row, static_cast<size_t>(cols) * sizeof(T));
  }
}

// Rows in blocks of kTileRows, the last block shorter.
template <typename T, int MR = kTileRows>
void strip_product(int64_t m, int64_t depth, const T* a, int64_t lda,
                   const T* strip, T* c, int64_t ldc, int64_t cols) {
  int64_t r = 0;
  for (; r + MR <= m; r += MR) {
    strip_rows<T, MR>(depth, a + r * lda, lda, strip, c + r * ldc, ldc, cols);
  }
  if constexpr (MR > 1) {
    if (r < m) {
      // One shorter block: the largest tile that fits, then what is left.
      strip_product<T, MR - 1>(m - r, depth, a + r * lda, lda, strip,
                               c + r * ldc, ldc, cols);
    }
  }
}

// One packed panel: its strips, each over all rows while it is in cache.
template <typename T>
void panel_product(int64_t m, int64_t depth, const T* a, int64_t lda,
                   const T* panel, T* c, int64_t ldc, int64_t cols) {
  for (int64_t j = 0; j < cols; j += kStrip<T>) {
    strip_product<T>(m, depth, a, lda, panel + j, c + j, ldc,
                     std::min(kStrip<T>, cols - j));
  }
}

int64_t rows_per_task(int64_t hidden) {
  return std::max<int64_t>(1, kCellsPerTask / std::max<int64_t>(1, hidden));
}

}  // namespace

void lstm_cell(const Tensor& x, const Tensor& hh, const Tensor& c_prev,
               const Tensor& gates, const Tensor& c, const Tensor& h) {
  check_contiguous({&x, &hh, &c_prev, &gates, &c, &h}, "lstm_cell kernel");
  const int64_t rows = c.size(0), hidden = c.size(1);
  dispatch_floating(c.dtype(), "lstm_cell", [&](auto tag) {
    using T = decltype(tag);
    const T* px = data_of<T>(x);
    const T* ph = data_of<T>(hh);
    const T* pc0 = data_of<T>(c_prev);
    T* pg = static_cast<T*>(gates.raw_data());
    T* pc = static_cast<T*>(c.raw_data());
    T* pout = static_cast<T*>(h.raw_data());
    parallel_for(0, rows, rows_per_task(hidden), [&](int64_t lo, int64_t hi) {
      for (int64_t r = lo; r < hi; ++r) {
        lstm_row<T>(hidden, px + r * 4 * hidden, ph + r * 4 * hidden,
                    pc0 + r * hidden, pg + r * 4 * hidden, pc + r * hidden,
                    pout + r * hidden);
      }
    });
  });
}

void lstm_cell_backward(const Tensor& gates, const Tensor& c_prev,
                        const Tensor& c, const Tensor& dh, const Tensor& dh2,
                        const Tensor& dc, const Tensor& d_gates,
                        const Tensor& dc_prev) {
  check_contiguous({&gates, &c_prev, &c, &dh, &dh2, &dc, &d_gates, &dc_prev},
                   "lstm_cell_backward kernel");
  const int64_t rows = c.size(0), hidden = c.size(1);
  dispatch_floating(c.dtype(), "lstm_cell_backward", [&](auto tag) {
    using T = decltype(tag);
    // An undefined gradient reads as a row of zeros.
    const std::vector<T> zeros(static_cast<size_t>(hidden), T(0));
    auto rows_of = [&](const Tensor& t, int64_t r) {
      return t.defined() ? data_of<T>(t) + r * hidden : zeros.data();
    };
    const T* pg = data_of<T>(gates);
    const T* pc0 = data_of<T>(c_prev);
    const T* pc = data_of<T>(c);
    T* pdg = static_cast<T*>(d_gates.raw_data());
    T* pdc0 = static_cast<T*>(dc_prev.raw_data());
    parallel_for(0, rows, rows_per_task(hidden), [&](int64_t lo, int64_t hi) {
      for (int64_t r = lo; r < hi; ++r) {
        lstm_row_backward<T>(hidden, pg + r * 4 * hidden, pc0 + r * hidden,
                             pc + r * hidden, rows_of(dh, r), rows_of(dh2, r),
                             rows_of(dc, r), pdg + r * 4 * hidden,
                             pdc0 + r * hidden);
      }
    });
  });
}

void pack_rhs(const Tensor& b, const Tensor& packed) {
  AG_CHECK(
      b.dim() == 2 && packed.is_contiguous() &&
          packed.numel() == packed_rhs_numel(b.size(0), b.size(1), b.dtype()),
      "pack_rhs kernel: packed must hold packed_rhs_numel elements");
  const int64_t depth = b.size(0), n = b.size(1);
  const int64_t s0 = b.stride(0), s1 = b.stride(1);
  dispatch_floating(b.dtype(), "pack_rhs", [&](auto tag) {
    using T = decltype(tag);
    constexpr int64_t width = packed_panel_width(sizeof(T));
    const T* src = static_cast<const T*>(b.raw_data());
    T* dst = static_cast<T*>(packed.raw_data());
    const int64_t panels = (n + width - 1) / width;
    for (int64_t q = 0; q < panels; ++q) {
      const int64_t cols = std::min(width, n - q * width);
      for (int64_t p = 0; p < depth; ++p) {
        T* out = dst + (q * depth + p) * width;
        const T* in = src + p * s0 + q * width * s1;
        for (int64_t j = 0; j < cols; ++j) out[j] = in[j * s1];
        for (int64_t j = cols; j < width; ++j) out[j] = T(0);
      }
    }
  });
}

void packed_matmul(const Tensor& a, const Tensor& packed, const Tensor& out) {
  const int64_t m = out.size(0), n = out.size(1), depth = a.size(1);
  AG_CHECK(a.dim() == 2 && a.size(0) == m && a.stride(1) == 1 &&
               out.is_contiguous() &&
               packed.numel() == packed_rhs_numel(depth, n, a.dtype()),
           "packed_matmul kernel: operands do not match");
  if (m == 0 || n == 0) return;
  dispatch_floating(a.dtype(), "packed_matmul", [&](auto tag) {
    using T = decltype(tag);
    constexpr int64_t width = packed_panel_width(sizeof(T));
    const T* pa = static_cast<const T*>(a.raw_data());
    const T* pb = static_cast<const T*>(packed.raw_data());
    T* pc = static_cast<T*>(out.raw_data());
    const int64_t lda = std::max<int64_t>(a.stride(0), 1);
    const int64_t panels = (n + width - 1) / width;
    // Panels per task: at least kMinPanelFlops of work each.
    constexpr int64_t kMinPanelFlops = int64_t{1} << 18;
    const int64_t grain = std::max<int64_t>(
        1, kMinPanelFlops / std::max<int64_t>(1, 2 * m * depth * width));
    parallel_for(0, panels, grain, [&](int64_t lo, int64_t hi) {
      for (int64_t q = lo; q < hi; ++q) {
        panel_product<T>(m, depth, pa, lda, pb + q * depth * width,
                         pc + q * width, n, std::min(width, n - q * width));
      }
    });
  });
}

AG_ISA_END
}  // namespace ag::kernels
