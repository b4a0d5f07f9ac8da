#include "reports/eval_results.hpp"

#include <fmt/core.h>

#include "metrics/score_sheet.hpp"

namespace axial::reports {

namespace {
std::string csv_value(const nlohmann::json& v) { return v.is_number() ? format_number(v.get<double>()) : ""; }
}  // namespace

std::string results_csv(const nlohmann::json& results) {
  std::string out = "metric,locality,value\n";
  if (results.contains("metrics"))
    for (auto it = results["metrics"].begin(); it != results["metrics"].end(); ++it) {
      if (!(it->is_number() || it->is_null()) || it.key().find("_undefined_reason") != std::string::npos) continue;
      out += fmt::format("{},,{}\n", it.key(), csv_value(*it));
    }
  if (results.contains("local"))
    for (const auto& e : results["local"]) {
      const std::string rho = format_number(e["locality"].get<double>());
      for (const char* key : {"local_mig", "local_modularity", "local_modularity_varying"})
        if (e.contains(key)) out += fmt::format("{},{},{}\n", key, rho, csv_value(e[key]));
    }
  return out;
}

std::string results_markdown(const nlohmann::json& r) {
  auto val = [](const nlohmann::json& v) { return v.is_number() ? fmt::format("{:.4f}", v.get<double>()) : "undefined"; };
  std::string md = "# axial eval\n\n";
  md += fmt::format("- model: `{}` ({}, sha256 `{}`)\n", r["model"]["path"].get<std::string>(),
                    r["model"]["type"].get<std::string>(), r["model"]["sha256"].get<std::string>().substr(0, 16));
  md += fmt::format("- data set: {}; protocol: {}; seed: {}\n", r["dataset"].get<std::string>(),
                    r["protocol"].get<std::string>(), r["seed"].dump());
  const auto& s = r["settings"];
  md += fmt::format("- global sample: {} train + {} test, {} bins; local: {} clusters × {} points, {} bins, cutoff {}\n",
                    s["num_train"].dump(), s["num_test"].dump(), s["bins"].dump(), s["clusters"].dump(),
                    s["cluster_size"].dump(), s["local_bins"].dump(), s["cutoff"].dump());
  md += fmt::format("- axial {} ({}), device {}\n\n", r["axial_version"].get<std::string>(),
                    r["git_commit"].get<std::string>(), s["device"].get<std::string>());
  md += "## Global metrics\n\n| metric | value |\n|---|---|\n";
  const auto& m = r["metrics"];
  for (auto it = m.begin(); it != m.end(); ++it) {
    if (!(it->is_number() || it->is_null()) || it.key().find("_undefined_reason") != std::string::npos) continue;
    if (it.key().find("_p10") != std::string::npos || it.key().find("_p90") != std::string::npos) continue;
    std::string v = val(*it);
    if (it->is_number_integer()) v = it->dump();
    if (m.contains(it.key() + "_undefined_reason"))
      v += " (" + m[it.key() + "_undefined_reason"].get<std::string>() + ")";
    md += fmt::format("| {} | {} |\n", it.key(), v);
  }
  if (!r["local"].empty()) {
    md += "\n## Local metrics\n\n| locality ρ | local MIG | local modularity | local modularity (varying factors) |\n"
          "|---|---|---|---|\n";
    for (const auto& e : r["local"])
      md += fmt::format("| {} | {} | {} | {} |\n", format_number(e["locality"].get<double>()), val(e["local_mig"]),
                        val(e["local_modularity"]), val(e["local_modularity_varying"]));
  }
  const auto& t = r["elapsed_s"];
  md += fmt::format("\n## Time\n\n| stage | seconds |\n|---|---|\n");
  for (auto it = t.begin(); it != t.end(); ++it) md += fmt::format("| {} | {:.1f} |\n", it.key(), it->get<double>());
  return md;
}

}  // namespace axial::reports
