// The `axial` command line: dispatches to one subcommand. Errors are one line on stderr:
//   exit 2 for bad usage or bad input (axial::Error), 1 for internal failures.
#include <fmt/core.h>

#include <exception>
#include <iostream>
#include <string>

#include "axial/version.hpp"
#include "metrics/error.hpp"
#include "src/commands.hpp"

namespace {

void print_usage() {
  std::cout << "axial " << axial::kVersion
            << " — train VAEs with and without a Jacobian L1 penalty and measure disentanglement.\n\n"
               "Usage: axial <command> [options]    (axial <command> --help for its options)\n\n"
               "Commands:\n";
  for (const auto& c : axial::cli::command_table()) std::cout << fmt::format("  {:<10} {}\n", c.name, c.summary);
  std::cout << "\nOptions:\n  -h [ --help ]   this help\n  --version       print the version and exit\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
      print_usage();
      return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
      std::cout << "axial " << axial::kVersion << " (" << axial::kGitCommit << ")\n";
      return 0;
    }
    for (const auto& c : axial::cli::command_table()) {
      if (args[0] == c.name) return c.run(std::vector<std::string>(args.begin() + 1, args.end()));
    }
    std::string names;
    for (const auto& c : axial::cli::command_table()) names += std::string(names.empty() ? "" : ", ") + c.name;
    throw axial::Error(fmt::format("unknown command '{}' (valid: {})", args[0], names));
  } catch (const axial::Error& e) {
    std::cerr << "axial: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "axial: internal error: " << e.what() << "\n";
    return 1;
  }
}
