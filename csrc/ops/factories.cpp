// Tensor factories. None records history: requires_grad is set afterwards.

#include <cmath>
#include <cstring>

#include "compile/capture.h"
#include "ops/op_utils.h"

namespace ag::ops {

Tensor empty(const Shape& sizes, DType dtype) {
  return empty_tensor(sizes, dtype);
}

Tensor full(const Shape& sizes, const Scalar& value, DType dtype) {
  check_fill_value_fits(value, dtype);
  Tensor out = empty_tensor(sizes, dtype);
  kernels::fill(out, value);
  return out;
}

Tensor zeros(const Shape& sizes, DType dtype) {
  Tensor out = empty_tensor(sizes, dtype);
  if (out.numel() > 0) {
    std::memset(out.raw_data(), 0,
                static_cast<size_t>(out.numel()) * itemsize(dtype));
  }
  return out;
}

Tensor ones(const Shape& sizes, DType dtype) {
  return full(sizes, Scalar(int64_t{1}), dtype);
}

Tensor eye(int64_t n, int64_t m, DType dtype) {
  AG_CHECK(n >= 0, "n must be greater or equal to 0, got ", n);
  AG_CHECK(m >= 0, "m must be greater or equal to 0, got ", m);
  Tensor out = zeros({n, m}, dtype);
  dispatch_all(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* data = static_cast<T*>(out.raw_data());
    for (int64_t i = 0; i < std::min(n, m); ++i) data[i * m + i] = T(1);
  });
  return out;
}

Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step,
              std::optional<DType> dtype_in) {
  const bool any_float =
      start.is_floating() || end.is_floating() || step.is_floating();
  const DType dtype =
      dtype_in ? *dtype_in : (any_float ? default_dtype() : DType::Int64);
  const double s = start.to<double>(), e = end.to<double>(),
               d = step.to<double>();
  AG_CHECK(d != 0, "step must be nonzero");
  AG_CHECK(std::isfinite(s) && std::isfinite(e), "unsupported range: ", s,
           " -> ", e);
  AG_CHECK((d > 0 && e >= s) || (d < 0 && e <= s),
           "upper bound and larger bound inconsistent with step sign");
  int64_t n;
  if (any_float) {
    n = static_cast<int64_t>(std::ceil((e - s) / d));
  } else {
    const int64_t si = start.to<int64_t>(), ei = end.to<int64_t>(),
                  di = step.to<int64_t>();
    n = (ei - si + di + (di > 0 ? -1 : 1)) / di;
  }
  Tensor out = empty_tensor({n}, dtype);
  dispatch_all(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* data = static_cast<T*>(out.raw_data());
    if (any_float) {
      for (int64_t i = 0; i < n; ++i)
        data[i] = static_cast<T>(s + d * static_cast<double>(i));
    } else {
      const int64_t si = start.to<int64_t>(), di = step.to<int64_t>();
      for (int64_t i = 0; i < n; ++i) data[i] = static_cast<T>(si + di * i);
    }
  });
  return out;
}

// Fills from both ends toward the middle so the last value is exactly `end`.
Tensor linspace(double start, double end, int64_t steps, DType dtype) {
  AG_CHECK(steps >= 0, "number of steps must be non-negative");
  Tensor out = empty_tensor({steps}, dtype);
  const double step =
      steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0.0;
  const int64_t half = steps / 2;
  dispatch_all(dtype, [&](auto tag) {
    using T = decltype(tag);
    T* data = static_cast<T*>(out.raw_data());
    for (int64_t i = 0; i < steps; ++i) {
      const double v = i < half
                           ? start + step * static_cast<double>(i)
                           : end - step * static_cast<double>(steps - 1 - i);
      data[i] = static_cast<T>(steps == 1 ? start : v);
    }
  });
  return out;
}

Tensor rand(const Shape& sizes, DType dtype, Generator* gen) {
  AG_CHECK(is_floating(dtype), "\"check_uniform_bounds\" not implemented for '",
           dtype_legacy_name(dtype), "'");
  Tensor out = empty_tensor(sizes, dtype);
  kernels::uniform(out, 0.0, 1.0, gen);
  return out;
}

