// Figures: every figure as SVG, PDF and PNG of the requested physical size; nothing clipped (no ink at the PNG's
// border); image panels embedded as raster images, so files stay small; Jacobian tiles on one symmetric scale with a
// colour bar; boxes only for n ≥ 5; groups without values shown as such.
#include "reports/figures.hpp"

#include <algorithm>
#include <cmath>

#include "src/core/error.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/reports/figure_checks.hpp"

#include <doctest/doctest.h>

using namespace axial::reports;
using axial::test::decode_png;
using axial::test::read_text;
using axial::test::xml_problem;
namespace fs = std::filesystem;

namespace {

constexpr std::uintmax_t kMaxFigureBytes = 2u * 1024u * 1024u;

// The three files of `stem`: present, PNG `width_px` wide, nothing within 3 px of the PNG's border, SVG well formed,
// PDF a PDF, every file ≤ 2 MB.
axial::test::DecodedPng check_figure(const fs::path& stem, int width_px) {
  for (const char* ext : {".svg", ".pdf", ".png"}) {
    fs::path f = stem;
    f += ext;
    REQUIRE_MESSAGE(fs::exists(f), f.string());
    CHECK_MESSAGE(fs::file_size(f) <= kMaxFigureBytes, f.string(), " is ", fs::file_size(f), " bytes");
  }
  fs::path svg = stem, pdf = stem, png_path = stem;
  svg += ".svg", pdf += ".pdf", png_path += ".png";
  CHECK(xml_problem(read_text(svg)) == "");
  CHECK(read_text(pdf).rfind("%PDF-", 0) == 0);
  auto png = decode_png(png_path);
  REQUIRE(png.ok);
  CHECK(png.width == width_px);
  CHECK_MESSAGE(png.ink_near_border(3) == 0, stem.string(), ": drawing touches the image border (clipped): ",
                png.border_ink_sides(3));
  CHECK(png.ink_fraction() > 0.01);
  return png;
}

std::vector<std::string> group_labels(int n) {
  std::vector<std::string> l;
  for (int g = 0; g < n; ++g) l.push_back("beta=4, gamma=" + std::to_string(g) + ", steps=300000, batch_size=64");
  return l;
}

// Pixels of tab10 blue's light fill (alpha 0.25 on white ≈ (199, 221, 236)): a box's or violin's filled area.
std::size_t coloured(const axial::test::DecodedPng& png) {
  std::size_t n = 0;
  for (std::size_t i = 0; i + 2 < png.rgb.size(); i += 3)
    if (std::abs(int(png.rgb[i]) - 199) < 12 && std::abs(int(png.rgb[i + 1]) - 221) < 12 &&
        std::abs(int(png.rgb[i + 2]) - 236) < 12)
      ++n;
  return n;
}

}  // namespace

TEST_CASE("xml_problem accepts well-formed XML and rejects broken XML (negative control for the checker)") {
  CHECK(xml_problem("<?xml version=\"1.0\"?><svg a=\"x>y\"><g><path d=\"M0 0\"/></g></svg>") == "");
  CHECK(xml_problem("<svg><g></svg>") != "");
  CHECK(xml_problem("<svg><g/>") != "");
  CHECK(xml_problem("<a/><b/>") != "");
}

TEST_CASE("ink_near_border finds a drawing that runs off the image (negative control for the clipping check)") {
  axial::test::DecodedPng png;
  png.width = 10, png.height = 10;
  png.rgb.assign(300, 255);
  CHECK(png.ink_near_border(2) == 0);
  png.rgb[(5 * 10 + 0) * 3] = 0;  // one dark pixel on the left edge
  CHECK(png.ink_near_border(2) == 1);
}

TEST_CASE("band panels (Fig. 4): 3 formats, one-column width at 300 dpi, nothing clipped, legend below, small "
          "values without a multiplier, a group without values named") {
  axial::test::TempDir dir;
  BandPanel p{"local MIG vs locality", "locality ρ", "local MIG", {}};
  const auto labels = group_labels(4);
  for (int g = 0; g < 3; ++g)
    p.series.push_back({labels[std::size_t(g)], {0.1, 0.2, 0.3, 0.6, 1.0},
                        {0.005 + 0.001 * g, 0.004, 0.003, 0.002, 0.001},
                        {0.004 + 0.001 * g, 0.003, 0.002, 0.001, 0.0005},
                        {0.006 + 0.001 * g, 0.005, 0.004, 0.003, 0.0015}});
  p.series.push_back({labels[3], {}, {}, {}, {}});  // no values
  auto files = plot_band_panels({p, p}, dir / "bands");
  REQUIRE(files.size() == 3);
  check_figure(dir / "bands", 1050);  // 3.5 in × 300 dpi
  // A wider figure: the given width and dpi.
  plot_band_panels({p, p}, dir / "wide", FigureStyle{7.0, 150});
  check_figure(dir / "wide", 1050);
  // No temporary files left behind.
  int entries = 0;
  for (auto& e : fs::directory_iterator(dir.path)) (void)e, ++entries;
  CHECK(entries == 6);
  CHECK_THROWS_AS(plot_band_panels({p}, dir / "bad", FigureStyle{0.2, 300}), axial::Error);
  CHECK_THROWS_AS(plot_band_panels({p}, dir / "bad", FigureStyle{3.5, 10}), axial::Error);
  CHECK_FALSE(fs::exists(dir / "bad.svg"));
}

