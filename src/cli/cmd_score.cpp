// `axial score` (issue 3): scores codes and factors read from a file with the metric registry, and/or the local
// variants on a file of clusters. Writes JSON (default), CSV or Markdown to stdout or atomically to --out.
#include <fmt/core.h>

#include <chrono>
#include <cstdlib>
#include <limits>
#include <optional>
#include <utility>
#include <cmath>
#include <iostream>

#include "axial/version.hpp"
#include "src/core/atomic_output.hpp"
#include "datasets/codes_file.hpp"
#include "datasets/sha256.hpp"
#include "src/core/error.hpp"
#include "metrics/local.hpp"
#include "src/core/parallel.hpp"
#include "metrics/registry.hpp"
#include "metrics/score_sheet.hpp"
#include "src/cli/cli_common.hpp"
#include "src/cli/option_table.hpp"
#include "src/pipelines/score_codes.hpp"

namespace axial::cli {

namespace {

struct ScoreOptions {
  std::string codes;
  std::string clusters;
  std::string clusters_group;
  int bins = 20;
  int local_bins = 5;
  std::string metrics = "mig,modularity,explicitness,sap";
  double train_fraction = 0.8;
  long long num_train = 0;
  std::string format;
  std::string out;
  std::string discretizer = "histogram";
  int threads = 0;
  std::string codes_key, factors_key, layout = "auto";
  int num_latents = 0;
  std::string rows;
};

// --rows: "train" (the first num_train rows of an eval dump), "N" (the first N) or "A:B" (rows A..B-1, as a Python
// slice). Returns [begin, end); axial::Error naming --rows for anything else or out of range.
std::pair<Eigen::Index, Eigen::Index> parse_rows(const std::string& spec, const CodesData& d, const std::string& file) {
  const Eigen::Index N = d.codes.cols();
  auto number = [&](const std::string& t) {
    try {
      return static_cast<Eigen::Index>(parse_integer_option("rows", t, 0, std::numeric_limits<std::int64_t>::max()));
    } catch (const Error&) {
      throw Error(fmt::format("--rows '{}': expected train, N or A:B with row numbers >= 0", spec));
    }
  };
  Eigen::Index a = 0, b = 0;
  if (spec == "train") {
    if (!d.num_train)
      throw Error(fmt::format("--rows train: '{}' does not record its training rows (only `axial eval "
                              "--dump-samples` files do); give --rows N or A:B",
                              file));
    b = *d.num_train;
  } else if (const auto colon = spec.find(':'); colon != std::string::npos) {
    a = number(spec.substr(0, colon));
    b = number(spec.substr(colon + 1));
  } else {
    b = number(spec);
  }
  if (a >= b || b > N)
    throw Error(fmt::format("--rows {}: rows {}..{} are not within the file's {} rows", spec, a, b - 1, N));
  return {a, b};
}

po::options_description describe(ScoreOptions& o) {
  po::options_description d("axial score options");
  d.add_options()
      ("help,h", "print this help and exit")
      ("codes", po::value(&o.codes)->value_name("FILE"),
       "codes and factors: .h5/.hdf5 or .npz with `codes` (N,L) float32/float64 and `factors` (N,K) integer, or .csv "
       "with header z0..z{L-1},y0..y{K-1}")
      ("bins", po::value(&o.bins)->default_value(o.bins)->value_name("B"), "histogram bins per latent for mig/modularity")
      ("metrics", po::value(&o.metrics)->default_value(o.metrics)->value_name("LIST"),
       "comma-separated metrics to compute (see the list below)")
      ("train-fraction", po::value(&o.train_fraction)->value_name("F"),
       "explicitness/sap: the first ceil(F*N) rows train, the rest test (default 0.8)")
      ("num-train", po::value(&o.num_train)->value_name("N"),
       "explicitness/sap: the first N rows train, the rest test (instead of --train-fraction)")
      ("format", po::value(&o.format)->value_name("FMT"),
       "json, csv or md (default: from the --out extension, else json)")
      ("out", po::value(&o.out)->value_name("FILE"), "write here (atomically) instead of stdout")
      ("clusters", po::value(&o.clusters)->value_name("FILE"),
       "local variants: .h5 with groups cluster_0, cluster_1, … (each `codes`, `factors`) or .npz with "
       "codes_0/factors_0, …")
      ("clusters-group", po::value(&o.clusters_group)->value_name("GROUP"),
       "read the cluster_i groups under this HDF5 group (e.g. one written per locality by `axial eval "
       "--dump-samples`)")
      ("local-bins", po::value(&o.local_bins)->default_value(o.local_bins)->value_name("B"), "histogram bins for local metrics")
      ("discretizer", po::value(&o.discretizer)->default_value(o.discretizer)->value_name("NAME"),
       "histogram (numpy.histogram edges, as disentanglement_lib) or quantile (equal-frequency bins)")
      ("threads", po::value(&o.threads)->default_value(o.threads)->value_name("T"), "worker threads (0 = all cores)")
      ("codes-key", po::value(&o.codes_key)->value_name("KEY"),
       "member/dataset holding the codes (default: codes, else mus as disentanglement_lib names them; an HDF5 "
       "group path works)")
      ("factors-key", po::value(&o.factors_key)->value_name("KEY"), "member/dataset of the factors (default: factors, else ys)")
      ("layout", po::value(&o.layout)->default_value(o.layout)->value_name("L"),
       "points-by-codes ((N, L) rows = samples, axial's), codes-by-points ((L, N), disentanglement_lib's), or auto "
       "(points-by-codes, refusing a shape that looks transposed)")
      ("num-latents", po::value(&o.num_latents)->value_name("L"),
       "CSV without a header line: the first L columns are codes, the rest factors")
      ("rows", po::value(&o.rows)->value_name("SPEC"),
       "score a slice: train (an eval dump's training rows, the sample eval's MIG/modularity use), N (the first N) "
       "or A:B (rows A..B-1)");
  return d;
}

const char* kUsage =
    "axial score --codes FILE [--bins 20] [--metrics mig,modularity,explicitness,sap]\n"
    "                   [--train-fraction 0.8 | --num-train N] [--format json|csv|md] [--out FILE]\n"
    "                   [--clusters FILE [--clusters-group GROUP]] [--local-bins 5]";

std::string infer_format(const ScoreOptions& o) {
  if (!o.format.empty()) {
    if (o.format != "json" && o.format != "csv" && o.format != "md")
      throw Error(fmt::format("--format '{}': unknown format (valid: json, csv, md)", o.format));
    return o.format;
  }
  if (!o.out.empty()) {
    const std::string ext = std::filesystem::path(o.out).extension().string();
    if (ext == ".csv") return "csv";
    if (ext == ".md") return "md";
  }
  return "json";
}

}  // namespace

int run_score(const Args& args) {
  ScoreOptions o;
  const po::options_description options = describe(o);
  if (wants_help(args)) {
    print_help(kUsage, options);
    std::cout << "\nMetrics (--metrics):\n" << metric_help()
              << "\nWith --clusters: local_mig, local_modularity (K = all factors) and local_modularity_varying\n"
                 "(K = factors varying in the cluster), per cluster and averaged.\n";
    return 0;
  }
  const po::variables_map vm = parse(args, options);
  const auto started = std::chrono::steady_clock::now();
  if (o.codes.empty() && o.clusters.empty()) throw Error("--codes FILE (or --clusters FILE) is required");
  pipelines::ScoreCodesOptions so;
  so.metrics = o.metrics;
  so.bins = o.bins;
  so.local_bins = o.local_bins;
  if (vm.count("train-fraction")) so.train_fraction = o.train_fraction;
  if (vm.count("num-train")) so.num_train = o.num_train;
  so.discretizer = o.discretizer;
  so.threads = o.threads;
  if (o.num_latents < 0) throw Error(fmt::format("--num-latents {}: must be at least 1", o.num_latents));
  pipelines::check_score_options(so);
  if (!o.clusters_group.empty() && o.clusters.empty()) throw Error("--clusters-group needs --clusters FILE");
  const std::string format = infer_format(o);

  std::optional<CodesData> data;
  pipelines::ScoreSource codes_source, clusters_source;
  if (!o.codes.empty()) {
    CodesReadOptions ro;
    ro.codes_key = o.codes_key;
    ro.factors_key = o.factors_key;
    ro.layout = parse_codes_layout(o.layout);
    ro.num_latents = o.num_latents;
    data = read_codes_file(o.codes, ro);
    if (!o.rows.empty()) {
      const auto [a, b] = parse_rows(o.rows, *data, o.codes);
      data->codes = data->codes.middleCols(a, b - a).eval();
      data->factors = data->factors.middleCols(a, b - a).eval();
    }
    codes_source.name = o.codes;
    if (o.layout != "auto") codes_source.details.emplace_back("layout", o.layout);
    if (!o.rows.empty()) codes_source.details.emplace_back("rows", o.rows);
    if (!o.codes_key.empty()) codes_source.details.emplace_back("codes_key", o.codes_key);
    if (!o.factors_key.empty()) codes_source.details.emplace_back("factors_key", o.factors_key);
    codes_source.sha256 = sha256_file(o.codes);
  }
  std::optional<ClusterSet> set;
  if (!o.clusters.empty()) {
    set = read_clusters_file(o.clusters, o.clusters_group);
    clusters_source.name = o.clusters;
    if (!o.clusters_group.empty()) clusters_source.details.emplace_back("clusters_group", o.clusters_group);
    clusters_source.sha256 = sha256_file(o.clusters);
  }
  const ScoreSheet sheet = pipelines::score_codes(so, data ? &*data : nullptr, codes_source,
                                                  set ? &*set : nullptr, clusters_source, started);

  std::string text;
  if (format == "json") text = to_json(sheet);
  else if (format == "csv") text = to_csv(sheet);
  else text = to_markdown(sheet);
  if (o.out.empty()) {
    std::cout << text << std::flush;
  } else {
    write_file_atomically(o.out, text);
  }
  return 0;
}

}  // namespace axial::cli
