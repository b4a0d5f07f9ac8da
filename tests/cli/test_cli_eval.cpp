// `axial eval` end to end on a reduced protocol, with TorchScript encoders written here (define()), so the expected
// values follow from the encoder's source and the metric definitions.
#include <torch/script.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "datasets/codes_file.hpp"
#include "datasets/h5_util.hpp"
#include "metrics/factor_vae_score.hpp"
#include "metrics/local.hpp"
#include "metrics/registry.hpp"
#include "models/vae.hpp"
#include "tests/support/run_axial.hpp"

#include <doctest/doctest.h>

namespace {

namespace fs = std::filesystem;
using axial::test::run_axial;
using axial::test::TempDir;
using nlohmann::json;

// z = (Σ d·column, Σ d·row) / Σ d with d = 1 − pixel (darkness): the darkness centroid. With three equal dots that do
// not overlap, it is the mean of the dot centres, so moving dot k by one level in x moves z0 by (64/63)/3 pixel and
// leaves z1 alone (up to the anti-aliasing of the rasterised dots, overlaps and borders): each x-factor drives only
// z0, each y-factor only z1, and each latent follows three factors equally.
// With scaled_with_dead_latent, the same centroid scaled by 2 (exact in float) plus a third, constant latent: E
// scales by 4 and gains an all-zero row, so by the definitions every axis-alignment purity is unchanged (a dead
// latent has no share of ΣE).
fs::path write_centroid_encoder(const fs::path& dir, bool scaled_with_dead_latent = false) {
  torch::jit::Module m("CentroidEncoder");
  auto cols = torch::arange(64, torch::kFloat32).view({1, 64}).expand({64, 64}).contiguous();
  auto rows = torch::arange(64, torch::kFloat32).view({64, 1}).expand({64, 64}).contiguous();
  m.register_buffer("cols", cols);
  m.register_buffer("rows", rows);
  m.define(std::string(R"(
def forward(self, x):
    d = 1.0 - x[:, 0]
    mass = d.sum(dim=[1, 2])
    c = torch.stack([(d * self.cols).sum(dim=[1, 2]) / mass, (d * self.rows).sum(dim=[1, 2]) / mass], dim=1)
)") + (scaled_with_dead_latent ? "    return torch.cat([2.0 * c, torch.zeros_like(c[:, :1]) + 0.25], dim=1)\n"
                                : "    return c\n"));
  auto path = dir / (scaled_with_dead_latent ? "scaled_centroid.pt" : "centroid.pt");
  m.save(path.string());
  return path;
}

const char* kReduced =
    "--num-train 300 --num-test 150 --clusters 3 --cluster-size 200 --localities 0.1,1.0 --anchors 40 --threads 1 "
    "--quiet";

json read_json(const fs::path& p) {
  std::ifstream in(p);
  return json::parse(in);
}

using axial::test::q;

// A training directory with a freshly initialised paper VAE (seed 0): DIR/model/encoder.pt, optionally vae.pt.
void write_run_dir(const fs::path& dir, bool with_vae) {
  fs::create_directories(dir / "model");
  torch::manual_seed(0);
  axial::models::Vae vae;
  if (with_vae) axial::models::save_vae_torchscript(vae, dir / "model" / "vae.pt");
  axial::models::save_encoder_torchscript(vae, dir / "model" / "encoder.pt");
}

}  // namespace

