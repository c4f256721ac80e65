// Ops that read or write along a tensor of indices: gather, scatter,
// scatter_add, index_select, embedding and one_hot. Each op's forward rule
// sits beside it. (Advanced indexing is in advanced_index.cpp.)

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "compile/capture.h"
#include "ops/index_data.h"

namespace ag::ops {

// ---- gather, scatter, index_select
// -------------------------------------------

namespace {

// grad (shaped like an index) placed at the front of a zero tensor of
// `sizes`: the gradient of a src that is larger than the index it feeds.
Tensor pad_to(const Tensor& grad, const Shape& sizes) {
  if (grad.sizes() == sizes || grad.dim() != static_cast<int64_t>(sizes.size()))
    return grad;
  IntList pad;
  for (size_t i = sizes.size(); i-- > 0;) {
    pad.push_back(0);
    pad.push_back(sizes[i] - grad.sizes()[i]);
  }
  return constant_pad_nd(grad, pad);
}

// d(self) = zeros(self_sizes).scatter_add(dim, index, grad)
class GatherBackward0 final : public Node {
 public:
  AG_NODE(GatherBackward0);
  static constexpr bool kForwardRule = true;  // Note [Linear forward rules]
  variable_list apply(variable_list&& grads) override {
    return {scatter_add(zeros(self_sizes, grads[0].dtype()), dim,
                        index.unpack(), grads[0])};
  }
  Shape self_sizes;
  Saved<int64_t> dim{this, "dim", 0};
  SavedTensor index{this, "index"};
  Saved<bool> sparse_grad{this, "sparse_grad", false};  // as PyTorch saves it
};

// Scatter nodes. src given:   d(self) = grad.scatter(dim, index, 0)
//                             d(src) = grad.gather(dim, index)
// value given (Backward1):    d(self) = grad.scatter(dim, index, 0)
// add (ScatterAddBackward0):  d(self) = grad ; d(src) = grad.gather(dim, index)
class ScatterBackward final : public Node {
 public:
  enum class Mode { Src, Value, Add };
  ScatterBackward(edge_list&& edges, Mode mode)
      : Node(std::move(edges)), mode_(mode) {}
  static constexpr bool kForwardRule = true;  // scatter_tangent
  std::string name() const override {
    switch (mode_) {
      case Mode::Src:
        return "ScatterBackward0";
      case Mode::Value:
        return "ScatterBackward1";
      case Mode::Add:
        break;
    }
    return "ScatterAddBackward0";
  }
  variable_list apply(variable_list&& grads) override {
    variable_list out(num_outputs());
    const Tensor& g = grads[0];
    const Tensor idx = index.unpack();
    if (should_compute_output(0)) {
      out[0] = mode_ == Mode::Add ? g : scatter(g, dim, idx, Scalar(0.0));
    }
    if (mode_ != Mode::Value && should_compute_output(1)) {
      out[1] = pad_to(gather(g, dim, idx), src_sizes);
    }
    return out;
  }
  Saved<int64_t> dim{this, "dim", 0};
  SavedTensor index{this, "index"};
  Shape src_sizes;

