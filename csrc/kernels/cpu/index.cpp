#include "kernels/index.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <type_traits>

#include "core/dispatch.h"
#include "core/profiler.h"
#include "kernels/cpu/loops.h"
#include "kernels/kernels.h"

namespace ag::kernels {

namespace {

[[noreturn]] void out_of_bounds(int64_t value, const IndexBound& b) {
  const std::string msg =
      ::ag::detail::str_cat("index ", value, " is out of bounds for dimension ",
                            b.dim, " with size ", b.size);
  if (b.index_error) throw IndexError(msg);
  throw Error(msg);
}

inline int64_t checked(int64_t v, const IndexBound& b) {
  if (b.size < 0) return v;
  const int64_t w = (b.wrap && v < 0) ? v + b.size : v;
  if (w < 0 || w >= b.size) out_of_bounds(v, b);
  return w;
}

// Calls f(I{}) with I the C++ type of an index tensor's dtype.
template <typename F>
void dispatch_index(DType dtype, F&& f) {
  AG_CHECK(dtype == DType::Int64 || dtype == DType::Int32,
           "index kernels expect int32 or int64 indices, got ",
           dtype_legacy_name(dtype));
  if (dtype == DType::Int64) {
    f(int64_t{});
  } else {
    f(int32_t{});
  }
}

}  // namespace

void index_gather(const Tensor& src, const Tensor& index, int64_t stride,
                  const IndexBound& bound, const Tensor& out) {
  profiler::RecordScope scope("aten::index", src, index);
  if (out.numel() == 0) return;
  const auto plan = cpu::make_plan<3>(out.sizes(), {&out, &src, &index});
  const auto ptrs = cpu::data_ptrs<3>({&out, &src, &index});
  dispatch_all(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const int64_t step = stride * static_cast<int64_t>(sizeof(T));
    dispatch_index(index.dtype(), [&](auto itag) {
      using I = decltype(itag);
      cpu::run_plan(
          plan, ptrs,
          [&](const std::array<char*, 3>& p, const std::array<int64_t, 3>& s,
              int64_t n) {
            char* po = p[0];
            const char* ps = p[1];
            const char* pi = p[2];
            if (s[2] == 0) {
              // One index for the whole run (row gathers): a
              // plain copy from one shifted source.
              const int64_t k = checked(*reinterpret_cast<const I*>(pi), bound);
              ps += k * step;
              if (s[0] == sizeof(T) && s[1] == sizeof(T)) {
                std::memcpy(po, ps, static_cast<size_t>(n) * sizeof(T));
                return;
              }
              for (int64_t i = 0; i < n; ++i, po += s[0], ps += s[1])
                *reinterpret_cast<T*>(po) = *reinterpret_cast<const T*>(ps);
              return;
            }
            for (int64_t i = 0; i < n;
                 ++i, po += s[0], ps += s[1], pi += s[2]) {
              const int64_t k = checked(*reinterpret_cast<const I*>(pi), bound);
              *reinterpret_cast<T*>(po) =
                  *reinterpret_cast<const T*>(ps + k * step);
            }
          });
    });
  });
}

namespace {

template <ScatterMode M, typename T>
inline T combine(T t, T v) {
  if constexpr (M == ScatterMode::Assign) {
    return v;
  } else if constexpr (M == ScatterMode::Add) {
    return static_cast<T>(t + v);
  } else if constexpr (M == ScatterMode::Mul) {
    if constexpr (std::is_same_v<T, bool>) return t && v;
    return static_cast<T>(t * v);
  } else {
    if constexpr (std::is_floating_point_v<T>) {
      if (v != v) return v;
    }
    // A NaN t stays: neither comparison holds.
    if constexpr (M == ScatterMode::Max) return t < v ? v : t;
    return v < t ? v : t;
  }
}

template <typename F>
void dispatch_scatter_mode(ScatterMode mode, F&& f) {
  using S = ScatterMode;
  switch (mode) {
    case S::Assign:
      return f(std::integral_constant<S, S::Assign>{});
    case S::Add:
      return f(std::integral_constant<S, S::Add>{});
    case S::Mul:
      return f(std::integral_constant<S, S::Mul>{});
    case S::Max:
      return f(std::integral_constant<S, S::Max>{});
    case S::Min:
      break;
  }
  f(std::integral_constant<S, S::Min>{});
}

}  // namespace

