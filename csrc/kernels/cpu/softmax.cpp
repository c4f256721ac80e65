// Fused softmax / log_softmax: one pass for the maximum, one for the sum of
// exponentials (accumulated in double), one to write. Subtracting the maximum
// keeps every exponential in (0, 1], so logits of +-1000 stay finite.

#include <algorithm>
#include <cmath>
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

// The maximum of a row, or NaN if the row holds one (so NaN poisons its
// row). Independent lanes break the compare chain, which the compiler can
// then vectorize.
template <typename T>
T row_max(const T* x, int64_t n) {
  constexpr int64_t kLanes = 8;
  T m[kLanes];
  bool nan = false;
  for (int64_t k = 0; k < kLanes; ++k)
    m[k] = -std::numeric_limits<T>::infinity();
  const int64_t body = n - n % kLanes;
  for (int64_t i = 0; i < body; i += kLanes) {
    for (int64_t k = 0; k < kLanes; ++k) {
      const T v = x[i + k];
      m[k] = v > m[k] ? v : m[k];
      nan |= v != v;
    }
  }
  for (int64_t i = body; i < n; ++i) {
    m[i - body] = x[i] > m[i - body] ? x[i] : m[i - body];
    nan |= x[i] != x[i];
  }
  T best = m[0];
  for (int64_t k = 1; k < kLanes; ++k) best = m[k] > best ? m[k] : best;
  return nan ? std::numeric_limits<T>::quiet_NaN() : best;
}

// y = exp(x - m) over a row, returning the sum of y in double. Independent
// lanes keep the loop a vectorizable map plus lane-wise accumulation.
template <typename T>
double exp_shifted_row(const T* x, T m, T* y, int64_t n) {
  constexpr int64_t kLanes = 8;
  double acc[kLanes] = {};
  const int64_t body = n - n % kLanes;
  for (int64_t i = 0; i < body; i += kLanes) {
    for (int64_t k = 0; k < kLanes; ++k) {
      y[i + k] = cpu::fast_exp(x[i + k] - m);
      acc[k] += static_cast<double>(y[i + k]);
    }
  }
  for (int64_t i = body; i < n; ++i) {
    y[i] = cpu::fast_exp(x[i] - m);
    acc[i - body] += static_cast<double>(y[i]);
  }
  double total = 0;
  for (double a : acc) total += a;
  return total;
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
      const T m = row_max(xr, d);
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
          yr[i] = cpu::fast_exp(xr[i] - mp[i]);
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

}  // namespace

void softmax(const Tensor& in, int64_t dim, bool log, const Tensor& out) {
  AG_CHECK(in.is_contiguous() && out.is_contiguous(),
           "softmax kernel: operands must be contiguous");
  if (out.numel() == 0) return;
  int64_t outer = 1, inner = 1;
  const int64_t d = in.dim() == 0 ? 1 : in.size(dim);
  for (int64_t i = 0; i < dim; ++i) outer *= in.size(i);
  for (int64_t i = dim + 1; i < in.dim(); ++i) inner *= in.size(i);
  dispatch_floating(in.dtype(), log ? "log_softmax" : "softmax", [&](auto tag) {
    using T = decltype(tag);
    const T* x = static_cast<const T*>(in.raw_data());
    T* y = static_cast<T*>(out.raw_data());
    if (inner == 1) {
      softmax_lastdim(x, y, outer, d, log);
    } else {
      softmax_inner(x, y, outer, d, inner, log);
    }
  });
}

AG_ISA_END
}  // namespace ag::kernels
