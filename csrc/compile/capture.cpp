#include "compile/capture.h"

#include <atomic>
#include <sstream>
#include <utility>

#include "autograd/autograd_meta.h"
#include "autograd/grad_mode.h"
#include "autograd/node.h"
#include "compile/fusion.h"
#include "core/error.h"

namespace ag::compile {

thread_local Recorder* Recorder::current_ = nullptr;

namespace {

TensorGuard capture_guard_of(const Tensor& t) {
  TensorGuard g;
  g.sizes = t.sizes();
  g.strides = t.strides();
  g.dtype = t.dtype();
  g.requires_grad = autograd::requires_grad(t);
  g.has_grad = autograd::is_leaf(t) && autograd::grad(t).defined();
  return g;
}

std::string capture_describe(const Tensor& t) {
  std::ostringstream s;
  s << "(";
  for (size_t i = 0; i < t.sizes().size(); ++i) {
    s << (i ? ", " : "") << t.sizes()[i];
  }
  s << ") " << dtype_name(t.dtype());
  return s.str();
}

// Null when t matches g; else what differs. Replays check every slot
// before every run, so this builds no string and reads t's autograd
// metadata once.
const char* capture_mismatch(const TensorGuard& g, const Tensor& t,
                             bool constant) {
  if (!t.defined()) return "an undefined tensor";
  if (t.sizes() != g.sizes) return "sizes differ";
  if (t.dtype() != g.dtype) return "dtype differs";
  if (t.strides() != g.strides) return "strides differ";
  const AutogradMeta* m = autograd::current_meta(t);
  if ((m && (m->requires_grad || m->grad_fn)) != g.requires_grad) {
    return "requires_grad differs";
  }
  const bool leaf = !m || !m->grad_fn;
  if (constant && leaf && (m && m->grad.defined()) != g.has_grad) {
    return g.has_grad ? ".grad is None" : ".grad is set";
  }
  return nullptr;
}

}  // namespace

// ---- Program
// -----------------------------------------------------------------

bool Program::guards_accept(const TensorList& inputs, std::string* why) const {
  if (inputs.size() != input_guards_.size()) {
    if (why) *why = "number of tensors differs";
    return false;
  }
  if (GradMode::is_enabled() != grad_enabled_) {
    if (why) *why = "grad mode differs";
    return false;
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (const char* what =
            capture_mismatch(input_guards_[i], inputs[i], false)) {
      if (why) *why = "input " + std::to_string(i) + ": " + what;
      return false;
    }
  }
  for (size_t i = 0; i < constants_.size(); ++i) {
    if (const char* what =
            capture_mismatch(constant_guards_[i], constants_[i].second, true)) {
      if (why) {
        *why = "captured tensor s" + std::to_string(constants_[i].first) +
               ": " + what;
      }
      return false;
    }
  }
  return true;
}

std::string Program::check_guards(const TensorList& inputs) const {
  std::string why;
  guards_accept(inputs, &why);
  return why;
}

namespace {
std::atomic<bool> memory_plan_on{true};

// Lends a program's memory plan to this replay when no other replay holds
// it and no capture runs on the thread: storages allocated until the end
// of the replay take their memory from it. The replay's state records
// nothing (depth 1).
class LendBuffers {
 public:
  LendBuffers(BufferPlan& plan, std::atomic<bool>& busy) : busy_(busy) {
    if (capture::tls_capture != nullptr ||
        !memory_plan_on.load(std::memory_order_relaxed) ||
        busy.exchange(true, std::memory_order_acquire)) {
      return;
    }
    lent_ = true;
    plan.begin();
    state_.depth = 1;
    state_.buffers = &plan;
    capture::tls_capture = &state_;
  }
  ~LendBuffers() {
    if (!lent_) return;
    capture::tls_capture = nullptr;
    busy_.store(false, std::memory_order_release);
  }
  LendBuffers(const LendBuffers&) = delete;
  LendBuffers& operator=(const LendBuffers&) = delete;

