#pragma once
// Matrix layouts used everywhere in axial (conventions §4), one way throughout:
//  - codes:   L×N double, one column per sample (disentanglement_lib's (num_codes, num_points)).
//  - factors: K×N int64, one column per sample.
// Column-major Eigen L×N has the same memory as a row-major (N, L) array on disk (HDF5, .npy, CSV rows).
#include <Eigen/Core>
#include <cstdint>

namespace axial {

using CodeMatrix = Eigen::MatrixXd;                                               // L×N
using FactorMatrix = Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic>;  // K×N
using FactorVector = Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>;               // K

}  // namespace axial
