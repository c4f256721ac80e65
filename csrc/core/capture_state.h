#pragma once

// Note [Capture state]: the part of a capture (compile/capture.h) the lowest
// layers can see. While a thread captures, `tls_capture` points at its
// state; otherwise it is null, and every hook below costs one thread-local
// load and a branch. `depth` counts the recorded ops (and backward passes)
// running on the thread: work at depth 0 is the captured function's own, so
// an allocation or a random draw there comes from an op the recorder does
// not know, while deeper work belongs to a recorded op and replays with it.

#include <string>
#include <unordered_set>
#include <vector>

namespace ag {
class BufferPlan;
class Storage;
}  // namespace ag

namespace ag::capture {

struct ThreadState {
  int depth = 0;
  // Storages allocated at depth 0: the outputs of unrecorded ops.
  std::unordered_set<const Storage*> fresh_storages;
  // Why the capture cannot replay (empty while it can).
  std::vector<std::string> failures;
  // Set while a compiled program replays (at depth 1: nothing records):
  // the buffers new storages take their memory from (Note [Memory plan]).
  BufferPlan* buffers = nullptr;
};

extern thread_local ThreadState* tls_capture;

inline ThreadState* capturing() {
  return __builtin_expect(tls_capture != nullptr, 0) ? tls_capture : nullptr;
}

// The captured function itself (not a recorded op) did `what`, which replay
// cannot reproduce: the capture fails with that reason.
inline void note_uncapturable(const std::string& what) {
  if (ThreadState* s = capturing()) {
    if (s->depth == 0) s->failures.push_back(what);
  }
}
// The same at any depth: Python code called back from inside a recorded op
// (a hook, a custom Function) cannot run without Python either.
inline void note_python_callback(const std::string& what) {
  if (ThreadState* s = capturing()) s->failures.push_back(what);
}

}  // namespace ag::capture
