#include "src/pipelines/eval_protocol.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <fstream>
#include <mutex>
#include <ostream>
#include <thread>
#include <tuple>
#include <unordered_set>

#include "axial/version.hpp"
#include "src/core/atomic_output.hpp"
#include "datasets/codes_file.hpp"
#include "datasets/sha256.hpp"
#include "src/core/random.hpp"
#include "datasets/registry.hpp"
#include "datasets/sampling.hpp"
#include "metrics/axis_alignment.hpp"
#include "src/core/error.hpp"
#include "metrics/local.hpp"
#include "metrics/factor_vae_score.hpp"
#include "metrics/registry.hpp"
#include "metrics/score_sheet.hpp"
#include "reports/eval_results.hpp"
#include "src/core/json_guard.hpp"
#include "src/core/memory.hpp"
#include "src/core/progress.hpp"
#include "src/core/paths.hpp"

namespace axial::pipelines {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

namespace {

// RNG stream ids (make_rng(seed, stream)).
constexpr std::uint64_t kStreamTrain = 1, kStreamTest = 2, kStreamAnchors = 3, kStreamProbe = 4, kStreamFactorVae = 5,
                        kStreamBetaVae = 6;
std::uint64_t locality_stream(double rho) {
  std::uint64_t bits;
  std::memcpy(&bits, &rho, sizeof bits);
  return 0x4c4f43414cULL ^ bits;  // keyed by the value of ρ
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string locality_name(double rho) { return format_number(rho); }

// The registry metrics among eval's --metrics (without factor_vae / beta_vae).
std::vector<std::string> registry_metrics(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  const auto& sm = sampled_metric_names();
  for (const auto& n : names)
    if (std::find(sm.begin(), sm.end(), n) == sm.end()) out.push_back(n);
  return out;
}
bool wants(const std::vector<std::string>& names, const char* name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A JSON number, or null for NaN/Inf (the reason goes into a sibling key).
json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
json numbers(const std::vector<double>& v) {
  json a = json::array();
  for (double x : v) a.push_back(number(x));
  return a;
}

// Appends a ScoreSheet's fields (metrics/score_sheet.hpp json_fields: the same keys, notes and undefined reasons as
// `axial score`'s JSON) to a JSON object.
void sheet_to_json(const ScoreSheet& sheet, json& out) {
  for (const auto& f : json_fields(sheet)) {
    if (f.entry == nullptr) {
      out[f.key] = f.text;
      continue;
    }
    const ScoreEntry& e = *f.entry;
    switch (e.kind) {
      case ScoreEntry::Kind::Scalar: out[e.key] = number(e.scalar); break;
      case ScoreEntry::Kind::Integer: out[e.key] = e.integer; break;
      case ScoreEntry::Kind::Vector: out[e.key] = numbers(e.vector); break;
      case ScoreEntry::Kind::Matrix: {
        json m = json::array();
        for (Eigen::Index r = 0; r < e.matrix.rows(); ++r) {
          json row = json::array();
          for (Eigen::Index c = 0; c < e.matrix.cols(); ++c) row.push_back(number(e.matrix(r, c)));
          m.push_back(row);
        }
        out[e.key] = m;
        break;
      }
      case ScoreEntry::Kind::Text: out[e.key] = e.text; break;
    }
  }
}

}  // namespace

ModelRef resolve_model(const std::string& spec) {
  ModelRef m;
  m.path = spec;
  if (spec.empty()) throw Error("--model: missing (an axial training directory or a TorchScript file)");
  if (!fs::exists(m.path)) throw Error(fmt::format("--model '{}': not found", spec));
  if (fs::is_directory(m.path) && !fs::is_regular_file(m.path / "model" / "encoder.pt") &&
      fs::is_regular_file(m.path / "representation" / "pytorch_model.pt")) {
    // The AIcrowd / disentanglement_lib PyTorch submission layout: DIR/representation/pytorch_model.pt.
    m.type = "torchscript";
    m.encoder = m.path / "representation" / "pytorch_model.pt";
    return m;
  }
  if (fs::is_directory(m.path)) {
    m.type = "axial-vae";
    m.encoder = m.path / "model" / "encoder.pt";
    if (!fs::is_regular_file(m.encoder))
      throw Error(fmt::format("--model '{}': a training directory needs model/encoder.pt ('{}' not found; an "
                              "AIcrowd submission directory needs representation/pytorch_model.pt)",
                              spec, m.encoder.string()));
    if (fs::is_regular_file(m.path / "model" / "vae.pt")) m.vae = m.path / "model" / "vae.pt";
    const fs::path config = m.path / "config.json";
    if (fs::is_regular_file(config)) {
      const std::string text = read_json_text(config);
      try {
        m.train_config = json::parse(text);
      } catch (const std::exception& e) {
        throw Error(fmt::format("'{}': not valid JSON ({})", config.string(), e.what()));
      }
    }
  } else {
    m.type = "torchscript";
    m.encoder = m.path;
  }
  return m;
}

std::string training_dataset(const ModelRef& model) {
  const auto& tc = model.train_config;
  if (tc.is_object() && tc.contains("options") && tc["options"].is_object() && tc["options"].contains("dataset") &&
      tc["options"]["dataset"].is_string())
    return tc["options"]["dataset"].get<std::string>();
  return "";
}

std::string choose_dataset(EvalSettings& s, const ModelRef& model, bool dataset_given) {
  const std::string trained = training_dataset(model);
  if (dataset_given) {
    s.dataset_source = "--dataset";
    if (!trained.empty() && trained != s.dataset)
      return fmt::format("--dataset '{}' differs from the data set the model was trained on ('{}', {}/config.json)",
                         s.dataset, trained, model.path.string());
    return "";
  }
  if (!trained.empty()) {
    s.dataset = trained;
    s.dataset_source = "training config";
  } else {
    s.dataset_source = "default";
  }
  return "";
}

namespace {

// --- rendering overlapped with encoding ---------------------------------------------------------------------
// A block of samples: factor rows (K×n) and their codes (L×n), filled by encode_all.
struct Block {
  FactorMatrix factors;
  CodeMatrix codes;
};

// Renders every block's images on a worker thread and encodes them here, batch by batch (at most two rendered
// batches wait in the queue). Codes land in each block's `codes` (L×n).
void encode_all(std::vector<Block*>& blocks, const datasets::GroundTruthData& data, datasets::RepresentationFunction& encoder,
                std::int64_t batch_size, Progress& progress) {
  const auto shape = data.observation_shape();
  const std::int64_t pixels = shape.size();
  const int L = encoder.latent_dim();
  struct Job {
    Block* block;
    std::int64_t start, n;
  };
  std::vector<Job> jobs;
  for (Block* b : blocks) {
    b->codes.resize(L, b->factors.cols());
    for (std::int64_t s = 0; s < b->factors.cols(); s += batch_size)
      jobs.push_back({b, s, std::min(batch_size, b->factors.cols() - s)});
  }

  struct Rendered {
    std::size_t job;
    std::vector<float> images;
  };
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Rendered> ready;
  std::vector<std::vector<float>> spare;
  bool stop = false;
  std::exception_ptr render_error;
  constexpr std::size_t kMaxQueued = 2;

  std::thread renderer([&] {
    try {
      for (std::size_t j = 0; j < jobs.size(); ++j) {
        std::vector<float> buf;
        {
          std::unique_lock<std::mutex> lock(mu);
          cv.wait(lock, [&] { return stop || ready.size() < kMaxQueued; });
          if (stop) return;
          if (!spare.empty()) {
            buf = std::move(spare.back());
            spare.pop_back();
          }
        }
        const Job& job = jobs[j];
        buf.resize(static_cast<std::size_t>(job.n * pixels));
        const FactorMatrix rows = job.block->factors.middleCols(job.start, job.n);
        data.observations(rows, buf.data());
        {
          std::lock_guard<std::mutex> lock(mu);
          ready.push_back({j, std::move(buf)});
        }
        cv.notify_all();
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu);
      render_error = std::current_exception();
      cv.notify_all();
    }
  });

  std::int64_t encoded_before = 0;
  try {
    for (std::size_t j = 0; j < jobs.size(); ++j) {
      Rendered r;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return !ready.empty() || render_error; });
        if (ready.empty()) std::rethrow_exception(render_error);
        r = std::move(ready.front());
        ready.pop_front();
      }
      cv.notify_all();
      const Job& job = jobs[r.job];
      encoder.encode(r.images.data(), job.n, job.block->codes.data() + job.start * L, encoded_before);
      encoded_before += job.n;
      progress.update(job.n);
      std::lock_guard<std::mutex> lock(mu);
      spare.push_back(std::move(r.images));
    }
  } catch (...) {
    {
      std::lock_guard<std::mutex> lock(mu);
      stop = true;
    }
    cv.notify_all();
    renderer.join();
    throw;
  }
  renderer.join();
}

// --- axis alignment ------------------------------------------------------------------------------------------
struct AnchorPlan {
  FactorMatrix anchors;            // K×A
  std::vector<int> factors;        // ordered factors used (indices)
  Block anchor_block;              // the anchors themselves (decoder variant: z = μ(x))
  Block neighbours;                // per anchor a, per used factor j: columns (a·F + j)·2 (lo) and +1 (hi)
  std::vector<double> inverse_step;  // per (a·F + j)
};

AnchorPlan plan_anchors(const datasets::GroundTruthData& data, const EvalSettings& s,
                        const std::vector<int>& used_factors) {
  AnchorPlan p;
  Rng rng = make_rng(s.seed, kStreamAnchors);
  p.anchors = datasets::sample_global(data, s.anchors, rng);
  p.factors = used_factors;
  const auto& sizes = data.factor_sizes();
  const std::int64_t A = s.anchors, F = static_cast<std::int64_t>(used_factors.size());
  p.anchor_block.factors = p.anchors;
  p.neighbours.factors.resize(p.anchors.rows(), A * F * 2);
  p.inverse_step.resize(static_cast<std::size_t>(A * F));
  for (std::int64_t a = 0; a < A; ++a)
    for (std::int64_t j = 0; j < F; ++j) {
      const int k = used_factors[static_cast<std::size_t>(j)];
      const auto st = difference_stencil(p.anchors(k, a), sizes[static_cast<std::size_t>(k)]);
      const std::int64_t col = (a * F + j) * 2;
      p.neighbours.factors.col(col) = p.anchors.col(a);
      p.neighbours.factors.col(col + 1) = p.anchors.col(a);
      p.neighbours.factors(k, col) = st.lo;
      p.neighbours.factors(k, col + 1) = st.hi;
      p.inverse_step[static_cast<std::size_t>(a * F + j)] = st.inverse_step();
    }
  return p;
}

void summary_to_json(const AxisAlignmentSummary& r, const std::string& prefix, json& out) {
  out[prefix] = r.axis_alignment;
  out[prefix + "_factor_purity"] = r.factor_purity;
  out[prefix + "_latent_purity"] = r.latent_purity;
  out[prefix + "_std"] = r.axis_alignment_std;
  out[prefix + "_p10"] = r.axis_alignment_p10;
  out[prefix + "_median"] = r.axis_alignment_median;
  out[prefix + "_p90"] = r.axis_alignment_p90;
  out[prefix + "_anchors"] = r.num_anchors;
  out[prefix + "_undefined_anchors"] = r.num_undefined_anchors;
  out[prefix + "_unresponsive_factor_count"] = r.unresponsive_factor_count;
  out[prefix + "_per_anchor"] = numbers(r.per_anchor);
}

void undefined_to_json(const std::string& prefix, const std::string& reason, json& out) {
  out[prefix] = nullptr;
  out[prefix + "_undefined_reason"] = reason;
}

// How many columns of `rows` (K×M) are not rows of the data set (0 for data sets holding every combination).
std::int64_t missing_rows(const datasets::GroundTruthData& data, const FactorMatrix& rows) {
  const FactorMatrix* existing = data.existing_rows();
  if (existing == nullptr) return 0;
  auto key = [](const FactorMatrix& m, Eigen::Index c) {
    std::string k(static_cast<std::size_t>(m.rows()) * sizeof(std::int64_t), '\0');
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
      const std::int64_t v = m(r, c);
      std::memcpy(&k[static_cast<std::size_t>(r) * sizeof v], &v, sizeof v);
    }
    return k;
  };
  std::unordered_set<std::string> have;
  have.reserve(static_cast<std::size_t>(existing->cols()));
  for (Eigen::Index c = 0; c < existing->cols(); ++c) have.insert(key(*existing, c));
  std::int64_t missing = 0;
  for (Eigen::Index c = 0; c < rows.cols(); ++c) missing += have.count(key(rows, c)) == 0 ? 1 : 0;
  return missing;
}

