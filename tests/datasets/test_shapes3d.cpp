// Shapes3D loader on .h5 fixtures in the layout of 3dshapes.h5 (images (N,H,W,3) uint8, labels (N,6) float64).
#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "datasets/shapes3d.hpp"
#include "src/core/error.hpp"
#include "tests/datasets/npz_fixture.hpp"
#include "tests/support/error_of.hpp"

#include <doctest/doctest.h>

using namespace axial::datasets;
using axial::FactorMatrix;

namespace {

using axial::test::error_of;

// Factor sizes of the fixture (the official file has 10, 10, 10, 8, 4, 15) and their label values, generated like
// the official ones: hues in [0, 1) step 1/n, scale linspace(0.75, 1.25), shape 0..3, orientation linspace(-30, 30).
const std::vector<std::int64_t> kSizes = {2, 3, 2, 2, 4, 3};
double label(int k, std::int64_t v) {
  const double n = double(kSizes[std::size_t(k)]);
  switch (k) {
    case 0: case 1: case 2: return double(v) / n;
    case 3: return 0.75 + 0.5 * double(v) / (n - 1);
    case 4: return double(v);
    default: return -30.0 + 60.0 * double(v) / (n - 1);
  }
}
constexpr int kH = 4, kW = 2, kC = 3, kPix = kH * kW * kC;
std::uint8_t pix(std::int64_t i, int p) { return std::uint8_t((i * 7 + p * 13) % 256); }

// Writes the fixture with its images in the order given by `perm` (perm[i] = grid index of file row i).
void write_fixture(const std::filesystem::path& path, const std::vector<std::int64_t>& perm) {
  std::vector<double> labels;
  std::vector<std::uint8_t> images;
  for (std::int64_t g : perm) {
    std::int64_t r = g;
    std::vector<std::int64_t> f(6);
    for (int k = 5; k >= 0; --k) {
      f[std::size_t(k)] = r % kSizes[std::size_t(k)];
      r /= kSizes[std::size_t(k)];
    }
    for (int k = 0; k < 6; ++k) labels.push_back(label(k, f[std::size_t(k)]));
    for (int p = 0; p < kPix; ++p) images.push_back(pix(g, p));
  }
  axial::test::write_shapes3d_h5(path, images, std::int64_t(perm.size()), kH, kW, kC, labels);
}

std::int64_t grid_index(const FactorMatrix& rows, Eigen::Index j) {
  std::int64_t g = 0;
  for (int k = 0; k < 6; ++k) g = g * kSizes[std::size_t(k)] + rows(k, j);
  return g;
}

}  // namespace

TEST_CASE("shapes3d: factor indices from label values, images by hyperslab, bytes/255") {
  axial::test::FixtureDir dir;
  std::vector<std::int64_t> perm(288);
  for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = std::int64_t(i);
  write_fixture(dir / "3dshapes.h5", perm);
  Shapes3D d(dir / "3dshapes.h5");
  CHECK(d.num_images() == 288);
  CHECK(d.factor_names() ==
        std::vector<std::string>{"floor_hue", "wall_hue", "object_hue", "scale", "shape", "orientation"});
  CHECK(d.factor_sizes() == kSizes);
  CHECK(d.unordered_factors() == std::vector<int>{4});
  CHECK(d.existing_rows() == nullptr);
  CHECK(d.observation_shape().height == kH);
  CHECK(d.observation_shape().channels == 3);

  FactorMatrix rows(6, 3);
  rows.col(0) << 1, 2, 1, 1, 3, 2;  // last image
  rows.col(1) << 0, 0, 0, 0, 0, 0;
  rows.col(2) << 1, 0, 1, 0, 2, 1;
  std::vector<float> out(3 * kPix);
  d.observations(rows, out.data());
  for (int j = 0; j < 3; ++j)
    for (int p = 0; p < kPix; ++p)
      CHECK(out[std::size_t(j * kPix + p)] == float(double(pix(grid_index(rows, j), p)) / 255.0));
  CHECK(grid_index(rows, 0) == 287);

  auto e = error_of([&] {
    FactorMatrix bad(6, 1);
    bad << 0, 3, 0, 0, 0, 0;
    d.observations(bad, out.data());
  });
  CHECK(e.find("3dshapes.h5'") != std::string::npos);
  CHECK(e.find("factor 1 = 3 is outside 0..2") != std::string::npos);
}

