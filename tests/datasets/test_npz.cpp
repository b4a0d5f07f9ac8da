// .npy header parser and .npz reader: stored, deflated and zip64 archives written by the test from the format
// definitions; every bad-file case must name the file and key.
#include <cmath>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "datasets/npy.hpp"
#include "datasets/npz.hpp"
#include "src/core/error.hpp"
#include "tests/datasets/npz_fixture.hpp"
#include "tests/support/error_of.hpp"
#include "tests/support/temp_dir.hpp"

#include <doctest/doctest.h>

using namespace axial::datasets;
using axial::test::npy_bytes;
using axial::test::raw_bytes;
using axial::test::zip_bytes;
using axial::test::ZipMember;

namespace {

using axial::test::error_of;

NpyHeader parse(const std::string& s) {
  return parse_npy_header(reinterpret_cast<const std::uint8_t*>(s.data()), s.size(), "file 'x.npz', key 'k'");
}

const std::vector<double> kCodes = {0.5, -1.25, 3.0, 1e-300, -0.0, 7.75};      // (2, 3)
const std::vector<std::int32_t> kFactors = {0, 1, 2, 3, 4, 5, 6, 7};            // (4, 2)
const std::vector<std::uint8_t> kBytes = {0, 1, 127, 128, 254, 255};            // (6,)

std::vector<ZipMember> members(bool deflate) {
  return {
      {"codes.npy", npy_bytes("<f8", {2, 3}, raw_bytes(kCodes)), deflate},
      {"factors.npy", npy_bytes("<i4", {4, 2}, raw_bytes(kFactors)), deflate},
      {"bytes.npy", npy_bytes("|u1", {6}, raw_bytes(kBytes)), deflate},
      {"metadata.npy", axial::test::npy_object_bytes(), deflate},
  };
}

}  // namespace

TEST_CASE("npy header: dtypes, shapes and versions") {
  auto h = parse(npy_bytes("<f8", {2, 3}, ""));
  CHECK(h.type == NpyType::Float64);
  CHECK(h.item_size == 8);
  CHECK(h.shape == std::vector<std::int64_t>{2, 3});
  CHECK(h.data_offset % 64 == 0);
  CHECK(h.shape_string() == "(2, 3)");
  CHECK(parse(npy_bytes("|u1", {7}, "")).shape_string() == "(7,)");
  CHECK(parse(npy_bytes("<i8", {}, "")).count() == 1);       // 0-d
  CHECK(parse(npy_bytes("<f4", {0, 5}, "")).count() == 0);   // empty
  CHECK(parse(npy_bytes("|b1", {3}, "")).type == NpyType::Bool);
  CHECK(parse(npy_bytes("<f2", {3}, "")).type == NpyType::Float16);
  CHECK(parse(npy_bytes("<u8", {1}, "", false, 2)).type == NpyType::UInt64);  // format 2.0 (uint32 length)
  CHECK(parse(npy_bytes("|i1", {1}, "", false, 3)).type == NpyType::Int8);
  // Old numpy wrote Python-2 long suffixes and double quotes are legal Python too.
  std::string dict = "{\"descr\": \"<i4\", \"fortran_order\": False, \"shape\": (3L, 2L)}\n";
  std::string s = std::string("\x93NUMPY\x01\x00", 8) + char(dict.size()) + char(0) + dict;
  CHECK(parse(s).shape == std::vector<std::int64_t>{3, 2});
}

