#pragma once

#include <cstdint>
#include <functional>

namespace ag::kernels {

// Work below this many elements runs on the calling thread: waking a worker
// costs more than it saves.
constexpr int64_t kGrainSize = 32768;

int get_num_threads();
void set_num_threads(int n);

namespace detail {
void parallel_run(int64_t begin, int64_t end, int64_t grain,
                  const std::function<void(int64_t, int64_t)>& fn);
}

// Calls fn(chunk_begin, chunk_end) over disjoint chunks covering
// [begin, end), on the shared pool when the range is large enough.
template <typename F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, const F& fn) {
  if (end - begin <= grain || get_num_threads() == 1) {
    if (end > begin) fn(begin, end);
    return;
  }
  detail::parallel_run(begin, end, grain, fn);
}

}  // namespace ag::kernels
