#pragma once
// Device selection for `--device auto|cpu|cuda[:N]`.
#include <torch/types.h>

#include <string>

namespace axial::models {

// Parses the --device value; "auto" picks CUDA when available, else CPU. Throws axial::Error for an unknown
// value or a CUDA device that is not present.
torch::Device parse_device(const std::string& spec);

}  // namespace axial::models
