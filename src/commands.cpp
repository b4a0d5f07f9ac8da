#include "src/commands.hpp"

namespace axial::cli {

const std::vector<Command>& command_table() {
  static const std::vector<Command> table = {
      {"data", run_data, "generate, sample, inspect and convert ground-truth data sets"},
      {"score", run_score, "score codes and factors from a file (MIG, modularity, explicitness, SAP, local variants)"},
      {"train", run_train, "train a beta-VAE, JL1-VAE or JL2-VAE"},
      {"eval", run_eval, "evaluate an encoder on the paper's protocol"},
      {"report", run_report, "aggregate eval/train directories into tables and figures"},
      {"reproduce", run_reproduce, "reproduce the paper's three-dots experiment end to end"},
      {"sweep", run_sweep, "expand a grid of runs; run locally or write a Slurm array script"},
  };
  return table;
}

}  // namespace axial::cli
