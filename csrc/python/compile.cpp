// Capture and replay (compile/capture.h) for autograd_cpp.compiler: a
// capture session around one eager call, and the program it yields.

#include "compile/capture.h"
#include "python/bind_utils.h"

namespace ag::python {

namespace {

// Owns the thread's Recorder from _compile_capture until finish or abort.
struct CaptureSession {
  std::unique_ptr<compile::Recorder> recorder;
  std::vector<std::string> failures;
};

py::object tensors_or_none(const TensorList& ts) {
  py::list out;
  for (const Tensor& t : ts) {
    if (t.defined()) {
      out.append(py::cast(t));
    } else {
      out.append(py::none());
    }
  }
  return std::move(out);
}

// Whether mapping.get is dict's own (a dict, or a subclass such as the
// OrderedDict of a module's parameters that does not override it).
bool has_dict_get(PyObject* mapping) {
  if (PyDict_CheckExact(mapping)) return true;
  if (!PyDict_Check(mapping)) return false;
  // Interned once and kept (Note [Borrowed globals]).
  static PyObject* const name = PyUnicode_InternFromString("get");
  static PyObject* const dict_get = _PyType_Lookup(&PyDict_Type, name);
  return _PyType_Lookup(Py_TYPE(mapping), name) == dict_get;
}

// The value `mapping` holds under `key` (its get()), or null.
py::object lookup(PyObject* mapping, PyObject* key) {
  if (has_dict_get(mapping)) {
    PyObject* v = PyDict_GetItemWithError(mapping, key);
    if (v == nullptr && PyErr_Occurred()) throw py::error_already_set();
    return py::reinterpret_borrow<py::object>(v);
  }
  const py::object missing = py::reinterpret_steal<py::object>(
      PyObject_CallNoArgs(reinterpret_cast<PyObject*>(&PyBaseObject_Type)));
  py::object v = py::handle(mapping).attr("get")(py::handle(key), missing);
  return v.is(missing) ? py::object() : v;
}

// Whether the Python state a program was captured under still holds
// (compiler.py's _python_state_guard builds `state`, a tuple of three
// lists): each (mapping, key, value) of the first maps key to that very
// object, each of the second to a value that is not `!=` to value, and each
// (container, n) of the third has n items. It runs before every replay, so
// it loops in C++ rather than in Python.
bool state_holds(py::handle state) {
  PyObject* const* lists = PySequence_Fast_ITEMS(state.ptr());
  for (py::handle c : py::reinterpret_borrow<py::list>(lists[0])) {
    PyObject* const* t = PySequence_Fast_ITEMS(c.ptr());
    if (lookup(t[0], t[1]).ptr() != t[2]) return false;
  }
  for (py::handle c : py::reinterpret_borrow<py::list>(lists[1])) {
    PyObject* const* t = PySequence_Fast_ITEMS(c.ptr());
    const py::object v = lookup(t[0], t[1]);
    if (!v) return false;
    const int differs = PyObject_RichCompareBool(v.ptr(), t[2], Py_NE);
    if (differs < 0) throw py::error_already_set();
    if (differs) return false;
  }
  for (py::handle c : py::reinterpret_borrow<py::list>(lists[2])) {
    PyObject* const* t = PySequence_Fast_ITEMS(c.ptr());
    const Py_ssize_t n = PyObject_Length(t[0]);
    if (n < 0) throw py::error_already_set();
    if (n != PyLong_AsSsize_t(t[1])) return false;
  }
  return true;
}

}  // namespace

void bind_compile(py::module_& m) {
  py::class_<CaptureSession, std::shared_ptr<CaptureSession>> session(
      m, "_CaptureSession");
  session.doc() =
      "A capture running on this thread: every op it records until finish().";
  def(
      m, {"_compile_capture(Tensor[] inputs) -> _CaptureSession"},
      [](Args& a) -> py::object {
        auto s = std::make_shared<CaptureSession>();
        s->recorder = std::make_unique<compile::Recorder>(a.tensor_list(0));
        return py::cast(s);
      },
      "Starts recording the ops this thread runs; `inputs` are the tensors "
      "a replay binds anew.");
  def_method(
      session, {"finish(self, Tensor[] outputs) -> _CompiledProgram | None"},
      [](Args& a) -> py::object {
        CaptureSession& s = a.self<CaptureSession>();
        if (!s.recorder) throw std::runtime_error("the capture has ended");
        auto program = s.recorder->finish(a.tensor_list(1));
        s.failures = s.recorder->failures();
        s.recorder.reset();
        if (!program) return py::none();
        return py::cast(program);
      },
      "Stops recording; the program computing `outputs`, or None when the "
      "capture failed (see failures()).");
  def_method(
      session, {"abort(self) -> None"},
      [](Args& a) {
        CaptureSession& s = a.self<CaptureSession>();
        if (s.recorder) s.failures = s.recorder->failures();
        s.recorder.reset();
        return py::none();
      },
      "Stops recording and discards the capture.");
  def_method(
      session, {"failures(self) -> list[_str]"},
      [](Args& a) -> py::object {
        const CaptureSession& s = a.self<CaptureSession>();
        return py::cast(s.recorder ? s.recorder->failures() : s.failures);
      },
      "Why the capture cannot be replayed (empty when it can).");

  def(
      m, {"_compile_set_fusion(bool enabled) -> None"},
      [](Args& a) {
        compile::set_fusion_enabled(a.to_bool(0));
        return py::none();
      },
      "Whether later captures fuse elementwise steps (on by default).");
  def(
      m, {"_compile_fusion() -> _bool"},
      [](Args&) { return py::bool_(compile::fusion_enabled()); },
      "Whether captures fuse elementwise steps.");

  def(
      m, {"_compile_set_memory_plan(bool enabled) -> None"},
      [](Args& a) {
        compile::set_memory_plan_enabled(a.to_bool(0));
        return py::none();
      },
      "Whether replays reuse the buffers their programs keep (on by "
      "default).");
  def(
      m, {"_compile_memory_plan() -> _bool"},
      [](Args&) { return py::bool_(compile::memory_plan_enabled()); },
      "Whether replays reuse the buffers their programs keep.");

  py::class_<compile::Program, std::shared_ptr<compile::Program>> program(
      m, "_CompiledProgram");
  program.doc() = "A captured op list, replayed in C++.";
  def_method(
      program, {"run(self, Tensor[] inputs) -> list[Tensor | None] | None"},
      [](Args& a) -> py::object {
        TensorList outputs;
        if (!a.self<compile::Program>().run(a.tensor_list(1), outputs)) {
          return py::none();
        }
        return tensors_or_none(outputs);
      },
      "Replays the program on `inputs`; its outputs, or None when a guard "
      "rejects the inputs.");
  def(
      m, {"_compile_state_holds(object state) -> _bool"},
      [](Args& a) { return py::bool_(state_holds(a.object(0))); },
      "Whether the Python state a program was captured under still holds: "
      "`state` is (same-object checks, equal-value checks, size checks).");
  def_method(
      program,
      {"replay(self, object args, object aliases, object state) -> "
       "list[Tensor | None] | None"},
      [](Args& a) -> py::object {
        // A call with tensors by position, checked here in one go: each
        // argument a tensor, the same ones passed twice as at the capture
        // (`aliases`: the first position of each), the Python state and
        // then the program's own guards.
        const py::tuple args = a.object(1).cast<py::tuple>();
        const py::tuple aliases = a.object(2).cast<py::tuple>();
        const size_t n = args.size();
        if (aliases.size() != n) return py::none();
        TensorList inputs;
        inputs.reserve(n);
        for (size_t i = 0; i < n; ++i) {
          PyObject* arg = PyTuple_GET_ITEM(args.ptr(), i);
          if (!is_tensor_object(arg)) return py::none();
          size_t first = 0;
          while (PyTuple_GET_ITEM(args.ptr(), first) != arg) ++first;
          if (PyLong_AsSsize_t(PyTuple_GET_ITEM(aliases.ptr(), i)) !=
              static_cast<Py_ssize_t>(first)) {
            return py::none();
          }
          inputs.push_back(py::handle(arg).cast<Tensor>());
        }
        if (!state_holds(a.object(3))) return py::none();
        TensorList outputs;
        if (!a.self<compile::Program>().run(inputs, outputs)) {
          return py::none();
        }
        return tensors_or_none(outputs);
      },
      "Replays the program on a call's positional tensors `args` when they "
      "alias as `aliases` says, the Python state `state` holds (see "
      "_compile_state_holds) and the guards accept them; its outputs, or "
      "None.");
  def_method(
      program, {"check_guards(self, Tensor[] inputs) -> _str"},
      [](Args& a) {
        return py::str(
            a.self<compile::Program>().check_guards(a.tensor_list(1)));
      },
      "Why the guards reject `inputs`, or an empty string.");
  def_method(
      program, {"step_names(self) -> list[_str]"},
      [](Args& a) -> py::object {
        py::list out;
        for (const auto& step : a.self<compile::Program>().steps()) {
          out.append(step.name);
        }
        return std::move(out);
      },
      "The name of each step, in order.");
  def_method(
      program, {"buffer_stats(self) -> tuple[_int, _int, _int]"},
      [](Args& a) -> py::object {
        const compile::Program& p = a.self<compile::Program>();
        return py::make_tuple(p.buffers_reused(), p.buffers_allocated(),
                              p.buffers_bytes());
      },
      "The memory plan so far: (allocations served from kept buffers, "
      "ordinary allocations, bytes kept).");
  def_method(
      program, {"dump(self) -> _str"},
      [](Args& a) { return py::str(a.self<compile::Program>().dump()); },
      "The program as text, one step per line.");
}

}  // namespace ag::python
