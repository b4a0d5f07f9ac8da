#include "models/vae.hpp"

#include <fmt/core.h>
#include <fmt/ostream.h>
#include <torch/script.h>

#include <cmath>
#include <sstream>
#include <vector>

#include "src/core/atomic_output.hpp"
#include "src/core/error.hpp"

namespace axial::models {

namespace {

// 1-pixel crop on every side (the paper's ZeroPad2d(-1) after each transposed convolution).
torch::Tensor crop1(const torch::Tensor& t) { return t.narrow(2, 1, t.size(2) - 2).narrow(3, 1, t.size(3) - 2); }

// Multiplies tangents (M·B, ...) by a per-point factor (B, ...), broadcasting over the M blocks.
torch::Tensor scale_blocks(const torch::Tensor& tangent, const torch::Tensor& factor) {
  const auto b = factor.size(0);
  std::vector<int64_t> shape{tangent.size(0) / b};
  for (auto s : factor.sizes()) shape.push_back(s);
  return (tangent.view(shape) * factor).view(tangent.sizes());
}

}  // namespace

Architecture parse_architecture(const std::string& s) {
  if (s == "paper") return Architecture::Paper;
  if (s == "dlib") return Architecture::Dlib;
  throw Error(fmt::format("--architecture '{}': unknown architecture (valid: paper, dlib)", s));
}

const char* to_string(Architecture a) { return a == Architecture::Paper ? "paper" : "dlib"; }

void glorot_uniform_(torch::Tensor& weight) {
  TORCH_CHECK(weight.dim() >= 2, "glorot_uniform_: weight of rank >= 2 expected");
  std::int64_t receptive = 1;
  for (int64_t d = 2; d < weight.dim(); ++d) receptive *= weight.size(d);
  const double fan_sum = double(weight.size(0) * receptive + weight.size(1) * receptive);
  const double limit = std::sqrt(6.0 / fan_sum);
  torch::NoGradGuard no_grad;
  weight.uniform_(-limit, limit);
}

bool VaeImpl::is_decoder_parameter(const std::string& name) const {
  if (options_.architecture == Architecture::Paper) return name.rfind("gen_", 0) == 0;
  return name.size() >= 2 && name[0] == 'd' && name[1] >= '0' && name[1] <= '9';
}

VaeImpl::VaeImpl(VaeOptions options) : options_(options) {
  if (options.channels < 1) throw Error(fmt::format("VAE channels must be >= 1 (got {})", options.channels));
  if (options.latent_dim < 1) throw Error(fmt::format("VAE latent_dim must be >= 1 (got {})", options.latent_dim));
  using torch::nn::Conv2dOptions;
  using torch::nn::ConvTranspose2dOptions;
  using torch::nn::LinearOptions;
  const int c = options.channels, l = options.latent_dim;
  if (options.architecture == Architecture::Dlib) {
    // TF "same" padding: kernel 4 stride 2 pads 1 on each side, kernel 2 stride 2 pads 0.
    e1 = register_module("e1", torch::nn::Conv2d(Conv2dOptions(c, 32, 4).stride(2).padding(1)));
    e2 = register_module("e2", torch::nn::Conv2d(Conv2dOptions(32, 32, 4).stride(2).padding(1)));
    e3 = register_module("e3", torch::nn::Conv2d(Conv2dOptions(32, 64, 2).stride(2)));
    e4 = register_module("e4", torch::nn::Conv2d(Conv2dOptions(64, 64, 2).stride(2)));
    e5 = register_module("e5", torch::nn::Linear(LinearOptions(1024, 256)));
    means = register_module("means", torch::nn::Linear(LinearOptions(256, l)));
    log_var = register_module("log_var", torch::nn::Linear(LinearOptions(256, l)));
    d1 = register_module("d1", torch::nn::Linear(LinearOptions(l, 256)));
    d2 = register_module("d2", torch::nn::Linear(LinearOptions(256, 1024)));
    d3 = register_module("d3", torch::nn::ConvTranspose2d(ConvTranspose2dOptions(64, 64, 4).stride(2).padding(1)));
    d4 = register_module("d4", torch::nn::ConvTranspose2d(ConvTranspose2dOptions(64, 32, 4).stride(2).padding(1)));
    d5 = register_module("d5", torch::nn::ConvTranspose2d(ConvTranspose2dOptions(32, 32, 4).stride(2).padding(1)));
    d6 = register_module("d6", torch::nn::ConvTranspose2d(ConvTranspose2dOptions(32, c, 4).stride(2).padding(1)));
    // tf.layers defaults: glorot_uniform kernels (drawn in layer order), zero biases.
    torch::NoGradGuard no_grad;
    for (auto& item : named_parameters()) {
      auto& p = item.value();
      if (item.key().size() > 5 && item.key().substr(item.key().size() - 5) == ".bias")
        p.zero_();
      else
        glorot_uniform_(p);
    }
    return;
  }
  // Constructed in the paper's order (encoder convs, encoder fc, μ, log σ², decoder fcs, decoder convs) so the
  // default initialisation draws from torch's generator in the same sequence.
  emb_conv0 = register_module("emb_conv0", torch::nn::Conv2d(Conv2dOptions(c, 32, 4).stride(2)));
  emb_conv1 = register_module("emb_conv1", torch::nn::Conv2d(Conv2dOptions(32, 32, 4).stride(2)));
  emb_conv2 = register_module("emb_conv2", torch::nn::Conv2d(Conv2dOptions(32, 64, 4).stride(2)));
  emb_conv3 = register_module("emb_conv3", torch::nn::Conv2d(Conv2dOptions(64, 64, 4).stride(2)));
  emb_fc0 = register_module("emb_fc0", torch::nn::Linear(LinearOptions(256, 256)));
  fcmu = register_module("fcmu", torch::nn::Linear(LinearOptions(256, l)));
  fclogvar = register_module("fclogvar", torch::nn::Linear(LinearOptions(256, l)));
  {
    // The paper's initialisation change: log σ² starts near −3 instead of 0.
    torch::NoGradGuard no_grad;
    fclogvar->bias.sub_(3.0);
  }
  gen_fc0 = register_module("gen_fc0", torch::nn::Linear(LinearOptions(l, 256)));
  gen_fc1 = register_module("gen_fc1", torch::nn::Linear(LinearOptions(256, 1024)));
  gen_conv0 = register_module("gen_conv0", torch::nn::ConvTranspose2d(ConvTranspose2dOptions(64, 64, 4).stride(2)));
  gen_conv1 = register_module("gen_conv1", torch::nn::ConvTranspose2d(ConvTranspose2dOptions(64, 32, 4).stride(2)));
  gen_conv2 = register_module("gen_conv2", torch::nn::ConvTranspose2d(ConvTranspose2dOptions(32, 32, 4).stride(2)));
  gen_conv3 = register_module("gen_conv3", torch::nn::ConvTranspose2d(ConvTranspose2dOptions(32, c, 4).stride(2)));
}

std::tuple<torch::Tensor, torch::Tensor> VaeImpl::encode_dlib(const torch::Tensor& x) {
  auto h = torch::relu(e1(x));
  h = torch::relu(e2(h));
  h = torch::relu(e3(h));
  h = torch::relu(e4(h));
  h = torch::relu(e5(h.permute({0, 2, 3, 1}).flatten(1)));  // TF flattens (H, W, C)
  return {means(h), log_var(h)};
}

torch::Tensor VaeImpl::decode_logits_dlib(const torch::Tensor& z) {
  auto h = torch::relu(d1(z));
  h = torch::relu(d2(h)).view({-1, 4, 4, 64}).permute({0, 3, 1, 2});  // TF reshapes to NHWC
  h = torch::relu(d3(h));
  h = torch::relu(d4(h));
  h = torch::relu(d5(h));
  return d6(h);
}

torch::Tensor VaeImpl::decode_jvp_dlib(const torch::Tensor& z, const torch::Tensor& tangents) {
  auto relu_pair = [](torch::Tensor& h, torch::Tensor& dh) {
    auto mask = (h > 0).to(h.scalar_type());
    dh = scale_blocks(dh, mask);
    h = torch::relu(h);
  };
  auto h = d1(z);
  auto dh = torch::linear(tangents, d1->weight);
  relu_pair(h, dh);
  h = d2(h);
  dh = torch::linear(dh, d2->weight);
  relu_pair(h, dh);
  h = h.view({-1, 4, 4, 64}).permute({0, 3, 1, 2});
  dh = dh.view({-1, 4, 4, 64}).permute({0, 3, 1, 2});
  const std::vector<torch::nn::ConvTranspose2d*> convs{&d3, &d4, &d5, &d6};
  for (size_t i = 0; i < convs.size(); ++i) {
    auto& conv = *convs[i];
    h = conv(h);
    dh = torch::conv_transpose2d(dh, conv->weight, {}, 2, 1);
    if (i + 1 < convs.size()) relu_pair(h, dh);
  }
  auto s = torch::sigmoid(h);
  return scale_blocks(dh, s * (1 - s));
}

std::tuple<torch::Tensor, torch::Tensor> VaeImpl::encode(const torch::Tensor& x) {
  if (options_.architecture == Architecture::Dlib) return encode_dlib(x);
  auto h = torch::relu(emb_conv0(x));
  h = torch::relu(emb_conv1(h));
  h = torch::relu(emb_conv2(h));
  h = torch::relu(emb_conv3(h));
  h = torch::relu(emb_fc0(h.flatten(1)));
  return {fcmu(h), fclogvar(h)};
}

torch::Tensor VaeImpl::decode_logits(const torch::Tensor& z) {
  if (options_.architecture == Architecture::Dlib) return decode_logits_dlib(z);
  auto h = torch::relu(gen_fc0(z));
  h = torch::relu(gen_fc1(h)).view({-1, 64, 4, 4});
  h = crop1(torch::relu(gen_conv0(h)));
  h = crop1(torch::relu(gen_conv1(h)));
  h = crop1(torch::relu(gen_conv2(h)));
  return crop1(gen_conv3(h));
}

torch::Tensor VaeImpl::decode(const torch::Tensor& z) { return torch::sigmoid(decode_logits(z)); }

torch::Tensor VaeImpl::decode_jvp(const torch::Tensor& z, const torch::Tensor& tangents) {
  TORCH_CHECK(z.dim() == 2 && tangents.dim() == 2 && z.size(1) == tangents.size(1) &&
                  tangents.size(0) % z.size(0) == 0,
              "decode_jvp: z (B,L) and tangents (M*B,L) expected");
  if (options_.architecture == Architecture::Dlib) return decode_jvp_dlib(z, tangents);
  // Primal h and tangent dh side by side; the tangent of an affine layer is the layer without its bias, of a
  // ReLU the tangent masked where the primal input is > 0 (PyTorch's ReLU derivative, 0 at 0).
  auto relu_pair = [](torch::Tensor& h, torch::Tensor& dh) {
    auto mask = (h > 0).to(h.scalar_type());
    dh = scale_blocks(dh, mask);
    h = torch::relu(h);
  };
  auto h = gen_fc0(z);
  auto dh = torch::linear(tangents, gen_fc0->weight);
  relu_pair(h, dh);
  h = gen_fc1(h);
  dh = torch::linear(dh, gen_fc1->weight);
  relu_pair(h, dh);
  h = h.view({-1, 64, 4, 4});
  dh = dh.view({-1, 64, 4, 4});
  const std::vector<torch::nn::ConvTranspose2d*> convs{&gen_conv0, &gen_conv1, &gen_conv2, &gen_conv3};
  for (size_t i = 0; i < convs.size(); ++i) {
    auto& conv = *convs[i];
    h = conv(h);
    dh = torch::conv_transpose2d(dh, conv->weight, {}, 2);
    if (i + 1 < convs.size()) relu_pair(h, dh);
    h = crop1(h);
    dh = crop1(dh);
  }
  auto s = torch::sigmoid(h);
  return scale_blocks(dh, s * (1 - s));
}

std::int64_t count_parameters(const torch::nn::Module& module) {
  std::int64_t n = 0;
  for (const auto& p : module.parameters()) n += p.numel();
  return n;
}

// --- TorchScript export -------------------------------------------------------------------------------------

namespace {

std::string script_name(const std::string& param_name) {
  std::string s = param_name;
  for (size_t pos = 0; (pos = s.find('.', pos)) != std::string::npos;) s.replace(pos, 1, "__");
  return s;
}

const char* kEncodeSource = R"(
def encode(self, x):
    h = torch.relu(torch.conv2d(x, self.emb_conv0__weight, self.emb_conv0__bias, [2, 2]))
    h = torch.relu(torch.conv2d(h, self.emb_conv1__weight, self.emb_conv1__bias, [2, 2]))
    h = torch.relu(torch.conv2d(h, self.emb_conv2__weight, self.emb_conv2__bias, [2, 2]))
    h = torch.relu(torch.conv2d(h, self.emb_conv3__weight, self.emb_conv3__bias, [2, 2]))
    h = torch.relu(torch.linear(torch.flatten(h, 1), self.emb_fc0__weight, self.emb_fc0__bias))
    return torch.linear(h, self.fcmu__weight, self.fcmu__bias), torch.linear(h, self.fclogvar__weight, self.fclogvar__bias)

def forward(self, x):
    mu, logvar = self.encode(x)
    return mu
)";

const char* kDecodeSource = R"(
def decode(self, z):
    h = torch.relu(torch.linear(z, self.gen_fc0__weight, self.gen_fc0__bias))
    h = torch.relu(torch.linear(h, self.gen_fc1__weight, self.gen_fc1__bias)).view(-1, 64, 4, 4)
    h = torch.relu(torch.conv_transpose2d(h, self.gen_conv0__weight, self.gen_conv0__bias, [2, 2]))[:, :, 1:-1, 1:-1]
    h = torch.relu(torch.conv_transpose2d(h, self.gen_conv1__weight, self.gen_conv1__bias, [2, 2]))[:, :, 1:-1, 1:-1]
    h = torch.relu(torch.conv_transpose2d(h, self.gen_conv2__weight, self.gen_conv2__bias, [2, 2]))[:, :, 1:-1, 1:-1]
    h = torch.conv_transpose2d(h, self.gen_conv3__weight, self.gen_conv3__bias, [2, 2])[:, :, 1:-1, 1:-1]
    return torch.sigmoid(h)
)";

