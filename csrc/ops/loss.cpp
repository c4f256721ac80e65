// Losses: binary cross entropy (on probabilities and on logits), nll_loss and
// cross_entropy (class indices or probabilities, label smoothing), mse, l1
// and smooth l1. Forwards compute without recording; each backward node is
// written with differentiable ops.

#include <cmath>
#include <string>
#include <vector>

#include "compile/capture.h"
#include "kernels/nn.h"
#include "ops/op_utils.h"

namespace ag::ops {

// A saved reduction, as PyTorch shows it (_saved_reduction: 0 none, 1 mean,
// 2 sum); found by Saved<Reduction> through argument-dependent lookup.
static SavedField saved_field(Reduction r) {
  SavedField f;
  f.kind = SavedField::Kind::Int;
  f.scalar = Scalar(
      int64_t{r == Reduction::None ? 0 : (r == Reduction::Mean ? 1 : 2)});
  return f;
}

namespace {

Tensor reduce(const Tensor& loss, Reduction reduction) {
  switch (reduction) {
    case Reduction::None:
      return loss;
    case Reduction::Sum:
      return sum(loss);
    case Reduction::Mean:
      break;
  }
  return mean(loss);
}

// The elementwise loss in a form that stays finite for large |x|:
//   (1 - t) x + (1 + (p - 1) t) (log1p(exp(-|x|)) + max(-x, 0))
// where the last factor is softplus(-x) = -log(sigmoid(x)).
Tensor bce_logits_elementwise(const Tensor& x, const Tensor& t,
                              const Tensor& weight, const Tensor& pos_weight) {
  const Tensor one = wrap_scalar(Scalar(1.0));
  const Tensor softplus_neg = add(log1p(exp(neg(abs(x)))), relu(neg(x)));
  Tensor loss;
  if (pos_weight.defined()) {
    const Tensor coeff = add(one, mul(sub(pos_weight, one), t));
    loss = add(mul(sub(one, t), x), mul(coeff, softplus_neg));
  } else {
    loss = add(mul(sub(one, t), x), softplus_neg);
  }
  return weight.defined() ? mul(loss, weight) : loss;
}

// d(self) = grad * w * (sigmoid(x) (p t + 1 - t) - p t)
// d(target) = grad * w * ((p - 1) softplus(-x) - x)      (p = 1 without
// pos_weight), divided by the element count for mean reduction.
class BinaryCrossEntropyWithLogitsBackward0 final : public Node {
 public:
  using Node::Node;
  static constexpr bool kForwardRule = true;  // elementwise_loss_tangent
  std::string name() const override {
    return "BinaryCrossEntropyWithLogitsBackward0";
  }
  variable_list apply(variable_list&& grads) override {
    const Tensor x = self.unpack();
    const Tensor t = target.unpack();
    const Tensor w = weight.unpack();
    const Tensor p = pos_weight.unpack();
    const Tensor one = wrap_scalar(Scalar(1.0));
    Tensor g = grads[0];
    if (reduction == Reduction::Mean) {
      g = div(g, wrap_scalar(Scalar(static_cast<double>(x.numel()))));
    }
    if (w.defined()) g = mul(g, w);
    variable_list out(2);
    if (should_compute_output(0)) {
      const Tensor s = sigmoid(x);
      const Tensor d = p.defined()
                           ? sub(mul(s, add(mul(p, t), sub(one, t))), mul(p, t))
                           : sub(s, t);
      out[0] = mul(g, d);
    }
    if (should_compute_output(1)) {
      Tensor d = neg(x);
      if (p.defined()) {
        const Tensor softplus_neg = add(log1p(exp(neg(abs(x)))), relu(neg(x)));
        d = add(d, mul(sub(p, one), softplus_neg));
      }
      out[1] = mul(g, d);
    }
    return out;
  }
  SavedTensor self{this, "self"}, target{this, "target"},
      weight{this, "weight"}, pos_weight{this, "pos_weight"};
  Saved<Reduction> reduction{this, "reduction", Reduction::Mean};
};

// Note [Loss forward rules]: each element of an elementwise loss depends on
// the same element of self and target, so its tangent is
// self_t * d(self) + target_t * d(target) with the backward's per-element
// derivatives, reduced as the loss is.
Tensor elementwise_loss_tangent(const Tensor& self, const Tensor& d_self,
                                const Tensor& target, const Tensor& d_target,
                                Reduction reduction) {
  const Tensor self_t = forward_ad::tangent(self);
  const Tensor target_t = forward_ad::tangent(target);
  Tensor t;
  if (self_t.defined()) t = mul(self_t, d_self);
  if (target_t.defined()) t = add_tangents(t, mul(target_t, d_target));
  return reduce(t, reduction);
}

// Rejects a requires-grad argument the loss has no derivative for.
void check_not_differentiable(const Tensor& arg, const char* op,
                              const char* name) {
  AG_CHECK(!(GradMode::is_enabled() && arg.defined() &&
             autograd::requires_grad(arg)),
           "The function '", op,
           "' is not differentiable with respect to argument '", name,
           "'. This input cannot have requires_grad True.");
}

void check_floating(const Tensor& t, const char* kernel) {
  if (!is_floating(t.dtype())) {
    throw NotImplementedError(
        detail::str_cat("\"", kernel, "\" not implemented for '",
                        dtype_legacy_name(t.dtype()), "'"));
  }
}

Tensor number(double v) {
  return wrap_scalar(Scalar(v));
}

// max(t, floor) elementwise, letting the gradient through where t > floor.
Tensor clamp_below(const Tensor& t, double floor) {
  Tensor below;
  {
    NoGradGuard no_grad;
    below = lt(t, number(floor));
  }
  return where(below, scalar_tensor(Scalar(floor), t.dtype()), t);
}

// d(self) = grad / other   (other a number)
class DivBackward1 final : public Node {
 public:
  AG_NODE(DivBackward1);
  static constexpr bool kForwardRule = true;  // tangent = self_t / other
  variable_list apply(variable_list&& grads) override {
    return {div(grads[0], wrap_scalar(other))};
  }
  Saved<Scalar> other{this, "other"};
};

// self / other for a number other, recorded as PyTorch's Tensor-by-Scalar
// division.
Tensor div_by_number(const Tensor& self, const Scalar& other) {
  Tensor out;
  {
    NoGradGuard no_grad;
    forward_ad::DisableGuard no_tangents;  // the op sets its own
    out = div(self, wrap_scalar(other));
  }
  if (auto fn = record<DivBackward1>(self)) {
    fn->other = other;
    autograd::set_history(out, fn);
  }
  linear_tangent(out, self,
                 [&](const Tensor& t) { return div_by_number(t, other); });
  return out;
}

// ---- binary_cross_entropy

// log(x) and log(1 - x), each clamped below at -100 so that x = 0 or 1 gives
// a finite loss.
Tensor bce_log(const Tensor& x) {
  return clamp_below(log(x), -100.0);
}
Tensor bce_log1m(const Tensor& x) {
  return clamp_below(log1p(neg(x)), -100.0);
}

// d(self) = grad * w * (x - t) / max(x (1 - x), 1e-12)
// d(target) = grad * w * (log(1 - x) - log(x))
// each divided by the element count for mean reduction.
class BinaryCrossEntropyBackward0 final : public Node {
 public:
  AG_NODE(BinaryCrossEntropyBackward0);
  static constexpr bool kForwardRule = true;  // elementwise_loss_tangent
  variable_list apply(variable_list&& grads) override {
    const Tensor x = self.unpack();
    const Tensor t = target.unpack();
    const Tensor w = weight.unpack();
    Tensor g = grads[0];
    if (reduction == Reduction::Mean) {
      g = div(g, number(static_cast<double>(x.numel())));
    }
    if (w.defined()) g = mul(g, w);
    variable_list out(2);
    if (should_compute_output(0)) {
      // PyTorch's floor is the float 1e-12, not the double.
      const Tensor denom = clamp_below(mul(x, rsub(x, Scalar(1.0))),
                                       static_cast<double>(1e-12f));
      out[0] = div(mul(g, sub(x, t)), denom);
    }
    if (should_compute_output(1)) {
      out[1] = mul(g, sub(log1p(neg(x)), log(x)));
    }
    return out;
  }
  SavedTensor self{this, "self"}, target{this, "target"},
      weight{this, "weight"};
  Saved<Reduction> reduction{this, "reduction", Reduction::Mean};
};

// ---- nll_loss

// What nll_loss reads from its targets, laid out as (N, 1, D): the class to
// pick (0 where ignored) and its weight (0 where ignored), and the weights'
// total (the divisor of the mean).
struct NllTerms {
  Tensor index;
  Tensor weights;
  Tensor
      ignored;  // bool mask of ignored targets; undefined when there are none
  double total = 0;
};

NllTerms nll_terms(const Tensor& target, const Tensor& weight,
                   int64_t ignore_index, int64_t n, int64_t classes, int64_t d,
                   DType dtype) {
  const Tensor t = clone_data(target);
  const auto* tv = static_cast<const int64_t*>(t.raw_data());
  const std::vector<double> w =
      weight.defined() ? values_of(weight) : std::vector<double>();
  NllTerms terms;
  terms.index = empty_tensor({n, 1, d}, DType::Int64);
  auto* idx = static_cast<int64_t*>(terms.index.raw_data());
  std::vector<double> wts(static_cast<size_t>(n * d));
  std::vector<uint8_t> ignored;
  for (int64_t i = 0; i < n * d; ++i) {
    const int64_t cls = tv[i];
    if (cls == ignore_index) {
      idx[i] = 0;
      if (ignored.empty()) ignored.resize(static_cast<size_t>(n * d), 0);
      ignored[static_cast<size_t>(i)] = 1;
      continue;
    }
    AG_INDEX_CHECK(cls >= 0 && cls < classes, "Target ", cls,
                   " is out of bounds.");
    idx[i] = cls;
    wts[static_cast<size_t>(i)] = w.empty() ? 1.0 : w[static_cast<size_t>(cls)];
    terms.total += wts[static_cast<size_t>(i)];
  }
  terms.weights =
      cast_data(from_buffer(wts.data(), {n, 1, d}, DType::Float64), dtype);
  if (!ignored.empty()) {
    terms.ignored = from_buffer(ignored.data(), {n, 1, d}, DType::Bool);
  }
  return terms;
}

// The (N, C, D) layout nll_loss works in: 1-D inputs are one sample.
struct NllLayout {
  int64_t n = 1, classes = 0, d = 1;
};

NllLayout nll_layout(const Tensor& self) {
  NllLayout l;
  if (self.dim() == 1) {
    l.classes = self.size(0);
    return l;
  }
  l.n = self.size(0);
  l.classes = self.size(1);
  for (int64_t i = 2; i < self.dim(); ++i) l.d *= self.size(i);
  return l;
}

// d(self)[n, target[n]] = -grad * weight[target[n]] (divided by the total
// weight for mean reduction); zero elsewhere and at ignored targets
class NllLossBackward final : public Node {
 public:
  NllLossBackward(edge_list&& edges, const char* name)
      : Node(std::move(edges)), name_(name) {}
  // tangent = nll_loss(self_t, ...): the loss is linear in self
  static constexpr bool kForwardRule = true;
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& grads) override {
    const NllLayout l = layout;
    const NllTerms terms =
        nll_terms(target.unpack(), weight.unpack(), ignore_index, l.n,
                  l.classes, l.d, grads[0].dtype());
    Tensor coef;
    {
      NoGradGuard no_grad;
      coef = neg(terms.weights);
      if (reduction == Reduction::Mean && terms.total != 0) {
        coef = div(coef, total_weight.unpack());
      }
    }
    const Tensor& g = grads[0];
    const Tensor src = reduction == Reduction::None
                           ? mul(reshape(g, {l.n, 1, l.d}), coef)
                           : mul(g, coef);
    const Tensor dx = nn_detail::scatter_add_dim1(src, terms.index, l.classes);
    return {reshape(dx, self_sizes)};
  }
  SavedTensor target{this, "target"}, weight{this, "weight"},
      total_weight{this, "total_weight"};
  NllLayout layout;
  Saved<Shape> self_sizes{this, "self_sym_sizes"};
  Saved<Reduction> reduction{this, "reduction", Reduction::Mean};
  Saved<int64_t> ignore_index{this, "ignore_index", -100};