TEST_CASE("box panels (Fig. 5): long group labels fit (letters and a key), points only below 5 runs, a group "
          "without values said, nothing clipped") {
  CHECK(quantile_linear({1, 2, 3, 4}, 0.25) == doctest::Approx(1.75));  // numpy: 1 + 0.75·(2-1)
  CHECK(quantile_linear({1, 2, 3, 4}, 0.5) == doctest::Approx(2.5));
  axial::test::TempDir dir;
  const auto labels = group_labels(4);
  BoxPanel b{"local MIG at ρ = 0.1", "local MIG",
             {{labels[0], {0.05, 0.06, 0.055, 0.04, 0.045, 0.05}, -1, ""},
              {labels[1], {0.12, 0.13}, -1, ""},
              {labels[2], {}, -1, ""},
              {labels[3], {0.08, 0.09, 0.1}, -1, ""}}};
  plot_box_panels({b, b}, dir / "box");
  check_figure(dir / "box", 1050);
}

TEST_CASE("box panels: a box is drawn for 5 values and not for 4 (its filled quartile area)") {
  axial::test::TempDir dir;
  BoxPanel five{"t", "y", {{"a", {0.0, 0.25, 0.5, 0.75, 1.0}, -1, ""}}};
  BoxPanel four{"t", "y", {{"a", {0.0, 0.25, 0.75, 1.0}, -1, ""}}};
  plot_box_panels({five}, dir / "five");
  plot_box_panels({four}, dir / "four");
  CHECK(coloured(decode_png(dir / "five.png")) > 2000);
  CHECK(coloured(decode_png(dir / "four.png")) < 50);
}

TEST_CASE("image grid with the diverging map: one symmetric scale, colour bar, raster panels keep files small") {
  axial::test::TempDir dir;
  ImageGrid g;
  g.title = "Decoder Jacobian columns ∂x/∂z_l at the probe image — JL1-VAE (gamma=0.1, seed 11), a long title";
  g.rows = 1;
  g.cols = 2;
  g.colour_map = ColourMap::kDiverging;
  g.colour_bar_label = "∂x/∂z_l";
  ImageTile pos{"z0", 8, 8, std::vector<double>(64, 0.0)}, neg{"z1", 8, 8, std::vector<double>(64, 0.0)};
  for (int i = 0; i < 64; ++i) pos.pixels[std::size_t(i)] = (i % 8) < 4 ? 2.0 : 0.0;  // left half +2
  for (int i = 0; i < 64; ++i) neg.pixels[std::size_t(i)] = -2.0;
  g.tiles = {pos, neg};
  plot_image_grid(g, dir / "grid");
  auto png = check_figure(dir / "grid", 1050);
  std::size_t red = 0, blue = 0;
  for (std::size_t i = 0; i + 2 < png.rgb.size(); i += 3) {
    int r = png.rgb[i], gg = png.rgb[i + 1], b = png.rgb[i + 2];
    if (r > b + 80 && r > gg + 80) ++red;
    if (b > r + 80) ++blue;
  }
  // Range ±2: the left half of tile 0 is full red, tile 1 full blue (twice the area), 0 white; the colour bar adds
  // as much red as blue.
  CHECK(blue > 2000);
  CHECK(red > 500);
  CHECK(blue > red);

  // A traversal-sized grid: 10 latents × 7 steps of 64×64 images, and a 35-tile Jacobian: each file ≤ 2 MB and the
  // SVG holds raster images, not one rectangle per pixel.
  ImageGrid t;
  t.title = "Latent traversals (±3 sd around the probe's code) — JL1-VAE (gamma=0.1, seed 11)";
  t.rows = 10;
  t.cols = 7;
  for (int l = 0; l < 10; ++l) {
    t.row_labels.push_back("z" + std::to_string(l));
    for (int s = 0; s < 7; ++s) {
      ImageTile tile{l == 0 ? std::to_string(s - 3) + " sd" : "", 64, 64, std::vector<double>(64 * 64)};
      for (int i = 0; i < 64 * 64; ++i) tile.pixels[std::size_t(i)] = std::fmod(0.37 * i + 0.11 * s + 0.05 * l, 1.0);
      t.tiles.push_back(tile);
    }
  }
  plot_image_grid(t, dir / "traversals");
  check_figure(dir / "traversals", 1050);
  const std::string svg = read_text(dir / "traversals.svg");
  CHECK(svg.find("data:image/png;base64") != std::string::npos);
  CHECK(std::count(svg.begin(), svg.end(), '<') < 5000);

  ImageGrid bad = g;
  bad.tiles[0].pixels.pop_back();
  CHECK_THROWS_AS(plot_image_grid(bad, dir / "bad"), axial::Error);
  CHECK_FALSE(fs::exists(dir / "bad.png"));
  ImageGrid nan = g;
  nan.tiles[1].pixels[0] = std::nan("");
  CHECK_THROWS_AS(plot_image_grid(nan, dir / "nan"), axial::Error);
}

