#include "core/storage.h"

#include <cstdlib>
#include <new>
#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "core/error.h"

namespace ag {

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
void free_cpu(void* ptr) {
  std::free(ptr);
}
}  // namespace

DataPtr allocate_cpu(size_t nbytes) {
  if (nbytes == 0) return {};
  AG_CHECK(nbytes < (size_t{1} << 62), "allocation of ", nbytes,
           " bytes is too large");
  void* ptr = nullptr;
  if (nbytes < kAlignedFrom) {
    ptr = std::malloc(nbytes);
  } else if (nbytes < kHugeFrom) {
    const size_t rounded = (nbytes + kAlignment - 1) / kAlignment * kAlignment;
    ptr = std::aligned_alloc(kAlignment, rounded);
  } else {
    const size_t rounded = (nbytes + kHugePage - 1) / kHugePage * kHugePage;
    ptr = std::aligned_alloc(kHugePage, rounded);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    // Advice only: without THP support the buffer is an ordinary one.
    if (ptr) madvise(ptr, rounded, MADV_HUGEPAGE);
#endif
  }
  if (!ptr) {
    throw OutOfMemoryError(detail::str_cat(
        "CPU allocator: not enough memory: you tried to allocate ", nbytes,
        " bytes."));
  }
  return DataPtr(ptr, ptr, &free_cpu);
}

Storage::Storage(size_t nbytes) : nbytes_(nbytes) {
  if (nbytes <= kInlineBytes) {
    data_ = DataPtr(inline_, nullptr, nullptr);
  } else {
    data_ = allocate_cpu(nbytes);
  }
}

}  // namespace ag