const char* kEncodeSourceDlib = R"(
def encode(self, x):
    h = torch.relu(torch.conv2d(x, self.e1__weight, self.e1__bias, [2, 2], [1, 1]))
    h = torch.relu(torch.conv2d(h, self.e2__weight, self.e2__bias, [2, 2], [1, 1]))
    h = torch.relu(torch.conv2d(h, self.e3__weight, self.e3__bias, [2, 2], [0, 0]))
    h = torch.relu(torch.conv2d(h, self.e4__weight, self.e4__bias, [2, 2], [0, 0]))
    h = torch.relu(torch.linear(torch.flatten(h.permute(0, 2, 3, 1), 1), self.e5__weight, self.e5__bias))
    return torch.linear(h, self.means__weight, self.means__bias), torch.linear(h, self.log_var__weight, self.log_var__bias)

def forward(self, x):
    mu, logvar = self.encode(x)
    return mu
)";

const char* kDecodeSourceDlib = R"(
def decode(self, z):
    h = torch.relu(torch.linear(z, self.d1__weight, self.d1__bias))
    h = torch.relu(torch.linear(h, self.d2__weight, self.d2__bias)).view(-1, 4, 4, 64).permute(0, 3, 1, 2)
    h = torch.relu(torch.conv_transpose2d(h, self.d3__weight, self.d3__bias, [2, 2], [1, 1]))
    h = torch.relu(torch.conv_transpose2d(h, self.d4__weight, self.d4__bias, [2, 2], [1, 1]))
    h = torch.relu(torch.conv_transpose2d(h, self.d5__weight, self.d5__bias, [2, 2], [1, 1]))
    h = torch.conv_transpose2d(h, self.d6__weight, self.d6__bias, [2, 2], [1, 1])
    return torch.sigmoid(h)
)";