TEST_CASE("axial eval: reduced protocol end to end, results in the documented schema") {
  TempDir tmp;
  auto enc = write_centroid_encoder(tmp.path);
  auto out = tmp / "eval";
  auto r = run_axial("eval --model " + q(enc) + " --dataset three-dots --out " + q(out) + " --seed 5 " + kReduced);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json j = read_json(out / "results.json");
  CHECK(j["kind"] == "eval");
  CHECK(j["model"]["type"] == "torchscript");
  CHECK(j["model"]["sha256"].get<std::string>().size() == 64);
  CHECK(j["dataset"] == "three-dots");
  CHECK(j["seed"] == 5);
  CHECK(j["train_config"].is_null());
  CHECK(j["settings"]["num_train"] == 300);
  CHECK(j["settings"]["num_test"] == 150);
  CHECK(j["settings"]["localities"] == json::array({0.1, 1.0}));
  CHECK(j["settings"]["device"] == "cpu");
  const auto& m = j["metrics"];
  for (const char* key : {"mig", "modularity", "explicitness_train", "explicitness_test", "axis_alignment",
                          "axis_alignment_factor_purity", "axis_alignment_latent_purity"})
    CHECK_MESSAGE(m[key].is_number(), key);
  CHECK(m["mig_per_factor"].size() == 6);
  CHECK(m["modularity_per_latent"].size() == 2);
  REQUIRE(j["local"].size() == 2);
  CHECK(j["local"][0]["locality"] == 0.1);
  CHECK(j["local"][0]["local_mig_per_cluster"].size() == 3);
  CHECK(j["local"][1]["local_modularity_per_cluster"].size() == 3);
  for (const char* stage : {"sampling_and_encoding", "global_metrics", "local_metrics", "axis_alignment", "total"})
    CHECK(j["elapsed_s"][stage].is_number());
  // 300 + 150 global + 2·3·200 local + 40 anchors × 6 factors × 2 neighbours.
  CHECK(j["images_encoded"] == 300 + 150 + 1200 + 480);

  // The centroid encoder (see above): B[:,x_k] ≈ (b_k, 0), B[:,y_k] ≈ (0, b_k) → each E column is (nearly) all in one
  // latent → factor purity near 1 (overlaps and clipped dots at the border leak a little into the other latent).
  // Each latent's row has three entries of the same order; per anchor max/sum is ≥ 1/3 by definition and equals 1/3
  // only when the three one-level centroid shifts are equal, which the 10×-supersampled 72-gon rasterisation breaks
  // (a one-level shift moves the centroid by a rasterisation-dependent amount), so latent purity lies in [1/3, 1)
  // and well below 1 (no latent is driven by one factor). The per-anchor score is the harmonic mean of the two.
  const double fp = m["axis_alignment_factor_purity"].get<double>();
  const double lp = m["axis_alignment_latent_purity"].get<double>();
  const double aa = m["axis_alignment"].get<double>();
  CHECK(fp > 0.85);
  CHECK(fp <= 1.0);
  CHECK(lp >= 1.0 / 3);
  CHECK(lp < 0.75);
  // A harmonic mean lies between its two arguments, per anchor and hence on average.
  CHECK(aa >= std::min(2.0 / 3 * lp, lp));
  CHECK(aa <= fp);

  const std::string csv = axial::test::slurp(out / "results.csv");
  CHECK(csv.rfind("metric,locality,value\n", 0) == 0);
  CHECK(csv.find("\nmig,,") != std::string::npos);
  CHECK(csv.find("\nlocal_mig,0.1,") != std::string::npos);
  CHECK(csv.find("\nlocal_modularity,1,") != std::string::npos);
  CHECK(axial::test::slurp(out / "results.md").find("| locality ρ |") != std::string::npos);
}

TEST_CASE("axial eval: axis alignment ignores code scale and a dead latent") {
  TempDir tmp;
  const std::string opts = std::string(" --seed 3 --num-train 100 --num-test 50 --clusters 1 --cluster-size 50 ") +
                           "--localities 1.0 --anchors 30 --threads 1 --quiet";
  auto a = run_axial("eval --model " + q(write_centroid_encoder(tmp.path)) + " --out " + q(tmp / "a") + opts);
  INFO(a.err);
  REQUIRE(a.exit_code == 0);
  auto b = run_axial("eval --model " + q(write_centroid_encoder(tmp.path, true)) + " --out " +
                     q(tmp / "b") + opts);
  INFO(b.err);
  REQUIRE(b.exit_code == 0);
  const json ja = read_json(tmp / "a" / "results.json"), jb = read_json(tmp / "b" / "results.json");
  for (const char* key : {"axis_alignment", "axis_alignment_factor_purity", "axis_alignment_latent_purity"}) {
    INFO(key);
    CHECK(jb["metrics"][key].get<double>() == doctest::Approx(ja["metrics"][key].get<double>()).epsilon(1e-9));
  }
  // And modularity does count the dead latent (its score is 0 by definition: max s = 0).
  REQUIRE(jb["metrics"]["modularity_per_latent"].size() == 3);
  CHECK(jb["metrics"]["modularity_per_latent"][2].get<double>() == 0.0);
}

