// Normalization kernels: row moments for layer norm (fused with the affine
// output) and its fused backward, per-channel moments and the per-channel
// affine map for batch norm. Moments use two passes (mean, then centred
// squares) with double accumulators, which stays accurate when the mean is
// large relative to the spread; lane-wise accumulators keep the passes SIMD.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "core/dispatch.h"
#include "kernels/cpu/isa.h"  // last: opens the ISA region
#include "kernels/nn.h"
#include "kernels/parallel.h"

namespace ag::kernels {
AG_ISA_BEGIN

namespace {

#include "kernels/cpu/simd.h"  // inside the region: this build's width

// Sum of x[0..n) in double.
template <typename T>
double row_total(const T* x, int64_t n) {
  return simd::row_sum<T>(
      n, [&](int64_t i) { return simd::load(x + i); },
      [&](int64_t i) { return x[i]; });
}

// Sum of (x - mu)^2 over x[0..n), the deviations taken in T.
template <typename T>
double row_centred_squares(const T* x, int64_t n, double mu) {
  const T m = static_cast<T>(mu);
  return simd::row_sum<T>(
      n,
      [&](int64_t i) {
        const auto d = simd::load(x + i) - m;
        return d * d;
      },
      [&](int64_t i) { return (x[i] - m) * (x[i] - m); });
}

}  // namespace

void layer_norm(const Tensor& in, const Tensor& weight, const Tensor& bias,
                double eps, int64_t rows, int64_t cols, const Tensor& out,
                const Tensor& mean, const Tensor& rstd) {
  AG_CHECK(in.is_contiguous() && out.is_contiguous(),
           "layer_norm kernel: operands must be contiguous");
  dispatch_floating(in.dtype(), "layer_norm", [&](auto tag) {
    using T = decltype(tag);
    const T* x = static_cast<const T*>(in.raw_data());
    const T* wp =
        weight.defined() ? static_cast<const T*>(weight.raw_data()) : nullptr;
    const T* bp =
        bias.defined() ? static_cast<const T*>(bias.raw_data()) : nullptr;
    T* y = static_cast<T*>(out.raw_data());
    T* mp = static_cast<T*>(mean.raw_data());
    T* rp = static_cast<T*>(rstd.raw_data());
    const int64_t grain =
        std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, cols));
    parallel_for(0, rows, grain, [&](int64_t lo, int64_t hi) {
      for (int64_t r = lo; r < hi; ++r) {
        const T* xr = x + r * cols;
        T* yr = y + r * cols;
        const double mu = row_total(xr, cols) / static_cast<double>(cols);
        const double var =
            row_centred_squares(xr, cols, mu) / static_cast<double>(cols);
        const double inv = 1.0 / std::sqrt(var + eps);
        mp[r] = static_cast<T>(mu);
        rp[r] = static_cast<T>(inv);
        // The affine map in T: (x - mean) * rstd * weight + bias.
        const T m = static_cast<T>(mu);
        const T s = static_cast<T>(inv);
        if (wp && bp) {
          for (int64_t i = 0; i < cols; ++i) {
            yr[i] = (xr[i] - m) * s * wp[i] + bp[i];
          }
        } else if (wp) {
          for (int64_t i = 0; i < cols; ++i) yr[i] = (xr[i] - m) * s * wp[i];
        } else if (bp) {
          for (int64_t i = 0; i < cols; ++i) yr[i] = (xr[i] - m) * s + bp[i];
        } else {
          for (int64_t i = 0; i < cols; ++i) yr[i] = (xr[i] - m) * s;
        }
      }
    });
  });
}

