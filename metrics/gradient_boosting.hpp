#pragma once
// Gradient-boosted classification trees exactly as scikit-learn 1.2's `GradientBoostingClassifier()` defaults fit
// them (Friedman, "Greedy Function Approximation: A Gradient Boosting Machine", Ann. Statist. 2001), written for
// DCI's importance matrix (metrics/dci.hpp):
//  - features cast to float32 (sklearn's DTYPE); classes = sorted distinct labels;
//  - init raw score from the class priors clipped to [eps32, 1 − eps32]: log p_c (multinomial, C > 2 classes) or
//    log(p_1 / (1 − p_1)) (binomial, C = 2);
//  - 100 stages; per stage one regression tree per class (C > 2) on the residual y_c − softmax(raw)_c of the stage's
//    starting scores, or one tree (C = 2) on y − expit(raw);
//  - trees: depth ≤ 3, friedman_mse splits: a split maximises (n_R·S_L − n_L·S_R)² / (n_L·n_R) over thresholds at
//    midpoints of consecutive sorted values that differ by more than FEATURE_THRESHOLD = 1e-7 (a feature whose range
//    in the node is ≤ 1e-7 is constant there and never split); a node with < 2 samples or MSE impurity ≤ DBL_EPSILON
//    is a leaf; features are visited in the order sklearn's splitter draws them (its `rand_r` xorshift seeded by one
//    `randint(0, 2^31 − 1)` per tree from an MT19937 — numpy's global RandomState — seeded with `tie_seed`), and a
//    later feature replaces the best only if strictly better, so ties between equal features break as sklearn's;
//  - leaf value = one Newton step: (C−1)/C · Σr / Σ(y − r)(1 − y + r) (multinomial) or Σr / Σ(y − r)(1 − y + r)
//    (binomial), 0 if |denominator| < 1e-150; raw += 0.1 · leaf value;
//  - feature importances: per tree Σ over splits of n·MSE − n_L·MSE_L − n_R·MSE_R on the feature, divided by the root
//    n; averaged over trees with more than one node, normalised to sum 1 (all zeros when no tree split).
// The split search runs on per-feature presorted sample orders partitioned stably down the tree (sklearn re-sorts in
// every node); the candidates and the chosen splits are the same, sums differ in the last bits only.
#include <cstdint>
#include <vector>

namespace axial {

struct GradientBoostingOptions {
  int num_stages = 100;
  int max_depth = 3;
  double learning_rate = 0.1;
  std::uint32_t tie_seed = 0;  // seed of the emulated numpy global RNG that seeds each tree's feature order
};

class GradientBoostingClassifier {
 public:
  struct Node {
    int feature = -1;  // -1: leaf
    double threshold = 0.0;
    int left = -1, right = -1;
    double value = 0.0;
  };
  using Tree = std::vector<Node>;

  // x: feature-major float32 values, x[f·n + i] (n samples, num_features features); labels: any integer values
  // (at least 2 distinct, else axial::Error). `tree_seeds` gives one seed per tree fitted, in fitting order
  // (stage-major, class-minor); use tree_seed_stream() to draw them as sklearn does.
  void fit(const std::vector<float>& x, int num_features, std::int64_t n, const std::vector<std::int64_t>& labels,
           const GradientBoostingOptions& options, const std::vector<std::uint32_t>& tree_seeds);

  // Predicted labels for feature-major x (n samples).
  std::vector<std::int64_t> predict(const std::vector<float>& x, std::int64_t n) const;

  const std::vector<double>& feature_importances() const { return importances_; }
  const std::vector<Tree>& trees() const { return trees_; }  // stage-major, class-minor
  int num_classes() const { return static_cast<int>(classes_.size()); }
  // Trees per stage: 1 for two classes, C otherwise.
  int trees_per_stage() const { return classes_.size() == 2 ? 1 : static_cast<int>(classes_.size()); }

 private:
  int num_features_ = 0;
  std::vector<std::int64_t> classes_;
  std::vector<double> init_raw_;          // per tree-in-stage
  std::vector<Tree> trees_;               // stage-major, class-minor
  double learning_rate_ = 0.1;
  std::vector<double> importances_;
};

// Number of trees GradientBoostingClassifier fits for a label set with `num_classes` classes.
int gradient_boosting_tree_count(int num_classes, const GradientBoostingOptions& options);

// The per-tree seeds sklearn's splitters draw: numpy.random.RandomState(seed).randint(0, 2^31 − 1) repeated
// `count` times (MT19937, masked rejection sampling, as numpy's legacy generator does).
std::vector<std::uint32_t> tree_seed_stream(std::uint32_t seed, std::size_t count);

}  // namespace axial
