// Fused optimizer steps: one call updates every parameter of a group.

#include "ops/optim.h"
#include "python/bind_utils.h"

namespace ag::python {

namespace {

// A list of tensors, None standing for an undefined one where allowed.
std::vector<Tensor> tensor_list(const py::list& items, const char* what,
                                bool allow_none) {
  std::vector<Tensor> out;
  out.reserve(items.size());
  for (py::handle h : items) {
    if (allow_none && h.is_none()) {
      out.emplace_back();
    } else if (is_tensor(h)) {
      out.push_back(h.cast<Tensor>());
    } else {
      throw py::type_error(
          std::string("optimizer step: ") + what +
          " must be a list of tensors" + (allow_none ? " or None" : "") +
          ", got " + std::string(py::str(py::type::of(h).attr("__name__"))));
    }
  }
  return out;
}

}  // namespace

void bind_optim(py::module_& m) {
  m.def("_sgd_step", [](const py::list& params, const py::list& grads,
                        const py::list& bufs, const std::vector<bool>& first,
                        double lr, double momentum, double dampening,
                        double weight_decay, bool nesterov, bool maximize) {
    const ops::SgdOptions o{lr,           momentum, dampening,
                            weight_decay, nesterov, maximize};
    const auto p = tensor_list(params, "params", false);
    const auto g = tensor_list(grads, "grads", false);
    const auto b = tensor_list(bufs, "momentum_buffers", true);
    py::gil_scoped_release no_gil;
    ops::sgd_step(p, g, b, first, o);
  });
  m.def("_adam_step",
        [](const py::list& params, const py::list& grads,
           const py::list& exp_avgs, const py::list& exp_avg_sqs,
           const py::list& max_exp_avg_sqs, const std::vector<int64_t>& steps,
           double lr, double beta1, double beta2, double eps,
           double weight_decay, bool amsgrad, bool maximize, bool decoupled) {
          const ops::AdamOptions o{lr,           beta1,   beta2,    eps,
                                   weight_decay, amsgrad, maximize, decoupled};
          const auto p = tensor_list(params, "params", false);
          const auto g = tensor_list(grads, "grads", false);
          const auto m1 = tensor_list(exp_avgs, "exp_avgs", false);
          const auto m2 = tensor_list(exp_avg_sqs, "exp_avg_sqs", false);
          const auto mx = tensor_list(max_exp_avg_sqs, "max_exp_avg_sqs", true);
          py::gil_scoped_release no_gil;
          ops::adam_step(p, g, m1, m2, mx, steps, o);
        });
  m.def("_rmsprop_step",
        [](const py::list& params, const py::list& grads,
           const py::list& square_avgs, const py::list& bufs,
           const py::list& grad_avgs, double lr, double alpha, double eps,
           double weight_decay, double momentum, bool centered, bool maximize) {
          const ops::RmspropOptions o{lr,       alpha,    eps,     weight_decay,
                                      momentum, centered, maximize};
          const auto p = tensor_list(params, "params", false);
          const auto g = tensor_list(grads, "grads", false);
          const auto sq = tensor_list(square_avgs, "square_avgs", false);
          const auto b = tensor_list(bufs, "momentum_buffers", true);
          const auto ga = tensor_list(grad_avgs, "grad_avgs", true);
          py::gil_scoped_release no_gil;
          ops::rmsprop_step(p, g, sq, b, ga, o);
        });
}

}  // namespace ag::python
