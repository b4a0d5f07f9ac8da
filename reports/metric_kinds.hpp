#pragma once
// What a number in results.json is, for the report: a score (summarised with intervals and compared with tests), an
// axis-alignment detail score (the same, in its own table and its own test family), or a count / diagnostic (values
// only: means and tests of anchor counts or skipped-factor counts mean nothing). Also each score's range (to clip
// intervals of bounded scores) and the order of the tables: the headline metrics first (local MIG, local
// modularity, MIG, modularity), then the rest in order of first appearance.
#include <optional>
#include <string>
#include <utility>

namespace axial::reports {

enum class MetricKind { kScore, kDetail, kCount };

struct MetricClass {
  MetricKind kind = MetricKind::kScore;
  std::optional<std::pair<double, double>> range;  // [lo, hi] when the score is bounded (e.g. [0, 1])
  int headline_rank = 4;                           // 0 local_mig, 1 local_modularity, 2 mig, 3 modularity, 4 rest
};

// By name: counts/diagnostics end in _anchors, _undefined_anchors, _count, _unresponsive_factor_count,
// _skipped_factors, _winning_latent, _clusters or _std (spread over anchors), or start with num_; axis-alignment
// details are axis_alignment_* / decoder_axis_alignment_* that are not counts; every other name is a score. Scores
// of the known families (mig, modularity, explicitness, sap, axis_alignment and their local_/decoder_ variants) lie
// in [0, 1]; unknown scores have no known range.
MetricClass classify_metric(const std::string& name);

// "score", "axis-alignment detail", "count/diagnostic".
const char* kind_name(MetricKind kind);

}  // namespace axial::reports
