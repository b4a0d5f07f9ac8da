// Issue 13, "nothing lost, nothing crashes": a write that fails (a full disk, emulated by a file-size limit) is one
// error line naming the output file and exit 2 — never a signal at exit or an abort — and leaves no partial output
// (an existing file at the target is kept).
#include <torch/script.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/support/run_axial.hpp"

#include <doctest/doctest.h>  // last: glog redefines CHECK

namespace {

namespace fs = std::filesystem;
using axial::test::q;
using axial::test::run_axial;
using axial::test::run_axial_limited;
using axial::test::RunResult;
using axial::test::TempDir;

int lines(const std::string& s) { return int(std::count(s.begin(), s.end(), '\n')); }

void check_one_error(const RunResult& r, const std::string& needle) {
  CAPTURE(r.err);
  CHECK(r.signal == 0);
  CHECK(r.exit_code == 2);
  CHECK(r.err.rfind("axial: error: ", 0) == 0);
  CHECK(lines(r.err) == 1);
  CHECK(r.err.find(needle) != std::string::npos);
}

// Only `keep` (and nothing else, no temporary file) is in `dir`.
void check_only(const fs::path& dir, const std::vector<std::string>& keep) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  auto want = keep;
  std::sort(want.begin(), want.end());
  CHECK(names == want);
}

// z = the mean pixel of each row half: a 2-latent TorchScript encoder.
fs::path write_encoder(const fs::path& dir) {
  torch::jit::Module m("HalvesEncoder");
  m.define(R"(
def forward(self, x):
    return torch.stack([x[:, 0, :32].mean(dim=[1, 2]), x[:, 0, 32:].mean(dim=[1, 2])], dim=1)
)");
  auto path = dir / "enc.pt";
  m.save(path.string());
  return path;
}

const long kLimit = 50 * 1024;  // bytes per file

}  // namespace

TEST_CASE("axial data generate: a failed write is one error line, exit 2, no file left, an existing one kept") {
  TempDir tmp;
  const fs::path out = tmp / "x.h5";
  check_one_error(run_axial_limited("data generate three-dots --num 2000 --out " + q(out), kLimit), "x.h5");
  check_only(tmp.path, {});
  // A good file at the target survives a failed rewrite byte for byte.
  REQUIRE(run_axial("data generate three-dots --num 3 --out " + q(out)).exit_code == 0);
  const std::string before = axial::test::slurp(out);
  check_one_error(run_axial_limited("data generate three-dots --num 2000 --out " + q(out), kLimit), "x.h5");
  CHECK(axial::test::slurp(out) == before);
  check_only(tmp.path, {"x.h5"});
  // The same for local samples (`data sample` writes cluster groups).
  check_one_error(run_axial_limited("data sample three-dots --clusters 4 --num 400 --out " +
                                        q(tmp / "s.h5") + " --seed 1",
                                    kLimit),
                  "s.h5");
  check_only(tmp.path, {"x.h5"});
}

TEST_CASE("axial data convert: a failed write is one error line, exit 2, no file left") {
  TempDir tmp;
  const std::string subset = std::string(AXIAL_SHARED_DATA_DIR) + "/dsprites/dsprites_subset.npz";
  if (!fs::exists(subset)) {
    MESSAGE("skipped: " << subset << " is missing");
    return;
  }
  check_one_error(run_axial_limited("data convert 'dsprites=" + subset + "' --quiet --out " + q(tmp / "d.h5"), kLimit),
                  "d.h5");
  check_only(tmp.path, {});
}

TEST_CASE("axial eval --dump-samples: a failed write is one error line, exit 2, no file left") {
  TempDir tmp;
  const auto enc = write_encoder(tmp.path);
  auto r = run_axial_limited("eval --model " + q(enc) + " --dataset three-dots --out " + q(tmp / "eval") +
                                 " --dump-samples " + q(tmp / "dump.h5") +
                                 " --num-train 300 --num-test 150 --clusters 3 --cluster-size 400 --localities 0.5 "
                                 "--anchors 20 --threads 1 --quiet",
                             8 * 1024);
  check_one_error(r, "dump.h5");
  CHECK_FALSE(fs::exists(tmp / "dump.h5"));
  for (const auto& e : fs::directory_iterator(tmp.path)) CHECK(e.path().filename().string()[0] != '.');
  CHECK_FALSE(fs::exists(tmp / "eval" / "results.json"));
}

namespace {
const std::string kTinyTrain =
    " --steps 30 --batch-size 4 --train-cache 16 --latent-dim 2 --threads 1 --device cpu --quiet ";

// A tmpfs of `size` mounted at `dir` for the scope (root only; mounted() is false where it cannot be).
struct SmallDisk {
  fs::path dir;
  bool ok = false;
  SmallDisk(const fs::path& d, const std::string& size) : dir(d) {
    fs::create_directories(dir);
    if (geteuid() != 0) return;
    ok = std::system(("mount -t tmpfs -o size=" + size + " tmpfs " + q(dir) + " 2>/dev/null").c_str()) == 0;
  }
  ~SmallDisk() {
    if (ok) std::system(("umount " + q(dir)).c_str());
  }
  bool mounted() const { return ok; }
};
}  // namespace

TEST_CASE("axial train: a checkpoint that cannot be written is one error line naming it, exit 2, no abort") {
  TempDir tmp;
  auto r = run_axial_limited("train" + kTinyTrain + "--out " + q(tmp / "run"), 64 * 1024);
  check_one_error(r, "'" + (tmp / "run" / "checkpoint.pt").string() + "'");
  CHECK(r.err.find("terminate") == std::string::npos);
  // No temporary file left; what was written completely stays (the run can be resumed with more space).
  for (const auto& e : fs::directory_iterator(tmp / "run")) CHECK(e.path().filename().string()[0] != '.');
  CHECK(fs::exists(tmp / "run" / "config.json"));
}

TEST_CASE("axial train on a full disk: one error line, the last good checkpoint kept and resumable") {
  TempDir tmp;
  // Room for one checkpoint (about 7 MB for this model) but not for its replacement beside it.
  SmallDisk disk(tmp / "disk", "10m");
  if (!disk.mounted()) {
    MESSAGE("skipped: needs root to mount a small tmpfs");
    return;
  }
  const fs::path run = disk.dir / "run";
  auto r = run_axial("train" + kTinyTrain + "--checkpoint-every 10 --out " + q(run));
  CAPTURE(r.err);
  CHECK(r.exit_code == 2);
  CHECK(lines(r.err) == 1);
  CHECK(r.err.find("'" + (run / "checkpoint.pt").string() + "'") != std::string::npos);
  CHECK(r.err.find("No space left on device") != std::string::npos);
  REQUIRE(fs::exists(run / "checkpoint.pt"));
  for (const auto& e : fs::directory_iterator(run)) CHECK(e.path().filename().string()[0] != '.');
  // The kept checkpoint is a good one: the run resumes from it elsewhere.
  fs::copy(run, tmp / "copy", fs::copy_options::recursive);
  auto resumed = run_axial("train --resume " + q(tmp / "copy") + " --threads 1");
  CAPTURE(resumed.err);
  CHECK(resumed.exit_code == 0);
  CHECK(resumed.err.find("from step 10") != std::string::npos);
}
