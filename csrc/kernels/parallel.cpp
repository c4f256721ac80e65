#include "kernels/parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define AG_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define AG_CPU_RELAX() asm volatile("yield")
#else
#define AG_CPU_RELAX() ((void)0)
#endif

namespace ag::kernels {

namespace {

// Note [Thread pool]: a region's range is cut into more chunks than there
// are threads, and every thread (the caller included) claims chunks one at
// a time from a shared counter. The caller starts at once and never waits
// for a worker to wake up: if the workers are slow to be scheduled (busy
// cores) it simply runs more of the chunks itself, and waits at the end only
// for chunks a worker has already claimed. Idle workers spin for a short
// while, for the next region of a training step, then sleep.
//
// The shared counter packs (generation, chunk count, next chunk) into one
// word, so a worker that wakes late can never claim a chunk of a region
// that has ended: its generation no longer matches.
constexpr int kChunksPerThread = 4;
constexpr uint64_t kMaxChunks = 0xffff;
constexpr auto kSpin = std::chrono::microseconds(50);

uint64_t pack(uint64_t generation, uint64_t chunks, uint64_t next) {
  return (generation << 32) | (chunks << 16) | next;
}
uint32_t generation_of(uint64_t s) {
  return static_cast<uint32_t>(s >> 32);
}
uint64_t chunks_of(uint64_t s) {
  return (s >> 16) & kMaxChunks;
}
uint64_t next_of(uint64_t s) {
  return s & kMaxChunks;
}

class ThreadPool {
 public:
  explicit ThreadPool(int num_threads) { resize(num_threads); }
  ~ThreadPool() { stop_workers(); }

  int num_threads() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int num_threads) {
    std::lock_guard<std::mutex> job_lock(job_mutex_);
    stop_workers();
    stopping_.store(false);
    for (int i = 1; i < num_threads; ++i) {
      workers_.emplace_back([this] { worker_loop(); });
    }
  }

  // False when another thread's region holds the pool: the caller then runs
  // its range itself rather than queueing behind it.
  bool try_run(int64_t begin, int64_t end, int64_t grain,
               const std::function<void(int64_t, int64_t)>& fn) {
    std::unique_lock<std::mutex> job_lock(job_mutex_, std::try_to_lock);
    if (!job_lock.owns_lock()) return false;
    const int64_t range = end - begin;
    const int64_t by_grain = (range + grain - 1) / grain;
    const auto chunks = static_cast<uint64_t>(
        std::min<int64_t>({by_grain, int64_t{num_threads()} * kChunksPerThread,
                           static_cast<int64_t>(kMaxChunks)}));
    fn_ = &fn;
    begin_ = begin;
    end_ = end;
    step_ = (range + static_cast<int64_t>(chunks) - 1) /
            static_cast<int64_t>(chunks);
    done_.store(0, std::memory_order_relaxed);
    error_ = nullptr;
    const uint32_t generation = ++generation_;
    // Sequentially consistent, like the sleeper's count and check in
    // wait_for_region: either this sees the sleeper or it sees the region.
    state_.store(pack(generation, chunks, 0));
    if (sleepers_.load() > 0) {
      // Taking the lock orders this wake-up after a worker's check of the
      // state, so none sleeps through it.
      {
        std::lock_guard<std::mutex> lock(sleep_mutex_);
      }
      sleep_cv_.notify_all();
    }
    in_region = true;
    while (claim_and_run(generation)) {
    }
    in_region = false;
    wait_done(chunks);
    fn_ = nullptr;
    if (error_) std::rethrow_exception(error_);
    return true;
  }

  static thread_local bool in_region;

