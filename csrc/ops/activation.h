#pragma once

// Activation functions and dropout (activation.cpp)

#include <optional>
#include <vector>

#include "core/scalar.h"
#include "core/tensor.h"
#include "ops/common.h"

namespace ag::ops {

Tensor relu(const Tensor& self);
// x if x > 0 else negative_slope * x
Tensor leaky_relu(const Tensor& self, double negative_slope = 0.01);
// x if x > 0 else alpha * (exp(x) - 1)
Tensor elu(const Tensor& self, double alpha = 1.0);
// x * Phi(x), or its tanh approximation.
enum class GeluApproximate { None, Tanh };
Tensor gelu(const Tensor& self,
            GeluApproximate approximate = GeluApproximate::None);
// x * sigmoid(x)
Tensor silu(const Tensor& self);
// log(1 + exp(beta * x)) / beta, and x where beta * x > threshold.
Tensor softplus(const Tensor& self, double beta = 1.0, double threshold = 20.0);
// clamp(x, min_val, max_val) with a zero gradient at the bounds.
Tensor hardtanh(const Tensor& self, double min_val = -1.0,
                double max_val = 1.0);
Tensor relu6(const Tensor& self);
// Zeroes each element with probability p and scales the rest by 1 / (1 - p)
// when training; the mask comes from the global generator (manual_seed).
Tensor dropout(const Tensor& self, double p, bool train);

// In place (see Note [In place through the out-of-place op]).
Tensor& relu_(Tensor& self);
Tensor& leaky_relu_(Tensor& self, double negative_slope = 0.01);
Tensor& elu_(Tensor& self, double alpha = 1.0);
Tensor& silu_(Tensor& self);
Tensor& hardtanh_(Tensor& self, double min_val = -1.0, double max_val = 1.0);
Tensor& dropout_(Tensor& self, double p, bool train);

}  // namespace ag::ops
