#include <cmath>
#include <type_traits>

#include "core/dispatch.h"
#include "kernels/cpu/isa.h"  // last: opens the ISA region
#include "kernels/cpu/loops.h"
#include "kernels/kernels.h"

namespace ag::kernels {
AG_ISA_BEGIN

namespace {

using cpu::run_plan_shared;
using cpu::StridedPlan;

template <typename T>
T integer_pow(T base, T exp) {
  if constexpr (std::is_same_v<T, bool>) {
    return base || !exp;
  } else {
    if (exp < 0) {
      // Only 1 and -1 have integral negative powers; the others give 0, as
      // PyTorch's kernel does (the op layer refuses a negative Python
      // integer exponent before reaching here).
      if (base == 1) return 1;
      if (base == -1) return (exp % 2 == 0) ? 1 : -1;
      return 0;
    }
    T result = 1;
    while (exp) {
      if (exp & 1) result = static_cast<T>(result * base);
      exp >>= 1;
      base = static_cast<T>(base * base);
    }
    return result;
  }
}

// NaN propagates through maximum/minimum, as in PyTorch. Plain selects
// (maxss/minss, blends), so the loops vectorise and never mispredict.
template <typename T>
T max_propagate_nan(T a, T b) {
  const T m = a > b ? a : b;  // b when either is NaN
  if constexpr (std::is_floating_point_v<T>) {
    return a != a ? a : m;
  } else {
    return m;
  }
}
template <typename T>
T min_propagate_nan(T a, T b) {
  const T m = a < b ? a : b;
  if constexpr (std::is_floating_point_v<T>) {
    return a != a ? a : m;
  } else {
    return m;
  }
}

// Python's rounding divisions and remainder. Integer division by zero
// raises, as in PyTorch; INT_MIN / -1 wraps instead of trapping.
template <typename T>
T checked_divisor(T b) {
  if (b == 0) throw Error("ZeroDivisionError");
  return b;
}
template <typename T>
T wrapping_neg(T a) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(U(0) - static_cast<U>(a));
}
template <typename T>
T div_trunc_int(T a, T b) {
  if (checked_divisor(b) == -1) return wrapping_neg(a);
  return static_cast<T>(a / b);
}
template <typename T>
T div_floor_int(T a, T b) {
  if (checked_divisor(b) == -1) return wrapping_neg(a);
  const T quot = static_cast<T>(a / b);
  const T rem = static_cast<T>(a % b);
  return (rem != 0 && ((rem < 0) != (b < 0))) ? static_cast<T>(quot - 1) : quot;
}
template <typename T>
T remainder_int(T a, T b) {
  if (checked_divisor(b) == -1) return 0;
  const T rem = static_cast<T>(a % b);
  return (rem != 0 && ((rem < 0) != (b < 0))) ? static_cast<T>(rem + b) : rem;
}
// Floor division through fmod, so that the quotient is exact where a / b
// would round (PyTorch's div_floor_floating).
template <typename T>
T div_floor_float(T a, T b) {
  // A quotient that did not round to an integer has the true quotient's
  // floor (rounding never steps over a representable integer). Below 2^21
  // (2^50 for double) that is also what the fmod path below computes, so
  // only integral, huge and non-finite quotients take it.
  constexpr T kExactBelow =
      std::is_same_v<T, float> ? T(2097152.0) : T(1125899906842624.0);
  const T q = a / b;
  const T fq = std::floor(q);
  if (q != fq && std::abs(q) < kExactBelow) return fq;
  if (b == 0) return q;
  const T mod = std::fmod(a, b);
  T div = (a - mod) / b;
  if (mod != 0 && ((b < 0) != (mod < 0))) div -= T(1);
  if (div == 0) return std::copysign(T(0), a / b);
  T floordiv = std::floor(div);
  if (div - floordiv > T(0.5)) floordiv += T(1);
  return floordiv;
}
template <typename T>
T remainder_float(T a, T b) {
  T mod = std::fmod(a, b);
  if (mod != 0 && ((b < 0) != (mod < 0))) mod += b;
  return mod;
}

// out[i] = f(a[i], b[i]) over dense rows (cpu::RowFn). Out of line, so
// that its direct call below and run_buffered's share one copy.
template <typename T, typename R, typename F>
AG_NOT_INLINED void binary_row(char* const* p, int64_t n, const void* ctx) {
  // A copy, not a reference: the functor's captured scalars could
  // otherwise alias the output, reloaded after every store, which
  // stops the loop from vectorising.
  const F f = *static_cast<const F*>(ctx);
  auto* out = reinterpret_cast<R*>(p[0]);
  const auto* a = reinterpret_cast<const T*>(p[1]);
  const auto* b = reinterpret_cast<const T*>(p[2]);
  for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
}

// Runs out[i] = f(a[i], b[i]). Dense runs and a scalar on either side (x * 2,
// 1 - x, column broadcasts) have their own vectorised loops; other stride
// patterns run the dense row loop through buffers.
template <typename T, typename R, typename F>
void binary_loop(const StridedPlan<3>& plan, const std::array<char*, 3>& base,
                 const F& f) {
  run_plan_shared(plan, base,
                  [&](const std::array<char*, 3>& p,
                      const std::array<int64_t, 3>& s, int64_t n) {
                    constexpr auto tr = static_cast<int64_t>(sizeof(R));
                    constexpr auto tt = static_cast<int64_t>(sizeof(T));
                    auto* out = reinterpret_cast<R*>(p[0]);
                    const auto* a = reinterpret_cast<const T*>(p[1]);
                    const auto* b = reinterpret_cast<const T*>(p[2]);
                    if (s[0] == tr && s[1] == tt && s[2] == tt) {
                      binary_row<T, R, F>(p.data(), n, &f);
                    } else if (s[0] == tr && s[1] == tt && s[2] == 0) {
                      const T bv = *b;
                      for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], bv);
                    } else if (s[0] == tr && s[1] == 0 && s[2] == tt) {
                      const T av = *a;
                      for (int64_t i = 0; i < n; ++i) out[i] = f(av, b[i]);
                    } else {
                      cpu::run_buffered<3>(p, s, n, {tr, tt, tt},
                                           &binary_row<T, R, F>, &f);
                    }
                  });
}