TEST_CASE("npy header: unsupported or malformed headers are errors naming file and key") {
  auto msg = [](const std::string& s) { return error_of([&] { parse(s); }); };
  CHECK(msg(npy_bytes("|O", {2}, "")).find("object array") != std::string::npos);
  CHECK(msg(npy_bytes(">f8", {2}, "")).find("big-endian") != std::string::npos);
  CHECK(msg(npy_bytes("|u1", {2}, "")) == "");  // a byte-sized type has no byte order
  CHECK(parse(npy_bytes("<f8", {2, 2}, "", true)).fortran_order);  // Fortran order is read (see below)
  CHECK(msg(npy_bytes("<U5", {2}, "")).find("unsupported dtype") != std::string::npos);
  CHECK(msg("NOTNUMPY....").find("bad magic") != std::string::npos);
  std::string good = npy_bytes("<f8", {2, 3}, "");
  CHECK(msg(good.substr(0, 40)).find("truncated") != std::string::npos);
  std::string structured = "{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (2,), }\n";
  std::string st = std::string("\x93NUMPY\x01\x00", 8) + char(structured.size()) + char(0) + structured;
  CHECK(msg(st).find("structured") != std::string::npos);
  std::string broken = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, }\n";
  std::string br = std::string("\x93NUMPY\x01\x00", 8) + char(broken.size()) + char(0) + broken;
  CHECK(msg(br).find("malformed") != std::string::npos);
  std::string negative = "{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }\n";
  std::string ng = std::string("\x93NUMPY\x01\x00", 8) + char(negative.size()) + char(0) + negative;
  CHECK(msg(ng).find("malformed shape") != std::string::npos);
  for (const auto& s : {npy_bytes("|O", {2}, ""), good.substr(0, 40)})
    CHECK(msg(s).find("file 'x.npz', key 'k'") == 0);
}

TEST_CASE("npz: stored, deflated and zip64 archives give the same arrays") {
  axial::test::FixtureDir dir;
  struct Variant {
    const char* name;
    bool deflate, zip64;
  };
  for (auto v : {Variant{"stored", false, false}, Variant{"deflated", true, false}, Variant{"zip64", false, true},
                 Variant{"zip64-deflated", true, true}}) {
    CAPTURE(v.name);
    auto path = dir / (std::string(v.name) + ".npz");
    axial::test::write_bytes(path, zip_bytes(members(v.deflate), v.zip64));
    NpzFile f(path);
    CHECK(f.keys() == std::vector<std::string>{"codes", "factors", "bytes", "metadata"});
    CHECK(f.has("codes"));
    CHECK_FALSE(f.has("codes.npy"));
    CHECK(f.is_compressed("codes") == v.deflate);

    auto codes = f.read("codes");
    CHECK(codes.type() == NpyType::Float64);
    CHECK(codes.shape() == std::vector<std::int64_t>{2, 3});
    CHECK(codes.as_double() == kCodes);
    CHECK(codes.as_float()[1] == -1.25f);
    CHECK(error_of([&] { codes.as_int64(); }).find("expected an integer array, got dtype float64") != std::string::npos);

    auto factors = f.read("factors");
    CHECK(factors.type() == NpyType::Int32);
    CHECK(factors.as_int64() == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7});
    CHECK(factors.value_int64(5) == 5);
    CHECK(factors.as_uint8()[7] == 7);

    auto bytes = f.read("bytes");
    CHECK(bytes.as_uint8() == kBytes);
    CHECK(bytes.as_double()[5] == 255.0);

    CHECK(f.header("codes").shape == std::vector<std::int64_t>{2, 3});
    CHECK(error_of([&] { f.header("metadata"); }).find("object array") != std::string::npos);
    auto err = error_of([&] { f.read("metadata"); });  // never unpickled
    CHECK(err.find("key 'metadata'") != std::string::npos);
    CHECK(err.find("object array") != std::string::npos);

    // Streaming hands out exactly the element bytes.
    std::string streamed;
    f.stream("codes", [](const NpyHeader& h) { CHECK(h.count() == 6); },
             [&](const std::uint8_t* b, std::size_t n) { streamed.append(reinterpret_cast<const char*>(b), n); }, 5);
    CHECK(streamed == raw_bytes(kCodes));

    if (v.deflate) {
      auto e = error_of([&] { f.map("codes"); });
      CHECK(e.find("file '" + path.string() + "', key 'codes'") == 0);
      CHECK(e.find("cannot be memory-mapped") != std::string::npos);
      CHECK(e.find("axial data convert") != std::string::npos);
    } else {
      auto m = f.map("codes");
      CHECK(m.value_double(2) == 3.0);
    }
  }
}