 private:
  const char* name_;
};

// nll_loss of an input already checked, with its result shaped `none_shape`
// for reduction "none".
Tensor nll_core(const Tensor& self, const Tensor& target, const Tensor& weight,
                Reduction reduction, int64_t ignore_index, const char* name,
                const Shape& none_shape) {
  const NllLayout l = nll_layout(self);
  const DType dtype = self.dtype();
  const NllTerms terms =
      nll_terms(target, weight, ignore_index, l.n, l.classes, l.d, dtype);
  Tensor picked = empty_tensor({l.n, 1, l.d}, dtype);
  const Tensor values = self.is_contiguous() ? self : clone_data(self);
  const Tensor x = make_view(values, {l.n, l.classes, l.d},
                             contiguous_strides({l.n, l.classes, l.d}),
                             values.impl()->storage_offset());
  if (picked.numel() > 0 && l.classes > 0) {
    kernels::gather_dim1(x, terms.index, picked);
  } else {
    kernels::fill(picked, Scalar(0.0));
  }
  Tensor out;
  Tensor total = scalar_tensor(Scalar(terms.total), dtype);
  {
    NoGradGuard no_grad;
    forward_ad::DisableGuard no_tangents;  // the op sets its own
    Tensor losses = mul(neg(picked), terms.weights);
    // An ignored target's loss is +0 whatever its logit (-inf * 0 is NaN).
    if (terms.ignored.defined()) {
      losses = masked_fill(losses, terms.ignored, Scalar(0.0));
    }
    if (reduction == Reduction::None) {
      out = losses;  // fresh and contiguous: reshape it in place
      out.impl()->set_sizes_and_strides(none_shape,
                                        contiguous_strides(none_shape), 0);
    } else {
      out = sum(losses);
      if (reduction == Reduction::Mean) out = div(out, total);
    }
  }
  if (should_record_as<NllLossBackward>(name, self)) {
    auto fn =
        make_node<NllLossBackward>(autograd::collect_next_edges(self), name);
    fn->target = SavedVariable(target, false);
    fn->weight = SavedVariable(weight, false);
    fn->total_weight = SavedVariable(total, false);
    fn->layout = l;
    fn->self_sizes = self.sizes();
    fn->reduction = reduction;
    fn->ignore_index = ignore_index;
    autograd::set_history(out, fn);
  }
  linear_tangent(out, self, [&](const Tensor& t) {
    return nll_core(t, target, weight, reduction, ignore_index, name,
                    none_shape);
  });
  return out;
}

// ---- mse, smooth l1

// d(self) = 2 (self - target) grad ; d(target) = -d(self)
// (divided by the element count for mean reduction)
// self - target in their promoted dtype: PyTorch's mse kernel takes an
// integer or bool operand beside a floating one.
Tensor promoted_diff(const Tensor& self, const Tensor& target) {
  const DType common = promote_types(self.dtype(), target.dtype());
  return sub(cast_data(self, common), cast_data(target, common));
}

class MseLossBackward0 final : public Node {
 public:
  AG_NODE(MseLossBackward0);
  static constexpr bool kForwardRule = true;  // elementwise_loss_tangent
  variable_list apply(variable_list&& grads) override {
    const Tensor diff = promoted_diff(self.unpack(), target.unpack());
    const double scale = reduction == Reduction::Mean
                             ? 2.0 / static_cast<double>(diff.numel())
                             : 2.0;
    const Tensor d = mul(mul(diff, number(scale)), grads[0]);
    variable_list out(2);
    if (should_compute_output(0)) out[0] = d;
    if (should_compute_output(1)) out[1] = neg(d);
    return out;
  }
  SavedTensor self{this, "self"}, target{this, "target"};
  Saved<Reduction> reduction{this, "reduction", Reduction::Mean};
};

// With d = self - target:
// d(self) = grad * (|d| < beta ? d / beta : sign(d)) ; d(target) = -d(self)
// (divided by the element count for mean reduction)
class SmoothL1LossBackward0 final : public Node {
 public:
  AG_NODE(SmoothL1LossBackward0);
  static constexpr bool kForwardRule = true;  // elementwise_loss_tangent
  // d(loss)/d(self) for d = self - target: sign(d) beyond beta, d / beta
  // within, and NaN for a NaN d (PyTorch's kernel takes the inner branch
  // when neither comparison holds).
  static Tensor slope(const Tensor& diff, double beta) {
    Tensor outside;
    {
      NoGradGuard no_grad;
      outside = gt(abs(diff), number(beta));
    }
    return where(outside, sign(diff), div(diff, number(beta)));
  }
  variable_list apply(variable_list&& grads) override {
    const Tensor diff = sub(self.unpack(), target.unpack());
    Tensor d = mul(slope(diff, beta), grads[0]);
    if (reduction == Reduction::Mean) {
      d = div(d, number(static_cast<double>(diff.numel())));
    }
    variable_list out(2);
    if (should_compute_output(0)) out[0] = d;
    if (should_compute_output(1)) out[1] = neg(d);
    return out;
  }
  SavedTensor self{this, "self"}, target{this, "target"};
  Saved<Reduction> reduction{this, "reduction", Reduction::Mean};
  Saved<double> beta{this, "beta", 1.0};
};

// The shape and class dim of a weight broadcast against cross_entropy's input.
Tensor class_weight_view(const Tensor& weight, int64_t ndim,
                         int64_t class_dim) {
  Shape shape(static_cast<size_t>(ndim), 1);
  shape[static_cast<size_t>(class_dim)] = weight.numel();
  return reshape(weight, shape);
}

void check_class_weight(const Tensor& weight, int64_t classes,
                        const char* prefix) {
  AG_CHECK(!weight.defined() || weight.numel() == classes, prefix,
           "weight tensor should be defined either for all ", classes,
           " classes or no classes but got weight tensor of shape: ",
           weight.defined() ? shape_str(weight.sizes()) : "");
}

}  // namespace

