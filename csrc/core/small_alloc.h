#pragma once

// Small-object pool for the per-op heap objects (tensor metadata, storage,
// autograd nodes and their control blocks). Building a graph allocates a few
// of each per op and frees them all together on teardown, which overflows
// malloc's small per-thread caches and sends it to its slow paths; a
// per-thread free list per size class keeps those blocks for reuse.
//
// Blocks come from malloc and may be freed on any thread. Each thread keeps
// at most kPoolBytesPerClass bytes per class; the rest goes back to free().
// Sanitizer builds bypass the pool so use-after-free stays visible.

#include <cstddef>
#include <new>

namespace ag::detail {

void* small_allocate(size_t nbytes);
void small_deallocate(void* ptr, size_t nbytes) noexcept;

// For std::allocate_shared and shared_ptr control blocks.
template <typename T>
struct PoolAllocator {
  using value_type = T;
  PoolAllocator() = default;
  template <typename U>
  PoolAllocator(const PoolAllocator<U>& /*other*/) {}  // NOLINT: rebinding
  T* allocate(size_t n) {
    return static_cast<T*>(small_allocate(n * sizeof(T)));
  }
  void deallocate(T* ptr, size_t n) noexcept {
    small_deallocate(ptr, n * sizeof(T));
  }
  template <typename U>
  bool operator==(const PoolAllocator<U>& /*other*/) const {
    return true;
  }
  template <typename U>
  bool operator!=(const PoolAllocator<U>& /*other*/) const {
    return false;
  }
};

// Base for classes whose `new`/`delete` should use the pool (needs a virtual
// destructor in polymorphic hierarchies so sized delete sees the real size).
struct PoolAllocated {
  static void* operator new(size_t nbytes) { return small_allocate(nbytes); }
  static void operator delete(void* ptr, size_t nbytes) noexcept {
    small_deallocate(ptr, nbytes);
  }
};

}  // namespace ag::detail