 private:
  Mode mode_;
};

void check_gather_like_index(const Tensor& index, const char* op) {
  AG_CHECK(is_index_dtype(index.dtype()), op,
           "(): Expected dtype int32/int64 for index");
}

// Checks scatter's arguments and returns the wrapped dim.
int64_t check_scatter(const Tensor& self, int64_t dim, const Tensor& index,
                      const Tensor* src) {
  check_gather_like_index(index, "scatter");
  const int64_t d = wrap_dim(dim, self.dim());
  if (src) {
    AG_CHECK(src->dtype() == self.dtype(),
             "scatter(): Expected self.dtype to be equal to src.dtype");
  }
  const Shape is = sizes_1d(index), ss = sizes_1d(self);
  AG_CHECK(is.size() == ss.size(),
           "Index tensor must have the same number of dimensions as self "
           "tensor");
  if (src) {
    AG_CHECK(is.size() == sizes_1d(*src).size(),
             "Index tensor must have the same number of dimensions as src "
             "tensor");
  }
  if (index.numel() == 0) return d;
  for (size_t k = 0; k < is.size(); ++k) {
    const bool fits = (static_cast<int64_t>(k) == d || is[k] <= ss[k]) &&
                      (!src || is[k] <= sizes_1d(*src)[k]);
    if (!fits) {
      throw Error(detail::str_cat(
          "Expected index ", shape_str(index.sizes()),
          " to be no larger than self ", shape_str(self.sizes()),
          " apart from dimension ", d,
          src ? detail::str_cat(" and to be no larger size than src ",
                                shape_str(src->sizes()))
              : std::string()));
    }
  }
  return d;
}

// Writes src (a tensor viewed at index's shape, or a 0-d value) into `dst`
// (self's data or a copy of it) at index along d.
void scatter_data(const Tensor& dst, int64_t d, const Tensor& index,
                  const Tensor& src, kernels::ScatterMode mode) {
  const auto ud = static_cast<size_t>(d);
  Shape strides = strides_1d(dst);
  const int64_t stride = strides[ud];
  strides[ud] = 0;
  const Tensor target =
      data_view(dst, sizes_1d(index), strides, dst.impl()->storage_offset());
  const Tensor values = src.dim() == 0 && src.impl()->is_wrapped_number()
                            ? src
                            : data_view(src, sizes_1d(index), strides_1d(src),
                                        src.impl()->storage_offset());
  kernels::IndexBound bound;
  bound.size = sizes_1d(dst)[ud];
  bound.dim = d;
  bound.index_error = false;
  kernels::index_scatter(target, as_1d(index), stride, bound, values, mode);
}

kernels::ScatterMode scatter_mode(ScatterBackward::Mode mode) {
  return mode == ScatterBackward::Mode::Add ? kernels::ScatterMode::Add
                                            : kernels::ScatterMode::Assign;
}

// The tangent of a scatter: the same scatter of the tangents (a written
// value is a constant).
Tensor scatter_tangent(const Tensor& self, int64_t dim, const Tensor& index,
                       const Tensor& src, ScatterBackward::Mode mode) {
  const Tensor self_t = tangent_or_zeros(self);
  switch (mode) {
    case ScatterBackward::Mode::Src:
      return scatter(self_t, dim, index, tangent_or_zeros(src));
    case ScatterBackward::Mode::Value:
      return scatter(self_t, dim, index, Scalar(0.0));
    case ScatterBackward::Mode::Add:
      break;
  }
  return scatter_add(self_t, dim, index, tangent_or_zeros(src));
}

Tensor scatter_impl(const Tensor& self, int64_t dim, const Tensor& index,
                    const Tensor& src, ScatterBackward::Mode mode) {
  const bool is_value = mode == ScatterBackward::Mode::Value;
  const int64_t d = check_scatter(self, dim, index, is_value ? nullptr : &src);
  Tensor out = clone_data(self);
  scatter_data(out, d, index, src, scatter_mode(mode));
  if (should_record_as<ScatterBackward>(mode == ScatterBackward::Mode::Add
                                            ? "ScatterAddBackward0"
                                            : "ScatterBackward0",
                                        self, src)) {
    auto fn = make_node<ScatterBackward>(
        is_value ? autograd::collect_next_edges(self)
                 : autograd::collect_next_edges(self, src),
        mode);
    fn->dim = dim;
    fn->index = SavedVariable(index, false);
    fn->src_sizes = src.sizes();
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self, src)) {
    set_tangent(out,
                [&] { return scatter_tangent(self, dim, index, src, mode); });
  }
  return out;
}

Tensor& scatter_inplace(Tensor& self, int64_t dim, const Tensor& index,
                        const Tensor& src, ScatterBackward::Mode mode) {
  const bool is_value = mode == ScatterBackward::Mode::Value;
  autograd::check_inplace(self);
  const int64_t d = check_scatter(self, dim, index, is_value ? nullptr : &src);
  check_no_internal_overlap(self);
  std::shared_ptr<ScatterBackward> fn;
  if (should_record_as<ScatterBackward>(mode == ScatterBackward::Mode::Add
                                            ? "ScatterAddBackward0"
                                            : "ScatterBackward0",
                                        self, src)) {
    fn = make_node<ScatterBackward>(
        is_value ? autograd::collect_next_edges(self)
                 : autograd::collect_next_edges(self, src),
        mode);
    fn->dim = dim;
    fn->index = SavedVariable(index, false);
    fn->src_sizes = src.sizes();
  }
  Tensor tangent;
  if (forward_ad::any_dual(self, src)) {
    forward_ad::DisableGuard paused;
    tangent = scatter_tangent(self, dim, index, src, mode);
  }
  const bool overlaps = src.impl()->storage() == self.impl()->storage();
  scatter_data(self, d, index, overlaps ? clone_data(src) : src,
               scatter_mode(mode));
  if (tangent.defined()) write_tangent(self, tangent);
  self.impl()->bump_version(mode == ScatterBackward::Mode::Add ? "scatter_add_"
                                                               : "scatter_");
  if (fn) rebase_history(self, fn);
  return self;
}

// A 0-d value of self's dtype that broadcasts in the scatter kernel.
Tensor scatter_value(const Tensor& self, const Scalar& value) {
  Tensor v = scalar_tensor(value, self.dtype());
  v.impl()->set_wrapped_number(true);
  return v;
}

// ---- scatter_reduce

enum class ScatterReduce { Sum, Prod, Mean, Amax, Amin };

ScatterReduce parse_scatter_reduce(const std::string& reduce) {
  if (reduce == "sum") return ScatterReduce::Sum;
  if (reduce == "prod") return ScatterReduce::Prod;
  if (reduce == "mean") return ScatterReduce::Mean;
  // PyTorch's forward also takes scatter's legacy "max" and "min" (its
  // backward then refuses them).
  if (reduce == "amax" || reduce == "max") return ScatterReduce::Amax;
  AG_CHECK(reduce == "amin" || reduce == "min",
           "reduce argument must be either sum, prod, mean, amax or amin, "
           "got ",
           reduce);
  return ScatterReduce::Amin;
}

// The value a reduction starts from where include_self=False leaves self
// out: every such position then takes at least one src value.
Scalar scatter_reduce_identity(ScatterReduce r, DType dtype) {
  const bool low = r == ScatterReduce::Amax;
  switch (r) {
    case ScatterReduce::Sum:
    case ScatterReduce::Mean:
      return Scalar(int64_t{0});
    case ScatterReduce::Prod:
      return Scalar(int64_t{1});
    case ScatterReduce::Amax:
    case ScatterReduce::Amin:
      break;
  }
  switch (dtype) {
    case DType::Bool:
      return Scalar(!low);
    case DType::Int32:
      return Scalar(int64_t{low ? std::numeric_limits<int32_t>::lowest()
                                : std::numeric_limits<int32_t>::max()});
    case DType::Int64:
      return Scalar(low ? std::numeric_limits<int64_t>::lowest()
                        : std::numeric_limits<int64_t>::max());
    case DType::Float32:
    case DType::Float64:
      break;
  }
  return Scalar(low ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity());
}

kernels::ScatterMode scatter_reduce_mode(ScatterReduce r) {
  switch (r) {
    case ScatterReduce::Prod:
      return kernels::ScatterMode::Mul;
    case ScatterReduce::Amax:
      return kernels::ScatterMode::Max;
    case ScatterReduce::Amin:
      return kernels::ScatterMode::Min;
    case ScatterReduce::Sum:
    case ScatterReduce::Mean:
      break;
  }
  return kernels::ScatterMode::Add;
}

// d(self), d(src) as PyTorch's scatter_reduce_backward defines them:
//   sum:  d(self) = grad; d(src) = grad.gather(dim, index)
//   mean: N = [include_self] + (src values reduced into each position),
//         1 where none; d(self) = grad / N;
//         d(src) = grad.gather(dim, index) / N.gather(dim, index)
//   prod: d(self) = grad * (result with self's zeros read as 1) / self;
//         d(src) = (grad * result).gather(dim, index) / src, and where src
//         is the only zero reduced into its position, the gathered
//         grad * (result with that zero read as 1)
//   amax, amin: grad shared evenly by the self and src values equal to the
//         result: d(self) = (self == result) * grad / N;
//         d(src) = (src == value) * (grad / N).gather(dim, index), with
//         value = result.gather(dim, index) and N the count of those values
//   and without include_self, d(self) = 0 where index writes.
struct ScatterReduceArgs {
  int64_t dim = 0;
  ScatterReduce reduce = ScatterReduce::Sum;
  std::string reduce_name;
  bool include_self = true;
  Shape self_sizes, src_sizes;
};

// prod: self's and src's zeros handled as the formula above says.
void scatter_prod_grads(const ScatterReduceArgs& a, const Tensor& g,
                        const Tensor& s, const Tensor& x, const Tensor& out,
                        const Tensor& idx, Tensor& gself, Tensor& gsrc) {
  const Tensor zero = wrap_scalar(Scalar(int64_t{0}));
  Tensor self_zero, src_zero, single_zero;
  {
    NoGradGuard no_grad;
    self_zero = eq(s, zero);
    src_zero = eq(x, zero);
    const Tensor zeros_at =
        gather(scatter_add(zeros(a.self_sizes, x.dtype()), a.dim, idx,
                           to(src_zero, x.dtype())),
               a.dim, idx);
    single_zero =
        logical_and(src_zero, eq(zeros_at, wrap_scalar(Scalar(int64_t{1}))));
  }
  const Tensor masked_self = masked_fill(s, self_zero, Scalar(int64_t{1}));
  gself = div(mul(g, scatter_reduce(masked_self, a.dim, idx, x, a.reduce_name,
                                    a.include_self)),
              masked_self);
  const Tensor masked_src_result =
      scatter_reduce(s, a.dim, idx, masked_fill(x, single_zero, Scalar(1.0)),
                     a.reduce_name, a.include_self);
  gsrc = where(single_zero, gather(mul(g, masked_src_result), a.dim, idx),
               div(gather(mul(g, out), a.dim, idx),
                   masked_fill(x, src_zero, Scalar(1.0))));
}

// amax, amin: the grad shared evenly by the values equal to the result.
void scatter_extremum_grads(const ScatterReduceArgs& a, const Tensor& g,
                            const Tensor& s, const Tensor& x, const Tensor& out,
                            const Tensor& idx, Tensor& gself, Tensor& gsrc) {
  Tensor self_is, src_is, n;
  {
    NoGradGuard no_grad;
    self_is = eq(s, out);
    src_is = eq(x, gather(out, a.dim, idx));
    n = scatter_add(to(self_is, g.dtype()), a.dim, idx, to(src_is, g.dtype()));
  }
  const Tensor shared = div(g, n);
  gself = mul(self_is, shared);
  gsrc = mul(src_is, gather(shared, a.dim, idx));
}

// Where index writes into the result (true) or leaves self (false).
Tensor written_positions(const ScatterReduceArgs& a, const Tensor& idx) {
  NoGradGuard no_grad;
  return scatter(zeros(a.self_sizes, DType::Bool), a.dim, idx, Scalar(true));
}

// The formulas above: (d(self), d(src)) for the grad g of the result out.
// self, src and out are read only by prod, amax and amin.
std::pair<Tensor, Tensor> scatter_reduce_grads(const ScatterReduceArgs& a,
                                               const Tensor& g, const Tensor& s,
                                               const Tensor& x,
                                               const Tensor& out,
                                               const Tensor& idx) {
  Tensor gself, gsrc;
  switch (a.reduce) {
    case ScatterReduce::Sum:
      gself = g;
      gsrc = gather(g, a.dim, idx);
      break;
    case ScatterReduce::Mean: {
      Tensor n;
      {
        NoGradGuard no_grad;
        n = a.include_self ? ones(a.self_sizes, g.dtype())
                           : zeros(a.self_sizes, g.dtype());
        n = scatter_add(n, a.dim, idx, ones(a.src_sizes, g.dtype()));
        n = masked_fill(n, eq(n, wrap_scalar(Scalar(int64_t{0}))),
                        Scalar(int64_t{1}));
      }
      gself = div(g, n);
      gsrc = div(gather(g, a.dim, idx), gather(n, a.dim, idx));
      break;
    }
    case ScatterReduce::Prod:
      scatter_prod_grads(a, g, s, x, out, idx, gself, gsrc);
      break;
    case ScatterReduce::Amax:
    case ScatterReduce::Amin:
      scatter_extremum_grads(a, g, s, x, out, idx, gself, gsrc);
      break;
  }
  if (!a.include_self) {
    gself = masked_fill(gself, written_positions(a, idx), Scalar(int64_t{0}));
  }
  return {gself, gsrc};
}

class ScatterReduceBackward0 final : public Node {
 public:
  AG_NODE(ScatterReduceBackward0);
  static constexpr bool kForwardRule = true;  // scatter_reduce_tangent
  variable_list apply(variable_list&& grads) override {
    AG_CHECK(args.reduce_name != "max" && args.reduce_name != "min",
             "Expected 'reduce' to be one of 'sum', 'prod', 'mean', 'amax', "
             "'amin' but got ",
             args.reduce_name, ".");
    // Every reduction checks that self, src and the result are unchanged
    // since the forward pass, as PyTorch's (which saves them all).
    auto [gself, gsrc] =
        scatter_reduce_grads(args, grads[0], self.unpack(), src.unpack(),
                             result.unpack(shared_from_this()), index.unpack());
    return {gself, gsrc};
  }
  Saved<int64_t> dim{this, "dim", 0};
  Saved<bool> include_self{this, "include_self", true};
  SavedTensor index{this, "index"};
  SavedTensor result{this, "result"};
  SavedTensor self{this, "self"};
  SavedTensor src{this, "src"};
  ScatterReduceArgs args;
};

// The tangent of scatter_reduce's result, as PyTorch's forward rule gives
// it. sum and mean are linear in self and src. amax and amin average the
// tangents of the values equal to the result; self's count only where it
// is reduced (the backward above counts self's ties also where index
// writes without include_self, as PyTorch's does). prod reduces each input
// value into one position, so the partial derivative of that position by
// the value is the backward's d(self) or d(src) for a grad of ones; the
// tangent sums the input tangents times those partials into their
// positions.
Tensor scatter_reduce_tangent(const ScatterReduceArgs& a, const Tensor& self,
                              const Tensor& index, const Tensor& src,
                              const Tensor& out) {
  const Tensor self_t = tangent_or_zeros(self);
  const Tensor src_t = tangent_or_zeros(src);
  switch (a.reduce) {
    case ScatterReduce::Sum:
    case ScatterReduce::Mean:
      return scatter_reduce(self_t, a.dim, index, src_t, a.reduce_name,
                            a.include_self);
    case ScatterReduce::Amax:
    case ScatterReduce::Amin: {
      Tensor self_is = to(eq(self, out), self_t.dtype());
      if (!a.include_self) {
        self_is = masked_fill(self_is, written_positions(a, index),
                              Scalar(int64_t{0}));
      }
      const Tensor src_is =
          to(eq(src, gather(out, a.dim, index)), src_t.dtype());
      const Tensor n = scatter_add(self_is, a.dim, index, src_is);
      return div(
          scatter_add(mul(self_is, self_t), a.dim, index, mul(src_is, src_t)),
          n);
    }
    case ScatterReduce::Prod:
      break;
  }
  auto [dself, dsrc] = scatter_reduce_grads(a, ones(out.sizes(), out.dtype()),
                                            self, src, out, index);
  return scatter_add(mul(self_t, dself), a.dim, index, mul(src_t, dsrc));
}

// d(self) = zeros(self_sizes).index_put([None] * dim + [index], grad, True)
class IndexSelectBackward0 final : public Node {
 public:
  AG_NODE(IndexSelectBackward0);
  static constexpr bool kForwardRule = true;  // Note [Linear forward rules]
  variable_list apply(variable_list&& grads) override {
    const Tensor idx = index.unpack();
    if (self_sizes.empty()) return {reshape(grads[0], {})};
    TensorList indices(static_cast<size_t>(wrap_dim(dim, self_sizes.size())));
    indices.push_back(idx.dim() == 0 ? reshape(idx, {1}) : idx);
    return {index_put(zeros(self_sizes, grads[0].dtype()), indices, grads[0],
                      /*accumulate=*/true)};
  }
  Saved<Shape> self_sizes{this, "self_sym_sizes"};
  Saved<int64_t> dim{this, "dim", 0};
  SavedTensor index{this, "index"};
};

}  // namespace

