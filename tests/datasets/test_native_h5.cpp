// The native HDF5 container (issue 2 §5) and the HDF5 wrapper: round trips, attributes, subsets, errors that name
// the file and key, and atomic writes (a failed write leaves nothing).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "datasets/h5_util.hpp"
#include "datasets/native_h5.hpp"
#include "datasets/registry.hpp"
#include "datasets/three_dots.hpp"
#include "src/core/error.hpp"
#include "tests/support/error_of.hpp"
#include "tests/support/file_size_limit.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

using axial::FactorMatrix;
using axial::test::TempDir;
namespace ds = axial::datasets;
namespace h5 = axial::h5;

namespace {

FactorMatrix some_rows() {
  FactorMatrix f(6, 5);
  f << 0, 10, 63, 31, 5,  //
      0, 20, 63, 31, 6,   //
      1, 30, 0, 31, 7,    //
      2, 40, 0, 31, 8,    //
      3, 50, 63, 0, 9,    //
      4, 60, 0, 63, 10;
  return f;
}

std::vector<std::string> dir_entries(const std::filesystem::path& d) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(d)) out.push_back(e.path().filename().string());
  return out;
}

}  // namespace

TEST_CASE("h5 wrapper: datasets, rows, attributes, groups") {
  TempDir tmp;
  const auto path = tmp / "t.h5";
  {
    auto f = h5::File::create(path);
    const std::vector<double> d{1.5, 2.5, 3.5, 4.5, 5.5, 6.5};
    f.write<double>("a/b/m", {2, 3}, d, {{1, 3}, 4});
    f.create_dataset<std::int64_t>("rows", {4, 2});
    const std::vector<std::int64_t> r01{1, 2, 3, 4}, r23{5, 6, 7, 8};
    f.write_rows<std::int64_t>("rows", 0, 2, r01.data());
    f.write_rows<std::int64_t>("rows", 2, 2, r23.data());
    f.write_attr_string("/", "name", "hello");
    f.write_attr_strings("/", "names", {"x0", "y0", ""});
    f.write_attr_int("a/b/m", "k", -7);
    f.write_attr_uint("/", "seed", 18446744073709551615ULL);
    f.write_attr_double("a", "rho", 0.25);
    f.write_attr_ints("/", "sizes", {64, 3});
    f.write_attr_doubles("/", "ds", {0.5, -1});
    f.write_attr_string("/", "name", "replaced");  // writers replace
    f.close();
  }
  auto f = h5::File::open_read(path);
  CHECK(f.exists("a/b/m"));
  CHECK_FALSE(f.exists("a/x/m"));
  CHECK(f.is_group("a"));
  CHECK(f.is_dataset("a/b/m"));
  CHECK_FALSE(f.is_dataset("a"));
  CHECK(f.members("/") == std::vector<std::string>{"a", "rows"});
  CHECK(f.groups_in("/") == std::vector<std::string>{"a"});
  CHECK(f.datasets_in("/") == std::vector<std::string>{"rows"});
  CHECK(f.shape("a/b/m") == std::vector<std::int64_t>{2, 3});
  CHECK(f.type_class("a/b/m") == h5::TypeClass::Float);
  CHECK(f.type_size("a/b/m") == 8);
  CHECK(f.type_class("rows") == h5::TypeClass::Integer);
  CHECK(f.read<double>("a/b/m") == std::vector<double>{1.5, 2.5, 3.5, 4.5, 5.5, 6.5});
  CHECK(f.read<float>("a/b/m")[5] == 6.5f);
  CHECK(f.read<std::int64_t>("rows") == std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8});
  std::vector<std::int64_t> mid(4);
  f.read_rows<std::int64_t>("rows", 1, 2, mid.data());
  CHECK(mid == std::vector<std::int64_t>{3, 4, 5, 6});
  CHECK(f.read_attr_string("/", "name") == "replaced");
  CHECK(f.read_attr_strings("/", "names") == std::vector<std::string>{"x0", "y0", ""});
  CHECK(f.read_attr_int("a/b/m", "k") == -7);
  CHECK(f.read_attr_uint("/", "seed") == 18446744073709551615ULL);
  CHECK(f.read_attr_double("a", "rho") == 0.25);
  CHECK(f.read_attr_ints("/", "sizes") == std::vector<std::int64_t>{64, 3});
  CHECK(f.read_attr_doubles("/", "ds") == std::vector<double>{0.5, -1});
  CHECK(f.has_attr("/", "seed"));
  CHECK_FALSE(f.has_attr("/", "nope"));
  CHECK(f.attr_type_class("/", "names") == h5::TypeClass::String);
  // Errors name the file and the key.
  const std::string p = path.string();
  const std::string missing = "'" + p + "': dataset 'codes' not found";
  CHECK_THROWS_WITH_AS(f.read<double>("codes"), doctest::Contains(missing.c_str()), axial::Error);
  CHECK_THROWS_WITH_AS(f.read_attr_string("/", "missing"), doctest::Contains("attribute 'missing'"), axial::Error);
  CHECK_THROWS_WITH_AS(f.read_attr_int("/", "name"), doctest::Contains("expected numbers"), axial::Error);
  CHECK_THROWS_WITH_AS(f.read_rows<std::int64_t>("rows", 3, 2, mid.data()), doctest::Contains("'rows'"), axial::Error);
  CHECK_THROWS_WITH_AS(h5::File::open_read(tmp / "none.h5"), doctest::Contains("none.h5': file not found"),
                       axial::Error);
  {
    std::ofstream(tmp / "bad.h5") << "not hdf5";
  }
  CHECK_THROWS_WITH_AS(h5::File::open_read(tmp / "bad.h5"), doctest::Contains("not an HDF5 file"), axial::Error);
  CHECK_FALSE(h5::is_hdf5_file(tmp / "bad.h5"));
  CHECK(h5::is_hdf5_file(path));
  CHECK(h5::shape_string({3, 64}) == "(3, 64)");
}