TEST_CASE("npz: numeric conversions and checks") {
  axial::test::FixtureDir dir;
  std::vector<std::uint16_t> half = {0x3c00, 0xc000, 0x3555, 0x0001};  // 1, -2, 0.333..., smallest subnormal
  std::vector<float> floats = {2.0f, 2.5f};
  std::vector<std::int64_t> big = {300, -1};
  std::vector<std::uint8_t> flags = {0, 1, 1};
  axial::test::write_bytes(dir / "t.npz", zip_bytes({{"h.npy", npy_bytes("<f2", {4}, raw_bytes(half))},
                                                     {"f.npy", npy_bytes("<f4", {2}, raw_bytes(floats))},
                                                     {"big.npy", npy_bytes("<i8", {2}, raw_bytes(big))},
                                                     {"b.npy", npy_bytes("|b1", {3}, raw_bytes(flags))}}));
  NpzFile f(dir / "t.npz");
  auto h = f.read("h").as_double();
  CHECK(h[0] == 1.0);
  CHECK(h[1] == -2.0);
  CHECK(h[2] == doctest::Approx(1.0 / 3.0).epsilon(1e-3));
  CHECK(h[3] == std::ldexp(1.0, -24));
  auto fl = f.read("f");
  CHECK(fl.value_int64(0) == 2);  // an integral float element converts
  CHECK(error_of([&] { fl.value_int64(1); }).find("not an integer") != std::string::npos);
  CHECK(error_of([&] { f.read("big").as_uint8(); }).find("outside 0..255") != std::string::npos);
  CHECK(f.read("b").as_int64() == std::vector<std::int64_t>{0, 1, 1});
  auto a = f.read("big");
  CHECK_NOTHROW(a.require_shape({-1}));
  CHECK(error_of([&] { a.require_shape({2, 1}); }).find("expected shape (2, 1), got (2,)") != std::string::npos);
  CHECK(error_of([&] { a.require_ndim(2); }).find("expected a 2-dimensional array") != std::string::npos);
}

TEST_CASE("npz: missing, truncated and corrupt files are errors naming the file (and key)") {
  axial::test::FixtureDir dir;
  const std::string good = zip_bytes(members(true));
  auto p = dir / "x.npz";
  axial::test::write_bytes(p, good);

  auto e = error_of([&] { NpzFile(p).read("labels"); });
  CHECK(e.find("file '" + p.string() + "', key 'labels': no such key (keys: codes, factors, bytes, metadata)") == 0);

  CHECK(error_of([&] { NpzFile(dir / "missing.npz"); }).find("missing.npz': cannot open") != std::string::npos);

  // Cut in the middle: the end-of-central-directory record is gone.
  auto cut = dir / "cut.npz";
  axial::test::write_bytes(cut, good.substr(0, good.size() / 2));
  e = error_of([&] { NpzFile{cut}; });
  CHECK(e.find("file '" + cut.string() + "'") == 0);
  CHECK(e.find("truncated") != std::string::npos);

  // Not a zip at all.
  axial::test::write_bytes(dir / "text.npz", std::string(100, 'a'));
  CHECK(error_of([&] { NpzFile(dir / "text.npz"); }).find("not a .npz (zip) archive") != std::string::npos);

  // A deflated member whose stream is damaged: corrupt data or CRC mismatch, naming the key.
  std::string bad = good;
  auto pos = bad.find("codes.npy") + 9 + 20;  // inside the first member's compressed data
  bad[pos] = char(bad[pos] ^ 0x5a);
  bad[pos + 1] = char(bad[pos + 1] ^ 0x33);
  axial::test::write_bytes(dir / "bad.npz", bad);
  e = error_of([&] { NpzFile(dir / "bad.npz").read("codes"); });
  CHECK(e.find("key 'codes'") != std::string::npos);

  // A stored member shorter than its header says: "truncated", naming the key.
  std::string arr = npy_bytes("<f8", {4, 4}, std::string(8 * 10, '\0'));  // 10 of 16 values
  axial::test::write_bytes(dir / "short.npz", zip_bytes({{"codes.npy", arr, false}}));
  e = error_of([&] { NpzFile(dir / "short.npz").read("codes"); });
  CHECK(e.find("key 'codes': truncated") != std::string::npos);
  axial::test::write_bytes(dir / "short2.npz", zip_bytes({{"codes.npy", arr, true}}));
  e = error_of([&] { NpzFile(dir / "short2.npz").read("codes"); });
  CHECK(e.find("key 'codes': truncated") != std::string::npos);

  // A deflated member whose directory entry claims 4 GB inflated from a few bytes (more than deflate's 1032:1):
  // refused when the archive is opened, before anything reserves 4 GB.
  std::string bomb = zip_bytes({{"codes.npy", npy_bytes("<f8", {2, 3}, raw_bytes(kCodes)), true}});
  const auto central = bomb.find("PK\x01\x02");
  REQUIRE(central != std::string::npos);
  for (int i = 0; i < 4; ++i) bomb[central + 24 + i] = char(i == 3 ? 0xF0 : 0x00);  // uncompressed size 0xF0000000
  axial::test::write_bytes(dir / "bomb.npz", bomb);
  e = error_of([&] { NpzFile{dir / "bomb.npz"}; });
  CHECK(e.find("key 'codes': corrupt (declares 4026531840 bytes inflated from ") != std::string::npos);
}

