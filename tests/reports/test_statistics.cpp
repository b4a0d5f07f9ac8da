// Summary statistics and two-sample tests, against values derived by hand or from closed forms.
// (Dev-time cross-check against scipy 1.10 is recorded in docs/reports.md.)
#include "reports/statistics.hpp"

#include <cmath>
#include <map>
#include <vector>

#include "src/core/error.hpp"

#include <doctest/doctest.h>

using namespace axial::reports;
using doctest::Approx;

TEST_CASE("summarize: mean, population and sample std, median, t-interval") {
  // {1,2,3,4}: mean 2.5, Σ(x-m)² = 2.25+0.25+0.25+2.25 = 5.
  Summary s = summarize({4, 1, 3, 2});
  CHECK(s.n == 4);
  CHECK(s.mean == Approx(2.5));
  CHECK(s.std_pop == Approx(std::sqrt(5.0 / 4)));
  CHECK(s.std_sample == Approx(std::sqrt(5.0 / 3)));
  CHECK(s.median == Approx(2.5));
  CHECK(s.min == 1);
  CHECK(s.max == 4);
  // t_{0.975,3} = 3.182446305 (table value); half width = t · s / √n.
  double half = 3.182446305284263 * std::sqrt(5.0 / 3) / 2;
  CHECK(s.ci95_low == Approx(2.5 - half).epsilon(1e-9));
  CHECK(s.ci95_high == Approx(2.5 + half).epsilon(1e-9));

  Summary odd = summarize({5, 1, 9});
  CHECK(odd.median == 5);

  Summary one = summarize({0.3});
  CHECK(one.std_pop == 0);
  CHECK(std::isnan(one.ci95_low));
  CHECK(std::isnan(one.std_sample));

  CHECK_THROWS_AS(summarize({}), axial::Error);
  CHECK_THROWS_AS(summarize({1.0, std::nan("")}), axial::Error);
}

TEST_CASE("t distribution: closed forms for df = 1 (Cauchy) and df = 2") {
  // df = 1: P(|T| > t) = 1 - (2/π)·atan(t).
  CHECK(t_two_sided_p(1.0, 1) == Approx(0.5).epsilon(1e-12));
  CHECK(t_two_sided_p(-3.0, 1) == Approx(1 - 2 / M_PI * std::atan(3.0)).epsilon(1e-12));
  // df = 2: P(|T| > t) = 1 - t / √(2 + t²).
  CHECK(t_two_sided_p(2.5, 2) == Approx(1 - 2.5 / std::sqrt(2 + 6.25)).epsilon(1e-12));
  // Quantile for df = 1: tan(π(p - ½)).
  CHECK(t_quantile(0.975, 1) == Approx(std::tan(M_PI * 0.475)).epsilon(1e-10));
  CHECK(t_two_sided_p(0.0, 7) == Approx(1.0));
}

TEST_CASE("Student's pooled t-test and Welch's t-test: x={0,2}, y={3,5}") {
  // Means 1 and 4, both sample variances 2. Pooled variance 2, t = -3/√(2·(½+½)) = -3/√2, df = 2.
  // Welch: a = b = 2/2 = 1, t = -3/√2, df = (1+1)²/(1/1 + 1/1) = 2. With df = 2: p = 1 - |t|/√(2+t²) = 1 - 3/√13.
  std::vector<double> x{0, 2}, y{3, 5};
  TestResult s = student_t_test(x, y);
  CHECK(s.statistic == Approx(-3 / std::sqrt(2.0)));
  CHECK(s.df == Approx(2));
  CHECK(s.p_value == Approx(1 - 3 / std::sqrt(13.0)).epsilon(1e-12));
  TestResult w = welch_t_test(x, y);
  CHECK(w.statistic == Approx(-3 / std::sqrt(2.0)));
  CHECK(w.df == Approx(2));
  CHECK(w.p_value == Approx(1 - 3 / std::sqrt(13.0)).epsilon(1e-12));
}

TEST_CASE("Welch's t-test with unequal sizes and variances") {
  // x={1,2,3}: mean 2, var 1. y={4,5,6,7,8}: mean 6, var 2.5. a = 1/3, b = 1/2.
  // t = -4/√(5/6); df = (5/6)² / ((1/3)²/2 + (1/2)²/4) = (25/36)/(1/18 + 1/16) = 100/17.
  TestResult w = welch_t_test({1, 2, 3}, {4, 5, 6, 7, 8});
  CHECK(w.statistic == Approx(-4 / std::sqrt(5.0 / 6)));
  CHECK(w.df == Approx(100.0 / 17));
  CHECK(w.p_value == Approx(t_two_sided_p(4 / std::sqrt(5.0 / 6), 100.0 / 17)));
  CHECK(w.p_value < 0.01);
  // Pooled: Σ dev² = 2 + 10 = 12, df = 6, s² = 2, t = -4/√(2(1/3+1/5)) = -4/√(16/15).
  TestResult s = student_t_test({1, 2, 3}, {4, 5, 6, 7, 8});
  CHECK(s.statistic == Approx(-4 / std::sqrt(16.0 / 15)));
  CHECK(s.df == 6);
}

