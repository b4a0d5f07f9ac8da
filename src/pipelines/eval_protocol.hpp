#pragma once
// `axial eval`: the paper's evaluation protocol on any representation function (issue 5). See docs/eval.md.
// Written against datasets::RepresentationFunction (and the optional DecoderJacobianFunction), so it compiles and is
// tested without LibTorch; `axial-torch eval` (src/cli/cmd_eval.cpp) loads TorchScript encoders into it.
//
// Stages: resolve the model (an axial training directory or a TorchScript file) → open the data set → load the
// representation (the caller's loader) → probe it on a few real observations → draw every factor row from --seed → render and encode all images in large
// batches (rendering on a worker thread, overlapped with encoding) → global metrics, local metrics per locality,
// axis alignment → results.json / results.csv / results.md written atomically (+ the optional sample dump).
//
// Samples (paper protocol, travers-rhodes/jlonevae evaluation.py with disentanglement_lib's metric configs):
//  - global: num_train uniform rows (train) then num_test (test). MIG and modularity use the train rows — the
//    paper's MIG and modularity_explicitness both draw from np.random.RandomState(0) with the same sampler, so the
//    MIG sample *is* the modularity/explicitness training sample; explicitness fits on train and scores both.
//  - local: per locality ρ, `clusters` centroids with `cluster_size` rows each (LocalSampler); one sample set per ρ
//    serves local MIG and local modularity (the paper seeded both metrics identically, so it drew the same rows).
//  - axis alignment: `anchors` uniform rows; per ordered factor the two neighbours of the difference stencil.
// RNG streams (src/core/random.hpp make_rng(seed, stream)): global train, global test, anchors, probe, and one per
// locality keyed by the value of ρ, so adding or removing a locality does not change the others' samples.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "datasets/representation.hpp"
#include "src/core/parallel.hpp"

