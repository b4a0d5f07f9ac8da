// sklearn's GradientBoostingClassifier() as written in metrics/gradient_boosting.hpp, checked on cases worked by hand.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "metrics/gradient_boosting.hpp"
#include "src/core/error.hpp"

using namespace axial;

namespace {
GradientBoostingClassifier fit(const std::vector<float>& x, int L, const std::vector<std::int64_t>& y, int stages) {
  GradientBoostingOptions o;
  o.num_stages = stages;
  std::vector<std::int64_t> u = y;
  std::sort(u.begin(), u.end());
  const int C = static_cast<int>(std::unique(u.begin(), u.end()) - u.begin());
  GradientBoostingClassifier m;
  m.fit(x, L, static_cast<std::int64_t>(y.size()), y, o,
        tree_seed_stream(0, static_cast<std::size_t>(gradient_boosting_tree_count(C, o))));
  return m;
}
}  // namespace

TEST_CASE("gradient boosting, two classes: one stage worked by hand") {
  // prior 1/2 → raw 0, residual y − 1/2 = ∓1/2; best split at the midpoint 1.5; leaves Σr / Σp(1−p) = ∓1/(2·¼) = ∓2.
  const auto m = fit({0, 1, 2, 3}, 1, {0, 0, 1, 1}, 1);
  REQUIRE(m.trees().size() == 1);
  const auto& t = m.trees()[0];
  REQUIRE(t.size() == 3);
  CHECK(t[0].feature == 0);
  CHECK(t[0].threshold == 1.5);
  CHECK(t[static_cast<std::size_t>(t[0].left)].value == doctest::Approx(-2.0));
  CHECK(t[static_cast<std::size_t>(t[0].right)].value == doctest::Approx(2.0));
  CHECK(m.feature_importances() == std::vector<double>{1.0});
  CHECK(m.predict({0, 1, 2, 3}, 4) == std::vector<std::int64_t>{0, 0, 1, 1});
}

TEST_CASE("gradient boosting, three classes: the class-0 tree and its Newton leaves by hand") {
  // raw = log ⅓ for every class → residual of class 0 = (⅔, −⅓, −⅓). Split after x = 0: proxy (2·⅔ + ⅔)²/2 = 2 beats
  // after x = 1: (⅓ + ⅔)²/2 = ½. Leaves (both pure): ⅔ · Σr / Σ(y − r)(1 − y + r): left ⅔·⅔ / (⅓·⅔) = 2,
  // right ⅔·(−⅔) / (2·⅓·⅔) = −1.
  const auto m = fit({0, 1, 2}, 1, {5, 7, 9}, 1);
  REQUIRE(m.trees().size() == 3);
  const auto& t = m.trees()[0];
  CHECK(t[0].threshold == 0.5);
  CHECK(t[static_cast<std::size_t>(t[0].left)].value == doctest::Approx(2.0));
  CHECK(t[static_cast<std::size_t>(t[0].right)].value == doctest::Approx(-1.0));
  CHECK(m.predict({0, 1, 2}, 3) == std::vector<std::int64_t>{5, 7, 9});
}

TEST_CASE("gradient boosting: a feature whose range is at most 1e-7 is never split") {
  const std::vector<std::int64_t> y = {0, 0, 1, 1};
  // Perfectly predictive but range 5e-8: every tree is a single leaf → importances all zero.
  const auto tiny = fit({0.f, 0.f, 5e-8f, 5e-8f}, 1, y, 5);
  CHECK(tiny.feature_importances() == std::vector<double>{0.0});
  // Range 2e-7: split → all importance on it.
  const auto small = fit({0.f, 0.f, 2e-7f, 2e-7f}, 1, y, 5);
  CHECK(small.feature_importances() == std::vector<double>{1.0});
  // Beside a noisy feature the tiny one gets nothing.
  const auto both = fit({0.f, 0.f, 5e-8f, 5e-8f, /*f1*/ 3.f, 1.f, 2.f, 0.5f}, 2, y, 5);
  CHECK(both.feature_importances()[0] == 0.0);
}

TEST_CASE("gradient boosting: one class is an error, tree seeds follow numpy's RandomState(0).randint") {
  CHECK_THROWS_AS(fit({0, 1}, 1, {3, 3}, 1), Error);
  // numpy's legacy randint(0, 2^31 − 1) keeps the low 31 bits of MT19937 outputs (rejecting 2^31 − 1).
  std::mt19937 mt(0);
  const std::uint32_t first = static_cast<std::uint32_t>(mt()) & 0x7FFFFFFFu, second = static_cast<std::uint32_t>(mt()) & 0x7FFFFFFFu;
  CHECK(tree_seed_stream(0, 2) == std::vector<std::uint32_t>{first, second});
  CHECK(first == 2357136044u - 2147483648u);  // MT19937(0)'s first output is 2357136044
}
