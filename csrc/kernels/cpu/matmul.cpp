#include <algorithm>
#include <climits>

#include "core/dispatch.h"
#include "core/profiler.h"
#include "kernels/cpu/blas.h"
#include "kernels/fused.h"
#include "kernels/kernels.h"
#include "kernels/parallel.h"

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

Tensor contiguous_copy(const Tensor& t) {
  Tensor out = empty_tensor(t.sizes(), t.dtype());
  copy(t, out);
  return out;
}

}  // namespace

namespace cpu {

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a,
          int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
          bool accumulate) {
  if (packed_gemm(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, accumulate)) {
    return;
  }
  AG_CBLAS(sgemm)(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
                  tb ? CblasTrans : CblasNoTrans, static_cast<int>(m),
                  static_cast<int>(n), static_cast<int>(k), 1.0f, a,
                  static_cast<int>(lda), b, static_cast<int>(ldb),
                  accumulate ? 1.0f : 0.0f, c, static_cast<int>(ldc));
}

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a,
          int64_t lda, const double* b, int64_t ldb, double* c, int64_t ldc,
          bool accumulate) {
  AG_CBLAS(dgemm)(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
                  tb ? CblasTrans : CblasNoTrans, static_cast<int>(m),
                  static_cast<int>(n), static_cast<int>(k), 1.0, a,
                  static_cast<int>(lda), b, static_cast<int>(ldb),
                  accumulate ? 1.0 : 0.0, c, static_cast<int>(ldc));
}

}  // namespace cpu

void set_blas_threads(int n) {
  AG_OPENBLAS(set_num_threads)(n);
}

namespace {

// A product is cut into blocks of rows (or columns, when there are more of
// them) of at least this many, and blocks are grouped so each task of the
// pool does at least kMinTaskFlops: below that, handing work to another
// thread costs more than it saves.
constexpr int64_t kMinBlock = 16;
constexpr int64_t kPanelBlock = 64;
constexpr int64_t kBalanceBlock = 256;

// BLAS runs on one thread: products are split across our pool instead, so
// the two pools never compete for the cores, and a busy core slows a
// product down rather than stalling it at a barrier. Set when the library
// loads, before BLAS's own threads would start spinning for work.
const bool kBlasSerial = (set_blas_threads(1), true);
constexpr int64_t kMinTaskFlops = int64_t{1} << 18;

}  // namespace

