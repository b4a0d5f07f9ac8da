// `axial score`: hand-derived values through the CLI, output formats, --clusters agreement with per-cluster runs,
// and bad input → one line naming file/key, exit 2, nothing written.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

#include "datasets/codes_file.hpp"
#include "tests/datasets/npz_fixture.hpp"
#include "tests/support/run_axial.hpp"

using axial::test::run_axial;
using axial::test::TempDir;
using nlohmann::json;

namespace {

// Two independent balanced bits, 8 rows; z0 = y0, z1 = y1, z2 = y0 (a duplicate of z0).
void write_bits_csv(const std::filesystem::path& p) {
  std::ofstream o(p);
  o << "z0,z1,z2,y0,y1\n";
  for (int i = 0; i < 8; ++i) {
    const int a = (i / 2) % 2, b = i % 2;
    o << a << "," << b << "," << a << "," << a << "," << b << "\n";
  }
}

using axial::test::q;

axial::LocalCluster make_cluster(int seed, int n) {
  axial::LocalCluster c;
  c.codes.resize(3, n);
  c.factors.resize(2, n);
  for (int i = 0; i < n; ++i) {
    c.factors(0, i) = (i * (seed + 1)) % 3;
    c.factors(1, i) = seed == 1 ? 4 : (i / 3) % 4;  // cluster 1 freezes factor 1
    c.codes(0, i) = c.factors(0, i) + 0.1 * std::sin(i + seed);
    c.codes(1, i) = c.factors(1, i) + 0.4 * std::cos(3.0 * i);
    c.codes(2, i) = std::sin(1.0 * i * i + seed);
  }
  return c;
}

}  // namespace

TEST_CASE("score a csv: MIG and modularity by hand") {
  // m = [[ln2, 0], [0, ln2], [ln2, 0]] (nats), H = [ln2, ln2].
  // Factor 0: two latents carry ln2 → gap 0; factor 1: gap 1 → MIG = 0.5. Every latent informs one factor → 1.
  TempDir tmp;
  write_bits_csv(tmp / "b.csv");
  const auto r = run_axial("score --codes " + q(tmp / "b.csv") + " --metrics mig,modularity");
  REQUIRE(r.exit_code == 0);
  const json j = json::parse(r.out);
  CHECK(j["mig"].get<double>() == doctest::Approx(0.5));
  CHECK(j["modularity"].get<double>() == doctest::Approx(1.0));
  CHECK(j["mutual_info"][0][0].get<double>() == doctest::Approx(std::log(2.0)));
  CHECK(j["factor_entropy"][1].get<double>() == doctest::Approx(std::log(2.0)));
  CHECK(j["mig_skipped_factors"].get<int>() == 0);
  CHECK(j["num_bins"].get<int>() == 20);
  CHECK(j["n"].get<int>() == 8);
  CHECK(j["l"].get<int>() == 3);
  CHECK(j["k"].get<int>() == 2);
  CHECK(j["input_sha256"].get<std::string>().size() == 64);
  CHECK(j.contains("axial_version"));
}

TEST_CASE("all four metrics, csv and md formats, atomic --out") {
  TempDir tmp;
  write_bits_csv(tmp / "b.csv");
  auto r = run_axial("score --codes " + q(tmp / "b.csv") + " --num-train 6 --out " + q(tmp / "s.json"));
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.empty());
  const json j = json::parse(axial::test::slurp(tmp / "s.json"));
  for (const char* key : {"mig", "mig_per_factor", "mig_skipped_factors", "modularity", "modularity_per_latent",
                          "explicitness_train", "explicitness_test", "sap", "mutual_info", "factor_entropy"})
    CHECK_MESSAGE(j.contains(key), key);
  r = run_axial("score --codes " + q(tmp / "b.csv") + " --metrics mig --format csv");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("metric,value,note\nmig,0.5,\n", 0) == 0);
  r = run_axial("score --codes " + q(tmp / "b.csv") + " --metrics modularity --format md");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("| modularity | 1 |") != std::string::npos);
}

