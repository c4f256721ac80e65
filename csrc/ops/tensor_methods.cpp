// The methods of ag::Tensor (declared in core/tensor.h): each forwards to
// the op or autograd function of the same name, so methods and free
// functions share one implementation.

#include "autograd/autograd_meta.h"
#include "autograd/engine.h"
#include "ops/ops.h"

namespace ag {

Tensor Tensor::grad() const {
  return autograd::grad(*this);
}
void Tensor::set_grad(const Tensor& grad) const {
  autograd::set_grad(*this, grad);
}
bool Tensor::requires_grad() const {
  return autograd::requires_grad(*this);
}
Tensor& Tensor::requires_grad_(bool requires_grad) {
  autograd::set_requires_grad(*this, requires_grad);
  return *this;
}
bool Tensor::is_leaf() const {
  return autograd::is_leaf(*this);
}
std::shared_ptr<Node> Tensor::grad_fn() const {
  return autograd::grad_fn(*this);
}
void Tensor::retain_grad() const {
  autograd::retain_grad(*this);
}
void Tensor::backward(const Tensor& gradient, std::optional<bool> retain_graph,
                      bool create_graph) const {
  autograd::backward({*this}, {gradient}, retain_graph.value_or(create_graph),
                     create_graph);
}
Tensor Tensor::detach() const {
  return ops::detach(*this);
}

Tensor Tensor::clone() const {
  return ops::clone(*this);
}
Tensor Tensor::contiguous() const {
  return ops::contiguous(*this);
}
Tensor Tensor::to(DType dtype, bool copy) const {
  return ops::to(*this, dtype, copy);
}

Tensor Tensor::sum(std::optional<DType> dtype) const {
  return ops::sum(*this, dtype);
}
Tensor Tensor::sum(const std::vector<int64_t>& dims, bool keepdim,
                   std::optional<DType> dtype) const {
  return ops::sum(*this, dims, keepdim, dtype);
}
Tensor Tensor::mean(std::optional<DType> dtype) const {
  return ops::mean(*this, dtype);
}
Tensor Tensor::mean(const std::vector<int64_t>& dims, bool keepdim,
                    std::optional<DType> dtype) const {
  return ops::mean(*this, dims, keepdim, dtype);
}
Tensor Tensor::max() const {
  return ops::max(*this);
}
Tensor Tensor::min() const {
  return ops::min(*this);
}
Tensor Tensor::argmax(std::optional<int64_t> dim, bool keepdim) const {
  return ops::argmax(*this, dim, keepdim);
}
Tensor Tensor::norm(double p) const {
  return ops::norm(*this, p, {}, false);
}

Tensor Tensor::abs() const {
  return ops::abs(*this);
}
Tensor Tensor::exp() const {
  return ops::exp(*this);
}
Tensor Tensor::log() const {
  return ops::log(*this);
}
Tensor Tensor::sqrt() const {
  return ops::sqrt(*this);
}
Tensor Tensor::sin() const {
  return ops::sin(*this);
}
Tensor Tensor::cos() const {
  return ops::cos(*this);
}
Tensor Tensor::tanh() const {
  return ops::tanh(*this);
}
Tensor Tensor::sigmoid() const {
  return ops::sigmoid(*this);
}
Tensor Tensor::relu() const {
  return ops::relu(*this);
}
Tensor Tensor::neg() const {
  return ops::neg(*this);
}
Tensor Tensor::square() const {
  return ops::square(*this);
}
Tensor Tensor::pow(const Scalar& exponent) const {
  return ops::pow(*this, exponent);
}
Tensor Tensor::pow(const Tensor& exponent) const {
  return ops::pow(*this, exponent);
}
Tensor Tensor::clamp(std::optional<Scalar> min,
                     std::optional<Scalar> max) const {
  return ops::clamp(*this, min, max);
}
Tensor Tensor::softmax(int64_t dim) const {
  return ops::softmax(*this, dim);
}
Tensor Tensor::log_softmax(int64_t dim) const {
  return ops::log_softmax(*this, dim);
}

Tensor Tensor::matmul(const Tensor& other) const {
  return ops::matmul(*this, other);
}
Tensor Tensor::mm(const Tensor& other) const {
  return ops::mm(*this, other);
}
Tensor Tensor::t() const {
  return ops::t(*this);
}

Tensor Tensor::reshape(const Shape& sizes) const {
  return ops::reshape(*this, sizes);
}
Tensor Tensor::view(const Shape& sizes) const {
  return ops::view(*this, sizes);
}
Tensor Tensor::transpose(int64_t dim0, int64_t dim1) const {
  return ops::transpose(*this, dim0, dim1);
}
Tensor Tensor::permute(const std::vector<int64_t>& dims) const {
  return ops::permute(*this, dims);
}
Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  return ops::flatten(*this, start_dim, end_dim);
}
Tensor Tensor::squeeze() const {
  return ops::squeeze(*this);
}
Tensor Tensor::squeeze(int64_t dim) const {
  return ops::squeeze(*this, ops::IntList{dim});
}
Tensor Tensor::unsqueeze(int64_t dim) const {
  return ops::unsqueeze(*this, dim);
}
Tensor Tensor::expand(const Shape& sizes) const {
  return ops::expand(*this, sizes);
}
Tensor Tensor::select(int64_t dim, int64_t index) const {
  return ops::select(*this, dim, index);
}
Tensor Tensor::narrow(int64_t dim, int64_t start, int64_t length) const {
  return ops::narrow(*this, dim, start, length);
}

Tensor Tensor::add(const Tensor& other, const Scalar& alpha) const {
  return ops::add(*this, other, alpha);
}
Tensor Tensor::add(const Scalar& other) const {
  return ops::add(*this, wrap_scalar(other));
}
Tensor Tensor::sub(const Tensor& other, const Scalar& alpha) const {
  return ops::sub(*this, other, alpha);
}
Tensor Tensor::sub(const Scalar& other) const {
  return ops::sub(*this, wrap_scalar(other));
}
Tensor Tensor::mul(const Tensor& other) const {
  return ops::mul(*this, other);
}
Tensor Tensor::mul(const Scalar& other) const {
  return ops::mul(*this, wrap_scalar(other));
}
Tensor Tensor::div(const Tensor& other) const {
  return ops::div(*this, other);
}
Tensor Tensor::div(const Scalar& other) const {
  return ops::div(*this, wrap_scalar(other));
}

Tensor& Tensor::add_(const Tensor& other, const Scalar& alpha) {
  return ops::add_(*this, other, alpha);
}
Tensor& Tensor::add_(const Scalar& other) {
  return ops::add_(*this, wrap_scalar(other));
}
Tensor& Tensor::sub_(const Tensor& other, const Scalar& alpha) {
  return ops::sub_(*this, other, alpha);
}
Tensor& Tensor::sub_(const Scalar& other) {
  return ops::sub_(*this, wrap_scalar(other));
}
Tensor& Tensor::mul_(const Tensor& other) {
  return ops::mul_(*this, other);
}
Tensor& Tensor::mul_(const Scalar& other) {
  return ops::mul_(*this, wrap_scalar(other));
}
Tensor& Tensor::div_(const Tensor& other) {
  return ops::div_(*this, other);
}
Tensor& Tensor::div_(const Scalar& other) {
  return ops::div_(*this, wrap_scalar(other));
}
Tensor& Tensor::zero_() {
  return ops::zero_(*this);
}
Tensor& Tensor::fill_(const Scalar& value) {
  return ops::fill_(*this, value);
}
Tensor& Tensor::copy_(const Tensor& src) {
  return ops::copy_(*this, src);
}

}  // namespace ag
