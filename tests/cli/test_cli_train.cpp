// `axial train`: bad options exit 2 before any work; a run killed with SIGKILL and resumed ends bit-identical to an
// uninterrupted one; a diverging run stops naming the step.
#include <hdf5.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "src/core/error.hpp"
#include "models/vae.hpp"
#include "tests/support/run_axial.hpp"

#include <doctest/doctest.h>  // last: glog redefines CHECK

using axial::test::run_axial;
using axial::test::TempDir;
namespace fs = std::filesystem;

namespace {
const std::string kTiny =
    " --batch-size 4 --train-cache 32 --latent-dim 3 --threads 1 --device cpu --quiet --anneal-steps 10 ";
// The same sizes without jl1's --anneal-steps (for the other methods).
const std::string kTinyMethod = " --batch-size 4 --train-cache 32 --latent-dim 3 --threads 1 --device cpu --quiet ";

void check_error(const std::string& args, const std::string& needle) {
  CAPTURE(args);
  auto r = run_axial("train " + args);
  CHECK(r.exit_code == 2);
  CHECK(r.err.rfind("axial: error: ", 0) == 0);
  CHECK(r.err.find(needle) != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

// The two run directories' models have equal weights, parameter by parameter.
void check_same_model(const fs::path& a_dir, const fs::path& b_dir) {
  auto a = axial::models::load_vae(a_dir), b = axial::models::load_vae(b_dir);
  auto pb = b->named_parameters();
  for (const auto& item : a->named_parameters()) {
    CAPTURE(item.key());
    CHECK(torch::equal(item.value(), pb[item.key()]));
  }
}
}  // namespace

TEST_CASE("axial train: invalid options exit 2 and leave nothing behind") {
  TempDir tmp;
  const std::string out = " --out '" + (tmp / "run").string() + "'";
  check_error("--beta -1" + out, "--beta");
  check_error("--gamma -0.5" + out, "--gamma");
  check_error("--steps -3" + out, "--steps");
  check_error("--lr -0.001" + out, "--lr");
  check_error("--device tpu" + out, "tpu");
  check_error("--penalty l7" + out, "--penalty");
  check_error("--jacobian wrong" + out, "--jacobian");
  check_error("--dataset '" + (tmp / "missing.h5").string() + "'" + out, "missing.h5");
  check_error("--dataset no-such-set" + out, "no-such-set");
  check_error("--steps 1", "--out");
  check_error("--out a --resume b", "--out");
  check_error("--resume '" + (tmp / "nothing").string() + "'", "nothing");
  CHECK_FALSE(fs::exists(tmp / "run"));
  fs::create_directories(tmp / "full");
  std::ofstream(tmp / "full" / "x.txt") << "x";
  check_error("--steps 1 --out '" + (tmp / "full").string() + "'", "--resume");
  CHECK(run_axial("train --help").exit_code == 0);
}

TEST_CASE("axial train: killed with SIGKILL and resumed, ends bit-identical") {
  TempDir tmp;
  const std::string common = kTiny + " --steps 300 --checkpoint-every 7 --log-every 50 --gamma 0 --seed 5";
  auto full = run_axial("train" + common + " --out '" + (tmp / "full").string() + "'");
  REQUIRE(full.exit_code == 0);

  // Start the same run in the background, kill -9 it once a checkpoint exists (mid-run), then resume.
  const fs::path dir = tmp / "killed";
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::string cmd = std::string("exec '") + AXIAL_BINARY + "' train" + common + " --out '" + dir.string() +
                      "' >/dev/null 2>&1";
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(dir / "checkpoint.pt") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  const bool killed = WIFSIGNALED(status);
  CHECK(fs::exists(dir / "checkpoint.pt"));
  if (killed) CHECK_FALSE(fs::exists(dir / "model" / "vae.pt"));
  auto r = run_axial("train --resume '" + dir.string() + "' --threads 1 --quiet");
  CHECK(r.exit_code == 0);
  CAPTURE(r.err);
  check_same_model(tmp / "full", dir);
  // Training options cannot change on resume.
  check_error("--resume '" + dir.string() + "' --beta 2", "--beta");
}

TEST_CASE("axial train: a NaN/Inf loss stops with the step and keeps the last good checkpoint") {
  TempDir tmp;
  // An absurd learning rate blows the weights up within a few steps (KL's exp(log σ²) overflows).
  auto r = run_axial("train" + kTiny + " --lr 1e30 --steps 50 --checkpoint-every 1 --gamma 0 --out '" +
                     (tmp / "run").string() + "'");
  CAPTURE(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("NaN or Inf at step ") != std::string::npos);
  CHECK(fs::exists(tmp / "run" / "checkpoint.pt"));
  CHECK_FALSE(fs::exists(tmp / "run" / "model" / "vae.pt"));
}

namespace {

// Starts `axial ARGS` in the background (its own PID: sh execs axial, which execs axial-torch), output to files.
pid_t start_axial(const std::string& args, const fs::path& out, const fs::path& err) {
  const std::string cmd = std::string("exec '") + AXIAL_BINARY + "' " + args + " >'" + out.string() + "' 2>'" +
                          err.string() + "' </dev/null";
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

int wait_exit_code(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("axial train: two runs into the same --out at once — one succeeds, the other names its PID") {
  TempDir tmp;
  const fs::path dir = tmp / "same";
  const std::string args = "train --out '" + dir.string() +
                           "' --steps 30 --batch-size 4 --train-cache 16 --latent-dim 2 --quiet --threads 1";
  const pid_t a = start_axial(args, tmp / "a.out", tmp / "a.err");
  const pid_t b = start_axial(args, tmp / "b.out", tmp / "b.err");
  REQUIRE(a > 0);
  REQUIRE(b > 0);
  const int ra = wait_exit_code(a), rb = wait_exit_code(b);
  const std::string ea = axial::test::slurp(tmp / "a.err"), eb = axial::test::slurp(tmp / "b.err");
  CAPTURE(ea);
  CAPTURE(eb);
  REQUIRE(((ra == 0 && rb == 2) || (ra == 2 && rb == 0)));
  const pid_t winner = ra == 0 ? a : b;
  const std::string& loser_err = ra == 0 ? eb : ea;
  CHECK(loser_err.rfind("axial: error: --out '" + dir.string() + "': ", 0) == 0);
  CHECK(loser_err.find("(PID " + std::to_string(winner) + ")") != std::string::npos);
  CHECK(std::count(loser_err.begin(), loser_err.end(), '\n') == 1);
  // The winner's run is complete and untouched; the lock is gone.
  CHECK(entries(dir) == std::vector<std::string>{"checkpoint.pt", "config.json", "model", "train_log.csv"});
  std::ifstream in(dir / "config.json");
  CHECK(nlohmann::json::parse(in)["options"]["steps"] == 30);
  CHECK_NOTHROW(axial::models::load_vae(dir));
  auto resumed = run_axial("train --resume '" + dir.string() + "' --threads 1 --quiet");
  CHECK_MESSAGE(resumed.exit_code == 0, resumed.err);
}

TEST_CASE("axial train: --resume of a run that is still writing names its PID") {
  TempDir tmp;
  const fs::path dir = tmp / "run";
  const pid_t a = start_axial("train --out '" + dir.string() + "'" + kTiny + " --steps 100000 --log-every 1000",
                              tmp / "a.out", tmp / "a.err");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(dir / "config.json") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  // (CPU-limited: a resume that does not see the running writer would train for a long time.)
  auto r = axial::test::run_axial_limited("train --resume '" + dir.string() + "' --threads 1 --quiet", 1L << 40, 60);
  auto again = axial::test::run_axial_limited("train --out '" + dir.string() + "'" + kTiny + " --steps 5", 1L << 40, 60);
  kill(a, SIGKILL);
  wait_exit_code(a);
  CAPTURE(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--resume '" + dir.string() + "': another axial train (PID " + std::to_string(a) + ")") !=
        std::string::npos);
  CAPTURE(again.err);
  CHECK(again.exit_code == 2);
  CHECK(again.err.find("(PID " + std::to_string(a) + ")") != std::string::npos);
}

TEST_CASE("axial train: a check that fails once the run directory is made leaves no directory behind") {
  TempDir tmp;
  // A native data set whose image chunk is damaged: the header reads, the images do not (while building the cache).
  const fs::path data = tmp / "d.h5";
  REQUIRE(run_axial("data generate three-dots --num 64 --out '" + data.string() + "'").exit_code == 0);
  haddr_t addr = HADDR_UNDEF;
  hsize_t size = 0;
  {
    hid_t f = H5Fopen(data.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(f >= 0);
    hid_t d = H5Dopen2(f, "images", H5P_DEFAULT);
    hsize_t offset[4];
    unsigned mask = 0;
    hid_t space = H5Dget_space(d);
    CHECK(H5Dget_chunk_info(d, space, 0, offset, &mask, &addr, &size) >= 0);
    H5Sclose(space);
    H5Dclose(d);
    H5Fclose(f);
  }
  REQUIRE(size > 64);
  {
    std::fstream io(data, std::ios::in | std::ios::out | std::ios::binary);
    io.seekp(static_cast<std::streamoff>(addr + 2));
    io << std::string(40, '\xff');
  }
  const fs::path out = tmp / "run";
  check_error("--dataset '" + data.string() + "' --steps 2 --out '" + out.string() + "'" + kTiny, "d.h5");
  CHECK_FALSE(fs::exists(out));
  // An empty directory given as --out is left as it was: empty.
  fs::create_directories(out);
  check_error("--dataset '" + data.string() + "' --steps 2 --out '" + out.string() + "'" + kTiny, "d.h5");
  CHECK(fs::is_empty(out));
}

TEST_CASE("axial train --method: options of another method are errors naming them") {
  TempDir tmp;
  const std::string out = " --out '" + (tmp / "run").string() + "'";
  check_error("--method beta_vae --lambda-od 3" + out, "--lambda-od does not belong to --method beta_vae");
  check_error("--method factor_vae --beta 2" + out, "--beta does not belong to --method factor_vae");
  check_error("--method dip_vae_i --c-max 3" + out, "--c-max does not belong to --method dip_vae_i");
  check_error("--method annealed_vae --dlib-step-count" + out, "--dlib-step-count does not belong");
  check_error("--gamma 0.2 --lambda-d-factor 2" + out, "--lambda-d-factor does not belong to --method jl1");
  check_error("--method jl1 --penalty l2" + out, "contradicts --method jl1");
  check_error("--method vae" + out, "--method 'vae'");
  check_error("--architecture resnet" + out, "--architecture 'resnet'");
  check_error("--adam sgd" + out, "--adam 'sgd'");
  check_error("--method annealed_vae --iteration-threshold 0" + out, "--iteration-threshold");
  check_error("--dump-step '" + (tmp / "no" / "d.h5").string() + "'" + out, "--dump-step");
  CHECK_FALSE(fs::exists(tmp / "run"));
}

TEST_CASE("axial train --method: config.json records the method and its own options; --penalty l2 alone is jl2") {
  TempDir tmp;
  auto r = run_axial("train --method dip_vae_ii --lambda-od 2 --architecture dlib --adam tf --steps 2 --log-every 1" +
                     kTinyMethod + "--out '" + (tmp / "dip").string() + "' --dump-step '" + (tmp / "d.h5").string() + "'");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(axial::test::slurp(tmp / "dip" / "config.json"));
  CHECK(j["options"]["method"] == "dip_vae_ii");
  CHECK(j["options"]["lambda_od"] == 2.0);
  CHECK(j["options"]["lambda_d_factor"] == 1.0);  // dip_vae_ii's default
  CHECK(j["options"]["architecture"] == "dlib");
  CHECK(j["options"]["adam"] == "tf");
  CHECK_FALSE(j["options"].contains("gamma"));
  CHECK_FALSE(j["options"].contains("anneal_steps"));
  CHECK(fs::exists(tmp / "d.h5"));
  auto l2 = run_axial("train --penalty l2 --steps 1" + kTiny + "--out '" + (tmp / "l2").string() + "'");
  REQUIRE(l2.exit_code == 0);
  auto k = nlohmann::json::parse(axial::test::slurp(tmp / "l2" / "config.json"));
  CHECK(k["options"]["method"] == "jl2");
  CHECK(k["options"]["penalty"] == "l2");
  // --dump-step and method options are refused on --resume.
  check_error("--resume '" + (tmp / "dip").string() + "' --dump-step '" + (tmp / "e.h5").string() + "'",
              "--dump-step cannot be combined with --resume");
  check_error("--resume '" + (tmp / "dip").string() + "' --lambda-od 3", "--lambda-od cannot be combined");
}

TEST_CASE("axial train --method factor_vae: killed with SIGKILL and resumed, ends bit-identical") {
  TempDir tmp;
  const std::string common = kTinyMethod + " --method factor_vae --architecture dlib --adam tf --steps 60 "
                                     "--checkpoint-every 7 --log-every 10 --seed 4";
  auto full = run_axial("train" + common + " --out '" + (tmp / "full").string() + "'");
  INFO(full.err);
  REQUIRE(full.exit_code == 0);
  const fs::path dir = tmp / "killed";
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::string cmd = std::string("exec '") + AXIAL_BINARY + "' train" + common + " --out '" + dir.string() +
                      "' >/dev/null 2>&1";
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(dir / "checkpoint.pt") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(fs::exists(dir / "checkpoint.pt"));
  auto r = run_axial("train --resume '" + dir.string() + "' --threads 1 --quiet");
  CAPTURE(r.err);
  CHECK(r.exit_code == 0);
  check_same_model(tmp / "full", dir);
}

TEST_CASE("axial train --method: the NaN guard stops every method naming the step") {
  for (const char* method : {"factor_vae", "dip_vae_i", "beta_tc_vae", "annealed_vae"}) {
    CAPTURE(method);
    TempDir tmp;
    auto r = run_axial(std::string("train --method ") + method + " --architecture dlib" + kTinyMethod +
                       " --lr 1e30 --steps 50 --checkpoint-every 1 --out '" + (tmp / "run").string() + "'");
    CAPTURE(r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("NaN or Inf at step ") != std::string::npos);
    CHECK(fs::exists(tmp / "run" / "checkpoint.pt"));
    CHECK_FALSE(fs::exists(tmp / "run" / "model" / "vae.pt"));
  }
}

TEST_CASE("axial train --resume: a config.json that contradicts the checkpoint is refused, naming the option") {
  TempDir tmp;
  const fs::path dir = tmp / "run";
  auto first = run_axial("train" + kTiny + " --steps 6 --checkpoint-every 3 --gamma 0.1 --out '" + dir.string() + "'");
  REQUIRE_MESSAGE(first.exit_code == 0, first.err);
  REQUIRE(fs::exists(dir / "checkpoint.pt"));
  nlohmann::json config;
  {
    std::ifstream in(dir / "config.json");
    config = nlohmann::json::parse(in);
  }
  const std::string checkpoint = axial::test::slurp(dir / "checkpoint.pt");
  for (const auto& [key, value] : std::vector<std::pair<std::string, nlohmann::json>>{
           {"gamma", 0.5}, {"latent_dim", 4}, {"lr", 0.5}, {"batch_size", 8}, {"seed", 99}}) {
    CAPTURE(key);
    nlohmann::json edited = config;
    edited["options"][key] = value;
    std::ofstream(dir / "config.json") << edited.dump(2) << "\n";
    auto r = run_axial("train --resume '" + dir.string() + "' --threads 1 --quiet");
    CAPTURE(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.rfind("axial: error: --resume: ", 0) == 0);
    CHECK(r.err.find(" has " + key + " = " + value.dump() + ", but ") != std::string::npos);
    CHECK(r.err.find("was made with " + key + " = " + config["options"][key].dump()) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(axial::test::slurp(dir / "checkpoint.pt") == checkpoint);  // nothing trained, nothing rewritten
  }
  // A run cannot end before the step its checkpoint has reached.
  nlohmann::json fewer = config;
  fewer["options"]["steps"] = 2;
  std::ofstream(dir / "config.json") << fewer.dump(2) << "\n";
  auto short_run = run_axial("train --resume '" + dir.string() + "' --threads 1 --quiet");
  CHECK(short_run.exit_code == 2);
  CHECK(short_run.err.find("has steps = 2, fewer than the 6 steps") != std::string::npos);
  // --device is how the run runs and --steps may extend it: neither changes the numbers so far, both resume.
  nlohmann::json device = config;
  device["options"]["device"] = "auto";
  device["options"]["steps"] = 9;
  std::ofstream(dir / "config.json") << device.dump(2) << "\n";
  auto r = run_axial("train --resume '" + dir.string() + "' --threads 1 --quiet --device cpu");
  CHECK_MESSAGE(r.exit_code == 0, r.err);
}

TEST_CASE("axial train --resume: a damaged checkpoint is one error naming it, exit 2, nothing overwritten") {
  TempDir tmp;
  const fs::path dir = tmp / "run";
  auto first = run_axial("train" + kTiny + " --steps 4 --checkpoint-every 2 --out '" + dir.string() + "'");
  REQUIRE_MESSAGE(first.exit_code == 0, first.err);
  const std::string good = axial::test::slurp(dir / "checkpoint.pt");
  REQUIRE(good.size() > 1000);
  std::string flipped = good;
  for (std::size_t i = good.size() / 3; i < good.size() / 3 + 64; ++i) flipped[i] = static_cast<char>(~flipped[i]);
  for (const auto& [what, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"empty", ""},
           {"truncated", good.substr(0, good.size() / 2)},
           {"the zip directory cut off", good.substr(0, good.size() - 30)},
           {"not a checkpoint", std::string(4096, 'x')},
           {"64 bytes inverted in the middle", flipped}}) {
    CAPTURE(what);
    std::ofstream(dir / "checkpoint.pt", std::ios::binary | std::ios::trunc) << bytes;
    auto r = run_axial("train --resume '" + dir.string() + "' --threads 1 --quiet");
    CAPTURE(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.rfind("axial: error: '" + (dir / "checkpoint.pt").string() + "': cannot read checkpoint", 0) == 0);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(axial::test::slurp(dir / "checkpoint.pt") == bytes);
  }
  std::ofstream(dir / "checkpoint.pt", std::ios::binary | std::ios::trunc) << good;
  auto r = run_axial("train --resume '" + dir.string() + "' --threads 1 --quiet");
  CHECK_MESSAGE(r.exit_code == 0, r.err);
}

TEST_CASE("axial train --seeds: bad lists exit 2 naming --seeds and write nothing") {
  TempDir tmp;
  const std::string out = " --out '" + (tmp / "job").string() + "'";
  check_error("--seeds 3-1" + out, "--seeds");
  check_error("--seeds 1,,2" + out, "--seeds");
  check_error("--seeds 1,2,1" + out, "listed twice");
  check_error("--seeds 1-2,2" + out, "listed twice");
  check_error("--seeds -1" + out, "--seeds");
  check_error("--seeds x" + out, "--seeds");
  check_error("--seeds 0-5000" + out, "more than 1000");
  check_error("--seed 1 --seeds 1-2" + out, "--seeds");
  check_error("--seeds 1-2 --dump-step '" + (tmp / "s.h5").string() + "'" + out, "--dump-step");
  check_error("--seeds 1-2 --resume '" + (tmp / "job").string() + "'", "--resume");
  CHECK_FALSE(fs::exists(tmp / "job"));
}

TEST_CASE("axial train --seeds: killed with SIGKILL, --resume OUT finishes every seed bit-identical to its run alone") {
  TempDir tmp;
  const std::string common = kTiny + " --steps 300 --checkpoint-every 7 --log-every 50 --gamma 0.2";
  for (int s : {2, 3}) {
    auto alone = run_axial("train" + common + " --seed " + std::to_string(s) + " --out '" +
                           (tmp / ("alone-" + std::to_string(s))).string() + "'");
    REQUIRE(alone.exit_code == 0);
  }
  const fs::path job = tmp / "job";
  const pid_t pid = start_axial("train" + common + " --seeds 2-3 --out '" + job.string() + "'", tmp / "o.txt",
                                tmp / "e.txt");
  REQUIRE(pid > 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(job / "seed-3" / "checkpoint.pt") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  kill(pid, SIGKILL);
  wait_exit_code(pid);
  CHECK(entries(job) == std::vector<std::string>{".axial.lock", "seed-2", "seed-3"});
  auto r = run_axial("train --resume '" + job.string() + "' --threads 1 --quiet");
  CAPTURE(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(entries(job) == std::vector<std::string>{"seed-2", "seed-3"});  // the killed job's lock taken over, removed
  for (int s : {2, 3}) {
    CAPTURE(s);
    check_same_model(tmp / ("alone-" + std::to_string(s)), job / ("seed-" + std::to_string(s)));
    nlohmann::json j;
    std::ifstream(job / ("seed-" + std::to_string(s)) / "config.json") >> j;
    CHECK(j["seed"] == s);
    CHECK(j["options"]["seed"] == s);
  }
  // A job run to its end leaves OUT with the seed directories only.
  auto whole = run_axial("train" + kTiny + " --steps 3 --seeds 7,9 --out '" + (tmp / "whole").string() + "'");
  CAPTURE(whole.err);
  REQUIRE(whole.exit_code == 0);
  CHECK(entries(tmp / "whole") == std::vector<std::string>{"seed-7", "seed-9"});
  CHECK(fs::exists(tmp / "whole" / "seed-9" / "model" / "encoder.pt"));
}
