#include "src/cli/commands.hpp"

#include <fmt/core.h>

#include <exception>
#include <iostream>

#include "axial/version.hpp"
#include "src/core/error.hpp"

namespace axial::cli {

const std::vector<Command>& command_table() {
  static const std::vector<Command> table = {
      {"data", Host::kCore, run_data, "generate, sample, inspect and convert ground-truth data sets"},
      {"score", Host::kCore, run_score,
       "score codes and factors from a file (MIG, modularity, explicitness, SAP, local variants)"},
      {"train", Host::kTorch, nullptr, "train a beta-VAE, JL1-VAE or JL2-VAE"},
      {"eval", Host::kTorch, nullptr, "evaluate an encoder on the paper's protocol"},
      {"report", Host::kCore, run_report, "aggregate eval/train directories into tables and figures"},
      {"reproduce", Host::kCore, run_reproduce, "reproduce the paper's three-dots experiment end to end"},
      {"sweep", Host::kCore, run_sweep, "expand a grid of runs; run locally or write a Slurm array script"},
      {"figures", Host::kTorch, nullptr, "draw the decoder Jacobian and latent traversal figures of a trained VAE"},
      {"check-plan", Host::kTorch, nullptr,
       "validate the train and eval options of every run of a sweep plan (sweep runs it before anything starts)"},
  };
  return table;
}

namespace {

void print_usage() {
  std::cout << "axial " << kVersion
            << " — train VAEs with and without a Jacobian L1 penalty and measure disentanglement.\n\n"
               "Usage: axial <command> [options]    (axial <command> --help for its options)\n\n"
               "Commands:\n";
  for (const auto& c : command_table()) std::cout << fmt::format("  {:<10} {}\n", c.name, c.summary);
  std::cout << "\nOptions:\n  -h [ --help ]   this help\n  --version       print the version and exit\n";
}

}  // namespace

int main_dispatch(int argc, char** argv, int (*run_command)(const Command&, const Args&)) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
      print_usage();
      return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
      std::cout << "axial " << kVersion << " (" << kGitCommit << ")\n";
      return 0;
    }
    for (const auto& c : command_table()) {
      if (args[0] == c.name) return run_command(c, std::vector<std::string>(args.begin() + 1, args.end()));
    }
    std::string names;
    for (const auto& c : command_table()) names += std::string(names.empty() ? "" : ", ") + c.name;
    throw Error(fmt::format("unknown command '{}' (valid: {})", args[0], names));
  } catch (const Error& e) {
    std::cerr << "axial: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "axial: internal error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace axial::cli
