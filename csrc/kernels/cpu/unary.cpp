#include <cmath>
#include <type_traits>

#include "core/dispatch.h"
#include "kernels/cpu/isa.h"  // last: opens the ISA region
#include "kernels/cpu/loops.h"
#include "kernels/cpu/vec_math.h"
#include "kernels/kernels.h"

namespace ag::kernels {
AG_ISA_BEGIN

namespace {

using cpu::run_plan_shared;
using cpu::StridedPlan;

// A float function with a cheaper formula where |x| < bound: rows run in
// blocks, each taking `central` when all its inputs lie inside and `full`
// otherwise. Blocks of 32 keep enough independent vectors in flight for the
// polynomials' latency while still landing inside for most activations.
template <typename Central, typename Full>
struct CentralSplit {
  Central central;
  Full full;
  float bound;
};
template <typename C, typename U>
CentralSplit(C, U, float) -> CentralSplit<C, U>;
template <typename F>
constexpr bool kIsCentralSplit = false;
template <typename C, typename U>
constexpr bool kIsCentralSplit<CentralSplit<C, U>> = true;
constexpr int64_t kSplitBlock = 32;

AG_ALWAYS_INLINE bool all_central(const float* x, float bound) {
  int outside = 0;  // NaN counts as outside
  for (int64_t j = 0; j < kSplitBlock; ++j)
    outside |= !(std::fabs(x[j]) < bound);
  return outside == 0;
}

// out[i] = f(in[i]) over dense rows (cpu::RowFn), in of type T and out of
// type R. Out of line, so that its direct call below and run_buffered's
// share one copy.
template <typename T, typename R, typename F>
AG_NOT_INLINED void unary_row(char* const* p, int64_t n, const void* ctx) {
  // A copy, not a reference: the functor's captured scalars could
  // otherwise alias the output, reloaded after every store, which
  // stops the loop from vectorising.
  const F f = *static_cast<const F*>(ctx);
  auto* out = reinterpret_cast<R*>(p[0]);
  const auto* in = reinterpret_cast<const T*>(p[1]);
  if constexpr (kIsCentralSplit<F>) {
    int64_t i = 0;
    for (; i + kSplitBlock <= n; i += kSplitBlock) {
      if (all_central(in + i, f.bound)) {
        for (int64_t j = i; j < i + kSplitBlock; ++j) out[j] = f.central(in[j]);
      } else {
        for (int64_t j = i; j < i + kSplitBlock; ++j) out[j] = f.full(in[j]);
      }
    }
    for (; i < n; ++i) out[i] = f.full(in[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = f(in[i]);
  }
}

// Strided runs reach the dense row loop through buffers (cpu::run_buffered).
template <typename T, typename R = T, typename F>
void unary_loop(const StridedPlan<2>& plan, const std::array<char*, 2>& base,
                const F& f) {
  run_plan_shared(plan, base,
                  [&](const std::array<char*, 2>& p,
                      const std::array<int64_t, 2>& s, int64_t n) {
                    constexpr auto tr = static_cast<int64_t>(sizeof(R));
                    constexpr auto tt = static_cast<int64_t>(sizeof(T));
                    if (s[0] == tr && s[1] == tt) {
                      unary_row<T, R, F>(p.data(), n, &f);
                    } else {
                      cpu::run_buffered<2>(p, s, n, {tr, tt},
                                           &unary_row<T, R, F>, &f);
                    }
                  });
}

template <typename T>
void any_dtype_op(UnaryOp op, const StridedPlan<2>& plan,
                  const std::array<char*, 2>& ptrs) {
  constexpr bool kFloat = std::is_floating_point_v<T>;
  constexpr bool kBool = std::is_same_v<T, bool>;
  switch (op) {
    case UnaryOp::Neg:
      return unary_loop<T>(plan, ptrs, [](T x) { return static_cast<T>(-x); });
    case UnaryOp::Abs:
      return unary_loop<T>(plan, ptrs, [](T x) {
        if constexpr (kBool) {
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
      return unary_loop<T>(plan, ptrs, [](T x) { return cpu::relu(x); });
    case UnaryOp::Square:
      return unary_loop<T>(plan, ptrs,
                           [](T x) { return static_cast<T>(x * x); });
    case UnaryOp::BitwiseNot:
      if constexpr (kBool) {
        return unary_loop<T>(plan, ptrs, [](T x) { return !x; });
      } else if constexpr (!kFloat) {
        return unary_loop<T>(plan, ptrs,
                             [](T x) { return static_cast<T>(~x); });
      }
      break;
    case UnaryOp::Floor:
    case UnaryOp::Ceil:
    case UnaryOp::Round:
    case UnaryOp::Trunc:
      if constexpr (kFloat) {
        if (op == UnaryOp::Floor) {
          return unary_loop<T>(plan, ptrs, [](T x) { return std::floor(x); });
        }
        if (op == UnaryOp::Ceil) {
          return unary_loop<T>(plan, ptrs, [](T x) { return std::ceil(x); });
        }
        if (op == UnaryOp::Round) {
          // The default rounding mode rounds halves to even.
          return unary_loop<T>(plan, ptrs,
                               [](T x) { return std::nearbyint(x); });
        }
        return unary_loop<T>(plan, ptrs, [](T x) { return std::trunc(x); });
      } else if constexpr (!kBool) {
        return unary_loop<T>(plan, ptrs, [](T x) { return x; });
      }
      break;
    default:
      break;
  }
  throw Error("unary kernel: unsupported op for this dtype");
}

template <typename T>
void floating_op(UnaryOp op, const StridedPlan<2>& plan,
                 const std::array<char*, 2>& ptrs, double arg0, double arg1) {
  switch (op) {
    // The declared ops: each line's math column (decl/unary.h).
#define AG_UNARY_CASE(name, Name, math, doc) \
  case UnaryOp::Name:                        \
    return unary_loop<T>(plan, ptrs, [](T x) { return static_cast<T>(math); });
    AG_UNARY_FLOAT_OPS(AG_UNARY_CASE)
    AG_UNARY_NN_OPS(AG_UNARY_CASE)
#undef AG_UNARY_CASE
    case UnaryOp::LeakyRelu: {
      const T slope = static_cast<T>(arg0);
      return unary_loop<T>(plan, ptrs,
                           [=](T x) { return x > T(0) ? x : x * slope; });
    }
    case UnaryOp::Elu: {
      const T alpha = static_cast<T>(arg0);
      return unary_loop<T>(plan, ptrs, [=](T x) {
        return x > T(0) ? x : cpu::fast_expm1(x) * alpha;
      });
    }
    case UnaryOp::Gelu:
      // x * Phi(x), Phi the standard normal CDF.
      if constexpr (std::is_same_v<T, float>) {
        return unary_loop<T>(
            plan, ptrs,
            CentralSplit{[](float x) { return cpu::gelu_central_f32(x); },
                         [](float x) { return cpu::gelu(x); },
                         cpu::kNormalCdfCentral});
      }
      return unary_loop<T>(plan, ptrs, [](T x) { return cpu::gelu(x); });
    case UnaryOp::GeluTanh:
      return unary_loop<T>(plan, ptrs, [](T x) { return cpu::gelu_tanh(x); });
    case UnaryOp::Silu:
      // x / (1 + inf) = 0 for x << 0; x / 1 for x >> 0.
      return unary_loop<T>(plan, ptrs,
                           [](T x) { return x / (T(1) + cpu::fast_exp(-x)); });
    case UnaryOp::Softplus: {
      // Linear above the threshold, where log1p(exp(bx)) / b == x in
      // floating point and exp would overflow.
      const T beta = static_cast<T>(arg0);
      const T threshold = static_cast<T>(arg1);
      return unary_loop<T>(plan, ptrs, [=](T x) {
        return x * beta > threshold ? x : std::log1p(std::exp(x * beta)) / beta;
      });
    }
    default:
      break;
  }
  throw Error("unary kernel: unsupported op");
}

template <typename T>
void predicate_op(UnaryOp op, const StridedPlan<2>& plan,
                  const std::array<char*, 2>& ptrs) {
  constexpr bool kFloat = std::is_floating_point_v<T>;
  switch (op) {
    case UnaryOp::LogicalNot:
      return unary_loop<T, bool>(plan, ptrs, [](T x) { return x == T(0); });
    case UnaryOp::IsNan:
      return unary_loop<T, bool>(plan, ptrs, [](T x) {
        if constexpr (kFloat) {
          return std::isnan(x);
        } else {
          return (static_cast<void>(x), false);
        }
      });
    case UnaryOp::IsInf:
      return unary_loop<T, bool>(plan, ptrs, [](T x) {
        if constexpr (kFloat) {
          return std::isinf(x);
        } else {
          return (static_cast<void>(x), false);
        }
      });
    case UnaryOp::IsFinite:
      return unary_loop<T, bool>(plan, ptrs, [](T x) {
        if constexpr (kFloat) {
          return std::isfinite(x);
        } else {
          return (static_cast<void>(x), true);
        }
      });
    default:
      break;
  }
  throw Error("unary kernel: not a predicate");
}

// grad_in[i] = f(grad[i], x[i]) over dense rows (cpu::RowFn).
template <typename T, typename F>
AG_NOT_INLINED void backward_row(char* const* p, int64_t n, const void* ctx) {
  // A copy, not a reference: the functor's captured scalars could
  // otherwise alias the output, reloaded after every store, which
  // stops the loop from vectorising.
  const F f = *static_cast<const F*>(ctx);
  auto* out = reinterpret_cast<T*>(p[0]);
  const auto* g = reinterpret_cast<const T*>(p[1]);
  const auto* x = reinterpret_cast<const T*>(p[2]);
  if constexpr (kIsCentralSplit<F>) {
    int64_t i = 0;
    for (; i + kSplitBlock <= n; i += kSplitBlock) {
      if (all_central(x + i, f.bound)) {
        for (int64_t j = i; j < i + kSplitBlock; ++j) {
          out[j] = f.central(g[j], x[j]);
        }
      } else {
        for (int64_t j = i; j < i + kSplitBlock; ++j) {
          out[j] = f.full(g[j], x[j]);
        }
      }
    }
    for (; i < n; ++i) out[i] = f.full(g[i], x[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = f(g[i], x[i]);
  }
}

template <typename T, typename F>
void backward_loop(const StridedPlan<3>& plan, const std::array<char*, 3>& base,
                   const F& f) {
  run_plan_shared(plan, base,
                  [&](const std::array<char*, 3>& p,
                      const std::array<int64_t, 3>& s, int64_t n) {
                    constexpr auto tt = static_cast<int64_t>(sizeof(T));
                    if (s[0] == tt && s[1] == tt && s[2] == tt) {
                      backward_row<T, F>(p.data(), n, &f);
                    } else {
                      cpu::run_buffered<3>(p, s, n, {tt, tt, tt},
                                           &backward_row<T, F>, &f);
                    }
                  });
}

}  // namespace

void unary_backward(UnaryOp op, const Tensor& grad, const Tensor& self,
                    const Tensor& grad_in) {
  const auto plan =
      cpu::make_plan<3>(grad_in.sizes(), {&grad_in, &grad, &self});
  const auto ptrs = cpu::data_ptrs<3>({&grad_in, &grad, &self});
  dispatch_floating(grad_in.dtype(), "unary_backward", [&](auto tag) {
    using T = decltype(tag);
    switch (op) {
      case UnaryOp::Relu:
        // A select, as PyTorch's threshold_backward: masked positions are 0
        // even where grad is inf or NaN (and a NaN input passes grad).
        return backward_loop<T>(plan, ptrs,
                                [](T g, T x) { return x <= T(0) ? T(0) : g; });
      case UnaryOp::Gelu:
        if constexpr (std::is_same_v<T, float>) {
          return backward_loop<T>(
              plan, ptrs,
              CentralSplit{
                  [](float g, float x) {
                    return g * cpu::gelu_derivative_central_f32(x);
                  },
                  [](float g, float x) { return g * cpu::gelu_derivative(x); },
                  cpu::kNormalCdfCentral});
        }
        return backward_loop<T>(
            plan, ptrs, [](T g, T x) { return g * cpu::gelu_derivative(x); });
      case UnaryOp::GeluTanh:
        return backward_loop<T>(plan, ptrs, [](T g, T x) {
          return g * cpu::gelu_tanh_derivative(x);
        });
      case UnaryOp::Silu:
        return backward_loop<T>(
            plan, ptrs, [](T g, T x) { return g * cpu::silu_derivative(x); });
      // x is the forward's result here; the formulas are the composed
      // backwards' (TanhSpec, SigmoidSpec in ops/unary.cpp).
      case UnaryOp::Tanh:
        return backward_loop<T>(plan, ptrs, [](T g, T y) {
          const T y2 = y * y;
          return g * (T(1) - y2);
        });
      case UnaryOp::Sigmoid:
        return backward_loop<T>(plan, ptrs, [](T g, T y) {
          const T one_minus = T(1) - y;
          return g * (y * one_minus);
        });
      default:
        throw Error("unary_backward kernel: unsupported op");
    }
  });
}

void unary(UnaryOp op, const Tensor& in, const Tensor& out, double arg0,
           double arg1) {
  const auto plan = cpu::make_plan<2>(out.sizes(), {&out, &in});
  const auto ptrs = cpu::data_ptrs<2>({&out, &in});
  if (is_predicate(op)) {
    dispatch_all(in.dtype(), [&](auto tag) {
      predicate_op<decltype(tag)>(op, plan, ptrs);
    });
  } else if (is_floating_only(op)) {
    dispatch_floating(out.dtype(), "unary", [&](auto tag) {
      floating_op<decltype(tag)>(op, plan, ptrs, arg0, arg1);
    });
  } else {
    dispatch_all(out.dtype(), [&](auto tag) {
      any_dtype_op<decltype(tag)>(op, plan, ptrs);
    });
  }
}

AG_ISA_END
}  // namespace ag::kernels