namespace axial::pipelines {

struct EvalSettings {
  std::string model;                       // training dir or TorchScript file
  std::string dataset = "three-dots";      // data-set spec (datasets/registry.hpp)
  std::string dataset_source = "default";  // where it came from: "--dataset", "training config" or "default"
  std::string dataset_warning;             // e.g. --dataset differs from the training data set (choose_dataset)
  // How the representation is called (method, output element, input range/layout) when not the default way;
  // recorded in the results' settings as "encoder" (null = the default call, nothing recorded).
  nlohmann::ordered_json encoder_call;
  std::string protocol = "paper";
  std::filesystem::path out;               // output directory (created)
  std::string device = "auto";
  std::uint64_t seed = 0;
  std::optional<std::filesystem::path> dump_samples;
  std::int64_t batch_size = 512;
  std::int64_t num_train = 10000;
  std::int64_t num_test = 5000;
  std::int64_t clusters = 20;
  std::int64_t cluster_size = 10000;
  std::vector<double> localities = {0.1, 0.2, 0.3, 0.6, 1.0};
  int bins = 20;
  int local_bins = 5;
  std::int64_t cutoff = 10;
  std::vector<std::string> deny;
  std::vector<std::string> metrics = {"mig", "modularity", "explicitness"};  // registry names + sampled_metric_names()
  // FactorVAE and BetaVAE scores (metrics "factor_vae", "beta_vae"; they sample their own observations):
  std::int64_t factor_vae_variance_points = 10000;
  std::int64_t factor_vae_train_votes = 10000;
  std::int64_t factor_vae_eval_votes = 5000;
  std::int64_t beta_vae_train_points = 10000;
  std::int64_t beta_vae_eval_points = 5000;
  std::int64_t pair_batch_size = 64;          // batch of a FactorVAE vote and of a BetaVAE pair
  std::int64_t anchors = 1000;             // axis alignment anchors (0 = skip)
  bool decoder_axis_alignment = true;      // also the decoder variant when the model has a vae.pt
  bool quiet = false;
  // Continue from OUT/results.partial.json (the stages a killed or failed run finished) instead of starting afresh.
  bool resume = false;
  int threads = hardware_threads();        // LibTorch intra-op threads and metric threads (default: every core)
};

// Applies a protocol's sizes. "paper" = the defaults above; "quick" = a reduced protocol for smoke tests
// (1,000 train + 500 test, 5 clusters × 1,000 rows, 100 anchors); "cpu" = the cpu preset's (5,000 train + 2,000
// test, 20 clusters × 1,000 rows at ρ = 0.1, 0.3, 1.0, 100 anchors); "dlib" = disentanglement_lib's unsupervised-study
// menu at its sizes (beta_vae, factor_vae, mig, dci, modularity/explicitness, sap, irs, unsupervised on 10,000 train +
// 5,000 test points shared where the original draws the same ones; no local metrics, no axis alignment).
// Unknown → axial::Error listing the valid names.
// Only fields the user did not set explicitly should be overwritten: the caller applies options afterwards.
void apply_protocol(const std::string& protocol, EvalSettings& settings);
const std::vector<std::string>& protocol_names();

// The metrics only `axial eval` computes because they sample their own observations: factor_vae, beta_vae.
const std::vector<std::string>& sampled_metric_names();
// --metrics of eval: registry names (metrics/registry.hpp) and sampled_metric_names(); unknown or repeated →
// axial::Error listing the valid names. Registry metrics first, in table order, then factor_vae, beta_vae.
std::vector<std::string> parse_eval_metrics(const std::string& list);

// After explicit size options: if any size differs from the named protocol's, the protocol is "custom" (its sizes
// are in the results' settings), so a run with overridden sizes is never labelled as the paper protocol.
void label_protocol(EvalSettings& settings);

// Validates sizes and names before any work (axial::Error naming the option and value).
void validate(const EvalSettings& settings);

// What the user's --model names: an axial training directory (DIR/model/encoder.pt, optional DIR/model/vae.pt for
// the decoder-side axis alignment, DIR/config.json) or a TorchScript file. Recorded in results.json "model".
struct ModelRef {
  std::filesystem::path path;                // what the user gave
  std::filesystem::path encoder;             // the encoder file (empty for an in-memory representation)
  std::optional<std::filesystem::path> vae;  // DIR/model/vae.pt
  std::string type;                          // "axial-vae" | "torchscript" | the caller's name
  nlohmann::ordered_json train_config;       // DIR/config.json, or null
};

// Resolves --model (no model is loaded). Throws axial::Error naming the path when it is missing or incomplete.
ModelRef resolve_model(const std::string& spec);

// The data set a model was trained on (its config.json "options.dataset"), or "" when unknown.
std::string training_dataset(const ModelRef& model);

// Chooses the eval data set: --dataset when given, else the one the model was trained on, else three-dots; sets
// settings.dataset and settings.dataset_source. Returns a warning ("" if none) when --dataset differs from the
// training data set — evaluating on other data than the model saw is allowed, but said.
std::string choose_dataset(EvalSettings& settings, const ModelRef& model, bool dataset_given);

// The loaded model: the representation function (required) and the decoder Jacobians (optional; the decoder axis
// alignment is computed when present and settings.decoder_axis_alignment is set).
struct LoadedModel {
  std::unique_ptr<datasets::RepresentationFunction> encoder;
  std::unique_ptr<datasets::DecoderJacobianFunction> decoder;
};
// Called once by run_eval after the data set is open (so a bad --dataset is reported before a model is loaded).
using ModelLoader = std::function<LoadedModel(const ModelRef&)>;

struct EvalOutcome {
  nlohmann::json results;           // what results.json holds
  std::filesystem::path results_json, results_csv, results_md;
};

// Runs the whole protocol on the model `load` returns. Progress (rate, ETA) goes to `progress` unless
// settings.quiet. Throws axial::Error for bad input; writes nothing if it fails. settings.threads is the metric
// threads (the caller sets its framework's threads).
EvalOutcome run_eval(const EvalSettings& settings, const ModelRef& model, const ModelLoader& load,
                     std::ostream& progress);
// The same on a data set the caller holds (settings.dataset is only recorded).
EvalOutcome run_eval(const EvalSettings& settings, const datasets::GroundTruthData& data, const ModelRef& model,
                     const ModelLoader& load, std::ostream& progress);

}  // namespace axial::pipelines
