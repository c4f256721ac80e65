// Neural-network ops: softmax and log_softmax, convolution (with unfold and
// fold, its differentiable im2col and col2im), max and average pooling, layer
// and batch norm, and the gather/scatter pair along dim 1 that max pooling's
// and the losses' gradients are built from.
//
// Forwards run fused kernels (kernels/nn.h). Backwards are written with
// differentiable ops; where a gradient needs a primitive of its own (col2im,
// an index scatter, avg pooling's spread) that primitive is an op here whose
// backward is its adjoint, so create_graph gives second derivatives.

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <string>

#include "compile/capture.h"
#include "kernels/fused.h"
#include "kernels/nn.h"
#include "ops/op_utils.h"

namespace ag::ops {

namespace {

using kernels::Window2d;

// t's values (made contiguous) seen with another shape of the same numel.
Tensor reshaped_data(const Tensor& t, const Shape& sizes) {
  const Tensor c = contiguous_data(t);
  return make_view(c, sizes, contiguous_strides(sizes),
                   c.impl()->storage_offset());
}

IntList range_dims(int64_t begin, int64_t end) {
  IntList dims;
  for (int64_t d = begin; d < end; ++d) dims.push_back(d);
  return dims;
}

std::string list_str(const IntList& v) {
  return shape_str(Shape(v.begin(), v.end()));
}

// "(5 x 5)" as convolution messages print per-dim sizes.
std::string dims_str(const IntList& v, const char* sep) {
  std::string s = "(";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += sep;
    s += std::to_string(v[i]);
  }
  return s + ")";
}

// Floor division (rounding towards -inf), as pooling's output size needs.
int64_t div_floor(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// ---------------------------------------------------------------------------
// softmax, log_softmax

// The softmax backward in one fused pass when the backward is not itself
// differentiated (no create_graph); undefined otherwise.
Tensor fused_softmax_backward(const Tensor& grad, const Tensor& result,
                              int64_t dim, bool log) {
  if (GradMode::is_enabled() || grad.dtype() != result.dtype() ||
      grad.sizes() != result.sizes() || !result.is_contiguous()) {
    return Tensor();
  }
  Tensor out = empty_tensor(result.sizes(), result.dtype());
  kernels::softmax_backward(contiguous_data(grad), result,
                            result.dim() == 0 ? 0 : dim, log, out);
  return out;
}

// d(self) = result * (grad - sum(grad * result, dim))
class SoftmaxBackward0 final : public Node {
 public:
  AG_NODE(SoftmaxBackward0);
  // tangent = result * (self_t - sum(self_t * result, dim))
  static constexpr bool kForwardRule = true;
  variable_list apply(variable_list&& grads) override {
    const Tensor y = result.unpack(shared_from_this());
    const Tensor& g = grads[0];
    if (Tensor fused = fused_softmax_backward(g, y, dim, false);
        fused.defined()) {
      return {fused};
    }
    return {mul(y, sub(g, sum(mul(g, y), {dim}, true)))};
  }
  SavedTensor result{this, "result"};
  Saved<int64_t> dim{this, "dim", 0};
};

// d(self) = grad - exp(result) * sum(grad, dim)
class LogSoftmaxBackward0 final : public Node {
 public:
  AG_NODE(LogSoftmaxBackward0);
  // tangent = self_t - sum(self_t * exp(result), dim)
  static constexpr bool kForwardRule = true;
  variable_list apply(variable_list&& grads) override {
    const Tensor y = result.unpack(shared_from_this());
    const Tensor& g = grads[0];
    if (Tensor fused = fused_softmax_backward(g, y, dim, true);
        fused.defined()) {
      return {fused};
    }
    return {sub(g, mul(exp(y), sum(g, {dim}, true)))};
  }
  SavedTensor result{this, "result"};
  Saved<int64_t> dim{this, "dim", 0};
};

template <typename NodeT>
Tensor softmax_common(const Tensor& self, int64_t dim,
                      std::optional<DType> dtype, bool log) {
  const Tensor x = dtype ? to(self, *dtype) : self;
  const int64_t d = wrap_dim(dim, x.dim());
  if (!is_floating(x.dtype())) {
    // PyTorch's kernel returns an empty input before checking its dtype.
    if (x.numel() == 0) return empty_tensor(x.sizes(), x.dtype());
    const bool last = x.dim() == 0 || d == x.dim() - 1;
    throw NotImplementedError(detail::str_cat(
        "\"", log ? "log_" : "", "softmax_", last ? "lastdim_" : "",
        "kernel_impl\" not implemented for '", dtype_legacy_name(x.dtype()),
        "'"));
  }
  const Tensor in = contiguous_data(x);
  Tensor out = empty_tensor(in.sizes(), in.dtype());
  kernels::softmax(in, x.dim() == 0 ? 0 : d, log, out);
  if (auto fn = record<NodeT>(x)) {
    fn->dim = d;
    autograd::set_history(out, fn);
    fn->result = SavedVariable(out, true);
  }
  if (forward_ad::any_dual(x)) {
    set_tangent(out, [&] {
      const Tensor t = forward_ad::tangent(x);
      const IntList dims{x.dim() == 0 ? 0 : d};
      return log ? sub(t, sum(mul(t, exp(out)), dims, true))
                 : mul(out, sub(t, sum(mul(t, out), dims, true)));
    });
  }
  return out;
}

// ---------------------------------------------------------------------------
// gather / scatter-add along dim 1

Tensor gather_data(const Tensor& self, const Tensor& index) {
  Tensor out = empty_tensor(index.sizes(), self.dtype());
  kernels::gather_dim1(contiguous_data(self), contiguous_data(index), out);
  return out;
}

Tensor scatter_add_data(const Tensor& src, const Tensor& index, int64_t size) {
  Tensor out = empty_tensor({src.size(0), size, src.size(2)}, src.dtype());
  kernels::scatter_add_dim1(contiguous_data(src), contiguous_data(index), out);
  return out;
}

// d(self) = scatter_add(grad, index) into zeros of self's shape
class GatherDim1Backward final : public Node {
 public:
  AG_NODE_PRINTED_AS("GatherBackward0");
  static constexpr bool kForwardRule = true;  // Note [Linear forward rules]
  variable_list apply(variable_list&& grads) override {
    return {nn_detail::scatter_add_dim1(grads[0], index.unpack(), size)};
  }
  SavedTensor index{this, "index"};
  int64_t size = 0;
  Saved<int64_t> dim{this, "dim", 1};  // as PyTorch saves it
};

// d(src) = gather(grad, index)
class ScatterAddDim1Backward final : public Node {
 public:
  AG_NODE_PRINTED_AS("ScatterAddBackward0");
  static constexpr bool kForwardRule = true;  // Note [Linear forward rules]
  variable_list apply(variable_list&& grads) override {
    return {nn_detail::gather_dim1(grads[0], index.unpack())};
  }
  SavedTensor index{this, "index"};
  Saved<int64_t> dim{this, "dim", 1};  // as PyTorch saves it
};

// ---------------------------------------------------------------------------
// im2col / col2im (unfold / fold)

Tensor im2col_op(const Tensor& self, const Window2d& w);
Tensor col2im_op(const Tensor& cols, const Window2d& w);

void visit_window(SavedVisitor& v, const Window2d& w) {
  v.visit("dilation", ints_field(IntList{w.dh, w.dw}));
  v.visit("kernel_size", ints_field(IntList{w.kh, w.kw}));
  v.visit("padding", ints_field(IntList{w.ph, w.pw}));
  v.visit("stride", ints_field(IntList{w.sh, w.sw}));
}

// d(self) = col2im(grad)
class Im2ColBackward0 final : public Node {
 public:
  AG_NODE(Im2ColBackward0);
  static constexpr bool kForwardRule = true;  // Note [Linear forward rules]
  variable_list apply(variable_list&& grads) override {
    return {col2im_op(grads[0], window)};
  }
  void visit_saved(SavedVisitor& v) const override {
    visit_window(v, window);
    v.visit("self_sym_argsize_minus_1", int_field(window.in_w));
    v.visit("self_sym_argsize_minus_2", int_field(window.in_h));
  }
  Window2d window;
};

// d(self) = im2col(grad)
class Col2ImBackward0 final : public Node {
 public:
  AG_NODE(Col2ImBackward0);
  static constexpr bool kForwardRule = true;  // Note [Linear forward rules]
  variable_list apply(variable_list&& grads) override {
    return {im2col_op(grads[0], window)};
  }
  void visit_saved(SavedVisitor& v) const override { visit_window(v, window); }
  Window2d window;
};

// self (N, C, H, W) or (C, H, W) -> (N, C*kh*kw, L) or (C*kh*kw, L).
Tensor im2col_op(const Tensor& self, const Window2d& w) {
  const bool batched = self.dim() == 4;
  const int64_t n = batched ? self.size(0) : 1;
  const int64_t c = self.size(-3);
  const int64_t rows = c * w.kh * w.kw, l = w.out_h * w.out_w;
  Tensor out = empty_tensor({n, rows, l}, self.dtype());
  kernels::im2col(reshaped_data(self, {n, c, w.in_h, w.in_w}), w, out);
  if (!batched) {
    out.impl()->set_sizes_and_strides({rows, l}, {l, 1}, 0);
  }
  if (auto fn = record<Im2ColBackward0>(self)) {
    fn->window = w;
    autograd::set_history(out, fn);
  }
  linear_tangent(out, self, [&](const Tensor& t) { return im2col_op(t, w); });
  return out;
}

// cols (N, C*kh*kw, L) or (C*kh*kw, L) -> (N, C, H, W) or (C, H, W).
Tensor col2im_op(const Tensor& cols, const Window2d& w) {
  const bool batched = cols.dim() == 3;
  const int64_t n = batched ? cols.size(0) : 1;
  const int64_t c = cols.size(-2) / (w.kh * w.kw);
  Tensor out = empty_tensor({n, c, w.in_h, w.in_w}, cols.dtype());
  kernels::col2im(reshaped_data(cols, {n, c * w.kh * w.kw, w.out_h * w.out_w}),
                  w, out);
  if (!batched) {
    out.impl()->set_sizes_and_strides({c, w.in_h, w.in_w},
                                      {w.in_h * w.in_w, w.in_w, 1}, 0);
  }
  if (auto fn = record<Col2ImBackward0>(cols)) {
    fn->window = w;
    autograd::set_history(out, fn);
  }
  linear_tangent(out, cols, [&](const Tensor& t) { return col2im_op(t, w); });
  return out;
}

// A parameter given for every spatial dim at once or per dim (unfold/fold).
IntList fold_param(const IntList& v, const char* name) {
  AG_CHECK(v.size() == 1 || v.size() == 2, "It is expected ", name,
           " equals to 2, but got size ", v.size());
  return v.size() == 1 ? IntList{v[0], v[0]} : v;
}

struct FoldParams {
  IntList kernel, dilation, padding, stride;
};

FoldParams fold_params(const IntList& kernel_size, const IntList& dilation,
                       const IntList& padding, const IntList& stride) {
  FoldParams p{fold_param(kernel_size, "kernel_size"),
               fold_param(dilation, "dilation"), fold_param(padding, "padding"),
               fold_param(stride, "stride")};
  for (int i = 0; i < 2; ++i) {
    AG_CHECK(p.kernel[i] > 0 && p.dilation[i] > 0 && p.stride[i] > 0,
             "kernel size, dilation and stride should be greater than zero, "
             "but got kernel_size=",
             dims_str(p.kernel, ", "),
             ", dilation=", dims_str(p.dilation, ", "),
             ", stride=", dims_str(p.stride, ", "));
    AG_CHECK(p.padding[i] >= 0,
             "padding should be non-negative, but got padding=",
             dims_str(p.padding, ", "));
  }
  return p;
}

Window2d fold_window(const FoldParams& p, int64_t in_h, int64_t in_w) {
  Window2d w;
  w.kh = p.kernel[0];
  w.kw = p.kernel[1];
  w.dh = p.dilation[0];
  w.dw = p.dilation[1];
  w.ph = p.padding[0];
  w.pw = p.padding[1];
  w.sh = p.stride[0];
  w.sw = p.stride[1];
  w.in_h = in_h;
  w.in_w = in_w;
  w.out_h = (in_h + 2 * w.ph - w.dh * (w.kh - 1) - 1) / w.sh + 1;
  w.out_w = (in_w + 2 * w.pw - w.dw * (w.kw - 1) - 1) / w.sw + 1;
  return w;
}

// ---------------------------------------------------------------------------
// convolution

// What a convolution's backward needs besides its saved tensors.
struct ConvParams {
  Window2d window;
  int64_t groups = 1;
  int64_t spatial = 2;  // 1 for conv1d (run as a conv2d of height 1)
  IntList stride, padding, dilation;  // as the user gave them, per dim
};

// d(input) = col2im(weight^T @ grad) ; d(weight) = grad @ im2col(input)^T ;
// d(bias) = grad summed over batch and space   (per group)
class ConvolutionBackward0 final : public Node {
 public:
  AG_NODE(ConvolutionBackward0);
  // tangent = conv(input_t, weight) + conv(input, weight_t) + bias_t
  static constexpr bool kForwardRule = true;
  variable_list apply(variable_list&& grads) override {
    // Each input's gradient needs the other input only; sizes come from the
    // saved shapes. Everything runs in 2-D (a 1-D conv has height 1).
    auto as_2d = [&](const Tensor& t) {
      return p.spatial == 1 && t.defined() ? unsqueeze(t, 2) : t;
    };
    const Tensor x = as_2d(input.unpack());
    const Tensor w = as_2d(weight.unpack());
    const Tensor g = as_2d(grads[0]);
    const Window2d& win = p.window;
    if (!GradMode::is_enabled() && g.dtype() == input_dtype) {
      return fused(g, x, w);
    }
    const int64_t n = input_sizes[0], c = input_sizes[1], o = weight_sizes[0];
    const int64_t groups = p.groups, cg_k = c / groups * win.kh * win.kw;
    const int64_t og = o / groups, l = win.out_h * win.out_w;
    // grad as one (O/groups, N*L) matrix per group.
    const Tensor gm =
        reshape(permute(reshape(g, {n, groups, og, l}), {1, 2, 0, 3}),
                {groups, og, n * l});
    variable_list out(3);
    if (should_compute_output(0)) {
      const Tensor wm = reshape(w, {groups, og, cg_k});
      const Tensor cols = bmm(transpose(wm, 1, 2), gm);
      const Tensor per_sample =
          reshape(permute(reshape(cols, {groups, cg_k, n, l}), {2, 0, 1, 3}),
                  {n, groups * cg_k, l});
      const Tensor dx = col2im_op(per_sample, win);
      out[0] = p.spatial == 1 ? squeeze(dx, {2}) : dx;
    }
    if (should_compute_output(1)) {
      // Patches as (groups, CgK, N*L): the permute keeps L innermost, so the
      // copy moves whole rows; bmm reads the transpose without copying.
      const Tensor cols = im2col_op(x, win);
      const Tensor cm =
          reshape(permute(reshape(cols, {n, groups, cg_k, l}), {1, 2, 0, 3}),
                  {groups, cg_k, n * l});
      out[1] = reshape(bmm(gm, transpose(cm, 1, 2)), weight_sizes);
    }
    if (should_compute_output(2)) out[2] = sum(g, {0, 2, 3}, false);
    return out;
  }
  // All three gradients in one kernel pass over the samples.
  variable_list fused(const Tensor& g, const Tensor& x, const Tensor& w) {
    const Window2d& win = p.window;
    const int64_t n = input_sizes[0], c = input_sizes[1], o = weight_sizes[0];
    const Shape x4{n, c, win.in_h, win.in_w};
    const Shape w4{o, weight_sizes[1], win.kh, win.kw};
    variable_list out(3);
    Tensor dx4, dw4;
    if (should_compute_output(0)) {
      out[0] = empty_tensor(input_sizes, input_dtype);
      dx4 = make_view(out[0], x4, contiguous_strides(x4), 0);
    }
    if (should_compute_output(1)) {
      out[1] = empty_tensor(weight_sizes, input_dtype);
      dw4 = make_view(out[1], w4, contiguous_strides(w4), 0);
    }
    if (should_compute_output(2)) {
      out[2] = empty_tensor(Shape(bias_sizes.begin(), bias_sizes.end()),
                            input_dtype);
    }
    kernels::conv2d_backward(reshaped_data(g, {n, o, win.out_h, win.out_w}),
                             dw4.defined() ? reshaped_data(x, x4) : Tensor(),
                             dx4.defined() ? reshaped_data(w, w4) : Tensor(),
                             win, p.groups, dx4, dw4, out[2]);
    return out;
  }
  // The convolution's parameters, shown as PyTorch's separate fields.
  void visit_saved(SavedVisitor& v) const override {
    Node::visit_saved(v);
    v.visit("dilation", ints_field(p.dilation));
    v.visit("groups", int_field(p.groups));
    v.visit("output_padding", ints_field(IntList(p.stride.size(), 0)));
    v.visit("padding", ints_field(p.padding));
    v.visit("stride", ints_field(p.stride));
    v.visit("transposed", bool_field(false));
  }
  SavedTensor input{this, "input"}, weight{this, "weight"};
  Saved<IntList> bias_sizes{this, "bias_sym_sizes_opt"};
  Shape input_sizes, weight_sizes;
  DType input_dtype = DType::Float32;
  ConvParams p;
};

// One value per spatial dim from a parameter given once or per dim.
IntList conv_param(const IntList& v, size_t spatial, const char* name) {
  AG_CHECK(v.size() == 1 || v.size() == spatial, "expected ", name,
           " to be a single integer value or a list of ", spatial,
           " values to match the convolution dimensions, but got ", name, "=",
           list_str(v));
  return v.size() == 1 ? IntList(spatial, v[0]) : v;
}

const char* tensor_type_name(DType t) {
  switch (t) {
    case DType::Bool:
      return "torch.BoolTensor";
    case DType::Int32:
      return "torch.IntTensor";
    case DType::Int64:
      return "torch.LongTensor";
    case DType::Float32:
      return "torch.FloatTensor";
    case DType::Float64:
      break;
  }
  return "torch.DoubleTensor";
}

// A batched input (N, C, *spatial) of the convolution: validates everything
// and runs the kernel on a 2-D view. pad_before/pad_after differ only for
// 'same' padding with an even total.
Tensor convolution(const Tensor& input, const Tensor& weight,
                   const Tensor& bias, const IntList& stride,
                   const IntList& pad_before, const IntList& pad_after,
                   const IntList& dilation, int64_t groups,
                   const IntList& user_padding) {
  const auto spatial = static_cast<int64_t>(stride.size());
  AG_CHECK(weight.dim() == input.dim(), "Expected ", weight.dim(),
           "-dimensional input for ", weight.dim(), "-dimensional weight ",
           shape_str(weight.sizes()), ", but got ", input.dim(),
           "-dimensional input of size ", shape_str(input.sizes()), " instead");
  AG_CHECK(weight.size(0) >= groups, "Given groups=", groups,
           ", expected weight to be at least ", groups,
           " at dimension 0, but got weight of size ",
           shape_str(weight.sizes()), " instead");
  AG_CHECK(weight.size(0) % groups == 0, "Given groups=", groups,
           ", expected weight to be divisible by ", groups,
           " at dimension 0, but got weight of size [",
           shape_str(weight.sizes()), "] instead");
  AG_CHECK(input.size(1) == weight.size(1) * groups, "Given groups=", groups,
           ", weight of size ", shape_str(weight.sizes()), ", expected input",
           shape_str(input.sizes()), " to have ", weight.size(1) * groups,
           " channels, but got ", input.size(1), " channels instead");
  AG_CHECK(
      !bias.defined() || (bias.dim() == 1 && bias.size(0) == weight.size(0)),
      "Given weight of size ", shape_str(weight.sizes()),
      ", expected bias to be 1-dimensional with ", weight.size(0),
      " elements, but got bias of size ",
      bias.defined() ? shape_str(bias.sizes()) : "", " instead");
  IntList padded, kernel;
  bool too_big = false;
  for (int64_t d = 0; d < spatial; ++d) {
    const auto u = static_cast<size_t>(d);
    padded.push_back(input.size(2 + d) + pad_before[u] + pad_after[u]);
    kernel.push_back(dilation[u] * (weight.size(2 + d) - 1) + 1);
    too_big = too_big || kernel.back() > padded.back();
  }
  AG_CHECK(!too_big, "Calculated padded input size per channel: ",
           dims_str(padded, " x "), ". Kernel size: ", dims_str(kernel, " x "),
           ". Kernel size can't be greater than actual input size");
  AG_CHECK(input.dtype() == weight.dtype(), "Input type (",
           tensor_type_name(input.dtype()), ") and weight type (",
           tensor_type_name(weight.dtype()),
           ") should be the same or input should be a MKLDNN tensor and "
           "weight is a dense tensor");
  AG_CHECK(!bias.defined() || bias.dtype() == input.dtype(), "Input type (",
           dtype_cpp_name(input.dtype()), ") and bias type (",
           bias.defined() ? dtype_cpp_name(bias.dtype()) : "",
           ") should be the same");
  AG_CHECK_AS(NotImplementedError, input.dtype() != DType::Bool,
              "\"slow_conv2d_cpu\" not implemented for 'Bool'");

  // Everything runs as a 2-D convolution; a 1-D one has height 1.
  ConvParams p;
  p.groups = groups;
  p.spatial = spatial;
  p.stride = stride;
  p.padding = user_padding;
  p.dilation = dilation;
  const size_t last = static_cast<size_t>(spatial - 1);
  Window2d& w = p.window;
  w.kh = spatial == 2 ? weight.size(2) : 1;
  w.kw = weight.size(-1);
  w.sh = spatial == 2 ? stride[0] : 1;
  w.sw = stride[last];
  w.ph = spatial == 2 ? pad_before[0] : 0;
  w.pw = pad_before[last];
  w.dh = spatial == 2 ? dilation[0] : 1;
  w.dw = dilation[last];
  w.in_h = spatial == 2 ? input.size(2) : 1;
  w.in_w = input.size(-1);
  w.out_h = spatial == 2 ? (padded[0] - kernel[0]) / stride[0] + 1 : 1;
  w.out_w = (padded[last] - kernel[last]) / stride[last] + 1;

  const int64_t n = input.size(0), c = input.size(1), o = weight.size(0);
  Shape out_shape{n, o};
  if (spatial == 2) out_shape.push_back(w.out_h);
  out_shape.push_back(w.out_w);
  Tensor out = empty_tensor(out_shape, input.dtype());
  const Tensor out4 =
      make_view(out, {n, o, w.out_h, w.out_w},
                contiguous_strides({n, o, w.out_h, w.out_w}), 0);
  kernels::conv2d(reshaped_data(input, {n, c, w.in_h, w.in_w}),
                  reshaped_data(weight, {o, weight.size(1), w.kh, w.kw}),
                  bias.defined() ? contiguous_data(bias) : Tensor(), w, groups,
                  out4);
  if (auto fn = record<ConvolutionBackward0>(input, weight, bias)) {
    if (fn->should_compute_output(1)) fn->input = SavedVariable(input, false);
    if (fn->should_compute_output(0)) fn->weight = SavedVariable(weight, false);
    fn->input_sizes = input.sizes();
    fn->weight_sizes = weight.sizes();
    fn->input_dtype = input.dtype();
    fn->p = p;
    if (bias.defined()) fn->bias_sizes = bias.sizes().vec();
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(input, weight, bias)) {
    set_tangent(out, [&] {
      const Tensor input_t = forward_ad::tangent(input);
      const Tensor weight_t = forward_ad::tangent(weight);
      Tensor bias_t = forward_ad::tangent(bias);
      auto conv = [&](const Tensor& x, const Tensor& w, const Tensor& b) {
        return convolution(x, w, b, stride, pad_before, pad_after, dilation,
                           groups, user_padding);
      };
      Tensor t;
      if (input_t.defined()) {
        t = conv(input_t, weight, bias_t);
        bias_t = Tensor();
      }
      if (weight_t.defined()) {
        t = add_tangents(t, conv(input, weight_t, bias_t));
        bias_t = Tensor();
      }
      if (bias_t.defined()) {
        Shape per_channel(static_cast<size_t>(out.dim()), 1);
        per_channel[1] = bias_t.numel();
        t = reshape(bias_t, per_channel);
      }
      return t;
    });
  }
  return out;
}

Tensor conv_nd(const Tensor& input, const Tensor& weight, const Tensor& bias,
               const IntList& stride_in, const IntList& padding_in,
               const IntList& dilation_in, int64_t groups, size_t spatial,
               const char* op) {
  const auto nd = static_cast<int64_t>(spatial);
  AG_CHECK(input.dim() == nd + 1 || input.dim() == nd + 2, "Expected ", nd + 1,
           "D (unbatched) or ", nd + 2, "D (batched) input to ", op,
           ", but got input of size: ", shape_str(input.sizes()));
  const IntList stride = conv_param(stride_in, spatial, "stride");
  const IntList padding = conv_param(padding_in, spatial, "padding");
  const IntList dilation = conv_param(dilation_in, spatial, "dilation");
  for (size_t i = 0; i < spatial; ++i) {
    AG_CHECK(stride[i] > 0, "non-positive stride is not supported");
    AG_CHECK(padding[i] >= 0, "negative padding is not supported");
    AG_CHECK(dilation[i] > 0, "non-positive dilation is not supported");
  }
  AG_CHECK(groups > 0, "non-positive groups is not supported");
  if (input.dim() == nd + 1) {
    return squeeze(convolution(unsqueeze(input, 0), weight, bias, stride,
                               padding, padding, dilation, groups, padding),
                   {0});
  }
  return convolution(input, weight, bias, stride, padding, padding, dilation,
                     groups, padding);
}

Tensor conv_nd_str(const Tensor& input, const Tensor& weight,
                   const Tensor& bias, const IntList& stride_in,
                   const std::string& padding, const IntList& dilation_in,
                   int64_t groups, size_t spatial, const char* op) {
  AG_CHECK(padding == "same" || padding == "valid", "Invalid padding string: '",
           padding, "'");
  if (padding == "valid") {
    return conv_nd(input, weight, bias, stride_in, {0}, dilation_in, groups,
                   spatial, op);
  }
  const auto nd = static_cast<int64_t>(spatial);
  AG_CHECK(input.dim() == nd + 1 || input.dim() == nd + 2, "Expected ", nd + 1,
           "D (unbatched) or ", nd + 2, "D (batched) input to ", op,
           ", but got input of size: ", shape_str(input.sizes()));
  const IntList stride = conv_param(stride_in, spatial, "stride");
  const IntList dilation = conv_param(dilation_in, spatial, "dilation");
  for (size_t i = 0; i < spatial; ++i) {
    AG_CHECK(stride[i] == 1,
             "padding='same' is not supported for strided convolutions");
    AG_CHECK(dilation[i] > 0, "non-positive dilation is not supported");
  }
  AG_CHECK(groups > 0, "non-positive groups is not supported");
  AG_CHECK(weight.dim() == nd + 2, "Expected ", weight.dim(),
           "-dimensional input for ", weight.dim(), "-dimensional weight ",
           shape_str(weight.sizes()), ", but got ", input.dim(),
           "-dimensional input of size ", shape_str(input.sizes()), " instead");
  // The output keeps the input's size: the total padding is the dilated
  // kernel extent minus one, the odd element going after.
  IntList before, after;
  for (size_t i = 0; i < spatial; ++i) {
    const int64_t total =
        dilation[i] * (weight.size(static_cast<int64_t>(i) + 2) - 1);
    before.push_back(total / 2);
    after.push_back(total - total / 2);
  }
  const Tensor batched = input.dim() == nd + 1 ? unsqueeze(input, 0) : input;
  Tensor out = convolution(batched, weight, bias, stride, before, after,
                           dilation, groups, before);
  return input.dim() == nd + 1 ? squeeze(out, {0}) : out;
}

// ---------------------------------------------------------------------------
// pooling

struct PoolParams {
  Window2d window;
  IntList kernel, stride, padding, dilation;
  bool ceil_mode = false;
};

IntList pool_param(const IntList& v, const char* op, const char* what) {
  AG_CHECK(v.size() == 1 || v.size() == 2, op, ": ", what);
  return v.size() == 1 ? IntList{v[0], v[0]} : v;
}

int64_t pool_out_size(int64_t in, int64_t k, int64_t pad, int64_t stride,
                      int64_t dilation, bool ceil_mode) {
  AG_CHECK(stride != 0, "stride should not be zero");
  AG_CHECK(pad >= 0, "pad must be non-negative, but got pad: ", pad);
  AG_CHECK(pad <= ((k - 1) * dilation + 1) / 2,
           "pad should be at most half of effective kernel size, but got pad=",
           pad, ", kernel_size=", k, " and dilation=", dilation);
  int64_t out = div_floor(in + 2 * pad - dilation * (k - 1) - 1 +
                              (ceil_mode ? stride - 1 : 0),
                          stride) +
                1;
  // The last window must start inside the input or its left padding.
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

// Validates pooling arguments as PyTorch's pool2d shape check does and
// returns the window over the input's last two dims.
PoolParams pool_params(const Tensor& self, const char* op,
                       const IntList& kernel_size, const IntList& stride_in,
                       const IntList& padding_in, const IntList& dilation_in,
                       bool ceil_mode) {
  PoolParams p;
  const std::string dil_msg = std::string(op) == "max_pool2d"
                                  ? "dilation must be either a single int, "
                                    "or a tuple of two ints"
                                  : "dilation must be a single int";
  p.kernel = pool_param(kernel_size, op,
                        "kernel_size must either be a single int, or a tuple "
                        "of two ints");
  p.stride = stride_in.empty()
                 ? p.kernel
                 : pool_param(stride_in, op,
                              "stride must either be omitted, a single int, "
                              "or a tuple of two ints");
  p.padding =
      pool_param(padding_in, op,
                 "padding must either be a single int, or a tuple of two ints");
  p.dilation = pool_param(dilation_in, op, dil_msg.c_str());
  p.ceil_mode = ceil_mode;
  // PyTorch's avg_pool2d reads the channel count (dim -3) before it checks
  // the number of dims: fewer than three is its IndexError.
  if (std::string(op) == "avg_pool2d") (void)self.size(-3);
  AG_CHECK(self.dim() == 3 || self.dim() == 4,
           "non-empty 3D or 4D (batch mode) tensor expected for input");
  const int64_t in_h = self.size(-2), in_w = self.size(-1);
  const int64_t out_h = pool_out_size(in_h, p.kernel[0], p.padding[0],
                                      p.stride[0], p.dilation[0], ceil_mode);
  const int64_t out_w = pool_out_size(in_w, p.kernel[1], p.padding[1],
                                      p.stride[1], p.dilation[1], ceil_mode);
  AG_CHECK(p.kernel[0] > 0 && p.kernel[1] > 0,
           "kernel size should be greater than zero, but got kH: ", p.kernel[0],
           " kW: ", p.kernel[1]);
  AG_CHECK(p.stride[0] > 0 && p.stride[1] > 0,
           "stride should be greater than zero, but got dH: ", p.stride[0],
           " dW: ", p.stride[1]);
  AG_CHECK(p.dilation[0] > 0 && p.dilation[1] > 0,
           "dilation should be greater than zero, but got dilationH: ",
           p.dilation[0], " dilationW: ", p.dilation[1]);
  bool nonempty = true;
  for (int64_t d = self.dim() - 3; d < self.dim(); ++d) {
    nonempty = nonempty && self.size(d) > 0;
  }
  AG_CHECK(nonempty,
           "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch "
           "size for input, but got:",
           shape_str(self.sizes()));
  const int64_t planes = self.size(-3);
  AG_CHECK(out_h >= 1 && out_w >= 1, "Given input size: (", planes, "x", in_h,
           "x", in_w, "). Calculated output size: (", planes, "x", out_h, "x",
           out_w, "). Output size is too small");
  Window2d& w = p.window;
  w.kh = p.kernel[0];
  w.kw = p.kernel[1];
  w.sh = p.stride[0];
  w.sw = p.stride[1];
  w.ph = p.padding[0];
  w.pw = p.padding[1];
  w.dh = p.dilation[0];
  w.dw = p.dilation[1];
  w.in_h = in_h;
  w.in_w = in_w;
  w.out_h = out_h;
  w.out_w = out_w;
  return p;
}

Shape pooled_shape(const Tensor& self, const Window2d& w) {
  Shape s = self.sizes();
  s[s.size() - 2] = w.out_h;
  s[s.size() - 1] = w.out_w;
  return s;
}

void visit_pool(SavedVisitor& v, const PoolParams& p) {
  v.visit("ceil_mode", bool_field(p.ceil_mode));
  v.visit("kernel_size", ints_field(p.kernel));
  v.visit("padding", ints_field(p.padding));
  v.visit("stride", ints_field(p.stride));
}

// d(self) = grad scattered (added) to the positions of the maxima
class MaxPool2DWithIndicesBackward0 final : public Node {
 public:
  AG_NODE(MaxPool2DWithIndicesBackward0);
  static constexpr bool kForwardRule = true;  // Note [Linear forward rules]
  variable_list apply(variable_list&& grads) override {
    const Tensor idx = indices.unpack();
    const int64_t window = p.window.out_h * p.window.out_w;
    const int64_t planes = window == 0 ? 0 : idx.numel() / window;
    const Tensor src = reshape(grads[0], {planes, window, 1});
    const Tensor flat_idx = reshaped_data(idx, {planes, window, 1});
    const Tensor dx = nn_detail::scatter_add_dim1(
        src, flat_idx, p.window.in_h * p.window.in_w);
    return {reshape(dx, self_sizes)};
  }
  // The window's parameters, shown as PyTorch's separate fields.
  void visit_saved(SavedVisitor& v) const override {
    Node::visit_saved(v);
    visit_pool(v, p);
    v.visit("dilation", ints_field(p.dilation));
  }
  SavedTensor indices{this, "result1"};
  Saved<Shape> self_sizes{this, "self_sym_sizes"};
  PoolParams p;
};

Tensor avg_pool_backward_op(const Tensor& grad, const Shape& self_sizes,
                            const PoolParams& p, bool count_include_pad,
                            int64_t divisor);

void visit_avg(SavedVisitor& v, const PoolParams& p, bool count_include_pad,
               int64_t divisor) {
  visit_pool(v, p);
  v.visit("count_include_pad", bool_field(count_include_pad));
  SavedField d;
  if (divisor != 0) d = int_field(divisor);
  v.visit("divisor_override", d);
}

// d(self) = avg_pool2d_backward(grad): each output's gradient spread evenly
// over its window
class AvgPool2DBackward0 final : public Node {
 public:
  AG_NODE(AvgPool2DBackward0);
  static constexpr bool kForwardRule = true;  // Note [Linear forward rules]
  variable_list apply(variable_list&& grads) override {
    return {avg_pool_backward_op(grads[0], self_sizes, p, count_include_pad,
                                 divisor)};
  }
  // The window's parameters, shown as PyTorch's separate fields.
  void visit_saved(SavedVisitor& v) const override {
    Node::visit_saved(v);
    visit_avg(v, p, count_include_pad, divisor);
  }
  Saved<Shape> self_sizes{this, "self_sym_sizes"};
  PoolParams p;
  bool count_include_pad = true;
  int64_t divisor = 0;
};

Tensor avg_pool_op(const Tensor& self, const PoolParams& p,
                   bool count_include_pad, int64_t divisor);

// d(grad_output) = avg_pool2d(grad): the spread is linear, its adjoint is the
// pooling itself
class AvgPool2DBackwardBackward0 final : public Node {
 public:
  AG_NODE(AvgPool2DBackwardBackward0);
  static constexpr bool kForwardRule = true;  // Note [Linear forward rules]
  variable_list apply(variable_list&& grads) override {
    return {avg_pool_op(grads[0], p, count_include_pad, divisor)};
  }
  void visit_saved(SavedVisitor& v) const override {
    visit_avg(v, p, count_include_pad, divisor);
  }
  PoolParams p;
  bool count_include_pad = true;
  int64_t divisor = 0;
};

int64_t planes_of(const Shape& sizes) {
  int64_t planes = 1;
  for (size_t d = 0; d + 2 < sizes.size(); ++d) planes *= sizes[d];
  return planes;
}

Tensor avg_pool_op(const Tensor& self, const PoolParams& p,
                   bool count_include_pad, int64_t divisor) {
  const Window2d& w = p.window;
  Tensor out = empty_tensor(pooled_shape(self, w), self.dtype());
  const int64_t planes = planes_of(self.sizes());
  kernels::avg_pool2d(reshaped_data(self, {planes, w.in_h, w.in_w}), w,
                      count_include_pad, divisor,
                      reshaped_data(out, {planes, w.out_h, w.out_w}));
  if (auto fn = record<AvgPool2DBackward0>(self)) {
    fn->p = p;
    fn->self_sizes = self.sizes();
    fn->count_include_pad = count_include_pad;
    fn->divisor = divisor;
    autograd::set_history(out, fn);
  }
  linear_tangent(out, self, [&](const Tensor& t) {
    return avg_pool_op(t, p, count_include_pad, divisor);
  });
  return out;
}

Tensor avg_pool_backward_op(const Tensor& grad, const Shape& self_sizes,
                            const PoolParams& p, bool count_include_pad,
                            int64_t divisor) {
  const Window2d& w = p.window;
  Tensor out = empty_tensor(self_sizes, grad.dtype());
  const int64_t planes = planes_of(self_sizes);
  kernels::avg_pool2d_backward(reshaped_data(grad, {planes, w.out_h, w.out_w}),
                               w, count_include_pad, divisor,
                               reshaped_data(out, {planes, w.in_h, w.in_w}));
  if (auto fn = record<AvgPool2DBackwardBackward0>(grad)) {
    fn->p = p;
    fn->count_include_pad = count_include_pad;
    fn->divisor = divisor;
    autograd::set_history(out, fn);
  }
  linear_tangent(out, grad, [&](const Tensor& t) {
    return avg_pool_backward_op(t, self_sizes, p, count_include_pad, divisor);
  });
  return out;
}

// ---------------------------------------------------------------------------
// normalization

// Note [Normalization forward rule]: with xc = x - mean(x) and
// x^ = xc * rstd over `dims` (rstd = (mean(xc^2) + eps)^-1/2),
//   x^_t = rstd * (xc_t - x^ * mean(x^ * xc_t)),  xc_t = x_t - mean(x_t),
// and out = x^ * weight + bias gives
//   out_t = x^_t * weight + x^ * weight_t + bias_t.
// Statistics from constants (batch norm in evaluation) give x^_t =
// x_t * rstd. The statistics are recomputed with differentiable ops, so
// reverse over forward sees them as functions of x. weight and bias are
// viewed as `affine_shape` (empty: as given).
Tensor normalized_tangent(const Tensor& x, const Tensor& weight,
                          const Tensor& bias, const IntList& dims, double eps,
                          const Shape& affine_shape, const Tensor& fixed_mean,
                          const Tensor& fixed_rstd) {
  const Tensor x_t = forward_ad::tangent(x);
  auto affine = [&](const Tensor& t) {
    return affine_shape.empty() ? t : reshape(t, affine_shape);
  };
  Tensor xhat, rstd;
  if (fixed_mean.defined()) {
    rstd = fixed_rstd;
    xhat = mul(sub(x, fixed_mean), rstd);
  } else {
    const Tensor xc = sub(x, mean(x, dims, true));
    rstd = pow(add(mean(mul(xc, xc), dims, true), wrap_scalar(Scalar(eps))),
               Scalar(-0.5));
    xhat = mul(xc, rstd);
  }
  Tensor t;
  if (x_t.defined()) {
    Tensor xhat_t;
    if (fixed_mean.defined()) {
      xhat_t = mul(x_t, rstd);
    } else {
      const Tensor xc_t = sub(x_t, mean(x_t, dims, true));
      xhat_t =
          mul(rstd, sub(xc_t, mul(xhat, mean(mul(xhat, xc_t), dims, true))));
    }
    t = weight.defined() ? mul(xhat_t, affine(weight)) : xhat_t;
  }
  const Tensor weight_t = forward_ad::tangent(weight);
  if (weight_t.defined()) t = add_tangents(t, mul(xhat, affine(weight_t)));
  const Tensor bias_t = forward_ad::tangent(bias);
  if (bias_t.defined()) t = add_tangents(t, affine(bias_t));
  return t;
}

// With x^ = (x - mean) * rstd over the normalized dims and g' = grad * weight:
// d(input) = rstd * (g' - mean(g') - x^ * mean(g' * x^))
// d(weight) = sum over batch dims of grad * x^ ; d(bias) = sum of grad
class NativeLayerNormBackward0 final : public Node {
 public:
  AG_NODE(NativeLayerNormBackward0);
  static constexpr bool kForwardRule = true;  // normalized_tangent
  variable_list apply(variable_list&& grads) override {
    const Tensor x = input.unpack();
    const Tensor w = weight.unpack();
    const Tensor& g = grads[0];
    const auto k = static_cast<int64_t>(normalized_shape.size());
    const int64_t lead = x.dim() - k;
    const IntList norm_dims = range_dims(lead, x.dim());
    Tensor mu, rs;
    if (GradMode::is_enabled()) {
      // Building a graph: the statistics must be functions of x too.
      mu = mean(x, norm_dims, true);
      const Tensor xc = sub(x, mu);
      rs = pow(add(mean(mul(xc, xc), norm_dims, true), wrap_scalar(eps)),
               Scalar(-0.5));
    } else {
      mu = mean_.unpack();
      rs = rstd_.unpack();
    }
    if (!GradMode::is_enabled() && g.dtype() == x.dtype()) {
      return fused(g, x, w, mu, rs);
    }
    const Tensor xhat = mul(sub(x, mu), rs);
    variable_list out(3);
    if (should_compute_output(0)) {
      const Tensor gw = w.defined() ? mul(g, w) : g;
      const Tensor a = mean(gw, norm_dims, true);
      const Tensor b = mean(mul(gw, xhat), norm_dims, true);
      out[0] = mul(rs, sub(sub(gw, a), mul(xhat, b)));
    }
    const IntList batch_dims = range_dims(0, lead);
    auto batch_sum = [&](const Tensor& t) {
      return batch_dims.empty() ? t : sum(t, batch_dims, false);
    };
    if (should_compute_output(1)) out[1] = batch_sum(mul(g, xhat));
    if (should_compute_output(2)) out[2] = batch_sum(g);
    return out;
  }
  // The three gradients in one fused kernel pass.
  variable_list fused(const Tensor& g, const Tensor& x, const Tensor& w,
                      const Tensor& mu, const Tensor& rs) {
    const int64_t cols =
        numel_of(Shape(normalized_shape.begin(), normalized_shape.end()));
    const int64_t rows = cols == 0 ? 0 : x.numel() / cols;
    variable_list out(3);
    if (should_compute_output(0)) out[0] = empty_tensor(x.sizes(), x.dtype());
    const Shape norm(normalized_shape.begin(), normalized_shape.end());
    if (should_compute_output(1) && w.defined()) {
      out[1] = empty_tensor(norm, x.dtype());
    }
    if (should_compute_output(2)) out[2] = empty_tensor(norm, x.dtype());
    kernels::layer_norm_backward(contiguous_data(g), contiguous_data(x),
                                 contiguous_data(mu), contiguous_data(rs),
                                 w.defined() ? contiguous_data(w) : Tensor(),
                                 rows, cols, out[0], out[1], out[2]);
    return out;
  }
  SavedTensor input{this, "input"}, weight{this, "weight"},
      mean_{this, "result1"}, rstd_{this, "result2"};
  Saved<IntList> normalized_shape{this, "normalized_shape"};
  double eps = 1e-5;
};

// Training, with x^ = (x - mean) * invstd over every dim but 1:
//   d(input) = weight * invstd * (grad - mean(grad) - x^ * mean(grad * x^))
// Evaluation (running statistics are constants):
//   d(input) = grad * weight * invstd
// d(weight) = sum of grad * x^ ; d(bias) = sum of grad   (per channel)
class NativeBatchNormBackward0 final : public Node {
 public:
  AG_NODE(NativeBatchNormBackward0);
  static constexpr bool kForwardRule = true;  // normalized_tangent
  variable_list apply(variable_list&& grads) override {
    const Tensor x = input.unpack();
    const Tensor w = weight.unpack();
    const Tensor& g = grads[0];
    IntList red{0};
    for (int64_t d = 2; d < x.dim(); ++d) red.push_back(d);
    Shape channel_shape(static_cast<size_t>(x.dim()), 1);
    channel_shape[1] = x.size(1);
    Tensor mu, invstd;
    if (training && GradMode::is_enabled()) {
      mu = mean(x, red, true);
      const Tensor xc = sub(x, mu);
      invstd =
          pow(add(mean(mul(xc, xc), red, true), wrap_scalar(Scalar(eps.get()))),
              Scalar(-0.5));
    } else if (training) {
      mu = reshape(save_mean.unpack(), channel_shape);
      invstd = reshape(save_invstd.unpack(), channel_shape);
    } else {
      NoGradGuard no_grad;
      mu = reshape(running_mean.unpack(), channel_shape);
      invstd =
          reshape(pow(add(running_var.unpack(), wrap_scalar(Scalar(eps.get()))),
                      Scalar(-0.5)),
                  channel_shape);
    }
    const Tensor xhat = mul(sub(x, mu), invstd);
    variable_list out(3);
    if (should_compute_output(0)) {
      const Tensor scale =
          w.defined() ? mul(reshape(w, channel_shape), invstd) : invstd;
      if (training) {
        const Tensor a = mean(g, red, true);
        const Tensor b = mean(mul(g, xhat), red, true);
        out[0] = mul(scale, sub(sub(g, a), mul(xhat, b)));
      } else {
        out[0] = mul(g, scale);
      }
    }
    if (should_compute_output(1)) out[1] = sum(mul(g, xhat), red, false);
    if (should_compute_output(2)) out[2] = sum(g, red, false);
    return out;
  }
  SavedTensor input{this, "input"}, weight{this, "weight"},
      running_mean{this, "running_mean"}, running_var{this, "running_var"},
      save_mean{this, "result1"}, save_invstd{this, "result2"};
  Saved<bool> training{this, "training", true};
  Saved<double> eps{this, "eps", 1e-5};
};

// A 1-D tensor's values in double.
Tensor tensor_of(const std::vector<double>& v, DType dtype) {
  const Tensor d =
      from_buffer(v.data(), {static_cast<int64_t>(v.size())}, DType::Float64);
  return cast_data(d, dtype);
}

void check_channel_arg(const Tensor& t, const char* name, int64_t channels) {
  AG_CHECK(!t.defined() || t.numel() == channels, name, " should contain ",
           channels, " elements not ", t.numel());
}

}  // namespace

// ---------------------------------------------------------------------------

Tensor softmax(const Tensor& self, int64_t dim, std::optional<DType> dtype) {
  AG_CAPTURE_RETURN("softmax", softmax(in[0], dim, dtype), self)
  return softmax_common<SoftmaxBackward0>(self, dim, dtype, false);
}

Tensor log_softmax(const Tensor& self, int64_t dim,
                   std::optional<DType> dtype) {
  AG_CAPTURE_RETURN("log_softmax", log_softmax(in[0], dim, dtype), self)
  return softmax_common<LogSoftmaxBackward0>(self, dim, dtype, true);
}

Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              const IntList& stride, const IntList& padding,
              const IntList& dilation, int64_t groups) {
  AG_CAPTURE_RETURN(
      "conv1d", conv1d(in[0], in[1], in[2], stride, padding, dilation, groups),
      input, weight, bias)
  return conv_nd(input, weight, bias, stride, padding, dilation, groups, 1,
                 "conv1d");
}

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              const IntList& stride, const IntList& padding,
              const IntList& dilation, int64_t groups) {
  AG_CAPTURE_RETURN(
      "conv2d", conv2d(in[0], in[1], in[2], stride, padding, dilation, groups),
      input, weight, bias)
  return conv_nd(input, weight, bias, stride, padding, dilation, groups, 2,
                 "conv2d");
}

Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              const IntList& stride, const std::string& padding,
              const IntList& dilation, int64_t groups) {
  AG_CAPTURE_RETURN(
      "conv1d", conv1d(in[0], in[1], in[2], stride, padding, dilation, groups),
      input, weight, bias)
  return conv_nd_str(input, weight, bias, stride, padding, dilation, groups, 1,
                     "conv1d");
}

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              const IntList& stride, const std::string& padding,
              const IntList& dilation, int64_t groups) {
  AG_CAPTURE_RETURN(
      "conv2d", conv2d(in[0], in[1], in[2], stride, padding, dilation, groups),
      input, weight, bias)
  return conv_nd_str(input, weight, bias, stride, padding, dilation, groups, 2,
                     "conv2d");
}

