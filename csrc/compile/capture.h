#pragma once

// Note [Capture and replay]: a capture runs a function once, eagerly, while
// the thread's Recorder writes down every op the function executes (forward
// ops, the backward passes it starts, reads of .grad, optimizer steps) as a
// Program: a list of steps over numbered buffer slots. Replaying the Program
// runs each step's kernel, which is the eager op itself with its attributes
// bound, on the slots' tensors: no Python per op, and the same arithmetic,
// graph and side effects as eager (bit-identical results).
//
// Slots hold the function's tensor inputs (bound anew on every replay),
// constants (tensors that existed before the capture, such as parameters
// and optimizer state, held by reference so replay reads and writes them
// live; Python numbers wrapped as tensors) and the outputs of steps.
//
// What the recorder cannot replay fails the capture with a reason, and the
// function then runs eagerly: a tensor made by an op that does not record
// itself (found by its storage being allocated outside any recorded op), a
// tensor with history from outside the capture, a tensor changed in place
// by an unrecorded op (found through version counters), reading tensor
// values into Python, Python callbacks from the engine, random draws.
//
// An op records itself with one line at its top (AG_CAPTURE_* below); when
// no capture runs this is a thread-local load and a branch.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/capture_state.h"
#include "core/tensor.h"

namespace ag::compile {

// Runs one step on its input tensors (undefined where the slot is -1) and
// returns its outputs.
using StepKernel = std::function<TensorList(const TensorList&)>;

struct Step {
  std::string name;
  std::vector<int32_t> inputs;   // a slot per input, -1 for undefined
  std::vector<int32_t> outputs;  // a slot per output
  bool grad_enabled = true;      // grad mode when it was recorded
  StepKernel kernel;
  // Attributes the fusion pass reads (compile/fusion.h): add/sub's and
  // add_'s alpha;
  // backward's number of roots and grad roots, retain_graph, create_graph.
  std::vector<double> attrs;
};

class Program;
void fuse_elementwise(Program& p, const std::vector<Tensor>& slot_tensor);

// What a tensor slot must look like on entry for a replay to be valid.
struct TensorGuard {
  Shape sizes, strides;
  DType dtype = DType::Float32;
  bool requires_grad = false;
  bool has_grad = false;  // constants only: .grad defined
};

class Program {
 public:
  // Replays on `inputs`; returns false (and does nothing) when a guard
  // fails, so the caller captures again.
  bool run(const TensorList& inputs, TensorList& outputs) const;
  // Why the guards reject these inputs ("" when they accept them).
  std::string check_guards(const TensorList& inputs) const;
  // Whether they accept them; when not, why (if `why` is given).
  bool guards_accept(const TensorList& inputs, std::string* why) const;

  const std::vector<Step>& steps() const { return steps_; }
  size_t num_slots() const { return static_cast<size_t>(num_slots_); }
  size_t num_constants() const { return constants_.size(); }
  // One line per step: "s5 = add(s1, s3)".
  std::string dump() const;
  // The memory plan's counts so far: allocations served from buffers the
  // program keeps, ordinary allocations, and the bytes kept.
  int64_t buffers_reused() const { return buffers_.reused(); }
  int64_t buffers_allocated() const { return buffers_.allocated(); }
  size_t buffers_bytes() const { return buffers_.bytes(); }

 private:
  friend class Recorder;
  friend void fuse_elementwise(Program& p,
                               const std::vector<Tensor>& slot_tensor);
  int32_t num_slots_ = 0;
  bool grad_enabled_ = true;
  std::vector<TensorGuard> input_guards_;
  std::vector<int32_t> input_slots_;
  std::vector<std::pair<int32_t, Tensor>> constants_;
  std::vector<TensorGuard> constant_guards_;
  std::vector<Step> steps_;
  std::vector<int32_t> output_slots_;
  // Slots whose last reader is step k, dropped right after it: a replay
  // frees each intermediate where eager Python would drop its last
  // reference, not at the end of the call.
  std::vector<std::vector<int32_t>> release_after_;
  // Buffers kept across replays for the storages steps allocate (Note
  // [Memory plan]), lent to one replay at a time.
  mutable BufferPlan buffers_;
  mutable std::atomic<bool> buffers_busy_{false};
};

// Whether captures fuse elementwise steps (compile/fusion.h); on by
// default. Off, a program replays every op as recorded (to compare, or to
// rule fusion out).
bool fusion_enabled();
void set_fusion_enabled(bool enabled);
// Whether replays take their storages' memory from the program's memory
// plan (Note [Memory plan]); on by default. Checked on every replay.
bool memory_plan_enabled();
void set_memory_plan_enabled(bool enabled);

// Captures on the thread that constructs it until finish() or destruction.
// Captures do not nest: a second Recorder on a thread that captures throws.
class Recorder {
 public:
  explicit Recorder(const TensorList& inputs);
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // The recorder capturing on this thread with no recorded op running (the
  // place to record a new step), or null.
  static Recorder* armed() {
    capture::ThreadState* s = capture::capturing();
    return s && s->depth == 0 ? current_ : nullptr;
  }

