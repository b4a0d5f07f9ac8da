#include "src/core/memory.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cmath>

#include "src/core/error.hpp"

namespace axial {

std::uint64_t physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), size = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || size <= 0) return 0;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(size);
}

std::string format_bytes(double b) {
  if (!std::isfinite(b)) return "an unbounded amount";
  if (b >= 1e9) return fmt::format("{:.1f} GB", b / 1e9);
  if (b >= 1e6) return fmt::format("{:.0f} MB", b / 1e6);
  return fmt::format("{:.0f} kB", b / 1e3);
}

void require_memory(double bytes, const std::string& what) {
  const std::uint64_t total = physical_memory_bytes();
  if (!std::isfinite(bytes) || (total > 0 && bytes > double(total)))
    throw Error(fmt::format("{}: needs {} of memory, more than this machine's {}", what, format_bytes(bytes),
                            total > 0 ? format_bytes(double(total)) : "unknown amount"));
}

}  // namespace axial