// PyTorch's im2col/col2im kernels cover floating types and bool, not integers.
void check_fold_dtype(const Tensor& t, const char* kernel) {
  if (is_integral(t.dtype(), /*include_bool=*/false)) {
    throw NotImplementedError(
        detail::str_cat("\"", kernel, "\" not implemented for '",
                        dtype_legacy_name(t.dtype()), "'"));
  }
}

Tensor unfold(const Tensor& self, const IntList& kernel_size,
              const IntList& dilation, const IntList& padding,
              const IntList& stride) {
  const FoldParams p = fold_params(kernel_size, dilation, padding, stride);
  AG_CHECK(self.dim() == 3 || self.dim() == 4,
           "Expected 3D or 4D (batch mode) tensor for input with possibly 0 "
           "batch size and non-zero dimensions for input, but got: ",
           shape_str(self.sizes()));
  const Window2d w = fold_window(p, self.size(-2), self.size(-1));
  AG_CHECK(w.out_h >= 1 && w.out_w >= 1, "Given input with spatial size (",
           w.in_h, ", ", w.in_w, "), kernel_size=", dims_str(p.kernel, ", "),
           ", dilation=", dims_str(p.dilation, ", "),
           ", padding=", dims_str(p.padding, ", "),
           ", calculated shape of the array of sliding blocks as (",
           std::max<int64_t>(w.out_h, 0), ", ", std::max<int64_t>(w.out_w, 0),
           "), but its components must be at least one.");
  check_fold_dtype(self, "im2col_out_cpu");
  return im2col_op(self, w);
}

