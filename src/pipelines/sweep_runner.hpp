#pragma once
// Runs the runs of a sweep plan (reports/sweep_plan.hpp): locally with N parallel jobs, or one run in this process
// (a Slurm array task). Shared by `axial sweep` and `axial reproduce`. Never calls the CLI: every step is a child
// process.
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "reports/report_writer.hpp"
#include "src/pipelines/sweep_plan.hpp"

namespace axial::pipelines {

struct LocalRunOptions {
  int jobs = 1;      // runs in parallel, each a child `axial sweep PLAN --run-index i` process
  int threads = 0;   // LibTorch/metric threads per run; 0 = hardware threads / jobs
  bool quiet = false;
  // Launch order (run indices; the rest follow in index order): e.g. the slow runs first, so that parallel jobs
  // finish together. Only the order changes, never a run's settings.
  std::vector<std::size_t> first;
};

// The ETA of a sweep: each unfinished run is expected to take the mean duration of the finished runs of its kind
// (`kind`: the run's grid values without the seed), else the mean of all finished runs; a running run is credited
// with the time it has already run; the sum is shared by `jobs` parallel jobs. NaN before any run finished.
struct EtaInput {
  std::vector<std::pair<std::string, double>> finished;  // kind, seconds
  std::vector<std::pair<std::string, double>> running;   // kind, seconds so far
  std::vector<std::string> waiting;                      // kinds
  int jobs = 1;
};
double sweep_eta_seconds(const EtaInput& in);
// The kind of a run for the ETA: its grid values without "seed".
std::string run_kind(const SweepRun& run);

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
