// kill -9 at random points of the commands that write results — score, data convert, eval, report: whatever the
// moment, every target file is either the old good version (byte for byte) or the new complete one, and of files
// that belong together (eval's results.json/.csv/.md, report's tables) all are old or all are new (the set's
// directory is swapped in with one rename, src/core/atomic_output.hpp OutputSet). A killed process cannot remove
// its temporary sibling (.NAME.tmp-PID) or staging directory (.DIR.axial-set-PID-N beside the output directory,
// removed by the next set there); that is the only litter allowed, and never at the target's name.
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/run_axial.hpp"

#include <doctest/doctest.h>  // last: glog redefines CHECK

using axial::test::q;
using axial::test::run_axial;
using axial::test::slurp;
using axial::test::TempDir;
namespace fs = std::filesystem;

namespace {

using Files = std::map<fs::path, std::string>;  // path → bytes ("" key absent = file absent)

Files read_files(const std::vector<fs::path>& paths) {
  Files f;
  for (const auto& p : paths)
    if (fs::exists(p)) f[p] = slurp(p);
  return f;
}

void restore(const Files& files) {
  for (const auto& [p, bytes] : files) std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

// Runs `axial ARGS` and returns its wall time; REQUIREs exit 0.
double timed_run(const std::string& args) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = run_axial(args);
  INFO(args << "\n" << r.err);
  REQUIRE(r.exit_code == 0);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (c == '\n') out.emplace_back();
    else out.back() += c;
  }
  return out;
}

std::string without_digits(const std::string& line) {
  std::string out;
  for (char ch : line)
    if (ch < '0' || ch > '9') out += ch;
  return out;
}

// Two complete runs of the same command differ where the output records time (eval's elapsed_s, the report's
// "Generated" stamp, HDF5's object times). `c` is a complete new output if it lines up with run `a`: for text, the
// same lines, where a line may differ from a's only in its digits (a truncated file loses its last newline or more);
// for .h5, the same size and at most 256 bytes different (the times; the old file differs in size).
bool is_complete(const fs::path& p, const std::string& c, const std::string& a, const std::string& b) {
  if (p.extension() == ".h5") {
    // HDF5 records object times (in seconds, in a few 4-byte fields): two complete runs may or may not agree there.
    if (c.size() != a.size() || a.size() != b.size()) return false;
    std::size_t differ = 0;
    for (std::size_t i = 0; i < a.size(); ++i) differ += c[i] != a[i];
    return differ <= 256;
  }
  const auto lc = lines_of(c), la = lines_of(a);
  if (lc.size() != la.size()) return false;
  for (std::size_t i = 0; i < la.size(); ++i)
    if (lc[i] != la[i] && without_digits(lc[i]) != without_digits(la[i])) return false;
  return true;
}

// `old_args` writes the good old outputs, `new_args` the new ones (other settings, so the two are told apart).
// Then `attempts` runs of new_args are killed with SIGKILL at a random moment in [0, 1.2 × its run time] (seeded:
// the same moments every time); after each, `sets` (groups of target files) must each be entirely old (byte for
// byte) or entirely new and complete.
void kill_at_random_points(const std::string& old_args, const std::string& new_args,
                           const std::vector<std::vector<fs::path>>& sets, int attempts, unsigned seed) {
  std::vector<fs::path> all;
  for (const auto& s : sets) all.insert(all.end(), s.begin(), s.end());
  timed_run(new_args);
  const Files fresh_a = read_files(all);
  const double full = timed_run(new_args);
  const Files fresh_b = read_files(all);
  timed_run(old_args);
  const Files old = read_files(all);
  REQUIRE(old.size() == all.size());
  REQUIRE(fresh_a.size() == all.size());
  REQUIRE(fresh_b.size() == all.size());
  for (const auto& set : sets) {
    bool told_apart = false;  // by some file of the set (a table may be the same in both, e.g. no comparisons)
    for (const auto& p : set) {
      CAPTURE(p);
      REQUIRE(is_complete(p, fresh_b.at(p), fresh_a.at(p), fresh_b.at(p)));  // the two new runs line up
      told_apart = told_apart || old.at(p) != fresh_a.at(p);
    }
    REQUIRE(told_apart);
  }

  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> moment(0.0, 1.2 * full);
  int killed = 0;
  for (int i = 0; i < attempts; ++i) {
    const double at = moment(rng);
    CAPTURE(new_args);
    CAPTURE(at);
    const std::string cmd = std::string("exec '") + AXIAL_BINARY + "' " + new_args + " >/dev/null 2>&1 </dev/null";
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(at));
    kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFSIGNALED(status)) ++killed;
    else CHECK(WEXITSTATUS(status) == 0);  // it finished before the kill
    const Files now = read_files(all);
    for (const auto& set : sets) {
      bool some_old = false, some_new = false;  // among the files whose old and new versions differ
      for (const auto& p : set) {
        CAPTURE(p);
        REQUIRE(now.count(p) == 1);  // never removed
        const bool is_old = now.at(p) == old.at(p);
        const bool is_new = is_complete(p, now.at(p), fresh_a.at(p), fresh_b.at(p));
        INFO("now " << now.at(p).size() << " bytes, old " << old.at(p).size() << ", new " << fresh_a.at(p).size());
        if (!is_old && !is_new) {
          // Where it departs from the new version (for the failure message).
          std::size_t k = 0;
          while (k < now.at(p).size() && k < fresh_a.at(p).size() && now.at(p)[k] == fresh_a.at(p)[k]) ++k;
          INFO("first difference from new at byte " << k << ": ..." << now.at(p).substr(k > 80 ? k - 80 : 0, 160));
          CHECK((is_old || is_new));  // never partial
        }
        if (old.at(p) != fresh_a.at(p) && is_old) some_old = true;
        if (old.at(p) != fresh_a.at(p) && !is_old && is_new) some_new = true;
      }
      // The set is swapped in whole: never a mix of old and new files.
      CHECK_FALSE((some_old && some_new));
    }
    restore(old);
  }
  // Some moments must have caught a run at work (else the test proves nothing).
  CHECK(killed >= 1);
}

}  // namespace

