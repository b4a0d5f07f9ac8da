// Codes/factors files for `axial score`: .h5 round trip through the writer, .npz, .csv, cluster files, and the
// bad-input errors (each names the file and the key).
#include "tests/support/error_of.hpp"

#include <doctest/doctest.h>

#include <fstream>

#include "datasets/codes_file.hpp"
#include "datasets/h5_util.hpp"
#include "src/core/error.hpp"
#include "tests/datasets/npz_fixture.hpp"

using namespace axial;

namespace {

struct Tmp {
  std::filesystem::path dir;
  Tmp() {
    std::string t = (std::filesystem::temp_directory_path() / "axial-codes-XXXXXX").string();
    dir = mkdtemp(t.data());
  }
  ~Tmp() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::filesystem::path operator/(const std::string& n) const { return dir / n; }
};

CodesData sample(Eigen::Index n, double offset) {
  CodesData d;
  d.codes.resize(2, n);
  d.factors.resize(3, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    d.codes(0, i) = offset + 0.5 * static_cast<double>(i);
    d.codes(1, i) = -0.25 * static_cast<double>(i);
    d.factors(0, i) = i % 2;
    d.factors(1, i) = -7;
    d.factors(2, i) = i;
  }
  return d;
}

using axial::test::error_of;

}  // namespace

TEST_CASE("h5 writer → reader round trip (global + clusters under a parent group)") {
  Tmp tmp;
  CodesFileContents c;
  c.global = sample(5, 1.0);
  c.global->precision = Precision::Float64;
  std::vector<LocalCluster> clusters;
  for (int i = 0; i < 3; ++i) {
    CodesData s = sample(4 + i, i);
    clusters.push_back({s.codes, s.factors});
  }
  c.cluster_groups.push_back({"", clusters});
  c.cluster_groups.push_back({"locality_0.1", clusters});
  c.cluster_precision = Precision::Float32;
  write_codes_h5(tmp / "s.h5", c);

  const CodesData g = read_codes_file(tmp / "s.h5");
  CHECK(g.codes == c.global->codes);
  CHECK(g.factors == c.global->factors);
  CHECK(g.precision == Precision::Float64);
  for (const std::string group : {"", "locality_0.1"}) {
    const ClusterSet set = read_clusters_file(tmp / "s.h5", group);
    REQUIRE(set.clusters.size() == 3);
    CHECK(set.precision == Precision::Float32);
    for (int i = 0; i < 3; ++i) {
      CHECK(set.clusters[i].codes == clusters[i].codes.cast<float>().cast<double>());
      CHECK(set.clusters[i].factors == clusters[i].factors);
    }
  }
  // The on-disk layout is (N, L) rows: codes[1][0] = sample 1, latent 0.
  const auto f = h5::File::open_read(tmp / "s.h5");
  CHECK(f.shape("codes") == std::vector<std::int64_t>{5, 2});
  CHECK(f.read<double>("codes")[2] == c.global->codes(0, 1));
  CHECK_THROWS_AS(read_clusters_file(tmp / "s.h5", "nope"), Error);
}

TEST_CASE("csv reader") {
  Tmp tmp;
  {
    std::ofstream o(tmp / "c.csv");
    o << "z0,z1,y0\n0.5,1.5,3\n-1,2e-3,4\n";
  }
  const CodesData d = read_codes_file(tmp / "c.csv");
  CHECK(d.codes.rows() == 2);
  CHECK(d.codes.cols() == 2);
  CHECK(d.codes(1, 1) == 2e-3);
  CHECK(d.factors(0, 1) == 4);
  {
    std::ofstream o(tmp / "bad.csv");
    o << "z0,z1,y0\n0.5,1.5,3.5\n";
  }
  CHECK(error_of([&] { read_codes_file(tmp / "bad.csv"); }).find("'y0'") != std::string::npos);
  {
    std::ofstream o(tmp / "nan.csv");
    o << "z0,y0\nnan,1\n";
  }
  CHECK(error_of([&] { read_codes_file(tmp / "nan.csv"); }).find("'z0'") != std::string::npos);
  {
    std::ofstream o(tmp / "hdr.csv");
    o << "a,b\n1,2\n";
  }
  CHECK(error_of([&] { read_codes_file(tmp / "hdr.csv"); }).find("header") != std::string::npos);
}

