// Sampling ops and in-place random fills (see sampling.h).

#include "ops/sampling.h"

#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "kernels/random.h"
#include "ops/op_utils.h"
#include "ops/sorting.h"

namespace ag::ops {

namespace {

#define AG_NOT_IMPLEMENTED_CHECK(cond, ...) \
  AG_CHECK_AS(::ag::NotImplementedError, cond, __VA_ARGS__)

void check_floating(const Tensor& t, const char* kernel) {
  AG_NOT_IMPLEMENTED_CHECK(is_floating(t.dtype()), "\"", kernel,
                           "\" not implemented for '",
                           dtype_legacy_name(t.dtype()), "'");
}

// d(inputs) = 0: random draws carry no gradient to their parameters.
class RandomBackward : public Node {
 public:
  RandomBackward(edge_list&& edges, const char* name)
      : Node(std::move(edges)), name_(name) {}
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& grads) override {
    variable_list out(num_outputs());
    for (size_t i = 0; i < out.size(); ++i) {
      if (should_compute_output(i)) {
        out[i] = zeros(input_sizes[i], grads[0].dtype());
      }
    }
    return out;
  }
  std::vector<Shape> input_sizes;

 private:
  const char* name_;
};

template <typename... Ts>
void record_random(Tensor& out, const char* name, const Ts&... inputs) {
  if (!is_floating(out.dtype()) ||
      !should_record_as<RandomBackward>(name, inputs...))
    return;
  auto fn =
      make_node<RandomBackward>(autograd::collect_next_edges(inputs...), name);
  fn->input_sizes = {inputs.sizes()...};
  autograd::set_history(out, fn);
}

// Writes fill(fresh) into self in place; records a zero-gradient node named
// `name` when self requires grad.
Tensor& fill_inplace(Tensor& self, const char* name,
                     const std::function<void(const Tensor&)>& fill) {
  return apply_inplace(self, name, {}, [&](const Tensor& input) {
    Tensor fresh = empty_tensor(self.sizes(), self.dtype());
    if (fresh.numel() > 0) fill(fresh);
    record_random(fresh, name, input);
    return fresh;
  });
}

}  // namespace

// ---- multinomial ----------------------------------------------------------

Tensor multinomial(const Tensor& self, int64_t num_samples, bool replacement,
                   Generator* gen) {
  AG_CHECK(is_floating(self.dtype()),
           "multinomial only supports floating-point dtypes for input, got: ",
           dtype_legacy_name(self.dtype()));
  AG_CHECK(self.dim() == 1 || self.dim() == 2, "prob_dist must be 1 or 2 dim");
  AG_CHECK(num_samples > 0, "cannot sample n_sample <= 0 samples");
  const int64_t cats = self.size(-1);
  AG_CHECK(replacement || num_samples <= cats,
           "cannot sample n_sample > prob_dist.size(-1) samples without "
           "replacement");
  AG_CHECK(cats <= (int64_t{1} << 24),
           "number of categories cannot exceed 2^24");
  const Tensor p = contiguous_data(autograd::detach(self));
  const int64_t rows = self.dim() == 1 ? 1 : self.size(0);
  const Shape out_shape =
      self.dim() == 1 ? Shape{num_samples} : Shape{rows, num_samples};
  if (replacement && num_samples > 1) {
    Tensor out = empty_tensor({rows, num_samples}, DType::Int64);
    if (out.numel() > 0) {
      kernels::multinomial_with_replacement(reshape(p, {rows, cats}),
                                            num_samples, out, gen);
    }
    return reshape(out, out_shape);
  }
  // Without replacement (or one draw): the largest p / q with q ~ Exp(1) is
  // a draw from p (the exponential form of the Gumbel-max trick); the k
  // largest are k draws without replacement.
  {
    NoGradGuard no_grad;
    const Tensor lo = amin(p, {}, false), hi = amax(p, {}, false);
    AG_CHECK(p.numel() == 0 || (hi.item().to<double>() <
                                    std::numeric_limits<double>::infinity() &&
                                lo.item().to<double>() >= 0),
             "probability tensor contains either `inf`, `nan` or element < 0");
    const Tensor row_sums = sum(reshape(p, {rows, cats}), {1}, false);
    AG_CHECK(!any(eq(row_sums, scalar_tensor(Scalar(0.0), p.dtype())))
                  .item()
                  .to<bool>(),
             "invalid multinomial distribution (sum of probabilities <= 0)");
    Tensor q = empty_tensor(p.sizes(), p.dtype());
    if (q.numel() > 0) kernels::exponential(q, 1.0, gen);
    q = div(p, q);
    if (num_samples == 1) return argmax(q, -1, true);
    return topk(q, num_samples, -1, true, true).second;
  }
}

