#pragma once
// Checks on the paths a user names, so that a wrong kind of path is one clear error, not a misleading one ("no such
// file" for a directory) or an uncaught std::filesystem exception (exit 1) after the work is done.
#include <filesystem>
#include <string>

namespace axial {

// Throws axial::Error "<shown>: is a directory, expected a file" when `path` is a directory (`shown` is how the
// caller names it, e.g. "'x.npz'" or "file 'x.npz'"). Nothing otherwise: the caller reports a missing file itself.
void refuse_directory(const std::filesystem::path& path, const std::string& shown);

// Checks, before any work, that directory `dir` can exist: it is a directory already, or the nearest existing
// ancestor is one. Throws axial::Error "<option> '<dir>': '<ancestor>' is a file, not a directory" otherwise.
void check_output_directory(const std::filesystem::path& dir, const std::string& option);

// check_output_directory, then creates `dir` with its parents; a failure (permissions, a full disk) is an
// axial::Error naming the option, the directory and the reason.
void create_output_directory(const std::filesystem::path& dir, const std::string& option);

}  // namespace axial
