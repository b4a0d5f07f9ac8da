#include "datasets/codes_file.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "axial/version.hpp"
#include "src/core/atomic_output.hpp"
#include "datasets/h5_util.hpp"
#include "datasets/npz.hpp"
#include "src/core/error.hpp"
#include "src/core/memory.hpp"
#include "src/core/paths.hpp"

namespace axial {

namespace {

std::string lower_extension(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

bool is_h5(const std::string& ext) { return ext == ".h5" || ext == ".hdf5"; }

void require_exists(const std::filesystem::path& path) {
  std::error_code ec;
  refuse_directory(path, fmt::format("'{}'", path.string()));
  if (!std::filesystem::is_regular_file(path, ec))
    throw Error(fmt::format("'{}': no such file", path.string()));
}

// Checks every code finite; `where` names file and key.
void check_codes(const CodeMatrix& codes, const std::string& where) {
  for (Eigen::Index n = 0; n < codes.cols(); ++n)
    for (Eigen::Index l = 0; l < codes.rows(); ++l)
      if (!std::isfinite(codes(l, n)))
        throw Error(fmt::format("{}: non-finite value {} at row {}, column {}", where, codes(l, n), n, l));
}

std::string h5_key(const std::string& group, const std::string& name) {
  return group.empty() || group == "/" ? name : group + "/" + name;
}

// The two arrays as stored (row-major), before the layout is applied.
struct RawPair {
  std::vector<std::int64_t> cs, fs;  // shapes, 1-D arrays as (n, 1)
  std::vector<double> z;
  std::vector<std::int64_t> y;
  Precision precision = Precision::Float64;
  std::string codes_where, factors_where;  // for messages, e.g. "'f.h5': dataset 'codes'"
  std::string count_prefix;                // "'f.h5': dataset 'codes' has" / "file 'f.npz', key 'codes':"
};

std::string shape_text(const std::vector<std::int64_t>& s) { return fmt::format("({}, {})", s[0], s[1]); }

}  // namespace

void check_not_transposed(const std::vector<std::int64_t>& cs, const std::vector<std::int64_t>& fs,
                          const std::string& file) {
  const bool looks_transposed = (cs[0] != fs[0] && cs[1] == fs[1]) || cs[0] < cs[1] || fs[0] < fs[1];
  if (looks_transposed)
    throw Error(fmt::format("'{}': codes {} and factors {} look like (num_codes, num_points); axial reads "
                            "(num_points, num_codes) — pass `--layout codes-by-points` (or transpose), or "
                            "`--layout points-by-codes` if the rows really are samples",
                            file, shape_text(cs), shape_text(fs)));
}

namespace {

// Applies the layout: (N, L) / (N, K) rows are samples; (L, N) / (K, N) are transposed. `file` names the file.
CodesData assemble(RawPair raw, CodesLayout layout, const std::string& file) {
  const auto &cs = raw.cs, &fs = raw.fs;
  if (layout == CodesLayout::kAuto) check_not_transposed(cs, fs, file);
  const bool transposed = layout == CodesLayout::kCodesByPoints;
  const std::int64_t N = transposed ? cs[1] : cs[0], L = transposed ? cs[0] : cs[1];
  const std::int64_t Nf = transposed ? fs[1] : fs[0], K = transposed ? fs[0] : fs[1];
  if (N != Nf)
    throw Error(fmt::format("{} {} {} but {} has {}", raw.count_prefix, N, transposed ? "columns" : "rows",
                            raw.factors_where, Nf));
  if (N < 1) throw Error(fmt::format("{} no {}", raw.count_prefix, transposed ? "columns" : "rows"));
  CodesData d;
  d.precision = raw.precision;
  using RowMajorD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using RowMajorI = Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  if (transposed) {
    d.codes = Eigen::Map<const RowMajorD>(raw.z.data(), L, N);
    d.factors = Eigen::Map<const RowMajorI>(raw.y.data(), K, N);
  } else {
    d.codes = Eigen::Map<const CodeMatrix>(raw.z.data(), L, N);
    d.factors = Eigen::Map<const FactorMatrix>(raw.y.data(), K, N);
  }
  check_codes(d.codes, raw.codes_where);
  return d;
}

// Exact-integer factors stored as floats (np.float32/64 arrays of labels) → int64; anything else is an error.
std::vector<std::int64_t> integral_factors(const std::vector<double>& v, const std::string& where) {
  std::vector<std::int64_t> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i]) || v[i] != std::floor(v[i]) || std::fabs(v[i]) > 9.0e15)
      throw Error(fmt::format("{}: value {} at index {} is not an integer (factors must be integer labels)", where,
                              v[i], i));
    out[i] = static_cast<std::int64_t>(v[i]);
  }
  return out;
}

