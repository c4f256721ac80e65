#include "kernels/select.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/dispatch.h"
#include "kernels/parallel.h"

namespace ag::kernels {

namespace {

// in seen as [outer, n, inner] around dim.
struct Rows {
  int64_t outer = 1, n = 1, inner = 1;
  int64_t count() const { return outer * inner; }
  // Offset of element 0 of row r in a tensor whose size at dim is `len`.
  int64_t base(int64_t r, int64_t len) const {
    return (r / inner) * len * inner + r % inner;
  }
};

Rows rows_of(const Tensor& t, int64_t dim) {
  Rows s;
  for (int64_t d = 0; d < t.dim(); ++d) {
    const int64_t size = t.sizes()[static_cast<size_t>(d)];
    if (d < dim) s.outer *= size;
    if (d == dim) s.n = size;
    if (d > dim) s.inner *= size;
  }
  return s;
}

template <typename T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::isnan(v);
  } else {
    (void)v;
    return false;
  }
}

// NaN sorts above every number (PyTorch's and numpy's order).
template <typename T>
bool less_nan_last(T a, T b) {
  return (!is_nan(a) && is_nan(b)) || a < b;
}
template <typename T>
bool greater_nan_first(T a, T b) {
  return (is_nan(a) && !is_nan(b)) || a > b;
}

// Runs fn(row, src, dst_values, dst_indices) over every row in parallel;
// the pointers address element 0 of the row (stride `inner`).
template <typename T, typename F>
void for_rows(const Tensor& in, int64_t dim, int64_t out_len,
              const Tensor& values, const Tensor& indices, const F& fn) {
  AG_CHECK(in.is_contiguous(), "select kernel: input must be contiguous");
  const Rows s = rows_of(in, dim);
  const T* src = static_cast<const T*>(in.raw_data());
  T* vals = values.defined() ? static_cast<T*>(values.raw_data()) : nullptr;
  int64_t* idx =
      indices.defined() ? static_cast<int64_t*>(indices.raw_data()) : nullptr;
  parallel_for(0, s.count(), kGrainSize / std::max<int64_t>(s.n, 1) + 1,
               [&](int64_t lo, int64_t hi) {
                 std::vector<std::pair<T, int64_t>> row;
                 for (int64_t r = lo; r < hi; ++r) {
                   const int64_t ib = s.base(r, s.n);
                   const int64_t ob = s.base(r, out_len);
                   row.resize(static_cast<size_t>(s.n));
                   for (int64_t k = 0; k < s.n; ++k) {
                     row[static_cast<size_t>(k)] = {src[ib + k * s.inner], k};
                   }
                   fn(row, vals ? vals + ob : nullptr, idx ? idx + ob : nullptr,
                      s.inner);
                 }
               });
}

template <typename T>
void write_pairs(const std::vector<std::pair<T, int64_t>>& row, int64_t count,
                 T* vals, int64_t* idx, int64_t stride) {
  for (int64_t k = 0; k < count; ++k) {
    const auto& p = row[static_cast<size_t>(k)];
    if (vals) vals[k * stride] = p.first;
    if (idx) idx[k * stride] = p.second;
  }
}

// Hoare-style quickselect with a median-of-three pivot over (value, index)
// pairs; `gt` is "greater, NaN greatest". Leaves the k-th smallest at k. The
// pivot choice and swaps follow PyTorch's CPU kernel, so equal values resolve
// to the same index.
template <typename T, typename Gt>
void quick_select(std::vector<std::pair<T, int64_t>>& a, int64_t k,
                  const Gt& gt) {
  auto at = [&](int64_t i) -> std::pair<T, int64_t>& {
    return a[static_cast<size_t>(i)];
  };
  int64_t lo = 0, hi = static_cast<int64_t>(a.size()) - 1;
  while (hi > lo) {
    if (hi == lo + 1) {
      if (gt(at(lo).first, at(hi).first)) std::swap(at(lo), at(hi));
      return;
    }
    std::swap(at(lo + (hi - lo) / 2), at(lo + 1));
    if (gt(at(lo + 1).first, at(hi).first)) std::swap(at(lo + 1), at(hi));
    if (gt(at(lo).first, at(hi).first)) std::swap(at(lo), at(hi));
    if (gt(at(lo + 1).first, at(lo).first)) std::swap(at(lo + 1), at(lo));
    int64_t i = lo + 1, j = hi;
    const T pivot = at(lo).first;
    for (;;) {
      do ++i;
      while (gt(pivot, at(i).first));
      do --j;
      while (gt(at(j).first, pivot));
      if (j < i) break;
      std::swap(at(i), at(j));
    }
    std::swap(at(lo), at(j));
    if (j <= k) lo = i;
    if (j >= k) hi = j - 1;
  }
}

}  // namespace

