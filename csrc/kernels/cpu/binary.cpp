#include <cmath>
#include <type_traits>

#include "core/dispatch.h"
#include "kernels/cpu/loops.h"
#include "kernels/kernels.h"

namespace ag::kernels {

bool is_comparison(BinaryOp op) {
  return op >= BinaryOp::Eq;
}

namespace {

using cpu::run_plan;
using cpu::StridedPlan;

template <typename T>
T integer_pow(T base, T exp) {
  if constexpr (std::is_same_v<T, bool>) {
    return base || !exp;
  } else {
    if (exp < 0) {
      // Only 1 and -1 have integral negative powers; the op layer rejects
      // negative integer exponents before reaching here for tensors.
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

// NaN propagates through maximum/minimum, as in PyTorch.
template <typename T>
T max_propagate_nan(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return a + b;
  }
  return a > b ? a : b;
}
template <typename T>
T min_propagate_nan(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return a + b;
  }
  return a < b ? a : b;
}

// Runs out[i] = f(a[i], b[i]) with fast paths for contiguous operands and a
// broadcast scalar, which the compiler can vectorise.
template <typename T, typename R, typename F>
void binary_loop(const StridedPlan<3>& plan, const std::array<char*, 3>& base,
                 const F& f) {
  run_plan(plan, base,
           [&](const std::array<char*, 3>& p, const std::array<int64_t, 3>& s,
               int64_t n) {
             auto* out = reinterpret_cast<R*>(p[0]);
             const auto* a = reinterpret_cast<const T*>(p[1]);
             const auto* b = reinterpret_cast<const T*>(p[2]);
             constexpr auto tr = static_cast<int64_t>(sizeof(R));
             constexpr auto tt = static_cast<int64_t>(sizeof(T));
             if (s[0] == tr && s[1] == tt && s[2] == tt) {
               for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
             } else if (s[0] == tr && s[1] == tt && s[2] == 0) {
               const T bv = *b;
               for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], bv);
             } else if (s[0] == tr && s[1] == 0 && s[2] == tt) {
               const T av = *a;
               for (int64_t i = 0; i < n; ++i) out[i] = f(av, b[i]);
             } else {
               char* po = p[0];
               const char* pa = p[1];
               const char* pb = p[2];
               for (int64_t i = 0; i < n;
                    ++i, po += s[0], pa += s[1], pb += s[2]) {
                 *reinterpret_cast<R*>(po) = f(*reinterpret_cast<const T*>(pa),
                                               *reinterpret_cast<const T*>(pb));
               }
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
    case BinaryOp::Maximum:
      return binary_loop<T, T>(plan, ptrs, max_propagate_nan<T>);
    case BinaryOp::Minimum:
      return binary_loop<T, T>(plan, ptrs, min_propagate_nan<T>);
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

void where(const Tensor& cond, const Tensor& a, const Tensor& b,
           const Tensor& out) {
  const auto plan = cpu::make_plan<4>(out.sizes(), {&out, &cond, &a, &b});
  const auto ptrs = cpu::data_ptrs<4>({&out, &cond, &a, &b});
  dispatch_all(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    cpu::run_plan(plan, ptrs,
                  [](const std::array<char*, 4>& p,
                     const std::array<int64_t, 4>& s, int64_t n) {
                    char* po = p[0];
                    const char* pc = p[1];
                    const char* pa = p[2];
                    const char* pb = p[3];
                    for (int64_t i = 0; i < n;
                         ++i, po += s[0], pc += s[1], pa += s[2], pb += s[3]) {
                      *reinterpret_cast<T*>(po) =
                          *reinterpret_cast<const bool*>(pc)
                              ? *reinterpret_cast<const T*>(pa)
                              : *reinterpret_cast<const T*>(pb);
                    }
                  });
  });
}

}  // namespace ag::kernels