TEST_CASE("axial eval: numbers equal the metrics engine on the dumped samples (axial score's inputs)") {
  TempDir tmp;
  auto enc = write_centroid_encoder(tmp.path);
  auto out = tmp / "eval";
  auto dump = tmp / "samples.h5";
  auto r = run_axial("eval --model " + q(enc) + " --out " + q(out) + " --dump-samples " + q(dump) + " " + kReduced);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json j = read_json(out / "results.json");

  // Global: the root holds train rows then test rows. Explicitness through `axial score` with the same split.
  auto score = run_axial("score --codes " + q(dump) + " --num-train 300 --metrics explicitness");
  INFO(score.err);
  REQUIRE(score.exit_code == 0);
  const json s = json::parse(score.out);
  CHECK(s["explicitness_train"].get<double>() == j["metrics"]["explicitness_train"].get<double>());
  CHECK(s["explicitness_test"].get<double>() == j["metrics"]["explicitness_test"].get<double>());
  // MIG and modularity are computed on the train rows (the paper's MIG sample is its training sample): re-score
  // the first 300 rows of the dump with the same engine.
  const axial::CodesData all = axial::read_codes_file(dump);
  REQUIRE(all.codes.cols() == 450);
  CHECK(all.precision == axial::Precision::Float32);
  axial::CodesData train;
  train.codes = all.codes.leftCols(300);
  train.factors = all.factors.leftCols(300);
  train.precision = all.precision;
  axial::CodesFileContents tc;
  tc.global = train;
  axial::write_codes_h5(tmp / "train.h5", tc);
  auto score_train = run_axial("score --codes " + q(tmp / "train.h5") + " --metrics mig,modularity");
  INFO(score_train.err);
  REQUIRE(score_train.exit_code == 0);
  const json st = json::parse(score_train.out);
  CHECK(st["mig"].get<double>() == j["metrics"]["mig"].get<double>());
  CHECK(st["modularity"].get<double>() == j["metrics"]["modularity"].get<double>());
  CHECK(st["mig_per_factor"] == j["metrics"]["mig_per_factor"]);

  // Local: one group per locality in the `axial score --clusters` layout.
  for (const auto& e : j["local"]) {
    const std::string group = "locality_" + axial::format_number(e["locality"].get<double>());
    auto cs = run_axial("score --clusters " + q(dump) + " --clusters-group " + group + " --local-bins 5");
    axial::ClusterSet set = axial::read_clusters_file(dump, group);
    REQUIRE(set.clusters.size() == 3);
    CHECK(set.clusters[0].codes.cols() == 200);
    axial::LocalOptions opt;
    opt.num_bins = 5;
    opt.precision = set.precision;
    const auto lr = axial::compute_local(set.clusters, opt);
    CHECK(lr.local_mig == e["local_mig"].get<double>());
    CHECK(lr.local_modularity == e["local_modularity"].get<double>());
    for (std::size_t c = 0; c < 3; ++c)
      CHECK(lr.local_modularity_per_cluster[c] == e["local_modularity_per_cluster"][c].get<double>());
    INFO(cs.err);
    REQUIRE(cs.exit_code == 0);
    const json sj = json::parse(cs.out);
    CHECK(sj["local_mig"].get<double>() == e["local_mig"].get<double>());
    CHECK(sj["local_modularity"].get<double>() == e["local_modularity"].get<double>());
    CHECK(sj["local_mig_per_cluster"] == e["local_mig_per_cluster"]);
  }
}

