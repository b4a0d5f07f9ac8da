#pragma once
// Files of codes and factors for `axial score` (issue 3), and the writer `axial eval --dump-samples` uses so that
// what it writes reads straight back with `axial score --codes` / `--clusters`.
//
// Layouts (rows = samples; CodeMatrix/FactorMatrix are the transposes, one column per sample):
//  - .h5 / .hdf5: dataset `codes` (N,L) float32 or float64, dataset `factors` (N,K) any integer type.
//  - .npz: members `codes.npy`, `factors.npy` with the same shapes/types (stored or deflated zip).
//  - .csv: header z0..z{L−1}, y0..y{K−1} (that order), one row per sample; precision float64.
// Cluster files (`--clusters`):
//  - .h5: groups cluster_0, cluster_1, … (consecutive from 0) each holding `codes` and `factors` as above,
//    optionally under a parent group (`group` argument), e.g. "/locality_0.1/cluster_3".
//  - .npz: members codes_0/factors_0, codes_1/factors_1, …
// Writer (.h5 only): optional root `codes`/`factors` (the global sample), then named groups of clusters:
//   write_codes_h5("samples.h5", {global, {{"", clusters}}})            → /codes, /factors, /cluster_i/...
//   write_codes_h5("samples.h5", {global, {{"locality_0.1", c1}, {"locality_0.25", c2}}})
//                                                                       → /locality_0.1/cluster_i/...
// Codes are written as float32 or float64 per `precision`, factors as int64; attribute "axial_version" on root.
// All readers throw axial::Error naming the file and the key (dataset/member/column) on any problem: missing keys,
// wrong rank or dtype, non-integer factors, NaN/Inf codes, row-count mismatch, N < 1, empty clusters.
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "metrics/discretize.hpp"
#include "metrics/local.hpp"
#include "src/core/types.hpp"

namespace axial {

struct CodesData {
  CodeMatrix codes;                       // L×N
  FactorMatrix factors;                   // K×N
  Precision precision = Precision::Float64;  // dtype of the codes on disk
  // The first num_train rows are the training sample (an `axial eval --dump-samples` file records it as the root
  // attribute "num_train"; `axial score --rows train` selects them). Absent for other files.
  std::optional<std::int64_t> num_train;
};

// How the arrays lie in the file. axial's own layout is (num_points, num_codes), one row per sample;
// disentanglement_lib's _compute_* functions take (num_codes, num_points).
enum class CodesLayout {
  kAuto,           // (num_points, num_codes), but a shape that looks transposed is refused (never guessed)
  kPointsByCodes,  // (num_points, num_codes) and (num_points, num_factors), as given
  kCodesByPoints,  // (num_codes, num_points) and (num_factors, num_points): transposed on reading
};
// "auto", "points-by-codes", "codes-by-points" → the layout; else axial::Error naming --layout.
CodesLayout parse_codes_layout(const std::string& name);

// The refusal of CodesLayout::kAuto: codes (N, L) and factors (N, K) shapes (2 values each) that look like
// (num_codes, num_points) — fewer rows than columns, or row counts that differ while column counts agree — are an
// axial::Error naming `file` and what would fix it. Used by the file readers and the Python module.
void check_not_transposed(const std::vector<std::int64_t>& codes_shape, const std::vector<std::int64_t>& factors_shape,
                          const std::string& file);

struct CodesReadOptions {
  // Members/datasets (an HDF5 key may be a path "group/codes"). Empty = "codes" then "mus" (disentanglement_lib's
  // name), and "factors" then "ys". A missing member is an error listing the members present.
  std::string codes_key, factors_key;
  CodesLayout layout = CodesLayout::kAuto;
  // CSV without a header line: the first num_latents columns are codes, the rest factors (0 = the file has a header
  // z0..z{L-1},y0..y{K-1}, optionally behind "# " as np.savetxt writes it).
  int num_latents = 0;
};

// Reads codes and factors from .h5/.hdf5, .npz or .csv (by extension; anything else → axial::Error). Codes are
// float32 or float64 (float16 is refused: numpy's float16 histogram edges are not reproduced); factors are integers,
// or floats that are exact integers. In the kAuto layout, a shape that looks like (num_codes, num_points) — fewer
// rows than columns in codes or factors, or row counts that differ while column counts agree — is refused with
// what would fix it (`--layout codes-by-points`, or transposing).
CodesData read_codes_file(const std::filesystem::path& path, const CodesReadOptions& options = {});

struct ClusterSet {
  std::vector<LocalCluster> clusters;
  Precision precision = Precision::Float64;  // Float32 if any cluster's codes are float32
};

// Reads clusters from .h5/.hdf5 (groups [group/]cluster_0, cluster_1, …) or .npz (codes_i/factors_i).
// At least one cluster; all share L and K.
ClusterSet read_clusters_file(const std::filesystem::path& path, const std::string& group = "");

struct CodesFileContents {
  std::optional<CodesData> global;  // written as /codes, /factors when present
  // (parent group name, clusters): parent "" → /cluster_i at the root, else /<parent>/cluster_i.
  std::vector<std::pair<std::string, std::vector<LocalCluster>>> cluster_groups;
  Precision cluster_precision = Precision::Float32;
  // Further arrays (e.g. what `axial eval`'s FactorVAE/BetaVAE samplers drew), written after the rest under their
  // full key ("/factor_vae/train_codes"; parent groups are created): row-major data of `shape`, stored as float32,
  // float64 or int64 (exactly one of the vectors is filled).
  struct Array {
    std::string key;
    std::vector<std::int64_t> shape;
    std::vector<float> f32;
    std::vector<double> f64;
    std::vector<std::int64_t> i64;
  };
  std::vector<Array> arrays;
};

// Writes an .h5 file atomically (temp + rename). Throws axial::Error naming the path on failure.
void write_codes_h5(const std::filesystem::path& path, const CodesFileContents& contents);

}  // namespace axial
