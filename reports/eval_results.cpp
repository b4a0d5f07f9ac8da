#include "reports/eval_results.hpp"

#include <fmt/core.h>

#include "metrics/score_sheet.hpp"
#include "src/core/error.hpp"

namespace axial::reports {

using ojson = nlohmann::ordered_json;

ojson EvalResults::to_json() const {
  ojson r;
  r["axial_version"] = axial_version;
  r["git_commit"] = git_commit;
  r["kind"] = "eval";
  r["model"] = {{"path", model.path},         {"encoder", model.encoder},       {"sha256", model.sha256},
                {"type", model.type},         {"latent_dim", model.latent_dim}, {"code_dtype", model.code_dtype}};
  if (!model.note.empty()) r["model"]["note"] = model.note;
  r["dataset"] = dataset;
  r["dataset_spec"] = dataset_spec;
  if (!dataset_source.empty()) r["dataset_source"] = dataset_source;
  if (!dataset_warning.empty()) r["dataset_warning"] = dataset_warning;
  r["protocol"] = protocol;
  r["seed"] = seed;
  r["settings"] = settings;
  r["train_config"] = train_config.is_object() ? train_config : ojson(nullptr);
  r["metrics"] = metrics;
  r["local"] = local;
  r["elapsed_s"] = elapsed_s;
  r["images_encoded"] = images_encoded;
  if (dump_samples) r["dump_samples"] = *dump_samples;
  return r;
}

namespace {

std::string text_of(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.contains(key)) return "";
  if (!j[key].is_string()) throw Error(fmt::format("'{}': \"{}\" is not a string", where, key));
  return j[key].get<std::string>();
}

}  // namespace

EvalResults EvalResults::from_json(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw Error(fmt::format("'{}': expected a JSON object", where));
  if (!j.contains("metrics") && !j.contains("local"))
    throw Error(fmt::format("'{}': has neither \"metrics\" nor \"local\" (is it an axial eval results.json?)", where));
  EvalResults r;
  r.axial_version = text_of(j, "axial_version", where);
  r.git_commit = text_of(j, "git_commit", where);
  if (j.contains("model") && j["model"].is_object()) {
    const auto& m = j["model"];
    r.model.path = text_of(m, "path", where);
    r.model.encoder = text_of(m, "encoder", where);
    r.model.sha256 = text_of(m, "sha256", where);
    r.model.type = text_of(m, "type", where);
    r.model.code_dtype = text_of(m, "code_dtype", where);
    r.model.note = text_of(m, "note", where);
    if (m.contains("latent_dim") && m["latent_dim"].is_number_integer()) r.model.latent_dim = m["latent_dim"].get<std::int64_t>();
  }
  r.dataset = text_of(j, "dataset", where);
  r.dataset_spec = text_of(j, "dataset_spec", where);
  r.dataset_source = text_of(j, "dataset_source", where);
  r.dataset_warning = text_of(j, "dataset_warning", where);
  r.protocol = text_of(j, "protocol", where);
  if (j.contains("seed") && j["seed"].is_number_unsigned()) r.seed = j["seed"].get<std::uint64_t>();
  if (j.contains("settings")) r.settings = ojson(j["settings"]);
  if (j.contains("train_config") && j["train_config"].is_object()) r.train_config = ojson(j["train_config"]);
  if (j.contains("metrics")) {
    if (!j["metrics"].is_object()) throw Error(fmt::format("'{}': \"metrics\" is not an object", where));
    r.metrics = ojson(j["metrics"]);
  }
  if (j.contains("local")) r.local = ojson(j["local"]);
  if (j.contains("elapsed_s")) r.elapsed_s = ojson(j["elapsed_s"]);
  if (j.contains("images_encoded") && j["images_encoded"].is_number_integer())
    r.images_encoded = j["images_encoded"].get<std::int64_t>();
  if (j.contains("dump_samples") && j["dump_samples"].is_string()) r.dump_samples = j["dump_samples"].get<std::string>();
  return r;
}

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
