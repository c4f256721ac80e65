// Convolution by im2col + BLAS, one sample at a time: a sample's patches
// become the columns of a matrix small enough to stay in cache, and its
// output plane is one matrix product per group, written in place. Samples
// run in parallel, forward and backward; the backward sums the weight and
// bias gradients of fixed blocks of samples and adds the blocks up in order,
// so results do not depend on the thread count.

#include <algorithm>
#include <vector>

#include "core/dispatch.h"
#include "core/profiler.h"
#include "kernels/cpu/blas.h"
#include "kernels/fused.h"
#include "kernels/kernels.h"
#include "kernels/nn.h"
#include "kernels/parallel.h"

namespace ag::kernels {

namespace {

// The output columns [lo, hi) whose input position ow * stride + offset lies
// in [0, size): outside it the window reads padding.
inline void valid_range(int64_t offset, int64_t stride, int64_t size,
                        int64_t out, int64_t* lo, int64_t* hi) {
  // First ow with ow * stride + offset >= 0.
  int64_t a = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  // First ow with ow * stride + offset >= size.
  int64_t b = size - offset <= 0 ? 0 : (size - offset + stride - 1) / stride;
  *lo = std::min(a, out);
  *hi = std::max(*lo, std::min(b, out));
}

// Writes the patch matrix of one sample: row (c, i, j), column (oh, ow), with
// `ld` elements between rows (several samples may share one matrix).
template <typename T>
void im2col_sample(const T* x, int64_t channels, const Window2d& w, T* cols,
                   int64_t ld) {
  const int64_t rows = channels * w.kh * w.kw;
  const int64_t plane = w.in_h * w.in_w;
  const int64_t grain = std::max<int64_t>(
      1, kGrainSize / std::max<int64_t>(1, w.out_h * w.out_w));
  parallel_for(0, rows, grain, [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const int64_t j = r % w.kw;
      const int64_t i = (r / w.kw) % w.kh;
      const int64_t c = r / (w.kw * w.kh);
      const T* src = x + c * plane;
      T* dst = cols + r * ld;
      const int64_t col_off = j * w.dw - w.pw;
      int64_t ow_lo = 0, ow_hi = 0;
      valid_range(col_off, w.sw, w.in_w, w.out_w, &ow_lo, &ow_hi);
      for (int64_t oh = 0; oh < w.out_h; ++oh) {
        T* d = dst + oh * w.out_w;
        const int64_t ih = oh * w.sh - w.ph + i * w.dh;
        if (ih < 0 || ih >= w.in_h) {
          std::fill(d, d + w.out_w, T(0));
          continue;
        }
        const T* row = src + ih * w.in_w;
        std::fill(d, d + ow_lo, T(0));
        if (w.sw == 1) {
          std::copy(row + ow_lo + col_off, row + ow_hi + col_off, d + ow_lo);
        } else {
          for (int64_t ow = ow_lo; ow < ow_hi; ++ow) {
            d[ow] = row[ow * w.sw + col_off];
          }
        }
        std::fill(d + ow_hi, d + w.out_w, T(0));
      }
    }
  });
}

// Adds each patch entry back to the input position it was read from.
// Threads own whole channels, so no two write the same element.
template <typename T>
void col2im_sample(const T* cols, int64_t channels, const Window2d& w, T* x,
                   int64_t ld) {
  const int64_t plane = w.in_h * w.in_w;
  const int64_t per_channel = w.kh * w.kw * w.out_h * w.out_w;
  const int64_t grain =
      std::max<int64_t>(1, kGrainSize / std::max<int64_t>(1, per_channel));
  parallel_for(0, channels, grain, [&](int64_t lo, int64_t hi) {
    for (int64_t c = lo; c < hi; ++c) {
      T* dst = x + c * plane;
      std::fill(dst, dst + plane, T(0));
      for (int64_t i = 0; i < w.kh; ++i) {
        for (int64_t j = 0; j < w.kw; ++j) {
          const T* src = cols + ((c * w.kh + i) * w.kw + j) * ld;
          const int64_t col_off = j * w.dw - w.pw;
          int64_t ow_lo = 0, ow_hi = 0;
          valid_range(col_off, w.sw, w.in_w, w.out_w, &ow_lo, &ow_hi);
          for (int64_t oh = 0; oh < w.out_h; ++oh) {
            const int64_t ih = oh * w.sh - w.ph + i * w.dh;
            if (ih < 0 || ih >= w.in_h) continue;
            T* row = dst + ih * w.in_w;
            const T* s = src + oh * w.out_w;
            for (int64_t ow = ow_lo; ow < ow_hi; ++ow) {
              T& v = row[ow * w.sw + col_off];
              v = static_cast<T>(v + s[ow]);
            }
          }
        }
      }
    }
  });
}

}  // namespace

