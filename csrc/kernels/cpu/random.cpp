#include <cmath>
#include <mutex>
#include <random>

#include "core/capture_state.h"
#include "core/dispatch.h"
#include "core/profiler.h"
#include "kernels/kernels.h"

namespace ag::kernels {

namespace {

constexpr uint64_t kDefaultSeed = 67280421310721ULL;

// One process-wide stream, so a manual_seed makes every factory reproducible.
struct Generator {
  std::mutex mutex;
  std::mt19937_64 engine{kDefaultSeed};
  uint64_t seed = kDefaultSeed;
};

Generator& generator() {
  static Generator g;
  return g;
}

// A double in [0, 1) from the top 53 bits.
double next_unit(std::mt19937_64& e) {
  return static_cast<double>(e() >> 11) * (1.0 / 9007199254740992.0);
}

template <typename F>
void fill_sequential(const Tensor& dst, F&& next_value) {
  AG_CHECK(dst.is_contiguous(), "random fill needs a contiguous tensor");
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mutex);
  dispatch_all(dst.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* out = static_cast<T*>(dst.raw_data());
    for (int64_t i = 0; i < dst.numel(); ++i) {
      out[i] = static_cast<T>(next_value(g.engine));
    }
  });
}

}  // namespace

void manual_seed(uint64_t seed) {
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mutex);
  g.engine.seed(seed);
  g.seed = seed;
}

uint64_t initial_seed() {
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mutex);
  return g.seed;
}

void uniform(const Tensor& dst, double low, double high) {
  profiler::RecordScope scope("aten::uniform_", dst);
  capture::note_uncapturable(
      "a random op (aten::uniform_): the generator's state is not captured");
  AG_CHECK(low <= high,
           "uniform_ expects to return a [from, to) range, but found from=",
           low, " > to=", high);
  fill_sequential(dst, [&](std::mt19937_64& e) {
    return low + (high - low) * next_unit(e);
  });
}

// Box-Muller; one of each pair is used, which keeps the stream position a
// simple function of the element count.
void normal(const Tensor& dst, double mean, double stddev) {
  profiler::RecordScope scope("aten::normal_", dst);
  capture::note_uncapturable(
      "a random op (aten::normal_): the generator's state is not captured");
  AG_CHECK(stddev >= 0.0, "normal expects std >= 0.0, but found std ", stddev);
  fill_sequential(dst, [&](std::mt19937_64& e) {
    const double u1 = 1.0 - next_unit(e);  // (0, 1]: log stays finite
    const double u2 = next_unit(e);
    const double z =
        std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    return mean + stddev * z;
  });
}

void random_int(const Tensor& dst, int64_t low, int64_t high) {
  profiler::RecordScope scope("aten::random_", dst);
  capture::note_uncapturable(
      "a random op (aten::random_): the generator's state is not captured");
  AG_CHECK(high > low,
           "random_ expects 'from' to be less than 'to', but got from=", low,
           " >= to=", high);
  const auto range = static_cast<uint64_t>(high - low);
  fill_sequential(dst, [&](std::mt19937_64& e) {
    return low + static_cast<int64_t>(e() % range);
  });
}

}  // namespace ag::kernels
