// Random generators, the random factories, sampling ops and in-place random
// fills (ops/sampling.h). Every draw takes `generator=`: a torch.Generator
// (whose `_impl` is the C++ generator) or None for the default one.

#include "ops/sampling.h"

#include <cstring>

#include "python/bind_utils.h"

namespace ag::python {

namespace {

Generator* to_generator(const py::object& gen) {
  if (gen.is_none()) return nullptr;
  if (!py::hasattr(gen, "_impl")) {
    throw py::type_error(
        "expected a torch.Generator as 'generator', got " +
        std::string(py::str(py::type::of(gen).attr("__name__"))));
  }
  return gen.attr("_impl").cast<Generator*>();
}

Tensor state_tensor(const std::vector<int64_t>& words) {
  Tensor out = ops::empty({static_cast<int64_t>(words.size())}, DType::Int64);
  std::memcpy(out.raw_data(), words.data(), words.size() * sizeof(int64_t));
  return out;
}

std::vector<int64_t> state_words(const Tensor& t) {
  if (t.dtype() != DType::Int64 || t.dim() != 1) {
    throw py::type_error(
        "RNG state must be a 1-d int64 tensor returned by get_state()");
  }
  const Tensor c = ops::contiguous(t);
  const auto* p = static_cast<const int64_t*>(c.raw_data());
  return {p, p + c.numel()};
}

void bind_generator(py::module_& m) {
  py::class_<Generator, std::shared_ptr<Generator>>(m, "_Generator")
      .def(py::init(
               [](uint64_t seed) { return std::make_shared<Generator>(seed); }),
           py::arg("seed") = Generator::kDefaultSeed)
      .def("manual_seed",
           [](Generator& g, uint64_t seed) {
             std::lock_guard<std::mutex> lock(g.mutex());
             g.manual_seed(seed);
           })
      .def("initial_seed", &Generator::initial_seed)
      // count raw 32-bit words (samplers' shuffles in Python).
      .def("random_raw",
           [](Generator& g, int64_t count) {
             std::lock_guard<std::mutex> lock(g.mutex());
             py::list out(static_cast<size_t>(std::max<int64_t>(count, 0)));
             for (int64_t i = 0; i < count; ++i) {
               out[static_cast<size_t>(i)] = py::int_(g.random());
             }
             return out;
           })
      .def("get_state",
           [](Generator& g) {
             std::lock_guard<std::mutex> lock(g.mutex());
             return state_tensor(g.state());
           })
      .def("set_state", [](Generator& g, const Tensor& state) {
        const std::vector<int64_t> words = state_words(state);
        std::lock_guard<std::mutex> lock(g.mutex());
        g.set_state(words);
      });
  // The process-wide generator, shared (never freed: it lives in the core).
  m.def("_default_generator", [] {
    return std::shared_ptr<Generator>(&default_generator(), [](Generator*) {});
  });
}

void bind_factories(py::module_& m) {
  for (const bool is_normal : {false, true}) {
    const char* name = is_normal ? "randn" : "rand";
    m.def(
        name,
        [is_normal, name](const py::args& size, const py::object& generator,
                          const py::object& dtype, const py::object& device,
                          bool requires_grad) {
          check_device(device);
          const Shape s = shape_from_args(size, name, "size");
          const DType d = dtype_or_default(dtype);
          Generator* gen = to_generator(generator);
          return finish(
              is_normal ? ops::randn(s, d, gen) : ops::rand(s, d, gen),
              requires_grad);
        },
        py::kw_only(), py::arg("generator") = py::none(),
        py::arg("dtype") = py::none(), py::arg("device") = py::none(),
        py::arg("requires_grad") = false);
    m.def(
        is_normal ? "randn_like" : "rand_like",
        [is_normal](const Tensor& like, const py::object& dtype,
                    const py::object& device, bool requires_grad) {
          check_device(device);
          const DType d = to_optional_dtype(dtype).value_or(like.dtype());
          return finish(is_normal ? ops::randn(like.sizes(), d)
                                  : ops::rand(like.sizes(), d),
                        requires_grad);
        },
        py::arg("input"), py::kw_only(), py::arg("dtype") = py::none(),
        py::arg("device") = py::none(), py::arg("requires_grad") = false);
  }
  m.def(
      "randint",
      [](const py::args& args, const py::object& size_kw,
         const py::object& generator, const py::object& dtype,
         const py::object& device, bool requires_grad) {
        check_device(device);
        const size_t n = args.size() + (size_kw.is_none() ? 0 : 1);
        if (n != 2 && n != 3) {
          throw py::type_error(
              "randint() expects (high, size) or (low, high, size)");
        }
        const int64_t low = n == 3 ? args[0].cast<int64_t>() : 0;
        const int64_t high = args[n == 3 ? 1 : 0].cast<int64_t>();
        const Shape size = shape_from_sequence(
            size_kw.is_none() ? py::object(args[args.size() - 1]) : size_kw);
        const DType d = to_optional_dtype(dtype).value_or(DType::Int64);
        return finish(ops::randint(low, high, size, d, to_generator(generator)),
                      requires_grad);
      },
      py::kw_only(), py::arg("size") = py::none(),
      py::arg("generator") = py::none(), py::arg("dtype") = py::none(),
      py::arg("device") = py::none(), py::arg("requires_grad") = false);
  m.def(
      "randperm",
      [](int64_t n, const py::object& generator, const py::object& dtype,
         const py::object& device, bool requires_grad) {
        check_device(device);
        const DType d = to_optional_dtype(dtype).value_or(DType::Int64);
        return finish(ops::randperm(n, d, to_generator(generator)),
                      requires_grad);
      },
      py::arg("n"), py::kw_only(), py::arg("generator") = py::none(),
      py::arg("dtype") = py::none(), py::arg("device") = py::none(),
      py::arg("requires_grad") = false);
}

void bind_draws(TensorClass& cls, py::module_& m) {
  def_both(
      cls, m, "multinomial",
      [](const Tensor& t, int64_t num_samples, bool replacement,
         const py::object& generator) {
        return ops::multinomial(t, num_samples, replacement,
                                to_generator(generator));
      },
      py::arg("num_samples"), py::arg("replacement") = false, py::kw_only(),
      py::arg("generator") = py::none());
  def_both(
      cls, m, "bernoulli",
      [](const Tensor& t, const py::object& p, const py::object& generator) {
        Generator* gen = to_generator(generator);
        return p.is_none() ? ops::bernoulli(t, gen)
                           : ops::bernoulli(t, p.cast<double>(), gen);
      },
      py::arg("p") = py::none(), py::kw_only(),
      py::arg("generator") = py::none());
  m.def(
      "poisson",
      [](const Tensor& t, const py::object& generator) {
        return ops::poisson(t, to_generator(generator));
      },
      py::arg("input"), py::arg("generator") = py::none());
  // normal(mean, std): either may be a tensor; with two numbers a size is
  // required.
  m.def(
      "normal",
      [](py::handle mean, py::handle std, const py::object& size,
         const py::object& generator, const py::object& dtype,
         const py::object& device, bool requires_grad) {
        check_device(device);
        Generator* gen = to_generator(generator);
        const bool mean_t = is_tensor(mean), std_t = is_tensor(std);
        if (mean_t && std_t) {
          return ops::normal(mean.cast<Tensor>(), std.cast<Tensor>(), gen);
        }
        if (mean_t) {
          return ops::normal(mean.cast<Tensor>(), std.cast<double>(), gen);
        }
        if (std_t) {
          return ops::normal(mean.cast<double>(), std.cast<Tensor>(), gen);
        }
        if (size.is_none()) {
          throw py::type_error(
              "normal() received an invalid combination of arguments: two "
              "numbers need a size, as normal(mean, std, size)");
        }
        return finish(ops::normal(mean.cast<double>(), std.cast<double>(),
                                  shape_from_sequence(size),
                                  dtype_or_default(dtype), gen),
                      requires_grad);
      },
      py::arg("mean") = 0.0, py::arg("std") = 1.0, py::arg("size") = py::none(),
      py::kw_only(), py::arg("generator") = py::none(),
      py::arg("dtype") = py::none(), py::arg("device") = py::none(),
      py::arg("requires_grad") = false);
}

void bind_fills(TensorClass& cls) {
  cls.def(
         "uniform_",
         [](Tensor& self, double from, double to,
            const py::object& generator) -> Tensor& {
           return ops::uniform_(self, from, to, to_generator(generator));
         },
         py::arg("from") = 0.0, py::arg("to") = 1.0, py::kw_only(),
         py::arg("generator") = py::none())
      .def(
          "normal_",
          [](Tensor& self, double mean, double std,
             const py::object& generator) -> Tensor& {
            return ops::normal_(self, mean, std, to_generator(generator));
          },
          py::arg("mean") = 0.0, py::arg("std") = 1.0, py::kw_only(),
          py::arg("generator") = py::none())
      .def(
          "random_",
          [](Tensor& self, const py::object& from, const py::object& to,
             const py::object& generator) -> Tensor& {
            Generator* gen = to_generator(generator);
            if (from.is_none() && to.is_none()) return ops::random_(self, gen);
            if (to.is_none()) {
              return ops::random_(self, from.cast<int64_t>(), gen);
            }
            const int64_t lo = from.is_none() ? 0 : from.cast<int64_t>();
            return ops::random_(self, lo, to.cast<int64_t>(), gen);
          },
          py::arg("from") = py::none(), py::arg("to") = py::none(),
          py::kw_only(), py::arg("generator") = py::none())
      .def(
          "bernoulli_",
          [](Tensor& self, py::handle p,
             const py::object& generator) -> Tensor& {
            Generator* gen = to_generator(generator);
            if (is_tensor(p))
              return ops::bernoulli_(self, p.cast<Tensor>(), gen);
            return ops::bernoulli_(self, p.cast<double>(), gen);
          },
          py::arg("p") = 0.5, py::kw_only(), py::arg("generator") = py::none())
      .def(
          "exponential_",
          [](Tensor& self, double lambd,
             const py::object& generator) -> Tensor& {
            return ops::exponential_(self, lambd, to_generator(generator));
          },
          py::arg("lambd") = 1.0, py::kw_only(),
          py::arg("generator") = py::none())
      .def(
          "geometric_",
          [](Tensor& self, double p, const py::object& generator) -> Tensor& {
            return ops::geometric_(self, p, to_generator(generator));
          },
          py::arg("p"), py::kw_only(), py::arg("generator") = py::none())
      .def(
          "cauchy_",
          [](Tensor& self, double median, double sigma,
             const py::object& generator) -> Tensor& {
            return ops::cauchy_(self, median, sigma, to_generator(generator));
          },
          py::arg("median") = 0.0, py::arg("sigma") = 1.0, py::kw_only(),
          py::arg("generator") = py::none())
      .def(
          "log_normal_",
          [](Tensor& self, double mean, double std,
             const py::object& generator) -> Tensor& {
            return ops::log_normal_(self, mean, std, to_generator(generator));
          },
          py::arg("mean") = 1.0, py::arg("std") = 2.0, py::kw_only(),
          py::arg("generator") = py::none());
}

}  // namespace

void bind_sampling(py::module_& m) {
  auto cls = py::reinterpret_borrow<TensorClass>(m.attr("Tensor"));
  bind_generator(m);
  bind_factories(m);
  bind_draws(cls, m);
  bind_fills(cls);
}

}  // namespace ag::python