void index_scatter(const Tensor& dst, const Tensor& index, int64_t stride,
                   const IndexBound& bound, const Tensor& src,
                   ScatterMode mode) {
  profiler::RecordScope scope("aten::index_put_", dst, index);
  if (index.numel() == 0) return;
  const auto plan = cpu::make_plan<3>(index.sizes(), {&dst, &index, &src});
  const auto ptrs = cpu::data_ptrs<3>({&dst, &index, &src});
  dispatch_all(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const int64_t step = stride * static_cast<int64_t>(sizeof(T));
    dispatch_index(index.dtype(), [&](auto itag) {
      using I = decltype(itag);
      dispatch_scatter_mode(mode, [&](auto mtag) {
        constexpr ScatterMode M = decltype(mtag)::value;
        auto inner = [&](const std::array<char*, 3>& p,
                         const std::array<int64_t, 3>& s, int64_t n) {
          char* pd = p[0];
          const char* pi = p[1];
          const char* ps = p[2];
          if (s[1] == 0) {
            // One index for the whole run: rows written or combined at once.
            pd += checked(*reinterpret_cast<const I*>(pi), bound) * step;
            for (int64_t i = 0; i < n; ++i, pd += s[0], ps += s[2]) {
              T* target = reinterpret_cast<T*>(pd);
              *target = combine<M>(*target, *reinterpret_cast<const T*>(ps));
            }
            return;
          }
          for (int64_t i = 0; i < n; ++i, pd += s[0], pi += s[1], ps += s[2]) {
            const int64_t k = checked(*reinterpret_cast<const I*>(pi), bound);
            T* target = reinterpret_cast<T*>(pd + k * step);
            *target = combine<M>(*target, *reinterpret_cast<const T*>(ps));
          }
        };
        // Repeated indices make threads combine into one element: stay
        // serial.
        if constexpr (M == ScatterMode::Assign) {
          cpu::run_plan(plan, ptrs, inner);
        } else {
          cpu::run_range(plan, ptrs, 0, plan.numel, inner);
        }
      });
    });
  });
}

void index_offsets(const std::vector<Tensor>& indices,
                   const std::vector<int64_t>& sizes,
                   const std::vector<int64_t>& strides, const Tensor& out) {
  if (out.numel() == 0) return;
  fill(out, Scalar(int64_t{0}));
  for (size_t k = 0; k < indices.size(); ++k) {
    const Tensor& idx = indices[k];
    IndexBound bound;
    bound.size = sizes[k];
    bound.wrap = true;
    bound.dim = static_cast<int64_t>(k);
    const int64_t stride = strides[k];
    const auto plan = cpu::make_plan<2>(out.sizes(), {&out, &idx});
    const auto ptrs = cpu::data_ptrs<2>({&out, &idx});
    dispatch_index(idx.dtype(), [&](auto itag) {
      using I = decltype(itag);
      cpu::run_plan(plan, ptrs,
                    [&](const std::array<char*, 2>& p,
                        const std::array<int64_t, 2>& s, int64_t n) {
                      char* po = p[0];
                      const char* pi = p[1];
                      for (int64_t i = 0; i < n; ++i, po += s[0], pi += s[1]) {
                        *reinterpret_cast<int64_t*>(po) +=
                            checked(*reinterpret_cast<const I*>(pi), bound) *
                            stride;
                      }
                    });
    });
  }
}