TEST_CASE("t-tests: degenerate inputs give NaN with a note") {
  TestResult w = welch_t_test({1.0}, {2.0, 3.0});
  CHECK(std::isnan(w.p_value));
  CHECK_FALSE(w.note.empty());
  TestResult c = welch_t_test({1.0, 1.0}, {1.0, 1.0});
  CHECK(std::isnan(c.statistic));
  CHECK(c.note == "both groups are constant");
  TestResult s = student_t_test({2.0, 2.0}, {2.0, 2.0, 2.0});
  CHECK(std::isnan(s.p_value));
}

TEST_CASE("average ranks give tied values the mean of their ranks") {
  auto r = detail::average_ranks({3, 1, 3, 2});
  CHECK(r == std::vector<double>{3.5, 1, 3.5, 2});
}

TEST_CASE("exact Mann-Whitney null distribution equals brute-force enumeration") {
  // Enumerate all C(8,3) = 56 ways to choose which ranks belong to the first sample (n1 = 3, n2 = 5);
  // U1 = R1 - n1(n1+1)/2.
  const int n1 = 3, n2 = 5;
  std::map<int, int> counts;
  int total = 0;
  for (int mask = 0; mask < (1 << (n1 + n2)); ++mask) {
    if (__builtin_popcount(mask) != n1) continue;
    int r1 = 0;
    for (int b = 0; b < n1 + n2; ++b)
      if (mask & (1 << b)) r1 += b + 1;
    counts[r1 - n1 * (n1 + 1) / 2]++;
    ++total;
  }
  CHECK(total == 56);
  for (int u = 0; u <= n1 * n2 + 1; ++u) {
    int ge = 0;
    for (auto [k, c] : counts)
      if (k >= u) ge += c;
    CHECK(detail::mann_whitney_exact_sf(u, n1, n2) == Approx(double(ge) / total).epsilon(1e-15));
    CHECK(detail::mann_whitney_exact_sf(u, n2, n1) == Approx(double(ge) / total).epsilon(1e-15));
  }
}

TEST_CASE("Mann-Whitney U, exact method (small, no ties)") {
  // x={1,2}, y={3,4,5}: R1 = 3, U1 = 0, U2 = 6; p = 2·P(U ≥ 6) = 2/C(5,2) = 0.2.
  TestResult a = mann_whitney_u({1, 2}, {3, 4, 5});
  CHECK(a.method == "exact");
  CHECK(a.statistic == 0);
  CHECK(a.p_value == Approx(0.2));
  // x={1,3}, y={2,4,5}: R1 = 4, U1 = 1, U = max(1, 5) = 5. U distribution for (2,3) has counts 1,1,2,2,2,1,1
  // over u = 0..6, so P(U ≥ 5) = 2/10 and p = 0.4.
  TestResult b = mann_whitney_u({1, 3}, {2, 4, 5});
  CHECK(b.statistic == 1);
  CHECK(b.p_value == Approx(0.4));
  // Identical distributions of ranks: x={1,4}, y={2,3}: U1 = 2 = n1n2/2, p = 2·P(U ≥ 2) > 1 → clipped to 1.
  CHECK(mann_whitney_u({1, 4}, {2, 3}).p_value == 1.0);
}

TEST_CASE("Mann-Whitney U, normal approximation with tie and continuity correction") {
  // x={1,1,2}, y={2,3,3}: ranks 1.5,1.5,3.5 | 3.5,5.5,5.5; R1 = 6.5, U1 = 0.5, U = 8.5, μ = 4.5.
  // Ties: three pairs, Σ(t³-t) = 18; σ² = 9/12·(7 - 18/30) = 4.8. z = (8.5 - 4.5 - 0.5)/√4.8.
  TestResult t = mann_whitney_u({1, 1, 2}, {2, 3, 3});
  CHECK(t.method == "asymptotic");
  CHECK(t.statistic == 0.5);
  double z = 3.5 / std::sqrt(4.8);
  CHECK(t.p_value == Approx(std::erfc(z / std::sqrt(2.0))).epsilon(1e-12));
  // n1 = n2 = 9 (no ties) → asymptotic: x=1..9 below y=10..18: U1 = 0, U = 81, μ = 40.5, σ² = 81·19/12.
  std::vector<double> x, y;
  for (int i = 1; i <= 9; ++i) x.push_back(i), y.push_back(i + 9);
  TestResult big = mann_whitney_u(x, y);
  CHECK(big.method == "asymptotic");
  double zb = 40.0 / std::sqrt(81.0 * 19 / 12);
  CHECK(big.p_value == Approx(std::erfc(zb / std::sqrt(2.0))).epsilon(1e-12));
  // All values tied: σ = 0, scipy gives p = 1.
  TestResult tied = mann_whitney_u({2, 2}, {2, 2, 2});
  CHECK(tied.p_value == 1.0);
}

