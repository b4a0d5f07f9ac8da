// Speed of the metric engine (issue 3) on N = 10,000 codes, L = 10 latents, K = 6 factors:
//   MIG and modularity (20 bins), the local protocol's metrics over 20 clusters × 10,000 (5 bins),
//   explicitness and SAP (first 80% train). Prints seconds per metric (best of --repeat). A ratio to
//   disentanglement_lib's formulas only from a side-by-side run in the same session: bench_metrics --write F.h5, then
//   /usr/bin/python3 scripts/dev/check_metrics_reference.py build/src/axial --time F.h5 (times the reference on the
//   same data), alternated a few times.
//
//   bench_metrics [--threads T] [--repeat R] [--write FILE.h5]
// --write dumps the inputs (/codes, /factors, /clusters/cluster_i) for scripts/dev/check_metrics_reference.py --time.
#include <fmt/core.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <string>

#include "datasets/codes_file.hpp"
#include "src/core/random.hpp"
#include "metrics/discretize.hpp"
#include "metrics/explicitness.hpp"
#include "metrics/factor_vae_score.hpp"
#include "metrics/local.hpp"
#include "metrics/mig.hpp"
#include "metrics/modularity.hpp"
#include "metrics/mutual_info.hpp"
#include "src/core/parallel.hpp"
#include "metrics/irs.hpp"
#include "metrics/sap.hpp"
#include "metrics/unsupervised.hpp"

using namespace axial;

namespace {

const int kSizes[6] = {3, 6, 40, 32, 32, 4};

// Codes: latent l < 6 tracks factor l (scaled) plus some leakage from factor l+1 and noise; latents 6..9 noise.
void make_data(Rng& rng, Eigen::Index n, const int* lo, const int* hi, CodeMatrix& z, FactorMatrix& y) {
  y.resize(6, n);
  z.resize(10, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (int k = 0; k < 6; ++k) y(k, i) = uniform_int(rng, lo[k], hi[k]);
    for (int l = 0; l < 10; ++l) {
      double v = (uniform_real(rng) + uniform_real(rng) - 1.0);
      if (l < 6) v += 2.0 * static_cast<double>(y(l, i)) / kSizes[l] + 0.3 * static_cast<double>(y((l + 1) % 6, i)) / kSizes[(l + 1) % 6];
      z(l, i) = static_cast<double>(static_cast<float>(v));  // float32 codes, as an encoder writes them
    }
  }
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  int threads = hardware_threads(), repeat = 3;
  std::string write;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--write") && i + 1 < argc) write = argv[++i];
    else {
      fmt::print(stderr, "usage: bench_metrics [--threads T] [--repeat R] [--write FILE.h5]\n");
      return 2;
    }
  }
  Rng rng = make_rng(20261128, 0);
  const Eigen::Index N = 10000;
  int lo[6], hi[6];
  for (int k = 0; k < 6; ++k) lo[k] = 0, hi[k] = kSizes[k] - 1;
  CodeMatrix z;
  FactorMatrix y;
  make_data(rng, N, lo, hi, z, y);
  // 20 local clusters: each factor restricted to a window of ~1/4 of its range around a random centre
  // (the smallest factors end up frozen in some clusters, as with the paper's local sampler).
  std::vector<LocalCluster> clusters(20);
  for (auto& c : clusters) {
    int clo[6], chi[6];
    for (int k = 0; k < 6; ++k) {
      const int half = kSizes[k] / 8;
      const int centre = static_cast<int>(uniform_int(rng, 0, kSizes[k] - 1));
      clo[k] = std::max(0, centre - half);
      chi[k] = std::min(kSizes[k] - 1, centre + half);
    }
    make_data(rng, N, clo, chi, c.codes, c.factors);
  }
  if (!write.empty()) {
    CodesFileContents contents;
    contents.global = CodesData{z, y, Precision::Float32, std::nullopt};
    contents.cluster_groups.push_back({"clusters", clusters});
    write_codes_h5(write, contents);
    fmt::print("wrote {}\n", write);
  }
  const Eigen::Index ntr = 8000;
  const CodeMatrix ztr = z.leftCols(ntr), zte = z.rightCols(N - ntr);
  const FactorMatrix ytr = y.leftCols(ntr), yte = y.rightCols(N - ntr);
  DiscretizeOptions d;
  d.precision = Precision::Float32;
  LocalOptions lo_opts;
  lo_opts.precision = Precision::Float32;
  lo_opts.num_threads = threads;