std::string list_or_none(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s.empty() ? std::string("none") : s;
}

// The member to read: the one asked for, else the first of `defaults` present. Throws listing what is present.
template <class Has>
std::string choose_key(const std::string& asked, std::initializer_list<const char*> defaults, const Has& has,
                       const std::vector<std::string>& present, const std::string& file, const char* option,
                       const char* kind) {
  if (!asked.empty()) {
    if (!has(asked))
      throw Error(fmt::format("'{}': no {} '{}' ({} present: {})", file, kind, asked, kind, list_or_none(present)));
    return asked;
  }
  std::string tried;
  for (const char* d : defaults) {
    if (has(d)) return d;
    tried += (tried.empty() ? "'" : " or '") + std::string(d) + "'";
  }
  throw Error(fmt::format("'{}': {} {} not found ({}s present: {}; choose one with {})", file, kind, tried, kind,
                          list_or_none(present), option));
}

RawPair read_h5_raw(const h5::File& f, const std::string& codes_key, const std::string& factors_key) {
  RawPair raw;
  raw.cs = f.shape(codes_key);
  raw.fs = f.shape(factors_key);
  if (raw.cs.size() == 1) raw.cs.push_back(1);
  if (raw.fs.size() == 1) raw.fs.push_back(1);
  if (raw.cs.size() != 2)
    throw Error(f.where(fmt::format("dataset '{}' has shape {}, expected (N, L)", codes_key, h5::shape_string(raw.cs))));
  if (raw.fs.size() != 2)
    throw Error(
        f.where(fmt::format("dataset '{}' has shape {}, expected (N, K)", factors_key, h5::shape_string(raw.fs))));
  if (f.type_class(codes_key) != h5::TypeClass::Float)
    throw Error(f.where(fmt::format("dataset '{}' has {} elements, expected float32 or float64", codes_key,
                                    h5::type_class_name(f.type_class(codes_key)))));
  if (f.type_size(codes_key) < 4)
    throw Error(f.where(fmt::format("dataset '{}' is float16: convert the codes to float32 (numpy's float16 "
                                    "histogram edges are not reproduced)",
                                    codes_key)));
  const h5::TypeClass ft = f.type_class(factors_key);
  if (ft != h5::TypeClass::Integer && ft != h5::TypeClass::Float)
    throw Error(f.where(fmt::format("dataset '{}' has {} elements, expected integer factors", factors_key,
                                    h5::type_class_name(ft))));
  raw.codes_where = f.where(fmt::format("dataset '{}'", codes_key));
  raw.factors_where = fmt::format("'{}'", factors_key);
  raw.count_prefix = raw.codes_where + " has";
  require_memory(8.0 * (double(raw.cs[0]) * double(raw.cs[1]) + double(raw.fs[0]) * double(raw.fs[1])) * 2.0,
                 fmt::format("'{}': datasets '{}' {} and '{}' {}", f.path().string(), codes_key,
                             h5::shape_string(raw.cs), factors_key, h5::shape_string(raw.fs)));
  raw.precision = f.type_size(codes_key) <= 4 ? Precision::Float32 : Precision::Float64;
  raw.z = f.read<double>(codes_key);
  raw.y = ft == h5::TypeClass::Integer ? f.read<std::int64_t>(factors_key)
                                       : integral_factors(f.read<double>(factors_key),
                                                          f.where(fmt::format("dataset '{}'", factors_key)));
  return raw;
}