TEST_CASE("axial eval: same seed, same numbers, another seed, other samples") {
  TempDir tmp;
  auto enc = write_centroid_encoder(tmp.path);
  const std::string base = "eval --model " + q(enc) + " --num-train 200 --num-test 100 --clusters 2 "
                           "--cluster-size 100 --localities 0.3 --anchors 10 --threads 1 --quiet --out ";
  REQUIRE(run_axial(base + q(tmp / "a") + " --seed 7").exit_code == 0);
  REQUIRE(run_axial(base + q(tmp / "b") + " --seed 7").exit_code == 0);
  REQUIRE(run_axial(base + q(tmp / "c") + " --seed 8").exit_code == 0);
  const json a = read_json(tmp / "a" / "results.json"), b = read_json(tmp / "b" / "results.json"),
             c = read_json(tmp / "c" / "results.json");
  CHECK(a["metrics"] == b["metrics"]);
  CHECK(a["local"] == b["local"]);
  CHECK(a["local"][0]["centroids"] != c["local"][0]["centroids"]);
  CHECK(a["metrics"]["mig_per_factor"] != c["metrics"]["mig_per_factor"]);
}

TEST_CASE("axial eval: an axial training directory adds the decoder axis alignment and its config") {
  torch::set_num_threads(1);
  TempDir tmp;
  auto dir = tmp / "run";
  write_run_dir(dir, true);
  std::ofstream(dir / "config.json") << R"({"beta": 4, "gamma": 0.1, "seed": 11})";
  auto out = tmp / "eval";
  auto r = run_axial("eval --model " + q(dir) + " --out " + q(out) +
                     " --num-train 100 --num-test 50 --clusters 1 --cluster-size 50 --localities 0.1 --anchors 8 "
                     "--threads 1 --quiet");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json j = read_json(out / "results.json");
  CHECK(j["model"]["type"] == "axial-vae");
  CHECK(j["train_config"]["gamma"] == 0.1);
  const auto& m = j["metrics"];
  REQUIRE(m["decoder_axis_alignment"].is_number());
  CHECK(m["decoder_axis_alignment"].get<double>() >= 0.0);
  CHECK(m["decoder_axis_alignment"].get<double>() <= 1.0);
  CHECK(m["decoder_axis_alignment_per_anchor"].size() == 8);
  CHECK(m["axis_alignment"].is_number());
}

TEST_CASE("axial eval: encoders that do not fit are named before any work, nothing is written") {
  TempDir tmp;
  torch::jit::Module m("Rgb");
  m.register_parameter("w", torch::ones({4, 3, 4, 4}), false);
  m.define(R"(
def forward(self, x):
    return torch.conv2d(x, self.w, stride=[2, 2]).flatten(1)
)");
  m.save((tmp / "rgb.pt").string());
  auto out = tmp / "eval";
  auto r = run_axial("eval --model " + q(tmp / "rgb.pt") + " --out " + q(out) + " --quiet");
  CHECK(r.exit_code == 2);
  CHECK(r.err.rfind("axial: error: encoder '", 0) == 0);
  CHECK(r.err.find("expects 3 channel(s), the data set's images have 1") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_FALSE(fs::exists(out / "results.json"));

  torch::jit::Module nan("Nan");
  nan.define(R"(
def forward(self, x):
    return (x.flatten(1)[:, 0:4] - 2.0).log()
)");
  nan.save((tmp / "nan.pt").string());
  r = run_axial("eval --model " + q(tmp / "nan.pt") + " --out " + q(out) + " --quiet");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("non-finite code") != std::string::npos);
  CHECK_FALSE(fs::exists(out / "results.json"));
}

