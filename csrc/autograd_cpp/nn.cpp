#include "autograd_cpp/nn.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <ostream>
#include <sstream>
#include <unordered_set>

#include "autograd/autograd_meta.h"
#include "autograd/grad_mode.h"

namespace ag::nn {

namespace {
std::string fmt_double(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}
// (1, 1) as Python prints a tuple of ints.
std::string tuple_str(const std::vector<int64_t>& v) {
  std::string out = "(";
  for (size_t i = 0; i < v.size(); ++i) {
    out += (i ? ", " : "") + std::to_string(v[i]);
  }
  return out + (v.size() == 1 ? ",)" : ")");
}
}  // namespace

std::ostream& operator<<(std::ostream& os, const Module& module) {
  return os << module.repr();
}

Tensor Module::forward(const Tensor&) {
  throw NotImplementedError(
      "Module [" + name() +
      "] is missing the required \"forward\" function for one input");
}

std::string Module::repr() const {
  std::string out = name() + "(" + extra_repr();
  if (children_.empty()) return out + ")";
  for (const auto& [child_name, child] : children_) {
    std::string text = child->repr();
    // Children's own lines are indented under this module's.
    std::string indented;
    for (char c : text) {
      indented += c;
      if (c == '\n') indented += "  ";
    }
    out += "\n  (" + child_name + "): " + indented;
  }
  return out + "\n)";
}

void Module::collect(const std::string& prefix, bool recurse, bool buffers,
                     NamedTensors& out) const {
  for (const auto& [n, t] : buffers ? buffers_ : params_) {
    if (t.defined()) out.emplace_back(prefix + n, t);
  }
  if (!recurse) return;
  for (const auto& [n, child] : children_) {
    child->collect(prefix + n + ".", true, buffers, out);
  }
}

NamedTensors Module::named_parameters(bool recurse) const {
  NamedTensors out;
  collect("", recurse, false, out);
  // A tensor shared by two modules is listed once, as PyTorch does.
  std::unordered_set<const TensorImpl*> seen;
  NamedTensors unique;
  for (auto& [n, t] : out) {
    if (seen.insert(t.impl()).second) unique.emplace_back(n, t);
  }
  return unique;
}

NamedTensors Module::named_buffers(bool recurse) const {
  NamedTensors out;
  collect("", recurse, true, out);
  return out;
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [n, t] : named_parameters(recurse)) out.push_back(t);
  return out;
}

NamedTensors Module::state_dict() const {
  NamedTensors out;
  // Each module's parameters, then its buffers, then its children.
  const std::function<void(const Module&, const std::string&)> walk =
      [&](const Module& m, const std::string& prefix) {
        for (const auto& [n, t] : m.params_) {
          if (t.defined()) out.emplace_back(prefix + n, ops::detach(t));
        }
        for (const auto& [n, t] : m.buffers_) {
          if (t.defined()) out.emplace_back(prefix + n, t);
        }
        for (const auto& [n, child] : m.children_)
          walk(*child, prefix + n + ".");
      };
  walk(*this, "");
  return out;
}

void Module::load_state_dict(const NamedTensors& state, bool strict) {
  NamedTensors own = state_dict();
  std::vector<std::string> missing, unexpected;
  for (const auto& [key, value] : state) {
    if (!value.defined()) {
      ag::detail::throw_undefined_argument("load_state_dict",
                                           "state_dict[\"" + key + "\"]");
    }
    auto it = std::find_if(own.begin(), own.end(),
                           [&](const auto& kv) { return kv.first == key; });
    if (it == own.end()) {
      unexpected.push_back(key);
      continue;
    }
    AG_CHECK(it->second.sizes() == value.sizes(),
             "Error(s) in loading state_dict for ", name(),
             ":\n\tsize mismatch for ", key, ": copying a param with shape ",
             shape_str(value.sizes()),
             " from checkpoint, the shape in current model is ",
             shape_str(it->second.sizes()), ".");
  }
  for (const auto& [key, value] : own) {
    const bool given = std::any_of(state.begin(), state.end(),
                                   [&](auto& kv) { return kv.first == key; });
    if (!given) missing.push_back(key);
  }
  if (strict && (!missing.empty() || !unexpected.empty())) {
    std::string message = "Error(s) in loading state_dict for " + name() + ":";
    const auto list = [](const std::vector<std::string>& keys) {
      std::string s;
      for (size_t i = 0; i < keys.size(); ++i) {
        s += (i ? ", \"" : "\"") + keys[i] + "\"";
      }
      return s;
    };
    if (!missing.empty()) {
      message += "\n\tMissing key(s) in state_dict: " + list(missing) + ". ";
    }
    if (!unexpected.empty()) {
      message +=
          "\n\tUnexpected key(s) in state_dict: " + list(unexpected) + ". ";
    }
    throw Error(message);
  }
  NoGradGuard no_grad;
  for (auto& [key, target] : own) {
    for (const auto& [k, value] : state) {
      if (k == key) ops::copy_(target, value);
    }
  }
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [n, child] : children_) child->train(on);
}