void save_script_module(Vae& vae, const std::filesystem::path& path, bool with_decoder) {
  torch::jit::Module m(with_decoder ? "axial_vae" : "axial_encoder");
  const bool dlib = vae->options().architecture == Architecture::Dlib;
  for (const auto& item : vae->named_parameters()) {
    const bool decoder_param = vae->is_decoder_parameter(item.key());
    if (decoder_param && !with_decoder) continue;
    m.register_parameter(script_name(item.key()), item.value().detach().to(torch::kCPU).clone(), false);
  }
  m.register_attribute("channels", c10::IntType::get(), static_cast<int64_t>(vae->options().channels));
  m.register_attribute("latent_dim", c10::IntType::get(), static_cast<int64_t>(vae->options().latent_dim));
  // Only the dlib architecture carries the attribute, so the paper model's files stay as they were.
  if (dlib) m.register_attribute("architecture", c10::StringType::get(), std::string("dlib"));
  if (dlib)
    m.define(std::string(kEncodeSourceDlib) + (with_decoder ? kDecodeSourceDlib : ""));
  else
    m.define(std::string(kEncodeSource) + (with_decoder ? kDecodeSource : ""));
  m.eval();
  std::filesystem::create_directories(path.parent_path().empty() ? "." : path.parent_path());
  // Serialised in memory, then written by write_file_atomically: LibTorch's file writer throws from its destructor
  // when a write fails (std::terminate); this way a full disk is one error naming the file.
  std::ostringstream bytes;
  m.save(bytes);
  write_file_atomically(path, bytes.str());
}

}  // namespace

