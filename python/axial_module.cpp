// The Python module `axial` (issue 18): axial's scoring, data and eval pipeline on numpy arrays, in the calling
// process. Every function goes through the same C++ code as the CLI command it mirrors:
//   score / score_local   src/pipelines/score_codes.hpp (what `axial score` runs after reading its files); the dict
//                         is json.loads of metrics/score_sheet.hpp to_json — the very text `axial score` prints
//   three_dots / render   datasets (GroundTruthData::observations, as `axial data generate` writes them)
//   sample / sample_local datasets/sampling.hpp with make_rng(seed, 0), as `axial data generate|sample`
//   evaluate              src/pipelines/eval_protocol.hpp run_eval, with a Python callable behind the
//                         datasets::RepresentationFunction seam; the dict is results.json
// The GIL is released during all C++ work and re-taken only to call Python (the representation, the progress
// callback). axial::Error becomes axial.Error, a subclass of ValueError, with the CLI's message.
// No LibTorch: the module links the torch-free libraries only.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <fmt/core.h>
#include <stdlib.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <streambuf>
#include <string>
#include <tuple>
#include <vector>

#include "axial/version.hpp"
#include "datasets/codes_file.hpp"
#include "datasets/sha256.hpp"
#include "datasets/registry.hpp"
#include "datasets/representation.hpp"
#include "datasets/sampling.hpp"
#include "datasets/three_dots.hpp"
#include "metrics/registry.hpp"
#include "metrics/score_sheet.hpp"
#include "src/core/error.hpp"
#include "src/core/parallel.hpp"
#include "src/core/random.hpp"
#include "src/pipelines/eval_protocol.hpp"
#include "src/pipelines/score_codes.hpp"

namespace py = pybind11;
namespace fs = std::filesystem;
using namespace axial;