void Module::zero_grad() {
  for (Tensor& p : parameters()) p.set_grad(Tensor());
}

void Module::to(DType dtype) {
  NoGradGuard no_grad;
  const auto convert = [&](Tensor& t) {
    if (!t.defined() || !t.is_floating_point() || t.dtype() == dtype) return;
    // Keeps every handle to the tensor valid: its data is replaced in place.
    t.impl()->set_data_from(*ops::to(t, dtype).impl());
  };
  for (auto& [n, t] : params_) convert(t);
  for (auto& [n, t] : buffers_) convert(t);
  for (auto& [n, child] : children_) child->to(dtype);
}

Tensor Module::register_parameter(std::string name, Tensor t,
                                  bool requires_grad) {
  if (t.defined()) t.requires_grad_(requires_grad);
  params_.emplace_back(std::move(name), t);
  return t;
}

Tensor Module::register_buffer(std::string name, Tensor t) {
  buffers_.emplace_back(std::move(name), t);
  return t;
}

namespace init {

Tensor uniform_(Tensor t, double low, double high) {
  ag::detail::check_defined(t, "nn::init::uniform_", "tensor");
  NoGradGuard no_grad;
  Tensor r = ops::rand(t.sizes(), t.dtype());
  ops::copy_(t, r * (high - low) + low);
  return t;
}

Tensor normal_(Tensor t, double mean, double std) {
  ag::detail::check_defined(t, "nn::init::normal_", "tensor");
  NoGradGuard no_grad;
  Tensor r = ops::randn(t.sizes(), t.dtype());
  ops::copy_(t, r * std + mean);
  return t;
}

Tensor constant_(Tensor t, const Scalar& value) {
  ag::detail::check_defined(t, "nn::init::constant_", "tensor");
  NoGradGuard no_grad;
  ops::fill_(t, value);
  return t;
}

Tensor zeros_(Tensor t) {
  return constant_(std::move(t), 0);
}

Tensor ones_(Tensor t) {
  return constant_(std::move(t), 1);
}

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t) {
  ag::detail::check_defined(t, "nn::init::calculate_fan_in_and_fan_out",
                            "tensor");
  AG_CHECK_AS(ValueError, t.dim() >= 2,
              "Fan in and fan out can not be computed for tensor with fewer "
              "than 2 dimensions");
  int64_t receptive = 1;
  for (int64_t d = 2; d < t.dim(); ++d) receptive *= t.size(d);
  return {t.size(1) * receptive, t.size(0) * receptive};
}

Tensor kaiming_uniform_(Tensor t, double a) {
  const int64_t fan_in = calculate_fan_in_and_fan_out(t).first;
  // gain for leaky_relu with slope a, times sqrt(3) for a uniform's std.
  const double gain = std::sqrt(2.0 / (1.0 + a * a));
  const double bound = gain * std::sqrt(3.0 / static_cast<double>(fan_in));
  return uniform_(std::move(t), -bound, bound);
}

Tensor xavier_uniform_(Tensor t, double gain) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  const double bound =
      gain * std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  return uniform_(std::move(t), -bound, bound);
}

}  // namespace init

namespace {
// nn.Linear's and nn.Conv2d's reset_parameters().
void default_init(Tensor& weight, Tensor& bias) {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const int64_t fan_in = init::calculate_fan_in_and_fan_out(weight).first;
    const double bound = fan_in > 0 ? 1.0 / std::sqrt(double(fan_in)) : 0.0;
    init::uniform_(bias, -bound, bound);
  }
}
}  // namespace

Linear::Linear(int64_t in_features, int64_t out_features, bool with_bias)
    : in_features_(in_features), out_features_(out_features) {
  weight = register_parameter(
      "weight", ops::empty({out_features, in_features}, default_dtype()));
  bias = register_parameter(
      "bias",
      with_bias ? ops::empty({out_features}, default_dtype()) : Tensor());
  default_init(weight, bias);
}

Tensor Linear::forward(const Tensor& input) {
  return ops::linear(input, weight, bias);
}

std::string Linear::extra_repr() const {
  return "in_features=" + std::to_string(in_features_) +
         ", out_features=" + std::to_string(out_features_) +
         ", bias=" + (bias.defined() ? "True" : "False");
}

Conv2d::Conv2d(Conv2dOptions options) : options_(std::move(options)) {
  const auto& o = options_;
  AG_CHECK_AS(ValueError, o.groups > 0 && o.in_channels % o.groups == 0,
              "in_channels must be divisible by groups");
  AG_CHECK_AS(ValueError, o.out_channels % o.groups == 0,
              "out_channels must be divisible by groups");
  weight = register_parameter(
      "weight", ops::empty({o.out_channels, o.in_channels / o.groups,
                            o.kernel_size.at(0), o.kernel_size.at(1)},
                           default_dtype()));
  bias = register_parameter(
      "bias",
      o.bias ? ops::empty({o.out_channels}, default_dtype()) : Tensor());
  default_init(weight, bias);
}