// ---- normal ---------------------------------------------------------------

namespace {

Tensor standard_normal(const Shape& size, DType dtype, double std,
                       Generator* gen) {
  check_floating(scalar_tensor(Scalar(0.0), dtype), "normal_kernel_cpu");
  AG_CHECK(std >= 0.0, "normal expects std >= 0.0, but found std ", std);
  Tensor out = empty_tensor(size, dtype);
  if (out.numel() > 0) kernels::normal(out, 0.0, std, gen);
  return out;
}

void check_std_tensor(const Tensor& std) {
  NoGradGuard no_grad;
  AG_CHECK(std.numel() == 0 || amin(std, {}, false).item().to<double>() >= 0.0,
           "normal expects all elements of std >= 0.0");
}

Shape broadcast_pair(const Tensor& a, const Tensor& b) {
  NoGradGuard no_grad;
  return add(zeros(a.sizes(), DType::Bool), zeros(b.sizes(), DType::Bool))
      .sizes();
}

}  // namespace

Tensor normal(const Tensor& mean, const Tensor& std, Generator* gen) {
  check_floating(mean, "normal_kernel_cpu");
  check_std_tensor(std);
  const Shape shape = broadcast_pair(mean, std);
  Tensor out;
  {
    NoGradGuard no_grad;
    const Tensor z = standard_normal(shape, mean.dtype(), 1.0, gen);
    out = add(mul(z, autograd::detach(std)), autograd::detach(mean));
  }
  record_random(out, "NormalBackward3", mean, std);
  return out;
}

Tensor normal(const Tensor& mean, double std, Generator* gen) {
  check_floating(mean, "normal_kernel_cpu");
  Tensor out;
  {
    NoGradGuard no_grad;
    const Tensor z = standard_normal(mean.sizes(), mean.dtype(), std, gen);
    out = add(z, autograd::detach(mean));
  }
  record_random(out, "NormalBackward1", mean);
  return out;
}

Tensor normal(double mean, const Tensor& std, Generator* gen) {
  check_floating(std, "normal_kernel_cpu");
  check_std_tensor(std);
  Tensor out;
  {
    NoGradGuard no_grad;
    const Tensor z = standard_normal(std.sizes(), std.dtype(), 1.0, gen);
    out = add(mul(z, autograd::detach(std)),
              scalar_tensor(Scalar(mean), std.dtype()));
  }
  record_random(out, "NormalBackward2", std);
  return out;
}

Tensor normal(double mean, double std, const Shape& size, DType dtype,
              Generator* gen) {
  check_floating(scalar_tensor(Scalar(0.0), dtype), "normal_kernel_cpu");
  AG_CHECK(std >= 0.0, "normal expects std >= 0.0, but found std ", std);
  Tensor out = empty_tensor(size, dtype);
  if (out.numel() > 0) kernels::normal(out, mean, std, gen);
  return out;
}

// ---- bernoulli / poisson / randperm / factories ---------------------------

Tensor bernoulli(const Tensor& self, Generator* gen) {
  check_floating(self, "bernoulli_tensor_cpu_p_");
  Tensor out = empty_tensor(self.sizes(), self.dtype());
  if (out.numel() > 0) {
    kernels::bernoulli(out, contiguous_data(autograd::detach(self)), gen);
  }
  record_random(out, "BernoulliBackward0", self);
  return out;
}

Tensor bernoulli(const Tensor& self, double p, Generator* gen) {
  Tensor out = empty_tensor(self.sizes(), self.dtype());
  if (out.numel() > 0) kernels::bernoulli(out, p, gen);
  record_random(out, "BernoulliBackward1", self);
  return out;
}

Tensor poisson(const Tensor& self, Generator* gen) {
  check_floating(self, "poisson_cpu");
  Tensor out = empty_tensor(self.sizes(), self.dtype());
  if (out.numel() > 0) {
    kernels::poisson(out, contiguous_data(autograd::detach(self)), gen);
  }
  record_random(out, "PoissonBackward0", self);
  return out;
}

Tensor randperm(int64_t n, DType dtype, Generator* gen) {
  AG_CHECK(n >= 0, "Trying to create tensor with negative dimension ", n, ": [",
           n, "]");
  Tensor out = empty_tensor({n}, dtype);
  kernels::randperm(out, gen);
  return out;
}

// ---- in-place fills -------------------------------------------------------