 private:
  std::atomic<bool>& busy_;
  capture::ThreadState state_;
  bool lent_ = false;
};
}  // namespace

bool memory_plan_enabled() {
  return memory_plan_on.load(std::memory_order_relaxed);
}
void set_memory_plan_enabled(bool enabled) {
  memory_plan_on.store(enabled, std::memory_order_relaxed);
}

bool Program::run(const TensorList& inputs, TensorList& outputs) const {
  if (!guards_accept(inputs, nullptr)) return false;
  LendBuffers lend(buffers_, buffers_busy_);
  std::vector<Tensor> slots(static_cast<size_t>(num_slots_));
  for (const auto& [slot, t] : constants_) slots[slot] = t;
  for (size_t i = 0; i < inputs.size(); ++i) slots[input_slots_[i]] = inputs[i];
  // Steps run in the grad mode they were recorded in (a `with no_grad()`
  // inside the function); the caller's mode is restored after.
  AutoGradMode restore(grad_enabled_);
  TensorList in;
  for (size_t k = 0; k < steps_.size(); ++k) {
    const Step& step = steps_[k];
    if (GradMode::is_enabled() != step.grad_enabled) {
      GradMode::set_enabled(step.grad_enabled);
    }
    in.clear();
    for (int32_t s : step.inputs) {
      in.push_back(s < 0 ? Tensor() : slots[static_cast<size_t>(s)]);
    }
    TensorList out = step.kernel(in);
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      if (step.outputs[i] >= 0) slots[step.outputs[i]] = std::move(out[i]);
    }
    in.clear();
    for (int32_t s : release_after_[k])
      slots[static_cast<size_t>(s)] = Tensor();
  }
  outputs.clear();
  for (int32_t s : output_slots_) {
    outputs.push_back(s < 0 ? Tensor() : slots[static_cast<size_t>(s)]);
  }
  return true;
}

std::string Program::dump() const {
  std::ostringstream s;
  auto slot_name = [](int32_t v) {
    return v < 0 ? std::string("None") : "s" + std::to_string(v);
  };
  s << "inputs:";
  for (int32_t v : input_slots_) s << " " << slot_name(v);
  s << "\nconstants:";
  for (const auto& c : constants_) s << " " << slot_name(c.first);
  s << "\n";
  for (const Step& step : steps_) {
    for (size_t i = 0; i < step.outputs.size(); ++i) {
      s << (i ? ", " : "") << slot_name(step.outputs[i]);
    }
    s << (step.outputs.empty() ? "" : " = ") << step.name << "(";
    for (size_t i = 0; i < step.inputs.size(); ++i) {
      s << (i ? ", " : "") << slot_name(step.inputs[i]);
    }
    s << ")\n";
  }
  s << "outputs:";
  for (int32_t v : output_slots_) s << " " << slot_name(v);
  s << "\n";
  return s.str();
}

// ---- Recorder
// ----------------------------------------------------------------

Recorder::Recorder(const TensorList& inputs)
    : program_(std::make_shared<Program>()) {
  AG_CHECK(capture::tls_capture == nullptr,
           "compile: a capture is already running on this thread");
  program_->grad_enabled_ = GradMode::is_enabled();
  for (const Tensor& t : inputs) {
    AG_CHECK(t.defined(), "compile: an input tensor is undefined");
    const int32_t slot = new_slot(t);
    program_->input_slots_.push_back(slot);
    program_->input_guards_.push_back(capture_guard_of(t));
    produced_storages_.insert(t.impl()->storage().get());
  }
  capture::tls_capture = &state_;
  current_ = this;
}

Recorder::~Recorder() {
  stop();
}

void Recorder::stop() {
  if (stopped_) return;
  stopped_ = true;
  // Only the capturing thread's state points here (a session ended from
  // another thread must not clear that thread's own capture).
  if (capture::tls_capture == &state_) {
    capture::tls_capture = nullptr;
    current_ = nullptr;
  }
  slot_tensor_.clear();
  slot_of_impl_.clear();
}

int32_t Recorder::new_slot(const Tensor& t) {
  const int32_t slot = program_->num_slots_++;
  slot_of_impl_[t.impl()] = slot;
  slot_tensor_.push_back(t);
  slot_version_.push_back(t.impl()->version());
  return slot;
}

