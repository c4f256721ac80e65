#include <cmath>
#include <type_traits>

#include "core/dispatch.h"
#include "kernels/cpu/loops.h"
#include "kernels/kernels.h"

namespace ag::kernels {

bool is_floating_only(UnaryOp op) {
  return op >= UnaryOp::Exp;
}

namespace {

using cpu::run_plan;
using cpu::StridedPlan;

template <typename T, typename F>
void unary_loop(const StridedPlan<2>& plan, const std::array<char*, 2>& base,
                const F& f) {
  run_plan(plan, base,
           [&](const std::array<char*, 2>& p, const std::array<int64_t, 2>& s,
               int64_t n) {
             constexpr auto tt = static_cast<int64_t>(sizeof(T));
             if (s[0] == tt && s[1] == tt) {
               auto* out = reinterpret_cast<T*>(p[0]);
               const auto* in = reinterpret_cast<const T*>(p[1]);
               for (int64_t i = 0; i < n; ++i) out[i] = f(in[i]);
             } else {
               char* po = p[0];
               const char* pi = p[1];
               for (int64_t i = 0; i < n; ++i, po += s[0], pi += s[1]) {
                 *reinterpret_cast<T*>(po) = f(*reinterpret_cast<const T*>(pi));
               }
             }
           });
}

template <typename T>
void any_dtype_op(UnaryOp op, const StridedPlan<2>& plan,
                  const std::array<char*, 2>& ptrs) {
  switch (op) {
    case UnaryOp::Neg:
      return unary_loop<T>(plan, ptrs, [](T x) { return static_cast<T>(-x); });
    case UnaryOp::Abs:
      return unary_loop<T>(plan, ptrs, [](T x) {
        if constexpr (std::is_same_v<T, bool>) {
          return x;
        } else {
          return static_cast<T>(x < 0 ? -x : x);
        }
      });
    case UnaryOp::Sign:
      return unary_loop<T>(plan, ptrs, [](T x) {
        return static_cast<T>((T(0) < x) - (x < T(0)));
      });
    case UnaryOp::Relu:
      // NaN stays NaN (x > 0 is false but so is x <= 0).
      return unary_loop<T>(plan, ptrs, [](T x) {
        return x > T(0) ? x : (x <= T(0) ? T(0) : x);
      });
    case UnaryOp::Square:
      return unary_loop<T>(plan, ptrs,
                           [](T x) { return static_cast<T>(x * x); });
    default:
      break;
  }
  throw Error("unary kernel: unsupported op");
}

template <typename T>
void floating_op(UnaryOp op, const StridedPlan<2>& plan,
                 const std::array<char*, 2>& ptrs) {
  switch (op) {
    case UnaryOp::Exp:
      return unary_loop<T>(plan, ptrs, [](T x) { return std::exp(x); });
    case UnaryOp::Log:
      return unary_loop<T>(plan, ptrs, [](T x) { return std::log(x); });
    case UnaryOp::Log1p:
      return unary_loop<T>(plan, ptrs, [](T x) { return std::log1p(x); });
    case UnaryOp::Sqrt:
      return unary_loop<T>(plan, ptrs, [](T x) { return std::sqrt(x); });
    case UnaryOp::Rsqrt:
      return unary_loop<T>(plan, ptrs, [](T x) { return T(1) / std::sqrt(x); });
    case UnaryOp::Sin:
      return unary_loop<T>(plan, ptrs, [](T x) { return std::sin(x); });
    case UnaryOp::Cos:
      return unary_loop<T>(plan, ptrs, [](T x) { return std::cos(x); });
    case UnaryOp::Tanh:
      return unary_loop<T>(plan, ptrs, [](T x) { return std::tanh(x); });
    case UnaryOp::Sigmoid:
      return unary_loop<T>(plan, ptrs,
                           [](T x) { return T(1) / (T(1) + std::exp(-x)); });
    case UnaryOp::Reciprocal:
      return unary_loop<T>(plan, ptrs, [](T x) { return T(1) / x; });
    default:
      break;
  }
  throw Error("unary kernel: unsupported op");
}

}  // namespace

void unary(UnaryOp op, const Tensor& in, const Tensor& out) {
  const auto plan = cpu::make_plan<2>(out.sizes(), {&out, &in});
  const auto ptrs = cpu::data_ptrs<2>({&out, &in});
  if (is_floating_only(op)) {
    dispatch_floating(out.dtype(), "unary", [&](auto tag) {
      floating_op<decltype(tag)>(op, plan, ptrs);
    });
  } else {
    dispatch_all(out.dtype(), [&](auto tag) {
      any_dtype_op<decltype(tag)>(op, plan, ptrs);
    });
  }
}

}  // namespace ag::kernels
