// Local MIG / modularity (Rhodes & Lee 2021): the per-cluster values equal the global cores on each cluster.
#include <doctest/doctest.h>

#include <cmath>

#include "src/core/error.hpp"
#include "metrics/local.hpp"
#include "metrics/mig.hpp"
#include "metrics/modularity.hpp"

using namespace axial;

namespace {
LocalCluster cluster(int seed, bool freeze_factor1, bool freeze_all = false) {
  LocalCluster c;
  const Eigen::Index n = 200;
  c.codes.resize(3, n);
  c.factors.resize(2, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    c.factors(0, i) = freeze_all ? 2 : (i + seed) % 5;
    c.factors(1, i) = freeze_factor1 || freeze_all ? 1 : (i / 5 + seed) % 4;
    c.codes(0, i) = static_cast<double>(c.factors(0, i)) + 0.05 * std::sin(static_cast<double>(i + seed));
    c.codes(1, i) = static_cast<double>(c.factors(1, i)) + 0.3 * std::cos(static_cast<double>(3 * i));
    c.codes(2, i) = std::sin(static_cast<double>(i * i + seed));
  }
  return c;
}
}  // namespace

TEST_CASE("local metrics are the mean of per-cluster MIG and modularity with 5 bins") {
  const std::vector<LocalCluster> cs{cluster(0, false), cluster(1, true), cluster(2, false)};
  LocalOptions o;
  o.num_threads = 2;
  const LocalResult r = compute_local(cs, o);
  DiscretizeOptions d;
  d.num_bins = 5;
  double mig_sum = 0, mod_sum = 0;
  for (std::size_t c = 0; c < cs.size(); ++c) {
    const double mig = compute_mig(cs[c].codes, cs[c].factors, d).mig;
    const double mod = compute_modularity(cs[c].codes, cs[c].factors, d).modularity;
    CHECK(r.local_mig_per_cluster[c] == mig);
    CHECK(r.local_modularity_per_cluster[c] == mod);
    mig_sum += mig;
    mod_sum += mod;
  }
  CHECK(r.local_mig == doctest::Approx(mig_sum / 3));
  CHECK(r.local_modularity == doctest::Approx(mod_sum / 3));
  CHECK(r.skipped_factors_per_cluster == std::vector<int>{0, 1, 0});
  // Cluster 1 has a frozen factor: its varying-only modularity differs from the all-factor one.
  CHECK(r.local_modularity_varying_per_cluster[0] == r.local_modularity_per_cluster[0]);
}

TEST_CASE("a cluster where every factor is frozen has no MIG, it is counted and left out of the mean") {
  const std::vector<LocalCluster> cs{cluster(0, false), cluster(1, false, true)};
  const LocalResult r = compute_local(cs);
  CHECK(std::isnan(r.local_mig_per_cluster[1]));
  CHECK(r.undefined_mig_clusters == 1);
  CHECK(r.local_mig == r.local_mig_per_cluster[0]);
  CHECK(r.local_modularity_per_cluster[1] == 0.0);  // all MI is zero → every latent scores 0
  CHECK(std::isnan(r.local_modularity_varying_per_cluster[1]));

  const LocalResult all = compute_local({cluster(3, false, true)});
  CHECK(std::isnan(all.local_mig));
  CHECK_FALSE(all.local_mig_undefined_reason.empty());
  ScoreSheet sheet;
  add_to_sheet(all, 5, sheet);
  CHECK(to_json(sheet).find("\"local_mig\": null") != std::string::npos);
  CHECK(to_json(sheet).find("local_mig_undefined_reason") != std::string::npos);
}

TEST_CASE("bad clusters") {
  CHECK_THROWS_AS(compute_local({}), Error);
  LocalCluster empty;
  empty.codes.resize(3, 0);
  empty.factors.resize(2, 0);
  CHECK_THROWS_AS(compute_local({cluster(0, false), empty}), Error);
  LocalCluster narrow = cluster(0, false);
  narrow.codes.conservativeResize(2, Eigen::NoChange);
  CHECK_THROWS_AS(compute_local({cluster(0, false), narrow}), Error);
}

TEST_CASE("local DCI and local IRS: per cluster, varying factors only, undefined clusters left out") {
  // Cluster 0: factor 0 alternates and code 0 equals it (code 1 constant); factor 1 is held fixed. Only factor 0
  // varies, so DCI runs on one factor: informativeness 1, disentanglement undefined (base 1); IRS = 1 for code 0
  // (constant within each group) with code 1 dropped.
  // Cluster 1: every factor constant → no DCI; IRS of its (varying) code against constant factors: one group whose
  // 99% deviation is the full spread → 1 − q/max_dev.
  LocalCluster a, b;
  a.factors.resize(2, 10);
  a.codes.resize(2, 10);
  for (int i = 0; i < 10; ++i) {
    a.factors(0, i) = i % 2;
    a.factors(1, i) = 3;
    a.codes(0, i) = i % 2;
    a.codes(1, i) = 7;
  }
  b.factors = FactorMatrix::Constant(2, 4, 1);
  b.codes.resize(2, 4);
  b.codes << 0, 1, 0, 1,  //
      2, 2, 2, 2;
  const LocalDciIrsResult r = compute_local_dci_irs({a, b}, true, true, 0.8, Precision::Float64);
  CHECK(r.local_dci_informativeness_test_per_cluster[0] == 1.0);
  CHECK(std::isnan(r.local_dci_disentanglement_per_cluster[0]));
  CHECK(std::isnan(r.local_dci_informativeness_test_per_cluster[1]));
  CHECK(r.local_dci_informativeness_test == 1.0);
  CHECK(r.local_irs_per_cluster[0] == 1.0);
  // Cluster 1's code: e = ½, |z − e| = ½ everywhere → q = ½ = max_dev → IRS 0.
  CHECK(r.local_irs_per_cluster[1] == 0.0);
  CHECK(r.local_irs == 0.5);
  ScoreSheet s;
  add_local_dci_irs_scores(r, s);
  CHECK(s.find("local_dci_completeness_per_cluster") != nullptr);
  CHECK(s.value("local_irs") == 0.5);
}
