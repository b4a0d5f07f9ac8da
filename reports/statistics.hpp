#pragma once
// Summary statistics and two-sample tests for comparing groups of runs (axial report).
//
// Definitions (all documented in docs/reports.md):
//  - std_pop  = sqrt(Σ(x-mean)²/n)        (numpy's default, ddof=0; the paper's ±2σ bands use it)
//  - std_sample = sqrt(Σ(x-mean)²/(n-1))  (ddof=1; used by the t-interval and the t-tests)
//  - median: mean of the two middle values for even n
//  - 95% interval: Student-t interval on the mean, mean ± t_{0.975, n-1} · std_sample / √n (n ≥ 2)
//  - Welch's t-test (unequal variances, Welch–Satterthwaite df), two-sided
//  - Student's pooled t-test (equal variances, df = n1+n2-2), two-sided — the test the paper reports
//  - Mann–Whitney U, two-sided, exactly as scipy.stats.mannwhitneyu's defaults (scipy 1.10): statistic U1 (the
//    first sample's U); method 'exact' when min(n1,n2) ≤ 8 and there are no ties, else the normal approximation with
//    tie correction and continuity correction 0.5.
// Undefined results (too few values, zero variance) are NaN with a `note` saying why; callers print the note.
#include <cstddef>
#include <string>
#include <vector>

namespace axial::reports {

struct Summary {
  std::size_t n = 0;
  double mean = 0, std_pop = 0, std_sample = 0, median = 0, min = 0, max = 0;
  double ci95_low = 0, ci95_high = 0;  // NaN when n < 2
};

// Summary of `values` (all finite). Throws axial::Error when `values` is empty or holds NaN/Inf.
Summary summarize(const std::vector<double>& values);

struct TestResult {
  double statistic = 0;  // t, or U1 for Mann–Whitney
  double df = 0;         // degrees of freedom for t-tests; NaN for Mann–Whitney
  double p_value = 0;    // two-sided unless a one-sided alternative was asked for
  std::string method;    // "welch", "student", "exact", "asymptotic"
  std::string note;      // why statistic/p_value are NaN, empty otherwise
};

// The alternative hypothesis, as scipy's `alternative=`: kTwoSided ("two-sided"), kGreater ("greater": x tends to
// be larger than y; Welch p = P(T_df ≥ t), Mann–Whitney p = P(U ≥ U1) exactly or sf(z) with U = U1 and the same
// continuity correction).
enum class Alternative { kTwoSided, kGreater };

TestResult welch_t_test(const std::vector<double>& x, const std::vector<double>& y,
                        Alternative alternative = Alternative::kTwoSided);
TestResult student_t_test(const std::vector<double>& x, const std::vector<double>& y);
TestResult mann_whitney_u(const std::vector<double>& x, const std::vector<double>& y,
                          Alternative alternative = Alternative::kTwoSided);

// Holm's step-down adjustment (Holm 1979) of one family of p-values, as statsmodels' multipletests(method='holm'):
// sort ascending p_(1) ≤ … ≤ p_(m); adjusted p_(i) = max_{j ≤ i} min(1, (m − j + 1)·p_(j)); returned in the input
// order. NaN entries (tests that were not run) are not part of the family and stay NaN; m counts the finite ones.
std::vector<double> holm_adjust(const std::vector<double>& p_values);

// The 95% t-interval of a bounded score clipped to its range [lo, hi]: `clipped` says that a bound was moved (the
// t-interval assumes an unbounded normal mean and can leave [0, 1] for small n or values near a bound).
struct Interval {
  double low = 0, high = 0;
  bool clipped = false;
};
Interval clip_interval(double low, double high, double lo, double hi);

// Fewest runs per group for which the report prints tests (and intervals in report.md): below it, values only.
inline constexpr std::size_t kMinRunsForTests = 5;

// A number with `digits` significant digits for tables: fixed notation for 1e-4 ≤ |x| < 1e6 ("0.00512", "12.3",
// "1230"), else scientific ("1.23e-05"); "0" for zero, "" for NaN.
std::string format_sig(double x, int digits = 3);

// Two-sided p-value of a t statistic with `df` degrees of freedom: 2·P(T ≥ |t|).
double t_two_sided_p(double t, double df);
// Quantile of Student's t distribution (e.g. 0.975 for a 95% interval).
double t_quantile(double probability, double df);

namespace detail {
// Exact null distribution of U for sample sizes (n1, n2) without ties: P(U ≥ u).
double mann_whitney_exact_sf(long long u, int n1, int n2);
// Average ranks (1-based) of `values`, ties get the mean of their ranks (scipy.stats.rankdata 'average').
std::vector<double> average_ranks(const std::vector<double>& values);
}  // namespace detail

}  // namespace axial::reports
