// float32 matrix products for CPUs with AVX-512, in place of BLAS's: B is
// packed in panels of 64 columns, and a 4 x 64 tile of C (16 of the 32
// registers) accumulates over a block of the depth, so each element of B
// loaded serves four rows and each element of A broadcast serves four
// vectors. On the products of this library's workloads (K of 128-1024, N a
// multiple of 64) it runs 10-20% faster than OpenBLAS's AVX-512 kernel on
// the same core, packing included. Built only for AVX-512 (see isa.h);
// cpu::gemm calls it through kernels::packed_gemm where it applies.

#if defined(AG_ISA_AVX512)

#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "kernels/cpu/isa.h"  // last: opens the ISA region

namespace ag::kernels {
AG_ISA_BEGIN

namespace {

constexpr int64_t kPanel = 64;           // columns of B per packed panel
constexpr int64_t kDepthBlock = 256;     // a 64 KB panel stays in L2
constexpr int64_t kRowBlock = 256;       // rows of A reused across the panels
constexpr int64_t kGroupFloats = 65536;  // 256 KB of packed panels at a time

// The unpack and shuffle steps of transpose16. The masked forms, with
// every lane selected: the plain intrinsics pass an undefined vector as
// their masked-off source, which GCC 12 reports as an uninitialised read.
__m512 interleave_lo(__m512 a, __m512 b) {
  return _mm512_mask_unpacklo_ps(a, 0xFFFF, a, b);
}
__m512 interleave_hi(__m512 a, __m512 b) {
  return _mm512_mask_unpackhi_ps(a, 0xFFFF, a, b);
}
__m512 interleave_pairs_lo(__m512 a, __m512 b) {
  const __m512d x = _mm512_castps_pd(a);
  return _mm512_castpd_ps(
      _mm512_mask_unpacklo_pd(x, 0xFF, x, _mm512_castps_pd(b)));
}
__m512 interleave_pairs_hi(__m512 a, __m512 b) {
  const __m512d x = _mm512_castps_pd(a);
  return _mm512_castpd_ps(
      _mm512_mask_unpackhi_pd(x, 0xFF, x, _mm512_castps_pd(b)));
}
// Quarters 0 and 2 of a, then of b (even), or 1 and 3 (odd).
__m512 even_quarters(__m512 a, __m512 b) {
  return _mm512_mask_shuffle_f32x4(a, 0xFFFF, a, b, 0x88);
}
__m512 odd_quarters(__m512 a, __m512 b) {
  return _mm512_mask_shuffle_f32x4(a, 0xFFFF, a, b, 0xdd);
}

// r[i] becomes column i of the 16 x 16 matrix whose rows r holds: pairs of
// rows interleaved, then pairs of pairs, then the 128-bit quarters twice.
void transpose16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = interleave_lo(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = interleave_hi(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 4; ++i) {
    r[4 * i] = interleave_pairs_lo(t[4 * i], t[4 * i + 2]);
    r[4 * i + 1] = interleave_pairs_hi(t[4 * i], t[4 * i + 2]);
    r[4 * i + 2] = interleave_pairs_lo(t[4 * i + 1], t[4 * i + 3]);
    r[4 * i + 3] = interleave_pairs_hi(t[4 * i + 1], t[4 * i + 3]);
  }
  for (int i = 0; i < 4; ++i) {
    t[i] = even_quarters(r[i], r[i + 4]);
    t[i + 4] = odd_quarters(r[i], r[i + 4]);
    t[i + 8] = even_quarters(r[i + 8], r[i + 12]);
    t[i + 12] = odd_quarters(r[i + 8], r[i + 12]);
  }
  for (int i = 0; i < 4; ++i) {
    r[i] = even_quarters(t[i], t[i + 8]);
    r[i + 8] = odd_quarters(t[i], t[i + 8]);
    r[i + 4] = even_quarters(t[i + 4], t[i + 12]);
    r[i + 12] = odd_quarters(t[i + 4], t[i + 12]);
  }
}

// B's rows [0, depth), columns [0, n) (element (p, j) at b[p * rs + j * cs])
// into panels of kPanel columns, zero-padded: panel q holds row p at
// packed + (q * depth + p) * kPanel.
void pack_panels(int64_t depth, int64_t n, const float* b, int64_t rs,
                 int64_t cs, float* packed) {
  const int64_t panels = (n + kPanel - 1) / kPanel;
  for (int64_t q = 0; q < panels; ++q) {
    const int64_t cols = std::min(kPanel, n - q * kPanel);
    float* panel = packed + q * depth * kPanel;
    const float* in = b + q * kPanel * cs;
    if (cs == 1) {
      for (int64_t p = 0; p < depth; ++p) {
        std::copy(in + p * rs, in + p * rs + cols, panel + p * kPanel);
      }
    } else {
      // B stored transposed: 16 x 16 blocks transposed in registers (or,
      // at the edges, through a buffer), each of B's rows read along
      // memory. Read a column at a time, the panel's 64
      // rows of B, often a power of two apart, would fight over a few
      // cache sets.
      for (int64_t p0 = 0; p0 < depth; p0 += 16) {
        const int64_t pn = std::min<int64_t>(16, depth - p0);
        for (int64_t j0 = 0; j0 < cols; j0 += 16) {
          const int64_t jn = std::min<int64_t>(16, cols - j0);
          if (pn == 16 && jn == 16 && rs == 1) {
            __m512 rows[16];
            for (int j = 0; j < 16; ++j) {
              rows[j] = _mm512_loadu_ps(in + (j0 + j) * cs + p0);
            }
            transpose16(rows);
            for (int p = 0; p < 16; ++p) {
              _mm512_storeu_ps(panel + (p0 + p) * kPanel + j0, rows[p]);
            }
            continue;
          }
          float block[16][16];
          for (int64_t j = 0; j < jn; ++j) {
            const float* src = in + (j0 + j) * cs + p0 * rs;
            for (int64_t p = 0; p < pn; ++p) block[j][p] = src[p * rs];
          }
          for (int64_t p = 0; p < pn; ++p) {
            float* dst = panel + (p0 + p) * kPanel + j0;
            for (int64_t j = 0; j < jn; ++j) dst[j] = block[j][p];
          }
        }
      }
    }
    if (cols < kPanel) {
      for (int64_t p = 0; p < depth; ++p) {
        std::fill(panel + p * kPanel + cols, panel + (p + 1) * kPanel, 0.0f);
      }
    }
  }
}

__mmask16 lanes_below(int64_t count) {
  if (count >= 16) return 0xFFFF;
  if (count <= 0) return 0;
  return static_cast<__mmask16>((1u << count) - 1);
}

// C's rows [0, MR), columns [0, cols) (rows ldc apart) = A's rows (element
// (r, p) at a[r * sr + p * sp]) times one panel over `depth`, added to C
// when `accumulate`.
template <int MR>
void tile(int64_t depth, const float* a, int64_t sr, int64_t sp,
          const float* panel, float* c, int64_t ldc, int64_t cols,
          bool accumulate) {
  __m512 acc[MR][4];
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < 4; ++v) acc[r][v] = _mm512_setzero_ps();
  }
  for (int64_t p = 0; p < depth; ++p) {
    const float* bp = panel + p * kPanel;
    __m512 b[4];
#pragma GCC unroll 4
    for (int v = 0; v < 4; ++v) b[v] = _mm512_loadu_ps(bp + 16 * v);
#pragma GCC unroll 4
    for (int r = 0; r < MR; ++r) {
      const __m512 s = _mm512_set1_ps(a[r * sr + p * sp]);
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v)
        acc[r][v] = _mm512_fmadd_ps(s, b[v], acc[r][v]);
    }
  }
  __mmask16 mask[4];
