// Convolution by im2col + BLAS: the input patches become the columns of a
// matrix, so the whole convolution is one matrix product per group.

#include <algorithm>

#include "core/dispatch.h"
#include "core/profiler.h"
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

// Keeps the column buffer of a chunk of samples below this many elements.
constexpr int64_t kColumnBudget = int64_t{1} << 22;

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
  const int64_t k = w.kh * w.kw;
  const int64_t cg_k = c / groups * k, og = o / groups;
  const int64_t rows = c * k;
  if (rows == 0) {
    fill(out, Scalar(int64_t{0}));
  }
  const int64_t chunk =
      std::clamp<int64_t>(kColumnBudget / std::max<int64_t>(1, rows * l), 1, n);
  const DType dtype = in.dtype();
  Tensor cols = empty_tensor({rows, chunk * l}, dtype);
  Tensor prod = empty_tensor({o, chunk * l}, dtype);
  dispatch_all(dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* x = static_cast<const T*>(in.raw_data());
    T* y = static_cast<T*>(out.raw_data());
    const T* b =
        bias.defined() ? static_cast<const T*>(bias.raw_data()) : nullptr;
    for (int64_t s0 = 0; s0 < n; s0 += chunk) {
      const int64_t cn = std::min(chunk, n - s0);
      const int64_t width = cn * l;
      T* pc = static_cast<T*>(cols.raw_data());
      for (int64_t s = 0; s < cn; ++s) {
        im2col_sample(x + (s0 + s) * c * w.in_h * w.in_w, c, w, pc + s * l,
                      chunk * l);
      }
      for (int64_t g = 0; g < groups && rows > 0; ++g) {
        const Tensor wg =
            make_view(weight, {og, cg_k}, {cg_k, 1}, g * og * cg_k);
        const Tensor cg = make_view(cols, {cg_k, width}, {chunk * l, 1},
                                    g * cg_k * chunk * l);
        const Tensor pg =
            make_view(prod, {og, width}, {width, 1}, g * og * width);
        matmul(wg, cg, pg);
      }
      // prod is (O, samples * L); out wants (samples, O, L), plus the bias.
      const T* pp = static_cast<const T*>(prod.raw_data());
      const int64_t grain =
          std::max<int64_t>(1, kGrainSize / std::max<int64_t>(l, 1));
      parallel_for(0, cn * o, grain, [&](int64_t lo, int64_t hi) {
        for (int64_t r = lo; r < hi; ++r) {
          const int64_t s = r / o, oc = r % o;
          const T* src = rows > 0 ? pp + oc * width + s * l : nullptr;
          T* dst = y + ((s0 + s) * o + oc) * l;
          const T add = b ? b[oc] : T(0);
          for (int64_t i = 0; i < l; ++i) {
            dst[i] = static_cast<T>((src ? src[i] : T(0)) + add);
          }
        }
      });
    }
  });
}

}  // namespace ag::kernels
