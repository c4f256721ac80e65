#pragma once

// Types shared by the op family headers.

#include <cstdint>
#include <vector>

namespace ag::ops {

using IntList = std::vector<int64_t>;

// How a loss reduces its elementwise values (PyTorch's `reduction=`).
enum class Reduction { None, Mean, Sum };

}  // namespace ag::ops
