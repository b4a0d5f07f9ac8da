// Pre-registered claims (reports/claims.hpp): one-sided and two-sided tests between the groups a key selects, the
// verdicts, the report sections. Values derived in the comments.
#include "reports/claims.hpp"

#include <cmath>
#include <string>

#include "reports/report_writer.hpp"
#include "tests/reports/report_fixtures.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

using namespace axial::reports;
using axial::test::results;
using axial::test::train_config;
using axial::test::write_json;
using doctest::Approx;

namespace {

// Five seeds per γ. ρ = 0.1: β-VAE local MIG 0.01..0.05, JL1 0.06..0.10 (every JL1 value above every β-VAE one);
// ρ = 1.0: the same five values 0.02..0.06 in both groups. Local modularity: constant offset, see below.
Collection five_and_five(const axial::test::TempDir& dir) {
  for (int i = 0; i < 5; ++i)
    for (double gamma : {0.0, 0.1}) {
      const double m01 = gamma == 0 ? 0.01 * (i + 1) : 0.06 + 0.01 * i;
      const double mod01 = gamma == 0 ? 0.80 + 0.01 * i : 0.805 + 0.01 * i;  // JL1 = β-VAE + 0.005, overlapping
      const double m10 = 0.02 + 0.01 * i;
      write_json(dir.path / ("g" + std::to_string(int(gamma * 10)) + "_s" + std::to_string(i)) / "results.json",
                 results(0.1, 0.8, {{0.1, m01, mod01}, {1.0, m10, 0.7}}, train_config(4, gamma, i + 1)));
    }
  return collect(find_results_files({dir.path}), {});
}

std::vector<Claim> the_claims() {
  using K = Claim::Kind;
  return {{"local_mig", 0.1, "gamma", 0.1, 0.0, "JL1", "beta", K::kGreater, 0.01},
          {"local_modularity", 0.1, "gamma", 0.1, 0.0, "JL1", "beta", K::kGreater, 0.01},
          {"local_mig", 1.0, "gamma", 0.1, 0.0, "JL1", "beta", K::kNoDifference, 0.05},
          {"local_mig", 0.3, "gamma", 0.1, 0.0, "JL1", "beta", K::kGreater, 0.01},
          {"local_mig", 0.1, "gamma", 0.5, 0.0, "JL1", "beta", K::kGreater, 0.01}};
}

}  // namespace

TEST_CASE("claims: one-sided greater, no difference, missing locality and group") {
  axial::test::TempDir dir;
  Collection c = five_and_five(dir);
  auto r = test_claims(c, the_claims());
  REQUIRE(r.size() == 5);
  // local_mig ρ = 0.1: complete separation, U1 = 25, exact P(U ≥ 25) = 1/252. Welch: means 0.08 vs 0.03, both
  // s² = 0.00025 (Σdev² = 0.001 over 4), t = 0.05/√(2·0.00005) = 5, df = 8; P(T_8 ≥ 5) ≈ 5.25e-4.
  CHECK(r[0].a.size() == 5);
  CHECK(r[0].mann_whitney.statistic == 25);
  CHECK(r[0].mann_whitney.p_value == Approx(1.0 / 252));
  CHECK(r[0].welch.statistic == Approx(5.0));
  CHECK(r[0].welch.df == Approx(8.0));
  CHECK(r[0].welch.p_value < 0.001);
  CHECK(r[0].welch.p_value == Approx(welch_t_test(r[0].a, r[0].b).p_value / 2));
  CHECK(r[0].holds);
  CHECK(r[0].verdict == "supported: Welch one-sided p < 0.01 (Mann–Whitney agrees)");
  // local_modularity ρ = 0.1: shifted by half a step → t = 0.005/√(2·0.00025/5) = 0.5, not significant; U1 = 15
  // (the i-th JL1 value beats the i lowest β-VAE values: 1+2+3+4+5 = 15), P(U ≥ 15) > 0.01.
  CHECK(r[1].welch.statistic == Approx(0.5));
  CHECK(r[1].mann_whitney.statistic == 15);
  CHECK_FALSE(r[1].holds);
  CHECK(r[1].verdict.find("not supported: Welch one-sided p ≥ 0.01 (Mann–Whitney agrees)") == 0);
  // local_mig ρ = 1.0: identical groups → t = 0, two-sided p = 1; U1 = 12.5 with ties → asymptotic, p = 1.
  CHECK(r[2].welch.statistic == Approx(0.0));
  CHECK(r[2].welch.p_value == Approx(1.0));
  CHECK(r[2].mann_whitney.p_value == Approx(1.0));
  CHECK(r[2].holds);
  CHECK(r[2].verdict == "holds: no significant difference, Welch two-sided p ≥ 0.05 (Mann–Whitney agrees)");
  // ρ = 0.3 was not evaluated; γ = 0.5 is not a group.
  CHECK_FALSE(r[3].holds);
  CHECK(r[3].verdict == "not tested: local_mig has no values in JL1");
  CHECK_FALSE(r[4].holds);
  CHECK(r[4].verdict == "not tested: no group has gamma = 0.5");
}