Tensor& uniform_(Tensor& self, double from, double to, Generator* gen) {
  check_floating(self, "check_uniform_bounds");
  AG_CHECK(from <= to,
           "uniform_ expects to return a [from, to) range, but found from=",
           from, " > to=", to);
  return fill_inplace(self, "UniformBackward0", [&](const Tensor& t) {
    kernels::uniform(t, from, to, gen);
  });
}

Tensor& normal_(Tensor& self, double mean, double std, Generator* gen) {
  check_floating(self, "normal_kernel_cpu");
  AG_CHECK(std >= 0.0, "normal expects std >= 0.0, but found std ", std);
  return fill_inplace(self, "NormalBackward0", [&](const Tensor& t) {
    kernels::normal(t, mean, std, gen);
  });
}

namespace {

// The largest value random_ may give in self's dtype, plus one.
int64_t dtype_range_end(DType dtype) {
  switch (dtype) {
    case DType::Bool:
      return 2;
    case DType::Int32:
      return int64_t{1} << 31;
    case DType::Float32:
      return (int64_t{1} << 24) + 1;
    case DType::Float64:
      return (int64_t{1} << 53) + 1;
    case DType::Int64:
      break;
  }
  return std::numeric_limits<int64_t>::max();
}

}  // namespace

Tensor& random_(Tensor& self, Generator* gen) {
  return fill_inplace(self, "RandomBackward2",
                      [&](const Tensor& t) { kernels::random_full(t, gen); });
}

Tensor& random_(Tensor& self, int64_t to, Generator* gen) {
  return random_(self, 0, to, gen);
}

Tensor& random_(Tensor& self, int64_t from, std::optional<int64_t> to,
                Generator* gen) {
  const int64_t end = to ? *to : dtype_range_end(self.dtype());
  AG_CHECK(from < end,
           "random_ expects 'from' to be less than 'to', but got from=", from,
           " >= to=", end);
  if (self.dtype() == DType::Int32) {
    AG_CHECK(end - 1 <= std::numeric_limits<int32_t>::max(),
             "to - 1 is out of bounds for int");
  }
  const char* name = from == 0 && to ? "RandomBackward1" : "RandomBackward0";
  return fill_inplace(self, name, [&](const Tensor& t) {
    kernels::random_int(t, from, end, gen);
  });
}

Tensor& bernoulli_(Tensor& self, double p, Generator* gen) {
  return fill_inplace(self, "BernoulliBackward2",
                      [&](const Tensor& t) { kernels::bernoulli(t, p, gen); });
}

Tensor& bernoulli_(Tensor& self, const Tensor& p, Generator* gen) {
  check_floating(p, "bernoulli_tensor_cpu_p_");
  Tensor probs;
  {
    NoGradGuard no_grad;
    probs = contiguous_data(expand(autograd::detach(p), self.sizes()));
  }
  return fill_inplace(self, "BernoulliBackward1", [&](const Tensor& t) {
    kernels::bernoulli(t, probs, gen);
  });
}

Tensor& exponential_(Tensor& self, double lambd, Generator* gen) {
  AG_CHECK(is_floating(self.dtype()),
           "Exponential distribution is a continuous probability "
           "distribution. dtype must be a floating point but you specified ",
           dtype_legacy_name(self.dtype()));
  AG_CHECK(lambd > 0.0,
           "exponential_ expects lambda > 0.0, but found lambda=", lambd);
  return fill_inplace(self, "ExponentialBackward0", [&](const Tensor& t) {
    kernels::exponential(t, lambd, gen);
  });
}

Tensor& geometric_(Tensor& self, double p, Generator* gen) {
  AG_CHECK(p > 0 && p < 1,
           "geometric_ expects p to be in (0, 1), but got p=", p);
  return fill_inplace(self, "GeometricBackward0",
                      [&](const Tensor& t) { kernels::geometric(t, p, gen); });
}

Tensor& cauchy_(Tensor& self, double median, double sigma, Generator* gen) {
  check_floating(self, "cauchy_cpu");
  AG_CHECK(sigma > 0.0, "cauchy_ expects sigma > 0.0, but found sigma=", sigma);
  return fill_inplace(self, "CauchyBackward0", [&](const Tensor& t) {
    kernels::cauchy(t, median, sigma, gen);
  });
}

Tensor& log_normal_(Tensor& self, double mean, double std, Generator* gen) {
  check_floating(self, "log_normal_cpu");
  AG_CHECK(std > 0.0, "log_normal_ expects std > 0.0, but found std=", std);
  return fill_inplace(self, "LogNormalBackward0", [&](const Tensor& t) {
    kernels::log_normal(t, mean, std, gen);
  });
}

}  // namespace ag::ops
