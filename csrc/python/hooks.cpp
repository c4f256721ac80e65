// Python hooks on tensors and graph nodes, and anomaly mode's stack capture.
// The engine runs with the GIL released, so every call into Python here
// takes the GIL first.

#include <algorithm>
#include "autograd/anomaly_mode.h"
#include "autograd/saved_variable.h"
#include "core/capture_state.h"

#include "python/bind_utils.h"
#include "python/py_object_holder.h"

namespace ag::python {

namespace {

std::string hook_name(const py::handle& fn) {
  return py::hasattr(fn, "__name__")
             ? py::str(fn.attr("__name__")).cast<std::string>()
             : py::repr(fn).cast<std::string>();
}

// A hook's replacement gradient must look like the gradient it replaces.
Tensor checked_replacement(const py::handle& fn, const py::object& result,
                           const Tensor& original) {
  if (result.is_none()) return {};
  if (!is_tensor(result)) {
    throw py::type_error(
        "hook '" + hook_name(fn) + "' returned a " +
        std::string(py::str(py::type::of(result).attr("__name__"))) +
        ", expected a Tensor or None");
  }
  Tensor t = result.cast<Tensor>();
  AG_CHECK(t.sizes() == original.sizes(), "hook '", hook_name(fn),
           "' has changed the size of value: expected ",
           shape_str(original.sizes()), ", got ", shape_str(t.sizes()));
  AG_CHECK(t.dtype() == original.dtype(), "hook '", hook_name(fn),
           "' has changed the type of value (was ",
           dtype_name(original.dtype()), " got ", dtype_name(t.dtype()), ")");
  return t;
}

class PyTensorHook : public TensorHook, public PyReferrer {
 public:
  explicit PyTensorHook(py::function fn) : fn_(std::move(fn)) {}
  Tensor operator()(const Tensor& grad) override {
    capture::note_python_callback("a Python tensor hook ran");
    py::gil_scoped_acquire gil;
    return checked_replacement(fn_.get(), fn_.get()(grad), grad);
  }
  int traverse(visitproc visit, void* arg) const override {
    return fn_.visit(visit, arg);
  }

 private:
  PyObjectHolder fn_;
};

class PyPostAccumulateHook : public PostAccumulateGradHook, public PyReferrer {
 public:
  explicit PyPostAccumulateHook(py::function fn) : fn_(std::move(fn)) {}
  void operator()(const Tensor& leaf) override {
    capture::note_python_callback("a Python post-accumulate-grad hook ran");
    py::gil_scoped_acquire gil;
    fn_.get()(leaf);
  }
  int traverse(visitproc visit, void* arg) const override {
    return fn_.visit(visit, arg);
  }

 private:
  PyObjectHolder fn_;
};

py::tuple to_tuple(const variable_list& values) {
  py::tuple out(values.size());
  for (size_t i = 0; i < values.size(); ++i) out[i] = py::cast(values[i]);
  return out;
}

// A hook's returned tuple replaces the gradients slot by slot.
variable_list replaced_list(const py::handle& fn, const py::object& result,
                            const variable_list& original) {
  if (result.is_none()) return original;
  const auto seq = py::reinterpret_borrow<py::sequence>(result);
  AG_CHECK(py::len(seq) == original.size(), "hook '", hook_name(fn),
           "' returned ", py::len(seq), " gradients, expected ",
           original.size());
  variable_list out = original;
  for (size_t i = 0; i < out.size(); ++i) {
    py::object item = seq[i];
    out[i] = original[i].defined()
                 ? checked_replacement(fn, item, original[i])
                 : (item.is_none() ? Tensor() : item.cast<Tensor>());
    if (!out[i].defined() && original[i].defined() && item.is_none()) {
      out[i] = original[i];
    }
  }
  return out;
}

// grad_fn.register_prehook: fn(grad_outputs) -> new grad_outputs or None.
class PyNodePreHook : public FunctionPreHook, public PyReferrer {
 public:
  explicit PyNodePreHook(py::function fn) : fn_(std::move(fn)) {}
  variable_list operator()(const variable_list& grads) override {
    capture::note_python_callback("a Python grad_fn pre-hook ran");
    py::gil_scoped_acquire gil;
    return replaced_list(fn_.get(), fn_.get()(to_tuple(grads)), grads);
  }
  int traverse(visitproc visit, void* arg) const override {
    return fn_.visit(visit, arg);
  }