// Decoder variant: J (P×L) at z = μ(x_anchor) against G (P×F) of the generator's factor differences.
AxisAlignmentSummary decoder_axis_alignment(datasets::DecoderJacobianFunction& decoder,
                                            const datasets::GroundTruthData& data, const AnchorPlan& plan) {
  const auto shape = data.observation_shape();
  const int L = static_cast<int>(plan.anchor_block.codes.rows());
  decoder.check(shape, L);
  const std::int64_t A = plan.anchors.cols(), F = static_cast<std::int64_t>(plan.factors.size());
  const std::int64_t P = shape.size(), HW = std::int64_t(shape.height) * shape.width;
  std::vector<Eigen::MatrixXd> sensitivities;
  sensitivities.reserve(static_cast<std::size_t>(A));
  constexpr std::int64_t kChunk = 64;
  std::vector<float> images;
  std::vector<double> jac;
  for (std::int64_t a0 = 0; a0 < A; a0 += kChunk) {
    const std::int64_t na = std::min(kChunk, A - a0);
    // Decoder Jacobian columns at the anchors' codes: (na, L, C, H, W).
    jac.resize(static_cast<std::size_t>(na * L * P));
    decoder.jacobian(plan.anchor_block.codes.data() + a0 * L, na, L, jac.data());
    // Generator differences: render lo/hi neighbours of the chunk.
    const FactorMatrix rows = plan.neighbours.factors.middleCols(a0 * F * 2, na * F * 2);
    images.resize(static_cast<std::size_t>(rows.cols() * P));
    data.observations(rows, images.data());
    for (std::int64_t a = 0; a < na; ++a) {
      Eigen::MatrixXd G(P, F);
      for (std::int64_t j = 0; j < F; ++j) {
        const float* lo = images.data() + (a * F + j) * 2 * P;
        generator_difference(lo, lo + P, HW, shape.channels,
                             plan.inverse_step[static_cast<std::size_t>((a0 + a) * F + j)], G.col(j));
      }
      const Eigen::Map<const Eigen::MatrixXd> J(jac.data() + a * L * P, P, L);
      sensitivities.push_back(decoder_factor_coefficients(G, J).transpose());
    }
  }
  return axis_alignment(sensitivities);
}

}  // namespace

