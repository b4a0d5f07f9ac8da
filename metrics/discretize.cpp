#include "metrics/discretize.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "src/core/error.hpp"
#include "src/core/parallel.hpp"

namespace axial {

namespace detail {

// numpy.linspace(first, last, B+1) in float64 (histogram's start/stop are promoted by `* 1.0`).
std::vector<double> linspace_edges(double first, double last, int num_bins) {
  const int num = num_bins + 1;
  const double div = static_cast<double>(num_bins);
  const double delta = last - first;
  const double step = delta / div;
  std::vector<double> y(static_cast<std::size_t>(num));
  for (int i = 0; i < num; ++i) {
    double v = static_cast<double>(i);
    if (step == 0.0) {
      v = (v / div) * delta;  // numpy's denormal branch (gh-5437)
    } else {
      v = v * step;
    }
    y[static_cast<std::size_t>(i)] = v + first;
  }
  y.back() = last;
  return y;
}

}  // namespace detail

std::vector<double> histogram_edges(const double* z, std::int64_t n, int num_bins, Precision precision) {
  if (num_bins < 1) throw Error(fmt::format("number of bins must be at least 1, got {}", num_bins));
  if (n < 1) throw Error("histogram of an empty latent");
  double first = 0.0, last = 0.0;
  if (precision == Precision::Float32) {
    float mn = static_cast<float>(z[0]), mx = mn;
    for (std::int64_t i = 1; i < n; ++i) {
      const float v = static_cast<float>(z[i]);
      mn = std::min(mn, v);
      mx = std::max(mx, v);
    }
    first = mn;
    last = mx;
  } else {
    double mn = z[0], mx = z[0];
    for (std::int64_t i = 1; i < n; ++i) {
      mn = std::min(mn, z[i]);
      mx = std::max(mx, z[i]);
    }
    first = mn;
    last = mx;
  }
  if (!std::isfinite(first) || !std::isfinite(last))
    throw Error(fmt::format("histogram of a latent with non-finite range [{}, {}]", first, last));
  if (first == last) {  // numpy: expand an empty range (computed in float64 for float32 input too)
    first -= 0.5;
    last += 0.5;
  }
  std::vector<double> edges = detail::linspace_edges(first, last, num_bins);
  if (precision == Precision::Float32)
    for (double& e : edges) e = static_cast<double>(static_cast<float>(e));
  return edges;
}

namespace {

// numpy.quantile(z, q) with the default 'linear' rule on sorted values.
double quantile_linear(const std::vector<double>& sorted, double q) {
  const double h = static_cast<double>(sorted.size() - 1) * q;
  const double lo = std::floor(h);
  const std::size_t i = static_cast<std::size_t>(lo);
  if (i + 1 >= sorted.size()) return sorted.back();
  return sorted[i] + (h - lo) * (sorted[i + 1] - sorted[i]);
}

template <class T>
void label_by_edges(const double* z, std::int64_t n, const std::vector<double>& inner, std::int32_t first_label,
                    std::int32_t* out) {
  // label = first_label + #{ e in inner : e <= z }  (numpy.searchsorted side='right', compared in type T)
  std::vector<T> e(inner.begin(), inner.end());
  for (std::int64_t i = 0; i < n; ++i) {
    const T v = static_cast<T>(z[i]);
    out[i] = first_label + static_cast<std::int32_t>(std::upper_bound(e.begin(), e.end(), v) - e.begin());
  }
}

// The same count for evenly spaced edges (the histogram's): start from the arithmetic guess ⌊(z − e₀)/step⌋ and
// correct it against the actual edges (compared in type T), so the result is exactly the searchsorted count of
// label_by_edges — the guess only saves the binary search (a few mispredicted branches per value).
template <class T>
void label_by_even_edges(const double* z, std::int64_t n, const std::vector<double>& inner, std::int32_t* out) {
  std::vector<T> e(inner.begin(), inner.end());
  const auto m = static_cast<std::int64_t>(e.size());
  const double e0 = inner.front();
  const double span = inner.back() - e0;
  const double scale = m > 1 && span > 0 ? static_cast<double>(m - 1) / span : 0.0;
  for (std::int64_t i = 0; i < n; ++i) {
    const T v = static_cast<T>(z[i]);
    const double g = (z[i] - e0) * scale + 1.0;  // ≈ #{e ≤ z}
    std::int64_t c = g <= 0.0 ? 0 : g >= static_cast<double>(m) ? m : static_cast<std::int64_t>(g);
    while (c > 0 && e[static_cast<std::size_t>(c - 1)] > v) --c;
    while (c < m && e[static_cast<std::size_t>(c)] <= v) ++c;
    out[i] = static_cast<std::int32_t>(c);
  }
}

}  // namespace

void discretize_latent(const double* z, std::int64_t n, const DiscretizeOptions& options, std::int32_t* out) {
  if (options.num_bins < 1) throw Error(fmt::format("number of bins must be at least 1, got {}", options.num_bins));
  if (n < 1) throw Error("cannot discretise an empty latent (0 samples)");
  if (options.method == Discretizer::Histogram) {
    std::vector<double> edges = histogram_edges(z, n, options.num_bins, options.precision);
    edges.pop_back();  // digitize(z, edges[:-1]): labels 1..B
    if (options.precision == Precision::Float32)
      label_by_even_edges<float>(z, n, edges, out);
    else
      label_by_even_edges<double>(z, n, edges, out);
    return;
  }
  // Quantile: inner edges at the i/B quantiles, i = 1..B-1.
  std::vector<double> sorted(z, z + n);
  if (options.precision == Precision::Float32)
    for (double& v : sorted) v = static_cast<double>(static_cast<float>(v));
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> inner;
  for (int i = 1; i < options.num_bins; ++i)
    inner.push_back(quantile_linear(sorted, static_cast<double>(i) / options.num_bins));
  label_by_edges<double>(z, n, inner, 1, out);
}

LabelMatrix discretize(const CodeMatrix& codes, const DiscretizeOptions& options, int num_threads) {
  if (options.num_bins < 1) throw Error(fmt::format("number of bins must be at least 1, got {}", options.num_bins));
  const Eigen::Index L = codes.rows(), N = codes.cols();
  if (N < 1) throw Error("cannot discretise codes with 0 samples");
  // Non-finite codes: the first in (latent, sample) order is the one named, whatever the thread count.
  if (!codes.allFinite())
    for (Eigen::Index l = 0; l < L; ++l)
      for (Eigen::Index n = 0; n < N; ++n)
        if (!std::isfinite(codes(l, n)))
          throw Error(fmt::format("codes: non-finite value {} at sample {}, latent {}", codes(l, n), n, l));
  LabelMatrix labels(L, N);
  parallel_for(L, num_threads, [&](Eigen::Index l) {
    std::vector<double> row(static_cast<std::size_t>(N));
    std::vector<std::int32_t> lab(static_cast<std::size_t>(N));
    for (Eigen::Index n = 0; n < N; ++n) row[static_cast<std::size_t>(n)] = codes(l, n);
    discretize_latent(row.data(), N, options, lab.data());
    for (Eigen::Index n = 0; n < N; ++n) labels(l, n) = lab[static_cast<std::size_t>(n)];
  });
  return labels;
}

Discretizer parse_discretizer(const std::string& name) {
  if (name == "histogram") return Discretizer::Histogram;
  if (name == "quantile") return Discretizer::Quantile;
  throw Error(fmt::format("unknown discretizer '{}' (valid: histogram, quantile)", name));
}

const char* discretizer_name(Discretizer method) {
  return method == Discretizer::Histogram ? "histogram" : "quantile";
}

}  // namespace axial