Tensor binary_cross_entropy_with_logits(const Tensor& self,
                                        const Tensor& target,
                                        const Tensor& weight,
                                        const Tensor& pos_weight,
                                        Reduction reduction) {
  AG_CAPTURE_RETURN(
      "binary_cross_entropy_with_logits",
      binary_cross_entropy_with_logits(in[0], in[1], in[2], in[3], reduction),
      self, target, weight, pos_weight)
  AG_CHECK_AS(ValueError, target.sizes() == self.sizes(),
              "Target size (torch.Size(", shape_str(target.sizes()),
              ")) must be the same as input size (torch.Size(",
              shape_str(self.sizes()), "))");
  // PyTorch's log_sigmoid kernel is floating only; the loss is built in a
  // buffer like the target, which must hold the input's floating type.
  AG_CHECK_AS(NotImplementedError, is_floating(self.dtype()),
              "\"log_sigmoid_cpu\" not implemented for '",
              dtype_legacy_name(self.dtype()), "'");
  AG_CHECK(is_floating(target.dtype()), "result type ",
           dtype_legacy_name(self.dtype()),
           " can't be cast to the desired output type ",
           dtype_legacy_name(target.dtype()));
  for (const auto& [arg, name] :
       {std::pair{&weight, "weight"}, std::pair{&pos_weight, "pos_weight"}}) {
    AG_CHECK(!(GradMode::is_enabled() && arg->defined() &&
               autograd::requires_grad(*arg)),
             "The function 'binary_cross_entropy_with_logits' is not "
             "differentiable with respect to argument '",
             name, "'. This input cannot have requires_grad True.");
  }
  Tensor out;
  {
    NoGradGuard no_grad;
    forward_ad::DisableGuard no_tangents;  // the op sets its own
    out = reduce(bce_logits_elementwise(self, target, weight, pos_weight),
                 reduction);
  }
  if (auto fn = record<BinaryCrossEntropyWithLogitsBackward0>(self, target)) {
    fn->self = SavedVariable(self, false);
    fn->target = SavedVariable(target, false);
    fn->weight = SavedVariable(weight, false);
    fn->pos_weight = SavedVariable(pos_weight, false);
    fn->reduction = reduction;
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self, target)) {
    set_tangent(out, [&] {
      // d(self) = w (sigmoid(x) (p t + 1 - t) - p t) ;
      // d(target) = w ((p - 1) softplus(-x) - x)
      const Tensor one = number(1.0);
      const Tensor& x = self;
      const Tensor& t = target;
      const Tensor& p = pos_weight;
      const Tensor sig = sigmoid(x);
      Tensor d_self =
          p.defined() ? sub(mul(sig, add(mul(p, t), sub(one, t))), mul(p, t))
                      : sub(sig, t);
      Tensor d_target = neg(x);
      if (p.defined()) {
        const Tensor softplus_neg = add(log1p(exp(neg(abs(x)))), relu(neg(x)));
        d_target = add(d_target, mul(sub(p, one), softplus_neg));
      }
      if (weight.defined()) {
        d_self = mul(d_self, weight);
        d_target = mul(d_target, weight);
      }
      return elementwise_loss_tangent(self, d_self, target, d_target,
                                      reduction);
    });
  }
  return out;
}

