#include "src/pipelines/sweep_runner.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <thread>

#include "src/core/error.hpp"
#include "reports/aggregate.hpp"
#include "src/core/process.hpp"
#include "src/core/progress.hpp"

extern char** environ;

namespace axial::pipelines {

namespace fs = std::filesystem;


namespace {

std::string join_command(const std::string& head, const std::vector<std::string>& args) {
  std::string s = head;
  for (const auto& a : args) s += " " + shell_quote(a);
  return s;
}

int default_threads(int jobs) {
  unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  return std::max(1, int(hw) / std::max(1, jobs));
}

std::string tail_of(const fs::path& log, std::size_t lines) {
  std::ifstream in(log);
  std::vector<std::string> all;
  for (std::string l; std::getline(in, l);) {
    // Progress lines overwrite themselves with '\r': keep the last state.
    auto cr = l.rfind('\r');
    all.push_back(cr == std::string::npos ? l : l.substr(cr + 1));
  }
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) out += "    " + all[i] + "\n";
  return out;
}


}  // namespace

int run_one(const SweepPlan& plan, std::size_t index, int threads, bool dry_run, std::ostream& log) {
  if (index >= plan.runs.size())
    throw Error(fmt::format("--run-index {}: the plan has {} runs (0..{})", index, plan.runs.size(),
                            plan.runs.size() - 1));
  const SweepRun& run = plan.runs[index];
  if (threads <= 0) threads = default_threads(1);
  RunState state = run_state(run);
  std::vector<std::string> train_args;
  if (state == RunState::kPartial) {
    train_args = {"--resume", run.train_dir.string(), "--threads", std::to_string(threads)};
  } else {
    train_args = run.train_args;
    train_args.push_back("--threads");
    train_args.push_back(std::to_string(threads));
  }
  std::vector<std::string> eval_args = run.eval_args;
  eval_args.push_back("--threads");
  eval_args.push_back(std::to_string(threads));
  if (dry_run) {
    log << fmt::format("# run {} of {}: {} ({})\n", index, plan.runs.size(), run.name,
                       state == RunState::kDone ? "done" : state == RunState::kPartial ? "interrupted" : "new");
    log << join_command("axial train", train_args) << "\n" << join_command("axial eval", eval_args) << "\n";
    return 0;
  }
  if (state == RunState::kDone) {
    log << fmt::format("run {} ({}): finished already ({} exists), skipped\n", index, run.name,
                       (run.eval_dir / "results.json").string());
    return 0;
  }
  std::error_code ec;
  fs::create_directories(run.dir, ec);
  if (ec) throw Error(fmt::format("cannot create '{}': {}", run.dir.string(), ec.message()));
  log << fmt::format("run {} ({}): {}\n", index, run.name, join_command("axial train", train_args)) << std::flush;
  const fs::path torch = sibling_binary("axial-torch", "training a sweep run");
  std::vector<std::string> train_argv = {"train"}, eval_argv = {"eval"};
  train_argv.insert(train_argv.end(), train_args.begin(), train_args.end());
  eval_argv.insert(eval_argv.end(), eval_args.begin(), eval_args.end());
  int rc = spawn_and_wait(torch, train_argv);
  if (rc != 0) return rc;
  // An interrupted eval leaves no results.json (written atomically); start it afresh.
  if (fs::exists(run.eval_dir, ec) && !fs::exists(run.eval_dir / "results.json", ec)) fs::remove_all(run.eval_dir, ec);
  log << fmt::format("run {} ({}): {}\n", index, run.name, join_command("axial eval", eval_args)) << std::flush;
  return spawn_and_wait(torch, eval_argv);
}

std::string run_kind(const SweepRun& run) {
  ordered_json v = run.values;
  if (v.is_object()) v.erase("seed");
  return v.dump();
}