TEST_CASE("npz reader: codes/factors and codes_i/factors_i") {
  Tmp tmp;
  const std::vector<float> z{0.f, 1.f, 2.f, 3.f, 4.f, 5.f};  // (3, 2)
  const std::vector<std::int32_t> y{1, 2, 3};                 // (3,)
  test::write_bytes(tmp / "a.npz",
                    test::zip_bytes({{"codes.npy", test::npy_bytes("<f4", {3, 2}, test::raw_bytes(z))},
                                     {"factors.npy", test::npy_bytes("<i4", {3}, test::raw_bytes(y)), true}}));
  const CodesData d = read_codes_file(tmp / "a.npz");
  CHECK(d.precision == Precision::Float32);
  CHECK(d.codes.rows() == 2);
  CHECK(d.codes(1, 2) == 5.0);
  CHECK(d.factors.rows() == 1);
  CHECK(d.factors(0, 2) == 3);
  test::write_bytes(tmp / "c.npz",
                    test::zip_bytes({{"codes_0.npy", test::npy_bytes("<f4", {3, 2}, test::raw_bytes(z))},
                                     {"factors_0.npy", test::npy_bytes("<i4", {3}, test::raw_bytes(y))}}));
  CHECK(read_clusters_file(tmp / "c.npz").clusters.size() == 1);
  const std::vector<float> half{0.5f, 1.f, 2.f, 3.f, 4.f, 5.f};
  test::write_bytes(tmp / "f.npz",
                    test::zip_bytes({{"codes.npy", test::npy_bytes("<f4", {3, 2}, test::raw_bytes(z))},
                                     {"factors.npy", test::npy_bytes("<f4", {3, 2}, test::raw_bytes(half))}}));
  CHECK(error_of([&] { read_codes_file(tmp / "f.npz"); }).find("factors") != std::string::npos);
}

TEST_CASE("bad h5 inputs name the file and the key") {
  Tmp tmp;
  {
    auto f = h5::File::create(tmp / "m.h5");
    const std::vector<double> z{0, 1, 2, 3};
    f.write<double>("codes", {2, 2}, z);
  }
  std::string e = error_of([&] { read_codes_file(tmp / "m.h5"); });
  CHECK(e.find("m.h5") != std::string::npos);
  CHECK(e.find("factors") != std::string::npos);
  {
    auto f = h5::File::create(tmp / "f.h5");
    const std::vector<double> z{0, 1, 2, 3};
    f.write<double>("codes", {2, 2}, z);
    f.write<double>("factors", {2, 1}, std::vector<double>{0.5, 1});
  }
  CHECK(error_of([&] { read_codes_file(tmp / "f.h5"); }).find("integer") != std::string::npos);
  {
    auto f = h5::File::create(tmp / "r.h5");
    f.write<double>("codes", {2, 2}, std::vector<double>{0, 1, 2, 3});
    f.write<std::int64_t>("factors", {3, 1}, std::vector<std::int64_t>{0, 1, 1});
  }
  CHECK(error_of([&] { read_codes_file(tmp / "r.h5"); }).find("rows") != std::string::npos);
  {
    auto f = h5::File::create(tmp / "n.h5");
    f.write<double>("codes", {2, 1}, std::vector<double>{0, std::nan("")});
    f.write<std::int64_t>("factors", {2, 1}, std::vector<std::int64_t>{0, 1});
  }
  CHECK(error_of([&] { read_codes_file(tmp / "n.h5"); }).find("non-finite") != std::string::npos);
  {
    auto f = h5::File::create(tmp / "g.h5");
    f.create_group("cluster_1");
  }
  CHECK(error_of([&] { read_clusters_file(tmp / "g.h5"); }).find("cluster_0") != std::string::npos);
  CHECK_THROWS_AS(read_codes_file(tmp / "missing.h5"), Error);
  CHECK_THROWS_AS(read_codes_file(tmp / "x.txt"), Error);
}

TEST_CASE("codes files as numpy users write them: float labels, mus/ys, keys, and a missing key lists the members") {
  Tmp tmp;
  const std::vector<float> z{0.f, 1.f, 2.f, 3.f, 4.f, 5.f, 6.f, 7.f};  // (4, 2)
  const std::vector<double> yf{1, 0, 2, 1};                             // (4,) float labels, exact integers
  test::write_bytes(tmp / "dlib.npz",
                    test::zip_bytes({{"mus.npy", test::npy_bytes("<f4", {4, 2}, test::raw_bytes(z))},
                                     {"ys.npy", test::npy_bytes("<f8", {4}, test::raw_bytes(yf))}}));
  const CodesData d = read_codes_file(tmp / "dlib.npz");
  CHECK(d.codes.cols() == 4);
  CHECK(d.codes(1, 3) == 7.0);
  for (int i = 0; i < 4; ++i) CHECK(d.factors(0, i) == static_cast<std::int64_t>(yf[std::size_t(i)]));
  // Other names: chosen by key; a wrong key lists what is there.
  test::write_bytes(tmp / "named.npz",
                    test::zip_bytes({{"z_mean.npy", test::npy_bytes("<f4", {4, 2}, test::raw_bytes(z))},
                                     {"labels.npy", test::npy_bytes("<f8", {4}, test::raw_bytes(yf))}}));
  const std::string missing = error_of([&] { read_codes_file(tmp / "named.npz"); });
  CHECK(missing.find("'codes' or 'mus' not found") != std::string::npos);
  CHECK(missing.find("z_mean, labels") != std::string::npos);
  CHECK(missing.find("--codes-key") != std::string::npos);
  CodesReadOptions o;
  o.codes_key = "z_mean";
  o.factors_key = "labels";
  CHECK(read_codes_file(tmp / "named.npz", o).codes(0, 2) == 4.0);
  o.factors_key = "nope";
  CHECK(error_of([&] { read_codes_file(tmp / "named.npz", o); }).find("no member 'nope'") != std::string::npos);
  // float16 codes are refused with what to do.
  const std::vector<std::uint16_t> h(8, 0x3c00);  // 1.0 in float16
  test::write_bytes(tmp / "h.npz",
                    test::zip_bytes({{"codes.npy", test::npy_bytes("<f2", {4, 2}, test::raw_bytes(h))},
                                     {"factors.npy", test::npy_bytes("<f8", {4}, test::raw_bytes(yf))}}));
  CHECK(error_of([&] { read_codes_file(tmp / "h.npz"); }).find("float16") != std::string::npos);
}

