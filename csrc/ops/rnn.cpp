// The LSTM layer op (ops/nn.h). Forward runs one product and one fused cell
// kernel per step; backward runs the fused cell backward and one product
// per step, then the weight's gradient as a single product over all steps
// (the per-step products have only B rows to share). Where the fused path
// cannot serve (forward-mode tangents, a backward that builds a graph) the
// same recurrence is composed of differentiable ops.

#include <array>
#include <vector>

#include "compile/capture.h"
#include "core/profiler.h"
#include "kernels/nn.h"
#include "ops/op_utils.h"

namespace ag::ops {

namespace {

// Row block `t` of a contiguous (T, rows, cols) tensor, as a (rows, cols)
// view without history.
Tensor lstm_step_view(const Tensor& base, int64_t t) {
  const int64_t rows = base.size(1), cols = base.size(2);
  return make_view(base, {rows, cols}, {cols, 1},
                   base.impl()->storage_offset() + t * rows * cols);
}

// b (depth, n) packed for kernels::packed_matmul.
Tensor packed_rhs(const Tensor& b) {
  const Tensor packed = empty_tensor(
      {kernels::packed_rhs_numel(b.size(0), b.size(1), b.dtype())}, b.dtype());
  kernels::pack_rhs(b, packed);
  return packed;
}

// t's transpose as a view of its data, without history.
Tensor t_data(const Tensor& t) {
  return make_view(t, {t.size(1), t.size(0)}, {t.stride(1), t.stride(0)},
                   t.impl()->storage_offset());
}

// The step taken k-th: t = k forward, T - 1 - k in reverse.
int64_t lstm_time(int64_t k, int64_t steps, bool reverse) {
  return reverse ? steps - 1 - k : k;
}

// What the composed recurrence keeps of each step: the activated gates, c
// and tanh(c), and h.
struct LstmComposedStep {
  Tensor i, f, g, o, c, tc, h;
};

// The layer from differentiable ops (autograd and forward-mode tangents
// follow each op). `steps`, when given, receives every step, indexed by t.
TensorList lstm_layer_composed(const Tensor& input, const Tensor& hx,
                               const Tensor& cx, const Tensor& weight_hh,
                               bool reverse,
                               std::vector<LstmComposedStep>* steps) {
  const int64_t n = input.size(0);
  const Tensor w_t = t(weight_hh);
  Tensor h = hx, c = cx;
  TensorList hs(static_cast<size_t>(n));
  if (steps != nullptr) steps->assign(static_cast<size_t>(n), {});
  for (int64_t k = 0; k < n; ++k) {
    const int64_t s = lstm_time(k, n, reverse);
    const TensorList q = chunk(add(select(input, 0, s), mm(h, w_t)), 4, 1);
    LstmComposedStep st;
    st.i = sigmoid(q[0]);
    st.f = sigmoid(q[1]);
    st.g = tanh(q[2]);
    st.o = sigmoid(q[3]);
    c = add(mul(st.f, c), mul(st.i, st.g));
    st.c = c;
    st.tc = tanh(c);
    h = mul(st.o, st.tc);
    st.h = h;
    hs[static_cast<size_t>(s)] = h;
    if (steps != nullptr) (*steps)[static_cast<size_t>(s)] = st;
  }
  return {stack(hs, 0), h, c};
}

// d(gates) = (dc g i (1 - i), dc c_prev f (1 - f), dc i (1 - g^2),
//             dh tanh(c) o (1 - o)) with dc = dc_next + dh o (1 - tanh(c)^2);
// d(c_prev) = dc f; d(h_prev) = d(gates) W_hh; d(W_hh) = sum of
// d(gates)^T h_prev; d(input[t]) = d(gates).
class MkldnnRnnLayerBackward0 final : public Node {
 public:
  AG_NODE(MkldnnRnnLayerBackward0);
  variable_list apply(variable_list&& grads) override {
    if (GradMode::is_enabled()) return composed(grads);
    const Tensor out = output_.unpack();
    const Tensor gates = gates_.unpack(), cs = cs_.unpack();
    const Tensor h0 = hx_.unpack(), w = weight_hh_.unpack();
    const Tensor c0 = contiguous_data(cx_.unpack());
    const int64_t n = out.size(0), rows = out.size(1), hidden = out.size(2);
    const DType dt = out.dtype();
    auto grad_of = [&](size_t k) {
      const Tensor& g = grads[k];
      return g.defined() ? contiguous_data(cast_data(g, dt)) : Tensor();
    };
    const Tensor g_out = grad_of(0);
    Tensor dh = grad_of(1), dc = grad_of(2);
    const Tensor d_input = empty_tensor({n, rows, 4 * hidden}, dt);
    // The kernel reads one step's dc while writing the previous step's: two
    // buffers alternate. dh is read before the product overwrites it.
    const std::array<Tensor, 2> dc_buf{empty_tensor({rows, hidden}, dt),
                                       empty_tensor({rows, hidden}, dt)};
    const Tensor dh_buf = empty_tensor({rows, hidden}, dt);
    const Tensor w_packed = packed_rhs(w);
    for (int64_t k = n - 1; k >= 0; --k) {
      const int64_t s = lstm_time(k, n, reverse);
      const Tensor c_prev =
          k == 0 ? c0 : lstm_step_view(cs, lstm_time(k - 1, n, reverse));
      const Tensor dg = lstm_step_view(d_input, s);
      const Tensor& dc_prev = dc_buf[static_cast<size_t>(k % 2)];
      kernels::lstm_cell_backward(
          lstm_step_view(gates, s), c_prev, lstm_step_view(cs, s), dh,
          g_out.defined() ? lstm_step_view(g_out, s) : Tensor(), dc, dg,
          dc_prev);
      dc = dc_prev;
      if (k > 0 || should_compute_output(1)) {
        kernels::packed_matmul(dg, w_packed, dh_buf);
        dh = dh_buf;
      }
    }
    variable_list result(4);
    result[0] = d_input;
    if (should_compute_output(1)) result[1] = dh;
    if (should_compute_output(2)) result[2] = dc;
    if (should_compute_output(3)) {
      // h_prev of every step, in the steps' order of t: [h0, out[0 .. T-2]]
      // forward, [out[1 .. T-1], h0] in reverse.
      const Tensor prev = empty_tensor({n, rows, hidden}, dt);
      const int64_t first = reverse ? n - 1 : 0;
      kernels::copy(h0, lstm_step_view(prev, first));
      if (n > 1) {
        const int64_t block = rows * hidden;
        const Shape shape{n - 1, rows, hidden};
        const Shape strides{block, hidden, 1};
        const int64_t base = out.impl()->storage_offset();
        kernels::copy(
            make_view(out, shape, strides, base + (reverse ? block : 0)),
            make_view(prev, shape, strides, reverse ? 0 : block));
      }
      const int64_t m = n * rows;
      const Tensor dw = empty_tensor({4 * hidden, hidden}, dt);
      kernels::matmul(make_view(d_input, {4 * hidden, m}, {1, 4 * hidden}, 0),
                      make_view(prev, {m, hidden}, {hidden, 1}, 0), dw);
      result[3] = dw;
    }
    return result;
  }

