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

// Rows along the last dim: each row is contiguous.
template <typename T>
void softmax_lastdim(const T* x, T* y, int64_t rows, int64_t d, bool log) {
  const int64_t grain =
      std::max<int64_t>(1, kGrainSize / std::max<int64_t>(d, 1));
  parallel_for(0, rows, grain, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const T* xr = x + r * d;
      T* yr = y + r * d;
      const T m = row_max(xr, d);
      double total = 0;
      for (int64_t i = 0; i < d; ++i) {
        const T e = cpu::fast_exp(xr[i] - m);
        if (!log) yr[i] = e;
        total += e;
      }
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
    std::vector<T> m(static_cast<size_t>(inner));
    std::vector<char> nan(static_cast<size_t>(inner));
    std::vector<double> total(static_cast<size_t>(inner));
    for (int64_t o = lo; o < hi; ++o) {
      const T* xs = x + o * slab;
      T* ys = y + o * slab;
      std::fill(m.begin(), m.end(), -std::numeric_limits<T>::infinity());
      std::fill(nan.begin(), nan.end(), 0);
      std::fill(total.begin(), total.end(), 0.0);
      T* mp = m.data();
      char* np = nan.data();
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
          const T e = cpu::fast_exp(xr[i] - m[static_cast<size_t>(i)]);
          if (!log) yr[i] = e;
          total[static_cast<size_t>(i)] += e;
        }
      }
      for (int64_t k = 0; k < d; ++k) {
        const T* xr = xs + k * inner;
        T* yr = ys + k * inner;
        for (int64_t i = 0; i < inner; ++i) {
          const auto u = static_cast<size_t>(i);
          if (log) {
            yr[i] = (xr[i] - m[u]) - static_cast<T>(std::log(total[u]));
          } else {
            yr[i] = static_cast<T>(yr[i] / total[u]);
          }
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
