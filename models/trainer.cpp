#include "models/trainer.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <c10/core/StreamGuard.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>
#include <fmt/core.h>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <torch/torch.h>
#include <fcntl.h>
#include <torch/version.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "axial/version.hpp"
#include "src/core/atomic_output.hpp"
#include "src/core/json_guard.hpp"
#include "src/core/random.hpp"
#include "src/core/run_lock.hpp"
#include "datasets/npz.hpp"
#include "datasets/registry.hpp"
#include "datasets/three_dots.hpp"
#include "src/core/error.hpp"
#include "src/core/progress.hpp"
#include "models/device.hpp"
#include "models/loss.hpp"
#include "models/optimizer.hpp"
#include "models/regularizers.hpp"
#include "models/step_dump.hpp"
#include "models/vae.hpp"

namespace axial::models {

namespace fs = std::filesystem;
using json = nlohmann::json;

// ---------------------------------------------------------------------------------------------------------------
// Options

void validate(const TrainOptions& o) {
  auto need = [](bool ok, const std::string& msg) {
    if (!ok) throw Error(msg);
  };
  need(std::isfinite(o.beta) && o.beta >= 0, fmt::format("--beta {}: must be a finite number >= 0", o.beta));
  need(std::isfinite(o.gamma) && o.gamma >= 0, fmt::format("--gamma {}: must be a finite number >= 0", o.gamma));
  need(std::isfinite(o.lr) && o.lr > 0, fmt::format("--lr {}: must be a finite number > 0", o.lr));
  need(o.steps >= 0, fmt::format("--steps {}: must be >= 0", o.steps));
  need(o.anneal_steps >= 0, fmt::format("--anneal-steps {}: must be >= 0", o.anneal_steps));
  need(o.latent_dim >= 1, fmt::format("--latent-dim {}: must be >= 1", o.latent_dim));
  need(o.batch_size >= 1, fmt::format("--batch-size {}: must be >= 1", o.batch_size));
  need(o.train_cache >= 1, fmt::format("--train-cache {}: must be >= 1", o.train_cache));
  need(o.log_every >= 1, fmt::format("--log-every {}: must be >= 1", o.log_every));
  need(o.checkpoint_every >= 1, fmt::format("--checkpoint-every {}: must be >= 1", o.checkpoint_every));
  need(o.threads >= 0, fmt::format("--threads {}: must be >= 0 (0 = all hardware threads)", o.threads));
  need(o.jacobian_columns >= 0 && o.jacobian_columns <= o.latent_dim,
       fmt::format("--jacobian-columns {}: must be in 0..{} (--latent-dim; 0 = all columns)", o.jacobian_columns,
                   o.latent_dim));
  parse_penalty(o.penalty);
  parse_jacobian(o.jacobian);
  need(!o.dataset.empty(), "--dataset: empty");
  const Method m = parse_method(o.method);
  parse_architecture(o.architecture);
  parse_adam(o.adam);
  if (m == Method::Jl1 || m == Method::Jl2) {
    const char* want = m == Method::Jl1 ? "l1" : "l2";
    need(o.penalty == want, fmt::format("--penalty {} contradicts --method {} (which is the {} penalty)", o.penalty,
                                        o.method, want));
  }
  need(std::isfinite(o.lambda_od) && o.lambda_od >= 0,
       fmt::format("--lambda-od {}: must be a finite number >= 0", o.lambda_od));
  need(std::isfinite(o.lambda_d_factor) && o.lambda_d_factor >= 0,
       fmt::format("--lambda-d-factor {}: must be a finite number >= 0", o.lambda_d_factor));
  need(std::isfinite(o.c_max) && o.c_max >= 0, fmt::format("--c-max {}: must be a finite number >= 0", o.c_max));
  need(o.iteration_threshold >= 1, fmt::format("--iteration-threshold {}: must be >= 1", o.iteration_threshold));
  need(!o.dlib_step_count || m == Method::FactorVae,
       fmt::format("--dlib-step-count: only factor_vae counts steps twice in disentanglement_lib (not --method {})",
                   o.method));
  if (!o.dump_step.empty()) {
    need(o.steps >= 1, "--dump-step: needs --steps >= 1 (it writes the first step's tensors)");
    const fs::path parent = fs::path(o.dump_step).parent_path();
    need(parent.empty() || fs::is_directory(parent),
         fmt::format("--dump-step '{}': directory '{}' does not exist", o.dump_step, parent.string()));
  }
}

const std::vector<std::string>& method_options(const std::string& method) {
  static const std::vector<std::vector<std::string>> per_method = {
      {"beta", "gamma", "penalty", "jacobian", "jacobian-columns", "anneal-steps"},  // jl1
      {"beta", "gamma", "penalty", "jacobian", "jacobian-columns", "anneal-steps"},  // jl2
      {"beta"},                                                                      // beta_vae
      {"gamma", "c-max", "iteration-threshold"},                                     // annealed_vae
      {"lambda-od", "lambda-d-factor"},                                              // dip_vae_i
      {"lambda-od", "lambda-d-factor"},                                              // dip_vae_ii
      {"beta"},                                                                      // beta_tc_vae
      {"gamma", "dlib-step-count"}};                                                 // factor_vae
  return per_method[static_cast<std::size_t>(parse_method(method))];
}

const std::vector<std::string>& method_option_names() {
  static const std::vector<std::string> all = {"beta",      "gamma",           "penalty", "jacobian",
                                               "jacobian-columns", "anneal-steps", "lambda-od",
                                               "lambda-d-factor",  "c-max",   "iteration-threshold",
                                               "dlib-step-count"};
  return all;
}

void set_method_defaults(TrainOptions& o, const std::vector<std::string>& given) {
  auto unset = [&](const char* name) { return std::find(given.begin(), given.end(), name) == given.end(); };
  switch (parse_method(o.method)) {
    case Method::FactorVae:
      if (unset("gamma")) o.gamma = 30.0;
      break;
    case Method::AnnealedVae:
      if (unset("gamma")) o.gamma = 1000.0;
      if (unset("c-max")) o.c_max = 25.0;
      if (unset("iteration-threshold")) o.iteration_threshold = 100000;
      break;
    case Method::DipVaeI:
      if (unset("lambda-od")) o.lambda_od = 5.0;
      if (unset("lambda-d-factor")) o.lambda_d_factor = 10.0;
      break;
    case Method::DipVaeII:
      if (unset("lambda-od")) o.lambda_od = 5.0;
      if (unset("lambda-d-factor")) o.lambda_d_factor = 1.0;
      break;
    case Method::BetaVae:
    case Method::BetaTcVae:
      if (unset("beta")) o.beta = 4.0;
      break;
    case Method::Jl1:
    case Method::Jl2:
      if (unset("penalty")) o.penalty = o.method == "jl1" ? "l1" : "l2";
      break;
  }
}

std::int64_t update_count(const TrainOptions& o) { return o.dlib_step_count ? (o.steps + 1) / 2 : o.steps; }

json options_to_json(const TrainOptions& o) {
  json j{{"dataset", o.dataset},
         {"method", o.method},
         {"architecture", o.architecture},
         {"adam", o.adam},
         {"latent_dim", o.latent_dim},
         {"batch_size", o.batch_size},
         {"lr", o.lr},
         {"steps", o.steps},
         {"train_cache", o.train_cache},
         {"seed", o.seed},
         {"data_seed", o.data_seed},
         {"device", o.device},
         {"log_every", o.log_every},
         {"checkpoint_every", o.checkpoint_every}};
  for (const auto& name : method_options(o.method)) {
    if (name == "beta") j["beta"] = o.beta;
    if (name == "gamma") j["gamma"] = o.gamma;
    if (name == "penalty") j["penalty"] = o.penalty;
    if (name == "jacobian") j["jacobian"] = o.jacobian;
    if (name == "jacobian-columns") j["jacobian_columns"] = o.jacobian_columns;
    if (name == "anneal-steps") j["anneal_steps"] = o.anneal_steps;
    if (name == "lambda-od") j["lambda_od"] = o.lambda_od;
    if (name == "lambda-d-factor") j["lambda_d_factor"] = o.lambda_d_factor;
    if (name == "c-max") j["c_max"] = o.c_max;
    if (name == "iteration-threshold") j["iteration_threshold"] = o.iteration_threshold;
    if (name == "dlib-step-count") j["dlib_step_count"] = o.dlib_step_count;
  }
  return j;
}

TrainOptions options_from_json(const json& j, const std::string& where) {
  TrainOptions o;
  auto get = [&](const char* key, auto& field) {
    if (!j.contains(key)) throw Error(fmt::format("{}: key 'options.{}' missing", where, key));
    try {
      j.at(key).get_to(field);
    } catch (const json::exception&) {
      throw Error(fmt::format("{}: key 'options.{}' has the wrong type", where, key));
    }
  };
  get("dataset", o.dataset);
  if (j.contains("method")) {
    get("method", o.method);
    try {
      parse_method(o.method);
    } catch (const Error&) {
      throw Error(fmt::format("{}: key 'options.method' is '{}', not a method (valid: {})", where, o.method,
                              fmt::join(method_names(), ", ")));
    }
    get("architecture", o.architecture);
    get("adam", o.adam);
  } else {
    // Written before --method existed: the paper's objective, its penalty naming the method.
    get("penalty", o.penalty);
    o.method = o.penalty == "l2" ? "jl2" : "jl1";
  }
  for (const auto& name : method_options(o.method)) {
    if (name == "beta") get("beta", o.beta);
    if (name == "gamma") get("gamma", o.gamma);
    if (name == "penalty") get("penalty", o.penalty);
    if (name == "jacobian") get("jacobian", o.jacobian);
    if (name == "jacobian-columns") get("jacobian_columns", o.jacobian_columns);
    if (name == "anneal-steps") get("anneal_steps", o.anneal_steps);
    if (name == "lambda-od") get("lambda_od", o.lambda_od);
    if (name == "lambda-d-factor") get("lambda_d_factor", o.lambda_d_factor);
    if (name == "c-max") get("c_max", o.c_max);
    if (name == "iteration-threshold") get("iteration_threshold", o.iteration_threshold);
    if (name == "dlib-step-count") get("dlib_step_count", o.dlib_step_count);
  }
  get("latent_dim", o.latent_dim);
  get("batch_size", o.batch_size);
  get("lr", o.lr);
  get("steps", o.steps);
  get("train_cache", o.train_cache);
  get("seed", o.seed);
  get("data_seed", o.data_seed);
  get("device", o.device);
  get("log_every", o.log_every);
  get("checkpoint_every", o.checkpoint_every);
  return o;
}

namespace {
MethodConfig method_config(const TrainOptions& o) {
  MethodConfig c;
  c.method = parse_method(o.method);
  c.beta = o.beta;
  c.gamma = o.gamma;
  c.anneal_steps = o.anneal_steps;
  c.penalty.kind = parse_penalty(o.penalty);
  c.penalty.method = parse_jacobian(o.jacobian);
  c.penalty.columns = o.jacobian_columns;
  c.lambda_od = o.lambda_od;
  c.lambda_d_factor = o.lambda_d_factor;
  c.c_max = o.c_max;
  c.iteration_threshold = o.iteration_threshold;
  return c;
}
}  // namespace

void batch_indices(std::uint64_t data_seed, std::int64_t t, std::int64_t cache_size, std::int64_t batch,
                   std::int64_t* out) {
  Rng rng = make_rng(mix_seed(data_seed, 1), static_cast<std::uint64_t>(t));
  for (std::int64_t i = 0; i < batch; ++i) out[i] = uniform_int(rng, 0, cache_size - 1);
}

namespace {

// ---------------------------------------------------------------------------------------------------------------
// The training image cache: (N, C, 64, 64), uint8 codes with a 256-entry float table when every pixel value is one
// of the table's (three-dots: levels of 0.01; 8-bit data: v/255), else float32.

struct ImageCache {
  std::int64_t n = 0;
  int channels = 1;
  torch::Tensor codes;   // uint8 (N,C,64,64), or undefined
  torch::Tensor floats;  // float (N,C,64,64), or undefined
  std::array<float, 256> table{};
  std::string storage;   // "levels/100", "uint8/255" or "float32"

