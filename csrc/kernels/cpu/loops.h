#pragma once

// Strided N-operand iteration shared by the CPU kernels: dims are coalesced
// so contiguous tensors become one flat run, and the innermost run is handed
// to a loop body that can specialise on unit and zero strides.

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "core/tensor.h"
#include "kernels/parallel.h"

namespace ag::kernels::cpu {

template <size_t N>
struct StridedPlan {
  DimVector sizes;                   // innermost dim last
  std::array<DimVector, N> strides;  // in bytes
  int64_t numel = 1;
};

// Operand 0 is written; every operand is viewed at `shape` (its own strides
// broadcast with zeros).
template <size_t N>
StridedPlan<N> make_plan(const Shape& shape,
                         const std::array<const Tensor*, N>& operands) {
  // Fast path: every operand is contiguous with the full shape, or a single
  // broadcast element; the plan is then one flat run.
  bool flat = true;
  const int64_t numel = numel_of(shape);
  for (size_t k = 0; k < N && flat; ++k) {
    const Tensor& t = *operands[k];
    flat = (t.is_contiguous() && t.numel() == numel && t.sizes() == shape) ||
           t.numel() == 1;
  }
  if (flat) {
    StridedPlan<N> plan;
    plan.numel = numel;
    plan.sizes.push_back(numel);
    for (size_t k = 0; k < N; ++k) {
      const Tensor& t = *operands[k];
      plan.strides[k].push_back(t.numel() == numel && numel != 1
                                    ? static_cast<int64_t>(itemsize(t.dtype()))
                                    : 0);
    }
    return plan;
  }
  std::array<Shape, N> byte_strides;
  for (size_t k = 0; k < N; ++k) {
    const Tensor& t = *operands[k];
    byte_strides[k] = broadcast_strides(t.sizes(), t.strides(), shape);
    const auto item = static_cast<int64_t>(itemsize(t.dtype()));
    for (auto& s : byte_strides[k]) s *= item;
  }
  StridedPlan<N> plan;
  plan.numel = numel_of(shape);
  // Walk from the innermost dim outwards, merging a dim into the run inside
  // it when every operand steps through memory continuously.
  DimVector rev_sizes;
  std::array<DimVector, N> rev_strides;
  for (size_t i = shape.size(); i-- > 0;) {
    const int64_t size = shape[i];
    if (size == 1) continue;
    bool merge = !rev_sizes.empty();
    for (size_t k = 0; k < N && merge; ++k) {
      merge = byte_strides[k][i] == rev_strides[k].back() * rev_sizes.back();
    }
    if (merge) {
      rev_sizes.back() *= size;
    } else {
      rev_sizes.push_back(size);
      for (size_t k = 0; k < N; ++k)
        rev_strides[k].push_back(byte_strides[k][i]);
    }
  }
  if (rev_sizes.empty()) {
    rev_sizes.push_back(1);
    for (size_t k = 0; k < N; ++k) rev_strides[k].push_back(0);
  }
  const size_t nd = rev_sizes.size();
  plan.sizes.resize(nd);
  for (size_t k = 0; k < N; ++k) plan.strides[k].resize(nd);
  for (size_t d = 0; d < nd; ++d) {
    plan.sizes[d] = rev_sizes[nd - 1 - d];
    for (size_t k = 0; k < N; ++k)
      plan.strides[k][d] = rev_strides[k][nd - 1 - d];
  }
  return plan;
}

// A loop body over one inner run: count elements from ptrs, each operand
// advancing by its inner stride (bytes); ctx is the body's state.
template <size_t N>
using InnerFn = void (*)(const void* ctx, const std::array<char*, N>& ptrs,
                         const std::array<int64_t, N>& inner_strides,
                         int64_t count);

// noipa also keeps GCC from cloning a function for each constant function
// pointer it is called with, which would copy the loops back in per op.
#if defined(__clang__)
#define AG_NOT_INLINED __attribute__((noinline))
#else
#define AG_NOT_INLINED __attribute__((noipa))
#endif

// Runs inner(ptrs, inner_strides, count) over the linear element range
// [begin, end) of the plan. The pointers advance incrementally from one
// inner run to the next (an odometer over the outer dims), so short inner
// runs, as in transposed or sliced tensors, cost a few adds each.
template <size_t N, typename Inner>
void run_range(const StridedPlan<N>& plan, const std::array<char*, N>& base,
               int64_t begin, int64_t end, const Inner& inner) {
  const size_t nd = plan.sizes.size();
  const int64_t inner_size = plan.sizes[nd - 1];
  DimVector index(nd, 0);
  int64_t rest = begin;
  for (size_t d = nd; d-- > 0;) {
    index[d] = rest % plan.sizes[d];
    rest /= plan.sizes[d];
  }
  std::array<char*, N> ptrs;
  std::array<int64_t, N> inner_strides;
  for (size_t k = 0; k < N; ++k) {
    int64_t offset = 0;
    for (size_t d = 0; d < nd; ++d) offset += index[d] * plan.strides[k][d];
    ptrs[k] = base[k] + offset;
    inner_strides[k] = plan.strides[k][nd - 1];
  }
  int64_t pos = begin;
  while (pos < end) {
    const int64_t count = std::min(inner_size - index[nd - 1], end - pos);
    inner(ptrs, inner_strides, count);
    pos += count;
    if (pos >= end) break;
    // The inner run reached the end of its dim: rewind it and carry.
    for (size_t k = 0; k < N; ++k) {
      ptrs[k] -= index[nd - 1] * inner_strides[k];
    }
    index[nd - 1] = 0;
    for (size_t d = nd - 1; d-- > 0;) {
      ++index[d];
      for (size_t k = 0; k < N; ++k) ptrs[k] += plan.strides[k][d];
      if (index[d] < plan.sizes[d]) break;
      for (size_t k = 0; k < N; ++k) {
        ptrs[k] -= plan.sizes[d] * plan.strides[k][d];
      }
      index[d] = 0;
    }
  }
}

// Elementwise loop over a plan, split across threads when large.
template <size_t N, typename Inner>
void run_plan(const StridedPlan<N>& plan, const std::array<char*, N>& base,
              const Inner& inner) {
  parallel_for(0, plan.numel, kGrainSize, [&](int64_t lo, int64_t hi) {
    run_range(plan, base, lo, hi, inner);
  });
}

// run_plan with one compiled copy per operand count: the body is reached
// through a function pointer, so the odometer and the thread pool's
// plumbing (inlined twice by parallel_for) are not compiled again for every
// op and dtype of the elementwise kernels. Costs one indirect call per
// inner run.
template <size_t N>
AG_NOT_INLINED void run_plan_erased(const StridedPlan<N>& plan,
                                    const std::array<char*, N>& base,
                                    InnerFn<N> inner, const void* ctx) {
  run_plan(plan, base,
           [&](const std::array<char*, N>& p, const std::array<int64_t, N>& s,
               int64_t n) { inner(ctx, p, s, n); });
}

template <size_t N, typename Inner>
void run_plan_shared(const StridedPlan<N>& plan,
                     const std::array<char*, N>& base, const Inner& inner) {
  run_plan_erased<N>(
      plan, base,
      [](const void* ctx, const std::array<char*, N>& p,
         const std::array<int64_t, N>& s,
         int64_t n) { (*static_cast<const Inner*>(ctx))(p, s, n); },
      &inner);
}

// A loop body over dense rows: ptrs[0] (written) and the inputs are arrays
// of n elements; ctx is the body's state (the op's functor).
using RowFn = void (*)(char* const* ptrs, int64_t n, const void* ctx);

namespace detail {
// Copies m elements of `item` bytes between a strided and a dense array:
// one loop per element size, whatever the op.
inline void copy_elements(char* dst, int64_t dst_stride, const char* src,
                          int64_t src_stride, int64_t item, int64_t m) {
  auto copy = [&](auto tag) {
    using U = decltype(tag);
    // Four at a time: the loop overhead would otherwise cost as much as
    // the copy.
    int64_t i = 0;
    for (; i + 4 <= m; i += 4) {
      char* d = dst + i * dst_stride;
      const char* s = src + i * src_stride;
      std::memcpy(d, s, sizeof(U));
      std::memcpy(d + dst_stride, s + src_stride, sizeof(U));
      std::memcpy(d + 2 * dst_stride, s + 2 * src_stride, sizeof(U));
      std::memcpy(d + 3 * dst_stride, s + 3 * src_stride, sizeof(U));
    }
    for (; i < m; ++i) {
      std::memcpy(dst + i * dst_stride, src + i * src_stride, sizeof(U));
    }
  };
  switch (item) {
    case 1:
      return copy(uint8_t{});
    case 2:
      return copy(uint16_t{});
    case 4:
      return copy(uint32_t{});
    default:
      return copy(uint64_t{});
  }
}
}  // namespace detail

// Runs row over one inner run of n elements with byte strides s, where
// item[k] is operand k's element size. Dense runs go straight to row;
// strided operands are copied through small buffers and a broadcast input
// (stride 0) is repeated into one, so each op's body exists only as a
// vectorised dense loop instead of once more per stride pattern. Kept out of
// line: inlined, it would copy the body into both of its call sites.
template <size_t N>
AG_NOT_INLINED void run_buffered(const std::array<char*, N>& p,
                                 const std::array<int64_t, N>& s, int64_t n,
                                 const std::array<int64_t, N>& item, RowFn row,
                                 const void* ctx) {
  // A single element is a dense run whatever the strides (0-d operands).
  bool dense = true;
  for (size_t k = 0; k < N; ++k) dense = dense && s[k] == item[k];
  if (dense || n == 1) {
    row(p.data(), n, ctx);
    return;
  }
  // 512 elements: three operands' buffers of doubles stay within L1.
  constexpr int64_t kChunk = 512;
  alignas(64) char buffers[N][kChunk * 8];
  const int64_t first = std::min(n, kChunk);
  for (size_t k = 1; k < N; ++k) {
    if (s[k] == 0) {
      detail::copy_elements(buffers[k], item[k], p[k], 0, item[k], first);
    }
  }
  std::array<char*, N> q;
  for (int64_t done = 0; done < n; done += kChunk) {
    const int64_t m = std::min(n - done, kChunk);
    for (size_t k = 0; k < N; ++k) {
      if (s[k] == item[k]) {
        q[k] = p[k] + done * item[k];
      } else {
        q[k] = buffers[k];
        if (k > 0 && s[k] != 0) {
          detail::copy_elements(buffers[k], item[k], p[k] + done * s[k], s[k],
                                item[k], m);
        }
      }
    }
    row(q.data(), m, ctx);
    if (s[0] != item[0]) {
      detail::copy_elements(p[0] + done * s[0], s[0], buffers[0], item[0],
                            item[0], m);
    }
  }
}

template <size_t N>
std::array<char*, N> data_ptrs(const std::array<const Tensor*, N>& operands) {
  std::array<char*, N> ptrs;
  for (size_t k = 0; k < N; ++k) {
    ptrs[k] = static_cast<char*>(operands[k]->raw_data());
  }
  return ptrs;
}

}  // namespace ag::kernels::cpu
