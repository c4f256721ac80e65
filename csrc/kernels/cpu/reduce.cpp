// Reductions: a generic strided reduction driven by a small op policy (sum,
// prod, max, min, all, any), reductions along one dim that also return the
// position (max/min with indices), and scans (cumsum).

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "core/dispatch.h"
#include "kernels/cpu/isa.h"  // last: opens the ISA region
#include "kernels/cpu/loops.h"
#include "kernels/kernels.h"

namespace ag::kernels {
AG_ISA_BEGIN

namespace {

using cpu::StridedPlan;

// Floats accumulate runs in double so long sums and products keep float32
// precision; integers accumulate in their own type (bool counts as int64).
template <typename T>
using WideAcc =
    std::conditional_t<std::is_floating_point_v<T>, double,
                       std::conditional_t<std::is_same_v<T, bool>, int64_t, T>>;

template <typename T>
struct SumPolicy {
  using Acc = WideAcc<T>;
  static Acc identity() { return 0; }
  static Acc step(Acc a, T b) { return a + b; }
  static Acc combine(Acc a, Acc b) { return a + b; }
};

// Each value is squared in T before it is added, so float32 squares
// overflow to inf as in PyTorch's norm.
template <typename T>
struct SumSquaresPolicy {
  using Acc = WideAcc<T>;
  static Acc identity() { return 0; }
  static Acc step(Acc a, T b) { return a + static_cast<T>(b * b); }
  static Acc combine(Acc a, Acc b) { return a + b; }
};

template <typename T>
struct ProdPolicy {
  using Acc = WideAcc<T>;
  static Acc identity() { return 1; }
  static Acc step(Acc a, T b) { return a * b; }
  static Acc combine(Acc a, Acc b) { return a * b; }
};

// NaN wins over any number, as in PyTorch.
template <typename T, bool kMax>
struct ExtremumPolicy {
  using Acc = T;
  static Acc identity() {
    if constexpr (std::is_floating_point_v<T>) {
      return kMax ? -std::numeric_limits<T>::infinity()
                  : std::numeric_limits<T>::infinity();
    } else {
      return kMax ? std::numeric_limits<T>::lowest()
                  : std::numeric_limits<T>::max();
    }
  }
  static Acc step(Acc a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(a)) return a;
      if (std::isnan(b)) return b;
    }
    return (kMax ? b > a : b < a) ? b : a;
  }
  static Acc combine(Acc a, Acc b) { return step(a, b); }
};

template <typename T, bool kAll>
struct LogicalPolicy {
  using Acc = bool;
  static Acc identity() { return kAll; }
  static Acc step(Acc a, T b) {
    return kAll ? (a && b != T(0)) : (a || b != T(0));
  }
  static Acc combine(Acc a, Acc b) { return kAll ? (a && b) : (a || b); }
};

// Adds a partial result (a run already folded) into an accumulator: for
// every op but SumSquares that is folding one more value; a partial sum of
// squares is not squared again.
template <typename T, typename Policy>
typename Policy::Acc merge_partial(typename Policy::Acc a, T partial) {
  if constexpr (std::is_same_v<Policy, SumSquaresPolicy<T>>) {
    return a + partial;
  } else {
    return Policy::step(a, partial);
  }
}

// Folds a contiguous run. Independent lanes let the compiler use SIMD
// registers without reassociating one long chain of additions (which it may
// not do for floating point); the lanes are combined at the end. 32 lanes
// are several vector accumulators, enough to hide the add latency so a sum
// runs at memory speed.
template <typename T, typename Policy>
typename Policy::Acc fold_contiguous(typename Policy::Acc acc, const T* in,
                                     int64_t n) {
  using Acc = typename Policy::Acc;
  constexpr int kLanes = 32;
  int64_t i = 0;
  if constexpr (std::is_same_v<Policy, SumPolicy<float>>) {
    // Widening every float to double costs a conversion per element and
    // halves the lanes per vector: the loop stops running at memory speed.
    // Each float lane sums a block of 8 (error a few ulp of that partial)
    // before it is added into its double lane, which carries the long run.
    constexpr int kBlock = 8;
    if (n >= kLanes * kBlock) {
      double wide[kLanes] = {};
      for (; i + kLanes * kBlock <= n; i += kLanes * kBlock) {
        float part[kLanes] = {};
        for (int b = 0; b < kBlock; ++b) {
          for (int l = 0; l < kLanes; ++l) part[l] += in[i + b * kLanes + l];
        }
        for (int l = 0; l < kLanes; ++l) wide[l] += part[l];
      }
      // Pairwise, so the combine is a few vector adds, not 32 dependent ones.
      for (int width = kLanes / 2; width >= 1; width /= 2) {
        for (int l = 0; l < width; ++l) wide[l] += wide[l + width];
      }
      acc += wide[0];
    }
    for (; i < n; ++i) acc += in[i];
    return acc;
  }
  if (n >= 2 * kLanes) {
    Acc lanes[kLanes];
    for (int l = 0; l < kLanes; ++l) lanes[l] = Policy::identity();
    for (; i + kLanes <= n; i += kLanes) {
      for (int l = 0; l < kLanes; ++l) {
        lanes[l] = Policy::step(lanes[l], in[i + l]);
      }
    }
    for (int l = 0; l < kLanes; ++l) {
      acc = Policy::combine(acc, lanes[l]);
    }
  }
  for (; i < n; ++i) acc = Policy::step(acc, in[i]);
  return acc;
}

