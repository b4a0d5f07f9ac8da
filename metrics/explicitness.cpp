#include "metrics/explicitness.hpp"

#include <fmt/core.h>
#include <linear.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <numeric>

#include "src/core/error.hpp"
#include "metrics/mutual_info.hpp"
#include "src/core/parallel.hpp"

namespace axial {

namespace {

void liblinear_silent(const char*) {}

void silence_liblinear() {
  static std::once_flag once;
  std::call_once(once, [] { set_print_string_function(&liblinear_silent); });
}

// Standardised rows (train mean, population std; zero-std latents → 0) as liblinear sparse rows with a trailing
// bias feature of value 1 (sklearn's intercept_scaling = 1), index L+1.
struct SparseRows {
  std::vector<feature_node> nodes;
  std::vector<feature_node*> rows;
  Eigen::MatrixXd dense;  // L×N standardised
};

SparseRows make_rows(const CodeMatrix& codes, const Eigen::VectorXd& mean, const Eigen::VectorXd& stddev) {
  const Eigen::Index L = codes.rows(), N = codes.cols();
  SparseRows s;
  s.dense.resize(L, N);
  s.nodes.reserve(static_cast<std::size_t>(N * (L + 2)));
  std::vector<std::size_t> starts;
  for (Eigen::Index n = 0; n < N; ++n) {
    starts.push_back(s.nodes.size());
    for (Eigen::Index l = 0; l < L; ++l) {
      const double v = stddev(l) > 0.0 ? (codes(l, n) - mean(l)) / stddev(l) : 0.0;
      s.dense(l, n) = v;
      if (v != 0.0) s.nodes.push_back({static_cast<int>(l + 1), v});
    }
    s.nodes.push_back({static_cast<int>(L + 1), 1.0});
    s.nodes.push_back({-1, 0.0});
  }
  for (std::size_t st : starts) s.rows.push_back(s.nodes.data() + st);
  return s;
}

// One L2-regularised logistic regression (liblinear L2R_LR, C = 1, eps = 1e-4, bias feature 1) separating
// `positive` samples (+1) from the rest (−1). Returns w (L+1, last = intercept weight) with w·x > 0 ⇔ positive.
Eigen::VectorXd fit_logistic(const SparseRows& rows, const std::vector<char>& positive, int num_features) {
  const int n = static_cast<int>(rows.rows.size());
  std::vector<double> y(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) y[static_cast<std::size_t>(i)] = positive[static_cast<std::size_t>(i)] ? 1.0 : -1.0;
  problem prob;
  prob.l = n;
  prob.n = num_features + 1;
  prob.y = y.data();
  prob.x = const_cast<feature_node**>(rows.rows.data());
  prob.bias = 1.0;
  parameter param;
  param.solver_type = L2R_LR;
  param.eps = 1e-4;
  param.C = 1.0;
  param.nr_weight = 0;
  param.weight_label = nullptr;
  param.weight = nullptr;
  param.p = 0.1;
  param.init_sol = nullptr;
  if (const char* err = check_parameter(&prob, &param)) throw Error(fmt::format("liblinear: {}", err));
  model* m = train(&prob, &param);
  Eigen::VectorXd w(num_features + 1);
  for (int j = 0; j <= num_features; ++j) w(j) = m->w[j];
  const bool flip = m->nr_class == 2 && m->label[0] != 1;  // liblinear's w is positive for label[0]
  free_and_destroy_model(&m);
  if (flip) w = -w;
  return w;
}

double expit(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// predict_proba (N×C) of sklearn's ovr LogisticRegression from per-class weights (binary: one weight vector for
// classes[1]).
Eigen::MatrixXd predict_proba(const Eigen::MatrixXd& x, const std::vector<Eigen::VectorXd>& weights, int num_classes) {
  const Eigen::Index L = x.rows(), N = x.cols();
  Eigen::MatrixXd p(N, num_classes);
  for (Eigen::Index n = 0; n < N; ++n) {
    if (num_classes == 2) {
      const Eigen::VectorXd& w = weights[0];
      const double d = x.col(n).dot(w.head(L)) + w(L);
      const double p1 = expit(d);
      p(n, 0) = 1.0 - p1;
      p(n, 1) = p1;
    } else {
      double sum = 0.0;
      for (int c = 0; c < num_classes; ++c) {
        const Eigen::VectorXd& w = weights[static_cast<std::size_t>(c)];
        p(n, c) = expit(x.col(n).dot(w.head(L)) + w(L));
        sum += p(n, c);
      }
      for (int c = 0; c < num_classes; ++c) p(n, c) /= sum;
    }
  }
  return p;
}

double binary_auc(const std::vector<double>& score, const std::vector<char>& positive) {
  const std::size_t n = score.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return score[a] < score[b]; });
  double rank_sum = 0.0;
  std::int64_t npos = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && score[order[j]] == score[order[i]]) ++j;
    const double avg_rank = 0.5 * (static_cast<double>(i + 1) + static_cast<double>(j));  // ranks i+1..j
    for (std::size_t t = i; t < j; ++t)
      if (positive[order[t]]) {
        rank_sum += avg_rank;
        ++npos;
      }
    i = j;
  }
  const std::int64_t nneg = static_cast<std::int64_t>(n) - npos;
  const double u = rank_sum - 0.5 * static_cast<double>(npos) * static_cast<double>(npos + 1);
  return u / (static_cast<double>(npos) * static_cast<double>(nneg));
}

}  // namespace

