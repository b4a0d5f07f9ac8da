// `axial report RUN_DIR... --out DIR`: aggregate eval (and training) directories into tables, tests and figures
// (issue 6). The work is reports::collect / reports::write_report; this file only parses the command line.
#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <iostream>

#include <cmath>

#include "src/core/error.hpp"
#include "src/core/process.hpp"

#include "reports/aggregate.hpp"
#include "reports/paper_reference.hpp"
#include "reports/report_writer.hpp"
#include "src/cli/cli_common.hpp"
#include "src/cli/model_figures_child.hpp"

namespace axial::cli {

namespace {

std::vector<std::string> split_keys(const std::string& s) {
  std::vector<std::string> keys;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t comma = s.find(',', start);
    std::string k = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!k.empty() && k.front() == ' ') k.erase(k.begin());
    while (!k.empty() && k.back() == ' ') k.pop_back();
    if (k.empty()) throw Error(fmt::format("--group-by '{}': empty key", s));
    keys.push_back(k);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return keys;
}

}  // namespace

int run_report(const Args& args) {
  std::vector<std::string> inputs;
  std::string out, group_by, group_pattern, reference, title = "axial report";
  double compare_locality = 0.1;
  bool no_figures = false, quiet = false;
  reports::FigureStyle style;
  std::string model_figures = "first", distribution = "box";
  int threads = 1;
  po::options_description desc("axial report options");
  // clang-format off
  desc.add_options()
    ("out", po::value(&out), "output directory (created if missing)")
    ("group-by", po::value(&group_by),
     "comma-separated keys to group runs by (training options, results.json keys, settings.*; dotted paths "
     "allowed). Default: the training config minus seeds and run-only options, plus data set and protocol")
    ("group-pattern", po::value(&group_pattern)->value_name("REGEX"),
     "group by the first capture group of this regular expression in each file's path (e.g. 'runs/([a-z0-9]+)_seed'); "
     "for `axial score` JSON outputs")
    ("reference", po::value(&reference), "add published reference columns: three-dots (Rhodes & Lee 2021)")
    ("compare-locality", po::value(&compare_locality)->default_value(compare_locality),
     "locality rho of the comparison table and the box plot")
    ("title", po::value(&title)->default_value(title), "title of report.md")
    ("no-figures", po::bool_switch(&no_figures), "skip every figure")
    ("distribution", po::value(&distribution)->default_value(distribution)->value_name("box|violin"),
     "the per-run figure at the comparison locality: box plots, or violins as the paper's Fig. 5 (both with every "
     "run as a point)")
    ("figure-width", po::value(&style.width_in)->default_value(style.width_in)->value_name("INCHES"),
     "figure width (3.5 = one column of a two-column paper; 7 = the full width)")
    ("dpi", po::value(&style.dpi)->default_value(style.dpi)->value_name("N"),
     "PNG resolution and that of the raster panels in SVG/PDF")
    ("model-figures", po::value(&model_figures)->default_value(model_figures)->value_name("first|all|none"),
     "decoder-Jacobian and traversal figures for runs with model/vae.pt: the first seed of each group, every run, "
     "or none (drawn by axial-torch)")
    ("threads", po::value(&threads)->default_value(threads), "LibTorch threads of the model figures")
    ("quiet", po::bool_switch(&quiet), "print nothing on success");
  // clang-format on
  po::options_description hidden;
  hidden.add_options()("runs", po::value(&inputs)->multitoken());
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description pos;
  pos.add("runs", -1);
  const std::string usage =
      "axial report RUN_DIR|results.json|score.json... --out DIR [--group-by KEYS | --group-pattern REGEX] "
      "[--reference three-dots] "
      "[--compare-locality 0.1] [--title T] [--no-figures] [--distribution box|violin] [--figure-width 3.5] [--dpi 300] "
      "[--model-figures first|all|none]\n\n"
      "Collects every results.json under the given directories (with the training config.json) and any results or\n"
      "`axial score --format json` files given by name, groups the runs,\n"
      "and writes DIR/runs.csv (tidy), summary.csv, comparisons.csv (Welch, Student, Mann-Whitney), report.json,\n"
      "report.md and figures/*.svg|pdf|png (with the decoder-Jacobian and traversal figures of runs that have\n"
      "model/vae.pt). See docs/reports.md.";
  if (wants_help(args)) {
    print_help(usage, desc);
    return 0;
  }
  const auto vm = parse(args, all, &pos);
  const bool vm_compare_defaulted = vm["compare-locality"].defaulted();
  const bool model_figures_defaulted = vm["model-figures"].defaulted();
  if (model_figures != "first" && model_figures != "all" && model_figures != "none")
    throw Error(fmt::format("--model-figures '{}': unknown (valid: first, all, none)", model_figures));
  if (threads < 1) throw Error(fmt::format("--threads {}: must be >= 1", threads));
  reports::validate_figure_style(style);
  const reports::Distribution shape = reports::parse_distribution(distribution);
  if (inputs.empty()) throw Error("no run directories given (usage: axial report RUN_DIR... --out DIR)");
  if (out.empty()) throw Error("--out DIR is required");
  if (!std::isfinite(compare_locality) || compare_locality <= 0)
    throw Error(fmt::format("--compare-locality {}: must be > 0", compare_locality));
  std::vector<std::filesystem::path> paths(inputs.begin(), inputs.end());
  std::vector<std::string> keys = group_by.empty() ? std::vector<std::string>{} : split_keys(group_by);
  reports::ReportOptions options;
  options.title = title;
  options.compare_locality = compare_locality;
  options.figures = !no_figures;
  options.figure_style = style;
  options.distribution = shape;
  options.reference = reference;
  if (!reference.empty()) reports::paper_reference(reference);  // validate before any work
  std::string cmd = "axial report";
  for (const auto& a : args) cmd += " " + a;
  options.command_line = cmd;
  auto files = reports::find_results_files(paths);
  if (!group_pattern.empty() && !keys.empty()) throw Error("--group-by and --group-pattern are mutually exclusive");
  reports::Collection c = reports::collect(files, keys, group_pattern);
  if (!vm_compare_defaulted) reports::require_evaluated_locality(c, compare_locality);
  for (const auto& w : c.warnings)
    if (!quiet) std::cerr << "axial: warning: " << w << "\n";
  if (!no_figures && model_figures != "none") {
    // One run per group (the smallest seed among the runs with a vae.pt), or every such run.
    std::vector<ModelFigureJob> jobs;
    for (const auto& g : c.groups) {
      std::vector<std::size_t> with_vae;
      for (std::size_t r : g.runs)
        if (!vae_training_dir(c.runs[r]).empty()) with_vae.push_back(r);
      std::stable_sort(with_vae.begin(), with_vae.end(), [&](std::size_t a, std::size_t b) {
        const auto& sa = c.runs[a].seed;
        const auto& sb = c.runs[b].seed;
        return sa.is_number() && sb.is_number() ? sa.get<double>() < sb.get<double>() : false;
      });
      if (model_figures == "first" && with_vae.size() > 1) with_vae.resize(1);
      for (std::size_t r : with_vae) {
        std::string prefix = c.runs[r].id;
        for (char& ch : prefix)
          if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '.') ch = '_';
        const std::string seed = c.runs[r].seed.is_null() ? c.runs[r].id : c.runs[r].seed.dump();
        jobs.push_back({vae_training_dir(c.runs[r]), prefix + "_", fmt::format("{} (seed {})", g.label, seed)});
      }
    }
    if (!jobs.empty()) {
      const bool have_torch = std::filesystem::exists(self_binary().parent_path() / "axial-torch");
      if (!have_torch && model_figures_defaulted) {
        if (!quiet)
          std::cerr << fmt::format("axial: warning: {} runs have model/vae.pt but this build has no axial-torch, so "
                                   "their model figures are skipped (--model-figures none silences this)\n",
                                   jobs.size());
      } else {
        if (!quiet) std::cerr << fmt::format("report: drawing the model figures of {} runs\n", jobs.size());
        options.extra_figures = draw_model_figures_in_children(jobs, out, style, threads, "--model-figures");
      }
    }
  }
  auto written = reports::write_report(c, out, options);
  if (!quiet)
    std::cout << fmt::format("report: {} runs in {} groups -> {}/report.md ({} files)\n", c.runs.size(),
                             c.groups.size(), out, written.size());
  return 0;
}

}  // namespace axial::cli