int32_t Recorder::slot_of(const Tensor& t) {
  if (!t.defined()) return -1;
  const auto found = slot_of_impl_.find(t.impl());
  if (found != slot_of_impl_.end()) return found->second;
  auto constant = [&] {
    const int32_t slot = new_slot(t);
    program_->constants_.emplace_back(slot, t);
    program_->constant_guards_.push_back(capture_guard_of(t));
    return slot;
  };
  if (t.impl()->is_wrapped_number()) return constant();
  // The .grad of a leaf the capture knows: read it at this point on replay.
  for (size_t k = 0; k < slot_tensor_.size(); ++k) {
    const Tensor& leaf = slot_tensor_[k];
    if (leaf.defined() && autograd::is_leaf(leaf) &&
        autograd::grad(leaf).is_same(t)) {
      const TensorList in{leaf};
      const std::vector<int32_t> in_slot{static_cast<int32_t>(k)};
      Step step{
          "grad",
          in_slot,
          {},
          GradMode::is_enabled(),
          [](const TensorList& x) { return TensorList{autograd::grad(x[0])}; },
          {}};
      const int32_t slot = new_slot(t);
      step.outputs.push_back(slot);
      program_->steps_.push_back(std::move(step));
      return slot;
    }
  }
  const Storage* storage = t.impl()->storage().get();
  if (auto fn = autograd::grad_fn(t)) {
    fail("a tensor with history from outside the capture (grad_fn " +
         fn->name() + "), made by an op without a replay kernel");
  } else if (state_.fresh_storages.count(storage) != 0) {
    fail("a tensor " + capture_describe(t) +
         " made by an op without a replay kernel (a factory, random or "
         "unsupported op)");
  } else if (produced_storages_.count(storage) != 0) {
    fail("a view " + capture_describe(t) +
         " made by an op without a replay kernel");
  }
  return constant();
}

void Recorder::check_versions() {
  for (size_t i = 0; i < slot_tensor_.size(); ++i) {
    const Tensor& t = slot_tensor_[i];
    if (t.defined() && t.impl()->version() != slot_version_[i]) {
      fail("tensor s" + std::to_string(i) + " " + capture_describe(t) +
           " was changed in place by an op without a replay kernel");
      slot_version_[i] = t.impl()->version();
    }
  }
}

void Recorder::snapshot_versions() {
  for (size_t i = 0; i < slot_tensor_.size(); ++i) {
    if (slot_tensor_[i].defined()) {
      slot_version_[i] = slot_tensor_[i].impl()->version();
    }
  }
}

void Recorder::plan_releases() {
  Program& p = *program_;
  const auto n = static_cast<size_t>(p.num_slots_);
  std::vector<bool> keep(n, false);
  for (int32_t s : p.output_slots_) {
    if (s >= 0) keep[static_cast<size_t>(s)] = true;
  }
  // The step after which each slot is no longer read (its producer when it
  // is never read).
  std::vector<int64_t> last(n, -1);
  for (size_t k = 0; k < p.steps_.size(); ++k) {
    for (int32_t s : p.steps_[k].outputs) {
      if (s >= 0) last[static_cast<size_t>(s)] = static_cast<int64_t>(k);
    }
    for (int32_t s : p.steps_[k].inputs) {
      if (s >= 0) last[static_cast<size_t>(s)] = static_cast<int64_t>(k);
    }
  }
  p.release_after_.assign(p.steps_.size(), {});
  for (size_t s = 0; s < n; ++s) {
    if (!keep[s] && last[s] >= 0) {
      p.release_after_[static_cast<size_t>(last[s])].push_back(
          static_cast<int32_t>(s));
    }
  }
}

TensorList Recorder::call(const char* name, const TensorList& inputs,
                          StepKernel kernel) {
  check_versions();
  Step step;
  step.name = name;
  step.grad_enabled = GradMode::is_enabled();
  for (const Tensor& t : inputs) step.inputs.push_back(slot_of(t));
  TensorList outs;
  {
    DepthGuard inside;
    outs = kernel(inputs);
  }
  for (const Tensor& o : outs) {
    if (!o.defined()) {
      step.outputs.push_back(-1);
      continue;
    }
    step.outputs.push_back(new_slot(o));
    produced_storages_.insert(o.impl()->storage().get());
  }
  step.kernel = std::move(kernel);
  program_->steps_.push_back(std::move(step));
  snapshot_versions();
  return outs;
}

std::shared_ptr<Program> Recorder::finish(const TensorList& outputs) {
  AG_CHECK(!stopped_, "compile: the capture has already finished");
  check_versions();
  for (const Tensor& t : outputs) {
    program_->output_slots_.push_back(slot_of(t));
  }
  if (state_.failures.empty() && fusion_enabled()) {
    DepthGuard inside;
    fuse_elementwise(*program_, slot_tensor_);
  }
  stop();
  if (!state_.failures.empty()) return nullptr;
  plan_releases();
  return program_;
}

void Recorder::annotate(std::vector<double> attrs) {
  if (!program_->steps_.empty()) {
    program_->steps_.back().attrs = std::move(attrs);
  }
}

namespace {
std::atomic<bool> fusion_on{true};
}  // namespace

bool fusion_enabled() {
  return fusion_on.load(std::memory_order_relaxed);
}
void set_fusion_enabled(bool enabled) {
  fusion_on.store(enabled, std::memory_order_relaxed);
}

}  // namespace ag::compile