  std::int64_t image_size() const { return std::int64_t(channels) * kImageSize * kImageSize; }

  // Writes images idx[0..b) into out (b·C·64·64 floats).
  void gather(const std::int64_t* idx, std::int64_t b, float* out) const {
    const std::int64_t sz = image_size();
    if (codes.defined()) {
      const std::uint8_t* base = codes.data_ptr<std::uint8_t>();
      for (std::int64_t i = 0; i < b; ++i) {
        const std::uint8_t* src = base + idx[i] * sz;
        float* dst = out + i * sz;
        for (std::int64_t p = 0; p < sz; ++p) dst[p] = table[src[p]];
      }
    } else {
      const float* base = floats.data_ptr<float>();
      for (std::int64_t i = 0; i < b; ++i) std::memcpy(out + i * sz, base + idx[i] * sz, sizeof(float) * sz);
    }
  }
};

// The factor rows of the cache: all of a file's rows when it holds at most n distinct rows, else n rows drawn
// uniformly (each factor uniform, or uniform among existing rows) from make_rng(data_seed, 0).
FactorMatrix cache_factors(const datasets::GroundTruthData& data, std::int64_t n, std::uint64_t data_seed) {
  if (const FactorMatrix* rows = data.existing_rows()) {
    if (rows->cols() <= n) return *rows;
    Rng rng = make_rng(data_seed, 0);
    FactorMatrix f(rows->rows(), n);
    for (std::int64_t i = 0; i < n; ++i) f.col(i) = rows->col(uniform_int(rng, 0, rows->cols() - 1));
    return f;
  }
  Rng rng = make_rng(data_seed, 0);
  const auto& sizes = data.factor_sizes();
  FactorMatrix f(static_cast<Eigen::Index>(sizes.size()), n);
  for (std::int64_t i = 0; i < n; ++i)
    for (size_t k = 0; k < sizes.size(); ++k) f(static_cast<Eigen::Index>(k), i) = uniform_int(rng, 0, sizes[k] - 1);
  return f;
}

std::array<float, 256> table_over(int denominator) {
  std::array<float, 256> t{};
  for (int i = 0; i < 256; ++i) t[static_cast<size_t>(i)] = i <= denominator ? float(i) * (1.f / float(denominator)) : 0.f;
  return t;
}

// The VAE's input size (checked before a run directory is made).
void check_trainable(const datasets::GroundTruthData& data) {
  const auto shape = data.observation_shape();
  if (shape.height != kImageSize || shape.width != kImageSize)
    throw Error(fmt::format("--dataset {}: images are {}x{}, the VAE needs {}x{}", data.name(), shape.height,
                            shape.width, kImageSize, kImageSize));
}

ImageCache build_cache(const datasets::GroundTruthData& data, std::int64_t n_wanted, std::uint64_t data_seed,
                       const std::function<void(std::int64_t, std::int64_t)>& progress) {
  check_trainable(data);
  const auto shape = data.observation_shape();
  FactorMatrix factors = cache_factors(data, n_wanted, data_seed);
  ImageCache cache;
  cache.n = factors.cols();
  cache.channels = shape.channels;
  const std::int64_t sz = cache.image_size();
  const std::int64_t chunk = 2048;
  if (const auto* dots = dynamic_cast<const datasets::ThreeDots*>(&data)) {
    cache.storage = "levels/100";
    for (int l = 0; l <= datasets::ThreeDots::kLevels; ++l)
      cache.table[static_cast<size_t>(l)] = datasets::ThreeDots::level_to_float(l);
    cache.codes = torch::empty({cache.n, 1, kImageSize, kImageSize}, torch::kUInt8);
    auto* out = cache.codes.data_ptr<std::uint8_t>();
    for (std::int64_t s = 0; s < cache.n; s += chunk) {
      const std::int64_t m = std::min(chunk, cache.n - s);
      FactorMatrix block = factors.middleCols(s, m);
      dots->render_levels(block, out + s * sz);
      if (progress) progress(s + m, cache.n);
    }
    return cache;
  }
  // Generic: render floats (N,H,W,C) in chunks, store as (N,C,H,W); codes while every value is on a table.
  const auto t255 = table_over(255), t100 = table_over(100);
  int mode = 255;  // 255, 100 or 0 (float)
  cache.codes = torch::empty({cache.n, shape.channels, kImageSize, kImageSize}, torch::kUInt8);
  std::vector<float> buf(static_cast<size_t>(chunk * sz)), chw(static_cast<size_t>(sz));
  auto to_float_storage = [&](std::int64_t done) {
    const auto& t = mode == 255 ? t255 : t100;
    cache.floats = torch::empty({cache.n, shape.channels, kImageSize, kImageSize}, torch::kFloat);
    const std::uint8_t* c = cache.codes.data_ptr<std::uint8_t>();
    float* f = cache.floats.data_ptr<float>();
    for (std::int64_t i = 0; i < done * sz; ++i) f[i] = t[c[i]];
    cache.codes = torch::Tensor();
    mode = 0;
  };
  auto encodes = [&](const float* img, const std::array<float, 256>& t, int denom) {
    for (std::int64_t p = 0; p < sz; ++p) {
      const long q = std::lround(double(img[p]) * denom);
      if (q < 0 || q > denom || t[static_cast<size_t>(q)] != img[p]) return false;
    }
    return true;
  };
  for (std::int64_t s = 0; s < cache.n; s += chunk) {
    const std::int64_t m = std::min(chunk, cache.n - s);
    FactorMatrix block = factors.middleCols(s, m);
    data.observations(block, buf.data());
    for (std::int64_t i = 0; i < m; ++i) {
      const float* hwc = buf.data() + i * sz;
      for (int c = 0; c < shape.channels; ++c)
        for (int p = 0; p < kImageSize * kImageSize; ++p) chw[size_t(c * kImageSize * kImageSize + p)] = hwc[p * shape.channels + c];
      if (mode == 255 && !encodes(chw.data(), t255, 255)) mode = (s + i == 0 && encodes(chw.data(), t100, 100)) ? 100 : mode;
      if (mode == 255 && !encodes(chw.data(), t255, 255)) to_float_storage(s + i);
      if (mode == 100 && !encodes(chw.data(), t100, 100)) to_float_storage(s + i);
      const std::int64_t off = (s + i) * sz;
      if (mode == 0) {
        std::memcpy(cache.floats.data_ptr<float>() + off, chw.data(), sizeof(float) * sz);
      } else {
        auto* c = cache.codes.data_ptr<std::uint8_t>() + off;
        for (std::int64_t p = 0; p < sz; ++p) c[p] = static_cast<std::uint8_t>(std::lround(double(chw[size_t(p)]) * mode));
      }
    }
    if (progress) progress(s + m, cache.n);
  }
  if (mode != 0) {
    cache.table = mode == 255 ? t255 : t100;
    cache.storage = mode == 255 ? "uint8/255" : "levels/100";
  } else {
    cache.storage = "float32";
  }
  return cache;
}

// ---------------------------------------------------------------------------------------------------------------
// Batches for steps t0, t0+1, … assembled on a producer thread (overlapping compute), pinned when on CUDA.

class BatchStream {
 public:
  BatchStream(const ImageCache& cache, std::uint64_t data_seed, std::int64_t batch, std::int64_t t0,
              std::int64_t t_end, bool pinned)
      : cache_(cache), data_seed_(data_seed), batch_(batch), next_(t0), end_(t_end), pinned_(pinned) {
    worker_ = std::thread([this] { run(); });
  }
  ~BatchStream() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }
  // The batch of the next step (in order).
  torch::Tensor next() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return !queue_.empty() || error_; });
    if (error_) std::rethrow_exception(error_);
    auto t = std::move(queue_.front());
    queue_.pop_front();
    cv_.notify_all();
    return t;
  }

 private:
  void run() {
    try {
      std::vector<std::int64_t> idx(static_cast<size_t>(batch_));
      for (std::int64_t t = next_; t < end_; ++t) {
        {
          std::unique_lock<std::mutex> lock(mu_);
          cv_.wait(lock, [this] { return stop_ || queue_.size() < 2; });
          if (stop_) return;
        }
        batch_indices(data_seed_, t, cache_.n, batch_, idx.data());
        auto opts = torch::TensorOptions().dtype(torch::kFloat).pinned_memory(pinned_);
        auto x = torch::empty({batch_, cache_.channels, kImageSize, kImageSize}, opts);
        cache_.gather(idx.data(), batch_, x.data_ptr<float>());
        {
          std::lock_guard<std::mutex> lock(mu_);
          queue_.push_back(std::move(x));
        }
        cv_.notify_all();
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu_);
      error_ = std::current_exception();
      cv_.notify_all();
    }
  }

  const ImageCache& cache_;
  std::uint64_t data_seed_;
  std::int64_t batch_, next_, end_;
  bool pinned_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<torch::Tensor> queue_;
  bool stop_ = false;
  std::exception_ptr error_;
  std::thread worker_;
};

