// `axial eval`: the paper's evaluation protocol on any encoder (issue 5). Runs in axial-torch: it loads the
// TorchScript encoder (models/encoder.hpp) and the VAE's decoder Jacobians (models/decoder_alignment.hpp) into the
// torch-free protocol (src/pipelines/eval_protocol.hpp).
#include <fmt/core.h>

#include <iostream>
#include <sstream>
#include <thread>

#include "src/core/error.hpp"
#include "metrics/registry.hpp"
#include "src/cli/cli_common.hpp"
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

}  // namespace

int run_eval(const Args& args) {
  pipelines::EvalSettings s;
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  po::options_description opts("axial eval options");
  // clang-format off
  opts.add_options()
    ("help,h", "this help")
    ("model", po::value<std::string>()->required(),
     "an axial training directory (uses model/encoder.pt; model/vae.pt adds the decoder axis alignment) or any "
     "TorchScript file mapping float (N,C,H,W) in [0,1] to codes (N,L)")
    ("dataset", po::value<std::string>()->default_value("three-dots"),
     "data set: three-dots, NAME=PATH, or a native .h5")
    ("protocol", po::value<std::string>()->default_value("paper"),
     "paper (the paper's sizes) or quick (a reduced smoke-test protocol); explicit size options override it")
    ("out", po::value<std::string>()->required(), "output directory for results.json, results.csv, results.md")
    ("device", po::value<std::string>()->default_value("auto"), "auto, cpu, cuda or cuda:N")
    ("seed", po::value<std::uint64_t>()->default_value(0), "seed of every random choice (recorded in the outputs)")
    ("dump-samples", po::value<std::string>(),
     "also write the codes and factors to this .h5 (global sample at the root, train rows first; one group "
     "locality_<rho>/cluster_<i> per locality and cluster) for `axial score` / `axial score --clusters`")
    ("batch-size", po::value<std::int64_t>()->default_value(512), "images per encoder call")
    ("num-train", po::value<std::int64_t>()->default_value(10000),
     "global training points (MIG, modularity, explicitness fit)")
    ("num-test", po::value<std::int64_t>()->default_value(5000), "global test points (explicitness)")
    ("clusters", po::value<std::int64_t>()->default_value(20), "local clusters per locality (0 = no local metrics)")
    ("cluster-size", po::value<std::int64_t>()->default_value(10000), "points per local cluster")
    ("localities", po::value<std::string>()->default_value("0.1,0.2,0.3,0.6,1.0"), "comma-separated rho in (0, 1]")
    ("bins", po::value<int>()->default_value(20), "histogram bins of the global metrics")
    ("local-bins", po::value<int>()->default_value(5), "histogram bins of the local metrics")
    ("cutoff", po::value<std::int64_t>()->default_value(10),
     "continuity cutoff: factors with fewer values are held fixed locally and left out of axis alignment")
    ("deny", po::value<std::string>()->default_value(""),
     "comma-separated factor names or indices held fixed locally (on top of the data set's unordered factors)")
    ("metrics", po::value<std::string>()->default_value("mig,modularity,explicitness"),
     ("global metrics from the registry:\n" + metric_help()).c_str())
    ("anchors", po::value<std::int64_t>()->default_value(1000), "axis-alignment anchor points (0 = skip)")
    ("no-decoder-alignment", po::bool_switch(), "skip the decoder-side axis alignment of axial VAE checkpoints")
    ("threads", po::value<int>()->default_value(static_cast<int>(hw)), "LibTorch and metric threads")
    ("quiet", po::bool_switch(), "no progress on stderr");
  // clang-format on
  const std::string usage =
      "axial eval --model PATH --dataset three-dots [--protocol paper] --out DIR [--device auto] [--seed 0] "
      "[--dump-samples F.h5] [--batch-size 512] [options]";
  if (wants_help(args)) {
    print_help(usage, opts);
    return 0;
  }
  const auto vm = parse(args, opts);
  auto given = [&](const char* name) { return vm.count(name) && !vm[name].defaulted(); };

  pipelines::apply_protocol(vm["protocol"].as<std::string>(), s);
  s.model = vm["model"].as<std::string>();
  s.dataset = vm["dataset"].as<std::string>();
  s.out = vm["out"].as<std::string>();
  s.device = vm["device"].as<std::string>();
  s.seed = vm["seed"].as<std::uint64_t>();
  if (vm.count("dump-samples")) s.dump_samples = vm["dump-samples"].as<std::string>();
  s.batch_size = vm["batch-size"].as<std::int64_t>();
  if (given("num-train")) s.num_train = vm["num-train"].as<std::int64_t>();
  if (given("num-test")) s.num_test = vm["num-test"].as<std::int64_t>();
  if (given("clusters")) s.clusters = vm["clusters"].as<std::int64_t>();
  if (given("cluster-size")) s.cluster_size = vm["cluster-size"].as<std::int64_t>();
  if (given("localities")) s.localities = parse_localities(vm["localities"].as<std::string>());
  if (given("bins")) s.bins = vm["bins"].as<int>();
  if (given("local-bins")) s.local_bins = vm["local-bins"].as<int>();
  if (given("cutoff")) s.cutoff = vm["cutoff"].as<std::int64_t>();
  if (given("anchors")) s.anchors = vm["anchors"].as<std::int64_t>();
  s.deny = split_list(vm["deny"].as<std::string>());
  s.metrics = parse_metric_list(vm["metrics"].as<std::string>());
  s.decoder_axis_alignment = !vm["no-decoder-alignment"].as<bool>();
  s.threads = vm["threads"].as<int>();
  s.quiet = vm["quiet"].as<bool>();
  pipelines::validate(s);
  models::set_torch_threads(s.threads);
  const pipelines::ModelRef model = pipelines::resolve_model(s.model);
  auto load = [&s](const pipelines::ModelRef& m) {
    pipelines::LoadedModel loaded;
    auto encoder = std::make_unique<models::Encoder>(m.encoder, s.device);
    const std::string device = encoder->device();
    loaded.encoder = std::move(encoder);
    if (m.vae) loaded.decoder = std::make_unique<models::VaeDecoderJacobian>(*m.vae, device);
    return loaded;
  };
  pipelines::run_eval(s, model, load, std::cerr);
  return 0;
}

}  // namespace axial::cli