// Folds the plan's input (operand 1) into its output (operand 0, stride 0 on
// reduced dims) over the linear range [lo, hi).
template <typename T, typename Out, typename Policy>
void reduce_range(const StridedPlan<2>& plan, const std::array<char*, 2>& base,
                  int64_t lo, int64_t hi) {
  using Acc = typename Policy::Acc;
  cpu::run_range(plan, base, lo, hi,
                 [](const std::array<char*, 2>& p,
                    const std::array<int64_t, 2>& s, int64_t n) {
                   if (s[0] == 0) {
                     Acc acc = Policy::identity();
                     if (s[1] == sizeof(T)) {
                       const auto* in = reinterpret_cast<const T*>(p[1]);
                       acc = fold_contiguous<T, Policy>(acc, in, n);
                     } else {
                       const char* pi = p[1];
                       for (int64_t i = 0; i < n; ++i, pi += s[1]) {
                         acc =
                             Policy::step(acc, *reinterpret_cast<const T*>(pi));
                       }
                     }
                     auto* out = reinterpret_cast<Out*>(p[0]);
                     *out = static_cast<Out>(
                         merge_partial<T, Policy>(*out, static_cast<T>(acc)));
                     return;
                   }
                   if (s[0] == sizeof(Out) && s[1] == sizeof(T)) {
                     // Rows folded into a row of outputs: a plain vectorisable
                     // loop.
                     auto* out = reinterpret_cast<Out*>(p[0]);
                     const auto* in = reinterpret_cast<const T*>(p[1]);
                     for (int64_t i = 0; i < n; ++i) {
                       out[i] = static_cast<Out>(Policy::step(out[i], in[i]));
                     }
                     return;
                   }
                   char* po = p[0];
                   const char* pi = p[1];
                   for (int64_t i = 0; i < n; ++i, po += s[0], pi += s[1]) {
                     auto* o = reinterpret_cast<Out*>(po);
                     *o = static_cast<Out>(
                         Policy::step(*o, *reinterpret_cast<const T*>(pi)));
                   }
                 });
}

template <typename T, typename Out, typename Policy>
void fill_identity(const Tensor& t) {
  Out* data = static_cast<Out*>(t.raw_data());
  std::fill(data, data + t.numel(), static_cast<Out>(Policy::identity()));
}

template <typename T, typename Out, typename Policy>
void reduce_impl(const Tensor& in, const Tensor& out) {
  fill_identity<T, Out, Policy>(out);
  if (in.numel() == 0) return;
  const auto plan = cpu::make_plan<2>(in.sizes(), {&out, &in});
  const auto ptrs = cpu::data_ptrs<2>({&out, &in});
  const int64_t outer = plan.sizes[0];
  const int64_t per_outer = plan.numel / std::max<int64_t>(outer, 1);
  const bool small = plan.numel <= kGrainSize || get_num_threads() == 1;
  if (small || outer == 1) {
    reduce_range<T, Out, Policy>(plan, ptrs, 0, plan.numel);
  } else if (plan.strides[0][0] != 0) {
    // The outermost dim is kept: threads own disjoint output slabs.
    parallel_for(0, outer, std::max<int64_t>(1, kGrainSize / per_outer),
                 [&](int64_t lo, int64_t hi) {
                   reduce_range<T, Out, Policy>(plan, ptrs, lo * per_outer,
                                                hi * per_outer);
                 });
  } else {
    // The outermost dim is reduced: each chunk folds into a private copy of
    // the output; the copies are folded together afterwards.
    const int chunks = get_num_threads();
    std::vector<Tensor> partials;
    for (int c = 0; c < chunks; ++c) {
      partials.push_back(empty_tensor(out.sizes(), out.dtype()));
      fill_identity<T, Out, Policy>(partials.back());
    }
    const int64_t step = (outer + chunks - 1) / chunks;
    parallel_for(0, chunks, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t c = lo; c < hi; ++c) {
        const int64_t a = std::min(outer, c * step);
        const int64_t b = std::min(outer, a + step);
        auto private_ptrs = ptrs;
        private_ptrs[0] =
            static_cast<char*>(partials[static_cast<size_t>(c)].raw_data());
        reduce_range<T, Out, Policy>(plan, private_ptrs, a * per_outer,
                                     b * per_outer);
      }
    });
    auto* dst = static_cast<Out*>(out.raw_data());
    for (const auto& part : partials) {
      const auto* src = static_cast<const Out*>(part.raw_data());
      for (int64_t i = 0; i < out.numel(); ++i) {
        dst[i] = static_cast<Out>(
            merge_partial<T, Policy>(dst[i], static_cast<T>(src[i])));
      }
    }
  }
}

}  // namespace

