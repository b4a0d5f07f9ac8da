#include "src/pipelines/score_codes.hpp"

#include <fmt/core.h>

#include <algorithm>

#include <cmath>

#include "axial/version.hpp"
#include "metrics/local.hpp"
#include "metrics/registry.hpp"
#include "src/core/error.hpp"
#include "src/core/parallel.hpp"

namespace axial::pipelines {

namespace {
const char* precision_name(Precision p) { return p == Precision::Float32 ? "float32" : "float64"; }
}  // namespace

void check_score_options(const ScoreCodesOptions& o) {
  if (o.train_fraction && o.num_train) throw Error("--train-fraction and --num-train are mutually exclusive");
  if (o.bins < 1) throw Error(fmt::format("--bins {}: must be at least 1", o.bins));
  if (o.bins > 1000000) throw Error(fmt::format("--bins {}: must be at most 1000000", o.bins));
  if (o.local_bins > 1000000) throw Error(fmt::format("--local-bins {}: must be at most 1000000", o.local_bins));
  if (o.local_bins < 1) throw Error(fmt::format("--local-bins {}: must be at least 1", o.local_bins));
  if (o.threads < 0) throw Error(fmt::format("--threads {}: must be ≥ 0", o.threads));
  if (o.train_fraction && !(*o.train_fraction > 0.0 && *o.train_fraction < 1.0))
    throw Error(fmt::format("--train-fraction {}: must be in (0, 1)", *o.train_fraction));
  parse_discretizer(o.discretizer);
  parse_metric_list(o.metrics);
}

ScoreSheet score_codes(const ScoreCodesOptions& o, const CodesData* codes, const ScoreSource& codes_source,
                       const ClusterSet* clusters, const ScoreSource& clusters_source,
                       std::chrono::steady_clock::time_point started) {
  check_score_options(o);
  if (codes == nullptr && clusters == nullptr) throw Error("--codes FILE (or --clusters FILE) is required");
  const Discretizer method = parse_discretizer(o.discretizer);
  const std::vector<std::string> names = parse_metric_list(o.metrics);
  const int threads = o.threads > 0 ? o.threads : hardware_threads();

  ScoreSheet sheet;
  ScoreSheet provenance;
  if (codes != nullptr) {
    const CodesData& data = *codes;
    const Eigen::Index N = data.codes.cols(), L = data.codes.rows(), K = data.factors.rows();
    auto where = [&](const std::string& what) { return fmt::format("'{}': {}", codes_source.name, what); };
    if (N < 2) throw Error(where(fmt::format("key 'codes': {} sample(s), need at least 2", N)));
    if (L < min_latents(names))
      throw Error(where(fmt::format("key 'codes': {} latent(s); mig, sap and unsupervised need at least 2", L)));
    if (K < 1) throw Error(where("key 'factors': 0 factors"));
    if (data.factors.cols() != N)
      throw Error(where(fmt::format("{} rows of codes but {} rows of factors", N, data.factors.cols())));
    ScoreInputs in;
    in.codes = &data.codes;
    in.factors = &data.factors;
    in.discretize.num_bins = o.bins;
    in.discretize.method = method;
    in.discretize.precision = data.precision;
    in.num_threads = threads;
    const bool split = needs_train_test_split(names);
    if (o.num_train) {
      in.num_train = static_cast<Eigen::Index>(*o.num_train);
    } else {
      in.num_train = static_cast<Eigen::Index>(std::ceil(o.train_fraction.value_or(0.8) * static_cast<double>(N)));
    }
    if (split && (in.num_train < 1 || in.num_train >= N))
      throw Error(where(fmt::format("train/test split: {} of {} rows for training leaves an empty split (use "
                                    "--num-train between 1 and {})",
                                    in.num_train, N, N - 1)));
    try {
      sheet = compute_metrics(names, in);
    } catch (const Error& e) {
      throw Error(where(e.what()));
    }
    provenance.add_integer("num_bins", o.bins);
    provenance.add_integer("n", N);
    provenance.add_integer("l", L);
    provenance.add_integer("k", K);
    if (split) {
      provenance.add_integer("num_train", in.num_train);
      provenance.add_integer("num_test", N - in.num_train);
    }
    provenance.add_text("discretizer", discretizer_name(method));
    provenance.add_text("codes_dtype", precision_name(data.precision));
    provenance.add_text("input", codes_source.name);
    for (const auto& [key, value] : codes_source.details) provenance.add_text(key, value);
    provenance.add_text("input_sha256", codes_source.sha256);
  }
  if (clusters != nullptr) {
    if (clusters->clusters.empty()) throw Error(fmt::format("'{}': no clusters", clusters_source.name));
    LocalOptions lo;
    lo.num_bins = o.local_bins;
    lo.method = method;
    lo.precision = clusters->precision;
    lo.num_threads = threads;
    LocalResult r;
    try {
      r = compute_local(clusters->clusters, lo);
    } catch (const Error& e) {
      throw Error(fmt::format("'{}': {}", clusters_source.name, e.what()));
    }
    add_to_sheet(r, o.local_bins, sheet);
    const bool local_dci = std::find(names.begin(), names.end(), "dci") != names.end(),
               local_irs = std::find(names.begin(), names.end(), "irs") != names.end();
    if (local_dci || local_irs) {
      try {
        add_local_dci_irs_scores(compute_local_dci_irs(clusters->clusters, local_dci, local_irs,
                                                       o.train_fraction.value_or(0.8), clusters->precision, threads),
                                 sheet);
      } catch (const Error& e) {
        throw Error(fmt::format("'{}': {}", clusters_source.name, e.what()));
      }
    }
    if (codes == nullptr) {
      provenance.add_integer("l", clusters->clusters.front().codes.rows());
      provenance.add_integer("k", clusters->clusters.front().factors.rows());
      provenance.add_text("discretizer", discretizer_name(method));
    }
    provenance.add_text("clusters", clusters_source.name);
    for (const auto& [key, value] : clusters_source.details) provenance.add_text(key, value);
    provenance.add_text("clusters_sha256", clusters_source.sha256);
    if (codes == nullptr) provenance.add_text("input_sha256", clusters_source.sha256);
  }
  sheet.append(provenance);
  sheet.add_text("axial_version", kVersion);
  sheet.add_text("axial_git_commit", kGitCommit);
  sheet.add_integer("threads", threads);
  sheet.add_scalar("elapsed_seconds",
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return sheet;
}

}  // namespace axial::pipelines
