#include "reports/figures.hpp"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <fmt/core.h>
#include <plplot.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <mutex>
#include <random>
#include <tuple>

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
constexpr int kMutedSlot = 23;  // mid grey: "no values"
constexpr int kPointSlot = 24;  // 24..33: the series colours at alpha 0.8 (points)

// Physical sizes (mm) of the text and the page margin.
constexpr double kTextMm = 2.2;   // nominal; PLplot's cairo text comes out ≈ 8 pt
constexpr double kSmallMm = 1.95;  // tick labels, ≈ 7 pt
constexpr double kMarginMm = 1.5;
constexpr double kTileLabelMm = 1.8;  // labels above image tiles

// The page being drawn: its size in physical mm and PLplot's unit (PLplot's extcairo device assumes 72 device units
// per inch, so at `dpi` device pixels per inch one physical mm is dpi/72 PLplot mm).
struct Page {
  double width_mm = 0, height_mm = 0, unit = 1, dpi = 300;
};
Page g_page;  // guarded by plplot_mutex()

double U(double mm) { return mm * g_page.unit; }

// PLplot keeps global state: one figure at a time.
std::mutex& plplot_mutex() {
  static std::mutex m;
  return m;
}

bool has_device(const std::string& name) {
  int n = 64;
  std::vector<const char*> menu_buf(static_cast<std::size_t>(n)), name_buf(static_cast<std::size_t>(n));
  const char** menus = menu_buf.data();
  const char** names = name_buf.data();
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
    plscol0a(kPointSlot + int(i), c[0], c[1], c[2], 0.8);
  }
  plscol0a(kGridSlot, 215, 215, 215, 1.0);
  plscol0a(kMutedSlot, 120, 120, 120, 1.0);
}

double text_width_mm(const std::string& s);
void text_size(double mm);
void line_width(double pt) { plwidth(pt * g_page.dpi / 72.0); }

// Viewport in physical mm from the page's bottom-left corner, with world coordinates.
void viewport_mm(double x0, double x1, double y0, double y1) { plsvpa(U(x0), U(x1), U(y0), U(y1)); }
// The whole page as world coordinates in physical mm (for text and legends placed by hand).
void page_coordinates() {
  viewport_mm(0, g_page.width_mm, 0, g_page.height_mm);
  plwind(0, g_page.width_mm, 0, g_page.height_mm);
}
// Width of `s` in physical mm at the current text size, estimated (PLplot does not export its string-length
// function): code points × kCharWidth × text height, kCharWidth measured on the sans font PLplot's cairo device uses
// (upper bound of the average advance of digits, lower-case letters and punctuation).
double g_text_mm = kTextMm;
constexpr double kCharWidth = 0.85;
double text_width_mm(const std::string& s) {
  std::size_t code_points = 0;
  for (unsigned char ch : s) code_points += (ch & 0xC0) != 0x80 ? 1 : 0;
  return double(code_points) * kCharWidth * g_text_mm;
}
void text_size(double mm) {
  g_text_mm = mm;
  plschr(U(mm), 1.0);
}

// `s` shortened with "…" until it is at most `max_mm` wide.
std::string fit_text(const std::string& s, double max_mm) {
  if (text_width_mm(s) <= max_mm) return s;
  std::string t = s;
  while (!t.empty() && text_width_mm(t + "...") > max_mm) {
    // Drop one UTF-8 character.
    std::size_t cut = t.size() - 1;
    while (cut > 0 && (static_cast<unsigned char>(t[cut]) & 0xC0) == 0x80) --cut;
    t.erase(cut);
  }
  return t + "...";
}

// Greedy word wrap to lines at most `max_mm` wide (a word longer than a line is shortened).
std::vector<std::string> wrap_text(const std::string& s, double max_mm) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = s.find(' ', i);
    if (j == std::string::npos) j = s.size();
    std::string word = s.substr(i, j - i);
    i = j + 1;
    std::string candidate = line.empty() ? word : line + " " + word;
    if (text_width_mm(candidate) <= max_mm || line.empty()) {
      line = candidate;
    } else {
      lines.push_back(fit_text(line, max_mm));
      line = word;
    }
  }
  if (!line.empty()) lines.push_back(fit_text(line, max_mm));
  return lines;
}

// Tick labels with at most 4 significant digits and never a "(×10^k)" multiplier.
void tick_label(PLINT, PLFLT value, char* label, PLINT length, PLPointer) {
  double v = std::fabs(value) < 1e-12 ? 0.0 : value;
  std::string s = fmt::format("{:.4g}", v);
  std::snprintf(label, std::size_t(length), "%s", s.c_str());
}

enum class Format { kSvg, kPdf, kPng };