RawPair read_npz_raw(const datasets::NpzFile& f, const std::string& codes_key, const std::string& factors_key) {
  const datasets::NpyArray z = f.read(codes_key), y = f.read(factors_key);
  auto shape2 = [](const datasets::NpyArray& a, const std::string& what) {
    std::vector<std::int64_t> s = a.shape();
    if (s.size() == 1) s.push_back(1);
    if (s.size() != 2)
      throw Error(fmt::format("{}: shape {}, expected {}", a.where(), a.header().shape_string(), what));
    return s;
  };
  RawPair raw;
  raw.cs = shape2(z, "(N, L)");
  raw.fs = shape2(y, "(N, K)");
  if (!datasets::npy_is_float(z.type()))
    throw Error(fmt::format("{}: dtype {}, expected float32 or float64", z.where(), datasets::npy_type_name(z.type())));
  if (z.type() == datasets::NpyType::Float16)
    throw Error(fmt::format("{}: dtype float16: convert the codes to float32 (codes.astype(np.float32); numpy's "
                            "float16 histogram edges are not reproduced)",
                            z.where()));
  if (!datasets::npy_is_integer(y.type()) && !datasets::npy_is_float(y.type()))
    throw Error(fmt::format("{}: dtype {}, expected integer factors", y.where(), datasets::npy_type_name(y.type())));
  raw.codes_where = z.where();
  raw.factors_where = fmt::format("'{}'", factors_key);
  raw.count_prefix = z.where() + ":";
  require_memory(8.0 * (double(raw.cs[0]) * double(raw.cs[1]) + double(raw.fs[0]) * double(raw.fs[1])) * 2.0,
                 fmt::format("{} {} and '{}' {}", z.where(), z.header().shape_string(), factors_key,
                             y.header().shape_string()));
  raw.precision = z.type() == datasets::NpyType::Float64 ? Precision::Float64 : Precision::Float32;
  raw.z = z.as_double();
  raw.y = datasets::npy_is_integer(y.type()) ? y.as_int64() : integral_factors(y.as_double(), y.where());
  return raw;
}

// The pre-layout readers of cluster files: (N, L) / (N, K) as before.
CodesData read_h5_pair(const h5::File& f, const std::string& codes_key, const std::string& factors_key) {
  for (const auto* key : {&codes_key, &factors_key})
    if (!f.is_dataset(*key)) throw Error(f.where(fmt::format("dataset '{}' not found", *key)));
  return assemble(read_h5_raw(f, codes_key, factors_key), CodesLayout::kPointsByCodes, "");
}

CodesData read_npz_pair(const datasets::NpzFile& f, const std::string& codes_key, const std::string& factors_key) {
  for (const auto* key : {&codes_key, &factors_key})
    if (!f.has(*key)) throw Error(fmt::format("{}: member not found", f.where(*key)));
  return assemble(read_npz_raw(f, codes_key, factors_key), CodesLayout::kPointsByCodes, "");
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : line) {
    if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  out.push_back(cur);
  for (auto& s : out) {
    const auto b = s.find_first_not_of(" \t\"");
    const auto e = s.find_last_not_of(" \t\"");
    s = b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  }
  return out;
}

bool all_numbers(const std::vector<std::string>& cells) {
  for (const auto& c : cells) {
    char* end = nullptr;
    std::strtod(c.c_str(), &end);
    if (c.empty() || end != c.c_str() + c.size()) return false;
  }
  return true;
}

