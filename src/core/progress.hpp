#pragma once
// The one progress reporter of every long command (data generate/convert, eval, train, sweep): done/total, rate
// and ETA on stderr, redrawn in place on a terminal (every 0.5 s) and as plain lines otherwise (every 10 s);
// `quiet` silences it. And the one duration formatter ("42s", "3m07s", "2h05m").
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace axial {

// "42s", "3m07s", "2h05m"; "?" for a negative or non-finite value.
std::string format_duration(double seconds);

// A rate with a sensible number of digits: 3127 → "3127", 12.34 → "12.3", 0.4567 → "0.457".
std::string format_rate(double per_second);

class Progress {
 public:
  // Lines read "<what> <done>/<total> <unit> (<pct>%), <rate> <unit>/s, ETA <eta>", e.g.
  // "axial eval: encoded 5120/1027000 images (0%), 3127 images/s, ETA 5m27s".
  Progress(std::ostream& os, std::string what, std::string unit, bool quiet);
  // True when the stream is a terminal (lines then overwrite each other with '\r').
  bool tty() const { return tty_; }

  void start(std::int64_t total);  // (re)starts the clock; `done` counts from `already_done` (resumed work)
  void start(std::int64_t total, std::int64_t already_done);
  void update(std::int64_t n);     // n more done; prints when the interval has passed
  void update_to(std::int64_t done);  // the same with the total done so far
  // Extra text at the end of the line from now on (e.g. "loss 2901.56").
  void set_detail(std::string detail) { detail_ = std::move(detail); }
  // Work that finishes within `seconds` prints nothing at all (data commands on small inputs).
  void silent_for(double seconds) { silent_for_ = seconds; }
  void finish();                   // prints the final state (and ends the terminal line)

  std::int64_t total() const { return total_; }
  std::int64_t done() const { return done_; }
  double elapsed_seconds() const;

 private:
  void print(bool final);
  std::ostream& os_;
  std::string what_, unit_, detail_;
  bool quiet_, tty_;
  bool printed_ = false;
  double silent_for_ = 0.0;
  std::int64_t total_ = 0, done_ = 0, first_ = 0;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace axial
