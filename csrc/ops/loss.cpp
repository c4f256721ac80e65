// Losses: binary_cross_entropy_with_logits.

#include "ops/op_utils.h"

namespace ag::ops {

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

int64_t reduction_code(Reduction r) {
  return r == Reduction::None ? 0 : (r == Reduction::Mean ? 1 : 2);
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
class BinaryCrossEntropyWithLogitsBackward0 : public Node {
 public:
  using Node::Node;
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
  void release_variables() override {
    self.release();
    target.release();
    weight.release();
    pos_weight.release();
  }
  void visit_saved(SavedVisitor& v) const override {
    v.visit("pos_weight", pos_weight);
    v.visit("reduction", int_field(reduction_code(reduction)));
    v.visit("self", self);
    v.visit("target", target);
    v.visit("weight", weight);
  }
  SavedVariable self, target, weight, pos_weight;
  Reduction reduction = Reduction::Mean;
};

}  // namespace

Tensor binary_cross_entropy_with_logits(const Tensor& self,
                                        const Tensor& target,
                                        const Tensor& weight,
                                        const Tensor& pos_weight,
                                        Reduction reduction) {
  AG_CHECK_AS(ValueError, target.sizes() == self.sizes(),
              "Target size (torch.Size(", shape_str(target.sizes()),
              ")) must be the same as input size (torch.Size(",
              shape_str(self.sizes()), "))");
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
  return out;
}

}  // namespace ag::ops