Tensor Conv2d::forward(const Tensor& input) {
  const auto& o = options_;
  return ops::conv2d(input, weight, bias, o.stride, o.padding, o.dilation,
                     o.groups);
}

namespace {
// nn.Conv2d's and nn.ConvTranspose*d's extra_repr: the sizes that differ
// from their defaults (output_padding empty for a convolution).
std::string conv_repr(int64_t in_channels, int64_t out_channels,
                      const std::vector<int64_t>& kernel_size,
                      const std::vector<int64_t>& stride,
                      const std::vector<int64_t>& padding,
                      const std::vector<int64_t>& dilation,
                      const std::vector<int64_t>& output_padding,
                      int64_t groups, bool bias) {
  const auto all = [](const std::vector<int64_t>& v, int64_t x) {
    return std::all_of(v.begin(), v.end(), [x](int64_t e) { return e == x; });
  };
  std::string s = std::to_string(in_channels) + ", " +
                  std::to_string(out_channels) +
                  ", kernel_size=" + tuple_str(kernel_size) +
                  ", stride=" + tuple_str(stride);
  if (!all(padding, 0)) s += ", padding=" + tuple_str(padding);
  if (!all(dilation, 1)) s += ", dilation=" + tuple_str(dilation);
  if (!all(output_padding, 0)) {
    s += ", output_padding=" + tuple_str(output_padding);
  }
  if (groups != 1) s += ", groups=" + std::to_string(groups);
  if (!bias) s += ", bias=False";
  return s;
}
}  // namespace

std::string Conv2d::extra_repr() const {
  const auto& o = options_;
  return conv_repr(o.in_channels, o.out_channels, o.kernel_size, o.stride,
                   o.padding, o.dilation, {}, o.groups, o.bias);
}

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight,
                        const Tensor& bias, const ops::IntList& stride,
                        const ops::IntList& padding,
                        const ops::IntList& output_padding, int64_t groups,
                        const ops::IntList& dilation) {
  detail::check_defined(input, "conv_transpose2d", "input");
  detail::check_defined(weight, "conv_transpose2d", "weight");
  AG_CHECK(input.dim() == 3 || input.dim() == 4,
           "Expected 3D (unbatched) or 4D (batched) input to "
           "conv_transpose2d, but got input of size: ",
           shape_str(input.sizes()));
  AG_CHECK(weight.dim() == 4, "conv_transpose2d: expected a 4-D weight, got ",
           shape_str(weight.sizes()));
  AG_CHECK(stride.size() == 2 && padding.size() == 2 &&
               output_padding.size() == 2 && dilation.size() == 2,
           "conv_transpose2d: stride, padding, output_padding and dilation "
           "need two values each");
  AG_CHECK_AS(ValueError, groups > 0, "groups must be a positive integer");
  const bool batched = input.dim() == 4;
  const Tensor x = batched ? input : ops::unsqueeze(input, 0);
  const int64_t n = x.size(0), c_in = x.size(1), h = x.size(2), w = x.size(3);
  AG_CHECK(weight.size(0) == c_in && c_in % groups == 0,
           "Given transposed=1, weight of size ", shape_str(weight.sizes()),
           ", expected input", shape_str(x.sizes()), " to have ",
           weight.size(0), " channels, but got ", c_in, " channels instead");
  for (size_t d = 0; d < 2; ++d) {
    AG_CHECK(output_padding[d] < stride[d] || output_padding[d] < dilation[d],
             "output padding must be smaller than either stride or "
             "dilation, but got output_padding_height: ",
             output_padding[0], " output_padding_width: ", output_padding[1],
             " stride_height: ", stride[0], " stride_width: ", stride[1],
             " dilation_height: ", dilation[0],
             " dilation_width: ", dilation[1]);
  }
  const int64_t c_out_g = weight.size(1), kh = weight.size(2),
                kw = weight.size(3);
  const int64_t out_h = (h - 1) * stride[0] - 2 * padding[0] +
                        dilation[0] * (kh - 1) + output_padding[0] + 1;
  const int64_t out_w = (w - 1) * stride[1] - 2 * padding[1] +
                        dilation[1] * (kw - 1) + output_padding[1] + 1;
  // Each input pixel scatters a weighted kernel into the output: one matmul
  // makes the columns, and fold (col2im) sums their overlaps.
  const Tensor cols_w = ops::transpose(
      ops::reshape(weight, {groups, c_in / groups, c_out_g * kh * kw}), 1, 2);
  Tensor cols =
      ops::matmul(cols_w, ops::reshape(x, {n, groups, c_in / groups, h * w}));
  cols = ops::reshape(cols, {n, groups * c_out_g * kh * kw, h * w});
  Tensor out =
      ops::fold(cols, {out_h, out_w}, {kh, kw}, dilation, padding, stride);
  if (bias.defined()) out = out + ops::reshape(bias, {-1, 1, 1});
  return batched ? out : ops::squeeze(out, {0});
}

