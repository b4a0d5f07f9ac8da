#include "src/cli/cli_common.hpp"

#include <fmt/core.h>

#include <iostream>

#include "src/core/error.hpp"

namespace axial::cli {

po::variables_map parse(const Args& args, const po::options_description& options,
                        const po::positional_options_description* positional) {
  po::variables_map vm;
  try {
    auto parser = po::command_line_parser(args).options(options);
    if (positional != nullptr) parser.positional(*positional);
    po::store(parser.run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw Error(e.what());
  }
  return vm;
}

bool wants_help(const Args& args) {
  for (const auto& a : args)
    if (a == "-h" || a == "--help") return true;
  return false;
}

void print_help(const std::string& usage, const po::options_description& options) {
  std::cout << "Usage: " << usage << "\n\n" << options << std::flush;
}

int not_yet(const std::string& what, int issue) {
  std::cerr << fmt::format("axial: error: `axial {}` is not implemented yet (issue #{})\n", what, issue);
  return 2;
}

}  // namespace axial::cli
