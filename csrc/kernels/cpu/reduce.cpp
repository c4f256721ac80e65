#include <algorithm>
#include <type_traits>
#include <vector>

#include "core/dispatch.h"
#include "kernels/cpu/loops.h"
#include "kernels/kernels.h"

namespace ag::kernels {

namespace {

using cpu::StridedPlan;

// Floats accumulate runs in double so long sums keep float32 precision.
template <typename T>
using SumAcc =
    std::conditional_t<std::is_floating_point_v<T>, double,
                       std::conditional_t<std::is_same_v<T, bool>, int64_t, T>>;

// Adds the plan's input (operand 1) into its output (operand 0, stride 0 on
// reduced dims) over the linear range [lo, hi).
template <typename T>
void sum_range(const StridedPlan<2>& plan, const std::array<char*, 2>& base,
               int64_t lo, int64_t hi) {
  cpu::run_range(plan, base, lo, hi,
                 [](const std::array<char*, 2>& p,
                    const std::array<int64_t, 2>& s, int64_t n) {
                   auto* out = reinterpret_cast<T*>(p[0]);
                   if (s[0] == 0) {
                     SumAcc<T> acc = 0;
                     if (s[1] == sizeof(T)) {
                       const auto* in = reinterpret_cast<const T*>(p[1]);
                       for (int64_t i = 0; i < n; ++i) acc += in[i];
                     } else {
                       const char* pi = p[1];
                       for (int64_t i = 0; i < n; ++i, pi += s[1]) {
                         acc += *reinterpret_cast<const T*>(pi);
                       }
                     }
                     *out = static_cast<T>(*out + acc);
                   } else if (s[0] == sizeof(T) && s[1] == sizeof(T)) {
                     const auto* in = reinterpret_cast<const T*>(p[1]);
                     for (int64_t i = 0; i < n; ++i)
                       out[i] = static_cast<T>(out[i] + in[i]);
                   } else {
                     char* po = p[0];
                     const char* pi = p[1];
                     for (int64_t i = 0; i < n; ++i, po += s[0], pi += s[1]) {
                       auto* o = reinterpret_cast<T*>(po);
                       *o =
                           static_cast<T>(*o + *reinterpret_cast<const T*>(pi));
                     }
                   }
                 });
}

}  // namespace

void sum(const Tensor& in, const Tensor& out) {
  AG_CHECK(out.is_contiguous(), "sum kernel: output must be contiguous");
  fill(out, Scalar(int64_t{0}));
  if (in.numel() == 0) return;
  const auto plan = cpu::make_plan<2>(in.sizes(), {&out, &in});
  auto ptrs = cpu::data_ptrs<2>({&out, &in});
  dispatch_all(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const int64_t outer = plan.sizes[0];
    const int64_t per_outer = plan.numel / std::max<int64_t>(outer, 1);
    const bool small = plan.numel <= kGrainSize || get_num_threads() == 1;
    if (small || outer == 1) {
      sum_range<T>(plan, ptrs, 0, plan.numel);
    } else if (plan.strides[0][0] != 0) {
      // The outermost dim is kept: threads own disjoint output slabs.
      parallel_for(0, outer, std::max<int64_t>(1, kGrainSize / per_outer),
                   [&](int64_t lo, int64_t hi) {
                     sum_range<T>(plan, ptrs, lo * per_outer, hi * per_outer);
                   });
    } else {
      // The outermost dim is reduced: each chunk sums into a private copy of
      // the output, combined afterwards.
      const int chunks = get_num_threads();
      std::vector<Tensor> partials;
      for (int c = 0; c < chunks; ++c) {
        partials.push_back(empty_tensor(out.sizes(), out.dtype()));
        fill(partials.back(), Scalar(int64_t{0}));
      }
      const int64_t step = (outer + chunks - 1) / chunks;
      parallel_for(0, chunks, 1, [&](int64_t lo, int64_t hi) {
        for (int64_t c = lo; c < hi; ++c) {
          const int64_t a = std::min(outer, c * step);
          const int64_t b = std::min(outer, a + step);
          auto private_ptrs = ptrs;
          private_ptrs[0] =
              static_cast<char*>(partials[static_cast<size_t>(c)].raw_data());
          sum_range<T>(plan, private_ptrs, a * per_outer, b * per_outer);
        }
      });
      auto* dst = static_cast<T*>(out.raw_data());
      for (const auto& part : partials) {
        const auto* src = static_cast<const T*>(part.raw_data());
        for (int64_t i = 0; i < out.numel(); ++i) {
          dst[i] = static_cast<T>(dst[i] + src[i]);
        }
      }
    }
  });
}

}  // namespace ag::kernels
