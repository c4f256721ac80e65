// Sorting, selection and scans along a dim, and the counting ops.

#include "ops/sorting.h"

#include <cmath>
#include <limits>
#include <string>

#include "kernels/select.h"
#include "ops/op_utils.h"

namespace ag::ops {

namespace {

#define AG_NOT_IMPLEMENTED_CHECK(cond, ...) \
  AG_CHECK_AS(::ag::NotImplementedError, cond, __VA_ARGS__)

// The dim a row op works along: 0 for a 0-d tensor (one row of one).
int64_t row_dim(const Tensor& self, int64_t dim) {
  const int64_t d = wrap_dim(dim, self.dim());
  return self.dim() == 0 ? 0 : d;
}

int64_t row_len(const Tensor& self, int64_t dim) {
  return self.dim() == 0 ? 1 : self.size(dim);
}

// self's shape with `len` at dim (0-d stays 0-d).
Shape with_len(const Tensor& self, int64_t dim, int64_t len) {
  Shape s = self.sizes();
  if (self.dim() > 0) s[static_cast<size_t>(dim)] = len;
  return s;
}

void drop_dim(Tensor& t, int64_t dim) {
  if (t.dim() == 0) return;
  Shape s = t.sizes();
  s.erase(static_cast<size_t>(dim));
  t.impl()->set_sizes_and_strides(s, contiguous_strides(s), 0);
}

void check_not_bool(const Tensor& self, const char* kernel) {
  AG_NOT_IMPLEMENTED_CHECK(self.dtype() != DType::Bool, "\"", kernel,
                           "\" not implemented for 'Bool'");
}

// Note [Value-selecting backward]: the gradient of an op that picks elements
// of self (sort, topk, kthvalue, median, mode) goes back to the positions it
// picked: zeros of self's shape with grad scattered at `indices` along dim.
// Written with scatter, so double backward gathers.
// d(self) = zeros.scatter(dim, indices, grad)
class PickBackward : public Node {
 public:
  PickBackward(edge_list&& edges, const char* name)
      : Node(std::move(edges)), name_(name) {}
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& grads) override {
    Tensor g = grads[0];
    Tensor idx = indices;
    if (!keepdim && !self_sizes.empty()) {
      g = unsqueeze(g, dim);
      idx = unsqueeze(idx, dim);
    }
    if (self_sizes.empty()) {
      g = reshape(g, {1});
      idx = reshape(idx, {1});
      return {reshape(scatter(zeros({1}, g.dtype()), 0, idx, g), {})};
    }
    return {scatter(zeros(self_sizes, g.dtype()), dim, idx, g)};
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("dim", int_field(dim_arg));
    SavedField idx;
    idx.kind = SavedField::Kind::Tensor;
    idx.tensor = indices;
    v.visit("indices", idx);
    if (has_keepdim) v.visit("keepdim", bool_field(keepdim));
    v.visit("self_sym_sizes", ints_field(self_sizes));
  }
  Shape self_sizes;
  Tensor indices;  // integer positions: never require grad, no cycle
  int64_t dim = 0;
  int64_t dim_arg = 0;  // as the caller gave it (what _saved_dim shows)
  bool keepdim = true;
  bool has_keepdim = false;

