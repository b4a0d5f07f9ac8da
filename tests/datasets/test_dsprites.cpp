// dSprites loader: fixture files in the official (6 latent columns) and subset (5 columns) layouts, stored and
// deflated, plus the two real subsets in ../shared/data/dsprites.
#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "datasets/dsprites.hpp"
#include "datasets/npz.hpp"
#include "src/core/random.hpp"
#include "src/core/error.hpp"
#include "tests/datasets/npz_fixture.hpp"
#include "tests/support/error_of.hpp"

#include <doctest/doctest.h>

using namespace axial::datasets;
using axial::FactorMatrix;

namespace {

using axial::test::error_of;

// Image i of a fixture: 3×4 pixels, pixel p = bit p of (i + 1) — distinct for every i < 4095.
std::uint8_t fixture_pixel(std::int64_t i, int p) { return std::uint8_t(((i + 1) >> p) & 1); }

// Full official-layout grid: color 1, shape 3, scale 2, orientation 1, posX 2, posY 2 (C order), 24 images of 3×4.
void write_full(const std::filesystem::path& path, bool deflate) {
  std::vector<std::int64_t> classes;
  std::vector<std::uint8_t> imgs;
  std::int64_t i = 0;
  for (int sh = 0; sh < 3; ++sh)
    for (int sc = 0; sc < 2; ++sc)
      for (int x = 0; x < 2; ++x)
        for (int y = 0; y < 2; ++y, ++i) {
          for (std::int64_t v : {0, sh, sc, 0, x, y}) classes.push_back(v);
          for (int p = 0; p < 12; ++p) imgs.push_back(fixture_pixel(i, p));
        }
  axial::test::write_dsprites_npz(path, imgs, 24, 3, 4, classes, 6, deflate);
}

FactorMatrix column(std::initializer_list<std::int64_t> v) {
  FactorMatrix m(std::int64_t(v.size()), 1);
  std::int64_t k = 0;
  for (auto x : v) m(k++, 0) = x;
  return m;
}

}  // namespace

TEST_CASE("dsprites: official layout, stored and deflated, factors = columns with more than one value") {
  axial::test::FixtureDir dir;
  for (bool deflate : {false, true}) {
    CAPTURE(deflate);
    auto path = dir / (deflate ? "d.npz" : "s.npz");
    write_full(path, deflate);
    DSprites d(path);
    CHECK(d.latent_columns() == 6);
    CHECK(d.images_mapped() == !deflate);
    // color (1 value) and orientation (1 value) are not factors.
    CHECK(d.factor_names() == std::vector<std::string>{"shape", "scale", "posX", "posY"});
    CHECK(d.factor_sizes() == std::vector<std::int64_t>{3, 2, 2, 2});
    CHECK(d.unordered_factors() == std::vector<int>{0});
    CHECK(d.existing_rows() == nullptr);
    CHECK(d.observation_shape().height == 3);
    CHECK(d.observation_shape().width == 4);
    CHECK(d.observation_shape().channels == 1);
    CHECK(d.description().find("every combination") != std::string::npos);

    // Row (shape 2, scale 1, posX 0, posY 1) is image ((2·2 + 1)·2 + 0)·2 + 1 = 21 in C order.
    FactorMatrix rows(4, 2);
    rows.col(0) << 2, 1, 0, 1;
    rows.col(1) << 0, 0, 0, 0;
    std::vector<float> out(2 * 12, -1.f);
    d.observations(rows, out.data());
    for (int p = 0; p < 12; ++p) {
      CHECK(out[std::size_t(p)] == float(fixture_pixel(21, p)));
      CHECK(out[std::size_t(12 + p)] == float(fixture_pixel(0, p)));
    }
    auto e = error_of([&] { d.observations(column({3, 0, 0, 0}), out.data()); });
    CHECK(e.find("file '" + path.string() + "'") == 0);
    CHECK(e.find("factor 0 = 3 is outside 0..2") != std::string::npos);

    // Conversion blocks cover every image once, in file order, as 0/255 bytes.
    std::int64_t seen = 0;
    d.for_each_block(5, [&](const FactorMatrix& r, const std::uint8_t* px) {
      for (Eigen::Index j = 0; j < r.cols(); ++j, ++seen) {
        std::int64_t c = ((r(0, j) * 2 + r(1, j)) * 2 + r(2, j)) * 2 + r(3, j);
        CHECK(c == seen);
        for (int p = 0; p < 12; ++p) CHECK(px[j * 12 + p] == 255 * fixture_pixel(seen, p));
      }
    });
    CHECK(seen == 24);
  }
}

