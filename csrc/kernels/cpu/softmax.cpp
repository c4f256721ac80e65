// Fused softmax / log_softmax: one pass for the maximum, one for the
// exponentials and their sum (float lanes per block, blocks added in
// double), one to write. Subtracting the maximum
// keeps every exponential in (0, 1], so logits of +-1000 stay finite.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "core/dispatch.h"
#include "kernels/cpu/isa.h"  // last: opens the ISA region
#include "kernels/cpu/vec_math.h"
#include "kernels/nn.h"
#include "kernels/parallel.h"

namespace ag::kernels {
AG_ISA_BEGIN

namespace {

#include "kernels/cpu/simd.h"  // inside the region: this build's width

// y = exp(x - m) over a row (a map), returning the sum of y in double.
template <typename T>
double exp_shifted_row(const T* x, T m, T* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = cpu::fast_exp_nonpositive(x[i] - m);
  return simd::row_sum<T>(
      n, [&](int64_t i) { return simd::load(y + i); },
      [&](int64_t i) { return y[i]; });
}

// Rows along the last dim: each row is contiguous. Each pass is a plain map
// or a lane-wise reduction, so all of them vectorize; a row is small enough
// to stay in cache between passes.
template <typename T>
void softmax_lastdim(const T* x, T* y, int64_t rows, int64_t d, bool log) {
  const int64_t grain =
      std::max<int64_t>(1, kGrainSize / std::max<int64_t>(d, 1));
  parallel_for(0, rows, grain, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const T* xr = x + r * d;
      T* yr = y + r * d;
      const T m = simd::row_max(xr, d);
      const double total = exp_shifted_row(xr, m, yr, d);
      if (log) {
        // (x - max) - log(total): adding the two first would round away
        // the small log term next to a large max.
        const T log_total = static_cast<T>(std::log(total));
        for (int64_t i = 0; i < d; ++i) yr[i] = (xr[i] - m) - log_total;
      } else {
        const T inv = static_cast<T>(1.0 / total);
        for (int64_t i = 0; i < d; ++i) yr[i] *= inv;
      }
    }
  });
}

// Softmax over the middle dim of (outer, d, inner): the inner dim is the
// contiguous one, so each pass runs along it with per-lane accumulators.
template <typename T>
void softmax_inner(const T* x, T* y, int64_t outer, int64_t d, int64_t inner,
                   bool log) {
  const int64_t slab = d * inner;
  const int64_t grain =
      std::max<int64_t>(1, kGrainSize / std::max<int64_t>(slab, 1));
  parallel_for(0, outer, grain, [&](int64_t lo, int64_t hi) {
    const auto lanes = static_cast<size_t>(inner);
    std::vector<T> max_buf(lanes), scale_buf(lanes);
    std::vector<char> nan_buf(lanes);
    std::vector<double> total_buf(lanes);
    T* mp = max_buf.data();
    T* sp = scale_buf.data();
    char* np = nan_buf.data();
    double* tp = total_buf.data();
    for (int64_t o = lo; o < hi; ++o) {
      const T* xs = x + o * slab;
      T* ys = y + o * slab;
      std::fill(max_buf.begin(), max_buf.end(),
                -std::numeric_limits<T>::infinity());
      std::fill(nan_buf.begin(), nan_buf.end(), 0);
      std::fill(total_buf.begin(), total_buf.end(), 0.0);
      for (int64_t k = 0; k < d; ++k) {
        const T* xr = xs + k * inner;
        for (int64_t i = 0; i < inner; ++i) {
          mp[i] = xr[i] > mp[i] ? xr[i] : mp[i];
          np[i] |= xr[i] != xr[i];
        }
      }
      for (int64_t i = 0; i < inner; ++i) {
        if (np[i]) mp[i] = std::numeric_limits<T>::quiet_NaN();
      }
      for (int64_t k = 0; k < d; ++k) {
        const T* xr = xs + k * inner;
        T* yr = ys + k * inner;
        for (int64_t i = 0; i < inner; ++i) {
          yr[i] = cpu::fast_exp_nonpositive(xr[i] - mp[i]);
          tp[i] += static_cast<double>(yr[i]);
        }
      }
      for (int64_t i = 0; i < inner; ++i) {
        sp[i] = static_cast<T>(log ? std::log(tp[i]) : 1.0 / tp[i]);
      }
      for (int64_t k = 0; k < d; ++k) {
        const T* xr = xs + k * inner;
        T* yr = ys + k * inner;
        if (log) {
          for (int64_t i = 0; i < inner; ++i) yr[i] = (xr[i] - mp[i]) - sp[i];
        } else {
          for (int64_t i = 0; i < inner; ++i) yr[i] *= sp[i];
        }
      }
    }
  });
}

