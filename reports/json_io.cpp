#include "reports/json_io.hpp"

#include <fmt/core.h>

#include <fstream>

#include "src/core/error.hpp"

namespace axial::reports {

nlohmann::json read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw Error(fmt::format("cannot open '{}'", path.string()));
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(fmt::format("'{}' is not valid JSON: {}", path.string(), e.what()));
  }
}

}  // namespace axial::reports