Tensor gather(const Tensor& self, int64_t dim, const Tensor& index) {
  AG_CAPTURE_RETURN("gather", gather(in[0], dim, in[1]), self, index)
  check_gather_like_index(index, "gather");
  const int64_t d = wrap_dim(dim, self.dim());
  const Shape is = sizes_1d(index), ss = sizes_1d(self);
  AG_CHECK(is.size() == ss.size(),
           "Index tensor must have the same number of dimensions as input "
           "tensor");
  for (size_t k = 0; k < is.size() && index.numel() > 0; ++k) {
    AG_CHECK(static_cast<int64_t>(k) == d || is[k] <= ss[k],
             "Size does not match at dimension ", k, " expected index ",
             shape_str(index.sizes()), " to be no larger than self ",
             shape_str(self.sizes()), " apart from dimension ", d);
  }
  Tensor out = empty_tensor(index.sizes(), self.dtype());
  Shape strides = strides_1d(self);
  const int64_t stride = strides[static_cast<size_t>(d)];
  strides[static_cast<size_t>(d)] = 0;
  kernels::IndexBound bound;
  bound.size = ss[static_cast<size_t>(d)];
  bound.dim = d;
  bound.index_error = false;
  kernels::index_gather(
      data_view(self, is, strides, self.impl()->storage_offset()), as_1d(index),
      stride, bound, as_1d(out));
  if (auto fn = record<GatherBackward0>(self)) {
    fn->self_sizes = self.sizes();
    fn->dim = dim;
    fn->index = SavedVariable(index, false);
    autograd::set_history(out, fn);
  }
  linear_tangent(out, self,
                 [&](const Tensor& t) { return gather(t, dim, index); });
  return out;
}

Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index,
               const Tensor& src) {
  return scatter_impl(self, dim, index, src, ScatterBackward::Mode::Src);
}