TEST_CASE("native format: three-dots round trip, float32 and uint8") {
  TempDir tmp;
  ds::ThreeDots td;
  const FactorMatrix rows = some_rows();
  std::vector<float> expected(static_cast<std::size_t>(rows.cols()) * 4096);
  td.observations(rows, expected.data());
  const auto path = tmp / "d.h5";
  ds::NativeWriteOptions wo;
  wo.chunk_rows = 2;
  ds::write_native(path, td, rows, 123u, wo, {}, /*block=*/2);  // blocks of 2 rows: 3 partial writes
  CHECK(ds::is_native_file(path));
  auto info = ds::read_native_info(path);
  CHECK(info.num == 5);
  CHECK(info.header.dataset == "three-dots");
  CHECK(info.header.factor_names == td.factor_names());
  CHECK(info.header.factor_sizes == td.factor_sizes());
  CHECK(info.header.shape.height == 64);
  CHECK(info.header.shape.channels == 1);
  REQUIRE(info.header.seed.has_value());
  CHECK(*info.header.seed == 123u);
  CHECK(info.storage == ds::ImageStorage::Float32);
  CHECK_FALSE(info.axial_version.empty());
  CHECK(ds::read_native_factors(path) == rows);
  std::vector<float> got(expected.size());
  ds::read_native_images(path, "", 0, 5, got.data());
  CHECK(got == expected);
  {
    auto f = h5::File::open_read(path);  // the layout the issue names
    CHECK(f.shape("images") == std::vector<std::int64_t>{5, 64, 64, 1});
    CHECK(f.type_size("images") == 4);
    CHECK(f.shape("factors") == std::vector<std::int64_t>{5, 6});
    CHECK(f.type_class("factors") == h5::TypeClass::Integer);
    CHECK(f.type_size("factors") == 8);
  }
  // NativeData: a file with 5 of 64^6 combinations is a subset.
  ds::NativeData nd(path);
  REQUIRE(nd.existing_rows() != nullptr);
  CHECK(nd.existing_rows()->cols() == 5);
  FactorMatrix ask(6, 2);
  ask.col(0) = rows.col(3);
  ask.col(1) = rows.col(1);
  std::vector<float> two(2 * 4096);
  nd.observations(ask, two.data());
  CHECK(std::equal(two.begin(), two.begin() + 4096, expected.begin() + 3 * 4096));
  CHECK(std::equal(two.begin() + 4096, two.end(), expected.begin() + 1 * 4096));
  ask(0, 1) = 33;
  CHECK_THROWS_WITH_AS(nd.observations(ask, two.data()), doctest::Contains("row 1 (33, 20, 30, 40, 50, 60) is not in"),
                       axial::Error);
  // open_dataset accepts the file path.
  auto opened = ds::open_dataset(path.string());
  CHECK(opened->name() == "three-dots");
  // uint8 storage with scale = 255.
  const auto p8 = tmp / "d8.h5";
  wo.storage = ds::ImageStorage::Uint8;
  ds::write_native(p8, td, rows, std::nullopt, wo);
  auto i8 = ds::read_native_info(p8);
  CHECK(i8.storage == ds::ImageStorage::Uint8);
  CHECK_FALSE(i8.header.seed.has_value());
  {
    auto f = h5::File::open_read(p8);
    CHECK(f.read_attr_int("images", "scale") == 255);
  }
  ds::read_native_images(p8, "", 0, 5, got.data());
  for (std::size_t i = 0; i < got.size(); ++i) REQUIRE(std::abs(got[i] - expected[i]) <= 0.5f / 255 + 1e-6f);
}

