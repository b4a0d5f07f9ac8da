#pragma once
// The `axial` subcommands. Each lives in its own src/cli/cmd_<name>.cpp and takes the arguments after its name.
// Returns the process exit code. Throwing axial::Error means a usage/input error (exit 2).
//
// axial is two executables split where LibTorch starts (the one command table below says which runs what):
//   axial        data, score, report, sweep, reproduce, --help, --version   (links no LibTorch; starts in ms)
//   axial-torch  train, eval, figures                                       (links models/, i.e. LibTorch)
// `axial train …` executes `axial-torch train …` found next to its own binary (git-style; same arguments, the exit
// status is the child's); sweeps and reproduce spawn it for every training and evaluation step.
#include <string>
#include <vector>

namespace axial::cli {

using Args = std::vector<std::string>;

int run_data(const Args& args);
int run_data_convert(const Args& args);  // `axial data convert` (issue 7), called by run_data
int run_score(const Args& args);
int run_report(const Args& args);
int run_reproduce(const Args& args);
int run_sweep(const Args& args);
// In axial-torch only:
int run_train(const Args& args);
int run_eval(const Args& args);
int run_figures(const Args& args);
int run_check_plan(const Args& args);
// Parse and validate a train/eval command line without running it (axial::Error naming the option).
void check_train_args(const Args& args);
void check_eval_args(const Args& args);

enum class Host { kCore, kTorch };

struct Command {
  const char* name;
  Host host;                        // which executable runs it
  int (*run)(const Args&);          // kCore rows: the function; kTorch rows: nullptr (bound in main_torch.cpp)
  const char* summary;
};

// The one table of subcommands, read by both executables' dispatch and by `axial --help`.
const std::vector<Command>& command_table();

// The executable that runs the torch commands, found next to `axial`.
inline constexpr const char* kTorchExecutable = "axial-torch";

// Shared `main` body: dispatches args (after argv[0]) to `run_command(name, rest)`, prints the usage for
// --help/help/nothing and the version for --version, and turns exceptions into one `axial: error:` line
// (exit 2 for axial::Error, 1 for internal failures).
int main_dispatch(int argc, char** argv, int (*run_command)(const Command&, const Args&));

}  // namespace axial::cli