namespace {

// --- arguments -----------------------------------------------------------------------------------------------

// A Python integer, or anything with __index__ (numpy integers), but not a bool; nullopt otherwise.
std::optional<py::int_> index_of(const py::handle& h) {
  if (py::isinstance<py::bool_>(h) || !PyIndex_Check(h.ptr())) return std::nullopt;
  PyObject* i = PyNumber_Index(h.ptr());
  if (i == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::int_>(i);
}

// A seed as the CLI reads it: an integer in 0 .. 2^64-1.
std::uint64_t seed_of(const py::handle& h) {
  const auto v = index_of(h);
  if (!v || *v < py::int_(0) || *v > py::int_(std::numeric_limits<std::uint64_t>::max()))
    throw Error(fmt::format("--seed {} is invalid: expected an integer in 0..18446744073709551615",
                            py::str(h).cast<std::string>()));
  return v->cast<std::uint64_t>();
}

// A list option given as a string ("mig,sap") or a sequence of strings.
std::string comma_list(const py::handle& h, const char* option) {
  if (py::isinstance<py::str>(h)) return h.cast<std::string>();
  if (!py::isinstance<py::sequence>(h))
    throw Error(fmt::format("--{}: expected a comma-separated string or a sequence of names", option));
  std::string s;
  for (const auto& item : py::reinterpret_borrow<py::sequence>(h)) {
    if (!py::isinstance<py::str>(item))
      throw Error(fmt::format("--{}: '{}' is not a name", option, py::str(item).cast<std::string>()));
    s += (s.empty() ? "" : ",") + item.cast<std::string>();
  }
  return s;
}

std::vector<std::string> name_list(const py::handle& h, const char* option) {
  std::vector<std::string> out;
  const std::string joined = comma_list(h, option);
  std::size_t a = 0;
  while (a <= joined.size()) {
    std::size_t b = joined.find(',', a);
    if (b == std::string::npos) b = joined.size();
    std::string item = joined.substr(a, b - a);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
    a = b + 1;
  }
  return out;
}

template <class T>
std::optional<T> optional_of(const py::object& o) {
  if (o.is_none()) return std::nullopt;
  return o.cast<T>();
}

// An integer option: a Python int (not a bool, not a float) → the CLI's "--name 'x': not an integer".
std::int64_t integer_of(const py::handle& h, const char* option) {
  const auto v = index_of(h);
  if (!v) throw Error(fmt::format("--{} '{}': not an integer", option, py::str(h).cast<std::string>()));
  try {
    return v->cast<std::int64_t>();
  } catch (const py::cast_error&) {
    throw Error(fmt::format("--{} {}: must be between {} and {}", option, py::str(h).cast<std::string>(),
                            std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()));
  }
}
int int_of(const py::handle& h, const char* option) {
  const std::int64_t v = integer_of(h, option);
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
    throw Error(fmt::format("--{} {}: must be between {} and {}", option, v, std::numeric_limits<int>::min(),
                            std::numeric_limits<int>::max()));
  return static_cast<int>(v);
}

// --- arrays --------------------------------------------------------------------------------------------------

// A numpy array (anything np.asarray accepts is converted first), 1-D arrays read as (n, 1).
py::array as_array(const py::handle& h, const std::string& what) {
  py::array a = py::isinstance<py::array>(h) ? py::reinterpret_borrow<py::array>(h)
                                              : py::module_::import("numpy").attr("asarray")(h).cast<py::array>();
  if (a.ndim() != 1 && a.ndim() != 2)
    throw Error(fmt::format("{}: {} dimensions, expected a 2-D array (rows = samples)", what, a.ndim()));
  return a;
}
std::vector<std::int64_t> shape2(const py::array& a) {
  return {static_cast<std::int64_t>(a.shape(0)), a.ndim() == 2 ? static_cast<std::int64_t>(a.shape(1)) : 1};
}
std::string dtype_name(const py::array& a) { return py::str(a.dtype()).cast<std::string>(); }

// Reads element (i, j) of a 1-D/2-D array of type T through its strides (any layout).
template <class T>
T element(const py::array& a, std::int64_t i, std::int64_t j) {
  const char* base = static_cast<const char*>(a.data());
  const py::ssize_t s0 = a.strides(0), s1 = a.ndim() == 2 ? a.strides(1) : 0;
  T v;
  std::memcpy(&v, base + i * s0 + j * s1, sizeof(T));
  return v;
}

// (N, L) float32/float64 rows = samples → L×N (CodeMatrix, column-major: the same memory as C-order (N, L)).
// Transposed layouts are read through the strides. C-contiguous float64 is one block copy (the metric registry
// takes owned Eigen matrices).
void read_codes(const py::array& z, bool transposed, CodeMatrix& out, Precision& precision, const std::string& what) {
  const char kind = z.dtype().kind();
  const auto size = z.dtype().itemsize();
  if (kind != 'f') throw Error(fmt::format("{}: dtype {}, expected float32 or float64", what, dtype_name(z)));
  if (size == 2)
    throw Error(fmt::format("{}: dtype float16: convert the codes to float32 (codes.astype(np.float32); numpy's "
                            "float16 histogram edges are not reproduced)",
                            what));
  if (size != 4 && size != 8) throw Error(fmt::format("{}: dtype {}, expected float32 or float64", what, dtype_name(z)));
  precision = size == 4 ? Precision::Float32 : Precision::Float64;
  const auto s = shape2(z);
  const std::int64_t N = transposed ? s[1] : s[0], L = transposed ? s[0] : s[1];
  out.resize(L, N);
  const bool c_order = (z.flags() & py::array::c_style) != 0 && !transposed;
  if (c_order && size == 8) {
    std::memcpy(out.data(), z.data(), sizeof(double) * static_cast<std::size_t>(N * L));
  } else if (c_order) {
    const float* p = static_cast<const float*>(z.data());
    for (std::int64_t i = 0; i < N * L; ++i) out.data()[i] = p[i];
  } else {
    for (std::int64_t n = 0; n < N; ++n)
      for (std::int64_t l = 0; l < L; ++l) {
        const std::int64_t r = transposed ? l : n, c = transposed ? n : l;
        out(l, n) = size == 8 ? element<double>(z, r, c) : double(element<float>(z, r, c));
      }
  }
}

// Integer factors (any integer dtype) or floats that are exact integers, (N, K) → K×N.
void read_factors(const py::array& y, bool transposed, FactorMatrix& out, const std::string& what) {
  const char kind = y.dtype().kind();
  const auto size = y.dtype().itemsize();
  if (kind != 'i' && kind != 'u' && kind != 'f')
    throw Error(fmt::format("{}: dtype {}, expected integer factors", what, dtype_name(y)));
  const auto s = shape2(y);
  const std::int64_t N = transposed ? s[1] : s[0], K = transposed ? s[0] : s[1];
  out.resize(K, N);
  const bool c_order = (y.flags() & py::array::c_style) != 0 && !transposed;
  if (c_order && kind == 'i' && size == 8) {
    std::memcpy(out.data(), y.data(), sizeof(std::int64_t) * static_cast<std::size_t>(N * K));
    return;
  }
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t k = 0; k < K; ++k) {
      const std::int64_t r = transposed ? k : n, c = transposed ? n : k;
      std::int64_t v = 0;
      if (kind == 'f') {
        const double d = size == 8 ? element<double>(y, r, c) : size == 4 ? double(element<float>(y, r, c)) : NAN;
        if (size != 4 && size != 8)
          throw Error(fmt::format("{}: dtype {}, expected integer factors", what, dtype_name(y)));
        if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9.0e15)
          throw Error(fmt::format("{}: value {} at index {} is not an integer (factors must be integer labels)", what,
                                  d, r * (y.ndim() == 2 ? y.shape(1) : 1) + c));
        v = static_cast<std::int64_t>(d);
      } else if (kind == 'i') {
        switch (size) {
          case 1: v = element<std::int8_t>(y, r, c); break;
          case 2: v = element<std::int16_t>(y, r, c); break;
          case 4: v = element<std::int32_t>(y, r, c); break;
          default: v = element<std::int64_t>(y, r, c); break;
        }
      } else {
        std::uint64_t u = 0;
        switch (size) {
          case 1: u = element<std::uint8_t>(y, r, c); break;
          case 2: u = element<std::uint16_t>(y, r, c); break;
          case 4: u = element<std::uint32_t>(y, r, c); break;
          default: u = element<std::uint64_t>(y, r, c); break;
        }
        if (u > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
          throw Error(fmt::format("{}: value {} is too large for a factor label", what, u));
        v = static_cast<std::int64_t>(u);
      }
      out(k, n) = v;
    }
}

// sha256 of the arrays as given (their bytes in C order): the provenance `input_sha256` of array inputs.
std::string arrays_sha256(const std::vector<py::array>& arrays) {
  std::vector<py::array> c;
  std::vector<std::pair<const void*, std::size_t>> parts;
  for (const auto& a : arrays) {
    c.push_back((a.flags() & py::array::c_style) ? a
                                                  : py::module_::import("numpy").attr("ascontiguousarray")(a).cast<py::array>());
    parts.emplace_back(c.back().data(), static_cast<std::size_t>(c.back().nbytes()));
  }
  return sha256_hex(parts);
}

// The codes/factors pair of `axial score` from two arrays; the CLI's layout rule (--layout).
CodesData codes_data(const py::handle& codes, const py::handle& factors, const std::string& layout_name,
                     const std::string& name, std::vector<py::array>* keep) {
  const CodesLayout layout = parse_codes_layout(layout_name);
  py::array z = as_array(codes, fmt::format("'{}': key 'codes'", name));
  py::array y = as_array(factors, fmt::format("'{}': key 'factors'", name));
  const auto cs = shape2(z), fsh = shape2(y);
  if (layout == CodesLayout::kAuto) check_not_transposed(cs, fsh, name);
  const bool transposed = layout == CodesLayout::kCodesByPoints;
  const std::int64_t N = transposed ? cs[1] : cs[0], Nf = transposed ? fsh[1] : fsh[0];
  if (N != Nf)
    throw Error(fmt::format("'{}': key 'codes' has {} {} but 'factors' has {}", name, N,
                            transposed ? "columns" : "rows", Nf));
  if (N < 1) throw Error(fmt::format("'{}': key 'codes' has no {}", name, transposed ? "columns" : "rows"));
  CodesData d;
  read_codes(z, transposed, d.codes, d.precision, fmt::format("'{}': key 'codes'", name));
  read_factors(y, transposed, d.factors, fmt::format("'{}': key 'factors'", name));
  for (Eigen::Index n = 0; n < d.codes.cols(); ++n)
    for (Eigen::Index l = 0; l < d.codes.rows(); ++l)
      if (!std::isfinite(d.codes(l, n)))
        throw Error(fmt::format("'{}': key 'codes': non-finite value {} at row {}, column {}", name, d.codes(l, n), n,
                                l));
  if (keep) {
    keep->push_back(z);
    keep->push_back(y);
  }
  return d;
}

ClusterSet cluster_set(const py::handle& clusters, std::vector<py::array>* keep) {
  if (!py::isinstance<py::sequence>(clusters) || py::isinstance<py::str>(clusters))
    throw Error("clusters: expected a list of (codes, factors) pairs");
  ClusterSet set;
  std::size_t i = 0;
  bool any32 = false;
  for (const auto& item : py::reinterpret_borrow<py::sequence>(clusters)) {
    if (!py::isinstance<py::sequence>(item) || py::len(item) != 2)
      throw Error(fmt::format("clusters[{}]: expected a (codes, factors) pair", i));
    const auto pair = py::reinterpret_borrow<py::sequence>(item);
    const CodesData d = codes_data(pair[0], pair[1], "points-by-codes", fmt::format("cluster_{}", i), keep);
    any32 = any32 || d.precision == Precision::Float32;
    set.clusters.push_back({d.codes, d.factors});
    ++i;
  }
  if (set.clusters.empty()) throw Error("clusters: no clusters (give at least one (codes, factors) pair)");
  set.precision = any32 ? Precision::Float32 : Precision::Float64;
  return set;
}

py::object json_loads(const std::string& text) { return py::module_::import("json").attr("loads")(text); }

// --- score ---------------------------------------------------------------------------------------------------

pipelines::ScoreCodesOptions score_options(const py::object& metrics, int bins, const py::object& num_train,
                                           const py::object& train_fraction, const std::string& discretizer,
                                           int threads, int local_bins) {
  pipelines::ScoreCodesOptions o;
  o.metrics = comma_list(metrics, "metrics");
  o.bins = bins;
  o.local_bins = local_bins;
  if (!num_train.is_none()) o.num_train = integer_of(num_train, "num-train");
  if (!train_fraction.is_none()) o.train_fraction = train_fraction.cast<double>();
  o.discretizer = discretizer;
  o.threads = threads;
  pipelines::check_score_options(o);
  return o;
}

py::object score(const py::object& codes, const py::object& factors, const py::object& metrics, int bins,
                 const py::object& num_train, const py::object& train_fraction, const std::string& discretizer,
                 int threads, const py::object& clusters, int local_bins, const std::string& layout) {
  const auto started = std::chrono::steady_clock::now();
  const auto o = score_options(metrics, bins, num_train, train_fraction, discretizer, threads, local_bins);
  std::vector<py::array> keep;
  const CodesData data = codes_data(codes, factors, layout, "<arrays>", &keep);
  pipelines::ScoreSource src{"<arrays>", {}, arrays_sha256(keep)};
  if (layout != "auto") src.details.emplace_back("layout", layout);
  std::optional<ClusterSet> set;
  pipelines::ScoreSource csrc{"<clusters>", {}, ""};
  if (!clusters.is_none()) {
    std::vector<py::array> ck;
    set = cluster_set(clusters, &ck);
    csrc.sha256 = arrays_sha256(ck);
  }
  std::string text;
  {
    py::gil_scoped_release release;
    text = to_json(pipelines::score_codes(o, &data, src, set ? &*set : nullptr, csrc, started));
  }
  return json_loads(text);
}

py::object score_local(const py::object& clusters, int local_bins, const std::string& discretizer, int threads) {
  const auto started = std::chrono::steady_clock::now();
  const auto o = score_options(py::str("mig"), 20, py::none(), py::none(), discretizer, threads, local_bins);
  std::vector<py::array> keep;
  const ClusterSet set = cluster_set(clusters, &keep);
  const pipelines::ScoreSource none{"", {}, ""}, csrc{"<clusters>", {}, arrays_sha256(keep)};
  std::string text;
  {
    py::gil_scoped_release release;
    text = to_json(pipelines::score_codes(o, nullptr, none, &set, csrc, started));
  }
  return json_loads(text);
}

// --- data ----------------------------------------------------------------------------------------------------

// Factor rows (N, K) → K×N, checked against the data set's K.
FactorMatrix factor_rows(const py::handle& factors, const datasets::GroundTruthData& data) {
  py::array y = as_array(factors, "factors");
  FactorMatrix rows;
  read_factors(y, false, rows, "factors");
  if (rows.rows() != data.num_factors())
    throw Error(fmt::format("factors: rows of {} values, expected {} (the factors of '{}')", rows.rows(),
                            data.num_factors(), data.name()));
  return rows;
}

py::array_t<float> render(const datasets::GroundTruthData& data, const FactorMatrix& rows) {
  const auto shape = data.observation_shape();
  py::array_t<float> out({static_cast<py::ssize_t>(rows.cols()), static_cast<py::ssize_t>(shape.height),
                          static_cast<py::ssize_t>(shape.width), static_cast<py::ssize_t>(shape.channels)});
  float* p = out.mutable_data();
  {
    py::gil_scoped_release release;
    if (rows.cols() > 0) data.observations(rows, p);
  }
  return out;
}

const datasets::ThreeDots& three_dots_data() {
  static const datasets::ThreeDots data;
  return data;
}

py::array_t<float> three_dots(const py::object& factors) {
  const auto& data = three_dots_data();
  return render(data, factor_rows(factors, data));
}

py::array_t<float> observations(const std::string& dataset, const py::object& factors) {
  auto data = datasets::open_dataset(dataset);
  return render(*data, factor_rows(factors, *data));
}

// K×n → (n, K) int64.
py::array_t<std::int64_t> rows_array(const FactorMatrix& rows) {
  py::array_t<std::int64_t> out({static_cast<py::ssize_t>(rows.cols()), static_cast<py::ssize_t>(rows.rows())});
  if (rows.size() > 0) std::memcpy(out.mutable_data(), rows.data(), sizeof(std::int64_t) * std::size_t(rows.size()));
  return out;
}

py::array_t<std::int64_t> sample(const std::string& dataset, const py::object& n, const py::object& seed_obj) {
  const std::int64_t num = integer_of(n, "num");
  if (num < 0) throw Error(fmt::format("--num {} is negative", num));
  const std::uint64_t seed = seed_of(seed_obj);
  auto data = datasets::open_dataset(dataset);
  FactorMatrix rows;
  {
    py::gil_scoped_release release;
    Rng rng = make_rng(seed, 0);
    rows = datasets::sample_global(*data, num, rng);
  }
  return rows_array(rows);
}

py::array_t<std::int64_t> sample_local(const std::string& dataset, double locality, const py::object& clusters_obj,
                                       const py::object& n, const py::object& seed_obj, const py::object& cutoff,
                                       const py::object& deny) {
  const std::int64_t clusters = integer_of(clusters_obj, "clusters");
  const std::int64_t num = integer_of(n, "num");
  if (num < 0) throw Error(fmt::format("--num {} is negative", num));
  if (clusters < 1) throw Error(fmt::format("--clusters {} is invalid: at least 1", clusters));
  datasets::LocalSamplingOptions lo;
  lo.locality = locality;
  lo.cutoff = integer_of(cutoff, "cutoff");
  if (!(lo.locality > 0.0 && lo.locality <= 1.0)) throw Error(fmt::format("--locality {} is outside (0, 1]", lo.locality));
  if (lo.cutoff < 1) throw Error(fmt::format("--cutoff {} is invalid: at least 1", lo.cutoff));
  lo.deny = name_list(deny, "deny");
  const std::uint64_t seed = seed_of(seed_obj);
  auto data = datasets::open_dataset(dataset);
  const auto K = static_cast<py::ssize_t>(data->num_factors());
  py::array_t<std::int64_t> out({static_cast<py::ssize_t>(clusters), static_cast<py::ssize_t>(num), K});
  std::int64_t* p = out.mutable_data();
  {
    py::gil_scoped_release release;
    datasets::LocalSampler sampler(*data, lo);
    Rng rng = make_rng(seed, 0);
    for (std::int64_t c = 0; c < clusters; ++c) {
      const FactorVector centroid = sampler.centroid(rng);
      const FactorMatrix rows = sampler.sample(centroid, num, rng);
      if (rows.size() > 0)
        std::memcpy(p + c * num * K, rows.data(), sizeof(std::int64_t) * static_cast<std::size_t>(rows.size()));
    }
  }
  return out;
}

// --- evaluate ------------------------------------------------------------------------------------------------

// Lines written to the progress stream go to a Python callable (with the GIL). A callable that raises stops the
// eval at the next batch (its exception is re-raised).
class CallbackBuf final : public std::streambuf {
 public:
  explicit CallbackBuf(py::handle fn) : fn_(fn) {}
  std::exception_ptr error() {
    std::lock_guard<std::mutex> lock(mu_);
    return error_;
  }
  void flush_line() {
    std::lock_guard<std::mutex> lock(mu_);
    emit();
  }

