#include "reports/metric_kinds.hpp"

#include <array>

namespace axial::reports {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

MetricClass classify_metric(const std::string& name) {
  MetricClass c;
  static const std::array<const char*, 11> count_suffixes = {
      "_anchors", "_undefined_anchors", "_count", "_unresponsive_factor_count", "_skipped_factors",
      "_winning_latent", "_clusters", "_std", "_seconds", "_encoded", "_active_dims"};
  bool count = starts_with(name, "num_") || name == "images_encoded";
  for (const char* s : count_suffixes) count = count || ends_with(name, s);
  if (count) {
    c.kind = MetricKind::kCount;
    return c;
  }
  const bool axis_family = starts_with(name, "axis_alignment") || starts_with(name, "decoder_axis_alignment") ||
                           starts_with(name, "local_axis_alignment");
  if (axis_family && name != "axis_alignment" && name != "decoder_axis_alignment") c.kind = MetricKind::kDetail;
  // Bounded scores: every member of these families is a value in [0, 1].
  static const std::array<const char*, 14> unit_families = {
      "mig", "modularity", "explicitness", "sap", "axis_alignment", "local_mig", "local_modularity",
      "decoder_axis_alignment", "dci", "local_dci", "irs", "local_irs", "factor_vae", "beta_vae"};
  for (const char* f : unit_families)
    if (name == f || starts_with(name, std::string(f) + "_")) c.range = std::make_pair(0.0, 1.0);
  if (name == "local_mig") c.headline_rank = 0;
  else if (name == "local_modularity") c.headline_rank = 1;
  else if (name == "mig") c.headline_rank = 2;
  else if (name == "modularity") c.headline_rank = 3;
  return c;
}

const char* kind_name(MetricKind kind) {
  switch (kind) {
    case MetricKind::kScore: return "score";
    case MetricKind::kDetail: return "axis-alignment detail";
    case MetricKind::kCount: return "count/diagnostic";
  }
  return "score";
}

}  // namespace axial::reports
