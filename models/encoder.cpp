#include "models/encoder.hpp"

#include <fmt/core.h>
#include <fmt/ostream.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <cmath>
#include <cstring>
#include <regex>
#include <vector>

#include "src/core/error.hpp"
#include "models/device.hpp"

namespace axial::models {

namespace {

std::string first_line(const std::string& s) {
  // LibTorch messages carry a C++/TorchScript traceback after the first line(s); keep the informative line.
  std::string msg = s;
  // TorchScript errors start with "The following operation failed in the TorchScript interpreter." and put the
  // real reason on the last non-empty line ("RuntimeError: ...").
  auto rt = msg.rfind("RuntimeError: ");
  if (rt != std::string::npos) msg = msg.substr(rt + 14);
  auto nl = msg.find('\n');
  if (nl != std::string::npos) msg = msg.substr(0, nl);
  return msg;
}

std::string shape_string(const torch::Tensor& t) {
  std::string s = "(";
  for (int64_t d = 0; d < t.dim(); ++d) s += (d ? "," : "") + std::to_string(t.size(d));
  return s + ")";
}

}  // namespace

struct Encoder::Impl {
  std::filesystem::path path;
  torch::Device device{torch::kCPU};
  torch::jit::script::Module module;
  int latent_dim = 0;
  datasets::ObservationShape shape;
  bool probed = false;
  Precision precision = Precision::Float32;
  std::string note;

  // Runs forward on (n,H,W,C) floats; returns the code tensor (n,L) float64 on the CPU, or throws axial::Error
  // describing the output problem. Input errors propagate as c10::Error.
  torch::Tensor run(const float* images, std::int64_t n, const datasets::ObservationShape& s, bool probing) {
    auto input = torch::from_blob(const_cast<float*>(images), {n, s.height, s.width, s.channels}, torch::kFloat32)
                     .permute({0, 3, 1, 2})
                     .contiguous()
                     .to(device);
    torch::jit::IValue result = module.forward({input});
    torch::Tensor codes;
    if (result.isTensor()) {
      codes = result.toTensor();
    } else if (result.isTuple() || result.isList()) {
      std::vector<torch::jit::IValue> elems;
      if (result.isTuple()) {
        for (const auto& e : result.toTupleRef().elements()) elems.push_back(e);
      } else {
        for (const auto& e : result.toListRef()) elems.push_back(e);
      }
      if (elems.empty() || !elems.front().isTensor())
        throw Error(fmt::format("encoder '{}': forward returns a {} whose first element is not a tensor; expected "
                                "codes (N,L)",
                                path.string(), result.tagKind()));
      codes = elems.front().toTensor();
      if (probing)
        note = fmt::format("forward returns a {} of {} elements; its first element is used as the code (mu)",
                           result.tagKind(), elems.size());
    } else {
      throw Error(fmt::format("encoder '{}': forward returns a {}, expected a tensor of codes (N,L)", path.string(),
                              result.tagKind()));
    }
    if (codes.dim() != 2)
      throw Error(fmt::format("encoder '{}': output has rank {} (shape {}) for input {}; expected codes of rank 2, "
                              "(N,L)",
                              path.string(), codes.dim(), shape_string(codes), shape_string(input)));
    if (codes.size(0) != n)
      throw Error(fmt::format("encoder '{}': output has {} rows for {} input images (shape {}); expected (N,L)",
                              path.string(), codes.size(0), n, shape_string(codes)));
    if (!codes.is_floating_point())
      throw Error(fmt::format("encoder '{}': output dtype {} is not floating point", path.string(),
                              fmt::streamed(codes.scalar_type())));
    if (probing) precision = codes.scalar_type() == torch::kFloat64 ? Precision::Float64 : Precision::Float32;
    return codes.to(torch::kCPU, torch::kFloat64).contiguous();
  }

