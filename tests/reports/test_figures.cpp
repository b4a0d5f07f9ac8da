// Figures: files exist, PNG decodes to the requested size and is not blank, SVG is well-formed and has drawing.
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

TEST_CASE("xml_problem accepts well-formed XML and rejects broken XML (negative control for the checker)") {
  CHECK(xml_problem("<?xml version=\"1.0\"?><svg a=\"x>y\"><g><path d=\"M0 0\"/></g></svg>") == "");
  CHECK(xml_problem("<svg><g></svg>") != "");
  CHECK(xml_problem("<svg><g/>") != "");
  CHECK(xml_problem("<a/><b/>") != "");
}

TEST_CASE("band panels (Fig. 4): SVG and PNG, right size, not blank") {
  axial::test::TempDir dir;
  BandPanel p{"local MIG", "locality #gr", "local MIG", {}};
  p.series.push_back({"gamma=0", {0.1, 0.2, 0.3}, {0.05, 0.03, 0.02}, {0.04, 0.02, 0.01}, {0.06, 0.04, 0.03}});
  p.series.push_back({"gamma=0.1", {0.1, 0.2, 0.3}, {0.12, 0.07, 0.05}, {0.10, 0.06, 0.04}, {0.14, 0.08, 0.06}});
  auto files = plot_band_panels({p, p}, dir / "bands", {900, 400});
  REQUIRE(files.size() == 2);
  auto png = decode_png(dir / "bands.png");
  REQUIRE(png.ok);
  CHECK(png.width == 900);
  CHECK(png.height == 400);
  CHECK(png.distinct_colours() > 4);
  CHECK(png.ink_fraction() > 0.01);
  std::string svg = read_text(dir / "bands.svg");
  CHECK(xml_problem(svg) == "");
  CHECK(svg.find("<svg") != std::string::npos);
  CHECK(std::count(svg.begin(), svg.end(), '<') > 50);
  // No temporary files left behind.
  int entries = 0;
  for (auto& e : std::filesystem::directory_iterator(dir.path)) (void)e, ++entries;
  CHECK(entries == 2);
}

TEST_CASE("box panels (Fig. 5) and quartiles") {
  CHECK(quantile_linear({1, 2, 3, 4}, 0.25) == doctest::Approx(1.75));  // numpy: 1 + 0.75·(2-1)
  CHECK(quantile_linear({1, 2, 3, 4}, 0.5) == doctest::Approx(2.5));
  axial::test::TempDir dir;
  BoxPanel b{"local MIG at #gr = 0.1", "local MIG", {{"beta-VAE", {0.05, 0.06, 0.055, 0.04}}, {"JL1", {0.12, 0.13}}}};
  plot_box_panels({b}, dir / "box", {500, 450});
  auto png = decode_png(dir / "box.png");
  REQUIRE(png.ok);
  CHECK(png.width == 500);
  CHECK(png.height == 450);
  CHECK(png.ink_fraction() > 0.01);
  CHECK(xml_problem(read_text(dir / "box.svg")) == "");
}

TEST_CASE("image grid with the diverging map: negative pixels blue, positive red, zero white") {
  axial::test::TempDir dir;
  ImageGrid g;
  g.title = "decoder Jacobian columns";
  g.rows = 1;
  g.cols = 2;
  g.colour_map = ColourMap::kDiverging;
  ImageTile pos{"z0", 8, 8, std::vector<double>(64, 0.0)}, neg{"z1", 8, 8, std::vector<double>(64, 0.0)};
  for (int i = 0; i < 64; ++i) pos.pixels[std::size_t(i)] = (i % 8) < 4 ? 2.0 : 0.0;  // left half +2
  for (int i = 0; i < 64; ++i) neg.pixels[std::size_t(i)] = -2.0;
  g.tiles = {pos, neg};
  plot_image_grid(g, dir / "grid", 64);
  auto png = decode_png(dir / "grid.png");
  REQUIRE(png.ok);
  std::size_t red = 0, blue = 0;
  for (std::size_t i = 0; i + 2 < png.rgb.size(); i += 3) {
    int r = png.rgb[i], gg = png.rgb[i + 1], b = png.rgb[i + 2];
    if (r > b + 80 && r > gg + 80) ++red;
    if (b > r + 80) ++blue;
  }
  // Range ±2: the left half of tile 0 is full red, tile 1 full blue (64×64 px vs 32×64 px); 0 is white.
  CHECK(blue > 2000);
  CHECK(red > 500);
  CHECK(blue > red);
  CHECK(xml_problem(read_text(dir / "grid.svg")) == "");

  ImageGrid bad = g;
  bad.tiles[0].pixels.pop_back();
  CHECK_THROWS_AS(plot_image_grid(bad, dir / "bad"), axial::Error);
  CHECK_FALSE(std::filesystem::exists(dir / "bad.png"));
  ImageGrid nan = g;
  nan.tiles[1].pixels[0] = std::nan("");
  CHECK_THROWS_AS(plot_image_grid(nan, dir / "nan"), axial::Error);
}