Tensor fold(const Tensor& self, const IntList& output_size,
            const IntList& kernel_size, const IntList& dilation,
            const IntList& padding, const IntList& stride) {
  const IntList size = fold_param(output_size, "output_size");
  const FoldParams p = fold_params(kernel_size, dilation, padding, stride);
  AG_CHECK(self.dim() == 2 || self.dim() == 3,
           "Expected 2D or 3D (batch mode) tensor for input with possibly 0 "
           "batch size and non-zero dimensions for input, but got: ",
           shape_str(self.sizes()));
  // Unsigned, as PyTorch counts it: a product past 2^64 raises, and one that
  // wrapped to 0 would divide by zero below.
  uint64_t k = 0;
  AG_CHECK(!__builtin_mul_overflow(static_cast<uint64_t>(p.kernel[0]),
                                   static_cast<uint64_t>(p.kernel[1]), &k),
           "Given kernel_width = ", p.kernel[1],
           " and kernel_height = ", p.kernel[0],
           " the product of kernel_width and kernel_height overflowed.");
  AG_CHECK(static_cast<uint64_t>(self.size(-2)) % k == 0,
           "Expected size of input's dimension ", self.dim() - 2,
           " to be divisible by the product of kernel_size, but got "
           "input.size(",
           self.dim() - 2, ")=", self.size(-2),
           " and kernel_size=", dims_str(p.kernel, ", "), ".");
  const Window2d w = fold_window(p, size[0], size[1]);
  AG_CHECK(w.out_h >= 1 && w.out_w >= 1 && self.size(-1) == w.out_h * w.out_w,
           "Given output_size=", dims_str(size, ", "),
           ", kernel_size=", dims_str(p.kernel, ", "),
           ", dilation=", dims_str(p.dilation, ", "),
           ", padding=", dims_str(p.padding, ", "),
           ", stride=", dims_str(p.stride, ", "),
           ", expected size of input's dimension ", self.dim() - 1,
           " to match the calculated number of sliding blocks ", w.out_h, " * ",
           w.out_w, " = ", w.out_h * w.out_w, ", but got input.size(",
           self.dim() - 1, ")=", self.size(-1), ".");
  check_fold_dtype(self, "col2im_out_cpu");
  return col2im_op(self, w);
}

