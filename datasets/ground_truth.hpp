#pragma once
// The ground-truth data interface: a data set with K discrete factors of variation and a way to get the
// observation (image) for any factor row. Every random choice goes through an explicit seeded generator.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "src/core/types.hpp"

namespace axial::datasets {

struct ObservationShape {
  int height = 0;
  int width = 0;
  int channels = 0;
  std::int64_t size() const { return std::int64_t(height) * width * channels; }
};

class GroundTruthData {
 public:
  virtual ~GroundTruthData() = default;

  virtual std::string name() const = 0;
  virtual const std::vector<std::string>& factor_names() const = 0;
  // Number of values of each factor (factor k takes values 0..factor_sizes()[k]-1).
  virtual const std::vector<std::int64_t>& factor_sizes() const = 0;
  virtual ObservationShape observation_shape() const = 0;

  // Renders or loads the observations for the factor rows `factors` (K×N, one column per sample) into `out`,
  // which holds N·H·W·C floats in [0,1], laid out (N, H, W, C) row-major. Throws axial::Error for rows out of range
  // (or, for data sets that hold only some combinations, rows that do not exist).
  virtual void observations(const FactorMatrix& factors, float* out) const = 0;

  // Factors without a meaningful order (e.g. shape): deny-listed for local sampling by default.
  virtual std::vector<int> unordered_factors() const { return {}; }

  // Data sets that hold only some factor combinations (e.g. a dSprites subset) return the rows that exist (K×M);
  // samplers then draw existing rows only. nullptr (the default) means every combination of factor values exists.
  virtual const FactorMatrix* existing_rows() const { return nullptr; }

  int num_factors() const { return static_cast<int>(factor_sizes().size()); }
};

}  // namespace axial::datasets
