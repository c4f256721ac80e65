#include "autograd/engine.h"

#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "autograd/anomaly_mode.h"
#include "autograd/autograd_meta.h"
#include "autograd/engine_ops.h"
#include "autograd/forward_ad.h"
#include "autograd/grad_mode.h"
#include "autograd/saved_variable.h"
#include "compile/capture.h"
#include "core/profiler.h"

namespace ag::autograd {

namespace {

// Anomaly mode: a NaN gradient stops backward at the node that made it,
// showing where that node was created in the forward pass.
void check_for_nan(const Node& fn, const variable_list& outputs) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (!outputs[i].defined() || !engine_ops::has_nan(outputs[i])) continue;
    std::string message =
        detail::str_cat("Function '", fn.name(),
                        "' returned nan values in its ", i, "th output.");
    if (!fn.creation_trace().empty()) {
      message += "\nThe forward call that created this node was:\n" +
                 fn.creation_trace();
    } else {
      message +=
          "\n(No forward trace: the node was created before anomaly "
          "detection was turned on.)";
    }
    throw Error(message);
  }
}

// The node that starts a backward pass: it hands out the root gradients.
class GraphRoot : public Node {
 public:
  GraphRoot(edge_list&& roots, variable_list grads)
      : Node(std::move(roots)), grads_(std::move(grads)) {}
  variable_list apply(variable_list&& /*unused*/) override { return grads_; }
  std::string name() const override { return "GraphRoot"; }

 private:
  variable_list grads_;
};

// Gradients arriving at one node, summed per input slot as they come.
void accumulate_into(variable_list& buffer, size_t pos, Tensor&& grad,
                     bool create_graph) {
  Tensor& slot = buffer[pos];
  if (!slot.defined()) {
    slot = std::move(grad);
  } else if (!create_graph && !forward_ad::any_dual(slot, grad) &&
             has_private_buffer(slot) &&
             is_non_overlapping_and_dense(slot.sizes(), slot.strides()) &&
             slot.sizes() == grad.sizes() && slot.dtype() == grad.dtype()) {
    engine_ops::add_inplace(slot, grad);
  } else {
    slot = engine_ops::add(slot, grad);
  }
}

// Brings a node's output gradient to the shape and dtype of the forward
// tensor it belongs to: broadcasting is undone here, in one place.
Tensor validate_grad(Tensor grad, const Node& producer, size_t index,
                     const InputMetadata& meta) {
  if (grad.sizes() != meta.shape) {
    AG_CHECK(is_expandable_to(meta.shape, grad.sizes()), "Function ",
             producer.name(), " returned an invalid gradient at index ", index,
             " - got ", shape_str(grad.sizes()),
             " but expected shape compatible with ", shape_str(meta.shape));
    grad = engine_ops::sum_to(grad, meta.shape);
  }
  if (grad.dtype() != meta.dtype) grad = engine_ops::to_dtype(grad, meta.dtype);
  return grad;
}

struct ReadyTask {
  std::shared_ptr<Node> fn;
  variable_list inputs;
};
struct ReadyOrder {
  bool operator()(const ReadyTask& a, const ReadyTask& b) const {
    return a.fn->sequence_nr() < b.fn->sequence_nr();
  }
};

// Where autograd.grad (or backward(inputs=...)) wants a gradient captured:
// slot `input_nr` of a node, stored at `output_index` of the result.
struct Capture {
  uint32_t input_nr;
  size_t output_index;
};

class GraphTask {
 public:
  GraphTask(bool keep_graph, bool create_graph, NodeFilter allowed = nullptr)
      : keep_graph_(keep_graph),
        create_graph_(create_graph),
        allowed_(std::move(allowed)) {}

