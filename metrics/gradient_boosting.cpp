#include "metrics/gradient_boosting.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include <Eigen/Core>

#include "src/core/error.hpp"

namespace axial {

namespace {

constexpr double kFeatureThreshold = 1e-7;         // sklearn/tree/_splitter.pyx FEATURE_THRESHOLD
constexpr double kEpsilon = DBL_EPSILON;           // sklearn/tree/_tree.pyx EPSILON
constexpr std::uint32_t kRandRMax = 0x7FFFFFFFu;   // sklearn/tree/_utils.pxd RAND_R_MAX

// sklearn/tree/_utils.pyx our_rand_r / rand_int.
std::uint32_t our_rand_r(std::uint32_t& seed) {
  if (seed == 0) seed = 1;  // DEFAULT_SEED
  seed ^= static_cast<std::uint32_t>(seed << 13);
  seed ^= static_cast<std::uint32_t>(seed >> 17);
  seed ^= static_cast<std::uint32_t>(seed << 5);
  return seed % (kRandRMax + 1u);
}
int rand_int(int low, int high, std::uint32_t& seed) {
  return low + static_cast<int>(our_rand_r(seed) % static_cast<std::uint32_t>(high - low));
}

// One tree's fit: presorted sample orders per feature, partitioned stably per depth (buffers order_[d], value_[d]:
// feature-major, a node owns positions [start, end) of every feature's segment).
class TreeBuilder {
 public:
  TreeBuilder(const std::vector<float>& x, int num_features, std::int64_t n, int max_depth,
              const std::vector<std::int32_t>& root_order, const std::vector<float>& root_values)
      : x_(x), L_(num_features), n_(n), max_depth_(max_depth) {
    order_.resize(static_cast<std::size_t>(max_depth));
    value_.resize(static_cast<std::size_t>(max_depth));
    order_[0] = &root_order;
    value_[0] = &root_values;
    own_order_.resize(static_cast<std::size_t>(std::max(0, max_depth - 1)));
    own_value_.resize(own_order_.size());
    for (std::size_t d = 0; d < own_order_.size(); ++d) {
      own_order_[d].resize(root_order.size());
      own_value_[d].resize(root_values.size());
      order_[d + 1] = &own_order_[d];
      value_[d + 1] = &own_value_[d];
    }
    res_.resize(static_cast<std::size_t>(max_depth));
    for (auto& b : res_) b.resize(root_order.size());
    goes_left_.resize(static_cast<std::size_t>(n));
    features_.resize(static_cast<std::size_t>(L_));
    constant_features_.resize(static_cast<std::size_t>(L_));
  }

