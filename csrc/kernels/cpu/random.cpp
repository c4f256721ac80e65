// Random fills, drawn element by element in PyTorch's order and by its CPU
// algorithms, so a seed gives PyTorch's values.

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <type_traits>

#include "core/capture_state.h"
#include "core/dispatch.h"
#include "core/profiler.h"
#include "kernels/kernels.h"
#include "kernels/random.h"

namespace ag::kernels {

namespace {

// Calls out[i] = draw(gen) (as T) over contiguous dst, under gen's lock.
template <typename F>
void fill_each(const Tensor& dst, Generator* gen, const F& draw) {
  AG_CHECK(dst.is_contiguous(), "random fill needs a contiguous tensor");
  Generator& g = generator_or_default(gen);
  std::lock_guard<std::mutex> lock(g.mutex());
  dispatch_all(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* out = static_cast<T*>(dst.raw_data());
    for (int64_t i = 0; i < dst.numel(); ++i) {
      out[i] = static_cast<T>(draw(g, tag));
    }
  });
}

// Box-Muller over 16 uniforms: pairs (j, j + 8) become two normals.
template <typename T>
void normal_block16(T* data, T mean, T stddev) {
  for (int j = 0; j < 8; ++j) {
    const T u1 = 1 - data[j];
    const T u2 = data[j + 8];
    const T radius = std::sqrt(-2 * std::log(u1));
    const T theta = static_cast<T>(2.0 * M_PI) * u2;
    data[j] = radius * std::cos(theta) * stddev + mean;
    data[j + 8] = radius * std::sin(theta) * stddev + mean;
  }
}

template <typename T>
T uniform_unit(Generator& g) {
  if constexpr (std::is_same_v<T, double>) {
    return g.uniform_double();
  } else {
    return g.uniform_float();
  }
}

}  // namespace

void manual_seed(uint64_t seed) {
  Generator& g = default_generator();
  std::lock_guard<std::mutex> lock(g.mutex());
  g.manual_seed(seed);
}

uint64_t initial_seed() {
  Generator& g = default_generator();
  std::lock_guard<std::mutex> lock(g.mutex());
  return g.initial_seed();
}

void uniform(const Tensor& dst, double low, double high, Generator* gen) {
  profiler::RecordScope scope("aten::uniform_", dst);
  capture::note_uncapturable(
      "a random op (aten::uniform_): the generator's state is not captured");
  AG_CHECK(low <= high,
           "uniform_ expects to return a [from, to) range, but found from=",
           low, " > to=", high);
  fill_each(dst, gen, [&](Generator& g, auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, double>) {
      return g.uniform_double() * (high - low) + low;
    } else {
      // Narrow types draw 24 bits (the scaling is still done in double).
      return static_cast<double>(g.uniform_float()) * (high - low) + low;
    }
  });
}

void normal(const Tensor& dst, double mean, double stddev, Generator* gen) {
  profiler::RecordScope scope("aten::normal_", dst);
  capture::note_uncapturable(
      "a random op (aten::normal_): the generator's state is not captured");
  AG_CHECK(stddev >= 0.0, "normal expects std >= 0.0, but found std ", stddev);
  AG_CHECK(dst.is_contiguous(), "random fill needs a contiguous tensor");
  const int64_t n = dst.numel();
  if (n >= 16 && is_floating(dst.dtype())) {
    // Large tensors: uniforms first, then Box-Muller in blocks of 16 (the
    // tail redraws a last, overlapping block).
    Generator& g = generator_or_default(gen);
    std::lock_guard<std::mutex> lock(g.mutex());
    dispatch_floating(dst.dtype(), "normal", [&](auto tag) {
      using T = decltype(tag);
      T* data = static_cast<T*>(dst.raw_data());
      for (int64_t i = 0; i < n; ++i) data[i] = uniform_unit<T>(g);
      const auto m = static_cast<T>(mean), s = static_cast<T>(stddev);
      for (int64_t i = 0; i + 16 <= n; i += 16) normal_block16(data + i, m, s);
      if (n % 16 != 0) {
        T* tail = data + n - 16;
        for (int i = 0; i < 16; ++i) tail[i] = uniform_unit<T>(g);
        normal_block16(tail, m, s);
      }
    });
    return;
  }
  fill_each(dst, gen, [&](Generator& g, auto) {
    return g.normal_double() * stddev + mean;
  });
}

