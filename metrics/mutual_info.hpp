#pragma once
// Discrete mutual information and entropy, exactly as disentanglement_lib's `utils.discrete_mutual_info` and
// `utils.discrete_entropy`, which call sklearn.metrics.mutual_info_score (sklearn 1.2):
//   contingency table n_ij (rows: classes of the factor in sorted order, columns: code labels in sorted order),
//   over the non-zero cells in row-major order:
//     mi_ij = (n_ij/N)·(ln n_ij − ln N) + (n_ij/N)·((−ln(a_i·b_j) + ln N) + ln N)
//   terms with |mi_ij| < DBL_EPSILON are set to 0, summed with numpy's pairwise summation, clipped at 0.
//   A variable with a single class gives exactly 0.  Units: nats.
//   m[l,k] = I(disc(z_l); y_k);  H_k = I(y_k; y_k).
#include <cstdint>
#include <vector>

#include "metrics/discretize.hpp"
#include "src/core/types.hpp"

namespace axial {

// I(a; b) in nats for two label sequences a[0..n), b[0..n) of any integer values (a plays sklearn's labels_true).
double mutual_info_score(const std::int64_t* a, const std::int64_t* b, std::int64_t n);

// m (L×K): m(l,k) = I(labels_l; factors_k). labels L×N (from discretize), factors K×N, same N ≥ 1.
// num_threads ≥ 1 splits the work over latents.
Eigen::MatrixXd mutual_info_matrix(const LabelMatrix& labels, const FactorMatrix& factors, int num_threads = 1);

// H (K): H(k) = I(y_k; y_k) in nats. factors K×N, N ≥ 1.
Eigen::VectorXd factor_entropy(const FactorMatrix& factors);

namespace detail {
// Values mapped to 0..num_classes−1 in sorted order of the distinct values (`values`).
struct DenseLabels {
  std::vector<std::int32_t> index;   // n
  std::vector<std::int64_t> values;  // num_classes, ascending
  std::int32_t num_classes = 0;
};
DenseLabels dense_labels(const std::int64_t* v, std::int64_t n);
// numpy's pairwise summation (np.sum of a contiguous float64 array), bit for bit.
double pairwise_sum(const double* a, std::size_t n);
// sklearn's MI formula on a rows×cols count table (row-major, every row and column non-empty), n = total count.
double mutual_info_from_table(const std::int64_t* table, int rows, int cols, std::int64_t n,
                              std::vector<double>& scratch);
}  // namespace detail

}  // namespace axial
