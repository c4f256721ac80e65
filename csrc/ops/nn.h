#pragma once

// Neural-network ops: softmax family, convolution, unfold/fold, pooling and
// normalization (nn.cpp)

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/scalar.h"
#include "core/tensor.h"
#include "ops/common.h"

namespace ag::ops {

Tensor softmax(const Tensor& self, int64_t dim,
               std::optional<DType> dtype = std::nullopt);
Tensor log_softmax(const Tensor& self, int64_t dim,
                   std::optional<DType> dtype = std::nullopt);

// Convolutions over (N, C, *) or unbatched (C, *) inputs. stride, padding and
// dilation hold one value for every spatial dim or one per dim; an undefined
// bias means none. The string forms take padding "same" or "valid".
Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              const IntList& stride, const IntList& padding,
              const IntList& dilation, int64_t groups);
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              const IntList& stride, const IntList& padding,
              const IntList& dilation, int64_t groups);
Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              const IntList& stride, const std::string& padding,
              const IntList& dilation, int64_t groups);
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              const IntList& stride, const std::string& padding,
              const IntList& dilation, int64_t groups);

// Sliding blocks (im2col) of a (N, C, H, W) or (C, H, W) input, and their
// adjoint: fold sums blocks back into an image of output_size.
Tensor unfold(const Tensor& self, const IntList& kernel_size,
              const IntList& dilation, const IntList& padding,
              const IntList& stride);
Tensor fold(const Tensor& self, const IntList& output_size,
            const IntList& kernel_size, const IntList& dilation,
            const IntList& padding, const IntList& stride);

// An empty stride means "the kernel size".
std::tuple<Tensor, Tensor> max_pool2d_with_indices(
    const Tensor& self, const IntList& kernel_size, const IntList& stride,
    const IntList& padding, const IntList& dilation, bool ceil_mode);
Tensor max_pool2d(const Tensor& self, const IntList& kernel_size,
                  const IntList& stride, const IntList& padding,
                  const IntList& dilation, bool ceil_mode);
Tensor avg_pool2d(const Tensor& self, const IntList& kernel_size,
                  const IntList& stride, const IntList& padding, bool ceil_mode,
                  bool count_include_pad,
                  std::optional<int64_t> divisor_override);

Tensor layer_norm(const Tensor& input, const IntList& normalized_shape,
                  const Tensor& weight, const Tensor& bias, double eps);
// Normalizes over every dim but 1 (training) or with the running statistics
// (evaluation). In training, defined running_mean/running_var are updated in
// place with `momentum` (the variance unbiased).
Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                  const Tensor& running_mean, const Tensor& running_var,
                  bool training, double momentum, double eps);

// One LSTM layer over a padded sequence, in one op: `input` (T, B, 4H)
// holds every step's input projection with both biases (x W_ih^T + b_ih +
// b_hh), hx and cx (B, H) the initial states, weight_hh (4H, H). Steps run
// from t = 0 (from T - 1 when `reverse`); per step, gates = input[t] +
// h W_hh^T, c' = f c + i g, h' = o tanh(c'). Returns {output (T, B, H),
// h_n, c_n}. Its backward keeps the activations and computes the weight's
// gradient in one product over all steps.
TensorList lstm_layer(const Tensor& input, const Tensor& hx, const Tensor& cx,
                      const Tensor& weight_hh, bool reverse);

namespace nn_detail {
// The differentiable gather / scatter-add pair along dim 1 of 3-D tensors,
// with an int64 index (A, K, B) whose entries lie in [0, D):
//   gather_dim1(self (A, D, B)) -> (A, K, B)
//   scatter_add_dim1(src (A, K, B), size D) -> (A, D, B)
// Each is the other's gradient, so pooling and loss gradients built from them
// have second derivatives.
Tensor gather_dim1(const Tensor& self, const Tensor& index);
Tensor scatter_add_dim1(const Tensor& src, const Tensor& index, int64_t size);
}  // namespace nn_detail

}  // namespace ag::ops
