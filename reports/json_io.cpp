#include "reports/json_io.hpp"

#include <fmt/core.h>

#include <fstream>

#include "src/core/error.hpp"
#include "src/core/json_guard.hpp"

namespace axial::reports {

nlohmann::json read_json_file(const std::filesystem::path& path) {
  const std::string text = read_json_text(path);  // refuses a nesting that would overflow the parser's stack
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for a number like 1e99999
    throw Error(fmt::format("'{}' is not valid JSON: {}", path.string(), e.what()));
  }
}

}  // namespace axial::reports
