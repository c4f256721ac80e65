// Autograd bindings: graph nodes (grad_fn), grad mode, backward and grad.

#include "autograd/accumulate_grad.h"
#include "autograd/autograd_meta.h"
#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "autograd/recorder.h"
#include "autograd/saved_variable.h"
#include "python/bindings.h"
#include "python/convert.h"

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
  std::vector<std::string> names;
};

// "torch::autograd::AccumulateGrad" -> "AccumulateGrad" (Python's class name).
std::string short_name(const Node& node) {
  std::string name = node.name();
  const auto pos = name.rfind("::");
  return pos == std::string::npos ? name : name.substr(pos + 2);
}

TensorList tensor_list(py::handle obj) {
  TensorList out;
  if (obj.is_none()) return out;
  if (is_tensor(obj)) {
    out.push_back(obj.cast<Tensor>());
    return out;
  }
  for (py::handle item : obj) {
    out.push_back(item.is_none() ? Tensor() : item.cast<Tensor>());
  }
  return out;
}

}  // namespace

void init_autograd(py::module_& m) {
  py::class_<Node, std::shared_ptr<Node>>(m, "Node", py::dynamic_attr())
      .def("name", &Node::name)
      .def_property_readonly(
          "next_functions",
          [](const Node& node) {
            py::tuple out(node.num_outputs());
            for (size_t i = 0; i < node.num_outputs(); ++i) {
              const Edge& e = node.next_edge(i);
              out[i] = py::make_tuple(
                  e.function ? py::cast(e.function) : py::none(), e.input_nr);
            }
            return out;
          })
      .def_property_readonly("_sequence_nr", &Node::sequence_nr)
      .def_property_readonly(
          "variable",
          [](const Node& node) -> py::object {
            const auto* acc = dynamic_cast<const AccumulateGrad*>(&node);
            if (!acc)
              throw py::attribute_error("'" + short_name(node) +
                                        "' object has no attribute 'variable'");
            return py::cast(acc->variable());
          })
      .def("_saved_names",
           [](const Node& node) {
             SavedNames names;
             node.visit_saved(names);
             return names.names;
           })
      .def("__getattr__",
           [](const std::shared_ptr<Node>& node, const std::string& attr) {
             const std::string prefix = "_saved_";
             if (attr.rfind(prefix, 0) == 0) {
               SavedLookup lookup(attr.substr(prefix.size()), node);
               node->visit_saved(lookup);
               if (auto found = lookup.result()) return *found;
             }
             throw py::attribute_error("'" + short_name(*node) +
                                       "' object has no attribute '" + attr +
                                       "'");
           })
      .def("__repr__",
           [](py::handle self) {
             const Node& node = self.cast<const Node&>();
             return "<" + short_name(node) + " object at " +
                    std::string(
                        py::str(py::module_::import("builtins")
                                    .attr("hex")(reinterpret_cast<uintptr_t>(
                                        self.ptr())))) +
                    ">";
           })
      .def_property_readonly("_class_name",
                             [](const Node& node) { return short_name(node); });

  m.def("_live_node_count", &Node::live_count);
  // GradientTape: a recorder of the nodes created while it records, and
  // autograd.grad through those nodes only.
  py::class_<NodeRecorder, std::shared_ptr<NodeRecorder>>(m, "_NodeRecorder")
      .def(py::init<>())
      .def("start", &NodeRecorder::start)
      .def("stop", &NodeRecorder::stop)
      .def("pause", &NodeRecorder::pause)
      .def("resume", &NodeRecorder::resume)
      .def("clear", &NodeRecorder::clear)
      .def_property_readonly("active", &NodeRecorder::active)
      .def("nodes", &NodeRecorder::nodes);
  m.def("_run_grad_recorded",
        [](const std::shared_ptr<NodeRecorder>& recorder, py::handle outputs,
           py::handle inputs, py::handle grad_outputs, bool keep_graph,
           bool create_graph) {
          const TensorList outs = tensor_list(outputs);
          const TensorList ins = tensor_list(inputs);
          const TensorList grads = tensor_list(grad_outputs);
          auto inside = std::make_shared<std::unordered_set<const Node*>>(
              recorder->alive_set());
          autograd::NodeFilter allowed = [inside](const Node& n) {
            return inside->count(&n) > 0;
          };
          TensorList result;
          {
            py::gil_scoped_release no_gil;
            result = autograd::grad(outs, ins, grads, keep_graph, create_graph,
                                    true, allowed);
          }
          py::tuple out(result.size());
          for (size_t i = 0; i < result.size(); ++i) {
            out[i] = py::cast(result[i]);
          }
          return out;
        });
  m.def("is_grad_enabled", &GradMode::is_enabled);
  m.def("_set_grad_enabled", &GradMode::set_enabled);

  m.def("_run_backward",
        [](py::handle tensors, py::handle grad_tensors, bool keep_graph,
           bool create_graph, py::handle inputs) {
          const TensorList roots = tensor_list(tensors);
          const TensorList grads = tensor_list(grad_tensors);
          const TensorList in = tensor_list(inputs);
          py::gil_scoped_release no_gil;
          autograd::backward(roots, grads, keep_graph, create_graph, in);
        });
  m.def("_run_grad",
        [](py::handle outputs, py::handle inputs, py::handle grad_outputs,
           bool keep_graph, bool create_graph, bool allow_unused) {
          const TensorList outs = tensor_list(outputs);
          const TensorList ins = tensor_list(inputs);
          const TensorList grads = tensor_list(grad_outputs);
          TensorList result;
          {
            py::gil_scoped_release no_gil;
            result = autograd::grad(outs, ins, grads, keep_graph, create_graph,
                                    allow_unused);
          }
          py::tuple out(result.size());
          for (size_t i = 0; i < result.size(); ++i)
            out[i] = py::cast(result[i]);
          return out;
        });
}

}  // namespace ag::python