std::tuple<Tensor, Tensor> max_pool2d_with_indices(
    const Tensor& self, const IntList& kernel_size, const IntList& stride,
    const IntList& padding, const IntList& dilation, bool ceil_mode) {
  const PoolParams p = pool_params(self, "max_pool2d", kernel_size, stride,
                                   padding, dilation, ceil_mode);
  AG_CHECK_AS(NotImplementedError, self.dtype() != DType::Bool,
              "\"max_pool2d\" not implemented for 'Bool'");
  const Window2d& w = p.window;
  const Shape out_shape = pooled_shape(self, w);
  Tensor out = empty_tensor(out_shape, self.dtype());
  Tensor indices = empty_tensor(out_shape, DType::Int64);
  const int64_t planes = planes_of(self.sizes());
  kernels::max_pool2d(reshaped_data(self, {planes, w.in_h, w.in_w}), w,
                      reshaped_data(out, {planes, w.out_h, w.out_w}),
                      reshaped_data(indices, {planes, w.out_h, w.out_w}));
  if (auto fn = record<MaxPool2DWithIndicesBackward0>(self)) {
    fn->indices = SavedVariable(indices, false);
    fn->p = p;
    fn->self_sizes = self.sizes();
    autograd::set_history(out, fn);
  }
  // tangent = self_t read at the maxima
  linear_tangent(out, self, [&](const Tensor& t) {
    const int64_t window = w.out_h * w.out_w;
    const Tensor picked =
        nn_detail::gather_dim1(reshape(t, {planes, w.in_h * w.in_w, 1}),
                               reshaped_data(indices, {planes, window, 1}));
    return reshape(picked, out_shape);
  });
  return {out, indices};
}