  // Fits a tree to residual r; leaf_of[i] receives the leaf node id of sample i. Adds this tree's unnormalised
  // importances (divided by the root's n) to `importance` when the tree has more than one node; returns the tree.
  GradientBoostingClassifier::Tree fit(const std::vector<double>& r, std::uint32_t seed, std::vector<int>& leaf_of,
                                       std::vector<double>& importance) {
    rand_state_ = seed;
    {  // residuals in every feature's sorted order (the scans below then read sequentially)
      const std::int32_t* o = order_[0]->data();
      double* out = res_[0].data();
      for (std::size_t q = 0; q < res_[0].size(); ++q) out[q] = r[static_cast<std::size_t>(o[q])];
    }
    std::iota(features_.begin(), features_.end(), 0);
    std::fill(constant_features_.begin(), constant_features_.end(), 0);
    tree_.clear();
    node_gain_.assign(static_cast<std::size_t>(L_), 0.0);

    std::vector<Record> stack;
    // Root: sums over all samples.
    stack.push_back({0, 0, n_, -1, false, std::numeric_limits<double>::infinity(), 0});
    bool first = true;
    while (!stack.empty()) {
      const Record rec = stack.back();
      stack.pop_back();
      const std::int64_t count = rec.end - rec.start;
      double impurity = rec.impurity;
      const NodeSums sums = node_sums(rec.depth, rec.start, rec.end);
      bool is_leaf = rec.depth >= max_depth_ || count < 2;
      if (first) {
        impurity = sums.sq / static_cast<double>(count) -
                   (sums.sum / static_cast<double>(count)) * (sums.sum / static_cast<double>(count));
        first = false;
      }
      is_leaf = is_leaf || impurity <= kEpsilon;
      Split split;
      int n_constant = rec.n_constant;
      if (!is_leaf) {
        split = node_split(rec.depth, rec.start, rec.end, sums, n_constant);
        is_leaf = split.feature < 0;
      }
      const int id = static_cast<int>(tree_.size());
      tree_.push_back({});
      if (rec.parent >= 0) (rec.is_left ? tree_[static_cast<std::size_t>(rec.parent)].left
                                        : tree_[static_cast<std::size_t>(rec.parent)].right) = id;
      if (is_leaf) {
        // Samples of a leaf: any feature's segment of its depth (depth max_depth leaves live in their parent's
        // segment, marked by goes_left_).
        assign_leaf(rec, id, leaf_of);
        continue;
      }
      GradientBoostingClassifier::Node& node = tree_.back();
      node.feature = split.feature;
      node.threshold = split.threshold;
      const double w = static_cast<double>(count), wl = static_cast<double>(split.n_left),
                   wr = static_cast<double>(count - split.n_left);
      node_gain_[static_cast<std::size_t>(split.feature)] +=
          w * impurity - wl * split.impurity_left - wr * split.impurity_right;
      partition(rec.depth, rec.start, rec.end, split);
      const std::int64_t mid = rec.start + split.n_left;
      stack.push_back({rec.depth + 1, mid, rec.end, id, false, split.impurity_right, n_constant});
      stack.push_back({rec.depth + 1, rec.start, mid, id, true, split.impurity_left, n_constant});
    }
    if (tree_.size() > 1)
      for (int f = 0; f < L_; ++f)
        importance[static_cast<std::size_t>(f)] += node_gain_[static_cast<std::size_t>(f)] / static_cast<double>(n_);
    return tree_;
  }

 private:
  struct Record {
    int depth;
    std::int64_t start, end;
    int parent;
    bool is_left;
    double impurity;
    int n_constant;
  };
  struct NodeSums {
    double sum = 0.0, sq = 0.0;
  };
  struct Split {
    int feature = -1;
    double threshold = 0.0;
    std::int64_t n_left = 0;
    double impurity_left = 0.0, impurity_right = 0.0;
  };

  // Samples of a node at `depth`, positions [start, end): order_[depth] segment of feature 0 (depth < max_depth),
  // or, for depth == max_depth, the parent's segment filtered by goes_left_ (handled in assign_leaf).
  NodeSums node_sums(int depth, std::int64_t start, std::int64_t end) const {
    NodeSums s;
    if (depth >= max_depth_) return s;  // leaves at max depth need no sums
    const double* res = res_[static_cast<std::size_t>(depth)].data();
    for (std::int64_t p = start; p < end; ++p) {
      const double v = res[p];
      s.sum += v;
      s.sq += v * v;
    }
    return s;
  }

  void assign_leaf(const Record& rec, int id, std::vector<int>& leaf_of) const {
    if (rec.depth < max_depth_) {
      const std::int32_t* ord = order_[static_cast<std::size_t>(rec.depth)]->data();
      for (std::int64_t p = rec.start; p < rec.end; ++p) leaf_of[static_cast<std::size_t>(ord[p])] = id;
      return;
    }
    // A child of a depth max_depth−1 split: its samples are the parent's with the matching side.
    const std::int32_t* ord = order_[static_cast<std::size_t>(rec.depth - 1)]->data();
    for (std::int64_t p = last_split_start_; p < last_split_end_; ++p) {
      const auto i = static_cast<std::size_t>(ord[p]);
      if (static_cast<bool>(goes_left_[i]) == rec.is_left) leaf_of[i] = id;
    }
  }

