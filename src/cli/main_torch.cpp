// `axial-torch`: the commands that need LibTorch (train, eval, figures). `axial` executes it for them; run
// directly it takes the same arguments (`axial-torch train …`). Commands of the torch-free `axial` are refused.
#include <fmt/core.h>

#include <cstring>

#include "src/cli/commands.hpp"
#include "src/core/error.hpp"

namespace {

int run_command(const axial::cli::Command& c, const axial::cli::Args& args) {
  using namespace axial::cli;
  if (std::strcmp(c.name, "train") == 0) return run_train(args);
  if (std::strcmp(c.name, "eval") == 0) return run_eval(args);
  if (std::strcmp(c.name, "figures") == 0) return run_figures(args);
  if (std::strcmp(c.name, "check-plan") == 0) return run_check_plan(args);
  throw axial::Error(fmt::format("`{}` is run by `axial`, not axial-torch (try `axial {}`)", c.name, c.name));
}

}  // namespace

int main(int argc, char** argv) { return axial::cli::main_dispatch(argc, argv, run_command); }
