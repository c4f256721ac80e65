// The profiler's recorder for autograd_cpp.profiler: start/stop a session,
// user ranges (record_function), and the recorded events as tuples.

#include "core/profiler.h"
#include "python/bind_utils.h"

namespace ag::python {

void bind_profiler(py::module_& m) {
  def(
      m,
      {"_profiler_start(bool record_shapes=False, bool profile_memory=False) "
       "-> None"},
      [](Args& a) {
        profiler::Options options;
        options.record_shapes = a.to_bool(0);
        options.profile_memory = a.to_bool(1);
        profiler::start(options);
        return py::none();
      },
      "Starts recording ops, backward nodes and user ranges.");
  def(
      m,
      {"_profiler_stop() -> list[tuple[_str, _int, _int, _int, _int, _int, "
       "_int, _int, _int, list[list[_int]]]]"},
      [](Args&) -> py::object {
        std::vector<profiler::Event> events = profiler::stop();
        py::list out;
        for (profiler::Event& e : events) {
          py::list shapes;
          for (const std::vector<int64_t>& s : e.shapes) {
            py::list dims;
            for (const int64_t d : s) dims.append(d);
            shapes.append(dims);
          }
          out.append(py::make_tuple(std::move(e.name), static_cast<int>(e.kind),
                                    e.id, e.parent, e.start_ns, e.end_ns,
                                    e.thread, e.sequence_nr, e.self_memory,
                                    shapes));
        }
        return std::move(out);
      },
      "Stops recording; returns (name, kind, id, parent, start_ns, end_ns, "
      "thread, sequence_nr, self_memory, shapes) per event.");
  def(
      m, {"_profiler_enabled() -> _bool"},
      [](Args&) { return wrap(profiler::enabled()); },
      "Whether a profiling session is recording.");
  def(
      m, {"_profiler_now_ns() -> _int"},
      [](Args&) { return wrap(static_cast<int64_t>(profiler::now_ns())); },
      "The profiler clock, in nanoseconds.");
  def(
      m, {"_profiler_range_enter(str name) -> _int"},
      [](Args& a) -> py::object {
        if (!profiler::enabled()) return wrap(int64_t{-1});
        return wrap(static_cast<int64_t>(profiler::open_range(
            a.string(0), profiler::EventKind::User, nullptr, 0)));
      },
      "Opens a user range on this thread; returns its handle (-1 when not "
      "profiling).");
  def(
      m, {"_profiler_range_exit(int handle) -> None"},
      [](Args& a) {
        const int64_t handle = a.to_int(0);
        if (handle >= 0) profiler::close_range(handle);
        return py::none();
      },
      "Closes a range opened by _profiler_range_enter.");
}

}  // namespace ag::python