TEST_CASE("--clusters equals per-cluster single runs") {
  TempDir tmp;
  std::vector<axial::LocalCluster> cs{make_cluster(0, 60), make_cluster(1, 60), make_cluster(2, 60)};
  axial::CodesFileContents c;
  c.cluster_groups.push_back({"", cs});
  c.cluster_precision = axial::Precision::Float64;
  axial::write_codes_h5(tmp / "cl.h5", c);
  auto r = run_axial("score --clusters " + q(tmp / "cl.h5"));
  REQUIRE(r.exit_code == 0);
  const json j = json::parse(r.out);
  double mig_sum = 0, mod_sum = 0;
  for (int i = 0; i < 3; ++i) {
    axial::CodesFileContents one;
    one.global = axial::CodesData{cs[i].codes, cs[i].factors, axial::Precision::Float64, std::nullopt};
    const auto path = tmp / ("c" + std::to_string(i) + ".h5");
    axial::write_codes_h5(path, one);
    const auto s = run_axial("score --codes " + q(path) + " --bins 5 --metrics mig,modularity");
    REQUIRE(s.exit_code == 0);
    const json k = json::parse(s.out);
    CHECK(j["local_mig_per_cluster"][i].get<double>() == k["mig"].get<double>());
    CHECK(j["local_modularity_per_cluster"][i].get<double>() == k["modularity"].get<double>());
    mig_sum += k["mig"].get<double>();
    mod_sum += k["modularity"].get<double>();
  }
  CHECK(j["local_mig"].get<double>() == doctest::Approx(mig_sum / 3));
  CHECK(j["local_modularity"].get<double>() == doctest::Approx(mod_sum / 3));
  CHECK(j["local_mig_skipped_factors_per_cluster"][1].get<int>() == 1);
  CHECK(j.contains("local_modularity_varying"));
}

TEST_CASE("bad input: one line naming file/key, exit 2, nothing written") {
  TempDir tmp;
  write_bits_csv(tmp / "b.csv");
  const auto out = tmp / "o.json";
  auto expect_error = [&](const std::string& args, const std::string& needle) {
    const auto r = run_axial(args + " --out " + q(out));
    CHECK_MESSAGE(r.exit_code == 2, args);
    CHECK_MESSAGE(r.err.find(needle) != std::string::npos, r.err);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_FALSE(std::filesystem::exists(out));
  };
  expect_error("score --codes " + q(tmp / "b.csv") + " --metrics mig,dcx", "valid: mig, modularity, explicitness, sap, dci, irs, unsupervised");
  expect_error("score --codes " + q(tmp / "missing.h5"), "missing.h5");
  {
    std::ofstream o(tmp / "nan.csv");
    o << "z0,z1,y0\n1,nan,0\n2,3,1\n";
  }
  expect_error("score --codes " + q(tmp / "nan.csv"), "z1");
  {
    std::ofstream o(tmp / "one.csv");
    o << "z0,z1,y0\n1,2,0\n";
  }
  expect_error("score --codes " + q(tmp / "one.csv"), "one.csv");
  {
    std::ofstream o(tmp / "l1.csv");
    o << "z0,y0\n1,0\n2,1\n";
  }
  expect_error("score --codes " + q(tmp / "l1.csv") + " --metrics mig", "at least 2");
  {
    std::ofstream o(tmp / "frac.csv");
    o << "z0,z1,y0\n1,2,0.5\n2,3,1\n";
  }
  expect_error("score --codes " + q(tmp / "frac.csv"), "y0");
  expect_error("score --codes " + q(tmp / "b.csv") + " --num-train 8", "split");
  expect_error("score --codes " + q(tmp / "b.csv") + " --train-fraction 0.5 --num-train 3", "mutually exclusive");
  {
    std::ofstream o(tmp / "empty.h5");
  }
  expect_error("score --clusters " + q(tmp / "b.csv"), "b.csv");
}

TEST_CASE("--help lists the metric registry") {
  const auto r = run_axial("score --help");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("--clusters") != std::string::npos);
  CHECK(r.out.find("explicitness") != std::string::npos);
}

