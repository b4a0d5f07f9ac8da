// CLI: distributed data-set files through `axial data info`, `axial data convert` and NAME=PATH specs; bad files
// give one error line naming the file and key, exit 2, and leave no output behind.
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "datasets/native_h5.hpp"
#include "tests/support/run_axial.hpp"
#include "tests/datasets/npz_fixture.hpp"

#include <doctest/doctest.h>

using axial::test::run_axial;

namespace {

const std::string kSubset = std::string(AXIAL_SHARED_DATA_DIR) + "/dsprites/dsprites_subset.npz";

int lines(const std::string& s) { return int(std::count(s.begin(), s.end(), '\n')); }

// A tiny official-layout dSprites file: shape 3 × posX 2, 2×2 images; image i = pattern (i + 1) in 4 bits.
void write_tiny_dsprites(const std::filesystem::path& p, bool deflate) {
  std::vector<std::int64_t> classes;
  std::vector<std::uint8_t> imgs;
  for (int i = 0; i < 6; ++i) {
    for (std::int64_t v : {0, i / 2, 0, 0, i % 2, 0}) classes.push_back(v);
    for (int b = 0; b < 4; ++b) imgs.push_back(std::uint8_t(((i + 1) >> b) & 1));
  }
  axial::test::write_dsprites_npz(p, imgs, 6, 2, 2, classes, 6, deflate);
}

}  // namespace

TEST_CASE("data info dsprites=PATH on the real subset says it is a subset") {
  auto r = run_axial("data info 'dsprites=" + kSubset + "'");
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.find("dsprites") != std::string::npos);
  CHECK(r.out.find("20000 of 737280") != std::string::npos);
  CHECK(r.out.find("shape") != std::string::npos);
}

TEST_CASE("data convert: dSprites npz (stored and deflated) → native h5 with the same rows and pixels") {
  axial::test::FixtureDir dir;
  for (bool deflate : {false, true}) {
    CAPTURE(deflate);
    auto in = dir / (deflate ? "d.npz" : "s.npz");
    write_tiny_dsprites(in, deflate);
    auto out = dir / (deflate ? "d.h5" : "s.h5");
    auto r = run_axial("data convert 'dsprites=" + in.string() + "' --out '" + out.string() + "' --quiet");
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    CHECK(r.out.find("6 images 2x2x1 uint8") != std::string::npos);
    auto info = axial::datasets::read_native_info(out);
    CHECK(info.num == 6);
    CHECK(info.storage == axial::datasets::ImageStorage::Uint8);
    CHECK(info.header.factor_names == std::vector<std::string>{"shape", "posX"});
    CHECK(info.header.factor_sizes == std::vector<std::int64_t>{3, 2});
    auto rows = axial::datasets::read_native_factors(out);
    std::vector<float> px(6 * 4);
    axial::datasets::read_native_images(out, "", 0, 6, px.data());
    for (int i = 0; i < 6; ++i) {
      CHECK(rows(0, i) == i / 2);
      CHECK(rows(1, i) == i % 2);
      for (int b = 0; b < 4; ++b) CHECK(px[std::size_t(i * 4 + b)] == float(((i + 1) >> b) & 1));
    }
  }
  // Recognised by content without NAME=.
  auto r = run_axial("data convert '" + (dir / "s.npz").string() + "' --out '" + (dir / "c.h5").string() + "' --quiet");
  CHECK_MESSAGE(r.exit_code == 0, r.err);
}