TEST_CASE("claims: Welch decides, a disagreeing Mann-Whitney is named") {
  // β-VAE 1..5, JL1 = {3.5, 6, 7, 8, 9}: Welch t = (6.7 − 3)/√(s²_a/5 + 2.5/5) with s²_a = Σ(dev²)/4 =
  // (10.24 + 0.49 + 0.09 + 1.69 + 5.29)/4 = 4.45 → t = 3.7/√1.39 = 3.138, df ≈ 7.6 → p ≈ 0.007 < 0.01. Mann–Whitney:
  // 3.5 beats 1, 2, 3 → U₁ = 3 + 5·4 = 23, exact P(U ≥ 23) = 4/252 = 0.0159 ≥ 0.01.
  axial::test::TempDir dir;
  const double jl1[] = {3.5, 6, 7, 8, 9};
  for (int i = 0; i < 5; ++i)
    for (double gamma : {0.0, 0.1})
      write_json(dir.path / ("g" + std::to_string(int(gamma * 10)) + "_s" + std::to_string(i)) / "results.json",
                 results(0.1, 0.8, {{0.1, gamma == 0 ? 1.0 + i : jl1[i], 0.5}}, train_config(4, gamma, i + 1)));
  Collection c = collect(find_results_files({dir.path}), {});
  auto r = test_claims(c, {the_claims()[0]});
  REQUIRE(r.size() == 1);
  CHECK(r[0].welch.statistic == Approx(3.7 / std::sqrt(1.39)));
  CHECK(r[0].welch.p_value < 0.01);
  CHECK(r[0].mann_whitney.statistic == 23);
  CHECK(r[0].mann_whitney.p_value == Approx(4.0 / 252));
  CHECK(r[0].holds);
  CHECK(r[0].verdict == "supported: Welch one-sided p < 0.01 (Mann–Whitney p = 0.0159)");
}

TEST_CASE("claims: in report.md and report.json") {
  axial::test::TempDir dir;
  Collection c = five_and_five(dir);
  ReportOptions o;
  o.figures = false;
  o.claims = the_claims();
  const std::string md = report_markdown(c, o, {});
  CHECK(md.find("## Claims tested") != std::string::npos);
  CHECK(md.find("| local_mig ρ = 0.1: JL1 > beta | 5, 5 |") != std::string::npos);
  CHECK(md.find("local_mig ρ = 1: JL1 ≈ beta (no significant difference)") != std::string::npos);
  const auto j = report_json(c, o, {});
  REQUIRE(j["claims"].size() == 5);
  CHECK(j["claims"][0]["alternative"] == "greater");
  CHECK(j["claims"][0]["holds"] == true);
  CHECK(j["claims"][0]["mann_whitney"]["p_value"].get<double>() == Approx(1.0 / 252));
  CHECK(j["claims"][0]["group_a"]["values"].size() == 5);
  CHECK(j["claims"][2]["alternative"] == "two-sided");
  // Without claims, no section.
  o.claims.clear();
  CHECK(report_markdown(c, o, {}).find("Claims tested") == std::string::npos);
  CHECK_FALSE(report_json(c, o, {}).contains("claims"));
}
