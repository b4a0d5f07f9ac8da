// Random-access read throughput (images/s) of the distributed-file loaders (issue 7), batches of 64 random
// existing factor rows → float observations, as a training loop asks for them.
//
//   ./build/bench/bench_real_data [SHARED_DATA_DIR] [--seconds S]
//
// Sources: the real dSprites subsets (deflated npz → bit-packed in memory; the random subset goes through the
// row hash map), generated fixtures in the exact layouts (a stored dSprites npz → memory-mapped; a Shapes3D-layout
// .h5 with gzip chunks like 3dshapes.h5 → per-row hyperslabs; a sparse 12.7 GB MPI3D npz → mapped, zip64; and
// MPI3D-multi over it), plus the same dSprites rows after `axial data convert` (native h5) for comparison.
// Note: the sparse MPI3D file reads holes (zeros) from the page cache, so its figure is an upper bound: on a real
// 12 GB file random reads are bounded by the disk (one 12 KB image per random page-in when not cached).
#include <fmt/core.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "datasets/dsprites.hpp"
#include "datasets/mpi3d.hpp"
#include "datasets/native_h5.hpp"
#include "src/core/random.hpp"
#include "datasets/shapes3d.hpp"
#include "datasets/npz.hpp"
#include "tests/datasets/npz_fixture.hpp"

using namespace axial::datasets;
using axial::FactorMatrix;

namespace {

FactorMatrix random_rows(const GroundTruthData& d, std::int64_t n, axial::Rng& rng) {
  FactorMatrix rows(d.num_factors(), n);
  if (const FactorMatrix* ex = d.existing_rows()) {
    for (std::int64_t j = 0; j < n; ++j) rows.col(j) = ex->col(axial::uniform_int(rng, 0, ex->cols() - 1));
    return rows;
  }
  for (std::int64_t j = 0; j < n; ++j)
    for (int k = 0; k < d.num_factors(); ++k) rows(k, j) = axial::uniform_int(rng, 0, d.factor_sizes()[std::size_t(k)] - 1);
  return rows;
}

void bench(const std::string& label, const std::function<std::unique_ptr<GroundTruthData>()>& open, double seconds) {
  using Clock = std::chrono::steady_clock;
  auto t0 = Clock::now();
  auto d = open();
  const double open_s = std::chrono::duration<double>(Clock::now() - t0).count();
  const std::int64_t batch = 64;
  std::vector<float> out(std::size_t(batch * d->observation_shape().size()));
  axial::Rng rng = axial::make_rng(1);
  std::vector<FactorMatrix> plans;
  for (int i = 0; i < 64; ++i) plans.push_back(random_rows(*d, batch, rng));
  std::int64_t images = 0;
  auto start = Clock::now();
  double elapsed = 0;
  for (int i = 0; elapsed < seconds; ++i) {
    d->observations(plans[std::size_t(i % 64)], out.data());
    images += batch;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  }
  fmt::print("{:<44} {:>10.0f} images/s   (open {:.2f} s, {}x{}x{})\n", label, double(images) / elapsed, open_s,
             d->observation_shape().height, d->observation_shape().width, d->observation_shape().channels);
}

}  // namespace

