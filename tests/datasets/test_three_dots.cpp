// three-dots geometry, derived from the definition (issue 2 §3): dot k's centre is (x_k/63, y_k/63) of the width,
// i.e. at 64·x/63 output pixels; radius 0.08·64 = 5.12 pixels; black (0) dots on white (1), union on overlap;
// pixels are whole hundredths (10×10 canvas pixels per image pixel).
#include <cmath>
#include <thread>
#include <vector>

#include "src/core/random.hpp"
#include "datasets/sampling.hpp"
#include "datasets/three_dots.hpp"
#include "src/core/error.hpp"

#include <doctest/doctest.h>

using axial::FactorMatrix;
using axial::datasets::ThreeDots;

namespace {

constexpr int S = 64;

std::vector<float> render(const ThreeDots& td, std::vector<std::int64_t> row) {
  FactorMatrix f(6, 1);
  for (int i = 0; i < 6; ++i) f(i, 0) = row[static_cast<std::size_t>(i)];
  std::vector<float> img(S * S);
  td.observations(f, img.data());
  return img;
}

float at(const std::vector<float>& img, int r, int c) { return img[static_cast<std::size_t>(r * S + c)]; }

// Distance from point (cx, cy) to the nearest / farthest point of pixel block [c, c+1)×[r, r+1).
double nearest(double cx, double cy, int r, int c) {
  const double dx = std::max({c - cx, 0.0, cx - (c + 1)}), dy = std::max({r - cy, 0.0, cy - (r + 1)});
  return std::hypot(dx, dy);
}
double farthest(double cx, double cy, int r, int c) {
  const double dx = std::max(std::abs(cx - c), std::abs(cx - (c + 1))), dy = std::max(std::abs(cy - r), std::abs(cy - (r + 1)));
  return std::hypot(dx, dy);
}

}  // namespace

TEST_CASE("three-dots: interface") {
  ThreeDots td;
  CHECK(td.name() == "three-dots");
  CHECK(td.factor_names() == std::vector<std::string>{"x0", "y0", "x1", "y1", "x2", "y2"});
  CHECK(td.factor_sizes() == std::vector<std::int64_t>(6, 64));
  CHECK(td.observation_shape().height == 64);
  CHECK(td.observation_shape().width == 64);
  CHECK(td.observation_shape().channels == 1);
  CHECK(td.existing_rows() == nullptr);
}

TEST_CASE("three-dots: a dot darkens exactly the pixels inside its circle") {
  ThreeDots td;
  const double radius = 0.08 * 64;  // 5.12 pixels
  for (auto xy : std::vector<std::pair<int, int>>{{31, 31}, {10, 50}, {0, 0}, {63, 20}, {5, 62}}) {
    const int x = xy.first, y = xy.second;
    // All three dots at the same place: the image of one dot.
    auto img = render(td, {x, y, x, y, x, y});
    const double cx = 64.0 * x / 63.0, cy = 64.0 * y / 63.0;  // column, row (origin top-left)
    CAPTURE(x);
    CAPTURE(y);
    for (int r = 0; r < S; ++r)
      for (int c = 0; c < S; ++c) {
        // The 72-gon is inside the circle by < 0.01 px; rasterisation moves edges by < 0.1 px.
        if (farthest(cx, cy, r, c) < radius - 0.15) CHECK(at(img, r, c) == 0.0f);
        if (nearest(cx, cy, r, c) > radius + 0.15) CHECK(at(img, r, c) == 1.0f);
      }
  }
}

TEST_CASE("three-dots: dark area of an interior dot is about pi r^2") {
  ThreeDots td;
  auto img = render(td, {31, 31, 31, 31, 31, 31});
  double dark = 0;
  for (float v : img) dark += 1.0 - v;
  const double area = M_PI * 5.12 * 5.12;  // 82.35
  CHECK(dark == doctest::Approx(area).epsilon(0.04));
}

TEST_CASE("three-dots: values from the paper's OpenCV generator (cv2 4.6 reference)") {
  // Reference values computed with the paper's draw_dots_to_image_array (cv2.circle shift=10 on 640x640, INTER_AREA)
  // — see scripts/dev/check_three_dots.py. Levels are 100·pixel.
  ThreeDots td;
  auto img = render(td, {31, 31, 31, 31, 31, 31});
  const int row31[] = {100, 100, 40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 30, 100, 100, 100};  // row 31, columns 24..39
  for (int i = 0; i < 16; ++i) {
    CHECK(at(img, 31, 24 + i) == ThreeDots::level_to_float(row31[i]));
    CHECK(at(img, 24 + i, 31) == ThreeDots::level_to_float(row31[i]));  // column 31 is the same
  }
  auto corner = render(td, {0, 0, 0, 0, 0, 0});
  const int row0[] = {0, 0, 0, 0, 0, 81, 100, 100};
  for (int i = 0; i < 8; ++i) CHECK(at(corner, 0, i) == ThreeDots::level_to_float(row0[i]));
}