void save_vae_torchscript(Vae& vae, const std::filesystem::path& path) { save_script_module(vae, path, true); }
void save_encoder_torchscript(Vae& vae, const std::filesystem::path& path) { save_script_module(vae, path, false); }

Vae load_vae_file(const std::filesystem::path& vae_pt, torch::Device device) {
  if (!std::filesystem::exists(vae_pt)) throw Error(fmt::format("'{}': file not found", vae_pt.string()));
  torch::jit::Module m;
  try {
    m = torch::jit::load(vae_pt.string(), torch::kCPU);
  } catch (const c10::Error& e) {
    throw Error(fmt::format("'{}': not a TorchScript file ({})", vae_pt.string(), e.what_without_backtrace()));
  }
  if (!m.hasattr("channels") || !m.hasattr("latent_dim") || !m.find_method("decode"))
    throw Error(fmt::format("'{}': not an axial vae.pt (no channels/latent_dim attributes or decode method)",
                            vae_pt.string()));
  VaeOptions options;
  options.channels = static_cast<int>(m.attr("channels").toInt());
  options.latent_dim = static_cast<int>(m.attr("latent_dim").toInt());
  if (m.hasattr("architecture")) {
    const auto a = m.attr("architecture");
    if (!a.isString() || (a.toStringRef() != "paper" && a.toStringRef() != "dlib"))
      throw Error(fmt::format("'{}': attribute 'architecture' is not \"paper\" or \"dlib\"", vae_pt.string()));
    options.architecture = parse_architecture(a.toStringRef());
  }
  Vae vae(options);
  std::map<std::string, torch::Tensor> stored;
  for (const auto& p : m.named_parameters(false)) stored[p.name] = p.value;
  torch::NoGradGuard no_grad;
  for (auto& item : vae->named_parameters()) {
    auto it = stored.find(script_name(item.key()));
    if (it == stored.end() || !it->second.sizes().equals(item.value().sizes()))
      throw Error(fmt::format("'{}': parameter '{}' missing or of the wrong shape", vae_pt.string(), item.key()));
    item.value().copy_(it->second);
  }
  vae->to(device);
  vae->eval();
  return vae;
}

Vae load_vae(const std::filesystem::path& train_dir, torch::Device device) {
  return load_vae_file(train_dir / "model" / "vae.pt", device);
}

torch::Tensor decoder_jacobian(Vae& vae, const torch::Tensor& z) {
  TORCH_CHECK(z.dim() == 2 && z.size(1) == vae->options().latent_dim, "decoder_jacobian: z must be (N, latent_dim)");
  torch::NoGradGuard no_grad;
  const int64_t n = z.size(0), l = z.size(1);
  const int64_t chunk = 256;
  std::vector<torch::Tensor> parts;
  for (int64_t start = 0; start < n; start += chunk) {
    auto zc = z.narrow(0, start, std::min(chunk, n - start));
    const int64_t b = zc.size(0);
    // Tangent rows l·b + i = e_l for every point i.
    auto tangents = torch::eye(l, zc.options()).repeat_interleave(b, 0);
    auto jv = vae->decode_jvp(zc, tangents);               // (L·b, C, H, W)
    parts.push_back(jv.view({l, b, jv.size(1), jv.size(2), jv.size(3)}).transpose(0, 1));
  }
  return torch::cat(parts, 0).contiguous();
}

}  // namespace axial::models