CodesData read_csv(const std::filesystem::path& path, const CodesReadOptions& o) {
  if (o.layout == CodesLayout::kCodesByPoints)
    throw Error(fmt::format("--layout codes-by-points: a CSV file has one row per sample ('{}')", path.string()));
  std::ifstream in(path);
  if (!in) throw Error(fmt::format("'{}': cannot open", path.string()));
  std::string line;
  if (!std::getline(in, line)) throw Error(fmt::format("'{}': empty file, expected a header z0,...,y0,...", path.string()));
  // np.savetxt(..., header="z0,...", delimiter=",") writes the header behind "# ".
  if (!line.empty() && line[0] == '#') line = line.substr(line.find_first_not_of("# \t") == std::string::npos
                                                              ? line.size()
                                                              : line.find_first_not_of("# \t"));
  std::vector<std::string> header = split_csv_line(line);
  std::size_t L = 0, K = 0;
  std::vector<std::string> first_row;  // a headerless file's first data row
  if (all_numbers(header)) {
    if (o.num_latents <= 0)
      throw Error(fmt::format("'{}': no header line (z0..z{{L-1}},y0..y{{K-1}}); pass --num-latents L to read the "
                              "first L columns as codes and the rest as factors, or add the header",
                              path.string()));
    if (header.size() <= std::size_t(o.num_latents))
      throw Error(fmt::format("'{}': --num-latents {} leaves no factor column ({} columns)", path.string(),
                              o.num_latents, header.size()));
    L = std::size_t(o.num_latents);
    K = header.size() - L;
    first_row = header;
    header.clear();
    for (std::size_t l = 0; l < L; ++l) header.push_back(fmt::format("column {}", l + 1));
    for (std::size_t k = 0; k < K; ++k) header.push_back(fmt::format("column {}", L + k + 1));
  } else {
    for (std::size_t i = 0; i < header.size(); ++i) {
      const std::string& h = header[i];
      if (K == 0 && h == fmt::format("z{}", L)) {
        ++L;
      } else if (h == fmt::format("y{}", K)) {
        ++K;
      } else {
        throw Error(fmt::format("'{}': header column {} is '{}', expected '{}' (header must be z0..z{{L-1}}, "
                                "y0..y{{K-1}})",
                                path.string(), i + 1, h, K == 0 ? fmt::format("z{}' or 'y0", L) : fmt::format("y{}", K)));
      }
    }
    if (L == 0) throw Error(fmt::format("'{}': header has no code columns z0..", path.string()));
    if (K == 0) throw Error(fmt::format("'{}': header has no factor columns y0..", path.string()));
    if (o.num_latents > 0 && std::size_t(o.num_latents) != L)
      throw Error(fmt::format("'{}': --num-latents {} but the header has {} code columns", path.string(),
                              o.num_latents, L));
  }
  std::vector<double> z;
  std::vector<std::int64_t> y;
  std::size_t row = 0;
  bool pending = !first_row.empty();
  while (pending || std::getline(in, line)) {
    std::vector<std::string> cells;
    if (pending) {
      cells = first_row;
      pending = false;
    } else {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      cells = split_csv_line(line);
    }
    ++row;
    if (cells.size() != L + K)
      throw Error(fmt::format("'{}': row {} has {} columns, header has {}", path.string(), row, cells.size(), L + K));
    for (std::size_t c = 0; c < L + K; ++c) {
      const std::string& s = cells[c];
      errno = 0;
      char* end = nullptr;
      const double v = std::strtod(s.c_str(), &end);
      if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE)
        throw Error(fmt::format("'{}': row {}, column '{}': '{}' is not a number", path.string(), row, header[c], s));
      if (c < L) {
        if (!std::isfinite(v))
          throw Error(fmt::format("'{}': row {}, column '{}': non-finite code {}", path.string(), row, header[c], s));
        z.push_back(v);
      } else {
        if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) > 9.0e15)
          throw Error(fmt::format("'{}': row {}, column '{}': factor '{}' is not an integer", path.string(), row,
                                  header[c], s));
        y.push_back(static_cast<std::int64_t>(v));
      }
    }
  }
  if (row == 0) throw Error(fmt::format("'{}': no data rows", path.string()));
  CodesData d;
  d.precision = Precision::Float64;
  d.codes = Eigen::Map<const CodeMatrix>(z.data(), static_cast<Eigen::Index>(L), static_cast<Eigen::Index>(row));
  d.factors = Eigen::Map<const FactorMatrix>(y.data(), static_cast<Eigen::Index>(K), static_cast<Eigen::Index>(row));
  return d;
}

}  // namespace

