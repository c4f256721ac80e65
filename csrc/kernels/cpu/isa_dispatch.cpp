// Runtime choice between the baseline and AVX2 builds of the hot kernels.

#include <cstdlib>
#include <cstring>

#include "core/profiler.h"
#include "kernels/cpu/blas.h"
#include "kernels/cpu/isa.h"
#include "kernels/kernels.h"

namespace ag::kernels {

namespace {

bool cpu_has_avx2() {
#if defined(AG_HAVE_AVX2_KERNELS)
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

bool cpu_has_avx512() {
#if defined(AG_HAVE_AVX512_KERNELS)
  return __builtin_cpu_supports("avx512f") &&
         __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512dq") && cpu_has_avx2();
#else
  return false;
#endif
}

// AUTOGRAD_CPP_CPU_CAPABILITY=default pins the baseline build and =avx2 the
// AVX2 one (to compare builds, or to test an older build on a newer CPU);
// otherwise the widest build the CPU runs is used.
const char* requested_capability() {
  const char* requested = std::getenv("AUTOGRAD_CPP_CPU_CAPABILITY");
  return requested != nullptr ? requested : "";
}

bool use_avx2() {
  static const bool chosen =
      std::strcmp(requested_capability(), "default") != 0 && cpu_has_avx2();
  return chosen;
}

bool use_avx512() {
  static const bool chosen = use_avx2() &&
                             std::strcmp(requested_capability(), "avx2") != 0 &&
                             cpu_has_avx512();
  return chosen;
}

// The names the profiler shows for each kernel (PyTorch's op names). A
// switch, not a table, so the declared ops' order in the enum is free and a
// new enum entry without a name fails to compile cleanly (-Wswitch).
const char* op_name(UnaryOp op) {
  switch (op) {
#define AG_UNARY_NAME(name, Name, ...) \
  case UnaryOp::Name:                  \
    return "aten::" #name;
    AG_UNARY_FLOAT_OPS(AG_UNARY_NAME)
    AG_UNARY_NN_OPS(AG_UNARY_NAME)
#undef AG_UNARY_NAME
    case UnaryOp::Neg:
      return "aten::neg";
    case UnaryOp::Abs:
      return "aten::abs";
    case UnaryOp::Sign:
      return "aten::sign";
    case UnaryOp::Relu:
      return "aten::relu";
    case UnaryOp::Square:
      return "aten::square";
    case UnaryOp::BitwiseNot:
      return "aten::bitwise_not";
    case UnaryOp::Floor:
      return "aten::floor";
    case UnaryOp::Ceil:
      return "aten::ceil";
    case UnaryOp::Round:
      return "aten::round";
    case UnaryOp::Trunc:
      return "aten::trunc";
    case UnaryOp::LeakyRelu:
      return "aten::leaky_relu";
    case UnaryOp::Elu:
      return "aten::elu";
    case UnaryOp::Gelu:
    case UnaryOp::GeluTanh:
      return "aten::gelu";
    case UnaryOp::Silu:
      return "aten::silu";
    case UnaryOp::Softplus:
      return "aten::softplus";
    case UnaryOp::LogicalNot:
      return "aten::logical_not";
    case UnaryOp::IsNan:
      return "aten::isnan";
    case UnaryOp::IsInf:
      return "aten::isinf";
    case UnaryOp::IsFinite:
      return "aten::isfinite";
  }
  return "aten::unary";
}

const char* op_name(BinaryOp op) {
  switch (op) {
#define AG_BINARY_NAME(name, Name, ...) \
  case BinaryOp::Name:                  \
    return "aten::" #name;
    AG_BINARY_TENSOR_OPS(AG_BINARY_NAME)
#undef AG_BINARY_NAME
    case BinaryOp::Add:
      return "aten::add";
    case BinaryOp::Sub:
      return "aten::sub";
    case BinaryOp::Mul:
      return "aten::mul";
    case BinaryOp::Div:
    case BinaryOp::DivTrunc:
      return "aten::div";
    case BinaryOp::Pow:
      return "aten::pow";
    case BinaryOp::DivFloor:
      return "aten::floor_divide";
    case BinaryOp::Remainder:
      return "aten::remainder";
    case BinaryOp::BitwiseAnd:
      return "aten::bitwise_and";
    case BinaryOp::BitwiseOr:
      return "aten::bitwise_or";
    case BinaryOp::BitwiseXor:
      return "aten::bitwise_xor";
    case BinaryOp::Eq:
      return "aten::eq";
    case BinaryOp::Ne:
      return "aten::ne";
    case BinaryOp::Lt:
      return "aten::lt";
    case BinaryOp::Le:
      return "aten::le";
    case BinaryOp::Gt:
      return "aten::gt";
    case BinaryOp::Ge:
      return "aten::ge";
    case BinaryOp::LogicalAnd:
      return "aten::logical_and";
    case BinaryOp::LogicalOr:
      return "aten::logical_or";
    case BinaryOp::LogicalXor:
      return "aten::logical_xor";
  }
  return "aten::binary";
}

const char* op_name(ReduceOp op) {
  static constexpr const char* kNames[] = {"aten::sum",
                                           "aten::prod",
                                           "aten::amax",
                                           "aten::amin",
                                           "aten::all",
                                           "aten::any",
                                           "aten::linalg_vector_norm"};
  static_assert(sizeof(kNames) / sizeof(kNames[0]) ==
                static_cast<size_t>(ReduceOp::SumSquares) + 1);
  return kNames[static_cast<size_t>(op)];
}

}  // namespace

namespace cpu {

bool packed_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k,
                 const float* a, int64_t lda, const float* b, int64_t ldb,
                 float* c, int64_t ldc, bool accumulate) {
#if defined(AG_HAVE_AVX512_KERNELS)
  const bool applies =
      use_avx512() && m >= 4 && k >= 16 && n >= 64 && (n % 64 == 0 || n >= 512);
  if (applies) {
    avx512::packed_gemm(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
    return true;
  }
#else
  static_cast<void>(ta), static_cast<void>(tb), static_cast<void>(m),
      static_cast<void>(n), static_cast<void>(k), static_cast<void>(a),
      static_cast<void>(lda), static_cast<void>(b), static_cast<void>(ldb),
      static_cast<void>(c), static_cast<void>(ldc),
      static_cast<void>(accumulate);
#endif
  return false;
}

}  // namespace cpu

std::string cpu_capability() {
  return use_avx512() ? "AVX512" : use_avx2() ? "AVX2" : "DEFAULT";
}

#if defined(AG_HAVE_AVX2_KERNELS)
#define AG_ISA_FORWARD(fn, ...) \
  (use_avx2() ? avx2::fn(__VA_ARGS__) : base::fn(__VA_ARGS__))
#else
#define AG_ISA_FORWARD(fn, ...) base::fn(__VA_ARGS__)
#endif
// The kernels with an AVX-512 build too.
#if defined(AG_HAVE_AVX512_KERNELS)
#define AG_ISA_FORWARD_WIDE(fn, ...) \
  (use_avx512() ? avx512::fn(__VA_ARGS__) : AG_ISA_FORWARD(fn, __VA_ARGS__))
#else
#define AG_ISA_FORWARD_WIDE(fn, ...) AG_ISA_FORWARD(fn, __VA_ARGS__)
#endif

void unary(UnaryOp op, const Tensor& in, const Tensor& out, double arg0,
           double arg1) {
  profiler::RecordScope scope(op_name(op), in);
  AG_ISA_FORWARD_WIDE(unary, op, in, out, arg0, arg1);
}

void binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out,
            const Scalar& alpha) {
  profiler::RecordScope scope(op_name(op), a, b);
  AG_ISA_FORWARD(binary, op, a, b, out, alpha);
}

void where(const Tensor& cond, const Tensor& a, const Tensor& b,
           const Tensor& out) {
  profiler::RecordScope scope("aten::where", cond, a, b);
  AG_ISA_FORWARD(where, cond, a, b, out);
}

void ternary(TernaryOp op, const Tensor& a, const Tensor& b, const Tensor& c,
             const Tensor& out) {
  profiler::RecordScope scope(
      op == TernaryOp::Clamp ? "aten::clamp" : "aten::lerp", a, b, c);
  AG_ISA_FORWARD(ternary, op, a, b, c, out);
}

void reduce(ReduceOp op, const Tensor& in, const Tensor& out) {
  profiler::RecordScope scope(op_name(op), in);
  AG_ISA_FORWARD(reduce, op, in, out);
}

void arg_extremum(bool is_max, const Tensor& in, int64_t dim,
                  const Tensor& values, const Tensor& indices) {
  profiler::RecordScope scope(is_max ? "aten::max" : "aten::min", in);
  AG_ISA_FORWARD(arg_extremum, is_max, in, dim, values, indices);
}

void cumsum(const Tensor& in, int64_t dim, bool reverse, const Tensor& out) {
  profiler::RecordScope scope("aten::cumsum", in);
  AG_ISA_FORWARD(cumsum, in, dim, reverse, out);
}

void softmax(const Tensor& in, int64_t dim, bool log, const Tensor& out) {
  profiler::RecordScope scope(log ? "aten::_log_softmax" : "aten::_softmax",
                              in);
  AG_ISA_FORWARD(softmax, in, dim, log, out);
}

void unary_backward(UnaryOp op, const Tensor& grad, const Tensor& self,
                    const Tensor& grad_in) {
  profiler::RecordScope scope(op == UnaryOp::Relu   ? "aten::threshold_backward"
                              : op == UnaryOp::Silu ? "aten::silu_backward"
                              : op == UnaryOp::Tanh ? "aten::tanh_backward"
                              : op == UnaryOp::Sigmoid
                                  ? "aten::sigmoid_backward"
                                  : "aten::gelu_backward",
                              grad, self);
  AG_ISA_FORWARD_WIDE(unary_backward, op, grad, self, grad_in);
}

void softmax_backward(const Tensor& grad, const Tensor& result, int64_t dim,
                      bool log, const Tensor& grad_in) {
  profiler::RecordScope scope(
      log ? "aten::_log_softmax_backward_data" : "aten::_softmax_backward_data",
      grad, result);
  AG_ISA_FORWARD(softmax_backward, grad, result, dim, log, grad_in);
}

void layer_norm(const Tensor& in, const Tensor& weight, const Tensor& bias,
                double eps, int64_t rows, int64_t cols, const Tensor& out,
                const Tensor& mean, const Tensor& rstd) {
  profiler::RecordScope scope("aten::native_layer_norm", in, weight, bias);
  AG_ISA_FORWARD(layer_norm, in, weight, bias, eps, rows, cols, out, mean,
                 rstd);
}

void layer_norm_backward(const Tensor& grad, const Tensor& in,
                         const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight, int64_t rows, int64_t cols,
                         const Tensor& grad_in, const Tensor& grad_weight,
                         const Tensor& grad_bias) {
  profiler::RecordScope scope("aten::native_layer_norm_backward", grad, in,
                              weight);
  AG_ISA_FORWARD(layer_norm_backward, grad, in, mean, rstd, weight, rows, cols,
                 grad_in, grad_weight, grad_bias);
}

void lstm_cell(const Tensor& x, const Tensor& hh, const Tensor& c_prev,
               const Tensor& gates, const Tensor& c, const Tensor& h) {
  profiler::RecordScope scope("aten::_thnn_fused_lstm_cell", x, hh, c_prev);
  AG_ISA_FORWARD_WIDE(lstm_cell, x, hh, c_prev, gates, c, h);
}

void lstm_cell_backward(const Tensor& gates, const Tensor& c_prev,
                        const Tensor& c, const Tensor& dh, const Tensor& dh2,
                        const Tensor& dc, const Tensor& d_gates,
                        const Tensor& dc_prev) {
  profiler::RecordScope scope("aten::_thnn_fused_lstm_cell_backward_impl", dh,
                              dc, gates);
  AG_ISA_FORWARD_WIDE(lstm_cell_backward, gates, c_prev, c, dh, dh2, dc,
                      d_gates, dc_prev);
}

void pack_rhs(const Tensor& b, const Tensor& packed) {
  AG_ISA_FORWARD_WIDE(pack_rhs, b, packed);
}

void packed_matmul(const Tensor& a, const Tensor& packed, const Tensor& out) {
  profiler::RecordScope scope("aten::mm", a, out);
  AG_ISA_FORWARD_WIDE(packed_matmul, a, packed, out);
}

void channel_moments(const Tensor& in, int64_t n, int64_t c, int64_t s,
                     const Tensor& mean, const Tensor& var) {
  profiler::RecordScope scope("aten::batch_norm_stats", in);
  AG_ISA_FORWARD(channel_moments, in, n, c, s, mean, var);
}

void channel_affine(const Tensor& in, const Tensor& scale, const Tensor& shift,
                    int64_t n, int64_t c, int64_t s, const Tensor& out) {
  profiler::RecordScope scope("aten::batch_norm_elemt", in, scale, shift);
  AG_ISA_FORWARD(channel_affine, in, scale, shift, n, c, s, out);
}

void max_pool2d(const Tensor& in, const Window2d& w, const Tensor& out,
                const Tensor& indices) {
  profiler::RecordScope scope("aten::max_pool2d_with_indices", in);
  AG_ISA_FORWARD(max_pool2d, in, w, out, indices);
}

void avg_pool2d(const Tensor& in, const Window2d& w, bool count_include_pad,
                int64_t divisor_override, const Tensor& out) {
  profiler::RecordScope scope("aten::avg_pool2d", in);
  AG_ISA_FORWARD(avg_pool2d, in, w, count_include_pad, divisor_override, out);
}

void avg_pool2d_backward(const Tensor& grad, const Window2d& w,
                         bool count_include_pad, int64_t divisor_override,
                         const Tensor& grad_in) {
  profiler::RecordScope scope("aten::avg_pool2d_backward", grad);
  AG_ISA_FORWARD(avg_pool2d_backward, grad, w, count_include_pad,
                 divisor_override, grad_in);
}

void run_fused(const FusedProgram& p, DType dtype, int64_t n,
               char* const* external, void* scratch) {
  profiler::RecordScope scope("autograd_cpp::fused_elementwise");
  AG_ISA_FORWARD(run_fused, p, dtype, n, external, scratch);
}

bool fused_unary_supported(UnaryOp op) {
  switch (op) {
#define AG_FUSED_SUPPORTED(name, Name, ...) case UnaryOp::Name:
    AG_UNARY_FLOAT_OPS(AG_FUSED_SUPPORTED)
#undef AG_FUSED_SUPPORTED
    case UnaryOp::Neg:
    case UnaryOp::Relu:
    case UnaryOp::Square:
      return true;
    default:
      return false;
  }
}

void gather_dim1(const Tensor& in, const Tensor& index, const Tensor& out) {
  profiler::RecordScope scope("aten::gather", in, index);
  AG_ISA_FORWARD(gather_dim1, in, index, out);
}

void scatter_add_dim1(const Tensor& src, const Tensor& index,
                      const Tensor& out) {
  profiler::RecordScope scope("aten::scatter_add", src, index);
  AG_ISA_FORWARD(scatter_add_dim1, src, index, out);
}

void sgd_step(const Tensor& param, const Tensor& grad,
              const Tensor& momentum_buffer, bool first_step,
              const SgdOptions& o) {
  profiler::RecordScope scope("aten::_sgd_step", param, grad);
  AG_ISA_FORWARD(sgd_step, param, grad, momentum_buffer, first_step, o);
}

void adam_step(const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
               const Tensor& exp_avg_sq, const Tensor& max_exp_avg_sq,
               int64_t step, const AdamOptions& o) {
  profiler::RecordScope scope("aten::_adam_step", param, grad);
  AG_ISA_FORWARD(adam_step, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq,
                 step, o);
}

void rmsprop_step(const Tensor& param, const Tensor& grad,
                  const Tensor& square_avg, const Tensor& momentum_buffer,
                  const Tensor& grad_avg, const RmspropOptions& o) {
  profiler::RecordScope scope("aten::_rmsprop_step", param, grad);
  AG_ISA_FORWARD(rmsprop_step, param, grad, square_avg, momentum_buffer,
                 grad_avg, o);
}

}  // namespace ag::kernels
