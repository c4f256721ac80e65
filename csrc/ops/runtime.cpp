#include "ops/runtime.h"

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
void set_num_threads(int n) {
  kernels::set_num_threads(n);
}
std::string cpu_capability() {
  return kernels::cpu_capability();
}

}  // namespace ag::ops