  // Runs the graph below `root`. With captures, only nodes leading to a
  // captured slot run, and captured gradients are returned instead of being
  // passed on (unless `accumulate` lets the captured nodes run too).
  variable_list execute(const std::shared_ptr<Node>& root,
                        const edge_list& capture_edges, bool accumulate) {
    root_ = root.get();
    count_dependencies(root.get());
    captured_.resize(capture_edges.size());
    if (!capture_edges.empty())
      mark_needed(root.get(), capture_edges, accumulate);

    AutoGradMode grad_mode(create_graph_);
    std::priority_queue<ReadyTask, std::vector<ReadyTask>, ReadyOrder> ready;
    ready.push({root, {}});
    while (!ready.empty()) {
      ReadyTask task = std::move(const_cast<ReadyTask&>(ready.top()));
      ready.pop();
      Node& fn = *task.fn;
      const bool run = !filtering_ || needed_.count(&fn) > 0;
      // The node and the hand-over of its gradients, as PyTorch's profiler
      // names it.
      profiler::RecordScope evaluate;
      if (profiler::enabled() && run && task.fn != root) {
        evaluate.open("autograd::engine::evaluate_function: " + fn.name(),
                      profiler::EventKind::Backward, task.inputs,
                      fn.sequence_nr());
      }
      const bool captured = !captures_.empty() && captures_.count(&fn) > 0;
      if ((run || captured) && any_defined(task.inputs)) {
        task.inputs = fn.run_pre_hooks(std::move(task.inputs));
      }
      if (captured) capture_inputs(fn, task.inputs);
      variable_list outputs;
      if (run) outputs = run_node(fn, std::move(task.inputs));
      const edge_list& edges = fn.next_edges();
      for (size_t i = 0; i < edges.size(); ++i) {
        const Edge& edge = edges[i];
        if (!edge.is_valid()) continue;
        Node* next = edge.function.get();
        PendingNode& state = pending_.find(next)->second;
        if (state.inputs.empty()) state.inputs.resize(next->num_inputs());
        if (run && i < outputs.size() && outputs[i].defined()) {
          accumulate_into(state.inputs, edge.input_nr,
                          validate_grad(std::move(outputs[i]), fn, i,
                                        next->input_metadata(edge.input_nr)),
                          create_graph_);
        }
        if (--state.dependencies == 0) {
          ready.push({edge.function, std::move(state.inputs)});
        }
      }
    }
    return std::move(captured_);
  }

 private:
  static bool any_defined(const variable_list& grads) {
    for (const Tensor& g : grads) {
      if (g.defined()) return true;
    }
    return false;
  }

  variable_list run_node(Node& fn, variable_list&& inputs) {
    if (!any_defined(inputs) && !inputs.empty()) {
      return variable_list(fn.num_outputs());
    }
    // Nodes may assume all their incoming gradients exist: a missing one
    // (an output that did not reach the loss) is zero.
    for (size_t i = 0; i < inputs.size() && fn.wants_zero_filled_grads(); ++i) {
      if (!inputs[i].defined()) {
        const InputMetadata& m = fn.input_metadata(i);
        inputs[i] = engine_ops::zeros(m.shape, m.dtype);
      }
    }
    variable_list outputs;
    try {
      profiler::RecordScope scope;
      if (profiler::enabled() && &fn != root_) {
        scope.open(fn.name(), profiler::EventKind::Backward, inputs,
                   fn.sequence_nr());
      }
      outputs = fn.run(std::move(inputs));
    } catch (const Error& e) {
      const std::string what = e.what();
      if (what == kBackwardTwiceMessage)
        throw Error(backward_twice_message(fn.name()));
      if (what.rfind("one of the variables needed", 0) == 0 &&
          what.find("saved by") == std::string::npos) {
        throw Error(detail::str_cat(what, " (The tensor was saved by ",
                                    fn.name(), ".)"));
      }
      throw;
    }
    if (!keep_graph_) fn.release_variables();
    if (AnomalyMode::is_enabled()) check_for_nan(fn, outputs);
    AG_CHECK(outputs.size() == fn.num_outputs() || outputs.empty(), "function ",
             fn.name(),
             " returned an incorrect number of "
             "gradients (expected ",
             fn.num_outputs(), ", got ", outputs.size(), ")");
    return outputs;
  }

  void capture_inputs(const Node& fn, const variable_list& inputs) {
    auto it = captures_.find(&fn);
    if (it == captures_.end()) return;
    for (const Capture& c : it->second) {
      if (c.input_nr < inputs.size())
        captured_[c.output_index] = inputs[c.input_nr];
    }
  }

  // One map entry per node below the root: how many gradients it still
  // waits for, and the buffer they are summed into.
  void count_dependencies(Node* root) {
    std::vector<Node*> stack{root};
    while (!stack.empty()) {
      Node* fn = stack.back();
      stack.pop_back();
      for (const Edge& edge : fn->next_edges()) {
        Node* next = edge.function.get();
        if (!next) continue;
        auto [it, first_visit] = pending_.try_emplace(next);
        ++it->second.dependencies;
        if (first_visit) stack.push_back(next);
      }
    }
  }

