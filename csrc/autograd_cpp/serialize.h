#pragma once

// Saving and loading named tensors in the safetensors format, the one the
// Python package's autograd_cpp.safetensors (and the `safetensors` package)
// read and write: a model trained in C++ loads in Python and back.
//   ag::save_file(model.state_dict(), "model.safetensors");
//   model.load_state_dict(ag::load_file("model.safetensors"));

#include <string>

#include "autograd_cpp/nn.h"

namespace ag {

// Writes contiguous copies of `tensors` (names must be unique).
void save_file(const nn::NamedTensors& tensors, const std::string& path);
// The tensors of a safetensors file, in the file's order. Offsets and sizes
// are checked against the file; dtypes other than ours raise an error.
nn::NamedTensors load_file(const std::string& path);

}  // namespace ag