TEST_CASE("dsprites: a subset (5 columns, shuffled, some combinations) maps rows to the right images") {
  axial::test::FixtureDir dir;
  // Subset layout: shape, scale, orientation, posX, posY with class values as in the original (orientation 0..39).
  // Rows: a few combinations in a scrambled order; image n is pattern n.
  std::vector<std::vector<std::int64_t>> rows = {
      {2, 5, 39, 31, 0}, {0, 0, 0, 0, 0}, {1, 3, 20, 7, 31}, {2, 0, 39, 0, 31}, {0, 5, 0, 31, 0}};
  std::vector<std::int64_t> classes;
  std::vector<std::uint8_t> imgs;
  for (std::size_t n = 0; n < rows.size(); ++n) {
    classes.insert(classes.end(), rows[n].begin(), rows[n].end());
    for (int p = 0; p < 12; ++p) imgs.push_back(fixture_pixel(std::int64_t(n), p));
  }
  auto path = dir / "subset.npz";
  axial::test::write_dsprites_npz(path, imgs, std::int64_t(rows.size()), 3, 4, classes, 5, true);
  DSprites d(path);
  CHECK(d.latent_columns() == 5);
  CHECK(d.factor_names() == std::vector<std::string>{"shape", "scale", "orientation", "posX", "posY"});
  // Each factor is re-indexed over its distinct values: shape {0,1,2}, scale {0,3,5}, orientation {0,20,39},
  // posX {0,7,31}, posY {0,31}.
  CHECK(d.factor_sizes() == std::vector<std::int64_t>{3, 3, 3, 3, 2});
  REQUIRE(d.existing_rows() != nullptr);
  const FactorMatrix& ex = *d.existing_rows();
  CHECK(ex.cols() == 5);
  FactorMatrix want(5, 1);
  want << 1, 1, 1, 1, 1;  // (1, 3, 20, 7, 31) re-indexed
  CHECK(ex.col(2) == want.col(0));
  CHECK(d.description().find("subset: 5 images hold 5 of 162 factor combinations") != std::string::npos);

  // Every existing row renders its own image.
  std::vector<float> out(5 * 12);
  d.observations(ex, out.data());
  for (int n = 0; n < 5; ++n)
    for (int p = 0; p < 12; ++p) CHECK(out[std::size_t(n * 12 + p)] == float(fixture_pixel(n, p)));

  auto e = error_of([&] { d.observations(column({1, 1, 1, 1, 0}), out.data()); });
  CHECK(e.find("file '" + path.string() + "'") == 0);
  CHECK(e.find("factor row (1, 1, 1, 1, 0) (sample 0) does not exist") != std::string::npos);
}

