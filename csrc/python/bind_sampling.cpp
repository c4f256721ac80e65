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
  py::class_<Generator, std::shared_ptr<Generator>> gen(m, "_Generator");
  gen.doc() = "The C++ random generator behind torch.Generator.";
  // Constructors stay pybind11's (they build the C++ object in place).
  gen.def(py::init([](const py::args& args) {
    if (args.size() > 1) {
      throw py::type_error("_Generator() takes at most one argument (a seed)");
    }
    return std::make_shared<Generator>(args.empty() ? Generator::kDefaultSeed
                                                    : args[0].cast<uint64_t>());
  }));
  def_method(
      gen, {"manual_seed(self, int seed) -> None"},
      [](Args& a) {
        Generator& g = a.self<Generator>();
        const auto seed = a.object(1).cast<uint64_t>();
        std::lock_guard<std::mutex> lock(g.mutex());
        g.manual_seed(seed);
        return py::none();
      },
      "Reseeds the generator.");
  def_method(
      gen, {"initial_seed(self) -> _int"},
      [](Args& a) -> py::object {
        return py::int_(a.self<Generator>().initial_seed());
      },
      "The seed the generator was last seeded with.");
  def_method(
      gen, {"random_raw(self, int count) -> list[_int]"},
      [](Args& a) -> py::object {
        // count raw 32-bit words (samplers' shuffles in Python).
        Generator& g = a.self<Generator>();
        const int64_t count = a.to_int(1);
        std::lock_guard<std::mutex> lock(g.mutex());
        py::list out(static_cast<size_t>(std::max<int64_t>(count, 0)));
        for (int64_t i = 0; i < count; ++i) {
          out[static_cast<size_t>(i)] = py::int_(g.random());
        }
        return out;
      },
      "The next count raw 32-bit words of the generator's stream.");
  def_method(
      gen, {"get_state(self) -> Tensor"},
      [](Args& a) {
        Generator& g = a.self<Generator>();
        std::lock_guard<std::mutex> lock(g.mutex());
        return wrap(state_tensor(g.state()));
      },
      "The generator's state as a 1-d int64 tensor.");
  def_method(
      gen, {"set_state(self, Tensor state) -> None"},
      [](Args& a) {
        Generator& g = a.self<Generator>();
        const std::vector<int64_t> words = state_words(a.tensor(1));
        std::lock_guard<std::mutex> lock(g.mutex());
        g.set_state(words);
        return py::none();
      },
      "Restores a state returned by get_state.");
  // The process-wide generator, shared (never freed: it lives in the core).
  def(
      m, {"_default_generator() -> _Generator"},
      [](Args&) {
        return py::cast(std::shared_ptr<Generator>(&default_generator(),
                                                   [](Generator*) {}));
      },
      "The process-wide default generator.");
}

// The keyword arguments of the random factories.
constexpr const char* kRandomKwargs =
    "object generator=None, dtype? dtype=None, object device=None, bool "
    "requires_grad=False) -> Tensor";

std::string random_factory(const std::string& head) {
  return head + ", *, " + kRandomKwargs;
}