Tensor max_pool2d(const Tensor& self, const IntList& kernel_size,
                  const IntList& stride, const IntList& padding,
                  const IntList& dilation, bool ceil_mode) {
  AG_CAPTURE_RETURN(
      "max_pool2d",
      max_pool2d(in[0], kernel_size, stride, padding, dilation, ceil_mode),
      self)
  return std::get<0>(max_pool2d_with_indices(self, kernel_size, stride, padding,
                                             dilation, ceil_mode));
}

Tensor avg_pool2d(const Tensor& self, const IntList& kernel_size,
                  const IntList& stride, const IntList& padding, bool ceil_mode,
                  bool count_include_pad,
                  std::optional<int64_t> divisor_override) {
  AG_CAPTURE_RETURN("avg_pool2d",
                    avg_pool2d(in[0], kernel_size, stride, padding, ceil_mode,
                               count_include_pad, divisor_override),
                    self)
  const PoolParams p = pool_params(self, "avg_pool2d", kernel_size, stride,
                                   padding, {1}, ceil_mode);
  AG_CHECK(!divisor_override || *divisor_override != 0,
           "divisor must be not zero");
  // PyTorch's CPU kernel covers int64 and the floating types only.
  AG_CHECK_AS(NotImplementedError,
              self.dtype() != DType::Bool && self.dtype() != DType::Int32,
              "\"avg_pool2d\" not implemented for '",
              dtype_legacy_name(self.dtype()), "'");
  return avg_pool_op(self, p, count_include_pad, divisor_override.value_or(0));
}