Tensor conv_transpose1d(const Tensor& input, const Tensor& weight,
                        const Tensor& bias, const ops::IntList& stride,
                        const ops::IntList& padding,
                        const ops::IntList& output_padding, int64_t groups,
                        const ops::IntList& dilation) {
  detail::check_defined(input, "conv_transpose1d", "input");
  detail::check_defined(weight, "conv_transpose1d", "weight");
  AG_CHECK(input.dim() == 2 || input.dim() == 3,
           "Expected 2D (unbatched) or 3D (batched) input to "
           "conv_transpose1d, but got input of size: ",
           shape_str(input.sizes()));
  AG_CHECK(weight.dim() == 3, "conv_transpose1d: expected a 3-D weight, got ",
           shape_str(weight.sizes()));
  AG_CHECK(stride.size() == 1 && padding.size() == 1 &&
               output_padding.size() == 1 && dilation.size() == 1,
           "conv_transpose1d: stride, padding, output_padding and dilation "
           "need one value each");
  // A 1-d transposed convolution is a 2-d one over rows of height 1.
  const int64_t row_dim = input.dim() - 1;
  const Tensor out = conv_transpose2d(
      ops::unsqueeze(input, row_dim), ops::unsqueeze(weight, 2), bias,
      {1, stride[0]}, {0, padding[0]}, {0, output_padding[0]}, groups,
      {1, dilation[0]});
  return ops::squeeze(out, {row_dim});
}

template <size_t N>
ConvTransposeNd<N>::ConvTransposeNd(ConvTransposeOptions<N> options)
    : options_(std::move(options)) {
  const auto& o = options_;
  AG_CHECK_AS(ValueError, o.groups > 0, "groups must be a positive integer");
  AG_CHECK_AS(ValueError, o.in_channels % o.groups == 0,
              "in_channels must be divisible by groups");
  AG_CHECK_AS(ValueError, o.out_channels % o.groups == 0,
              "out_channels must be divisible by groups");
  AG_CHECK_AS(ValueError,
              o.kernel_size.size() == N && o.stride.size() == N &&
                  o.padding.size() == N && o.output_padding.size() == N &&
                  o.dilation.size() == N,
              name(), ": kernel_size, stride, padding, output_padding and ",
              "dilation need ", N, " values each");
  Shape shape{o.in_channels, o.out_channels / o.groups};
  for (int64_t k : o.kernel_size) shape.push_back(k);
  weight = register_parameter("weight", ops::empty(shape, default_dtype()));
  bias = register_parameter(
      "bias",
      o.bias ? ops::empty({o.out_channels}, default_dtype()) : Tensor());
  default_init(weight, bias);
}

template <size_t N>
Tensor ConvTransposeNd<N>::forward(const Tensor& input) {
  const auto& o = options_;
  if constexpr (N == 1) {
    return conv_transpose1d(input, weight, bias, o.stride, o.padding,
                            o.output_padding, o.groups, o.dilation);
  } else {
    return conv_transpose2d(input, weight, bias, o.stride, o.padding,
                            o.output_padding, o.groups, o.dilation);
  }
}

template <size_t N>
std::string ConvTransposeNd<N>::name() const {
  return "ConvTranspose" + std::to_string(N) + "d";
}

template <size_t N>
std::string ConvTransposeNd<N>::extra_repr() const {
  const auto& o = options_;
  return conv_repr(o.in_channels, o.out_channels, o.kernel_size, o.stride,
                   o.padding, o.dilation, o.output_padding, o.groups, o.bias);
}

template class ConvTransposeNd<1>;
template class ConvTransposeNd<2>;

std::string LeakyReLU::extra_repr() const {
  return "negative_slope=" + fmt_double(slope_);
}

std::string Softmax::extra_repr() const {
  return "dim=" + std::to_string(dim_);
}

std::string Flatten::extra_repr() const {
  return "start_dim=" + std::to_string(start_) +
         ", end_dim=" + std::to_string(end_);
}

Dropout::Dropout(double p) : p_(p) {
  AG_CHECK_AS(ValueError, p >= 0.0 && p <= 1.0,
              "dropout probability has to be between 0 and 1, but got ", p);
}

std::string Dropout::extra_repr() const {
  return "p=" + fmt_double(p_) + ", inplace=False";
}

std::string LogSoftmax::extra_repr() const {
  return "dim=" + std::to_string(dim_);
}

MaxPool2d::MaxPool2d(int64_t kernel_size, std::optional<int64_t> stride,
                     int64_t padding, int64_t dilation, bool ceil_mode)
    : kernel_(kernel_size),
      stride_(stride.value_or(kernel_size)),
      padding_(padding),
      dilation_(dilation),
      ceil_mode_(ceil_mode) {}

Tensor MaxPool2d::forward(const Tensor& input) {
  return ops::max_pool2d(input, {kernel_, kernel_}, {stride_, stride_},
                         {padding_, padding_}, {dilation_, dilation_},
                         ceil_mode_);
}