Tensor binary_cross_entropy(const Tensor& self, const Tensor& target,
                            const Tensor& weight, Reduction reduction) {
  AG_CHECK_AS(ValueError, target.sizes() == self.sizes(),
              "Using a target size (torch.Size(", shape_str(target.sizes()),
              ")) that is different to the input size (torch.Size(",
              shape_str(self.sizes()),
              ")) is deprecated. Please ensure they have the same size.");
  check_floating(self, "binary_cross_entropy");
  AG_CHECK(target.dtype() == self.dtype(), "Found dtype ",
           dtype_legacy_name(target.dtype()), " but expected ",
           dtype_legacy_name(self.dtype()));
  check_not_differentiable(weight, "binary_cross_entropy", "weight");
  Tensor out;
  {
    NoGradGuard no_grad;
    forward_ad::DisableGuard no_tangents;  // the op sets its own
    const Tensor outside =
        add(sum(lt(self, number(0.0))), sum(gt(self, number(1.0))));
    AG_CHECK(outside.item().to<int64_t>() == 0,
             "all elements of input should be between 0 and 1");
    // (t - 1) log(1 - x) - t log(x), with both logs clamped at -100.
    Tensor loss = sub(mul(sub(target, number(1.0)), bce_log1m(self)),
                      mul(target, bce_log(self)));
    if (weight.defined()) loss = mul(loss, weight);
    out = reduce(loss, reduction);
  }
  if (auto fn = record<BinaryCrossEntropyBackward0>(self, target)) {
    fn->self = SavedVariable(self, false);
    fn->target = SavedVariable(target, false);
    fn->weight = SavedVariable(weight, false);
    fn->reduction = reduction;
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self, target)) {
    set_tangent(out, [&] {
      // d(self) = w (x - t) / max(x (1 - x), 1e-12) ;
      // d(target) = w (log(1 - x) - log(x))
      const Tensor denom = clamp_below(mul(self, rsub(self, Scalar(1.0))),
                                       static_cast<double>(1e-12f));
      Tensor d_self = div(sub(self, target), denom);
      Tensor d_target = sub(log1p(neg(self)), log(self));
      if (weight.defined()) {
        d_self = mul(d_self, weight);
        d_target = mul(d_target, weight);
      }
      return elementwise_loss_tangent(self, d_self, target, d_target,
                                      reduction);
    });
  }
  return out;
}