  // sklearn BestSplitter.node_split: feature draws, constant tracking, best friedman_mse split.
  Split node_split(int depth, std::int64_t start, std::int64_t end, const NodeSums& sums, int& n_constant) {
    const int n_known_constants = n_constant;
    int f_i = L_, n_visited = 0, n_found_constants = 0, n_drawn_constants = 0;
    int n_total_constants = n_known_constants;
    const std::int64_t count = end - start;
    const float* val = value_[static_cast<std::size_t>(depth)]->data();
    const std::int32_t* ord = order_[static_cast<std::size_t>(depth)]->data();
    double best_proxy = -std::numeric_limits<double>::infinity();
    Split best;
    std::int64_t best_pos = -1;
    double best_sum_left = 0.0, best_sq_left = 0.0;
    while (f_i > n_total_constants &&
           (n_visited < L_ || n_visited <= n_found_constants + n_drawn_constants)) {
      ++n_visited;
      int f_j = rand_int(n_drawn_constants, f_i - n_found_constants, rand_state_);
      if (f_j < n_known_constants) {
        std::swap(features_[static_cast<std::size_t>(n_drawn_constants)], features_[static_cast<std::size_t>(f_j)]);
        ++n_drawn_constants;
        continue;
      }
      f_j += n_found_constants;
      const int feature = features_[static_cast<std::size_t>(f_j)];
      const std::int64_t base = static_cast<std::int64_t>(feature) * n_;
      const float* v = val + base;
      const double* rs = res_[static_cast<std::size_t>(depth)].data() + base;
      if (static_cast<double>(v[end - 1]) <= static_cast<double>(v[start]) + kFeatureThreshold) {
        std::swap(features_[static_cast<std::size_t>(f_j)], features_[static_cast<std::size_t>(n_total_constants)]);
        ++n_found_constants;
        ++n_total_constants;
        continue;
      }
      --f_i;
      std::swap(features_[static_cast<std::size_t>(f_i)], features_[static_cast<std::size_t>(f_j)]);
      // All split positions of this feature.
      double sum_left = 0.0, sq_left = 0.0;
      const double w = static_cast<double>(count);
      for (std::int64_t p = start; p + 1 < end; ++p) {
        const double rv = rs[p];
        sum_left += rv;
        sq_left += rv * rv;
        if (!(static_cast<double>(v[p + 1]) > static_cast<double>(v[p]) + kFeatureThreshold)) continue;
        const double wl = static_cast<double>(p + 1 - start), wr = w - wl;
        const double sum_right = sums.sum - sum_left;
        const double diff = wr * sum_left - wl * sum_right;
        const double d2 = diff * diff, ww = wl * wr;
        // Cheap screen (no division); candidates within rounding of the best get the exact comparison below.
        if (d2 < best_proxy * ww * (1.0 - 1e-12)) continue;
        const double proxy = d2 / ww;
        if (proxy > best_proxy) {
          best_proxy = proxy;
          best.feature = feature;
          double thr = static_cast<double>(v[p]) / 2.0 + static_cast<double>(v[p + 1]) / 2.0;
          if (thr == static_cast<double>(v[p + 1]) || std::isinf(thr)) thr = static_cast<double>(v[p]);
          best.threshold = thr;
          best_pos = p + 1;
          best_sum_left = sum_left;
          best_sq_left = sq_left;
        }
      }
    }
    // Constant-feature bookkeeping (the original order of the known constants is kept for siblings and children).
    std::copy(constant_features_.begin(), constant_features_.begin() + n_known_constants, features_.begin());
    std::copy(features_.begin() + n_known_constants, features_.begin() + n_known_constants + n_found_constants,
              constant_features_.begin() + n_known_constants);
    n_constant = n_total_constants;
    if (best.feature < 0) return best;
    best.n_left = best_pos - start;
    const double wl = static_cast<double>(best.n_left), wr = static_cast<double>(count - best.n_left);
    const double sum_right = sums.sum - best_sum_left, sq_right = sums.sq - best_sq_left;
    best.impurity_left = best_sq_left / wl - (best_sum_left / wl) * (best_sum_left / wl);
    best.impurity_right = sq_right / wr - (sum_right / wr) * (sum_right / wr);
    return best;
  }

