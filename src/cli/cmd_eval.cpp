// `axial eval`: the paper's evaluation protocol on any encoder (issue 5). Runs in axial-torch: it loads the
// TorchScript encoder (models/encoder.hpp) and the VAE's decoder Jacobians (models/decoder_alignment.hpp) into the
// torch-free protocol (src/pipelines/eval_protocol.hpp).
#include <fmt/core.h>

#include <filesystem>
#include <iostream>
#include <sstream>

#include "src/core/error.hpp"
#include "src/core/paths.hpp"
#include "metrics/registry.hpp"
#include "src/cli/cli_common.hpp"
#include "src/pipelines/eval_repeats.hpp"
#include "src/cli/option_table.hpp"
#include "models/decoder_alignment.hpp"
#include "models/encoder.hpp"
#include "src/pipelines/eval_protocol.hpp"

namespace axial::cli {

namespace {

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::vector<double> parse_localities(const std::string& s) {
  std::vector<double> out;
  for (const auto& item : split_list(s)) {
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != item.size()) throw Error(fmt::format("--localities: '{}' is not a number", item));
    out.push_back(v);
  }
  return out;
}


struct EvalArgs {
  pipelines::EvalSettings s;  // every default is the struct's (the paper protocol)
  std::string model_spec, out, dump;
  bool no_decoder = false;
  bool force = false;
  int threads = 0;  // 0 = every hardware thread
  int eval_seeds = 1;  // --eval-seeds: repeats of the sampling (src/pipelines/eval_repeats.hpp)
  models::EncoderOptions call;  // how to call the encoder and read its output
};

// The one table of eval options.
void describe(OptionTable& t, EvalArgs& a) {
  pipelines::EvalSettings& s = a.s;
  std::string& model_spec = a.model_spec;
  std::string& out = a.out;
  std::string& dump = a.dump;
  bool& no_decoder = a.no_decoder;
  int& cli_threads = a.threads;
  const auto set_localities = [&s](const std::string& v) { s.localities = parse_localities(v); };
  const auto set_deny = [&s](const std::string& v) { s.deny = split_list(v); };
  const auto set_metrics = [&s](const std::string& v) { s.metrics = pipelines::parse_eval_metrics(v); };
  // The protocol's sizes apply first (its row comes before theirs); explicit size options override them.
  const auto set_protocol = [&s](const std::string& v) { pipelines::apply_protocol(v, s); };
  // clang-format off
  t.help_line("this help")
   .add("model", model_spec,
        "an axial training directory (uses model/encoder.pt; model/vae.pt adds the decoder axis alignment) or any "
        "TorchScript file mapping float (N,C,H,W) in [0,1] to codes (N,L)")
   .add("dataset", s.dataset,
        "data set: three-dots, NAME=PATH, or a native .h5 (default: the one an axial training directory was trained "
        "on, else three-dots)")
   .custom("protocol", s.protocol,
           "paper (the paper's sizes), quick (a reduced smoke-test protocol), cpu (the cpu preset's sizes) or dlib "
           "(disentanglement_lib's "
           "unsupervised-study metrics at its sizes); explicit size options override it",
           set_protocol, Role::kResult, "NAME")
   .add("out", out, "output directory for results.json, results.csv, results.md", Role::kRun)
   .add("device", s.device, "auto, cpu, cuda or cuda:N", Role::kRun)
   .add("method", a.call.method, "the exported method to call (e.g. encode of a full VAE)")
   .add("output-index", a.call.output_index,
        "a tuple/list output: the element that is the code, e.g. 1 for (z_sample, mu, logvar) (-1 = only when "
        "unambiguous)",
        Role::kResult, -1)
   .add("output-key", a.call.output_key, "a dict output: the entry that is the code (default: mu, mean or z_mean)")
   .add("input-range", a.call.input_range, "pixel range the encoder was trained on: 0,1 | -1,1 | 0,255")
   .add("input-layout", a.call.input_layout, "nchw (PyTorch) | nhwc")
   .add("seed", s.seed, "seed of every random choice (recorded in the outputs)")
   .add("dump-samples", dump,
        "also write the codes and factors to this .h5 (global sample at the root, train rows first; one group "
        "locality_<rho>/cluster_<i> per locality and cluster) for `axial score` / `axial score --clusters`",
        Role::kRun)
   .add("batch-size", s.batch_size, "images per encoder call", Role::kRun, std::int64_t{1})
   .add("num-train", s.num_train, "global training points (MIG, modularity, explicitness fit)", Role::kResult,
        std::int64_t{2})
   .add("num-test", s.num_test, "global test points (explicitness)", Role::kResult, std::int64_t{0})
   .add("clusters", s.clusters, "local clusters per locality (0 = no local metrics)", Role::kResult,
        std::int64_t{0})
   .add("cluster-size", s.cluster_size, "points per local cluster", Role::kResult, std::int64_t{2})
   .custom("localities", "0.1,0.2,0.3,0.6,1.0", "comma-separated rho in (0, 1]", set_localities)
   .add("bins", s.bins, "histogram bins of the global metrics", Role::kResult, 1, 1000000)
   .add("local-bins", s.local_bins, "histogram bins of the local metrics", Role::kResult, 1, 1000000)
   .add("cutoff", s.cutoff,
        "continuity cutoff: factors with fewer values are held fixed locally and left out of axis alignment",
        Role::kResult, std::int64_t{1})
   .custom("deny", std::string(),
           "comma-separated factor names or indices held fixed locally (on top of the data set's unordered factors)",
           set_deny)
   .custom("metrics", "mig,modularity,explicitness",
           "global metrics from the registry:\n" + metric_help() +
               "  factor_vae    FactorVAE score (Kim & Mnih 2018): majority vote over batches with one factor fixed "
               "(eval only: samples its own batches)\n"
               "  beta_vae      BetaVAE score (Higgins et al. 2017): logistic regression on mean |z1 - z2| of pair "
               "batches sharing a factor (eval only)\n",
           set_metrics)
   .add("factor-vae-variance-points", s.factor_vae_variance_points, "FactorVAE score: points for the global variances",
        Role::kResult, std::int64_t{2})
   .add("factor-vae-train-votes", s.factor_vae_train_votes, "FactorVAE score: training votes", Role::kResult,
        std::int64_t{1})
   .add("factor-vae-eval-votes", s.factor_vae_eval_votes, "FactorVAE score: evaluation votes", Role::kResult,
        std::int64_t{1})
   .add("beta-vae-train-points", s.beta_vae_train_points, "BetaVAE score: training points (pair batches)",
        Role::kResult, std::int64_t{2})
   .add("beta-vae-eval-points", s.beta_vae_eval_points, "BetaVAE score: evaluation points", Role::kResult,
        std::int64_t{1})
   .add("pair-batch-size", s.pair_batch_size, "FactorVAE vote / BetaVAE pair batch size", Role::kResult,
        std::int64_t{2})
   .add("anchors", s.anchors, "axis-alignment anchor points (0 = skip)", Role::kResult, std::int64_t{0})
   .flag("no-decoder-alignment", no_decoder, "skip the decoder-side axis alignment of axial VAE checkpoints",
         Role::kResult)
   .add("threads", cli_threads, "LibTorch and metric threads (0 = all hardware threads, as in every command)",
        Role::kRun, 0)
   .flag("force", a.force, "replace the results already in --out (otherwise an existing results.json is an error)")
   .flag("resume", s.resume,
         "continue from --out's results.partial.json (the stages a killed run finished; same model and settings)")
   .add("eval-seeds", a.eval_seeds,
        "repeat the protocol's sampling with K seeds (--seed, --seed+1, …) on the same model; every value in "
        "OUT/eval_repeats.json, so `axial report` can show the evaluation noise beside the training noise",
        Role::kRun, 1)
   .flag("quiet", s.quiet, "no progress on stderr");
  // clang-format on
}

// Parses, then checks the settings (not the model, which a plan has not trained yet).
void parse_and_validate(const Args& args, OptionTable& t, EvalArgs& a) {
  describe(t, a);
  t.parse(args);
  for (const char* name : {"model", "out"})
    if (!t.given(name)) throw Error(fmt::format("the option '--{}' is required but missing", name));
  a.s.model = a.model_spec;
  a.s.out = a.out;
  if (!a.dump.empty()) a.s.dump_samples = a.dump;
  a.s.decoder_axis_alignment = !a.no_decoder;
  a.s.threads = a.threads > 0 ? a.threads : hardware_threads();
  pipelines::label_protocol(a.s);
  pipelines::validate(a.s);
}

}  // namespace