// Renders one figure of `height_in` inches with `draw` into <stem>.svg, .pdf and .png (temp file + rename each).
std::vector<fs::path> render(const fs::path& stem, const FigureStyle& style, double height_in,
                             const std::function<void()>& draw) {
  validate_figure_style(style);
  std::lock_guard<std::mutex> lock(plplot_mutex());
  if (!has_device("extcairo"))
    throw Error("PLplot has no 'extcairo' device (install plplot-driver-cairo; see scripts/setup)");
  const int wpx = int(std::lround(style.width_in * style.dpi));
  const int hpx = int(std::lround(height_in * style.dpi));
  std::vector<fs::path> written;
  for (Format f : {Format::kSvg, Format::kPdf, Format::kPng}) {
    fs::path target = stem;
    target += f == Format::kSvg ? ".svg" : f == Format::kPdf ? ".pdf" : ".png";
    AtomicOutput out(target);
    cairo_surface_t* surface = nullptr;
    const double wpt = style.width_in * 72.0, hpt = height_in * 72.0;
    if (f == Format::kSvg) surface = cairo_svg_surface_create(out.temp_path().c_str(), wpt, hpt);
    else if (f == Format::kPdf) surface = cairo_pdf_surface_create(out.temp_path().c_str(), wpt, hpt);
    else surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, wpx, hpx);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
      std::string why = cairo_status_to_string(cairo_surface_status(surface));
      cairo_surface_destroy(surface);
      throw Error(fmt::format("cannot create figure '{}': {}", target.string(), why));
    }
    cairo_t* cr = cairo_create(surface);
    // PLplot draws in device pixels at `dpi`; vector pages are in points (72 per inch).
    if (f != Format::kPng) cairo_scale(cr, 72.0 / style.dpi, 72.0 / style.dpi);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    g_page = {style.width_in * 25.4, height_in * 25.4, style.dpi / 72.0, double(style.dpi)};
    PLINT stream = 0;
    plmkstrm(&stream);
    plsdev("extcairo");
    plspage(0, 0, wpx, hpx, 0, 0);
    plscolbg(255, 255, 255);
    plscmap0n(40);
    plinit();
    pl_cmd(PLESC_DEVINIT, cr);
    set_colours();
    plslabelfunc(tick_label, nullptr);
    pladv(0);
    draw();
    plend1();
    cairo_destroy(cr);
    cairo_status_t status = cairo_surface_status(surface);
    if (status == CAIRO_STATUS_SUCCESS && f == Format::kPng)
      status = cairo_surface_write_to_png(surface, out.temp_path().c_str());
    cairo_surface_finish(surface);
    if (status == CAIRO_STATUS_SUCCESS) status = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    if (status != CAIRO_STATUS_SUCCESS)
      throw Error(fmt::format("cannot write figure '{}': {}", target.string(), cairo_status_to_string(status)));
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

// A y axis: its world range, a "nice" tick step (1, 2 or 5 × 10^k, 3–7 labelled ticks) and the width of its widest
// tick label (estimated, mm), so the panel's left margin can hold the labels and the axis title beside them.
struct YAxis {
  double lo = 0, hi = 1, step = 0.2;
  double label_mm = 0;
};
std::string tick_text(double v) { return fmt::format("{:.4g}", std::fabs(v) < 1e-12 ? 0.0 : v); }
YAxis y_axis(double data_lo, double data_hi) {
  YAxis a;
  std::tie(a.lo, a.hi) = padded(data_lo, data_hi);
  const double raw = (a.hi - a.lo) / 5;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  a.step = raw / p < 1.5 ? p : raw / p < 3.5 ? 2 * p : raw / p < 7.5 ? 5 * p : 10 * p;
  const double saved = g_text_mm;
  g_text_mm = kSmallMm;
  for (double t = std::ceil(a.lo / a.step) * a.step; t <= a.hi + 1e-9 * a.step; t += a.step)
    a.label_mm = std::max(a.label_mm, text_width_mm(tick_text(t)));
  g_text_mm = saved;
  return a;
}
// The left margin (mm) of panels whose widest tick label is `label_mm`: labels, a gap, the rotated axis title.
double panel_left(double label_mm) { return label_mm + 1.5 + 1.6 * kTextMm + kMarginMm; }