 private:
  const char* name_;
};

void record_pick(const Tensor& self, Tensor& values, const Tensor& indices,
                 const char* name, int64_t dim, int64_t dim_arg, bool keepdim,
                 bool has_keepdim) {
  if (!is_floating(self.dtype()) || !should_record_as<PickBackward>(name, self))
    return;
  auto fn = make_node<PickBackward>(autograd::collect_next_edges(self), name);
  fn->self_sizes = self.sizes();
  fn->indices = indices;
  fn->dim = dim;
  fn->dim_arg = dim_arg;
  fn->keepdim = keepdim;
  fn->has_keepdim = has_keepdim;
  autograd::set_history(values, fn);
}

// A values/indices pair of a row kernel writing `len` entries per row.
std::pair<Tensor, Tensor> row_outputs(const Tensor& self, int64_t dim,
                                      int64_t len) {
  const Shape s = with_len(self, dim, len);
  return {empty_tensor(s, self.dtype()), empty_tensor(s, DType::Int64)};
}

// A reduction to one element per row (kthvalue, median, mode).
template <typename Kernel>
std::pair<Tensor, Tensor> reduce_rows(const Tensor& self, int64_t dim_in,
                                      bool keepdim, const char* op,
                                      const char* node, const Kernel& kernel) {
  const int64_t dim = row_dim(self, dim_in);
  AG_INDEX_CHECK(self.dim() == 0 || self.size(dim) > 0, op,
                 "(): Expected reduction dim ", dim, " to have non-zero size.");
  auto [values, indices] = row_outputs(self, dim, 1);
  if (values.numel() > 0) kernel(contiguous_data(self), dim, values, indices);
  if (!keepdim) {
    drop_dim(values, dim);
    drop_dim(indices, dim);
  }
  record_pick(self, values, indices, node, dim, dim_in,
              keepdim || self.dim() == 0, true);
  return {values, indices};
}

}  // namespace

// ---- sort / argsort / msort / topk ----------------------------------------

std::pair<Tensor, Tensor> sort(const Tensor& self, int64_t dim_in,
                               bool descending, bool stable) {
  const int64_t dim = row_dim(self, dim_in);
  auto [values, indices] = row_outputs(self, dim, row_len(self, dim));
  if (values.numel() > 0) {
    kernels::sort(contiguous_data(self), dim, descending, stable, values,
                  indices);
  }
  record_pick(self, values, indices, stable ? "SortBackward1" : "SortBackward0",
              dim, dim_in, true, false);
  return {values, indices};
}

Tensor argsort(const Tensor& self, int64_t dim, bool descending, bool stable) {
  return sort(autograd::detach(self), dim, descending, stable).second;
}

Tensor msort(const Tensor& self) {
  return sort(self, 0, false, false).first;
}

std::pair<Tensor, Tensor> topk(const Tensor& self, int64_t k, int64_t dim_in,
                               bool largest, bool sorted) {
  const int64_t dim = row_dim(self, dim_in);
  AG_CHECK(k >= 0 && k <= row_len(self, dim), "selected index k out of range");
  auto [values, indices] = row_outputs(self, dim, k);
  if (values.numel() > 0) {
    kernels::topk(contiguous_data(self), dim, k, largest, sorted, values,
                  indices);
  }
  record_pick(self, values, indices, "TopkBackward0", dim, dim_in, true, false);
  return {values, indices};
}

// ---- kthvalue / median / nanmedian / mode ---------------------------------

std::pair<Tensor, Tensor> kthvalue(const Tensor& self, int64_t k,
                                   int64_t dim_in, bool keepdim) {
  const int64_t dim = row_dim(self, dim_in);
  AG_CHECK(k >= 1 && k <= row_len(self, dim),
           "kthvalue(): selected number k out of range for dimension ", dim);
  return reduce_rows(
      self, dim_in, keepdim, "kthvalue", "KthvalueBackward0",
      [k](const Tensor& src, int64_t d, const Tensor& v, const Tensor& i) {
        kernels::kthvalue(src, d, k, v, i);
      });
}

