#pragma once

// Hot elementwise, reduction and softmax kernels are compiled once for the
// baseline x86-64 ISA and, with GCC on x86-64, once more for AVX2+FMA (and
// some a third time, for AVX-512, below); the dispatcher (isa_dispatch.cpp)
// picks one per call from what the CPU offers.
//
// A kernel file includes this header after all others and wraps its code in
// AG_ISA_BEGIN / AG_ISA_END. Only functions defined inside that region get
// the wider target: inline functions from headers stay baseline, so the
// linker never picks an AVX2 copy of a shared inline function for code that
// runs on an older CPU. Each build's entry points live in their own
// namespace (ag::kernels::base, ::avx2 or ::avx512).

#include <string>

#include "core/tensor.h"
#include "kernels/fused.h"
#include "kernels/kernels.h"
#include "kernels/nn.h"
#include "kernels/optim.h"

#if defined(AG_ISA_AVX512) && !defined(AG_ISA_AVX2)
// An AVX-512 build has everything an AVX2 build relies on (FMA included).
#define AG_ISA_AVX2 1
#endif

#if defined(AG_ISA_AVX512)
// clang-format off: _Pragma takes one string literal, which must not split.
#define AG_ISA_BEGIN \
  _Pragma("GCC push_options") \
  _Pragma("GCC target(\"avx512f,avx512vl,avx512dq,avx2,fma,prefer-vector-width=512\")") \
  namespace avx512 {
// clang-format on
#define AG_ISA_END \
  }                \
  _Pragma("GCC pop_options")
#elif defined(AG_ISA_AVX2)
#define AG_ISA_BEGIN          \
  _Pragma("GCC push_options") \
      _Pragma("GCC target(\"avx2,fma\")") namespace avx2 {
#define AG_ISA_END \
  }                \
  _Pragma("GCC pop_options")
#else
#define AG_ISA_BEGIN namespace base {
#define AG_ISA_END }
#endif

// The kernels built per ISA; their public versions in ag::kernels forward
// to one of these.
#define AG_ISA_KERNEL_DECLARATIONS                                             \
  void unary(UnaryOp op, const Tensor& in, const Tensor& out, double arg0,     \
             double arg1);                                                     \
  void binary(BinaryOp op, const Tensor& a, const Tensor& b,                   \
              const Tensor& out, const Scalar& alpha);                         \
  void where(const Tensor& cond, const Tensor& a, const Tensor& b,             \
             const Tensor& out);                                               \
  void ternary(TernaryOp op, const Tensor& a, const Tensor& b,                 \
               const Tensor& c, const Tensor& out);                            \
  void reduce(ReduceOp op, const Tensor& in, const Tensor& out);               \
  void arg_extremum(bool is_max, const Tensor& in, int64_t dim,                \
                    const Tensor& values, const Tensor& indices);              \
  void cumsum(const Tensor& in, int64_t dim, bool reverse, const Tensor& out); \
  void softmax(const Tensor& in, int64_t dim, bool log, const Tensor& out);    \
  void unary_backward(UnaryOp op, const Tensor& grad, const Tensor& self,      \
                      const Tensor& grad_in);                                  \
  void softmax_backward(const Tensor& grad, const Tensor& result, int64_t dim, \
                        bool log, const Tensor& grad_in);                      \
  void layer_norm(const Tensor& in, const Tensor& weight, const Tensor& bias,  \
                  double eps, int64_t rows, int64_t cols, const Tensor& out,   \
                  const Tensor& mean, const Tensor& rstd);                     \
  void lstm_cell(const Tensor& x, const Tensor& hh, const Tensor& c_prev,      \
                 const Tensor& gates, const Tensor& c, const Tensor& h);       \
  void lstm_cell_backward(const Tensor& gates, const Tensor& c_prev,           \
                          const Tensor& c, const Tensor& dh,                   \
                          const Tensor& dh2, const Tensor& dc,                 \
                          const Tensor& d_gates, const Tensor& dc_prev);       \
  void pack_rhs(const Tensor& b, const Tensor& packed);                        \
  void packed_matmul(const Tensor& a, const Tensor& packed,                    \
                     const Tensor& out);                                       \
  void layer_norm_backward(const Tensor& grad, const Tensor& in,               \
                           const Tensor& mean, const Tensor& rstd,             \
                           const Tensor& weight, int64_t rows, int64_t cols,   \
                           const Tensor& grad_in, const Tensor& grad_weight,   \
                           const Tensor& grad_bias);                           \
  void channel_moments(const Tensor& in, int64_t n, int64_t c, int64_t s,      \
                       const Tensor& mean, const Tensor& var);                 \
  void channel_affine(const Tensor& in, const Tensor& scale,                   \
                      const Tensor& shift, int64_t n, int64_t c, int64_t s,    \
                      const Tensor& out);                                      \
  void max_pool2d(const Tensor& in, const Window2d& w, const Tensor& out,      \
                  const Tensor& indices);                                      \
  void avg_pool2d(const Tensor& in, const Window2d& w, bool count_include_pad, \
                  int64_t divisor_override, const Tensor& out);                \
  void avg_pool2d_backward(const Tensor& grad, const Window2d& w,              \
                           bool count_include_pad, int64_t divisor_override,   \
                           const Tensor& grad_in);                             \
  void gather_dim1(const Tensor& in, const Tensor& index, const Tensor& out);  \
  void run_fused(const FusedProgram& p, DType dtype, int64_t n,                \
                 char* const* external, void* scratch);                        \
  void scatter_add_dim1(const Tensor& src, const Tensor& index,                \
                        const Tensor& out);                                    \
  void sgd_step(const Tensor& param, const Tensor& grad,                       \
                const Tensor& momentum_buffer, bool first_step,                \
                const SgdOptions& o);                                          \
  void adam_step(const Tensor& param, const Tensor& grad,                      \
                 const Tensor& exp_avg, const Tensor& exp_avg_sq,              \
                 const Tensor& max_exp_avg_sq, int64_t step,                   \
                 const AdamOptions& o);                                        \
  void rmsprop_step(const Tensor& param, const Tensor& grad,                   \
                    const Tensor& square_avg, const Tensor& momentum_buffer,   \
                    const Tensor& grad_avg, const RmspropOptions& o);

namespace ag::kernels {
namespace base {
AG_ISA_KERNEL_DECLARATIONS
}  // namespace base
namespace avx2 {
AG_ISA_KERNEL_DECLARATIONS
}  // namespace avx2
// Only some kernels have an AVX-512 build: the products (rnn.cpp, and
// packed_gemm.cpp, which exists only there), whose speed AVX2's 16
// registers cap (AVX-512's 32 hold a tile that loads each operand element
// for four FMAs), and the activations, whose polynomials take half the
// instructions at twice the width. Softmax and normalisation ran 10-25%
// slower built for AVX-512 on rows of 64-128 (attention's, a GPT block's).
namespace avx512 {
AG_ISA_KERNEL_DECLARATIONS
// cpu::gemm's float products where packed_gemm_applies (packed_gemm.cpp).
void packed_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k,
                 const float* a, int64_t lda, const float* b, int64_t ldb,
                 float* c, int64_t ldc, bool accumulate);
}  // namespace avx512
}  // namespace ag::kernels
