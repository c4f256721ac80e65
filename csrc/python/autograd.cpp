// Autograd bindings: graph nodes (grad_fn), grad mode, backward and grad.

#include "autograd/accumulate_grad.h"
#include "autograd/autograd_meta.h"
#include "autograd/engine.h"
#include "autograd/forward_ad.h"
#include "autograd/grad_mode.h"
#include "autograd/recorder.h"
#include "autograd/saved_variable.h"
#include "python/bind_utils.h"

namespace ag::python {

namespace {

// Finds one saved value by name, converting it to Python.
class SavedLookup : public SavedVisitor {
 public:
  SavedLookup(std::string name, std::shared_ptr<Node> owner)
      : name_(std::move(name)), owner_(std::move(owner)) {}

  void visit(const char* name, const SavedVariable& value) override {
    if (name_ != name) return;
    result_ = py::cast(value.unpack(owner_));
  }
  void visit(const char* name, const SavedField& value) override {
    if (name_ != name) return;
    switch (value.kind) {
      case SavedField::Kind::None:
        result_ = py::none();
        break;
      case SavedField::Kind::Tensor:
        result_ = py::cast(value.tensor);
        break;
      case SavedField::Kind::Scalar:
      case SavedField::Kind::Int:
      case SavedField::Kind::Bool:
        result_ = scalar_to_python(value.scalar);
        break;
      case SavedField::Kind::Ints:
        result_ = py::tuple(py::cast(value.ints));
        break;
    }
  }
  void visit(const char* name,
             const std::vector<SavedVariable>& values) override {
    if (name_ != name) return;
    py::tuple out(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
      out[i] = py::cast(values[i].unpack(owner_));
    }
    result_ = std::move(out);
  }
  std::optional<py::object> result() const { return result_; }