  // With create_graph: the forward again from differentiable ops, then the
  // formulas above on its values, so the gradients have gradients.
  variable_list composed(const variable_list& grads) {
    const Tensor input = input_.unpack(), h0 = hx_.unpack(), c0 = cx_.unpack(),
                 w = weight_hh_.unpack();
    std::vector<LstmComposedStep> st;
    lstm_layer_composed(input, h0, c0, w, reverse, &st);
    const int64_t n = input.size(0);
    auto or_zeros = [&](const Tensor& g) {
      return g.defined() ? g : zeros(h0.sizes(), h0.dtype());
    };
    Tensor dh = or_zeros(grads[1]), dc = or_zeros(grads[2]), dw;
    TensorList d_gates(static_cast<size_t>(n));
    for (int64_t k = n - 1; k >= 0; --k) {
      const int64_t s = lstm_time(k, n, reverse);
      const LstmComposedStep& x = st[static_cast<size_t>(s)];
      const auto prev = static_cast<size_t>(lstm_time(k - 1, n, reverse));
      const Tensor c_prev = k == 0 ? c0 : st[prev].c;
      const Tensor h_prev = k == 0 ? h0 : st[prev].h;
      if (grads[0].defined()) dh = add(dh, select(grads[0], 0, s));
      const Tensor d_c =
          add(dc, mul(mul(dh, x.o), rsub(mul(x.tc, x.tc), Scalar(1.0))));
      auto dsig = [](const Tensor& d, const Tensor& y) {
        return mul(d, mul(y, rsub(y, Scalar(1.0))));
      };
      const Tensor dg =
          cat({dsig(mul(d_c, x.g), x.i), dsig(mul(d_c, c_prev), x.f),
               mul(mul(d_c, x.i), rsub(mul(x.g, x.g), Scalar(1.0))),
               dsig(mul(dh, x.tc), x.o)},
              1);
      d_gates[static_cast<size_t>(s)] = dg;
      dc = mul(d_c, x.f);
      dh = mm(dg, w);
      const Tensor dw_step = mm(t(dg), h_prev);
      dw = dw.defined() ? add(dw, dw_step) : dw_step;
    }
    return {stack(d_gates, 0), dh, dc, dw};
  }

