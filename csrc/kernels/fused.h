#pragma once

// Kernels that fuse what would otherwise be a chain of elementwise ops,
// mostly backward formulas: one pass over memory instead of one per op. The
// ops call them when no graph is being built through the backward (without
// create_graph); with it they compose differentiable ops instead.

#include "core/tensor.h"
#include "kernels/kernels.h"
#include "kernels/nn.h"

namespace ag::kernels {

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
