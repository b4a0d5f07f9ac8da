#pragma once
// Sweep plans (`axial sweep`, `axial reproduce ... --plan-only`): a grid of training settings × seeds expanded into
// runs, each a `axial train` + `axial eval` pair with its own directory; and the Slurm job-array script that runs
// one array task per run. No LibTorch here (the runs are executed by src/cmd_sweep.cpp).
//
// Plan (TOML subset or JSON; the same keys):
//   name = "three-dots"          # optional (default: the plan file's stem)
//   out = "sweep-out"            # optional: output root, relative to the plan file (--out overrides)
//   [grid]                       # every combination, the last key varying fastest
//   dataset = ["three-dots"]     # train options (CLI names, '_' or '-'), scalar or array
//   gamma = [0, 0.1]
//   seed = "11-20"               # an array, a scalar or an inclusive range "A-B"
//   "eval.bins" = [10, 20]       # keys starting with "eval." are eval options
//   variants = [{"name": "beta_vae", "train": {"method": "beta_vae"}, "eval": {...}}, ...]
//                                # JSON plans only: each variant (outermost, in order) crossed with the grid; run
//                                # names start with the variant's name, values["variant"] holds it
//   [train]                      # fixed train options, e.g. steps = 300000
//   [eval]                       # fixed eval options, e.g. protocol = "paper"
//   [slurm]                      # partition, account, qos, time, gpus, cpus_per_task, mem, constraint,
//                                # max_parallel, setup = ["module load cuda"], extra = ["--exclusive"]
//   [report]                     # group_by = "gamma", reference = "three-dots", compare_locality = 0.1
// Layout under the output root: plan.json (the normalised plan), runs/<run name>/{train,eval,log.txt},
// report/ (axial report over runs/), and for --slurm: sweep.sbatch and slurm/ (the array tasks' logs).
// Booleans become flags (true → --key, false → omitted).
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace axial::pipelines {

using ordered_json = nlohmann::ordered_json;

// Parses the TOML subset documented in docs/reports.md: comments, [table] headers (one level), key = value with
// bare or quoted keys, basic "..." and literal '...' strings, integers, floats, booleans, and (multi-line) arrays of
// those. Anything else (inline tables, dates, [[arrays of tables]], nested arrays) → axial::Error naming
// `filename` and the line.
ordered_json parse_toml_subset(const std::string& text, const std::string& filename);

struct SweepRun {
  std::size_t index = 0;
  std::string name;                     // directory name under runs/
  ordered_json values;                  // this run's grid values (key → scalar)
  std::vector<std::string> train_args;  // arguments after `axial train` (a fresh run; --out included)
  std::vector<std::string> eval_args;   // arguments after `axial eval`
  std::filesystem::path dir, train_dir, eval_dir;
};

struct SweepPlan {
  std::string name;
  std::filesystem::path out;  // output root (absolute)
  ordered_json spec;          // the normalised plan (what plan.json holds), with "out" absolute
  std::vector<SweepRun> runs;
};

// Reads a plan file (.toml or .json by extension). `out_override` (if not empty) replaces the plan's "out".
SweepPlan load_plan(const std::filesystem::path& file, const std::filesystem::path& out_override = {});
// Expands a plan object; relative "out" is resolved against `base_dir`. Validates keys and values
// (axial::Error naming the key).
SweepPlan expand_plan(const ordered_json& spec, const std::filesystem::path& base_dir);

// The Slurm job-array script: #SBATCH lines from [slurm], --array=0-(N-1)[%max_parallel], and a body that runs
// `AXIAL sweep PLAN_JSON --run-index $SLURM_ARRAY_TASK_ID` (train + eval of that run, idempotent/resumable).
std::string slurm_script(const SweepPlan& plan, const std::string& axial_binary,
                         const std::filesystem::path& plan_json);

// Writes OUT/plan.json (and, with `slurm`, OUT/sweep.sbatch, executable, and OUT/slurm/). Returns the files.
std::vector<std::filesystem::path> write_plan_files(const SweepPlan& plan, bool slurm, const std::string& axial_binary);

// State of a run on disk: kDone = eval/results.json exists; kPartial = the train directory has a config.json
// (resume it); kNew otherwise.
enum class RunState { kNew, kPartial, kDone };
RunState run_state(const SweepRun& run);

// Shell-quotes one argument for a POSIX shell (only when needed).
std::string shell_quote(const std::string& s);

}  // namespace axial::pipelines
