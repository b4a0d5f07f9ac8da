#include "reports/figures.hpp"

#include <fmt/core.h>
#include <plplot.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <mutex>

#include "src/core/atomic_output.hpp"
#include "src/core/error.hpp"

namespace axial::reports {

namespace fs = std::filesystem;

namespace {

// tab10 — distinguishable line colours, in cmap0 slots 2.. (0 = background, 1 = axes/text).
constexpr std::array<std::array<int, 3>, 10> kPalette = {{{31, 119, 180},
                                                          {255, 127, 14},
                                                          {44, 160, 44},
                                                          {214, 39, 40},
                                                          {148, 103, 189},
                                                          {140, 86, 75},
                                                          {227, 119, 194},
                                                          {127, 127, 127},
                                                          {188, 189, 34},
                                                          {23, 190, 207}}};
constexpr int kLineSlot = 2;    // 2..11: opaque series colours
constexpr int kFillSlot = 12;   // 12..21: the same colours at alpha 0.25
constexpr int kGridSlot = 22;   // light grey

// PLplot keeps global state: one figure at a time.
std::mutex& plplot_mutex() {
  static std::mutex m;
  return m;
}

bool has_device(const std::string& name) {
  const char** menus = nullptr;
  const char** names = nullptr;
  int n = 64;
  std::vector<const char*> menu_buf(static_cast<std::size_t>(n)), name_buf(static_cast<std::size_t>(n));
  menus = menu_buf.data();
  names = name_buf.data();
  plgDevs(&menus, &names, &n);
  for (int i = 0; i < n; ++i)
    if (names[i] != nullptr && name == names[i]) return true;
  return false;
}

void set_colours() {
  plscol0(1, 0, 0, 0);
  for (std::size_t i = 0; i < kPalette.size(); ++i) {
    const auto& c = kPalette[i];
    plscol0a(kLineSlot + int(i), c[0], c[1], c[2], 1.0);
    plscol0a(kFillSlot + int(i), c[0], c[1], c[2], 0.25);
  }
  plscol0a(kGridSlot, 200, 200, 200, 1.0);
}

// Renders one figure with `draw` into <stem>.svg and <stem>.png (temp file + rename each).
std::vector<fs::path> render(const fs::path& stem, int width, int height, const std::function<void()>& draw) {
  std::lock_guard<std::mutex> lock(plplot_mutex());
  struct Target {
    const char* device;
    const char* ext;
  };
  std::vector<fs::path> written;
  for (Target t : {Target{"svg", ".svg"}, Target{"pngcairo", ".png"}}) {
    if (!has_device(t.device))
      throw Error(fmt::format("PLplot has no '{}' device (install plplot-driver-cairo; see scripts/setup)", t.device));
    fs::path target = stem;
    target += t.ext;
    AtomicOutput out(target);
    PLINT stream = 0;
    plmkstrm(&stream);
    plsdev(t.device);
    plsfnam(out.temp_path().c_str());
    plspage(0, 0, width, height, 0, 0);
    plscolbg(255, 255, 255);
    plscmap0n(32);
    plinit();
    set_colours();
    draw();
    plend1();
    std::error_code ec;
    if (!fs::is_regular_file(out.temp_path(), ec) || fs::file_size(out.temp_path(), ec) == 0)
      throw Error(fmt::format("PLplot wrote nothing for '{}'", target.string()));
    out.commit();
    written.push_back(target);
  }
  return written;
}

std::pair<double, double> padded(double lo, double hi) {
  if (!(hi > lo)) {
    double c = std::isfinite(lo) ? lo : 0.0;
    double d = std::max(1e-3, std::fabs(c) * 0.05);
    return {c - d, c + d};
  }
  double d = 0.06 * (hi - lo);
  return {lo - d, hi + d};
}

void legend(const std::vector<std::string>& labels, bool lines, bool boxes) {
  int n = int(labels.size());
  if (n == 0) return;
  const std::size_t m = static_cast<std::size_t>(n);
  std::vector<PLINT> opt(m, (lines ? PL_LEGEND_LINE : 0) | (boxes ? PL_LEGEND_COLOR_BOX : 0));
  std::vector<PLINT> text_colors(m, 1), colours(m), fills(m), patterns(m, 0), styles(m, 1);
  std::vector<PLFLT> widths(m, 2.0), box_scales(m, 0.8), box_widths(m, 1.0);
  std::vector<const char*> text(m);
  for (int i = 0; i < n; ++i) {
    colours[std::size_t(i)] = kLineSlot + i % 10;
    fills[std::size_t(i)] = kFillSlot + i % 10;
    text[std::size_t(i)] = labels[std::size_t(i)].c_str();
  }
  PLFLT w = 0, h = 0;
  pllegend(&w, &h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX, PL_POSITION_TOP | PL_POSITION_RIGHT | PL_POSITION_INSIDE,
           0.02, 0.02, 0.08, 0, 1, 1, 0, 0, n, opt.data(), 0.8, 0.75, 2.0, 0.0, text_colors.data(), text.data(),
           fills.data(), patterns.data(), box_scales.data(), box_widths.data(), colours.data(), styles.data(),
           widths.data(), nullptr, nullptr, nullptr, nullptr);
}

}  // namespace

double quantile_linear(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) throw Error("quantile of an empty set");
  double pos = q * double(sorted.size() - 1);
  std::size_t lo = std::size_t(std::floor(pos));
  std::size_t hi = std::min(sorted.size() - 1, lo + 1);
  double frac = pos - double(lo);
  return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
}