 protected:
  int overflow(int c) override {
    if (c == traits_type::eof()) return 0;
    std::lock_guard<std::mutex> lock(mu_);
    if (c == '\n' || c == '\r') emit();
    else line_.push_back(static_cast<char>(c));
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    for (std::streamsize i = 0; i < n; ++i) overflow(static_cast<unsigned char>(s[i]));
    return n;
  }

 private:
  void emit() {
    if (line_.empty()) return;
    const std::string line = std::move(line_);
    line_.clear();
    if (error_) return;
    py::gil_scoped_acquire gil;
    try {
      fn_(line);
    } catch (...) {
      error_ = std::current_exception();
    }
  }
  py::handle fn_;
  std::mutex mu_;
  std::string line_;
  std::exception_ptr error_;
};

// A Python callable as the representation function: images (B, H, W, C) float32 in [0, 1] → codes (B, L) float32 or
// float64 (numpy, or anything np.asarray reads; a torch tensor is moved with .detach().cpu()). Holds borrowed
// references only (the caller keeps them alive and holds the GIL around construction and destruction).
// How the callable is called and its output read: `axial eval`'s --method, --output-index, --output-key,
// --input-range, --input-layout and --device, for Python (the images are (B, H, W, C) in [0, 1] by default).
struct CallOptions {
  std::string method;             // "" = call the object itself
  std::int64_t output_index = -1;  // a tuple/list output: the element that is the code (-1: only when unambiguous)
  std::string output_key;         // a dict output: the entry that is the code (default: mu, mean or z_mean)
  std::string input_range = "0,1";
  std::string input_layout = "nhwc";
  std::string device = "python";  // recorded as the results' device
};

class PythonRepresentation final : public datasets::RepresentationFunction {
 public:
  PythonRepresentation(py::handle fn, std::string name, CallbackBuf* progress, CallOptions options)
      : fn_(fn), name_(std::move(name)), progress_(progress), options_(std::move(options)) {}

