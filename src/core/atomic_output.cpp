#include "src/core/atomic_output.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "src/core/error.hpp"

namespace axial {

AtomicOutput::AtomicOutput(std::filesystem::path target) : target_(std::move(target)) {
  if (target_.empty()) throw Error("empty output path");
  auto dir = target_.has_parent_path() ? target_.parent_path() : std::filesystem::path(".");
  if (!std::filesystem::is_directory(dir))
    throw Error(fmt::format("output directory '{}' does not exist (for '{}')", dir.string(), target_.string()));
  temp_ = dir / fmt::format(".{}.tmp-{}", target_.filename().string(), static_cast<long>(::getpid()));
}

AtomicOutput::~AtomicOutput() {
  if (!committed_) {
    std::error_code ec;
    std::filesystem::remove(temp_, ec);
  }
}

void AtomicOutput::commit() {
  std::error_code ec;
  std::filesystem::rename(temp_, target_, ec);
  if (ec) throw Error(fmt::format("cannot write '{}': {}", target_.string(), ec.message()));
  committed_ = true;
}

void write_file_atomically(const std::filesystem::path& target, const std::string& contents) {
  AtomicOutput out(target);
  {
    std::ofstream f(out.temp_path(), std::ios::binary | std::ios::trunc);
    if (!f) throw Error(fmt::format("cannot open '{}' for writing", out.temp_path().string()));
    f.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    if (!f) throw Error(fmt::format("cannot write '{}'", out.temp_path().string()));
  }
  out.commit();
}

}  // namespace axial
