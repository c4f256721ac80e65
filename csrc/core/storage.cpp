#include "core/storage.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <unordered_map>
#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "core/capture_state.h"
#include "core/error.h"
#include "core/profiler.h"

namespace ag {

namespace capture {
thread_local ThreadState* tls_capture = nullptr;
}  // namespace capture

DataPtr& DataPtr::operator=(DataPtr&& other) noexcept {
  if (this != &other) {
    reset();
    data_ = std::exchange(other.data_, nullptr);
    ctx_ = std::exchange(other.ctx_, nullptr);
    deleter_ = std::exchange(other.deleter_, nullptr);
  }
  return *this;
}

void DataPtr::reset() {
  if (deleter_) deleter_(ctx_);
  data_ = ctx_ = nullptr;
  deleter_ = nullptr;
}

namespace {
constexpr size_t kAlignment = 64;
constexpr size_t kAlignedFrom = 64 * 1024;
// Buffers this large go on 2 MiB-aligned transparent huge pages where the
// kernel allows it: a fresh 64 MB output then takes 32 page faults instead
// of 16,384, and streaming through it misses the TLB far less.
constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kHugeFrom = 4 * kHugePage;
// Buffers from 256 KiB up are kept for reuse when freed (below): glibc hands
// such blocks back to the OS, so a step that makes and frees a few MB each
// time faulted them in afresh on every call (per-sample gradients of a
// small MLP: about 440 page faults a call, 2.15 ms of CPU against 0.90 ms
// with them kept). Their sizes are rounded up to 64 KiB, so outputs of one
// shape share cached blocks.
constexpr size_t kCachedFrom = size_t{256} << 10;
constexpr size_t kCachedGranule = size_t{64} << 10;
void free_cpu(void* ptr) {
  std::free(ptr);
}

#ifndef AG_NO_SMALL_POOL
// Freed large buffers (kCachedFrom and up) are kept for reuse, up to
// kCacheLimit bytes in all: a chain of ops on big tensors then writes into
// memory that is already mapped instead of faulting fresh pages in for
// every output (a 64 MB output costs about as much to fault in as to
// compute). Sanitizer builds free at once, so use-after-free stays visible.
constexpr size_t kCacheLimit = size_t{256} << 20;

class HugeBufferCache {
 public:
  // The most recently freed block of exactly `rounded` bytes, or nullptr:
  // the last one given back is the likeliest to be still in cache (a step
  // that frees an activation and makes another of its shape writes into
  // warm lines instead of cold ones).
  void* take(size_t rounded) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = blocks_.upper_bound(rounded);
    if (it == blocks_.begin() || (--it)->first != rounded) return nullptr;
    void* ptr = it->second;
    blocks_.erase(it);
    cached_ -= rounded;
    live_.emplace(ptr, rounded);
    return ptr;
  }
  void track(void* ptr, size_t rounded) {
    std::lock_guard<std::mutex> lock(mutex_);
    live_.emplace(ptr, rounded);
  }
  // Keeps the block, or frees it when the cache is full.
  void give(void* ptr) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = live_.find(ptr);
      const size_t rounded = it->second;
      live_.erase(it);
      if (cached_ + rounded <= kCacheLimit) {
        blocks_.emplace(rounded, ptr);
        cached_ += rounded;
        return;
      }
    }
    std::free(ptr);
  }

 private:
  std::mutex mutex_;
  std::multimap<size_t, void*> blocks_;
  std::unordered_map<void*, size_t> live_;
  size_t cached_ = 0;
};

// Never destroyed: buffers freed by other static destructors at exit still
// find it, and the process's memory goes back to the OS anyway.
HugeBufferCache& huge_cache() {
  alignas(
      HugeBufferCache) static unsigned char storage[sizeof(HugeBufferCache)];
  static HugeBufferCache* cache = ::new (storage) HugeBufferCache();
  return *cache;
}

void free_huge(void* ptr) {
  huge_cache().give(ptr);
}
#endif
}  // namespace