void sort(const Tensor& in, int64_t dim, bool descending, bool stable,
          const Tensor& values, const Tensor& indices) {
  dispatch_all(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const int64_t n = rows_of(in, dim).n;
    for_rows<T>(in, dim, n, values, indices,
                [&](auto& row, T* v, int64_t* i, int64_t stride) {
                  using P = std::pair<T, int64_t>;
                  auto before = [descending](const P& a, const P& b) {
                    return descending ? greater_nan_first(a.first, b.first)
                                      : less_nan_last(a.first, b.first);
                  };
                  if (stable) {
                    std::stable_sort(row.begin(), row.end(), before);
                  } else {
                    std::sort(row.begin(), row.end(), before);
                  }
                  write_pairs(row, n, v, i, stride);
                });
  });
}

void topk(const Tensor& in, int64_t dim, int64_t k, bool largest, bool sorted,
          const Tensor& values, const Tensor& indices) {
  dispatch_all(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    using P = std::pair<T, int64_t>;
    auto gt = [](const P& a, const P& b) {
      return greater_nan_first(a.first, b.first);
    };
    auto lt = [](const P& a, const P& b) {
      return less_nan_last(a.first, b.first);
    };
    for_rows<T>(in, dim, k, values, indices,
                [&](auto& row, T* v, int64_t* i, int64_t stride) {
                  if (k == 0) return;
                  const int64_t n = static_cast<int64_t>(row.size());
                  const auto first = row.begin();
                  // A partial sort pays off only for small k.
                  if (k * 64 <= n) {
                    if (largest) {
                      std::partial_sort(first, first + k, row.end(), gt);
                    } else {
                      std::partial_sort(first, first + k, row.end(), lt);
                    }
                  } else if (largest) {
                    std::nth_element(first, first + k - 1, row.end(), gt);
                    if (sorted) std::sort(first, first + k - 1, gt);
                  } else {
                    std::nth_element(first, first + k - 1, row.end(), lt);
                    if (sorted) std::sort(first, first + k - 1, lt);
                  }
                  write_pairs(row, k, v, i, stride);
                });
  });
}

void kthvalue(const Tensor& in, int64_t dim, int64_t k, const Tensor& values,
              const Tensor& indices) {
  dispatch_all(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    for_rows<T>(in, dim, 1, values, indices,
                [&](auto& row, T* v, int64_t* i, int64_t) {
                  quick_select(row, k - 1, greater_nan_first<T>);
                  const auto& p = row[static_cast<size_t>(k - 1)];
                  *v = p.first;
                  *i = p.second;
                });
  });
}

void median(const Tensor& in, int64_t dim, bool ignore_nan,
            const Tensor& values, const Tensor& indices) {
  dispatch_all(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    using P = std::pair<T, int64_t>;
    for_rows<T>(
        in, dim, 1, values, indices, [&](auto& row, T* v, int64_t* i, int64_t) {
          const int64_t n = static_cast<int64_t>(row.size());
          int64_t nans = 0;
          for (const P& p : row) nans += is_nan(p.first) ? 1 : 0;
          if (nans > 0 && !ignore_nan) {
            const auto first_nan =
                std::find_if(row.begin(), row.end(),
                             [](const P& p) { return is_nan(p.first); });
            *v = first_nan->first;
            *i = first_nan->second;
            return;
          }
          // All NaN (nanmedian): the first of them. Equal values rank by
          // index, so the pick does not depend on the selection algorithm.
          const int64_t m = nans == n ? 0 : (n - nans - 1) / 2;
          std::nth_element(row.begin(), row.begin() + m, row.end(),
                           [](const P& a, const P& b) {
                             if (less_nan_last(a.first, b.first)) return true;
                             if (less_nan_last(b.first, a.first)) return false;
                             return a.second < b.second;
                           });
          *v = row[static_cast<size_t>(m)].first;
          *i = row[static_cast<size_t>(m)].second;
        });
  });
}