// torch's global generator states (CPU and, on CUDA, the device's): every random draw of a run (initialisation,
// ε noise, Jacobian columns) comes from them, so several runs in one process each keep their own copy and swap it
// in around their own steps.
struct GeneratorStates {
  torch::Tensor cpu, device;
};
GeneratorStates save_generators(torch::Device device) {
  GeneratorStates s;
  s.cpu = at::detail::getDefaultCPUGenerator().get_state();
  if (device.is_cuda()) s.device = at::globalContext().defaultGenerator(device).get_state();
  return s;
}
void restore_generators(const GeneratorStates& s, torch::Device device) {
  at::Generator cpu = at::detail::getDefaultCPUGenerator();
  cpu.set_state(s.cpu);
  if (device.is_cuda() && s.device.defined()) {
    at::Generator dev = at::globalContext().defaultGenerator(device);
    dev.set_state(s.device);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Checkpoints: model, optimiser, step, RNG states (torch CPU and, on CUDA, the device generator), the open log
// window. Written to a temp file and renamed.

struct LogWindow {
  torch::Tensor sums;  // (4,) loss, reconstruction, kl, jacobian summed over the window's steps (on device)
  std::int64_t count = 0;
};

// The bytes of an archive, written through a writer that cannot fail.
std::string serialize_archive(torch::serialize::OutputArchive& archive) {
  std::string bytes;
  archive.save_to([&bytes](const void* data, size_t n) -> size_t {
    bytes.append(static_cast<const char*>(data), n);
    return n;
  });
  return bytes;
}

// The trained state: the VAE and its Adam, and for factor_vae the discriminator and its Adam.
struct Networks {
  Vae& vae;
  AdamOptimizer& adam;
  Discriminator* discriminator = nullptr;
  AdamOptimizer* discriminator_adam = nullptr;
};

void save_checkpoint(const fs::path& path, const Networks& nets, std::int64_t step, const LogWindow& window,
                     torch::Device device, const TrainOptions& options) {
  torch::serialize::OutputArchive archive;
  torch::serialize::OutputArchive model_archive, optim_archive;
  nets.vae->save(model_archive);
  nets.adam.save(optim_archive);
  archive.write("model", model_archive);
  archive.write("optimizer", optim_archive);
  if (nets.discriminator) {
    torch::serialize::OutputArchive disc_archive, disc_optim_archive;
    (*nets.discriminator)->save(disc_archive);
    nets.discriminator_adam->save(disc_optim_archive);
    archive.write("discriminator", disc_archive);
    archive.write("discriminator_optimizer", disc_optim_archive);
  }
  archive.write("step", torch::tensor(step, torch::kInt64));
  const GeneratorStates rng = save_generators(device);
  archive.write("rng_cpu", rng.cpu);
  if (rng.device.defined()) archive.write("rng_device", rng.device);
  archive.write("window_sums", window.sums.to(torch::kCPU));
  archive.write("window_count", torch::tensor(window.count, torch::kInt64));
  archive.write("options", c10::IValue(options_to_json(options).dump()));  // what --resume checks config.json against
  // Serialised in memory, written by write_file_atomically: LibTorch's own file writer throws from its destructor
  // when a write fails (std::terminate, a backtrace instead of an error); this way a full disk is one error naming
  // the file, and the previous checkpoint stays in place.
  write_file_atomically(path, serialize_archive(archive));
}

std::int64_t load_checkpoint(const fs::path& path, const Networks& nets, LogWindow& window, torch::Device device) {
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path.string(), device);
    torch::serialize::InputArchive model_archive, optim_archive;
    archive.read("model", model_archive);
    archive.read("optimizer", optim_archive);
    nets.vae->load(model_archive);
    nets.adam.load(optim_archive);
    if (nets.discriminator) {
      torch::serialize::InputArchive disc_archive, disc_optim_archive;
      archive.read("discriminator", disc_archive);
      archive.read("discriminator_optimizer", disc_optim_archive);
      (*nets.discriminator)->load(disc_archive);
      nets.discriminator_adam->load(disc_optim_archive);
    }
    torch::Tensor step, rng_cpu, sums, count;
    archive.read("step", step);
    archive.read("rng_cpu", rng_cpu);
    archive.read("window_sums", sums);
    archive.read("window_count", count);
    GeneratorStates rng{rng_cpu.to(torch::kCPU), {}};
    torch::Tensor rng_device;
    if (device.is_cuda() && archive.try_read("rng_device", rng_device)) rng.device = rng_device.to(torch::kCPU);
    restore_generators(rng, device);
    window.sums = sums.to(device);
    window.count = count.item<std::int64_t>();
    return step.item<std::int64_t>();
  } catch (const c10::Error& e) {
    throw Error(fmt::format("'{}': cannot read checkpoint ({})", path.string(), e.what_without_backtrace()));
  }
}

