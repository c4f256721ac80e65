#include <cstring>

#include "core/dispatch.h"
#include "core/profiler.h"
#include "kernels/cpu/loops.h"
#include "kernels/kernels.h"

namespace ag::kernels {

void copy(const Tensor& src, const Tensor& dst) {
  profiler::RecordScope scope("aten::copy_", dst, src);
  if (dst.numel() == 0) return;
  if (src.dtype() == dst.dtype() && src.is_contiguous() &&
      dst.is_contiguous() && src.sizes() == dst.sizes()) {
    std::memcpy(dst.raw_data(), src.raw_data(),
                static_cast<size_t>(dst.numel()) * itemsize(dst.dtype()));
    return;
  }
  const auto plan = cpu::make_plan<2>(dst.sizes(), {&dst, &src});
  const auto ptrs = cpu::data_ptrs<2>({&dst, &src});
  dispatch_all(dst.dtype(), [&](auto dst_tag) {
    using D = decltype(dst_tag);
    dispatch_all(src.dtype(), [&](auto src_tag) {
      using S = decltype(src_tag);
      cpu::run_plan_shared(
          plan, ptrs,
          [](const std::array<char*, 2>& p, const std::array<int64_t, 2>& s,
             int64_t n) {
            if (s[0] == sizeof(D) && s[1] == sizeof(S)) {
              auto* out = reinterpret_cast<D*>(p[0]);
              const auto* in = reinterpret_cast<const S*>(p[1]);
              for (int64_t i = 0; i < n; ++i) out[i] = static_cast<D>(in[i]);
            } else {
              char* po = p[0];
              const char* pi = p[1];
              for (int64_t i = 0; i < n; ++i, po += s[0], pi += s[1]) {
                *reinterpret_cast<D*>(po) =
                    static_cast<D>(*reinterpret_cast<const S*>(pi));
              }
            }
          });
    });
  });
}

void fill(const Tensor& dst, const Scalar& value) {
  profiler::RecordScope scope("aten::fill_", dst);
  if (dst.numel() == 0) return;
  const auto plan = cpu::make_plan<1>(dst.sizes(), {&dst});
  const auto ptrs = cpu::data_ptrs<1>({&dst});
  dispatch_all(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T v = value.to<T>();
    cpu::run_plan_shared(plan, ptrs,
                         [v](const std::array<char*, 1>& p,
                             const std::array<int64_t, 1>& s, int64_t n) {
                           if (s[0] == sizeof(T)) {
                             auto* out = reinterpret_cast<T*>(p[0]);
                             for (int64_t i = 0; i < n; ++i) out[i] = v;
                           } else {
                             char* po = p[0];
                             for (int64_t i = 0; i < n; ++i, po += s[0])
                               *reinterpret_cast<T*>(po) = v;
                           }
                         });
  });
}

}  // namespace ag::kernels
