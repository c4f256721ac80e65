#include "compile/fusion.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "autograd/anomaly_mode.h"
#include "autograd/autograd_meta.h"
#include "autograd/engine_ops.h"
#include "autograd/forward_ad.h"
#include "autograd/grad_mode.h"
#include "autograd/node.h"
#include "autograd/saved_variable.h"
#include "core/error.h"
#include "core/profiler.h"
#include "kernels/fused.h"
#include "ops/factories.h"
#include "ops/reduce.h"

namespace ag::compile {

namespace {

using kernels::BinaryOp;
using kernels::FusedInstr;
using kernels::UnaryOp;

// An operand of an elementwise step: a slot, or a Python number.
struct Operand {
  int32_t slot = -1;
  double scalar = 0.0;
};

struct Elementwise {
  FusedInstr::Kind kind = FusedInstr::Kind::Unary;
  UnaryOp uop = UnaryOp::Neg;
  BinaryOp bop = BinaryOp::Add;
  double alpha = 1.0;
  Operand a, b;
};

bool unary_of(const std::string& name, UnaryOp& op) {
#define AG_FUSION_NAME(name_, Name, ...) \
  if (name == #name_) {                  \
    op = UnaryOp::Name;                  \
    return true;                         \
  }
  AG_UNARY_FLOAT_OPS(AG_FUSION_NAME)
#undef AG_FUSION_NAME
  if (name == "neg")
    op = UnaryOp::Neg;
  else if (name == "relu")
    op = UnaryOp::Relu;
  else
    return false;
  return true;
}

bool binary_of(const std::string& name, BinaryOp& op) {
  if (name == "add")
    op = BinaryOp::Add;
  else if (name == "sub")
    op = BinaryOp::Sub;
  else if (name == "mul")
    op = BinaryOp::Mul;
  else if (name == "div")
    op = BinaryOp::Div;
  else
    return false;
  return true;
}

bool fusible_dtype(DType d) {
  return d == DType::Float32 || d == DType::Float64;
}

// The step as an elementwise op over its output's shape, or nothing.
std::optional<Elementwise> classify(const Step& s,
                                    const std::vector<Tensor>& st) {
  if (s.outputs.size() != 1 || s.outputs[0] < 0) return std::nullopt;
  const Tensor& out = st[static_cast<size_t>(s.outputs[0])];
  if (!out.defined() || !fusible_dtype(out.dtype()) || !out.is_contiguous() ||
      out.numel() == 0) {
    return std::nullopt;
  }
  auto operand = [&](int32_t slot, Operand& o) {
    if (slot < 0) return false;
    const Tensor& t = st[static_cast<size_t>(slot)];
    if (!t.defined()) return false;
    if (t.impl()->is_wrapped_number()) {
      o.slot = -1;
      o.scalar = t.item().to<double>();
      return true;
    }
    o.slot = slot;
    return t.sizes() == out.sizes() && t.dtype() == out.dtype() &&
           t.is_contiguous();
  };
  Elementwise e;
  if (s.inputs.size() == 1 && unary_of(s.name, e.uop) &&
      kernels::fused_unary_supported(e.uop)) {
    if (!operand(s.inputs[0], e.a) || e.a.slot < 0) return std::nullopt;
    return e;
  }
  if (s.name == "rsub" && s.inputs.size() == 1 && s.attrs.size() == 2) {
    // other - alpha * self, other a Python number.
    e.kind = FusedInstr::Kind::Binary;
    e.bop = BinaryOp::Sub;
    e.a.scalar = s.attrs[0];
    e.alpha = s.attrs[1];
    if (!operand(s.inputs[0], e.b) || e.b.slot < 0) return std::nullopt;
    return e;
  }
  if (s.inputs.size() == 2 && binary_of(s.name, e.bop)) {
    e.kind = FusedInstr::Kind::Binary;
    if (e.bop == BinaryOp::Add || e.bop == BinaryOp::Sub) {
      if (s.attrs.size() != 1) return std::nullopt;  // alpha unknown
      e.alpha = s.attrs[0];
    }
    if (!operand(s.inputs[0], e.a) || !operand(s.inputs[1], e.b) ||
        (e.a.slot < 0 && e.b.slot < 0)) {
      return std::nullopt;
    }
    return e;
  }
  return std::nullopt;
}

// A value of the fused program under construction: an SSA id, or a scalar.
struct Val {
  int32_t id = -1;
  double scalar = 0.0;
  bool is_scalar() const { return id < 0; }
};

// Emits instructions over SSA values (each defined once), folding scalars.
struct Builder {
  std::vector<FusedInstr> code;  // dst, a, b are value ids here
  int32_t num_values = 0;