double macro_ovr_auc(const Eigen::MatrixXd& scores, const std::vector<std::int64_t>& classes, const std::int64_t* y,
                     std::int64_t n) {
  const detail::DenseLabels present = detail::dense_labels(y, n);
  if (present.num_classes < 2) return std::numeric_limits<double>::quiet_NaN();
  std::vector<double> aucs;
  std::vector<double> score(static_cast<std::size_t>(n));
  std::vector<char> positive(static_cast<std::size_t>(n));
  for (std::int32_t c = 0; c < present.num_classes; ++c) {
    const std::int64_t label = present.values[static_cast<std::size_t>(c)];
    const auto it = std::find(classes.begin(), classes.end(), label);
    for (std::int64_t i = 0; i < n; ++i) {
      score[static_cast<std::size_t>(i)] =
          it == classes.end() ? 0.0 : scores(i, static_cast<Eigen::Index>(it - classes.begin()));
      positive[static_cast<std::size_t>(i)] = present.index[static_cast<std::size_t>(i)] == c;
    }
    aucs.push_back(binary_auc(score, positive));
  }
  return detail::pairwise_sum(aucs.data(), aucs.size()) / static_cast<double>(aucs.size());
}

ExplicitnessResult compute_explicitness(const CodeMatrix& train_codes, const FactorMatrix& train_factors,
                                        const CodeMatrix& test_codes, const FactorMatrix& test_factors,
                                        int num_threads) {
  const Eigen::Index L = train_codes.rows(), K = train_factors.rows();
  const Eigen::Index Ntr = train_codes.cols(), Nte = test_codes.cols();
  if (train_factors.cols() != Ntr || test_factors.cols() != Nte)
    throw Error("explicitness: number of code samples does not match number of factor samples");
  if (test_codes.rows() != L || test_factors.rows() != K)
    throw Error(fmt::format("explicitness: train has {} latents/{} factors, test has {}/{}", L, K, test_codes.rows(),
                            test_factors.rows()));
  if (Ntr < 1) throw Error("explicitness: empty train split");
  if (Nte < 1) throw Error("explicitness: empty test split");
  if (L < 1) throw Error("explicitness: no latents");
  silence_liblinear();

  const Eigen::VectorXd mean = train_codes.rowwise().mean();
  Eigen::VectorXd stddev(L);
  for (Eigen::Index l = 0; l < L; ++l)
    stddev(l) = std::sqrt((train_codes.row(l).array() - mean(l)).square().mean());
  const SparseRows train_rows = make_rows(train_codes, mean, stddev);
  const SparseRows test_rows = make_rows(test_codes, mean, stddev);

  // One binary problem per (factor, class) (one per factor when it has two classes).
  struct Task {
    Eigen::Index factor;
    int cls;  // index into the factor's classes; the positive class
  };
  std::vector<detail::DenseLabels> dense(static_cast<std::size_t>(K));
  std::vector<Task> tasks;
  for (Eigen::Index k = 0; k < K; ++k) {
    std::vector<std::int64_t> row(static_cast<std::size_t>(Ntr));
    for (Eigen::Index n = 0; n < Ntr; ++n) row[static_cast<std::size_t>(n)] = train_factors(k, n);
    dense[static_cast<std::size_t>(k)] = detail::dense_labels(row.data(), Ntr);
    const int C = dense[static_cast<std::size_t>(k)].num_classes;
    if (C == 2) tasks.push_back({k, 1});
    else if (C > 2)
      for (int c = 0; c < C; ++c) tasks.push_back({k, c});
  }
  std::vector<Eigen::VectorXd> weights(tasks.size());
  parallel_for(static_cast<Eigen::Index>(tasks.size()), num_threads, [&](Eigen::Index t) {
    const Task& task = tasks[static_cast<std::size_t>(t)];
    const auto& d = dense[static_cast<std::size_t>(task.factor)];
    std::vector<char> positive(static_cast<std::size_t>(Ntr));
    for (Eigen::Index n = 0; n < Ntr; ++n)
      positive[static_cast<std::size_t>(n)] = d.index[static_cast<std::size_t>(n)] == task.cls;
    weights[static_cast<std::size_t>(t)] = fit_logistic(train_rows, positive, static_cast<int>(L));
  });

  const double nan = std::numeric_limits<double>::quiet_NaN();
  ExplicitnessResult r;
  r.per_factor_train.assign(static_cast<std::size_t>(K), nan);
  r.per_factor_test.assign(static_cast<std::size_t>(K), nan);
  parallel_for(K, num_threads, [&](Eigen::Index k) {
    const auto& d = dense[static_cast<std::size_t>(k)];
    if (d.num_classes < 2) return;
    std::vector<Eigen::VectorXd> w;
    for (std::size_t t = 0; t < tasks.size(); ++t)
      if (tasks[t].factor == k) w.push_back(weights[t]);
    const Eigen::MatrixXd p_train = predict_proba(train_rows.dense, w, d.num_classes);
    const Eigen::MatrixXd p_test = predict_proba(test_rows.dense, w, d.num_classes);
    std::vector<std::int64_t> ytr(static_cast<std::size_t>(Ntr)), yte(static_cast<std::size_t>(Nte));
    for (Eigen::Index n = 0; n < Ntr; ++n) ytr[static_cast<std::size_t>(n)] = train_factors(k, n);
    for (Eigen::Index n = 0; n < Nte; ++n) yte[static_cast<std::size_t>(n)] = test_factors(k, n);
    r.per_factor_train[static_cast<std::size_t>(k)] = macro_ovr_auc(p_train, d.values, ytr.data(), Ntr);
    r.per_factor_test[static_cast<std::size_t>(k)] = macro_ovr_auc(p_test, d.values, yte.data(), Nte);
  });
  for (const auto& d : dense)
    if (d.num_classes < 2) ++r.skipped_factors;

  auto mean_of = [&](const std::vector<double>& v, std::string* reason, const char* split) {
    std::vector<double> ok;
    for (double x : v)
      if (!std::isnan(x)) ok.push_back(x);
    if (ok.empty()) {
      *reason = fmt::format("no factor has two or more classes in both the train split and the {} split", split);
      return nan;
    }
    return detail::pairwise_sum(ok.data(), ok.size()) / static_cast<double>(ok.size());
  };
  r.train = mean_of(r.per_factor_train, &r.train_undefined_reason, "train");
  r.test = mean_of(r.per_factor_test, &r.test_undefined_reason, "test");
  return r;
}

}  // namespace axial
