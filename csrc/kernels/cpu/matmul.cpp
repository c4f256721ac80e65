#include <climits>

#include "core/dispatch.h"
#include "core/profiler.h"
#include "kernels/kernels.h"

#include <cblas.h>
#ifdef AG_BLAS_SCIPY_PREFIX
// scipy-openblas32's header declares its symbols with a scipy_ prefix.
#define AG_CBLAS(name) scipy_cblas_##name
#define AG_OPENBLAS(name) scipy_openblas_##name
#else
#define AG_CBLAS(name) cblas_##name
#define AG_OPENBLAS(name) openblas_##name
#endif

namespace ag::kernels {

namespace {

// How BLAS should read one matrix operand without copying it.
struct MatrixLayout {
  bool transposed = false;
  int64_t ld = 0;
  bool usable = false;
};

MatrixLayout layout_of(int64_t rows, int64_t cols, int64_t row_stride,
                       int64_t col_stride) {
  MatrixLayout l;
  if (col_stride == 1 &&
      (row_stride >= std::max<int64_t>(1, cols) || rows == 1)) {
    l = {false, std::max<int64_t>(row_stride, std::max<int64_t>(1, cols)),
         true};
  } else if (row_stride == 1 &&
             (col_stride >= std::max<int64_t>(1, rows) || cols == 1)) {
    l = {true, std::max<int64_t>(col_stride, std::max<int64_t>(1, rows)), true};
  }
  return l;
}

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a,
          int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc) {
  AG_CBLAS(sgemm)(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
                  tb ? CblasTrans : CblasNoTrans, static_cast<int>(m),
                  static_cast<int>(n), static_cast<int>(k), 1.0f, a,
                  static_cast<int>(lda), b, static_cast<int>(ldb), 0.0f, c,
                  static_cast<int>(ldc));
}

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a,
          int64_t lda, const double* b, int64_t ldb, double* c, int64_t ldc) {
  AG_CBLAS(dgemm)(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
                  tb ? CblasTrans : CblasNoTrans, static_cast<int>(m),
                  static_cast<int>(n), static_cast<int>(k), 1.0, a,
                  static_cast<int>(lda), b, static_cast<int>(ldb), 0.0, c,
                  static_cast<int>(ldc));
}

// Integer and bool products have no BLAS routine; a cache-friendly i-k-j loop.
template <typename T>
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a,
          int64_t lda, const T* b, int64_t ldb, T* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    T* crow = c + i * ldc;
    for (int64_t j = 0; j < n; ++j) crow[j] = T(0);
    for (int64_t p = 0; p < k; ++p) {
      const T av = ta ? a[p * lda + i] : a[i * lda + p];
      if (av == T(0)) continue;
      for (int64_t j = 0; j < n; ++j) {
        const T bv = tb ? b[j * ldb + p] : b[p * ldb + j];
        crow[j] = static_cast<T>(crow[j] + av * bv);
      }
    }
  }
}

Tensor contiguous_copy(const Tensor& t) {
  Tensor out = empty_tensor(t.sizes(), t.dtype());
  copy(t, out);
  return out;
}

}  // namespace

void set_blas_threads(int n) {
  AG_OPENBLAS(set_num_threads)(n);
}

void matmul(const Tensor& a_in, const Tensor& b_in, const Tensor& out) {
  profiler::RecordScope scope(out.dim() == 3 ? "aten::bmm" : "aten::mm", a_in,
                              b_in);
  const int64_t nd = out.dim();
  AG_CHECK(nd == 2 || nd == 3, "matmul kernel expects 2-D or 3-D operands");
  const int64_t m = out.size(-2), n = out.size(-1), k = a_in.size(-1);
  AG_CHECK(m < INT_MAX && n < INT_MAX && k < INT_MAX,
           "matmul: matrix dimensions must be below 2^31");
  if (out.numel() == 0) return;
  if (k == 0) {
    fill(out, Scalar(int64_t{0}));
    return;
  }
  Tensor a = a_in, b = b_in;
  MatrixLayout la = layout_of(m, k, a.stride(-2), a.stride(-1));
  if (!la.usable) {
    a = contiguous_copy(a);
    la = layout_of(m, k, a.stride(-2), a.stride(-1));
  }
  MatrixLayout lb = layout_of(k, n, b.stride(-2), b.stride(-1));
  if (!lb.usable) {
    b = contiguous_copy(b);
    lb = layout_of(k, n, b.stride(-2), b.stride(-1));
  }
  const int64_t batch = nd == 3 ? out.size(0) : 1;
  const int64_t sa = nd == 3 ? a.stride(0) : 0;
  const int64_t sb = nd == 3 ? b.stride(0) : 0;
  dispatch_all(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pa = static_cast<const T*>(a.raw_data());
    const T* pb = static_cast<const T*>(b.raw_data());
    T* pc = static_cast<T*>(out.raw_data());
    for (int64_t i = 0; i < batch; ++i) {
      gemm(la.transposed, lb.transposed, m, n, k, pa + i * sa, la.ld,
           pb + i * sb, lb.ld, pc + i * m * n, n);
    }
  });
}

}  // namespace ag::kernels
