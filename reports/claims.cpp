#include "reports/claims.hpp"

#include <fmt/core.h>

#include <cmath>

#include "reports/report_writer.hpp"

namespace axial::reports {

namespace {

// The group whose key has `key` == value; npos when none (or more than one: the claim would be ambiguous).
std::size_t find_group(const Collection& c, const std::string& key, const nlohmann::json& value, std::string& why) {
  std::size_t found = std::string::npos, count = 0;
  for (std::size_t g = 0; g < c.groups.size(); ++g) {
    const auto& k = c.groups[g].key;
    if (k.is_object() && k.contains(key) && k[key] == value) found = g, ++count;
  }
  if (count == 0) why = fmt::format("no group has {} = {}", key, value.dump());
  if (count > 1) why = fmt::format("{} groups have {} = {} (group the runs by {})", count, key, value.dump(), key);
  return count == 1 ? found : std::string::npos;
}

std::vector<double> values_of(const Collection& c, std::size_t group, const std::string& metric, double locality) {
  const MetricSummary* m = find_row(c, metric, locality);
  return m ? m->values[group] : std::vector<double>{};
}

}  // namespace

std::string claim_text(const Claim& claim) {
  const std::string where =
      std::isnan(claim.locality) ? claim.metric : fmt::format("{} ρ = {}", claim.metric, format_locality(claim.locality));
  return claim.kind == Claim::Kind::kGreater
             ? fmt::format("{}: {} > {}", where, claim.a_name, claim.b_name)
             : fmt::format("{}: {} ≈ {} (no significant difference)", where, claim.a_name, claim.b_name);
}

std::vector<ClaimResult> test_claims(const Collection& c, const std::vector<Claim>& claims) {
  std::vector<ClaimResult> out;
  for (const auto& claim : claims) {
    ClaimResult r;
    r.claim = claim;
    std::string why;
    const std::size_t ga = find_group(c, claim.key, claim.a_value, why);
    const std::size_t gb = why.empty() ? find_group(c, claim.key, claim.b_value, why) : std::string::npos;
    if (why.empty()) {
      r.a = values_of(c, ga, claim.metric, claim.locality);
      r.b = values_of(c, gb, claim.metric, claim.locality);
      if (r.a.empty() || r.b.empty())
        why = fmt::format("{} has no values in {}", claim.metric, r.a.empty() ? claim.a_name : claim.b_name);
    }
    if (!why.empty()) {
      r.verdict = "not tested: " + why;
      out.push_back(std::move(r));
      continue;
    }
    const Alternative alt = claim.kind == Claim::Kind::kGreater ? Alternative::kGreater : Alternative::kTwoSided;
    r.welch = welch_t_test(r.a, r.b, alt);
    r.mann_whitney = mann_whitney_u(r.a, r.b, alt);
    const double pw = r.welch.p_value, pm = r.mann_whitney.p_value;
    const std::string a = fmt::format("{:g}", claim.alpha);
    // Welch's test decides (fixed in advance); Mann–Whitney is reported beside it as a check that needs no
    // normality.
    const std::string mw = !std::isfinite(pm)            ? "Mann–Whitney not computed"
                           : (pm < claim.alpha) == (pw < claim.alpha) ? "Mann–Whitney agrees"
                                                                    : "Mann–Whitney p = " + format_p(pm);
    if (!std::isfinite(pw)) {
      r.verdict = "not tested: Welch's test is undefined (" + r.welch.note + ")";
    } else if (claim.kind == Claim::Kind::kGreater) {
      r.holds = pw < claim.alpha;
      r.verdict = r.holds ? fmt::format("supported: Welch one-sided p < {} ({})", a, mw)
                          : fmt::format("not supported: Welch one-sided p ≥ {} ({})", a, mw);
    } else {
      r.holds = !(pw < claim.alpha);
      r.verdict = r.holds ? fmt::format("holds: no significant difference, Welch two-sided p ≥ {} ({})", a, mw)
                          : fmt::format("does not hold: Welch two-sided p < {} ({})", a, mw);
    }
    out.push_back(std::move(r));
  }
  return out;
}

nlohmann::json claims_json(const std::vector<ClaimResult>& results) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : results) {
    const bool greater = r.claim.kind == Claim::Kind::kGreater;
    arr.push_back({{"claim", claim_text(r.claim)},
                   {"metric", r.claim.metric},
                   {"locality", num_json(r.claim.locality)},
                   {"kind", greater ? "greater" : "no_difference"},
                   {"alternative", greater ? "greater" : "two-sided"},
                   {"alpha", r.claim.alpha},
                   {"group_a", {{"name", r.claim.a_name}, {r.claim.key, r.claim.a_value}, {"values", r.a}}},
                   {"group_b", {{"name", r.claim.b_name}, {r.claim.key, r.claim.b_value}, {"values", r.b}}},
                   {"welch", test_result_json(r.welch)},
                   {"mann_whitney", test_result_json(r.mann_whitney)},
                   {"holds", r.holds},
                   {"verdict", r.verdict}});
  }
  return arr;
}

std::string claims_markdown(const std::vector<ClaimResult>& results) {
  if (results.empty()) return "";
  std::string md =
      "## Claims tested\n\n"
      "Fixed before the runs; each is one test across the seeds (not Holm-adjusted): Welch's t-test decides, "
      "Mann–Whitney U (exact for ≤ 8 runs per group without ties, as scipy.stats.mannwhitneyu) is shown beside it. "
      "`>`: one-sided (alternative: A larger), `≈`: two-sided.\n\n"
      "| claim | n (A, B) | A mean ± std | B mean ± std | Welch t (df), p | Mann–Whitney U, p | α | verdict |\n"
      "|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : results) {
    auto ms = [](const std::vector<double>& v) { return v.empty() ? std::string("—") : mean_pm_std(summarize(v)); };
    auto tw = [](const TestResult& t) {
      return std::isfinite(t.p_value) ? fmt::format("{} ({}), {}", format_sig(t.statistic), format_sig(t.df),
                                                    format_p(t.p_value))
                                      : std::string(t.note.empty() ? "—" : "n/a (" + t.note + ")");
    };
    auto tm = [](const TestResult& t) {
      return std::isfinite(t.p_value) ? fmt::format("{}, {} ({})", format_sig(t.statistic), format_p(t.p_value),
                                                    t.method)
                                      : std::string("—");
    };
    md += fmt::format("| {} | {}, {} | {} | {} | {} | {} | {} | {} |\n", claim_text(r.claim), r.a.size(), r.b.size(),
                      ms(r.a), ms(r.b), tw(r.welch), tm(r.mann_whitney), fmt::format("{:g}", r.claim.alpha),
                      r.holds ? "**" + r.verdict + "**" : r.verdict);
  }
  return md + "\n";
}

}  // namespace axial::reports