// --resume: the options in config.json must be those the checkpoint was made with (recorded in it as "options"),
// except those that do not change the numbers: --device, --log-every, --checkpoint-every, and --steps (a run may be
// extended: batches and schedules do not depend on it; it may not end before the checkpoint's step). A config.json
// edited otherwise would continue the checkpoint's numbers under other settings, a run no single set of options
// describes: refused, naming the first option that differs. Checkpoints written before the record existed are
// checked for the step only.
void check_checkpoint_options(const fs::path& ckpt, const TrainOptions& o, const fs::path& config_path) {
  std::error_code ec;
  if (!fs::exists(ckpt, ec)) return;  // no checkpoint yet: the run starts from step 0 with config.json's options
  // LibTorch's zip reader checks no CRC: a changed byte inside a tensor would resume silently from wrong weights.
  try {
    datasets::NpzFile(ckpt).verify_checksums();
  } catch (const Error& e) {
    throw Error(fmt::format("'{}': cannot read checkpoint ({})", ckpt.string(), e.what()));
  }
  c10::IValue recorded;
  bool has_record = false;
  std::int64_t step = 0;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(ckpt.string(), torch::kCPU);
    torch::Tensor t;
    archive.read("step", t);
    step = t.item<std::int64_t>();
    has_record = archive.try_read("options", recorded);
  } catch (const c10::Error& e) {
    throw Error(fmt::format("'{}': cannot read checkpoint ({})", ckpt.string(), e.what_without_backtrace()));
  }
  if (o.steps < step)
    throw Error(fmt::format("--resume: '{}' has steps = {}, fewer than the {} steps '{}' has done; restore "
                            "config.json's value (or start a new run with --out)",
                            config_path.string(), o.steps, step, ckpt.string()));
  if (!has_record) return;
  json made;
  try {
    made = json::parse(recorded.isString() ? recorded.toStringRef() : std::string());
  } catch (const json::exception&) {
    throw Error(fmt::format("'{}': cannot read checkpoint (its record of the options is damaged)", ckpt.string()));
  }
  const json now = options_to_json(o);  // named: items() of a temporary would dangle in the loop
  for (const auto& [key, value] : now.items()) {
    if (key == "device" || key == "steps" || key == "log_every" || key == "checkpoint_every") continue;
    const auto it = made.find(key);
    if (it == made.end() || *it != value)
      throw Error(fmt::format("--resume: '{}' has {} = {}, but '{}' was made with {} = {}; restore config.json's value "
                              "(or start a new run with --out)",
                              config_path.string(), key, value.dump(), ckpt.string(), key,
                              it == made.end() ? std::string("no such option") : it->dump()));
  }
}