void layer_norm_backward(const Tensor& grad, const Tensor& in,
                         const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight, int64_t rows, int64_t cols,
                         const Tensor& grad_in, const Tensor& grad_weight,
                         const Tensor& grad_bias) {
  AG_CHECK(grad.is_contiguous() && in.is_contiguous(),
           "layer_norm_backward kernel: operands must be contiguous");
  if (rows == 0 || cols == 0) {
    if (grad_weight.defined()) fill(grad_weight, Scalar(0.0));
    if (grad_bias.defined()) fill(grad_bias, Scalar(0.0));
    return;
  }
  dispatch_floating(in.dtype(), "layer_norm_backward", [&](auto tag) {
    using T = decltype(tag);
    const T* g = static_cast<const T*>(grad.raw_data());
    const T* x = static_cast<const T*>(in.raw_data());
    const T* mp = static_cast<const T*>(mean.raw_data());
    const T* rp = static_cast<const T*>(rstd.raw_data());
    const T* wp =
        weight.defined() ? static_cast<const T*>(weight.raw_data()) : nullptr;
    T* gi = grad_in.defined() ? static_cast<T*>(grad_in.raw_data()) : nullptr;
    const bool want_w = grad_weight.defined();
    const bool want_b = grad_bias.defined();
    // Rows go in blocks whose weight and bias gradients are summed into
    // per-block partials, added up in block order afterwards: the result
    // does not depend on how the pool splits the blocks.
    const int64_t block = std::max<int64_t>(32, (rows + 255) / 256);
    const int64_t blocks = (rows + block - 1) / block;
    const bool partials = want_w || want_b;
    std::vector<double> dw(partials ? static_cast<size_t>(blocks * cols) : 0);
    std::vector<double> db(partials ? static_cast<size_t>(blocks * cols) : 0);
    const int64_t grain =
        std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, block * cols));
    parallel_for(0, blocks, grain, [&](int64_t lo, int64_t hi) {
      // xhat of one row, and a block's weight and bias partials: summed in
      // T over the block's rows (a vector FMA per element), then kept in
      // double.
      std::vector<T> buf(static_cast<size_t>(3 * cols));
      T* xhat = buf.data();
      T* dw_block = xhat + cols;
      T* db_block = dw_block + cols;
      for (int64_t blk = lo; blk < hi; ++blk) {
        std::fill(dw_block, dw_block + 2 * cols, T(0));
        const int64_t r_end = std::min(rows, (blk + 1) * block);
        for (int64_t r = blk * block; r < r_end; ++r) {
          const T* gr = g + r * cols;
          const T* xr = x + r * cols;
          const T m = mp[r];
          const T s = rp[r];
          for (int64_t i = 0; i < cols; ++i) xhat[i] = (xr[i] - m) * s;
          if (want_w) {
            for (int64_t i = 0; i < cols; ++i) dw_block[i] += gr[i] * xhat[i];
          }
          if (want_b) {
            for (int64_t i = 0; i < cols; ++i) db_block[i] += gr[i];
          }
          if (!gi) continue;
          // a = mean(g * w), b = mean(g * w * xhat).
          double ta = 0, tb = 0;
          if (wp) {
            ta = simd::row_sum<T>(
                cols,
                [&](int64_t i) {
                  return simd::load(gr + i) * simd::load(wp + i);
                },
                [&](int64_t i) { return gr[i] * wp[i]; });
            tb = simd::row_sum<T>(
                cols,
                [&](int64_t i) {
                  return simd::load(gr + i) * simd::load(wp + i) *
                         simd::load(xhat + i);
                },
                [&](int64_t i) { return gr[i] * wp[i] * xhat[i]; });
          } else {
            ta = row_total(gr, cols);
            tb = simd::row_sum<T>(
                cols,
                [&](int64_t i) {
                  return simd::load(gr + i) * simd::load(xhat + i);
                },
                [&](int64_t i) { return gr[i] * xhat[i]; });
          }
          const T a = static_cast<T>(ta / static_cast<double>(cols));
          const T b = static_cast<T>(tb / static_cast<double>(cols));
          T* out = gi + r * cols;
          for (int64_t i = 0; i < cols; ++i) {
            const T gw = wp ? gr[i] * wp[i] : gr[i];
            out[i] = s * (gw - a - xhat[i] * b);
          }
        }
        if (partials) {
          std::copy(dw_block, dw_block + cols, dw.begin() + blk * cols);
          std::copy(db_block, db_block + cols, db.begin() + blk * cols);
        }
      }
    });
    for (int64_t which = 0; which < 2; ++which) {
      const Tensor& target = which == 0 ? grad_weight : grad_bias;
      if (!target.defined()) continue;
      const std::vector<double>& part = which == 0 ? dw : db;
      T* dst = static_cast<T*>(target.raw_data());
      for (int64_t i = 0; i < cols; ++i) {
        double total = 0;
        for (int64_t blk = 0; blk < blocks; ++blk)
          total += part[blk * cols + i];
        dst[i] = static_cast<T>(total);
      }
    }
  });
}

void channel_moments(const Tensor& in, int64_t n, int64_t c, int64_t s,
                     const Tensor& mean, const Tensor& var) {
  AG_CHECK(in.is_contiguous(), "batch_norm kernel: input must be contiguous");
  dispatch_floating(in.dtype(), "batch_norm", [&](auto tag) {
    using T = decltype(tag);
    const T* x = static_cast<const T*>(in.raw_data());
    T* mp = static_cast<T*>(mean.raw_data());
    T* vp = static_cast<T*>(var.raw_data());
    const double count = static_cast<double>(n * s);
    const int64_t grain =
        std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, n * s));
    parallel_for(0, c, grain, [&](int64_t lo, int64_t hi) {
      for (int64_t ch = lo; ch < hi; ++ch) {
        double total = 0;
        for (int64_t b = 0; b < n; ++b)
          total += row_total(x + (b * c + ch) * s, s);
        const double mu = total / count;
        double sq = 0;
        for (int64_t b = 0; b < n; ++b) {
          sq += row_centred_squares(x + (b * c + ch) * s, s, mu);
        }
        mp[ch] = static_cast<T>(mu);
        vp[ch] = static_cast<T>(sq / count);
      }
    });
  });
}

void channel_affine(const Tensor& in, const Tensor& scale, const Tensor& shift,
                    int64_t n, int64_t c, int64_t s, const Tensor& out) {
  AG_CHECK(in.is_contiguous() && out.is_contiguous(),
           "batch_norm kernel: operands must be contiguous");
  dispatch_floating(in.dtype(), "batch_norm", [&](auto tag) {
    using T = decltype(tag);
    const T* x = static_cast<const T*>(in.raw_data());
    const T* a = static_cast<const T*>(scale.raw_data());
    const T* b = static_cast<const T*>(shift.raw_data());
    T* y = static_cast<T*>(out.raw_data());
    const int64_t grain =
        std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, s));
    parallel_for(0, n * c, grain, [&](int64_t lo, int64_t hi) {
      for (int64_t r = lo; r < hi; ++r) {
        const int64_t ch = r % c;
        const T* xp = x + r * s;
        T* yp = y + r * s;
#if defined(AG_ISA_AVX2)
        // One rounding, as PyTorch's AVX2 kernel gives.
        for (int64_t i = 0; i < s; ++i) yp[i] = std::fma(xp[i], a[ch], b[ch]);
#else
        for (int64_t i = 0; i < s; ++i) yp[i] = xp[i] * a[ch] + b[ch];
#endif
      }
    });
  });
}

AG_ISA_END
}  // namespace ag::kernels