int main(int argc, char** argv) {
  std::string shared = "../shared/data";
  double seconds = 1.0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) seconds = std::stod(argv[++i]);
    else shared = argv[i];
  }
  const std::string down = shared + "/dsprites/dsprites_downsampled.npz", sub = shared + "/dsprites/dsprites_subset.npz";
  axial::test::FixtureDir dir;
  fmt::print("random-access reads, batches of 64 random existing rows, {:.1f} s each (1 thread)\n", seconds);

  if (std::filesystem::exists(down)) {
    bench("dsprites downsampled (deflated, bit-packed)", [&] { return std::make_unique<DSprites>(down); }, seconds);
    bench("dsprites subset (deflated, row hash map)", [&] { return std::make_unique<DSprites>(sub); }, seconds);
    // The same data, re-written with stored members → memory-mapped.
    {
      NpzFile z(down);
      auto imgs = z.read("imgs"), classes = z.read("latents_classes");
      std::string ib(reinterpret_cast<const char*>(imgs.bytes()), std::size_t(imgs.header().data_bytes()));
      std::string cb(reinterpret_cast<const char*>(classes.bytes()), std::size_t(classes.header().data_bytes()));
      axial::test::write_bytes(dir / "stored.npz",
                               axial::test::zip_bytes({{"imgs.npy", axial::test::npy_bytes("|u1", imgs.shape(), ib)},
                                                       {"latents_classes.npy",
                                                        axial::test::npy_bytes("<i8", classes.shape(), cb)}}));
    }
    bench("dsprites downsampled (stored npz, mmap)", [&] { return std::make_unique<DSprites>(dir / "stored.npz"); }, seconds);
    {
      DSprites d(down);
      NativeWriteOptions wo;
      wo.storage = ImageStorage::Uint8;
      NativeWriter w(dir / "native.h5", native_header(d), wo);
      w.begin("", d.num_images());
      d.for_each_block(4096, [&](const FactorMatrix& r, const std::uint8_t* px) { w.write_rows_u8(r, px); });
      w.commit();
    }
    bench("dsprites downsampled (converted native h5)", [&] { return std::make_unique<NativeData>(dir / "native.h5"); }, seconds);
  } else {
    fmt::print("(no dSprites subsets under {}: skipped)\n", shared);
  }

  // Shapes3D layout: 4 800 images of 64×64×3, labels over (4, 4, 2, 3, 4, 25) = 9 600 → every other row… keep the
  // full grid of (2, 2, 2, 3, 4, 25) = 2 400 combinations ×… simply: a full grid of 4 800 images, gzip chunks of 8.
  {
    const std::vector<std::int64_t> sizes = {4, 2, 2, 3, 4, 25};
    std::int64_t n = 1;
    for (auto s : sizes) n *= s;
    std::vector<double> labels;
    std::vector<std::uint8_t> images(std::size_t(n * 64 * 64 * 3));
    axial::Rng rng = axial::make_rng(3);
    for (auto& b : images) b = std::uint8_t(axial::uniform_int(rng, 0, 40));  // compressible-ish, like renders
    for (std::int64_t i = 0; i < n; ++i) {
      std::int64_t r = i;
      std::vector<double> f(6);
      for (int k = 5; k >= 0; --k) {
        f[std::size_t(k)] = double(r % sizes[std::size_t(k)]);
        r /= sizes[std::size_t(k)];
      }
      labels.insert(labels.end(), f.begin(), f.end());
    }
    axial::test::write_shapes3d_h5(dir / "3dshapes.h5", images, n, 64, 64, 3, labels);
    bench("shapes3d layout (h5, gzip chunks, hyperslab)", [&] { return std::make_unique<Shapes3D>(dir / "3dshapes.h5"); }, seconds);
  }

  // MPI3D: sparse 12.7 GB zip64 npz (needs a file system with sparse files).
  {
    std::vector<std::int64_t> written;
    for (std::int64_t i = 0; i < 1036800; i += 9973) written.push_back(i);
    try {
      axial::test::write_sparse_mpi3d(dir / "mpi3d_real.npz", written, [](std::int64_t i, std::int64_t p) {
        return std::uint8_t((i + p) % 255);
      });
      bench("mpi3d real layout (sparse 12.7 GB, mmap)", [&] { return std::make_unique<Mpi3d>(dir / "mpi3d_real.npz"); }, seconds);
      bench("mpi3d-multi over it (4 images per sample)", [&] { return std::make_unique<Mpi3dMulti>(dir / "mpi3d_real.npz"); }, seconds);
    } catch (const std::exception& e) {
      fmt::print("mpi3d: skipped ({})\n", e.what());
    }
  }
  return 0;
}