namespace {

std::pair<Tensor, Tensor> median_dim(const Tensor& self, int64_t dim,
                                     bool keepdim, bool ignore_nan) {
  check_not_bool(self, ignore_nan ? "nanmedian_cpu" : "median_cpu");
  return reduce_rows(self, dim, keepdim, ignore_nan ? "nanmedian" : "median",
                     ignore_nan ? "NanmedianBackward1" : "MedianBackward1",
                     [ignore_nan](const Tensor& src, int64_t d, const Tensor& v,
                                  const Tensor& i) {
                       kernels::median(src, d, ignore_nan, v, i);
                     });
}

// d(self) = grad shared evenly by the elements equal to the result (NaN
// results: by the NaN elements)
class MedianAllBackward : public Node {
 public:
  MedianAllBackward(edge_list&& edges, const char* name)
      : Node(std::move(edges)), name_(name) {}
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& grads) override {
    const Tensor s = self.unpack();
    const Tensor r = result.unpack(shared_from_this());
    Tensor mask;
    {
      NoGradGuard no_grad;
      mask = logical_or(eq(s, r), logical_and(isnan(s), isnan(r)));
      mask = cast_data(mask, grads[0].dtype());
      mask = div(mask, sum(mask));
    }
    return {mul(expand(grads[0], s.sizes()), mask)};
  }
  void release_variables() override {
    self.release();
    result.release();
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("result", result);
    v.visit("self", self);
  }
  SavedVariable self, result;

 private:
  const char* name_;
};

Tensor median_all(const Tensor& self, bool ignore_nan) {
  check_not_bool(self, ignore_nan ? "nanmedian_cpu" : "median_cpu");
  Tensor out;
  if (self.numel() == 0) {
    out = full({}, Scalar(std::numeric_limits<double>::quiet_NaN()),
               self.dtype());
  } else {
    const Tensor flat = reshape(contiguous_data(self), {self.numel()});
    out = empty_tensor({}, self.dtype());
    kernels::median(flat, 0, ignore_nan, out, empty_tensor({}, DType::Int64));
  }
  const char* name = ignore_nan ? "NanmedianBackward0" : "MedianBackward0";
  if (is_floating(self.dtype()) &&
      should_record_as<MedianAllBackward>(name, self)) {
    auto fn =
        make_node<MedianAllBackward>(autograd::collect_next_edges(self), name);
    fn->self = SavedVariable(self, false);
    autograd::set_history(out, fn);
    fn->result = SavedVariable(out, true);
  }
  return out;
}

}  // namespace

Tensor median(const Tensor& self) {
  return median_all(self, false);
}
Tensor nanmedian(const Tensor& self) {
  return median_all(self, true);
}
std::pair<Tensor, Tensor> median(const Tensor& self, int64_t dim,
                                 bool keepdim) {
  return median_dim(self, dim, keepdim, false);
}
std::pair<Tensor, Tensor> nanmedian(const Tensor& self, int64_t dim,
                                    bool keepdim) {
  return median_dim(self, dim, keepdim, true);
}

std::pair<Tensor, Tensor> mode(const Tensor& self, int64_t dim, bool keepdim) {
  return reduce_rows(self, dim, keepdim, "mode", "ModeBackward0",
                     [](const Tensor& src, int64_t d, const Tensor& v,
                        const Tensor& i) { kernels::mode(src, d, v, i); });
}

// ---- cumprod / cummax / cummin / logcumsumexp -----------------------------

