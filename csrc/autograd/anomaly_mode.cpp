#include "autograd/anomaly_mode.h"

#include <atomic>

namespace ag {

namespace {
std::atomic<bool> enabled{false};
std::atomic<AnomalyMode::TraceCapture> capture{nullptr};
}  // namespace

bool AnomalyMode::is_enabled() {
  return enabled.load(std::memory_order_relaxed);
}
void AnomalyMode::set_enabled(bool value) {
  enabled.store(value);
}
void AnomalyMode::set_trace_capture(TraceCapture fn) {
  capture.store(fn);
}
std::string AnomalyMode::capture_trace() {
  const TraceCapture fn = capture.load();
  return fn ? fn() : std::string();
}

}  // namespace ag
