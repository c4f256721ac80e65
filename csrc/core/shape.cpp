#include "core/shape.h"

#include <algorithm>

#include <sstream>

#include "core/error.h"

namespace ag {

int64_t numel_of(const Shape& sizes) {
  // Checked so that a view with absurd sizes (reshape, expand) is refused
  // rather than given a wrapped-around element count.
  int64_t n = 1;
  for (int64_t s : sizes) {
    AG_CHECK(!__builtin_mul_overflow(n, s, &n),
             "numel: integer multiplication overflow");
  }
  return n;
}

Shape contiguous_strides(const Shape& sizes) {
  Shape strides(sizes.size());
  int64_t stride = 1;
  for (size_t i = sizes.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= std::max<int64_t>(sizes[i], 1);
  }
  return strides;
}

bool is_non_overlapping_and_dense(const Shape& sizes, const Shape& strides) {
  DimVector dims;
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] == 0) return true;
    if (sizes[d] != 1) dims.push_back(static_cast<int64_t>(d));
  }
  std::sort(dims.begin(), dims.end(),
            [&](int64_t a, int64_t b) { return strides[a] < strides[b]; });
  int64_t expected = 1;
  for (int64_t d : dims) {
    if (strides[d] != expected) return false;
    expected *= sizes[d];
  }
  return true;
}

std::string shape_str(const Shape& sizes) {
  std::ostringstream ss;
  ss << "[";
  for (size_t i = 0; i < sizes.size(); ++i) ss << (i ? ", " : "") << sizes[i];
  ss << "]";
  return ss.str();
}

int64_t wrap_dim(int64_t dim, int64_t ndim) {
  const int64_t n = std::max<int64_t>(ndim, 1);
  AG_INDEX_CHECK(dim >= -n && dim < n,
                 "Dimension out of range (expected to be in range of [", -n,
                 ", ", n - 1, "], but got ", dim, ")");
  return dim < 0 ? dim + n : dim;
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  const size_t ndim = std::max(a.size(), b.size());
  Shape out(ndim);
  // From the last dim, as PyTorch's infer_size: with several mismatches the
  // error names the last.
  for (size_t i = ndim; i-- > 0;) {
    const size_t from_end = ndim - 1 - i;
    const int64_t sa =
        from_end < a.size() ? a[a.size() - 1 - from_end] : int64_t{1};
    const int64_t sb =
        from_end < b.size() ? b[b.size() - 1 - from_end] : int64_t{1};
    AG_CHECK(sa == sb || sa == 1 || sb == 1, "The size of tensor a (", sa,
             ") must match the size of tensor b (", sb,
             ") at non-singleton dimension ", i);
    out[i] = sa == 1 ? sb : sa;
  }
  return out;
}

Shape broadcast_strides(const Shape& sizes, const Shape& strides,
                        const Shape& target) {
  Shape out(target.size(), 0);
  const size_t lead = target.size() - sizes.size();
  for (size_t i = 0; i < sizes.size(); ++i) {
    out[lead + i] = sizes[i] == target[lead + i] ? strides[i] : 0;
  }
  return out;
}

bool is_expandable_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  const size_t lead = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i) {
    if (from[i] != to[lead + i] && from[i] != 1) return false;
  }
  return true;
}

Shape infer_size(const Shape& requested, int64_t numel) {
  Shape out = requested;
  int64_t known = 1;
  int64_t infer_at = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      AG_CHECK(infer_at < 0, "only one dimension can be inferred");
      infer_at = static_cast<int64_t>(i);
    } else {
      AG_CHECK(out[i] >= 0, "invalid shape dimension ", out[i], " at index ", i,
               " of shape ", shape_str(requested));
      AG_CHECK(!__builtin_mul_overflow(known, out[i], &known),
               "numel: integer multiplication overflow");
    }
  }
  const bool ok =
      infer_at >= 0 ? (known > 0 && numel % known == 0) : known == numel;
  AG_CHECK(ok, "shape '", shape_str(requested),
           "' is invalid for input of size ", numel);
  if (infer_at >= 0) out[static_cast<size_t>(infer_at)] = numel / known;
  return out;
}

// Walks groups of old dims that are contiguous with each other ("chunks") and
// maps each chunk onto a run of new dims with the same element count.
bool compute_view_strides(const Shape& sizes, const Shape& strides,
                          const Shape& new_sizes, Shape* new_strides) {
  new_strides->assign(new_sizes.size(), 0);
  if (sizes.empty()) {
    int64_t s = 1;
    for (size_t i = new_sizes.size(); i-- > 0;) (*new_strides)[i] = s;
    return true;
  }
  if (numel_of(sizes) == 0) {
    *new_strides = contiguous_strides(new_sizes);
    return true;
  }
  int64_t view_d = static_cast<int64_t>(new_sizes.size()) - 1;
  int64_t chunk_base_stride = strides.back();
  int64_t tensor_numel = 1;
  int64_t view_numel = 1;
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
    tensor_numel *= sizes[static_cast<size_t>(d)];
    const bool chunk_ends = d == 0 || (sizes[static_cast<size_t>(d - 1)] != 1 &&
                                       strides[static_cast<size_t>(d - 1)] !=
                                           tensor_numel * chunk_base_stride);
    if (chunk_ends) {
      while (view_d >= 0 && (view_numel < tensor_numel ||
                             new_sizes[static_cast<size_t>(view_d)] == 1)) {
        (*new_strides)[static_cast<size_t>(view_d)] =
            view_numel * chunk_base_stride;
        view_numel *= new_sizes[static_cast<size_t>(view_d)];
        --view_d;
      }
      if (view_numel != tensor_numel) return false;
      if (d > 0) {
        chunk_base_stride = strides[static_cast<size_t>(d - 1)];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  return view_d == -1;
}

}  // namespace ag
