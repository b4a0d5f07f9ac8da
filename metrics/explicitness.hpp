#pragma once
// Explicitness score.
// Ridgeway & Mozer, "Learning Deep Disentangled Embeddings with the F-Statistic Loss", NeurIPS 2018,
// arXiv 1802.05312; as disentanglement_lib's `modularity_explicitness.compute_explicitness` /
// `explicitness_per_factor`:
//   standardise codes with the train mean and population std (per latent);
//   per factor k: sklearn LogisticRegression(solver='liblinear', multi_class='ovr') defaults — L2-regularised
//   logistic regression (liblinear L2R_LR, primal trust-region Newton), C = 1, intercept = an extra constant feature
//   of value 1 that is regularised, tol 1e-4; two classes → one model; more → one-vs-rest, probabilities
//   sigmoid(w_c·x + b_c) normalised over classes;
//   AUC = roc_auc_score(one-hot(y), proba) macro-averaged over the classes present (one-vs-rest);
//   explicitness_{train,test} = mean over factors.
// Solved with Debian's liblinear (the solver sklearn wraps); agrees with sklearn 1.2.1 within 1e-4.
// Degenerate cases (defined here; sklearn raises instead):
//  - a latent with zero train std is standardised to 0 (it carries no information);
//  - a factor with a single class in the train split is skipped (NaN per factor, counted);
//  - a class present in the evaluated split but never seen in training gets probability 0;
//    a split with a single class present has no AUC → that factor's value is NaN for that split and it is left
//    out of that split's mean; no factor left → undefined.
#include <string>
#include <vector>

#include "src/core/types.hpp"

namespace axial {

struct ExplicitnessResult {
  double train = 0.0, test = 0.0;              // NaN when undefined (see reason)
  std::string train_undefined_reason, test_undefined_reason;
  std::vector<double> per_factor_train;        // K (NaN = skipped)
  std::vector<double> per_factor_test;         // K
  int skipped_factors = 0;                     // single-class factors in the train split
};

// codes L×N_train / L×N_test, factors K×N_train / K×N_test. num_threads ≥ 1 splits over factors.
ExplicitnessResult compute_explicitness(const CodeMatrix& train_codes, const FactorMatrix& train_factors,
                                        const CodeMatrix& test_codes, const FactorMatrix& test_factors,
                                        int num_threads = 1);

// Macro one-vs-rest ROC-AUC of scores (N×C, column c = score of class classes[c]) against labels y (N),
// over the classes present in y (sklearn roc_auc_score on a MultiLabelBinarizer one-hot of y; ties get half
// credit). Classes in y that are absent from `classes` score 0 for every sample. NaN if fewer than 2 classes
// are present in y.
double macro_ovr_auc(const Eigen::MatrixXd& scores, const std::vector<std::int64_t>& classes,
                     const std::int64_t* y, std::int64_t n);

}  // namespace axial
