#include "models/encoder.hpp"

#include <fmt/core.h>
#include <fmt/ostream.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
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
  EncoderOptions options;
  torch::ScalarType input_dtype = torch::kFloat32;  // the module's parameter dtype (float64 weights get float64)

  std::string options_hint() const {
    return "--output-index i or --output-key NAME chooses the code";
  }

  // Picks the code tensor out of the module's output, or throws saying what would choose it.
  torch::Tensor select(const torch::jit::IValue& result, bool probing) {
    const std::string& where = path.string();
    if (result.isTensor()) {
      if (options.output_index >= 0 || !options.output_key.empty())
        throw Error(fmt::format("encoder '{}': {} returns a tensor; --output-index/--output-key are for tuple, list "
                                "or dict outputs",
                                where, options.method));
      return result.toTensor();
    }
    if (result.isTuple() || result.isList()) {
      std::vector<torch::jit::IValue> elems;
      if (result.isTuple()) {
        for (const auto& e : result.toTupleRef().elements()) elems.push_back(e);
      } else {
        for (const auto& e : result.toListRef()) elems.push_back(e);
      }
      std::string shapes;
      std::vector<std::size_t> tensors;
      for (std::size_t i = 0; i < elems.size(); ++i) {
        shapes += (i ? ", " : "") + (elems[i].isTensor() ? shape_string(elems[i].toTensor()) : std::string(elems[i].tagKind()));
        if (elems[i].isTensor()) tensors.push_back(i);
      }
      if (!options.output_key.empty())
        throw Error(fmt::format("encoder '{}': {} returns a {}, not a dict; choose the code with --output-index i",
                                where, options.method, result.tagKind()));
      std::size_t chosen = 0;
      if (options.output_index >= 0) {
        if (std::size_t(options.output_index) >= elems.size())
          throw Error(fmt::format("encoder '{}': --output-index {}: {} returns a {} of {} elements ({})", where,
                                  options.output_index, options.method, result.tagKind(), elems.size(), shapes));
        chosen = std::size_t(options.output_index);
        if (!elems[chosen].isTensor())
          throw Error(fmt::format("encoder '{}': --output-index {}: that element is a {}, not a tensor", where,
                                  chosen, elems[chosen].tagKind()));
      } else if (tensors.size() == 1) {
        chosen = tensors.front();
        if (probing)
          note = fmt::format("{} returns a {} of {} elements; its only tensor (element {}) is used as the code",
                             options.method, result.tagKind(), elems.size(), chosen);
      } else {
        throw Error(fmt::format("encoder '{}': {} returns a {} of {} elements ({}), so which one is the code is "
                                "ambiguous (e.g. (z_sample, mu, logvar): mu is element 1); choose it with "
                                "--output-index i",
                                where, options.method, result.tagKind(), elems.size(), shapes));
      }
      if (probing && options.output_index >= 0)
        note = fmt::format("{} returns a {} of {} elements; element {} is used as the code (--output-index)",
                           options.method, result.tagKind(), elems.size(), chosen);
      return elems[chosen].toTensor();
    }
    if (result.isGenericDict()) {
      const auto dict = result.toGenericDict();
      std::vector<std::string> keys;
      for (const auto& kv : dict)
        if (kv.key().isString()) keys.push_back(kv.key().toStringRef());
      std::string listed;
      for (const auto& k : keys) listed += (listed.empty() ? "" : ", ") + k;
      if (options.output_index >= 0)
        throw Error(fmt::format("encoder '{}': {} returns a dict (keys {}); choose the code with --output-key NAME",
                                where, options.method, listed));
      std::string key = options.output_key;
      if (key.empty()) {
        for (const char* k : {"mu", "mean", "z_mean"})
          if (std::find(keys.begin(), keys.end(), k) != keys.end()) {
            key = k;
            break;
          }
        if (key.empty())
          throw Error(fmt::format("encoder '{}': {} returns a dict with keys {} and none is mu, mean or z_mean; "
                                  "choose the code with --output-key NAME",
                                  where, options.method, listed));
      }
      if (std::find(keys.begin(), keys.end(), key) == keys.end())
        throw Error(fmt::format("encoder '{}': --output-key '{}': the dict's keys are {}", where, key, listed));
      const auto v = dict.at(key);
      if (!v.isTensor())
        throw Error(fmt::format("encoder '{}': dict entry '{}' is a {}, not a tensor", where, key, v.tagKind()));
      if (probing) note = fmt::format("{} returns a dict; its '{}' entry is used as the code", options.method, key);
      return v.toTensor();
    }
    throw Error(fmt::format("encoder '{}': {} returns a {}, expected a tensor of codes (N,L)", where,
                            options.method, result.tagKind()));
  }

  // Runs forward on (n,H,W,C) floats; returns the code tensor (n,L) float64 on the CPU, or throws axial::Error
  // describing the output problem. Input errors propagate as c10::Error.
  torch::Tensor run(const float* images, std::int64_t n, const datasets::ObservationShape& s, bool probing) {
    auto input = torch::from_blob(const_cast<float*>(images), {n, s.height, s.width, s.channels}, torch::kFloat32);
    if (options.input_range == "-1,1")
      input = input * 2.0f - 1.0f;
    else if (options.input_range == "0,255")
      input = input * 255.0f;
    if (options.input_layout == "nchw") input = input.permute({0, 3, 1, 2});
    input = input.contiguous().to(device, input_dtype);
    torch::jit::IValue result = module.get_method(options.method)({input});
    torch::Tensor codes = select(result, probing);
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
        auto x = torch::full({2, c, h, w}, 0.5f, torch::kFloat32).to(device, input_dtype);
        auto r = module.get_method(options.method)({x});
        return true;
      } catch (const std::exception&) {
        return false;
      }
    };
    if (options.input_layout == "nchw") {
      try {
        torch::NoGradGuard guard;
        auto x = torch::full({2, s.height, s.width, s.channels}, 0.5f, torch::kFloat32).to(device, input_dtype);
        module.get_method(options.method)({x});
        return fmt::format("wrong layout: the encoder accepts (N,H,W,C) = (2,{},{},{}) input; pass --input-layout "
                           "nhwc",
                           s.height, s.width, s.channels);
      } catch (const std::exception&) {
      }
    }
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