// ---------------------------------------------------------------------------------------------------------------

const char* kLogHeader = "step,loss,reconstruction,kl,jacobian,beta_t,gamma_t,images/s\n";
// The other methods' log (beside the loss terms: the regulariser, β-TCVAE's/FactorVAE's TC, AnnealedVAE's C(step),
// FactorVAE's discriminator loss as dlib defines it).
const char* kMethodLogHeader = "step,loss,reconstruction,kl,regularizer,tc,capacity,discriminator,images/s\n";

// Appends rows to train_log.csv with every write checked (a std::ofstream would drop them silently on a full
// disk). close() reports a failed close; the destructor closes without reporting (it must not throw).
class LogAppender {
 public:
  explicit LogAppender(fs::path path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) fail(errno, "cannot open for writing");
  }
  ~LogAppender() {
    if (fd_ >= 0) ::close(fd_);
  }
  LogAppender(const LogAppender&) = delete;
  LogAppender& operator=(const LogAppender&) = delete;

  void append(const std::string& row) {
    std::size_t done = 0;
    while (done < row.size()) {
      const ssize_t n = ::write(fd_, row.data() + done, row.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail(n < 0 ? errno : ENOSPC, "cannot write");
      done += static_cast<std::size_t>(n);
    }
  }
  void close() {
    const int fd = fd_;
    fd_ = -1;
    if (fd >= 0 && ::close(fd) != 0 && errno != EINTR) fail(errno, "cannot write");
  }

 private:
  [[noreturn]] void fail(int err, const char* what) const {
    throw Error(fmt::format("'{}': {} ({})", path_.string(), what, std::strerror(err)));
  }
  fs::path path_;
  int fd_ = -1;
};

// Keeps the header and the rows with step <= `last_step` (a resumed run rewrites what follows its checkpoint).
void truncate_log(const fs::path& path, std::int64_t last_step, const std::string& header) {
  std::string kept = header;
  const auto commas = std::count(header.begin(), header.end(), ',');
  if (std::ifstream in(path); in) {
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      const auto comma = line.find(',');
      std::int64_t step = -1;
      try {
        step = std::stoll(line.substr(0, comma));
      } catch (...) {
        continue;  // a row cut short by a kill
      }
      if (step <= last_step && std::count(line.begin(), line.end(), ',') == commas) kept += line + "\n";
    }
  }
  write_file_atomically(path, kept);
}

struct RunContext {
  TrainOptions options;
  fs::path dir;
  torch::Device device{torch::kCPU};
};

// One run's training: the constructor seeds torch with --seed, initialises the networks (or loads the checkpoint),
// opens the log; step() makes one optimiser update (and the log row / checkpoint it is due); finish() exports the
// model. Several may live in one process (train_seeds, resume_many): the driver gives each its generator states around every call.
class RunState {
 public:
  // `t_start`: when the job started (TrainSummary::seconds counts from it, the cache included).
  RunState(const RunContext& ctx, const ImageCache& cache, bool fresh, std::chrono::steady_clock::time_point t_start)
      : ctx_(ctx), o_(ctx_.options), t_start_(t_start) {
    torch::manual_seed(o_.seed);
    mcfg_ = method_config(o_);
    jl_ = is_jacobian_method(mcfg_.method);
    factor_ = mcfg_.method == Method::FactorVae;
    total_ = update_count(o_);  // optimiser updates (steps, or ceil(steps/2) with dlib_step_count)

    VaeOptions vopt;
    vopt.channels = cache.channels;
    vopt.latent_dim = o_.latent_dim;
    vopt.architecture = parse_architecture(o_.architecture);
    vae_ = Vae(vopt);  // initialised from torch's CPU generator, seeded above
    vae_->to(ctx_.device);
    vae_->train();
    AdamSettings vae_adam;
    vae_adam.lr = o_.lr;
    vae_adam.variant = parse_adam(o_.adam);
    adam_.emplace(vae_->parameters(), vae_adam);
    // FactorVAE's discriminator (initialised after the VAE, from the same generator) and its own Adam
    // (disentanglement_lib: lr 1e-4, β1 0.5, β2 0.9, ε 1e-8).
    if (factor_) {
      disc_.emplace(o_.latent_dim);
      (*disc_)->to(ctx_.device);
      (*disc_)->train();
      AdamSettings d;
      d.lr = 1e-4;
      d.beta1 = 0.5;
      d.beta2 = 0.9;
      d.eps = 1e-8;
      d.variant = vae_adam.variant;
      disc_adam_.emplace((*disc_)->parameters(), d);
      vae_params_ = vae_->parameters();
      disc_params_ = (*disc_)->parameters();
    }

    // Window sums: jl1/jl2 loss, reconstruction, kl, jacobian; the others loss, reconstruction, kl, regularizer,
    // tc, discriminator.
    window_.sums = torch::zeros({jl_ ? 4 : 6}, torch::TensorOptions().dtype(torch::kFloat).device(ctx_.device));
    ckpt_ = ctx_.dir / "checkpoint.pt";
    log_path_ = ctx_.dir / "train_log.csv";
    if (!fresh && fs::exists(ckpt_)) {
      step_ = load_checkpoint(ckpt_, nets(), window_, ctx_.device);
      say(fmt::format("axial train: resuming {} from step {}\n", ctx_.dir.string(), step_));
    }
    resumed_from_ = step_;
    fresh_ = fresh;
    truncate_log(log_path_, step_, jl_ ? kLogHeader : kMethodLogHeader);
    log_.emplace(log_path_);
    // NaN/Inf guard without a per-step host sync on CUDA: the first bad step is recorded on the device and read
    // at log/checkpoint points (on CPU every step, which is free).
    first_bad_ = torch::full({}, -1, torch::TensorOptions().dtype(torch::kInt64).device(ctx_.device));
    window_start_ = std::chrono::steady_clock::now();
    stream_.emplace(cache, o_.data_seed, o_.batch_size, step_, total_, ctx_.device.is_cuda());
  }

  bool done() const { return step_ >= total_; }
  std::int64_t step_count() const { return step_; }
  std::int64_t total() const { return total_; }
  const RunContext& context() const { return ctx_; }
  // "loss …, … images/s" of the last logged window.
  const std::string& detail() const { return detail_; }

