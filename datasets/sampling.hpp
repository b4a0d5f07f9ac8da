#pragma once
// Factor sampling: global (each factor uniform over its values) and local (the paper's neighbourhoods).
//
// Local sampling (Rhodes & Lee 2021, §4 and their code's local sampler):
//   - centroid c with c_i uniform in [0, n_i);
//   - radius r_i = floor(n_i·ρ) for factor i with n_i ≥ cutoff and not deny-listed, else r_i = 0;
//   - each sample draws y_i uniformly from [max(0, c_i − r_i), min(n_i − 1, c_i + r_i)]
//     (clipped at the borders, not shifted).
// All draws go through axial::uniform_int (datasets/random.hpp), so the same seed gives the same rows everywhere.
//
// Data sets that hold only some factor combinations (existing_rows() != nullptr):
//   - sample_global draws uniformly among the existing rows;
//   - LocalSampler::centroid draws an existing row uniformly (so every centroid has at least itself in its window);
//   - LocalSampler::sample draws uniformly among the existing rows inside the window; none → axial::Error.
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/ground_truth.hpp"
#include "src/core/random.hpp"
#include "src/core/types.hpp"

namespace axial::datasets {

// K×n factor rows, one column per sample. n < 0 → axial::Error.
FactorMatrix sample_global(const GroundTruthData& data, std::int64_t n, Rng& rng);

struct LocalSamplingOptions {
  double locality = 0.1;          // ρ ∈ (0, 1]
  std::int64_t cutoff = 10;       // continuity cutoff, ≥ 1: factors with fewer values are held fixed
  std::vector<std::string> deny;  // factor names or indices ("0", "3") held fixed, on top of unordered_factors()
};

class LocalSampler {
 public:
  // Validates the options: locality outside (0, 1] (or NaN), cutoff < 1, or an unknown deny name/index →
  // axial::Error naming the option and value.
  LocalSampler(const GroundTruthData& data, LocalSamplingOptions options);

  // A centroid (K values). See the header comment for subset data sets.
  FactorVector centroid(Rng& rng) const;
  // K×n rows drawn around `centroid`. Throws axial::Error if the centroid is out of range or has the wrong size,
  // n < 0, or (subset data sets) no existing row lies inside the window.
  FactorMatrix sample(const FactorVector& centroid, std::int64_t n, Rng& rng) const;

  // r_i per factor (0 for held factors).
  const std::vector<std::int64_t>& radii() const { return radii_; }
  // The deny-listed factor indices (unordered_factors() ∪ options.deny), sorted.
  const std::vector<int>& denied() const { return denied_; }
  const LocalSamplingOptions& options() const { return options_; }

  // Window of factor i around centroid value c: [max(0, c − r_i), min(n_i − 1, c + r_i)].
  std::int64_t window_lo(int i, std::int64_t c) const;
  std::int64_t window_hi(int i, std::int64_t c) const;

 private:
  const GroundTruthData& data_;
  LocalSamplingOptions options_;
  std::vector<std::int64_t> radii_;
  std::vector<int> denied_;
};

// Resolves a factor given by name or index string against `data` (e.g. "x0" or "0"). Unknown → axial::Error
// naming `option` and listing the valid names.
int resolve_factor(const GroundTruthData& data, const std::string& name_or_index, const std::string& option);

}  // namespace axial::datasets
