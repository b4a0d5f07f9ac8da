// Writes the HDF5 part of the committed seed corpus (tests/fuzz/corpus/{native_h5,codes_h5}/): small files of each
// layout axial reads, written by axial's own writers. Built with the fuzz targets (fuzz_make_seeds); run once and
// commit the output:  build-fuzz/tests/fuzz/fuzz_make_seeds tests/fuzz/corpus
// (make_seeds.py beside it writes the npy, npz, csv and JSON seeds.)
#include <cstdio>
#include <filesystem>
#include <vector>

#include "datasets/codes_file.hpp"
#include "datasets/native_h5.hpp"

using namespace axial;
using namespace axial::datasets;
namespace fs = std::filesystem;

namespace {

NativeHeader tiny_header() {
  NativeHeader h;
  h.dataset = "tiny";
  h.factor_names = {"a", "b"};
  h.factor_sizes = {2, 3};
  h.shape = {2, 3, 1};
  h.seed = 7;
  return h;
}

FactorMatrix all_rows() {
  FactorMatrix f(2, 6);
  for (int j = 0; j < 6; ++j) {
    f(0, j) = j / 3;
    f(1, j) = j % 3;
  }
  return f;
}

void native(const fs::path& path, ImageStorage storage, int gzip, bool clusters) {
  NativeWriteOptions o;
  o.storage = storage;
  o.gzip = gzip;
  o.chunk_rows = 2;
  NativeWriter w(path, tiny_header(), o);
  const FactorMatrix f = all_rows();
  std::vector<float> images(static_cast<std::size_t>(f.cols()) * 6);
  for (std::size_t i = 0; i < images.size(); ++i) images[i] = float(i % 7) / 6.0f;
  if (!clusters) {
    w.begin("", f.cols());
    w.write_rows(f, images.data());
  } else {
    for (int c = 0; c < 2; ++c) {
      const std::string g = "cluster_" + std::to_string(c);
      w.begin(g, 3);
      w.write_rows(f.middleCols(3 * c, 3), images.data() + 18 * c);
      w.file().write_attr_ints(g, "centroid", {c, 1});
    }
  }
  w.commit();
}

CodesData codes(int n, int l, int k, Precision p) {
  CodesData d;
  d.codes.resize(l, n);
  d.factors.resize(k, n);
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < l; ++i) d.codes(i, j) = 0.25 * ((j * (i + 3)) % 5) - 0.5;
    for (int i = 0; i < k; ++i) d.factors(i, j) = (j + i) % 3;
  }
  d.precision = p;
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  const fs::path root = argv[1];
  fs::create_directories(root / "native_h5");
  fs::create_directories(root / "codes_h5");
  native(root / "native_h5" / "float32_gzip.h5", ImageStorage::Float32, 4, false);
  native(root / "native_h5" / "uint8_plain.h5", ImageStorage::Uint8, 0, false);
  native(root / "native_h5" / "clusters.h5", ImageStorage::Float32, 0, true);

  CodesFileContents global;
  global.global = codes(8, 2, 2, Precision::Float64);
  write_codes_h5(root / "codes_h5" / "global.h5", global);
  CodesFileContents both;
  both.global = codes(6, 3, 2, Precision::Float32);
  const CodesData c = codes(4, 3, 2, Precision::Float32);
  both.cluster_groups.push_back({"", {LocalCluster{c.codes, c.factors}, LocalCluster{c.codes, c.factors}}});
  write_codes_h5(root / "codes_h5" / "global_and_clusters.h5", both);
  CodesFileContents nested;
  const CodesData d = codes(4, 2, 1, Precision::Float64);
  nested.cluster_groups = {{"locality_0.1", {LocalCluster{d.codes, d.factors}}}};
  nested.cluster_precision = Precision::Float64;
  write_codes_h5(root / "codes_h5" / "nested_clusters.h5", nested);
  return 0;
}