  // Runs `kernel` on `inputs` as a recorded step and returns its outputs.
  TensorList call(const char* name, const TensorList& inputs,
                  StepKernel kernel);
  // Attaches attributes to the step call() recorded last (Step::attrs).
  void annotate(std::vector<double> attrs);

  // Stops capturing and returns the program computing `outputs`, or null
  // when the capture failed (see failures()).
  std::shared_ptr<Program> finish(const TensorList& outputs);
  const std::vector<std::string>& failures() const { return state_.failures; }
  void fail(std::string reason) {
    state_.failures.push_back(std::move(reason));
  }

 private:
  int32_t new_slot(const Tensor& t);
  int32_t slot_of(const Tensor& t);
  void check_versions();
  void snapshot_versions();
  void plan_releases();
  void stop();

  static thread_local Recorder* current_;
  capture::ThreadState state_;
  bool stopped_ = false;
  std::shared_ptr<Program> program_;
  std::unordered_map<const TensorImpl*, int32_t> slot_of_impl_;
  std::vector<Tensor> slot_tensor_;  // held while capturing
  std::vector<uint32_t> slot_version_;
  std::unordered_set<const Storage*> produced_storages_;
};

// Brackets the eager body of a recorded op's kernel (so nested ops do not
// record) and of work the recorder runs itself.
class DepthGuard {
 public:
  DepthGuard() : s_(capture::capturing()) {
    if (s_) ++s_->depth;
  }
  ~DepthGuard() {
    if (s_) --s_->depth;
  }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;

 private:
  capture::ThreadState* s_;
};

}  // namespace ag::compile

// Records the enclosing op as a step when a capture is armed. `expr` is the
// expression that replays it, in terms of the step's inputs `in[0]`, `in[1]`,
// ... and attributes captured by value (it re-enters the op, which records
// nothing then). _RETURN returns the step's output; _INPLACE runs `expr` on
// `s`, a handle to in[0], and returns `self` (listed again as the first
// input); _VOID takes the inputs as one list and a whole lambda as kernel.
#define AG_CAPTURE_RETURN(name, expr, ...)                            \
  if (auto* ag_capture_rec_ = ::ag::compile::Recorder::armed()) {     \
    return ag_capture_rec_->call(name, ::ag::TensorList{__VA_ARGS__}, \
                                 [=](const ::ag::TensorList& in) {    \
                                   return ::ag::TensorList{expr};     \
                                 })[0];                               \
  }
// The same, recording attributes for the fusion pass (Step::attrs):
// `attrs` is a parenthesised std::vector<double>.
#define AG_CAPTURE_RETURN_ATTRS(name, expr, attrs, ...)                        \
  if (auto* ag_capture_rec_ = ::ag::compile::Recorder::armed()) {              \
    ::ag::Tensor ag_capture_out_ = ag_capture_rec_->call(                      \
        name, ::ag::TensorList{__VA_ARGS__}, [=](const ::ag::TensorList& in) { \
          return ::ag::TensorList{expr};                                       \
        })[0];                                                                 \
    ag_capture_rec_->annotate(attrs);                                          \
    return ag_capture_out_;                                                    \
  }
#define AG_CAPTURE_INPLACE(self, name, expr, ...) \
  AG_CAPTURE_INPLACE_THEN(self, name, expr, (void)0, __VA_ARGS__)
// The same, recording attributes for the fusion pass (Step::attrs).
#define AG_CAPTURE_INPLACE_ATTRS(self, name, expr, attrs, ...)                \
  AG_CAPTURE_INPLACE_THEN(self, name, expr, ag_capture_rec_->annotate(attrs), \
                          __VA_ARGS__)
// Both: `then` runs after the call is recorded.
#define AG_CAPTURE_INPLACE_THEN(self, name, expr, then, ...)      \
  if (auto* ag_capture_rec_ = ::ag::compile::Recorder::armed()) { \
    ag_capture_rec_->call(name, ::ag::TensorList{__VA_ARGS__},    \
                          [=](const ::ag::TensorList& in) {       \
                            ::ag::Tensor s = in[0];               \
                            expr;                                 \
                            return ::ag::TensorList{};            \
                          });                                     \
    then;                                                         \
    return self;                                                  \
  }
// An op whose inputs are one list (cat, stack): `expr` reads the list `in`.
#define AG_CAPTURE_RETURN_LIST(name, expr, list)                               \
  if (auto* ag_capture_rec_ = ::ag::compile::Recorder::armed()) {              \
    return ag_capture_rec_->call(name, list, [=](const ::ag::TensorList& in) { \
      return ::ag::TensorList{expr};                                           \
    })[0];                                                                     \
  }
#define AG_CAPTURE_VOID(name, kernel, list)                       \
  if (auto* ag_capture_rec_ = ::ag::compile::Recorder::armed()) { \
    ag_capture_rec_->call(name, list, kernel);                    \
    return;                                                       \
  }
