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

std::string Conv2d::extra_repr() const {
  const auto& o = options_;
  std::string s = std::to_string(o.in_channels) + ", " +
                  std::to_string(o.out_channels) +
                  ", kernel_size=" + tuple_str(o.kernel_size) +
                  ", stride=" + tuple_str(o.stride);
  if (o.padding != std::vector<int64_t>{0, 0}) {
    s += ", padding=" + tuple_str(o.padding);
  }
  if (o.dilation != std::vector<int64_t>{1, 1}) {
    s += ", dilation=" + tuple_str(o.dilation);
  }
  if (o.groups != 1) s += ", groups=" + std::to_string(o.groups);
  if (!o.bias) s += ", bias=False";
  return s;
}

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

}  // namespace ag::nn