void reduce(ReduceOp op, const Tensor& in, const Tensor& out) {
  AG_CHECK(out.is_contiguous(), "reduce kernel: output must be contiguous");
  dispatch_all(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    switch (op) {
      case ReduceOp::Sum:
        return reduce_impl<T, T, SumPolicy<T>>(in, out);
      case ReduceOp::Prod:
        return reduce_impl<T, T, ProdPolicy<T>>(in, out);
      case ReduceOp::Max:
        return reduce_impl<T, T, ExtremumPolicy<T, true>>(in, out);
      case ReduceOp::Min:
        return reduce_impl<T, T, ExtremumPolicy<T, false>>(in, out);
      case ReduceOp::All:
        return reduce_impl<T, bool, LogicalPolicy<T, true>>(in, out);
      case ReduceOp::Any:
        return reduce_impl<T, bool, LogicalPolicy<T, false>>(in, out);
      case ReduceOp::SumSquares:
        return reduce_impl<T, T, SumSquaresPolicy<T>>(in, out);
    }
  });
}

namespace {
// Views a contiguous tensor as [outer, size, inner] around `dim`.
struct DimSplit {
  int64_t outer = 1, size = 1, inner = 1;
};
DimSplit split_at(const Tensor& t, int64_t dim) {
  DimSplit s;
  for (int64_t d = 0; d < t.dim(); ++d) {
    const int64_t n = t.sizes()[static_cast<size_t>(d)];
    if (d < dim) s.outer *= n;
    if (d == dim) s.size = n;
    if (d > dim) s.inner *= n;
  }
  return s;
}
}  // namespace

void arg_extremum(bool is_max, const Tensor& in, int64_t dim,
                  const Tensor& values, const Tensor& indices) {
  AG_CHECK(
      in.is_contiguous() && values.is_contiguous() && indices.is_contiguous(),
      "arg_extremum kernel: operands must be contiguous");
  const DimSplit s = split_at(in, dim);
  auto* idx = indices.data_ptr<int64_t>();
  dispatch_all(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* src = static_cast<const T*>(in.raw_data());
    T* val = values.defined() ? static_cast<T*>(values.raw_data()) : nullptr;
    parallel_for(0, s.outer * s.inner,
                 kGrainSize / std::max<int64_t>(s.size, 1) + 1,
                 [&](int64_t lo, int64_t hi) {
                   for (int64_t j = lo; j < hi; ++j) {
                     const int64_t o = j / s.inner, i = j % s.inner;
                     const T* row = src + o * s.size * s.inner + i;
                     int64_t best = 0;
                     T best_v = row[0];
                     for (int64_t k = 1; k < s.size; ++k) {
                       const T v = row[k * s.inner];
                       bool better = is_max ? v > best_v : v < best_v;
                       if constexpr (std::is_floating_point_v<T>) {
                         // The first NaN is the extremum.
                         if (std::isnan(best_v))
                           better = false;
                         else if (std::isnan(v))
                           better = true;
                       }
                       if (better) {
                         best = k;
                         best_v = v;
                       }
                     }
                     idx[j] = best;
                     if (val) val[j] = best_v;
                   }
                 });
  });
}

void cumsum(const Tensor& in, int64_t dim, bool reverse, const Tensor& out) {
  AG_CHECK(in.is_contiguous() && out.is_contiguous(),
           "cumsum kernel: operands must be contiguous");
  const DimSplit s = split_at(in, dim);
  dispatch_all(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* src = static_cast<const T*>(in.raw_data());
    T* dst = static_cast<T*>(out.raw_data());
    parallel_for(0, s.outer * s.inner,
                 kGrainSize / std::max<int64_t>(s.size, 1) + 1,
                 [&](int64_t lo, int64_t hi) {
                   for (int64_t j = lo; j < hi; ++j) {
                     const int64_t o = j / s.inner, i = j % s.inner;
                     const int64_t base = o * s.size * s.inner + i;
                     WideAcc<T> acc = 0;
                     for (int64_t k = 0; k < s.size; ++k) {
                       const int64_t kk = reverse ? s.size - 1 - k : k;
                       acc += src[base + kk * s.inner];
                       dst[base + kk * s.inner] = static_cast<T>(acc);
                     }
                   }
                 });
  });
}

AG_ISA_END
}  // namespace ag::kernels
