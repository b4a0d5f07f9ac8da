#include "metrics/mutual_info.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <thread>

#include "src/core/error.hpp"
#include "src/core/parallel.hpp"

namespace axial {

namespace detail {

// numpy's pairwise summation of a contiguous float64 array (np.add.reduce), so sums match to the last bit.
double pairwise_sum(const double* a, std::size_t n) {
  if (n < 8) {
    double res = 0.0;
    for (std::size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    std::size_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[i + static_cast<std::size_t>(j)];
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  std::size_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

DenseLabels dense_labels(const std::int64_t* v, std::int64_t n) {
  DenseLabels d;
  d.index.resize(static_cast<std::size_t>(n));
  if (n == 0) return d;
  std::int64_t mn = v[0], mx = v[0];
  for (std::int64_t i = 1; i < n; ++i) {
    mn = std::min(mn, v[i]);
    mx = std::max(mx, v[i]);
  }
  // Small range: direct offset table (sorted order = value order). Else sort the unique values.
  const std::uint64_t range = static_cast<std::uint64_t>(mx) - static_cast<std::uint64_t>(mn);
  if (range < static_cast<std::uint64_t>(4 * n + 64)) {
    std::vector<std::int32_t> map(static_cast<std::size_t>(range) + 1, -1);
    for (std::int64_t i = 0; i < n; ++i) map[static_cast<std::size_t>(v[i] - mn)] = 0;
    std::int32_t next = 0;
    for (auto& m : map)
      if (m == 0) m = next++;
    for (std::int64_t i = 0; i < n; ++i) d.index[static_cast<std::size_t>(i)] = map[static_cast<std::size_t>(v[i] - mn)];
    d.num_classes = next;
    for (std::size_t j = 0; j < map.size(); ++j)
      if (map[j] >= 0) d.values.push_back(mn + static_cast<std::int64_t>(j));
    return d;
  }
  std::vector<std::int64_t> u(v, v + n);
  std::sort(u.begin(), u.end());
  u.erase(std::unique(u.begin(), u.end()), u.end());
  for (std::int64_t i = 0; i < n; ++i)
    d.index[static_cast<std::size_t>(i)] =
        static_cast<std::int32_t>(std::lower_bound(u.begin(), u.end(), v[i]) - u.begin());
  d.num_classes = static_cast<std::int32_t>(u.size());
  d.values = std::move(u);
  return d;
}

// One non-zero cell's term of sklearn's mutual_info_score, with its exact operation order: count c, outer product
// pi·pj of the cell's marginals, total = N as double, log_total = log(N).
static double mutual_info_term(std::int64_t c, std::int64_t outer, double total, double log_total) {
  const double nm = static_cast<double>(c) / total;
  const double log_nm = std::log(static_cast<double>(c));
  const double log_outer = -std::log(static_cast<double>(outer)) + log_total + log_total;
  const double mi = nm * (log_nm - log_total) + nm * log_outer;
  return std::fabs(mi) < DBL_EPSILON ? 0.0 : mi;
}

double mutual_info_from_table(const std::int64_t* table, int rows, int cols, std::int64_t n,
                              std::vector<double>& scratch) {
  // sklearn: any labelling with a single cluster has zero MI.
  if (rows == 1 || cols == 1) return 0.0;
  std::vector<std::int64_t> pi(static_cast<std::size_t>(rows), 0), pj(static_cast<std::size_t>(cols), 0);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) {
      const std::int64_t c = table[static_cast<std::size_t>(i) * cols + j];
      pi[static_cast<std::size_t>(i)] += c;
      pj[static_cast<std::size_t>(j)] += c;
    }
  const double total = static_cast<double>(n);
  const double log_total = std::log(total);
  scratch.clear();
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) {
      const std::int64_t c = table[static_cast<std::size_t>(i) * cols + j];
      if (c == 0) continue;
      scratch.push_back(mutual_info_term(c, pi[static_cast<std::size_t>(i)] * pj[static_cast<std::size_t>(j)], total,
                                         log_total));
    }
  const double s = pairwise_sum(scratch.data(), scratch.size());
  return s < 0.0 ? 0.0 : s;
}

}  // namespace detail

double mutual_info_score(const std::int64_t* a, const std::int64_t* b, std::int64_t n) {
  if (n < 1) throw Error("mutual information of empty label sequences");
  const detail::DenseLabels da = detail::dense_labels(a, n), db = detail::dense_labels(b, n);
  std::vector<std::int64_t> table(static_cast<std::size_t>(da.num_classes) * db.num_classes, 0);
  for (std::int64_t i = 0; i < n; ++i)
    ++table[static_cast<std::size_t>(da.index[static_cast<std::size_t>(i)]) * db.num_classes +
            db.index[static_cast<std::size_t>(i)]];
  std::vector<double> scratch;
  return detail::mutual_info_from_table(table.data(), da.num_classes, db.num_classes, n, scratch);
}

Eigen::MatrixXd mutual_info_matrix(const LabelMatrix& labels, const FactorMatrix& factors, int num_threads) {
  const Eigen::Index L = labels.rows(), K = factors.rows(), N = labels.cols();
  if (factors.cols() != N)
    throw Error(fmt::format("mutual information: number of code samples ({}) does not match number of factor "
                            "samples ({})",
                            N, factors.cols()));
  if (N < 1) throw Error("mutual information: 0 samples");
  std::vector<detail::DenseLabels> dense_factors(static_cast<std::size_t>(K));
  {
    std::vector<std::int64_t> row(static_cast<std::size_t>(N));
    for (Eigen::Index k = 0; k < K; ++k) {
      for (Eigen::Index n = 0; n < N; ++n) row[static_cast<std::size_t>(n)] = factors(k, n);
      dense_factors[static_cast<std::size_t>(k)] = detail::dense_labels(row.data(), N);
    }
  }
  Eigen::MatrixXd m(L, K);
  parallel_for(L, num_threads, [&](Eigen::Index l) {
    std::vector<std::int64_t> row(static_cast<std::size_t>(N));
    for (Eigen::Index n = 0; n < N; ++n) row[static_cast<std::size_t>(n)] = labels(l, n);
    const detail::DenseLabels dl = detail::dense_labels(row.data(), N);
    std::vector<std::int64_t> table;
    std::vector<std::int32_t> part;
    std::vector<double> scratch;
    for (Eigen::Index k = 0; k < K; ++k) {
      const detail::DenseLabels& df = dense_factors[static_cast<std::size_t>(k)];
      const std::size_t cells = static_cast<std::size_t>(df.num_classes) * dl.num_classes;
      // Four interleaved partial tables: consecutive samples often hit the same cell, and one table would make
      // every increment wait for the previous one (store-to-load forwarding); the counts are the same.
      part.assign(4 * cells, 0);
      const std::int32_t* fi = df.index.data();
      const std::int32_t* li = dl.index.data();
      const std::size_t lc = static_cast<std::size_t>(dl.num_classes);
      Eigen::Index n = 0;
      for (; n + 4 <= N; n += 4) {
        ++part[static_cast<std::size_t>(fi[n]) * lc + li[n]];
        ++part[cells + static_cast<std::size_t>(fi[n + 1]) * lc + li[n + 1]];
        ++part[2 * cells + static_cast<std::size_t>(fi[n + 2]) * lc + li[n + 2]];
        ++part[3 * cells + static_cast<std::size_t>(fi[n + 3]) * lc + li[n + 3]];
      }
      for (; n < N; ++n) ++part[static_cast<std::size_t>(fi[n]) * lc + li[n]];
      table.resize(cells);
      for (std::size_t c = 0; c < cells; ++c)
        table[c] = static_cast<std::int64_t>(part[c]) + part[cells + c] + part[2 * cells + c] + part[3 * cells + c];
      m(l, k) = detail::mutual_info_from_table(table.data(), df.num_classes, dl.num_classes, N, scratch);
    }
  });
  return m;
}

Eigen::VectorXd factor_entropy(const FactorMatrix& factors) {
  const Eigen::Index K = factors.rows(), N = factors.cols();
  if (N < 1) throw Error("factor entropy: 0 samples");
  Eigen::VectorXd h(K);
  std::vector<std::int64_t> row(static_cast<std::size_t>(N));
  std::vector<double> scratch;
  for (Eigen::Index k = 0; k < K; ++k) {
    for (Eigen::Index n = 0; n < N; ++n) row[static_cast<std::size_t>(n)] = factors(k, n);
    const detail::DenseLabels d = detail::dense_labels(row.data(), N);
    const int C = d.num_classes;
    std::vector<std::int64_t> counts(static_cast<std::size_t>(C), 0);
    for (Eigen::Index n = 0; n < N; ++n) ++counts[static_cast<std::size_t>(d.index[static_cast<std::size_t>(n)])];
    // I(y; y) from the diagonal contingency table: the same terms as mutual_info_from_table on its non-zero cells
    // (the diagonal, in the same order), without building the C×C table (C² cells for a factor with C values).
    if (C == 1) {
      h(k) = 0.0;
      continue;
    }
    const double total = static_cast<double>(N);
    const double log_total = std::log(total);
    scratch.clear();
    for (const std::int64_t c : counts) scratch.push_back(detail::mutual_info_term(c, c * c, total, log_total));
    const double sum = detail::pairwise_sum(scratch.data(), scratch.size());
    h(k) = sum < 0.0 ? 0.0 : sum;
  }
  return h;
}

}  // namespace axial
