// Fused optimizer steps: one call updates every parameter of a group.

#include "ops/optim.h"
#include "python/bind_utils.h"

namespace ag::python {

namespace {

py::sequence sequence_of(const py::object& obj, const char* what) {
  if (!PyList_Check(obj.ptr()) && !PyTuple_Check(obj.ptr())) {
    throw py::type_error(std::string("optimizer step: ") + what +
                         " must be a list, got " + type_name_of(obj.ptr()));
  }
  return py::reinterpret_borrow<py::sequence>(obj);
}

// A list of tensors, None standing for an undefined one where allowed.
std::vector<Tensor> tensor_list(const py::object& items, const char* what,
                                bool allow_none) {
  std::vector<Tensor> out;
  for (py::handle h : sequence_of(items, what)) {
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
  def(
      m,
      {"_sgd_step(Tensor[] params, Tensor[] grads, object momentum_buffers, "
       "object first_step, float lr, float momentum, float dampening, float "
       "weight_decay, bool nesterov, bool maximize) -> None"},
      [](Args& a) {
        const ops::SgdOptions o{a.to_double(4), a.to_double(5), a.to_double(6),
                                a.to_double(7), a.to_bool(8),   a.to_bool(9)};
        const auto p = a.tensor_list(0), g = a.tensor_list(1);
        const auto b = tensor_list(a.object(2), "momentum_buffers", true);
        std::vector<bool> first;
        for (py::handle f : sequence_of(a.object(3), "first_step")) {
          first.push_back(PyObject_IsTrue(f.ptr()) == 1);
        }
        {
          py::gil_scoped_release no_gil;
          ops::sgd_step(p, g, b, first, o);
        }
        return py::none();
      },
      "SGD's update of one parameter group, in place.");
  def(
      m,
      {"_adam_step(Tensor[] params, Tensor[] grads, Tensor[] exp_avgs, "
       "Tensor[] exp_avg_sqs, object max_exp_avg_sqs, Tensor[] steps, float "
       "lr, "
       "float beta1, float beta2, float eps, float weight_decay, bool "
       "amsgrad, bool maximize, bool decoupled) -> None"},
      [](Args& a) {
        const ops::AdamOptions o{
            a.to_double(6),  a.to_double(7), a.to_double(8), a.to_double(9),
            a.to_double(10), a.to_bool(11),  a.to_bool(12),  a.to_bool(13)};
        const auto p = a.tensor_list(0), g = a.tensor_list(1),
                   m1 = a.tensor_list(2), m2 = a.tensor_list(3);
        const auto mx = tensor_list(a.object(4), "max_exp_avg_sqs", true);
        const auto steps = a.tensor_list(5);
        {
          py::gil_scoped_release no_gil;
          ops::adam_step(p, g, m1, m2, mx, steps, o);
        }
        return py::none();
      },
      "Adam's (AdamW's) update of one parameter group, in place.");
  def(
      m,
      {"_rmsprop_step(Tensor[] params, Tensor[] grads, Tensor[] square_avgs, "
       "object momentum_buffers, object grad_avgs, float lr, float alpha, "
       "float eps, float weight_decay, float momentum, bool centered, bool "
       "maximize) -> None"},
      [](Args& a) {
        const ops::RmspropOptions o{
            a.to_double(5), a.to_double(6), a.to_double(7), a.to_double(8),
            a.to_double(9), a.to_bool(10),  a.to_bool(11)};
        const auto p = a.tensor_list(0), g = a.tensor_list(1),
                   sq = a.tensor_list(2);
        const auto b = tensor_list(a.object(3), "momentum_buffers", true);
        const auto ga = tensor_list(a.object(4), "grad_avgs", true);
        {
          py::gil_scoped_release no_gil;
          ops::rmsprop_step(p, g, sq, b, ga, o);
        }
        return py::none();
      },
      "RMSprop's update of one parameter group, in place.");
}

}  // namespace ag::python