Tensor scatter(const Tensor& self, int64_t dim, const Tensor& index,
               const Scalar& value) {
  return scatter_impl(self, dim, index, scatter_value(self, value),
                      ScatterBackward::Mode::Value);
}

Tensor scatter_add(const Tensor& self, int64_t dim, const Tensor& index,
                   const Tensor& src) {
  return scatter_impl(self, dim, index, src, ScatterBackward::Mode::Add);
}

Tensor& scatter_(Tensor& self, int64_t dim, const Tensor& index,
                 const Tensor& src) {
  return scatter_inplace(self, dim, index, src, ScatterBackward::Mode::Src);
}

Tensor& scatter_(Tensor& self, int64_t dim, const Tensor& index,
                 const Scalar& value) {
  return scatter_inplace(self, dim, index, scatter_value(self, value),
                         ScatterBackward::Mode::Value);
}

Tensor& scatter_add_(Tensor& self, int64_t dim, const Tensor& index,
                     const Tensor& src) {
  return scatter_inplace(self, dim, index, src, ScatterBackward::Mode::Add);
}

Tensor scatter_reduce(const Tensor& self, int64_t dim, const Tensor& index,
                      const Tensor& src, const std::string& reduce,
                      bool include_self) {
  AG_CAPTURE_RETURN(
      "scatter_reduce",
      scatter_reduce(in[0], dim, in[1], in[2], reduce, include_self), self,
      index, src)
  const ScatterReduce r = parse_scatter_reduce(reduce);
  const int64_t d = check_scatter(self, dim, index, &src);
  AG_CHECK_AS(NotImplementedError,
              r != ScatterReduce::Mean || self.dtype() != DType::Bool,
              "\"scatter_gather_tensor_cpu_reduce_mean\" not implemented for "
              "'Bool'");
  Tensor out = clone_data(self);
  if (index.numel() > 0) {
    if (!include_self) {
      scatter_data(out, d, index,
                   scatter_value(out, scatter_reduce_identity(r, out.dtype())),
                   kernels::ScatterMode::Assign);
    }
    scatter_data(out, d, index, src, scatter_reduce_mode(r));
    if (r == ScatterReduce::Mean) {
      NoGradGuard no_grad;
      // How many values each position averages: self (if included) and
      // every src value reduced into it; 1 where none.
      Tensor n = include_self ? ones(self.sizes(), self.dtype())
                              : zeros(self.sizes(), self.dtype());
      scatter_data(n, d, index, scatter_value(n, Scalar(int64_t{1})),
                   kernels::ScatterMode::Add);
      n = masked_fill(n, eq(n, wrap_scalar(Scalar(int64_t{0}))),
                      Scalar(int64_t{1}));
      // Integer means round toward -inf, as PyTorch's do.
      out = is_floating(out.dtype()) ? div(out, n)
                                     : div(out, n, RoundingMode::Floor);
    }
  }
  ScatterReduceArgs args;
  args.dim = d;
  args.reduce = r;
  args.reduce_name = reduce;
  args.include_self = include_self;
  args.self_sizes = self.sizes();
  args.src_sizes = src.sizes();
  if (auto fn = record<ScatterReduceBackward0>(self, src)) {
    fn->dim = dim;
    fn->include_self = include_self;
    fn->index = SavedVariable(index, false);
    fn->args = args;
    autograd::set_history(out, fn);
    fn->self = SavedVariable(self, false);
    fn->src = SavedVariable(src, false);
    // After set_history: the saved output refers back to fn.
    fn->result = SavedVariable(out, true);
  }
  if (forward_ad::any_dual(self, src)) {
    set_tangent(out, [&] {
      return scatter_reduce_tangent(args, self, index, src, out);
    });
  }
  return out;
}

