// `axial data`: generate, sample, inspect and convert ground-truth data sets (issue 2; convert: issue 7).
//   axial data generate DATASET --num N --seed S --out F.h5      random factor rows, rendered
//   axial data generate DATASET --factors FILE --out F.h5        given rows (.h5 dataset `factors` or .csv)
//   axial data sample DATASET --locality 0.1 [--clusters C] [--cutoff 10] [--deny F…] --num N --seed S --out F.h5
//   axial data info FILE                                         shapes, names, sizes, value ranges, provenance
//   axial data convert …                                         see src/cmd_data_convert.cpp
// The file format is described in datasets/native_h5.hpp and docs/datasets.md.
#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <set>
#include <limits>
#include <sstream>

#include "datasets/codes_file.hpp"
#include "datasets/h5_util.hpp"
#include "datasets/npz.hpp"
#include "datasets/native_h5.hpp"
#include "src/core/random.hpp"
#include "datasets/registry.hpp"
#include "datasets/sampling.hpp"
#include "src/core/error.hpp"
#include "src/cli/cli_common.hpp"
#include "src/core/memory.hpp"
#include "src/core/progress.hpp"

namespace axial::cli {

namespace {

using datasets::GroundTruthData;

// `--num -5` would otherwise be read as an option named "-5": join a negative number to its option.
Args join_negative_values(const Args& args) {
  Args out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a.rfind("--", 0) == 0 && a.find('=') == std::string::npos && i + 1 < args.size()) {
      const auto& v = args[i + 1];
      if (v.size() >= 2 && v[0] == '-' && (std::isdigit(static_cast<unsigned char>(v[1])) || v[1] == '.')) {
        out.push_back(a + "=" + v);
        ++i;
        continue;
      }
    }
    out.push_back(a);
  }
  return out;
}

