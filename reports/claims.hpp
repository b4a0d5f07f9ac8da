#pragma once
// Pre-registered claims a report tests (e.g. `axial reproduce three-dots --preset cpu`: JL1-VAE's local MIG at
// ρ = 0.1 is above β-VAE's, one-sided, p < 0.01; no significant difference at ρ = 1.0). Each claim names one
// (metric, locality) and two groups by the value of one group key (e.g. gamma = 0.1 against gamma = 0); the tests
// are Welch's t-test (which decides) and Mann–Whitney U (shown beside it) across the groups' runs (seeds), as
// reports/statistics.hpp defines them, one-sided ("greater") for kGreater and two-sided for kNoDifference. Not Holm-adjusted: the claims are fixed before
// the runs, each is one hypothesis with its own α.
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/aggregate.hpp"
#include "reports/statistics.hpp"

namespace axial::reports {

struct Claim {
  enum class Kind { kGreater, kNoDifference };
  std::string metric;      // e.g. "local_mig"
  double locality = kGlobal;
  std::string key;         // group key, e.g. "gamma"
  nlohmann::json a_value;  // group A: key == a_value (kGreater: A is claimed larger)
  nlohmann::json b_value;  // group B
  std::string a_name, b_name;  // how the report names them ("JL1-VAE", "β-VAE")
  Kind kind = Kind::kGreater;
  double alpha = 0.01;
};

struct ClaimResult {
  Claim claim;
  std::vector<double> a, b;  // the groups' values in run order (empty when the group or metric is missing)
  TestResult welch, mann_whitney;
  bool holds = false;        // decided by Welch: kGreater p < α; kNoDifference p ≥ α (Mann–Whitney shown beside)
  std::string verdict;       // one line for the report
};

// Tests each claim on the collection. A missing group or metric gives holds = false and a verdict saying what is
// missing (never an exception: the report still shows the rest).
std::vector<ClaimResult> test_claims(const Collection& c, const std::vector<Claim>& claims);

// "local_mig ρ = 0.1: JL1-VAE > β-VAE" / "... JL1-VAE ≈ β-VAE (no significant difference)".
std::string claim_text(const Claim& claim);

nlohmann::json claims_json(const std::vector<ClaimResult>& results);
// The Markdown section (heading, table, one sentence on the tests), "" when there are no claims.
std::string claims_markdown(const std::vector<ClaimResult>& results);

}  // namespace axial::reports
