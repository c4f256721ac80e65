#pragma once

// The C++ API in one header, mirroring the Python one:
//
//   #include <autograd_cpp/autograd_cpp.h>
//   ag::Tensor x = ag::randn({8, 3});
//   ag::Tensor w = ag::randn({3, 1}).requires_grad_();
//   ag::Tensor loss = ag::mse_loss(x.matmul(w), ag::zeros({8, 1}));
//   loss.backward();
//   {
//     ag::NoGradGuard no_grad;            // with torch.no_grad():
//     w -= 0.1 * w.grad();
//   }
//   std::cout << loss << "\n";            // tensor(...,
//   grad_fn=<MseLossBackward0>)
//
// Every differentiable op of csrc/ops/ is reachable as ag::name (they live in
// ag::ops) and the common ones as methods; ag::nn and ag::optim give modules
// and optimizers, ag::data datasets and a loader. Errors throw ag::Error (a
// std::runtime_error).

#include <optional>
#include <vector>

#include "autograd/autograd_meta.h"
#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "autograd_cpp/data.h"
#include "autograd_cpp/factories.h"
#include "autograd_cpp/lr_scheduler.h"
#include "autograd_cpp/nn.h"
#include "autograd_cpp/optim.h"
#include "autograd_cpp/serialize.h"
#include "autograd_cpp/version.h"
#include "ops/ops.h"

namespace ag {

using namespace ops;  // NOLINT(build/namespaces): ag::add, ag::matmul, ...

// ag::manual_seed, ag::set_num_threads and ag::get_num_threads come from
// ops/runtime.h through the using-directive above.

// torch.autograd.backward(tensor, grad_tensors, retain_graph, create_graph).
inline void backward(const Tensor& root, const Tensor& gradient = Tensor(),
                     std::optional<bool> retain_graph = std::nullopt,
                     bool create_graph = false) {
  root.backward(gradient, retain_graph, create_graph);
}

namespace autograd {
// torch.autograd.grad(outputs, inputs, grad_outputs=None, retain_graph=None,
// create_graph=False, allow_unused=False); retain_graph defaults to
// create_graph.
inline TensorList grad(const TensorList& outputs, const TensorList& inputs,
                       const TensorList& grad_outputs = {},
                       std::optional<bool> retain_graph = std::nullopt,
                       bool create_graph = false, bool allow_unused = false) {
  return grad(outputs, inputs, grad_outputs,
              retain_graph.value_or(create_graph), create_graph, allow_unused,
              nullptr);
}
}  // namespace autograd

// The free-function spellings of the methods, kept for existing code.
[[deprecated("use t.requires_grad_(requires) (returns t)")]] inline Tensor
requires_grad(Tensor t, bool requires = true) {
  t.requires_grad_(requires);
  return t;
}
[[deprecated("use t.requires_grad()")]] inline bool requires_grad_flag(
    const Tensor& t) {
  return t.requires_grad();
}
[[deprecated(
    "use t.grad(); ag::autograd::grad(outputs, inputs) is "
    "torch.autograd.grad")]]
inline Tensor grad(const Tensor& t) {
  return t.grad();
}
// x.grad = None
inline void zero_grad(const Tensor& t) {
  t.set_grad(Tensor());
}
inline bool is_leaf(const Tensor& t) {
  return t.is_leaf();
}

}  // namespace ag