  // Marks the nodes on some path from root to a captured node; only those run.
  void mark_needed(Node* root, const edge_list& capture_edges,
                   bool accumulate) {
    filtering_ = true;
    std::unordered_set<Node*> targets;
    for (size_t i = 0; i < capture_edges.size(); ++i) {
      Node* fn = capture_edges[i].function.get();
      if (!fn) continue;
      if (!accumulate) {
        captures_[fn].push_back({capture_edges[i].input_nr, i});
      } else {
        needed_.insert(fn);
      }
      targets.insert(fn);
    }
    // Iterative post-order walk: a node is needed when a child is a target
    // or is itself needed. With a filter, gradients pass only through the
    // nodes it allows (the root always).
    auto passable = [&](Node* fn) {
      return fn == root || !allowed_ || allowed_(*fn);
    };
    std::unordered_map<Node*, bool> reaches;
    std::vector<std::pair<Node*, size_t>> stack{{root, 0}};
    reaches[root] = false;
    while (!stack.empty()) {
      auto& [fn, next_child] = stack.back();
      const edge_list& edges = fn->next_edges();
      if (next_child < edges.size()) {
        Node* child = edges[next_child++].function.get();
        if (child && reaches.find(child) == reaches.end()) {
          reaches[child] = false;
          stack.emplace_back(child, 0);
        }
        continue;
      }
      bool hit = false;
      for (const Edge& e : edges) {
        Node* child = e.function.get();
        if (child && (targets.count(child) || reaches[child])) hit = true;
      }
      hit = hit && passable(fn);
      reaches[fn] = hit;
      if (hit) needed_.insert(fn);
      stack.pop_back();
    }
  }

  bool keep_graph_;
  bool create_graph_;
  const Node* root_ = nullptr;
  NodeFilter allowed_;
  bool filtering_ = false;
  struct PendingNode {
    int dependencies = 0;
    variable_list inputs;
  };
  std::unordered_map<Node*, PendingNode> pending_;
  std::unordered_set<Node*> needed_;
  std::unordered_map<const Node*, std::vector<Capture>> captures_;
  variable_list captured_;
};

// Root edges and their gradients; implicit gradients only for one element.
std::shared_ptr<Node> make_root(const TensorList& roots,
                                const TensorList& grad_roots) {
  AG_CHECK(grad_roots.empty() || grad_roots.size() == roots.size(), "got ",
           grad_roots.size(), " gradients for ", roots.size(), " tensors");
  edge_list edges;
  variable_list grads;
  for (size_t i = 0; i < roots.size(); ++i) {
    const Tensor& root = roots[i];
    Edge edge = gradient_edge(root);
    AG_CHECK(edge.is_valid(), "element ", i,
             " of tensors does not require grad and does not have a grad_fn. "
             "No tensor that required grad went into it while graph recording "
             "was on: either no input had requires_grad=True, or the path was "
             "cut (computed under no_grad(), through detach() or .data, or "
             "re-wrapped with .item()/.numpy()/tensor(...)). Setting "
             "requires_grad=True on the result itself will not make the "
             "inputs learn: set it on the parameters before computing.");
    Tensor g = i < grad_roots.size() ? grad_roots[i] : Tensor();
    if (!g.defined()) {
      AG_CHECK(root.numel() == 1,
               "grad can be implicitly created only for scalar outputs (this "
               "output has shape ",
               shape_str(root.sizes()),
               "). Reduce it to one value first (.sum() or .mean()), pass the "
               "weight of each element with backward(gradient=...), or get "
               "the full Jacobian with autograd.functional.jacobian.");
      g = engine_ops::ones_like(root);
    } else {
      AG_CHECK(g.sizes() == root.sizes(), "Mismatch in shape: grad_output[", i,
               "] has a shape of torch.Size(", shape_str(g.sizes()),
               ") and output[", i, "] has a shape of torch.Size(",
               shape_str(root.sizes()), ").");
      AG_CHECK(is_floating(g.dtype()) || !is_floating(root.dtype()),
               "grad_output[", i, "] must be a floating point tensor");
    }
    edges.push_back(std::move(edge));
    grads.push_back(std::move(g));
  }
  return make_node<GraphRoot>(std::move(edges), std::move(grads));
}

}  // namespace