std::string MaxPool2d::extra_repr() const {
  return "kernel_size=" + std::to_string(kernel_) +
         ", stride=" + std::to_string(stride_) +
         ", padding=" + std::to_string(padding_) +
         ", dilation=" + std::to_string(dilation_) +
         ", ceil_mode=" + (ceil_mode_ ? "True" : "False");
}

AvgPool2d::AvgPool2d(int64_t kernel_size, std::optional<int64_t> stride,
                     int64_t padding, bool ceil_mode, bool count_include_pad)
    : kernel_(kernel_size),
      stride_(stride.value_or(kernel_size)),
      padding_(padding),
      ceil_mode_(ceil_mode),
      count_include_pad_(count_include_pad) {}

Tensor AvgPool2d::forward(const Tensor& input) {
  return ops::avg_pool2d(input, {kernel_, kernel_}, {stride_, stride_},
                         {padding_, padding_}, ceil_mode_, count_include_pad_,
                         std::nullopt);
}

std::string AvgPool2d::extra_repr() const {
  return "kernel_size=" + std::to_string(kernel_) +
         ", stride=" + std::to_string(stride_) +
         ", padding=" + std::to_string(padding_);
}

LayerNorm::LayerNorm(std::vector<int64_t> normalized_shape, double eps,
                     bool elementwise_affine, bool with_bias)
    : shape_(std::move(normalized_shape)),
      eps_(eps),
      affine_(elementwise_affine) {
  const Shape shape(shape_.begin(), shape_.end());
  weight = register_parameter(
      "weight", affine_ ? ops::ones(shape, default_dtype()) : Tensor());
  bias = register_parameter("bias", affine_ && with_bias
                                        ? ops::zeros(shape, default_dtype())
                                        : Tensor());
}

Tensor LayerNorm::forward(const Tensor& input) {
  return ops::layer_norm(input, shape_, weight, bias, eps_);
}

std::string LayerNorm::extra_repr() const {
  return tuple_str(shape_) + ", eps=" + fmt_double(eps_) +
         ", elementwise_affine=" + (affine_ ? "True" : "False") +
         ", bias=" + (bias.defined() ? "True" : "False");
}

BatchNorm::BatchNorm(int64_t num_features, double eps, double momentum,
                     bool affine, bool track_running_stats)
    : num_features_(num_features),
      eps_(eps),
      momentum_(momentum),
      affine_(affine),
      track_(track_running_stats) {
  const Shape c{num_features};
  weight = register_parameter(
      "weight", affine ? ops::ones(c, default_dtype()) : Tensor());
  bias = register_parameter("bias",
                            affine ? ops::zeros(c, default_dtype()) : Tensor());
  if (track_) {
    running_mean =
        register_buffer("running_mean", ops::zeros(c, default_dtype()));
    running_var = register_buffer("running_var", ops::ones(c, default_dtype()));
    num_batches_tracked =
        register_buffer("num_batches_tracked", ops::zeros({}, DType::Int64));
  }
}

Tensor BatchNorm::forward(const Tensor& input) {
  check_input_dim(input);
  if (is_training() && track_) {
    NoGradGuard no_grad;
    num_batches_tracked.add_(1);
  }
  // Without running statistics, evaluation normalizes with the batch's too.
  const bool use_batch_stats = is_training() || !track_;
  return ops::batch_norm(input, weight, bias, running_mean, running_var,
                         use_batch_stats, momentum_, eps_);
}

std::string BatchNorm::extra_repr() const {
  return std::to_string(num_features_) + ", eps=" + fmt_double(eps_) +
         ", momentum=" + fmt_double(momentum_) +
         ", affine=" + (affine_ ? "True" : "False") +
         ", bias=" + (bias.defined() ? "True" : "False") +
         ", track_running_stats=" + (track_ ? "True" : "False");
}

void BatchNorm1d::check_input_dim(const Tensor& input) const {
  AG_CHECK_AS(ValueError, input.dim() == 2 || input.dim() == 3,
              "expected 2D or 3D input (got ", input.dim(), "D input)");
}

void BatchNorm2d::check_input_dim(const Tensor& input) const {
  AG_CHECK_AS(ValueError, input.dim() == 4, "expected 4D input (got ",
              input.dim(), "D input)");
}

Embedding::Embedding(int64_t num_embeddings, int64_t embedding_dim,
                     std::optional<int64_t> padding_idx)
    : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {
  if (padding_idx) {
    AG_CHECK_AS(
        ValueError,
        *padding_idx < num_embeddings && *padding_idx >= -num_embeddings,
        "Padding_idx must be within num_embeddings");
    padding_idx_ =
        *padding_idx < 0 ? *padding_idx + num_embeddings : *padding_idx;
  }
  weight = register_parameter(
      "weight", ops::empty({num_embeddings, embedding_dim}, default_dtype()));
  init::normal_(weight);
  if (padding_idx_) {
    NoGradGuard no_grad;
    weight.select(0, *padding_idx_).fill_(0);
  }
}

Tensor Embedding::forward(const Tensor& input) {
  return ops::embedding(weight, input, padding_idx_.value_or(-1));
}

