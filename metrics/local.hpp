#pragma once
// Local MIG and local modularity (Rhodes & Lee, "Local Disentanglement in Variational Auto-Encoders Using
// Jacobian L1 Regularization", NeurIPS 2021, arXiv 2106.02923): the same MIG/modularity cores, computed on each
// cluster of samples drawn from a small neighbourhood of factor space (5 histogram bins by default), then averaged.
//  - MIG per cluster: factors constant inside the cluster (H_k = 0) are skipped and counted. A cluster where every
//    factor is constant has no MIG: its per-cluster value is NaN, it is counted in `undefined_mig_clusters` and
//    left out of the mean; if no cluster has a MIG, local_mig is NaN with `local_mig_undefined_reason`.
//  - local_modularity keeps K = all factors (the paper's choice);
//    local_modularity_varying uses only the factors that vary in that cluster (clusters with none are left out
//    of its mean, as above).
#include <string>
#include <vector>

#include "metrics/discretize.hpp"
#include "metrics/score_sheet.hpp"
#include "src/core/types.hpp"

namespace axial {

struct LocalCluster {
  CodeMatrix codes;      // L×N_c
  FactorMatrix factors;  // K×N_c
};

struct LocalOptions {
  int num_bins = 5;
  Discretizer method = Discretizer::Histogram;
  Precision precision = Precision::Float64;
  int num_threads = 1;   // clusters are split over threads
};

struct LocalResult {
  double local_mig = 0.0;                          // NaN if no cluster has a MIG
  std::string local_mig_undefined_reason;
  std::vector<double> local_mig_per_cluster;       // NaN = every factor constant in that cluster
  std::vector<int> skipped_factors_per_cluster;    // constant factors per cluster
  int undefined_mig_clusters = 0;
  double local_modularity = 0.0;
  std::vector<double> local_modularity_per_cluster;
  double local_modularity_varying = 0.0;           // NaN if no cluster has a varying factor
  std::string local_modularity_varying_undefined_reason;
  std::vector<double> local_modularity_varying_per_cluster;
};

// All clusters must have the same L and K (≥ 2 latents), N_c ≥ 1 and finite codes; otherwise axial::Error naming
// the cluster index.
LocalResult compute_local(const std::vector<LocalCluster>& clusters, const LocalOptions& options = {});

// Adds local_mig, local_mig_per_cluster, local_mig_skipped_factors_per_cluster, local_modularity,
// local_modularity_per_cluster, local_modularity_varying, local_modularity_varying_per_cluster, local_num_bins,
// local_num_clusters to `sheet`, in that order.
void add_to_sheet(const LocalResult& result, int num_bins, ScoreSheet& sheet);
// The scores alone (the keys above without local_num_bins/local_num_clusters): the one LocalResult → keys mapping,
// used by `axial score --clusters` (through add_to_sheet) and by each locality entry of `axial eval`'s results.
void add_local_scores(const LocalResult& result, ScoreSheet& sheet);

// Local DCI and local IRS: the DCI (metrics/dci.hpp) and IRS (metrics/irs.hpp) cores on each cluster, then the mean
// over the clusters where they are defined (no anchor implementation offers these; axial's definitions):
//  - DCI per cluster: the first ceil(train_fraction·N_c) rows train, the rest test; only the factors with at least
//    two values in the cluster's train rows (the others are held fixed by the local sampler and cannot be
//    classified); a cluster with no such factor has no DCI (null, left out of the means); with one such factor its
//    disentanglement is undefined (entropy base 1);
//  - IRS per cluster over all factors (a factor constant in the cluster forms one group, as the original scores it).
struct LocalDciIrsResult {
  bool has_dci = false, has_irs = false;
  double local_dci_disentanglement = 0.0, local_dci_completeness = 0.0, local_dci_informativeness_test = 0.0;
  std::vector<double> local_dci_disentanglement_per_cluster, local_dci_completeness_per_cluster,
      local_dci_informativeness_test_per_cluster;
  std::string local_dci_undefined_reason;
  double local_irs = 0.0;
  std::vector<double> local_irs_per_cluster;
};
LocalDciIrsResult compute_local_dci_irs(const std::vector<LocalCluster>& clusters, bool dci, bool irs,
                                        double train_fraction, Precision precision, int num_threads = 1);
// Adds local_dci_disentanglement, local_dci_completeness, local_dci_informativeness_test (each with its
// _per_cluster list) and local_irs, local_irs_per_cluster, for the parts computed.
void add_local_dci_irs_scores(const LocalDciIrsResult& result, ScoreSheet& sheet);

}  // namespace axial