  Val emit(FusedInstr ins, Val a, Val b) {
    ins.a = a.id;
    ins.a_scalar = a.scalar;
    ins.b = b.id;
    ins.b_scalar = b.scalar;
    ins.dst = num_values++;
    code.push_back(ins);
    return Val{ins.dst};
  }
  Val unary(UnaryOp op, Val a) {
    FusedInstr ins;
    ins.kind = FusedInstr::Kind::Unary;
    ins.uop = op;
    return emit(ins, a, Val{});
  }
  Val binary(BinaryOp op, Val a, Val b, double alpha = 1.0) {
    if (a.is_scalar() && b.is_scalar()) {
      switch (op) {
        case BinaryOp::Add:
          return Val{-1, a.scalar + alpha * b.scalar};
        case BinaryOp::Sub:
          return Val{-1, a.scalar - alpha * b.scalar};
        case BinaryOp::Mul:
          return Val{-1, a.scalar * b.scalar};
        default:
          return Val{-1, a.scalar / b.scalar};
      }
    }
    FusedInstr ins;
    ins.kind = FusedInstr::Kind::Binary;
    ins.bop = op;
    ins.alpha = alpha;
    return emit(ins, a, b);
  }
  Val mul(Val a, Val b) { return binary(BinaryOp::Mul, a, b); }
  Val div(Val a, Val b) { return binary(BinaryOp::Div, a, b); }
  Val add(Val a, Val b) { return binary(BinaryOp::Add, a, b); }
  Val sub(Val a, Val b) { return binary(BinaryOp::Sub, a, b); }
  Val neg(Val a) {
    return a.is_scalar() ? Val{-1, -a.scalar} : unary(UnaryOp::Neg, a);
  }
  static Val number(double v) { return Val{-1, v}; }
};

// The eager backward formula of a unary op (its Spec in ops/unary.cpp, or
// the fused kernel's for tanh and sigmoid), or nothing where unsupported.
std::optional<Val> unary_grad(Builder& b, UnaryOp op, Val g, Val x, Val y) {
  switch (op) {
    case UnaryOp::Neg:
      return b.neg(g);
    case UnaryOp::Exp:
      return b.mul(g, y);
    case UnaryOp::Expm1:
      return b.mul(g, b.add(y, Builder::number(1.0)));
    case UnaryOp::Log:
      return b.div(g, x);
    case UnaryOp::Log1p:
      return b.div(g, b.add(x, Builder::number(1.0)));
    case UnaryOp::Sqrt:
      return b.div(g, b.mul(y, Builder::number(2.0)));
    case UnaryOp::Sin:
      return b.mul(g, b.unary(UnaryOp::Cos, x));
    case UnaryOp::Cos:
      return b.mul(g, b.neg(b.unary(UnaryOp::Sin, x)));
    case UnaryOp::Tanh:
      return b.mul(g, b.sub(Builder::number(1.0), b.mul(y, y)));
    case UnaryOp::Sigmoid:
      return b.mul(g, b.mul(y, b.sub(Builder::number(1.0), y)));
    case UnaryOp::Reciprocal:
      return b.mul(b.neg(g), b.mul(y, y));
    case UnaryOp::Relu: {
      FusedInstr ins;
      ins.kind = FusedInstr::Kind::ReluGrad;
      return b.emit(ins, g, x);
    }
    default:
      return std::nullopt;
  }
}

// The grad_fn of a fused loss: its graph ran (inside the fused step) and
// was freed, as eager's is after backward() without retain_graph.
class SpentNode final : public Node {
 public:
  explicit SpentNode(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& /*grads*/) override {
    throw Error(backward_twice_message(name_));
  }

