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
  if (src.dtype() == dst.dtype()) {
    // Same dtype: bytes move unchanged, so one loop per element size
    // serves every dtype, and it is inlined into the odometer (no call per
    // inner run: the views copied most, heads split from a projection, are
    // rows of 32-128 elements).
    const auto item = static_cast<int64_t>(itemsize(dst.dtype()));
    auto copy_items = [&](auto tag) {
      using U = decltype(tag);
      cpu::run_plan(plan, ptrs,
                    [item](const std::array<char*, 2>& p,
                           const std::array<int64_t, 2>& s, int64_t n) {
                      if (s[0] == item && s[1] == item) {
                        std::memcpy(p[0], p[1], static_cast<size_t>(n * item));
                        return;
                      }
                      // Strides in locals and typed stores: a byte copy
                      // could alias them, reloading both every element.
                      const int64_t so = s[0], si = s[1];
                      char* po = p[0];
                      const char* pi = p[1];
                      for (int64_t i = 0; i < n; ++i, po += so, pi += si) {
                        *reinterpret_cast<U*>(po) =
                            *reinterpret_cast<const U*>(pi);
                      }
                    });
    };
    switch (item) {
      case 1:
        return copy_items(uint8_t{});
      case 2:
        return copy_items(uint16_t{});
      case 4:
        return copy_items(uint32_t{});
      case 8:
        return copy_items(uint64_t{});
      default:
        break;  // any other size takes the general loop below
    }
  }
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
