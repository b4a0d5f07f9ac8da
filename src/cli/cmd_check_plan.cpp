// `axial check-plan PLAN [--out DIR]`: parses and validates the train and eval options of every run of a sweep plan
// with the same option tables and checks `axial train` / `axial eval` use, without training or writing anything.
// `axial sweep` runs it (as a child: the tables live beside LibTorch) before it writes plan files, a Slurm script or
// starts a run, so a bad option is one error at plan time instead of N failed cluster jobs.
#include <fmt/core.h>

#include <iostream>

#include "src/cli/cli_common.hpp"
#include "src/core/error.hpp"
#include "src/pipelines/sweep_plan.hpp"

namespace axial::cli {

int run_check_plan(const Args& args) {
  std::string plan_file, out;
  bool quiet = false;
  po::options_description desc("axial check-plan options");
  desc.add_options()("out", po::value(&out), "output root (overrides the plan's `out`), as for `axial sweep`")(
      "quiet", po::bool_switch(&quiet), "print nothing when the plan is valid");
  po::options_description hidden;
  hidden.add_options()("plan", po::value(&plan_file));
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description pos;
  pos.add("plan", 1);
  if (wants_help(args)) {
    print_help("axial check-plan PLAN.toml|PLAN.json [--out DIR]\n\nValidates every run's train and eval options.",
               desc);
    return 0;
  }
  parse(args, all, &pos);
  if (plan_file.empty()) throw Error("no plan given (usage: axial check-plan PLAN.toml|json)");
  const pipelines::SweepPlan plan = pipelines::load_plan(plan_file, out);
  for (const auto& run : plan.runs) {
    try {
      check_train_args(run.train_args);
    } catch (const Error& e) {
      throw Error(fmt::format("plan '{}', run {} ({}): train: {}", plan_file, run.index, run.name, e.what()));
    }
    try {
      check_eval_args(run.eval_args);
    } catch (const Error& e) {
      throw Error(fmt::format("plan '{}', run {} ({}): eval: {}", plan_file, run.index, run.name, e.what()));
    }
  }
  if (!quiet) std::cout << fmt::format("plan '{}': {} runs, every train and eval option valid\n", plan_file, plan.runs.size());
  return 0;
}

}  // namespace axial::cli
