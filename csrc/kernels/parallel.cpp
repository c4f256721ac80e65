#include "kernels/parallel.h"

#include "kernels/kernels.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace ag::kernels {

namespace {

// A fixed set of workers that each run one chunk of the current job. Jobs are
// serialised: a kernel running inside a worker runs its own loops inline.
class ThreadPool {
 public:
  explicit ThreadPool(int num_threads) { resize(num_threads); }
  ~ThreadPool() { stop_workers(); }

  int num_threads() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int num_threads) {
    std::lock_guard<std::mutex> job_lock(job_mutex_);
    stop_workers();
    uint64_t current = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = false;
      current = generation_;
    }
    // New workers wait for the next job: the last one is finished, and
    // running a chunk of it again would call a function that is gone.
    for (int i = 1; i < num_threads; ++i) {
      workers_.emplace_back([this, i, current] { worker_loop(i, current); });
    }
  }

  void run(int64_t begin, int64_t end, int64_t grain,
           const std::function<void(int64_t, int64_t)>& fn) {
    std::lock_guard<std::mutex> job_lock(job_mutex_);
    const int64_t max_chunks = (end - begin + grain - 1) / grain;
    const int chunks =
        static_cast<int>(std::min<int64_t>(max_chunks, num_threads()));
    const int64_t step = (end - begin + chunks - 1) / chunks;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      fn_ = &fn;
      begin_ = begin;
      end_ = end;
      step_ = step;
      active_chunks_ = chunks;
      pending_ = chunks - 1;
      error_ = nullptr;
      ++generation_;
    }
    cv_.notify_all();
    in_region = true;
    run_chunk(0);
    in_region = false;
    std::unique_lock<std::mutex> lock(mutex_);
    done_cv_.wait(lock, [this] { return pending_ == 0; });
    fn_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

  static thread_local bool in_region;

 private:
  void run_chunk(int index) {
    const int64_t lo = begin_ + index * step_;
    const int64_t hi = std::min(end_, lo + step_);
    if (lo >= hi) return;
    try {
      (*fn_)(lo, hi);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
  }

  void worker_loop(int index, uint64_t seen) {
    in_region = true;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
        if (index >= active_chunks_) continue;
      }
      run_chunk(index);
      std::lock_guard<std::mutex> lock(mutex_);
      if (--pending_ == 0) done_cv_.notify_one();
    }
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  std::vector<std::thread> workers_;
  std::mutex job_mutex_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::condition_variable done_cv_;
  const std::function<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t begin_ = 0, end_ = 0, step_ = 0;
  int active_chunks_ = 0;
  int pending_ = 0;
  uint64_t generation_ = 0;
  bool stopping_ = false;
  std::exception_ptr error_;
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
  set_blas_threads(n);
}

namespace detail {
void parallel_run(int64_t begin, int64_t end, int64_t grain,
                  const std::function<void(int64_t, int64_t)>& fn) {
  // Nested parallel regions run inline rather than deadlocking on the pool.
  if (ThreadPool::in_region) {
    fn(begin, end);
    return;
  }
  ThreadPool& p = pool();
  if (p.num_threads() == 1) {
    fn(begin, end);
    return;
  }
  p.run(begin, end, grain, fn);
}
}  // namespace detail

}  // namespace ag::kernels
