#pragma once

// Process-wide settings (runtime.cpp): the random generator's seed, the
// thread pool's size and the instruction set the kernels run with.

#include <cstdint>
#include <string>

namespace ag::ops {

// torch.manual_seed / torch.initial_seed.
void manual_seed(uint64_t seed);
uint64_t initial_seed();
// torch.get_num_threads / torch.set_num_threads (ours and the BLAS's).
int get_num_threads();
// n from 1 to kMaxThreads.
void set_num_threads(int64_t n);
inline constexpr int64_t kMaxThreads = 1024;
// "AVX2" or "DEFAULT".
std::string cpu_capability();

}  // namespace ag::ops