Encoder::Encoder(const std::filesystem::path& file, const std::string& device)
    : Encoder(file, [&] {
        EncoderOptions o;
        o.device = device;
        return o;
      }()) {}

namespace {
// A torch.save() file (a pickled state_dict or nn.Module), not TorchScript: a zip archive with a data.pkl and no
// code/ directory, or a legacy pickle stream (protocol 2+ starts with 0x80).
bool looks_like_torch_save(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  if (!head.empty() && static_cast<unsigned char>(head[0]) == 0x80) return true;
  if (head.rfind("PK", 0) != 0) return false;
  std::ifstream all(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(all)), std::istreambuf_iterator<char>());
  return bytes.find("data.pkl") != std::string::npos && bytes.find("/code/") == std::string::npos &&
         bytes.find("constants.pkl") == std::string::npos;
}
}  // namespace

Encoder::Encoder(const std::filesystem::path& file, const EncoderOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->path = file;
  impl_->options = options;
  if (options.input_range != "0,1" && options.input_range != "-1,1" && options.input_range != "0,255")
    throw Error(fmt::format("--input-range '{}': unknown range (valid: 0,1  -1,1  0,255)", options.input_range));
  if (options.input_layout != "nchw" && options.input_layout != "nhwc")
    throw Error(fmt::format("--input-layout '{}': unknown layout (valid: nchw, nhwc)", options.input_layout));
  impl_->device = parse_device(options.device);
  if (!std::filesystem::exists(file)) throw Error(fmt::format("encoder '{}': file not found", file.string()));
  if (std::filesystem::is_directory(file))
    throw Error(fmt::format("encoder '{}': is a directory, expected a TorchScript file", file.string()));
  try {
    impl_->module = torch::jit::load(file.string(), impl_->device);
  } catch (const std::exception& e) {
    if (looks_like_torch_save(file))
      throw Error(fmt::format("encoder '{}': a torch.save() file (a pickled state_dict or nn.Module), not "
                              "TorchScript; export the encoder with torch.jit.script(model).save(PATH) or "
                              "torch.jit.trace(model, example_images).save(PATH) (docs/eval.md, \"Exporting an "
                              "encoder\")",
                              file.string()));
    throw Error(fmt::format("encoder '{}': not a loadable TorchScript module ({})", file.string(), first_line(e.what())));
  }
  impl_->module.eval();
  if (impl_->module.find_method(options.method) == c10::nullopt) {
    std::string methods;
    for (const auto& m : impl_->module.get_methods()) methods += (methods.empty() ? "" : ", ") + m.name();
    if (options.method == "forward")
      throw Error(fmt::format("encoder '{}': TorchScript module has no forward method (methods: {}; choose one with "
                              "--method NAME)",
                              file.string(), methods.empty() ? "none" : methods));
    throw Error(fmt::format("encoder '{}': --method '{}': the module has no such method (methods: {})", file.string(),
                            options.method, methods.empty() ? "none" : methods));
  }
  for (const auto& p : impl_->module.parameters()) {
    if (p.is_floating_point()) impl_->input_dtype = p.scalar_type();
    break;
  }
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
  {
    // The same images again must give the same codes: a stochastic output (a sampled z, dropout left on) would be
    // scored as if it were the representation. A relative tolerance allows GPU kernels' non-determinism.
    torch::NoGradGuard guard;
    torch::Tensor again = d.run(images, n, shape, false);
    const double scale = 1.0 + codes.abs().max().item<double>();
    const double diff = (again - codes).abs().max().item<double>();
    if (!(diff <= 1e-5 * scale))
      throw Error(fmt::format("encoder '{}': two calls on the same images give different codes (largest difference "
                              "{:.4g}): the output is stochastic (a sampled z, or dropout in training mode); export "
                              "the mean (mu){}",
                              d.path.string(), diff,
                              d.note.empty() ? "" : ", or choose it with --output-index/--output-key"));
  }
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
