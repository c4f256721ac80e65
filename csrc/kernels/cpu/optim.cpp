#include "kernels/optim.h"

#include <algorithm>
#include <cmath>

#include "core/dispatch.h"
#include "core/profiler.h"
#include "kernels/parallel.h"

namespace ag::kernels {

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

// PyTorch's lerp: from the nearer end, so weights near 1 stay exact.
template <typename T>
T lerp(T start, T end, T weight) {
  return weight < T(0.5) ? start + weight * (end - start)
                         : end - (end - start) * (T(1) - weight);
}

}  // namespace

void sgd_step(const Tensor& param, const Tensor& grad,
              const Tensor& momentum_buffer, bool first_step,
              const SgdOptions& o) {
  profiler::RecordScope scope("aten::_sgd_step", param, grad);
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
  profiler::RecordScope scope("aten::_adam_step", param, grad);
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
    const T bias2_sqrt = T(std::sqrt(1.0 - std::pow(o.beta2, s)));
    const T step_size = T(o.lr / (1.0 - std::pow(o.beta1, s)));
    const T b1 = T(1.0 - o.beta1), b2 = T(o.beta2),
            one_minus_b2 = T(1.0 - o.beta2);
    const T eps = T(o.eps), wd = T(o.weight_decay);
    const T decay = T(1.0 - o.lr * o.weight_decay);
    parallel_for(0, param.numel(), kGrainSize, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) {
        T gi = o.maximize ? -g[i] : g[i];
        if (o.weight_decay != 0) {
          if (o.decoupled_weight_decay) {
            p[i] = p[i] * decay;
          } else {
            gi = gi + wd * p[i];
          }
        }
        m[i] = lerp(m[i], gi, b1);
        v[i] = v[i] * b2 + one_minus_b2 * gi * gi;
        T second = v[i];
        if (o.amsgrad) {
          vmax[i] = std::max(vmax[i], v[i]);
          second = vmax[i];
        }
        const T denom = std::sqrt(second) / bias2_sqrt + eps;
        p[i] = p[i] + (-step_size) * (m[i] / denom);
      }
    });
  });
}

void rmsprop_step(const Tensor& param, const Tensor& grad,
                  const Tensor& square_avg, const Tensor& momentum_buffer,
                  const Tensor& grad_avg, const RmspropOptions& o) {
  profiler::RecordScope scope("aten::_rmsprop_step", param, grad);
  check_operands(param, {grad, square_avg, momentum_buffer, grad_avg});
  dispatch_floating(param.dtype(), "rmsprop", [&](auto tag) {
    using T = decltype(tag);
    T* p = ptr_of<T>(param);
    const T* g = ptr_of<T>(grad);
    T* sq = ptr_of<T>(square_avg);
    T* buf = ptr_of<T>(momentum_buffer);
    T* gavg = ptr_of<T>(grad_avg);
    const T alpha = T(o.alpha), one_minus_alpha = T(1.0 - o.alpha);
    const T eps = T(o.eps), lr = T(o.lr), wd = T(o.weight_decay),
            mom = T(o.momentum);
    parallel_for(0, param.numel(), kGrainSize, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) {
        T gi = o.maximize ? -g[i] : g[i];
        if (o.weight_decay != 0) gi = gi + wd * p[i];
        sq[i] = sq[i] * alpha + one_minus_alpha * gi * gi;
        T avg;
        if (o.centered) {
          gavg[i] = lerp(gavg[i], gi, one_minus_alpha);
          avg = std::sqrt(sq[i] + (-1) * gavg[i] * gavg[i]) + eps;
        } else {
          avg = std::sqrt(sq[i]) + eps;
        }
        if (o.momentum > 0) {
          buf[i] = buf[i] * mom + gi / avg;
          p[i] = p[i] + (-lr) * buf[i];
        } else {
          p[i] = p[i] + (-lr) * (gi / avg);
        }
      }
    });
  });
}

}  // namespace ag::kernels
