#pragma once
// Helpers shared by the subcommands: Boost.Program_options parsing that turns every parse failure into one
// axial::Error line, and `--help` printing.
#include <boost/program_options.hpp>
#include <string>

#include "src/cli/commands.hpp"

namespace axial::cli {

namespace po = boost::program_options;

// Parses `args` against `options` (plus positional ones). Unknown options, missing values and bad values
// become axial::Error naming the option. Returns the variables map (notify() already called).
po::variables_map parse(const Args& args, const po::options_description& options,
                        const po::positional_options_description* positional = nullptr);

// True if args contain -h or --help (checked before parsing so required options do not complain).
bool wants_help(const Args& args);

// Prints "Usage: <usage>\n\n<options>" to stdout.
void print_help(const std::string& usage, const po::options_description& options);

// A subcommand whose issue has not landed: prints one line and returns 2.
int not_yet(const std::string& what, int issue);

}  // namespace axial::cli