 private:
  PyObjectHolder fn_;
};

// grad_fn.register_hook: fn(grad_inputs, grad_outputs) -> new grad_inputs.
class PyNodePostHook : public FunctionPostHook, public PyReferrer {
 public:
  explicit PyNodePostHook(py::function fn) : fn_(std::move(fn)) {}
  variable_list operator()(const variable_list& outputs,
                           const variable_list& inputs) override {
    capture::note_python_callback("a Python grad_fn hook ran");
    py::gil_scoped_acquire gil;
    return replaced_list(
        fn_.get(), fn_.get()(to_tuple(outputs), to_tuple(inputs)), outputs);
  }
  int traverse(visitproc visit, void* arg) const override {
    return fn_.visit(visit, arg);
  }

 private:
  PyObjectHolder fn_;
};

// What register_*hook returns: remove() detaches the hook; it holds its
// targets weakly so a handle does not keep a graph alive.
struct RemovableHandle {
  std::function<void()> remover;
  bool removed = false;
  void remove() {
    if (!removed && remover) remover();
    removed = true;
  }
};

// saved_tensors_hooks: a per-thread stack of (pack, unpack) pairs.
struct SavedHooksPair {
  PyObjectHolder pack, unpack;
};
thread_local std::vector<std::shared_ptr<SavedHooksPair>> saved_hooks_stack;

class PySavedVariableHooks : public SavedVariableHooks {
 public:
  explicit PySavedVariableHooks(std::shared_ptr<SavedHooksPair> pair)
      : pair_(std::move(pair)) {}
  void pack(const Tensor& t) override {
    capture::note_python_callback("saved_tensors_hooks are active");
    py::gil_scoped_acquire gil;
    packed_ = std::make_unique<PyObjectHolder>(pair_->pack.get()(t));
  }
  Tensor unpack() override {
    py::gil_scoped_acquire gil;
    py::object value = pair_->unpack.get()(packed_->get());
    if (!is_tensor(value)) {
      throw py::type_error(
          "the unpack hook of saved_tensors_hooks must return a Tensor, got " +
          std::string(py::str(py::type::of(value).attr("__name__"))));
    }
    return value.cast<Tensor>();
  }