TEST_CASE("codes files: a (num_codes, num_points) layout is refused by default and read with codes-by-points") {
  Tmp tmp;
  // disentanglement_lib's layout with L = K = 2 latents/factors and N = 5 points: codes[l][n] = 10 l + n,
  // factors[k][n] = n % (k + 2).
  std::vector<double> z;
  std::vector<std::int64_t> y;
  for (int l = 0; l < 2; ++l)
    for (int n = 0; n < 5; ++n) z.push_back(10.0 * l + n);
  for (int k = 0; k < 2; ++k)
    for (int n = 0; n < 5; ++n) y.push_back(n % (k + 2));
  test::write_bytes(tmp / "t.npz",
                    test::zip_bytes({{"codes.npy", test::npy_bytes("<f8", {2, 5}, test::raw_bytes(z))},
                                     {"factors.npy", test::npy_bytes("<i8", {2, 5}, test::raw_bytes(y))}}));
  const std::string msg = error_of([&] { read_codes_file(tmp / "t.npz"); });
  CHECK(msg.find("look like (num_codes, num_points)") != std::string::npos);
  CHECK(msg.find("--layout codes-by-points") != std::string::npos);
  CodesReadOptions o;
  o.layout = CodesLayout::kCodesByPoints;
  const CodesData d = read_codes_file(tmp / "t.npz", o);
  REQUIRE(d.codes.rows() == 2);
  REQUIRE(d.codes.cols() == 5);
  for (int l = 0; l < 2; ++l)
    for (int n = 0; n < 5; ++n) CHECK(d.codes(l, n) == 10.0 * l + n);
  for (int k = 0; k < 2; ++k)
    for (int n = 0; n < 5; ++n) CHECK(d.factors(k, n) == n % (k + 2));
  // The same arrays declared as rows = samples are taken as given.
  o.layout = CodesLayout::kPointsByCodes;
  CHECK(read_codes_file(tmp / "t.npz", o).codes.cols() == 2);
  // Row counts that differ while column counts agree: transposed codes beside axial-layout factors.
  std::vector<std::int64_t> y5(5, 1);
  test::write_bytes(tmp / "m.npz",
                    test::zip_bytes({{"codes.npy", test::npy_bytes("<f8", {2, 5}, test::raw_bytes(z))},
                                     {"factors.npy", test::npy_bytes("<i8", {5}, test::raw_bytes(y5))}}));
  CHECK(error_of([&] { read_codes_file(tmp / "m.npz"); }).find("look like (num_codes, num_points)") !=
        std::string::npos);
  CHECK(parse_codes_layout("codes-by-points") == CodesLayout::kCodesByPoints);
  CHECK(error_of([] { parse_codes_layout("rows"); }).find("--layout 'rows'") == 0);
}

TEST_CASE("csv: the '# ' header np.savetxt writes, and a headerless file with --num-latents") {
  Tmp tmp;
  {
    std::ofstream o(tmp / "saved.csv");
    o << "# z0,z1,y0\n0.5,1.5,2\n2.5,3.5,4\n";
  }
  const CodesData a = read_codes_file(tmp / "saved.csv");
  CHECK(a.codes.rows() == 2);
  CHECK(a.codes(1, 1) == 3.5);
  CHECK(a.factors(0, 1) == 4);
  {
    std::ofstream o(tmp / "bare.csv");
    o << "0.5,1.5,2\n2.5,3.5,4\n";
  }
  CHECK(error_of([&] { read_codes_file(tmp / "bare.csv"); }).find("pass --num-latents L") != std::string::npos);
  CodesReadOptions o;
  o.num_latents = 2;
  const CodesData b = read_codes_file(tmp / "bare.csv", o);
  CHECK(b.codes.cols() == 2);  // the first line is data, not a header
  CHECK(b.codes(0, 0) == 0.5);
  CHECK(b.factors(0, 1) == 4);
  o.num_latents = 3;
  CHECK(error_of([&] { read_codes_file(tmp / "bare.csv", o); }).find("leaves no factor column") != std::string::npos);
  o.num_latents = 1;
  CHECK(error_of([&] { read_codes_file(tmp / "saved.csv", o); }).find("header has 2 code columns") !=
        std::string::npos);
}