  // Marks the sides of the split node's samples and (when the children can split) partitions every feature's
  // segment stably into the next depth's buffers.
  void partition(int depth, std::int64_t start, std::int64_t end, const Split& split) {
    const std::int32_t* ord = order_[static_cast<std::size_t>(depth)]->data();
    const float* val = value_[static_cast<std::size_t>(depth)]->data();
    {
      const std::int64_t base = static_cast<std::int64_t>(split.feature) * n_;
      for (std::int64_t p = start; p < end; ++p)
        goes_left_[static_cast<std::size_t>(ord[base + p])] =
            static_cast<double>(val[base + p]) <= split.threshold ? 1 : 0;
    }
    last_split_start_ = start;
    last_split_end_ = end;
    if (depth + 1 >= max_depth_) return;
    std::int32_t* out_ord = own_order_[static_cast<std::size_t>(depth)].data();
    float* out_val = own_value_[static_cast<std::size_t>(depth)].data();
    const double* res = res_[static_cast<std::size_t>(depth)].data();
    double* out_res = res_[static_cast<std::size_t>(depth) + 1].data();
    for (int f = 0; f < L_; ++f) {
      const std::int64_t base = static_cast<std::int64_t>(f) * n_;
      std::int64_t a = start + base, b = start + split.n_left + base;
      for (std::int64_t p = start + base; p < end + base; ++p) {
        const std::int32_t i = ord[p];
        if (goes_left_[static_cast<std::size_t>(i)]) {
          out_ord[a] = i;
          out_res[a] = res[p];
          out_val[a++] = val[p];
        } else {
          out_ord[b] = i;
          out_res[b] = res[p];
          out_val[b++] = val[p];
        }
      }
    }
  }

