#pragma once
// The paper's figures, drawn with PLplot (https://plplot.sourceforge.net; Debian: libplplot-dev,
// plplot-driver-cairo). Every figure is written twice, as <stem>.svg (PLplot's built-in svg driver) and <stem>.png
// (the pngcairo driver), each rendered to a temporary sibling file and renamed into place (a failed figure leaves
// nothing behind). Functions take plain arrays; no LibTorch here.
#include <filesystem>
#include <string>
#include <vector>

namespace axial::reports {

struct FigureSize {
  int width = 1200;  // pixels (PNG) / page units (SVG)
  int height = 500;
};

// One line with a shaded band, e.g. mean ± 2σ of a group over localities.
struct BandSeries {
  std::string label;
  std::vector<double> x, mean, lower, upper;  // same length ≥ 1
};
struct BandPanel {
  std::string title, x_label, y_label;
  std::vector<BandSeries> series;
};

// Panels side by side (the paper's Fig. 4: local MIG and local modularity vs locality, one line per group).
// Returns the two files written (svg, png).
std::vector<std::filesystem::path> plot_band_panels(const std::vector<BandPanel>& panels,
                                                    const std::filesystem::path& stem, FigureSize size = {});

// Per-run values of each group, drawn as a box plot (quartiles by linear interpolation, whiskers to the most extreme
// value within 1.5 IQR) with every run's value as a point (the paper's Fig. 5).
struct BoxGroup {
  std::string label;
  std::vector<double> values;
};
struct BoxPanel {
  std::string title, y_label;
  std::vector<BoxGroup> groups;
};
std::vector<std::filesystem::path> plot_box_panels(const std::vector<BoxPanel>& panels,
                                                   const std::filesystem::path& stem, FigureSize size = {});

// A grid of images (row-major pixels, height × width, one channel).
//  - kDiverging: blue–white–red, centred on 0, symmetric range ±max|value| over all tiles (Jacobian columns, Fig. 2)
//  - kGrey: black (low) to white (high), range [lo, hi] given by the caller (decoded images, traversals).
enum class ColourMap { kDiverging, kGrey };
struct ImageTile {
  std::string label;  // drawn above the tile; may be empty
  int height = 0, width = 0;
  std::vector<double> pixels;  // height*width, row 0 at the top
};
struct ImageGrid {
  std::string title;
  int rows = 1, cols = 1;         // tiles fill row by row; rows*cols ≥ tiles.size()
  std::vector<ImageTile> tiles;
  ColourMap colour_map = ColourMap::kGrey;
  double lo = 0, hi = 1;          // kGrey only
  std::vector<std::string> row_labels;  // optional, drawn left of each row
};
std::vector<std::filesystem::path> plot_image_grid(const ImageGrid& grid, const std::filesystem::path& stem,
                                                   int tile_pixels = 96);

// Quartile with numpy's default linear interpolation (q in [0,1]); `sorted` must be sorted and non-empty.
double quantile_linear(const std::vector<double>& sorted, double q);

}  // namespace axial::reports
