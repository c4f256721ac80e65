#include "ops/runtime.h"

#include "core/error.h"
#include "kernels/kernels.h"
#include "kernels/parallel.h"

namespace ag::ops {

void manual_seed(uint64_t seed) {
  kernels::manual_seed(seed);
}
uint64_t initial_seed() {
  return kernels::initial_seed();
}
int get_num_threads() {
  return kernels::get_num_threads();
}
void set_num_threads(int64_t n) {
  AG_CHECK(n > 0, "set_num_threads expects a positive integer");
  AG_CHECK(n <= kMaxThreads, "set_num_threads: at most ", kMaxThreads,
           " threads, got ", n);
  kernels::set_num_threads(static_cast<int>(n));
}
std::string cpu_capability() {
  return kernels::cpu_capability();
}

}  // namespace ag::ops
