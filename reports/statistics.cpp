#include "reports/statistics.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>
#include <numeric>

#include "src/core/error.hpp"

namespace axial::reports {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void require_values(const std::vector<double>& v, const char* what) {
  if (v.empty()) throw Error(fmt::format("{}: no values", what));
  for (double x : v)
    if (!std::isfinite(x)) throw Error(fmt::format("{}: non-finite value {}", what, x));
}

double mean_of(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size()); }

// Σ(x - mean)², two-pass for accuracy.
double sum_sq_dev(const std::vector<double>& v, double mean) {
  double s = 0;
  for (double x : v) s += (x - mean) * (x - mean);
  return s;
}

}  // namespace

double t_two_sided_p(double t, double df) {
  if (!std::isfinite(t) || !(df > 0)) return kNaN;
  boost::math::students_t_distribution<double> dist(df);
  double p = 2.0 * boost::math::cdf(boost::math::complement(dist, std::fabs(t)));
  return std::min(1.0, p);
}

double t_quantile(double probability, double df) {
  boost::math::students_t_distribution<double> dist(df);
  return boost::math::quantile(dist, probability);
}

std::vector<double> holm_adjust(const std::vector<double>& p_values) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < p_values.size(); ++i)
    if (std::isfinite(p_values[i])) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p_values[a] < p_values[b]; });
  std::vector<double> adjusted(p_values.size(), kNaN);
  const double m = double(order.size());
  double running = 0;
  for (std::size_t rank = 0; rank < order.size(); ++rank) {
    running = std::max(running, std::min(1.0, (m - double(rank)) * p_values[order[rank]]));
    adjusted[order[rank]] = running;
  }
  return adjusted;
}

Interval clip_interval(double low, double high, double lo, double hi) {
  Interval r{low, high, false};
  if (std::isfinite(low) && low < lo) r.low = lo, r.clipped = true;
  if (std::isfinite(high) && high > hi) r.high = hi, r.clipped = true;
  return r;
}

std::string format_sig(double x, int digits) {
  if (std::isnan(x)) return "";
  if (x == 0) return "0";
  if (!std::isfinite(x)) return x > 0 ? "inf" : "-inf";
  const double a = std::fabs(x);
  if (a < 1e-4 || a >= 1e6) return fmt::format("{:.{}e}", x, digits - 1);
  // Decimals for `digits` significant digits; recomputed after rounding (0.9996 → "1.00", not "1.000").
  int magnitude = int(std::floor(std::log10(a)));
  int decimals = std::max(0, digits - 1 - magnitude);
  std::string s = fmt::format("{:.{}f}", x, decimals);
  const double rounded = std::fabs(std::stod(s));
  if (rounded > 0 && int(std::floor(std::log10(rounded))) > magnitude)
    s = fmt::format("{:.{}f}", x, std::max(0, decimals - 1));
  return s;
}

Summary summarize(const std::vector<double>& values) {
  require_values(values, "summary");
  Summary s;
  s.n = values.size();
  s.mean = mean_of(values);
  double ss = sum_sq_dev(values, s.mean);
  s.std_pop = std::sqrt(ss / double(s.n));
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  s.min = sorted.front();
  s.max = sorted.back();
  std::size_t h = s.n / 2;
  s.median = (s.n % 2 == 1) ? sorted[h] : 0.5 * (sorted[h - 1] + sorted[h]);
  if (s.n >= 2) {
    s.std_sample = std::sqrt(ss / double(s.n - 1));
    double half = t_quantile(0.975, double(s.n - 1)) * s.std_sample / std::sqrt(double(s.n));
    s.ci95_low = s.mean - half;
    s.ci95_high = s.mean + half;
  } else {
    s.std_sample = kNaN;
    s.ci95_low = s.ci95_high = kNaN;
  }
  return s;
}

TestResult welch_t_test(const std::vector<double>& x, const std::vector<double>& y, Alternative alternative) {
  require_values(x, "Welch's t-test (first sample)");
  require_values(y, "Welch's t-test (second sample)");
  TestResult r{kNaN, kNaN, kNaN, "welch", ""};
  double n1 = double(x.size()), n2 = double(y.size());
  if (x.size() < 2 || y.size() < 2) {
    r.note = "needs at least 2 runs per group";
    return r;
  }
  double m1 = mean_of(x), m2 = mean_of(y);
  double v1 = sum_sq_dev(x, m1) / (n1 - 1), v2 = sum_sq_dev(y, m2) / (n2 - 1);
  double a = v1 / n1, b = v2 / n2;
  if (a + b == 0) {
    r.note = "both groups are constant";
    return r;
  }
  r.statistic = (m1 - m2) / std::sqrt(a + b);
  r.df = (a + b) * (a + b) / (a * a / (n1 - 1) + b * b / (n2 - 1));
  if (alternative == Alternative::kGreater) {
    boost::math::students_t_distribution<double> t(r.df);
    r.p_value = boost::math::cdf(boost::math::complement(t, r.statistic));
  } else {
    r.p_value = t_two_sided_p(r.statistic, r.df);
  }
  return r;
}