void im2col(const Tensor& in, const Window2d& w, const Tensor& cols) {
  profiler::RecordScope scope("aten::im2col", in);
  AG_CHECK(in.is_contiguous() && cols.is_contiguous(),
           "im2col kernel: operands must be contiguous");
  const int64_t n = in.size(0), c = in.size(1);
  const int64_t l = w.out_h * w.out_w;
  const int64_t rows = c * w.kh * w.kw;
  if (cols.numel() == 0) return;
  dispatch_all(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* x = static_cast<const T*>(in.raw_data());
    T* out = static_cast<T*>(cols.raw_data());
    for (int64_t s = 0; s < n; ++s) {
      im2col_sample(x + s * c * w.in_h * w.in_w, c, w, out + s * rows * l, l);
    }
  });
}

void col2im(const Tensor& cols, const Window2d& w, const Tensor& out) {
  profiler::RecordScope scope("aten::col2im", cols);
  AG_CHECK(out.is_contiguous() && cols.is_contiguous(),
           "col2im kernel: operands must be contiguous");
  const int64_t n = out.size(0), c = out.size(1);
  const int64_t l = w.out_h * w.out_w;
  const int64_t rows = c * w.kh * w.kw;
  if (out.numel() == 0) return;
  dispatch_all(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* src = static_cast<const T*>(cols.raw_data());
    T* x = static_cast<T*>(out.raw_data());
    for (int64_t s = 0; s < n; ++s) {
      col2im_sample(src + s * rows * l, c, w, x + s * c * w.in_h * w.in_w, l);
    }
  });
}

void conv2d(const Tensor& in, const Tensor& weight, const Tensor& bias,
            const Window2d& w, int64_t groups, const Tensor& out) {
  profiler::RecordScope scope("aten::convolution", in, weight, bias);
  AG_CHECK(in.is_contiguous() && weight.is_contiguous() &&
               out.is_contiguous() && (!bias.defined() || bias.is_contiguous()),
           "conv2d kernel: operands must be contiguous");
  if (out.numel() == 0) return;
  const int64_t n = in.size(0), c = in.size(1), o = out.size(1);
  const int64_t l = w.out_h * w.out_w;
  const int64_t cg_k = c / groups * w.kh * w.kw, og = o / groups;
  const int64_t rows = c * w.kh * w.kw;
  const int64_t in_sample = c * w.in_h * w.in_w;
  dispatch_all(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* x = static_cast<const T*>(in.raw_data());
    const T* wp = static_cast<const T*>(weight.raw_data());
    T* y = static_cast<T*>(out.raw_data());
    const T* b =
        bias.defined() ? static_cast<const T*>(bias.raw_data()) : nullptr;
    parallel_for(0, n, 1, [&](int64_t lo, int64_t hi) {
      // A tensor, not a vector: vector<bool> has no data().
      const Tensor buffer = empty_tensor({rows * l}, in.dtype());
      T* cols = static_cast<T*>(buffer.raw_data());
      for (int64_t s = lo; s < hi; ++s) {
        T* ys = y + s * o * l;
        if (rows > 0) {
          im2col_sample(x + s * in_sample, c, w, cols, l);
          for (int64_t g = 0; g < groups; ++g) {
            cpu::gemm(false, false, og, l, cg_k, wp + g * og * cg_k, cg_k,
                      cols + g * cg_k * l, l, ys + g * og * l, l);
          }
        } else {
          std::fill(ys, ys + o * l, T(0));
        }
        if (b) {
          for (int64_t oc = 0; oc < o; ++oc) {
            T* row = ys + oc * l;
            for (int64_t i = 0; i < l; ++i)
              row[i] = static_cast<T>(row[i] + b[oc]);
          }
        }
      }
    });
  });
}

