#include "autograd_cpp/data.h"

#include <algorithm>
#include <numeric>
#include <utility>

#include "ops/ops.h"

namespace ag::data {

TensorDataset::TensorDataset(std::vector<Tensor> tensors)
    : tensors_(std::move(tensors)) {
  AG_CHECK_AS(ValueError, !tensors_.empty(),
              "TensorDataset needs at least one tensor");
  for (const Tensor& t : tensors_) {
    AG_CHECK_AS(TypeError, t.defined(),
                "TensorDataset got an undefined Tensor");
    AG_CHECK_AS(ValueError, t.dim() > 0,
                "TensorDataset needs tensors with a first dimension, got a "
                "0-d tensor");
  }
  size_ = tensors_[0].size(0);
  for (const Tensor& t : tensors_) {
    AG_CHECK_AS(ValueError, t.size(0) == size_,
                "Size mismatch between tensors: ", size_, " and ", t.size(0),
                " samples");
  }
}

std::vector<Tensor> TensorDataset::get(int64_t index) const {
  AG_CHECK_AS(IndexError, index >= -size_ && index < size_, "index ", index,
              " is out of bounds for a dataset of size ", size_);
  std::vector<Tensor> sample;
  sample.reserve(tensors_.size());
  for (const Tensor& t : tensors_) sample.push_back(t.select(0, index));
  return sample;
}

DataLoader::DataLoader(TensorDataset dataset, int64_t batch_size, bool shuffle,
                       bool drop_last)
    : dataset_(std::move(dataset)),
      batch_size_(batch_size),
      shuffle_(shuffle),
      drop_last_(drop_last) {
  AG_CHECK_AS(ValueError, batch_size > 0,
              "batch_size should be a positive integer value, but got "
              "batch_size=",
              batch_size);
  order_ = ops::arange(0, dataset_.size(), 1, DType::Int64);
}

int64_t DataLoader::size() const {
  const int64_t n = dataset_.size();
  return drop_last_ ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
}

DataLoader::Iterator DataLoader::begin() {
  const int64_t n = dataset_.size();
  if (shuffle_ && n > 1) {
    // A uniform permutation: the samples sorted by independent uniform keys.
    const Tensor keys = ops::rand({n}, DType::Float64);
    const double* k = keys.data_ptr<double>();
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), int64_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [k](int64_t a, int64_t b) { return k[a] < k[b]; });
    order_ = ops::from_buffer(order.data(), {n}, DType::Int64);
  }
  return Iterator(this, 0);
}

std::vector<Tensor> DataLoader::batch(int64_t batch_index) const {
  const int64_t start = batch_index * batch_size_;
  const int64_t count = std::min(batch_size_, dataset_.size() - start);
  const Tensor index = ops::narrow(order_, 0, start, count);
  std::vector<Tensor> out;
  out.reserve(dataset_.tensors().size());
  for (const Tensor& t : dataset_.tensors()) {
    out.push_back(ops::index_select(t, 0, index));
  }
  return out;
}

DataLoader::Iterator::Iterator(const DataLoader* loader, int64_t batch_index)
    : loader_(loader), batch_index_(batch_index) {
  load();
}

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  ++batch_index_;
  load();
  return *this;
}

void DataLoader::Iterator::load() {
  batch_ = batch_index_ < loader_->size() ? loader_->batch(batch_index_)
                                          : std::vector<Tensor>();
}

}  // namespace ag::data