TEST_CASE("axial eval: bad options are one error line, exit 2") {
  TempDir tmp;
  auto enc = write_centroid_encoder(tmp.path);
  const std::string base = "eval --model " + q(enc) + " --out " + q(tmp / "o") + " ";
  for (const auto& [args, text] : std::vector<std::pair<std::string, std::string>>{
           {"--localities 0.1,1.5", "--localities: 1.5 is outside (0, 1]"},
           {"--localities 0.1,x", "--localities: 'x' is not a number"},
           {"--metrics mig,nope", "unknown metric 'nope'"},
           {"--protocol fancy", "--protocol 'fancy': unknown protocol"},
           {"--deny zz", "zz"},
           {"--dataset nope", "nope"},
           {"--batch-size 0", "--batch-size 0"},
           {"--device tpu", "--device 'tpu'"}}) {
    auto r = run_axial(base + args);
    INFO(args, " → ", r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.rfind("axial: error: ", 0) == 0);
    CHECK(r.err.find(text) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
  auto missing = run_axial("eval --model " + q(tmp / "nothing") + " --out " + q(tmp / "o"));
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("--model") != std::string::npos);
  auto empty_dir = tmp / "emptyrun";
  fs::create_directories(empty_dir);
  auto nodir = run_axial("eval --model " + q(empty_dir) + " --out " + q(tmp / "o"));
  CHECK(nodir.exit_code == 2);
  CHECK(nodir.err.find("model/encoder.pt") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "o"));
  auto help = run_axial("eval --help");
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--dump-samples") != std::string::npos);
}

TEST_CASE("axial eval: the data set defaults to the one the run was trained on, and a different --dataset is said") {
  torch::set_num_threads(1);
  TempDir tmp;
  auto dir = tmp / "run";
  write_run_dir(dir, false);
  const std::string spec = "dsprites=" + std::string(AXIAL_SHARED_DATA_DIR) + "/dsprites/dsprites_downsampled.npz";
  std::ofstream(dir / "config.json") << json{{"kind", "train"}, {"options", {{"dataset", spec}, {"seed", 3}}}}.dump();
  const std::string sizes =
      " --num-train 100 --num-test 50 --clusters 1 --cluster-size 50 --localities 1.0 --anchors 4 --threads 1";
  {
    auto r = run_axial("eval --model " + q(dir) + " --out " + q(tmp / "same") + sizes);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const json j = read_json(tmp / "same" / "results.json");
    CHECK(j["dataset"] == "dsprites");  // not three-dots: the run was trained on dSprites
    CHECK(j["dataset_spec"] == spec);
    CHECK(j["dataset_source"] == "training config");
    CHECK_FALSE(j.contains("dataset_warning"));
    CHECK(j["protocol"] == "custom");  // sizes overridden: not labelled as the paper protocol
    CHECK(r.err.find("from training config") != std::string::npos);
    CHECK(r.err.find("warning") == std::string::npos);
  }
  {
    auto r = run_axial("eval --model " + q(dir) + " --dataset three-dots --out " + q(tmp / "other") + sizes +
                       " --quiet");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const json j = read_json(tmp / "other" / "results.json");
    CHECK(j["dataset"] == "three-dots");
    CHECK(j["dataset_source"] == "--dataset");
    REQUIRE(j.contains("dataset_warning"));
    CHECK(j["dataset_warning"].get<std::string>().find("differs from the data set the model was trained on") !=
          std::string::npos);
    CHECK(r.err.find("axial: warning: --dataset 'three-dots' differs") == 0);
  }
}

