#pragma once
// Reading JSON result/config files with errors that name the file.
#include <filesystem>
#include <nlohmann/json.hpp>

namespace axial::reports {

// Parses the JSON file at `path`; throws axial::Error naming the file when it is missing or malformed.
nlohmann::json read_json_file(const std::filesystem::path& path);

}  // namespace axial::reports