#pragma GCC unroll 4
  for (int v = 0; v < 4; ++v) mask[v] = lanes_below(cols - 16 * v);
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r) {
    float* row = c + r * ldc;
#pragma GCC unroll 4
    for (int v = 0; v < 4; ++v) {
      if (mask[v] == 0) continue;
      __m512 out = acc[r][v];
      if (accumulate) {
        out = _mm512_add_ps(out, _mm512_maskz_loadu_ps(mask[v], row + 16 * v));
      }
      _mm512_mask_storeu_ps(row + 16 * v, mask[v], out);
    }
  }
}

// Rows [0, m) in tiles of four, the last tile shorter: tile t starts at
// a + t * tile_step, its element (i, p) at i * sr + p * sp from there.
void rows_times_panel(int64_t m, int64_t depth, const float* a,
                      int64_t tile_step, int64_t sr, int64_t sp,
                      const float* panel, float* c, int64_t ldc, int64_t cols,
                      bool accumulate) {
  int64_t r = 0;
  for (; r + 4 <= m; r += 4) {
    tile<4>(depth, a + r / 4 * tile_step, sr, sp, panel, c + r * ldc, ldc, cols,
            accumulate);
  }
  const float* ar = a + r / 4 * tile_step;
  float* cr = c + r * ldc;
  switch (m - r) {
    case 3:
      return tile<3>(depth, ar, sr, sp, panel, cr, ldc, cols, accumulate);
    case 2:
      return tile<2>(depth, ar, sr, sp, panel, cr, ldc, cols, accumulate);
    case 1:
      return tile<1>(depth, ar, sr, sp, panel, cr, ldc, cols, accumulate);
    default:
      return;
  }
}