TEST_CASE("native format: complete files are not subsets, rows out of range are errors") {
  // A toy data set with 2×3 combinations, all present.
  class Toy : public ds::GroundTruthData {
   public:
    std::string name() const override { return "toy"; }
    const std::vector<std::string>& factor_names() const override { return names_; }
    const std::vector<std::int64_t>& factor_sizes() const override { return sizes_; }
    ds::ObservationShape observation_shape() const override { return {1, 2, 1}; }
    void observations(const FactorMatrix& f, float* out) const override {
      for (Eigen::Index j = 0; j < f.cols(); ++j) {
        out[2 * j] = static_cast<float>(f(0, j)) / 2;
        out[2 * j + 1] = static_cast<float>(f(1, j)) / 3;
      }
    }

   private:
    std::vector<std::string> names_{"a", "b"};
    std::vector<std::int64_t> sizes_{2, 3};
  } toy;
  FactorMatrix all(2, 6);
  all << 1, 0, 1, 0, 1, 0,  //
      2, 2, 1, 1, 0, 0;
  TempDir tmp;
  ds::write_native(tmp / "toy.h5", toy, all, 5u);
  ds::NativeData nd(tmp / "toy.h5");
  CHECK(nd.existing_rows() == nullptr);
  FactorMatrix q(2, 1);
  q << 1, 1;
  float px[2];
  nd.observations(q, px);
  CHECK(px[0] == 0.5f);
  CHECK(px[1] == doctest::Approx(1.0 / 3));
  q << 2, 0;
  CHECK_THROWS_WITH_AS(nd.observations(q, px), doctest::Contains("factor a = 2 is outside 0..1"), axial::Error);
}

TEST_CASE("native format: a failed write leaves no file, bad files are errors naming the key") {
  TempDir tmp;
  ds::ThreeDots td;
  FactorMatrix rows = some_rows();
  rows(2, 4) = 64;  // out of range
  CHECK_THROWS_WITH_AS(ds::write_native(tmp / "x.h5", td, rows, 1u), doctest::Contains("row 4"), axial::Error);
  CHECK(dir_entries(tmp.path).empty());
  {
    ds::NativeWriter w(tmp / "y.h5", ds::native_header(td));
    w.begin("", 1);
  }  // never committed
  CHECK(dir_entries(tmp.path).empty());
  // Non-integer factors.
  {
    auto f = h5::File::create(tmp / "f.h5");
    f.write_attr_strings("/", "factor_names", {"a"});
    f.write_attr_ints("/", "factor_sizes", {4});
    f.write<float>("images", {2, 1, 1, 1}, std::vector<float>{0, 1});
    f.write<double>("factors", {2, 1}, std::vector<double>{0.5, 1});
    f.close();
  }
  CHECK_THROWS_WITH_AS(ds::read_native_info(tmp / "f.h5"), doctest::Contains("dataset 'factors' holds float values"),
                       axial::Error);
  {
    auto f = h5::File::create(tmp / "g.h5");
    f.write_attr_strings("/", "factor_names", {"a"});
    f.write_attr_ints("/", "factor_sizes", {4});
    f.write<float>("images", {3, 1, 1, 1}, std::vector<float>{0, 1, 1});
    f.write<std::int64_t>("factors", {2, 1}, std::vector<std::int64_t>{0, 1});
    f.close();
  }
  CHECK_THROWS_WITH_AS(ds::read_native_info(tmp / "g.h5"), doctest::Contains("has 3 rows but 'factors' has 2"),
                       axial::Error);
}

