// `axial reproduce three-dots --preset quick|paper`: the paper's three-dots experiment end to end — train β-VAE
// (γ = 0) and JL1-VAE (γ = 0.1) per seed, evaluate each on the paper protocol, write the report with the paper's
// published values beside ours, and the model figures (issue 6; drawn by a child `axial-torch figures`). It is a
// sweep (src/pipelines/sweep_plan.hpp) with a fixed plan, so it is idempotent and resumable the same way, and --slurm writes the same job-array script.
#include <fmt/core.h>
#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <sstream>

#include "src/core/error.hpp"
#include "reports/aggregate.hpp"
#include "reports/report_writer.hpp"
#include "src/pipelines/sweep_plan.hpp"
#include "src/cli/cli_common.hpp"
#include "src/cli/model_figures_child.hpp"
#include "src/core/process.hpp"
#include "src/pipelines/sweep_runner.hpp"

namespace axial::cli {

namespace {

// The quick preset: sized to finish in under 15 minutes end to end on a 2-core CPU (measured in docs/reports.md).
struct Preset {
  std::string seeds;
  std::int64_t steps, anneal_steps, train_cache, batch_size, log_every, checkpoint_every;
  std::string eval_protocol;
  int jobs;
};

Preset preset_named(const std::string& name) {
  if (name == "paper") return {"11-20", 300000, 100000, 500000, 64, 100, 1000, "paper", 1};
  if (name == "quick") return {"11-12", 300, 100, 2000, 16, 25, 100, "quick", 2};
  throw Error(fmt::format("--preset '{}': unknown preset (valid: quick, paper)", name));
}

std::vector<double> parse_gammas(const std::string& s) {
  std::vector<double> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');) {
    std::size_t used = 0;
    double v = -1;
    try {
      v = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != item.size() || !(v >= 0) || !std::isfinite(v))
      throw Error(fmt::format("--gammas: '{}' is not a number >= 0", item));
    out.push_back(v);
  }
  if (out.empty()) throw Error("--gammas: empty list");
  return out;
}

}  // namespace