// A legend below the data: one entry per line (a colour swatch and its text), in page mm, top edge at `top`.
struct LegendEntry {
  std::string text;
  int colour = 0;      // palette index; -1 = muted (no values)
  bool line = true;    // a line sample with a band patch, else a filled dot
};
constexpr double kLegendRowMm = 3.6;
double legend_height(std::size_t entries) { return entries == 0 ? 0 : double(entries) * kLegendRowMm + 1.0; }
void draw_legend(const std::vector<LegendEntry>& entries, double left, double top) {
  page_coordinates();
  text_size(kTextMm);
  const double swatch = 6.0, text_x = left + swatch + 1.5;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    const double y = top - (double(i) + 0.5) * kLegendRowMm;
    const int line_slot = e.colour < 0 ? kMutedSlot : kLineSlot + e.colour % 10;
    if (e.line && e.colour >= 0) {
      PLFLT bx[4] = {left, left + swatch, left + swatch, left}, by[4] = {y - 1.0, y - 1.0, y + 1.0, y + 1.0};
      plcol0(kFillSlot + e.colour % 10);
      plfill(4, bx, by);
      plcol0(line_slot);
      line_width(1.2);
      PLFLT lx[2] = {left, left + swatch}, ly[2] = {y, y};
      plline(2, lx, ly);
      line_width(0.5);
    } else if (e.colour >= 0) {
      std::vector<PLFLT> px, py;
      for (int k = 0; k < 16; ++k)
        px.push_back(left + swatch / 2 + 0.8 * std::cos(k * M_PI / 8)), py.push_back(y + 0.8 * std::sin(k * M_PI / 8));
      plcol0(kPointSlot + e.colour % 10);
      plfill(PLINT(px.size()), px.data(), py.data());
    }
    plcol0(e.colour < 0 ? kMutedSlot : 1);
    plptex(text_x, y, 1, 0, 0, fit_text(e.text, g_page.width_mm - text_x - kMarginMm).c_str());
  }
}

// Axes of a data panel whose viewport is [x0, x1] × [y0, y1] mm: grid, box, ticks, labels, title (title and labels
// shortened to fit).
void panel_axes(double x0, double x1, const std::string& title, const std::string& x_label,
                const std::string& y_label, const char* xopt, double y0, double y1, const YAxis& y) {
  plcol0(kGridSlot);
  line_width(0.4);
  plbox(std::strlen(xopt) > 0 ? "g" : "", 0, 0, "g", y.step, 0);
  plcol0(1);
  line_width(0.6);
  text_size(kSmallMm);
  plbox(xopt, 0, 0, "bcnstvo", y.step, 0);
  text_size(kTextMm);
  const double width = x1 - x0;
  if (!x_label.empty()) plmtex("b", 2.6, 0.5, 0.5, fit_text(x_label, width).c_str());
  plmtex("t", 0.7, 0.5, 0.5, fit_text(title, width + 8).c_str());
  // The axis title outside the tick labels: disp is in character heights from the viewport's edge.
  plmtex("l", (y.label_mm + 1.5) / kTextMm + 0.9, 0.5, 0.5, fit_text(y_label, y1 - y0).c_str());
}

// Layout of `n` panels: columns side by side when the figure is ≥ 5 in wide.
struct PanelGrid {
  int cols = 1, rows = 1;
  double panel_w = 0, panel_h = 0;
};
PanelGrid panel_grid(std::size_t n, const FigureStyle& style, double aspect) {
  PanelGrid g;
  g.cols = style.width_in >= 5 ? int(n) : 1;
  g.rows = int((n + std::size_t(g.cols) - 1) / std::size_t(g.cols));
  g.panel_w = style.width_in * 25.4 / g.cols;
  g.panel_h = std::min(70.0, g.panel_w * aspect);
  return g;
}
// Margins inside a panel (mm): tick labels and the y label on the left, tick labels + x label below, title above.
constexpr double kPanelRight = 3.0, kPanelBottom = 9.5, kPanelTop = 5.5;

void filled_dot(double x, double y, double rx, double ry) {
  PLFLT px[16], py[16];
  for (int k = 0; k < 16; ++k) px[k] = x + rx * std::cos(k * M_PI / 8), py[k] = y + ry * std::sin(k * M_PI / 8);
  plfill(16, px, py);
}

}  // namespace

void validate_figure_style(const FigureStyle& style) {
  if (!(style.width_in >= 1 && style.width_in <= 20))
    throw Error(fmt::format("--figure-width {}: must be between 1 and 20 inches (3.5 = one column of a two-column "
                            "paper, 7 = the full page width)",
                            style.width_in));
  if (style.dpi < 50 || style.dpi > 1200)
    throw Error(fmt::format("--dpi {}: must be between 50 and 1200 (300 = print quality)", style.dpi));
}

double quantile_linear(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) throw Error("quantile of an empty set");
  double pos = q * double(sorted.size() - 1);
  std::size_t lo = std::size_t(std::floor(pos));
  std::size_t hi = std::min(sorted.size() - 1, lo + 1);
  double frac = pos - double(lo);
  return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
}

