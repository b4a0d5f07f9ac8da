// MPI3D and MPI3D-multi on a sparse fixture in the exact distributed layout: mpi3d_real.npz with one stored zip64
// member images.npy (1036800, 64, 64, 3) uint8 — 12.7 GB logical, a few hundred KB on disk.
#include <functional>
#include <string>
#include <vector>

#include "datasets/mpi3d.hpp"
#include "src/core/error.hpp"
#include "tests/datasets/npz_fixture.hpp"
#include "tests/support/error_of.hpp"

#include <doctest/doctest.h>

using namespace axial::datasets;
using axial::FactorMatrix;

namespace {

using axial::test::error_of;

constexpr std::int64_t kImg = 64 * 64 * 3;
std::uint8_t pattern(std::int64_t i, std::int64_t p) { return std::uint8_t((i * 31 + p * 7) % 251 + 1); }

// Row index from the definition: f·(172800, 28800, 14400, 4800, 1600, 40, 1).
std::int64_t row_index(const std::vector<std::int64_t>& f) {
  const std::int64_t stride[7] = {172800, 28800, 14400, 4800, 1600, 40, 1};
  std::int64_t i = 0;
  for (int k = 0; k < 7; ++k) i += f[std::size_t(k)] * stride[k];
  return i;
}

// DoF pairs used by the MPI3D-multi test (sub-images 0..3) and a few other rows.
const std::vector<std::pair<int, int>> kDofs = {{0, 0}, {39, 1}, {17, 33}, {5, 39}};

struct Fixture {
  axial::test::FixtureDir dir;
  std::filesystem::path path = dir / "mpi3d_real.npz";
  std::vector<std::int64_t> written;
  Fixture() {
    written = {0, 1036799, row_index({5, 4, 1, 2, 1, 17, 33})};
    for (auto [a, b] : kDofs) written.push_back(row_index({3, 1, 1, 0, 2, a, b}));
    axial::test::write_sparse_mpi3d(path, written, pattern);
  }
};

}  // namespace