CodesLayout parse_codes_layout(const std::string& name) {
  if (name == "auto") return CodesLayout::kAuto;
  if (name == "points-by-codes") return CodesLayout::kPointsByCodes;
  if (name == "codes-by-points") return CodesLayout::kCodesByPoints;
  throw Error(fmt::format("--layout '{}': unknown layout (valid: auto, points-by-codes, codes-by-points)", name));
}

CodesData read_codes_file(const std::filesystem::path& path, const CodesReadOptions& o) {
  const std::string ext = lower_extension(path);
  if (!is_h5(ext) && ext != ".npz" && ext != ".csv")
    throw Error(fmt::format("'{}': unsupported file type '{}' (expected .h5, .hdf5, .npz or .csv)", path.string(), ext));
  require_exists(path);
  if (ext != ".csv" && o.num_latents > 0)
    throw Error(fmt::format("--num-latents: only for CSV files without a header ('{}' is {})", path.string(), ext));
  if (is_h5(ext)) {
    const h5::File f = h5::File::open_read(path);
    const auto present = f.datasets_in("/");
    auto has = [&](const std::string& k) { return f.is_dataset(k); };
    const std::string ck = choose_key(o.codes_key, {"codes", "mus"}, has, present, path.string(), "--codes-key",
                                      "dataset");
    const std::string fk = choose_key(o.factors_key, {"factors", "ys"}, has, present, path.string(), "--factors-key",
                                      "dataset");
    CodesData d = assemble(read_h5_raw(f, ck, fk), o.layout, path.string());
    if (f.has_attr("/", "num_train")) d.num_train = f.read_attr_int("/", "num_train");
    return d;
  }
  if (ext == ".npz") {
    const datasets::NpzFile f(path);
    const auto present = f.keys();
    auto has = [&](const std::string& k) { return f.has(k); };
    const std::string ck = choose_key(o.codes_key, {"codes", "mus"}, has, present, path.string(), "--codes-key",
                                      "member");
    const std::string fk = choose_key(o.factors_key, {"factors", "ys"}, has, present, path.string(), "--factors-key",
                                      "member");
    return assemble(read_npz_raw(f, ck, fk), o.layout, path.string());
  }
  if (!o.codes_key.empty() || !o.factors_key.empty())
    throw Error(fmt::format("--codes-key/--factors-key: not for CSV files ('{}': columns z0.., y0..)", path.string()));
  return read_csv(path, o);
}

