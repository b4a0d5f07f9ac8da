// `axial`: the command line without LibTorch. Runs data, score, report, sweep and reproduce itself and executes
// the sibling `axial-torch` for the torch commands (train, eval, figures) with the same arguments.
// Errors are one line on stderr: exit 2 for bad usage or bad input (axial::Error), 1 for internal failures.
#include "src/cli/commands.hpp"
#include "src/core/process.hpp"

namespace {

int run_command(const axial::cli::Command& c, const axial::cli::Args& args) {
  if (c.host == axial::cli::Host::kCore) return c.run(args);
  const auto torch =
      axial::sibling_binary(axial::cli::kTorchExecutable, std::string("`axial ") + c.name + "`");
  std::vector<std::string> argv = {c.name};
  argv.insert(argv.end(), args.begin(), args.end());
  axial::exec_program(torch, argv);
}

}  // namespace

int main(int argc, char** argv) { return axial::cli::main_dispatch(argc, argv, run_command); }
