#include "datasets/sampling.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "src/core/error.hpp"

namespace axial::datasets {

namespace {

std::string valid_factor_list(const GroundTruthData& data) {
  std::string s;
  const auto& names = data.factor_names();
  for (std::size_t i = 0; i < names.size(); ++i) s += fmt::format("{}{} ({})", i ? ", " : "", names[i], i);
  return s;
}

void check_count(std::int64_t n, const char* what) {
  if (n < 0) throw Error(fmt::format("{}: number of samples {} is negative", what, n));
}

}  // namespace

int resolve_factor(const GroundTruthData& data, const std::string& name_or_index, const std::string& option) {
  const auto& names = data.factor_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name_or_index) return static_cast<int>(i);
  if (!name_or_index.empty() &&
      std::all_of(name_or_index.begin(), name_or_index.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      name_or_index.size() < 10) {
    const long idx = std::stol(name_or_index);
    if (idx < static_cast<long>(names.size())) return static_cast<int>(idx);
  }
  throw Error(fmt::format("{}: unknown factor '{}' for data set '{}' (valid: {})", option, name_or_index, data.name(),
                          valid_factor_list(data)));
}

FactorMatrix sample_global(const GroundTruthData& data, std::int64_t n, Rng& rng) {
  check_count(n, "global sampling");
  const int k = data.num_factors();
  FactorMatrix out(k, n);
  if (const FactorMatrix* rows = data.existing_rows()) {
    if (rows->cols() == 0) throw Error(fmt::format("data set '{}' holds no factor rows", data.name()));
    for (std::int64_t j = 0; j < n; ++j) out.col(j) = rows->col(uniform_int(rng, 0, rows->cols() - 1));
    return out;
  }
  // Factor by factor, like disentanglement_lib's state space (each factor uniform over its values).
  const auto& sizes = data.factor_sizes();
  for (int i = 0; i < k; ++i)
    for (std::int64_t j = 0; j < n; ++j) out(i, j) = uniform_int(rng, 0, sizes[static_cast<std::size_t>(i)] - 1);
  return out;
}

LocalSampler::LocalSampler(const GroundTruthData& data, LocalSamplingOptions options)
    : data_(data), options_(std::move(options)) {
  if (!(options_.locality > 0.0 && options_.locality <= 1.0))
    throw Error(fmt::format("locality {} is outside (0, 1]", options_.locality));
  if (options_.cutoff < 1)
    throw Error(fmt::format("cutoff {} is invalid: it must be at least 1 (factors with fewer values than the cutoff "
                            "are held fixed)",
                            options_.cutoff));
  const int k = data_.num_factors();
  std::vector<bool> deny(static_cast<std::size_t>(k), false);
  for (int i : data_.unordered_factors())
    if (i >= 0 && i < k) deny[static_cast<std::size_t>(i)] = true;
  for (const auto& d : options_.deny) deny[static_cast<std::size_t>(resolve_factor(data_, d, "deny"))] = true;
  const auto& sizes = data_.factor_sizes();
  radii_.assign(static_cast<std::size_t>(k), 0);
  for (int i = 0; i < k; ++i) {
    const std::int64_t ni = sizes[static_cast<std::size_t>(i)];
    if (deny[static_cast<std::size_t>(i)]) denied_.push_back(i);
    if (ni >= options_.cutoff && !deny[static_cast<std::size_t>(i)])
      radii_[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(std::floor(static_cast<double>(ni) * options_.locality));
  }
}

std::int64_t LocalSampler::window_lo(int i, std::int64_t c) const {
  return std::max<std::int64_t>(0, c - radii_[static_cast<std::size_t>(i)]);
}

std::int64_t LocalSampler::window_hi(int i, std::int64_t c) const {
  return std::min<std::int64_t>(data_.factor_sizes()[static_cast<std::size_t>(i)] - 1,
                                c + radii_[static_cast<std::size_t>(i)]);
}

FactorVector LocalSampler::centroid(Rng& rng) const {
  const int k = data_.num_factors();
  if (const FactorMatrix* rows = data_.existing_rows()) {
    if (rows->cols() == 0) throw Error(fmt::format("data set '{}' holds no factor rows", data_.name()));
    return rows->col(uniform_int(rng, 0, rows->cols() - 1));
  }
  FactorVector c(k);
  const auto& sizes = data_.factor_sizes();
  for (int i = 0; i < k; ++i) c(i) = uniform_int(rng, 0, sizes[static_cast<std::size_t>(i)] - 1);
  return c;
}

FactorMatrix LocalSampler::sample(const FactorVector& centroid, std::int64_t n, Rng& rng) const {
  check_count(n, "local sampling");
  const int k = data_.num_factors();
  const auto& sizes = data_.factor_sizes();
  if (centroid.size() != k)
    throw Error(fmt::format("local sampling: centroid has {} values, data set '{}' has {} factors", centroid.size(),
                            data_.name(), k));
  for (int i = 0; i < k; ++i)
    if (centroid(i) < 0 || centroid(i) >= sizes[static_cast<std::size_t>(i)])
      throw Error(fmt::format("local sampling: centroid value {} = {} is outside 0..{}",
                              data_.factor_names()[static_cast<std::size_t>(i)], centroid(i),
                              sizes[static_cast<std::size_t>(i)] - 1));
  FactorMatrix out(k, n);
  if (const FactorMatrix* rows = data_.existing_rows()) {
    std::vector<Eigen::Index> inside;
    for (Eigen::Index j = 0; j < rows->cols(); ++j) {
      bool ok = true;
      for (int i = 0; i < k && ok; ++i) {
        const std::int64_t v = (*rows)(i, j);
        ok = v >= window_lo(i, centroid(i)) && v <= window_hi(i, centroid(i));
      }
      if (ok) inside.push_back(j);
    }
    if (inside.empty() && n > 0) {
      std::string c;
      for (int i = 0; i < k; ++i) c += fmt::format("{}{}", i ? "," : "", centroid(i));
      throw Error(fmt::format("local sampling: data set '{}' holds no row inside the window around centroid ({})",
                              data_.name(), c));
    }
    for (std::int64_t j = 0; j < n; ++j)
      out.col(j) = rows->col(inside[static_cast<std::size_t>(uniform_int(rng, 0, static_cast<std::int64_t>(inside.size()) - 1))]);
    return out;
  }
  // Factor by factor, like the paper's local_sample_factors: y_i uniform on the clipped window.
  for (int i = 0; i < k; ++i) {
    const std::int64_t lo = window_lo(i, centroid(i)), hi = window_hi(i, centroid(i));
    for (std::int64_t j = 0; j < n; ++j) out(i, j) = uniform_int(rng, lo, hi);
  }
  return out;
}

}  // namespace axial::datasets