// --- settings ----------------------------------------------------------------------------------------------
const std::vector<std::string>& protocol_names() {
  static const std::vector<std::string> names = {"paper", "quick", "cpu", "dlib"};
  return names;
}

const std::vector<std::string>& sampled_metric_names() {
  static const std::vector<std::string> names = {"factor_vae", "beta_vae"};
  return names;
}

std::vector<std::string> parse_eval_metrics(const std::string& list) {
  std::vector<std::string> registry_part, sampled;
  std::size_t pos = 0;
  std::string rest;
  while (pos <= list.size()) {
    const std::size_t comma = std::min(list.find(',', pos), list.size());
    std::string name = list.substr(pos, comma - pos);
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    const auto& sm = sampled_metric_names();
    if (std::find(sm.begin(), sm.end(), name) != sm.end()) {
      if (std::find(sampled.begin(), sampled.end(), name) != sampled.end())
        throw Error(fmt::format("--metrics: metric '{}' given twice", name));
      sampled.push_back(name);
    } else {
      rest += (rest.empty() ? "" : ",") + name;
    }
    pos = comma + 1;
  }
  std::vector<std::string> out;
  if (!rest.empty() || sampled.empty()) {
    try {
      out = parse_metric_list(rest);
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + " — or, in eval, factor_vae, beta_vae");
    }
  }
  for (const auto& n : sampled_metric_names())
    if (std::find(sampled.begin(), sampled.end(), n) != sampled.end()) out.push_back(n);
  return out;
}

void apply_protocol(const std::string& protocol, EvalSettings& s) {
  s.protocol = protocol;
  if (protocol == "paper") {
    const EvalSettings defaults;
    s.num_train = defaults.num_train;
    s.num_test = defaults.num_test;
    s.clusters = defaults.clusters;
    s.cluster_size = defaults.cluster_size;
    s.localities = defaults.localities;
    s.bins = defaults.bins;
    s.local_bins = defaults.local_bins;
    s.cutoff = defaults.cutoff;
    s.anchors = defaults.anchors;
  } else if (protocol == "dlib") {
    const EvalSettings defaults;
    s.num_train = 10000;
    s.num_test = 5000;
    s.clusters = 0;
    s.cluster_size = defaults.cluster_size;
    s.localities = defaults.localities;
    s.bins = 20;
    s.local_bins = defaults.local_bins;
    s.cutoff = defaults.cutoff;
    s.anchors = 0;
    s.metrics = {"mig", "modularity", "explicitness", "sap", "dci", "irs", "unsupervised", "factor_vae", "beta_vae"};
    s.factor_vae_variance_points = 10000;
    s.factor_vae_train_votes = 10000;
    s.factor_vae_eval_votes = 5000;
    s.beta_vae_train_points = 10000;
    s.beta_vae_eval_points = 5000;
    s.pair_batch_size = 64;
  } else if (protocol == "quick") {
    s.num_train = 1000;
    s.num_test = 500;
    s.clusters = 5;
    s.cluster_size = 1000;
    s.localities = {0.1, 0.2, 0.3, 0.6, 1.0};
    s.bins = 20;
    s.local_bins = 5;
    s.cutoff = 10;
    s.anchors = 100;
  } else if (protocol == "cpu") {
    // `axial reproduce three-dots --preset cpu` (docs/reproduction.md): the paper's metrics and bins on fewer
    // samples — the localities of the claim (0.1) and of its control (1.0), plus 0.3.
    s.num_train = 5000;
    s.num_test = 2000;
    s.clusters = 20;
    s.cluster_size = 1000;
    s.localities = {0.1, 0.3, 1.0};
    s.bins = 20;
    s.local_bins = 5;
    s.cutoff = 10;
    s.anchors = 100;
  } else {
    throw Error(fmt::format("--protocol '{}': unknown protocol (valid: paper, quick, cpu, dlib)", protocol));
  }
}

void label_protocol(EvalSettings& s) {
  if (s.protocol == "custom") return;
  EvalSettings named;
  apply_protocol(s.protocol, named);
  if (named.num_train != s.num_train || named.num_test != s.num_test || named.clusters != s.clusters ||
      named.cluster_size != s.cluster_size || named.localities != s.localities || named.bins != s.bins ||
      named.local_bins != s.local_bins || named.cutoff != s.cutoff || named.anchors != s.anchors ||
      named.factor_vae_variance_points != s.factor_vae_variance_points ||
      named.factor_vae_train_votes != s.factor_vae_train_votes ||
      named.factor_vae_eval_votes != s.factor_vae_eval_votes ||
      named.beta_vae_train_points != s.beta_vae_train_points || named.beta_vae_eval_points != s.beta_vae_eval_points ||
      named.pair_batch_size != s.pair_batch_size || (s.protocol == "dlib" && named.metrics != s.metrics))
    s.protocol = "custom";
}

