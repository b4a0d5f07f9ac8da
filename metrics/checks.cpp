#include "metrics/checks.hpp"

#include <fmt/core.h>

#include <cmath>

#include "src/core/error.hpp"

namespace axial {

void require_finite(const CodeMatrix& codes, const std::string& what) {
  for (Eigen::Index n = 0; n < codes.cols(); ++n)
    for (Eigen::Index l = 0; l < codes.rows(); ++l)
      if (!std::isfinite(codes(l, n)))
        throw Error(fmt::format("{}: non-finite value {} at sample {}, latent {}", what, codes(l, n), n, l));
}

void require_matching_samples(const CodeMatrix& codes, const FactorMatrix& factors, const std::string& what,
                              Eigen::Index min_samples) {
  if (codes.cols() != factors.cols())
    throw Error(fmt::format("{}: number of code samples ({}) does not match number of factor samples ({})", what,
                            codes.cols(), factors.cols()));
  if (codes.cols() < min_samples)
    throw Error(fmt::format("{}: {} samples, need at least {}", what, codes.cols(), min_samples));
}

}  // namespace axial
