// The LSTM cell's elementwise part, forward and backward, one pass over the
// gates per step (the recurrent products are matmuls around it; ops/rnn.cpp).
// Rows are split across the pool only when a task gets enough cells to pay
// for waking a thread.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/dispatch.h"
#include "kernels/cpu/isa.h"  // last: opens the ISA region
#include "kernels/cpu/vec_math.h"
#include "kernels/nn.h"
#include "kernels/parallel.h"

namespace ag::kernels {
AG_ISA_BEGIN

namespace {

// Cells per task: each costs a few exponentials, so far fewer than
// kGrainSize's plain elements fill a task.
constexpr int64_t kCellsPerTask = 4096;

template <typename T>
AG_ALWAYS_INLINE T sigmoid_of(T x) {
  return T(1) / (T(1) + cpu::fast_exp(-x));
}

template <typename T>
const T* data_of(const Tensor& t) {
  return t.defined() ? static_cast<const T*>(t.raw_data()) : nullptr;
}

void check_contiguous(std::initializer_list<const Tensor*> ts,
                      const char* what) {
  for (const Tensor* t : ts) {
    AG_CHECK(!t->defined() || t->is_contiguous(), what,
             ": operands must be contiguous");
  }
}

// One row of cells. The pointers are restrict parameters (GCC ignores
// restrict on local pointers), so the loop vectorises without alias checks.
template <typename T>
void lstm_row(int64_t hidden, const T* __restrict x, const T* __restrict hh,
              const T* __restrict c_prev, T* __restrict gates, T* __restrict c,
              T* __restrict h) {
  for (int64_t j = 0; j < hidden; ++j) {
    // The same operations, in the same order, as the composed cell:
    // gates = x + hh; c' = f c + i g; h' = o tanh(c').
    const T i = sigmoid_of<T>(x[j] + hh[j]);
    const T f = sigmoid_of<T>(x[hidden + j] + hh[hidden + j]);
    const T g = cpu::fast_tanh(x[2 * hidden + j] + hh[2 * hidden + j]);
    const T o = sigmoid_of<T>(x[3 * hidden + j] + hh[3 * hidden + j]);
    const T cn = f * c_prev[j] + i * g;
    gates[j] = i;
    gates[hidden + j] = f;
    gates[2 * hidden + j] = g;
    gates[3 * hidden + j] = o;
    c[j] = cn;
    h[j] = o * cpu::fast_tanh(cn);
  }
}

template <typename T>
void lstm_row_backward(int64_t hidden, const T* __restrict gates,
                       const T* __restrict c_prev, const T* __restrict c,
                       const T* __restrict dh, const T* __restrict dh2,
                       const T* __restrict dc, T* __restrict d_gates,
                       T* __restrict dc_prev) {
  for (int64_t j = 0; j < hidden; ++j) {
    const T i = gates[j], f = gates[hidden + j], g = gates[2 * hidden + j],
            o = gates[3 * hidden + j];
    const T d_h = dh[j] + dh2[j];
    const T tc = cpu::fast_tanh(c[j]);
    // d(c) from h = o tanh(c) and from the next step (or c_n).
    const T d_c = dc[j] + d_h * o * (T(1) - tc * tc);
    d_gates[j] = d_c * g * (i * (T(1) - i));
    d_gates[hidden + j] = d_c * c_prev[j] * (f * (T(1) - f));
    d_gates[2 * hidden + j] = d_c * i * (T(1) - g * g);
    d_gates[3 * hidden + j] = d_h * tc * (o * (T(1) - o));
    dc_prev[j] = d_c * f;
  }
}

int64_t rows_per_task(int64_t hidden) {
  return std::max<int64_t>(1, kCellsPerTask / std::max<int64_t>(1, hidden));
}

}  // namespace

void lstm_cell(const Tensor& x, const Tensor& hh, const Tensor& c_prev,
               const Tensor& gates, const Tensor& c, const Tensor& h) {
  check_contiguous({&x, &hh, &c_prev, &gates, &c, &h}, "lstm_cell kernel");
  const int64_t rows = c.size(0), hidden = c.size(1);
  dispatch_floating(c.dtype(), "lstm_cell", [&](auto tag) {
    using T = decltype(tag);
    const T* px = data_of<T>(x);
    const T* ph = data_of<T>(hh);
    const T* pc0 = data_of<T>(c_prev);
    T* pg = static_cast<T*>(gates.raw_data());
    T* pc = static_cast<T*>(c.raw_data());
    T* pout = static_cast<T*>(h.raw_data());
    parallel_for(0, rows, rows_per_task(hidden), [&](int64_t lo, int64_t hi) {
      for (int64_t r = lo; r < hi; ++r) {
        lstm_row<T>(hidden, px + r * 4 * hidden, ph + r * 4 * hidden,
                    pc0 + r * hidden, pg + r * 4 * hidden, pc + r * hidden,
                    pout + r * hidden);
      }
    });
  });
}

void lstm_cell_backward(const Tensor& gates, const Tensor& c_prev,
                        const Tensor& c, const Tensor& dh, const Tensor& dh2,
                        const Tensor& dc, const Tensor& d_gates,
                        const Tensor& dc_prev) {
  check_contiguous({&gates, &c_prev, &c, &dh, &dh2, &dc, &d_gates, &dc_prev},
                   "lstm_cell_backward kernel");
  const int64_t rows = c.size(0), hidden = c.size(1);
  dispatch_floating(c.dtype(), "lstm_cell_backward", [&](auto tag) {
    using T = decltype(tag);
    // An undefined gradient reads as a row of zeros.
    const std::vector<T> zeros(static_cast<size_t>(hidden), T(0));
    auto rows_of = [&](const Tensor& t, int64_t r) {
      return t.defined() ? data_of<T>(t) + r * hidden : zeros.data();
    };
    const T* pg = data_of<T>(gates);
    const T* pc0 = data_of<T>(c_prev);
    const T* pc = data_of<T>(c);
    T* pdg = static_cast<T*>(d_gates.raw_data());
    T* pdc0 = static_cast<T*>(dc_prev.raw_data());
    parallel_for(0, rows, rows_per_task(hidden), [&](int64_t lo, int64_t hi) {
      for (int64_t r = lo; r < hi; ++r) {
        lstm_row_backward<T>(hidden, pg + r * 4 * hidden, pc0 + r * hidden,
                             pc + r * hidden, rows_of(dh, r), rows_of(dh2, r),
                             rows_of(dc, r), pdg + r * 4 * hidden,
                             pdc0 + r * hidden);
      }
    });
  });
}

AG_ISA_END
}  // namespace ag::kernels