TEST_CASE("violin density equals scipy.stats.gaussian_kde (Scott's factor) on matplotlib's grid from min to max") {
  // Reference values from scipy 1.10: gaussian_kde(v) evaluated at np.linspace(v.min(), v.max(), 100).
  const std::vector<double> v{0.1, 0.15, 0.12, 0.3, 0.22, 0.18};
  const ViolinDensity d = violin_density(v);
  REQUIRE(d.y.size() == 100);
  CHECK(d.bandwidth == doctest::Approx(0.05124202762492382).epsilon(1e-12));
  CHECK(d.y.front() == 0.1);
  CHECK(d.y.back() == 0.3);
  CHECK(d.y[37] == doctest::Approx(0.17474747474747476).epsilon(1e-12));
  CHECK(d.density[0] == doctest::Approx(3.773907652906212).epsilon(1e-12));
  CHECK(d.density[37] == doctest::Approx(4.570574168224283).epsilon(1e-12));
  CHECK(d.density[99] == doctest::Approx(1.7860012848841902).epsilon(1e-12));
  // By the definition: a mixture of normal densities N(x_i, σ²), σ = n^(-1/5) · sd (ddof 1), at y[37].
  double mean = 0, ss = 0;
  for (double x : v) mean += x / 6;
  for (double x : v) ss += (x - mean) * (x - mean);
  const double bw = std::pow(6.0, -0.2) * std::sqrt(ss / 5);
  double f = 0;
  for (double x : v) f += std::exp(-0.5 * std::pow((d.y[37] - x) / bw, 2)) / (6 * bw * std::sqrt(2 * M_PI));
  CHECK(d.density[37] == doctest::Approx(f).epsilon(1e-12));
  CHECK_THROWS_AS(violin_density({1.0}), axial::Error);
  CHECK_THROWS_AS(violin_density({2.0, 2.0, 2.0}), axial::Error);
  CHECK(parse_distribution("violin") == Distribution::kViolin);
  CHECK(parse_distribution("box") == Distribution::kBox);
  CHECK_THROWS_WITH_AS(parse_distribution("bar"), "--distribution 'bar': unknown plot (valid: box, violin)",
                       axial::Error);
}

TEST_CASE("violin panels (the paper's Fig. 5): drawn for 5 values and not for 4, a shape other than the box, equal "
          "values as a line, nothing clipped") {
  axial::test::TempDir dir;
  // Skewed: five values near 0 and one at 1, so the density is high at the bottom and low at the top.
  BoxPanel five{"t", "y", {{"a", {0.0, 0.02, 0.05, 0.08, 0.1, 1.0}, -1, ""}}};
  BoxPanel four{"t", "y", {{"a", {0.0, 0.25, 0.75, 1.0}, -1, ""}}};
  plot_box_panels({five}, dir / "violin", {}, 5, Distribution::kViolin);
  plot_box_panels({five}, dir / "box", {}, 5, Distribution::kBox);
  plot_box_panels({four}, dir / "four", {}, 5, Distribution::kViolin);
  const auto violin = decode_png(dir / "violin.png"), box = decode_png(dir / "box.png");
  CHECK(coloured(violin) > 2000);
  CHECK(coloured(decode_png(dir / "four.png")) < 50);
  // The fill's width per PNG row: the violin is widest near its bottom and narrow at its top; the box (quartiles
  // 0.028–0.095) is one width.
  auto widths = [](const axial::test::DecodedPng& png) {
    std::vector<int> w;
    for (int r = 0; r < png.height; ++r) {
      int n = 0;
      for (int c = 0; c < png.width; ++c) {
        const std::size_t i = 3 * (std::size_t(r) * std::size_t(png.width) + std::size_t(c));
        n += std::abs(int(png.rgb[i]) - 199) < 12 && std::abs(int(png.rgb[i + 1]) - 221) < 12 &&
             std::abs(int(png.rgb[i + 2]) - 236) < 12;
      }
      if (n > 0) w.push_back(n);
    }
    return w;  // top to bottom, rows with fill only
  };
  const auto wv = widths(violin), wb = widths(box);
  REQUIRE(wv.size() > 20);
  REQUIRE(wb.size() > 5);
  const int v_top = *std::max_element(wv.begin(), wv.begin() + long(wv.size() / 4));
  const int v_bottom = *std::max_element(wv.end() - long(wv.size() / 4), wv.end());
  CHECK(v_bottom > 3 * v_top);
  CHECK(wv.size() > 3 * wb.size());  // the violin spans min–max, the box only the quartiles
  check_figure(dir / "violin", 1050);
  BoxPanel equal{"t", "y", {{"a", {0.5, 0.5, 0.5, 0.5, 0.5}, -1, ""}, {"b", {0.1, 0.2, 0.3, 0.4, 0.5}, -1, ""}}};
  plot_box_panels({equal}, dir / "equal", {}, 5, Distribution::kViolin);
  check_figure(dir / "equal", 1050);
}
