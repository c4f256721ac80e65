#include "core/profiler.h"

#include <chrono>
#include <mutex>

#include "core/error.h"

namespace ag::profiler {

namespace detail {
std::atomic<bool> g_enabled{false};
std::atomic<bool> g_memory{false};
}  // namespace detail

namespace {
std::atomic<bool> g_shapes{false};
}  // namespace

namespace {

// One session's events, appended under a mutex: ranges come from the
// threads that call ops (workers of the kernel pool run none of their own
// unless a kernel nests), so the lock is almost never contended.
struct Session {
  std::mutex mutex;
  std::vector<Event> events;
  uint64_t generation = 0;
  bool running = false;
  int64_t next_thread = 0;
};

Session& session() {
  static Session s;
  return s;
}

// The open ranges of this thread, innermost last, tagged with the session
// they belong to (a range left open by an earlier session is dropped).
struct ThreadState {
  uint64_t generation = 0;
  int64_t thread = -1;
  std::vector<int64_t> open;
};

ThreadState& thread_state() {
  thread_local ThreadState state;
  return state;
}

// Under the session lock: this thread's stack, reset if a new session began.
ThreadState& current_thread(Session& s) {
  ThreadState& t = thread_state();
  if (t.generation != s.generation) {
    t.generation = s.generation;
    t.open.clear();
    t.thread = s.next_thread++;
  }
  return t;
}

}  // namespace

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void start(const Options& options) {
  Session& s = session();
  std::lock_guard<std::mutex> lock(s.mutex);
  AG_CHECK(!s.running,
           "Profiler is already enabled on this thread: stop the running "
           "profile before starting another");
  s.events.clear();
  ++s.generation;
  s.next_thread = 0;
  s.running = true;
  g_shapes.store(options.record_shapes);
  detail::g_memory.store(options.profile_memory);
  detail::g_enabled.store(true);
}

std::vector<Event> stop() {
  Session& s = session();
  std::lock_guard<std::mutex> lock(s.mutex);
  AG_CHECK(s.running, "Profiler is not enabled: nothing to stop");
  detail::g_enabled.store(false);
  detail::g_memory.store(false);
  s.running = false;
  ++s.generation;  // ranges closing later belong to no session
  const int64_t end = now_ns();
  for (Event& e : s.events) {
    if (e.end_ns == 0) e.end_ns = end;
  }
  return std::move(s.events);
}

int64_t open_range(std::string name, EventKind kind,
                   const Tensor* const* inputs, size_t num_inputs,
                   int64_t sequence_nr) {
  Session& s = session();
  std::vector<std::vector<int64_t>> shapes;
  // Shapes are read before the lock.
  const bool with_shapes = g_shapes.load(std::memory_order_relaxed);
  if (with_shapes) {
    shapes.reserve(num_inputs);
    for (size_t i = 0; i < num_inputs; ++i) {
      const Tensor* t = inputs[i];
      shapes.push_back(t != nullptr && t->defined() ? t->sizes().vec()
                                                    : std::vector<int64_t>{});
    }
  }
  const int64_t start = now_ns();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (!s.running) return -1;
  ThreadState& t = current_thread(s);
  Event e;
  e.name = std::move(name);
  e.kind = kind;
  e.id = static_cast<int64_t>(s.events.size());
  e.parent = t.open.empty() ? -1 : t.open.back();
  e.start_ns = start;
  e.thread = t.thread;
  e.sequence_nr = sequence_nr;
  e.shapes = std::move(shapes);
  s.events.push_back(std::move(e));
  t.open.push_back(s.events.back().id);
  return s.events.back().id;
}

void close_range(int64_t id) {
  const int64_t end = now_ns();
  Session& s = session();
  std::lock_guard<std::mutex> lock(s.mutex);
  ThreadState& t = thread_state();
  if (!s.running || t.generation != s.generation) return;
  // Closes `id` and whatever was left open inside it (a user range exited
  // out of order); an id not on this thread's stack is ignored.
  bool found = false;
  for (int64_t open : t.open) found = found || open == id;
  if (!found) return;
  while (!t.open.empty()) {
    const int64_t top = t.open.back();
    t.open.pop_back();
    s.events[static_cast<size_t>(top)].end_ns = end;
    if (top == id) break;
  }
}

void record_memory(int64_t bytes) {
  Session& s = session();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (!s.running) return;
  ThreadState& t = thread_state();
  if (t.generation != s.generation || t.open.empty()) return;
  s.events[static_cast<size_t>(t.open.back())].self_memory += bytes;
}

void RecordScope::open(std::string name, EventKind kind,
                       const std::vector<Tensor>& inputs, int64_t sequence_nr) {
  std::vector<const Tensor*> list;
  list.reserve(inputs.size());
  for (const Tensor& t : inputs) list.push_back(&t);
  id_ =
      open_range(std::move(name), kind, list.data(), list.size(), sequence_nr);
}

}  // namespace ag::profiler