TEST_CASE("axial eval: a (z_sample, mu, logvar) encoder is refused until --output-index chooses mu, and the AIcrowd "
          "layout is found") {
  torch::set_num_threads(1);
  TempDir tmp;
  // mu = the dots' centroid; z_sample = mu + noise (a fresh draw per call); logvar = 0.
  torch::jit::Module m("TupleEncoder");
  m.register_buffer("cols", torch::arange(64, torch::kFloat32).view({1, 64}).expand({64, 64}).contiguous());
  m.register_buffer("rows", torch::arange(64, torch::kFloat32).view({64, 1}).expand({64, 64}).contiguous());
  m.define(R"(
def forward(self, x):
    d = 1.0 - x[:, 0]
    mass = d.sum(dim=[1, 2])
    mu = torch.stack([(d * self.cols).sum(dim=[1, 2]) / mass, (d * self.rows).sum(dim=[1, 2]) / mass], dim=1)
    return (mu + torch.randn_like(mu), mu, torch.zeros_like(mu))
)");
  fs::create_directories(tmp / "submission" / "representation");
  const auto enc = tmp / "submission" / "representation" / "pytorch_model.pt";
  m.save(enc.string());
  auto refused = run_axial("eval --model " + q(tmp / "submission") + " --out " + q(tmp / "e1") + " " + kReduced);
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("ambiguous") != std::string::npos);
  CHECK(refused.err.find("--output-index") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "e1"));
  auto sampled = run_axial("eval --model " + q(enc) + " --output-index 0 --out " + q(tmp / "e0") + " " + kReduced);
  CHECK(sampled.exit_code == 2);
  CHECK(sampled.err.find("stochastic") != std::string::npos);
  auto mu = run_axial("eval --model " + q(tmp / "submission") + " --output-index 1 --out " + q(tmp / "e2") + " " +
                      kReduced);
  INFO(mu.err);
  REQUIRE(mu.exit_code == 0);
  const json j = read_json(tmp / "e2" / "results.json");
  CHECK(j["model"]["encoder"] == enc.string());
  CHECK(j["model"]["note"].get<std::string>().find("element 1") != std::string::npos);
  CHECK(j["settings"]["encoder"]["output_index"] == 1);
  // The same numbers as the plain centroid encoder (mu alone).
  auto plain = run_axial("eval --model " + q(write_centroid_encoder(tmp.path)) + " --out " + q(tmp / "e3") + " " +
                         kReduced);
  REQUIRE(plain.exit_code == 0);
  const json p = read_json(tmp / "e3" / "results.json");
  CHECK(j["metrics"]["mig"].get<double>() == p["metrics"]["mig"].get<double>());
  CHECK_FALSE(p["settings"].contains("encoder"));
}

TEST_CASE("axial eval: an --out that already holds results is refused unless --force, and kept intact") {
  TempDir tmp;
  const auto enc = write_centroid_encoder(tmp.path);
  const std::string cmd = "eval --model " + q(enc) + " --out " + q(tmp / "e") + " " + kReduced;
  REQUIRE(run_axial(cmd).exit_code == 0);
  const std::string before = axial::test::slurp(tmp / "e" / "results.json");
  auto again = run_axial(cmd + " --seed 5");
  CHECK(again.exit_code == 2);
  CHECK(again.err.find("already holds results.json (pass --force") != std::string::npos);
  CHECK(axial::test::slurp(tmp / "e" / "results.json") == before);
  auto forced = run_axial(cmd + " --seed 5 --force");
  CHECK(forced.exit_code == 0);
  CHECK(read_json(tmp / "e" / "results.json")["seed"] == 5);
}

TEST_CASE("axial score --rows train re-scores an eval dump to the eval's MIG and modularity, without Python") {
  TempDir tmp;
  const auto enc = write_centroid_encoder(tmp.path);
  auto r = run_axial("eval --model " + q(enc) + " --out " + q(tmp / "e") + " --dump-samples " + q(tmp / "d.h5") +
                     " " + kReduced);
  REQUIRE(r.exit_code == 0);
  const json ev = read_json(tmp / "e" / "results.json");
  auto s = run_axial("score --codes " + q(tmp / "d.h5") + " --rows train --metrics mig,modularity");
  INFO(s.err);
  REQUIRE(s.exit_code == 0);
  const json sc = json::parse(s.out);
  CHECK(sc["n"] == 300);  // --num-train 300 of the 450 dumped rows
  CHECK(sc["mig"].get<double>() == ev["metrics"]["mig"].get<double>());
  CHECK(sc["modularity"].get<double>() == ev["metrics"]["modularity"].get<double>());
  CHECK(sc["rows"] == "train");
  auto slice = run_axial("score --codes " + q(tmp / "d.h5") + " --rows 10:20 --metrics mig");
  REQUIRE(slice.exit_code == 0);
  CHECK(json::parse(slice.out)["n"] == 10);
  auto bad = run_axial("score --codes " + q(tmp / "d.h5") + " --rows 400:500 --metrics mig");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--rows 400:500") != std::string::npos);
}