  int probe(const float* images, std::int64_t n, const datasets::ObservationShape& shape) override {
    shape_ = shape;
    py::gil_scoped_acquire gil;
    const py::array codes = call(images, n);
    const std::string where = fmt::format("representation '{}'", name_);
    if (codes.dtype().kind() != 'f' || (codes.dtype().itemsize() != 4 && codes.dtype().itemsize() != 8))
      throw Error(fmt::format("{}: returned codes of dtype {} for the probe images; return float32 or float64 codes "
                              "(B, L)",
                              where, dtype_name(codes)));
    if (codes.ndim() != 2 || codes.shape(0) != n)
      throw Error(fmt::format("{}: returned shape {} for {} images of shape ({}, {}, {}, {}); expected ({}, L)", where,
                              shape_text(codes), n, n, shape.height, shape.width, shape.channels, n));
    if (codes.shape(1) < 1) throw Error(fmt::format("{}: returned 0 codes per image", where));
    latent_dim_ = static_cast<int>(codes.shape(1));
    itemsize_ = codes.dtype().itemsize();
    std::vector<double> out(static_cast<std::size_t>(n * latent_dim_));
    copy_codes(codes, n, out.data(), 0, "the probe image");
    return latent_dim_;
  }

  void encode(const float* images, std::int64_t n, double* out, std::int64_t first_index) override {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    if (progress_)
      if (auto e = progress_->error()) std::rethrow_exception(e);
    const py::array codes = call(images, n);
    const std::string where = fmt::format("representation '{}'", name_);
    if (codes.ndim() != 2 || codes.shape(0) != n || codes.shape(1) != latent_dim_)
      throw Error(fmt::format("{}: returned shape {} for images {}..{}; expected ({}, {}) as at the probe", where,
                              shape_text(codes), first_index, first_index + n - 1, n, latent_dim_));
    if (codes.dtype().kind() != 'f' || codes.dtype().itemsize() != itemsize_)
      throw Error(fmt::format("{}: returned dtype {} for images {}..{}, but float{} at the probe", where,
                              dtype_name(codes), first_index, first_index + n - 1, itemsize_ * 8));
    copy_codes(codes, n, out, first_index, "image");
  }