 private:
  std::string name_;
};

// One fused group as a replay step. Holds the original steps to run where
// a replay's tensors break what the capture assumed.
class FusedGroup {
 public:
  kernels::FusedProgram program;
  DType dtype = DType::Float32;
  Shape sizes;
  int64_t numel = 0;
  std::vector<int32_t> in_slots;   // the step's inputs
  std::vector<bool> in_req;        // which inputs require grad (leaves)
  std::vector<bool> in_grad;       // which of those get a gradient
  std::vector<int32_t> grad_reg;   // per input: its gradient's register
  std::vector<int32_t> out_slots;  // the step's outputs
  std::vector<int32_t> out_reg;    // forward only: each output's register
  bool with_backward = false;
  int32_t root_reg = -1;  // with backward: the summed value's register
  std::string sum_name;   // with backward: the loss's grad_fn name
  std::vector<Step> original;
  int32_t num_slots = 0;

  TensorList run(const TensorList& in) const {
    if (!applies(in)) return run_original(in);
    std::lock_guard<std::mutex> lock(mutex_);
    const auto num_ext = static_cast<size_t>(program.num_external);
    std::vector<char*> ext(num_ext, nullptr);
    for (size_t i = 0; i < in.size(); ++i) {
      ext[i] = static_cast<char*>(in[i].impl()->data());
    }
    // The memory plan: scratch rows and buffers that do not escape are
    // allocated on the first replay and reused by every later one.
    const size_t item = dtype == DType::Float32 ? 4 : 8;
    const size_t scratch_bytes = static_cast<size_t>(program.num_scratch) *
                                 static_cast<size_t>(program.block) * item;
    if (scratch_.size() * sizeof(double) < scratch_bytes) {
      scratch_.resize(scratch_bytes / sizeof(double) + 1);
    }
    TensorList outs;
    if (!with_backward) {
      for (int32_t r : out_reg) {
        outs.push_back(ops::empty(sizes, dtype));
        ext[static_cast<size_t>(r)] =
            static_cast<char*>(outs.back().impl()->data());
      }
      kernels::run_fused(program, dtype, numel, ext.data(), scratch_.data());
      return outs;
    }
    if (!root_.defined()) root_ = ops::empty(sizes, dtype);
    ext[static_cast<size_t>(root_reg)] =
        static_cast<char*>(root_.impl()->data());
    // A leaf without .grad takes a fresh buffer (as the engine hands over
    // its last gradient); one with .grad gets the sum in place after.
    std::vector<Tensor> grads(in.size());
    while (temps_.size() < in.size()) temps_.emplace_back();
    for (size_t i = 0; i < in.size(); ++i) {
      if (!in_grad[i]) continue;
      const bool fresh = !autograd::grad(in[i]).defined();
      if (fresh) {
        grads[i] = ops::empty(sizes, dtype);
      } else {
        if (!temps_[i].defined()) temps_[i] = ops::empty(sizes, dtype);
        grads[i] = temps_[i];
      }
      ext[static_cast<size_t>(grad_reg[i])] =
          static_cast<char*>(grads[i].impl()->data());
    }
    kernels::run_fused(program, dtype, numel, ext.data(), scratch_.data());
    Tensor loss;
    {
      NoGradGuard no_grad;
      loss = ops::sum(root_);
    }
    autograd::set_history(loss, make_node<SpentNode>(sum_name));
    NoGradGuard no_grad;  // the engine accumulates without create_graph
    for (size_t i = 0; i < in.size(); ++i) {
      if (!in_grad[i]) continue;
      AutogradMeta& m = autograd::materialize_meta(in[i]);
      std::lock_guard<std::recursive_mutex> leaf_lock(m.mutex);
      if (m.grad.defined()) {
        autograd::engine_ops::add_inplace(m.grad, grads[i]);
      } else {
        m.grad = std::move(grads[i]);
      }
    }
    return {loss};
  }

 private:
  // What the fused program assumes of this replay's tensors.
  bool applies(const TensorList& in) const {
    if (in.size() != in_slots.size()) return false;
    if (with_backward && AnomalyMode::is_enabled()) return false;
    for (size_t i = 0; i < in.size(); ++i) {
      const Tensor& t = in[i];
      if (!t.defined() || t.dtype() != dtype || t.sizes() != sizes ||
          !t.is_contiguous() || forward_ad::any_dual(t)) {
        return false;
      }
      if (!with_backward) continue;
      if (autograd::requires_grad(t) != in_req[i]) return false;
      if (!in_req[i]) continue;
      const AutogradMeta* m = autograd::meta(t);
      if (m == nullptr || m->grad_fn || !m->hooks.empty() ||
          !m->post_accumulate_hooks.empty()) {
        return false;
      }
      const Tensor& g = m->grad;
      if (g.defined() && forward_ad::any_dual(g)) return false;
    }
    return true;
  }

