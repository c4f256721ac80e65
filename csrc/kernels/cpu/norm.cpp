// Normalization kernels: row moments for layer norm (fused with the affine
// output), per-channel moments and the per-channel affine map for batch
// norm. Moments use two passes (mean, then centred squares) in double, which
// stays accurate when the mean is large relative to the spread.

#include <algorithm>
#include <cmath>

#include "core/dispatch.h"
#include "core/profiler.h"
#include "kernels/nn.h"
#include "kernels/parallel.h"

namespace ag::kernels {

void layer_norm(const Tensor& in, const Tensor& weight, const Tensor& bias,
                double eps, int64_t rows, int64_t cols, const Tensor& out,
                const Tensor& mean, const Tensor& rstd) {
  profiler::RecordScope scope("aten::native_layer_norm", in, weight, bias);
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
        double total = 0;
        for (int64_t i = 0; i < cols; ++i) total += xr[i];
        const double mu = total / static_cast<double>(cols);
        double sq = 0;
        for (int64_t i = 0; i < cols; ++i) {
          const double d = xr[i] - mu;
          sq += d * d;
        }
        const double inv =
            1.0 / std::sqrt(sq / static_cast<double>(cols) + eps);
        mp[r] = static_cast<T>(mu);
        rp[r] = static_cast<T>(inv);
        for (int64_t i = 0; i < cols; ++i) {
          double v = (xr[i] - mu) * inv;
          if (wp) v *= wp[i];
          if (bp) v += bp[i];
          yr[i] = static_cast<T>(v);
        }
      }
    });
  });
}

void channel_moments(const Tensor& in, int64_t n, int64_t c, int64_t s,
                     const Tensor& mean, const Tensor& var) {
  profiler::RecordScope scope("aten::batch_norm_stats", in);
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
        for (int64_t b = 0; b < n; ++b) {
          const T* xp = x + (b * c + ch) * s;
          for (int64_t i = 0; i < s; ++i) total += xp[i];
        }
        const double mu = total / count;
        double sq = 0;
        for (int64_t b = 0; b < n; ++b) {
          const T* xp = x + (b * c + ch) * s;
          for (int64_t i = 0; i < s; ++i) {
            const double d = xp[i] - mu;
            sq += d * d;
          }
        }
        mp[ch] = static_cast<T>(mu);
        vp[ch] = static_cast<T>(sq / count);
      }
    });
  });
}

void channel_affine(const Tensor& in, const Tensor& scale, const Tensor& shift,
                    int64_t n, int64_t c, int64_t s, const Tensor& out) {
  profiler::RecordScope scope("aten::batch_norm_elemt", in, scale, shift);
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
        for (int64_t i = 0; i < s; ++i) yp[i] = xp[i] * a[ch] + b[ch];
      }
    });
  });
}

}  // namespace ag::kernels