namespace {

// out = a @ b (+ bias, a row broadcast over the rows of each product).
void matmul_impl(const Tensor& a_in, const Tensor& b_in, const Tensor& bias,
                 const Tensor& out) {
  const int64_t nd = out.dim();
  AG_CHECK(nd == 2 || nd == 3, "matmul kernel expects 2-D or 3-D operands");
  int64_t m = out.size(-2);
  const int64_t n = out.size(-1), k = a_in.size(-1);
  AG_CHECK(m < INT_MAX && n < INT_MAX && k < INT_MAX,
           "matmul: matrix dimensions must be below 2^31");
  if (out.numel() == 0) return;
  if (k == 0) {
    fill(out, Scalar(int64_t{0}));
    if (bias.defined()) binary(BinaryOp::Add, out, bias, out);
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
  int64_t batch = nd == 3 ? out.size(0) : 1;
  const int64_t sa = nd == 3 ? a.stride(0) : 0;
  const int64_t sb = nd == 3 ? b.stride(0) : 0;
  if (batch > 1 && sb == 0 && !la.transposed && sa == m * la.ld) {
    // One right operand shared by the batch (an expanded weight, as vmap
    // makes them) under row-stacked left operands: a single product of
    // (batch * m) rows instead of batch small ones.
    m *= batch;
    batch = 1;
  }
  if (k == 1 && !bias.defined() &&
      (out.dtype() == DType::Float32 || out.dtype() == DType::Float64)) {
    // Outer products (per-example weight gradients of one-row inputs): a
    // broadcast multiply; BLAS would pack both operands per product.
    dispatch_floating(out.dtype(), "matmul", [&](auto tag) {
      using T = decltype(tag);
      const T* pa = static_cast<const T*>(a.raw_data());
      const T* pb = static_cast<const T*>(b.raw_data());
      T* pc = static_cast<T*>(out.raw_data());
      const int64_t a_step = la.transposed ? 1 : la.ld;
      const int64_t b_step = lb.transposed ? lb.ld : 1;
      const int64_t grain = std::max<int64_t>(1, kMinTaskFlops / (m * n + 1));
      parallel_for(0, batch, grain, [&](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) {
          const T* ai = pa + i * sa;
          const T* bi = pb + i * sb;
          T* ci = pc + i * m * n;
          for (int64_t r = 0; r < m; ++r) {
            const T ar = ai[r * a_step];
            T* crow = ci + r * n;
            if (b_step == 1) {
              for (int64_t c = 0; c < n; ++c) crow[c] = ar * bi[c];
            } else {
              for (int64_t c = 0; c < n; ++c) crow[c] = ar * bi[c * b_step];
            }
          }
        }
      });
    });
    return;
  }
  // Tasks: (matrix of the batch, block of rows or columns of it). One block
  // per matrix on one thread (each BLAS call packs its operands afresh);
  // with more threads, enough blocks to balance them.
  const bool by_rows = m >= n;
  const int64_t extent = by_rows ? m : n;
  const int64_t threads = get_num_threads();
  const int64_t want =
      threads == 1 ? 1 : (threads * 4 + batch - 1) / batch;  // per matrix
  // One block per thread where the extent allows; the extra blocks that
  // balance a busy core only where each keeps kBalanceBlock rows (or
  // columns): every block packs the whole shared operand again, which costs
  // about 5% at 128 rows and over a third at 16.
  const int64_t per_thread =
      std::min((threads + batch - 1) / batch, extent / kMinBlock);
  const int64_t blocks = std::max<int64_t>(
      1, std::max(per_thread, std::min(want, extent / kBalanceBlock)));
  // Blocks of whole multiples of kMinBlock keep BLAS on its full-width
  // micro-kernels; blocks of columns are whole 64-column panels where the
  // matrix has some, which keeps them on the packed product (cpu::gemm).
  const int64_t align =
      !by_rows && extent >= 2 * kPanelBlock ? kPanelBlock : kMinBlock;
  const int64_t block =
      ((extent + blocks - 1) / blocks + align - 1) / align * align;
  const int64_t tasks_per_matrix = (extent + block - 1) / block;
  const int64_t block_flops = 2 * block * (by_rows ? n : m) * k;
  const int64_t grain =
      std::max<int64_t>(1, kMinTaskFlops / std::max<int64_t>(1, block_flops));
  dispatch_all(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pa = static_cast<const T*>(a.raw_data());
    const T* pb = static_cast<const T*>(b.raw_data());
    const T* pbias =
        bias.defined() ? static_cast<const T*>(bias.raw_data()) : nullptr;
    T* pc = static_cast<T*>(out.raw_data());
    parallel_for(
        0, batch * tasks_per_matrix, grain, [&](int64_t lo, int64_t hi) {
          for (int64_t t = lo; t < hi; ++t) {
            const int64_t i = t / tasks_per_matrix;
            const int64_t first = (t % tasks_per_matrix) * block;
            const int64_t count = std::min(extent, first + block) - first;
            const T* ai = pa + i * sa;
            const T* bi = pb + i * sb;
            T* ci = pc + i * m * n;
            const int64_t rows = by_rows ? count : m;
            const int64_t cols = by_rows ? n : count;
            const int64_t row0 = by_rows ? first : 0;
            const int64_t col0 = by_rows ? 0 : first;
            T* cblock = ci + row0 * n + col0;
            if (pbias) {
              // The block starts as the bias and the product accumulates
              // onto it: BLAS would otherwise zero it first, and adding the
              // bias afterwards is another pass over an output that no
              // longer fits in cache.
              for (int64_t r = 0; r < rows; ++r) {
                std::copy(pbias + col0, pbias + col0 + cols, cblock + r * n);
              }
            }
            // Rows [row0, row0 + rows) and columns [col0, col0 + cols): row
            // r of A starts at r * lda (at r when A is stored transposed),
            // column c of B at c (at c * ldb when B is).
            cpu::gemm(la.transposed, lb.transposed, rows, cols, k,
                      ai + (la.transposed ? row0 : row0 * la.ld), la.ld,
                      bi + (lb.transposed ? col0 * lb.ld : col0), lb.ld, cblock,
                      n, pbias != nullptr);
          }
        });
  });
}

}  // namespace

void matmul(const Tensor& a, const Tensor& b, const Tensor& out) {
  profiler::RecordScope scope(out.dim() == 3 ? "aten::bmm" : "aten::mm", a, b);
  matmul_impl(a, b, Tensor(), out);
}

void addmm(const Tensor& bias, const Tensor& a, const Tensor& b,
           const Tensor& out) {
  profiler::RecordScope scope("aten::addmm", bias, a, b);
  AG_CHECK(bias.dim() == 1 && bias.is_contiguous() &&
               bias.size(0) == out.size(-1) && bias.dtype() == out.dtype(),
           "addmm kernel: bias must be a contiguous row of out's width");
  matmul_impl(a, b, bias, out);
}

}  // namespace ag::kernels