void validate(const EvalSettings& s) {
  if (s.resume && s.dump_samples)
    throw Error("--resume cannot be combined with --dump-samples (the dump needs the codes of every stage; rerun "
                "without --resume)");
  if (s.batch_size < 1) throw Error(fmt::format("--batch-size {}: must be at least 1", s.batch_size));
  if (s.num_train < 2) throw Error(fmt::format("--num-train {}: must be at least 2", s.num_train));
  if (s.num_test < 0) throw Error(fmt::format("--num-test {}: must be at least 0", s.num_test));
  if (s.clusters < 0) throw Error(fmt::format("--clusters {}: must be at least 0", s.clusters));
  if (s.clusters > 0 && s.cluster_size < 2)
    throw Error(fmt::format("--cluster-size {}: must be at least 2", s.cluster_size));
  if (s.bins < 1) throw Error(fmt::format("--bins {}: must be at least 1", s.bins));
  if (s.local_bins < 1) throw Error(fmt::format("--local-bins {}: must be at least 1", s.local_bins));
  if (s.cutoff < 1) throw Error(fmt::format("--cutoff {}: must be at least 1", s.cutoff));
  if (s.anchors < 0) throw Error(fmt::format("--anchors {}: must be at least 0", s.anchors));
  if (s.threads < 1) throw Error(fmt::format("--threads {}: must be at least 1", s.threads));
  for (std::size_t i = 0; i < s.localities.size(); ++i) {
    const double r = s.localities[i];
    if (!(r > 0.0 && r <= 1.0)) throw Error(fmt::format("--localities: {} is outside (0, 1]", r));
    for (std::size_t j = 0; j < i; ++j)
      if (s.localities[j] == r) throw Error(fmt::format("--localities: {} given twice", r));
  }
  for (const auto& [name, v, lo] : std::vector<std::tuple<const char*, std::int64_t, std::int64_t>>{
           {"--factor-vae-variance-points", s.factor_vae_variance_points, 2},
           {"--factor-vae-train-votes", s.factor_vae_train_votes, 1},
           {"--factor-vae-eval-votes", s.factor_vae_eval_votes, 1},
           {"--beta-vae-train-points", s.beta_vae_train_points, 2},
           {"--beta-vae-eval-points", s.beta_vae_eval_points, 1},
           {"--pair-batch-size", s.pair_batch_size, 2}})
    if (v < lo) throw Error(fmt::format("{} {}: must be at least {}", name, v, lo));
  if (needs_train_test_split(registry_metrics(s.metrics)) && s.num_test < 1)
    throw Error(fmt::format("--num-test {}: explicitness/sap need at least one test point", s.num_test));
  if (s.out.empty()) throw Error("--out: missing output directory");
  if (fs::exists(s.out) && !fs::is_directory(s.out))
    throw Error(fmt::format("--out '{}': exists and is not a directory", s.out.string()));
}

// --- the protocol ------------------------------------------------------------------------------------------
EvalOutcome run_eval(const EvalSettings& settings, const ModelRef& model, const ModelLoader& load,
                     std::ostream& progress_os) {
  validate(settings);
  // Data set, model, probe: everything that can be wrong is found before the long work.
  auto data = datasets::open_dataset(settings.dataset);
  return run_eval(settings, *data, model, load, progress_os);
}

