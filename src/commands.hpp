#pragma once
// The `axial` subcommands. Each lives in its own src/cmd_<name>.cpp and takes the arguments after its name.
// Returns the process exit code. Throwing axial::Error means a usage/input error (exit 2).
#include <string>
#include <vector>

namespace axial::cli {

using Args = std::vector<std::string>;

int run_data(const Args& args);
int run_data_convert(const Args& args);  // `axial data convert` (issue 7), called by run_data
int run_score(const Args& args);
int run_train(const Args& args);
int run_eval(const Args& args);
int run_report(const Args& args);
int run_reproduce(const Args& args);
int run_sweep(const Args& args);

struct Command {
  const char* name;
  int (*run)(const Args&);
  const char* summary;
};

// The one table of subcommands, read by dispatch and by `axial --help`.
const std::vector<Command>& command_table();

}  // namespace axial::cli