void bind_factories(py::module_& m) {
  for (const bool is_normal : {false, true}) {
    const std::string name = is_normal ? "randn" : "rand";
    def(
        m, {random_factory(name + "(int... size")},
        [is_normal](Args& a) {
          check_device(a.object(3));
          const Shape s = a.shape(0);
          const DType d = a.optional_dtype(2).value_or(default_dtype());
          Generator* gen = to_generator(a.object(1));
          const bool rg = a.to_bool(4);
          return wrap(is_normal ? ops::user::randn(s, d, gen, rg)
                                : ops::user::rand(s, d, gen, rg));
        },
        is_normal ? "Standard normal samples." : "Uniform samples in [0, 1).");
    def(
        m,
        {name +
         "_like(Tensor input, *, dtype? dtype=None, object device=None, bool "
         "requires_grad=False) -> Tensor"},
        [is_normal](Args& a) {
          check_device(a.object(2));
          const Tensor like = a.tensor(0);
          const DType d = a.optional_dtype(1).value_or(like.dtype());
          const bool rg = a.to_bool(3);
          return wrap(is_normal
                          ? ops::user::randn(like.sizes(), d, nullptr, rg)
                          : ops::user::rand(like.sizes(), d, nullptr, rg));
        },
        is_normal ? "Standard normal samples with input's size and dtype."
                  : "Uniform samples in [0, 1) with input's size and dtype.");
  }
  def(
      m,
      {random_factory("randint(int high, int[] size"),
       random_factory("randint(int low, int high, int[] size")},
      [](Args& a) {
        const bool short_form = a.index() == 0;
        const size_t kw = short_form ? 2 : 3;
        check_device(a.object(kw + 2));
        const int64_t low = short_form ? 0 : a.to_int(0);
        const int64_t high = a.to_int(kw - 2);
        const DType d = a.optional_dtype(kw + 1).value_or(DType::Int64);
        return wrap(ops::user::randint(low, high, a.shape(kw - 1), d,
                                       to_generator(a.object(kw)),
                                       a.to_bool(kw + 3)));
      },
      "Integer samples uniform in [low, high).");
  def(
      m, {random_factory("randperm(int n")},
      [](Args& a) {
        check_device(a.object(3));
        const DType d = a.optional_dtype(2).value_or(DType::Int64);
        return wrap(
            finish(ops::randperm(a.to_int(0), d, to_generator(a.object(1))),
                   a.to_bool(4)));
      },
      "A random permutation of 0 .. n-1.");
}

void bind_draws(TensorClass& cls, py::module_& m) {
  def_both(
      cls, m,
      {"multinomial(Tensor input, int num_samples, bool replacement=False, *, "
       "object generator=None) -> Tensor"},
      [](Args& a) {
        return wrap(ops::multinomial(a.tensor(0), a.to_int(1), a.to_bool(2),
                                     to_generator(a.object(3))));
      },
      "Draws category indices from each row of non-negative weights, with or "
      "without replacement.");
  def_both(
      cls, m,
      {"bernoulli(Tensor input, float? p=None, *, object generator=None) -> "
       "Tensor"},
      [](Args& a) {
        const Tensor t = a.tensor(0);
        Generator* gen = to_generator(a.object(2));
        const auto p = a.optional_double(1);
        return wrap(p ? ops::bernoulli(t, *p, gen) : ops::bernoulli(t, gen));
      },
      "Draws 0 or 1 for each element with the element's value as the "
      "probability of 1.");
  def(
      m, {"poisson(Tensor input, object generator=None) -> Tensor"},
      [](Args& a) {
        return wrap(ops::poisson(a.tensor(0), to_generator(a.object(1))));
      },
      "Draws a Poisson sample for each element, with the element as the "
      "rate.");
  // normal(mean, std): either may be a tensor; two numbers need a size.
  def(
      m,
      {"normal(Tensor mean, Tensor std, *, object generator=None) -> Tensor",
       "normal(Tensor mean, float std=1.0, *, object generator=None) -> "
       "Tensor",
       "normal(float mean, Tensor std, *, object generator=None) -> Tensor",
       random_factory("normal(float mean, float std, int[] size")},
      [](Args& a) {
        // generator= is the third parameter of the tensor forms.
        Generator* gen = a.index() < 3 ? to_generator(a.object(2)) : nullptr;
        switch (a.index()) {
          case 0:
            return wrap(ops::normal(a.tensor(0), a.tensor(1), gen));
          case 1:
            return wrap(ops::normal(a.tensor(0), a.to_double(1), gen));
          case 2:
            return wrap(ops::normal(a.to_double(0), a.tensor(1), gen));
          default:
            break;
        }
        check_device(a.object(5));
        const DType d = a.optional_dtype(4).value_or(default_dtype());
        return wrap(
            finish(ops::normal(a.to_double(0), a.to_double(1), a.shape(2), d,
                               to_generator(a.object(3))),
                   a.to_bool(6)));
      },
      "Samples from normal distributions whose means and stds are given as "
      "tensors or numbers.");
}