  struct Row {
    const char* name;
    double best = 1e300;
    double value = 0;
  };
  Row rows[] = {{"mig (20 bins)"}, {"modularity (20 bins)"}, {"local mig (20 clusters, 5 bins)"},
                {"local modularity (20 clusters)"}, {"explicitness"}, {"sap"}, {"irs (train rows)"},
                {"unsupervised (train rows; gaussian TC)"}};
  IrsOptions irs_opts;
  irs_opts.precision = Precision::Float32;
  for (int r = 0; r < repeat; ++r) {
    auto t = std::chrono::steady_clock::now();
    rows[0].value = mig_from_mutual_info(mutual_info_matrix(discretize(z, d, threads), y, threads), factor_entropy(y)).mig;
    rows[0].best = std::min(rows[0].best, seconds_since(t));
    t = std::chrono::steady_clock::now();
    rows[1].value = modularity_from_mutual_info(mutual_info_matrix(discretize(z, d, threads), y, threads)).modularity;
    rows[1].best = std::min(rows[1].best, seconds_since(t));
    // compute_local computes local MIG and both local modularities in one pass; its time is reported for both.
    t = std::chrono::steady_clock::now();
    const LocalResult lr = compute_local(clusters, lo_opts);
    const double tl = seconds_since(t);
    rows[2].value = lr.local_mig;
    rows[3].value = lr.local_modularity;
    rows[2].best = std::min(rows[2].best, tl);
    rows[3].best = std::min(rows[3].best, tl);
    t = std::chrono::steady_clock::now();
    rows[4].value = compute_explicitness(ztr, ytr, zte, yte, threads).test;
    rows[4].best = std::min(rows[4].best, seconds_since(t));
    t = std::chrono::steady_clock::now();
    rows[5].value = compute_sap(ztr, ytr, zte, yte, threads).sap;
    rows[5].best = std::min(rows[5].best, seconds_since(t));
    t = std::chrono::steady_clock::now();
    rows[6].value = compute_irs(ztr, ytr, irs_opts).irs;
    rows[6].best = std::min(rows[6].best, seconds_since(t));
    t = std::chrono::steady_clock::now();
    rows[7].value = compute_unsupervised(ztr, d).gaussian_total_correlation;
    rows[7].best = std::min(rows[7].best, seconds_since(t));
  }
  fmt::print("bench_metrics: N={} L=10 K=6, {} thread(s), best of {}\n", N, threads, repeat);
  fmt::print("{:<34} {:>10} {:>10}\n", "metric", "seconds", "value");
  for (const auto& r : rows) fmt::print("{:<34} {:>10.4f} {:>10.4f}\n", r.name, r.best, r.value);
  fmt::print("(local mig and local modularity are computed together by compute_local; the time is for both)\n");

  // FactorVAE and BetaVAE scoring after encoding, at disentanglement_lib's sizes: 10,000 variance points,
  // 10,000 + 5,000 votes of batches of 64; 10,000 + 5,000 BetaVAE features. Codes: latent l follows factor l.
  {
    const Eigen::Index B = 64, Vt = 10000, Ve = 5000, Nv = 10000;
    auto codes_of = [&](Eigen::Index n) {
      CodeMatrix c(10, n);
      for (Eigen::Index i = 0; i < c.size(); ++i) c.data()[i] = static_cast<float>(uniform_real(rng) - 0.5);
      return c;
    };
    const CodeMatrix var = codes_of(Nv);
    CodeMatrix tv = codes_of(Vt * B), ev = codes_of(Ve * B);
    std::vector<std::int64_t> tk(static_cast<std::size_t>(Vt)), ek(static_cast<std::size_t>(Ve));
    for (auto* p : {&tk, &ek})
      for (std::size_t v = 0; v < p->size(); ++v) {
        (*p)[v] = uniform_int(rng, 0, 5);
        CodeMatrix& z = p == &tk ? tv : ev;
        z.block((*p)[v], static_cast<Eigen::Index>(v) * B, 1, B).setConstant(0.01);  // the fixed factor's latent
      }
    Eigen::MatrixXd ftr(10, Vt), fev(10, Ve);
    for (Eigen::Index i = 0; i < Vt; ++i) {
      ftr.col(i) = 0.3 * Eigen::VectorXd::Ones(10);
      ftr(tk[static_cast<std::size_t>(i)], i) = 0.05 + 0.1 * uniform_real(rng);
    }
    for (Eigen::Index i = 0; i < Ve; ++i) {
      fev.col(i) = 0.3 * Eigen::VectorXd::Ones(10);
      fev(ek[static_cast<std::size_t>(i)], i) = 0.05 + 0.1 * uniform_real(rng);
    }
    double best_fv = 1e300, best_bv = 1e300, acc_fv = 0, acc_bv = 0;
    for (int r = 0; r < repeat; ++r) {
      auto t = std::chrono::steady_clock::now();
      acc_fv = factor_vae_score(var, tv, tk, ev, ek, B, 6, Precision::Float32).eval_accuracy;
      best_fv = std::min(best_fv, seconds_since(t));
      t = std::chrono::steady_clock::now();
      acc_bv = beta_vae_score(ftr, tk, fev, ek).eval_accuracy;
      best_bv = std::min(best_bv, seconds_since(t));
    }
    fmt::print("{:<34} {:>10.4f} {:>12} {:>9} {:>10.4f}\n", "factor_vae scoring (15,000 votes)", best_fv, "-", "-",
               acc_fv);
    fmt::print("{:<34} {:>10.4f} {:>12} {:>9} {:>10.4f}\n", "beta_vae scoring (15,000 points)", best_bv, "-", "-",
               acc_bv);
  }
  return 0;
}