  void step() {
    auto x = stream_->next().to(ctx_.device, /*non_blocking=*/true);
    adam_->zero_grad();
    if (factor_) disc_adam_->zero_grad();
    StepRecord terms;
    try {
      terms = method_forward(vae_, disc_ ? &*disc_ : nullptr, x, mcfg_, step_);
    } catch (const c10::Error& e) {
      // On CPU, BCE rejects a NaN decoder output before a NaN loss exists: the same divergence.
      throw TrainingDiverged(fmt::format(
          "loss is NaN or Inf at step {} of {} ({}); training stopped, the last good checkpoint is kept in '{}'",
          step_ + 1, total_, e.what_without_backtrace(), ckpt_.string()));
    }
    auto finite = terms.loss.isfinite();
    if (factor_) finite = finite.logical_and(terms.discriminator_loss.isfinite());
    auto bad_now = finite.logical_not().logical_and(first_bad_ < 0);
    first_bad_.masked_fill_(bad_now, step_ + 1);
    if (!ctx_.device.is_cuda()) check_finite();
    if (fresh_ && step_ == 0 && !o_.dump_step.empty()) write_step_dump(o_.dump_step, terms, o_, step_);
    if (factor_) {
      // Both updates from this one forward pass: the VAE's loss moves only the encoder and decoder, the
      // discriminator's (−discr_loss) only the discriminator (dlib's var_lists), both applied after both
      // gradients are taken.
      auto g = factor_vae_gradients(terms, vae_params_, disc_params_);
      for (std::size_t i = 0; i < vae_params_.size(); ++i) vae_params_[i].mutable_grad() = g.vae[i];
      for (std::size_t i = 0; i < disc_params_.size(); ++i) disc_params_[i].mutable_grad() = g.discriminator[i];
      adam_->step();
      disc_adam_->step();
      // autograd::grad may return views; leave no gradient behind for the next zero_grad to detach in place.
      for (auto& p : vae_params_) p.mutable_grad() = torch::Tensor();
      for (auto& p : disc_params_) p.mutable_grad() = torch::Tensor();
    } else {
      terms.loss.backward();
      adam_->step();
    }
    if (jl_) {
      window_.sums +=
          torch::stack({terms.loss, terms.reconstruction, terms.kl, terms.jacobian}).detach().to(torch::kFloat);
    } else {
      auto zero = torch::zeros({}, terms.loss.options());
      window_.sums += torch::stack({terms.loss, terms.reconstruction, terms.kl, terms.regularizer,
                                    terms.tc.defined() ? terms.tc : zero,
                                    terms.discriminator_loss.defined() ? terms.discriminator_loss : zero})
                          .detach()
                          .to(torch::kFloat);
    }
    ++window_.count;
    const std::int64_t done = step_ + 1;
    const bool log_now = done % o_.log_every == 0 || done == total_;
    const bool ckpt_now = done % o_.checkpoint_every == 0 || done == total_;
    if (log_now) {
      check_finite();
      auto now = std::chrono::steady_clock::now();
      const double secs = std::chrono::duration<double>(now - window_start_).count();
      const double ips = secs > 0 ? double(o_.batch_size) * double(window_.count) / secs : 0.0;
      auto means = (window_.sums / double(window_.count)).to(torch::kCPU).to(torch::kDouble);
      const double* m = means.data_ptr<double>();
      last_loss_ = m[0];
      detail_ = fmt::format("loss {:.2f}, {:.1f} images/s", m[0], ips);
      if (jl_)
        log_->append(fmt::format("{},{},{},{},{},{},{},{:.1f}\n", done, m[0], m[1], m[2], m[3], terms.beta_t,
                                 terms.gamma_t, ips));
      else
        log_->append(fmt::format("{},{},{},{},{},{},{},{},{:.1f}\n", done, m[0], m[1], m[2], m[3], m[4],
                                 terms.capacity, m[5], ips));
      window_.sums.zero_();
      window_.count = 0;
      window_start_ = now;
    }
    if (ckpt_now) {
      check_finite();
      save_checkpoint(ckpt_, nets(), done, window_, ctx_.device, o_);
    }
    step_ = done;
  }

  // Closes the log, writes the final checkpoint if none is due, exports model/vae.pt and model/encoder.pt.
  TrainSummary finish() {
    stream_.reset();
    log_->close();
    if (total_ == 0 || (resumed_from_ == total_ && !fs::exists(ckpt_)))
      save_checkpoint(ckpt_, nets(), step_, window_, ctx_.device, o_);
    vae_->eval();
    save_vae_torchscript(vae_, ctx_.dir / "model" / "vae.pt");
    save_encoder_torchscript(vae_, ctx_.dir / "model" / "encoder.pt");
    TrainSummary s;
    s.steps_done = step_;
    s.resumed_from = resumed_from_;
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start_).count();
    s.final_loss = last_loss_;
    return s;
  }

 private:
  Networks nets() { return Networks{vae_, *adam_, disc_ ? &*disc_ : nullptr, disc_adam_ ? &*disc_adam_ : nullptr}; }
  void say(const std::string& s) const {
    if (!o_.quiet) std::cerr << s << std::flush;
  }
  void check_finite() {
    const auto bad = first_bad_.item<std::int64_t>();
    if (bad >= 0)
      throw TrainingDiverged(fmt::format(
          "loss is NaN or Inf at step {} of {}; training stopped, the last good checkpoint is kept in '{}'", bad,
          total_, ckpt_.string()));
  }

  RunContext ctx_;
  const TrainOptions& o_;
  std::chrono::steady_clock::time_point t_start_, window_start_;
  MethodConfig mcfg_;
  bool jl_ = false, factor_ = false, fresh_ = false;
  std::int64_t total_ = 0, step_ = 0, resumed_from_ = 0;
  Vae vae_{nullptr};
  std::optional<AdamOptimizer> adam_;
  std::optional<Discriminator> disc_;
  std::optional<AdamOptimizer> disc_adam_;
  std::vector<torch::Tensor> vae_params_, disc_params_;
  LogWindow window_;
  fs::path ckpt_, log_path_;
  std::optional<LogAppender> log_;
  torch::Tensor first_bad_;
  std::optional<BatchStream> stream_;
  double last_loss_ = 0;
  std::string detail_;
};

// The caches of a set of runs: one per distinct (data set, --train-cache, --data-seed), shared by the runs that
// agree on them (`--seeds`: all of them).
struct CacheKey {
  std::string dataset;
  std::int64_t n;
  std::uint64_t data_seed;
  bool operator==(const CacheKey& o) const { return dataset == o.dataset && n == o.n && data_seed == o.data_seed; }
};

ImageCache make_cache(const TrainOptions& o, const datasets::GroundTruthData& data) {
  if (!o.quiet)
    std::cerr << fmt::format(
        "axial train: building a cache of {} images from {} (data seed {})\n",
        std::min<std::int64_t>(o.train_cache, data.existing_rows() ? data.existing_rows()->cols() : o.train_cache),
        o.dataset, o.data_seed);
  Progress cache_progress(std::cerr, "  cache", "images", o.quiet);
  cache_progress.silent_for(1.0);
  cache_progress.start(0);
  ImageCache cache = build_cache(data, o.train_cache, o.data_seed, [&](std::int64_t done, std::int64_t total_images) {
    if (cache_progress.total() != total_images) cache_progress.start(total_images, cache_progress.done());
    cache_progress.update_to(done);
  });
  cache_progress.finish();
  return cache;
}

