#pragma once

// Sampling: multinomial, normal (all overloads), bernoulli, poisson,
// randperm, and the in-place random
// fills (sampling.cpp). `gen` null means the default generator. Draws follow
// PyTorch's CPU algorithms, so a seed gives PyTorch's values.

#include <optional>

#include "core/generator.h"
#include "core/scalar.h"
#include "core/tensor.h"
#include "ops/common.h"

namespace ag::ops {

// Category indices drawn from the rows of self (1-d or 2-d, unnormalised
// probabilities).
Tensor multinomial(const Tensor& self, int64_t num_samples,
                   bool replacement = false, Generator* gen = nullptr);
Tensor normal(const Tensor& mean, const Tensor& std, Generator* gen = nullptr);
Tensor normal(const Tensor& mean, double std, Generator* gen = nullptr);
Tensor normal(double mean, const Tensor& std, Generator* gen = nullptr);
Tensor normal(double mean, double std, const Shape& size, DType dtype,
              Generator* gen = nullptr);
// 0/1 draws with probabilities self (or p), in self's dtype.
Tensor bernoulli(const Tensor& self, Generator* gen = nullptr);
Tensor bernoulli(const Tensor& self, double p, Generator* gen = nullptr);
Tensor poisson(const Tensor& self, Generator* gen = nullptr);
Tensor randperm(int64_t n, DType dtype, Generator* gen = nullptr);

// In-place fills; a tensor that requires grad gets a node with zero
// gradient, as in PyTorch.
Tensor& uniform_(Tensor& self, double from = 0.0, double to = 1.0,
                 Generator* gen = nullptr);
Tensor& normal_(Tensor& self, double mean = 0.0, double std = 1.0,
                Generator* gen = nullptr);
// random_(): the dtype's whole non-negative range; random_(to): [0, to);
// random_(from, to): [from, to) (to = nullopt: up to the dtype's limit).
Tensor& random_(Tensor& self, Generator* gen = nullptr);
Tensor& random_(Tensor& self, int64_t to, Generator* gen = nullptr);
Tensor& random_(Tensor& self, int64_t from, std::optional<int64_t> to,
                Generator* gen = nullptr);
Tensor& bernoulli_(Tensor& self, double p = 0.5, Generator* gen = nullptr);
Tensor& bernoulli_(Tensor& self, const Tensor& p, Generator* gen = nullptr);
Tensor& exponential_(Tensor& self, double lambd = 1.0,
                     Generator* gen = nullptr);
Tensor& geometric_(Tensor& self, double p, Generator* gen = nullptr);
Tensor& cauchy_(Tensor& self, double median = 0.0, double sigma = 1.0,
                Generator* gen = nullptr);
Tensor& log_normal_(Tensor& self, double mean = 1.0, double std = 2.0,
                    Generator* gen = nullptr);

}  // namespace ag::ops
