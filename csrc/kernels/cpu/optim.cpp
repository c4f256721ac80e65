// Built per ISA (isa.h): the loops are plain maps over the operands, so
// the AVX2 build runs them 8 floats at a time. The options are copied into
// locals and the pointers marked __restrict before each loop: read through
// the options reference, every flag would be reloaded after each store to
// the parameter, and the loop would stay scalar.

#include <algorithm>
#include <cmath>

#include "core/dispatch.h"
#include "kernels/cpu/isa.h"  // last: opens the ISA region
#include "kernels/optim.h"
#include "kernels/parallel.h"

namespace ag::kernels {
AG_ISA_BEGIN

namespace {

template <typename T>
T* ptr_of(const Tensor& t) {
  return t.defined() ? static_cast<T*>(t.raw_data()) : nullptr;
}

void check_operands(const Tensor& param, std::initializer_list<Tensor> state) {
  AG_CHECK(is_floating(param.dtype()) && param.is_contiguous(),
           "optimizer: parameters must be contiguous floating point tensors");
  for (const Tensor& t : state) {
    if (!t.defined()) continue;
    AG_CHECK(t.dtype() == param.dtype() && t.numel() == param.numel() &&
                 t.is_contiguous(),
             "optimizer: state and gradient tensors must be contiguous and "
             "match the parameter (shape ",
             shape_str(param.sizes()), ", dtype ", dtype_name(param.dtype()),
             ")");
  }
}

// PyTorch's lerp: from the nearer end, so weights near 1 stay exact. The
// end is chosen by the caller, once per loop (the weight is a constant).
template <typename T>
T lerp(T start, T end, T weight, bool from_start) {
  return from_start ? start + weight * (end - start)
                    : end - (end - start) * (T(1) - weight);
}

// One AdamW/Adam update of elements [lo, hi), a plain function of values
// so that nothing in the loop can alias the arrays: read through a closure,
// the constants would be reloaded after every store and the loop would stay
// scalar. amsgrad is a template argument for the same reason (its buffer is
// null without it).
template <typename T>
struct AdamConstants {
  T bias2_sqrt, step_size, b1, b2, one_minus_b2, eps, wd, decay;
  bool maximize, decoupled, coupled, b1_from_start;
};

template <typename T, bool kAmsgrad>
void adam_range(int64_t lo, int64_t hi, T* __restrict p, const T* __restrict g,
                T* __restrict m, T* __restrict v, T* __restrict vmax,
                const AdamConstants<T> c) {
  for (int64_t i = lo; i < hi; ++i) {
    T gi = c.maximize ? -g[i] : g[i];
    T pi = p[i];
    if (c.decoupled) pi = pi * c.decay;
    if (c.coupled) gi = gi + c.wd * pi;
    const T mi = lerp(m[i], gi, c.b1, c.b1_from_start);
    const T vi = v[i] * c.b2 + c.one_minus_b2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    T second = vi;
    if constexpr (kAmsgrad) {
      second = std::max(vmax[i], vi);
      vmax[i] = second;
    }
    const T denom = std::sqrt(second) / c.bias2_sqrt + c.eps;
    p[i] = pi + (-c.step_size) * (mi / denom);
  }
}

}  // namespace

void sgd_step(const Tensor& param, const Tensor& grad,
              const Tensor& momentum_buffer, bool first_step,
              const SgdOptions& o) {
  check_operands(param, {grad, momentum_buffer});
  dispatch_floating(param.dtype(), "sgd", [&](auto tag) {
    using T = decltype(tag);
    // Each element reads and writes only index i of each operand, so even a
    // grad aliasing its parameter is safe under __restrict; the options are
    // hoisted so the common plain-SGD loop is a vectorizable axpy.
    T* __restrict p = ptr_of<T>(param);
    const T* __restrict g = ptr_of<T>(grad);
    T* __restrict buf = ptr_of<T>(momentum_buffer);
    const T lr = T(o.lr), wd = T(o.weight_decay), mom = T(o.momentum),
            damp = T(1) - T(o.dampening);
    const bool plain = !buf && !o.maximize && o.weight_decay == 0;
    const bool maximize = o.maximize, decay = o.weight_decay != 0;
    const bool nesterov = o.nesterov;
    parallel_for(0, param.numel(), kGrainSize, [&](int64_t lo, int64_t hi) {
      if (plain) {
        for (int64_t i = lo; i < hi; ++i) p[i] = p[i] + (-lr) * g[i];
        return;
      }
      for (int64_t i = lo; i < hi; ++i) {
        T d = maximize ? -g[i] : g[i];
        if (decay) d = d + wd * p[i];
        if (buf) {
          buf[i] = first_step ? d : buf[i] * mom + damp * d;
          d = nesterov ? d + mom * buf[i] : buf[i];
        }
        p[i] = p[i] + (-lr) * d;
      }
    });
  });
}

void adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
               const Tensor& exp_avg_sq, const Tensor& max_exp_avg_sq,
               int64_t step, const AdamOptions& o) {
  check_operands(param, {grad, exp_avg, exp_avg_sq, max_exp_avg_sq});
  AG_CHECK(!o.amsgrad || max_exp_avg_sq.defined(),
           "adam: amsgrad needs its max_exp_avg_sq state");
  dispatch_floating(param.dtype(), "adam", [&](auto tag) {
    using T = decltype(tag);
    T* p = ptr_of<T>(param);
    const T* g = ptr_of<T>(grad);
    T* m = ptr_of<T>(exp_avg);
    T* v = ptr_of<T>(exp_avg_sq);
    T* vmax = ptr_of<T>(max_exp_avg_sq);
    const double s = static_cast<double>(step);
    // Step constants in double, as PyTorch computes them in Python.
    AdamConstants<T> c;
    c.bias2_sqrt = T(std::sqrt(1.0 - std::pow(o.beta2, s)));
    c.step_size = T(o.lr / (1.0 - std::pow(o.beta1, s)));
    c.b1 = T(1.0 - o.beta1);
    c.b2 = T(o.beta2);
    c.one_minus_b2 = T(1.0 - o.beta2);
    c.eps = T(o.eps);
    c.wd = T(o.weight_decay);
    c.decay = T(1.0 - o.lr * o.weight_decay);
    c.maximize = o.maximize;
    c.decoupled = o.weight_decay != 0 && o.decoupled_weight_decay;
    c.coupled = o.weight_decay != 0 && !o.decoupled_weight_decay;
    c.b1_from_start = c.b1 < T(0.5);
    const bool amsgrad = o.amsgrad;
    parallel_for(0, param.numel(), kGrainSize, [&](int64_t lo, int64_t hi) {
      if (amsgrad) {
        adam_range<T, true>(lo, hi, p, g, m, v, vmax, c);
      } else {
        adam_range<T, false>(lo, hi, p, g, m, v, vmax, c);
      }
    });
  });
}