std::string Embedding::extra_repr() const {
  std::string s =
      std::to_string(num_embeddings_) + ", " + std::to_string(embedding_dim_);
  if (padding_idx_) s += ", padding_idx=" + std::to_string(*padding_idx_);
  return s;
}

Tensor Sequential::forward(const Tensor& input) {
  Tensor x = input;
  for (const auto& m : modules_) x = (*m)(x);
  return x;
}

// ---- recurrent layers ----------------------------------------------------

namespace {
int64_t gate_count(RNNMode mode) {
  switch (mode) {
    case RNNMode::LSTM:
      return 4;
    case RNNMode::GRU:
      return 3;
    default:
      return 1;
  }
}

// The recurrent layers' and cells' shared init: every weight and bias
// uniform in [-1/sqrt(hidden), 1/sqrt(hidden)].
void rnn_init(const std::vector<Tensor>& params, int64_t hidden_size) {
  const double bound =
      hidden_size > 0 ? 1.0 / std::sqrt(static_cast<double>(hidden_size)) : 0;
  for (const Tensor& p : params) {
    if (p.defined()) init::uniform_(p, -bound, bound);
  }
}

// One step of `mode`'s cell; c (LSTM's cell state) is read and replaced.
Tensor cell_step(RNNMode mode, const Tensor& x, const Tensor& h, Tensor& c,
                 const std::vector<Tensor>& w) {
  switch (mode) {
    case RNNMode::RNNTanh:
      return rnn_tanh_cell(x, h, w[0], w[1], w[2], w[3]);
    case RNNMode::RNNRelu:
      return rnn_relu_cell(x, h, w[0], w[1], w[2], w[3]);
    case RNNMode::LSTM: {
      auto [h_next, c_next] = lstm_cell(x, h, c, w[0], w[1], w[2], w[3]);
      c = c_next;
      return h_next;
    }
    case RNNMode::GRU:
      return gru_cell(x, h, w[0], w[1], w[2], w[3]);
  }
  return h;  // not reached
}

const char* mode_name(RNNMode mode) {
  switch (mode) {
    case RNNMode::LSTM:
      return "LSTM";
    case RNNMode::GRU:
      return "GRU";
    default:
      return "RNN";
  }
}

// x W_ih^T + b_ih + h W_hh^T + b_hh
Tensor both_gates(const Tensor& x, const Tensor& h, const Tensor& w_ih,
                  const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh) {
  return ops::linear(x, w_ih, b_ih) + ops::linear(h, w_hh, b_hh);
}
}  // namespace

Tensor rnn_tanh_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih,
                     const Tensor& w_hh, const Tensor& b_ih,
                     const Tensor& b_hh) {
  return ops::tanh(both_gates(input, hx, w_ih, w_hh, b_ih, b_hh));
}

Tensor rnn_relu_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih,
                     const Tensor& w_hh, const Tensor& b_ih,
                     const Tensor& b_hh) {
  return ops::relu(both_gates(input, hx, w_ih, w_hh, b_ih, b_hh));
}

// i, f, g, o = chunks of the gates; c' = f c + i g; h' = o tanh(c')
std::pair<Tensor, Tensor> lstm_cell(const Tensor& input, const Tensor& hx,
                                    const Tensor& cx, const Tensor& w_ih,
                                    const Tensor& w_hh, const Tensor& b_ih,
                                    const Tensor& b_hh) {
  const TensorList g =
      ops::chunk(both_gates(input, hx, w_ih, w_hh, b_ih, b_hh), 4, 1);
  const Tensor c =
      ops::sigmoid(g[1]) * cx + ops::sigmoid(g[0]) * ops::tanh(g[2]);
  return {ops::sigmoid(g[3]) * ops::tanh(c), c};
}

// r = s(x_r + h_r), z = s(x_z + h_z), n = tanh(x_n + r h_n),
// h' = (1 - z) n + z h
Tensor gru_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih,
                const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh) {
  const TensorList gx = ops::chunk(ops::linear(input, w_ih, b_ih), 3, 1);
  const TensorList gh = ops::chunk(ops::linear(hx, w_hh, b_hh), 3, 1);
  const Tensor r = ops::sigmoid(gx[0] + gh[0]);
  const Tensor z = ops::sigmoid(gx[1] + gh[1]);
  const Tensor n = ops::tanh(gx[2] + r * gh[2]);
  return (1 - z) * n + z * hx;
}

RNNCellBase::RNNCellBase(RNNMode mode, int64_t input_size, int64_t hidden_size,
                         bool bias)
    : mode_(mode), input_size_(input_size), hidden_size_(hidden_size) {
  AG_CHECK_AS(ValueError, input_size > 0 && hidden_size > 0, name(),
              ": input_size and hidden_size must be positive, got ", input_size,
              " and ", hidden_size);
  const int64_t rows = gate_count(mode) * hidden_size;
  const DType dt = default_dtype();
  weight_ih =
      register_parameter("weight_ih", ops::empty({rows, input_size}, dt));
  weight_hh =
      register_parameter("weight_hh", ops::empty({rows, hidden_size}, dt));
  bias_ih =
      register_parameter("bias_ih", bias ? ops::empty({rows}, dt) : Tensor());
  bias_hh =
      register_parameter("bias_hh", bias ? ops::empty({rows}, dt) : Tensor());
  rnn_init({weight_ih, weight_hh, bias_ih, bias_hh}, hidden_size);
}