void random_int(const Tensor& dst, int64_t low, int64_t high, Generator* gen) {
  profiler::RecordScope scope("aten::random_", dst);
  capture::note_uncapturable(
      "a random op (aten::random_): the generator's state is not captured");
  AG_CHECK(high > low,
           "random_ expects 'from' to be less than 'to', but got from=", low,
           " >= to=", high);
  const auto range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  fill_each(dst, gen, [&](Generator& g, auto) {
    const uint64_t word =
        range >= (uint64_t{1} << 32) ? g.random64() : g.random();
    return static_cast<int64_t>(static_cast<uint64_t>(low) + word % range);
  });
}

void random_full(const Tensor& dst, Generator* gen) {
  fill_each(dst, gen, [&](Generator& g, auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      return static_cast<bool>(g.random() & 1U);
    } else if constexpr (std::is_same_v<T, int64_t>) {
      return static_cast<int64_t>(g.random64() % (uint64_t{1} << 63));
    } else if constexpr (std::is_same_v<T, int32_t>) {
      return static_cast<int32_t>(g.random() % (uint64_t{1} << 31));
    } else if constexpr (std::is_same_v<T, double>) {
      return static_cast<double>(g.random64() % ((uint64_t{1} << 53) + 1));
    } else {
      return static_cast<float>(g.random() % ((uint64_t{1} << 24) + 1));
    }
  });
}

void bernoulli(const Tensor& dst, double p, Generator* gen) {
  AG_CHECK(p >= 0 && p <= 1,
           "bernoulli_ expects p to be in [0, 1], but got p=", p);
  fill_each(dst, gen,
            [&](Generator& g, auto) { return g.uniform_double() < p ? 1 : 0; });
}

void bernoulli(const Tensor& dst, const Tensor& p, Generator* gen) {
  AG_CHECK(p.is_contiguous() && p.numel() == dst.numel(),
           "bernoulli kernel: p must be contiguous and match the output");
  dispatch_floating(p.dtype(), "bernoulli", [&](auto ptag) {
    using P = decltype(ptag);
    const P* probs = static_cast<const P*>(p.raw_data());
    int64_t i = 0;
    fill_each(dst, gen, [&](Generator& g, auto) {
      const double pi = static_cast<double>(probs[i++]);
      AG_CHECK(pi >= 0 && pi <= 1,
               "Expected p_in >= 0 && p_in <= 1 to be true, but got false.");
      // The uniform has p's precision: 24 bits for float, 53 for double.
      return static_cast<double>(uniform_unit<P>(g)) < pi ? 1 : 0;
    });
  });
}

void exponential(const Tensor& dst, double lambd, Generator* gen) {
  AG_CHECK(lambd > 0.0 && std::isfinite(lambd),
           "exponential_ expects lambda > 0.0, but found lambda=", lambd);
  fill_each(dst, gen, [&](Generator& g, auto) {
    return -1.0 / lambd * std::log1p(-g.uniform_double());
  });
}

void geometric(const Tensor& dst, double p, Generator* gen) {
  AG_CHECK(p > 0 && p < 1,
           "geometric_ expects p to be in (0, 1), but got p=", p);
  fill_each(dst, gen, [&](Generator& g, auto) {
    return std::ceil(std::log(g.uniform_double()) / std::log1p(-p));
  });
}

void cauchy(const Tensor& dst, double median, double sigma, Generator* gen) {
  AG_CHECK(sigma > 0.0, "cauchy_ expects sigma > 0.0, but found sigma=", sigma);
  fill_each(dst, gen, [&](Generator& g, auto) {
    return median + sigma * std::tan(M_PI * (g.uniform_double() - 0.5));
  });
}

void log_normal(const Tensor& dst, double mean, double stddev, Generator* gen) {
  AG_CHECK(stddev > 0.0,
           "log_normal_ expects std > 0.0, but found std=", stddev);
  fill_each(dst, gen, [&](Generator& g, auto) {
    return std::exp(g.normal_double() * stddev + mean);
  });
}