TEST_CASE("dsprites: bad files name the file and key") {
  axial::test::FixtureDir dir;
  using axial::test::npy_bytes;
  using axial::test::raw_bytes;
  std::vector<std::uint8_t> imgs(2 * 4, 1);
  std::vector<std::int64_t> classes = {0, 0, 0, 0, 0, 1, 0, 0, 0, 0};
  std::vector<double> fclasses(classes.begin(), classes.end());
  auto write = [&](const std::string& name, std::vector<axial::test::ZipMember> m) {
    axial::test::write_bytes(dir / name, axial::test::zip_bytes(m));
    return (dir / name).string();
  };
  auto p = write("nolabels.npz", {{"imgs.npy", npy_bytes("|u1", {2, 2, 2}, raw_bytes(imgs))}});
  CHECK(error_of([&] { DSprites{p}; }).find("file '" + p + "', key 'latents_classes': no such key") == 0);

  p = write("float.npz", {{"imgs.npy", npy_bytes("|u1", {2, 2, 2}, raw_bytes(imgs))},
                          {"latents_classes.npy", npy_bytes("<f8", {2, 5}, raw_bytes(fclasses))}});
  CHECK(error_of([&] { DSprites{p}; }).find("key 'latents_classes': expected an integer array, got dtype float64") !=
        std::string::npos);

  p = write("obj.npz", {{"imgs.npy", npy_bytes("|u1", {2, 2, 2}, raw_bytes(imgs))},
                        {"latents_classes.npy", axial::test::npy_object_bytes()}});
  CHECK(error_of([&] { DSprites{p}; }).find("key 'latents_classes': object array") != std::string::npos);

  p = write("cols.npz", {{"imgs.npy", npy_bytes("|u1", {2, 2, 2}, raw_bytes(imgs))},
                         {"latents_classes.npy", npy_bytes("<i8", {5, 2}, raw_bytes(classes))}});
  CHECK(error_of([&] { DSprites{p}; }).find("expected 6 latent columns") != std::string::npos);

  p = write("count.npz", {{"imgs.npy", npy_bytes("|u1", {1, 2, 4}, raw_bytes(imgs))},
                          {"latents_classes.npy", npy_bytes("<i8", {2, 5}, raw_bytes(classes))}});
  CHECK(error_of([&] { DSprites{p}; }).find("key 'imgs': 1 images but latents_classes has 2 rows") != std::string::npos);

  std::vector<float> fimgs(8, 1.f);
  p = write("fimgs.npz", {{"imgs.npy", npy_bytes("<f4", {2, 2, 2}, raw_bytes(fimgs))},
                          {"latents_classes.npy", npy_bytes("<i8", {2, 5}, raw_bytes(classes))}});
  CHECK(error_of([&] { DSprites{p}; }).find("key 'imgs': expected uint8 (0/1) images, got dtype float32") !=
        std::string::npos);
}

// ---- the real subsets --------------------------------------------------------------------------------------

namespace {
const std::string kDownsampled = std::string(AXIAL_SHARED_DATA_DIR) + "/dsprites/dsprites_downsampled.npz";
const std::string kSubset = std::string(AXIAL_SHARED_DATA_DIR) + "/dsprites/dsprites_subset.npz";

// Centre of mass (column, row) of a 64×64 image.
std::pair<double, double> centre(const float* img) {
  double m = 0, cx = 0, cy = 0;
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x) {
      m += img[y * 64 + x];
      cx += x * img[y * 64 + x];
      cy += y * img[y * 64 + x];
    }
  return {cx / m, cy / m};
}
}  // namespace

TEST_CASE("dsprites: the real downsampled file is the full 3×6×10×16×16 grid in C order") {
  DSprites d(kDownsampled);
  CHECK(d.num_images() == 46080);
  CHECK(d.factor_names() == std::vector<std::string>{"shape", "scale", "orientation", "posX", "posY"});
  CHECK(d.factor_sizes() == std::vector<std::int64_t>{3, 6, 10, 16, 16});
  CHECK(d.existing_rows() == nullptr);  // every combination exists
  CHECK(d.unordered_factors() == std::vector<int>{0});

  // Row r must show image r·(C-order) of the file's imgs member, read here straight from the archive.
  NpzFile npz(kDownsampled);
  auto raw = npz.read("imgs");
  axial::Rng rng = axial::make_rng(7);
  FactorMatrix rows(5, 20);
  for (int j = 0; j < 20; ++j)
    for (int k = 0; k < 5; ++k) rows(k, j) = axial::uniform_int(rng, 0, d.factor_sizes()[std::size_t(k)] - 1);
  std::vector<float> out(20 * 4096);
  d.observations(rows, out.data());
  for (int j = 0; j < 20; ++j) {
    std::int64_t i = (((rows(0, j) * 6 + rows(1, j)) * 10 + rows(2, j)) * 16 + rows(3, j)) * 16 + rows(4, j);
    int mismatches = 0;
    for (int p = 0; p < 4096; ++p) mismatches += out[std::size_t(j * 4096 + p)] != float(raw.bytes()[i * 4096 + p]);
    CHECK(mismatches == 0);
  }

  // Independent of the file's labels: posX moves the sprite right, posY moves it down (sprite centre ≈ 16 + 32·pos).
  FactorMatrix probe(5, 4);
  probe.col(0) << 0, 5, 0, 0, 8;
  probe.col(1) << 0, 5, 0, 15, 8;
  probe.col(2) << 0, 5, 0, 8, 0;
  probe.col(3) << 0, 5, 0, 8, 15;
  std::vector<float> img(4 * 4096);
  d.observations(probe, img.data());
  auto c0 = centre(&img[0]), c1 = centre(&img[4096]), c2 = centre(&img[2 * 4096]), c3 = centre(&img[3 * 4096]);
  CHECK(c0.first == doctest::Approx(15.5).epsilon(0.05));
  CHECK(c1.first == doctest::Approx(46.5).epsilon(0.05));
  CHECK(c0.second == doctest::Approx(c1.second).epsilon(0.02));
  CHECK(c2.second == doctest::Approx(15.5).epsilon(0.05));
  CHECK(c3.second == doctest::Approx(46.5).epsilon(0.05));
  // Bigger scale → more sprite pixels.
  FactorMatrix sc(5, 2);
  sc.col(0) << 0, 0, 0, 8, 8;
  sc.col(1) << 0, 5, 0, 8, 8;
  std::vector<float> s(2 * 4096);
  d.observations(sc, s.data());
  double a0 = 0, a1 = 0;
  for (int p = 0; p < 4096; ++p) {
    a0 += s[std::size_t(p)];
    a1 += s[std::size_t(4096 + p)];
  }
  CHECK(a1 > 3.0 * a0);  // scale 1.0 vs 0.5: area ×4
}

