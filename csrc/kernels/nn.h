#pragma once

// Kernels of the nn ops (cpu/softmax.cpp, cpu/conv.cpp, cpu/pool.cpp,
// cpu/norm.cpp): raw compute over contiguous buffers, no graph. Callers pass
// contiguous operands of matching dtype and allocate the outputs.

#include <cstdint>

#include "core/tensor.h"

namespace ag::kernels {

// out = softmax(in) along dim, or log_softmax when `log`. Floating dtypes.
void softmax(const Tensor& in, int64_t dim, bool log, const Tensor& out);

// A sliding window over a 2-D plane, shared by convolution, unfold/fold and
// pooling. Padding is given before each dim (top, left); the padding after
// it is implied by the output size, so asymmetric ('same') padding fits.
struct Window2d {
  int64_t kh = 1, kw = 1;        // kernel
  int64_t sh = 1, sw = 1;        // stride
  int64_t ph = 0, pw = 0;        // padding before
  int64_t dh = 1, dw = 1;        // dilation
  int64_t in_h = 0, in_w = 0;    // input plane
  int64_t out_h = 0, out_w = 0;  // output plane
};

// cols (N, C*kh*kw, out_h*out_w) from in (N, C, in_h, in_w); positions in the
// padding read as zero.
void im2col(const Tensor& in, const Window2d& w, const Tensor& cols);
// out (N, C, in_h, in_w) = the sum of the cols entries read from each
// position: the adjoint of im2col. out is overwritten.
void col2im(const Tensor& cols, const Window2d& w, const Tensor& out);
// out (N, O, out_h, out_w) = weight (O, C/groups, kh, kw) correlated with in
// (N, C, in_h, in_w), plus bias (O) when defined: per sample, im2col and
// one BLAS product per group into the output plane.
void conv2d(const Tensor& in, const Tensor& weight, const Tensor& bias,
            const Window2d& w, int64_t groups, const Tensor& out);

// Pools over planes: in (P, in_h, in_w) -> out (P, out_h, out_w). Max pooling
// writes the flat in-plane index (ih * in_w + iw) of each maximum (NaN wins).
void max_pool2d(const Tensor& in, const Window2d& w, const Tensor& out,
                const Tensor& indices);
// Average pooling; divisor_override 0 means "use the window size".
void avg_pool2d(const Tensor& in, const Window2d& w, bool count_include_pad,
                int64_t divisor_override, const Tensor& out);
// grad_in (P, in_h, in_w) = the adjoint of avg_pool2d applied to grad.
void avg_pool2d_backward(const Tensor& grad, const Window2d& w,
                         bool count_include_pad, int64_t divisor_override,
                         const Tensor& grad_in);

// Along dim 1 of 3-D operands, with index int64 (A, K, B):
//   gather:      out (A, K, B)[a, k, b] = in (A, D, B)[a, index[a, k, b], b]
//   scatter_add: out (A, D, B) = zeros, then out[a, index[a, k, b], b] +=
//                src[a, k, b]
// Indices must be in [0, D).
void gather_dim1(const Tensor& in, const Tensor& index, const Tensor& out);
void scatter_add_dim1(const Tensor& src, const Tensor& index,
                      const Tensor& out);

// Layer norm of in viewed as (rows, cols): out = (x - mean) * rstd * weight +
// bias per row (weight/bias (cols) optional), writing mean and rstd (rows).
void layer_norm(const Tensor& in, const Tensor& weight, const Tensor& bias,
                double eps, int64_t rows, int64_t cols, const Tensor& out,
                const Tensor& mean, const Tensor& rstd);
// One step of an LSTM cell over (rows, hidden) cells, from the two parts of
// its pre-activation gates x and hh (rows, 4 * hidden; i, f, g, o, summed)
// and c_prev: writes the activated gates (i, f, g, o), c = f c_prev + i g
// and h = o tanh(c). Contiguous operands of one floating dtype.
void lstm_cell(const Tensor& x, const Tensor& hh, const Tensor& c_prev,
               const Tensor& gates, const Tensor& c, const Tensor& h);
// Its backward from the saved gates, c_prev and c: with dh + dh2 the
// gradient of h and dc that of c (any of the three may be undefined: zero),
// writes d_gates, the gradient of the pre-activation gates, and dc_prev.
void lstm_cell_backward(const Tensor& gates, const Tensor& c_prev,
                        const Tensor& c, const Tensor& dh, const Tensor& dh2,
                        const Tensor& dc, const Tensor& d_gates,
                        const Tensor& dc_prev);
// Products of a few rows with one right-hand matrix reused over many calls
// (a recurrent weight, once per step): pack_rhs copies b (depth, n; any
// strides) once into `packed`, contiguous, in panels of
// packed_panel_width columns (zero-padded), which packed_matmul then reads
// without repacking: out (m, n; contiguous) = a (m, depth; unit column
// stride) @ b. Floating dtypes.
constexpr int64_t packed_panel_width(size_t itemsize) {
  // Four cache lines per row: one AVX-512 register tile's width, and four
  // strips of AVX2's.
  return 256 / static_cast<int64_t>(itemsize);
}
inline int64_t packed_rhs_numel(int64_t depth, int64_t n, DType dtype) {
  const int64_t width = packed_panel_width(itemsize(dtype));
  return (n + width - 1) / width * width * depth;
}
void pack_rhs(const Tensor& b, const Tensor& packed);
void packed_matmul(const Tensor& a, const Tensor& packed, const Tensor& out);
// Per-channel mean and biased variance of in viewed as (N, C, S).
void channel_moments(const Tensor& in, int64_t n, int64_t c, int64_t s,
                     const Tensor& mean, const Tensor& var);
// out = in * scale[c] + shift[c] for in viewed as (N, C, S).
void channel_affine(const Tensor& in, const Tensor& scale, const Tensor& shift,
                    int64_t n, int64_t c, int64_t s, const Tensor& out);

}  // namespace ag::kernels