// Trains the runs `ctxs` (each with its data set) to their ends in one process. One run is the plain `axial train`;
// several (`--seeds`) take one update each in turn, each with its own generator states swapped in, so every model is
// bit-for-bit the model it would be alone (same data order: the batches depend only on --data-seed). On CUDA each
// run issues its work on its own stream from the pool, so the GPU overlaps the models' kernels while the host
// queues the next. `started` is called once every run is resumable (logs open, the first step next).
// A run that diverges stops (its last good checkpoint kept) and the others go on; then TrainingDiverged names it.
std::vector<TrainSummary> run_training(const std::vector<RunContext>& ctxs,
                                       const std::vector<const datasets::GroundTruthData*>& data, bool fresh,
                                       const std::function<void()>& started) {
  const TrainOptions& first = ctxs.front().options;
  const bool quiet = first.quiet;
  const auto t_start = std::chrono::steady_clock::now();
  torch::set_num_threads(first.threads > 0 ? first.threads : std::max(1u, std::thread::hardware_concurrency()));

  std::vector<std::pair<CacheKey, std::unique_ptr<ImageCache>>> caches;
  std::vector<const ImageCache*> cache_of(ctxs.size());
  for (std::size_t i = 0; i < ctxs.size(); ++i) {
    const TrainOptions& o = ctxs[i].options;
    CacheKey key{o.dataset, o.train_cache, o.data_seed};
    auto it = std::find_if(caches.begin(), caches.end(), [&](const auto& c) { return c.first == key; });
    if (it == caches.end()) {
      caches.emplace_back(key, std::make_unique<ImageCache>(make_cache(o, *data[i])));
      it = std::prev(caches.end());
    }
    cache_of[i] = it->second.get();
  }

  const bool many = ctxs.size() > 1;
  std::vector<std::unique_ptr<RunState>> runs;
  std::vector<GeneratorStates> gens;
  std::vector<c10::optional<c10::Stream>> streams(ctxs.size());
  for (std::size_t i = 0; i < ctxs.size(); ++i) {
    const torch::Device dev = ctxs[i].device;
    if (many && dev.is_cuda())
      streams[i] = c10::impl::getDeviceGuardImpl(c10::DeviceType::CUDA)->getStreamFromGlobalPool(dev);
    c10::OptionalStreamGuard guard(streams[i]);
    runs.push_back(std::make_unique<RunState>(ctxs[i], *cache_of[i], fresh, t_start));
    gens.push_back(save_generators(dev));
  }
  if (started) started();

  std::int64_t total = 0, already = 0;
  for (const auto& r : runs) {
    total += r->total();
    already += r->step_count();
  }
  std::vector<std::string> failures(runs.size());
  Progress progress(std::cerr,
                    many ? fmt::format("axial train ({} models): step", runs.size()) : std::string("axial train: step"),
                    "steps", quiet);
  progress.start(total, already);
  std::int64_t done_all = already;
  for (bool any = true; any;) {
    any = false;
    for (std::size_t i = 0; i < runs.size(); ++i) {
      RunState& r = *runs[i];
      if (r.done() || !failures[i].empty()) continue;
      const torch::Device dev = r.context().device;
      c10::OptionalStreamGuard guard(streams[i]);
      restore_generators(gens[i], dev);
      try {
        r.step();
      } catch (const TrainingDiverged& e) {
        if (!many) throw;
        failures[i] = e.what();
        continue;
      }
      gens[i] = save_generators(dev);
      ++done_all;
      any = true;
    }
    std::string detail;  // the last model's with a logged window
    for (const auto& r : runs)
      if (!r->detail().empty()) detail = r->detail();
    progress.set_detail(detail);
    progress.update_to(done_all);
  }
  progress.finish();

  std::vector<TrainSummary> out;
  std::string failed;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (!failures[i].empty()) {
      failed += fmt::format("\n  '{}': {}", ctxs[i].dir.string(), failures[i]);
      out.emplace_back();
      continue;
    }
    c10::OptionalStreamGuard guard(streams[i]);
    restore_generators(gens[i], ctxs[i].device);
    out.push_back(runs[i]->finish());
    if (!quiet)
      std::cerr << fmt::format("axial train: {} steps done in {}; model written to '{}'\n", out.back().steps_done,
                               format_duration(out.back().seconds),
                               (ctxs[i].dir / "model").string());
  }
  if (!failed.empty()) {
    int n = 0;
    for (const auto& f : failures) n += !f.empty();
    throw TrainingDiverged(fmt::format("{} of {} models diverged (the others finished):{}", n, runs.size(), failed));
  }
  return out;
}

json make_config(const TrainOptions& o, const datasets::GroundTruthData& data, torch::Device device,
                 const std::vector<std::string>& run_only_options) {
  VaeOptions vopt;
  vopt.channels = data.observation_shape().channels;
  vopt.latent_dim = o.latent_dim;
  vopt.architecture = parse_architecture(o.architecture);
  json j;
  j["command"] = "train";
  j["options"] = options_to_json(o);
  if (!run_only_options.empty()) j["run_options"] = run_only_options;
  j["seed"] = o.seed;
  j["data_seed"] = o.data_seed;
  j["model"] = {{"architecture", vopt.architecture == Architecture::Paper ? "defaultConv" : "dlib conv_encoder/deconv_decoder"},
                {"channels", vopt.channels},
                {"latent_dim", vopt.latent_dim},
                {"image_size", kImageSize},
                {"parameters", count_parameters(*Vae(vopt))}};
  if (parse_method(o.method) == Method::FactorVae) {
    j["model"]["discriminator"] = "fc_discriminator (6 x Dense 1000, leaky ReLU 0.2; Adam lr 1e-4, beta1 0.5, beta2 0.9)";
    j["model"]["discriminator_parameters"] = count_parameters(*Discriminator(o.latent_dim));
  }
  if (o.dlib_step_count) j["updates"] = update_count(o);
  j["dataset"] = {{"spec", o.dataset}, {"name", data.name()}, {"factor_names", data.factor_names()},
                  {"factor_sizes", data.factor_sizes()}};
  j["axial_version"] = kVersion;
  j["git_commit"] = kGitCommit;
  j["device"] = device.str();
  j["libtorch_version"] = TORCH_VERSION;
  j["threads"] = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return j;
}

}  // namespace

namespace {

// Until a fresh run has started training, a failure removes what the run made (config.json, train_log.csv, the lock,
// the directory if it created it), so the same --out can be used again.
class FreshRunUndo {
 public:
  explicit FreshRunUndo(RunDirLock& lock) : lock_(lock) {}
  ~FreshRunUndo() {
    if (!armed_) return;
    std::error_code ec;
    for (const char* name : {"config.json", "train_log.csv"}) fs::remove(lock_.dir() / name, ec);
    lock_.release();
    if (lock_.created_dir()) fs::remove(lock_.dir(), ec);  // only if empty
  }
  FreshRunUndo(const FreshRunUndo&) = delete;
  FreshRunUndo& operator=(const FreshRunUndo&) = delete;
  void disarm() { armed_ = false; }

 private:
  RunDirLock& lock_;
  bool armed_ = true;
};

}  // namespace