std::vector<fs::path> plot_band_panels(const std::vector<BandPanel>& panels, const fs::path& stem, FigureSize size) {
  if (panels.empty()) throw Error(fmt::format("figure '{}': no panels", stem.string()));
  for (const auto& p : panels)
    for (const auto& s : p.series)
      if (s.x.empty() || s.mean.size() != s.x.size() || s.lower.size() != s.x.size() ||
          s.upper.size() != s.x.size())
        throw Error(fmt::format("figure '{}': series '{}' has mismatched lengths", stem.string(), s.label));
  return render(stem, size.width, size.height, [&] {
    plssub(int(panels.size()), 1);
    for (const auto& p : panels) {
      pladv(0);
      plschr(0, 0.9);
      plvpor(0.14, 0.96, 0.14, 0.9);
      double xlo = std::numeric_limits<double>::infinity(), xhi = -xlo, ylo = xlo, yhi = -xlo;
      for (const auto& s : p.series)
        for (std::size_t i = 0; i < s.x.size(); ++i) {
          xlo = std::min(xlo, s.x[i]), xhi = std::max(xhi, s.x[i]);
          ylo = std::min({ylo, s.lower[i], s.mean[i]}), yhi = std::max({yhi, s.upper[i], s.mean[i]});
        }
      if (p.series.empty()) xlo = 0, xhi = 1, ylo = 0, yhi = 1;
      auto [x0, x1] = padded(xlo, xhi);
      auto [y0, y1] = padded(ylo, yhi);
      plwind(x0, x1, y0, y1);
      plcol0(kGridSlot);
      plbox("g", 0, 0, "g", 0, 0);
      plcol0(1);
      plbox("bcnst", 0, 0, "bcnstv", 0, 0);
      pllab(p.x_label.c_str(), p.y_label.c_str(), p.title.c_str());
      std::vector<std::string> labels;
      for (std::size_t k = 0; k < p.series.size(); ++k) {
        const auto& s = p.series[k];
        std::vector<PLFLT> px(s.x.begin(), s.x.end()), py(s.upper.begin(), s.upper.end());
        for (std::size_t i = s.x.size(); i-- > 0;) px.push_back(s.x[i]), py.push_back(s.lower[i]);
        if (s.x.size() > 1) {
          plcol0(kFillSlot + int(k % 10));
          plfill(PLINT(px.size()), px.data(), py.data());
        }
        plcol0(kLineSlot + int(k % 10));
        plwidth(2.0);
        std::vector<PLFLT> lx(s.x.begin(), s.x.end()), ly(s.mean.begin(), s.mean.end());
        plline(PLINT(lx.size()), lx.data(), ly.data());
        plpoin(PLINT(lx.size()), lx.data(), ly.data(), 17);
        if (s.x.size() == 1) {  // a band of one point: draw it as an error bar
          PLFLT xb[2] = {s.x[0], s.x[0]}, yb[2] = {s.lower[0], s.upper[0]};
          plline(2, xb, yb);
        }
        plwidth(1.0);
        labels.push_back(s.label);
      }
      plcol0(1);
      legend(labels, true, true);
    }
  });
}