Tensor randn(const Shape& sizes, DType dtype, Generator* gen) {
  AG_CHECK(is_floating(dtype), "\"normal_kernel_cpu\" not implemented for '",
           dtype_legacy_name(dtype), "'");
  Tensor out = empty_tensor(sizes, dtype);
  kernels::normal(out, 0.0, 1.0, gen);
  return out;
}

Tensor randint(int64_t low, int64_t high, const Shape& sizes, DType dtype,
               Generator* gen) {
  Tensor out = empty_tensor(sizes, dtype);
  kernels::random_int(out, low, high, gen);
  return out;
}

Tensor from_buffer(const void* data, const Shape& sizes, DType dtype) {
  Tensor out = empty_tensor(sizes, dtype);
  if (out.numel() > 0) {
    std::memcpy(out.raw_data(), data,
                static_cast<size_t>(out.numel()) * itemsize(dtype));
  }
  return out;
}

namespace user {

namespace {

template <typename Make>
Tensor made(bool requires_grad, const Make& make) {
  Tensor t = make();
  if (requires_grad) autograd::set_requires_grad(t, true);
  return t;
}

// `make` builds the tensor from attributes it holds by value.
template <typename Make>
Tensor called(const char* name, bool requires_grad, Make make) {
  if (auto* rec = compile::Recorder::armed()) {
    return rec->call(name, {}, [make, requires_grad](const TensorList&) {
      return TensorList{made(requires_grad, make)};
    })[0];
  }
  return made(requires_grad, make);
}

// A draw from a generator the caller owns: the program could not keep it.
template <typename Make>
Tensor drawn(const char* name, Generator* gen, bool requires_grad, Make make) {
  if (gen == nullptr) return called(name, requires_grad, make);
  if (capture::capturing()) {
    capture::note_uncapturable(
        std::string("a random factory (") + name +
        ") with an explicit generator: the program does not own it");
  }
  return made(requires_grad, make);
}

}  // namespace

Tensor empty(const Shape& sizes, DType dtype, bool requires_grad) {
  return called("empty", requires_grad,
                [sizes, dtype] { return ops::empty(sizes, dtype); });
}
Tensor zeros(const Shape& sizes, DType dtype, bool requires_grad) {
  return called("zeros", requires_grad,
                [sizes, dtype] { return ops::zeros(sizes, dtype); });
}
Tensor ones(const Shape& sizes, DType dtype, bool requires_grad) {
  return called("ones", requires_grad,
                [sizes, dtype] { return ops::ones(sizes, dtype); });
}
Tensor full(const Shape& sizes, const Scalar& value, DType dtype,
            bool requires_grad) {
  return called("full", requires_grad, [sizes, value, dtype] {
    return ops::full(sizes, value, dtype);
  });
}
Tensor eye(int64_t n, int64_t m, DType dtype, bool requires_grad) {
  return called("eye", requires_grad,
                [n, m, dtype] { return ops::eye(n, m, dtype); });
}
Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step,
              std::optional<DType> dtype, bool requires_grad) {
  return called("arange", requires_grad, [start, end, step, dtype] {
    return ops::arange(start, end, step, dtype);
  });
}
Tensor linspace(double start, double end, int64_t steps, DType dtype,
                bool requires_grad) {
  return called("linspace", requires_grad, [start, end, steps, dtype] {
    return ops::linspace(start, end, steps, dtype);
  });
}
Tensor rand(const Shape& sizes, DType dtype, Generator* gen,
            bool requires_grad) {
  return drawn("rand", gen, requires_grad,
               [sizes, dtype, gen] { return ops::rand(sizes, dtype, gen); });
}
Tensor randn(const Shape& sizes, DType dtype, Generator* gen,
             bool requires_grad) {
  return drawn("randn", gen, requires_grad,
               [sizes, dtype, gen] { return ops::randn(sizes, dtype, gen); });
}
Tensor randint(int64_t low, int64_t high, const Shape& sizes, DType dtype,
               Generator* gen, bool requires_grad) {
  return drawn("randint", gen, requires_grad, [low, high, sizes, dtype, gen] {
    return ops::randint(low, high, sizes, dtype, gen);
  });
}

}  // namespace user

}  // namespace ag::ops
