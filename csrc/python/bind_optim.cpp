// Fused optimizer steps: one call updates every parameter of a group.

#include "kernels/optim.h"
#include "python/bind_utils.h"

namespace ag::python {

namespace {

Tensor optional_at(const py::list& items, size_t i) {
  py::handle h = items[i];
  return h.is_none() ? Tensor() : h.cast<Tensor>();
}

}  // namespace

void bind_optim(py::module_& m) {
  m.def("_sgd_step", [](const py::list& params, const py::list& grads,
                        const py::list& bufs, const std::vector<bool>& first,
                        double lr, double momentum, double dampening,
                        double weight_decay, bool nesterov, bool maximize) {
    kernels::SgdOptions o{lr,           momentum, dampening,
                          weight_decay, nesterov, maximize};
    std::vector<Tensor> p, g, b;
    for (size_t i = 0; i < params.size(); ++i) {
      p.push_back(params[i].cast<Tensor>());
      g.push_back(grads[i].cast<Tensor>());
      b.push_back(optional_at(bufs, i));
    }
    py::gil_scoped_release no_gil;
    for (size_t i = 0; i < p.size(); ++i) {
      kernels::sgd_step(p[i], g[i], b[i], first.at(i), o);
      p[i].impl()->bump_version("SGD.step");
    }
  });
  m.def("_adam_step",
        [](const py::list& params, const py::list& grads,
           const py::list& exp_avgs, const py::list& exp_avg_sqs,
           const py::list& max_exp_avg_sqs, const std::vector<int64_t>& steps,
           double lr, double beta1, double beta2, double eps,
           double weight_decay, bool amsgrad, bool maximize, bool decoupled) {
          kernels::AdamOptions o{lr,           beta1,   beta2,    eps,
                                 weight_decay, amsgrad, maximize, decoupled};
          std::vector<Tensor> p, g, m1, m2, mx;
          for (size_t i = 0; i < params.size(); ++i) {
            p.push_back(params[i].cast<Tensor>());
            g.push_back(grads[i].cast<Tensor>());
            m1.push_back(exp_avgs[i].cast<Tensor>());
            m2.push_back(exp_avg_sqs[i].cast<Tensor>());
            mx.push_back(optional_at(max_exp_avg_sqs, i));
          }
          py::gil_scoped_release no_gil;
          for (size_t i = 0; i < p.size(); ++i) {
            kernels::adam_step(p[i], g[i], m1[i], m2[i], mx[i], steps.at(i), o);
            p[i].impl()->bump_version(decoupled ? "AdamW.step" : "Adam.step");
          }
        });
  m.def("_rmsprop_step",
        [](const py::list& params, const py::list& grads,
           const py::list& square_avgs, const py::list& bufs,
           const py::list& grad_avgs, double lr, double alpha, double eps,
           double weight_decay, double momentum, bool centered, bool maximize) {
          kernels::RmspropOptions o{lr,       alpha,    eps,     weight_decay,
                                    momentum, centered, maximize};
          std::vector<Tensor> p, g, sq, b, ga;
          for (size_t i = 0; i < params.size(); ++i) {
            p.push_back(params[i].cast<Tensor>());
            g.push_back(grads[i].cast<Tensor>());
            sq.push_back(square_avgs[i].cast<Tensor>());
            b.push_back(optional_at(bufs, i));
            ga.push_back(optional_at(grad_avgs, i));
          }
          py::gil_scoped_release no_gil;
          for (size_t i = 0; i < p.size(); ++i) {
            kernels::rmsprop_step(p[i], g[i], sq[i], b[i], ga[i], o);
            p[i].impl()->bump_version("RMSprop.step");
          }
        });
}

}  // namespace ag::python
