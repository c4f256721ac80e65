#include "core/tensor_impl.h"

namespace ag {

TensorImpl::TensorImpl(std::shared_ptr<Storage> storage, Shape sizes,
                       Shape strides, int64_t storage_offset, DType dtype,
                       std::shared_ptr<VersionCounter> version)
    : storage_(std::move(storage)),
      sizes_(std::move(sizes)),
      strides_(std::move(strides)),
      storage_offset_(storage_offset),
      numel_(numel_of(sizes_)),
      // By default the counter lives in the storage (no extra allocation);
      // the aliasing shared_ptr keeps the storage alive with it.
      version_(version ? std::move(version)
                       : std::shared_ptr<VersionCounter>(
                             storage_, &storage_->version_counter())),
      dtype_(dtype) {
  refresh_contiguity();
}

void TensorImpl::set_sizes_and_strides(Shape sizes, Shape strides,
                                       int64_t offset) {
  sizes_ = std::move(sizes);
  strides_ = std::move(strides);
  storage_offset_ = offset;
  numel_ = numel_of(sizes_);
  refresh_contiguity();
}

void TensorImpl::set_data_from(const TensorImpl& other) {
  storage_ = other.storage_;
  dtype_ = other.dtype_;
  set_sizes_and_strides(other.sizes_, other.strides_, other.storage_offset_);
}

// Size-1 dims may carry any stride, as in PyTorch.
void TensorImpl::refresh_contiguity() {
  is_contiguous_ = true;
  if (numel_ == 0) return;
  int64_t expected = 1;
  for (size_t i = sizes_.size(); i-- > 0;) {
    if (sizes_[i] == 1) continue;
    if (strides_[i] != expected) {
      is_contiguous_ = false;
      return;
    }
    expected *= sizes_[i];
  }
}

}  // namespace ag