// Binds an in-place fill `name(Tensor self, <params>, *, object
// generator=None) -> Tensor` whose body fills a.tensor(0).
template <typename F>
void def_fill(TensorClass& cls, const std::string& head, F fill,
              const char* doc) {
  def_method(
      cls, {head + ", *, object generator=None) -> Tensor"},
      [fill](Args& a) {
        Tensor t = a.tensor(0);
        fill(t, a);
        return a.object(0);
      },
      doc);
}

void bind_fills(TensorClass& cls) {
  def_fill(
      cls, "uniform_(Tensor self, float from=0.0, float to=1.0",
      [](Tensor& t, Args& a) {
        ops::uniform_(t, a.to_double(1), a.to_double(2),
                      to_generator(a.object(3)));
      },
      "Fills self in place with uniform samples in [from, to).");
  def_fill(
      cls, "normal_(Tensor self, float mean=0.0, float std=1.0",
      [](Tensor& t, Args& a) {
        ops::normal_(t, a.to_double(1), a.to_double(2),
                     to_generator(a.object(3)));
      },
      "Fills self in place with normal samples of the given mean and std.");
  def_fill(
      cls, "random_(Tensor self, int? from=None, int? to=None",
      [](Tensor& t, Args& a) {
        Generator* gen = to_generator(a.object(3));
        const auto from = a.optional_int(1);
        const auto to = a.optional_int(2);
        if (!from && !to) {
          ops::random_(t, gen);
        } else if (!to) {
          ops::random_(t, *from, gen);
        } else {
          ops::random_(t, from.value_or(0), *to, gen);
        }
      },
      "Fills self in place with integers drawn uniformly from [from, to).");
  def_method(
      cls,
      {"bernoulli_(Tensor self, Tensor p, *, object generator=None) -> Tensor",
       "bernoulli_(Tensor self, float p=0.5, *, object generator=None) -> "
       "Tensor"},
      [](Args& a) {
        Tensor t = a.tensor(0);
        Generator* gen = to_generator(a.object(2));
        if (a.index() == 0) {
          ops::bernoulli_(t, a.tensor(1), gen);
        } else {
          ops::bernoulli_(t, a.to_double(1), gen);
        }
        return a.object(0);
      },
      "Fills self in place with 0/1 draws of probability p (a float or a "
      "tensor).");
  def_fill(
      cls, "exponential_(Tensor self, float lambd=1.0",
      [](Tensor& t, Args& a) {
        ops::exponential_(t, a.to_double(1), to_generator(a.object(2)));
      },
      "Fills self in place with exponential samples of rate lambd.");
  def_fill(
      cls, "geometric_(Tensor self, float p",
      [](Tensor& t, Args& a) {
        ops::geometric_(t, a.to_double(1), to_generator(a.object(2)));
      },
      "Fills self in place with geometric samples (trials until the first "
      "success with probability p).");
  def_fill(
      cls, "cauchy_(Tensor self, float median=0.0, float sigma=1.0",
      [](Tensor& t, Args& a) {
        ops::cauchy_(t, a.to_double(1), a.to_double(2),
                     to_generator(a.object(3)));
      },
      "Fills self in place with Cauchy samples of the given median and "
      "sigma.");
  def_fill(
      cls, "log_normal_(Tensor self, float mean=1.0, float std=2.0",
      [](Tensor& t, Args& a) {
        ops::log_normal_(t, a.to_double(1), a.to_double(2),
                         to_generator(a.object(3)));
      },
      "Fills self in place with samples whose logarithm is normal of the "
      "given mean and std.");
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