TEST_CASE("one-sided alternative greater: Welch and Mann-Whitney") {
  // Welch x={1,2,3}, y={0,0,0}: a = s²/n = 1/3, b = 0 → t = 2/√(1/3) = √12, df = a²/(a²/2) = 2. For 2 degrees of
  // freedom P(T ≥ t) = (1 - t/√(t²+2))/2 = (1 - √(12/14))/2.
  TestResult w = welch_t_test({1, 2, 3}, {0, 0, 0}, Alternative::kGreater);
  CHECK(w.statistic == Approx(std::sqrt(12.0)));
  CHECK(w.df == Approx(2.0));
  CHECK(w.p_value == Approx((1 - std::sqrt(12.0 / 14.0)) / 2).epsilon(1e-12));
  // The other direction: P(T ≥ -t) = 1 - p.
  TestResult wl = welch_t_test({0, 0, 0}, {1, 2, 3}, Alternative::kGreater);
  CHECK(wl.p_value == Approx(1 - (1 - std::sqrt(12.0 / 14.0)) / 2).epsilon(1e-12));
  // Two-sided is twice the smaller tail.
  CHECK(welch_t_test({1, 2, 3}, {0, 0, 0}).p_value == Approx(2 * w.p_value).epsilon(1e-12));

  // Mann-Whitney exact: 5 vs 5 with every x above every y: U1 = 25, P(U ≥ 25) = 1/C(10,5) = 1/252.
  TestResult m = mann_whitney_u({6, 7, 8, 9, 10}, {1, 2, 3, 4, 5}, Alternative::kGreater);
  CHECK(m.method == "exact");
  CHECK(m.statistic == 25);
  CHECK(m.p_value == Approx(1.0 / 252).epsilon(1e-12));
  CHECK(mann_whitney_u({6, 7, 8, 9, 10}, {1, 2, 3, 4, 5}).p_value == Approx(2.0 / 252).epsilon(1e-12));
  // x={1,3}, y={2,4,5}: U1 = 1, P(U ≥ 1) = 1 - P(U = 0) = 9/10 (counts 1,1,2,2,2,1,1 over u = 0..6).
  CHECK(mann_whitney_u({1, 3}, {2, 4, 5}, Alternative::kGreater).p_value == Approx(0.9));
  // Asymptotic with ties, x={2,3,3} above y={1,1,2}: U1 = 8.5, z = (8.5 - 4.5 - 0.5)/√4.8, p = sf(z) once.
  TestResult t = mann_whitney_u({2, 3, 3}, {1, 1, 2}, Alternative::kGreater);
  CHECK(t.method == "asymptotic");
  CHECK(t.p_value == Approx(0.5 * std::erfc(3.5 / std::sqrt(4.8) / std::sqrt(2.0))).epsilon(1e-12));
  // ...and below: U1 = 0.5, z = (0.5 - 4.5 - 0.5)/√4.8 < 0, p = sf(z) > 0.5.
  TestResult tb = mann_whitney_u({1, 1, 2}, {2, 3, 3}, Alternative::kGreater);
  CHECK(tb.p_value == Approx(0.5 * std::erfc(-4.5 / std::sqrt(4.8) / std::sqrt(2.0))).epsilon(1e-12));
}

TEST_CASE("holm_adjust: step-down on a known family, NaN left out, capped at 1") {
  // Sorted: 0.005·4 = 0.02; 0.01·3 = 0.03; 0.03·2 = 0.06; 0.04·1 = 0.04 → max(0.06, 0.04) = 0.06.
  const auto a = holm_adjust({0.01, 0.04, 0.03, 0.005});
  REQUIRE(a.size() == 4);
  CHECK(a[0] == doctest::Approx(0.03));
  CHECK(a[1] == doctest::Approx(0.06));
  CHECK(a[2] == doctest::Approx(0.06));
  CHECK(a[3] == doctest::Approx(0.02));
  // A test that was not run (NaN) is not in the family: m = 2.
  const auto b = holm_adjust({0.02, std::nan(""), 0.5});
  CHECK(b[0] == doctest::Approx(0.04));
  CHECK(std::isnan(b[1]));
  CHECK(b[2] == doctest::Approx(0.5));
  const auto c = holm_adjust({0.6, 0.7});
  CHECK(c[0] == 1.0);
  CHECK(c[1] == 1.0);
  CHECK(holm_adjust({}).empty());
}

TEST_CASE("clip_interval and format_sig") {
  auto i = clip_interval(-0.32, 1.21, 0, 1);
  CHECK(i.low == 0);
  CHECK(i.high == 1);
  CHECK(i.clipped);
  auto j = clip_interval(0.2, 0.4, 0, 1);
  CHECK(j.low == 0.2);
  CHECK_FALSE(j.clipped);
  CHECK(format_sig(0.00512345) == "0.00512");
  CHECK(format_sig(0.000231) == "0.000231");
  CHECK(format_sig(0.9996) == "1.00");
  CHECK(format_sig(12.345) == "12.3");
  CHECK(format_sig(-0.125) == "-0.125");
  CHECK(format_sig(0) == "0");
  CHECK(format_sig(1.23e-5) == "1.23e-05");
  CHECK(format_sig(std::nan("")) == "");
}