  int latent_dim() const override { return latent_dim_; }
  Precision precision() const override { return itemsize_ == 4 ? Precision::Float32 : Precision::Float64; }
  std::string device() const override { return options_.device; }
  std::string note() const override { return note_; }

 private:
  static std::string shape_text(const py::array& a) {
    std::string s = "(";
    for (py::ssize_t i = 0; i < a.ndim(); ++i) s += (i ? ", " : "") + std::to_string(a.shape(i));
    return s + (a.ndim() == 1 ? ",)" : ")");
  }

  // Calls the representation on a fresh float32 array (a copy the callable may keep): (B, H, W, C) in [0, 1], or as
  // input_layout / input_range say. Picks the code out of a tuple, list or dict output.
  py::array call(const float* images, std::int64_t n) {
    const auto H = static_cast<py::ssize_t>(shape_.height), W = static_cast<py::ssize_t>(shape_.width),
               C = static_cast<py::ssize_t>(shape_.channels), B = static_cast<py::ssize_t>(n);
    const bool nchw = options_.input_layout == "nchw";
    py::array_t<float> x(nchw ? std::vector<py::ssize_t>{B, C, H, W} : std::vector<py::ssize_t>{B, H, W, C});
    float* p = x.mutable_data();
    const float scale = options_.input_range == "0,255" ? 255.0f : options_.input_range == "-1,1" ? 2.0f : 1.0f;
    const float shift = options_.input_range == "-1,1" ? -1.0f : 0.0f;
    const std::int64_t pixels = shape_.size();
    if (!nchw && scale == 1.0f) {
      std::memcpy(p, images, sizeof(float) * static_cast<std::size_t>(n * pixels));
    } else {
      for (std::int64_t b = 0; b < n; ++b)
        for (py::ssize_t h = 0; h < H; ++h)
          for (py::ssize_t w = 0; w < W; ++w)
            for (py::ssize_t c = 0; c < C; ++c) {
              const float v = images[b * pixels + (h * W + w) * C + c] * scale + shift;
              p[nchw ? b * pixels + (c * H + h) * W + w : b * pixels + (h * W + w) * C + c] = v;
            }
    }
    py::object r = options_.method.empty() ? fn_(x) : fn_.attr(options_.method.c_str())(x);
    r = select(r);
    if (!py::isinstance<py::array>(r) && py::hasattr(r, "detach") && py::hasattr(r, "cpu")) {
      r = r.attr("detach")().attr("cpu")();  // a torch tensor (possibly on a GPU)
      note_ = "the representation returns torch tensors; codes are read with .detach().cpu()";
    }
    return py::isinstance<py::array>(r) ? py::reinterpret_borrow<py::array>(r)
                                        : py::module_::import("numpy").attr("asarray")(r).cast<py::array>();
  }

