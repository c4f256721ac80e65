// autograd.Function: the graph node that runs a Python class's backward.
// The Python side (autograd/function.py) runs forward; this file records the
// node, keeps the saved tensors (with their version checks) and calls back.

#include <unordered_set>

#include "autograd/saved_variable.h"
#include "core/capture_state.h"
#include "ops/custom_function.h"
#include "python/bind_utils.h"
#include "python/py_object_holder.h"

namespace ag::python {

namespace {

class PyFunctionNode : public Node, public PyReferrer {
 public:
  PyFunctionNode(edge_list&& edges, std::string name, py::object backward,
                 py::object ctx, std::vector<bool> tensor_inputs,
                 bool materialize_grads)
      : Node(std::move(edges)),
        name_(std::move(name)),
        backward_(std::move(backward)),
        ctx_(std::move(ctx)),
        tensor_inputs_(std::move(tensor_inputs)),
        materialize_grads_(materialize_grads) {}

  std::string name() const override { return name_; }
  // Zeros for missing gradients are made below, only if ctx asks for them.
  bool wants_zero_filled_grads() const override { return false; }

  variable_list apply(variable_list&& grads) override {
    capture::note_python_callback(
        "a custom autograd.Function's Python backward ran");
    py::gil_scoped_acquire gil;
    py::tuple args(grads.size() + 1);
    args[0] = ctx_.get();
    for (size_t i = 0; i < grads.size(); ++i) {
      Tensor g = grads[i];
      if (!g.defined() && materialize_grads_) {
        const InputMetadata& m = input_metadata(i);
        g = ops::zeros(m.shape, m.dtype);
      }
      args[i + 1] = py::cast(g);
    }
    py::object result = backward_.get()(*args);
    py::tuple results = py::isinstance<py::tuple>(result)
                            ? py::reinterpret_borrow<py::tuple>(result)
                            : py::make_tuple(result);
    const size_t expected = tensor_inputs_.size();
    AG_CHECK(results.size() == expected, "function ", name_,
             " returned an incorrect number of gradients (expected ", expected,
             ", got ", results.size(),
             "): backward must return one gradient (or None) for each "
             "argument forward took, in order.");
    variable_list out;
    out.reserve(num_outputs());
    for (size_t i = 0; i < expected; ++i) {
      if (!tensor_inputs_[i]) continue;
      py::object item = results[i];
      if (item.is_none()) {
        out.emplace_back();
      } else if (is_tensor(item)) {
        out.push_back(item.cast<Tensor>());
      } else {
        throw py::type_error("function " + name_ +
                             " returned a gradient that is not a Tensor or "
                             "None at position " +
                             std::to_string(i));
      }
    }
    return out;
  }

  void release_variables() override {
    for (SavedVariable& v : saved_) v.release();
  }

  py::tuple saved_tensors() {
    py::tuple out(saved_.size());
    const auto self = shared_from_this();
    for (size_t i = 0; i < saved_.size(); ++i) {
      out[i] = py::cast(saved_[i].unpack(self));
    }
    return out;
  }

  // ctx often refers to the outputs whose grad_fn this node is.
  int traverse(visitproc visit, void* arg) const override {
    if (const int r = backward_.visit(visit, arg)) return r;
    return ctx_.visit(visit, arg);
  }

  std::vector<SavedVariable> saved_;

 private:
  std::string name_;
  PyObjectHolder backward_;
  PyObjectHolder ctx_;
  std::vector<bool> tensor_inputs_;
  bool materialize_grads_;
};

// ctx's link to its node: weak, because the node owns ctx.
struct FunctionNodeRef {
  std::weak_ptr<PyFunctionNode> node;
  py::tuple saved_tensors() const {
    auto n = node.lock();
    AG_CHECK(n != nullptr, kBackwardTwiceMessage);
    return n->saved_tensors();
  }
};

std::unordered_set<const TensorImpl*> impls_of(const py::list& tensors) {
  std::unordered_set<const TensorImpl*> out;
  for (py::handle t : tensors) {
    if (is_tensor(t)) out.insert(t.cast<Tensor>().impl());
  }
  return out;
}

FunctionNodeRef record_function(const std::string& name, py::object backward,
                                py::object ctx, const py::list& inputs,
                                const py::list& outputs,
                                const py::list& non_differentiable,
                                const py::list& dirty, const py::list& saved,
                                bool materialize_grads) {
  std::vector<bool> tensor_inputs;
  TensorList input_tensors;
  for (py::handle a : inputs) {
    tensor_inputs.push_back(is_tensor(a));
    if (is_tensor(a)) input_tensors.push_back(a.cast<Tensor>());
  }
  auto node = make_node<PyFunctionNode>(
      autograd::collect_next_edges_list(input_tensors), name,
      std::move(backward), std::move(ctx), std::move(tensor_inputs),
      materialize_grads);
  const auto skip = impls_of(non_differentiable);
  const auto modified = impls_of(dirty);
  TensorList output_tensors;
  std::vector<bool> skipped, dirtied;
  for (py::handle o : outputs) {
    if (!is_tensor(o)) {
      throw py::type_error("autograd.Function: outputs must be tensors");
    }
    const Tensor t = o.cast<Tensor>();
    output_tensors.push_back(t);
    skipped.push_back(skip.count(t.impl()) != 0);
    dirtied.push_back(modified.count(t.impl()) != 0);
  }
  ops::set_custom_function_history(node, output_tensors, skipped, dirtied);
  for (py::handle s : saved) {
    if (s.is_none()) {
      node->saved_.emplace_back();
      continue;
    }
    if (!is_tensor(s)) {
      throw py::type_error(
          "save_for_backward can only save variables, but argument is not a "
          "Tensor");
    }
    const Tensor t = s.cast<Tensor>();
    bool is_output = false;
    for (const Tensor& o : output_tensors)
      is_output = is_output || o.is_same(t);
    node->saved_.emplace_back(t, is_output);
  }
  return FunctionNodeRef{node};
}

}  // namespace

void bind_function(py::module_& m) {
  py::class_<FunctionNodeRef> ref(m, "_FunctionNodeRef");
  ref.doc() = "A custom Function's ctx link to its graph node.";
  def_method(
      ref, {"saved_tensors(self) -> tuple[Tensor | None, ...]"},
      [](Args& a) -> py::object {
        return a.self<FunctionNodeRef>().saved_tensors();
      },
      "The tensors save_for_backward saved, checked against in-place "
      "changes.");
  ref.def_property_readonly(
      "node",
      [](const FunctionNodeRef& r) -> py::object {
        auto n = r.node.lock();
        return n ? py::cast(std::static_pointer_cast<Node>(n)) : py::none();
      },
      "Node | None\n\nThe node, while the graph holds it.");
  def(
      m,
      {"_record_function(str name, callable backward, object ctx, list "
       "inputs, list outputs, list non_differentiable, list dirty, list "
       "saved, bool materialize_grads) -> _FunctionNodeRef"},
      [](Args& a) -> py::object {
        return py::cast(record_function(a.string(0), a.object(1), a.object(2),
                                        a.list(3), a.list(4), a.list(5),
                                        a.list(6), a.list(7), a.to_bool(8)));
      },
      "Records a custom Function's node as its outputs' history.");
}

}  // namespace ag::python
