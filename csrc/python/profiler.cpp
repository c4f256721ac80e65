// The profiler's recorder for autograd_cpp.profiler: start/stop a session,
// user ranges (record_function), and the recorded events as tuples.

#include <pybind11/stl.h>

#include "core/profiler.h"
#include "python/bindings.h"

namespace ag::python {

void bind_profiler(py::module_& m) {
  m.def(
      "_profiler_start",
      [](bool record_shapes, bool profile_memory) {
        profiler::Options options;
        options.record_shapes = record_shapes;
        options.profile_memory = profile_memory;
        profiler::start(options);
      },
      py::arg("record_shapes") = false, py::arg("profile_memory") = false,
      "Starts recording ops, backward nodes and user ranges.");
  m.def(
      "_profiler_stop",
      [] {
        std::vector<profiler::Event> events = profiler::stop();
        py::list out;
        for (profiler::Event& e : events) {
          out.append(py::make_tuple(std::move(e.name), static_cast<int>(e.kind),
                                    e.id, e.parent, e.start_ns, e.end_ns,
                                    e.thread, e.sequence_nr, e.self_memory,
                                    std::move(e.shapes)));
        }
        return out;
      },
      "Stops recording; returns (name, kind, id, parent, start_ns, end_ns, "
      "thread, sequence_nr, self_memory, shapes) per event.");
  m.def("_profiler_enabled", &profiler::enabled,
        "Whether a profiling session is recording.");
  m.def("_profiler_now_ns", &profiler::now_ns,
        "The profiler clock, in nanoseconds.");
  m.def(
      "_profiler_range_enter",
      [](std::string name) -> int64_t {
        if (!profiler::enabled()) return -1;
        return profiler::open_range(std::move(name), profiler::EventKind::User,
                                    nullptr, 0);
      },
      py::arg("name"),
      "Opens a user range on this thread; returns its handle (-1 when not "
      "profiling).");
  m.def(
      "_profiler_range_exit",
      [](int64_t handle) {
        if (handle >= 0) profiler::close_range(handle);
      },
      py::arg("handle"), "Closes a range opened by _profiler_range_enter.");
}

}  // namespace ag::python