  // The code out of the output (the CLI's rules for TorchScript outputs).
  py::object select(const py::object& r) {
    const std::string where = fmt::format("representation '{}'", name_);
    if (py::isinstance<py::dict>(r)) {
      const auto d = py::reinterpret_borrow<py::dict>(r);
      std::string listed;
      for (const auto& kv : d) listed += (listed.empty() ? "" : ", ") + py::str(kv.first).cast<std::string>();
      if (options_.output_index >= 0)
        throw Error(fmt::format("{}: returns a dict (keys {}); choose the code with output_key=NAME", where, listed));
      std::string key = options_.output_key;
      if (key.empty()) {
        for (const char* k : {"mu", "mean", "z_mean"})
          if (d.contains(k)) {
            key = k;
            break;
          }
        if (key.empty())
          throw Error(fmt::format("{}: returns a dict with keys {} and none is mu, mean or z_mean; choose the code "
                                  "with output_key=NAME",
                                  where, listed));
      }
      if (!d.contains(key)) throw Error(fmt::format("{}: output_key '{}': the dict's keys are {}", where, key, listed));
      return d[py::str(key)];
    }
    if (py::isinstance<py::tuple>(r) || py::isinstance<py::list>(r)) {
      const auto seq = py::reinterpret_borrow<py::sequence>(r);
      const auto size = static_cast<std::int64_t>(py::len(seq));
      if (!options_.output_key.empty())
        throw Error(fmt::format("{}: returns a sequence, not a dict; choose the code with output_index=i", where));
      if (options_.output_index >= 0) {
        if (options_.output_index >= size)
          throw Error(fmt::format("{}: output_index {}: the output has {} elements", where, options_.output_index,
                                  size));
        return seq[static_cast<py::ssize_t>(options_.output_index)];
      }
      if (size == 1) return seq[0];
      throw Error(fmt::format("{}: returns a sequence of {} elements, so which one is the code is ambiguous (e.g. "
                              "(z_sample, mu, logvar): mu is element 1); choose it with output_index=i",
                              where, size));
    }
    if (options_.output_index >= 0 || !options_.output_key.empty())
      throw Error(fmt::format("{}: returns an array; output_index/output_key are for tuple, list or dict outputs",
                              where));
    return r;
  }

  // (n, L) → out (L×n column-major), reading the buffer in place through its strides.
  void copy_codes(const py::array& codes, std::int64_t n, double* out, std::int64_t first_index, const char* what) {
    const int L = latent_dim_;
    for (std::int64_t i = 0; i < n; ++i)
      for (int l = 0; l < L; ++l) {
        const double v = itemsize_ == 8 ? element<double>(codes, i, l) : double(element<float>(codes, i, l));
        if (!std::isfinite(v))
          throw Error(fmt::format("representation '{}': non-finite code {} (latent {}) for {} {}", name_, v, l, what,
                                  first_index + i));
        out[i * L + l] = v;
      }
  }