std::vector<fs::path> plot_band_panels(const std::vector<BandPanel>& panels, const fs::path& stem,
                                       const FigureStyle& style) {
  if (panels.empty()) throw Error(fmt::format("figure '{}': no panels", stem.string()));
  for (const auto& p : panels)
    for (const auto& s : p.series)
      if (s.mean.size() != s.x.size() || s.lower.size() != s.x.size() || s.upper.size() != s.x.size())
        throw Error(fmt::format("figure '{}': series '{}' has mismatched lengths", stem.string(), s.label));
  // The legend lists the first panel's series (every panel has the same groups).
  std::vector<LegendEntry> legend;
  for (std::size_t k = 0; k < panels[0].series.size(); ++k) {
    const auto& s = panels[0].series[k];
    legend.push_back({s.x.empty() ? s.label + " (no values)" : s.label, s.x.empty() ? -1 : int(k), true});
  }
  const PanelGrid grid = panel_grid(panels.size(), style, 0.62);
  const double legend_h = legend_height(legend.size());
  const double height_mm = grid.rows * grid.panel_h + legend_h + 2 * kMarginMm;
  // Data ranges first: the y axes decide the common left margin.
  std::vector<std::array<double, 4>> ranges;  // xlo, xhi, ylo, yhi
  std::vector<YAxis> axes;
  double left = 0;
  for (const auto& p : panels) {
    double xlo = std::numeric_limits<double>::infinity(), xhi = -xlo, ylo = xlo, yhi = -xlo;
    for (const auto& s : p.series)
      for (std::size_t k = 0; k < s.x.size(); ++k) {
        xlo = std::min(xlo, s.x[k]), xhi = std::max(xhi, s.x[k]);
        ylo = std::min({ylo, s.lower[k], s.mean[k]}), yhi = std::max({yhi, s.upper[k], s.mean[k]});
      }
    if (!std::isfinite(xlo)) xlo = 0, xhi = 1, ylo = 0, yhi = 1;
    ranges.push_back({xlo, xhi, ylo, yhi});
    axes.push_back(y_axis(ylo, yhi));
    left = std::max(left, panel_left(axes.back().label_mm));
  }
  return render(stem, style, height_mm / 25.4, [&] {
    for (std::size_t i = 0; i < panels.size(); ++i) {
      const auto& p = panels[i];
      const int col = int(i) % grid.cols, row = int(i) / grid.cols;
      const double px0 = col * grid.panel_w, top = g_page.height_mm - kMarginMm - row * grid.panel_h;
      const double x0 = px0 + left, x1 = px0 + grid.panel_w - kPanelRight;
      const double y1 = top - kPanelTop, y0 = top - grid.panel_h + kPanelBottom;
      viewport_mm(x0, x1, y0, y1);
      auto [wx0, wx1] = padded(ranges[i][0], ranges[i][1]);
      const double wy0 = axes[i].lo, wy1 = axes[i].hi;
      plwind(wx0, wx1, wy0, wy1);
      panel_axes(x0, x1, p.title, p.x_label, p.y_label, "bcnsto", y0, y1, axes[i]);
      for (std::size_t k = 0; k < p.series.size(); ++k) {
        const auto& s = p.series[k];
        if (s.x.empty()) continue;
        std::vector<PLFLT> bx(s.x.begin(), s.x.end()), by(s.upper.begin(), s.upper.end());
        for (std::size_t j = s.x.size(); j-- > 0;) bx.push_back(s.x[j]), by.push_back(s.lower[j]);
        if (s.x.size() > 1) {
          plcol0(kFillSlot + int(k % 10));
          plfill(PLINT(bx.size()), bx.data(), by.data());
        }
        plcol0(kLineSlot + int(k % 10));
        line_width(1.2);
        std::vector<PLFLT> lx(s.x.begin(), s.x.end()), ly(s.mean.begin(), s.mean.end());
        plline(PLINT(lx.size()), lx.data(), ly.data());
        const double rx = 0.6 * (wx1 - wx0) / (x1 - x0), ry = 0.6 * (wy1 - wy0) / (y1 - y0);
        for (std::size_t j = 0; j < lx.size(); ++j) filled_dot(lx[j], ly[j], rx, ry);
        if (s.x.size() == 1) {  // a band of one point: an error bar
          PLFLT eb_x[2] = {s.x[0], s.x[0]}, eb_y[2] = {s.lower[0], s.upper[0]};
          plline(2, eb_x, eb_y);
        }
        line_width(0.5);
      }
    }
    draw_legend(legend, kMarginMm + 2, kMarginMm + legend_h);
  });
}

Distribution parse_distribution(const std::string& s, const std::string& option) {
  if (s == "box") return Distribution::kBox;
  if (s == "violin") return Distribution::kViolin;
  throw Error(fmt::format("{} '{}': unknown plot (valid: box, violin)", option, s));
}

