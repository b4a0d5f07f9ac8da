// `axial sweep PLAN.toml|json`: expand a grid of runs; run them locally (--jobs N) or write a Slurm job-array
// script (--slurm) — issue 6. Plan expansion and the script are in src/pipelines/sweep_plan.cpp, the
// runner (child `axial-torch train|eval` processes) in src/pipelines/sweep_runner.cpp.
#include <fmt/core.h>

#include <iostream>

#include "src/core/error.hpp"
#include "reports/aggregate.hpp"
#include "reports/report_writer.hpp"
#include "src/pipelines/sweep_plan.hpp"
#include "src/cli/cli_common.hpp"
#include "src/core/process.hpp"
#include "src/pipelines/sweep_runner.hpp"

namespace axial::cli {

int run_sweep(const Args& args) {
  std::string plan_file, out;
  int jobs = 1, threads = 0;
  long long run_index = -1;
  bool slurm = false, plan_only = false, dry_run = false, no_report = false, quiet = false;
  po::options_description desc("axial sweep options");
  // clang-format off
  desc.add_options()
    ("out", po::value(&out), "output root (overrides the plan's `out`)")
    ("jobs", po::value(&jobs)->default_value(jobs), "runs in parallel (local execution)")
    ("threads", po::value(&threads)->default_value(threads),
     "LibTorch/metric threads per run (0 = hardware threads / jobs)")
    ("slurm", po::bool_switch(&slurm), "write OUT/plan.json and the job-array script OUT/sweep.sbatch; run nothing (implies --plan-only)")
    ("plan-only", po::bool_switch(&plan_only), "write OUT/plan.json and list the runs; run nothing")
    ("run-index", po::value(&run_index), "run only run I (0-based) in this process: what each Slurm array task does")
    ("dry-run", po::bool_switch(&dry_run), "with --run-index: print the train/eval commands instead of running them")
    ("no-report", po::bool_switch(&no_report), "do not write OUT/report after the local runs")
    ("quiet", po::bool_switch(&quiet), "no progress on stderr");
  // clang-format on
  po::options_description hidden;
  hidden.add_options()("plan", po::value(&plan_file));
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description pos;
  pos.add("plan", 1);
  const std::string usage =
      "axial sweep PLAN.toml|PLAN.json [--out DIR] [--jobs N] [--threads T] [--slurm | --plan-only | --run-index I "
      "[--dry-run]] [--no-report]\n\n"
      "Expands the plan's [grid] (every combination) into train+eval runs under OUT/runs/<name>/ and runs them\n"
      "(finished runs are skipped, interrupted ones resumed), then writes OUT/report/. --slurm writes a job-array\n"
      "script with one task per run instead. Plan format: docs/reports.md.";
  if (wants_help(args)) {
    print_help(usage, desc);
    return 0;
  }
  auto vm = parse(args, all, &pos);
  if (plan_file.empty()) throw Error("no plan given (usage: axial sweep PLAN.toml|json)");
  if (vm.count("run-index") && run_index < 0)
    throw Error(fmt::format("--run-index {}: must be at least 0 (a run of the plan, 0-based)", run_index));
  if (jobs < 1) throw Error(fmt::format("--jobs {}: must be at least 1", jobs));
  if (threads < 0) throw Error(fmt::format("--threads {}: must be at least 0", threads));
  if (dry_run && run_index < 0) throw Error("--dry-run needs --run-index");
  if ((slurm || plan_only) && run_index >= 0) throw Error("--run-index cannot be combined with --slurm or --plan-only");
  pipelines::SweepPlan plan = pipelines::load_plan(plan_file, out);
  if (run_index >= 0) return pipelines::run_one(plan, std::size_t(run_index), threads, dry_run, std::cout);
  {
    // Every run's train and eval options are checked now, with the tables `axial train`/`eval` use (a child
    // `axial-torch check-plan`), before any plan file, Slurm script or run exists.
    std::vector<std::string> check = {"check-plan", plan_file, "--quiet"};
    if (!out.empty()) check.insert(check.end(), {"--out", out});
    const int rc = spawn_and_wait(sibling_binary(kTorchExecutable, "checking a sweep plan"), check);
    if (rc != 0) return rc;  // the child printed its one error line
  }
  auto files = pipelines::write_plan_files(plan, slurm, self_binary().string());
  if (slurm || plan_only) {
    for (const auto& r : plan.runs) std::cout << r.index << "\t" << r.name << "\n";
    for (const auto& f : files) std::cout << "wrote " << f.string() << "\n";
    if (slurm)
      std::cout << fmt::format("submit with: sbatch {}  ({} array tasks)\n", (plan.out / "sweep.sbatch").string(),
                               plan.runs.size());
    return 0;
  }
  pipelines::LocalRunOptions lo;
  lo.jobs = jobs;
  lo.threads = threads;
  lo.quiet = quiet;
  int failed = pipelines::run_all(plan, lo);
  if (!no_report) {
    reports::ReportOptions options;
    options.title = fmt::format("axial sweep '{}'", plan.name);
    options.provenance = {{"plan", plan.spec}};
    pipelines::report_for_plan(plan, options, quiet);
  }
  if (failed > 0) {
    std::cerr << fmt::format("axial: error: {} of {} runs failed (see their log.txt)\n", failed, plan.runs.size());
    return 1;
  }
  return 0;
}

}  // namespace axial::cli
