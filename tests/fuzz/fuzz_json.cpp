// libFuzzer target: the JSON readers — `axial report`'s results.json reader (reports/aggregate load_run:
// read_json_file with the nesting guard, the score-output conversion, EvalResults::from_json) with the aggregation
// and the tables it feeds, and the sweep plan reader (src/pipelines/sweep_plan, .json and the .toml subset).
// (results.csv/.md are views of axial's own results only, written by eval; they never read a user's file.)
#include "reports/aggregate.hpp"
#include "reports/report_writer.hpp"
#include "src/pipelines/sweep_plan.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = axial::fuzz::write_input(data, size, ".json");
  axial::fuzz::expect_clean([&] {
    axial::reports::Run run = axial::reports::load_run(path);
    const axial::reports::Collection c = axial::reports::aggregate({run}, {});
    axial::fuzz::expect_clean([&] { axial::reports::tidy_csv(c); });
    axial::fuzz::expect_clean([&] { axial::reports::summary_csv(c); });
  });
  axial::fuzz::expect_clean([&] { axial::pipelines::load_plan(path, axial::fuzz::input_dir() / "plan-out"); });
  axial::fuzz::expect_clean([&] {
    axial::pipelines::parse_toml_subset(std::string(reinterpret_cast<const char*>(data), size), "fuzz.toml");
  });
  return 0;
}