std::vector<fs::path> plot_box_panels(const std::vector<BoxPanel>& panels, const fs::path& stem, FigureSize size) {
  if (panels.empty()) throw Error(fmt::format("figure '{}': no panels", stem.string()));
  return render(stem, size.width, size.height, [&] {
    plssub(int(panels.size()), 1);
    for (const auto& p : panels) {
      pladv(0);
      plschr(0, 0.9);
      plvpor(0.14, 0.96, 0.16, 0.9);
      double ylo = std::numeric_limits<double>::infinity(), yhi = -ylo;
      for (const auto& g : p.groups)
        for (double v : g.values) ylo = std::min(ylo, v), yhi = std::max(yhi, v);
      if (!std::isfinite(ylo)) ylo = 0, yhi = 1;
      auto [y0, y1] = padded(ylo, yhi);
      int n = std::max<int>(1, int(p.groups.size()));
      plwind(0.5, n + 0.5, y0, y1);
      plcol0(kGridSlot);
      plbox("", 0, 0, "g", 0, 0);
      plcol0(1);
      plbox("bc", 0, 0, "bcnstv", 0, 0);
      pllab("", p.y_label.c_str(), p.title.c_str());
      for (int k = 0; k < int(p.groups.size()); ++k) {
        const auto& g = p.groups[std::size_t(k)];
        plcol0(1);
        plmtex("b", 1.5, (k + 0.5) / n, 0.5, g.label.c_str());
        if (g.values.empty()) continue;
        std::vector<double> v = g.values;
        std::sort(v.begin(), v.end());
        double q1 = quantile_linear(v, 0.25), med = quantile_linear(v, 0.5), q3 = quantile_linear(v, 0.75);
        double iqr = q3 - q1;
        double wlo = q1, whi = q3;
        for (double x : v)
          if (x >= q1 - 1.5 * iqr) {
            wlo = x;
            break;
          }
        for (auto it = v.rbegin(); it != v.rend(); ++it)
          if (*it <= q3 + 1.5 * iqr) {
            whi = *it;
            break;
          }
        double xc = k + 1, hw = 0.25;
        PLFLT bx[4] = {xc - hw, xc + hw, xc + hw, xc - hw}, by[4] = {q1, q1, q3, q3};
        plcol0(kFillSlot + k % 10);
        plfill(4, bx, by);
        plcol0(kLineSlot + k % 10);
        plwidth(2.0);
        PLFLT ox[5] = {xc - hw, xc + hw, xc + hw, xc - hw, xc - hw}, oy[5] = {q1, q1, q3, q3, q1};
        plline(5, ox, oy);
        PLFLT mx[2] = {xc - hw, xc + hw}, my[2] = {med, med};
        plline(2, mx, my);
        PLFLT wx[2] = {xc, xc}, wy1[2] = {q3, whi}, wy2[2] = {q1, wlo};
        plline(2, wx, wy1);
        plline(2, wx, wy2);
        PLFLT cx[2] = {xc - hw / 2, xc + hw / 2}, cy1[2] = {whi, whi}, cy2[2] = {wlo, wlo};
        plline(2, cx, cy1);
        plline(2, cx, cy2);
        plwidth(1.0);
        // Every run as a point, spread deterministically across the box so equal values stay visible.
        std::vector<PLFLT> px, py;
        for (std::size_t i = 0; i < g.values.size(); ++i) {
          double off = g.values.size() == 1 ? 0.0 : -0.15 + 0.3 * double(i) / double(g.values.size() - 1);
          px.push_back(xc + off);
          py.push_back(g.values[i]);
        }
        plcol0(1);
        plpoin(PLINT(px.size()), px.data(), py.data(), 4);
      }
    }
  });
}

