#include "src/core/paths.hpp"

#include <fmt/core.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "src/core/error.hpp"

namespace axial {

namespace fs = std::filesystem;

void refuse_directory(const fs::path& path, const std::string& shown) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw Error(fmt::format("{}: is a directory, expected a file", shown));
}

void check_output_directory(const fs::path& dir, const std::string& option) {
  for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) return;
      throw Error(p == dir ? fmt::format("{} '{}': is a file, not a directory", option, dir.string())
                           : fmt::format("{} '{}': '{}' is a file, not a directory", option, dir.string(), p.string()));
    }
    if (errno != ENOENT && errno != ENOTDIR)
      throw Error(fmt::format("{} '{}': cannot use '{}' ({})", option, dir.string(), p.string(), std::strerror(errno)));
    if (p == p.parent_path()) return;
  }
}

void create_output_directory(const fs::path& dir, const std::string& option) {
  check_output_directory(dir, option);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error(fmt::format("{} '{}': cannot create the directory ({})", option, dir.string(), ec.message()));
}

}  // namespace axial
