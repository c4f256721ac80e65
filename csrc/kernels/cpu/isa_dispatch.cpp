// Runtime choice between the baseline and AVX2 builds of the hot kernels.

#include <cstdlib>
#include <cstring>

#include "core/profiler.h"
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

// AUTOGRAD_CPP_CPU_CAPABILITY=default pins the baseline build (to compare
// the two, or to test the baseline on a newer CPU); otherwise the widest
// build the CPU runs is used.
bool choose_avx2() {
  const char* requested = std::getenv("AUTOGRAD_CPP_CPU_CAPABILITY");
  if (requested != nullptr && std::strcmp(requested, "default") == 0) {
    return false;
  }
  return cpu_has_avx2();
}

bool use_avx2() {
  static const bool chosen = choose_avx2();
  return chosen;
}

// The names the profiler shows for each kernel (PyTorch's op names).
const char* op_name(UnaryOp op) {
  static constexpr const char* kNames[] = {
      "aten::neg",      "aten::abs",         "aten::sign",
      "aten::relu",     "aten::square",      "aten::bitwise_not",
      "aten::floor",    "aten::ceil",        "aten::round",
      "aten::trunc",    "aten::exp",         "aten::expm1",
      "aten::log",      "aten::log1p",       "aten::log2",
      "aten::log10",    "aten::sqrt",        "aten::rsqrt",
      "aten::sin",      "aten::cos",         "aten::tan",
      "aten::tanh",     "aten::sigmoid",     "aten::reciprocal",
      "aten::erf",      "aten::leaky_relu",  "aten::elu",
      "aten::gelu",     "aten::gelu",        "aten::silu",
      "aten::softplus", "aten::logical_not", "aten::isnan",
      "aten::isinf",    "aten::isfinite"};
  static_assert(sizeof(kNames) / sizeof(kNames[0]) ==
                static_cast<size_t>(UnaryOp::IsFinite) + 1);
  return kNames[static_cast<size_t>(op)];
}

const char* op_name(BinaryOp op) {
  static constexpr const char* kNames[] = {
      "aten::add",         "aten::sub",         "aten::mul",
      "aten::div",         "aten::pow",         "aten::maximum",
      "aten::minimum",     "aten::div",         "aten::floor_divide",
      "aten::remainder",   "aten::bitwise_and", "aten::bitwise_or",
      "aten::bitwise_xor", "aten::eq",          "aten::ne",
      "aten::lt",          "aten::le",          "aten::gt",
      "aten::ge",          "aten::logical_and", "aten::logical_or",
      "aten::logical_xor"};
  static_assert(sizeof(kNames) / sizeof(kNames[0]) ==
                static_cast<size_t>(BinaryOp::LogicalXor) + 1);
  return kNames[static_cast<size_t>(op)];
}

const char* op_name(ReduceOp op) {
  static constexpr const char* kNames[] = {"aten::sum",  "aten::prod",
                                           "aten::amax", "aten::amin",
                                           "aten::all",  "aten::any"};
  static_assert(sizeof(kNames) / sizeof(kNames[0]) ==
                static_cast<size_t>(ReduceOp::Any) + 1);
  return kNames[static_cast<size_t>(op)];
}

}  // namespace

std::string cpu_capability() {
  return use_avx2() ? "AVX2" : "DEFAULT";
}

#if defined(AG_HAVE_AVX2_KERNELS)
#define AG_ISA_FORWARD(fn, ...) \
  (use_avx2() ? avx2::fn(__VA_ARGS__) : base::fn(__VA_ARGS__))
#else
#define AG_ISA_FORWARD(fn, ...) base::fn(__VA_ARGS__)
#endif

void unary(UnaryOp op, const Tensor& in, const Tensor& out, double arg0,
           double arg1) {
  profiler::RecordScope scope(op_name(op), in);
  AG_ISA_FORWARD(unary, op, in, out, arg0, arg1);
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
                                                    : "aten::gelu_backward",
                              grad, self);
  AG_ISA_FORWARD(unary_backward, op, grad, self, grad_in);
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

void gather_dim1(const Tensor& in, const Tensor& index, const Tensor& out) {
  profiler::RecordScope scope("aten::gather", in, index);
  AG_ISA_FORWARD(gather_dim1, in, index, out);
}

void scatter_add_dim1(const Tensor& src, const Tensor& index,
                      const Tensor& out) {
  profiler::RecordScope scope("aten::scatter_add", src, index);
  AG_ISA_FORWARD(scatter_add_dim1, src, index, out);
}

}  // namespace ag::kernels
