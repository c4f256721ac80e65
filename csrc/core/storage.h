#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
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

// CPU memory: large buffers are 64-byte aligned for vector loads; small ones
// come from malloc (16-byte aligned), which is much cheaper to free.
DataPtr allocate_cpu(size_t nbytes);

// Counts in-place writes. Shared by a tensor, its views and detach()ed
// aliases, so a saved tensor notices writes made through any of them.
struct VersionCounter {
  std::atomic<uint32_t> value{0};
  // The in-place op that wrote last (a string literal), for error messages.
  std::atomic<const char*> last_writer{nullptr};
};

// A buffer plus the default version counter of tensors created over it.
// Buffers of up to kInlineBytes live inside the Storage object itself, so a
// small tensor costs one allocation for storage and data together.
class Storage {
 public:
  static constexpr size_t kInlineBytes = 64;

  explicit Storage(size_t nbytes);
  Storage(DataPtr data, size_t nbytes)
      : data_(std::move(data)), nbytes_(nbytes) {}
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_.get(); }
  size_t nbytes() const { return nbytes_; }
  VersionCounter& version_counter() { return version_; }

 private:
  alignas(16) unsigned char inline_[kInlineBytes];
  DataPtr data_;
  size_t nbytes_;
  VersionCounter version_;
  // Allocated here rather than borrowed: the memory profiler counts it.
  bool allocated_ = false;
};

}  // namespace ag
