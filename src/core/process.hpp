#pragma once
// Child processes and the executables beside this one. axial is two executables split where LibTorch starts:
// `axial` (no LibTorch) and `axial-torch` (train, eval, figures) in the same directory; `axial` runs the sibling
// for the torch commands, and the sweep runner and `reproduce` spawn it for every training/evaluation step.
#include <filesystem>
#include <string>
#include <vector>

namespace axial {

// The path of the running binary (/proc/self/exe).
std::filesystem::path self_binary();

// `name` in the directory of the running binary; throws axial::Error naming the path and `needed_for` (e.g.
// "`axial train`") when it does not exist.
std::filesystem::path sibling_binary(const std::string& name, const std::string& needed_for);

// Runs `program` with `args` (argv[1..]) and waits; stdin, stdout and stderr are inherited. Returns the exit code,
// or 128 + signal number when the child was killed by a signal. Throws axial::Error when it cannot start.
int spawn_and_wait(const std::filesystem::path& program, const std::vector<std::string>& args);

// Replaces this process by `program` with argv = {program, args...} (git-style dispatch: the exit status and signals
// are the child's own). Returns only by throwing axial::Error.
[[noreturn]] void exec_program(const std::filesystem::path& program, const std::vector<std::string>& args);

}  // namespace axial
