// Runtime choice between the baseline and AVX2 builds of the hot kernels.

#include <cstdlib>
#include <cstring>

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
  AG_ISA_FORWARD(unary, op, in, out, arg0, arg1);
}

void binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& out,
            const Scalar& alpha) {
  AG_ISA_FORWARD(binary, op, a, b, out, alpha);
}

void where(const Tensor& cond, const Tensor& a, const Tensor& b,
           const Tensor& out) {
  AG_ISA_FORWARD(where, cond, a, b, out);
}

void ternary(TernaryOp op, const Tensor& a, const Tensor& b, const Tensor& c,
             const Tensor& out) {
  AG_ISA_FORWARD(ternary, op, a, b, c, out);
}

void reduce(ReduceOp op, const Tensor& in, const Tensor& out) {
  AG_ISA_FORWARD(reduce, op, in, out);
}

void arg_extremum(bool is_max, const Tensor& in, int64_t dim,
                  const Tensor& values, const Tensor& indices) {
  AG_ISA_FORWARD(arg_extremum, is_max, in, dim, values, indices);
}

void cumsum(const Tensor& in, int64_t dim, bool reverse, const Tensor& out) {
  AG_ISA_FORWARD(cumsum, in, dim, reverse, out);
}

void softmax(const Tensor& in, int64_t dim, bool log, const Tensor& out) {
  AG_ISA_FORWARD(softmax, in, dim, log, out);
}

}  // namespace ag::kernels