Tensor& scatter_reduce_(Tensor& self, int64_t dim, const Tensor& index,
                        const Tensor& src, const std::string& reduce,
                        bool include_self) {
  return apply_inplace(self, "scatter_reduce_", {src}, [&](const Tensor& s) {
    return scatter_reduce(s, dim, index, src, reduce, include_self);
  });
}

Tensor index_select(const Tensor& self, int64_t dim, const Tensor& index) {
  AG_CAPTURE_RETURN("index_select", index_select(in[0], dim, in[1]), self,
                    index)
  AG_INDEX_CHECK(index.dim() <= 1,
                 "index_select(): Index is supposed to be a vector");
  AG_CHECK(is_index_dtype(index.dtype()),
           "index_select(): Expected dtype int32 or int64 for index");
  const int64_t d = wrap_dim(dim, self.dim());
  if (self.dim() == 0) {
    AG_CHECK(index.numel() == 1,
             "index_select(): Index to scalar can have only 1 value, got ",
             index.numel(), " value(s)");
  }
  const int64_t size = sizes_1d(self)[static_cast<size_t>(d)];
  AG_CHECK(self.dim() <= 1 || size > 0 || index.numel() == 0,
           "index_select(): self indexing axis dim should be positive");
  if (index.numel() > 0) {
    const auto [lo, hi] = kernels::min_max(index);
    if (lo < 0 || hi >= size) {
      // PyTorch's CPU kernel words this by the path it takes: its bound
      // check for an empty self and its fast path along dim 1 (of a tensor
      // of two or more dims) raise RuntimeError naming the first bad index;
      // every other case, IndexError.
      const bool checked_first =
          self.dim() > 1 && (self.numel() == 0 || d == 1);
      AG_INDEX_CHECK(checked_first, "index out of range in self");
      const Tensor values =
          cast_data(index.dim() ? index : as_1d(index), DType::Int64);
      const Tensor flat = clone_data(values);
      const auto* v = static_cast<const int64_t*>(flat.raw_data());
      const int64_t* bad = std::find_if(
          v, v + flat.numel(), [&](int64_t i) { return i < 0 || i >= size; });
      throw Error(detail::str_cat("INDICES element is out of DATA bounds, id=",
                                  *bad, " axis_dim=", size));
    }
  }
  Tensor out = select_indices(self, d, index);
  if (self.dim() == 0) out.impl()->set_sizes_and_strides({}, {}, 0);
  if (auto fn = record<IndexSelectBackward0>(self)) {
    fn->self_sizes = self.sizes();
    fn->dim = dim;
    fn->index = SavedVariable(index, false);
    autograd::set_history(out, fn);
  }
  linear_tangent(out, self,
                 [&](const Tensor& t) { return index_select(t, dim, index); });
  return out;
}

