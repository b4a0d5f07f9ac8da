#pragma once
// Runs the runs of a sweep plan (reports/sweep_plan.hpp): locally with N parallel jobs, or one run in this process
// (a Slurm array task). Shared by `axial sweep` and `axial reproduce`.
#include <ostream>
#include <string>

#include "reports/sweep_plan.hpp"

namespace axial::cli {

struct LocalRunOptions {
  int jobs = 1;      // runs in parallel, each a child `axial sweep PLAN --run-index i` process
  int threads = 0;   // LibTorch/metric threads per run; 0 = hardware threads / jobs
  bool quiet = false;
};

// The path of the running axial binary (/proc/self/exe), used to spawn children and in Slurm scripts.
std::string self_binary();

// Train (fresh, or --resume when interrupted) and evaluate run `index` in this process; skips a finished run.
// Returns 0 on success. `dry_run` prints the two command lines instead.
int run_one(const reports::SweepPlan& plan, std::size_t index, int threads, bool dry_run, std::ostream& log);

// Runs every unfinished run of the plan (plan.json must already be written at plan.out/plan.json). Each child's
// output goes to runs/<name>/log.txt; progress (done/total, rate, ETA) goes to stderr. Returns the number of failed
// runs.
int run_all(const reports::SweepPlan& plan, const LocalRunOptions& options);

}  // namespace axial::cli
