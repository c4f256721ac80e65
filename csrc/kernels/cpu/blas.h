#pragma once

// One-thread matrix products for the kernels that split work across the
// pool themselves (matmul, convolution): row-major C (m x n, leading
// dimension ldc) = op(A) @ op(B), or C += op(A) @ op(B) with `accumulate`.
// op transposes when ta / tb. Floats and doubles go to BLAS.

#include <cstdint>

namespace ag::kernels::cpu {

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a,
          int64_t lda, const float* b, int64_t ldb, float* c, int64_t ldc,
          bool accumulate = false);
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a,
          int64_t lda, const double* b, int64_t ldb, double* c, int64_t ldc,
          bool accumulate = false);

// The float product on this library's AVX-512 kernel (packed_gemm.cpp)
// when the CPU has AVX-512 and the shape suits it: N a multiple of its
// 64-column panels (or wide enough that the padding of the last one costs
// little) and a few rows and some depth to amortise the packing. Returns
// false, having done nothing, otherwise.
bool packed_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k,
                 const float* a, int64_t lda, const float* b, int64_t ldb,
                 float* c, int64_t ldc, bool accumulate);

// Integer and bool products have no BLAS routine: a cache-friendly i-k-j
// loop.
template <typename T>
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a,
          int64_t lda, const T* b, int64_t ldb, T* c, int64_t ldc,
          bool accumulate = false) {
  for (int64_t i = 0; i < m; ++i) {
    T* crow = c + i * ldc;
    if (!accumulate) {
      for (int64_t j = 0; j < n; ++j) crow[j] = T(0);
    }
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

}  // namespace ag::kernels::cpu