Tensor nll_loss(const Tensor& self, const Tensor& target, const Tensor& weight,
                Reduction reduction, int64_t ignore_index) {
  AG_CAPTURE_RETURN("nll_loss",
                    nll_loss(in[0], in[1], in[2], reduction, ignore_index),
                    self, target, weight)
  AG_CHECK_AS(ValueError, self.dim() >= 1,
              "Expected 1 or more dimensions (got ", self.dim(), ")");
  const int64_t target_batch = target.dim() == 0 ? 0 : target.size(0);
  AG_CHECK_AS(ValueError, self.dim() == 1 || self.size(0) == target_batch,
              "Expected input batch_size (", self.size(0),
              ") to match target batch_size (", target_batch, ").");
  AG_CHECK(target.dtype() == DType::Int64,
           "expected target dtype to be Long or Byte, but got ",
           dtype_legacy_name(target.dtype()));
  check_not_differentiable(weight, "nll_loss_forward", "weight");
  AG_CHECK(!weight.defined() || weight.dtype() == self.dtype(),
           "expected scalar type ", dtype_legacy_name(self.dtype()),
           " but found ", dtype_legacy_name(weight.dtype()));
  check_floating(self, "nll_loss");
  const int64_t classes = self.dim() == 1 ? self.size(0) : self.size(1);
  if (self.dim() <= 2) {
    AG_CHECK(target.dim() <= 1,
             "0D or 1D target tensor expected, multi-target not supported");
    AG_CHECK(self.dim() == 2 || target.numel() == 1,
             "size mismatch (got input: ", shape_str(self.sizes()),
             ", target: ", shape_str(target.sizes()), ")");
    check_class_weight(weight, classes, "");
    const Shape none_shape =
        self.dim() == 1 ? target.sizes() : Shape{self.size(0)};
    return nll_core(self, target, weight, reduction, ignore_index,
                    "NllLossBackward0", none_shape);
  }
  Shape expected{self.size(0)};
  for (int64_t d = 2; d < self.dim(); ++d) expected.push_back(self.size(d));
  if (self.dim() == 4) {
    AG_CHECK(target.dim() == 3,
             "only batches of spatial targets supported (3D tensors) but got "
             "targets of dimension: ",
             target.dim());
    AG_CHECK(!weight.defined() || weight.numel() == classes,
             "weight tensor should be defined either for all or no classes");
    AG_CHECK(target.sizes() == expected,
             "size mismatch (got input: ", shape_str(self.sizes()),
             " , target: ", shape_str(target.sizes()));
    return nll_core(self, target, weight, reduction, ignore_index,
                    "NllLoss2DBackward0", target.sizes());
  }
  // Other ranks run as a (N, C, 1, d1 * d2 * ...) image.
  AG_CHECK(target.sizes() == expected, "Expected target size ",
           shape_str(expected), ", got ", shape_str(target.sizes()));
  AG_CHECK(!weight.defined() || weight.numel() == classes,
           "weight tensor should be defined either for all or no classes");
  const int64_t n = self.size(0);
  const int64_t d = numel_of(expected) / std::max<int64_t>(n, 1);
  const Tensor image = reshape(self, {n, classes, 1, n == 0 ? 0 : d});
  const Shape flat_target{n, 1, n == 0 ? 0 : d};
  Tensor out = nll_core(image, target, weight, reduction, ignore_index,
                        "NllLoss2DBackward0", flat_target);
  return reduction == Reduction::None ? reshape(out, target.sizes()) : out;
}

