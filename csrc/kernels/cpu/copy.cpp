#include <algorithm>
#include <cstring>

#include "core/dispatch.h"
#include "core/profiler.h"
#include "kernels/cpu/loops.h"
#include "kernels/kernels.h"

namespace ag::kernels {

namespace {

// Whether the last two dims of the plan swap which operand is dense: the
// destination steps through memory along the last, the source along the
// one before (a transpose or permute made contiguous).
bool transposes_tail(const cpu::StridedPlan<2>& plan, int64_t item) {
  const size_t nd = plan.sizes.size();
  return nd >= 2 && plan.strides[0][nd - 1] == item &&
         plan.strides[1][nd - 1] != item && plan.strides[1][nd - 2] == item &&
         plan.sizes[nd - 1] >= 8 && plan.sizes[nd - 2] >= 8;
}

// Copies such a plan in tiles of one source cache line (along the rows) by
// a few columns: read row by row, the source would yield one element per
// cache line fetched. Where the source's column stride is a multiple of
// 2 KiB, a tile's source lines fall into one or two cache sets, which hold
// eight lines each, so the tile is eight columns wide instead of 32.
template <typename U>
void copy_transposed(const cpu::StridedPlan<2>& plan,
                     const std::array<char*, 2>& base) {
  constexpr int64_t kRowTile = std::max<int64_t>(1, 64 / sizeof(U));
  const size_t nd = plan.sizes.size();
  const int64_t rows = plan.sizes[nd - 2], cols = plan.sizes[nd - 1];
  const int64_t dst_row = plan.strides[0][nd - 2];
  const int64_t src_col = plan.strides[1][nd - 1];
  const int64_t col_tile = src_col % 2048 == 0 ? 8 : 32;
  const int64_t outer = plan.numel / (rows * cols);
  const int64_t row_tiles = (rows + kRowTile - 1) / kRowTile;
  const int64_t grain = std::max<int64_t>(1, kGrainSize / (kRowTile * cols));
  parallel_for(0, outer * row_tiles, grain, [&](int64_t lo, int64_t hi) {
    for (int64_t task = lo; task < hi; ++task) {
      // The outer dims' offsets, from the task's outer index.
      int64_t rest = task / row_tiles;
      char* dst = base[0];
      const char* src = base[1];
      for (size_t d = nd - 2; d-- > 0;) {
        const int64_t i = rest % plan.sizes[d];
        rest /= plan.sizes[d];
        dst += i * plan.strides[0][d];
        src += i * plan.strides[1][d];
      }
      const int64_t r0 = task % row_tiles * kRowTile;
      const int64_t r1 = std::min(rows, r0 + kRowTile);
      for (int64_t c0 = 0; c0 < cols; c0 += col_tile) {
        const int64_t c1 = std::min(cols, c0 + col_tile);
        for (int64_t r = r0; r < r1; ++r) {
          U* out = reinterpret_cast<U*>(dst + r * dst_row);
          const char* in = src + r * static_cast<int64_t>(sizeof(U));
          for (int64_t c = c0; c < c1; ++c) {
            out[c] = *reinterpret_cast<const U*>(in + c * src_col);
          }
        }
      }
    }
  });
}

}  // namespace

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
      if (transposes_tail(plan, item)) {
        return copy_transposed<U>(plan, ptrs);
      }
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
