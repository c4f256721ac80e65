// Pooling over planes, and the index gather/scatter that max pooling's and
// nll_loss's gradients are built from. Planes are independent, so threads
// split the plane range.

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "core/dispatch.h"
#include "kernels/cpu/isa.h"  // last: opens the ISA region
#include "kernels/nn.h"
#include "kernels/parallel.h"

namespace ag::kernels {
AG_ISA_BEGIN

namespace {

template <typename T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::isnan(v);
  } else {
    (void)v;
    return false;
  }
}

int64_t plane_grain(const Window2d& w) {
  const int64_t work = w.out_h * w.out_w * w.kh * w.kw;
  return std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, work));
}

// The window of output (oh, ow) clipped to the padded input and to the
// input itself, in PyTorch's avg_pool convention.
struct AvgWindow {
  int64_t h0, h1, w0, w1;  // clipped to the input
  int64_t padded_size;     // size clipped only to the padded input
};

AvgWindow avg_window(const Window2d& w, int64_t oh, int64_t ow) {
  int64_t h0 = oh * w.sh - w.ph, w0 = ow * w.sw - w.pw;
  int64_t h1 = std::min(h0 + w.kh, w.in_h + w.ph);
  int64_t w1 = std::min(w0 + w.kw, w.in_w + w.pw);
  const int64_t padded = (h1 - h0) * (w1 - w0);
  h0 = std::max<int64_t>(h0, 0);
  w0 = std::max<int64_t>(w0, 0);
  h1 = std::min(h1, w.in_h);
  w1 = std::min(w1, w.in_w);
  return {h0, h1, w0, w1, padded};
}

int64_t avg_divisor(const AvgWindow& a, bool count_include_pad,
                    int64_t divisor_override) {
  if (divisor_override != 0) return divisor_override;
  return count_include_pad ? a.padded_size : (a.h1 - a.h0) * (a.w1 - a.w0);
}

// The common 2x2 window with stride 2, every window inside the input: per
// row of outputs, one loop finds each window's maximum and which of its
// four elements won (in the generic loop's order of comparisons, so ties
// and NaNs resolve the same way), a second turns that into the flat index.
// Locals and selects keep both loops branch-free and vectorised: stores to
// the int64 indices could otherwise alias the window's fields, and the
// compiler turned the selects into branches that real data mispredicts.
template <typename T>
void max_pool_pairs(const T* x, int64_t in_w, int64_t out_h, int64_t out_w,
                    T* y, int64_t* idx) {
  constexpr int64_t kChunk = 256;
  int32_t which[kChunk];
  for (int64_t oh = 0; oh < out_h; ++oh) {
    const int64_t top = 2 * oh * in_w;
    for (int64_t c0 = 0; c0 < out_w; c0 += kChunk) {
      const int64_t m = std::min(kChunk, out_w - c0);
      const T* __restrict r0 = x + top + 2 * c0;
      const T* __restrict r1 = r0 + in_w;
      T* __restrict yo = y + oh * out_w + c0;
      for (int64_t i = 0; i < m; ++i) {
        T best = r0[2 * i];
        int32_t k = 0;
        const T cand[3] = {r0[2 * i + 1], r1[2 * i], r1[2 * i + 1]};
        for (int32_t j = 0; j < 3; ++j) {
          // A later NaN replaces an earlier one, as in PyTorch.
          const bool take = (cand[j] > best) | (cand[j] != cand[j]);
          best = take ? cand[j] : best;
          k = take ? j + 1 : k;
        }
        yo[i] = best;
        which[i] = k;
      }
      int64_t* __restrict io = idx + oh * out_w + c0;
      const int64_t first = top + 2 * c0;
      for (int64_t i = 0; i < m; ++i) {
        io[i] = first + 2 * i + (which[i] & 1) + (which[i] >> 1) * in_w;
      }
    }
  }
}

}  // namespace

