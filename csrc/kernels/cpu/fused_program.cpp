// The interpreter of fused elementwise programs (kernels/fused.h): one pass
// over memory in blocks, each instruction a tight loop over one block of
// registers that stay in the L1 cache.

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "kernels/cpu/isa.h"  // last: opens the ISA region
#include "kernels/cpu/vec_math.h"
#include "kernels/fused.h"

namespace ag::kernels {
AG_ISA_BEGIN

namespace {

template <typename T, typename F>
void unary_block(T* d, const T* a, int64_t n, const F& f) {
  for (int64_t i = 0; i < n; ++i) d[i] = f(a[i]);
}

// The math is each op's own kernel formula (decl/unary.h's math column and
// kernels/cpu/unary.cpp), so a fused op computes what the eager one does.
template <typename T>
void unary_instr(UnaryOp op, T* d, const T* a, int64_t n) {
  switch (op) {
#define AG_FUSED_UNARY_CASE(name, Name, math, doc) \
  case UnaryOp::Name:                              \
    return unary_block<T>(d, a, n, [](T x) { return static_cast<T>(math); });
    AG_UNARY_FLOAT_OPS(AG_FUSED_UNARY_CASE)
#undef AG_FUSED_UNARY_CASE
    case UnaryOp::Neg:
      return unary_block<T>(d, a, n, [](T x) { return -x; });
    case UnaryOp::Relu:
      return unary_block<T>(d, a, n, [](T x) { return cpu::relu(x); });
    case UnaryOp::Square:
      return unary_block<T>(d, a, n, [](T x) { return x * x; });
    default:
      break;
  }
  throw Error("fused kernel: unsupported unary op");
}

// d = f(a, b), either operand possibly a scalar broadcast over the block.
template <typename T, typename F>
void binary_block(const FusedInstr& ins, T* const* regs, int64_t n,
                  const F& f) {
  T* d = regs[ins.dst];
  if (ins.a >= 0 && ins.b >= 0) {
    const T* a = regs[ins.a];
    const T* b = regs[ins.b];
    for (int64_t i = 0; i < n; ++i) d[i] = f(a[i], b[i]);
  } else if (ins.a >= 0) {
    const T* a = regs[ins.a];
    const T b = static_cast<T>(ins.b_scalar);
    for (int64_t i = 0; i < n; ++i) d[i] = f(a[i], b);
  } else {
    const T a = static_cast<T>(ins.a_scalar);
    const T* b = regs[ins.b];
    for (int64_t i = 0; i < n; ++i) d[i] = f(a, b[i]);
  }
}

template <typename T>
void binary_instr(const FusedInstr& ins, T* const* regs, int64_t n) {
  const T alpha = static_cast<T>(ins.alpha);
  switch (ins.bop) {
    case BinaryOp::Add:
      if (ins.alpha == 1.0) {
        return binary_block<T>(ins, regs, n, [](T a, T b) { return a + b; });
      }
      return binary_block<T>(ins, regs, n,
                             [=](T a, T b) { return a + alpha * b; });
    case BinaryOp::Sub:
      if (ins.alpha == 1.0) {
        return binary_block<T>(ins, regs, n, [](T a, T b) { return a - b; });
      }
      return binary_block<T>(ins, regs, n,
                             [=](T a, T b) { return a - alpha * b; });
    case BinaryOp::Mul:
      return binary_block<T>(ins, regs, n, [](T a, T b) { return a * b; });
    case BinaryOp::Div:
      return binary_block<T>(ins, regs, n, [](T a, T b) { return a / b; });
    default:
      break;
  }
  throw Error("fused kernel: unsupported binary op");
}

template <typename T>
void run_typed(const FusedProgram& p, int64_t n, char* const* external,
               T* scratch) {
  const auto num_regs = static_cast<size_t>(p.num_external + p.num_scratch);
  std::vector<T*> regs(num_regs);
  for (int32_t r = 0; r < p.num_scratch; ++r) {
    regs[static_cast<size_t>(p.num_external + r)] = scratch + r * p.block;
  }
  for (int64_t start = 0; start < n; start += p.block) {
    const int64_t len = std::min(p.block, n - start);
    for (int32_t r = 0; r < p.num_external; ++r) {
      regs[static_cast<size_t>(r)] = reinterpret_cast<T*>(external[r]) + start;
    }
    for (const FusedInstr& ins : p.code) {
      switch (ins.kind) {
        case FusedInstr::Kind::Unary:
          unary_instr<T>(ins.uop, regs[static_cast<size_t>(ins.dst)],
                         regs[static_cast<size_t>(ins.a)], len);
          break;
        case FusedInstr::Kind::Binary:
          binary_instr<T>(ins, regs.data(), len);
          break;
        case FusedInstr::Kind::ReluGrad:
          // A select, as the eager kernel: 0 where the input is <= 0 even
          // for an inf or NaN gradient.
          binary_block<T>(ins, regs.data(), len,
                          [](T g, T x) { return x <= T(0) ? T(0) : g; });
          break;
        case FusedInstr::Kind::Fill: {
          T* d = regs[static_cast<size_t>(ins.dst)];
          const T v = static_cast<T>(ins.a_scalar);
          for (int64_t i = 0; i < len; ++i) d[i] = v;
          break;
        }
      }
    }
  }
}

}  // namespace

void run_fused(const FusedProgram& p, DType dtype, int64_t n,
               char* const* external, void* scratch) {
  if (dtype == DType::Float32) {
    return run_typed<float>(p, n, external, static_cast<float*>(scratch));
  }
  AG_CHECK(dtype == DType::Float64, "fused kernel: float32 or float64 only");
  run_typed<double>(p, n, external, static_cast<double*>(scratch));
}

AG_ISA_END
}  // namespace ag::kernels
