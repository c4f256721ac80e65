#include "core/storage.h"

#include <cstdlib>
#include <new>
#include <utility>

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
  } else {
    const size_t rounded = (nbytes + kAlignment - 1) / kAlignment * kAlignment;
    ptr = std::aligned_alloc(kAlignment, rounded);
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
