#pragma once
// JSON files are parsed by nlohmann::json, which recurses once per nesting level: a valid file nested 100,000 deep
// overflows the stack (a segfault, not an error). read_json_text reads a file whole and refuses nesting deeper than
// kMaxJsonDepth (no axial file comes near it) with an error naming the file, before anything parses it.
#include <filesystem>
#include <string>

namespace axial {

inline constexpr int kMaxJsonDepth = 256;

// The deepest [ / { nesting of `text`, brackets inside strings not counted.
int json_nesting_depth(const std::string& text);

// The whole file as text; axial::Error naming the file when it cannot be read or nests deeper than kMaxJsonDepth.
std::string read_json_text(const std::filesystem::path& path);

}  // namespace axial