void backward(const TensorList& roots, const TensorList& grad_roots,
              bool keep_graph, bool create_graph, const TensorList& inputs) {
  // Note [Capture and replay]: a capture records the whole pass as one step.
  if (auto* rec = compile::Recorder::armed()) {
    TensorList all = roots;
    all.insert(all.end(), grad_roots.begin(), grad_roots.end());
    all.insert(all.end(), inputs.begin(), inputs.end());
    rec->call("backward", all,
              [n = roots.size(), g = grad_roots.size(), keep_graph,
               create_graph](const TensorList& in) {
                const auto at = [&](size_t from, size_t to) {
                  return TensorList(in.begin() + static_cast<long>(from),
                                    in.begin() + static_cast<long>(to));
                };
                backward(at(0, n), at(n, n + g), keep_graph, create_graph,
                         at(n + g, in.size()));
                return TensorList{};
              });
    rec->annotate({static_cast<double>(roots.size()),
                   static_cast<double>(grad_roots.size()),
                   keep_graph ? 1.0 : 0.0, create_graph ? 1.0 : 0.0});
    if (!inputs.empty()) rec->annotate({});  // backward(inputs=...)
    return;
  }
  auto root = make_root(roots, grad_roots);
  if (inputs.empty()) {
    GraphTask task(keep_graph, create_graph);
    task.execute(root, {}, /*accumulate=*/true);
    return;
  }
  // With `inputs`, only their gradients are computed: captured like
  // autograd.grad, then accumulated into each input's .grad (a leaf through
  // its AccumulateGrad, so its hooks run; a non-leaf directly).
  edge_list capture_edges;
  for (const Tensor& input : inputs) {
    Edge e = gradient_edge(input);
    AG_CHECK(e.is_valid(),
             "One of the differentiated Tensors does not require grad");
    capture_edges.push_back(std::move(e));
  }
  GraphTask task(keep_graph, create_graph);
  TensorList grads = task.execute(root, capture_edges, /*accumulate=*/false);
  AutoGradMode grad_mode(create_graph);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!grads[i].defined()) continue;
    if (is_leaf(inputs[i])) {
      capture_edges[i].function->run({grads[i]});
      continue;
    }
    AutogradMeta& m = materialize_meta(inputs[i]);
    m.grad = m.grad.defined() ? engine_ops::add(m.grad, grads[i])
                              : engine_ops::clone(grads[i]);
  }
}

TensorList grad(const TensorList& outputs, const TensorList& inputs,
                const TensorList& grad_outputs, bool keep_graph,
                bool create_graph, bool allow_unused,
                const NodeFilter& allowed) {
  if (auto* rec = compile::Recorder::armed()) {
    if (allowed) {
      rec->fail(
          "a GradientTape gradient (its recording window is Python state)");
    } else {
      TensorList all = outputs;
      all.insert(all.end(), inputs.begin(), inputs.end());
      all.insert(all.end(), grad_outputs.begin(), grad_outputs.end());
      return rec->call(
          "grad", all,
          [n = outputs.size(), m = inputs.size(), keep_graph, create_graph,
           allow_unused](const TensorList& in) {
            const auto at = [&](size_t from, size_t to) {
              return TensorList(in.begin() + static_cast<long>(from),
                                in.begin() + static_cast<long>(to));
            };
            return grad(at(0, n), at(n, n + m), at(n + m, in.size()),
                        keep_graph, create_graph, allow_unused);
          });
    }
  }
  auto root = make_root(outputs, grad_outputs);
  edge_list capture_edges;
  for (const Tensor& input : inputs) {
    Edge e = gradient_edge(input);
    AG_CHECK(e.is_valid(),
             "One of the differentiated Tensors does not require grad");
    capture_edges.push_back(std::move(e));
  }
  GraphTask task(keep_graph, create_graph, allowed);
  TensorList result = task.execute(root, capture_edges, /*accumulate=*/false);
  for (size_t i = 0; i < result.size(); ++i) {
    AG_CHECK(result[i].defined() || allow_unused,
             "One of the differentiated Tensors appears to not have been used "
             "in the graph. Set allow_unused=True if this is the desired "
             "behavior.");
  }
  return result;
}

}  // namespace ag::autograd
