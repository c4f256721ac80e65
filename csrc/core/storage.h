#pragma once

#include <cstddef>
#include <memory>

namespace ag {

// Owns (or keeps alive) one buffer; the deleter decides how it is released,
// so memory borrowed from numpy and memory we allocate look the same.
class DataPtr {
 public:
  using Deleter = void (*)(void* ctx);

  DataPtr() = default;
  DataPtr(void* data, void* ctx, Deleter deleter)
      : data_(data), ctx_(ctx), deleter_(deleter) {}
  DataPtr(DataPtr&& other) noexcept { *this = std::move(other); }
  DataPtr& operator=(DataPtr&& other) noexcept;
  DataPtr(const DataPtr&) = delete;
  DataPtr& operator=(const DataPtr&) = delete;
  ~DataPtr() { reset(); }

  void* get() const { return data_; }
  void reset();

 private:
  void* data_ = nullptr;
  void* ctx_ = nullptr;
  Deleter deleter_ = nullptr;
};

// 64-byte aligned CPU memory.
DataPtr allocate_cpu(size_t nbytes);

class Storage {
 public:
  explicit Storage(size_t nbytes) : data_(allocate_cpu(nbytes)), nbytes_(nbytes) {}
  Storage(DataPtr data, size_t nbytes) : data_(std::move(data)), nbytes_(nbytes) {}

  void* data() const { return data_.get(); }
  size_t nbytes() const { return nbytes_; }

 private:
  DataPtr data_;
  size_t nbytes_;
};

}  // namespace ag