void mode(const Tensor& in, int64_t dim, const Tensor& values,
          const Tensor& indices) {
  dispatch_all(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    using P = std::pair<T, int64_t>;
    for_rows<T>(
        in, dim, 1, values, indices, [&](auto& row, T* v, int64_t* i, int64_t) {
          std::sort(row.begin(), row.end(),
                    [](const P& a, const P& b) { return a.first < b.first; });
          // The longest run of equal values; on equal lengths the
          // first (smallest) wins; its last position is reported.
          int64_t best = 0, run = 0;
          const size_t n = row.size();
          for (size_t k = 0; k < n; ++k) {
            ++run;
            if (k + 1 == n || row[k].first != row[k + 1].first) {
              if (run > best) {
                best = run;
                *v = row[k].first;
                *i = row[k].second;
              }
              run = 0;
            }
          }
        });
  });
}

void scan(ScanOp op, const Tensor& in, int64_t dim, const Tensor& out,
          const Tensor& indices) {
  AG_CHECK(in.is_contiguous() && out.is_contiguous(),
           "scan kernel: operands must be contiguous");
  const Rows s = rows_of(in, dim);
  dispatch_all(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    // Products and log-sum-exp accumulate in double, as PyTorch's CPU scans.
    using Acc = std::conditional_t<std::is_floating_point_v<T>, double, T>;
    const T* src = static_cast<const T*>(in.raw_data());
    T* dst = static_cast<T*>(out.raw_data());
    int64_t* idx =
        indices.defined() ? static_cast<int64_t*>(indices.raw_data()) : nullptr;
    parallel_for(
        0, s.count(), kGrainSize / std::max<int64_t>(s.n, 1) + 1,
        [&](int64_t lo, int64_t hi) {
          for (int64_t r = lo; r < hi; ++r) {
            const int64_t b = s.base(r, s.n);
            if (s.n == 0) continue;
            if (op == ScanOp::Prod) {
              Acc acc = 1;
              for (int64_t k = 0; k < s.n; ++k) {
                acc = static_cast<Acc>(acc * src[b + k * s.inner]);
                dst[b + k * s.inner] = static_cast<T>(acc);
              }
            } else if (op == ScanOp::LogSumExp) {
              if constexpr (std::is_floating_point_v<T>) {
                Acc acc = -std::numeric_limits<Acc>::infinity();
                for (int64_t k = 0; k < s.n; ++k) {
                  const Acc x = src[b + k * s.inner];
                  const Acc mn = std::min(acc, x), mx = std::max(acc, x);
                  if (std::isnan(x) || std::isnan(acc)) {
                    acc = std::numeric_limits<Acc>::quiet_NaN();
                  } else if (mn != mx || std::isfinite(mn)) {
                    acc = mx + std::log1p(std::exp(mn - mx));
                  } else {
                    acc = x;  // both infinite with one sign
                  }
                  dst[b + k * s.inner] = static_cast<T>(acc);
                }
              }
            } else {
              const bool is_max = op == ScanOp::Max;
              T best = src[b];
              int64_t at = 0;
              for (int64_t k = 0; k < s.n; ++k) {
                const T x = src[b + k * s.inner];
                // Later equal values take over; a NaN stays once met.
                const bool take =
                    is_nan(x) ||
                    (!is_nan(best) && (is_max ? x >= best : x <= best));
                if (take) {
                  best = x;
                  at = k;
                }
                dst[b + k * s.inner] = best;
                if (idx) idx[b + k * s.inner] = at;
              }
            }
          }
        });
  });
}

