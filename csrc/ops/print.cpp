// Text of a tensor for C++ users (operator<<), the same text Python's repr()
// gives with PyTorch's default print options (python/autograd_cpp/
// _tensor_str.py holds the Python side; tests compare the two).

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "autograd/autograd_meta.h"
#include "autograd/grad_mode.h"
#include "core/dispatch.h"
#include "ops/ops.h"

namespace ag {

namespace {

constexpr int kPrecision = 4;
constexpr int64_t kThreshold = 1000;
constexpr int64_t kEdgeItems = 3;
constexpr int64_t kLineWidth = 80;

// Values are held as long double: exact for every int64 and every double.
using Value = long double;

std::string printf_str(const char* fmt, int precision, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), fmt, precision, v);
  return buf;
}

// One fixed-width layout shared by every printed element of a tensor.
struct ElementFormat {
  bool is_float = false;
  bool is_bool = false;
  bool integral = true;
  bool sci = false;
  size_t width = 1;

  std::string plain(Value value) const {
    if (is_bool) return value != 0 ? "True" : "False";
    if (!is_float) {
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%.0Lf", value);
      return buf;
    }
    const auto v = static_cast<double>(value);
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    if (sci) return printf_str("%.*e", kPrecision, v);
    // An integral float prints with a trailing "." (1. rather than 1).
    if (integral) return printf_str("%.*f", 0, v) + ".";
    return printf_str("%.*f", kPrecision, v);
  }
  std::string operator()(Value v) const {
    std::string text = plain(v);
    if (text.size() < width) text.insert(0, width - text.size(), ' ');
    return text;
  }
};

// The values a summarized print shows (kEdgeItems at each end of every
// axis), or all values; shape is sizes, values are row-major.
void collect_shown(const std::vector<Value>& values, const Shape& sizes,
                   bool summarize, std::vector<Value>& out) {
  const int64_t ndim = static_cast<int64_t>(sizes.size());
  std::vector<int64_t> strides(sizes.size(), 1);
  for (int64_t d = ndim - 2; d >= 0; --d) {
    strides[d] = strides[d + 1] * sizes[d + 1];
  }
  std::vector<int64_t> idx(sizes.size(), 0);
  const auto shown = [&](int64_t d, int64_t i) {
    return !summarize || sizes[d] <= 2 * kEdgeItems || i < kEdgeItems ||
           i >= sizes[d] - kEdgeItems;
  };
  for (size_t flat = 0; flat < values.size(); ++flat) {
    int64_t rem = static_cast<int64_t>(flat);
    bool keep = true;
    for (int64_t d = 0; d < ndim && keep; ++d) {
      keep = shown(d, rem / strides[d]);
      rem %= strides[d];
    }
    if (keep) out.push_back(values[flat]);
  }
}

ElementFormat make_format(const std::vector<Value>& shown, DType dtype) {
  ElementFormat f;
  f.is_float = is_floating(dtype);
  f.is_bool = dtype == DType::Bool;
  if (!f.is_float) {
    for (Value v : shown) f.width = std::max(f.width, f.plain(v).size());
    return f;
  }
  // Zeros and non-finite values neither choose the mode nor set the width.
  double lo = INFINITY, hi = 0;
  bool any = false;
  for (Value value : shown) {
    const auto v = static_cast<double>(value);
    if (!std::isfinite(v) || v == 0) continue;
    any = true;
    lo = std::min(lo, std::fabs(v));
    hi = std::max(hi, std::fabs(v));
    if (v != std::ceil(v)) f.integral = false;
  }
  if (!any) return f;
  f.sci = hi / lo > 1000.0 || hi > 1.0e8 || lo < 1.0e-4;
  for (Value v : shown) {
    if (std::isfinite(v) && v != 0) {
      f.width = std::max(f.width, f.plain(v).size());
    }
  }
  return f;
}

