#include "core/generator.h"

#include <cmath>
#include <cstring>

#include "core/error.h"

namespace ag {

namespace {
constexpr size_t kN = 624;
constexpr size_t kM = 397;
}  // namespace

void Generator::manual_seed(uint64_t seed) {
  seed_ = seed;
  words_[0] = static_cast<uint32_t>(seed & 0xffffffffULL);
  for (size_t i = 1; i < kN; ++i) {
    const uint32_t prev = words_[i - 1];
    words_[i] = 1812433253U * (prev ^ (prev >> 30)) + static_cast<uint32_t>(i);
  }
  pos_ = kN;
  has_normal_ = false;
}

void Generator::twist() {
  constexpr uint32_t kUpper = 0x80000000U, kLower = 0x7fffffffU;
  constexpr uint32_t kMatrix = 0x9908b0dfU;
  for (size_t i = 0; i < kN; ++i) {
    const uint32_t y = (words_[i] & kUpper) | (words_[(i + 1) % kN] & kLower);
    words_[i] = words_[(i + kM) % kN] ^ (y >> 1) ^ ((y & 1U) ? kMatrix : 0U);
  }
  pos_ = 0;
}

uint32_t Generator::random() {
  if (pos_ >= kN) twist();
  uint32_t y = words_[pos_++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680U;
  y ^= (y << 15) & 0xefc60000U;
  y ^= y >> 18;
  return y;
}

double Generator::normal_double() {
  if (has_normal_) {
    has_normal_ = false;
    return next_normal_;
  }
  const double u1 = uniform_double();
  const double u2 = uniform_double();
  const double r = std::sqrt(-2.0 * std::log1p(-u2));
  const double theta = 2.0 * M_PI * u1;
  next_normal_ = r * std::sin(theta);
  has_normal_ = true;
  return r * std::cos(theta);
}

std::vector<int64_t> Generator::state() const {
  std::vector<int64_t> out;
  out.reserve(kStateWords);
  out.push_back(static_cast<int64_t>(seed_ & 0xffffffffULL));
  out.push_back(static_cast<int64_t>(seed_ >> 32));
  out.push_back(static_cast<int64_t>(pos_));
  for (uint32_t w : words_) out.push_back(static_cast<int64_t>(w));
  int64_t bits = 0;
  std::memcpy(&bits, &next_normal_, sizeof(bits));
  out.push_back(has_normal_ ? 1 : 0);
  out.push_back(bits);
  return out;
}

void Generator::set_state(const std::vector<int64_t>& words) {
  AG_CHECK(words.size() == kStateWords || words.size() == kStateWords - 2,
           "Expected a generator state of ", kStateWords, " int64 words, got ",
           words.size());
  AG_CHECK(words[2] >= 0 && words[2] <= static_cast<int64_t>(kN),
           "invalid generator state: position ", words[2], " out of range");
  seed_ =
      static_cast<uint64_t>(words[0]) | (static_cast<uint64_t>(words[1]) << 32);
  pos_ = static_cast<size_t>(words[2]);
  for (size_t i = 0; i < kN; ++i) {
    words_[i] = static_cast<uint32_t>(words[3 + i]);
  }
  has_normal_ = words.size() == kStateWords && words[3 + kN] != 0;
  if (has_normal_) std::memcpy(&next_normal_, &words[4 + kN], sizeof(double));
}

Generator& default_generator() {
  static Generator g;
  return g;
}

}  // namespace ag