// Backward along contiguous rows: for softmax
//   grad_in = y * (g - sum(g * y)),
// for log_softmax (y the log-probabilities)
//   grad_in = g - exp(y) * sum(g).
template <typename T>
void softmax_backward_lastdim(const T* g, const T* y, T* gi, int64_t rows,
                              int64_t d, bool log) {
  const int64_t grain =
      std::max<int64_t>(1, kGrainSize / std::max<int64_t>(d, 1));
  parallel_for(0, rows, grain, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const T* gr = g + r * d;
      const T* yr = y + r * d;
      T* out = gi + r * d;
      const double total =
          log ? simd::row_sum<T>(
                    d, [&](int64_t i) { return simd::load(gr + i); },
                    [&](int64_t i) { return gr[i]; })
              : simd::row_sum<T>(
                    d,
                    [&](int64_t i) {
                      return simd::load(gr + i) * simd::load(yr + i);
                    },
                    [&](int64_t i) { return gr[i] * yr[i]; });
      const T s = static_cast<T>(total);
      if (log) {
        for (int64_t i = 0; i < d; ++i)
          out[i] = gr[i] - cpu::fast_exp_nonpositive(yr[i]) * s;
      } else {
        for (int64_t i = 0; i < d; ++i) out[i] = yr[i] * (gr[i] - s);
      }
    }
  });
}

// The same over the middle dim of (outer, d, inner).
template <typename T>
void softmax_backward_inner(const T* g, const T* y, T* gi, int64_t outer,
                            int64_t d, int64_t inner, bool log) {
  const int64_t slab = d * inner;
  const int64_t grain =
      std::max<int64_t>(1, kGrainSize / std::max<int64_t>(slab, 1));
  parallel_for(0, outer, grain, [&](int64_t lo, int64_t hi) {
    std::vector<double> total(static_cast<size_t>(inner));
    std::vector<T> sums(static_cast<size_t>(inner));
    double* tp = total.data();
    T* sp = sums.data();
    for (int64_t o = lo; o < hi; ++o) {
      const T* gs = g + o * slab;
      const T* ys = y + o * slab;
      T* out = gi + o * slab;
      std::fill(total.begin(), total.end(), 0.0);
      for (int64_t k = 0; k < d; ++k) {
        const T* gr = gs + k * inner;
        const T* yr = ys + k * inner;
        for (int64_t i = 0; i < inner; ++i) {
          tp[i] += static_cast<double>(log ? gr[i] : gr[i] * yr[i]);
        }
      }
      for (int64_t i = 0; i < inner; ++i) sp[i] = static_cast<T>(tp[i]);
      for (int64_t k = 0; k < d; ++k) {
        const T* gr = gs + k * inner;
        const T* yr = ys + k * inner;
        T* orow = out + k * inner;
        if (log) {
          for (int64_t i = 0; i < inner; ++i) {
            orow[i] = gr[i] - cpu::fast_exp_nonpositive(yr[i]) * sp[i];
          }
        } else {
          for (int64_t i = 0; i < inner; ++i) orow[i] = yr[i] * (gr[i] - sp[i]);
        }
      }
    }
  });
}

// outer, d, inner of a contiguous tensor viewed around `dim`.
struct RowShape {
  int64_t outer = 1, d = 1, inner = 1;
};
RowShape row_shape(const Tensor& t, int64_t dim) {
  RowShape s;
  s.d = t.dim() == 0 ? 1 : t.size(dim);
  for (int64_t i = 0; i < dim; ++i) s.outer *= t.size(i);
  for (int64_t i = dim + 1; i < t.dim(); ++i) s.inner *= t.size(i);
  return s;
}

}  // namespace

void softmax_backward(const Tensor& grad, const Tensor& result, int64_t dim,
                      bool log, const Tensor& grad_in) {
  AG_CHECK(
      grad.is_contiguous() && result.is_contiguous() && grad_in.is_contiguous(),
      "softmax_backward kernel: operands must be contiguous");
  if (grad_in.numel() == 0) return;
  const RowShape s = row_shape(result, dim);
  dispatch_floating(result.dtype(), "softmax_backward", [&](auto tag) {
    using T = decltype(tag);
    const T* g = static_cast<const T*>(grad.raw_data());
    const T* y = static_cast<const T*>(result.raw_data());
    T* gi = static_cast<T*>(grad_in.raw_data());
    if (s.inner == 1) {
      softmax_backward_lastdim(g, y, gi, s.outer, s.d, log);
    } else {
      softmax_backward_inner(g, y, gi, s.outer, s.d, s.inner, log);
    }
  });
}

void softmax(const Tensor& in, int64_t dim, bool log, const Tensor& out) {
  AG_CHECK(in.is_contiguous() && out.is_contiguous(),
           "softmax kernel: operands must be contiguous");
  if (out.numel() == 0) return;
  const RowShape s = row_shape(in, dim);
  dispatch_floating(in.dtype(), log ? "log_softmax" : "softmax", [&](auto tag) {
    using T = decltype(tag);
    const T* x = static_cast<const T*>(in.raw_data());
    T* y = static_cast<T*>(out.raw_data());
    if (s.inner == 1) {
      softmax_lastdim(x, y, s.outer, s.d, log);
    } else {
      softmax_inner(x, y, s.outer, s.d, s.inner, log);
    }
  });
}

AG_ISA_END
}  // namespace ag::kernels
