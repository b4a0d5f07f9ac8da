// three-dots rendering. See three_dots.hpp for the data set and docs/datasets.md for the agreement with the paper's
// OpenCV generator.
//
// How the paper draws one dot (OpenCV 4.x, imgproc/src/drawing.cpp, re-implemented here from its description):
//   cv::circle(img, centre, radius, 0, FILLED, LINE_8, shift=10) on a 640×640 CV_64F canvas goes to EllipseEx with
//   the centre and radius moved to 16-bit fixed point (<< 6). EllipseEx picks an angular step of 5° for this radius
//   (radius ≈ 51 canvas pixels ≥ 15) and asks ellipse2Poly for the 73 points at 0°, 5°, …, 360° (cos/sin from
//   OpenCV's 7-digit float sine table), rounds each to fixed point (cvRound, half to even), drops consecutive
//   duplicates and fills the polygon with FillConvexPoly: every edge is first drawn as a fixed-point line (Line2,
//   clipped to the canvas), then the polygon is scan-converted edge pair by edge pair. INTER_AREA then averages each
//   10×10 block; a pixel's value is (number of white canvas pixels in its block) · (1.f/100), computed in double and
//   stored as float32 by the paper's code.
//
// Speed: the canvas pixels one dot covers depend only on its (x, y) factor pair, so at first use we rasterise all
// 64·64 dot positions once (≈ 0.15 s) and keep the runs of pixels the dot covers fully (≈ 70, black) and, for the
// ≈ 40 it covers partly, the count of covered canvas pixels and a 100-bit mask of which. Rendering an image writes
// each dot's partial pixels — where dots overlap it ORs their masks and counts bits (the union, exactly as drawing
// them onto one canvas) — then blackens the full runs. No canvas is drawn.
#include "datasets/three_dots.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include "src/core/error.hpp"

