#include "src/pipelines/eval_repeats.hpp"

#include <fmt/core.h>

#include "axial/version.hpp"
#include "src/core/atomic_output.hpp"
#include "src/core/error.hpp"

namespace axial::pipelines {

namespace fs = std::filesystem;
using nlohmann::json;

json repeat_values(const json& results) {
  auto scalars = [](const json& o) {
    json out = json::object();
    if (!o.is_object()) return out;
    for (auto& [k, v] : o.items())
      if ((v.is_number() && !v.is_boolean()) || v.is_null()) out[k] = v;
    return out;
  };
  json r = {{"metrics", scalars(results.value("metrics", json::object()))}, {"local", json::array()}};
  const json& local = results.value("local", json::array());
  if (local.is_array())
    for (const auto& e : local) r["local"].push_back(scalars(e));
  return r;
}

EvalOutcome run_eval_with_repeats(const EvalSettings& settings, const ModelRef& model, const ModelLoader& load,
                                  int eval_seeds, std::ostream& progress) {
  return run_eval_repeats_with(settings, eval_seeds, progress,
                               [&](const EvalSettings& s) { return run_eval(s, model, load, progress); });
}

EvalOutcome run_eval_repeats_with(const EvalSettings& settings, int eval_seeds, std::ostream& progress,
                                  const std::function<EvalOutcome(const EvalSettings&)>& run_once) {
  if (eval_seeds < 1) throw Error(fmt::format("--eval-seeds {}: must be >= 1", eval_seeds));
  const fs::path repeats_path = settings.out / kEvalRepeatsFile;
  EvalOutcome first = run_once(settings);
  std::error_code ec;
  if (eval_seeds == 1) {
    fs::remove(repeats_path, ec);  // from an earlier run with repeats: it would not match these results
    return first;
  }
  json file = {{"kind", "eval_repeats"},
               {"axial_version", axial::kVersion},
               {"git_commit", axial::kGitCommit},
               {"model_sha256", first.results.value("model", json::object()).value("sha256", json())},
               {"seeds", json::array()},
               {"runs", json::array()}};
  auto add = [&](std::uint64_t seed, const json& results) {
    json entry = repeat_values(results);
    entry["seed"] = seed;
    file["seeds"].push_back(seed);
    file["runs"].push_back(entry);
  };
  add(settings.seed, first.results);
  for (int i = 1; i < eval_seeds; ++i) {
    EvalSettings s = settings;
    s.seed = settings.seed + std::uint64_t(i);
    s.out = settings.out / fmt::format(".eval_seed_{}.tmp", s.seed);
    s.resume = false;
    s.dump_samples.reset();
    fs::remove_all(s.out, ec);
    if (!settings.quiet) progress << fmt::format("eval: repeat {}/{} with seed {}\n", i + 1, eval_seeds, s.seed);
    try {
      EvalOutcome o = run_once(s);
      add(s.seed, o.results);
    } catch (...) {
      fs::remove_all(s.out, ec);
      throw;
    }
    fs::remove_all(s.out, ec);
  }
  write_file_atomically(repeats_path, file.dump(2) + "\n");
  if (!settings.quiet) progress << fmt::format("eval: {} seeds -> {}\n", eval_seeds, repeats_path.string());
  return first;
}

}  // namespace axial::pipelines