namespace {

// PyTorch's CPU norm kernels take parameters of another dtype than the input
// only as float32 ones of a reduced-precision input (its "mixed dtype"): the
// first parameter given decides whether the call is mixed, and then every
// parameter must be float32 before the input's dtype is looked at. A later
// parameter of another dtype fails where the kernel reads it, after the
// kernel's own check of the input's dtype (`kernel`, when given: floating
// only).
void check_norm_param_dtypes(const Tensor& input,
                             std::initializer_list<const Tensor*> params,
                             const char* kernel = nullptr) {
  const Tensor* first = nullptr;
  for (const Tensor* t : params) {
    if (t->defined()) {
      first = t;
      break;
    }
  }
  if (first != nullptr && first->dtype() != input.dtype()) {
    for (const Tensor* t : params) {
      AG_CHECK(!t->defined() || t->dtype() == DType::Float32,
               "mixed dtype (CPU): expect parameter to have scalar type of "
               "Float");
    }
    // This library has no reduced-precision dtype, so a mixed call fails.
    AG_CHECK(false, "mixed dtype (CPU): all inputs must share same datatype.");
  }
  if (kernel != nullptr) {
    AG_CHECK_AS(NotImplementedError, is_floating(input.dtype()), "\"", kernel,
                "\" not implemented for '", dtype_legacy_name(input.dtype()),
                "'");
  }
  for (const Tensor* t : params) {
    AG_CHECK(!t->defined() || t->dtype() == input.dtype(),
             "expected scalar type ", dtype_legacy_name(input.dtype()),
             " but found ", dtype_legacy_name(t->dtype()));
  }
}

}  // namespace