  py::handle fn_;
  std::string name_;
  CallbackBuf* progress_;
  CallOptions options_;
  datasets::ObservationShape shape_;
  int latent_dim_ = 0;
  py::ssize_t itemsize_ = 8;
  std::string note_;
};

std::string callable_name(const py::handle& fn) {
  for (const char* attr : {"__qualname__", "__name__"})
    if (py::hasattr(fn, attr)) return py::str(fn.attr(attr)).cast<std::string>();
  return py::str(py::type::of(fn).attr("__name__")).cast<std::string>();
}

py::object evaluate(const py::object& representation, const py::object& dataset, const std::string& protocol,
                    const py::object& seed, const py::object& out, const py::object& num_train,
                    const py::object& num_test, const py::object& clusters, const py::object& cluster_size,
                    const py::object& localities, const py::object& bins, const py::object& local_bins,
                    const py::object& cutoff, const py::object& deny, const py::object& metrics,
                    const py::object& anchors, const py::object& batch_size, const py::object& dump_samples,
                    int threads, bool quiet, const py::object& progress, bool force, bool resume,
                    const py::object& model, const std::string& device, const std::string& method,
                    std::int64_t output_index, const std::string& output_key, const std::string& input_range,
                    const std::string& input_layout, bool /*no_decoder_alignment: a callable has no decoder*/,
                    const py::object& factor_vae_variance_points, const py::object& factor_vae_train_votes,
                    const py::object& factor_vae_eval_votes, const py::object& beta_vae_train_points,
                    const py::object& beta_vae_eval_points, const py::object& pair_batch_size) {
  if (!PyCallable_Check(representation.ptr()))
    throw Error("representation: not callable (give a function mapping images (B, H, W, C) to codes (B, L))");
  if (!progress.is_none() && !PyCallable_Check(progress.ptr()))
    throw Error("progress: not callable (give a function taking one line of text, or None)");
  pipelines::EvalSettings s;
  pipelines::apply_protocol(protocol, s);  // the protocol's sizes first; explicit keywords override them
  if (!dataset.is_none()) {
    s.dataset = dataset.cast<std::string>();
    s.dataset_source = "--dataset";
  }
  s.seed = seed_of(seed);
  if (!num_train.is_none()) s.num_train = integer_of(num_train, "num-train");
  if (!num_test.is_none()) s.num_test = integer_of(num_test, "num-test");
  if (!clusters.is_none()) s.clusters = integer_of(clusters, "clusters");
  if (!cluster_size.is_none()) s.cluster_size = integer_of(cluster_size, "cluster-size");
  if (!localities.is_none()) {
    s.localities.clear();
    if (py::isinstance<py::str>(localities)) {
      for (const auto& item : name_list(localities, "localities")) {
        std::size_t used = 0;
        double v = 0;
        try {
          v = std::stod(item, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used != item.size()) throw Error(fmt::format("--localities: '{}' is not a number", item));
        s.localities.push_back(v);
      }
    } else {
      for (const auto& v : py::reinterpret_borrow<py::iterable>(localities)) s.localities.push_back(v.cast<double>());
    }
  }
  if (!bins.is_none()) s.bins = int_of(bins, "bins");
  if (!local_bins.is_none()) s.local_bins = int_of(local_bins, "local-bins");
  if (!cutoff.is_none()) s.cutoff = integer_of(cutoff, "cutoff");
  if (!deny.is_none()) s.deny = name_list(deny, "deny");
  if (!metrics.is_none()) s.metrics = pipelines::parse_eval_metrics(comma_list(metrics, "metrics"));
  for (const auto& [value, field, option] :
       std::vector<std::tuple<const py::object*, std::int64_t*, const char*>>{
           {&factor_vae_variance_points, &s.factor_vae_variance_points, "factor-vae-variance-points"},
           {&factor_vae_train_votes, &s.factor_vae_train_votes, "factor-vae-train-votes"},
           {&factor_vae_eval_votes, &s.factor_vae_eval_votes, "factor-vae-eval-votes"},
           {&beta_vae_train_points, &s.beta_vae_train_points, "beta-vae-train-points"},
           {&beta_vae_eval_points, &s.beta_vae_eval_points, "beta-vae-eval-points"},
           {&pair_batch_size, &s.pair_batch_size, "pair-batch-size"}})
    if (!value->is_none()) *field = integer_of(*value, option);
  if (!anchors.is_none()) s.anchors = integer_of(anchors, "anchors");
  if (!batch_size.is_none()) s.batch_size = integer_of(batch_size, "batch-size");
  if (!dump_samples.is_none()) s.dump_samples = fs::path(py::str(dump_samples).cast<std::string>());
  if (threads < 0) throw Error(fmt::format("--threads {}: must be at least 0", threads));
  s.threads = threads > 0 ? threads : hardware_threads();
  s.quiet = quiet;
  s.resume = resume;
  s.decoder_axis_alignment = false;
  CallOptions call;
  call.method = method;
  call.output_index = output_index;
  call.output_key = output_key;
  call.input_range = input_range;
  call.input_layout = input_layout;
  call.device = device;
  if (input_range != "0,1" && input_range != "-1,1" && input_range != "0,255")
    throw Error(fmt::format("--input-range '{}': unknown range (valid: 0,1  -1,1  0,255)", input_range));
  if (input_layout != "nchw" && input_layout != "nhwc")
    throw Error(fmt::format("--input-layout '{}': unknown layout (valid: nchw, nhwc)", input_layout));
  if (output_index < -1) throw Error(fmt::format("--output-index {}: must be at least -1", output_index));
  if (!method.empty() && !py::hasattr(representation, method.c_str()))
    throw Error(fmt::format("--method '{}': the representation has no such method", method));
  const CallOptions plain;
  if (call.method != plain.method || call.output_index != plain.output_index || call.output_key != plain.output_key ||
      call.input_range != plain.input_range || call.input_layout != plain.input_layout)
    s.encoder_call = {{"method", call.method},
                      {"output_index", call.output_index},
                      {"output_key", call.output_key},
                      {"input_range", call.input_range},
                      {"input_layout", call.input_layout}};

  // --out: a directory as the CLI's, or a temporary one removed afterwards (the dict is the result).
  std::optional<fs::path> temp;
  if (out.is_none()) {
    std::string tmpl = (fs::temp_directory_path() / "axial-evaluate-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw Error("evaluate: cannot create a temporary output directory");
    temp = fs::path(tmpl);
    s.out = *temp;
  } else {
    s.out = fs::path(py::str(out).cast<std::string>());
  }
  struct RemoveTemp {
    std::optional<fs::path>& p;
    ~RemoveTemp() {
      std::error_code ec;
      if (p) fs::remove_all(*p, ec);
    }
  } remove_temp{temp};
  s.model = model.is_none() ? "python:" + callable_name(representation) : py::str(model).cast<std::string>();
  pipelines::label_protocol(s);
  pipelines::validate(s);
  if (!force && fs::exists(s.out / "results.json"))
    throw Error(fmt::format("--out '{}': already holds results.json (pass --force to replace it, or choose another "
                            "directory)",
                            s.out.string()));

  pipelines::ModelRef ref;
  ref.path = s.model;
  ref.type = "python";
  // Progress lines go to the callable, else to Python's sys.stderr (so notebooks show them).
  std::unique_ptr<CallbackBuf> buf;
  std::unique_ptr<std::ostream> progress_stream;
  py::object to_stderr;
  if (!progress.is_none()) {
    buf = std::make_unique<CallbackBuf>(progress);
  } else if (!quiet) {
    to_stderr = py::cpp_function([](const std::string& line) {
      py::module_::import("sys").attr("stderr").attr("write")(line + "\n");
    });
    buf = std::make_unique<CallbackBuf>(to_stderr);
  }
  if (buf) progress_stream = std::make_unique<std::ostream>(buf.get());
  auto encoder = std::make_unique<PythonRepresentation>(representation, s.model, buf.get(), call);
  std::string text;
  std::exception_ptr progress_error;
  {
    py::gil_scoped_release release;
    auto load = [&encoder](const pipelines::ModelRef&) {
      pipelines::LoadedModel loaded;
      loaded.encoder = std::move(encoder);
      return loaded;
    };
    std::ostringstream none;
    std::ostream& os = progress_stream ? *progress_stream : static_cast<std::ostream&>(none);
    text = pipelines::run_eval(s, ref, load, os).results.dump();
    if (buf) {
      buf->flush_line();
      progress_error = buf->error();
    }
  }
  if (progress_error) std::rethrow_exception(progress_error);
  return json_loads(text);
}

}  // namespace

PYBIND11_MODULE(axial, m) {
  m.doc() =
      "axial: disentanglement metrics (MIG, modularity, explicitness, SAP, local variants), the three-dots data set "
      "and the paper's evaluation protocol (Rhodes & Lee 2021) on numpy arrays and Python encoders. Results equal "
      "the `axial` command line's. See README.md (Python).";
  m.attr("__version__") = kVersion;
  m.attr("git_commit") = kGitCommit;
  py::register_exception<Error>(m, "Error", PyExc_ValueError);

  const py::tuple default_metrics = py::make_tuple("mig", "modularity", "explicitness", "sap");
  m.def("score", &score, py::arg("codes"), py::arg("factors"), py::arg("metrics") = default_metrics,
        py::arg("bins") = 20, py::arg("num_train") = py::none(), py::arg("train_fraction") = py::none(),
        py::arg("discretizer") = "histogram", py::arg("threads") = 0, py::arg("clusters") = py::none(),
        py::arg("local_bins") = 5, py::arg("layout") = "auto",
        "Scores codes (N, L) float32/float64 against factors (N, K) integer: the dict `axial score --format json` "
        "prints for the same arrays (input is '<arrays>', input_sha256 the arrays' bytes). metrics: names or "
        "'mig,sap'; num_train / train_fraction: the explicitness/SAP split (first rows train, default 0.8); "
        "clusters: a list of (codes, factors) pairs for the local metrics too; layout: auto, points-by-codes or "
        "codes-by-points as --layout.");
  m.def("score_local", &score_local, py::arg("clusters"), py::arg("local_bins") = 5,
        py::arg("discretizer") = "histogram", py::arg("threads") = 0,
        "Local MIG and local modularity over a list of (codes, factors) pairs: the dict of `axial score --clusters`.");
  m.def("three_dots", &three_dots, py::arg("factors"),
        "Renders three-dots factor rows (N, 6) integer → images (N, 64, 64, 1) float32, bit-identical to `axial data "
        "generate`.");
  m.def("observations", &observations, py::arg("dataset"), py::arg("factors"),
        "Images (N, H, W, C) float32 of factor rows (N, K) of any data set spec (three-dots, NAME=PATH, FILE.h5).");
  m.def("sample", &sample, py::arg("dataset"), py::arg("n"), py::arg("seed") = 0,
        "n random factor rows (n, K) int64: the rows `axial data generate DATASET --num n --seed seed` renders.");
  m.def("sample_local", &sample_local, py::arg("dataset"), py::arg("locality"), py::arg("clusters"), py::arg("n"),
        py::arg("seed") = 0, py::arg("cutoff") = 10, py::arg("deny") = py::tuple(),
        "Local samples (clusters, n, K) int64: the rows of `axial data sample DATASET --locality L --clusters C "
        "--num n --seed seed [--cutoff] [--deny]` (cluster_i = [i]).");
  m.def("evaluate", &evaluate, py::arg("representation"), py::arg("dataset") = py::none(),
        py::arg("protocol") = "paper", py::arg("seed") = 0, py::kw_only(), py::arg("out") = py::none(),
        py::arg("num_train") = py::none(), py::arg("num_test") = py::none(), py::arg("clusters") = py::none(),
        py::arg("cluster_size") = py::none(), py::arg("localities") = py::none(), py::arg("bins") = py::none(),
        py::arg("local_bins") = py::none(), py::arg("cutoff") = py::none(), py::arg("deny") = py::none(),
        py::arg("metrics") = py::none(), py::arg("anchors") = py::none(), py::arg("batch_size") = py::none(),
        py::arg("dump_samples") = py::none(), py::arg("threads") = 0, py::arg("quiet") = false,
        py::arg("progress") = py::none(), py::arg("force") = false, py::arg("resume") = false,
        py::arg("model") = py::none(), py::arg("device") = "python", py::arg("method") = "",
        py::arg("output_index") = -1, py::arg("output_key") = "", py::arg("input_range") = "0,1",
        py::arg("input_layout") = "nhwc", py::arg("no_decoder_alignment") = false,
        py::arg("factor_vae_variance_points") = py::none(), py::arg("factor_vae_train_votes") = py::none(),
        py::arg("factor_vae_eval_votes") = py::none(), py::arg("beta_vae_train_points") = py::none(),
        py::arg("beta_vae_eval_points") = py::none(), py::arg("pair_batch_size") = py::none(),
        "Runs the paper's evaluation protocol (`axial eval`) on a Python callable: images (B, H, W, C) float32 in "
        "[0, 1] → codes (B, L) float32/float64 (numpy, or a torch tensor on any device). Returns the results.json "
        "dict. Keywords are the `axial eval` options with '_' for '-'; protocol sizes apply first, explicit ones "
        "override them (then the protocol reads 'custom'); method, output_index, output_key, input_range ('0,1', '-1,1', "
        "'0,255') and input_layout ('nhwc', or 'nchw' for PyTorch models) adapt other conventions; device is "
        "recorded as where the model runs. out=None uses a temporary directory; progress: a "
        "callable receiving each progress line (default: sys.stderr; quiet=True silences it).");
}
