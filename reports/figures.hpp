#pragma once
// The paper's figures, drawn with PLplot (https://plplot.sourceforge.net; Debian: libplplot-dev,
// plplot-driver-cairo) through its `extcairo` device onto cairo surfaces (Debian: libcairo2-dev), so that one drawing
// gives three files: <stem>.svg and <stem>.pdf (vector; image-like panels are embedded raster images, never one
// vector rectangle per pixel) and <stem>.png. Each file is rendered to a temporary sibling and renamed into place (a
// failed figure leaves nothing behind). Functions take plain arrays; no LibTorch here.
//
// Layout is in physical units: the figure is FigureStyle::width_in wide (default 3.5 in, one column of a two-column
// paper), its height follows from the content, text is 7–8 pt, and the PNG has `dpi` pixels per inch (default 300).
// Every element (titles, tick labels, axis labels, legends, colour bars) lies inside the page with a margin; legends
// sit below the data area, never on it.
#include <filesystem>
#include <string>
#include <vector>

namespace axial::reports {

struct FigureStyle {
  double width_in = 3.5;  // figure width in inches (one column of a two-column paper)
  int dpi = 300;          // PNG pixels per inch; also the resolution of embedded raster panels in SVG/PDF
};
// Throws axial::Error naming the option when width_in is outside [1, 20] or dpi outside [50, 1200].
void validate_figure_style(const FigureStyle& style);

// One line with a shaded band, e.g. mean ± 2σ of a group over localities. A series with no points is a group without
// values: it is named in the legend as "(no values)".
struct BandSeries {
  std::string label;
  std::vector<double> x, mean, lower, upper;  // same length (0 = no values)
};
struct BandPanel {
  std::string title, x_label, y_label;
  std::vector<BandSeries> series;
};

// Panels (side by side when the figure is at least 5 in wide, else stacked) with one legend below them all (the
// paper's Fig. 4: local MIG and local modularity vs locality, one line per group). Returns the files written
// (svg, pdf, png).
std::vector<std::filesystem::path> plot_band_panels(const std::vector<BandPanel>& panels,
                                                    const std::filesystem::path& stem, const FigureStyle& style = {});

// Per-slot values drawn as filled, jittered points (one per value), with a box plot (quartiles by linear
// interpolation, whiskers to the most extreme value within 1.5 IQR) only for slots with at least `min_box` values;
// a slot without values says "no values". Slots are labelled below the axis by `label` when every label fits its
// slot, else by letters A, B, … with the full labels in the legend below the panels. `colour` picks the slot's colour
// (-1 = its index); `legend` (default: the label) names that colour in the legend, so several slots (e.g. the runs
// of one group) can share one entry.
struct BoxGroup {
  std::string label;
  std::vector<double> values;
  int colour = -1;
  std::string legend;
};
struct BoxPanel {
  std::string title, y_label;
  std::vector<BoxGroup> groups;
};
// `shape` kViolin draws, for the same slots, a violin instead of the box (the paper's Fig. 5): the values' Gaussian
// kernel density (violin_density) mirrored about the slot's centre, widest at 0.8 of the slot, with the median as a
// thick line and the quartiles as thin ones; a slot whose values are all equal gets a line at that value.
enum class Distribution { kBox, kViolin };
std::vector<std::filesystem::path> plot_box_panels(const std::vector<BoxPanel>& panels,
                                                   const std::filesystem::path& stem, const FigureStyle& style = {},
                                                   std::size_t min_box = 5, Distribution shape = Distribution::kBox);
// "box" / "violin" (throws axial::Error naming `option` otherwise).
Distribution parse_distribution(const std::string& s, const std::string& option = "--distribution");

// A violin's outline as matplotlib's `violinplot` draws it: scipy.stats.gaussian_kde of the values with Scott's
// bandwidth factor n^(-1/5) (kernel σ = factor × the sample standard deviation, ddof = 1), evaluated at `points`
// evenly spaced values from the smallest to the largest value. Needs ≥ 2 values that are not all equal (throws
// axial::Error otherwise).
struct ViolinDensity {
  std::vector<double> y, density;  // `points` each; density integrates to ≈ 1 over the real line, not over [min, max]
  double bandwidth = 0;             // the kernel σ
};
ViolinDensity violin_density(const std::vector<double>& values, int points = 100);

// A grid of images (row-major pixels, height × width, one channel), drawn as one raster image.
//  - kDiverging: blue–white–red, centred on 0, one symmetric range ±max|value| shared by all tiles, with a colour bar
//    labelled `colour_bar_label` (Jacobian columns, Fig. 2)
//  - kGrey: black (low) to white (high), range [lo, hi] given by the caller (decoded images, traversals).
enum class ColourMap { kDiverging, kGrey };
struct ImageTile {
  std::string label;  // drawn above the tile; may be empty
  int height = 0, width = 0;
  std::vector<double> pixels;  // height*width, row 0 at the top
};
struct ImageGrid {
  std::string title;              // wrapped to the figure's width
  int rows = 1, cols = 1;         // tiles fill row by row; rows*cols ≥ tiles.size()
  std::vector<ImageTile> tiles;
  ColourMap colour_map = ColourMap::kGrey;
  double lo = 0, hi = 1;          // kGrey only
  std::vector<std::string> row_labels;  // optional, drawn left of each row
  std::string colour_bar_label = "value";  // kDiverging only
};
std::vector<std::filesystem::path> plot_image_grid(const ImageGrid& grid, const std::filesystem::path& stem,
                                                   const FigureStyle& style = {});

// Quartile with numpy's default linear interpolation (q in [0,1]); `sorted` must be sorted and non-empty.
double quantile_linear(const std::vector<double>& sorted, double q);

// The file extensions every figure is written with, in order.
inline const std::vector<std::string>& figure_extensions() {
  static const std::vector<std::string> e = {".svg", ".pdf", ".png"};
  return e;
}

}  // namespace axial::reports