namespace axial::datasets {

namespace detail {

// One dot at one (x, y) factor pair. Pixels it covers fully are runs of whole rows (start offset r·64+c, length);
// pixels it covers partly are listed with their count of covered canvas pixels and which ones (bit sy·10+sx;
// bits 0..63 in mask[0], 64..99 in mask[1]). Keeping the table small (≈ 0.8 kB per position) keeps rendering in
// cache.
struct DotStamp {
  std::vector<std::uint16_t> run_start;
  std::vector<std::uint8_t> run_length;
  std::vector<std::uint16_t> offset;
  std::vector<std::uint8_t> covered;
  std::vector<std::array<std::uint64_t, 2>> mask;
};

// The packed table: every position's pixels in one contiguous block of 8-byte words, so rendering a dot reads a
// few consecutive cache lines (and the next row's dots can be prefetched).
struct PartialPixel {
  std::uint64_t mask[2];
  std::uint16_t offset;
  std::uint8_t covered;
};  // 24 bytes
struct FullRun {
  std::uint16_t start, length;
};
struct DotStamps {
  std::vector<std::uint64_t> blob;   // per position: {n_partial, n_runs} (2×u32), PartialPixel[n_partial], FullRun[n_runs]
  std::vector<std::uint32_t> start;  // first word of each position, index y·64 + x
  std::vector<std::uint32_t> words;  // words of each position
};

}  // namespace detail

namespace {

constexpr int kUpscale = 10;                             // canvas = 10× the image
constexpr int kCanvas = ThreeDots::kSize * kUpscale;     // 640
constexpr int kPrecision = 10;                           // cv2 `shift` argument
constexpr int kXYShift = 16;                             // OpenCV's internal fixed point
constexpr std::int64_t kXYOne = std::int64_t(1) << kXYShift;

// The paper's fixed-point radius: int(64 · 0.08 · 10 · 2^10), evaluated left to right in double like Python.
std::int64_t paper_radius() {
  double r = 64.0 * 0.08;
  r = r * 10.0;
  r = r * 1024.0;
  return static_cast<std::int64_t>(r);
}

// The paper's fixed-point centre coordinate: floor(64 · (v/63) · 10 · 2^10), left to right in double like numpy.
std::int64_t paper_centre(std::int64_t v) {
  double c = static_cast<double>(v) / 63.0;
  c = 64.0 * c;
  c = c * 10.0;
  c = c * 1024.0;
  return static_cast<std::int64_t>(std::floor(c));
}

// OpenCV's sine table at whole degrees 0..450: sin rounded to 7 decimals, then to float (the table is written as
// 7-digit float literals). Built from the first quadrant by symmetry, as the table itself is symmetric.
std::array<float, 451> make_sin_table() {
  std::array<float, 91> quadrant{};
  for (int d = 0; d <= 90; ++d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.7f", std::sin(d * (M_PI / 180.0)));
    quadrant[static_cast<std::size_t>(d)] = std::strtof(buf, nullptr);
  }
  std::array<float, 451> t{};
  for (int k = 0; k <= 450; ++k) {
    int m = k % 360;
    float v;
    if (m <= 90) v = quadrant[static_cast<std::size_t>(m)];
    else if (m <= 180) v = quadrant[static_cast<std::size_t>(180 - m)];
    else if (m <= 270) v = -quadrant[static_cast<std::size_t>(m - 180)];
    else v = -quadrant[static_cast<std::size_t>(360 - m)];
    t[static_cast<std::size_t>(k)] = v;
  }
  return t;
}

// OpenCV's cvRound: round to nearest, ties to even (the default FP rounding mode).
std::int64_t cv_round(double v) { return static_cast<std::int64_t>(std::llrint(v)); }

struct Pt {
  std::int64_t x, y;
  bool operator!=(const Pt& o) const { return x != o.x || y != o.y; }
};

// A window of the 640×640 canvas around one dot; drawing outside the window is an internal error (the window
// has a margin larger than any pixel the polygon can touch).
class Patch {
 public:
  Patch(int ox, int oy, int w, int h) : ox_(ox), oy_(oy), w_(w), h_(h), px_(static_cast<std::size_t>(w * h), 0) {}
  void set(int x, int y) {
    const int lx = x - ox_, ly = y - oy_;
    if (lx < 0 || ly < 0 || lx >= w_ || ly >= h_) throw std::logic_error("three-dots: dot drawn outside its window");
    px_[static_cast<std::size_t>(ly * w_ + lx)] = 1;
  }
  void hline(int y, int x1, int x2) {
    for (int x = x1; x <= x2; ++x) set(x, y);
  }
  bool get(int x, int y) const { return px_[static_cast<std::size_t>((y - oy_) * w_ + (x - ox_))] != 0; }