TEST_CASE("dsprites: the real random subset — existing rows only, and the same pixels as the downsampled file") {
  DSprites sub(kSubset);
  CHECK(sub.num_images() == 20000);
  CHECK(sub.factor_sizes() == std::vector<std::int64_t>{3, 6, 40, 32, 32});
  REQUIRE(sub.existing_rows() != nullptr);
  CHECK(sub.existing_rows()->cols() == 20000);
  auto e = error_of([&] {
    std::vector<float> o(4096);
    // Find a row not in the subset (most of the 737,280 are absent).
    FactorMatrix r(5, 1);
    for (std::int64_t x = 0; x < 32; ++x) {
      r.col(0) << 0, 0, 0, x, 0;
      sub.observations(r, o.data());
    }
  });
  CHECK(e.find("does not exist in this subset (20000 of 737280 combinations exist)") != std::string::npos);

  // Images shared by both files (same original_dataset_indices) must come out identical when asked for by their
  // factor rows in each file: downsampled (shape, scale, orientation/4, posX/2, posY/2) ↔ subset's classes.
  DSprites down(kDownsampled);
  NpzFile a(kSubset), b(kDownsampled);
  auto ia = a.read("original_dataset_indices").as_int64();
  auto ib = b.read("original_dataset_indices").as_int64();
  std::map<std::int64_t, std::int64_t> in_down;
  for (std::size_t i = 0; i < ib.size(); ++i) in_down[ib[i]] = std::int64_t(i);
  std::vector<std::int64_t> common;
  for (auto o : ia)
    if (in_down.count(o)) common.push_back(o);
  CHECK(common.size() == 1246);
  const std::int64_t n = std::min<std::int64_t>(std::int64_t(common.size()), 200);
  FactorMatrix rs(5, n), rd(5, n);
  for (std::int64_t j = 0; j < n; ++j) {
    // Original index → classes (C order over 1, 3, 6, 40, 32, 32).
    std::int64_t o = common[std::size_t(j)];
    std::int64_t y = o % 32, x = (o / 32) % 32, orient = (o / 1024) % 40, scale = (o / 40960) % 6, shape = o / 245760;
    rs.col(j) << shape, scale, orient, x, y;
    rd.col(j) << shape, scale, orient / 4, x / 2, y / 2;
  }
  std::vector<float> os(std::size_t(n) * 4096), od(std::size_t(n) * 4096);
  sub.observations(rs, os.data());
  down.observations(rd, od.data());
  CHECK(os == od);
  double lit = 0;
  for (float v : os) lit += v;
  CHECK(lit > 0);  // not vacuously equal
}
