#include "metrics/logistic_regression.hpp"

#include <fmt/core.h>

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>

#include "src/core/error.hpp"

namespace axial {

namespace {

double log1pexp(double v) { return v > 0 ? v + std::log1p(std::exp(-v)) : std::log1p(std::exp(v)); }

// Objective, gradient and Hessian over θ = (vec of W rows, then b): D = M·(L+1), parameters of class m are
// θ[m·(L+1) .. m·(L+1)+L] with the intercept last.
struct Problem {
  const Eigen::MatrixXd& x;   // L×N
  const std::vector<int>& y;  // 0..C−1
  int C;                      // classes
  bool binary;
  double inv_c;

  int M() const { return binary ? 1 : C; }
  Eigen::Index P() const { return x.rows() + 1; }

  double value(const Eigen::VectorXd& th) const {
    const Eigen::Index L = x.rows(), N = x.cols();
    double f = 0.0;
    for (int m = 0; m < M(); ++m) f += 0.5 * inv_c * th.segment(m * P(), L).squaredNorm();
    Eigen::VectorXd s(M());
    for (Eigen::Index i = 0; i < N; ++i) {
      for (int m = 0; m < M(); ++m) s(m) = th.segment(m * P(), L).dot(x.col(i)) + th(m * P() + L);
      if (binary) {
        const double t = y[static_cast<std::size_t>(i)] == 1 ? 1.0 : -1.0;
        f += log1pexp(-t * s(0));
      } else {
        const double mx = s.maxCoeff();
        f += std::log((s.array() - mx).exp().sum()) + mx - s(y[static_cast<std::size_t>(i)]);
      }
    }
    return f;
  }

  void derivatives(const Eigen::VectorXd& th, Eigen::VectorXd& g, Eigen::MatrixXd& H) const {
    const Eigen::Index L = x.rows(), N = x.cols(), D = M() * P();
    g.setZero(D);
    H.setZero(D, D);
    Eigen::VectorXd s(M()), p(M()), xt(P());
    for (Eigen::Index i = 0; i < N; ++i) {
      xt.head(L) = x.col(i);
      xt(L) = 1.0;
      for (int m = 0; m < M(); ++m) s(m) = th.segment(m * P(), P()).dot(xt);
      if (binary) {
        const double t = y[static_cast<std::size_t>(i)] == 1 ? 1.0 : 0.0;
        const double q = 1.0 / (1.0 + std::exp(-s(0)));
        g += (q - t) * xt;
        H.selfadjointView<Eigen::Lower>().rankUpdate(xt, q * (1.0 - q));
      } else {
        p = (s.array() - s.maxCoeff()).exp();
        p /= p.sum();
        for (int m = 0; m < M(); ++m) {
          const double r = p(m) - (y[static_cast<std::size_t>(i)] == m ? 1.0 : 0.0);
          g.segment(m * P(), P()) += r * xt;
        }
        const Eigen::MatrixXd outer = xt * xt.transpose();
        for (int a = 0; a < M(); ++a)
          for (int b = 0; b <= a; ++b) {
            const double w = a == b ? p(a) * (1.0 - p(a)) : -p(a) * p(b);
            H.block(a * P(), b * P(), P(), P()) += w * outer;
          }
      }
    }
    H = H.selfadjointView<Eigen::Lower>();
    for (int m = 0; m < M(); ++m) {
      g.segment(m * P(), L) += inv_c * th.segment(m * P(), L);
      H.block(m * P(), m * P(), L, L).diagonal().array() += inv_c;
    }
  }
};

}  // namespace

int LogisticRegression::fit(const Eigen::MatrixXd& x, const std::vector<std::int64_t>& labels, double C) {
  const Eigen::Index L = x.rows(), N = x.cols();
  if (static_cast<Eigen::Index>(labels.size()) != N || N < 1)
    throw Error("logistic regression: features and labels do not match");
  if (!x.allFinite()) throw Error("logistic regression: features are not finite");
  classes_ = labels;
  std::sort(classes_.begin(), classes_.end());
  classes_.erase(std::unique(classes_.begin(), classes_.end()), classes_.end());
  const int K = static_cast<int>(classes_.size());
  if (K < 2) throw Error(fmt::format("logistic regression: the labels have {} distinct value(s); need 2", K));
  std::vector<int> y(static_cast<std::size_t>(N));
  for (Eigen::Index i = 0; i < N; ++i)
    y[static_cast<std::size_t>(i)] = static_cast<int>(
        std::lower_bound(classes_.begin(), classes_.end(), labels[static_cast<std::size_t>(i)]) - classes_.begin());
  const Problem pr{x, y, K, K == 2, 1.0 / C};
  const Eigen::Index D = pr.M() * pr.P();
  Eigen::VectorXd th = Eigen::VectorXd::Zero(D), g;
  Eigen::MatrixXd H;
  double f = pr.value(th);
  int it = 0;
  for (; it < 200; ++it) {
    pr.derivatives(th, g, H);
    gradient_max_ = g.cwiseAbs().maxCoeff();
    if (gradient_max_ <= 1e-10 * std::max(1.0, static_cast<double>(N))) break;
    // The multinomial intercepts have one free direction (adding a constant to every class): a tiny ridge keeps
    // the Newton system definite without moving the predictions.
    H.diagonal().array() += 1e-12 * (1.0 + H.diagonal().cwiseAbs().maxCoeff());
    const Eigen::VectorXd step = -H.ldlt().solve(g);
    double t = 1.0, fn = pr.value(th + step);
    const double slope = g.dot(step);
    while (fn > f + 1e-4 * t * slope && t > 1e-10) {
      t *= 0.5;
      fn = pr.value(th + t * step);
    }
    if (!(fn <= f)) break;  // no further decrease at double precision
    th += t * step;
    f = fn;
  }
  w_.resize(pr.M(), L);
  b_.resize(pr.M());
  for (int m = 0; m < pr.M(); ++m) {
    w_.row(m) = th.segment(m * pr.P(), L).transpose();
    b_(m) = th(m * pr.P() + L);
  }
  return it;
}

std::vector<std::int64_t> LogisticRegression::predict(const Eigen::MatrixXd& x) const {
  std::vector<std::int64_t> out(static_cast<std::size_t>(x.cols()));
  for (Eigen::Index i = 0; i < x.cols(); ++i) {
    const Eigen::VectorXd s = w_ * x.col(i) + b_;
    if (classes_.size() == 2) {
      out[static_cast<std::size_t>(i)] = s(0) > 0 ? classes_[1] : classes_[0];
    } else {
      Eigen::Index k;
      s.maxCoeff(&k);
      out[static_cast<std::size_t>(i)] = classes_[static_cast<std::size_t>(k)];
    }
  }
  return out;
}

}  // namespace axial