 private:
  int ox_, oy_, w_, h_;
  std::vector<std::uint8_t> px_;
};

// cv::clipLine for a Size2l: clips the segment to [0, w-1]×[0, h-1]; false if it lies outside.
bool clip_line(std::int64_t width, std::int64_t height, Pt& p1, Pt& p2) {
  const std::int64_t right = width - 1, bottom = height - 1;
  std::int64_t &x1 = p1.x, &y1 = p1.y, &x2 = p2.x, &y2 = p2.y;
  int c1 = (x1 < 0) + (x1 > right) * 2 + (y1 < 0) * 4 + (y1 > bottom) * 8;
  int c2 = (x2 < 0) + (x2 > right) * 2 + (y2 < 0) * 4 + (y2 > bottom) * 8;
  if ((c1 & c2) == 0 && (c1 | c2) != 0) {
    std::int64_t a;
    if (c1 & 12) {
      a = c1 < 8 ? 0 : bottom;
      x1 += (a - y1) * (x2 - x1) / (y2 - y1);
      y1 = a;
      c1 = (x1 < 0) + (x1 > right) * 2;
    }
    if (c2 & 12) {
      a = c2 < 8 ? 0 : bottom;
      x2 += (a - y2) * (x2 - x1) / (y2 - y1);
      y2 = a;
      c2 = (x2 < 0) + (x2 > right) * 2;
    }
    if ((c1 & c2) == 0 && (c1 | c2) != 0) {
      if (c1) {
        a = c1 == 1 ? 0 : right;
        y1 += (a - x1) * (y2 - y1) / (x2 - x1);
        x1 = a;
        c1 = 0;
      }
      if (c2) {
        a = c2 == 1 ? 0 : right;
        y2 += (a - x2) * (y2 - y1) / (x2 - x1);
        x2 = a;
        c2 = 0;
      }
    }
  }
  return (c1 | c2) == 0;
}

// OpenCV's Line2: an 8-connected line between two 16-bit fixed-point points, clipped to the canvas.
void line2(Patch& img, Pt p1, Pt p2) {
  auto put = [&](std::int64_t x, std::int64_t y) {
    if (0 <= x && x < kCanvas && 0 <= y && y < kCanvas) img.set(static_cast<int>(x), static_cast<int>(y));
  };
  if (!clip_line(std::int64_t(kCanvas) << kXYShift, std::int64_t(kCanvas) << kXYShift, p1, p2)) return;
  std::int64_t dx = p2.x - p1.x, dy = p2.y - p1.y;
  const bool neg_x = dx < 0, neg_y = dy < 0;
  const std::int64_t ax = neg_x ? -dx : dx, ay = neg_y ? -dy : dy;
  std::int64_t x_step, y_step, ecount;
  const bool x_major = ax > ay;
  if (x_major) {
    dx = ax;
    dy = neg_x ? -dy : dy;
    if (neg_x) std::swap(p1, p2);
    x_step = kXYOne;
    y_step = (dy * kXYOne) / (ax | 1);
    ecount = (p2.x - p1.x) >> kXYShift;
  } else {
    dy = ay;
    dx = neg_y ? -dx : dx;
    if (neg_y) std::swap(p1, p2);
    x_step = (dx * kXYOne) / (ay | 1);
    y_step = kXYOne;
    ecount = (p2.y - p1.y) >> kXYShift;
  }
  p1.x += kXYOne >> 1;
  p1.y += kXYOne >> 1;
  put((p2.x + (kXYOne >> 1)) >> kXYShift, (p2.y + (kXYOne >> 1)) >> kXYShift);
  if (x_major) {
    p1.x >>= kXYShift;
    while (ecount >= 0) {
      put(p1.x, p1.y >> kXYShift);
      p1.x++;
      p1.y += y_step;
      ecount--;
    }
  } else {
    p1.y >>= kXYShift;
    while (ecount >= 0) {
      put(p1.x >> kXYShift, p1.y);
      p1.x += x_step;
      p1.y++;
      ecount--;
    }
  }
  (void)x_step;
}

// OpenCV's FillConvexPoly for LINE_8 with shift = XY_SHIFT (points already in 16-bit fixed point).
void fill_convex_poly(Patch& img, const std::vector<Pt>& v) {
  const int npts = static_cast<int>(v.size());
  const std::int64_t delta = kXYOne >> 1;
  const std::int64_t delta1 = kXYOne >> 1, delta2 = kXYOne >> 1;
  struct Edge {
    int idx, di;
    std::int64_t x, dx;
    int ye;
  } edge[2];
  int edges = npts;
  int imin = 0;
  Pt p0 = v[static_cast<std::size_t>(npts - 1)];
  std::int64_t xmin = v[0].x, xmax = v[0].x, ymin = v[0].y, ymax = v[0].y;
  for (int i = 0; i < npts; ++i) {
    const Pt p = v[static_cast<std::size_t>(i)];
    if (p.y < ymin) {
      ymin = p.y;
      imin = i;
    }
    ymax = std::max(ymax, p.y);
    xmax = std::max(xmax, p.x);
    xmin = std::min(xmin, p.x);
    line2(img, p0, p);
    p0 = p;
  }
  xmin = (xmin + delta) >> kXYShift;
  xmax = (xmax + delta) >> kXYShift;
  ymin = (ymin + delta) >> kXYShift;
  ymax = (ymax + delta) >> kXYShift;
  if (npts < 3 || xmax < 0 || ymax < 0 || xmin >= kCanvas || ymin >= kCanvas) return;
  ymax = std::min<std::int64_t>(ymax, kCanvas - 1);
  edge[0].idx = edge[1].idx = imin;
  int y = static_cast<int>(ymin);
  edge[0].ye = edge[1].ye = y;
  edge[0].di = 1;
  edge[1].di = npts - 1;
  edge[0].x = edge[1].x = -kXYOne;
  edge[0].dx = edge[1].dx = 0;
  do {
    for (int i = 0; i < 2; ++i) {
      if (y >= edge[i].ye) {
        int idx0 = edge[i].idx, di = edge[i].di;
        int idx = idx0 + di;
        if (idx >= npts) idx -= npts;
        for (; edges-- > 0;) {
          const int ty = static_cast<int>((v[static_cast<std::size_t>(idx)].y + delta) >> kXYShift);
          if (ty > y) {
            const std::int64_t xs = v[static_cast<std::size_t>(idx0)].x;
            const std::int64_t xe = v[static_cast<std::size_t>(idx)].x;
            edge[i].ye = ty;
            edge[i].dx = ((xe - xs) * 2 + (ty - y)) / (2 * std::int64_t(ty - y));
            edge[i].x = xs;
            edge[i].idx = idx;
            break;
          }
          idx0 = idx;
          idx += di;
          if (idx >= npts) idx -= npts;
        }
      }
    }
    if (edges < 0) break;
    if (y >= 0) {
      int left = 0, right = 1;
      if (edge[0].x > edge[1].x) left = 1, right = 0;
      int xx1 = static_cast<int>((edge[left].x + delta1) >> kXYShift);
      int xx2 = static_cast<int>((edge[right].x + delta2) >> kXYShift);
      if (xx2 >= 0 && xx1 < kCanvas) {
        if (xx1 < 0) xx1 = 0;
        if (xx2 >= kCanvas) xx2 = kCanvas - 1;
        img.hline(y, xx1, xx2);
      }
    }
    edge[0].x += edge[0].dx;
    edge[1].x += edge[1].dx;
  } while (++y <= ymax);
}

// cv::circle(img, centre, radius, 0, FILLED, LINE_8, shift) → EllipseEx → ellipse2Poly + FillConvexPoly.
void draw_paper_circle(Patch& img, std::int64_t cx, std::int64_t cy, std::int64_t radius,
                       const std::array<float, 451>& sin_table) {
  const std::int64_t c_x = cx << (kXYShift - kPrecision), c_y = cy << (kXYShift - kPrecision);
  const std::int64_t r = radius << (kXYShift - kPrecision);
  int step = static_cast<int>((r + (kXYOne >> 1)) >> kXYShift);
  step = step < 3 ? 90 : step < 10 ? 30 : step < 15 ? 18 : 5;
  // ellipse2Poly with angle 0: alpha = cos 0 = 1, beta = sin 0 = 0 (floats from the table).
  const float alpha = sin_table[450], beta = sin_table[0];
  std::vector<Pt> v;
  Pt prev{-1, -1};
  bool have_prev = false;
  for (int i = 0; i < 360 + step; i += step) {
    int angle = i;
    if (angle > 360) angle = 360;
    const double x = static_cast<double>(r) * sin_table[static_cast<std::size_t>(450 - angle)];
    const double y = static_cast<double>(r) * sin_table[static_cast<std::size_t>(angle)];
    const double px = static_cast<double>(c_x) + x * alpha - y * beta;
    const double py = static_cast<double>(c_y) + x * beta + y * alpha;
    // EllipseEx: integer part and fraction rounded separately.
    Pt pt;
    pt.x = cv_round(px / static_cast<double>(kXYOne)) * kXYOne;
    pt.y = cv_round(py / static_cast<double>(kXYOne)) * kXYOne;
    pt.x += cv_round(px - static_cast<double>(pt.x));
    pt.y += cv_round(py - static_cast<double>(pt.y));
    if (!have_prev || pt != prev) {
      v.push_back(pt);
      prev = pt;
      have_prev = true;
    }
  }
  if (v.size() == 1) v.assign(2, Pt{c_x, c_y});
  fill_convex_poly(img, v);
}

std::shared_ptr<const detail::DotStamps> build_stamps() {
  auto table = std::make_shared<detail::DotStamps>();
  std::vector<detail::DotStamp> stamps(static_cast<std::size_t>(ThreeDots::kValues * ThreeDots::kValues));
  const auto sin_table = make_sin_table();
  const std::int64_t radius = paper_radius();
  const int margin = static_cast<int>(radius >> kPrecision) + 4;  // canvas pixels around the centre
  for (int fy = 0; fy < ThreeDots::kValues; ++fy) {
    for (int fx = 0; fx < ThreeDots::kValues; ++fx) {
      const std::int64_t cx = paper_centre(fx), cy = paper_centre(fy);
      const int pcx = static_cast<int>(cx >> kPrecision), pcy = static_cast<int>(cy >> kPrecision);
      // Output-pixel box covering the window, clipped to the image.
      const int bx0 = std::max(0, (pcx - margin) / kUpscale), by0 = std::max(0, (pcy - margin) / kUpscale);
      const int bx1 = std::min(ThreeDots::kSize - 1, (pcx + margin) / kUpscale);
      const int by1 = std::min(ThreeDots::kSize - 1, (pcy + margin) / kUpscale);
      Patch patch(bx0 * kUpscale, by0 * kUpscale, (bx1 - bx0 + 1) * kUpscale, (by1 - by0 + 1) * kUpscale);
      draw_paper_circle(patch, cx, cy, radius, sin_table);
      // Masks per output pixel; keep the pixels the dot touches.
      const int w = bx1 - bx0 + 1, h = by1 - by0 + 1;
      std::vector<std::array<std::uint64_t, 2>> masks(static_cast<std::size_t>(w * h), {0, 0});
      for (int by = 0; by < h; ++by)
        for (int bx = 0; bx < w; ++bx) {
          auto& m = masks[static_cast<std::size_t>(by * w + bx)];
          for (int sy = 0; sy < kUpscale; ++sy)
            for (int sx = 0; sx < kUpscale; ++sx)
              if (patch.get((bx0 + bx) * kUpscale + sx, (by0 + by) * kUpscale + sy)) {
                const int bit = sy * kUpscale + sx;
                m[static_cast<std::size_t>(bit >> 6)] |= std::uint64_t(1) << (bit & 63);
              }
        }
      auto& stamp = stamps[static_cast<std::size_t>(fy * ThreeDots::kValues + fx)];
      for (int by = 0; by < h; ++by)
        for (int bx = 0; bx < w; ++bx) {
          const auto& m = masks[static_cast<std::size_t>(by * w + bx)];
          const int count = __builtin_popcountll(m[0]) + __builtin_popcountll(m[1]);
          const auto off = static_cast<std::uint16_t>((by0 + by) * ThreeDots::kSize + bx0 + bx);
          if (count == kUpscale * kUpscale) {
            if (bx > 0 && !stamp.run_start.empty() &&
                stamp.run_start.back() + stamp.run_length.back() == off) {
              ++stamp.run_length.back();
            } else {
              stamp.run_start.push_back(off);
              stamp.run_length.push_back(1);
            }
          } else if (count > 0) {
            stamp.offset.push_back(off);
            stamp.covered.push_back(static_cast<std::uint8_t>(count));
            stamp.mask.push_back(m);
          }
        }
    }
  }
  // Pack.
  static_assert(sizeof(detail::PartialPixel) == 24 && sizeof(detail::FullRun) == 4, "packed layout");
  for (const auto& st : stamps) {
    const auto n_partial = static_cast<std::uint32_t>(st.offset.size());
    const auto n_runs = static_cast<std::uint32_t>(st.run_start.size());
    const std::size_t words = 1 + 3 * std::size_t(n_partial) + (std::size_t(n_runs) + 1) / 2;
    table->start.push_back(static_cast<std::uint32_t>(table->blob.size()));
    table->words.push_back(static_cast<std::uint32_t>(words));
    const std::size_t base = table->blob.size();
    table->blob.resize(base + words, 0);
    auto* bytes = reinterpret_cast<unsigned char*>(table->blob.data() + base);
    std::memcpy(bytes, &n_partial, 4);
    std::memcpy(bytes + 4, &n_runs, 4);
    auto* partial = reinterpret_cast<detail::PartialPixel*>(bytes + 8);
    for (std::uint32_t i = 0; i < n_partial; ++i) {
      partial[i].mask[0] = st.mask[i][0];
      partial[i].mask[1] = st.mask[i][1];
      partial[i].offset = st.offset[i];
      partial[i].covered = st.covered[i];
    }
    auto* runs = reinterpret_cast<detail::FullRun*>(bytes + 8 + 24 * std::size_t(n_partial));
    for (std::uint32_t r = 0; r < n_runs; ++r) runs[r] = {st.run_start[r], st.run_length[r]};
  }
  return table;
}

std::shared_ptr<const detail::DotStamps> shared_stamps() {
  static const std::shared_ptr<const detail::DotStamps> stamps = build_stamps();  // thread-safe init (C++11)
  return stamps;
}

std::array<float, ThreeDots::kLevels + 1> make_float_levels() {
  std::array<float, ThreeDots::kLevels + 1> t{};
  for (int l = 0; l <= ThreeDots::kLevels; ++l) {
    // INTER_AREA's fast path: sum (exact, a count of white canvas pixels) · float scale 1.f/100, in double for a
    // CV_64F canvas; the paper's code then stores it in a float32 array.
    const float scale = 1.f / static_cast<float>(kUpscale * kUpscale);
    t[static_cast<std::size_t>(l)] = static_cast<float>(static_cast<double>(l) * static_cast<double>(scale));
  }
  return t;
}

const std::array<float, ThreeDots::kLevels + 1>& float_levels() {
  static const auto t = make_float_levels();
  return t;
}

// Accumulated canvas masks for one image, zero between calls (each call clears what it touched). Per thread, so
// concurrent renders on different threads never share state.
std::array<std::array<std::uint64_t, 2>, ThreeDots::kSize * ThreeDots::kSize>& scratch_masks() {
  thread_local std::array<std::array<std::uint64_t, 2>, ThreeDots::kSize * ThreeDots::kSize> acc{};
  return acc;
}

}  // namespace

ThreeDots::ThreeDots()
    : names_{"x0", "y0", "x1", "y1", "x2", "y2"}, sizes_(kFactors, kValues), stamps_(shared_stamps()) {}

float ThreeDots::level_to_float(int level) {
  if (level < 0 || level > kLevels) throw std::out_of_range("three-dots level");
  return float_levels()[static_cast<std::size_t>(level)];
}

void ThreeDots::check(const FactorMatrix& factors) const {
  if (factors.rows() != kFactors)
    throw Error(fmt::format("three-dots: factor rows have {} values, expected {} (x0, y0, x1, y1, x2, y2)",
                            factors.rows(), kFactors));
  for (Eigen::Index n = 0; n < factors.cols(); ++n)
    for (int k = 0; k < kFactors; ++k) {
      const std::int64_t v = factors(k, n);
      if (v < 0 || v >= kValues)
        throw Error(fmt::format("three-dots: row {}: factor {} = {} is outside 0..{}", n, names_[static_cast<std::size_t>(k)],
                                v, kValues - 1));
    }
}

namespace {

inline int popcount128(const std::array<std::uint64_t, 2>& m) {
  return __builtin_popcountll(m[0]) + __builtin_popcountll(m[1]);
}

// Draws the three dots of `row`: partial(offset, level) for pixels a dot covers partly (a pixel two dots share is
// put again with the level of the union), then full(offset, length) for runs of pixels some dot covers fully —
// last, as a fully covered pixel stays black whatever else covers it. Untouched pixels are left to the caller.
struct StampView {
  const detail::PartialPixel* partial;
  std::uint32_t n_partial;
  const detail::FullRun* runs;
  std::uint32_t n_runs;
};

inline StampView view(const detail::DotStamps& table, std::int64_t x, std::int64_t y) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(
      table.blob.data() + table.start[static_cast<std::size_t>(y * ThreeDots::kValues + x)]);
  StampView v;
  std::memcpy(&v.n_partial, bytes, 4);
  std::memcpy(&v.n_runs, bytes + 4, 4);
  v.partial = reinterpret_cast<const detail::PartialPixel*>(bytes + 8);
  v.runs = reinterpret_cast<const detail::FullRun*>(bytes + 8 + 24 * std::size_t(v.n_partial));
  return v;
}

// Asks the CPU to fetch the three dots of a row ahead of use (the table is larger than the caches).
inline void prefetch_row(const detail::DotStamps& table, const std::int64_t* row) {
  for (int d = 0; d < 3; ++d) {
    const std::size_t p = static_cast<std::size_t>(row[2 * d + 1] * ThreeDots::kValues + row[2 * d]);
    const auto* first = reinterpret_cast<const char*>(table.blob.data() + table.start[p]);
    const std::size_t bytes = std::size_t(table.words[p]) * 8;
    for (std::size_t b = 0; b < bytes; b += 64) __builtin_prefetch(first + b);
  }
}

template <class Partial, class Full>
void draw_row(const detail::DotStamps& table, const std::int64_t* row, Partial&& partial, Full&& full) {
  auto& acc = scratch_masks();
  StampView dots[3];
  for (int d = 0; d < 3; ++d) {
    const StampView s = view(table, row[2 * d], row[2 * d + 1]);
    dots[d] = s;
    for (std::uint32_t i = 0; i < s.n_partial; ++i) {
      const auto& px = s.partial[i];
      auto& a = acc[px.offset];
      if ((a[0] | a[1]) == 0) {  // first dot here: its own coverage
        a[0] = px.mask[0];
        a[1] = px.mask[1];
        partial(px.offset, ThreeDots::kLevels - px.covered);
      } else {  // overlap: union of the canvas pixels
        a[0] |= px.mask[0];
        a[1] |= px.mask[1];
        partial(px.offset, ThreeDots::kLevels - popcount128(a));
      }
    }
  }
  for (const auto& s : dots)
    for (std::uint32_t i = 0; i < s.n_partial; ++i) acc[s.partial[i].offset] = {0, 0};
  for (const auto& s : dots)
    for (std::uint32_t r = 0; r < s.n_runs; ++r) full(s.runs[r].start, s.runs[r].length);
}

}  // namespace