// ---- embedding and one_hot
// -------------------------------------------------------

namespace {

// d(weight) = zeros(num_weights, D).index_put([indices], grad rows, True),
// with the rows of padding_idx zeroed and, with scale_grad_by_freq, each
// row divided by how often its index occurs.
class EmbeddingBackward0 final : public Node {
 public:
  AG_NODE(EmbeddingBackward0);
  static constexpr bool kForwardRule = true;  // Note [Linear forward rules]
  variable_list apply(variable_list&& grads) override {
    const Tensor idx = reshape(indices.unpack(), {-1});
    const int64_t width = grads[0].size(-1);
    Tensor g = reshape(grads[0], {-1, width});
    if (padding_idx >= 0) {
      Tensor padded;
      {
        NoGradGuard no_grad;
        padded = unsqueeze(eq(idx, wrap_scalar(Scalar(padding_idx.get()))), 1);
      }
      g = where(padded, zeros({}, g.dtype()), g);
    }
    if (scale_grad_by_freq) {
      Tensor freq;
      {
        NoGradGuard no_grad;
        const Tensor counts =
            index_put(zeros({num_weights}, g.dtype()), TensorList{idx},
                      ones({}, g.dtype()), true);
        freq = unsqueeze(index(counts, TensorList{idx}), 1);
      }
      g = div(g, freq);
    }
    return {index_put(zeros({num_weights, width}, g.dtype()), TensorList{idx},
                      g, /*accumulate=*/true)};
  }
  SavedTensor indices{this, "indices"};
  Saved<int64_t> num_weights{this, "weight_sym_argsize_0", 0},
      padding_idx{this, "padding_idx", -1};
  Saved<bool> scale_grad_by_freq{this, "scale_grad_by_freq", false};
  Saved<bool> sparse{this, "sparse", false};  // as PyTorch saves it
};

}  // namespace