namespace {

using axial::test::in_limited_child;

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("h5 writes that fail (full disk) are errors naming the file and reason; every handle is closed, no crash") {
  TempDir tmp;
  ds::ThreeDots td;
  FactorMatrix rows(6, 2000);
  for (Eigen::Index j = 0; j < rows.cols(); ++j)
    for (Eigen::Index k = 0; k < 6; ++k) rows(k, j) = (j * (7 + 2 * k) + 13 * k) % 64;
  // A failure while writing rows: the error names the target (not the temporary file) and the system's reason.
  int status = in_limited_child(50 * 1024, [&] {
    const std::string msg = axial::test::error_of([&] { ds::write_native(tmp / "x.h5", td, rows, 1u); });
    if (!has(msg, "'" + (tmp / "x.h5").string() + "': cannot write rows") || !has(msg, "(File too large)")) return 1;
    if (H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL) != 0) return 2;
    if (!dir_entries(tmp.path).empty()) return 3;
    return 0;
  });
  CHECK_MESSAGE(WIFEXITED(status), "signal " << WTERMSIG(status));
  CHECK(WEXITSTATUS(status) == 0);
  // A failure only at the final flush (the attributes sit in HDF5's cache until then): close() reports it; a file
  // that is only destroyed closes without a report and without a crash.
  status = in_limited_child(100, [&] {
    {
      auto f = h5::File::create(tmp / "a.h5");
      f.write_attr_string("/", "dataset", "three-dots");
      const std::string msg = axial::test::error_of([&] { f.close(); });
      if (!has(msg, "'" + (tmp / "a.h5").string() + "': cannot write file (File too large)")) return 1;
    }
    {
      auto f = h5::File::create(tmp / "b.h5");
      f.write_attr_string("/", "dataset", "three-dots");
    }
    if (H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL) != 0) return 2;
    return 0;
  });
  CHECK_MESSAGE(WIFEXITED(status), "signal " << WTERMSIG(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("a damaged HDF5 file is a DamagedFile error naming it, read in a child process: no crash here") {
  TempDir tmp;
  ds::ThreeDots td;
  ds::write_native(tmp / "good.h5", td, some_rows(), 1u);
  std::string bytes = axial::test::slurp(tmp / "good.h5");
  // The global heap holding the attribute strings: make the first string's length absurd.
  const std::size_t gcol = bytes.find("GCOL");
  REQUIRE(gcol != std::string::npos);
  bytes[gcol + 16 + 8 + 6] = static_cast<char>(0xff);
  const auto bad = tmp / "bad.h5";
  std::ofstream(bad, std::ios::binary) << bytes;
  CHECK_NOTHROW(h5::check_metadata_readable(tmp / "good.h5"));
  CHECK_NOTHROW(ds::read_native_info(tmp / "good.h5"));
  for (int pass = 0; pass < 2; ++pass) {  // not cached as good
    CAPTURE(pass);
    const std::string want = "'" + bad.string() + "': damaged HDF5 file";
    CHECK_THROWS_WITH_AS(ds::read_native_info(bad), doctest::Contains(want.c_str()), h5::DamagedFile);
  }
  CHECK_THROWS_AS(ds::is_native_file(bad), h5::DamagedFile);
  CHECK_THROWS_AS(ds::open_dataset(bad.string()), h5::DamagedFile);
  CHECK_FALSE(ds::is_native_file(tmp / "missing.h5"));
}

TEST_CASE("registry: names, NAME=PATH, files, unknown names") {
  CHECK(ds::find_dataset("three-dots") != nullptr);
  CHECK(ds::open_dataset("three-dots")->name() == "three-dots");
  CHECK_THROWS_WITH_AS(ds::open_dataset("four-dots"), doctest::Contains("valid: three-dots"), axial::Error);
  CHECK_THROWS_WITH_AS(ds::open_dataset("three-dots=/tmp/x"), doctest::Contains("takes no file"), axial::Error);
  CHECK_THROWS_WITH_AS(ds::open_dataset("/nonexistent/dir/file.h5"), doctest::Contains("file not found"),
                       axial::Error);
  for (const auto& e : ds::dataset_table()) {
    CHECK_FALSE(e.name.empty());
    CHECK_FALSE(e.description.empty());
    CHECK(static_cast<bool>(e.factory));
  }
}
