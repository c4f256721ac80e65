#pragma once

// A CPU random generator that draws as PyTorch's does: a 32-bit Mersenne
// Twister seeded from the seed's low 32 bits, 64-bit draws made of two words
// (the first high). Kernels that follow PyTorch's sampling algorithms on it
// give PyTorch's numbers for the same seed.

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace ag {

class Generator {
 public:
  // PyTorch's seed for a new generator.
  static constexpr uint64_t kDefaultSeed = 67280421310721ULL;

  explicit Generator(uint64_t seed = kDefaultSeed) { manual_seed(seed); }

  void manual_seed(uint64_t seed);
  uint64_t initial_seed() const { return seed_; }

  uint32_t random();
  uint64_t random64() {
    const uint64_t high = random();
    return (high << 32) | random();
  }
  // Uniform in [0, 1): 53 bits of a 64-bit draw, or 24 bits of a 32-bit one.
  double uniform_double() {
    return static_cast<double>(random64() & ((uint64_t{1} << 53) - 1)) *
           (1.0 / 9007199254740992.0);
  }
  float uniform_float() {
    return static_cast<float>(random() & ((1U << 24) - 1)) *
           (1.0F / 16777216.0F);
  }
  // A standard normal double by Box-Muller; the pair's second value waits
  // in the generator for the next call (and is part of its state).
  double normal_double();

  // The whole state as int64 words: seed low and high 32 bits, position in
  // the twister's block, the 624 words, then whether a normal value waits
  // and its bits.
  std::vector<int64_t> state() const;
  // Accepts what state() returns (a waiting normal value may be left off).
  void set_state(const std::vector<int64_t>& words);
  static constexpr size_t kStateWords = 3 + 624 + 2;

  // Held while drawing, so threads sharing a generator see whole draws.
  std::mutex& mutex() { return mutex_; }

 private:
  void twist();

  std::array<uint32_t, 624> words_{};
  size_t pos_ = 624;
  uint64_t seed_ = kDefaultSeed;
  bool has_normal_ = false;
  double next_normal_ = 0.0;
  std::mutex mutex_;
};

// The process-wide generator (torch.default_generator).
Generator& default_generator();

// `gen` if given, else the default generator.
inline Generator& generator_or_default(Generator* gen) {
  return gen ? *gen : default_generator();
}

}  // namespace ag