void max_pool2d(const Tensor& in, const Window2d& w, const Tensor& out,
                const Tensor& indices) {
  AG_CHECK(in.is_contiguous() && out.is_contiguous() && indices.is_contiguous(),
           "max_pool2d kernel: operands must be contiguous");
  const int64_t planes = in.numel() == 0 ? 0 : in.size(0);
  const int64_t in_plane = w.in_h * w.in_w, out_plane = w.out_h * w.out_w;
  dispatch_all(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* x = static_cast<const T*>(in.raw_data());
    T* y = static_cast<T*>(out.raw_data());
    auto* idx = static_cast<int64_t*>(indices.raw_data());
    // The common 2x2 window with stride 2 and every window inside the
    // input: a straight loop over pairs of rows, with the generic loop's
    // order of comparisons (so ties and NaNs resolve the same way).
    const bool pairs = w.kh == 2 && w.kw == 2 && w.sh == 2 && w.sw == 2 &&
                       w.ph == 0 && w.pw == 0 && w.dh == 1 && w.dw == 1 &&
                       2 * w.out_h <= w.in_h && 2 * w.out_w <= w.in_w;
    parallel_for(0, planes, plane_grain(w), [&](int64_t lo, int64_t hi) {
      for (int64_t p = lo; p < hi; ++p) {
        const T* xp = x + p * in_plane;
        if (pairs) {
          max_pool_pairs(xp, w.in_w, w.out_h, w.out_w, y + p * out_plane,
                         idx + p * out_plane);
          continue;
        }
        for (int64_t oh = 0; oh < w.out_h; ++oh) {
          int64_t h0 = oh * w.sh - w.ph;
          while (h0 < 0) h0 += w.dh;
          const int64_t h1 =
              std::min(oh * w.sh - w.ph + (w.kh - 1) * w.dh + 1, w.in_h);
          for (int64_t ow = 0; ow < w.out_w; ++ow) {
            int64_t w0 = ow * w.sw - w.pw;
            while (w0 < 0) w0 += w.dw;
            const int64_t w1 =
                std::min(ow * w.sw - w.pw + (w.kw - 1) * w.dw + 1, w.in_w);
            T best = std::numeric_limits<T>::has_infinity
                         ? -std::numeric_limits<T>::infinity()
                         : std::numeric_limits<T>::lowest();
            int64_t best_at = h0 * w.in_w + w0;
            for (int64_t ih = h0; ih < h1; ih += w.dh) {
              for (int64_t iw = w0; iw < w1; iw += w.dw) {
                const T v = xp[ih * w.in_w + iw];
                // A later NaN replaces an earlier one, as in PyTorch.
                if (v > best || is_nan(v)) {
                  best = v;
                  best_at = ih * w.in_w + iw;
                }
              }
            }
            const int64_t o = p * out_plane + oh * w.out_w + ow;
            y[o] = best;
            idx[o] = best_at;
          }
        }
      }
    });
  });
}

void avg_pool2d(const Tensor& in, const Window2d& w, bool count_include_pad,
                int64_t divisor_override, const Tensor& out) {
  AG_CHECK(in.is_contiguous() && out.is_contiguous(),
           "avg_pool2d kernel: operands must be contiguous");
  const int64_t planes = in.numel() == 0 ? 0 : in.size(0);
  const int64_t in_plane = w.in_h * w.in_w, out_plane = w.out_h * w.out_w;
  dispatch_all(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    using Acc =
        std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
    const T* x = static_cast<const T*>(in.raw_data());
    T* y = static_cast<T*>(out.raw_data());
    parallel_for(0, planes, plane_grain(w), [&](int64_t lo, int64_t hi) {
      for (int64_t p = lo; p < hi; ++p) {
        const T* xp = x + p * in_plane;
        for (int64_t oh = 0; oh < w.out_h; ++oh) {
          for (int64_t ow = 0; ow < w.out_w; ++ow) {
            const AvgWindow a = avg_window(w, oh, ow);
            T& dst = y[p * out_plane + oh * w.out_w + ow];
            if (a.h0 >= a.h1 || a.w0 >= a.w1) {
              dst = T(0);
              continue;
            }
            Acc total = 0;
            for (int64_t ih = a.h0; ih < a.h1; ++ih) {
              for (int64_t iw = a.w0; iw < a.w1; ++iw) {
                total += xp[ih * w.in_w + iw];
              }
            }
            dst = static_cast<T>(total /
                                 static_cast<Acc>(avg_divisor(
                                     a, count_include_pad, divisor_override)));
          }
        }
      }
    });
  });
}