void check_eval_args(const Args& args) {
  EvalArgs a;
  OptionTable t("axial eval options");
  parse_and_validate(args, t, a);
}

int run_eval(const Args& args) {
  EvalArgs a;
  pipelines::EvalSettings& s = a.s;
  OptionTable t("axial eval options");
  const std::string usage =
      "axial eval --model PATH --dataset three-dots [--protocol paper] --out DIR [--device auto] [--seed 0] "
      "[--dump-samples F.h5] [--batch-size 512] [options]";
  if (wants_help(args)) {
    describe(t, a);
    print_help(usage, t.description());
    return 0;
  }
  parse_and_validate(args, t, a);
  // Where the results go is checked before the evaluation, not found unusable after it.
  check_output_directory(a.s.out, "--out");
  if (a.s.dump_samples) {
    refuse_directory(*a.s.dump_samples, fmt::format("--dump-samples '{}'", a.s.dump_samples->string()));
    if (a.s.dump_samples->has_parent_path()) check_output_directory(a.s.dump_samples->parent_path(), "--dump-samples");
  }
  if (!a.force && std::filesystem::exists(a.s.out / "results.json"))
    throw Error(fmt::format("--out '{}': already holds results.json (pass --force to replace it, or choose another "
                            "directory)",
                            a.s.out.string()));
  models::set_torch_threads(s.threads);
  const pipelines::ModelRef model = pipelines::resolve_model(s.model);
  s.dataset_warning = pipelines::choose_dataset(s, model, t.given("dataset"));
  if (!s.dataset_warning.empty()) std::cerr << "axial: warning: " << s.dataset_warning << "\n";
  a.call.device = s.device;
  // Recorded in the results only when the encoder is not called the default way (EncoderOptions' defaults).
  const models::EncoderOptions plain;
  if (a.call.method != plain.method || a.call.output_index != plain.output_index ||
      a.call.output_key != plain.output_key || a.call.input_range != plain.input_range ||
      a.call.input_layout != plain.input_layout)
    s.encoder_call = {{"method", a.call.method},
                      {"output_index", a.call.output_index},
                      {"output_key", a.call.output_key},
                      {"input_range", a.call.input_range},
                      {"input_layout", a.call.input_layout}};
  auto load = [&s, &a](const pipelines::ModelRef& m) {
    pipelines::LoadedModel loaded;
    auto encoder = std::make_unique<models::Encoder>(m.encoder, a.call);
    const std::string device = encoder->device();
    loaded.encoder = std::move(encoder);
    if (m.vae) loaded.decoder = std::make_unique<models::VaeDecoderJacobian>(*m.vae, device);
    return loaded;
  };
  pipelines::run_eval_with_repeats(s, model, load, a.eval_seeds, std::cerr);
  return 0;
}

}  // namespace axial::cli