DataPtr allocate_cpu(size_t nbytes) {
  if (nbytes == 0) return {};
  AG_CHECK(nbytes < (size_t{1} << 62), "allocation of ", nbytes,
           " bytes is too large");
  void* ptr = nullptr;
  if (nbytes < kAlignedFrom) {
    ptr = std::malloc(nbytes);
  } else if (nbytes < kHugeFrom) {
    const size_t granule = nbytes < kCachedFrom ? kAlignment : kCachedGranule;
    const size_t rounded = (nbytes + granule - 1) / granule * granule;
#ifndef AG_NO_SMALL_POOL
    if (nbytes >= kCachedFrom) {
      if (void* cached = huge_cache().take(rounded)) {
        return DataPtr(cached, cached, &free_huge);
      }
    }
#endif
    ptr = std::aligned_alloc(kAlignment, rounded);
#ifndef AG_NO_SMALL_POOL
    if (ptr && nbytes >= kCachedFrom) {
      huge_cache().track(ptr, rounded);
      return DataPtr(ptr, ptr, &free_huge);
    }
#endif
  } else {
    const size_t rounded = (nbytes + kHugePage - 1) / kHugePage * kHugePage;
#ifndef AG_NO_SMALL_POOL
    if (void* cached = huge_cache().take(rounded)) {
      return DataPtr(cached, cached, &free_huge);
    }
#endif
    ptr = std::aligned_alloc(kHugePage, rounded);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    // Advice only: without THP support the buffer is an ordinary one.
    if (ptr) madvise(ptr, rounded, MADV_HUGEPAGE);
#endif
#ifndef AG_NO_SMALL_POOL
    if (ptr) {
      huge_cache().track(ptr, rounded);
      return DataPtr(ptr, ptr, &free_huge);
    }
#endif
  }
  if (!ptr) {
    throw OutOfMemoryError(detail::str_cat(
        "DefaultCPUAllocator: can't allocate memory: you tried to allocate ",
        nbytes, " bytes. Error code 12 (Cannot allocate memory)"));
  }
  return DataPtr(ptr, ptr, &free_cpu);
}

Storage::Storage(size_t nbytes) : nbytes_(nbytes), allocated_(true) {
  capture::ThreadState* c = capture::capturing();
  if (nbytes <= kInlineBytes) {
    data_ = DataPtr(inline_, nullptr, nullptr);
  } else if (c && c->buffers) {
    data_ = c->buffers->take(nbytes);
  } else {
    data_ = allocate_cpu(nbytes);
  }
  if (profiler::memory_enabled()) {
    profiler::record_memory(static_cast<int64_t>(nbytes));
  }
  if (c && c->depth == 0) c->fresh_storages.insert(this);
}

namespace {
// A plan keeps at most this much; buffers from kHugeFrom on are left to
// the huge-buffer cache, which reuses them already.
constexpr size_t kPlanLimit = size_t{64} << 20;
}  // namespace

struct BufferPlan::Block {
  // Free: the plan's to lend. Lent: a storage holds it. Orphaned: lent
  // when the plan went away, so the storage frees it.
  enum State : int { kFree, kLent, kOrphaned };
  std::atomic<int> state{kFree};
  size_t nbytes = 0;
  DataPtr data;
};

BufferPlan::BufferPlan() = default;

BufferPlan::~BufferPlan() {
  for (auto& b : blocks_) {
    int lent = Block::kLent;
    if (b->state.compare_exchange_strong(lent, Block::kOrphaned)) {
      static_cast<void>(b.release());  // give_back frees it
    }
  }
}

void BufferPlan::give_back(void* block) {
  auto* b = static_cast<Block*>(block);
  int lent = Block::kLent;
  if (!b->state.compare_exchange_strong(lent, Block::kFree)) {
    std::unique_ptr<Block> orphan(b);
  }
}

DataPtr BufferPlan::take(size_t nbytes) {
  const size_t k = next_++;
  if (k == blocks_.size()) {
    // The first replay: each allocation gets its block now (a placeholder
    // of 0 bytes, never lent, past the plan's limit).
    auto b = std::make_unique<Block>();
    if (nbytes < kHugeFrom && bytes_ + nbytes <= kPlanLimit) {
      b->nbytes = nbytes;
      b->data = allocate_cpu(nbytes);
      bytes_ += nbytes;
    }
    blocks_.push_back(std::move(b));
  }
  Block& b = *blocks_[k];
  int free = Block::kFree;
  if (b.nbytes == nbytes &&
      b.state.compare_exchange_strong(free, Block::kLent)) {
    ++reused_;
    return DataPtr(b.data.get(), &b, &give_back);
  }
  ++allocated_;
  return allocate_cpu(nbytes);
}

Storage::~Storage() {
  if (allocated_ && profiler::memory_enabled()) {
    profiler::record_memory(-static_cast<int64_t>(nbytes_));
  }
}

}  // namespace ag