std::vector<fs::path> plot_image_grid(const ImageGrid& grid, const fs::path& stem, int tile_pixels) {
  if (grid.tiles.empty()) throw Error(fmt::format("figure '{}': no image tiles", stem.string()));
  if (grid.rows < 1 || grid.cols < 1 || std::size_t(grid.rows * grid.cols) < grid.tiles.size())
    throw Error(fmt::format("figure '{}': a {}×{} grid cannot hold {} tiles", stem.string(), grid.rows, grid.cols,
                            grid.tiles.size()));
  double lo = grid.lo, hi = grid.hi;
  for (const auto& t : grid.tiles) {
    if (t.height < 1 || t.width < 1 || t.pixels.size() != std::size_t(t.height) * std::size_t(t.width))
      throw Error(fmt::format("figure '{}': tile '{}' has {} pixels, expected {}×{}", stem.string(), t.label,
                              t.pixels.size(), t.height, t.width));
    for (double v : t.pixels)
      if (!std::isfinite(v)) throw Error(fmt::format("figure '{}': tile '{}' has a non-finite pixel", stem.string(), t.label));
  }
  if (grid.colour_map == ColourMap::kDiverging) {
    double m = 0;
    for (const auto& t : grid.tiles)
      for (double v : t.pixels) m = std::max(m, std::fabs(v));
    if (m == 0) m = 1;
    lo = -m, hi = m;
  }
  if (!(hi > lo)) hi = lo + 1;
  const int gap = 8, label_h = 22, title_h = grid.title.empty() ? 8 : 36;
  const int left = grid.row_labels.empty() ? 8 : 90;
  const int width = left + grid.cols * (tile_pixels + gap) + 8;
  const int height = title_h + grid.rows * (tile_pixels + label_h) + 8;
  return render(stem, width, height, [&] {
    if (grid.colour_map == ColourMap::kDiverging) {
      // Blue (negative) – white (0) – red (positive); the "coolwarm" end colours.
      PLFLT pos[3] = {0, 0.5, 1}, r[3] = {59 / 255.0, 1, 180 / 255.0}, g[3] = {76 / 255.0, 1, 4 / 255.0},
            b[3] = {192 / 255.0, 1, 38 / 255.0};
      plscmap1n(256);
      plscmap1l(1, 3, pos, r, g, b, nullptr);
    } else {
      PLFLT pos[2] = {0, 1}, c[2] = {0, 1};
      plscmap1n(256);
      plscmap1l(1, 2, pos, c, c, c, nullptr);
    }
    pladv(0);
    plschr(0, 0.7);
    if (!grid.title.empty()) {
      plvpor(0, 1, 1.0 - double(title_h) / height, 1);
      plwind(0, 1, 0, 1);
      plcol0(1);
      plptex(0.5, 0.35, 1, 0, 0.5, grid.title.c_str());
    }
    for (std::size_t i = 0; i < grid.tiles.size(); ++i) {
      const auto& t = grid.tiles[i];
      int row = int(i) / grid.cols, col = int(i) % grid.cols;
      double px0 = left + col * (tile_pixels + gap);
      double py_top = title_h + row * (tile_pixels + label_h) + label_h;
      plvpor(px0 / width, (px0 + tile_pixels) / width, 1.0 - (py_top + tile_pixels) / height, 1.0 - py_top / height);
      plwind(0, t.width, 0, t.height);
      // idata[x][y], y = 0 at the bottom: image row r is y = height-1-r.
      std::vector<std::vector<PLFLT>> columns(std::size_t(t.width), std::vector<PLFLT>(std::size_t(t.height)));
      std::vector<const PLFLT*> ptrs(std::size_t(t.width));
      for (int x = 0; x < t.width; ++x) {
        for (int y = 0; y < t.height; ++y)
          columns[std::size_t(x)][std::size_t(y)] =
              std::clamp(t.pixels[std::size_t(t.height - 1 - y) * std::size_t(t.width) + std::size_t(x)], lo, hi);
        ptrs[std::size_t(x)] = columns[std::size_t(x)].data();
      }
      // plimagefr maps [lo, hi] onto the whole colour map (plimage would rescale to each tile's own range).
      plimagefr(ptrs.data(), t.width, t.height, 0, t.width, 0, t.height, lo, hi, lo, hi, nullptr, nullptr);
      plcol0(1);
      plbox("bc", 0, 0, "bc", 0, 0);
      if (!t.label.empty()) plmtex("t", 0.6, 0.5, 0.5, t.label.c_str());
      if (col == 0 && std::size_t(row) < grid.row_labels.size())
        plmtex("l", 1.0, 0.5, 1.0, grid.row_labels[std::size_t(row)].c_str());
    }
  });
}

}  // namespace axial::reports
