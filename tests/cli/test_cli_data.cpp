// `axial data generate|sample|info` end to end, and the bad inputs of issue 2 §6: one line `axial: error: …`,
// exit 2, no output file.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "datasets/h5_util.hpp"
#include "tests/support/run_axial.hpp"

#include <doctest/doctest.h>

using axial::test::run_axial;
using axial::test::TempDir;

namespace {

using axial::test::q;

int count_lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

// The failure contract: exit 2, exactly one stderr line starting "axial: error:", and the output file absent.
void expect_error(const std::string& args, const std::filesystem::path& out, const std::string& fragment) {
  auto r = run_axial(args);
  CAPTURE(args);
  CAPTURE(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.rfind("axial: error: ", 0) == 0);
  CHECK(count_lines(r.err) == 1);
  CHECK(r.err.find(fragment) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
  // Nor a temporary file beside it.
  for (const auto& e : std::filesystem::directory_iterator(out.parent_path()))
    CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
}

void write_text(const std::filesystem::path& p, const std::string& s) { std::ofstream(p) << s; }

}  // namespace

TEST_CASE("axial data generate: random rows, deterministic by seed, readable by info") {
  TempDir tmp;
  auto r = run_axial("data generate three-dots --num 20 --seed 3 --out " + q(tmp / "a.h5"));
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
  REQUIRE(run_axial("data generate three-dots --num 20 --seed 3 --quiet --out " + q(tmp / "b.h5")).exit_code == 0);
  REQUIRE(run_axial("data generate three-dots --num 20 --seed 4 --out " + q(tmp / "c.h5")).exit_code == 0);
  auto fa = axial::h5::File::open_read(tmp / "a.h5");
  auto fb = axial::h5::File::open_read(tmp / "b.h5");
  auto fc = axial::h5::File::open_read(tmp / "c.h5");
  CHECK(fa.shape("images") == std::vector<std::int64_t>{20, 64, 64, 1});
  CHECK(fa.shape("factors") == std::vector<std::int64_t>{20, 6});
  CHECK(fa.read<std::int64_t>("factors") == fb.read<std::int64_t>("factors"));
  CHECK(fa.read<float>("images") == fb.read<float>("images"));
  CHECK(fa.read<std::int64_t>("factors") != fc.read<std::int64_t>("factors"));
  CHECK(fa.read_attr_uint("/", "seed") == 3);
  CHECK(fa.read_attr_string("/", "dataset") == "three-dots");
  CHECK(fa.read_attr_strings("/", "factor_names") == std::vector<std::string>{"x0", "y0", "x1", "y1", "x2", "y2"});
  CHECK(fa.read_attr_ints("/", "factor_sizes") == std::vector<std::int64_t>(6, 64));
  CHECK(fa.has_attr("/", "axial_version"));
  auto info = run_axial("data info " + q(tmp / "a.h5"));
  CHECK(info.exit_code == 0);
  CHECK(info.out.find("three-dots") != std::string::npos);
  CHECK(info.out.find("(20, 64, 64, 1)") != std::string::npos);
  CHECK(info.out.find("seed 3") != std::string::npos);
  CHECK(info.out.find("x0") != std::string::npos);
  CHECK(info.out.find("max 1") != std::string::npos);
  // info on a name prints the generic description.
  auto gen = run_axial("data info three-dots");
  CHECK(gen.exit_code == 0);
  CHECK(gen.out.find("combinations: all 68719476736") != std::string::npos);  // 64^6
}

TEST_CASE("axial data generate --factors: CSV and HDF5 rows") {
  TempDir tmp;
  write_text(tmp / "rows.csv", "x0,y0,x1,y1,x2,y2\n0,0,63,63,31,31\n10,20,30,40,50,60\n");
  auto r = run_axial("data generate three-dots --factors " + q(tmp / "rows.csv") + " --out " + q(tmp / "o.h5"));
  REQUIRE(r.exit_code == 0);
  auto f = axial::h5::File::open_read(tmp / "o.h5");
  CHECK(f.read<std::int64_t>("factors") == std::vector<std::int64_t>{0, 0, 63, 63, 31, 31, 10, 20, 30, 40, 50, 60});
  CHECK_FALSE(f.has_attr("/", "seed"));
  auto img = f.read<float>("images");
  CHECK(img[0] == 0.0f);                 // pixel (0,0) under the dot at (0,0)
  CHECK(img[64 * 64 - 1] == 0.0f);       // pixel (63,63) under the dot at (63,63)
  CHECK(img[10 * 64 + 50] == 1.0f);      // far from every dot
  // y0..y5 header, and the rows of an .h5 file.
  write_text(tmp / "rows2.csv", "y0,y1,y2,y3,y4,y5\n10,20,30,40,50,60\n");
  REQUIRE(run_axial("data generate three-dots --factors " + q(tmp / "rows2.csv") + " --out " + q(tmp / "o2.h5")).exit_code == 0);
  REQUIRE(run_axial("data generate three-dots --factors " + q(tmp / "o.h5") + " --out " + q(tmp / "o3.h5")).exit_code == 0);
  // Whole numbers stored as floats (numpy's default) are accepted; fractions are not.
  {
    auto f = axial::h5::File::create(tmp / "float.h5");
    f.write<double>("factors", {1, 6}, std::vector<double>{10, 20, 30, 40, 50, 60});
    f.close();
    auto g = axial::h5::File::create(tmp / "frac.h5");
    g.write<double>("factors", {1, 6}, std::vector<double>{10, 20, 30.5, 40, 50, 60});
    g.close();
  }
  REQUIRE(run_axial("data generate three-dots --factors " + q(tmp / "float.h5") + " --out " + q(tmp / "o4.h5")).exit_code == 0);
  auto frac = run_axial("data generate three-dots --factors " + q(tmp / "frac.h5") + " --out " + q(tmp / "o5.h5"));
  CHECK(frac.exit_code == 2);
  CHECK(frac.err.find("30.5") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(tmp / "o5.h5"));
  auto f4 = axial::h5::File::open_read(tmp / "o4.h5");
  CHECK(f4.read<std::int64_t>("factors") == std::vector<std::int64_t>{10, 20, 30, 40, 50, 60});
  auto f2 = axial::h5::File::open_read(tmp / "o2.h5");
  auto f3 = axial::h5::File::open_read(tmp / "o3.h5");
  CHECK(f3.read<float>("images") == img);
  auto img2 = f2.read<float>("images");
  CHECK(std::equal(img2.begin(), img2.end(), img.begin() + 4096));
}

TEST_CASE("axial data sample: clusters, centroids, windows") {
  TempDir tmp;
  auto r = run_axial("data sample three-dots --locality 0.1 --clusters 3 --num 40 --seed 1 --deny y2 --out " +
                     q(tmp / "s.h5"));
  REQUIRE(r.exit_code == 0);
  auto f = axial::h5::File::open_read(tmp / "s.h5");
  CHECK(f.read_attr_ints("/", "radii") == std::vector<std::int64_t>{6, 6, 6, 6, 6, 0});  // floor(64·0.1), y2 denied
  for (int c = 0; c < 3; ++c) {
    const std::string g = "cluster_" + std::to_string(c);
    REQUIRE(f.is_dataset(g + "/factors"));
    CHECK(f.shape(g + "/images") == std::vector<std::int64_t>{40, 64, 64, 1});
    auto centroid = f.read_attr_ints(g, "centroid");
    REQUIRE(centroid.size() == 6);
    auto rows = f.read<std::int64_t>(g + "/factors");
    for (std::size_t j = 0; j < 40; ++j)
      for (std::size_t i = 0; i < 6; ++i) {
        const auto v = rows[j * 6 + i], ctr = centroid[i];
        CHECK(v >= std::max<std::int64_t>(0, ctr - (i == 5 ? 0 : 6)));
        CHECK(v <= std::min<std::int64_t>(63, ctr + (i == 5 ? 0 : 6)));
      }
  }
  auto info = run_axial("data info " + q(tmp / "s.h5"));
  CHECK(info.exit_code == 0);
  CHECK(info.out.find("cluster_2") != std::string::npos);
  CHECK(info.out.find("centroid") != std::string::npos);
}

TEST_CASE("axial data: bad inputs are one error line, exit 2, no output file") {
  TempDir tmp;
  const auto out = tmp / "out.h5";
  const std::string o = " --out " + q(out);
  expect_error("data generate three-dots --factors " + q(tmp / "missing.csv") + o, out, "missing.csv");
  write_text(tmp / "range.csv", "x0,y0,x1,y1,x2,y2\n1,2,3,4,5,6\n0,0,64,0,0,0\n");
  expect_error("data generate three-dots --factors " + q(tmp / "range.csv") + o, out, "row 1: factor x1 = 64");
  write_text(tmp / "width.csv", "x0,y0,x1,y1,x2,y2\n1,2,3,4,5,6\n1,2,3,4,5,6\n1,2,3,4,5\n");
  expect_error("data generate three-dots --factors " + q(tmp / "width.csv") + o, out, "(row 2): 5 values, expected 6");
  write_text(tmp / "header.csv", "a,b,c,d,e,f\n1,2,3,4,5,6\n");
  expect_error("data generate three-dots --factors " + q(tmp / "header.csv") + o, out, "header");
  write_text(tmp / "text.csv", "x0,y0,x1,y1,x2,y2\n1,2,3,4,5,six\n");
  expect_error("data generate three-dots --factors " + q(tmp / "text.csv") + o, out, "'six'");
  {
    auto f = axial::h5::File::create(tmp / "five.h5");
    f.write<std::int64_t>("factors", {1, 5}, std::vector<std::int64_t>{1, 2, 3, 4, 5});
    f.close();
  }
  expect_error("data generate three-dots --factors " + q(tmp / "five.h5") + o, out, "5 values, expected 6");
  expect_error("data generate three-dots --num -5" + o, out, "--num -5");
  expect_error("data generate four-dots --num 5" + o, out, "valid: three-dots");
  expect_error("data sample four-dots --num 5" + o, out, "valid: three-dots");
  expect_error("data generate three-dots" + o, out, "--num");
  expect_error("data generate three-dots --num 5 --factors " + q(tmp / "range.csv") + o, out, "exactly one");
  expect_error("data sample three-dots --num -1" + o, out, "--num -1");
  expect_error("data generate three-dots --num 5 --seed -1" + o, out, "--seed -1");
  expect_error("data sample three-dots --num 5 --locality 0" + o, out, "locality 0");
  expect_error("data sample three-dots --num 5 --locality 1.5" + o, out, "locality 1.5");
  expect_error("data sample three-dots --num 5 --cutoff 0" + o, out, "cutoff 0");
  expect_error("data sample three-dots --num 5 --clusters 0" + o, out, "--clusters 0");
  expect_error("data sample three-dots --num 5 --deny z9" + o, out, "'z9'");
  expect_error("data info " + q(tmp / "nothing.h5"), out, "nothing.h5");
  expect_error("data frobnicate", out, "frobnicate");
  expect_error("data generate three-dots --num 5 --out " + q(tmp / "no_dir" / "x.h5"), out, "no_dir");
}

TEST_CASE("axial data --help at every level") {
  for (const char* a : {"data --help", "data generate --help", "data sample --help", "data info --help"}) {
    auto r = run_axial(a);
    CAPTURE(a);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Usage: axial data") != std::string::npos);
  }
  auto r = run_axial("data");
  CHECK(r.exit_code == 2);
}