TrainSummary train(const TrainOptions& options, const fs::path& out_dir, const std::vector<std::string>& run_only_options) {
  validate(options);
  const torch::Device device = parse_device(options.device);
  RunDirLock::check_new(out_dir, "--out");  // before any work; claim_new below checks again, atomically
  auto data = datasets::open_dataset(options.dataset);
  check_trainable(*data);
  // One writer per directory, for the whole run: a second `train --out` or `--resume` here names this PID.
  RunDirLock lock = RunDirLock::claim_new(out_dir, "--out");
  FreshRunUndo undo(lock);
  // Keep model/ absent until the end; config.json first so an interrupted run can always be resumed.
  write_file_atomically(out_dir / "config.json", make_config(options, *data, device, run_only_options).dump(2) + "\n");
  return run_training({RunContext{options, out_dir, device}}, {data.get()}, /*fresh=*/true, [&] { undo.disarm(); })
      .front();
}

fs::path seed_dir(const fs::path& out_dir, std::uint64_t seed) { return out_dir / fmt::format("seed-{}", seed); }

std::vector<TrainSummary> train_seeds(const TrainOptions& options, const std::vector<std::uint64_t>& seeds,
                                      const fs::path& out_dir, const std::vector<std::string>& run_only_options) {
  if (seeds.empty()) throw Error("--seeds: no seed given (e.g. --seeds 11-20 or --seeds 1,4,7)");
  if (!options.dump_step.empty())
    throw Error("--dump-step cannot be combined with --seeds (every run would write the same file); dump one seed "
                "with --seed");
  for (std::size_t i = 0; i < seeds.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (seeds[i] == seeds[j])
        throw Error(fmt::format("--seeds: seed {} is listed twice (each seed is one run directory)", seeds[i]));
  validate(options);
  const torch::Device device = parse_device(options.device);
  RunDirLock::check_new(out_dir, "--out");
  auto data = datasets::open_dataset(options.dataset);
  check_trainable(*data);
  // OUT is claimed for the whole job, then each OUT/seed-<s>/ as a run of its own (its lock held to the end, so a
  // concurrent --resume of one seed is refused).
  std::vector<RunDirLock> locks;
  std::vector<std::unique_ptr<FreshRunUndo>> undo;
  locks.reserve(seeds.size() + 1);
  locks.push_back(RunDirLock::claim_new(out_dir, "--out"));
  undo.push_back(std::make_unique<FreshRunUndo>(locks.back()));
  std::vector<RunContext> ctxs;
  for (std::uint64_t s : seeds) {
    TrainOptions o = options;
    o.seed = s;
    const fs::path dir = seed_dir(out_dir, s);
    locks.push_back(RunDirLock::claim_new(dir, "--out"));
    undo.push_back(std::make_unique<FreshRunUndo>(locks.back()));
    write_file_atomically(dir / "config.json", make_config(o, *data, device, run_only_options).dump(2) + "\n");
    ctxs.push_back(RunContext{o, dir, device});
  }
  // Undone in reverse order (seed directories before OUT) if anything fails before training starts.
  auto disarm_all = [&] {
    for (auto& u : undo) u->disarm();
  };
  struct ReverseUndo {
    std::vector<std::unique_ptr<FreshRunUndo>>& u;
    ~ReverseUndo() {
      while (!u.empty()) u.pop_back();
    }
  } reverse{undo};
  std::vector<const datasets::GroundTruthData*> per_run(ctxs.size(), data.get());
  return run_training(ctxs, per_run, /*fresh=*/true, disarm_all);
}

namespace {

TrainOptions resume_options(const fs::path& dir, const ResumeOverrides& overrides) {
  const fs::path config_path = dir / "config.json";
  json j;
  try {
    j = json::parse(read_json_text(config_path));  // read_json_text: a file nested absurdly deep is refused first
  } catch (const json::exception& e) {
    throw Error(fmt::format("'{}': not valid JSON ({})", config_path.string(), e.what()));
  }
  if (!j.contains("options") || !j["options"].is_object())
    throw Error(fmt::format("'{}': key 'options' missing", config_path.string()));
  TrainOptions o = options_from_json(j["options"], "'" + config_path.string() + "'");
  o.threads = overrides.threads;
  o.quiet = overrides.quiet;
  if (!overrides.device.empty()) o.device = overrides.device;
  validate(o);
  check_checkpoint_options(dir / "checkpoint.pt", o, config_path);
  return o;
}

}  // namespace

std::vector<fs::path> seed_run_dirs(const fs::path& dir) {
  std::vector<std::pair<std::uint64_t, fs::path>> found;
  std::error_code ec;
  if (!fs::is_directory(dir, ec) || fs::exists(dir / "config.json", ec)) return {};
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("seed-", 0) != 0 || !e.is_directory() || !fs::exists(e.path() / "config.json")) continue;
    const std::string digits = name.substr(5);
    if (digits.empty() || digits.size() > 19 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    found.emplace_back(std::stoull(digits), e.path());
  }
  std::sort(found.begin(), found.end());
  std::vector<fs::path> out;
  for (auto& f : found) out.push_back(f.second);
  return out;
}

std::vector<TrainSummary> resume_many(const std::vector<fs::path>& dirs, const ResumeOverrides& overrides) {
  if (dirs.empty()) throw Error("--resume: no run directory given");
  std::vector<RunDirLock> locks;
  locks.reserve(dirs.size());
  std::vector<RunContext> ctxs;
  for (const auto& dir : dirs) {
    if (!fs::exists(dir / "config.json"))
      throw Error(fmt::format("--resume '{}': no config.json there (not a training directory)", dir.string()));
    locks.push_back(RunDirLock::claim_existing(dir, "--resume"));  // held for the whole run
    TrainOptions o = resume_options(dir, overrides);
    ctxs.push_back(RunContext{o, dir, parse_device(o.device)});
  }
  std::vector<std::unique_ptr<datasets::GroundTruthData>> opened;
  std::vector<std::string> specs;
  std::vector<const datasets::GroundTruthData*> per_run;
  for (const auto& c : ctxs) {
    auto it = std::find(specs.begin(), specs.end(), c.options.dataset);
    if (it == specs.end()) {
      opened.push_back(datasets::open_dataset(c.options.dataset));
      check_trainable(*opened.back());
      specs.push_back(c.options.dataset);
      it = std::prev(specs.end());
    }
    per_run.push_back(opened[static_cast<std::size_t>(it - specs.begin())].get());
  }
  return run_training(ctxs, per_run, /*fresh=*/false, {});
}

std::vector<TrainSummary> resume_seeds(const fs::path& out_dir, const ResumeOverrides& overrides) {
  const auto dirs = seed_run_dirs(out_dir);
  if (dirs.empty())
    throw Error(fmt::format("--resume '{}': neither a training directory (no config.json) nor a --seeds job (no "
                            "seed-<s>/ run directories)",
                            out_dir.string()));
  RunDirLock job = RunDirLock::claim_existing(out_dir, "--resume");  // the job's lock; a killed job's is taken over
  return resume_many(dirs, overrides);
}

TrainSummary resume(const fs::path& dir, const ResumeOverrides& overrides) {
  return resume_many({dir}, overrides).front();
}

}  // namespace axial::models
