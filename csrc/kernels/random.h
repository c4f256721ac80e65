#pragma once

// Random draws beyond the factories' fills (kernels.h): each fills a
// contiguous tensor from `gen` (null: the default generator) by PyTorch's CPU
// algorithm, so the same seed gives PyTorch's values (cpu/random.cpp).

#include <cstdint>

#include "core/generator.h"
#include "core/tensor.h"

namespace ag::kernels {

// random_() without a range: [0, 2^mantissa] for floats, the non-negative
// range of integers, 0/1 for bool.
void random_full(const Tensor& dst, Generator* gen);
void bernoulli(const Tensor& dst, double p, Generator* gen);
// p: probabilities, contiguous, dst's element count.
void bernoulli(const Tensor& dst, const Tensor& p, Generator* gen);
void exponential(const Tensor& dst, double lambd, Generator* gen);
void geometric(const Tensor& dst, double p, Generator* gen);
void cauchy(const Tensor& dst, double median, double sigma, Generator* gen);
void log_normal(const Tensor& dst, double mean, double stddev, Generator* gen);
// One Poisson draw per rate (contiguous, dst's element count).
void poisson(const Tensor& dst, const Tensor& rates, Generator* gen);
// `samples` category indices per row of the 2-d `probs` (rows need not sum
// to 1), drawn with replacement; out is int64 [rows, samples].
void multinomial_with_replacement(const Tensor& probs, int64_t samples,
                                  const Tensor& out, Generator* gen);
// A random permutation of 0..n-1 (n = dst's length).
void randperm(const Tensor& dst, Generator* gen);

}  // namespace ag::kernels
