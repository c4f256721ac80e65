#include "core/small_alloc.h"

#include <array>
#include <cstdint>
#include <cstdlib>

namespace ag::detail {

namespace {

constexpr size_t kGranule = 16;
constexpr size_t kMaxPooled = 512;
constexpr size_t kClasses = kMaxPooled / kGranule;
constexpr size_t kPoolBytesPerClass = size_t{1} << 20;

#if defined(AG_NO_SMALL_POOL)
constexpr bool kPoolEnabled = false;
#else
constexpr bool kPoolEnabled = true;
#endif

struct FreeBlock {
  FreeBlock* next;
};

struct FreeList {
  FreeBlock* head;
  size_t count;
};

enum class PoolState : uint8_t { Unused, Active, Finished };

// Trivially constructible and destructible, so the hot path is one
// thread-local access with no initialisation guard; it also stays readable
// while the thread's other thread_local objects are destroyed.
struct ThreadPool {
  std::array<FreeList, kClasses> lists;
  PoolState state;
};

thread_local ThreadPool tls_pool{};

void release_all(ThreadPool& pool) {
  for (FreeList& list : pool.lists) {
    while (list.head) {
      FreeBlock* block = list.head;
      list.head = block->next;
      std::free(block);
    }
    list.count = 0;
  }
}

// Returns the thread's cached blocks to malloc when the thread exits.
struct PoolReleaser {
  ~PoolReleaser() {
    tls_pool.state = PoolState::Finished;
    release_all(tls_pool);
  }
};

ThreadPool* active_pool() {
  ThreadPool& pool = tls_pool;
  if (pool.state == PoolState::Active) return &pool;
  if (pool.state == PoolState::Finished) return nullptr;
  thread_local PoolReleaser releaser;
  pool.state = PoolState::Active;
  return &pool;
}

size_t class_of(size_t nbytes) {
  return (nbytes + kGranule - 1) / kGranule - 1;
}

size_t class_bytes(size_t cls) {
  return (cls + 1) * kGranule;
}

}  // namespace

void* small_allocate(size_t nbytes) {
  if (kPoolEnabled && nbytes != 0 && nbytes <= kMaxPooled) {
    const size_t cls = class_of(nbytes);
    if (ThreadPool* pool = active_pool()) {
      FreeList& list = pool->lists[cls];
      if (list.head) {
        FreeBlock* block = list.head;
        list.head = block->next;
        --list.count;
        return block;
      }
    }
    // The whole class size, so the block can serve any request of its class
    // once it is back in a free list.
    nbytes = class_bytes(cls);
  }
  void* ptr = std::malloc(nbytes == 0 ? 1 : nbytes);
  if (!ptr) throw std::bad_alloc();
  return ptr;
}

void small_deallocate(void* ptr, size_t nbytes) noexcept {
  if (!ptr) return;
  if (kPoolEnabled && nbytes != 0 && nbytes <= kMaxPooled &&
      tls_pool.state == PoolState::Active) {
    const size_t cls = class_of(nbytes);
    FreeList& list = tls_pool.lists[cls];
    if (list.count * class_bytes(cls) < kPoolBytesPerClass) {
      auto* block = static_cast<FreeBlock*>(ptr);
      block->next = list.head;
      list.head = block;
      ++list.count;
      return;
    }
  }
  std::free(ptr);
}

}  // namespace ag::detail
