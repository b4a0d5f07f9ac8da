#pragma once
// The `axial eval` results.json schema as one type: src/pipelines/eval_protocol.cpp fills an EvalResults and writes
// to_json(); reports/aggregate.cpp reads every results.json back with from_json() (which says what is wrong with a
// file that is not one). The views results.csv ("metric,locality,value") and results.md are pure functions of the
// JSON object.
//
// Layout (keys in this order):
//   axial_version, git_commit, kind = "eval",
//   model {path, encoder, sha256, type, latent_dim, code_dtype[, note]},
//   dataset, dataset_spec, dataset_source[, dataset_warning], protocol, seed,
//   settings {num_train, num_test, bins, local_bins, clusters, cluster_size, localities, cutoff, deny, metrics,
//             anchors, batch_size, device, threads, mig_modularity_sample},
//   train_config (the training directory's config.json, or null),
//   metrics {key → number | null | array; "<key>_undefined_reason"/"<key>_note" strings},
//   local [{locality, local_mig, …, centroids}], elapsed_s {stage → seconds}, images_encoded[, dump_samples]
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace axial::reports {

struct EvalModelInfo {
  std::string path;        // what --model named
  std::string encoder;     // the encoder file
  std::string sha256;      // of the encoder file ("" for an in-memory representation)
  std::string type;        // "axial-vae" | "torchscript" | …
  std::int64_t latent_dim = 0;
  std::string code_dtype;  // "float32" | "float64"
  std::string note;        // how the encoder's output was interpreted ("" = plain tensor)
};

struct EvalResults {
  std::string axial_version, git_commit;
  EvalModelInfo model;
  std::string dataset;       // the data set's name
  std::string dataset_spec;  // as given (--dataset)
  std::string dataset_source;   // "--dataset" | "training config" | "default" ("" in files before it was written)
  std::string dataset_warning;  // e.g. the eval data set differs from the training data set ("" = none)
  std::string protocol;
  std::uint64_t seed = 0;
  nlohmann::ordered_json settings = nlohmann::ordered_json::object();
  nlohmann::ordered_json train_config;  // object or null
  nlohmann::ordered_json metrics = nlohmann::ordered_json::object();
  nlohmann::ordered_json local = nlohmann::ordered_json::array();  // one object per locality, "locality" first
  nlohmann::ordered_json elapsed_s = nlohmann::ordered_json::object();
  std::int64_t images_encoded = 0;
  std::optional<std::string> dump_samples;

  nlohmann::ordered_json to_json() const;
  // Reads a results.json object; throws axial::Error naming `where` and the key when it is not one.
  static EvalResults from_json(const nlohmann::json& j, const std::string& where);
};

std::string results_csv(const nlohmann::json& results);
std::string results_markdown(const nlohmann::json& results);

}  // namespace axial::reports
