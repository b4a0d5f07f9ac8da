#include "src/core/progress.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <ostream>

namespace axial {

using Clock = std::chrono::steady_clock;

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  const auto total = static_cast<long>(std::lround(s));
  if (total >= 3600) return fmt::format("{}h{:02}m", total / 3600, (total % 3600) / 60);
  if (total >= 60) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}s", total);
}

std::string format_rate(double r) {
  if (!std::isfinite(r) || r < 0) return "?";
  if (r >= 100) return fmt::format("{:.0f}", r);
  if (r >= 1) return fmt::format("{:.1f}", r);
  return fmt::format("{:.3f}", r);
}

Progress::Progress(std::ostream& os, std::string what, std::string unit, bool quiet)
    : os_(os), what_(std::move(what)), unit_(std::move(unit)), quiet_(quiet) {
  tty_ = (&os == &std::cerr && isatty(fileno(stderr)) != 0) || (&os == &std::cout && isatty(fileno(stdout)) != 0);
  start_ = Clock::now();
  last_ = start_ - std::chrono::hours(1);
}

void Progress::start(std::int64_t total) { start(total, 0); }

void Progress::start(std::int64_t total, std::int64_t already_done) {
  total_ = total;
  done_ = first_ = already_done;
  start_ = Clock::now();
  last_ = start_ - std::chrono::hours(1);
}

double Progress::elapsed_seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

void Progress::update(std::int64_t n) { update_to(done_ + n); }

void Progress::update_to(std::int64_t done) {
  done_ = done;
  if (quiet_) return;
  const auto now = Clock::now();
  if (std::chrono::duration<double>(now - last_).count() < (tty_ ? 0.5 : 10.0)) return;
  if (elapsed_seconds() < silent_for_) return;
  last_ = now;
  print(false);
}

void Progress::finish() {
  if (quiet_ || (silent_for_ > 0 && !printed_)) return;
  print(true);
}

void Progress::print(bool final) {
  printed_ = true;
  const double elapsed = elapsed_seconds();
  const double rate = elapsed > 0 ? double(done_ - first_) / elapsed : 0.0;
  const double eta = rate > 0 ? double(total_ - done_) / rate : NAN;
  os_ << fmt::format("{}{} {}/{} {} ({:.0f}%), {} {}/s, ETA {}{}{}", tty_ ? "\r" : "", what_, done_, total_, unit_,
                     total_ > 0 ? 100.0 * double(done_) / double(total_) : 100.0, format_rate(rate), unit_,
                     format_duration(eta), detail_.empty() ? "" : ", " + detail_,
                     tty_ ? (final ? "\n" : "   ") : "\n")
      << std::flush;
}

}  // namespace axial