  TensorList run_original(const TensorList& in) const {
    std::vector<Tensor> slots(static_cast<size_t>(num_slots));
    for (size_t i = 0; i < in.size(); ++i) {
      slots[static_cast<size_t>(in_slots[i])] = in[i];
    }
    TensorList args;
    for (const Step& step : original) {
      AutoGradMode mode(step.grad_enabled);
      args.clear();
      for (int32_t s : step.inputs) {
        args.push_back(s < 0 ? Tensor() : slots[static_cast<size_t>(s)]);
      }
      TensorList out = step.kernel(args);
      for (size_t i = 0; i < step.outputs.size(); ++i) {
        if (step.outputs[i] >= 0) {
          slots[static_cast<size_t>(step.outputs[i])] = std::move(out[i]);
        }
      }
    }
    TensorList outs;
    for (int32_t s : out_slots) outs.push_back(slots[static_cast<size_t>(s)]);
    return outs;
  }

  mutable std::mutex mutex_;
  mutable std::vector<double> scratch_;
  mutable Tensor root_;
  mutable std::vector<Tensor> temps_;
};

// Assigns registers: pinned values to their external register, the others
// to scratch rows by liveness (a row is reused once its value's last
// reader has run). Rewrites the code from value ids to registers.
void assign_registers(kernels::FusedProgram& p, std::vector<FusedInstr> code,
                      int32_t num_values, const std::vector<int32_t>& pinned) {
  const auto nv = static_cast<size_t>(num_values);
  std::vector<int64_t> last(nv, -1);
  for (size_t i = 0; i < code.size(); ++i) {
    const auto k = static_cast<int64_t>(i);
    last[static_cast<size_t>(code[i].dst)] =
        std::max(last[static_cast<size_t>(code[i].dst)], k);
    if (code[i].a >= 0) last[static_cast<size_t>(code[i].a)] = k;
    if (code[i].b >= 0) last[static_cast<size_t>(code[i].b)] = k;
  }
  std::vector<int32_t> reg(nv, -1);
  for (size_t v = 0; v < nv; ++v) {
    if (pinned[v] >= 0) reg[v] = pinned[v];
  }
  std::vector<int32_t> free_rows;
  int32_t rows = 0;
  auto release = [&](int32_t v, int64_t at) {
    if (v >= 0 && pinned[static_cast<size_t>(v)] < 0 &&
        last[static_cast<size_t>(v)] == at) {
      free_rows.push_back(reg[static_cast<size_t>(v)]);
      last[static_cast<size_t>(v)] = -2;  // released once
    }
  };
  for (size_t i = 0; i < code.size(); ++i) {
    FusedInstr& ins = code[i];
    const auto k = static_cast<int64_t>(i);
    const int32_t a = ins.a, b = ins.b, d = ins.dst;
    release(a, k);
    release(b, k);
    if (reg[static_cast<size_t>(d)] < 0) {
      if (free_rows.empty()) {
        reg[static_cast<size_t>(d)] = p.num_external + rows++;
      } else {
        reg[static_cast<size_t>(d)] = free_rows.back();
        free_rows.pop_back();
      }
    }
    release(d, k);  // never read
    ins.dst = reg[static_cast<size_t>(d)];
    if (a >= 0) ins.a = reg[static_cast<size_t>(a)];
    if (b >= 0) ins.b = reg[static_cast<size_t>(b)];
  }
  p.code = std::move(code);
  p.num_scratch = rows;
  // Blocks as long as fit the scratch in about 128 KiB (L2), at most 512
  // elements and at least 64.
  const int64_t per_row = 128 * 1024 / 8 / std::max<int64_t>(rows, 1);
  p.block = std::clamp<int64_t>(per_row / 16 * 16, 64, 512);
}

// Tries to fuse steps [first, last] of p; on success returns the group and
// how many steps after `last` it absorbed (the sum and backward).
struct Fused {
  std::shared_ptr<FusedGroup> group;
  size_t end = 0;  // one past the last step replaced
};

std::optional<Fused> fuse_group(const Program& p,
                                const std::vector<Step>& steps, size_t first,
                                size_t last,
                                const std::vector<Elementwise>& elems,
                                const std::vector<Tensor>& st,
                                const std::vector<std::vector<size_t>>& readers,
                                const std::vector<bool>& is_output) {
  const Tensor& ref = st[static_cast<size_t>(steps[first].outputs[0])];
  auto g = std::make_shared<FusedGroup>();
  g->dtype = ref.dtype();
  g->sizes = ref.sizes();
  g->numel = ref.numel();
  g->num_slots = static_cast<int32_t>(p.num_slots());

  Builder b;
  std::vector<int32_t> val_of_slot(p.num_slots(), -1);
  std::vector<int32_t> slot_of_val;
  std::vector<bool> req;  // per value: requires grad
  auto ext_val = [&](int32_t slot) {
    auto& v = val_of_slot[static_cast<size_t>(slot)];
    if (v < 0) {
      v = b.num_values++;
      slot_of_val.push_back(slot);
      req.push_back(autograd::requires_grad(st[static_cast<size_t>(slot)]));
      g->in_slots.push_back(slot);
    }
    return Val{v};
  };
  const size_t count = last - first + 1;
  std::vector<Val> fwd_a(count), fwd_b(count), fwd_out(count);
  bool any_req = false;
  for (size_t k = first; k <= last; ++k) {
    const Elementwise& e = elems[k];
    auto operand = [&](const Operand& o) {
      if (o.slot < 0) return Builder::number(o.scalar);
      const int32_t v = val_of_slot[static_cast<size_t>(o.slot)];
      return v >= 0 ? Val{v} : ext_val(o.slot);
    };
    const Val a = operand(e.a);
    const Val bv = e.kind == FusedInstr::Kind::Binary ? operand(e.b) : Val{};
    FusedInstr ins;
    ins.kind = e.kind;
    ins.uop = e.uop;
    ins.bop = e.bop;
    ins.alpha = e.alpha;
    const Val out = b.emit(ins, a, bv);
    const int32_t slot = steps[k].outputs[0];
    val_of_slot[static_cast<size_t>(slot)] = out.id;
    slot_of_val.push_back(slot);
    const bool r = steps[k].grad_enabled &&
                   ((!a.is_scalar() && req[static_cast<size_t>(a.id)]) ||
                    (!bv.is_scalar() && req[static_cast<size_t>(bv.id)]));
    if (r != autograd::requires_grad(st[static_cast<size_t>(slot)])) {
      return std::nullopt;
    }
    req.push_back(r);
    any_req = any_req || r;
    fwd_a[k - first] = a;
    fwd_b[k - first] = bv;
    fwd_out[k - first] = out;
  }
  const size_t num_inputs = g->in_slots.size();
  auto is_group_step = [&](size_t r) { return r >= first && r <= last; };
  std::vector<int32_t> pinned;
  auto pin = [&](int32_t v, int32_t reg) {
    pinned.resize(static_cast<size_t>(b.num_values), -1);
    pinned[static_cast<size_t>(v)] = reg;
  };

  if (!any_req) {
    // Forward only: values read after the group, or returned, escape.
    std::vector<std::pair<int32_t, int32_t>> escaping;  // (value, slot)
    for (size_t k = first; k <= last; ++k) {
      const int32_t slot = steps[k].outputs[0];
      bool escapes = is_output[static_cast<size_t>(slot)];
      for (size_t r : readers[static_cast<size_t>(slot)]) {
        escapes = escapes || !is_group_step(r);
      }
      if (escapes) escaping.emplace_back(fwd_out[k - first].id, slot);
    }
    if (escaping.empty()) return std::nullopt;  // dead: leave it to eager
    g->program.num_external =
        static_cast<int32_t>(num_inputs + escaping.size());
    pinned.assign(static_cast<size_t>(b.num_values), -1);
    for (size_t i = 0; i < num_inputs; ++i) {
      pin(val_of_slot[static_cast<size_t>(g->in_slots[i])],
          static_cast<int32_t>(i));
    }
    for (size_t j = 0; j < escaping.size(); ++j) {
      const auto reg = static_cast<int32_t>(num_inputs + j);
      pin(escaping[j].first, reg);
      g->out_reg.push_back(reg);
      g->out_slots.push_back(escaping[j].second);
    }
    g->in_grad.assign(num_inputs, false);
    assign_registers(g->program, b.code, b.num_values, pinned);
    g->original.assign(steps.begin() + static_cast<long>(first),
                       steps.begin() + static_cast<long>(last) + 1);
    return Fused{g, last + 1};
  }

  // Forward and backward: a full sum of one value, then its backward().
  if (last + 2 >= steps.size()) return std::nullopt;
  const Step& sum = steps[last + 1];
  const Step& bwd = steps[last + 2];
  if (sum.name != "sum" || sum.inputs.size() != 1 || sum.outputs.size() != 1 ||
      sum.outputs[0] < 0 || sum.inputs[0] < 0 || !sum.grad_enabled) {
    return std::nullopt;
  }
  const int32_t root_slot = sum.inputs[0];
  const int32_t root = val_of_slot[static_cast<size_t>(root_slot)];
  const Tensor& loss = st[static_cast<size_t>(sum.outputs[0])];
  std::vector<int32_t> in_val(num_inputs);
  for (size_t i = 0; i < num_inputs; ++i) {
    in_val[i] = val_of_slot[static_cast<size_t>(g->in_slots[i])];
  }
  if (root < 0 ||
      std::find(in_val.begin(), in_val.end(), root) != in_val.end() ||
      loss.dim() != 0 || loss.dtype() != g->dtype || !autograd::grad_fn(loss)) {
    return std::nullopt;
  }
  // loss.backward(): one root, no gradient given (or None: ones).
  const bool implicit_grad =
      bwd.attrs.size() == 4 &&
      ((bwd.attrs[1] == 0 && bwd.inputs.size() == 1) ||
       (bwd.attrs[1] == 1 && bwd.inputs.size() == 2 && bwd.inputs[1] < 0));
  if (bwd.name != "backward" || !implicit_grad ||
      bwd.inputs[0] != sum.outputs[0] || bwd.attrs[0] != 1 ||
      bwd.attrs[2] != 0 || bwd.attrs[3] != 0) {
    return std::nullopt;
  }
  // Nothing outside reads the group's values (the sum its root only).
  for (size_t k = first; k <= last; ++k) {
    const int32_t slot = steps[k].outputs[0];
    if (is_output[static_cast<size_t>(slot)]) return std::nullopt;
    for (size_t r : readers[static_cast<size_t>(slot)]) {
      if (is_group_step(r)) continue;
      if (r == last + 1 && slot == root_slot) continue;
      return std::nullopt;
    }
  }
  // Gradients flow to leaves only: a non-leaf input would need its graph.
  for (size_t i = 0; i < num_inputs; ++i) {
    const Tensor& t = st[static_cast<size_t>(g->in_slots[i])];
    if (req[static_cast<size_t>(in_val[i])] && !autograd::is_leaf(t)) {
      return std::nullopt;
    }
  }
  // The backward pass in the engine's order: nodes from the last created,
  // each gradient summed in the order its contributions arrive.
  std::vector<std::optional<Val>> grad(static_cast<size_t>(b.num_values));
  auto contribute = [&](Val to, Val c) {
    if (to.is_scalar() || !req[static_cast<size_t>(to.id)]) return;
    auto& acc = grad[static_cast<size_t>(to.id)];
    acc = acc ? b.add(*acc, c) : c;
  };
  grad[static_cast<size_t>(root)] = Builder::number(1.0);
  for (size_t k = last + 1; k-- > first;) {
    const size_t j = k - first;
    const auto gv = grad[static_cast<size_t>(fwd_out[j].id)];
    if (!gv || !req[static_cast<size_t>(fwd_out[j].id)]) continue;
    const Elementwise& e = elems[k];
    const Val a = fwd_a[j], bv = fwd_b[j], gr = *gv;
    auto needs = [&](Val v) {
      return !v.is_scalar() && req[static_cast<size_t>(v.id)];
    };
    if (e.kind == FusedInstr::Kind::Unary) {
      const auto d = unary_grad(b, e.uop, gr, a, fwd_out[j]);
      if (!d) return std::nullopt;
      contribute(a, *d);
      continue;
    }
    switch (e.bop) {
      case BinaryOp::Add:
        if (needs(a)) contribute(a, gr);
        if (needs(bv)) {
          contribute(bv,
                     e.alpha == 1.0 ? gr : b.mul(gr, Builder::number(e.alpha)));
        }
        break;
      case BinaryOp::Sub:
        if (needs(a)) contribute(a, gr);
        if (needs(bv)) {
          contribute(bv, e.alpha == 1.0 ? b.neg(gr)
                                        : b.mul(gr, Builder::number(-e.alpha)));
        }
        break;
      case BinaryOp::Mul:
        if (needs(a)) contribute(a, b.mul(gr, bv));
        if (needs(bv)) contribute(bv, b.mul(gr, a));
        break;
      case BinaryOp::Div:
        if (needs(a)) contribute(a, b.div(gr, bv));
        if (needs(bv)) {
          contribute(bv, b.neg(b.div(b.mul(gr, a), b.mul(bv, bv))));
        }
        break;
      default:
        return std::nullopt;
    }
  }
  // Registers: inputs, the summed root, then each leaf's gradient.
  g->with_backward = true;
  g->sum_name = autograd::grad_fn(loss)->name();
  g->in_grad.assign(num_inputs, false);
  g->in_req.assign(num_inputs, false);
  g->grad_reg.assign(num_inputs, -1);
  for (size_t i = 0; i < num_inputs; ++i) {
    g->in_req[i] = req[static_cast<size_t>(in_val[i])];
  }
  int32_t next_reg = static_cast<int32_t>(num_inputs);
  pinned.assign(static_cast<size_t>(b.num_values), -1);
  for (size_t i = 0; i < num_inputs; ++i) {
    pin(in_val[i], static_cast<int32_t>(i));
  }
  g->root_reg = next_reg++;
  pin(root, g->root_reg);
  for (size_t i = 0; i < num_inputs; ++i) {
    if (!req[static_cast<size_t>(in_val[i])]) continue;
    auto gv = grad[static_cast<size_t>(in_val[i])];
    if (!gv) continue;  // no path to the loss: .grad stays as it is
    pinned.resize(static_cast<size_t>(b.num_values), -1);
    if (gv->is_scalar()) {
      // A constant gradient (x + x summed: 2 everywhere).
      FusedInstr fill;
      fill.kind = FusedInstr::Kind::Fill;
      gv = b.emit(fill, *gv, Val{});
    } else if (pinned[static_cast<size_t>(gv->id)] >= 0) {
      // Already another buffer (the root, another leaf's gradient): copy.
      gv = b.mul(*gv, Builder::number(1.0));
    }
    g->in_grad[i] = true;
    g->grad_reg[i] = next_reg++;
    pin(gv->id, g->grad_reg[i]);
  }
  pinned.resize(static_cast<size_t>(b.num_values), -1);
  g->program.num_external = next_reg;
  g->out_slots = {sum.outputs[0]};
  assign_registers(g->program, b.code, b.num_values, pinned);
  g->original.assign(steps.begin() + static_cast<long>(first),
                     steps.begin() + static_cast<long>(last) + 3);
  return Fused{g, last + 3};
}

}  // namespace

namespace {

// Note [Counter increments]: `state["step"] += 1`, an optimizer's step count
// per parameter, is an add_ of a Python number into a 0-d float tensor that
// takes no part in autograd. Its replay kernel does that one addition
// itself, as the binary kernel does it (the number cast to the tensor's
// dtype, then a + b, alpha being 1), and bumps the version, instead of
// running the op's checks, casts and loop set-up for one element. Anything
// else at replay (a tangent, grad required, a profiling session, another
// dtype) runs the op as recorded.
bool counter_operands(const Tensor& self, const Tensor& number) {
  if (!self.defined() || !number.defined()) return false;
  // Not a view either: add_'s in-place checks look at a view's base.
  const AutogradMeta* m = autograd::meta(self);
  return self.dim() == 0 &&
         (self.dtype() == DType::Float32 || self.dtype() == DType::Float64) &&
         number.impl()->is_wrapped_number() && number.dim() == 0 &&
         (number.dtype() == DType::Int64 || number.dtype() == DType::Float64) &&
         (!m || (!m->requires_grad && !m->grad_fn && !m->is_view));
}

template <typename T>
void add_number(const Tensor& self, const Tensor& number) {
  T* a = static_cast<T*>(self.raw_data());
  const T b =
      number.dtype() == DType::Int64
          ? static_cast<T>(*static_cast<const int64_t*>(number.raw_data()))
          : static_cast<T>(*static_cast<const double*>(number.raw_data()));
  *a = static_cast<T>(*a + b);
}

void speed_up_counter_increments(std::vector<Step>& steps,
                                 const std::vector<Tensor>& slot_tensor) {
  for (Step& step : steps) {
    if (step.name != "add_" || step.attrs.size() != 1 || step.attrs[0] != 1.0 ||
        step.inputs.size() != 2 || step.inputs[0] < 0 || step.inputs[1] < 0 ||
        !counter_operands(slot_tensor[static_cast<size_t>(step.inputs[0])],
                          slot_tensor[static_cast<size_t>(step.inputs[1])])) {
      continue;
    }
    step.kernel = [recorded = std::move(step.kernel)](const TensorList& in) {
      const Tensor& self = in[0];
      if (profiler::enabled() || !counter_operands(self, in[1]) ||
          forward_ad::any_dual(self)) {
        return recorded(in);
      }
      if (self.dtype() == DType::Float32) {
        add_number<float>(self, in[1]);
      } else {
        add_number<double>(self, in[1]);
      }
      self.impl()->bump_version("add_");
      return TensorList{};
    };
  }
}

}  // namespace

void fuse_elementwise(Program& p, const std::vector<Tensor>& slot_tensor) {
  std::vector<Step>& steps = p.steps_;
  speed_up_counter_increments(steps, slot_tensor);
  std::vector<std::optional<Elementwise>> classified;
  classified.reserve(steps.size());
  for (const Step& s : steps) classified.push_back(classify(s, slot_tensor));
  std::vector<std::vector<size_t>> readers(p.num_slots());
  for (size_t k = 0; k < steps.size(); ++k) {
    for (int32_t s : steps[k].inputs) {
      if (s >= 0) readers[static_cast<size_t>(s)].push_back(k);
    }
  }
  std::vector<bool> is_output(p.num_slots(), false);
  for (int32_t s : p.output_slots_) {
    if (s >= 0) is_output[static_cast<size_t>(s)] = true;
  }
  std::vector<Elementwise> elems(steps.size());
  for (size_t k = 0; k < steps.size(); ++k) {
    if (classified[k]) elems[k] = *classified[k];
  }
  std::vector<Step> out;
  size_t k = 0;
  while (k < steps.size()) {
    if (!classified[k]) {
      out.push_back(std::move(steps[k++]));
      continue;
    }
    // The run of elementwise steps over one shape, dtype and grad mode.
    const Tensor& ref = slot_tensor[static_cast<size_t>(steps[k].outputs[0])];
    size_t last = k;
    while (last + 1 < steps.size() && classified[last + 1] &&
           steps[last + 1].grad_enabled == steps[k].grad_enabled) {
      const Tensor& t =
          slot_tensor[static_cast<size_t>(steps[last + 1].outputs[0])];
      if (t.sizes() != ref.sizes() || t.dtype() != ref.dtype()) break;
      ++last;
    }
    // One op alone fuses only with its backward (forward, it is its
    // kernel already).
    std::optional<Fused> fused =
        fuse_group(p, steps, k, last, elems, slot_tensor, readers, is_output);
    if (fused && last == k && !fused->group->with_backward) fused.reset();
    if (!fused) {
      for (; k <= last; ++k) out.push_back(std::move(steps[k]));
      continue;
    }
    Step step;
    step.name = fused->group->with_backward ? "fused_elementwise_backward"
                                            : "fused_elementwise";
    step.inputs = fused->group->in_slots;
    step.outputs = fused->group->out_slots;
    step.grad_enabled = steps[k].grad_enabled;
    step.kernel = [group = fused->group](const TensorList& in) {
      return group->run(in);
    };
    out.push_back(std::move(step));
    k = fused->end;
  }
  steps = std::move(out);
}

}  // namespace ag::compile