Tensor embedding(const Tensor& weight, const Tensor& indices,
                 int64_t padding_idx, bool scale_grad_by_freq) {
  AG_CAPTURE_RETURN("embedding",
                    embedding(in[0], in[1], padding_idx, scale_grad_by_freq),
                    weight, indices)
  // PyTorch's order: recording the backward reads the weight's row count,
  // then the kernel checks the weight's rank and the indices' dtype.
  AG_INDEX_CHECK(weight.dim() > 0 || !GradMode::is_enabled() ||
                     !autograd::requires_grad(weight),
                 "Dimension specified as 0 but tensor has no dimensions");
  AG_CHECK(weight.dim() == 2, "'weight' must be 2-D");
  AG_CHECK(is_index_dtype(indices.dtype()),
           "Expected tensor for argument #1 'indices' to have one of the "
           "following scalar types: Long, Int; but got torch.",
           dtype_legacy_name(indices.dtype()),
           "Tensor instead (while checking arguments for embedding)");
  const int64_t rows = weight.sizes()[0];
  const Tensor flat = reshape(detach(indices), {-1});
  if (indices.numel() > 0) {
    const auto [lo, hi] = kernels::min_max(indices);
    if (lo < 0 || hi >= rows) {
      // PyTorch's embedding reports a bad index as index_select does (its
      // wording depends on the weight's shape).
      NoGradGuard no_grad;
      index_select(weight, 0, flat);
      AG_INDEX_CHECK(false, "index out of range in self");
    }
  }
  Tensor out = select_indices(weight, 0, flat);
  Shape shape = indices.sizes();
  shape.push_back(weight.sizes()[1]);
  out.impl()->set_sizes_and_strides(shape, contiguous_strides(shape), 0);
  if (auto fn = record<EmbeddingBackward0>(weight)) {
    fn->indices = SavedVariable(indices, false);
    fn->num_weights = rows;
    fn->padding_idx = padding_idx;
    fn->scale_grad_by_freq = scale_grad_by_freq;
    autograd::set_history(out, fn);
  }
  linear_tangent(out, weight, [&](const Tensor& t) {
    return embedding(t, indices, -1, false);
  });
  return out;
}