namespace {

Tensor reverse_cumsum(const Tensor& t, int64_t dim) {
  return flip(cumsum(flip(t, {dim}), dim), {dim});
}

// d(self)_k = sum_{j >= k} grad_j * prod_{i <= j, i != k} self_i. Without
// zeros in self that is reverse_cumsum(grad * result) / self; with zeros,
// the products are formed directly: row k of an n x n matrix holds self
// with self_k replaced by 1, so its cumprod gives every product at once.
class CumprodBackward0 : public Node {
 public:
  AG_NODE(CumprodBackward0);
  variable_list apply(variable_list&& grads) override {
    const Tensor s = self.unpack();
    const Tensor r = result.unpack(shared_from_this());
    const Tensor& g = grads[0];
    if (s.numel() == 0) return {zeros(s.sizes(), g.dtype())};
    if (s.dim() == 0) return {g};
    bool has_zero;
    {
      NoGradGuard no_grad;
      has_zero =
          any(eq(s, scalar_tensor(Scalar(0.0), s.dtype()))).item().to<bool>();
    }
    if (!has_zero) return {div(reverse_cumsum(mul(g, r), dim), s)};
    const int64_t n = s.size(dim);
    const Tensor x = movedim(s, {dim}, {-1});
    const Tensor gl = movedim(g, {dim}, {-1});
    Shape square = x.sizes();
    square.insert(square.size() - 1, n);
    Tensor diag, upper;
    {
      NoGradGuard no_grad;
      diag = cast_data(eye(n, n, DType::Int64), DType::Bool);
      upper = cast_data(triu(ones({n, n}, DType::Int64)), g.dtype());
    }
    const Tensor rows =
        where(diag, ones({}, s.dtype()), expand(unsqueeze(x, -2), square));
    const Tensor products = cumprod(rows, -1);
    const Tensor dx =
        sum(mul(mul(products, upper), unsqueeze(gl, -2)), {-1}, false);
    return {movedim(dx, {-1}, {dim})};
  }
  SavedTensor self{this, "self"}, result{this, "result"};
  Saved<int64_t> dim{this, "dim"};
};

// d(self) = zeros.scatter_add(dim, indices, grad)
class CumExtremumBackward : public Node {
 public:
  CumExtremumBackward(edge_list&& edges, const char* name)
      : Node(std::move(edges)), name_(name) {}
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& grads) override {
    const Tensor& g = grads[0];
    if (g.dim() == 0) return {g};
    return {scatter_add(zeros(g.sizes(), g.dtype()), dim, indices, g)};
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("dim", int_field(dim));
    SavedField idx;
    idx.kind = SavedField::Kind::Tensor;
    idx.tensor = indices;
    v.visit("indices", idx);
    v.visit("self", self_field);
  }
  Tensor indices;
  SavedField self_field;
  int64_t dim = 0;

 private:
  const char* name_;
};

// d(self)_k = sum_{j >= k} grad_j exp(self_k - result_j), summed in log
// space separately for the positive and negative parts of grad.
class LogcumsumexpBackward0 : public Node {
 public:
  AG_NODE(LogcumsumexpBackward0);
  variable_list apply(variable_list&& grads) override {
    const Tensor s = self.unpack();
    const Tensor r = result.unpack(shared_from_this());
    const Tensor& g = grads[0];
    if (g.numel() == 0) return {zeros(s.sizes(), g.dtype())};
    // The lowest finite value, not -inf: -inf - -inf would make NaN in the
    // double backward.
    const Tensor lowest = scalar_tensor(
        Scalar(g.dtype() == DType::Float32
                   ? static_cast<double>(std::numeric_limits<float>::lowest())
                   : std::numeric_limits<double>::lowest()),
        g.dtype());
    const Tensor zero = scalar_tensor(Scalar(0.0), g.dtype());
    const Tensor log_abs = log(abs(g));
    auto part = [&](const Tensor& mask) {
      const Tensor logs = sub(where(mask, log_abs, lowest), r);
      const Tensor rev = flip(logcumsumexp(flip(logs, {dim}), dim), {dim});
      return exp(add(rev, s));
    };
    return {sub(part(gt(g, zero)), part(lt(g, zero)))};
  }
  SavedTensor self{this, "self"}, result{this, "result"};
  Saved<int64_t> dim{this, "dim"};
};

Tensor scan_output(kernels::ScanOp op, const Tensor& src, int64_t dim,
                   const Tensor& indices = Tensor()) {
  Tensor out = empty_tensor(src.sizes(), src.dtype());
  if (out.numel() > 0) kernels::scan(op, src, dim, out, indices);
  return out;
}