void ThreeDots::render_one(const std::int64_t* row, std::uint8_t* out) const {
  std::memset(out, kLevels, static_cast<std::size_t>(kSize * kSize));
  draw_row(
      *stamps_, row, [out](std::uint16_t off, int level) { out[off] = static_cast<std::uint8_t>(level); },
      [out](std::uint16_t off, int len) { std::memset(out + off, 0, static_cast<std::size_t>(len)); });
}

void ThreeDots::render_levels(const FactorMatrix& factors, std::uint8_t* out) const {
  check(factors);
  for (Eigen::Index n = 0; n < factors.cols(); ++n) {
    if (n + 1 < factors.cols()) prefetch_row(*stamps_, factors.col(n + 1).data());
    render_one(factors.col(n).data(), out + n * kSize * kSize);
  }
}

void ThreeDots::observations(const FactorMatrix& factors, float* out) const {
  check(factors);
  const auto& table = float_levels();
  for (Eigen::Index n = 0; n < factors.cols(); ++n) {
    if (n + 1 < factors.cols()) prefetch_row(*stamps_, factors.col(n + 1).data());
    float* o = out + n * kSize * kSize;
    std::fill(o, o + kSize * kSize, 1.0f);
    draw_row(
        *stamps_, factors.col(n).data(),
        [o, &table](std::uint16_t off, int level) { o[off] = table[static_cast<std::size_t>(level)]; },
        [o](std::uint16_t off, int len) { std::fill(o + off, o + off + len, 0.0f); });
  }
}

}  // namespace axial::datasets
