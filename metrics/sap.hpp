#pragma once
// Separated Attribute Predictability (SAP).
// Kumar, Sattigeri, Balakrishnan, "Variational Inference of Disentangled Latent Concepts from Unlabeled
// Observations", ICLR 2018, arXiv 1711.00848; as disentanglement_lib's `sap_score._compute_sap` with discrete
// factors:
//   S[l,k] = test accuracy of sklearn LinearSVC(C=0.01, class_weight="balanced") trained on the single feature z_l
//            to predict y_k (squared hinge, dual coordinate descent = liblinear L2R_L2LOSS_SVC_DUAL, bias feature 1,
//            tol 1e-4, 1000 iterations, one-vs-rest; balanced weight of class c = n / (C · n_c));
//   SAP = mean over factors of (largest − second largest S[·,k]).
// Solved by axial's copy of liblinear's dual coordinate descent (sap.cpp). The solver visits samples in random
// order; axial draws that order as sklearn does after np.random.seed(0): fit (l, k), latent-major, gets the seed
// randint(2^31 − 1) from numpy's mt19937(0) stream and shuffles with sklearn's bounded_rand_int, so SAP equals
// sklearn's under that global seed (other seeds move sklearn itself by up to ~2.5e-3). Degenerate cases: a factor
// with one class in the train split predicts that class (no SVM fitted); L < 2 → axial::Error.
#include <vector>

#include "src/core/types.hpp"

namespace axial {

struct SapResult {
  double sap = 0.0;
  Eigen::MatrixXd score_matrix;     // L×K test accuracies
  std::vector<double> per_factor;   // K gaps (top-1 − top-2)
};

SapResult compute_sap(const CodeMatrix& train_codes, const FactorMatrix& train_factors,
                      const CodeMatrix& test_codes, const FactorMatrix& test_factors, int num_threads = 1);

}  // namespace axial