TEST_CASE("shapes3d: rows in another order, or only some rows, still find their images") {
  axial::test::FixtureDir dir;
  // Reverse order, every fifth grid point only.
  std::vector<std::int64_t> perm;
  for (std::int64_t g = 287; g >= 0; g -= 5) perm.push_back(g);
  write_fixture(dir / "sub.h5", perm);
  Shapes3D d(dir / "sub.h5");
  // Every label value still occurs, so sizes are unchanged.
  CHECK(d.factor_sizes() == kSizes);
  REQUIRE(d.existing_rows() != nullptr);
  CHECK(d.existing_rows()->cols() == 58);
  CHECK(d.description().find("subset: 58 images hold 58 of 288") != std::string::npos);
  std::vector<float> out(std::size_t(58 * kPix));
  d.observations(*d.existing_rows(), out.data());
  for (Eigen::Index j = 0; j < 58; ++j) {
    std::int64_t g = grid_index(*d.existing_rows(), j);
    CHECK(g == perm[std::size_t(j)]);
    for (int p = 0; p < kPix; ++p) CHECK(out[std::size_t(j * kPix + p)] == float(double(pix(g, p)) / 255.0));
  }
  FactorMatrix absent(6, 1);
  absent << 0, 0, 0, 0, 0, 1;  // grid index 1: 287 - 1 is not a multiple of 5
  CHECK(error_of([&] { d.observations(absent, out.data()); }).find("does not exist") != std::string::npos);

  // Conversion blocks: file order, raw bytes.
  std::int64_t seen = 0;
  d.for_each_block(10, [&](const FactorMatrix& r, const std::uint8_t* px) {
    for (Eigen::Index j = 0; j < r.cols(); ++j, ++seen) {
      CHECK(grid_index(r, j) == perm[std::size_t(seen)]);
      CHECK(px[j * kPix + 5] == pix(perm[std::size_t(seen)], 5));
    }
  });
  CHECK(seen == 58);
}

TEST_CASE("shapes3d: bad files name the file and key") {
  axial::test::FixtureDir dir;
  std::vector<std::uint8_t> img(4 * kPix, 1);
  std::vector<double> labels5(4 * 5, 0.0), labels6(4 * 6, 0.0);
  labels6[0] = 1.0;
  auto p = dir / "labels5.h5";
  axial::test::write_shapes3d_h5(p, img, 4, kH, kW, kC, labels5, 5);
  CHECK(error_of([&] { Shapes3D{p}; }).find("key 'labels': expected numbers of shape (N, 6), got shape (4, 5)") !=
        std::string::npos);
  p = dir / "fimg.h5";
  axial::test::write_shapes3d_h5(p, img, 4, kH, kW, kC, labels6, 6, true);
  CHECK(error_of([&] { Shapes3D{p}; }).find("key 'images': expected uint8 images") != std::string::npos);

  // Truncated: the first half of a good file.
  p = dir / "good.h5";
  axial::test::write_shapes3d_h5(p, img, 4, kH, kW, kC, labels6);
  std::string bytes = axial::test::slurp_file(p);
  axial::test::write_bytes(dir / "cut.h5", bytes.substr(0, bytes.size() / 2));
  auto e = error_of([&] { Shapes3D(dir / "cut.h5"); });
  CHECK(e.find("cut.h5'") != std::string::npos);
  CHECK_FALSE(e.empty());

  CHECK(error_of([&] { Shapes3D(dir / "none.h5"); }).find("no such file") != std::string::npos);
  axial::test::write_bytes(dir / "text.h5", "hello");
  CHECK(error_of([&] { Shapes3D(dir / "text.h5"); }).find("not an HDF5 file") != std::string::npos);

  // Missing key.
  hid_t f = H5Fcreate((dir / "empty.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  H5Fclose(f);
  CHECK(error_of([&] { Shapes3D(dir / "empty.h5"); }).find("key 'images': no such dataset") != std::string::npos);
}