void conv2d_backward(const Tensor& grad, const Tensor& in, const Tensor& weight,
                     const Window2d& w, int64_t groups, const Tensor& grad_in,
                     const Tensor& grad_weight, const Tensor& grad_bias) {
  profiler::RecordScope scope("aten::convolution_backward", grad, in, weight);
  AG_CHECK(grad.is_contiguous() && (!in.defined() || in.is_contiguous()) &&
               (!weight.defined() || weight.is_contiguous()),
           "conv2d_backward kernel: operands must be contiguous");
  const int64_t n = grad.size(0), o = grad.size(1);
  const int64_t c = grad_in.defined() ? grad_in.size(1) : in.size(1);
  const int64_t l = w.out_h * w.out_w;
  const int64_t cg_k = c / groups * w.kh * w.kw, og = o / groups;
  const int64_t rows = c * w.kh * w.kw;
  const int64_t in_sample = c * w.in_h * w.in_w;
  const bool want_w = grad_weight.defined() && rows > 0;
  const bool want_b = grad_bias.defined();
  // Fixed blocks of samples (their count depends on n only).
  const int64_t blocks = std::max<int64_t>(1, std::min<int64_t>(n, 8));
  const int64_t wsize = og * cg_k * groups;
  dispatch_all(grad.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* gp = static_cast<const T*>(grad.raw_data());
    const T* x = in.defined() ? static_cast<const T*>(in.raw_data()) : nullptr;
    const T* wp =
        weight.defined() ? static_cast<const T*>(weight.raw_data()) : nullptr;
    T* dx = grad_in.defined() ? static_cast<T*>(grad_in.raw_data()) : nullptr;
    const Tensor dw_buffer =
        empty_tensor({want_w ? blocks * wsize : 0}, grad.dtype());
    T* dw_parts = static_cast<T*>(dw_buffer.raw_data());
    std::vector<double> db_parts(want_b ? static_cast<size_t>(blocks * o) : 0);
    parallel_for(0, blocks, 1, [&](int64_t lo, int64_t hi) {
      // A tensor, not a vector: vector<bool> has no data().
      const Tensor buffer = empty_tensor({rows * l}, grad.dtype());
      T* cols = static_cast<T*>(buffer.raw_data());
      for (int64_t blk = lo; blk < hi; ++blk) {
        const int64_t s0 = blk * n / blocks, s1 = (blk + 1) * n / blocks;
        T* dwp = want_w ? dw_parts + blk * wsize : nullptr;
        if (dwp) std::fill(dwp, dwp + wsize, T(0));
        for (int64_t s = s0; s < s1; ++s) {
          const T* gs = gp + s * o * l;
          if (want_b) {
            double* dbp = db_parts.data() + blk * o;
            for (int64_t oc = 0; oc < o; ++oc) {
              double total = 0;
              for (int64_t i = 0; i < l; ++i) total += gs[oc * l + i];
              dbp[oc] += total;
            }
          }
          if (dwp) {
            // d(weight_g) += grad_g (og x L) @ patches_g^T (L x cg_k).
            im2col_sample(x + s * in_sample, c, w, cols, l);
            for (int64_t g = 0; g < groups; ++g) {
              cpu::gemm(false, true, og, cg_k, l, gs + g * og * l, l,
                        cols + g * cg_k * l, l, dwp + g * og * cg_k, cg_k,
                        /*accumulate=*/true);
            }
          }
          if (dx) {
            // d(patches_g) = weight_g^T (cg_k x og) @ grad_g (og x L), then
            // each patch entry goes back to where it was read from.
            T* dxs = dx + s * in_sample;
            if (rows == 0) {
              std::fill(dxs, dxs + in_sample, T(0));
              continue;
            }
            for (int64_t g = 0; g < groups; ++g) {
              cpu::gemm(true, false, cg_k, l, og, wp + g * og * cg_k, cg_k,
                        gs + g * og * l, l, cols + g * cg_k * l, l);
            }
            col2im_sample(cols, c, w, dxs, l);
          }
        }
      }
    });
    if (grad_weight.defined()) {
      T* dst = static_cast<T*>(grad_weight.raw_data());
      for (int64_t i = 0; i < wsize; ++i) {
        double total = 0;
        for (int64_t blk = 0; blk < blocks && want_w; ++blk) {
          total += dw_parts[blk * wsize + i];
        }
        dst[i] = static_cast<T>(total);
      }
    }
    if (want_b) {
      T* dst = static_cast<T*>(grad_bias.raw_data());
      for (int64_t oc = 0; oc < o; ++oc) {
        double total = 0;
        for (int64_t blk = 0; blk < blocks; ++blk) {
          total += db_parts[static_cast<size_t>(blk * o + oc)];
        }
        dst[oc] = static_cast<T>(total);
      }
    }
  });
}

}  // namespace ag::kernels
