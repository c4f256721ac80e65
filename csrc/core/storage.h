#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

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

// Note [Memory plan]: the buffers a compiled program (compile/capture.h)
// keeps from one replay to the next. A replay allocates the same sizes in
// the same order every time, so its k-th allocation takes block k when
// that block is free, i.e. the last tensor over it (with every view, saved
// copy or .grad holding it) is gone. A block still held (an output the
// user kept, a tensor saved for a backward outside the program) is left
// alone and that allocation is an ordinary one, so reuse needs no lifetime
// analysis to be safe. A block outlives the plan while a tensor holds it.
class BufferPlan {
 public:
  BufferPlan();
  ~BufferPlan();
  BufferPlan(const BufferPlan&) = delete;
  BufferPlan& operator=(const BufferPlan&) = delete;

  // Starts a replay: its allocations count from block 0. One replay at a
  // time uses a plan (the program hands it to one thread).
  void begin() { next_ = 0; }
  // Memory for the replay's next allocation of nbytes.
  DataPtr take(size_t nbytes);

  // Allocations served from a kept block, and ordinary ones, so far.
  int64_t reused() const { return reused_; }
  int64_t allocated() const { return allocated_; }
  // Bytes the plan keeps.
  size_t bytes() const { return bytes_; }

 private:
  struct Block;
  static void give_back(void* block);
  std::vector<std::unique_ptr<Block>> blocks_;
  size_t next_ = 0;
  size_t bytes_ = 0;
  int64_t reused_ = 0, allocated_ = 0;
};

}  // namespace ag