int run_reproduce(const Args& args) {
  std::string what, preset_name = "quick", seeds, gammas = "0,0.1", out;
  double beta = 4.0;
  int jobs = 0, threads = 0;
  bool plan_only = false, slurm = false, no_figures = false, quiet = false;
  po::options_description desc("axial reproduce options");
  // clang-format off
  desc.add_options()
    ("preset", po::value(&preset_name)->default_value(preset_name),
     "quick: 2 seeds, 300 steps at batch 16, the quick eval protocol — shows the pipeline in minutes on a CPU, not "
     "the paper's numbers; paper: the paper's settings (300,000 steps, annealing 100,000, cache 500,000, seeds "
     "11-20, paper eval protocol) — meant for a GPU")
    ("seeds", po::value(&seeds), "seeds, a range A-B or a comma list (default: the preset's)")
    ("gammas", po::value(&gammas)->default_value(gammas), "Jacobian L1 weights (0 = beta-VAE)")
    ("beta", po::value(&beta)->default_value(beta), "KL weight beta")
    ("jobs", po::value(&jobs)->default_value(0), "runs in parallel (0 = the preset's: quick 2, paper 1)")
    ("threads", po::value(&threads)->default_value(0), "threads per run (0 = hardware threads / jobs)")
    ("out", po::value(&out), "output root (default: reproduce-three-dots-<preset>)")
    ("plan-only", po::bool_switch(&plan_only), "write OUT/plan.json and list the runs; run nothing")
    ("slurm", po::bool_switch(&slurm), "write OUT/plan.json and the Slurm job-array script OUT/sweep.sbatch")
    ("no-figures", po::bool_switch(&no_figures), "skip the figures")
    ("quiet", po::bool_switch(&quiet), "no progress on stderr");
  // clang-format on
  po::options_description hidden;
  hidden.add_options()("what", po::value(&what));
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description pos;
  pos.add("what", 1);
  const std::string usage =
      "axial reproduce three-dots --preset quick|paper [--seeds 11-20] [--gammas 0,0.1] [--beta 4] [--jobs N] "
      "[--out DIR] [--plan-only] [--slurm]\n\n"
      "Trains beta-VAE and JL1-VAE per seed, evaluates them, and writes OUT/report/report.md with the paper's\n"
      "published values beside ours. Reruns skip finished runs and resume interrupted ones. See docs/reports.md.";
  if (wants_help(args)) {
    print_help(usage, desc);
    return 0;
  }
  parse(args, all, &pos);
  if (what.empty()) throw Error("what to reproduce? (valid: three-dots)");
  if (what != "three-dots") throw Error(fmt::format("unknown experiment '{}' (valid: three-dots)", what));
  Preset preset = preset_named(preset_name);
  if (!(beta >= 0) || !std::isfinite(beta)) throw Error(fmt::format("--beta {}: must be >= 0", beta));
  if (jobs < 0) throw Error(fmt::format("--jobs {}: must be >= 0", jobs));
  if (threads < 0) throw Error(fmt::format("--threads {}: must be >= 0", threads));
  if (seeds.empty()) seeds = preset.seeds;
  if (out.empty()) out = "reproduce-three-dots-" + preset_name;

  pipelines::ordered_json seed_values;
  if (seeds.find(',') != std::string::npos) {
    seed_values = pipelines::ordered_json::array();
    std::stringstream ss(seeds);
    for (std::string item; std::getline(ss, item, ',');) {
      std::size_t used = 0;
      long long v = -1;
      try {
        v = std::stoll(item, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != item.size() || v < 0) throw Error(fmt::format("--seeds: '{}' is not a seed", item));
      seed_values.push_back(v);
    }
  } else if (seeds.find('-', 1) != std::string::npos) {
    seed_values = seeds;  // a range, expanded (and checked) by the plan
  } else {
    std::size_t used = 0;
    long long v = -1;
    try {
      v = std::stoll(seeds, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != seeds.size() || v < 0) throw Error(fmt::format("--seeds: '{}' is not a seed, range or list", seeds));
    seed_values = pipelines::ordered_json::array({v});
  }
  pipelines::ordered_json gamma_values = pipelines::ordered_json::array();
  for (double g : parse_gammas(gammas)) gamma_values.push_back(g);

  pipelines::ordered_json spec = {
      {"name", "three-dots-" + preset_name},
      {"out", out},
      {"grid", {{"gamma", gamma_values}, {"seed", seed_values}}},
      {"train",
       {{"dataset", "three-dots"},
        {"beta", beta},
        {"penalty", "l1"},
        {"steps", preset.steps},
        {"anneal_steps", preset.anneal_steps},
        {"train_cache", preset.train_cache},
        {"batch_size", preset.batch_size},
        {"log_every", preset.log_every},
        {"checkpoint_every", preset.checkpoint_every}}},
      {"eval", {{"protocol", preset.eval_protocol}}},
      {"slurm", {{"time", preset_name == "paper" ? "48:00:00" : "01:00:00"}, {"gpus", 1}, {"cpus_per_task", 8}}},
      {"report", {{"reference", "three-dots"}, {"compare_locality", 0.1}}}};
  pipelines::SweepPlan plan = pipelines::expand_plan(spec, std::filesystem::current_path());
  auto files = pipelines::write_plan_files(plan, slurm, self_binary().string());
  if (plan_only || slurm) {
    for (const auto& r : plan.runs) std::cout << r.index << "\t" << r.name << "\n";
    for (const auto& f : files) std::cout << "wrote " << f.string() << "\n";
    if (slurm)
      std::cout << fmt::format("submit with: sbatch {}  ({} array tasks); then: axial report {} --reference three-dots "
                               "--out {}\n",
                               (plan.out / "sweep.sbatch").string(), plan.runs.size(), (plan.out / "runs").string(),
                               (plan.out / "report").string());
    return 0;
  }

  pipelines::LocalRunOptions lo;
  lo.jobs = jobs > 0 ? jobs : preset.jobs;
  lo.threads = threads;
  lo.quiet = quiet;
  int failed = pipelines::run_all(plan, lo);

  reports::ReportOptions options;
  options.title = fmt::format("Rhodes & Lee (NeurIPS 2021) three-dots reproduction — preset '{}'", preset_name);
  if (preset_name == "quick")
    options.note = fmt::format(
        "preset 'quick' ({} steps at batch {}, {} seeds, the reduced 'quick' eval protocol) shows the pipeline and "
        "the report, NOT the paper's numbers: the models are far from converged. Run `--preset paper` (300,000 "
        "steps, seeds 11-20; meant for a GPU) to compare with the reference columns.",
        preset.steps, preset.batch_size, plan.spec["grid"]["seed"].size());
  options.figures = !no_figures;
  options.provenance = {{"plan", plan.spec}, {"preset", preset_name}};
  std::string cmd = "axial reproduce";
  for (const auto& a : args) cmd += " " + a;
  options.command_line = cmd;
  if (!no_figures) {
    // Fig. 2 and traversals for the first finished seed of each γ (drawn by child `axial-torch figures`).
    std::vector<ModelFigureJob> jobs;
    for (const auto& g : plan.spec["grid"]["gamma"]) {
      for (const auto& run : plan.runs) {
        if (run.values["gamma"] != g || pipelines::run_state(run) != pipelines::RunState::kDone) continue;
        jobs.push_back({run.train_dir, run.name + "_",
                        fmt::format("{} (gamma={}, seed {})", g.get<double>() == 0 ? "beta-VAE" : "JL1-VAE",
                                    reports::format_locality(g.get<double>()), run.values["seed"].dump())});
        break;
      }
    }
    options.extra_figures = draw_model_figures_in_children(jobs, plan.out / "report", options.figure_style,
                                                           std::max(1, threads), "the model figures of `axial reproduce`");
  }
  pipelines::report_for_plan(plan, options, quiet);
  std::cout << (plan.out / "report" / "report.md").string() << "\n";
  if (failed > 0) {
    std::cerr << fmt::format("axial: error: {} of {} runs failed (see runs/*/log.txt)\n", failed, plan.runs.size());
    return 1;
  }
  return 0;
}

}  // namespace axial::cli