  const std::vector<float>& x_;
  int L_;
  std::int64_t n_;
  int max_depth_;
  std::vector<const std::vector<std::int32_t>*> order_;
  std::vector<const std::vector<float>*> value_;
  std::vector<std::vector<std::int32_t>> own_order_;
  std::vector<std::vector<float>> own_value_;
  std::vector<unsigned char> goes_left_;
  std::vector<int> features_, constant_features_;
  std::uint32_t rand_state_ = 0;
  std::vector<std::vector<double>> res_;  // residuals in each depth's sorted orders
  GradientBoostingClassifier::Tree tree_;
  std::vector<double> node_gain_;
  std::int64_t last_split_start_ = 0, last_split_end_ = 0;
};

int apply_tree(const GradientBoostingClassifier::Tree& tree, const std::vector<float>& x, std::int64_t n,
               std::int64_t i) {
  int node = 0;
  while (tree[static_cast<std::size_t>(node)].feature >= 0) {
    const auto& nd = tree[static_cast<std::size_t>(node)];
    node = static_cast<double>(x[static_cast<std::size_t>(nd.feature * n + i)]) <= nd.threshold ? nd.left : nd.right;
  }
  return node;
}

double expit(double v) { return 1.0 / (1.0 + std::exp(-v)); }

}  // namespace

int gradient_boosting_tree_count(int num_classes, const GradientBoostingOptions& options) {
  return options.num_stages * (num_classes == 2 ? 1 : num_classes);
}

std::vector<std::uint32_t> tree_seed_stream(std::uint32_t seed, std::size_t count) {
  std::mt19937 mt(seed);  // numpy's legacy seeding of an integer seed is MT19937 init_genrand, as std::mt19937
  std::vector<std::uint32_t> out(count);
  const std::uint32_t rng = kRandRMax - 1u, mask = 0x7FFFFFFFu;  // randint(0, RAND_R_MAX): values 0..RAND_R_MAX−1
  for (auto& s : out) {
    std::uint32_t v;
    do v = static_cast<std::uint32_t>(mt()) & mask;
    while (v > rng);
    s = v;
  }
  return out;
}

void GradientBoostingClassifier::fit(const std::vector<float>& x, int num_features, std::int64_t n,
                                     const std::vector<std::int64_t>& labels, const GradientBoostingOptions& options,
                                     const std::vector<std::uint32_t>& tree_seeds) {
  if (num_features < 1 || n < 1 || static_cast<std::int64_t>(labels.size()) != n ||
      static_cast<std::int64_t>(x.size()) != n * num_features)
    throw Error("gradient boosting: features and labels do not match");
  num_features_ = num_features;
  learning_rate_ = options.learning_rate;
  classes_ = labels;
  std::sort(classes_.begin(), classes_.end());
  classes_.erase(std::unique(classes_.begin(), classes_.end()), classes_.end());
  const int C = static_cast<int>(classes_.size());
  if (C < 2) throw Error(fmt::format("gradient boosting: the labels have {} distinct value(s); need 2", C));
  const int T = trees_per_stage();
  if (static_cast<int>(tree_seeds.size()) != options.num_stages * T)
    throw Error("gradient boosting: wrong number of tree seeds");
  std::vector<int> y(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i)
    y[static_cast<std::size_t>(i)] = static_cast<int>(
        std::lower_bound(classes_.begin(), classes_.end(), labels[static_cast<std::size_t>(i)]) - classes_.begin());

  // Init: DummyClassifier(strategy="prior"), probabilities clipped to [eps32, 1 − eps32].
  const double eps = static_cast<double>(std::numeric_limits<float>::epsilon());
  const double one_minus_eps = static_cast<double>(1.0f - std::numeric_limits<float>::epsilon());
  std::vector<double> prior(static_cast<std::size_t>(C), 0.0);
  for (int c : y) prior[static_cast<std::size_t>(c)] += 1.0;
  for (double& p : prior) p = std::clamp(p / static_cast<double>(n), eps, one_minus_eps);
  init_raw_.assign(static_cast<std::size_t>(T), 0.0);
  if (T == 1) {
    init_raw_[0] = std::log(prior[1] / (1.0 - prior[1]));
  } else {
    for (int c = 0; c < C; ++c) init_raw_[static_cast<std::size_t>(c)] = std::log(prior[static_cast<std::size_t>(c)]);
  }
  std::vector<double> raw(static_cast<std::size_t>(n * T));  // sample-major
  for (std::int64_t i = 0; i < n; ++i)
    for (int k = 0; k < T; ++k) raw[static_cast<std::size_t>(i * T + k)] = init_raw_[static_cast<std::size_t>(k)];

  // Presorted orders (stable) and sorted values per feature.
  std::vector<std::int32_t> order(static_cast<std::size_t>(n * num_features));
  std::vector<float> sorted(order.size());
  for (int f = 0; f < num_features; ++f) {
    std::int32_t* o = order.data() + static_cast<std::int64_t>(f) * n;
    const float* xf = x.data() + static_cast<std::int64_t>(f) * n;
    std::iota(o, o + n, 0);
    std::stable_sort(o, o + n, [&](std::int32_t a, std::int32_t b) { return xf[a] < xf[b]; });
    for (std::int64_t p = 0; p < n; ++p) sorted[static_cast<std::size_t>(f * n + p)] = xf[o[p]];
  }
  TreeBuilder builder(x, num_features, n, options.max_depth, order, sorted);
  std::vector<double> importance(static_cast<std::size_t>(num_features), 0.0);
  int relevant = 0;
  trees_.clear();
  trees_.reserve(tree_seeds.size());
  std::vector<double> residual(static_cast<std::size_t>(n));
  std::vector<double> prob(T > 1 ? raw.size() : 0);
  std::vector<int> leaf_of(static_cast<std::size_t>(n));
  const double class_factor = static_cast<double>(C - 1) / static_cast<double>(C);
  std::size_t t = 0;
  for (int stage = 0; stage < options.num_stages; ++stage) {
    if (T > 1) {
      // softmax of the stage's starting scores (exp(raw − max) / Σ; sklearn writes exp(raw − logsumexp), the same
      // up to rounding)
      for (std::int64_t i = 0; i < n; ++i) {
        const Eigen::Map<const Eigen::ArrayXd> row(raw.data() + i * T, T);
        Eigen::Map<Eigen::ArrayXd> out(prob.data() + i * T, T);
        out = (row - row.maxCoeff()).exp();
        out /= out.sum();
      }
    }
    for (int k = 0; k < T; ++k, ++t) {
      for (std::int64_t i = 0; i < n; ++i) {
        const auto si = static_cast<std::size_t>(i);
        if (T > 1) {
          const double yk = y[si] == k ? 1.0 : 0.0;
          double p = prob[static_cast<std::size_t>(i * T + k)];
          if (std::isnan(p)) p = 0.0;
          residual[si] = yk - p;
        } else {
          residual[si] = static_cast<double>(y[si]) - expit(raw[si]);
        }
      }
      std::vector<double> gain(static_cast<std::size_t>(num_features), 0.0);
      Tree tree = builder.fit(residual, tree_seeds[t], leaf_of, gain);
      if (tree.size() > 1) {
        ++relevant;
        for (int f = 0; f < num_features; ++f) importance[static_cast<std::size_t>(f)] += gain[static_cast<std::size_t>(f)];
      }
      // Newton step per leaf.
      std::vector<double> num(tree.size(), 0.0), den(tree.size(), 0.0);
      for (std::int64_t i = 0; i < n; ++i) {
        const auto si = static_cast<std::size_t>(i);
        const double yk = T > 1 ? (y[si] == k ? 1.0 : 0.0) : static_cast<double>(y[si]);
        const double rv = residual[si];
        const auto leaf = static_cast<std::size_t>(leaf_of[si]);
        num[leaf] += rv;
        den[leaf] += (yk - rv) * (1.0 - yk + rv);
      }
      for (std::size_t j = 0; j < tree.size(); ++j) {
        if (tree[j].feature >= 0) continue;
        const double numerator = T > 1 ? num[j] * class_factor : num[j];
        tree[j].value = std::fabs(den[j]) < 1e-150 ? 0.0 : numerator / den[j];
      }
      for (std::int64_t i = 0; i < n; ++i)
        raw[static_cast<std::size_t>(i * T + k)] +=
            learning_rate_ * tree[static_cast<std::size_t>(leaf_of[static_cast<std::size_t>(i)])].value;
      trees_.push_back(std::move(tree));
    }
  }
  importances_.assign(static_cast<std::size_t>(num_features), 0.0);
  if (relevant > 0) {
    double total = 0.0;
    for (double& v : importance) {
      v /= static_cast<double>(relevant);
      total += v;
    }
    for (int f = 0; f < num_features; ++f)
      importances_[static_cast<std::size_t>(f)] = importance[static_cast<std::size_t>(f)] / total;
  }
}

std::vector<std::int64_t> GradientBoostingClassifier::predict(const std::vector<float>& x, std::int64_t n) const {
  const int T = trees_per_stage();
  std::vector<double> raw(static_cast<std::size_t>(n * T));
  for (std::int64_t i = 0; i < n; ++i)
    for (int k = 0; k < T; ++k) raw[static_cast<std::size_t>(i * T + k)] = init_raw_[static_cast<std::size_t>(k)];
  for (std::size_t t = 0; t < trees_.size(); ++t) {
    const int k = static_cast<int>(t % static_cast<std::size_t>(T));
    for (std::int64_t i = 0; i < n; ++i)
      raw[static_cast<std::size_t>(i * T + k)] +=
          learning_rate_ * trees_[t][static_cast<std::size_t>(apply_tree(trees_[t], x, n, i))].value;
  }
  std::vector<std::int64_t> out(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    int c;
    if (T == 1) {
      const double p1 = expit(raw[static_cast<std::size_t>(i)]), p0 = 1.0 - p1;
      c = p1 > p0 ? 1 : 0;
    } else {
      const double* row = raw.data() + i * T;
      c = static_cast<int>(std::max_element(row, row + T) - row);
    }
    out[static_cast<std::size_t>(i)] = classes_[static_cast<std::size_t>(c)];
  }
  return out;
}

}  // namespace axial
