#include "metrics/local.hpp"

#include <fmt/core.h>

#include <cmath>
#include <limits>

#include "metrics/dci.hpp"
#include "metrics/irs.hpp"
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

LocalDciIrsResult compute_local_dci_irs(const std::vector<LocalCluster>& clusters, bool dci, bool irs,
                                        double train_fraction, Precision precision, int num_threads) {
  LocalDciIrsResult r;
  r.has_dci = dci;
  r.has_irs = irs;
  const std::size_t C = clusters.size();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  r.local_dci_disentanglement_per_cluster.assign(C, nan);
  r.local_dci_completeness_per_cluster.assign(C, nan);
  r.local_dci_informativeness_test_per_cluster.assign(C, nan);
  r.local_irs_per_cluster.assign(C, nan);
  parallel_for(static_cast<Eigen::Index>(C), num_threads, [&](Eigen::Index c) {
    const LocalCluster& cl = clusters[static_cast<std::size_t>(c)];
    const auto sc = static_cast<std::size_t>(c);
    if (irs) {
      IrsOptions o;
      o.precision = precision;
      r.local_irs_per_cluster[sc] = compute_irs(cl.codes, cl.factors, o).irs;
    }
    if (!dci) return;
    const Eigen::Index N = cl.codes.cols();
    const auto ntr = static_cast<Eigen::Index>(std::ceil(train_fraction * static_cast<double>(N)));
    if (ntr < 2 || ntr >= N) return;
    std::vector<Eigen::Index> varying;
    for (Eigen::Index k = 0; k < cl.factors.rows(); ++k) {
      const auto row = cl.factors.row(k).head(ntr);
      if (row.maxCoeff() != row.minCoeff()) varying.push_back(k);
    }
    if (varying.empty()) return;
    FactorMatrix y(static_cast<Eigen::Index>(varying.size()), N);
    for (std::size_t i = 0; i < varying.size(); ++i) y.row(static_cast<Eigen::Index>(i)) = cl.factors.row(varying[i]);
    const DciResult d = compute_dci(cl.codes.leftCols(ntr), y.leftCols(ntr), cl.codes.rightCols(N - ntr),
                                    y.rightCols(N - ntr));
    r.local_dci_disentanglement_per_cluster[sc] = d.disentanglement;
    r.local_dci_completeness_per_cluster[sc] = d.completeness;
    r.local_dci_informativeness_test_per_cluster[sc] = d.informativeness_test;
  });
  auto mean_finite = [](const std::vector<double>& v) {
    double s = 0.0;
    int n = 0;
    for (double x : v)
      if (std::isfinite(x)) {
        s += x;
        ++n;
      }
    return n > 0 ? s / n : std::numeric_limits<double>::quiet_NaN();
  };
  r.local_dci_disentanglement = mean_finite(r.local_dci_disentanglement_per_cluster);
  r.local_dci_completeness = mean_finite(r.local_dci_completeness_per_cluster);
  r.local_dci_informativeness_test = mean_finite(r.local_dci_informativeness_test_per_cluster);
  if (dci && std::isnan(r.local_dci_informativeness_test))
    r.local_dci_undefined_reason = "no cluster has a factor with two values in its train rows";
  r.local_irs = mean_finite(r.local_irs_per_cluster);
  return r;
}

void add_local_dci_irs_scores(const LocalDciIrsResult& r, ScoreSheet& sheet) {
  if (r.has_dci) {
    const std::string note = "null = undefined in that cluster (no varying factor, or one for disentanglement), "
                             "left out of the mean";
    const std::string reason = r.local_dci_undefined_reason;
    auto why = [&](double v) {
      return std::isnan(v) ? (reason.empty() ? std::string("undefined in every cluster") : reason) : std::string();
    };
    sheet.add_scalar("local_dci_disentanglement", r.local_dci_disentanglement, why(r.local_dci_disentanglement));
    sheet.add_vector("local_dci_disentanglement_per_cluster", r.local_dci_disentanglement_per_cluster, note);
    sheet.add_scalar("local_dci_completeness", r.local_dci_completeness, why(r.local_dci_completeness));
    sheet.add_vector("local_dci_completeness_per_cluster", r.local_dci_completeness_per_cluster, note);
    sheet.add_scalar("local_dci_informativeness_test", r.local_dci_informativeness_test,
                     why(r.local_dci_informativeness_test));
    sheet.add_vector("local_dci_informativeness_test_per_cluster", r.local_dci_informativeness_test_per_cluster,
                     note);
  }
  if (r.has_irs) {
    sheet.add_scalar("local_irs", r.local_irs);
    sheet.add_vector("local_irs_per_cluster", r.local_irs_per_cluster);
  }
}

}  // namespace axial