 private:
  // Claims the next chunk of `generation` and runs it; false when none is
  // left (or the region is over).
  bool claim_and_run(uint32_t generation) {
    uint64_t s = state_.load(std::memory_order_acquire);
    for (;;) {
      if (generation_of(s) != generation || next_of(s) >= chunks_of(s)) {
        return false;
      }
      if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel,
                                       std::memory_order_acquire)) {
        break;
      }
    }
    // The claimed chunk keeps the region (and fn_) alive until it is done.
    const uint64_t chunks = chunks_of(s);
    const int64_t lo = begin_ + static_cast<int64_t>(next_of(s)) * step_;
    const int64_t hi = std::min(end_, lo + step_);
    if (lo < hi) {
      try {
        (*fn_)(lo, hi);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex_);
        if (!error_) error_ = std::current_exception();
      }
    }
    if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == chunks) {
      std::lock_guard<std::mutex> lock(done_mutex_);
      done_cv_.notify_one();
    }
    return true;
  }

  void wait_done(uint64_t chunks) {
    const auto until = std::chrono::steady_clock::now() + kSpin;
    int spins = 0;
    while (done_.load(std::memory_order_acquire) < chunks) {
      if (++spins % 64 == 0 && std::chrono::steady_clock::now() > until) {
        std::unique_lock<std::mutex> lock(done_mutex_);
        done_cv_.wait(lock, [&] {
          return done_.load(std::memory_order_acquire) >= chunks;
        });
        return;
      }
      AG_CPU_RELAX();
    }
  }

  void worker_loop() {
    in_region = true;
    uint32_t seen = generation_of(state_.load(std::memory_order_acquire));
    for (;;) {
      const uint32_t generation = wait_for_region(seen);
      if (stopping_.load(std::memory_order_acquire)) return;
      seen = generation;
      while (claim_and_run(generation)) {
      }
    }
  }

  // Spins briefly for a region newer than `seen`, then sleeps until one
  // starts (or the pool stops).
  uint32_t wait_for_region(uint32_t seen) {
    const auto until = std::chrono::steady_clock::now() + kSpin;
    int spins = 0;
    for (;;) {
      const uint64_t s = state_.load(std::memory_order_acquire);
      if (generation_of(s) != seen || stopping_.load()) {
        return generation_of(s);
      }
      if (++spins % 64 == 0 && std::chrono::steady_clock::now() > until) break;
      AG_CPU_RELAX();
    }
    std::unique_lock<std::mutex> lock(sleep_mutex_);
    sleepers_.fetch_add(1);
    uint32_t now = seen;
    sleep_cv_.wait(lock, [&] {
      now = generation_of(state_.load());
      return now != seen || stopping_.load();
    });
    sleepers_.fetch_sub(1, std::memory_order_acq_rel);
    return now;
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lock(sleep_mutex_);
      stopping_.store(true);
    }
    sleep_cv_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  std::vector<std::thread> workers_;
  std::mutex job_mutex_;  // one region at a time
  // The current region, written before its generation is published.
  const std::function<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t begin_ = 0, end_ = 0, step_ = 0;
  uint32_t generation_ = 0;
  std::atomic<uint64_t> state_{0};
  std::atomic<uint64_t> done_{0};
  std::mutex error_mutex_;
  std::exception_ptr error_;
  // Sleeping workers and the caller waiting for the last chunks.
  std::mutex sleep_mutex_;
  std::condition_variable sleep_cv_;
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stopping_{false};
  std::mutex done_mutex_;
  std::condition_variable done_cv_;
};

thread_local bool ThreadPool::in_region = false;

int default_threads() {
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

std::atomic<int> g_num_threads{default_threads()};

ThreadPool& pool() {
  static ThreadPool instance(g_num_threads.load());
  return instance;
}

}  // namespace

int get_num_threads() {
  return g_num_threads.load(std::memory_order_relaxed);
}

void set_num_threads(int n) {
  n = std::max(1, n);
  g_num_threads.store(n);
  pool().resize(n);
}

namespace detail {
void parallel_run(int64_t begin, int64_t end, int64_t grain,
                  const std::function<void(int64_t, int64_t)>& fn) {
  // Nested regions run inline rather than deadlocking on the pool.
  if (ThreadPool::in_region) {
    fn(begin, end);
    return;
  }
  ThreadPool& p = pool();
  if (p.num_threads() == 1 || !p.try_run(begin, end, grain, fn)) {
    fn(begin, end);
  }
}
}  // namespace detail

}  // namespace ag::kernels