  SavedTensor input_{this, "input"}, hx_{this, "hx_"}, cx_{this, "cx_"},
      weight_hh_{this, "weight1"}, output_{this, "result0"},
      gates_{this, "result3"}, cs_{this, "result4"};
  Saved<bool> reverse{this, "reverse"};
};

void check_lstm_layer(const Tensor& input, const Tensor& hx, const Tensor& cx,
                      const Tensor& weight_hh) {
  AG_CHECK(input.dim() == 3 && weight_hh.dim() == 2 && hx.dim() == 2 &&
               cx.dim() == 2,
           "lstm_layer: expected a 3-D input, 2-D states and a 2-D weight");
  const int64_t rows = input.size(1), hidden = weight_hh.size(1);
  AG_CHECK(weight_hh.size(0) == 4 * hidden && input.size(2) == 4 * hidden &&
               hx.size(0) == rows && hx.size(1) == hidden &&
               cx.sizes() == hx.sizes(),
           "lstm_layer: sizes do not match: input ", shape_str(input.sizes()),
           ", hx ", shape_str(hx.sizes()), ", cx ", shape_str(cx.sizes()),
           ", weight_hh ", shape_str(weight_hh.sizes()));
  const DType dt = input.dtype();
  AG_CHECK(is_floating(dt) && hx.dtype() == dt && cx.dtype() == dt &&
               weight_hh.dtype() == dt,
           "lstm_layer: operands must share one floating dtype");
}

}  // namespace

TensorList lstm_layer(const Tensor& input, const Tensor& hx, const Tensor& cx,
                      const Tensor& weight_hh, bool reverse) {
  if (auto* rec = compile::Recorder::armed()) {
    return rec->call("lstm_layer", {input, hx, cx, weight_hh},
                     [=](const TensorList& in) {
                       return lstm_layer(in[0], in[1], in[2], in[3], reverse);
                     });
  }
  check_lstm_layer(input, hx, cx, weight_hh);
  const int64_t n = input.size(0), rows = input.size(1),
                hidden = weight_hh.size(1);
  if (forward_ad::any_dual(input, hx, cx, weight_hh) || n == 0 ||
      (input.dtype() != DType::Float32 && input.dtype() != DType::Float64)) {
    return lstm_layer_composed(input, hx, cx, weight_hh, reverse, nullptr);
  }
  profiler::RecordScope scope("aten::mkldnn_rnn_layer", input, hx, cx,
                              weight_hh);
  const bool recording = GradMode::is_enabled() &&
                         autograd::any_requires_grad(input, hx, cx, weight_hh);
  const DType dt = input.dtype();
  const Tensor x = contiguous_data(input);
  const Tensor w_t = packed_rhs(t_data(weight_hh));
  // Without a backward to feed, the gates and cell states of one step are
  // all that is needed at a time (two cell buffers alternate).
  const int64_t kept = recording ? n : 2;
  const Tensor gates = empty_tensor({recording ? n : 1, rows, 4 * hidden}, dt);
  const Tensor cs = empty_tensor({kept, rows, hidden}, dt);
  const Tensor out = empty_tensor({n, rows, hidden}, dt);
  const Tensor hh = empty_tensor({rows, 4 * hidden}, dt);
  Tensor h = contiguous_data(hx), c = contiguous_data(cx);
  for (int64_t k = 0; k < n; ++k) {
    const int64_t s = lstm_time(k, n, reverse);
    kernels::packed_matmul(h, w_t, hh);
    const Tensor c_next = lstm_step_view(cs, recording ? s : k % 2);
    h = lstm_step_view(out, s);
    kernels::lstm_cell(lstm_step_view(x, s), hh, c,
                       lstm_step_view(gates, recording ? s : 0), c_next, h);
    c = c_next;
  }
  const Tensor h_n = clone_data(h), c_n = clone_data(c);
  if (recording) {
    auto fn = make_node<MkldnnRnnLayerBackward0>(
        autograd::collect_next_edges(input, hx, cx, weight_hh));
    fn->input_ = SavedVariable(input, false);
    fn->hx_ = SavedVariable(hx, false);
    fn->cx_ = SavedVariable(cx, false);
    fn->weight_hh_ = SavedVariable(weight_hh, false);
    fn->gates_ = SavedVariable(gates, false);
    fn->cs_ = SavedVariable(cs, false);
    fn->reverse = reverse;
    autograd::set_history(out, fn);
    autograd::set_history(h_n, fn);
    autograd::set_history(c_n, fn);
    fn->output_ = SavedVariable(out, true);
  }
  return {out, h_n, c_n};
}

}  // namespace ag::ops