 private:
  std::shared_ptr<SavedHooksPair> pair_;
  std::unique_ptr<PyObjectHolder> packed_;
};

std::unique_ptr<SavedVariableHooks> current_saved_hooks() {
  if (saved_hooks_stack.empty()) return nullptr;
  return std::make_unique<PySavedVariableHooks>(saved_hooks_stack.back());
}

std::string python_stack() {
  py::gil_scoped_acquire gil;
  try {
    py::object frames = py::module_::import("traceback").attr("format_stack")();
    std::string out;
    for (py::handle line : frames) out += line.cast<std::string>();
    return out;
  } catch (const py::error_already_set&) {
    return {};
  }
}

}  // namespace

void bind_hooks(TensorClass& cls, py::module_& m) {
  py::class_<RemovableHandle> handle(m, "RemovableHandle");
  handle.doc() =
      "Returned by hook registration; `remove()` unregisters the hook.";
  def_method(
      handle, {"remove(self) -> None"},
      [](Args& a) {
        a.self<RemovableHandle>().remove();
        return py::none();
      },
      "Unregisters the hook (again: no effect).");
  def_method(
      handle, {"__enter__(self) -> RemovableHandle"},
      [](Args& a) { return a.object(0); }, "");
  def_method(
      handle,
      {"__exit__(self, object type=None, object value=None, object "
       "traceback=None) -> None"},
      [](Args& a) {
        a.self<RemovableHandle>().remove();
        return py::none();
      },
      "");
  def_method(
      cls, {"register_hook(Tensor self, callable hook) -> RemovableHandle"},
      [](Args& a) -> py::object {
        const Tensor t = a.tensor(0);
        auto hook =
            std::make_shared<PyTensorHook>(a.object(1).cast<py::function>());
        autograd::add_tensor_hook(t, hook);
        std::weak_ptr<TensorImpl> target = t.impl_ptr();
        const TensorHook* key = hook.get();
        return py::cast(RemovableHandle{[target, key] {
          if (auto impl = target.lock()) {
            autograd::remove_tensor_hook(Tensor(impl), key);
          }
        }});
      },
      "Registers a function called with this tensor's gradient during "
      "backward; it may return a replacement. Returns a handle with "
      "remove().");
  def_method(
      cls,
      {"register_post_accumulate_grad_hook(Tensor self, callable hook) -> "
       "RemovableHandle"},
      [](Args& a) -> py::object {
        const Tensor t = a.tensor(0);
        AG_CHECK(autograd::is_leaf(t),
                 "post accumulate grad hooks cannot be registered on non-leaf "
                 "tensors");
        AG_CHECK(autograd::requires_grad(t),
                 "cannot register a hook on a tensor that doesn't require "
                 "gradient");
        auto hook = std::make_shared<PyPostAccumulateHook>(
            a.object(1).cast<py::function>());
        autograd::materialize_meta(t).post_accumulate_hooks.push_back(hook);
        std::weak_ptr<TensorImpl> target = t.impl_ptr();
        const PostAccumulateGradHook* key = hook.get();
        return py::cast(RemovableHandle{[target, key] {
          auto impl = target.lock();
          AutogradMeta* meta = impl ? autograd::meta(Tensor(impl)) : nullptr;
          if (!meta) return;
          auto& hooks = meta->post_accumulate_hooks;
          hooks.erase(
              std::remove_if(hooks.begin(), hooks.end(),
                             [key](const auto& h) { return h.get() == key; }),
              hooks.end());
        }});
      },
      "Registers a function called with this leaf after its .grad has been "
      "accumulated.");
  py::handle node_cls = m.attr("Node");
  def_method(
      node_cls, {"register_prehook(self, callable hook) -> RemovableHandle"},
      [](Args& a) -> py::object {
        const auto node = a.object(0).cast<std::shared_ptr<Node>>();
        auto hook =
            std::make_shared<PyNodePreHook>(a.object(1).cast<py::function>());
        node->add_pre_hook(hook);
        std::weak_ptr<Node> target = node;
        const FunctionPreHook* key = hook.get();
        return py::cast(RemovableHandle{[target, key] {
          if (auto n = target.lock()) n->remove_pre_hook(key);
        }});
      },
      "Registers fn(grad_outputs), run before the node; it may return "
      "replacements.");
  def_method(
      node_cls, {"register_hook(self, callable hook) -> RemovableHandle"},
      [](Args& a) -> py::object {
        const auto node = a.object(0).cast<std::shared_ptr<Node>>();
        auto hook =
            std::make_shared<PyNodePostHook>(a.object(1).cast<py::function>());
        node->add_post_hook(hook);
        std::weak_ptr<Node> target = node;
        const FunctionPostHook* key = hook.get();
        return py::cast(RemovableHandle{[target, key] {
          if (auto n = target.lock()) n->remove_post_hook(key);
        }});
      },
      "Registers fn(grad_inputs, grad_outputs), run after the node; it may "
      "return replacement grad_inputs.");
  AnomalyMode::set_trace_capture(&python_stack);
  set_saved_hooks_factory(&current_saved_hooks);
  def(
      m, {"_push_saved_tensors_hooks(callable pack, callable unpack) -> None"},
      [](Args& a) {
        auto pair = std::make_shared<SavedHooksPair>();
        pair->pack = PyObjectHolder(a.object(0));
        pair->unpack = PyObjectHolder(a.object(1));
        saved_hooks_stack.push_back(std::move(pair));
        return py::none();
      },
      "Starts packing saved tensors with these hooks (saved_tensors_hooks).");
  def(
      m, {"_pop_saved_tensors_hooks() -> None"},
      [](Args&) {
        if (!saved_hooks_stack.empty()) saved_hooks_stack.pop_back();
        return py::none();
      },
      "Stops the innermost saved_tensors_hooks.");
  def(
      m, {"is_anomaly_enabled() -> _bool"},
      [](Args&) { return wrap(AnomalyMode::is_enabled()); },
      "Whether anomaly detection is on.");
  def(
      m, {"_set_anomaly_enabled(bool enabled) -> None"},
      [](Args& a) {
        AnomalyMode::set_enabled(a.to_bool(0));
        return py::none();
      },
      "Turns anomaly detection on or off.");
}

}  // namespace ag::python
