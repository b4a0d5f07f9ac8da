#pragma once
// A memory budget checked from declared sizes before allocating: a typo-sized option (--num 2000000000) or a file
// declaring 2^40 rows is one error naming the option or file and the size, not std::bad_alloc after minutes.
#include <cstdint>
#include <string>

namespace axial {

// Physical memory of this machine in bytes (sysconf), or 0 if unknown.
std::uint64_t physical_memory_bytes();

// Throws axial::Error "<what>: needs <bytes> of memory, more than this machine's <total>" when `bytes` exceeds the
// physical memory (or is not finite). `what` names the option or file, e.g. "--num 2000000000 (factor rows)".
void require_memory(double bytes, const std::string& what);

// "1.5 GB", "640 MB", "12 kB".
std::string format_bytes(double bytes);

}  // namespace axial