template <typename T>
void arithmetic(BinaryOp op, const StridedPlan<3>& plan,
                const std::array<char*, 3>& ptrs, const Scalar& alpha_s) {
  // Bool arithmetic runs in int and narrows back, so True + True is True.
  using Acc = std::conditional_t<std::is_same_v<T, bool>, int, T>;
  const Acc alpha = alpha_s.to<Acc>();
  auto cast = [](auto v) { return static_cast<T>(v); };
  switch (op) {
    case BinaryOp::Add:
      if (alpha == 1) {
        return binary_loop<T, T>(
            plan, ptrs, [=](T a, T b) { return cast(Acc(a) + Acc(b)); });
      }
      return binary_loop<T, T>(
          plan, ptrs, [=](T a, T b) { return cast(Acc(a) + alpha * Acc(b)); });
    case BinaryOp::Sub:
      if (alpha == 1) {
        return binary_loop<T, T>(
            plan, ptrs, [=](T a, T b) { return cast(Acc(a) - Acc(b)); });
      }
      return binary_loop<T, T>(
          plan, ptrs, [=](T a, T b) { return cast(Acc(a) - alpha * Acc(b)); });
    case BinaryOp::Mul:
      return binary_loop<T, T>(plan, ptrs,
                               [=](T a, T b) { return cast(Acc(a) * Acc(b)); });
    case BinaryOp::Div:
      if constexpr (std::is_floating_point_v<T>) {
        return binary_loop<T, T>(plan, ptrs, [](T a, T b) { return a / b; });
      }
      break;
    case BinaryOp::Pow:
      if constexpr (std::is_floating_point_v<T>) {
        return binary_loop<T, T>(plan, ptrs,
                                 [](T a, T b) { return std::pow(a, b); });
      } else {
        return binary_loop<T, T>(plan, ptrs,
                                 [](T a, T b) { return integer_pow(a, b); });
      }
      // The declared ops: each line's math column (decl/binary.h), for every
      // dtype (Any) or the floating ones (Float).
#define AG_BINARY_CASE(name, Name, kind, math, doc)                            \
  case BinaryOp::Name:                                                         \
    if constexpr (std::is_floating_point_v<T> ||                               \
                  decl::BinaryKind::kind == decl::BinaryKind::Any) {           \
      return binary_loop<T, T>(plan, ptrs,                                     \
                               [](T a, T b) { return static_cast<T>(math); }); \
    }                                                                          \
    break;
      AG_BINARY_TENSOR_OPS(AG_BINARY_CASE)
#undef AG_BINARY_CASE
    case BinaryOp::DivTrunc:
      if constexpr (std::is_floating_point_v<T>) {
        return binary_loop<T, T>(plan, ptrs,
                                 [](T a, T b) { return std::trunc(a / b); });
      } else if constexpr (!std::is_same_v<T, bool>) {
        return binary_loop<T, T>(plan, ptrs,
                                 [](T a, T b) { return div_trunc_int(a, b); });
      }
      break;
    case BinaryOp::DivFloor:
      if constexpr (std::is_floating_point_v<T>) {
        return binary_loop<T, T>(
            plan, ptrs, [](T a, T b) { return div_floor_float(a, b); });
      } else if constexpr (!std::is_same_v<T, bool>) {
        return binary_loop<T, T>(plan, ptrs,
                                 [](T a, T b) { return div_floor_int(a, b); });
      }
      break;
    case BinaryOp::Remainder:
      if constexpr (std::is_floating_point_v<T>) {
        return binary_loop<T, T>(
            plan, ptrs, [](T a, T b) { return remainder_float(a, b); });
      } else if constexpr (!std::is_same_v<T, bool>) {
        return binary_loop<T, T>(plan, ptrs,
                                 [](T a, T b) { return remainder_int(a, b); });
      }
      break;
    case BinaryOp::BitwiseAnd:
      if constexpr (!std::is_floating_point_v<T>) {
        return binary_loop<T, T>(plan, ptrs,
                                 [=](T a, T b) { return cast(a & b); });
      }
      break;
    case BinaryOp::BitwiseOr:
      if constexpr (!std::is_floating_point_v<T>) {
        return binary_loop<T, T>(plan, ptrs,
                                 [=](T a, T b) { return cast(a | b); });
      }
      break;
    case BinaryOp::BitwiseXor:
      if constexpr (!std::is_floating_point_v<T>) {
        return binary_loop<T, T>(plan, ptrs,
                                 [=](T a, T b) { return cast(a ^ b); });
      }
      break;
    default:
      break;
  }
  throw Error("binary kernel: unsupported op for this dtype");
}

