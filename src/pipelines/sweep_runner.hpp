#pragma once
// Runs the runs of a sweep plan (reports/sweep_plan.hpp): locally with N parallel jobs, or one run in this process
// (a Slurm array task). Shared by `axial sweep` and `axial reproduce`. Never calls the CLI: every step is a child
// process.
#include <ostream>
#include <string>

#include "reports/report_writer.hpp"
#include "src/pipelines/sweep_plan.hpp"

namespace axial::pipelines {

struct LocalRunOptions {
  int jobs = 1;      // runs in parallel, each a child `axial sweep PLAN --run-index i` process
  int threads = 0;   // LibTorch/metric threads per run; 0 = hardware threads / jobs
  bool quiet = false;
};

// Train (fresh, or --resume when interrupted) and evaluate run `index`, each as a child `axial-torch train|eval`
// process (found next to the running binary); skips a finished run.
// Returns 0 on success. `dry_run` prints the two command lines instead.
int run_one(const SweepPlan& plan, std::size_t index, int threads, bool dry_run, std::ostream& log);

// Runs every unfinished run of the plan (plan.json must already be written at plan.out/plan.json). Each child's
// output goes to runs/<name>/log.txt; progress (done/total, rate, ETA) goes to stderr. Returns the number of failed
// runs.
int run_all(const SweepPlan& plan, const LocalRunOptions& options);

// Writes OUT/report from OUT/runs with the plan's [report] settings (used by sweep and reproduce).
int report_for_plan(const SweepPlan& plan, reports::ReportOptions options, bool quiet);

}  // namespace axial::pipelines