Tensor cross_entropy(const Tensor& self, const Tensor& target,
                     const Tensor& weight, Reduction reduction,
                     int64_t ignore_index, double label_smoothing) {
  AG_CAPTURE_RETURN("cross_entropy",
                    cross_entropy(in[0], in[1], in[2], reduction, ignore_index,
                                  label_smoothing),
                    self, target, weight)
  const int64_t class_dim = self.dim() == 1 ? 0 : 1;
  if (self.sizes() == target.sizes()) {
    // Class probabilities: -sum over classes of target * log_softmax.
    AG_CHECK(is_floating(target.dtype()),
             "Expected floating point type for target with class "
             "probabilities, got ",
             dtype_legacy_name(target.dtype()));
    AG_CHECK(ignore_index < 0,
             "ignore_index is not supported for floating point target");
    AG_CHECK(
        label_smoothing >= 0.0 && label_smoothing <= 1.0,
        "label_smoothing must be between 0.0 and 1.0. Got: ", label_smoothing);
    const int64_t classes = self.size(class_dim);
    check_class_weight(weight, classes, "cross_entropy: ");
    const Tensor lsm = log_softmax(self, class_dim);
    Tensor t = target;
    if (label_smoothing > 0) {
      t = add(mul(t, number(1.0 - label_smoothing)),
              number(label_smoothing / static_cast<double>(classes)));
    }
    Tensor terms = mul(lsm, t);
    if (weight.defined()) {
      terms = mul(terms, class_weight_view(weight, self.dim(), class_dim));
    }
    switch (reduction) {
      case Reduction::None:
        return neg(sum(terms, {class_dim}, false));
      case Reduction::Sum:
        return neg(sum(terms));
      case Reduction::Mean:
        break;
    }
    return div_by_number(neg(sum(terms)),
                         Scalar(classes == 0 ? 0 : self.numel() / classes));
  }
  if (label_smoothing <= 0.0) {
    return nll_loss(log_softmax(self, class_dim), target, weight, reduction,
                    ignore_index);
  }
  AG_CHECK(
      label_smoothing <= 1.0,
      "label_smoothing must be between 0.0 and 1.0. Got: ", label_smoothing);
  // Smoothing mixes the nll of the target class with the mean nll over all
  // classes: (1 - e) nll + e / C * sum_c -w_c log_softmax_c.
  const Tensor lsm = log_softmax(self, class_dim);
  const Tensor nll = nll_loss(lsm, target, weight, reduction, ignore_index);
  const int64_t classes = self.size(class_dim);
  Tensor ignored;
  {
    NoGradGuard no_grad;
    ignored = eq(target, scalar_tensor(Scalar(ignore_index), target.dtype()));
  }
  const Tensor weighted =
      weight.defined()
          ? mul(lsm, class_weight_view(weight, self.dim(), class_dim))
          : lsm;
  Tensor smooth = neg(sum(weighted, {class_dim}, false));
  smooth = where(ignored, zeros({}, smooth.dtype()), smooth);
  Tensor ret;
  switch (reduction) {
    case Reduction::None:
      ret = smooth;
      break;
    case Reduction::Sum:
      ret = sum(smooth);
      break;
    case Reduction::Mean: {
      // The same divisor as nll's mean: the kept targets' total weight.
      const NllTerms terms = nll_terms(target, weight, ignore_index, 1, classes,
                                       target.numel(), self.dtype());
      ret = div(sum(smooth), scalar_tensor(Scalar(terms.total), self.dtype()));
      break;
    }
  }
  return add(mul(nll, number(1.0 - label_smoothing)),
             mul(ret, number(label_smoothing / static_cast<double>(classes))));
}