TEST_CASE("data convert: Shapes3D h5 → native h5") {
  axial::test::FixtureDir dir;
  // 2 floor hues × 3 shapes, 1×1×3 images.
  std::vector<double> labels;
  std::vector<std::uint8_t> images;
  for (int a = 0; a < 2; ++a)
    for (int s = 0; s < 3; ++s) {
      for (double v : {0.1 * a, 0.0, 0.0, 1.0, double(s), 0.0}) labels.push_back(v);
      for (int c = 0; c < 3; ++c) images.push_back(std::uint8_t(100 * a + 10 * s + c));
    }
  auto in = dir / "3dshapes.h5";
  axial::test::write_shapes3d_h5(in, images, 6, 1, 1, 3, labels);
  auto out = dir / "out.h5";
  auto r = run_axial("data convert 'shapes3d=" + in.string() + "' --out '" + out.string() + "' --quiet");
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  auto info = axial::datasets::read_native_info(out);
  CHECK(info.header.factor_sizes == std::vector<std::int64_t>{2, 1, 1, 1, 3, 1});
  std::vector<float> px(18);
  axial::datasets::read_native_images(out, "", 0, 6, px.data());
  for (int i = 0; i < 18; ++i) CHECK(px[std::size_t(i)] == doctest::Approx(double(images[std::size_t(i)]) / 255.0));
}

TEST_CASE("data convert / info: bad files and specs — one line naming file and key, exit 2, no output") {
  axial::test::FixtureDir dir;
  auto out = dir / "out.h5";
  auto check_bad = [&](const std::string& args, const std::string& needle) {
    CAPTURE(args);
    auto r = run_axial(args);
    CHECK(r.exit_code == 2);
    CHECK(r.err.rfind("axial: error: ", 0) == 0);
    CHECK(r.err.find(needle) != std::string::npos);
    CHECK(lines(r.err) == 1);
    CHECK_FALSE(std::filesystem::exists(out));
  };
  const std::string o = " --out '" + out.string() + "' --quiet";

  // Truncated npz.
  write_tiny_dsprites(dir / "t.npz", true);
  auto bytes = axial::test::slurp_file(dir / "t.npz");
  axial::test::write_bytes(dir / "t.npz", bytes.substr(0, bytes.size() - 40));
  check_bad("data convert 'dsprites=" + (dir / "t.npz").string() + "'" + o, "t.npz'");
  check_bad("data info 'dsprites=" + (dir / "t.npz").string() + "'", "truncated");

  // Missing key; wrong dtype; object array where numbers are expected.
  using axial::test::npy_bytes;
  std::vector<std::uint8_t> im(8, 0);
  std::vector<double> fl(10, 0.0);
  axial::test::write_bytes(dir / "nokey.npz", axial::test::zip_bytes({{"imgs.npy", npy_bytes("|u1", {2, 2, 2}, axial::test::raw_bytes(im))}}));
  check_bad("data convert 'dsprites=" + (dir / "nokey.npz").string() + "'" + o, "key 'latents_classes': no such key");
  axial::test::write_bytes(dir / "dtype.npz",
                           axial::test::zip_bytes({{"imgs.npy", npy_bytes("|u1", {2, 2, 2}, axial::test::raw_bytes(im))},
                                                   {"latents_classes.npy", npy_bytes("<f8", {2, 5}, axial::test::raw_bytes(fl))}}));
  check_bad("data info 'dsprites=" + (dir / "dtype.npz").string() + "'", "key 'latents_classes': expected an integer array");
  axial::test::write_bytes(dir / "obj.npz",
                           axial::test::zip_bytes({{"imgs.npy", npy_bytes("|u1", {2, 2, 2}, axial::test::raw_bytes(im))},
                                                   {"latents_classes.npy", axial::test::npy_object_bytes()}}));
  check_bad("data convert 'dsprites=" + (dir / "obj.npz").string() + "'" + o, "key 'latents_classes': object array");

  // Wrong MPI3D shape.
  axial::test::write_bytes(dir / "m.npz", axial::test::zip_bytes({{"images.npy", npy_bytes("|u1", {2, 2, 2}, axial::test::raw_bytes(im))}}));
  check_bad("data info 'mpi3d=" + (dir / "m.npz").string() + "'", "key 'images': expected shape (1036800, 64, 64, 3)");

  // Unrecognised file, unconvertible data sets.
  axial::test::write_bytes(dir / "x.bin", "hello");
  check_bad("data convert '" + (dir / "x.bin").string() + "'" + o, "not recognised");
  check_bad("data convert 'mpi3d-multi=" + (dir / "m.npz").string() + "'" + o, "cannot be converted");
  check_bad("data convert 'dsprites=" + (dir / "none.npz").string() + "'" + o, "no such file");
}