std::pair<Tensor, Tensor> RNNCellBase::forward_with_state(const Tensor& input,
                                                          const Tensor& hx,
                                                          const Tensor& cx) {
  detail::check_defined(input, name().c_str(), "input");
  AG_CHECK(input.dim() == 1 || input.dim() == 2, name(),
           ": Expected input to be 1D or 2D, got ", input.dim(), "D instead");
  const bool batched = input.dim() == 2;
  const Tensor x = batched ? input : ops::unsqueeze(input, 0);
  const auto state = [&](const Tensor& given) {
    if (!given.defined()) {
      return ops::zeros({x.size(0), hidden_size_}, x.dtype());
    }
    AG_CHECK(given.dim() == input.dim(), name(), ": Expected hidden to be ",
             input.dim(), "D for ", input.dim(), "D input, got ", given.dim(),
             "D instead");
    return batched ? given : ops::unsqueeze(given, 0);
  };
  const Tensor h = state(hx);
  Tensor c = mode_ == RNNMode::LSTM ? state(cx) : Tensor();
  Tensor h_next =
      cell_step(mode_, x, h, c, {weight_ih, weight_hh, bias_ih, bias_hh});
  if (!batched) {
    h_next = ops::squeeze(h_next, {0});
    if (c.defined()) c = ops::squeeze(c, {0});
  }
  return {h_next, c};
}

Tensor RNNCellBase::forward(const Tensor& input) {
  return forward_with_state(input).first;
}

std::string RNNCellBase::name() const {
  return std::string(mode_name(mode_)) + "Cell";
}

std::string RNNCellBase::extra_repr() const {
  std::string s =
      std::to_string(input_size_) + ", " + std::to_string(hidden_size_);
  if (!bias_ih.defined()) s += ", bias=False";
  if (mode_ == RNNMode::RNNRelu) s += ", nonlinearity=relu";
  return s;
}

RNNCell::RNNCell(int64_t input_size, int64_t hidden_size, bool bias,
                 RNNMode nonlinearity)
    : RNNCellBase(nonlinearity, input_size, hidden_size, bias) {
  AG_CHECK_AS(
      ValueError,
      nonlinearity == RNNMode::RNNTanh || nonlinearity == RNNMode::RNNRelu,
      "RNNCell: the nonlinearity must be RNNMode::RNNTanh or "
      "RNNMode::RNNRelu");
}

RNNBase::RNNBase(RNNMode mode, RNNOptions options)
    : mode_(mode), options_(options) {
  const auto& o = options_;
  AG_CHECK_AS(ValueError, o.input_size > 0 && o.hidden_size > 0,
              mode_name(mode), ": input_size and hidden_size must be positive");
  AG_CHECK_AS(ValueError, o.num_layers > 0,
              "num_layers must be greater than or equal to 1");
  AG_CHECK_AS(ValueError, o.dropout >= 0 && o.dropout <= 1,
              "dropout should be a number in range [0, 1] representing the "
              "probability of an element being zeroed");
  const int64_t rows = gate_count(mode) * o.hidden_size;
  const int64_t dirs = o.bidirectional ? 2 : 1;
  const DType dt = default_dtype();
  for (int64_t layer = 0; layer < o.num_layers; ++layer) {
    const int64_t in = layer == 0 ? o.input_size : o.hidden_size * dirs;
    for (int64_t dir = 0; dir < dirs; ++dir) {
      const std::string suffix =
          "_l" + std::to_string(layer) + (dir ? "_reverse" : "");
      flat_weights_.push_back(
          register_parameter("weight_ih" + suffix, ops::empty({rows, in}, dt)));
      flat_weights_.push_back(register_parameter(
          "weight_hh" + suffix, ops::empty({rows, o.hidden_size}, dt)));
      flat_weights_.push_back(register_parameter(
          "bias_ih" + suffix, o.bias ? ops::empty({rows}, dt) : Tensor()));
      flat_weights_.push_back(register_parameter(
          "bias_hh" + suffix, o.bias ? ops::empty({rows}, dt) : Tensor()));
    }
  }
  rnn_init(flat_weights_, o.hidden_size);
}

std::vector<Tensor> RNNBase::weights(int64_t layer, int64_t dir) const {
  const int64_t dirs = options_.bidirectional ? 2 : 1;
  const auto first = flat_weights_.begin() + 4 * (layer * dirs + dir);
  return std::vector<Tensor>(first, first + 4);
}