TestResult student_t_test(const std::vector<double>& x, const std::vector<double>& y) {
  require_values(x, "Student's t-test (first sample)");
  require_values(y, "Student's t-test (second sample)");
  TestResult r{kNaN, kNaN, kNaN, "student", ""};
  double n1 = double(x.size()), n2 = double(y.size());
  if (x.size() + y.size() < 3) {
    r.note = "needs at least 3 runs in total";
    return r;
  }
  double m1 = mean_of(x), m2 = mean_of(y);
  r.df = n1 + n2 - 2;
  double pooled = (sum_sq_dev(x, m1) + sum_sq_dev(y, m2)) / r.df;
  if (pooled == 0) {
    r.note = "both groups are constant";
    return r;
  }
  r.statistic = (m1 - m2) / std::sqrt(pooled * (1 / n1 + 1 / n2));
  r.p_value = t_two_sided_p(r.statistic, r.df);
  return r;
}

namespace detail {

std::vector<double> average_ranks(const std::vector<double>& values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    double avg = 0.5 * double(i + j) + 1.0;  // ranks i+1 … j+1
    for (std::size_t k = i; k <= j; ++k) ranks[order[k]] = avg;
    i = j + 1;
  }
  return ranks;
}

double mann_whitney_exact_sf(long long u, int n1, int n2) {
  // Without ties, the number of orderings giving U = k is the coefficient of q^k in the Gaussian binomial
  // [n1+n2 choose n1]_q = Π_{i=1..m} (1 - q^{n+i}) / (1 - q^i) with m = min, n = max. Long double keeps the
  // counts exact up to 2^64 and to ~1e-19 relative beyond.
  int m = std::min(n1, n2), n = std::max(n1, n2);
  long long top = (long long)m * n;
  if (u <= 0) return 1.0;
  if (u > top) return 0.0;
  std::vector<long double> p(std::size_t(top + n + m + 2), 0.0L);
  p[0] = 1.0L;
  long long degree = 0;
  for (int i = 1; i <= m; ++i) {
    long long shift = n + i;
    for (long long k = degree + shift; k >= shift; --k) p[std::size_t(k)] -= p[std::size_t(k - shift)];
    degree += shift;
    for (long long k = i; k <= degree; ++k) p[std::size_t(k)] += p[std::size_t(k - i)];
    degree -= i;
  }
  long double total = 0, tail = 0;
  for (long long k = 0; k <= top; ++k) {
    total += p[std::size_t(k)];
    if (k >= u) tail += p[std::size_t(k)];
  }
  return double(tail / total);
}

}  // namespace detail

TestResult mann_whitney_u(const std::vector<double>& x, const std::vector<double>& y, Alternative alternative) {
  require_values(x, "Mann-Whitney U (first sample)");
  require_values(y, "Mann-Whitney U (second sample)");
  TestResult r{kNaN, kNaN, kNaN, "", ""};
  std::size_t n1 = x.size(), n2 = y.size();
  std::vector<double> xy = x;
  xy.insert(xy.end(), y.begin(), y.end());
  std::vector<double> ranks = detail::average_ranks(xy);
  double r1 = std::accumulate(ranks.begin(), ranks.begin() + long(n1), 0.0);
  double u1 = r1 - double(n1) * double(n1 + 1) / 2;
  double u2 = double(n1) * double(n2) - u1;
  r.statistic = u1;
  // scipy: U = max(U1, U2) and p doubled for two-sided; U = U1 and p once for "greater".
  const bool greater = alternative == Alternative::kGreater;
  double u = greater ? u1 : std::max(u1, u2);
  const double factor = greater ? 1.0 : 2.0;

  // Tie term Σ(t³ - t) over groups of tied values.
  std::vector<double> sorted = xy;
  std::sort(sorted.begin(), sorted.end());
  double tie_term = 0;
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i;
    while (j + 1 < sorted.size() && sorted[j + 1] == sorted[i]) ++j;
    double t = double(j - i + 1);
    tie_term += t * t * t - t;
    i = j + 1;
  }
  bool exact = (n1 <= 8 || n2 <= 8) && tie_term == 0;
  if (exact) {
    r.method = "exact";
    r.p_value = std::min(1.0, factor * detail::mann_whitney_exact_sf((long long)std::llround(u), int(n1), int(n2)));
    return r;
  }
  r.method = "asymptotic";
  double n = double(n1 + n2);
  double var = double(n1) * double(n2) / 12.0 * ((n + 1) - tie_term / (n * (n - 1)));
  if (!(var > 0)) {
    r.note = "all values are tied";
    r.p_value = 1.0;  // scipy: z = -0.5/0 = -inf, p = min(1, factor·sf(-inf))
    return r;
  }
  double z = (u - double(n1) * double(n2) / 2 - 0.5) / std::sqrt(var);
  boost::math::normal_distribution<double> normal;
  r.p_value = std::min(1.0, factor * boost::math::cdf(boost::math::complement(normal, z)));
  return r;
}

}  // namespace axial::reports