TEST_CASE("npz: the real dSprites subset (numpy-written, deflated)") {
  const std::string path = std::string(AXIAL_SHARED_DATA_DIR) + "/dsprites/dsprites_subset.npz";
  NpzFile f(path);
  CHECK(f.has("imgs"));
  CHECK(f.is_compressed("imgs"));
  auto h = f.header("imgs");
  CHECK(h.type == NpyType::UInt8);
  CHECK(h.shape == std::vector<std::int64_t>{20000, 64, 64});
  auto idx = f.read("original_dataset_indices");
  CHECK(idx.type() == NpyType::Int64);
  CHECK(idx.size() == 20000);
  auto classes = f.read("latents_classes").as_int64();
  REQUIRE(classes.size() == 100000);
  // The original file is in C order over sizes (1, 3, 6, 40, 32, 32): each row's original index follows from its classes.
  auto orig = idx.as_int64();
  for (std::size_t n = 0; n < 20000; n += 997) {
    const std::int64_t* c = &classes[n * 5];
    CHECK(orig[n] == (((c[0] * 6 + c[1]) * 40 + c[2]) * 32 + c[3]) * 32 + c[4]);
  }
  CHECK(error_of([&] { f.read("metadata"); }).find("object array") != std::string::npos);
}

TEST_CASE("npy: Fortran-order arrays (np.asfortranarray, or a transposed array saved as is) read in C order") {
  axial::test::TempDir tmp;
  // a[i][j][k] = 100 i + 10 j + k, stored with i varying fastest, then j, then k (Fortran order).
  const std::int64_t n0 = 2, n1 = 3, n2 = 2;
  std::string f_bytes;
  for (std::int64_t k = 0; k < n2; ++k)
    for (std::int64_t j = 0; j < n1; ++j)
      for (std::int64_t i = 0; i < n0; ++i) {
        const std::int32_t v = std::int32_t(100 * i + 10 * j + k);
        f_bytes.append(reinterpret_cast<const char*>(&v), sizeof v);
      }
  {
    std::ofstream out(tmp / "f.npy", std::ios::binary);
    out << npy_bytes("<i4", {n0, n1, n2}, f_bytes, true);
  }
  const auto a = axial::datasets::read_npy(tmp / "f.npy");
  const auto v = a.as_int64();
  REQUIRE(v.size() == 12);
  std::size_t at = 0;
  for (std::int64_t i = 0; i < n0; ++i)
    for (std::int64_t j = 0; j < n1; ++j)
      for (std::int64_t k = 0; k < n2; ++k) CHECK(v[at++] == 100 * i + 10 * j + k);
  CHECK(a.value_double(1) == 1.0);   // C index 1 = a[0][0][1]
  CHECK(a.value_double(2) == 10.0);  // a[0][1][0]
  CHECK_FALSE(a.header().fortran_order);
}

TEST_CASE("npz: verify_checksums finds a changed byte in a stored member (which map() does not check)") {
  axial::test::FixtureDir dir;
  for (bool deflate : {false, true}) {
    CAPTURE(deflate);
    const std::string good = zip_bytes(members(deflate));
    axial::test::write_bytes(dir / "ok.npz", good);
    CHECK(error_of([&] { NpzFile(dir / "ok.npz").verify_checksums(); }).empty());
    std::string bad = good;
    const auto pos = bad.find("factors.npy") + 11 + (deflate ? 20 : 140);  // in the member's data
    bad[pos] = char(bad[pos] ^ 0x01);
    axial::test::write_bytes(dir / "bad.npz", bad);
    const std::string e = error_of([&] { NpzFile(dir / "bad.npz").verify_checksums(); });
    CHECK(e.find("key 'factors'") != std::string::npos);
  }
}