TEST_CASE("axial score: disentanglement_lib's (num_codes, num_points) layout is refused, or read with --layout") {
  TempDir tmp;
  // The same 40 points written both ways: axial's (N, L) CSV and a (L, N) / (K, N) .h5 file, with L = K = 2.
  axial::CodesFileContents rows;
  axial::CodesData d;
  d.codes.resize(2, 40);
  d.factors.resize(2, 40);
  for (int n = 0; n < 40; ++n) {
    d.factors(0, n) = n % 4;
    d.factors(1, n) = (n / 4) % 5;
    d.codes(0, n) = d.factors(0, n) + 0.01 * n;
    d.codes(1, n) = d.factors(1, n) - 0.02 * n;
  }
  rows.global = d;
  axial::write_codes_h5(tmp / "rows.h5", rows);
  {
    // (L, N) and (K, N): an .npz the way disentanglement_lib holds mus/ys.
    std::string z, y;
    for (int l = 0; l < 2; ++l)
      for (int n = 0; n < 40; ++n) {
        const double v = d.codes(l, n);
        z.append(reinterpret_cast<const char*>(&v), sizeof v);
      }
    for (int k = 0; k < 2; ++k)
      for (int n = 0; n < 40; ++n) {
        const std::int64_t v = d.factors(k, n);
        y.append(reinterpret_cast<const char*>(&v), sizeof v);
      }
    axial::test::write_bytes(tmp / "cols.npz",
                             axial::test::zip_bytes({{"mus.npy", axial::test::npy_bytes("<f8", {2, 40}, z)},
                                                     {"ys.npy", axial::test::npy_bytes("<i8", {2, 40}, y)}}));
  }
  auto refused = run_axial("score --codes " + axial::test::q(tmp / "cols.npz") + " --metrics mig");
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("look like (num_codes, num_points)") != std::string::npos);
  CHECK(refused.out.empty());
  auto a = run_axial("score --codes " + axial::test::q(tmp / "rows.h5") + " --metrics mig,modularity");
  auto b = run_axial("score --codes " + axial::test::q(tmp / "cols.npz") +
                     " --layout codes-by-points --metrics mig,modularity");
  REQUIRE(a.exit_code == 0);
  REQUIRE(b.exit_code == 0);
  const json ja = json::parse(a.out), jb = json::parse(b.out);
  CHECK(ja["mig"].get<double>() == jb["mig"].get<double>());
  CHECK(ja["modularity"].get<double>() == jb["modularity"].get<double>());
  CHECK(jb["layout"] == "codes-by-points");
  CHECK(jb["n"] == 40);
}

TEST_CASE("axial score --clusters on an eval dump without --clusters-group lists the locality groups") {
  TempDir tmp;
  axial::CodesFileContents c;
  std::vector<axial::LocalCluster> clusters;
  for (int i = 0; i < 2; ++i) {
    axial::LocalCluster lc;
    lc.codes = Eigen::MatrixXd::Random(2, 10);
    lc.factors = axial::FactorMatrix::Zero(1, 10);
    for (int n = 0; n < 10; ++n) lc.factors(0, n) = n % 3;
    clusters.push_back(lc);
  }
  c.cluster_groups.push_back({"locality_0.1", clusters});
  c.cluster_groups.push_back({"locality_1", clusters});
  axial::write_codes_h5(tmp / "dump.h5", c);
  auto r = run_axial("score --clusters " + axial::test::q(tmp / "dump.h5"));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("locality_0.1, locality_1") != std::string::npos);
  CHECK(r.err.find("--clusters-group") != std::string::npos);
  auto ok = run_axial("score --clusters " + axial::test::q(tmp / "dump.h5") + " --clusters-group locality_1");
  CHECK(ok.exit_code == 0);
}

TEST_CASE("axial data info describes a codes file: points, latents, factors, training rows and cluster groups") {
  TempDir tmp;
  axial::CodesFileContents c;
  axial::CodesData d;
  d.codes.resize(3, 20);
  d.factors.resize(2, 20);
  for (int n = 0; n < 20; ++n) {
    d.codes(0, n) = n;
    d.codes(1, n) = -n;
    d.codes(2, n) = 0.5;
    d.factors(0, n) = n % 4;
    d.factors(1, n) = 7;
  }
  d.precision = axial::Precision::Float32;
  d.num_train = 15;
  c.global = d;
  c.cluster_groups.push_back({"locality_0.1", {{d.codes, d.factors}}});
  axial::write_codes_h5(tmp / "dump.h5", c);
  auto r = run_axial("data info " + axial::test::q(tmp / "dump.h5"));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("points: 20") != std::string::npos);
  CHECK(r.out.find("codes: 3 latents (float32)") != std::string::npos);
  CHECK(r.out.find("training rows: the first 15") != std::string::npos);
  CHECK(r.out.find("y0    4 values in 0..3") != std::string::npos);
  CHECK(r.out.find("y1    1 values in 7..7") != std::string::npos);
  CHECK(r.out.find("clusters in locality_0.1: 1") != std::string::npos);
}