std::string lower_ext(const std::string& path) {
  auto ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

std::string trim(const std::string& s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(trim(cur));
  if (!s.empty() && s.back() == sep) out.push_back("");
  return out;
}

// An integer, or a number with an integral value ("3", "3.0", "3.000000000000000000e+00" as numpy.savetxt writes).
bool parse_int(const std::string& s, std::int64_t& v) {
  if (s.empty()) return false;
  std::size_t pos = 0;
  try {
    v = std::stoll(s, &pos);
    if (pos == s.size()) return true;
    const double d = std::stod(s, &pos);
    if (pos != s.size() || !std::isfinite(d) || d != std::floor(d) || std::abs(d) > 9.0e15) return false;
    v = static_cast<std::int64_t>(d);
    return true;
  } catch (...) {
    return false;
  }
}

std::string unquote(const std::string& s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

// A seed: a decimal integer in 0 .. 2^64-1 (Boost would wrap "-1" silently).
std::uint64_t parse_seed(const std::string& s) {
  if (s.empty() || s.size() > 20 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    throw Error(fmt::format("--seed {} is invalid: expected an integer in 0..18446744073709551615", s));
  try {
    return std::stoull(s);
  } catch (...) {
    throw Error(fmt::format("--seed {} is invalid: expected an integer in 0..18446744073709551615", s));
  }
}

// Checks rows (K×N) against the data set's factor sizes; errors name the file and row.
void check_rows(const GroundTruthData& data, const FactorMatrix& rows, const std::string& file) {
  const auto& sizes = data.factor_sizes();
  for (Eigen::Index j = 0; j < rows.cols(); ++j)
    for (Eigen::Index i = 0; i < rows.rows(); ++i)
      if (rows(i, j) < 0 || rows(i, j) >= sizes[static_cast<std::size_t>(i)])
        throw Error(fmt::format("'{}': row {}: factor {} = {} is outside 0..{}", file, j,
                                data.factor_names()[static_cast<std::size_t>(i)], rows(i, j),
                                sizes[static_cast<std::size_t>(i)] - 1));
}

// Reads factor rows from .csv (header = the factor names or y0..y{K-1}, one row per line) — K×N.
FactorMatrix read_factor_csv(const GroundTruthData& data, const std::string& file) {
  std::ifstream in(file);
  if (!in) throw Error(fmt::format("'{}': cannot open file", file));
  const auto k = static_cast<std::size_t>(data.num_factors());
  std::vector<std::string> generic;
  for (std::size_t i = 0; i < k; ++i) generic.push_back(fmt::format("y{}", i));
  std::string line;
  std::vector<std::int64_t> values;
  std::int64_t line_no = 0, row = 0;
  bool first = true;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    auto cells = split(line, ',');
    for (auto& c : cells) c = trim(unquote(c));
    if (first) {
      first = false;
      std::int64_t dummy;
      if (!parse_int(cells[0], dummy)) {  // a header
        if (cells != data.factor_names() && cells != generic) {
          std::string names;
          for (const auto& n : data.factor_names()) names += (names.empty() ? "" : ",") + n;
          throw Error(fmt::format("'{}' line {}: header '{}' does not match the factors of '{}' ({} or y0..y{})", file,
                                  line_no, trim(line), data.name(), names, k - 1));
        }
        continue;
      }
    }
    if (cells.size() != k)
      throw Error(fmt::format("'{}' line {} (row {}): {} values, expected {}", file, line_no, row, cells.size(), k));
    for (std::size_t i = 0; i < k; ++i) {
      std::int64_t v;
      if (!parse_int(cells[i], v))
        throw Error(fmt::format("'{}' line {} (row {}): value '{}' of factor {} is not an integer", file, line_no, row,
                                cells[i], data.factor_names()[i]));
      values.push_back(v);
    }
    ++row;
  }
  FactorMatrix out = Eigen::Map<const FactorMatrix>(values.data(), static_cast<Eigen::Index>(k), row);
  return out;
}

// Reads factor rows from the `factors` dataset (N, K) of an .h5 file — K×N.
FactorMatrix read_factor_h5(const GroundTruthData& data, const std::string& file) {
  auto f = h5::File::open_read(file);
  if (!f.is_dataset("factors")) throw Error(f.where("dataset 'factors' not found"));
  auto shape = f.shape("factors");
  const auto k = static_cast<std::int64_t>(data.num_factors());
  const auto tc = f.type_class("factors");
  if (tc != h5::TypeClass::Integer && tc != h5::TypeClass::Float)
    throw Error(f.where(fmt::format("dataset 'factors' holds {} values, expected integers", h5::type_class_name(tc))));
  if (shape.size() != 2)
    throw Error(f.where(fmt::format("dataset 'factors' has shape {}, expected (N, {})", h5::shape_string(shape), k)));
  if (shape[1] != k)
    throw Error(f.where(fmt::format("dataset 'factors' rows have {} values, expected {} (every row, from row 0)",
                                    shape[1], k)));
  std::vector<std::int64_t> v;
  if (tc == h5::TypeClass::Float) {  // accepted when every value is a whole number
    auto d = f.read<double>("factors");
    v.resize(d.size());
    for (std::size_t i = 0; i < d.size(); ++i) {
      if (!std::isfinite(d[i]) || d[i] != std::floor(d[i]) || std::abs(d[i]) > 9.0e15)
        throw Error(f.where(fmt::format("dataset 'factors' row {}: value {} of factor {} is not an integer",
                                        i / static_cast<std::size_t>(k), d[i],
                                        data.factor_names()[i % static_cast<std::size_t>(k)])));
      v[i] = static_cast<std::int64_t>(d[i]);
    }
  } else {
    v = f.read<std::int64_t>("factors");
  }
  FactorMatrix out = Eigen::Map<const FactorMatrix>(v.data(), k, shape[0]);
  return out;
}

FactorMatrix read_factor_file(const GroundTruthData& data, const std::string& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) throw Error(fmt::format("'{}': file not found (--factors)", file));
  const auto ext = lower_ext(file);
  FactorMatrix rows;
  if (ext == ".csv") rows = read_factor_csv(data, file);
  else if (ext == ".h5" || ext == ".hdf5" || h5::is_hdf5_file(file)) rows = read_factor_h5(data, file);
  else throw Error(fmt::format("'{}': --factors expects a .csv or .h5 file", file));
  check_rows(data, rows, file);
  if (const FactorMatrix* existing = data.existing_rows()) {
    (void)existing;  // rows not held by a subset data set are reported by observations(), naming the row
  }
  return rows;
}

std::string quoted_names(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

// The output options `data generate` and `data sample` share, declared once: --out, --uint8, --gzip, --quiet.
struct NativeOutputOptions {
  std::string out;
  bool uint8 = false;
  int gzip = 4;
  bool quiet = false;
};
void add_output_options(po::options_description& desc, NativeOutputOptions& o, const char* uint8_note) {
  desc.add_options()("out", po::value(&o.out), "output file (axial native HDF5)")(
      "uint8", po::bool_switch(&o.uint8),
      (std::string("store images as uint8 with attribute scale=255") + uint8_note).c_str())(
      "gzip", po::value(&o.gzip)->default_value(o.gzip), "deflate level 0..9 of the image chunks")(
      "quiet", po::bool_switch(&o.quiet), "no progress on stderr");
}
const char* kDatasetHelp = "data set: three-dots, NAME=PATH or FILE.h5 (positional)";

// --- generate ----------------------------------------------------------------------------------------------------

int run_generate(const Args& raw) {
  std::string dataset, factors_file, seed_text = "0";
  NativeOutputOptions output;
  std::string& out = output.out;
  int& gzip = output.gzip;
  bool& uint8 = output.uint8;
  bool& quiet = output.quiet;
  std::int64_t num = -1;
  po::options_description desc("axial data generate options");
  // clang-format off
  desc.add_options()
    ("dataset", po::value(&dataset), kDatasetHelp)
    ("num", po::value(&num), "number of random factor rows (each factor uniform over its values)")
    ("seed", po::value(&seed_text)->default_value("0"),
     "seed of the random rows (written into the file; unused with --factors)")
    ("factors", po::value(&factors_file),
     "render these rows instead: FILE.csv (header x0,y0,... or y0..y5) or FILE.h5 (dataset 'factors', N x K)");
  // clang-format on
  add_output_options(desc, output, " (lossy for three-dots)");
  const std::string usage =
      "axial data generate DATASET (--num N [--seed S] | --factors FILE) --out F.h5 [--uint8] [--gzip L] [--quiet]\n\n"
      "Renders factor rows of DATASET (" + datasets::dataset_names() + ") into an axial native HDF5 file: "
      "images (N,H,W,C) float32 in [0,1], factors (N,K) int64. See docs/datasets.md.";
  if (wants_help(raw)) {
    print_help(usage, desc);
    return 0;
  }
  po::positional_options_description pos;
  pos.add("dataset", 1);
  auto vm = parse(join_negative_values(raw), desc, &pos);
  if (dataset.empty()) throw Error("missing data set (e.g. `axial data generate three-dots --num 1000 --out F.h5`)");
  if (out.empty()) throw Error("missing --out FILE.h5");
  const bool have_num = vm.count("num") > 0, have_factors = vm.count("factors") > 0;
  if (have_num == have_factors) throw Error("give exactly one of --num N (random rows) or --factors FILE (given rows)");
  if (have_num && num < 0) throw Error(fmt::format("--num {} is negative", num));
  if (gzip < 0 || gzip > 9) throw Error(fmt::format("--gzip {} is outside 0..9", gzip));
  const std::uint64_t seed = parse_seed(seed_text);

  auto data = datasets::open_dataset(dataset);
  FactorMatrix rows;
  std::optional<std::uint64_t> seed_attr;
  if (have_num) {
    Rng rng = make_rng(seed, 0);
    require_memory(double(num) * data->num_factors() * 8.0, fmt::format("--num {} (the factor rows)", num));
    rows = datasets::sample_global(*data, num, rng);
    seed_attr = seed;
  } else {
    rows = read_factor_file(*data, factors_file);
  }
  datasets::NativeWriteOptions wo;
  wo.storage = uint8 ? datasets::ImageStorage::Uint8 : datasets::ImageStorage::Float32;
  wo.gzip = gzip;
  Progress progress(std::cerr, "generate", "images", quiet);
  progress.silent_for(1.0);
  progress.start(rows.cols());
  datasets::write_native(out, *data, rows, seed_attr, wo, [&](std::int64_t d, std::int64_t) { progress.update_to(d); });
  progress.finish();
  std::cout << fmt::format("wrote '{}': {} {} images{}\n", out, rows.cols(), data->name(),
                           seed_attr ? fmt::format(" (seed {})", *seed_attr) : std::string(" (given rows)"));
  return 0;
}

// --- sample ------------------------------------------------------------------------------------------------------

int run_sample(const Args& raw) {
  std::string dataset, seed_text = "0";
  NativeOutputOptions output;
  std::string& out = output.out;
  int& gzip = output.gzip;
  bool& uint8 = output.uint8;
  bool& quiet = output.quiet;
  std::int64_t num = -1, clusters = 1;
  datasets::LocalSamplingOptions lo;
  std::vector<std::string> deny_raw;
  po::options_description desc("axial data sample options");
  // clang-format off
  desc.add_options()
    ("dataset", po::value(&dataset), kDatasetHelp)
    ("locality", po::value(&lo.locality)->default_value(lo.locality),
     "rho in (0, 1]: factor i varies within floor(n_i*rho) of the centroid")
    ("cutoff", po::value(&lo.cutoff)->default_value(lo.cutoff),
     "continuity cutoff >= 1: factors with fewer values are held at the centroid")
    ("deny", po::value(&deny_raw)->multitoken(),
     "factors held at the centroid, by name or index (repeatable, or comma-separated)")
    ("clusters", po::value(&clusters)->default_value(1), "number of neighbourhoods (groups cluster_0, cluster_1, ...)")
    ("num", po::value(&num), "samples per neighbourhood")
    ("seed", po::value(&seed_text)->default_value("0"), "seed of centroids and samples (written into the file)");
  // clang-format on
  add_output_options(desc, output, "");
  const std::string usage =
      "axial data sample DATASET [--locality 0.1] [--clusters C] [--cutoff 10] [--deny F ...] --num N [--seed S] "
      "--out F.h5 [--quiet]\n\n"
      "Local samples (the paper's neighbourhoods): per cluster a centroid c (c_i uniform in 0..n_i-1), then N rows "
      "with y_i uniform in [max(0, c_i-r_i), min(n_i-1, c_i+r_i)], r_i = floor(n_i*rho) (0 for factors below the "
      "cutoff or deny-listed). Writes groups cluster_<i>/images, cluster_<i>/factors with attribute centroid.";
  if (wants_help(raw)) {
    print_help(usage, desc);
    return 0;
  }
  po::positional_options_description pos;
  pos.add("dataset", 1);
  auto vm = parse(join_negative_values(raw), desc, &pos);
  if (dataset.empty()) throw Error("missing data set (e.g. `axial data sample three-dots --num 100 --out F.h5`)");
  if (out.empty()) throw Error("missing --out FILE.h5");
  if (vm.count("num") == 0) throw Error("missing --num N (samples per cluster)");
  if (num < 0) throw Error(fmt::format("--num {} is negative", num));
  if (clusters < 1) throw Error(fmt::format("--clusters {} is invalid: at least 1", clusters));
  if (gzip < 0 || gzip > 9) throw Error(fmt::format("--gzip {} is outside 0..9", gzip));
  if (!(lo.locality > 0.0 && lo.locality <= 1.0)) throw Error(fmt::format("--locality {} is outside (0, 1]", lo.locality));
  if (lo.cutoff < 1) throw Error(fmt::format("--cutoff {} is invalid: at least 1", lo.cutoff));
  const std::uint64_t seed = parse_seed(seed_text);
  for (const auto& d : deny_raw)
    for (const auto& part : split(d, ','))
      if (!part.empty()) lo.deny.push_back(part);

  auto data = datasets::open_dataset(dataset);
  datasets::LocalSampler sampler(*data, lo);
  Rng rng = make_rng(seed, 0);
  std::vector<FactorVector> centroids;
  std::vector<FactorMatrix> samples;
  require_memory(double(clusters) * double(num) * data->num_factors() * 8.0,
                 fmt::format("--clusters {} × --num {} (the factor rows)", clusters, num));
  for (std::int64_t c = 0; c < clusters; ++c) {
    centroids.push_back(sampler.centroid(rng));
    samples.push_back(sampler.sample(centroids.back(), num, rng));
  }
  datasets::NativeWriteOptions wo;
  wo.storage = uint8 ? datasets::ImageStorage::Uint8 : datasets::ImageStorage::Float32;
  wo.gzip = gzip;
  datasets::NativeWriter writer(out, datasets::native_header(*data, seed), wo);
  auto& f = writer.file();
  f.write_attr_double("/", "locality", lo.locality);
  f.write_attr_int("/", "cutoff", lo.cutoff);
  f.write_attr_strings("/", "deny", lo.deny);
  f.write_attr_ints("/", "radii", sampler.radii());
  f.write_attr_int("/", "clusters", clusters);
  f.write_attr_int("/", "num_per_cluster", num);
  Progress progress(std::cerr, "sample", "images", quiet);
  progress.silent_for(1.0);
  progress.start(clusters * num);
  const std::int64_t block = 1024;
  std::vector<float> images(static_cast<std::size_t>(std::min<std::int64_t>(block, std::max<std::int64_t>(num, 1)) *
                                                     data->observation_shape().size()));
  for (std::int64_t c = 0; c < clusters; ++c) {
    const std::string group = fmt::format("cluster_{}", c);
    writer.begin(group, num);
    const auto& cen = centroids[static_cast<std::size_t>(c)];
    f.write_attr_ints(group, "centroid", std::vector<std::int64_t>(cen.data(), cen.data() + cen.size()));
    const auto& rows = samples[static_cast<std::size_t>(c)];
    for (std::int64_t s = 0; s < num; s += block) {
      const std::int64_t m = std::min(block, num - s);
      FactorMatrix part = rows.middleCols(s, m);
      data->observations(part, images.data());
      writer.write_rows(part, images.data());
      progress.update_to(c * num + s + m);
    }
  }
  progress.finish();
  writer.commit();
  std::cout << fmt::format("wrote '{}': {} cluster(s) x {} local {} samples (locality {}, seed {})\n", out, clusters,
                           num, data->name(), lo.locality, seed);
  return 0;
}

// --- info --------------------------------------------------------------------------------------------------------

void print_group_info(const std::string& file, const std::string& group, const datasets::NativeInfo& info,
                      const std::string& indent) {
  auto f = h5::File::open_read(file);
  const FactorMatrix rows = datasets::read_native_factors(file, group);
  const auto& h = info.header;
  const std::string ik = group.empty() ? "images" : group + "/images";
  std::cout << fmt::format("{}images: {} {}{}\n", indent, h5::shape_string(f.shape(ik)),
                           info.storage == datasets::ImageStorage::Uint8 ? "uint8" : "float32",
                           info.storage == datasets::ImageStorage::Uint8 ? " (scale 255)" : "");
  // Pixel value range, read in blocks.
  const std::int64_t per = h.shape.size(), block = std::max<std::int64_t>(1, (std::int64_t(1) << 22) / std::max<std::int64_t>(per, 1));
  std::vector<float> buf;
  float lo = std::numeric_limits<float>::infinity(), hi = -lo;
  double sum = 0;
  std::int64_t nonfinite = 0;
  for (std::int64_t s = 0; s < info.num; s += block) {
    const std::int64_t m = std::min(block, info.num - s);
    buf.resize(static_cast<std::size_t>(m * per));
    datasets::read_native_images(file, group, s, m, buf.data());
    for (float v : buf) {
      if (!std::isfinite(v)) {
        ++nonfinite;
        continue;
      }
      lo = std::min(lo, v), hi = std::max(hi, v), sum += v;
    }
  }
  if (info.num > 0 && per > 0)
    std::cout << fmt::format("{}pixel values: min {:g}, max {:g}, mean {:.6g}{}\n", indent, lo, hi,
                             sum / static_cast<double>(info.num * per - nonfinite),
                             nonfinite ? fmt::format(", {} non-finite", nonfinite) : std::string());
  std::cout << fmt::format("{}factors: ({}, {}) int64\n", indent, info.num, h.factor_sizes.size());
  std::size_t width = 4;
  for (const auto& n : h.factor_names) width = std::max(width, n.size());
  for (std::size_t i = 0; i < h.factor_sizes.size(); ++i) {
    std::string range = "-";
    if (rows.cols() > 0) {
      range = fmt::format("{}..{}", rows.row(static_cast<Eigen::Index>(i)).minCoeff(),
                          rows.row(static_cast<Eigen::Index>(i)).maxCoeff());
    }
    std::cout << fmt::format("{}  {:<{}}  {:>6} values   observed {}\n", indent, h.factor_names[i], width,
                             h.factor_sizes[i], range);
  }
}

void print_native_info(const std::string& file) {
  auto info = datasets::read_native_info(file, "");
  const auto& h = info.header;
  auto f = h5::File::open_read(file);
  std::cout << fmt::format("file: {}\n", file);
  std::cout << fmt::format("format: axial native HDF5\n");
  std::cout << fmt::format("dataset: {}\n", h.dataset.empty() ? "(unnamed)" : h.dataset);
  std::cout << fmt::format("factors: {} ({})\n", h.factor_names.size(), quoted_names(h.factor_names));
  std::string sizes;
  for (auto s : h.factor_sizes) sizes += (sizes.empty() ? "" : ", ") + std::to_string(s);
  std::cout << fmt::format("factor sizes: {}\n", sizes);
  std::cout << fmt::format("provenance: seed {}, written by axial {}\n", h.seed ? std::to_string(*h.seed) : "none (given rows)",
                           info.axial_version.empty() ? "(unknown)" : info.axial_version);
  if (f.has_attr("/", "locality")) {
    std::string deny = f.has_attr("/", "deny") ? quoted_names(f.read_attr_strings("/", "deny")) : "";
    std::string radii;
    if (f.has_attr("/", "radii"))
      for (auto r : f.read_attr_ints("/", "radii")) radii += (radii.empty() ? "" : ", ") + std::to_string(r);
    std::cout << fmt::format("local sampling: locality {:g}, cutoff {}, deny [{}], radii [{}]\n",
                             f.read_attr_double("/", "locality"),
                             f.has_attr("/", "cutoff") ? std::to_string(f.read_attr_int("/", "cutoff")) : "?", deny,
                             radii);
  }
  if (info.num > 0 || info.groups.empty()) {
    std::cout << fmt::format("observation shape: ({}, {}, {})\nrows: {}\n", h.shape.height, h.shape.width,
                             h.shape.channels, info.num);
    print_group_info(file, "", info, "");
    return;
  }
  std::cout << fmt::format("groups: {}\n", info.groups.size());
  for (const auto& g : info.groups) {
    auto gi = datasets::read_native_info(file, g);
    std::string centroid;
    if (f.has_attr(g, "centroid"))
      for (auto v : f.read_attr_ints(g, "centroid")) centroid += (centroid.empty() ? "" : ", ") + std::to_string(v);
    std::cout << fmt::format("{}: {} rows, centroid ({})\n", g, gi.num, centroid);
    print_group_info(file, g, gi, "  ");
  }
}

void print_generic_info(const std::string& spec) {
  auto data = datasets::open_dataset(spec);
  const auto shape = data->observation_shape();
  std::cout << fmt::format("source: {}\n", spec);
  std::cout << fmt::format("dataset: {}\n", data->name());
  std::cout << fmt::format("observation shape: ({}, {}, {})\n", shape.height, shape.width, shape.channels);
  std::cout << fmt::format("factors: {} ({})\n", data->num_factors(), quoted_names(data->factor_names()));
  long double total = 1;
  for (auto s : data->factor_sizes()) total *= static_cast<long double>(s);
  std::size_t width = 4;
  for (const auto& n : data->factor_names()) width = std::max(width, n.size());
  for (int i = 0; i < data->num_factors(); ++i)
    std::cout << fmt::format("  {:<{}}  {:>6} values\n", data->factor_names()[static_cast<std::size_t>(i)], width,
                             data->factor_sizes()[static_cast<std::size_t>(i)]);
  if (const FactorMatrix* rows = data->existing_rows())
    std::cout << fmt::format("combinations: {} of {:.0Lf} exist\n", rows->cols(), total);
  else
    std::cout << fmt::format("combinations: all {:.0Lf}\n", total);
  const auto unordered = data->unordered_factors();
  if (!unordered.empty()) {
    std::string u;
    for (int i : unordered) u += (u.empty() ? "" : ", ") + data->factor_names()[static_cast<std::size_t>(i)];
    std::cout << fmt::format("unordered factors (deny-listed for local sampling): {}\n", u);
  }
}

// A file `axial score` reads (codes + factors: .csv, or .h5/.npz with codes/mus and factors/ys, or clusters).
bool is_codes_file(const std::string& file) {
  const std::string ext = lower_ext(file);
  if (ext == ".csv") return true;
  if (ext == ".npz") {
    const datasets::NpzFile f(file);
    return (f.has("codes") || f.has("mus") || f.has("codes_0")) && (f.has("factors") || f.has("ys") || f.has("factors_0"));
  }
  if (ext == ".h5" || ext == ".hdf5") {
    const h5::File f = h5::File::open_read(file);
    if ((f.is_dataset("codes") || f.is_dataset("mus")) && (f.is_dataset("factors") || f.is_dataset("ys"))) return true;
    for (const auto& g : f.groups_in("/"))
      if (g == "cluster_0" || g.rfind("locality_", 0) == 0) return true;
  }
  return false;
}

void print_codes_info(const std::string& file) {
  std::cout << fmt::format("source: {}\nkind: codes file (axial score --codes)\n", file);
  CodesData d;
  try {
    d = read_codes_file(file);
  } catch (const Error& e) {
    // Clusters only (an eval dump without a global sample, or a --clusters file): say what is there.
    const std::string what = e.what();
    if (lower_ext(file) == ".csv") throw;
    std::cout << fmt::format("global sample: none readable ({})\n", what);
  }
  if (d.codes.cols() > 0) {
    std::cout << fmt::format("points: {}\ncodes: {} latents ({})\nfactors: {}\n", d.codes.cols(), d.codes.rows(),
                             d.precision == Precision::Float32 ? "float32" : "float64", d.factors.rows());
    if (d.num_train) std::cout << fmt::format("training rows: the first {} (axial score --rows train)\n", *d.num_train);
    for (Eigen::Index l = 0; l < d.codes.rows(); ++l)
      std::cout << fmt::format("  z{:<4} min {:.4g}  max {:.4g}\n", l, d.codes.row(l).minCoeff(), d.codes.row(l).maxCoeff());
    for (Eigen::Index k = 0; k < d.factors.rows(); ++k) {
      std::set<std::int64_t> values;
      for (Eigen::Index n = 0; n < d.factors.cols(); ++n) values.insert(d.factors(k, n));
      std::cout << fmt::format("  y{:<4} {} values in {}..{}\n", k, values.size(), *values.begin(), *values.rbegin());
    }
  }
  const std::string ext = lower_ext(file);
  if (ext == ".h5" || ext == ".hdf5") {
    const h5::File f = h5::File::open_read(file);
    std::vector<std::string> groups;
    for (const auto& g : f.groups_in("/"))
      if (g.rfind("locality_", 0) == 0 || g == "cluster_0") groups.push_back(g);
    for (const auto& g : groups) {
      const std::string group = g == "cluster_0" ? "" : g;
      const ClusterSet set = read_clusters_file(file, group);
      std::cout << fmt::format("clusters{}: {} (axial score --clusters {}{})\n", group.empty() ? "" : " in " + group,
                               set.clusters.size(), file, group.empty() ? "" : " --clusters-group " + group);
    }
  }
}

int run_info(const Args& raw) {
  std::string file;
  po::options_description desc("axial data info options");
  desc.add_options()("file", po::value(&file), "an axial .h5 file, a data-set file, NAME=PATH or a data-set name");
  const std::string usage =
      "axial data info FILE\n\nPrints shapes, factor names and sizes, value ranges and provenance of a data file "
      "(axial native HDF5), or the factors of any data set open_dataset accepts (three-dots, NAME=PATH, a file).";
  if (wants_help(raw)) {
    print_help(usage, desc);
    return 0;
  }
  po::positional_options_description pos;
  pos.add("file", 1);
  parse(raw, desc, &pos);
  if (file.empty()) throw Error("missing FILE (e.g. `axial data info three_dots.h5`)");
  std::error_code ec;
  if (file.find('=') == std::string::npos && std::filesystem::exists(file, ec) && datasets::is_native_file(file))
    print_native_info(file);
  else if (file.find('=') == std::string::npos && std::filesystem::exists(file, ec) && is_codes_file(file))
    print_codes_info(file);
  else
    print_generic_info(file);
  return 0;
}

void print_data_usage(std::ostream& os) {
  os << "Usage: axial data <generate|sample|info|convert> [options]    (axial data <sub> --help)\n\n"
        "  generate   render random or given factor rows of a data set into an HDF5 file\n"
        "  sample     local samples around random centroids (the paper's neighbourhoods)\n"
        "  info       shapes, names, sizes, value ranges and provenance of a data file\n"
        "  convert    convert a distributed data-set file (dSprites, Shapes3D, MPI3D) to the native format\n\n"
        "Data sets:\n";
  for (const auto& e : datasets::dataset_table())
    os << fmt::format("  {:<14} {}\n", e.name + (e.needs_path ? "=PATH" : ""), e.description);
  os << fmt::format("  {:<14} {}\n", "FILE.h5", "an axial native HDF5 file (see docs/datasets.md)");
}

}  // namespace

int run_data(const Args& args) {
  if (args.empty()) {
    print_data_usage(std::cerr);
    return 2;
  }
  const std::string& sub = args[0];
  if (sub == "-h" || sub == "--help" || sub == "help") {
    print_data_usage(std::cout);
    return 0;
  }
  const Args rest(args.begin() + 1, args.end());
  if (sub == "generate") return run_generate(rest);
  if (sub == "sample") return run_sample(rest);
  if (sub == "info") return run_info(rest);
  if (sub == "convert") return run_data_convert(rest);
  throw Error(fmt::format("unknown data command '{}' (valid: generate, sample, info, convert)", sub));
}

}  // namespace axial::cli