TEST_CASE("three-dots: values are whole hundredths") {
  ThreeDots td;
  for (int l = 0; l <= 100; ++l) CHECK(ThreeDots::level_to_float(l) == doctest::Approx(l / 100.0).epsilon(1e-6));
  CHECK(ThreeDots::level_to_float(0) == 0.0f);
  CHECK(ThreeDots::level_to_float(100) == 1.0f);
  auto rng = axial::make_rng(5);
  FactorMatrix f = axial::datasets::sample_global(td, 50, rng);
  std::vector<float> img(50 * S * S);
  std::vector<std::uint8_t> levels(50 * S * S);
  td.observations(f, img.data());
  td.render_levels(f, levels.data());
  bool some_gray = false;
  for (std::size_t i = 0; i < img.size(); ++i) {
    REQUIRE(levels[i] <= 100);
    REQUIRE(img[i] == ThreeDots::level_to_float(levels[i]));
    some_gray |= levels[i] > 0 && levels[i] < 100;
  }
  CHECK(some_gray);  // anti-aliased edges exist
}

TEST_CASE("three-dots: mirror and transpose symmetry (up to rasterisation)") {
  ThreeDots td;
  // x -> 63 - x mirrors the centre exactly about the image's vertical axis (64·(63-x)/63 = 64 - 64·x/63).
  auto a = render(td, {20, 31, 20, 31, 20, 31});
  auto b = render(td, {43, 31, 43, 31, 43, 31});
  double sum_a = 0, sum_b = 0;
  for (int r = 0; r < S; ++r)
    for (int c = 0; c < S; ++c) {
      CHECK(std::abs(at(a, r, 63 - c) - at(b, r, c)) <= 0.15f);
      sum_a += at(a, r, c), sum_b += at(b, r, c);
    }
  CHECK(std::abs(sum_a - sum_b) < 1.0);
  // Swapping x and y transposes the image.
  auto p = render(td, {20, 35, 20, 35, 20, 35});
  auto q = render(td, {35, 20, 35, 20, 35, 20});
  for (int r = 0; r < S; ++r)
    for (int c = 0; c < S; ++c) CHECK(std::abs(at(p, r, c) - at(q, c, r)) <= 0.15f);
}

TEST_CASE("three-dots: overlapping dots are the union") {
  ThreeDots td;
  auto a = render(td, {20, 20, 20, 20, 20, 20});
  auto b = render(td, {24, 22, 24, 22, 24, 22});  // overlaps a
  auto c = render(td, {50, 50, 50, 50, 50, 50});  // far away
  auto ab = render(td, {20, 20, 24, 22, 20, 20});
  auto abc = render(td, {20, 20, 24, 22, 50, 50});
  // The order of the dots does not matter.
  CHECK(render(td, {24, 22, 20, 20, 50, 50}) == abc);
  CHECK(render(td, {50, 50, 24, 22, 20, 20}) == abc);
  bool overlap = false;
  for (int i = 0; i < S * S; ++i) {
    const std::size_t k = static_cast<std::size_t>(i);
    // Union of coverage: never lighter than either dot, never darker than both covers together.
    CHECK(ab[k] <= std::min(a[k], b[k]));
    CHECK(ab[k] >= a[k] + b[k] - 1.0f - 1e-6f);
    if (a[k] == 1.0f) CHECK(ab[k] == b[k]);
    if (b[k] == 1.0f) CHECK(ab[k] == a[k]);
    // A far dot adds only its own pixels.
    if (c[k] == 1.0f) CHECK(abc[k] == ab[k]);
    else CHECK(abc[k] == c[k]);
    overlap |= a[k] == 0.0f && b[k] == 0.0f;
  }
  CHECK(overlap);
}

TEST_CASE("three-dots: bad rows are errors naming the row and factor") {
  ThreeDots td;
  FactorMatrix f = FactorMatrix::Constant(6, 3, 10);
  f(3, 2) = 64;
  std::vector<float> img(3 * S * S);
  CHECK_THROWS_WITH_AS(td.observations(f, img.data()), doctest::Contains("row 2: factor y1 = 64"), axial::Error);
  f(3, 2) = -1;
  CHECK_THROWS_AS(td.observations(f, img.data()), axial::Error);
  FactorMatrix g = FactorMatrix::Constant(5, 1, 0);
  CHECK_THROWS_WITH_AS(td.observations(g, img.data()), doctest::Contains("5 values, expected 6"), axial::Error);
}

TEST_CASE("three-dots: rendering on two threads gives the same images") {
  ThreeDots td;
  auto rng = axial::make_rng(11);
  FactorMatrix f = axial::datasets::sample_global(td, 400, rng);
  std::vector<std::uint8_t> one(400 * S * S), two(400 * S * S);
  td.render_levels(f, one.data());
  FactorMatrix h1 = f.leftCols(200), h2 = f.rightCols(200);
  std::thread t1([&] { td.render_levels(h1, two.data()); });
  std::thread t2([&] { td.render_levels(h2, two.data() + 200 * S * S); });
  t1.join();
  t2.join();
  CHECK(one == two);
}