Tensor one_hot(const Tensor& self, int64_t num_classes) {
  AG_CHECK(self.dtype() == DType::Int64,
           "one_hot is only applicable to index tensor of type LongTensor.");
  Shape shape = self.sizes();
  if (self.numel() == 0) {
    AG_CHECK(num_classes != -1,
             "Can not infer total number of classes from empty tensor.");
    shape.push_back(num_classes);
    return zeros(shape, DType::Int64);
  }
  const auto [lo, hi] = kernels::min_max(self);
  AG_CHECK(lo >= 0, "Class values must be non-negative.");
  if (num_classes == -1) {
    num_classes = hi + 1;
  } else {
    AG_CHECK(hi < num_classes,
             "Class values must be smaller than num_classes.");
  }
  shape.push_back(num_classes);
  Tensor out = zeros(shape, DType::Int64);
  // out[..., self[...]] = 1: scatter along the new last dim.
  Shape index_sizes = self.sizes(), index_strides = self.strides();
  index_sizes.push_back(1);
  index_strides.push_back(0);
  Shape target_strides = out.strides();
  target_strides.back() = 0;
  kernels::index_scatter(data_view(out, index_sizes, target_strides, 0),
                         data_view(self, index_sizes, index_strides,
                                   self.impl()->storage_offset()),
                         1, kernels::IndexBound{},
                         scalar_tensor(Scalar(int64_t{1}), DType::Int64),
                         false);
  return out;
}

}  // namespace ag::ops