ClusterSet read_clusters_file(const std::filesystem::path& path, const std::string& group) {
  const std::string ext = lower_extension(path);
  if (!is_h5(ext) && ext != ".npz")
    throw Error(fmt::format("'{}': unsupported clusters file type '{}' (expected .h5, .hdf5 or .npz)", path.string(),
                            ext));
  require_exists(path);
  ClusterSet set;
  set.precision = Precision::Float64;
  auto add = [&](CodesData d, const std::string& where) {
    if (!set.clusters.empty()) {
      const auto& first = set.clusters.front();
      if (d.codes.rows() != first.codes.rows() || d.factors.rows() != first.factors.rows())
        throw Error(fmt::format("{}: {} latents and {} factors, but cluster 0 has {} and {}", where, d.codes.rows(),
                                d.factors.rows(), first.codes.rows(), first.factors.rows()));
    }
    if (d.precision == Precision::Float32) set.precision = Precision::Float32;
    set.clusters.push_back({std::move(d.codes), std::move(d.factors)});
  };
  if (is_h5(ext)) {
    const h5::File f = h5::File::open_read(path);
    if (!group.empty() && !f.is_group(group)) throw Error(f.where(fmt::format("group '{}' not found", group)));
    for (int i = 0;; ++i) {
      const std::string g = h5_key(group, fmt::format("cluster_{}", i));
      if (!f.exists(g)) break;
      add(read_h5_pair(f, g + "/codes", g + "/factors"), f.where(fmt::format("group '{}'", g)));
    }
    if (set.clusters.empty()) {
      // An `axial eval --dump-samples` file keeps its clusters under one group per locality: say which.
      std::vector<std::string> localities;
      for (const auto& name : f.groups_in(group.empty() ? "/" : group))
        if (name.rfind("locality_", 0) == 0) localities.push_back(name);
      if (!localities.empty())
        throw Error(f.where(fmt::format("no group '{}'; the clusters are under one group per locality ({}): choose "
                                        "one with --clusters-group",
                                        h5_key(group, "cluster_0"), list_or_none(localities))));
      throw Error(f.where(fmt::format("no group '{}' (clusters are groups cluster_0, cluster_1, …)",
                                      h5_key(group, "cluster_0"))));
    }
    std::size_t listed = 0;
    for (const auto& name : f.groups_in(group.empty() ? "/" : group))
      if (name.rfind("cluster_", 0) == 0) ++listed;
    if (listed != set.clusters.size())
      throw Error(f.where(fmt::format("cluster groups are not numbered consecutively from cluster_0 (found {} "
                                      "cluster_* groups, cluster_{} missing)",
                                      listed, set.clusters.size())));
  } else {
    if (!group.empty()) throw Error(fmt::format("'{}': a group can only be selected in .h5 cluster files", path.string()));
    const datasets::NpzFile f(path);
    for (int i = 0;; ++i) {
      const std::string ck = fmt::format("codes_{}", i), fk = fmt::format("factors_{}", i);
      if (!f.has(ck) && !f.has(fk)) break;
      add(read_npz_pair(f, ck, fk), f.where(ck));
    }
    if (set.clusters.empty())
      throw Error(fmt::format("{}: member not found (clusters are codes_0/factors_0, codes_1/factors_1, …)",
                              f.where("codes_0")));
  }
  return set;
}

namespace {

void write_pair(h5::File& f, const std::string& prefix, const CodeMatrix& codes, const FactorMatrix& factors,
                Precision precision) {
  const std::vector<std::int64_t> cshape{codes.cols(), codes.rows()}, fshape{factors.cols(), factors.rows()};
  const std::string ck = h5_key(prefix, "codes"), fk = h5_key(prefix, "factors");
  if (precision == Precision::Float32) {
    const Eigen::MatrixXf z = codes.cast<float>();
    f.write<float>(ck, cshape, z.data());
  } else {
    f.write<double>(ck, cshape, codes.data());
  }
  f.write<std::int64_t>(fk, fshape, factors.data());
}

}  // namespace

void write_codes_h5(const std::filesystem::path& path, const CodesFileContents& contents) {
  AtomicOutput out(path);
  {
    h5::File f = h5::File::create(out.temp_path());
    f.write_attr_string("/", "axial_version", std::string(kVersion));
    f.write_attr_string("/", "axial_git_commit", std::string(kGitCommit));
    if (contents.global) {
      write_pair(f, "", contents.global->codes, contents.global->factors, contents.global->precision);
      if (contents.global->num_train) f.write_attr_int("/", "num_train", *contents.global->num_train);
    }
    for (const auto& [parent, clusters] : contents.cluster_groups) {
      if (!parent.empty()) f.create_group(parent);
      for (std::size_t i = 0; i < clusters.size(); ++i) {
        const std::string g = h5_key(parent, fmt::format("cluster_{}", i));
        f.create_group(g);
        write_pair(f, g, clusters[i].codes, clusters[i].factors, contents.cluster_precision);
      }
    }
    for (const auto& a : contents.arrays) {  // File::write creates the parent groups
      if (!a.f32.empty()) {
        f.write<float>(a.key, a.shape, a.f32.data());
      } else if (!a.f64.empty()) {
        f.write<double>(a.key, a.shape, a.f64.data());
      } else {
        f.write<std::int64_t>(a.key, a.shape, a.i64.data());
      }
    }
    f.close();
  }
  out.commit();
}

}  // namespace axial
