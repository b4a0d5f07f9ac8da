#pragma once
// `axial eval --eval-seeds k`: the protocol's sampling (global sample, train/test split, cluster centres and
// members, anchors) repeated with k seeds on the same model, so that a report can tell evaluation noise (within one
// model) from training noise (between seeds). A thin loop over run_eval: the first seed (settings.seed) writes
// OUT/results.json as without repeats; seeds settings.seed + 1 … + k − 1 are evaluated in temporary directories under
// OUT (removed afterwards), and every seed's scalar values go to OUT/eval_repeats.json:
//   {kind: "eval_repeats", axial_version, git_commit, model_sha256, seeds: [s0, …],
//    runs: [{seed, metrics: {name: number|null}, local: [{locality, name: number|null, …}]}, …]}
// (the first entry is results.json's own values). results.json itself is unchanged.
#include <filesystem>
#include <functional>
#include <ostream>

#include <nlohmann/json.hpp>

#include "src/pipelines/eval_protocol.hpp"

namespace axial::pipelines {

inline constexpr const char* kEvalRepeatsFile = "eval_repeats.json";

// The scalar values of one results.json object: {metrics: {…}, local: [{locality, …}]} (numbers and nulls only;
// per-factor/per-cluster arrays and notes left out).
nlohmann::json repeat_values(const nlohmann::json& results);

// Runs the protocol `eval_seeds` times (≥ 1; 1 = run_eval alone, and a stale OUT/eval_repeats.json is removed).
// Returns the first seed's outcome. Throws axial::Error for eval_seeds < 1 and whatever run_eval throws.
EvalOutcome run_eval_with_repeats(const EvalSettings& settings, const ModelRef& model, const ModelLoader& load,
                                  int eval_seeds, std::ostream& progress);

// The loop itself, over any single-seed evaluation (run_eval above; tests pass a stand-in). `run_once` gets the
// settings of one seed (seed and out changed) and returns its outcome.
EvalOutcome run_eval_repeats_with(const EvalSettings& settings, int eval_seeds, std::ostream& progress,
                                  const std::function<EvalOutcome(const EvalSettings&)>& run_once);

}  // namespace axial::pipelines