void searchsorted(const Tensor& sorted, const Tensor& values, bool right,
                  const Tensor& sorter, const Tensor& out) {
  AG_CHECK(
      sorted.is_contiguous() && values.is_contiguous() && out.is_contiguous(),
      "searchsorted kernel: operands must be contiguous");
  AG_CHECK(sorted.dtype() == values.dtype(),
           "searchsorted kernel: sorted and values must share a dtype");
  const int64_t len = sorted.dim() == 0 ? 1 : sorted.sizes().back();
  const int64_t per_row = values.dim() == 0 ? 1 : values.sizes().back();
  const bool one_row = sorted.dim() <= 1;
  const int64_t* order = sorter.defined()
                             ? static_cast<const int64_t*>(sorter.raw_data())
                             : nullptr;
  dispatch_all(sorted.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* seq = static_cast<const T*>(sorted.raw_data());
    const T* val = static_cast<const T*>(values.raw_data());
    auto position = [&](int64_t i) {
      const int64_t row = one_row ? 0 : i / std::max<int64_t>(per_row, 1);
      const T* s = seq + row * len;
      const int64_t* o = order ? order + row * len : nullptr;
      const T v = val[i];
      int64_t lo = 0, hi = len;
      while (lo < hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        const T m = o ? s[o[mid]] : s[mid];
        // Written with negations so a NaN value lands past every number.
        const bool go_right = right ? !(m > v) : !(m >= v);
        if (go_right) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    };
    const int64_t n = values.numel();
    if (out.dtype() == DType::Int32) {
      auto* dst = static_cast<int32_t*>(out.raw_data());
      for (int64_t i = 0; i < n; ++i) {
        dst[i] = static_cast<int32_t>(position(i));
      }
    } else {
      auto* dst = static_cast<int64_t*>(out.raw_data());
      for (int64_t i = 0; i < n; ++i) dst[i] = position(i);
    }
  });
}

void bincount(const Tensor& in, const Tensor& weights, const Tensor& out) {
  // The op hands over int64 bins and weights already in out's dtype, so one
  // dispatch covers every case (three nested ones made 125 loops).
  AG_CHECK(in.is_contiguous() && out.is_contiguous() &&
               in.dtype() == DType::Int64 &&
               (!weights.defined() ||
                (weights.is_contiguous() && weights.dtype() == out.dtype())),
           "bincount kernel: operands must be contiguous, bins int64 and "
           "weights of the output's dtype");
  const int64_t n = in.numel();
  const int64_t bins = out.numel();
  const auto* src = static_cast<const int64_t*>(in.raw_data());
  dispatch_all(out.dtype(), [&](auto tag) {
    using O = decltype(tag);
    O* dst = static_cast<O*>(out.raw_data());
    std::fill(dst, dst + bins, O{});
    if (!weights.defined()) {
      for (int64_t i = 0; i < n; ++i) dst[src[i]] += O{1};
      return;
    }
    const O* w = static_cast<const O*>(weights.raw_data());
    for (int64_t i = 0; i < n; ++i) dst[src[i]] += w[i];
  });
}

void histc(const Tensor& in, double min, double max, const Tensor& out) {
  AG_CHECK(in.is_contiguous() && out.is_contiguous(),
           "histc kernel: operands must be contiguous");
  const int64_t bins = out.numel();
  const int64_t n = in.numel();
  dispatch_floating(in.dtype(), "histc", [&](auto tag) {
    using T = decltype(tag);
    const T* src = static_cast<const T*>(in.raw_data());
    T* dst = static_cast<T*>(out.raw_data());
    std::fill(dst, dst + bins, T{0});
    const T lo = static_cast<T>(min), hi = static_cast<T>(max);
    for (int64_t i = 0; i < n; ++i) {
      const T x = src[i];
      if (!(x >= lo && x <= hi)) continue;  // also drops NaN
      auto pos =
          static_cast<int64_t>((x - lo) * static_cast<T>(bins) / (hi - lo));
      pos = std::min(pos, bins - 1);
      dst[pos] += T{1};
    }
  });
}

}  // namespace ag::kernels