template <typename T>
void comparison(BinaryOp op, const StridedPlan<3>& plan,
                const std::array<char*, 3>& ptrs) {
  switch (op) {
    case BinaryOp::Eq:
      return binary_loop<T, bool>(plan, ptrs, [](T a, T b) { return a == b; });
    case BinaryOp::Ne:
      return binary_loop<T, bool>(plan, ptrs, [](T a, T b) { return a != b; });
    case BinaryOp::Lt:
      return binary_loop<T, bool>(plan, ptrs, [](T a, T b) { return a < b; });
    case BinaryOp::Le:
      return binary_loop<T, bool>(plan, ptrs, [](T a, T b) { return a <= b; });
    case BinaryOp::Gt:
      return binary_loop<T, bool>(plan, ptrs, [](T a, T b) { return a > b; });
    case BinaryOp::Ge:
      return binary_loop<T, bool>(plan, ptrs, [](T a, T b) { return a >= b; });
    case BinaryOp::LogicalAnd:
      return binary_loop<T, bool>(
          plan, ptrs, [](T a, T b) { return a != T(0) && b != T(0); });
    case BinaryOp::LogicalOr:
      return binary_loop<T, bool>(
          plan, ptrs, [](T a, T b) { return a != T(0) || b != T(0); });
    case BinaryOp::LogicalXor:
      return binary_loop<T, bool>(
          plan, ptrs, [](T a, T b) { return (a != T(0)) != (b != T(0)); });
    default:
      break;
  }
  throw Error("binary kernel: not a comparison");
}

}  // namespace

void binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out,
            const Scalar& alpha) {
  const auto plan = cpu::make_plan<3>(out.sizes(), {&out, &a, &b});
  const auto ptrs = cpu::data_ptrs<3>({&out, &a, &b});
  dispatch_all(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if (is_comparison(op)) {
      comparison<T>(op, plan, ptrs);
    } else {
      arithmetic<T>(op, plan, ptrs, alpha);
    }
  });
}

namespace {

// out[i] = cond[i] ? a[i] : b[i] over a contiguous row, where a or b may be
// a single value repeated (a_dense / b_dense false). The mask is read as
// bytes (a bool is 0 or 1) so the select vectorises.
// out = f(a, b, c) elementwise over one strided row of four operands, each
// read as its own element type.
template <typename Out, typename A, typename B, typename C, typename F>
void strided_row4(const std::array<char*, 4>& p,
                  const std::array<int64_t, 4>& s, int64_t n, const F& f) {
  char* po = p[0];
  const char* pa = p[1];
  const char* pb = p[2];
  const char* pc = p[3];
  for (int64_t i = 0; i < n;
       ++i, po += s[0], pa += s[1], pb += s[2], pc += s[3]) {
    *reinterpret_cast<Out*>(po) =
        f(*reinterpret_cast<const A*>(pa), *reinterpret_cast<const B*>(pb),
          *reinterpret_cast<const C*>(pc));
  }
}

template <typename T>
void where_row(T* out, const bool* cond, const T* a, bool a_dense, const T* b,
               bool b_dense, int64_t n) {
  const auto* c = reinterpret_cast<const unsigned char*>(cond);
  if (a_dense && b_dense) {
    for (int64_t i = 0; i < n; ++i) out[i] = c[i] ? a[i] : b[i];
  } else if (b_dense) {
    const T av = *a;
    for (int64_t i = 0; i < n; ++i) out[i] = c[i] ? av : b[i];
  } else if (a_dense) {
    const T bv = *b;
    for (int64_t i = 0; i < n; ++i) out[i] = c[i] ? a[i] : bv;
  } else {
    const T av = *a, bv = *b;
    for (int64_t i = 0; i < n; ++i) out[i] = c[i] ? av : bv;
  }
}

}  // namespace

