#pragma once

#include <string>

namespace ag {

// Anomaly detection (autograd.detect_anomaly): process-wide, as in PyTorch.
// While on, every new node records where it was created, and the engine
// stops at the first node whose gradient contains NaN.
struct AnomalyMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
  // The bindings install a function describing the current call site (the
  // Python stack); the core itself cannot see it.
  using TraceCapture = std::string (*)();
  static void set_trace_capture(TraceCapture capture);
  static std::string capture_trace();
};

}  // namespace ag
