// Scores two latents against two factors with the installed axial::metrics, on three-dots rows from
// axial::datasets. z0 = y0, z1 = y1 on a full 4×4 grid (exactly independent factors): MIG = 1 by definition.
#include <iostream>

#include "datasets/three_dots.hpp"
#include "metrics/registry.hpp"

int main() {
  axial::FactorMatrix y(2, 16);
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 4; ++b) y(0, a * 4 + b) = a, y(1, a * 4 + b) = b;
  const axial::CodeMatrix z = y.cast<double>();
  axial::ScoreInputs in;
  in.codes = &z;
  in.factors = &y;
  in.discretize.num_bins = 4;
  const axial::ScoreSheet sheet = axial::compute_metrics({"mig"}, in);
  const axial::datasets::ThreeDots dots;
  std::cout << "mig " << sheet.value("mig") << " three-dots factors " << dots.num_factors() << "\n";
  return 0;
}