void avg_pool2d_backward(const Tensor& grad, const Window2d& w,
                         bool count_include_pad, int64_t divisor_override,
                         const Tensor& grad_in) {
  AG_CHECK(grad.is_contiguous() && grad_in.is_contiguous(),
           "avg_pool2d_backward kernel: operands must be contiguous");
  const int64_t planes = grad_in.numel() == 0 ? 0 : grad_in.size(0);
  const int64_t in_plane = w.in_h * w.in_w, out_plane = w.out_h * w.out_w;
  dispatch_all(grad.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* g = static_cast<const T*>(grad.raw_data());
    T* gi = static_cast<T*>(grad_in.raw_data());
    parallel_for(0, planes, plane_grain(w), [&](int64_t lo, int64_t hi) {
      for (int64_t p = lo; p < hi; ++p) {
        T* dst = gi + p * in_plane;
        std::fill(dst, dst + in_plane, T(0));
        for (int64_t oh = 0; oh < w.out_h; ++oh) {
          for (int64_t ow = 0; ow < w.out_w; ++ow) {
            const AvgWindow a = avg_window(w, oh, ow);
            if (a.h0 >= a.h1 || a.w0 >= a.w1) continue;
            const T share =
                static_cast<T>(g[p * out_plane + oh * w.out_w + ow] /
                               static_cast<T>(avg_divisor(a, count_include_pad,
                                                          divisor_override)));
            for (int64_t ih = a.h0; ih < a.h1; ++ih) {
              for (int64_t iw = a.w0; iw < a.w1; ++iw) {
                dst[ih * w.in_w + iw] =
                    static_cast<T>(dst[ih * w.in_w + iw] + share);
              }
            }
          }
        }
      }
    });
  });
}

void gather_dim1(const Tensor& in, const Tensor& index, const Tensor& out) {
  AG_CHECK(in.is_contiguous() && index.is_contiguous() && out.is_contiguous(),
           "gather kernel: operands must be contiguous");
  const int64_t a_n = out.size(0), k_n = out.size(1), b_n = out.size(2);
  const int64_t d_n = in.size(1);
  const auto* idx = static_cast<const int64_t*>(index.raw_data());
  dispatch_all(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* x = static_cast<const T*>(in.raw_data());
    T* y = static_cast<T*>(out.raw_data());
    const int64_t grain =
        std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, k_n * b_n));
    parallel_for(0, a_n, grain, [&](int64_t lo, int64_t hi) {
      for (int64_t a = lo; a < hi; ++a) {
        for (int64_t k = 0; k < k_n; ++k) {
          const int64_t row = (a * k_n + k) * b_n;
          for (int64_t b = 0; b < b_n; ++b) {
            y[row + b] = x[(a * d_n + idx[row + b]) * b_n + b];
          }
        }
      }
    });
  });
}

void scatter_add_dim1(const Tensor& src, const Tensor& index,
                      const Tensor& out) {
  AG_CHECK(src.is_contiguous() && index.is_contiguous() && out.is_contiguous(),
           "scatter kernel: operands must be contiguous");
  const int64_t a_n = src.size(0), k_n = src.size(1), b_n = src.size(2);
  const int64_t d_n = out.size(1);
  const auto* idx = static_cast<const int64_t*>(index.raw_data());
  dispatch_all(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* s = static_cast<const T*>(src.raw_data());
    T* y = static_cast<T*>(out.raw_data());
    // Threads own whole slabs out[a], so their writes never collide.
    const int64_t grain = std::max<int64_t>(
        1, kGrainSize / std::max<int64_t>(1, (k_n + d_n) * b_n));
    parallel_for(0, a_n, grain, [&](int64_t lo, int64_t hi) {
      for (int64_t a = lo; a < hi; ++a) {
        T* slab = y + a * d_n * b_n;
        std::fill(slab, slab + d_n * b_n, T(0));
        for (int64_t k = 0; k < k_n; ++k) {
          const int64_t row = (a * k_n + k) * b_n;
          for (int64_t b = 0; b < b_n; ++b) {
            T& dst = slab[idx[row + b] * b_n + b];
            dst = static_cast<T>(dst + s[row + b]);
          }
        }
      }
    });
  });
}

AG_ISA_END
}  // namespace ag::kernels
