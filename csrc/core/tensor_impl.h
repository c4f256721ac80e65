#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "core/dtype.h"
#include "core/shape.h"
#include "core/storage.h"

namespace ag {

enum class Device : uint8_t { CPU };

// The autograd layer hangs its per-tensor state here; core never looks inside.
class AutogradMetaInterface {
 public:
  virtual ~AutogradMetaInterface() = default;
};

class TensorImpl {
 public:
  TensorImpl(std::shared_ptr<Storage> storage, Shape sizes, Shape strides,
             int64_t storage_offset, DType dtype,
             std::shared_ptr<VersionCounter> version = nullptr);

  const Shape& sizes() const { return sizes_; }
  const Shape& strides() const { return strides_; }
  int64_t dim() const { return static_cast<int64_t>(sizes_.size()); }
  int64_t numel() const { return numel_; }
  DType dtype() const { return dtype_; }
  Device device() const { return Device::CPU; }
  bool is_contiguous() const { return is_contiguous_; }
  int64_t storage_offset() const { return storage_offset_; }
  const std::shared_ptr<Storage>& storage() const { return storage_; }
  // Address of element 0 (the storage base plus the offset).
  void* data() const {
    return static_cast<char*>(storage_->data()) +
           storage_offset_ * static_cast<int64_t>(itemsize(dtype_));
  }

  void set_sizes_and_strides(Shape sizes, Shape strides, int64_t offset);
  // Takes other's storage, geometry and dtype, keeping this tensor's version
  // counter and autograd state (Python's `x.data = y`).
  void set_data_from(const TensorImpl& other);

  uint32_t version() const {
    return version_->value.load(std::memory_order_relaxed);
  }
  // `op` names the in-place op (a string literal) for error messages.
  void bump_version(const char* op = nullptr) {
    version_->value.fetch_add(1, std::memory_order_relaxed);
    if (op) version_->last_writer.store(op, std::memory_order_relaxed);
  }
  const char* last_writer() const {
    return version_->last_writer.load(std::memory_order_relaxed);
  }
  const std::shared_ptr<VersionCounter>& version_counter() const {
    return version_;
  }
  void set_version_counter(std::shared_ptr<VersionCounter> counter) {
    version_ = std::move(counter);
  }

  // References this tensor holds on its storage: its own, plus the version
  // counter's when the counter lives in the storage (the default).
  long storage_refs() const {
    return 1 + (version_.get() == &storage_->version_counter());
  }

  // A Python number turned into a 0-d tensor: it takes part in dtype
  // promotion only by category (see result_type).
  bool is_wrapped_number() const { return is_wrapped_number_; }
  void set_wrapped_number(bool v) { is_wrapped_number_ = v; }

  AutogradMetaInterface* autograd_meta() const { return autograd_meta_.get(); }
  void set_autograd_meta(std::unique_ptr<AutogradMetaInterface> meta) {
    autograd_meta_ = std::move(meta);
  }

 private:
  void refresh_contiguity();

  std::shared_ptr<Storage> storage_;
  Shape sizes_;
  Shape strides_;
  int64_t storage_offset_;
  int64_t numel_;
  std::shared_ptr<VersionCounter> version_;
  std::unique_ptr<AutogradMetaInterface> autograd_meta_;
  DType dtype_;
  bool is_contiguous_ = true;
  bool is_wrapped_number_ = false;
};

}  // namespace ag