double sweep_eta_seconds(const EtaInput& in) {
  if (in.finished.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::map<std::string, std::pair<double, int>> by_kind;
  double all = 0;
  for (const auto& [kind, s] : in.finished) {
    by_kind[kind].first += s;
    ++by_kind[kind].second;
    all += s;
  }
  const double mean_all = all / double(in.finished.size());
  auto expected = [&](const std::string& kind) {
    auto it = by_kind.find(kind);
    return it == by_kind.end() ? mean_all : it->second.first / it->second.second;
  };
  double left = 0;
  for (const auto& kind : in.waiting) left += expected(kind);
  for (const auto& [kind, so_far] : in.running) left += std::max(0.0, expected(kind) - so_far);
  return left / double(std::max(1, in.jobs));
}

int run_all(const SweepPlan& plan, const LocalRunOptions& options) {
  const int jobs = std::max(1, options.jobs);
  const int threads = options.threads > 0 ? options.threads : default_threads(jobs);
  const std::string self = self_binary().string();
  const fs::path plan_json = plan.out / "plan.json";
  std::vector<std::size_t> todo;
  std::size_t skipped = 0;
  // Launch order: options.first (each run once), then the others in index order.
  std::vector<std::size_t> order;
  std::vector<bool> listed(plan.runs.size(), false);
  for (auto i : options.first)
    if (i < listed.size() && !listed[i]) listed[i] = true, order.push_back(i);
  for (const auto& r : plan.runs)
    if (!listed[r.index]) order.push_back(r.index);
  for (auto i : order) {
    if (run_state(plan.runs[i]) == RunState::kDone)
      ++skipped;
    else
      todo.push_back(i);
  }
  std::vector<std::pair<std::string, double>> finished_kinds;
  if (!options.quiet)
    std::cerr << fmt::format("sweep '{}': {} runs, {} finished already, {} to run ({} at a time, {} thread{} each)\n",
                             plan.name, plan.runs.size(), skipped, todo.size(), jobs, threads, threads == 1 ? "" : "s");
  std::map<pid_t, std::pair<std::size_t, std::chrono::steady_clock::time_point>> running;
  std::size_t next = 0, done = 0;
  int failed = 0;
  const auto start = std::chrono::steady_clock::now();
  auto launch = [&](std::size_t index) {
    const auto& run = plan.runs[index];
    std::error_code ec;
    fs::create_directories(run.dir, ec);
    fs::path log = run.dir / "log.txt";
    std::vector<std::string> argv_s = {self,           "sweep", plan_json.string(), "--run-index", std::to_string(index),
                                       "--threads", std::to_string(threads)};
    std::vector<char*> argv;
    for (auto& s : argv_s) argv.push_back(s.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    pid_t pid = 0;
    int err = posix_spawn(&pid, self.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err != 0) throw Error(fmt::format("cannot start '{}': {}", self, std::strerror(err)));
    running[pid] = {index, std::chrono::steady_clock::now()};
    if (!options.quiet) std::cerr << fmt::format("  started  {} (log: {})\n", run.name, log.string());
  };
  while (next < todo.size() || !running.empty()) {
    while (next < todo.size() && int(running.size()) < jobs) launch(todo[next++]);
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      throw Error(fmt::format("waiting for runs failed: {}", std::strerror(errno)));
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    auto [index, t0] = it->second;
    running.erase(it);
    ++done;
    const auto now = std::chrono::steady_clock::now();
    double took = std::chrono::duration<double>(now - t0).count();
    double elapsed = std::chrono::duration<double>(now - start).count();
    const auto& run = plan.runs[index];
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok) {
      ++failed;
      std::cerr << fmt::format("  FAILED   {} (exit {}); last lines of {}:\n{}", run.name,
                               WIFEXITED(status) ? WEXITSTATUS(status) : -1, (run.dir / "log.txt").string(),
                               tail_of(run.dir / "log.txt", 5));
    }
    finished_kinds.emplace_back(run_kind(run), took);
    if (!options.quiet) {
      EtaInput in;
      in.finished = finished_kinds;
      in.jobs = jobs;
      for (const auto& [p, r] : running)
        in.running.emplace_back(run_kind(plan.runs[r.first]), std::chrono::duration<double>(now - r.second).count());
      for (std::size_t k = next; k < todo.size(); ++k) in.waiting.push_back(run_kind(plan.runs[todo[k]]));
      const double eta = sweep_eta_seconds(in);
      std::cerr << fmt::format("  [{}/{}] {} {} in {} — elapsed {}, ETA {}\n", done, todo.size(),
                               ok ? "finished" : "failed  ", run.name, format_duration(took), format_duration(elapsed),
                               format_duration(eta));
    }
  }
  return failed;
}

int report_for_plan(const SweepPlan& plan, reports::ReportOptions options, bool quiet) {
  const auto& r = plan.spec["report"];
  std::vector<std::string> group_by;
  if (r.contains("group_by")) {
    if (r["group_by"].is_array())
      for (const auto& k : r["group_by"]) group_by.push_back(k.get<std::string>());
    else
      group_by.push_back(r["group_by"].get<std::string>());
  }
  if (r.contains("reference") && options.reference.empty()) options.reference = r["reference"].get<std::string>();
  if (r.contains("compare_locality")) options.compare_locality = r["compare_locality"].get<double>();
  std::vector<std::filesystem::path> results;
  for (const auto& run : plan.runs)
    if (run_state(run) == RunState::kDone) results.push_back(run.eval_dir / "results.json");
  if (results.empty()) throw Error(fmt::format("no finished runs under '{}' to report", (plan.out / "runs").string()));
  reports::Collection c = reports::collect(results, group_by);
  if (r.contains("compare_locality")) reports::require_evaluated_locality(c, options.compare_locality);
  for (const auto& w : c.warnings)
    if (!quiet) std::cerr << "axial: warning: " << w << "\n";
  reports::write_report(c, plan.out / "report", options);
  if (!quiet)
    std::cerr << fmt::format("report: {} runs in {} groups -> {}\n", c.runs.size(), c.groups.size(),
                             (plan.out / "report" / "report.md").string());
  return 0;
}

}  // namespace axial::pipelines