  // Re-tries other input layouts to say what the module accepts. Returns "" if nothing else works either.
  std::string diagnose(const datasets::ObservationShape& s) {
    auto accepts = [&](int c, int h, int w) {
      try {
        torch::NoGradGuard guard;
        auto x = torch::full({2, c, h, w}, 0.5f, torch::kFloat32).to(device);
        auto r = module.forward({x});
        return true;
      } catch (const std::exception&) {
        return false;
      }
    };
    std::vector<int> channels;
    for (int c : {1, 3, 4, 2})
      if (c != s.channels && accepts(c, s.height, s.width)) channels.push_back(c);
    if (!channels.empty())
      return fmt::format("wrong channel count: the encoder accepts {} channel(s), the data set's images have {}",
                         channels.front(), s.channels);
    for (int size : {64, 32, 28, 128, 256, 96, 48, 224}) {
      if (size == s.height && size == s.width) continue;
      for (int c : {s.channels, 1, 3})
        if (accepts(c, size, size))
          return fmt::format("wrong image size: the encoder accepts {}x{} images with {} channel(s), the data set's "
                             "are {}x{} with {}",
                             size, size, c, s.height, s.width, s.channels);
    }
    return "";
  }
};

Encoder::Encoder(const std::filesystem::path& file, const std::string& device) : impl_(std::make_unique<Impl>()) {
  impl_->path = file;
  impl_->device = parse_device(device);
  if (!std::filesystem::exists(file)) throw Error(fmt::format("encoder '{}': file not found", file.string()));
  if (std::filesystem::is_directory(file))
    throw Error(fmt::format("encoder '{}': is a directory, expected a TorchScript file", file.string()));
  try {
    impl_->module = torch::jit::load(file.string(), impl_->device);
  } catch (const std::exception& e) {
    throw Error(fmt::format("encoder '{}': not a loadable TorchScript module ({})", file.string(), first_line(e.what())));
  }
  impl_->module.eval();
  if (impl_->module.find_method("forward") == c10::nullopt)
    throw Error(fmt::format("encoder '{}': TorchScript module has no forward method", file.string()));
}

Encoder::~Encoder() = default;
Encoder::Encoder(Encoder&&) noexcept = default;
Encoder& Encoder::operator=(Encoder&&) noexcept = default;

int Encoder::probe(const float* images, std::int64_t n, const datasets::ObservationShape& shape) {
  if (n < 1) throw Error("encoder probe: need at least one image");
  auto& d = *impl_;
  torch::Tensor codes;
  {
    torch::NoGradGuard guard;
    try {
      codes = d.run(images, n, shape, true);
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      const std::string torch_msg = first_line(e.what());
      std::smatch m;
      static const std::regex channel_re("to have ([0-9]+) channels, but got ([0-9]+) channels");
      std::string reason;
      if (std::regex_search(torch_msg, m, channel_re))
        reason = fmt::format("wrong channel count: the encoder expects {} channel(s), the data set's images have {}",
                             m[1].str(), shape.channels);
      else
        reason = d.diagnose(shape);
      throw Error(fmt::format("encoder '{}' rejects a probe batch of {} images of shape (N,C,H,W) = ({},{},{},{}): {}{}",
                              d.path.string(), n, n, shape.channels, shape.height, shape.width,
                              reason.empty() ? "" : reason + "; LibTorch says: ", torch_msg));
    }
  }
  if (codes.size(1) < 1)
    throw Error(fmt::format("encoder '{}': output has 0 latents (shape {})", d.path.string(), shape_string(codes)));
  const double* p = codes.data_ptr<double>();
  const auto L = codes.size(1);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t l = 0; l < L; ++l)
      if (!std::isfinite(p[i * L + l]))
        throw Error(fmt::format("encoder '{}': non-finite code {} at probe image {}, latent {} (NaN codes)",
                                d.path.string(), p[i * L + l], i, l));
  d.latent_dim = static_cast<int>(L);
  d.shape = shape;
  d.probed = true;
  return d.latent_dim;
}

void Encoder::encode(const float* images, std::int64_t n, double* out, std::int64_t first_index) {
  auto& d = *impl_;
  if (!d.probed) throw std::logic_error("Encoder::encode called before probe()");
  if (n == 0) return;
  torch::Tensor codes;
  {
    torch::NoGradGuard guard;
    try {
      codes = d.run(images, n, d.shape, false);
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Error(fmt::format("encoder '{}' failed on images {}..{}: {}", d.path.string(), first_index,
                              first_index + n - 1, first_line(e.what())));
    }
  }
  if (codes.size(1) != d.latent_dim)
    throw Error(fmt::format("encoder '{}': output has {} latents, the probe had {}", d.path.string(), codes.size(1),
                            d.latent_dim));
  const double* p = codes.data_ptr<double>();
  const std::int64_t total = n * d.latent_dim;
  for (std::int64_t i = 0; i < total; ++i)
    if (!std::isfinite(p[i]))
      throw Error(fmt::format("encoder '{}': non-finite code {} at image {}, latent {}", d.path.string(), p[i],
                              first_index + i / d.latent_dim, i % d.latent_dim));
  std::memcpy(out, p, sizeof(double) * static_cast<std::size_t>(total));
}

int Encoder::latent_dim() const { return impl_->latent_dim; }
Precision Encoder::precision() const { return impl_->precision; }
const std::filesystem::path& Encoder::path() const { return impl_->path; }
std::string Encoder::device() const { return impl_->device.str(); }
std::string Encoder::note() const { return impl_->note; }

}  // namespace axial::models