ViolinDensity violin_density(const std::vector<double>& values, int points) {
  if (values.size() < 2) throw Error("violin: needs at least 2 values");
  if (points < 2) throw Error("violin: needs at least 2 evaluation points");
  const double n = double(values.size());
  double mean = 0;
  for (double v : values) mean += v;
  mean /= n;
  double ss = 0;
  for (double v : values) ss += (v - mean) * (v - mean);
  const double sd = std::sqrt(ss / (n - 1));
  const auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
  const double lo = *lo_it, hi = *hi_it;
  if (!(sd > 0) || !(hi > lo)) throw Error("violin: the values are all equal (no density to draw)");
  ViolinDensity d;
  d.bandwidth = std::pow(n, -0.2) * sd;  // scipy's Scott factor times the data's standard deviation
  const double norm = 1.0 / (n * d.bandwidth * std::sqrt(2 * M_PI));
  for (int i = 0; i < points; ++i) {
    const double y = i + 1 == points ? hi : lo + (hi - lo) * double(i) / double(points - 1);
    double f = 0;
    for (double v : values) {
      const double u = (y - v) / d.bandwidth;
      f += std::exp(-0.5 * u * u);
    }
    d.y.push_back(y);
    d.density.push_back(f * norm);
  }
  return d;
}

std::vector<fs::path> plot_box_panels(const std::vector<BoxPanel>& panels, const fs::path& stem,
                                      const FigureStyle& style, std::size_t min_box, Distribution shape) {
  if (panels.empty()) throw Error(fmt::format("figure '{}': no panels", stem.string()));
  for (const auto& p : panels)
    for (const auto& g : p.groups)
      for (double v : g.values)
        if (!std::isfinite(v)) throw Error(fmt::format("figure '{}': group '{}' has a non-finite value", stem.string(), g.label));
  const PanelGrid grid = panel_grid(panels.size(), style, 0.62);
  const auto& slots = panels[0].groups;
  std::vector<YAxis> axes;
  double left = 0;
  for (const auto& p : panels) {
    double ylo = std::numeric_limits<double>::infinity(), yhi = -ylo;
    for (const auto& g : p.groups)
      for (double v : g.values) ylo = std::min(ylo, v), yhi = std::max(yhi, v);
    if (!std::isfinite(ylo)) ylo = 0, yhi = 1;
    axes.push_back(y_axis(ylo, yhi));
    left = std::max(left, panel_left(axes.back().label_mm));
  }
  const double plot_w = grid.panel_w - left - kPanelRight;
  const double slot_w = plot_w / double(std::max<std::size_t>(1, slots.size()));
  // Slot labels: as given when all fit their slot (measured at the tick-label size after plinit; estimated here
  // at ≈ 0.55 × text height per character, checked again when drawing), else letters with a key.
  // Horizontal when every label fits its slot, else vertical when every label fits below the axis, else letters.
  bool horizontal = true, vertical = true;
  g_text_mm = kSmallMm;
  for (const auto& g : slots) {
    horizontal = horizontal && text_width_mm(g.label) <= slot_w * 0.8;
    vertical = vertical && text_width_mm(g.label) <= kPanelBottom - 2.5 && kSmallMm * 1.2 <= slot_w;
  }
  const bool letters = !horizontal && !vertical;
  std::vector<LegendEntry> legend;
  bool legend_differs = false;
  for (std::size_t k = 0; k < slots.size(); ++k) {
    const auto& g = slots[k];
    const int colour = g.colour >= 0 ? g.colour : int(k);
    const std::string name = g.legend.empty() ? g.label : g.legend;
    legend_differs = legend_differs || name != g.label;
    std::string entry = letters && g.legend.empty() ? fmt::format("{}: {}", char('A' + k % 26), name) : name;
    bool empty = true;
    for (const auto& p : panels)
      if (k < p.groups.size() && !p.groups[k].values.empty()) empty = false;
    if (empty) entry += " (no values)";
    bool seen = false;
    for (const auto& e : legend) seen = seen || e.text == entry;
    if (!seen) legend.push_back({entry, empty ? -1 : colour, false});
  }
  if (!letters && !legend_differs) {
    // Labels under the slots say it all, except which groups have no values.
    std::vector<LegendEntry> kept;
    for (const auto& e : legend)
      if (e.colour < 0) kept.push_back(e);
    legend = kept;
  }
  const double legend_h = legend_height(legend.size());
  const double height_mm = grid.rows * grid.panel_h + legend_h + 2 * kMarginMm;
  return render(stem, style, height_mm / 25.4, [&] {
    std::mt19937_64 jitter(17);  // fixed seed: the figure is the same at every rendering
    for (std::size_t i = 0; i < panels.size(); ++i) {
      const auto& p = panels[i];
      const int col = int(i) % grid.cols, row = int(i) / grid.cols;
      const double px0 = col * grid.panel_w, top = g_page.height_mm - kMarginMm - row * grid.panel_h;
      const double x0 = px0 + left, x1 = px0 + grid.panel_w - kPanelRight;
      const double y1 = top - kPanelTop, y0 = top - grid.panel_h + kPanelBottom;
      viewport_mm(x0, x1, y0, y1);
      const double wy0 = axes[i].lo, wy1 = axes[i].hi;
      const int n = std::max<int>(1, int(p.groups.size()));
      plwind(0.5, n + 0.5, wy0, wy1);
      panel_axes(x0, x1, p.title, "", p.y_label, "bc", y0, y1, axes[i]);
      const double rx_per_mm = double(n) / (x1 - x0), ry_per_mm = (wy1 - wy0) / (y1 - y0);
      for (int k = 0; k < int(p.groups.size()); ++k) {
        const auto& g = p.groups[std::size_t(k)];
        const int colour = g.colour >= 0 ? g.colour : k;
        plcol0(1);
        text_size(kSmallMm);
        const std::string label = letters ? std::string(1, char('A' + k % 26)) : g.label;
        if (horizontal || letters) plmtex("b", 1.2, (k + 0.5) / n, 0.5, fit_text(label, slot_w * 0.98).c_str());
        else plmtex("bv", 0.6, (k + 0.5) / n, 1.0, label.c_str());
        const double xc = k + 1;
        if (g.values.empty()) {
          plcol0(kMutedSlot);
          text_size(kSmallMm);
          plptex(xc, 0.5 * (wy0 + wy1), 0, 1, 0.5, "no values");
          continue;
        }
        if (g.values.size() >= min_box && shape == Distribution::kViolin) {
          std::vector<double> v = g.values;
          std::sort(v.begin(), v.end());
          const double q1 = quantile_linear(v, 0.25), med = quantile_linear(v, 0.5), q3 = quantile_linear(v, 0.75);
          const double hw = 0.4;
          plcol0(kLineSlot + colour % 10);
          if (v.front() == v.back()) {  // all equal: no density, a line at the value
            line_width(1.4);
            PLFLT lx[2] = {xc - hw, xc + hw}, ly[2] = {v.front(), v.front()};
            plline(2, lx, ly);
          } else {
            const ViolinDensity d = violin_density(v);
            const double peak = *std::max_element(d.density.begin(), d.density.end());
            std::vector<PLFLT> ox, oy;
            for (std::size_t j = 0; j < d.y.size(); ++j) ox.push_back(xc + hw * d.density[j] / peak), oy.push_back(d.y[j]);
            for (std::size_t j = d.y.size(); j-- > 0;) ox.push_back(xc - hw * d.density[j] / peak), oy.push_back(d.y[j]);
            plcol0(kFillSlot + colour % 10);
            plfill(PLINT(ox.size()), ox.data(), oy.data());
            ox.push_back(ox.front()), oy.push_back(oy.front());
            plcol0(kLineSlot + colour % 10);
            line_width(0.8);
            plline(PLINT(ox.size()), ox.data(), oy.data());
            // Median (thick) and quartiles (thin), each as wide as the violin at that value.
            auto width_at = [&](double y) {
              const double u = (y - d.y.front()) / (d.y.back() - d.y.front()) * double(d.y.size() - 1);
              const std::size_t j = std::min(d.y.size() - 2, std::size_t(std::max(0.0, std::floor(u))));
              const double f = u - double(j);
              return hw * ((1 - f) * d.density[j] + f * d.density[j + 1]) / peak;
            };
            for (auto [q, w] : {std::pair{q1, 0.6}, std::pair{q3, 0.6}, std::pair{med, 1.4}}) {
              const double half = width_at(q);
              line_width(w);
              PLFLT lx[2] = {xc - half, xc + half}, ly[2] = {q, q};
              plline(2, lx, ly);
            }
          }
          line_width(0.5);
        } else if (g.values.size() >= min_box) {
          std::vector<double> v = g.values;
          std::sort(v.begin(), v.end());
          const double q1 = quantile_linear(v, 0.25), med = quantile_linear(v, 0.5), q3 = quantile_linear(v, 0.75);
          const double iqr = q3 - q1;
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
          const double hw = 0.3;
          PLFLT bx[4] = {xc - hw, xc + hw, xc + hw, xc - hw}, by[4] = {q1, q1, q3, q3};
          plcol0(kFillSlot + colour % 10);
          plfill(4, bx, by);
          plcol0(kLineSlot + colour % 10);
          line_width(0.8);
          PLFLT ox[5] = {xc - hw, xc + hw, xc + hw, xc - hw, xc - hw}, oy[5] = {q1, q1, q3, q3, q1};
          plline(5, ox, oy);
          line_width(1.4);
          PLFLT mx[2] = {xc - hw, xc + hw}, my[2] = {med, med};
          plline(2, mx, my);
          line_width(0.8);
          PLFLT wx[2] = {xc, xc}, wy_hi[2] = {q3, whi}, wy_lo[2] = {q1, wlo};
          plline(2, wx, wy_hi);
          plline(2, wx, wy_lo);
          PLFLT cx[2] = {xc - hw / 2, xc + hw / 2}, cy_hi[2] = {whi, whi}, cy_lo[2] = {wlo, wlo};
          plline(2, cx, cy_hi);
          plline(2, cx, cy_lo);
          line_width(0.5);
        }
        // Every value as a filled point, jittered horizontally so equal values stay visible.
        std::uniform_real_distribution<double> offset(-0.2, 0.2);
        const double r_mm = g.values.size() > 30 ? 0.45 : 0.7;
        plcol0(kPointSlot + colour % 10);
        for (double v : g.values) filled_dot(xc + offset(jitter), v, r_mm * rx_per_mm, r_mm * ry_per_mm);
      }
    }
    draw_legend(legend, kMarginMm + 2, kMarginMm + legend_h);
  });
}