namespace {

// Poisson draws: for large rates Hoermann's transformed rejection (PTRS),
// for small ones the product of uniforms, as numpy and PyTorch do.
int64_t poisson_draw(double lambda, Generator& g) {
  if (lambda >= 10) {
    const double slam = std::sqrt(lambda);
    const double loglam = std::log(lambda);
    const double b = 0.931 + 2.53 * slam;
    const double a = -0.059 + 0.02483 * b;
    const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    const double v_r = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const double u = g.uniform_double() - 0.5;
      const double v = g.uniform_double();
      const double us = 0.5 - std::fabs(u);
      const auto k = static_cast<int64_t>(
          std::floor((2 * a / us + b) * u + lambda + 0.43));
      if (us >= 0.07 && v <= v_r) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <=
          -lambda + static_cast<double>(k) * loglam -
              std::lgamma(static_cast<double>(k) + 1)) {
        return k;
      }
    }
  }
  if (lambda == 0) return 0;
  const double limit = std::exp(-lambda);
  int64_t count = 0;
  double product = 1.0;
  for (;;) {
    product *= g.uniform_double();
    if (product <= limit) return count;
    ++count;
  }
}

}  // namespace

void poisson(const Tensor& dst, const Tensor& rates, Generator* gen) {
  AG_CHECK(rates.is_contiguous() && rates.numel() == dst.numel(),
           "poisson kernel: rates must be contiguous and match the output");
  dispatch_floating(rates.dtype(), "poisson", [&](auto tag) {
    using R = decltype(tag);
    const R* lam = static_cast<const R*>(rates.raw_data());
    int64_t i = 0;
    fill_each(dst, gen, [&](Generator& g, auto) {
      const double l = static_cast<double>(lam[i++]);
      AG_CHECK(l >= 0,
               "invalid Poisson rate, expected rate to be non-negative");
      return static_cast<double>(poisson_draw(l, g));
    });
  });
}

void multinomial_with_replacement(const Tensor& probs, int64_t samples,
                                  const Tensor& out, Generator* gen) {
  AG_CHECK(probs.is_contiguous() && out.is_contiguous() && probs.dim() == 2,
           "multinomial kernel: expects contiguous 2-d probabilities");
  const int64_t rows = probs.size(0), cats = probs.size(1);
  Generator& g = generator_or_default(gen);
  std::lock_guard<std::mutex> lock(g.mutex());
  dispatch_floating(probs.dtype(), "multinomial", [&](auto tag) {
    using T = decltype(tag);
    const T* p = static_cast<const T*>(probs.raw_data());
    auto* dst = static_cast<int64_t*>(out.raw_data());
    std::vector<T> cdf(static_cast<size_t>(cats));
    for (int64_t r = 0; r < rows; ++r) {
      T total = 0;
      for (int64_t c = 0; c < cats; ++c) {
        const T v = p[r * cats + c];
        AG_CHECK(v >= 0,
                 "invalid multinomial distribution (encountering "
                 "probability entry < 0)");
        AG_CHECK(std::isfinite(v),
                 "invalid multinomial distribution "
                 "(encountering probability entry = "
                 "infinity or NaN)");
        total += v;
        cdf[static_cast<size_t>(c)] = total;
      }
      AG_CHECK(total > 0,
               "invalid multinomial distribution (sum of "
               "probabilities <= 0)");
      for (T& c : cdf) c /= total;
      cdf.back() = 1;  // rounding must not leave a gap at the top
      for (int64_t s = 0; s < samples; ++s) {
        const double u = g.uniform_double();
        // The first bucket whose cumulative probability reaches u.
        int64_t lo = 0, hi = cats;
        while (hi > lo) {
          const int64_t mid = lo + (hi - lo) / 2;
          if (static_cast<double>(cdf[static_cast<size_t>(mid)]) < u) {
            lo = mid + 1;
          } else {
            hi = mid;
          }
        }
        dst[r * samples + s] = lo;
      }
    }
  });
}

void randperm(const Tensor& dst, Generator* gen) {
  AG_CHECK(dst.is_contiguous() && dst.dim() == 1,
           "randperm kernel: expects a contiguous 1-d output");
  const int64_t n = dst.numel();
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  {
    Generator& g = generator_or_default(gen);
    std::lock_guard<std::mutex> lock(g.mutex());
    // Fisher-Yates from the front, partner drawn modulo the count left
    // (64-bit draws once 32 bits would bias large counts).
    const bool wide =
        n >= static_cast<int64_t>(std::numeric_limits<uint32_t>::max() / 20);
    for (int64_t i = 0; i + 1 < n; ++i) {
      const uint64_t word = wide ? g.random64() : g.random();
      const auto j =
          i + static_cast<int64_t>(word % static_cast<uint64_t>(n - i));
      std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
    }
  }
  dispatch_all(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* out = static_cast<T*>(dst.raw_data());
    for (int64_t i = 0; i < n; ++i) {
      out[i] = static_cast<T>(order[static_cast<size_t>(i)]);
    }
  });
}

}  // namespace ag::kernels
