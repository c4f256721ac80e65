#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <vector>

namespace ag {

// A vector of dims or strides. Tensors rarely exceed six dims, so those live
// inline and creating a tensor's metadata does not touch the heap.
class DimVector {
 public:
  static constexpr size_t kInline = 6;
  using value_type = int64_t;
  using iterator = int64_t*;
  using const_iterator = const int64_t*;

  DimVector() = default;
  explicit DimVector(size_t n, int64_t value = 0) { assign(n, value); }
  DimVector(std::initializer_list<int64_t> values)
      : DimVector(values.begin(), values.end()) {}
  template <typename It, typename = std::enable_if_t<!std::is_integral_v<It>>>
  DimVector(It first, It last) {
    resize(static_cast<size_t>(std::distance(first, last)));
    std::copy(first, last, begin());
  }
  DimVector(const DimVector& other) { *this = other; }
  DimVector& operator=(const DimVector& other) {
    if (this != &other) {
      resize(other.size_);
      std::copy(other.begin(), other.end(), begin());
    }
    return *this;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t* data() { return size_ > kInline ? heap_.data() : inline_; }
  const int64_t* data() const {
    return size_ > kInline ? heap_.data() : inline_;
  }
  int64_t& operator[](size_t i) { return data()[i]; }
  int64_t operator[](size_t i) const { return data()[i]; }
  int64_t& back() { return data()[size_ - 1]; }
  int64_t back() const { return data()[size_ - 1]; }
  iterator begin() { return data(); }
  iterator end() { return data() + size_; }
  const_iterator begin() const { return data(); }
  const_iterator end() const { return data() + size_; }

  void resize(size_t n, int64_t value = 0) {
    if (n > kInline && size_ <= kInline) {
      heap_.assign(inline_, inline_ + size_);
    } else if (n <= kInline && size_ > kInline) {
      std::copy(heap_.begin(), heap_.begin() + static_cast<long>(n), inline_);
      heap_.clear();
    }
    if (n > kInline) heap_.resize(n, value);
    for (size_t i = size_; i < n && n <= kInline; ++i) inline_[i] = value;
    size_ = n;
  }
  void assign(size_t n, int64_t value) {
    resize(0);
    resize(n, value);
  }
  void push_back(int64_t v) {
    resize(size_ + 1);
    back() = v;
  }
  void insert(size_t pos, int64_t v) {
    resize(size_ + 1);
    int64_t* d = data();
    for (size_t i = size_ - 1; i > pos; --i) d[i] = d[i - 1];
    d[pos] = v;
  }
  void erase(size_t pos) {
    int64_t* d = data();
    for (size_t i = pos; i + 1 < size_; ++i) d[i] = d[i + 1];
    resize(size_ - 1);
  }
  std::vector<int64_t> vec() const { return {begin(), end()}; }

  friend bool operator==(const DimVector& a, const DimVector& b) {
    return a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin());
  }
  friend bool operator!=(const DimVector& a, const DimVector& b) {
    return !(a == b);
  }

 private:
  int64_t inline_[kInline] = {};
  std::vector<int64_t> heap_;
  size_t size_ = 0;
};

using Shape = DimVector;

int64_t numel_of(const Shape& sizes);
Shape contiguous_strides(const Shape& sizes);
// Whether a layout covers its elements exactly once with no gaps in some
// order of dims (contiguous, transposed, permuted).
bool is_non_overlapping_and_dense(const Shape& sizes, const Shape& strides);
// Shapes of tensors print as "[2, 3]" in messages.
std::string shape_str(const Shape& sizes);

// Wraps a possibly negative dim into [0, ndim), raising IndexError as PyTorch
// does ("Dimension out of range (expected to be in range of [-2, 1], but got
// 2)"). 0-d tensors accept dims -1 and 0.
int64_t wrap_dim(int64_t dim, int64_t ndim);

// The broadcast of two shapes; raises with PyTorch's message on mismatch.
Shape broadcast_shapes(const Shape& a, const Shape& b);

// Strides that view a tensor of `sizes`/`strides` as `target` (its broadcast):
// broadcast dims get stride 0. Requires that `sizes` broadcasts to `target`.
Shape broadcast_strides(const Shape& sizes, const Shape& strides,
                        const Shape& target);

// Whether `from` can be broadcast to `to`.
bool is_expandable_to(const Shape& from, const Shape& to);

// Resolves one -1 in a requested view shape and checks the element count.
Shape infer_size(const Shape& requested, int64_t numel);

// Strides for viewing (sizes, strides) as new_sizes without copying, or an
// empty result (ok=false) when the memory layout does not allow it.
bool compute_view_strides(const Shape& sizes, const Shape& strides,
                          const Shape& new_sizes, Shape* new_strides);

}  // namespace ag