std::pair<Tensor, Tensor> cum_extremum(const Tensor& self, int64_t dim_in,
                                       bool is_max) {
  const int64_t dim = row_dim(self, dim_in);
  Tensor indices = empty_tensor(self.sizes(), DType::Int64);
  Tensor values =
      scan_output(is_max ? kernels::ScanOp::Max : kernels::ScanOp::Min,
                  contiguous_data(self), dim, indices);
  const char* name = is_max ? "CummaxBackward0" : "CumminBackward0";
  if (is_floating(self.dtype()) &&
      should_record_as<CumExtremumBackward>(name, self)) {
    auto fn = make_node<CumExtremumBackward>(autograd::collect_next_edges(self),
                                             name);
    fn->indices = indices;
    fn->dim = dim;
    fn->self_field.kind = SavedField::Kind::Tensor;
    fn->self_field.tensor = autograd::detach(self);
    autograd::set_history(values, fn);
  }
  return {values, indices};
}

}  // namespace

Tensor cumprod(const Tensor& self, int64_t dim_in, std::optional<DType> dtype) {
  const int64_t dim = row_dim(self, dim_in);
  const DType out_dtype =
      dtype ? *dtype
            : (is_floating(self.dtype()) ? self.dtype() : DType::Int64);
  const Tensor src = contiguous_data(cast_data(self, out_dtype));
  Tensor out = scan_output(kernels::ScanOp::Prod, src, dim);
  if (is_floating(out_dtype) && should_record<CumprodBackward0>(self)) {
    auto fn = make_node<CumprodBackward0>(autograd::collect_next_edges(self));
    fn->self = SavedVariable(self, false);
    fn->dim = dim;
    autograd::set_history(out, fn);
    fn->result = SavedVariable(out, true);
  }
  return out;
}

std::pair<Tensor, Tensor> cummax(const Tensor& self, int64_t dim) {
  return cum_extremum(self, dim, true);
}
std::pair<Tensor, Tensor> cummin(const Tensor& self, int64_t dim) {
  return cum_extremum(self, dim, false);
}

Tensor logcumsumexp(const Tensor& self, int64_t dim_in) {
  AG_NOT_IMPLEMENTED_CHECK(is_floating(self.dtype()),
                           "\"logcumsumexp_out_cpu\" not implemented for '",
                           dtype_legacy_name(self.dtype()), "'");
  const int64_t dim = row_dim(self, dim_in);
  Tensor out =
      scan_output(kernels::ScanOp::LogSumExp, contiguous_data(self), dim);
  if (should_record<LogcumsumexpBackward0>(self)) {
    auto fn =
        make_node<LogcumsumexpBackward0>(autograd::collect_next_edges(self));
    fn->self = SavedVariable(self, false);
    fn->dim = dim;
    autograd::set_history(out, fn);
    fn->result = SavedVariable(out, true);
  }
  return out;
}

// ---- searchsorted / bucketize / bincount / histc --------------------------

Tensor searchsorted(const Tensor& sorted, const Tensor& values, bool out_int32,
                    bool right, const std::optional<std::string>& side,
                    const Tensor& sorter) {
  if (side) {
    AG_CHECK(*side == "left" || *side == "right",
             "torch.searchsorted(): side can only be 'left' or 'right' but "
             "got ",
             *side);
    AG_CHECK(!right || *side == "right",
             "torch.searchsorted(): side and right can't be set to "
             "opposites, got side of left while right was True");
    right = *side == "right";
  }
  bool leading_match = sorted.dim() == 1;
  if (!leading_match && sorted.dim() == values.dim() && sorted.dim() > 0) {
    leading_match = true;
    for (int64_t d = 0; d + 1 < sorted.dim(); ++d) {
      if (sorted.size(d) != values.size(d)) leading_match = false;
    }
  }
  AG_CHECK(leading_match,
           "torch.searchsorted(): boundaries tensor should be 1 dimension or "
           "the first N-1 dimensions of boundaries tensor and input value "
           "tensor must match, but we got boundaries tensor ",
           shape_str(sorted.sizes()), " and input value tensor ",
           shape_str(values.sizes()));
  if (sorter.defined()) {
    AG_CHECK(sorter.dtype() == DType::Int64,
             "torch.searchsorted(): sorter must be a tensor of long dtype but "
             "got dtype ",
             dtype_legacy_name(sorter.dtype()));
    AG_CHECK(sorter.sizes() == sorted.sizes(),
             "torch.searchsorted(): boundary and sorter must have the same "
             "size, but got boundary tensor ",
             shape_str(sorted.sizes()), "and got sorter tensor ",
             shape_str(sorter.sizes()));
  }
  const DType common = promote_types(sorted.dtype(), values.dtype());
  Tensor out =
      empty_tensor(values.sizes(), out_int32 ? DType::Int32 : DType::Int64);
  if (out.numel() > 0) {
    const Tensor s =
        contiguous_data(cast_data(autograd::detach(sorted), common));
    const Tensor v =
        contiguous_data(cast_data(autograd::detach(values), common));
    kernels::searchsorted(s, v, right,
                          sorter.defined() ? contiguous_data(sorter) : Tensor(),
                          out);
  }
  return out;
}