// Floats from one packed tile of A to the next: its (depth, 4) values and a
// cache line more, so that the tiles written together while packing do not
// all fall into the same cache sets (a power-of-two stride would).
int64_t packed_tile_step(int64_t depth) {
  return 4 * depth + 16;
}

// A's rows [0, rows), columns [0, depth) (element (r, p) at a[r + p * lda]:
// A stored transposed) into tiles of four rows, each (depth, 4) contiguous,
// packed_tile_step apart. Read in place, a tile's four values of one p
// share a cache line with the next three tiles', which the panel evicts
// before they come. Packed one p at a time, the reads run along memory.
void pack_transposed_rows(int64_t rows, int64_t depth, const float* a,
                          int64_t lda, float* packed) {
  const int64_t step = packed_tile_step(depth);
  const int64_t full = rows / 4 * 4;
  for (int64_t p = 0; p < depth; ++p) {
    const float* in = a + p * lda;
    float* out = packed + p * 4;
    for (int64_t r = 0; r < full; r += 4) {
      std::memcpy(out + r / 4 * step, in + r, 4 * sizeof(float));
    }
    for (int64_t r = full; r < rows; ++r) {
      out[full / 4 * step + (r - full)] = in[r];
    }
  }
}

}  // namespace

void packed_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k,
                 const float* a, int64_t lda, const float* b, int64_t ldb,
                 float* c, int64_t ldc, bool accumulate) {
  const int64_t sr = ta ? 1 : lda, sp = ta ? lda : 1;
  const int64_t rs = tb ? 1 : ldb, cs = tb ? ldb : 1;
  const int64_t panels = (n + kPanel - 1) / kPanel;
  const int64_t depth_max = std::min(k, kDepthBlock);
  // Panels are packed and used a group at a time, the group small enough to
  // stay in L2 with a block of A while every row block passes over it.
  const int64_t group = std::min(
      panels, std::max<int64_t>(1, kGroupFloats / (depth_max * kPanel)));
  // Buffers per thread, kept: the products run on the pool's threads.
  thread_local std::vector<float> packed, packed_a;
  packed.resize(static_cast<size_t>(group * kPanel * depth_max));
  // Packing A pays once a second panel reuses it; for one, A is read in
  // place.
  const bool pack_a = ta && group >= 2;
  if (pack_a) {
    packed_a.resize(
        static_cast<size_t>((kRowBlock + 3) / 4 * packed_tile_step(depth_max)));
  }
  for (int64_t p0 = 0; p0 < k; p0 += kDepthBlock) {
    const int64_t depth = std::min(kDepthBlock, k - p0);
    const bool add = accumulate || p0 > 0;
    for (int64_t g0 = 0; g0 < panels; g0 += group) {
      const int64_t g_end = std::min(panels, g0 + group);
      const int64_t col0 = g0 * kPanel;
      pack_panels(depth, std::min(n, g_end * kPanel) - col0,
                  b + p0 * rs + col0 * cs, rs, cs, packed.data());
      for (int64_t r0 = 0; r0 < m; r0 += kRowBlock) {
        const int64_t rows = std::min(kRowBlock, m - r0);
        const float* a_block = a + r0 * sr + p0 * sp;
        int64_t tile_step = 4 * sr, tsr = sr, tsp = sp;
        if (pack_a) {
          pack_transposed_rows(rows, depth, a_block, lda, packed_a.data());
          a_block = packed_a.data();
          tile_step = packed_tile_step(depth);
          tsr = 1;
          tsp = 4;
        }
        for (int64_t q = g0; q < g_end; ++q) {
          rows_times_panel(rows, depth, a_block, tile_step, tsr, tsp,
                           packed.data() + (q - g0) * depth * kPanel,
                           c + r0 * ldc + q * kPanel, ldc,
                           std::min(kPanel, n - q * kPanel), add);
        }
      }
    }
  }
}

AG_ISA_END
}  // namespace ag::kernels

#endif  // AG_ISA_AVX512
