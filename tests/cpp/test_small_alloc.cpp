// The small-object pool: blocks are reused within a thread, cross threads
// safely, and sizes beyond the pooled classes go straight to malloc.

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "core/small_alloc.h"
#include "core/storage.h"

namespace ag::detail {
namespace {

TEST(SmallAlloc, BlocksAreWritableAcrossTheirWholeSize) {
  for (size_t n : {1u, 15u, 16u, 17u, 100u, 512u, 513u, 4096u}) {
    void* p = small_allocate(n);
    std::memset(p, 0xab, n);
    small_deallocate(p, n);
  }
}

#if !defined(AG_NO_SMALL_POOL)
TEST(SmallAlloc, FreedBlockIsReusedForSameClass) {
  void* first = small_allocate(40);
  small_deallocate(first, 40);
  // 33..48 bytes share a class: the cached block serves the next request.
  void* second = small_allocate(48);
  EXPECT_EQ(first, second);
  small_deallocate(second, 48);
}
#endif

TEST(SmallAlloc, BlocksMayBeFreedOnAnotherThread) {
  std::vector<void*> blocks;
  for (int i = 0; i < 1000; ++i) blocks.push_back(small_allocate(64));
  std::thread other([&] {
    for (void* p : blocks) small_deallocate(p, 64);
    // The other thread reuses what it cached, then exits and releases it.
    void* p = small_allocate(64);
    small_deallocate(p, 64);
  });
  other.join();
}

TEST(SmallAlloc, SharedPtrWithPoolAllocator) {
  auto values = std::allocate_shared<std::vector<int>>(
      PoolAllocator<std::vector<int>>(), 10, 7);
  std::weak_ptr<std::vector<int>> watch = values;
  EXPECT_EQ(values->at(9), 7);
  values.reset();
  EXPECT_TRUE(watch.expired());
}

}  // namespace
// Huge buffers (>= 8 MB) are cached when freed and handed out again for the
// same rounded size (the cache holds at most 256 MB).
TEST(HugeBufferCache, BuffersAreWritableAndSizesKeptApart) {
  for (size_t mb : {8u, 9u, 64u}) {
    DataPtr p = allocate_cpu(mb << 20);
    std::memset(p.get(), 0x5a, mb << 20);
  }
  DataPtr small = allocate_cpu(size_t{8} << 20);
  DataPtr large = allocate_cpu(size_t{64} << 20);
  EXPECT_NE(small.get(), large.get());
}

#if !defined(AG_NO_SMALL_POOL)
TEST(HugeBufferCache, FreedBufferIsReusedForTheSameRoundedSize) {
  void* first = nullptr;
  {
    DataPtr p = allocate_cpu((size_t{16} << 20) + 1);
    first = p.get();
  }
  // 16 MB + 1 and 17 MB both round to 18 MB (2 MB huge pages).
  DataPtr again = allocate_cpu(size_t{17} << 20);
  EXPECT_EQ(first, again.get());
}

#endif

}  // namespace ag::detail
