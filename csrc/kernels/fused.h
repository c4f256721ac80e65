#pragma once

// Kernels that fuse what would otherwise be a chain of elementwise ops,
// mostly backward formulas: one pass over memory instead of one per op. The
// ops call them when no graph is being built through the backward (without
// create_graph); with it they compose differentiable ops instead.

#include "core/tensor.h"
#include "kernels/kernels.h"
#include "kernels/nn.h"

#include <vector>

namespace ag::kernels {

// A straight-line program of elementwise instructions, run block by block
// over n elements of one floating dtype: a fused chain of ops and, for a
// fused backward, their derivative formulas. Registers [0, num_external)
// point into the caller's contiguous buffers (inputs, and outputs written
// in full); the rest are block-sized scratch rows, shared by values whose
// lifetimes do not overlap. An instruction's destination may be one of its
// sources (each element is read before it is written).
struct FusedInstr {
  enum class Kind : uint8_t {
    Unary,     // dst = uop(a)
    Binary,    // dst = a bop b (Add/Sub scale b by alpha); a or b may be
               // a scalar (register -1)
    ReluGrad,  // dst = b <= 0 ? 0 : a: relu's backward, grad a, input b
    Fill,      // dst = a_scalar
  };
  Kind kind = Kind::Unary;
  UnaryOp uop = UnaryOp::Neg;
  BinaryOp bop = BinaryOp::Add;
  int32_t dst = 0, a = -1, b = -1;
  double a_scalar = 0.0, b_scalar = 0.0, alpha = 1.0;
};

struct FusedProgram {
  std::vector<FusedInstr> code;
  int32_t num_external = 0;
  int32_t num_scratch = 0;
  int64_t block = 256;  // elements per block (rows of the scratch)
};

// Runs `p` over n elements of `dtype` (Float32 or Float64): `external`
// holds num_external base pointers, `scratch` num_scratch * block elements.
void run_fused(const FusedProgram& p, DType dtype, int64_t n,
               char* const* external, void* scratch);
// The unary ops run_fused computes (its forward and derivative formulas).
bool fused_unary_supported(UnaryOp op);

// grad_in = grad * f'(self) for f = op, one of Relu, Gelu, GeluTanh, Silu
// (for Relu, 0 where self <= 0, even for an inf or NaN grad, else grad);
// for Tanh and Sigmoid, whose derivatives are functions of their result,
// `self` is the forward's result y: grad * (1 - y * y), grad * (y * (1 - y)).
// All three have self's (floating) dtype and shape; grad_in is written.
void unary_backward(UnaryOp op, const Tensor& grad, const Tensor& self,
                    const Tensor& grad_in);

// Softmax (log_softmax when `log`) backward along `dim` from the forward's
// result: grad_in = y * (grad - sum(grad * y)), or
// grad - exp(y) * sum(grad). Contiguous operands of one floating dtype.
void softmax_backward(const Tensor& grad, const Tensor& result, int64_t dim,
                      bool log, const Tensor& grad_in);

// Layer norm backward over (rows, cols) from the forward's mean and rstd
// (rows): grad_in = rstd * (g' - mean(g') - x^ * mean(g' * x^)) with
// g' = grad * weight and x^ = (x - mean) * rstd; grad_weight (cols) = the sum
// over rows of grad * x^, grad_bias (cols) = the sum of grad. weight and any
// output may be undefined. Contiguous operands of one floating dtype.
void layer_norm_backward(const Tensor& grad, const Tensor& in,
                         const Tensor& mean, const Tensor& rstd,
                         const Tensor& weight, int64_t rows, int64_t cols,
                         const Tensor& grad_in, const Tensor& grad_weight,
                         const Tensor& grad_bias);

// out = a @ b + bias, bias a contiguous row (out's last dim) added to every
// row of the product as each block of it is computed; otherwise as matmul.
void addmm(const Tensor& bias, const Tensor& a, const Tensor& b,
           const Tensor& out);

// The gradients of conv2d (kernels/nn.h) from grad (N, O, out_h, out_w):
// grad_in (N, C, in_h, in_w) needs weight, grad_weight (O, C/groups, kh, kw)
// needs in, grad_bias (O) needs neither; undefined outputs are skipped.
// Contiguous operands of one dtype; the outputs are overwritten.
void conv2d_backward(const Tensor& grad, const Tensor& in, const Tensor& weight,
                     const Window2d& w, int64_t groups, const Tensor& grad_in,
                     const Tensor& grad_weight, const Tensor& grad_bias);

}  // namespace ag::kernels