void rmsprop_step(const Tensor& param, const Tensor& grad,
                  const Tensor& square_avg, const Tensor& momentum_buffer,
                  const Tensor& grad_avg, const RmspropOptions& o) {
  check_operands(param, {grad, square_avg, momentum_buffer, grad_avg});
  dispatch_floating(param.dtype(), "rmsprop", [&](auto tag) {
    using T = decltype(tag);
    T* __restrict p = ptr_of<T>(param);
    const T* __restrict g = ptr_of<T>(grad);
    T* __restrict sq = ptr_of<T>(square_avg);
    T* __restrict buf = ptr_of<T>(momentum_buffer);
    T* __restrict gavg = ptr_of<T>(grad_avg);
    const T alpha = T(o.alpha), one_minus_alpha = T(1.0 - o.alpha);
    const T eps = T(o.eps), lr = T(o.lr), wd = T(o.weight_decay),
            mom = T(o.momentum);
    const bool maximize = o.maximize, decay = o.weight_decay != 0;
    const bool centered = o.centered, momentum = o.momentum > 0;
    const bool avg_from_start = one_minus_alpha < T(0.5);
    parallel_for(0, param.numel(), kGrainSize, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) {
        T gi = maximize ? -g[i] : g[i];
        if (decay) gi = gi + wd * p[i];
        const T si = sq[i] * alpha + one_minus_alpha * gi * gi;
        sq[i] = si;
        T avg;
        if (centered) {
          const T ga = lerp(gavg[i], gi, one_minus_alpha, avg_from_start);
          gavg[i] = ga;
          avg = std::sqrt(si + (-1) * ga * ga) + eps;
        } else {
          avg = std::sqrt(si) + eps;
        }
        if (momentum) {
          const T bi = buf[i] * mom + gi / avg;
          buf[i] = bi;
          p[i] = p[i] + (-lr) * bi;
        } else {
          p[i] = p[i] + (-lr) * (gi / avg);
        }
      }
    });
  });
}

AG_ISA_END
}  // namespace ag::kernels
