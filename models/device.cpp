#include "models/device.hpp"

#include <fmt/core.h>
#include <torch/cuda.h>

#include <regex>

#include "src/core/error.hpp"

namespace axial::models {

torch::Device parse_device(const std::string& spec) {
  if (spec == "auto") return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  if (spec == "cpu") return torch::Device(torch::kCPU);
  std::smatch m;
  static const std::regex cuda_re("cuda(?::([0-9]+))?");
  if (std::regex_match(spec, m, cuda_re)) {
    int index = m[1].matched ? std::stoi(m[1].str()) : 0;
    if (!torch::cuda::is_available())
      throw Error(fmt::format("--device {}: CUDA is not available on this machine (valid: auto, cpu)", spec));
    if (index >= static_cast<int>(torch::cuda::device_count()))
      throw Error(fmt::format("--device {}: only {} CUDA device(s) present", spec, torch::cuda::device_count()));
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  throw Error(fmt::format("--device '{}': unknown device (valid: auto, cpu, cuda, cuda:N)", spec));
}

}  // namespace axial::models