Tensor nonzero(const Tensor& mask) {
  profiler::RecordScope scope("aten::nonzero", mask);
  AG_CHECK(mask.dtype() == DType::Bool, "nonzero kernel expects a bool mask");
  Tensor m = mask;
  if (!m.is_contiguous()) {
    m = empty_tensor(mask.sizes(), DType::Bool);
    copy(mask, m);
  }
  const bool* data = static_cast<const bool*>(m.raw_data());
  const int64_t n = m.numel();
  const int64_t count = std::count(data, data + n, true);
  const auto nd = static_cast<size_t>(m.dim());
  Tensor out = empty_tensor({count, static_cast<int64_t>(nd)}, DType::Int64);
  auto* coords = static_cast<int64_t*>(out.raw_data());
  DimVector pos(nd, 0);
  for (int64_t i = 0; i < n; ++i) {
    if (data[i]) {
      std::copy(pos.begin(), pos.end(), coords);
      coords += nd;
    }
    for (size_t d = nd; d-- > 0;) {
      if (++pos[d] < m.sizes()[d]) break;
      pos[d] = 0;
    }
  }
  return out;
}

std::pair<int64_t, int64_t> min_max(const Tensor& t) {
  int64_t lo = std::numeric_limits<int64_t>::max();
  int64_t hi = std::numeric_limits<int64_t>::min();
  if (t.numel() == 0) return {lo, hi};
  const auto plan = cpu::make_plan<1>(t.sizes(), {&t});
  const auto ptrs = cpu::data_ptrs<1>({&t});
  dispatch_index(t.dtype(), [&](auto itag) {
    using I = decltype(itag);
    cpu::run_range(plan, ptrs, 0, plan.numel,
                   [&](const std::array<char*, 1>& p,
                       const std::array<int64_t, 1>& s, int64_t n) {
                     const char* pi = p[0];
                     for (int64_t i = 0; i < n; ++i, pi += s[0]) {
                       const int64_t v = *reinterpret_cast<const I*>(pi);
                       lo = std::min(lo, v);
                       hi = std::max(hi, v);
                     }
                   });
  });
  return {lo, hi};
}

void triangle(const Tensor& in, int64_t diagonal, bool upper,
              const Tensor& out) {
  profiler::RecordScope scope(upper ? "aten::triu" : "aten::tril", in);
  AG_CHECK(out.is_contiguous() && out.dim() >= 2,
           "triangle kernel expects a contiguous output of 2 or more dims");
  copy(in, out);
  const int64_t rows_per_matrix = out.size(-2);
  const int64_t cols = out.size(-1);
  if (out.numel() == 0) return;
  const int64_t rows = out.numel() / cols;
  dispatch_all(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* data = static_cast<T*>(out.raw_data());
    parallel_for(0, rows, std::max<int64_t>(1, kGrainSize / cols),
                 [&](int64_t lo, int64_t hi) {
                   for (int64_t r = lo; r < hi; ++r) {
                     const int64_t i = r % rows_per_matrix;
                     T* row = data + r * cols;
                     // Lower keeps j <= i + diagonal; upper keeps j >= it.
                     const int64_t edge = i + diagonal;
                     if (upper) {
                       const int64_t end = std::clamp<int64_t>(edge, 0, cols);
                       std::fill(row, row + end, T{});
                     } else {
                       const int64_t begin =
                           std::clamp<int64_t>(edge + 1, 0, cols);
                       std::fill(row + begin, row + cols, T{});
                     }
                   }
                 });
  });
}

void flip(const Tensor& in, const std::vector<int64_t>& dims,
          const Tensor& out) {
  profiler::RecordScope scope("aten::flip", in);
  if (in.numel() == 0) return;
  // A view with negated strides reads `in` backwards along the flipped dims;
  // it never leaves this function.
  Shape strides = in.strides();
  int64_t offset = in.impl()->storage_offset();
  for (int64_t d : dims) {
    const auto ud = static_cast<size_t>(d);
    offset += (in.sizes()[ud] - 1) * strides[ud];
    strides[ud] = -strides[ud];
  }
  copy(make_view(in, in.sizes(), strides, offset), out);
}

}  // namespace ag::kernels
