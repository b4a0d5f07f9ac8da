#include "src/cli/option_table.hpp"

#include <fmt/core.h>

#include <cerrno>
#include <cmath>
#include <algorithm>
#include <cstdlib>
#include <limits>

#include "src/cli/cli_common.hpp"
#include "src/core/error.hpp"

namespace axial::cli {

namespace {
bool blank(const std::string& t) { return t.empty() || t.find_first_not_of(" \t") == std::string::npos; }
}  // namespace

namespace {
std::string range_text(long double lo, long double hi, bool lo_open, bool hi_open) {
  if (lo_open && hi_open) return "an integer";
  if (hi_open) return fmt::format("at least {}", static_cast<long long>(lo));
  if (lo_open) return fmt::format("at most {}", static_cast<long long>(hi));
  return "";
}
}  // namespace

std::int64_t parse_integer_option(const std::string& name, const std::string& text, std::int64_t lo,
                                  std::int64_t hi) {
  errno = 0;
  char* end = nullptr;
  const long long v = blank(text) ? 0 : std::strtoll(text.c_str(), &end, 10);
  if (blank(text) || end == nullptr || *end != '\0' || errno == ERANGE)
    throw Error(fmt::format("--{} '{}': not an integer", name, text));
  const bool lo_open = lo == std::numeric_limits<std::int64_t>::min() || lo == std::numeric_limits<int>::min();
  const bool hi_open = hi == std::numeric_limits<std::int64_t>::max() || hi == std::numeric_limits<int>::max();
  if (v < lo || v > hi) {
    const std::string want = range_text(lo, hi, lo_open, hi_open);
    throw Error(want.empty() ? fmt::format("--{} {}: must be between {} and {}", name, text, lo, hi)
                             : fmt::format("--{} {}: must be {}", name, text, want));
  }
  return v;
}

std::uint64_t parse_unsigned_option(const std::string& name, const std::string& text, std::uint64_t hi) {
  errno = 0;
  char* end = nullptr;
  if (text.find('-') != std::string::npos)
    throw Error(fmt::format("--{} {}: must be at least 0 (an unsigned integer)", name, text));
  const unsigned long long v = blank(text) ? 0 : std::strtoull(text.c_str(), &end, 10);
  if (blank(text) || end == nullptr || *end != '\0' || errno == ERANGE)
    throw Error(fmt::format("--{} '{}': not an unsigned integer (0 to {})", name, text, hi));
  if (v > hi) throw Error(fmt::format("--{} {}: must be at most {}", name, text, hi));
  return v;
}

double parse_real_option(const std::string& name, const std::string& text, double lo, double hi) {
  errno = 0;
  char* end = nullptr;
  const double v = blank(text) ? 0 : std::strtod(text.c_str(), &end);
  if (blank(text) || end == nullptr || *end != '\0' || !std::isfinite(v) || v < lo || v > hi) {
    const bool bounded = lo > -std::numeric_limits<double>::max() || hi < std::numeric_limits<double>::max();
    throw Error(bounded ? fmt::format("--{} {}: must be a number in [{}, {}]", name, text, lo, hi)
                        : fmt::format("--{} {}: must be a finite number", name, text));
  }
  return v;
}

const char* text_placeholder(const std::string& o) {
  if (o == "out" || o == "resume") return "DIR";
  if (o == "model") return "PATH";
  if (o == "dump-samples" || o == "dump-step") return "FILE";
  if (o == "dataset") return "SPEC";
  if (o == "device") return "DEV";
  if (o == "input-range") return "RANGE";
  return "NAME";
}

std::string default_text_of(double v) { return fmt::format("{}", v); }
std::string default_text_of(std::int64_t v) { return fmt::format("{}", v); }
std::string default_text_of(std::uint64_t v) { return fmt::format("{}", v); }

OptionTable& OptionTable::flag(const char* name, bool& field, const std::string& help, Role role) {
  desc_.add_options()(name, po::bool_switch(), help.c_str());
  rows_.push_back({name, role, true, [&field](const std::string&) { field = true; }});
  return *this;
}

OptionTable& OptionTable::custom(const char* name, const std::optional<std::string>& default_text,
                                 const std::string& help, std::function<void(const std::string&)> set, Role role,
                                 const char* value_name) {
  auto* v = po::value<std::string>();
  if (default_text) v->default_value(*default_text);
  if (value_name != nullptr) v->value_name(value_name);
  desc_.add_options()(name, v, help.c_str());
  rows_.push_back({name, role, false, std::move(set)});
  return *this;
}

OptionTable& OptionTable::hidden(const char* name, std::string& field) {
  hidden_.add_options()(name, po::value<std::string>());
  rows_.push_back({name, Role::kRun, false, [&field](const std::string& t) { field = t; }});
  return *this;
}

void OptionTable::parse(const Args& args, const po::positional_options_description* positional) {
  po::options_description all;
  all.add(desc_).add(hidden_);
  vm_ = cli::parse(args, all, positional);
  for (const auto& row : rows_) {
    if (!vm_.count(row.name) || vm_[row.name].defaulted()) continue;
    if (row.is_flag) {
      if (!vm_[row.name].as<bool>()) continue;
      row.set("");
    } else {
      row.set(vm_[row.name].as<std::string>());
    }
    given_.push_back(row.name);
  }
}

bool OptionTable::given(const std::string& name) const {
  return std::find(given_.begin(), given_.end(), name) != given_.end();
}

std::vector<std::string> OptionTable::given_names(Role role) const {
  std::vector<std::string> out;
  for (const auto& row : rows_)
    if (row.role == role && given(row.name)) out.push_back(row.name);
  return out;
}

std::vector<std::string> OptionTable::config_keys(Role role) const {
  std::vector<std::string> out;
  for (const auto& row : rows_) {
    if (row.role != role) continue;
    std::string k = row.name;
    std::replace(k.begin(), k.end(), '-', '_');
    out.push_back(k);
  }
  return out;
}

}  // namespace axial::cli