Tensor bucketize(const Tensor& self, const Tensor& boundaries, bool out_int32,
                 bool right) {
  AG_CHECK(boundaries.dim() == 1,
           "boundaries tensor must be 1 dimension, but got dim(",
           boundaries.dim(), ")");
  return searchsorted(boundaries, self, out_int32, right);
}

Tensor bincount(const Tensor& self, const Tensor& weights, int64_t minlength) {
  AG_NOT_IMPLEMENTED_CHECK(
      self.dtype() == DType::Int64 || self.dtype() == DType::Int32,
      "\"bincount_cpu\" not implemented for '", dtype_legacy_name(self.dtype()),
      "'");
  AG_CHECK(minlength >= 0, "minlength should be >= 0");
  AG_CHECK(self.dim() == 1,
           "bincount only supports 1-d non-negative integral "
           "inputs.");
  AG_CHECK(!weights.defined() ||
               (weights.dim() == 1 && weights.size(0) == self.size(0)),
           "weights should be 1-d and have the same length as input");
  const Tensor src = contiguous_data(cast_data(self, DType::Int64));
  int64_t bins = minlength;
  if (src.numel() > 0) {
    const auto* p = static_cast<const int64_t*>(src.raw_data());
    for (int64_t i = 0; i < src.numel(); ++i) {
      AG_CHECK(p[i] >= 0,
               "bincount only supports 1-d non-negative integral "
               "inputs.");
      bins = std::max(bins, p[i] + 1);
    }
  }
  DType out_dtype = DType::Int64;
  if (weights.defined()) {
    out_dtype =
        weights.dtype() == DType::Float32 ? DType::Float32 : DType::Float64;
  }
  Tensor out = empty_tensor({bins}, out_dtype);
  kernels::bincount(
      src,
      weights.defined()
          ? contiguous_data(cast_data(autograd::detach(weights), out_dtype))
          : Tensor(),
      out);
  return out;
}

Tensor histc(const Tensor& self, int64_t bins, double min, double max) {
  AG_NOT_IMPLEMENTED_CHECK(is_floating(self.dtype()),
                           "\"histogram_cpu\" not implemented for '",
                           dtype_legacy_name(self.dtype()), "'");
  AG_CHECK(bins > 0, "torch.histogram(): bins must be > 0, but got ", bins,
           " for dimension 0");
  AG_CHECK(!(min > max), "torch.histc: max must be larger than min");
  const Tensor src = contiguous_data(autograd::detach(self));
  if (min == max && src.numel() > 0) {
    min = amin(src, {}, false).item().to<double>();
    max = amax(src, {}, false).item().to<double>();
  }
  if (min == max) {
    min -= 1;
    max += 1;
  }
  AG_CHECK(std::isfinite(min) && std::isfinite(max), "torch.histc: range of [",
           min, ", ", max, "] is not finite");
  Tensor out = empty_tensor({bins}, self.dtype());
  kernels::histc(src, min, max, out);
  return out;  // not differentiable: no history, as in PyTorch
}

}  // namespace ag::ops