TEST_CASE("kill -9 at random points of axial score: the old scores or the new ones, never partial") {
  TempDir tmp;
  // 20,000 rows of 4 codes and 3 factors (enough work to be killed in the middle).
  {
    std::ofstream csv(tmp / "codes.csv");
    csv << "z0,z1,z2,z3,y0,y1,y2\n";
    std::mt19937 g(3);
    std::uniform_real_distribution<double> u(-1, 1);
    for (int i = 0; i < 20000; ++i) {
      const int y0 = i % 5, y1 = (i / 5) % 4, y2 = (i / 20) % 3;
      csv << y0 + 0.3 * u(g) << "," << y1 + 0.3 * u(g) << "," << u(g) << "," << y2 * u(g) << "," << y0 << "," << y1
          << "," << y2 << "\n";
    }
  }
  const fs::path out = tmp / "scores.csv";
  const std::string base = "score --codes " + q(tmp / "codes.csv") + " --out " + q(out) + " --format csv";
  kill_at_random_points(base + " --bins 10", base + " --bins 20", {{out}}, 6, 1);
}

TEST_CASE("kill -9 at random points of axial data convert: the old file or the new one, never partial") {
  TempDir tmp;
  const std::string subset = std::string(AXIAL_SHARED_DATA_DIR) + "/dsprites/dsprites_subset.npz";
  REQUIRE(fs::exists(subset));
  const fs::path out = tmp / "d.h5";
  const std::string base = "data convert 'dsprites=" + subset + "' --quiet --out " + q(out);
  kill_at_random_points(base + " --gzip 1", base + " --gzip 0", {{out}}, 5, 2);
}

TEST_CASE("kill -9 at random points of axial eval and axial report: old or new sets, never mixed or partial") {
  TempDir tmp;
  const fs::path run = tmp / "run";
  auto trained = run_axial("train --steps 2 --batch-size 4 --train-cache 32 --latent-dim 3 --threads 1 --device cpu "
                           "--quiet --out " + q(run));
  REQUIRE_MESSAGE(trained.exit_code == 0, trained.err);
  const std::string opts = " --num-train 300 --num-test 150 --clusters 2 --cluster-size 100 --localities 0.1,1.0 "
                           "--anchors 8 --threads 1 --quiet --force";
  const fs::path ev = tmp / "eval";
  const std::vector<fs::path> results = {ev / "results.json", ev / "results.csv", ev / "results.md"};
  const std::string eval = "eval --model " + q(run) + " --out " + q(ev) + opts;
  kill_at_random_points(eval + " --seed 1", eval + " --seed 2", {results}, 5, 3);

  // Two finished evaluations; the old report covers one, the new one both.
  const fs::path ev2 = tmp / "eval2";
  REQUIRE(run_axial("eval --model " + q(run) + " --out " + q(ev2) + opts + " --seed 3").exit_code == 0);
  const fs::path rep = tmp / "report";
  std::vector<fs::path> tables;
  for (const char* f : {"runs.csv", "summary.csv", "comparisons.csv", "report.json", "report.md"})
    tables.push_back(rep / f);
  kill_at_random_points("report " + q(ev) + " --out " + q(rep), "report " + q(ev) + " " + q(ev2) + " --out " + q(rep),
                        {tables}, 5, 4);
}
