#pragma once

// Strided N-operand iteration shared by the CPU kernels: dims are coalesced
// so contiguous tensors become one flat run, and the innermost run is handed
// to a loop body that can specialise on unit and zero strides.

#include <array>
#include <cstdint>

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

template <size_t N>
std::array<char*, N> data_ptrs(const std::array<const Tensor*, N>& operands) {
  std::array<char*, N> ptrs;
  for (size_t k = 0; k < N; ++k) {
    ptrs[k] = static_cast<char*>(operands[k]->raw_data());
  }
  return ptrs;
}

}  // namespace ag::kernels::cpu
