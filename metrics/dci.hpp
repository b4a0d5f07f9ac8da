#pragma once
// DCI: disentanglement, completeness, informativeness.
// Eastwood & Williams, "A Framework for the Quantitative Evaluation of Disentangled Representations", ICLR 2018
// (openreview By-7dz-AZ); as disentanglement_lib's `dci._compute_dci` (Locatello et al. 2019, arXiv 1811.12359):
//   per factor k: GradientBoostingClassifier() (sklearn 1.2 defaults, metrics/gradient_boosting.hpp) fit on the train
//   codes (float32) against y_k; importance P[:,k] = its feature importances (L×K);
//   informativeness_{train,test} = mean over factors of that model's accuracy on the train / test split;
//   D_i = 1 − H_K(P[i,:] + 1e-11) (entropy of the renormalised row, base K), w_i = Σ_k P[i,k] / Σ P;
//   disentanglement = Σ_i w_i·D_i;
//   C_k = 1 − H_L(P[:,k] + 1e-11) (base L), v_k = Σ_i P[i,k] / Σ P;  completeness = Σ_k v_k·C_k;
//   Σ P = 0 (no tree split anywhere) → uniform weights (the original's ones_like), so D = C = 0 up to rounding.
// Where axial differs (disentanglement_lib raises or returns NaN):
//  - a factor with a single value in the train split cannot be fitted (the original raises for the whole metric):
//    every DCI key is undefined (null) with the reason;
//  - K = 1: disentanglement undefined (entropy base 1); L = 1: completeness undefined (base 1);
//  - sklearn draws each tree's feature order from numpy's global RNG (never seeded by disentanglement_lib), so the
//    original moves with that state through tie-breaks between equal features; axial draws the same way from an
//    MT19937 seeded with `tie_seed` (0 = the original after numpy.random.seed(0)).
#include <cstdint>
#include <string>
#include <vector>

#include "src/core/types.hpp"

namespace axial {

struct DciResult {
  double disentanglement = 0.0, completeness = 0.0;
  double informativeness_train = 0.0, informativeness_test = 0.0;
  std::string disentanglement_undefined_reason, completeness_undefined_reason, informativeness_undefined_reason;
  Eigen::MatrixXd importance;                  // L×K
  std::vector<double> per_latent_disentanglement;   // L (D_i)
  std::vector<double> per_factor_completeness;      // K (C_k)
  std::vector<double> per_factor_informativeness_train, per_factor_informativeness_test;  // K
};

struct DciOptions {
  std::uint32_t tie_seed = 0;
  int num_threads = 1;
};

// codes L×N_train / L×N_test, factors K×N_train / K×N_test (N_test ≥ 1).
DciResult compute_dci(const CodeMatrix& train_codes, const FactorMatrix& train_factors, const CodeMatrix& test_codes,
                      const FactorMatrix& test_factors, const DciOptions& options = {});

// D and C from an importance matrix (L×K, non-negative), as `disentanglement` / `completeness` above.
void dci_scores_from_importance(const Eigen::MatrixXd& importance, DciResult& result);

}  // namespace axial
