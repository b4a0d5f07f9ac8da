#pragma once
// three-dots: the procedural data set of Rhodes & Lee (NeurIPS 2021, arXiv 2106.02923), drawn as the paper draws it.
//
// Six factors x0, y0, x1, y1, x2, y2, 64 values each (0..63). Dot k's centre is (x_k/63, y_k/63) of the image
// width (x = column, y = row, origin top-left); radius 0.08 of the width; black dots (0.0) on white (1.0), the union
// where dots overlap; 64×64×1.
//
// The paper's generator draws each dot with OpenCV on a 640×640 canvas,
//   cv2.circle(img, centre, radius, 0, thickness=-1, shift=10),
//   centre = floor(64·c·10·2^10), radius = int(64·0.08·10·2^10)  (10-bit fixed point),
// and shrinks the canvas with cv2.resize(..., (64, 64), INTER_AREA), i.e. averages 10×10 blocks. So every pixel
// is (number of uncovered canvas pixels in its block) / 100. OpenCV fills a polygon (cv::ellipse2Poly), not a
// true disc; ThreeDots emulates that polygon fill and is bit-exact with the paper's generator (every one of the
// 64·64 dot positions checked against cv2 4.6; see docs/datasets.md and scripts/dev/check_three_dots.py).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "datasets/ground_truth.hpp"

namespace axial::datasets {

namespace detail {
struct DotStamps;
}

class ThreeDots : public GroundTruthData {
 public:
  static constexpr int kSize = 64;        // image side
  static constexpr int kValues = 64;      // values per factor
  static constexpr int kFactors = 6;      // x0, y0, x1, y1, x2, y2
  static constexpr int kLevels = 100;     // pixel = level / 100, level in 0..100 (100 = white)

  ThreeDots();

  std::string name() const override { return "three-dots"; }
  const std::vector<std::string>& factor_names() const override { return names_; }
  const std::vector<std::int64_t>& factor_sizes() const override { return sizes_; }
  ObservationShape observation_shape() const override { return {kSize, kSize, 1}; }

  // factors 6×N (one column per sample) → out N·64·64 floats, (N, 64, 64, 1), pixel = level/100.
  // Throws axial::Error naming the row (column) and factor if a value is outside 0..63 or the row count is not 6.
  // Thread-safe: const and without shared mutable state, so callers may render disjoint batches on several threads.
  void observations(const FactorMatrix& factors, float* out) const override;

  // The fast path: writes integer levels 0..100 (pixel = level/100), N·64·64 bytes, (N, 64, 64) row-major.
  // Same validation and thread-safety as observations().
  void render_levels(const FactorMatrix& factors, std::uint8_t* out) const;

  // Renders one row (6 values, already validated) into 64·64 levels.
  void render_one(const std::int64_t* row, std::uint8_t* out) const;

  // The float value of a level, exactly as the paper's pipeline produces it: OpenCV's INTER_AREA on its float64
  // canvas computes double(level) · double(1.f/100), which the paper stores as float32. (Not always the float
  // nearest to level/100.)
  static float level_to_float(int level);

 private:
  void check(const FactorMatrix& factors) const;

  std::vector<std::string> names_;
  std::vector<std::int64_t> sizes_;
  // Per-dot coverage masks for each of the 64·64 centre positions (10×10 canvas bits per output pixel), built
  // once per process and shared: see three_dots.cpp.
  std::shared_ptr<const detail::DotStamps> stamps_;
};

}  // namespace axial::datasets