Tensor mse_loss(const Tensor& self, const Tensor& target, Reduction reduction) {
  AG_CAPTURE_RETURN("mse_loss", mse_loss(in[0], in[1], reduction), self, target)
  // The operands are saved as given, so an in-place write to an integer
  // one before backward is caught, as in PyTorch.
  check_floating(self.dtype() == promote_types(self.dtype(), target.dtype())
                     ? self
                     : target,
                 "mse_cpu");
  Tensor out;
  {
    NoGradGuard no_grad;
    forward_ad::DisableGuard no_tangents;  // the op sets its own
    const Tensor diff = promoted_diff(self, target);
    out = reduce(mul(diff, diff), reduction);
  }
  if (auto fn = record<MseLossBackward0>(self, target)) {
    fn->self = SavedVariable(self, false);
    fn->target = SavedVariable(target, false);
    fn->reduction = reduction;
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self, target)) {
    set_tangent(out, [&] {
      // d(self) = 2 (self - target) = -d(target)
      const Tensor d = mul(promoted_diff(self, target), number(2.0));
      return elementwise_loss_tangent(self, d, target, neg(d), reduction);
    });
  }
  return out;
}

Tensor l1_loss(const Tensor& self, const Tensor& target, Reduction reduction) {
  AG_CAPTURE_RETURN("l1_loss", l1_loss(in[0], in[1], reduction), self, target)
  return reduce(abs(sub(self, target)), reduction);
}