TEST_CASE("mpi3d: the 12.7 GB zip64 stored member is memory-mapped, rows index images in C order") {
  Fixture fx;
  CHECK(std::filesystem::file_size(fx.path) > 12'000'000'000ull);
  Mpi3d d(fx.path);
  CHECK(d.name() == "mpi3d-real");
  CHECK(d.factor_names() == std::vector<std::string>{"object_color", "object_shape", "object_size", "camera_height",
                                                     "background_color", "first_dof", "second_dof"});
  CHECK(d.factor_sizes() == std::vector<std::int64_t>{6, 6, 2, 3, 3, 40, 40});
  CHECK(d.existing_rows() == nullptr);

  FactorMatrix rows(7, 4);
  rows.col(0) << 5, 4, 1, 2, 1, 17, 33;
  rows.col(1) << 5, 5, 1, 2, 2, 39, 39;  // the last image
  rows.col(2) << 0, 0, 0, 0, 0, 0, 0;
  rows.col(3) << 0, 0, 0, 0, 0, 0, 1;  // not written: a hole, reads as zeros
  std::vector<float> out(4 * kImg);
  d.observations(rows, out.data());
  const std::int64_t img[3] = {row_index({5, 4, 1, 2, 1, 17, 33}), 1036799, 0};
  for (int j = 0; j < 3; ++j)
    for (std::int64_t p = 0; p < kImg; p += 97)
      CHECK(out[std::size_t(j * kImg + p)] == float(double(pattern(img[j], p)) / 255.0));
  for (std::int64_t p = 0; p < kImg; p += 97) CHECK(out[std::size_t(3 * kImg + p)] == 0.f);

  FactorMatrix bad(7, 1);
  bad << 0, 6, 0, 0, 0, 0, 0;
  auto e = error_of([&] { d.observations(bad, out.data()); });
  CHECK(e.find("mpi3d_real.npz'") != std::string::npos);
  CHECK(e.find("factor 1 = 6 is outside 0..5") != std::string::npos);
}

TEST_CASE("mpi3d-multi: 2×2 grid TL, BL, TR, BR of every-second-pixel sub-images at colour 3, shape 1, size 1, "
          "height 0, background 2") {
  Fixture fx;
  Mpi3dMulti m(fx.path);
  CHECK(m.factor_sizes() == std::vector<std::int64_t>(8, 40));
  CHECK(m.factor_names() == std::vector<std::string>{"tl_first_dof", "tl_second_dof", "bl_first_dof", "bl_second_dof",
                                                     "tr_first_dof", "tr_second_dof", "br_first_dof", "br_second_dof"});
  CHECK(m.observation_shape().height == 64);
  CHECK(m.observation_shape().channels == 3);
  FactorMatrix f(8, 1);
  for (int i = 0; i < 4; ++i) {
    f(2 * i, 0) = kDofs[std::size_t(i)].first;
    f(2 * i + 1, 0) = kDofs[std::size_t(i)].second;
  }
  std::vector<float> out(kImg);
  m.observations(f, out.data());
  // Sub-image i: base image for (3, 1, 1, 0, 2, dof1, dof2); placed at rows (i % 2)·32, columns (i / 2)·32.
  int checked = 0;
  for (int i = 0; i < 4; ++i) {
    const std::int64_t base = row_index({3, 1, 1, 0, 2, kDofs[std::size_t(i)].first, kDofs[std::size_t(i)].second});
    const int r0 = (i % 2) * 32, c0 = (i / 2) * 32;
    for (int y = 0; y < 32; ++y)
      for (int x = 0; x < 32; ++x)
        for (int c = 0; c < 3; ++c) {
          float want = float(double(pattern(base, (2 * y * 64 + 2 * x) * 3 + c)) / 255.0);
          if (out[std::size_t(((r0 + y) * 64 + c0 + x) * 3 + c)] != want) ++checked;
        }
  }
  CHECK(checked == 0);
  f(3, 0) = 40;
  auto e = error_of([&] { m.observations(f, out.data()); });
  CHECK(e.find("factor 3 (bl_second_dof) = 40 is outside 0..39") != std::string::npos);
}

TEST_CASE("mpi3d: wrong shape, dtype or a deflated member are errors naming the file and key") {
  axial::test::FixtureDir dir;
  using axial::test::npy_bytes;
  std::vector<std::uint8_t> small(2 * kImg, 0);
  auto p = dir / "small.npz";
  axial::test::write_bytes(p, axial::test::zip_bytes({{"images.npy", npy_bytes("|u1", {2, 64, 64, 3},
                                                                                axial::test::raw_bytes(small))}}));
  auto e = error_of([&] { Mpi3d{p}; });
  CHECK(e.find("file '" + p.string() + "', key 'images': expected shape (1036800, 64, 64, 3)") == 0);

  p = dir / "noimages.npz";
  axial::test::write_bytes(p, axial::test::zip_bytes({{"imgs.npy", npy_bytes("|u1", {2, 64, 64, 3},
                                                                              axial::test::raw_bytes(small))}}));
  CHECK(error_of([&] { Mpi3d{p}; }).find("key 'images': no such key (keys: imgs)") != std::string::npos);

  p = dir / "float.npz";
  axial::test::write_bytes(p, axial::test::zip_bytes({{"images.npy", npy_bytes("<f4", {1036800, 64, 64, 3}, "")}}));
  CHECK(error_of([&] { Mpi3d{p}; }).find("expected uint8 images, got dtype float32") != std::string::npos);

  // A deflated images member with the right header: it cannot be mapped → say so, suggest conversion.
  // (Only the header is compressed here; the reader must decide before touching the rest.)
  std::string header = npy_bytes("|u1", {1036800, 64, 64, 3}, std::string(kImg, '\0'));
  p = dir / "mpi3d_toy.npz";
  axial::test::write_bytes(p, axial::test::zip_bytes({{"images.npy", header, true}}));
  e = error_of([&] { Mpi3d{p}; });
  CHECK(e.find("file '" + p.string() + "', key 'images'") == 0);
  CHECK(e.find("cannot be memory-mapped") != std::string::npos);
  CHECK(e.find("axial data convert") != std::string::npos);
  // Opened for conversion it is accepted (streaming), but observations still refuse.
  Mpi3d s(p, Mpi3d::Access::Stream);
  CHECK(s.name() == "mpi3d-toy");
  std::vector<float> out(kImg);
  FactorMatrix r = FactorMatrix::Zero(7, 1);
  CHECK(error_of([&] { s.observations(r, out.data()); }).find("cannot be memory-mapped") != std::string::npos);
}
