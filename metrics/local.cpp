#include "metrics/local.hpp"

#include <fmt/core.h>

#include <cmath>
#include <limits>

#include "src/core/error.hpp"
#include "metrics/mig.hpp"
#include "metrics/modularity.hpp"
#include "metrics/mutual_info.hpp"
#include "src/core/parallel.hpp"

namespace axial {

namespace {

double mean_defined(const std::vector<double>& v, int* count) {
  std::vector<double> ok;
  for (double x : v)
    if (!std::isnan(x)) ok.push_back(x);
  *count = static_cast<int>(ok.size());
  if (ok.empty()) return std::numeric_limits<double>::quiet_NaN();
  return detail::pairwise_sum(ok.data(), ok.size()) / static_cast<double>(ok.size());
}

}  // namespace

LocalResult compute_local(const std::vector<LocalCluster>& clusters, const LocalOptions& options) {
  if (clusters.empty()) throw Error("local metrics: no clusters");
  if (options.num_bins < 1) throw Error(fmt::format("local metrics: number of bins must be ≥ 1, got {}", options.num_bins));
  const Eigen::Index L = clusters[0].codes.rows(), K = clusters[0].factors.rows();
  if (L < 2) throw Error(fmt::format("local metrics: cluster 0 has {} latents, MIG needs at least 2", L));
  for (std::size_t c = 0; c < clusters.size(); ++c) {
    const auto& cl = clusters[c];
    if (cl.codes.rows() != L || cl.factors.rows() != K)
      throw Error(fmt::format("local metrics: cluster {} has {} latents and {} factors, cluster 0 has {} and {}", c,
                              cl.codes.rows(), cl.factors.rows(), L, K));
    if (cl.codes.cols() != cl.factors.cols())
      throw Error(fmt::format("local metrics: cluster {}: number of code samples ({}) does not match number of "
                              "factor samples ({})",
                              c, cl.codes.cols(), cl.factors.cols()));
    if (cl.codes.cols() < 1) throw Error(fmt::format("local metrics: cluster {} is empty", c));
  }
  const std::size_t C = clusters.size();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  LocalResult r;
  r.local_mig_per_cluster.assign(C, nan);
  r.skipped_factors_per_cluster.assign(C, 0);
  r.local_modularity_per_cluster.assign(C, nan);
  r.local_modularity_varying_per_cluster.assign(C, nan);
  DiscretizeOptions disc;
  disc.num_bins = options.num_bins;
  disc.method = options.method;
  disc.precision = options.precision;
  parallel_for(static_cast<Eigen::Index>(C), options.num_threads, [&](Eigen::Index ci) {
    const auto c = static_cast<std::size_t>(ci);
    LabelMatrix labels;
    try {
      labels = discretize(clusters[c].codes, disc);
    } catch (const Error& e) {
      throw Error(fmt::format("local metrics: cluster {}: {}", c, e.what()));
    }
    const Eigen::MatrixXd m = mutual_info_matrix(labels, clusters[c].factors, 1);
    const Eigen::VectorXd h = factor_entropy(clusters[c].factors);
    const MigResult mig = mig_from_mutual_info(m, h);
    r.local_mig_per_cluster[c] = mig.defined ? mig.mig : nan;
    r.skipped_factors_per_cluster[c] = mig.skipped_factors;
    r.local_modularity_per_cluster[c] = modularity_from_mutual_info(m).modularity;
    const ModularityResult mv = modularity_varying_from_mutual_info(m, h);
    r.local_modularity_varying_per_cluster[c] = mv.defined ? mv.modularity : nan;
  });
  int n_mig = 0, n_mod = 0, n_var = 0;
  r.local_mig = mean_defined(r.local_mig_per_cluster, &n_mig);
  r.undefined_mig_clusters = static_cast<int>(C) - n_mig;
  if (n_mig == 0)
    r.local_mig_undefined_reason =
        fmt::format("every factor is constant in each of the {} clusters, so no cluster has a MIG", C);
  r.local_modularity = mean_defined(r.local_modularity_per_cluster, &n_mod);
  r.local_modularity_varying = mean_defined(r.local_modularity_varying_per_cluster, &n_var);
  if (n_var == 0)
    r.local_modularity_varying_undefined_reason =
        fmt::format("no factor varies in any of the {} clusters", C);
  return r;
}

void add_to_sheet(const LocalResult& result, int num_bins, ScoreSheet& sheet) {
  add_local_scores(result, sheet);
  sheet.add_integer("local_num_bins", num_bins);
  sheet.add_integer("local_num_clusters", static_cast<std::int64_t>(result.local_mig_per_cluster.size()));
}

void add_local_scores(const LocalResult& result, ScoreSheet& sheet) {
  const std::string mig_note =
      result.undefined_mig_clusters > 0
          ? fmt::format("null = every factor constant in that cluster ({} of {} clusters), left out of local_mig",
                        result.undefined_mig_clusters, result.local_mig_per_cluster.size())
          : "";
  sheet.add_scalar("local_mig", result.local_mig, result.local_mig_undefined_reason);
  sheet.add_vector("local_mig_per_cluster", result.local_mig_per_cluster, mig_note);
  std::vector<double> skipped(result.skipped_factors_per_cluster.begin(), result.skipped_factors_per_cluster.end());
  sheet.add_vector("local_mig_skipped_factors_per_cluster", skipped);
  sheet.add_scalar("local_modularity", result.local_modularity);
  sheet.add_vector("local_modularity_per_cluster", result.local_modularity_per_cluster);
  sheet.add_scalar("local_modularity_varying", result.local_modularity_varying,
                   result.local_modularity_varying_undefined_reason);
  sheet.add_vector("local_modularity_varying_per_cluster", result.local_modularity_varying_per_cluster,
                   result.local_modularity_varying_undefined_reason.empty()
                       ? ""
                       : "null = no factor varies in that cluster");
}

}  // namespace axial