Tensor layer_norm(const Tensor& input, const IntList& normalized_shape,
                  const Tensor& weight, const Tensor& bias, double eps) {
  AG_CAPTURE_RETURN("layer_norm",
                    layer_norm(in[0], normalized_shape, in[1], in[2], eps),
                    input, weight, bias)
  const auto k = static_cast<int64_t>(normalized_shape.size());
  AG_CHECK(k >= 1,
           "Expected normalized_shape to be at least 1-dimensional, i.e., "
           "containing at least one element, but got normalized_shape = ",
           list_str(normalized_shape));
  const Shape norm(normalized_shape.begin(), normalized_shape.end());
  AG_CHECK(!weight.defined() || weight.sizes() == norm,
           "Expected weight to be of same shape as normalized_shape, but got "
           "weight of shape ",
           shape_str(weight.sizes()),
           " and normalized_shape = ", shape_str(norm));
  AG_CHECK(!bias.defined() || bias.sizes() == norm,
           "Expected bias to be of same shape as normalized_shape, but got "
           "bias of shape ",
           shape_str(bias.defined() ? bias.sizes() : Shape()),
           " and normalized_shape = ", shape_str(norm));
  bool matches = input.dim() >= k;
  for (int64_t i = 0; matches && i < k; ++i) {
    matches = input.size(input.dim() - k + i) == normalized_shape[i];
  }
  if (!matches) {
    std::string expected = "[*";
    for (int64_t s : normalized_shape) expected += ", " + std::to_string(s);
    throw Error(detail::str_cat("Given normalized_shape=", shape_str(norm),
                                ", expected input with shape ", expected,
                                "], but got input of size",
                                shape_str(input.sizes())));
  }
  check_norm_param_dtypes(input, {&weight, &bias}, "LayerNormKernelImpl");
  const int64_t cols = numel_of(norm);
  const int64_t rows = cols == 0 ? 0 : input.numel() / cols;
  Shape stat_shape = input.sizes();
  for (int64_t i = 0; i < k; ++i) {
    stat_shape[static_cast<size_t>(input.dim() - 1 - i)] = 1;
  }
  Tensor out = empty_tensor(input.sizes(), input.dtype());
  const DType stat_dtype =
      is_floating(input.dtype()) ? input.dtype() : DType::Float32;
  Tensor mean_t = empty_tensor(stat_shape, stat_dtype);
  Tensor rstd_t = empty_tensor(stat_shape, stat_dtype);
  kernels::layer_norm(contiguous_data(input),
                      weight.defined() ? contiguous_data(weight) : Tensor(),
                      bias.defined() ? contiguous_data(bias) : Tensor(), eps,
                      rows, cols, out, mean_t, rstd_t);
  if (auto fn = record<NativeLayerNormBackward0>(input, weight, bias)) {
    fn->input = SavedVariable(input, false);
    fn->weight = SavedVariable(weight, false);
    fn->mean_ = SavedVariable(mean_t, false);
    fn->rstd_ = SavedVariable(rstd_t, false);
    fn->normalized_shape = normalized_shape;
    fn->eps = eps;
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(input, weight, bias)) {
    set_tangent(out, [&] {
      return normalized_tangent(input, weight, bias,
                                range_dims(input.dim() - k, input.dim()), eps,
                                {}, Tensor(), Tensor());
    });
  }
  return out;
}

Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                  const Tensor& running_mean, const Tensor& running_var,
                  bool training, double momentum, double eps) {
  AG_CAPTURE_RETURN(
      "batch_norm",
      batch_norm(in[0], in[1], in[2], in[3], in[4], training, momentum, eps),
      input, weight, bias, running_mean, running_var)
  if (input.numel() == 0) {
    // PyTorch returns early for an empty input, before any other check: a
    // copy scaled and shifted by the first weight and bias entries (a 0-d
    // or empty weight then fails at that index).
    Tensor out = clone(input);
    if (weight.defined()) out = mul(out, select(weight, 0, 0));
    if (bias.defined()) out = add(out, select(bias, 0, 0));
    return out;
  }
  const int64_t channels = input.dim() >= 2 ? input.size(1) : 0;
  check_channel_arg(running_mean, "running_mean", channels);
  check_channel_arg(running_var, "running_var", channels);
  check_channel_arg(weight, "weight", channels);
  check_channel_arg(bias, "bias", channels);
  AG_CHECK(training || running_mean.defined(),
           "running_mean must be defined in evaluation mode");
  AG_CHECK(training || running_var.defined(),
           "running_var must be defined in evaluation mode");
  AG_CHECK(input.dim() >= 2,
           "batch_norm: expected an input with at least 2 "
           "dims (N, C, ...), but got input of size ",
           shape_str(input.sizes()));
  if (!is_floating(input.dtype())) {
    // PyTorch's training path for a strided input whose parameters share its
    // dtype (or are absent) takes the mean first.
    bool mixed = false;
    for (const Tensor* t : {&weight, &bias, &running_mean, &running_var}) {
      mixed = mixed || (t->defined() && t->dtype() != input.dtype());
    }
    AG_CHECK(!training || mixed || input.is_contiguous(),
             "mean(): could not infer output dtype. Input dtype must be either "
             "a floating point or complex dtype. Got: ",
             dtype_legacy_name(input.dtype()));
    throw NotImplementedError(
        detail::str_cat("\"batch_norm\" not implemented for '",
                        dtype_legacy_name(input.dtype()), "'"));
  }
  check_norm_param_dtypes(input, {&weight, &bias, &running_mean, &running_var});
  const DType dtype = input.dtype();
  const int64_t n = input.size(0);
  const int64_t s =
      channels == 0 || n == 0 ? 0 : input.numel() / (n * channels);
  const Tensor x = contiguous_data(input);
  std::vector<double> mu(static_cast<size_t>(channels));
  std::vector<double> invstd(static_cast<size_t>(channels));
  Tensor save_mean, save_invstd;
  if (training) {
    Tensor m = empty_tensor({channels}, dtype);
    Tensor var = empty_tensor({channels}, dtype);
    kernels::channel_moments(x, n, channels, s, m, var);
    mu = values_of(m);
    const std::vector<double> v = values_of(var);
    for (size_t c = 0; c < v.size(); ++c)
      invstd[c] = 1.0 / std::sqrt(v[c] + eps);
    save_mean = m;
    save_invstd = tensor_of(invstd, dtype);
    // Running statistics move towards this batch's; the variance is the
    // unbiased estimate, as PyTorch keeps it.
    const double count = static_cast<double>(n * s);
    auto update = [&](const Tensor& running, const std::vector<double>& batch,
                      double correction) {
      if (!running.defined()) return;
      std::vector<double> r = values_of(running);
      for (size_t c = 0; c < r.size(); ++c) {
        r[c] = (1.0 - momentum) * r[c] + momentum * batch[c] * correction;
      }
      kernels::copy(tensor_of(r, running.dtype()), running);
      running.impl()->bump_version();
    };
    update(running_mean, mu, 1.0);
    update(running_var, v, count / (count - 1.0));
  } else {
    mu = values_of(running_mean);
    const std::vector<double> v = values_of(running_var);
    for (size_t c = 0; c < v.size(); ++c)
      invstd[c] = 1.0 / std::sqrt(v[c] + eps);
    save_mean = empty_tensor({0}, dtype);
    save_invstd = empty_tensor({0}, dtype);
  }
  // out = x * scale + shift per channel.
  const std::vector<double> w =
      weight.defined() ? values_of(weight) : std::vector<double>();
  const std::vector<double> b =
      bias.defined() ? values_of(bias) : std::vector<double>();
  // Each term rounded to the tensor's dtype, as PyTorch forms them: with a
  // variance near zero the output magnifies the last bit of scale and shift.
  const auto in_dtype = [&](double v) {
    return dtype == DType::Float32 ? static_cast<double>(static_cast<float>(v))
                                   : v;
  };
  std::vector<double> scale(static_cast<size_t>(channels));
  std::vector<double> shift(static_cast<size_t>(channels));
  for (size_t c = 0; c < scale.size(); ++c) {
    scale[c] = in_dtype(in_dtype(invstd[c]) * (w.empty() ? 1.0 : w[c]));
    shift[c] = in_dtype((b.empty() ? 0.0 : b[c]) - in_dtype(mu[c] * scale[c]));
  }
  Tensor out = empty_tensor(input.sizes(), dtype);
  kernels::channel_affine(x, tensor_of(scale, dtype), tensor_of(shift, dtype),
                          n, channels, s, out);
  if (auto fn = record<NativeBatchNormBackward0>(input, weight, bias)) {
    fn->input = SavedVariable(input, false);
    fn->weight = SavedVariable(weight, false);
    fn->running_mean = SavedVariable(running_mean, false);
    fn->running_var = SavedVariable(running_var, false);
    fn->save_mean = SavedVariable(save_mean, false);
    fn->save_invstd = SavedVariable(save_invstd, false);
    fn->training = training;
    fn->eps = eps;
    autograd::set_history(out, fn);
  }
  if (forward_ad::any_dual(input, weight, bias)) {
    set_tangent(out, [&] {
      IntList red{0};
      for (int64_t d = 2; d < input.dim(); ++d) red.push_back(d);
      Shape channel_shape(static_cast<size_t>(input.dim()), 1);
      channel_shape[1] = channels;
      Tensor fixed_mean, fixed_rstd;
      if (!training) {
        NoGradGuard no_grad;
        fixed_mean = reshape(running_mean, channel_shape);
        fixed_rstd = reshape(
            pow(add(running_var, wrap_scalar(Scalar(eps))), Scalar(-0.5)),
            channel_shape);
      }
      return normalized_tangent(input, weight, bias, red, eps, channel_shape,
                                fixed_mean, fixed_rstd);
    });
  }
  return out;
}

namespace nn_detail {

Tensor gather_dim1(const Tensor& self, const Tensor& index) {
  Tensor out = gather_data(self, index);
  if (auto fn = record<GatherDim1Backward>(self)) {
    fn->index = SavedVariable(index, false);
    fn->size = self.size(1);
    autograd::set_history(out, fn);
  }
  return out;
}

Tensor scatter_add_dim1(const Tensor& src, const Tensor& index, int64_t size) {
  Tensor out = scatter_add_data(src, index, size);
  if (auto fn = record<ScatterAddDim1Backward>(src)) {
    fn->index = SavedVariable(index, false);
    autograd::set_history(out, fn);
  }
  return out;
}

}  // namespace nn_detail

}  // namespace ag::ops