TEST_CASE("axial eval: FactorVAE and BetaVAE scores equal the metric cores on what --dump-samples wrote") {
  TempDir tmp;
  auto enc = write_centroid_encoder(tmp.path);
  auto out = tmp / "eval";
  auto dump = tmp / "samples.h5";
  auto r = run_axial("eval --model " + q(enc) + " --out " + q(out) + " --dump-samples " + q(dump) +
                     " --num-train 100 --num-test 50 --clusters 0 --anchors 0 --threads 1 --quiet "
                     "--metrics mig,factor_vae,beta_vae --factor-vae-variance-points 300 --factor-vae-train-votes 40 "
                     "--factor-vae-eval-votes 20 --beta-vae-train-points 60 --beta-vae-eval-points 30 "
                     "--pair-batch-size 16");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json j = read_json(out / "results.json");
  CHECK(j["protocol"] == "custom");
  CHECK(j["settings"]["factor_vae_train_votes"] == 40);
  const json& m = j["metrics"];
  // The centroid codes have a spread of pixels, far above the 0.05 prune threshold.
  CHECK(m["factor_vae_active_dims"] == 2);
  axial::h5::File f = axial::h5::File::open_read(dump);
  CHECK(f.shape("/factor_vae/variance_codes") == std::vector<std::int64_t>{300, 2});
  CHECK(f.shape("/factor_vae/train_codes") == std::vector<std::int64_t>{40, 16, 2});
  CHECK(f.shape("/factor_vae/eval_factor") == std::vector<std::int64_t>{20});
  CHECK(f.shape("/beta_vae/train_features") == std::vector<std::int64_t>{60, 2});
  CHECK(f.shape("/beta_vae/eval_labels") == std::vector<std::int64_t>{30});
  auto codes = [&](const std::string& key) {  // (…, L) float32 rows → L×N
    const auto v = f.read<float>(key);
    axial::CodeMatrix z(2, static_cast<Eigen::Index>(v.size() / 2));
    for (Eigen::Index i = 0; i < z.size(); ++i) z.data()[i] = v[static_cast<std::size_t>(i)];
    return z;
  };
  const auto tk = f.read<std::int64_t>("/factor_vae/train_factor"), ek = f.read<std::int64_t>("/factor_vae/eval_factor");
  for (auto k : tk) CHECK((k >= 0 && k < 6));
  const axial::FactorVaeResult fv =
      axial::factor_vae_score(codes("/factor_vae/variance_codes"), codes("/factor_vae/train_codes"), tk,
                              codes("/factor_vae/eval_codes"), ek, 16, 6, axial::Precision::Float32);
  CHECK(fv.train_accuracy == m["factor_vae_train_accuracy"].get<double>());
  CHECK(fv.eval_accuracy == m["factor_vae_eval_accuracy"].get<double>());
  auto features = [&](const std::string& key) {
    const auto v = f.read<double>(key);
    return Eigen::Map<const Eigen::MatrixXd>(v.data(), 2, static_cast<Eigen::Index>(v.size() / 2)).eval();
  };
  const axial::BetaVaeResult bv =
      axial::beta_vae_score(features("/beta_vae/train_features"), f.read<std::int64_t>("/beta_vae/train_labels"),
                            features("/beta_vae/eval_features"), f.read<std::int64_t>("/beta_vae/eval_labels"));
  CHECK(bv.train_accuracy == m["beta_vae_train_accuracy"].get<double>());
  CHECK(bv.eval_accuracy == m["beta_vae_eval_accuracy"].get<double>());
  // Mean |z1 − z2| is non-negative.
  CHECK(features("/beta_vae/train_features").minCoeff() >= 0.0);
}

TEST_CASE("axial eval --protocol dlib: disentanglement_lib's menu and sizes, labelled dlib") {
  TempDir tmp;
  // Bad sizes are named before any work.
  auto bad = run_axial("eval --model " + q(write_centroid_encoder(tmp.path)) + " --out " + q(tmp / "e") +
                       " --protocol dlib --pair-batch-size 1");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--pair-batch-size") != std::string::npos);
  auto unknown = run_axial("eval --model " + q(write_centroid_encoder(tmp.path)) + " --out " + q(tmp / "e") +
                           " --metrics mig,factorvae");
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("factor_vae, beta_vae") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "e"));
}