Tensor smooth_l1_loss(const Tensor& self, const Tensor& target_in,
                      Reduction reduction, double beta) {
  AG_CHECK(beta >= 0,
           "smooth_l1_loss does not support negative values for "
           "beta.");
  check_floating(self, "smooth_l1_cpu");
  if (beta == 0.0) return l1_loss(self, target_in, reduction);
  // PyTorch's kernel reads a bool target as numbers; sub would refuse it.
  const Tensor target = target_in.dtype() == DType::Bool
                            ? cast_data(target_in, self.dtype())
                            : target_in;
  Tensor out;
  {
    NoGradGuard no_grad;
    forward_ad::DisableGuard no_tangents;  // the op sets its own
    const Tensor diff = sub(self, target);
    const Tensor ad = abs(diff);
    const Tensor quadratic =
        div(mul(mul(diff, diff), number(0.5)), number(beta));
    const Tensor linear = sub(ad, number(0.5 * beta));
    out = reduce(where(lt(ad, number(beta)), quadratic, linear), reduction);
  }
  if (auto fn = record<SmoothL1LossBackward0>(self, target)) {
    fn->self = SavedVariable(self, false);
    fn->target = SavedVariable(target, false);
    fn->reduction = reduction;
    fn->beta = beta;
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(self, target)) {
    set_tangent(out, [&] {
      // d(self) = |d| < beta ? d / beta : sign(d) = -d(target)
      const Tensor d = SmoothL1LossBackward0::slope(sub(self, target), beta);
      return elementwise_loss_tangent(self, d, target, neg(d), reduction);
    });
  }
  return out;
}

}  // namespace ag::ops