EvalOutcome run_eval(const EvalSettings& settings, const datasets::GroundTruthData& dataset, const ModelRef& model,
                     const ModelLoader& load, std::ostream& progress_os) {
  validate(settings);
  const auto t_total = Clock::now();
  auto say = [&](const std::string& line) {
    if (!settings.quiet) progress_os << "axial eval: " << line << "\n" << std::flush;
  };
  const datasets::GroundTruthData* data = &dataset;
  const auto shape = data->observation_shape();
  const int K = data->num_factors();
  datasets::LocalSampler sampler_check(*data, {1.0, settings.cutoff, settings.deny});  // validates --deny/--cutoff
  LoadedModel loaded = load(model);
  if (!loaded.encoder) throw Error("run_eval: the model loader returned no representation function");
  datasets::RepresentationFunction& encoder = *loaded.encoder;
  {
    Rng rng = make_rng(settings.seed, kStreamProbe);
    const FactorMatrix rows = datasets::sample_global(*data, 4, rng);
    std::vector<float> images(static_cast<std::size_t>(4 * shape.size()));
    data->observations(rows, images.data());
    encoder.probe(images.data(), 4, shape);
  }
  const int L = encoder.latent_dim();
  const Precision precision = encoder.precision();
  const bool local = settings.clusters > 0 && !settings.localities.empty();
  {
    std::vector<std::string> need_two;  // what cannot be computed on one latent
    for (const auto& n : registry_metrics(settings.metrics))
      if (metric_info(n).min_latents > L) {
        std::string upper = n;
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        need_two.push_back(upper);
      }
    if (local && L < 2) need_two.push_back("local MIG");
    if (!need_two.empty()) {
      std::string what;
      for (std::size_t i = 0; i < need_two.size(); ++i)
        what += (i == 0 ? "" : i + 1 == need_two.size() ? " and " : ", ") + need_two[i];
      throw Error(fmt::format("encoder '{}': {} latent(s); {} need at least 2", model.encoder.string(), L, what));
    }
  }
  say(fmt::format("model {} ({}), {} latents ({} codes){}; data set {} (from {}; {} factors, {}x{}x{}); device {}; "
                  "seed {}",
                  model.path.string(), model.type, L, precision == Precision::Float32 ? "float32" : "float64",
                  encoder.note().empty() ? "" : " — " + encoder.note(), data->name(), settings.dataset_source, K,
                  shape.height, shape.width,
                  shape.channels, encoder.device(), settings.seed));

  {
    const double rows = double(settings.num_train) + double(settings.num_test) +
                        double(settings.clusters) * double(settings.cluster_size) * double(settings.localities.size()) +
                        double(settings.anchors) * 2.0 * K +
                        (wants(settings.metrics, "factor_vae")
                             ? double(settings.factor_vae_variance_points) +
                                   double(settings.factor_vae_train_votes + settings.factor_vae_eval_votes) *
                                       double(settings.pair_batch_size)
                             : 0.0) +
                        (wants(settings.metrics, "beta_vae")
                             ? double(settings.beta_vae_train_points + settings.beta_vae_eval_points) * 2.0 *
                                   double(settings.pair_batch_size)
                             : 0.0);
    require_memory(rows * (double(K) + double(L)) * 8.0,
                   fmt::format("the eval sample ({:.0f} images; --num-train, --num-test, --clusters × --cluster-size × "
                               "localities, --anchors, the FactorVAE/BetaVAE sizes)",
                               rows));
  }
  // Every factor row, from the seed.
  Block train, test;
  {
    Rng rng = make_rng(settings.seed, kStreamTrain);
    train.factors = datasets::sample_global(*data, settings.num_train, rng);
    Rng rng_test = make_rng(settings.seed, kStreamTest);
    test.factors = datasets::sample_global(*data, settings.num_test, rng_test);
  }
  // FactorVAE: variance points, then per vote a factor k and a batch with factor k fixed to its first row's value.
  // BetaVAE: per point a factor k and two batches sharing factor k. All from their own streams, in that order.
  const bool want_fv = wants(settings.metrics, "factor_vae"), want_bv = wants(settings.metrics, "beta_vae");
  const std::int64_t B = settings.pair_batch_size;
  Block fv_variance, fv_train, fv_eval, bv_train1, bv_train2, bv_eval1, bv_eval2;
  std::vector<std::int64_t> fv_train_k, fv_eval_k, bv_train_k, bv_eval_k;
  auto draw_votes = [&](Rng& rng, std::int64_t votes, Block& b, std::vector<std::int64_t>& ks) {
    b.factors.resize(K, votes * B);
    ks.resize(static_cast<std::size_t>(votes));
    for (std::int64_t v = 0; v < votes; ++v) {
      const std::int64_t k = uniform_int(rng, 0, K - 1);
      FactorMatrix rows = datasets::sample_global(*data, B, rng);
      rows.row(k).setConstant(rows(k, 0));
      ks[static_cast<std::size_t>(v)] = k;
      b.factors.middleCols(v * B, B) = rows;
    }
  };
  auto draw_pairs = [&](Rng& rng, std::int64_t points, Block& b1, Block& b2, std::vector<std::int64_t>& ks) {
    b1.factors.resize(K, points * B);
    b2.factors.resize(K, points * B);
    ks.resize(static_cast<std::size_t>(points));
    for (std::int64_t p = 0; p < points; ++p) {
      const std::int64_t k = uniform_int(rng, 0, K - 1);
      FactorMatrix f1 = datasets::sample_global(*data, B, rng), f2 = datasets::sample_global(*data, B, rng);
      f2.row(k) = f1.row(k);
      ks[static_cast<std::size_t>(p)] = k;
      b1.factors.middleCols(p * B, B) = f1;
      b2.factors.middleCols(p * B, B) = f2;
    }
  };
  if (want_fv) {
    Rng rng = make_rng(settings.seed, kStreamFactorVae);
    fv_variance.factors = datasets::sample_global(*data, settings.factor_vae_variance_points, rng);
    draw_votes(rng, settings.factor_vae_train_votes, fv_train, fv_train_k);
    draw_votes(rng, settings.factor_vae_eval_votes, fv_eval, fv_eval_k);
  }
  if (want_bv) {
    Rng rng = make_rng(settings.seed, kStreamBetaVae);
    draw_pairs(rng, settings.beta_vae_train_points, bv_train1, bv_train2, bv_train_k);
    draw_pairs(rng, settings.beta_vae_eval_points, bv_eval1, bv_eval2, bv_eval_k);
  }
  for (const Block* b : {&fv_train, &fv_eval, &bv_train2, &bv_eval2})
    if (b->factors.cols() > 0 && missing_rows(*data, b->factors) > 0)
      throw Error(fmt::format("--metrics factor_vae/beta_vae: data set '{}' holds only some factor combinations; "
                              "these scores fix one factor of otherwise random rows, which needs every combination",
                              data->name()));
  struct LocalitySet {
    double rho;
    std::vector<FactorVector> centroids;
    std::vector<Block> clusters;
  };
  std::vector<LocalitySet> localities;
  if (local) {
    for (double rho : settings.localities) {
      LocalitySet set;
      set.rho = rho;
      datasets::LocalSampler sampler(*data, {rho, settings.cutoff, settings.deny});
      Rng rng = make_rng(settings.seed, locality_stream(rho));
      for (std::int64_t c = 0; c < settings.clusters; ++c) {
        set.centroids.push_back(sampler.centroid(rng));
        Block b;
        b.factors = sampler.sample(set.centroids.back(), settings.cluster_size, rng);
        set.clusters.push_back(std::move(b));
      }
      localities.push_back(std::move(set));
    }
  }
  // Axis alignment: ordered factors (≥ cutoff values, not deny-listed).
  std::vector<int> ordered;
  for (int k = 0; k < K; ++k)
    if (data->factor_sizes()[static_cast<std::size_t>(k)] >= settings.cutoff &&
        std::find(sampler_check.denied().begin(), sampler_check.denied().end(), k) == sampler_check.denied().end())
      ordered.push_back(k);
  bool axis = settings.anchors > 0 && !ordered.empty();
  AnchorPlan plan;
  std::string axis_skipped;  // why the axis alignment is left out although asked for
  if (axis) {
    plan = plan_anchors(*data, settings, ordered);
    // A data set holding only some factor combinations (a subset) may lack an anchor's stencil neighbours: found now,
    // before any encoding, and recorded as the reason instead of failing after the long work.
    const std::int64_t missing = missing_rows(*data, plan.neighbours.factors);
    if (missing > 0) {
      axis_skipped = fmt::format("the data set holds only some factor combinations: {} of {} stencil neighbours of "
                                 "the {} anchors do not exist (axis alignment needs each anchor's ±1 neighbours)",
                                 missing, plan.neighbours.factors.cols(), settings.anchors);
      axis = false;
      say("axis alignment skipped: " + axis_skipped);
    }
  }
  const bool decoder_axis = axis && settings.decoder_axis_alignment && loaded.decoder != nullptr;

  // Results.
  reports::EvalResults res;
  res.axial_version = kVersion;
  res.git_commit = kGitCommit;
  res.model = {model.path.string(),
               model.encoder.string(),
               model.encoder.empty() ? std::string() : sha256_file(model.encoder),
               model.type,
               L,
               precision == Precision::Float32 ? "float32" : "float64",
               encoder.note()};
  res.dataset = data->name();
  res.dataset_spec = settings.dataset;
  res.dataset_source = settings.dataset_source;
  res.dataset_warning = settings.dataset_warning;
  res.protocol = settings.protocol;
  res.seed = settings.seed;
  json deny = json::array();
  for (const auto& d : settings.deny) deny.push_back(d);
  res.settings = {{"num_train", settings.num_train},
                  {"num_test", settings.num_test},
                  {"bins", settings.bins},
                  {"local_bins", settings.local_bins},
                  {"clusters", settings.clusters},
                  {"cluster_size", settings.cluster_size},
                  {"localities", settings.localities},
                  {"cutoff", settings.cutoff},
                  {"deny", deny},
                  {"metrics", settings.metrics},
                  {"anchors", settings.anchors},
                  {"batch_size", settings.batch_size},
                  {"device", encoder.device()},
                  {"threads", settings.threads},
                  {"mig_modularity_sample", "train"}};
  if (want_fv) {
    res.settings["factor_vae_variance_points"] = settings.factor_vae_variance_points;
    res.settings["factor_vae_train_votes"] = settings.factor_vae_train_votes;
    res.settings["factor_vae_eval_votes"] = settings.factor_vae_eval_votes;
  }
  if (want_bv) {
    res.settings["beta_vae_train_points"] = settings.beta_vae_train_points;
    res.settings["beta_vae_eval_points"] = settings.beta_vae_eval_points;
  }
  if (want_fv || want_bv) res.settings["pair_batch_size"] = settings.pair_batch_size;
  if (settings.encoder_call.is_object()) res.settings["encoder"] = settings.encoder_call;
  res.train_config = model.train_config;

  // The stages, in the order their results appear: global (train + test), one per locality, axis alignment. Each
  // is encoded and scored in turn; after each but the last, OUT/results.partial.json holds everything finished so
  // far (marked partial), and `--resume` continues from it without re-encoding finished stages.
  json global_json = json::object(), fv_json = json::object(), bv_json = json::object(),
       axis_json = json::object(), local_json = json::array();
  std::vector<std::string> completed;
  double t_encode = 0, t_global = 0, t_local = 0, t_axis = 0;
  std::int64_t images_encoded = 0;
  auto merged_metrics = [&] {
    json m = global_json;
    for (const json* part : {&fv_json, &bv_json})
      for (auto it = part->begin(); it != part->end(); ++it) m[it.key()] = *it;
    for (auto it = axis_json.begin(); it != axis_json.end(); ++it) m[it.key()] = *it;
    return m;
  };
  // What must match for a partial file to be continued: everything that changes results.
  json resume_key = {{"model_sha256", res.model.sha256}, {"dataset", res.dataset}, {"seed", res.seed},
                     {"protocol", res.protocol}, {"settings", res.settings}};
  for (const char* k : {"batch_size", "device", "threads"}) resume_key["settings"].erase(k);
  const fs::path partial_path = settings.out / "results.partial.json";
  json resumed;  // the partial file's stages when resuming
  if (settings.resume && fs::exists(partial_path)) {
    json p;
    try {
      p = json::parse(read_json_text(partial_path));
    } catch (const nlohmann::json::exception& e) {
      throw Error(fmt::format("--resume: '{}' is not valid JSON ({})", partial_path.string(), e.what()));
    }
    if (!p.is_object() || p.value("resume_key", json()) != resume_key)
      throw Error(fmt::format("--resume: '{}' was made with another model, data set, seed or settings; rerun "
                              "without --resume to start afresh",
                              partial_path.string()));
    resumed = p.value("stages", json::object());
    say(fmt::format("resuming from {} ({} stage(s) finished)", partial_path.string(), resumed.size()));
  }
  auto done_before = [&](const std::string& stage) { return resumed.contains(stage); };
  auto write_partial = [&] {
    reports::EvalResults part = res;
    part.metrics = merged_metrics();
    part.local = local_json;
    part.images_encoded = images_encoded;
    json j = part.to_json();
    j["partial"] = true;
    j["completed_stages"] = completed;
    j["resume_key"] = resume_key;
    json stages = json::object();
    stages["global"] = global_json;
    if (want_fv && !fv_json.empty()) stages["factor_vae"] = fv_json;
    if (want_bv && !bv_json.empty()) stages["beta_vae"] = bv_json;
    for (const auto& e : local_json) stages["locality_" + locality_name(e["locality"].get<double>())] = e;
    j["stages"] = stages;
    create_output_directory(settings.out, "--out");
    write_file_atomically(partial_path, j.dump(2) + "\n");
  };

  // Encoding: one progress line over every stage still to do.
  std::int64_t to_encode = 0;
  auto count = [](const std::vector<Block*>& bs) {
    std::int64_t n = 0;
    for (const Block* b : bs) n += b->factors.cols();
    return n;
  };
  std::vector<Block*> global_blocks = {&train, &test};
  std::vector<Block*> axis_blocks;
  if (axis) {
    axis_blocks.push_back(&plan.neighbours);
    if (decoder_axis) axis_blocks.push_back(&plan.anchor_block);
  }
  if (!done_before("global")) to_encode += count(global_blocks);
  const std::vector<Block*> fv_blocks = {&fv_variance, &fv_train, &fv_eval};
  const std::vector<Block*> bv_blocks = {&bv_train1, &bv_train2, &bv_eval1, &bv_eval2};
  if (want_fv && !done_before("factor_vae")) to_encode += count(fv_blocks);
  if (want_bv && !done_before("beta_vae")) to_encode += count(bv_blocks);
  for (auto& set : localities)
    if (!done_before("locality_" + locality_name(set.rho))) {
      std::vector<Block*> bs;
      for (auto& b : set.clusters) bs.push_back(&b);
      to_encode += count(bs);
    }
  if (axis) to_encode += count(axis_blocks);
  Progress progress(progress_os, "axial eval: encoded", "images", settings.quiet);
  progress.start(to_encode);
  auto encode = [&](std::vector<Block*> bs) {
    const auto t0 = Clock::now();
    encode_all(bs, *data, encoder, settings.batch_size, progress);
    t_encode += seconds_since(t0);
    images_encoded += count(bs);
  };

  // Global metrics. MIG and modularity on the training rows (the paper's MIG sample is its modularity/explicitness
  // training sample); explicitness and SAP fit on train and score train and test.
  if (done_before("global")) {
    global_json = resumed["global"];
    images_encoded += count(global_blocks);
  } else {
    encode(global_blocks);
    const auto t_stage = Clock::now();
  DiscretizeOptions disc;
    disc.num_bins = settings.bins;
    disc.precision = precision;
    {
      std::vector<std::string> mi_names, split_names;
      for (const auto& n : registry_metrics(settings.metrics))
        (metric_info(n).sample == MetricSample::kOneSample ? mi_names : split_names).push_back(n);
      ScoreSheet sheet;
      if (!split_names.empty()) {
        CodeMatrix all(L, train.codes.cols() + test.codes.cols());
        all << train.codes, test.codes;
        FactorMatrix all_f(K, all.cols());
        all_f << train.factors, test.factors;
        ScoreInputs in;
        in.codes = &all;
        in.factors = &all_f;
        in.discretize = disc;
        in.num_train = train.codes.cols();
        in.num_threads = settings.threads;
        std::string names;
        for (const auto& n : split_names) names += (names.empty() ? "" : "/") + n;
        say(names + " ...");
        ScoreSheet s = compute_metrics(split_names, in);
        if (!mi_names.empty()) {
          ScoreInputs tr = in;
          tr.codes = &train.codes;
          tr.factors = &train.factors;
          tr.num_train = 0;
          ScoreSheet mi = compute_metrics(mi_names, tr);
          sheet.append(mi);
        }
        sheet.append(s);
      } else if (!mi_names.empty()) {
        ScoreInputs tr;
        tr.codes = &train.codes;
        tr.factors = &train.factors;
        tr.discretize = disc;
        tr.num_threads = settings.threads;
        sheet = compute_metrics(mi_names, tr);
      }
      sheet_to_json(sheet, global_json);
    }
    t_global = seconds_since(t_stage);
  }
  completed.push_back("global");
  write_partial();

  // FactorVAE and BetaVAE scores on their own samples.
  std::vector<CodesFileContents::Array> dump_arrays;
  auto dump_codes = [&](const std::string& key, const CodeMatrix& z, std::vector<std::int64_t> shape) {
    CodesFileContents::Array a;
    a.key = key;
    a.shape = std::move(shape);
    if (precision == Precision::Float32) {
      a.f32.resize(static_cast<std::size_t>(z.size()));
      for (Eigen::Index i = 0; i < z.size(); ++i) a.f32[static_cast<std::size_t>(i)] = static_cast<float>(z.data()[i]);
    } else {
      a.f64.assign(z.data(), z.data() + z.size());
    }
    dump_arrays.push_back(std::move(a));
  };
  auto dump_ints = [&](const std::string& key, const std::vector<std::int64_t>& v) {
    CodesFileContents::Array a;
    a.key = key;
    a.shape = {static_cast<std::int64_t>(v.size())};
    a.i64 = v;
    dump_arrays.push_back(std::move(a));
  };
  auto dump_doubles = [&](const std::string& key, const Eigen::MatrixXd& m) {  // L×N → (N, L)
    CodesFileContents::Array a;
    a.key = key;
    a.shape = {m.cols(), m.rows()};
    a.f64.assign(m.data(), m.data() + m.size());
    dump_arrays.push_back(std::move(a));
  };
  if (want_fv) {
    if (done_before("factor_vae")) {
      fv_json = resumed["factor_vae"];
      images_encoded += count(fv_blocks);
    } else {
      encode(fv_blocks);
      const auto t_stage = Clock::now();
      const FactorVaeResult r = factor_vae_score(fv_variance.codes, fv_train.codes, fv_train_k, fv_eval.codes,
                                                 fv_eval_k, B, K, precision);
      fv_json["factor_vae_train_accuracy"] = r.train_accuracy;
      fv_json["factor_vae_eval_accuracy"] = r.eval_accuracy;
      fv_json["factor_vae_active_dims"] = r.active_dims;
      if (r.active_dims == 0)
        fv_json["factor_vae_note"] = "no code has a standard deviation of at least 0.05: both accuracies are 0 (as "
                                     "disentanglement_lib returns them)";
      say(fmt::format("FactorVAE score: train {:.4g}, eval {:.4g} ({} active dims)", r.train_accuracy,
                      r.eval_accuracy, r.active_dims));
      t_global += seconds_since(t_stage);
    }
    if (settings.dump_samples) {
      dump_codes("/factor_vae/variance_codes", fv_variance.codes, {fv_variance.codes.cols(), L});
      dump_codes("/factor_vae/train_codes", fv_train.codes, {settings.factor_vae_train_votes, B, L});
      dump_ints("/factor_vae/train_factor", fv_train_k);
      dump_codes("/factor_vae/eval_codes", fv_eval.codes, {settings.factor_vae_eval_votes, B, L});
      dump_ints("/factor_vae/eval_factor", fv_eval_k);
    }
    completed.push_back("factor_vae");
    write_partial();
  }
  if (want_bv) {
    if (done_before("beta_vae")) {
      bv_json = resumed["beta_vae"];
      images_encoded += count(bv_blocks);
    } else {
      encode(bv_blocks);
      const auto t_stage = Clock::now();
      auto features = [&](const Block& b1, const Block& b2, std::int64_t points) {
        Eigen::MatrixXd f(L, points);
        for (std::int64_t p = 0; p < points; ++p)
          f.col(p) = beta_vae_feature(b1.codes.middleCols(p * B, B), b2.codes.middleCols(p * B, B), precision);
        return f;
      };
      const Eigen::MatrixXd ftr = features(bv_train1, bv_train2, settings.beta_vae_train_points);
      const Eigen::MatrixXd fev = features(bv_eval1, bv_eval2, settings.beta_vae_eval_points);
      std::vector<std::int64_t> distinct = bv_train_k;
      std::sort(distinct.begin(), distinct.end());
      distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
      if (distinct.size() < 2) {
        bv_json["beta_vae_train_accuracy"] = nullptr;
        bv_json["beta_vae_eval_accuracy"] = nullptr;
        bv_json["beta_vae_undefined_reason"] =
            "every training point fixed the same factor (one class): raise --beta-vae-train-points";
      } else {
        const BetaVaeResult r = beta_vae_score(ftr, bv_train_k, fev, bv_eval_k);
        bv_json["beta_vae_train_accuracy"] = r.train_accuracy;
        bv_json["beta_vae_eval_accuracy"] = r.eval_accuracy;
        say(fmt::format("BetaVAE score: train {:.4g}, eval {:.4g}", r.train_accuracy, r.eval_accuracy));
      }
      if (settings.dump_samples) {
        dump_doubles("/beta_vae/train_features", ftr);
        dump_ints("/beta_vae/train_labels", bv_train_k);
        dump_doubles("/beta_vae/eval_features", fev);
        dump_ints("/beta_vae/eval_labels", bv_eval_k);
      }
      t_global += seconds_since(t_stage);
    }
    completed.push_back("beta_vae");
    write_partial();
  }

  // Local metrics: one sample set per locality serves local MIG and local modularity.
  std::vector<std::pair<std::string, std::vector<LocalCluster>>> dump_groups;
  for (auto& set : localities) {
    const std::string stage = "locality_" + locality_name(set.rho);
    if (done_before(stage)) {
      local_json.push_back(resumed[stage]);
      completed.push_back(stage);
      for (const auto& b : set.clusters) images_encoded += b.factors.cols();
      continue;
    }
    {
      std::vector<Block*> bs;
      for (auto& b : set.clusters) bs.push_back(&b);
      encode(bs);
    }
    const auto t_stage = Clock::now();
    std::vector<LocalCluster> clusters;
    clusters.reserve(set.clusters.size());
    for (auto& b : set.clusters) clusters.push_back({std::move(b.codes), std::move(b.factors)});
    LocalOptions opt;
    opt.num_bins = settings.local_bins;
    opt.precision = precision;
    opt.num_threads = settings.threads;
    const LocalResult r = compute_local(clusters, opt);
    json e;
    e["locality"] = set.rho;
    ScoreSheet scores;
    add_local_scores(r, scores);
    if (wants(settings.metrics, "dci") || wants(settings.metrics, "irs"))
      add_local_dci_irs_scores(compute_local_dci_irs(clusters, wants(settings.metrics, "dci"),
                                                     wants(settings.metrics, "irs"), 0.8, precision, settings.threads),
                               scores);
    sheet_to_json(scores, e);
    e["local_mig_skipped_factors_per_cluster"] = r.skipped_factors_per_cluster;  // counts: integers, as score prints
    json cents = json::array();
    for (const auto& c : set.centroids) cents.push_back(std::vector<std::int64_t>(c.data(), c.data() + c.size()));
    e["centroids"] = cents;
    local_json.push_back(e);
    completed.push_back("locality_" + locality_name(set.rho));
    say(fmt::format("locality {}: local MIG {}, local modularity {}", locality_name(set.rho),
                    fmt::format("{:.4g}", r.local_mig), fmt::format("{:.4g}", r.local_modularity)));
    if (settings.dump_samples) dump_groups.emplace_back("locality_" + locality_name(set.rho), std::move(clusters));
    t_local += seconds_since(t_stage);
    write_partial();
  }

  // Axis alignment: B = ∂μ/∂y per anchor from the encoded neighbours; decoder variant from the VAE.
  {  // the last stage: its results go straight into results.json, never into the partial file
    if (axis) encode(axis_blocks);
    const auto t_stage = Clock::now();
  if (!axis_skipped.empty()) {
    undefined_to_json("axis_alignment", axis_skipped, axis_json);
  } else if (settings.anchors > 0 && ordered.empty()) {
    undefined_to_json("axis_alignment", fmt::format("no ordered factor (none has ≥ {} values and is not deny-listed)",
                                                    settings.cutoff),
                      axis_json);
  } else if (axis) {
    std::vector<std::string> names;
    for (int k : ordered) names.push_back(data->factor_names()[static_cast<std::size_t>(k)]);
    const std::int64_t A = plan.anchors.cols(), F = static_cast<std::int64_t>(ordered.size());
    const auto sens = encoder_sensitivities(plan.neighbours.codes, plan.inverse_step, A, F);
    try {
      summary_to_json(axis_alignment(sens), "axis_alignment", axis_json);
    } catch (const Error& e) {
      undefined_to_json("axis_alignment", e.what(), axis_json);
    }
    axis_json["axis_alignment_factors"] = names;
    if (decoder_axis) {
      try {
        summary_to_json(decoder_axis_alignment(*loaded.decoder, *data, plan), "decoder_axis_alignment",
                        axis_json);
      } catch (const Error& e) {
        undefined_to_json("decoder_axis_alignment", e.what(), axis_json);
      }
    }
    say(fmt::format("axis alignment {}{}",
                    axis_json["axis_alignment"].is_number()
                        ? fmt::format("{:.4g}", axis_json["axis_alignment"].get<double>())
                        : std::string("undefined"),
                    decoder_axis && axis_json["decoder_axis_alignment"].is_number()
                        ? ", decoder " + fmt::format("{:.4g}", axis_json["decoder_axis_alignment"].get<double>())
                        : std::string()));
  }
    t_axis = seconds_since(t_stage);
  }
  completed.push_back("axis");
  progress.finish();

  res.metrics = merged_metrics();
  res.local = local_json;
  res.elapsed_s = {{"sampling_and_encoding", t_encode},
                   {"global_metrics", t_global},
                   {"local_metrics", t_local},
                   {"axis_alignment", t_axis}};
  res.images_encoded = images_encoded;

  // Outputs: the dump first (it is an input to re-checking), then the results, each atomically.
  if (settings.dump_samples) {
    CodesFileContents contents;
    CodesData global;
    global.codes.resize(L, train.codes.cols() + test.codes.cols());
    global.codes << train.codes, test.codes;
    global.factors.resize(K, global.codes.cols());
    global.factors << train.factors, test.factors;
    global.precision = precision;
    global.num_train = train.codes.cols();
    contents.global = std::move(global);
    contents.cluster_groups = std::move(dump_groups);
    contents.cluster_precision = precision;
    contents.arrays = std::move(dump_arrays);
    if (settings.dump_samples->has_parent_path())
      create_output_directory(settings.dump_samples->parent_path(), "--dump-samples");
    write_codes_h5(*settings.dump_samples, contents);
    res.dump_samples = settings.dump_samples->string();
  }
  res.elapsed_s["total"] = seconds_since(t_total);
  const json r = res.to_json();
  create_output_directory(settings.out, "--out");
  EvalOutcome outcome;
  outcome.results_json = settings.out / "results.json";
  outcome.results_csv = settings.out / "results.csv";
  outcome.results_md = settings.out / "results.md";
  const nlohmann::json plain = nlohmann::json::parse(r.dump());
  // The three files are one result: all are complete before any replaces an old one; results.json (what sweeps
  // and reports look for) is renamed last.
  write_files_atomically({{outcome.results_csv, reports::results_csv(plain)},
                          {outcome.results_md, reports::results_markdown(plain)},
                          {outcome.results_json, r.dump(2) + "\n"}});
  std::error_code ec;
  fs::remove(partial_path, ec);  // complete now
  outcome.results = plain;
  say(fmt::format("wrote {} ({} total)", outcome.results_json.string(), format_duration(seconds_since(t_total))));
  return outcome;
}

}  // namespace axial::pipelines