void render(const std::vector<Value>& values, const Shape& sizes, size_t dim,
            int64_t offset, int64_t indent, bool summarize,
            const ElementFormat& fmt, std::string& out) {
  if (sizes.empty()) {
    out += fmt(values[0]);
    return;
  }
  const int64_t n = sizes[dim];
  int64_t inner = 1;
  for (size_t d = dim + 1; d < sizes.size(); ++d) inner *= sizes[d];
  const bool cut = summarize && n > 2 * kEdgeItems;
  std::vector<int64_t> picks;  // -1 marks the "..." row
  for (int64_t i = 0; i < n; ++i) {
    if (cut && i == kEdgeItems) {
      picks.push_back(-1);
      i = n - kEdgeItems - 1;
      continue;
    }
    picks.push_back(i);
  }
  out += '[';
  if (dim + 1 == sizes.size()) {
    std::vector<std::string> items;
    for (int64_t i : picks) {
      items.push_back(i < 0 ? " ..." : fmt(values[offset + i]));
    }
    // Each element costs its width plus ", ", as PyTorch counts it.
    const int64_t per_line = std::max<int64_t>(
        1, (kLineWidth - indent) / static_cast<int64_t>(fmt.width + 2));
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) {
        out += static_cast<int64_t>(i) % per_line == 0
                   ? ",\n" + std::string(indent + 1, ' ')
                   : ", ";
      }
      out += items[i];
    }
  } else {
    // Deeper blocks are separated by more blank lines.
    const std::string sep = "," + std::string(sizes.size() - dim - 1, '\n') +
                            std::string(indent + 1, ' ');
    for (size_t k = 0; k < picks.size(); ++k) {
      if (k > 0) out += sep;
      if (picks[k] < 0) {
        out += "...";
      } else {
        render(values, sizes, dim + 1, offset + picks[k] * inner, indent + 1,
               summarize, fmt, out);
      }
    }
  }
  out += ']';
}

}  // namespace

std::string repr(const Tensor& t) {
  if (!t.defined()) return "[ Tensor (undefined) ]";
  const std::string prefix = "tensor(";
  const int64_t indent = static_cast<int64_t>(prefix.size());
  const std::string dtype_suffix =
      std::string("dtype=torch.") + dtype_name(t.dtype());
  const bool default_float = t.dtype() == default_dtype();
  std::vector<std::string> suffixes;
  std::string text = prefix;
  if (t.numel() == 0) {
    if (t.dim() != 1) {
      std::string size = "size=(";
      for (int64_t d = 0; d < t.dim(); ++d) {
        if (d > 0) size += ", ";
        size += std::to_string(t.sizes()[d]);
      }
      suffixes.push_back(size + ")");
    }
    if (!default_float) suffixes.push_back(dtype_suffix);
    text += "[]";
  } else {
    if (!default_float && t.dtype() != DType::Int64 &&
        t.dtype() != DType::Bool) {
      suffixes.push_back(dtype_suffix);
    }
    std::vector<Value> values(static_cast<size_t>(t.numel()));
    {
      NoGradGuard no_grad;
      const Tensor c = ops::contiguous(t);
      dispatch_all(c.dtype(), [&](auto tag) {
        using T = decltype(tag);
        const T* data = static_cast<const T*>(c.raw_data());
        for (size_t i = 0; i < values.size(); ++i) {
          values[i] = static_cast<Value>(data[i]);
        }
      });
    }
    const bool summarize = t.numel() > kThreshold;
    std::vector<Value> shown;
    collect_shown(values, t.sizes(), summarize, shown);
    const ElementFormat fmt = make_format(shown, t.dtype());
    render(values, t.sizes(), 0, 0, indent, summarize, fmt, text);
  }
  if (auto fn = autograd::grad_fn(t)) {
    suffixes.push_back("grad_fn=<" + fn->name() + ">");
  } else if (autograd::requires_grad(t)) {
    suffixes.push_back("requires_grad=True");
  }
  // PyTorch estimates the current column as two more than the true one;
  // kept so that wrapping decisions match.
  const size_t newline = text.rfind('\n');
  const int64_t last_newline =
      newline == std::string::npos ? -1 : static_cast<int64_t>(newline);
  int64_t column = static_cast<int64_t>(text.size()) - last_newline + 1;
  for (const std::string& s : suffixes) {
    const auto len = static_cast<int64_t>(s.size());
    if (column + len + 2 > kLineWidth) {
      text += ",\n" + std::string(indent, ' ') + s;
      column = indent + len;
    } else {
      text += ", " + s;
      column += len + 2;
    }
  }
  return text + ")";
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) {
  return os << repr(t);
}

}  // namespace ag