RNNOutput RNNBase::forward_with_state(const Tensor& input, const Tensor& h0,
                                      const Tensor& c0) {
  const auto& o = options_;
  detail::check_defined(input, mode_name(mode_), "input");
  AG_CHECK(input.dim() == 2 || input.dim() == 3, mode_name(mode_),
           ": Expected input to be 2D or 3D, got ", input.dim(),
           "D tensor instead");
  AG_CHECK(input.size(-1) == o.input_size, "input.size(-1) must be equal to ",
           "input_size. Expected ", o.input_size, ", got ", input.size(-1));
  const bool batched = input.dim() == 3;
  // Time-major (L, N, features) inside.
  Tensor x = batched ? input : ops::unsqueeze(input, o.batch_first ? 0 : 1);
  if (o.batch_first) x = ops::transpose(x, 0, 1);
  const int64_t steps = x.size(0), batch = x.size(1);
  const int64_t dirs = o.bidirectional ? 2 : 1;
  const Shape state_shape{o.num_layers * dirs, batch, o.hidden_size};
  const auto initial = [&](const Tensor& given) {
    if (!given.defined()) return ops::zeros(state_shape, x.dtype());
    const Tensor s = batched ? given : ops::unsqueeze(given, 1);
    AG_CHECK(s.sizes() == state_shape, "Expected hidden size ",
             shape_str(state_shape), ", got ", shape_str(s.sizes()));
    return s;
  };
  const Tensor h_init = initial(h0);
  const Tensor c_init = mode_ == RNNMode::LSTM ? initial(c0) : Tensor();
  TensorList h_last, c_last;
  Tensor layer_input = x;
  for (int64_t layer = 0; layer < o.num_layers; ++layer) {
    TensorList dir_outputs;
    for (int64_t dir = 0; dir < dirs; ++dir) {
      const int64_t index = layer * dirs + dir;
      const std::vector<Tensor> w = weights(layer, dir);
      Tensor h = ops::select(h_init, 0, index);
      Tensor c = c_init.defined() ? ops::select(c_init, 0, index) : Tensor();
      TensorList outputs(static_cast<size_t>(steps));
      for (int64_t i = 0; i < steps; ++i) {
        const int64_t t = dir == 0 ? i : steps - 1 - i;
        h = cell_step(mode_, ops::select(layer_input, 0, t), h, c, w);
        outputs[static_cast<size_t>(t)] = h;
      }
      dir_outputs.push_back(ops::stack(outputs, 0));
      h_last.push_back(h);
      if (c.defined()) c_last.push_back(c);
    }
    layer_input = dirs == 1 ? dir_outputs[0] : ops::cat(dir_outputs, 2);
    if (o.dropout > 0 && is_training() && layer + 1 < o.num_layers) {
      layer_input = ops::dropout(layer_input, o.dropout, true);
    }
  }
  RNNOutput out;
  out.output = o.batch_first ? ops::transpose(layer_input, 0, 1) : layer_input;
  out.h_n = ops::stack(h_last, 0);
  if (!c_last.empty()) out.c_n = ops::stack(c_last, 0);
  if (!batched) {
    out.output = ops::squeeze(out.output, {o.batch_first ? 0 : 1});
    out.h_n = ops::squeeze(out.h_n, {1});
    if (out.c_n.defined()) out.c_n = ops::squeeze(out.c_n, {1});
  }
  return out;
}

Tensor RNNBase::forward(const Tensor& input) {
  return forward_with_state(input).output;
}

std::string RNNBase::name() const {
  return mode_name(mode_);
}

std::string RNNBase::extra_repr() const {
  const auto& o = options_;
  std::string s =
      std::to_string(o.input_size) + ", " + std::to_string(o.hidden_size);
  if (o.num_layers != 1) s += ", num_layers=" + std::to_string(o.num_layers);
  if (!o.bias) s += ", bias=False";
  if (o.batch_first) s += ", batch_first=True";
  if (o.dropout != 0) s += ", dropout=" + fmt_double(o.dropout);
  if (o.bidirectional) s += ", bidirectional=True";
  return s;
}

namespace {
RNNOptions layer_options(int64_t input_size, int64_t hidden_size,
                         int64_t num_layers) {
  RNNOptions o(input_size, hidden_size);
  o.num_layers = num_layers;
  return o;
}
}  // namespace

RNN::RNN(RNNOptions options) : RNNBase(options.nonlinearity, options) {
  AG_CHECK_AS(ValueError,
              options.nonlinearity == RNNMode::RNNTanh ||
                  options.nonlinearity == RNNMode::RNNRelu,
              "RNN: the nonlinearity must be RNNMode::RNNTanh or "
              "RNNMode::RNNRelu");
}
RNN::RNN(int64_t input_size, int64_t hidden_size, int64_t num_layers)
    : RNN(layer_options(input_size, hidden_size, num_layers)) {}
LSTM::LSTM(int64_t input_size, int64_t hidden_size, int64_t num_layers)
    : LSTM(layer_options(input_size, hidden_size, num_layers)) {}
GRU::GRU(int64_t input_size, int64_t hidden_size, int64_t num_layers)
    : GRU(layer_options(input_size, hidden_size, num_layers)) {}

}  // namespace ag::nn
