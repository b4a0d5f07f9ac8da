#pragma once
// Input checks shared by the metric front-ends. Each throws axial::Error whose message starts with `what`
// (e.g. "codes" or a file/key name supplied by the caller) and names the offending sizes or entry.
#include <string>

#include "src/core/types.hpp"

namespace axial {

// Every entry finite (no NaN/Inf).
void require_finite(const CodeMatrix& codes, const std::string& what);
// Same number of samples (columns) in codes L×N and factors K×N, and N ≥ min_samples.
void require_matching_samples(const CodeMatrix& codes, const FactorMatrix& factors, const std::string& what,
                              Eigen::Index min_samples = 1);

}  // namespace axial