void where(const Tensor& cond, const Tensor& a, const Tensor& b,
           const Tensor& out) {
  const auto plan = cpu::make_plan<4>(out.sizes(), {&out, &cond, &a, &b});
  const auto ptrs = cpu::data_ptrs<4>({&out, &cond, &a, &b});
  dispatch_all(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    cpu::run_plan_shared(
        plan, ptrs,
        [](const std::array<char*, 4>& p, const std::array<int64_t, 4>& s,
           int64_t n) {
          constexpr auto tt = static_cast<int64_t>(sizeof(T));
          if (s[0] == tt && s[1] == 1 && (s[2] == 0 || s[2] == tt) &&
              (s[3] == 0 || s[3] == tt)) {
            // masked_fill and its backward: a dense row of the
            // mask, a scalar on one side. Typed loops vectorise.
            where_row(reinterpret_cast<T*>(p[0]),
                      reinterpret_cast<const bool*>(p[1]),
                      reinterpret_cast<const T*>(p[2]), s[2] != 0,
                      reinterpret_cast<const T*>(p[3]), s[3] != 0, n);
            return;
          }
          strided_row4<T, bool, T, T>(
              p, s, n, [](bool c, T a, T b) { return c ? a : b; });
        });
  });
}

void ternary(TernaryOp op, const Tensor& a, const Tensor& b, const Tensor& c,
             const Tensor& out) {
  const auto plan = cpu::make_plan<4>(out.sizes(), {&out, &a, &b, &c});
  const auto ptrs = cpu::data_ptrs<4>({&out, &a, &b, &c});
  auto run = [&](auto tag, const auto& f) {
    using T = decltype(tag);
    cpu::run_plan_shared(
        plan, ptrs,
        [&](const std::array<char*, 4>& p, const std::array<int64_t, 4>& s,
            int64_t n) {
          constexpr auto tt = static_cast<int64_t>(sizeof(T));
          if (s[0] == tt && s[1] == tt && s[2] == 0 && s[3] == 0) {
            // Contiguous input, scalar parameters (clamp(x, lo,
            // hi), lerp(x, end, w) with scalar end and weight).
            auto* out = reinterpret_cast<T*>(p[0]);
            const auto* a = reinterpret_cast<const T*>(p[1]);
            const T b = *reinterpret_cast<const T*>(p[2]);
            const T c = *reinterpret_cast<const T*>(p[3]);
            for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b, c);
            return;
          }
          if (s[0] == tt && s[1] == tt && s[2] == tt && s[3] == tt) {
            auto* out = reinterpret_cast<T*>(p[0]);
            const auto* a = reinterpret_cast<const T*>(p[1]);
            const auto* b = reinterpret_cast<const T*>(p[2]);
            const auto* c = reinterpret_cast<const T*>(p[3]);
            for (int64_t i = 0; i < n; ++i) {
              out[i] = f(a[i], b[i], c[i]);
            }
            return;
          }
          strided_row4<T, T, T, T>(p, s, n, f);
        });
  };
  dispatch_all(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    switch (op) {
      case TernaryOp::Clamp:
        return run(tag, [](T x, T lo, T hi) {
          return min_propagate_nan(max_propagate_nan(x, lo), hi);
        });
      case TernaryOp::Lerp:
        if constexpr (std::is_floating_point_v<T>) {
          // Exact at both ends: weight 0 gives self, weight 1 gives end.
          return run(tag, [](T self, T end, T w) {
            return std::abs(w) < T(0.5) ? self + w * (end - self)
                                        : end - (end - self) * (T(1) - w);
          });
        }
        break;
    }
    throw Error("ternary kernel: unsupported op for this dtype");
  });
}

AG_ISA_END
}  // namespace ag::kernels