 private:
  std::string name_;
  std::shared_ptr<Node> owner_;
  std::optional<py::object> result_;
};

class SavedNames : public SavedVisitor {
 public:
  void visit(const char* name, const SavedVariable&) override {
    names.emplace_back(name);
  }
  void visit(const char* name, const SavedField&) override {
    names.emplace_back(name);
  }
  void visit(const char* name, const std::vector<SavedVariable>&) override {
    names.emplace_back(name);
  }
  std::vector<std::string> names;
};

// "torch::autograd::AccumulateGrad" -> "AccumulateGrad" (Python's class name).
std::string short_name(const Node& node) {
  std::string name = node.name();
  const auto pos = name.rfind("::");
  return pos == std::string::npos ? name : name.substr(pos + 2);
}

// None, a tensor, or a sequence of tensors (None items: undefined).
TensorList tensor_list(py::handle obj, const char* what) {
  TensorList out;
  if (obj.is_none()) return out;
  if (is_tensor(obj)) {
    out.push_back(obj.cast<Tensor>());
    return out;
  }
  if (!PyList_Check(obj.ptr()) && !PyTuple_Check(obj.ptr())) {
    throw py::type_error(std::string(what) +
                         " must be a Tensor or a sequence of Tensors, got " +
                         type_name_of(obj.ptr()));
  }
  for (py::handle item : obj) {
    if (!item.is_none() && !is_tensor(item)) {
      throw py::type_error(std::string(what) +
                           " must hold Tensors (or None), got " +
                           type_name_of(item.ptr()));
    }
    out.push_back(item.is_none() ? Tensor() : item.cast<Tensor>());
  }
  return out;
}

py::object run_grad(Args& a, const autograd::NodeFilter& allowed,
                    size_t first) {
  const TensorList outs = tensor_list(a.object(first), "outputs");
  const TensorList ins = tensor_list(a.object(first + 1), "inputs");
  const TensorList grads = tensor_list(a.object(first + 2), "grad_outputs");
  const bool keep_graph = a.to_bool(first + 3);
  const bool create_graph = a.to_bool(first + 4);
  const bool allow_unused = allowed ? true : a.to_bool(first + 5);
  const TensorList result = released([&] {
    return autograd::grad(outs, ins, grads, keep_graph, create_graph,
                          allow_unused, allowed);
  });
  return wrap(result);
}

void bind_node(py::module_& m) {
  py::class_<Node, std::shared_ptr<Node>> node(m, "Node", py::dynamic_attr());
  node.doc() =
      "A node of the backward graph (what `grad_fn` returns): computes the "
      "gradients of an operation's inputs from the gradient of its output.";
  def_method(
      node, {"name(self) -> _str"},
      [](Args& a) -> py::object { return py::str(a.self<Node>().name()); },
      "The name PyTorch prints for this node, e.g. MulBackward0.");
  node.def_property_readonly(
      "next_functions",
      [](const Node& n) {
        py::tuple out(n.num_outputs());
        for (size_t i = 0; i < n.num_outputs(); ++i) {
          const Edge& e = n.next_edge(i);
          out[i] = py::make_tuple(
              e.function ? py::cast(e.function) : py::none(), e.input_nr);
        }
        return out;
      },
      "tuple[tuple[Node | None, _int], ...]\n\nThe nodes the gradients of "
      "this node's inputs flow to, with the input slot of each.");
  node.def_property_readonly("_sequence_nr", &Node::sequence_nr,
                             "_int\n\nThe order the node was created in.");
  node.def_property_readonly(
      "variable",
      [](const Node& n) -> py::object {
        const auto* acc = dynamic_cast<const AccumulateGrad*>(&n);
        if (!acc) {
          throw py::attribute_error("'" + short_name(n) +
                                    "' object has no attribute 'variable'");
        }
        return py::cast(acc->variable());
      },
      "typing.Any\n\nThe leaf an AccumulateGrad node accumulates into.");
  def_method(
      node, {"_saved_names(self) -> list[_str]"},
      [](Args& a) -> py::object {
        SavedNames names;
        a.self<Node>().visit_saved(names);
        return py::cast(names.names);
      },
      "The names of the values this node saved (its _saved_* attributes).");
  def_method(
      node, {"__getattr__(self, str name) -> typing.Any"},
      [](Args& a) -> py::object {
        const auto n = a.object(0).cast<std::shared_ptr<Node>>();
        const std::string attr = a.string(1);
        const std::string prefix = "_saved_";
        if (attr.rfind(prefix, 0) == 0) {
          SavedLookup lookup(attr.substr(prefix.size()), n);
          n->visit_saved(lookup);
          if (auto found = lookup.result()) return *found;
        }
        throw py::attribute_error("'" + short_name(*n) +
                                  "' object has no attribute '" + attr + "'");
      },
      "");
  def_method(
      node, {"__repr__(self) -> _str"},
      [](Args& a) -> py::object {
        const Node& n = a.self<Node>();
        return py::str(
            "<" + short_name(n) + " object at " +
            std::string(py::str(py::module_::import("builtins")
                                    .attr("hex")(reinterpret_cast<uintptr_t>(
                                        a.object(0).ptr())))) +
            ">");
      },
      "");
  node.def_property_readonly(
      "_class_name", [](const Node& n) { return short_name(n); },
      "_str\n\nThe node's name without its C++ namespace.");
  def(
      m, {"_live_node_count() -> _int"},
      [](Args&) { return wrap(Node::live_count()); },
      "How many graph nodes are alive in the process.");
}

// GradientTape: a recorder of the nodes created while it records, and
// autograd.grad through those nodes only.
void bind_recorder(py::module_& m) {
  py::class_<NodeRecorder, std::shared_ptr<NodeRecorder>> recorder(
      m, "_NodeRecorder");
  recorder.doc() = "Records the graph nodes created while it is active.";
  recorder.def(py::init<>());
  const std::pair<const char*, void (NodeRecorder::*)()> actions[] = {
      {"start", &NodeRecorder::start}, {"stop", &NodeRecorder::stop},
      {"pause", &NodeRecorder::pause}, {"resume", &NodeRecorder::resume},
      {"clear", &NodeRecorder::clear},
  };
  for (const auto& [name, action] : actions) {
    def_method(
        recorder, {std::string(name) + "(self) -> None"},
        [action = action](Args& a) {
          (a.self<NodeRecorder>().*action)();
          return py::none();
        },
        "");
  }
  recorder.def_property_readonly("active", &NodeRecorder::active,
                                 "_bool\n\nWhether it is recording.");
  def_method(
      recorder, {"nodes(self) -> list[Node]"},
      [](Args& a) -> py::object {
        return py::cast(a.self<NodeRecorder>().nodes());
      },
      "The recorded nodes still alive.");
  def(
      m,
      {"_run_grad_recorded(object recorder, object outputs, object inputs, "
       "object grad_outputs, bool keep_graph, bool create_graph) -> "
       "tuple[Tensor | None, ...]"},
      [](Args& a) {
        if (!py::isinstance<NodeRecorder>(a.object(0))) {
          throw py::type_error("_run_grad_recorded: expected a _NodeRecorder");
        }
        const auto rec = a.object(0).cast<std::shared_ptr<NodeRecorder>>();
        auto inside =
            std::make_shared<std::unordered_set<const Node*>>(rec->alive_set());
        const autograd::NodeFilter allowed = [inside](const Node& n) {
          return inside->count(&n) > 0;
        };
        return run_grad(a, allowed, 1);
      },
      "autograd.grad through the recorded nodes only.");
}

// Forward AD's primitives (Note [Forward AD]); autograd.forward_ad wraps
// them with PyTorch's Python API.
void bind_forward_ad(py::module_& m) {
  def(
      m, {"_enter_dual_level() -> _int"},
      [](Args&) { return wrap(forward_ad::enter_level()); },
      "Opens a forward AD level and returns its index.");
  def(
      m, {"_exit_dual_level(*, int level) -> None"},
      [](Args& a) {
        forward_ad::exit_level(a.to_int(0));
        return py::none();
      },
      "Closes a forward AD level, dropping the tangents set at it.");
  def(
      m, {"_set_untracked_tangent_epoch(int epoch) -> _int"},
      [](Args& a) {
        const uint64_t prev = forward_ad::untracked_epoch();
        forward_ad::set_untracked_epoch(static_cast<uint64_t>(a.to_int(0)));
        return wrap(static_cast<int64_t>(prev));
      },
      "Note [Untracked tangents]: sets this thread's epoch (0: off) and "
      "returns the previous one.");
  def(
      m, {"_current_dual_level() -> _int"},
      [](Args&) { return wrap(forward_ad::current_level()); },
      "The open forward AD level, or -1.");
  def(
      m, {"_make_dual(Tensor tensor, Tensor tangent, *, int level) -> Tensor"},
      [](Args& a) {
        AG_CHECK(a.to_int(2) == forward_ad::current_level(),
                 "Invalid level given to make_dual");
        return wrap(ops::make_dual(a.tensor(0), a.tensor(1)));
      },
      "A view of tensor carrying tangent at the given level.");
  def(
      m, {"_set_tangent(Tensor tensor, Tensor tangent) -> None"},
      [](Args& a) {
        const Tensor t = a.tensor(0), tangent = a.tensor(1);
        AG_CHECK(tangent.sizes() == t.sizes(),
                 "Trying to set a forward gradient that has a different size "
                 "than that of the original Tensor, this is not supported. "
                 "Tensor is of size ",
                 shape_str(t.sizes()),
                 " while the given forward gradient is of "
                 "size ",
                 shape_str(tangent.sizes()), ".");
        forward_ad::set_tangent(t, tangent);
        return py::none();
      },
      "Gives a custom Function's output the tangent its jvp computed.");
  def(
      m,
      {"_unpack_dual(Tensor tensor, *, int level) -> tuple[Tensor, Tensor | "
       "None]"},
      [](Args& a) {
        const int64_t level = a.to_int(1);
        if (level != forward_ad::current_level()) {
          return py::object(py::make_tuple(wrap(a.tensor(0)), py::none()));
        }
        const auto [primal, tangent] = ops::unpack_dual(a.tensor(0));
        return py::object(py::make_tuple(
            wrap(primal), tangent.defined() ? wrap(tangent) : py::none()));
      },
      "The primal (a view without the tangent) and the tangent at level.");
}

}  // namespace

void init_autograd(py::module_& m) {
  bind_node(m);
  bind_recorder(m);
  def(
      m, {"is_grad_enabled() -> _bool"},
      [](Args&) { return wrap(GradMode::is_enabled()); },
      "Whether grad mode is on in this thread.");
  def(
      m, {"_set_grad_enabled(bool enabled) -> None"},
      [](Args& a) {
        GradMode::set_enabled(a.to_bool(0));
        return py::none();
      },
      "Turns grad mode on or off in this thread.");
  def(
      m,
      {"_run_backward(object tensors, object grad_tensors, bool keep_graph, "
       "bool create_graph, object inputs) -> None"},
      [](Args& a) {
        const TensorList roots = tensor_list(a.object(0), "tensors");
        const TensorList grads = tensor_list(a.object(1), "grad_tensors");
        const bool keep_graph = a.to_bool(2), create_graph = a.to_bool(3);
        const TensorList in = tensor_list(a.object(4), "inputs");
        released([&] {
          autograd::backward(roots, grads, keep_graph, create_graph, in);
          return 0;
        });
        return py::none();
      },
      "autograd.backward's C++ part.");
  def(
      m,
      {"_run_grad(object outputs, object inputs, object grad_outputs, bool "
       "keep_graph, bool create_graph, bool allow_unused) -> "
       "tuple[Tensor | None, ...]"},
      [](Args& a) { return run_grad(a, nullptr, 0); },
      "autograd.grad's C++ part.");
  def(
      m, {"_next_transform_epoch() -> _int"},
      [](Args&) {
        return wrap(static_cast<int64_t>(autograd::next_transform_epoch()));
      },
      "A fresh func transform epoch (Note [Transform epochs]).");
  def(
      m, {"_mark_transform_leaf(Tensor tensor, int epoch) -> None"},
      [](Args& a) {
        autograd::mark_transform_leaf(a.tensor(0),
                                      static_cast<uint64_t>(a.to_int(1)));
        return py::none();
      },
      "Marks a leaf as the own tensor of the transform level of epoch.");
  def(
      m, {"_depends_before_epoch(object tensors, int epoch) -> _bool"},
      [](Args& a) {
        const TensorList ts = tensor_list(a.object(0), "tensors");
        const auto epoch = static_cast<uint64_t>(a.to_int(1));
        bool before = false;
        for (const Tensor& t : ts)
          before = before || autograd::min_epoch(t) < epoch;
        return wrap(before);
      },
      "Whether any of tensors reaches a leaf older than epoch.");
  bind_forward_ad(m);
}

}  // namespace ag::python
