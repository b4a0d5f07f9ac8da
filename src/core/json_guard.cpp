#include "src/core/json_guard.hpp"

#include <fmt/core.h>

#include <fstream>
#include <sstream>

#include "src/core/error.hpp"
#include "src/core/paths.hpp"

namespace axial {

int json_nesting_depth(const std::string& text) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest) deepest = depth;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

std::string read_json_text(const std::filesystem::path& path) {
  refuse_directory(path, fmt::format("'{}'", path.string()));  // an ifstream opens a directory and reads nothing
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("cannot open '{}'", path.string()));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  const int depth = json_nesting_depth(text);
  if (depth > kMaxJsonDepth)
    throw Error(fmt::format("'{}' is not valid JSON for axial: nested {} levels deep (at most {})", path.string(),
                            depth, kMaxJsonDepth));
  return text;
}

}  // namespace axial