std::vector<fs::path> plot_image_grid(const ImageGrid& grid, const fs::path& stem, const FigureStyle& style) {
  if (grid.tiles.empty()) throw Error(fmt::format("figure '{}': no image tiles", stem.string()));
  if (grid.rows < 1 || grid.cols < 1 || std::size_t(grid.rows * grid.cols) < grid.tiles.size())
    throw Error(fmt::format("figure '{}': a {}×{} grid cannot hold {} tiles", stem.string(), grid.rows, grid.cols,
                            grid.tiles.size()));
  double lo = grid.lo, hi = grid.hi;
  int th = 0, tw = 0;
  for (const auto& t : grid.tiles) {
    if (t.height < 1 || t.width < 1 || t.pixels.size() != std::size_t(t.height) * std::size_t(t.width))
      throw Error(fmt::format("figure '{}': tile '{}' has {} pixels, expected {}×{}", stem.string(), t.label,
                              t.pixels.size(), t.height, t.width));
    for (double v : t.pixels)
      if (!std::isfinite(v)) throw Error(fmt::format("figure '{}': tile '{}' has a non-finite pixel", stem.string(), t.label));
    th = std::max(th, t.height), tw = std::max(tw, t.width);
  }
  const bool diverging = grid.colour_map == ColourMap::kDiverging;
  if (diverging) {
    double m = 0;
    for (const auto& t : grid.tiles)
      for (double v : t.pixels) m = std::max(m, std::fabs(v));
    if (m == 0) m = 1;
    lo = -m, hi = m;
  }
  if (!(hi > lo)) hi = lo + 1;
  // Layout (mm). Row labels on the left, the colour bar on the right, the title (wrapped) on top.
  const double W = style.width_in * 25.4;
  double max_row_label = 0;
  g_text_mm = kSmallMm;
  for (const auto& l : grid.row_labels) max_row_label = std::max(max_row_label, text_width_mm(l));
  const double left = kMarginMm + (grid.row_labels.empty() ? 0.0 : max_row_label + 1.5);
  const double right = kMarginMm + (diverging ? 17.0 : 0.0);
  bool any_label = false;
  for (const auto& t : grid.tiles) any_label = any_label || !t.label.empty();
  const double gap = 0.8, label_h = any_label ? 3.2 : 0.0;
  const double tile = std::min(35.0, (W - left - right - gap * (grid.cols - 1)) / grid.cols);
  // Title lines: estimated here (≈ 0.5 × text height per character), wrapped exactly when drawing.
  g_text_mm = kTextMm;
  const int title_lines = grid.title.empty() ? 0 : int(wrap_text(grid.title, W - 2 * kMarginMm).size());
  const double title_h = title_lines * 1.45 * kTextMm;
  const double grid_w = grid.cols * tile + (grid.cols - 1) * gap;
  const double grid_h = grid.rows * (tile + label_h) + (grid.rows - 1) * gap;
  const double H = kMarginMm + title_h + grid_h + kMarginMm + 1.0;
  return render(stem, style, H / 25.4, [&] {
    if (diverging) {
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
    const double gx0 = left, gy1 = g_page.height_mm - kMarginMm - title_h, gy0 = gy1 - grid_h;
    page_coordinates();
    if (!grid.title.empty()) {
      text_size(kTextMm);
      plcol0(1);
      auto lines = wrap_text(grid.title, W - 2 * kMarginMm);
      for (std::size_t i = 0; i < lines.size() && int(i) < title_lines; ++i)
        plptex(W / 2, g_page.height_mm - kMarginMm - (double(i) + 0.6) * 1.45 * kTextMm, 1, 0, 0.5,
               lines[i].c_str());
    }
    // One raster image for every tile: a mosaic in units of image pixels, with gaps outside [lo, hi] (not drawn).
    const double px_per_mm = double(std::max(th, tw)) / tile;
    const int MW = int(std::lround(grid_w * px_per_mm)), MH = int(std::lround(grid_h * px_per_mm));
    const double blank = hi + 2 * (hi - lo);
    std::vector<std::vector<PLFLT>> mosaic(std::size_t(MW), std::vector<PLFLT>(std::size_t(MH), blank));
    auto tile_origin = [&](std::size_t i, double& x_mm, double& y_top_mm) {
      const int row = int(i) / grid.cols, col = int(i) % grid.cols;
      x_mm = gx0 + col * (tile + gap);
      y_top_mm = gy1 - row * (tile + label_h + gap) - label_h;
    };
    for (std::size_t i = 0; i < grid.tiles.size(); ++i) {
      const auto& t = grid.tiles[i];
      double x_mm, y_top;
      tile_origin(i, x_mm, y_top);
      const int mx0 = int(std::lround((x_mm - gx0) * px_per_mm));
      const int my_top = int(std::lround((y_top - gy0) * px_per_mm));  // mosaic y grows upwards
      for (int y = 0; y < t.height; ++y)
        for (int x = 0; x < t.width; ++x) {
          const int mx = mx0 + x, my = my_top - 1 - y;
          if (mx < 0 || mx >= MW || my < 0 || my >= MH) continue;
          mosaic[std::size_t(mx)][std::size_t(my)] =
              std::clamp(t.pixels[std::size_t(y) * std::size_t(t.width) + std::size_t(x)], lo, hi);
        }
    }
    std::vector<const PLFLT*> ptrs(static_cast<std::size_t>(MW));
    for (int x = 0; x < MW; ++x) ptrs[std::size_t(x)] = mosaic[std::size_t(x)].data();
    viewport_mm(gx0, gx0 + double(MW) / px_per_mm, gy0, gy0 + double(MH) / px_per_mm);
    plwind(0, MW, 0, MH);
    // plimagefr maps [lo, hi] onto the whole colour map (plimage would rescale to each tile's own range) and draws
    // only values in [lo, hi].
    plimagefr(ptrs.data(), MW, MH, 0, MW, 0, MH, lo, hi, lo, hi, nullptr, nullptr);
    // Tile frames and labels in page mm.
    page_coordinates();
    line_width(0.3);
    for (std::size_t i = 0; i < grid.tiles.size(); ++i) {
      text_size(kTileLabelMm);
      const auto& t = grid.tiles[i];
      double x_mm, y_top;
      tile_origin(i, x_mm, y_top);
      const double tw_mm = t.width / px_per_mm, th_mm = t.height / px_per_mm;
      plcol0(kMutedSlot);
      PLFLT fx[5] = {x_mm, x_mm + tw_mm, x_mm + tw_mm, x_mm, x_mm},
            fy[5] = {y_top, y_top, y_top - th_mm, y_top - th_mm, y_top};
      plline(5, fx, fy);
      plcol0(1);
      if (!t.label.empty())
        plptex(x_mm + tw_mm / 2, y_top + 0.45 * label_h, 1, 0, 0.5, fit_text(t.label, tile + gap).c_str());
      const int row = int(i) / grid.cols, col = int(i) % grid.cols;
      text_size(kSmallMm);
      if (col == 0 && std::size_t(row) < grid.row_labels.size())
        plptex(x_mm - 1.0, y_top - th_mm / 2, 1, 0, 1.0,
               fit_text(grid.row_labels[std::size_t(row)], left - kMarginMm - 1.0).c_str());
    }
    if (diverging) {
      // The colour bar: the shared symmetric scale, labelled.
      const double bx0 = gx0 + grid_w + 2.5, bx1 = bx0 + 2.5;
      // Inset so that the end labels (centred on the bar's ends) stay clear of the title and the page edge.
      const double bh = std::min(grid_h - 2.5, 45.0), by0 = gy0 + (grid_h - bh) / 2, by1 = by0 + bh;
      std::vector<PLFLT> column(256);
      for (int k = 0; k < 256; ++k) column[std::size_t(k)] = lo + (hi - lo) * (k + 0.5) / 256.0;
      const PLFLT* bar[1] = {column.data()};
      viewport_mm(bx0, bx1, by0, by1);
      plwind(0, 1, lo, hi);
      plimagefr(bar, 1, 256, 0, 1, lo, hi, lo, hi, lo, hi, nullptr, nullptr);
      plcol0(1);
      line_width(0.4);
      text_size(kSmallMm);
      plbox("bc", 0, 0, "bcmstvo", 0, 0);
      page_coordinates();
      text_size(kSmallMm);
      plptex(bx1 + 10.5, by0 + bh / 2, 0, 1, 0.5, fit_text(grid.colour_bar_label, bh).c_str());
    }
  });
}

}  // namespace axial::reports
