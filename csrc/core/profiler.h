#pragma once

// The profiler's recorder: timed ranges (ops, backward nodes, user ranges)
// with their input shapes and the memory allocated inside them. Off by
// default; then a range costs one predictable branch on a global flag.
//
// Ranges nest per thread: a range opened while another is open on the same
// thread becomes its child, so self time is total time minus the children's.

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace ag::profiler {

namespace detail {
extern std::atomic<bool> g_enabled;
extern std::atomic<bool> g_memory;
}  // namespace detail

// Whether a profiling session is recording.
inline bool enabled() {
  return __builtin_expect(detail::g_enabled.load(std::memory_order_relaxed),
                          false);
}
inline bool memory_enabled() {
  return __builtin_expect(detail::g_memory.load(std::memory_order_relaxed),
                          false);
}

enum class EventKind : uint8_t { Op, Backward, User };

// One closed (or, at stop, still open) range.
struct Event {
  std::string name;
  EventKind kind = EventKind::Op;
  int64_t id = 0;
  int64_t parent = -1;  // the enclosing range on the same thread, or -1
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  int64_t thread = 0;  // small per-thread number, 0 for the first seen
  int64_t sequence_nr = -1;
  int64_t self_memory = 0;  // bytes allocated minus freed, children excluded
  std::vector<std::vector<int64_t>> shapes;  // when recording shapes
};

struct Options {
  bool record_shapes = false;
  bool profile_memory = false;
};

// Starts a session; throws if one is already running.
void start(const Options& options);
// Ends the session and returns its events in opening order (ranges still
// open end now).
std::vector<Event> stop();
// Nanoseconds on the clock the events use.
int64_t now_ns();

// Opens a range on this thread and returns its id (-1 when not profiling);
// close_range closes it and any range opened inside it and left open.
int64_t open_range(std::string name, EventKind kind,
                   const Tensor* const* inputs, size_t num_inputs,
                   int64_t sequence_nr = -1);
void close_range(int64_t id);

// Bytes allocated (positive) or freed (negative), charged to the innermost
// open range of this thread.
void record_memory(int64_t bytes);

// RAII range: `RecordScope scope("aten::mm", a, b);`
class RecordScope {
 public:
  RecordScope() = default;
  template <typename... Ts>
  explicit RecordScope(const char* name, const Ts&... inputs) {
    if (enabled()) {
      const Tensor* list[] = {&inputs..., nullptr};
      id_ = open_range(name, EventKind::Op, list, sizeof...(Ts));
    }
  }
  RecordScope(const RecordScope&) = delete;
  RecordScope& operator=(const RecordScope&) = delete;
  ~RecordScope() {
    if (id_ >= 0) close_range(id_);
  }

  // For callers that build the name only when profiling.
  void open(std::string name, EventKind kind, const std::vector<Tensor>& inputs,
            int64_t sequence_nr = -1);

 private:
  int64_t id_ = -1;
};

}  // namespace ag::profiler
