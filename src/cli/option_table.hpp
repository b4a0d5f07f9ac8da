#pragma once
// One row per command-line option (conventions §10): name, the field it sets, its default (the field's value when
// the row is added), its constraint, its help, and whether it changes results (Role::kResult) or only how a run
// runs (Role::kRun). The table feeds Boost.Program_options (parsing and --help), validation (every number is read
// strictly — "-1" for an unsigned option, "5x" or "1e99" for an int are errors naming the option and the valid
// range), and the lists that resume and sweeps need (which result options were given).
#include <boost/program_options.hpp>

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "src/cli/commands.hpp"

namespace axial::cli {

namespace po = boost::program_options;

// kResult: changes what a run computes (part of a report's group key, refused on --resume);
// kFixed: fixed for a run's life but does not change its results (e.g. the log cadence: refused on --resume, left
//         out of group keys); kRun: how it runs (device, threads, output paths; free on --resume).
enum class Role { kResult, kFixed, kRun };

template <class T>
struct NoDeduce {
  using type = T;
};

// Parses `text` as the whole of a T in [lo, hi]; throws axial::Error "--<name> <text>: must be …".
std::int64_t parse_integer_option(const std::string& name, const std::string& text, std::int64_t lo, std::int64_t hi);
std::uint64_t parse_unsigned_option(const std::string& name, const std::string& text, std::uint64_t hi);
double parse_real_option(const std::string& name, const std::string& text, double lo, double hi);

class OptionTable {
 public:
  explicit OptionTable(const std::string& caption) : desc_(caption) {}

  // A numeric or text option bound to `field`; the default is the field's current value. Numbers are checked
  // against [lo, hi] (integers: their type's range when not given).
  template <class T>
  OptionTable& add(const char* name, T& field, const std::string& help, Role role = Role::kResult,
                   std::optional<typename NoDeduce<T>::type> lo = std::nullopt,
                   std::optional<typename NoDeduce<T>::type> hi = std::nullopt);
  // A switch (false by default).
  OptionTable& flag(const char* name, bool& field, const std::string& help, Role role = Role::kRun);
  // An option read by `set` from its text (lists, paths, …); no default_text = no default shown.
  OptionTable& custom(const char* name, const std::optional<std::string>& default_text, const std::string& help,
                      std::function<void(const std::string&)> set, Role role = Role::kResult,
                      const char* value_name = "LIST");
  // The "-h [ --help ]" line of --help (parsing never sees it: callers check wants_help first).
  OptionTable& help_line(const char* text) {
    desc_.add_options()("help,h", text);
    return *this;
  }
  // Options parsed but not listed in --help (positional arguments).
  OptionTable& hidden(const char* name, std::string& field);

  const po::options_description& description() const { return desc_; }

  // Parses `args`: unknown options, missing values → axial::Error; then every option given on the command line is
  // converted into its field (in table order). Options not given keep their field's value.
  void parse(const Args& args, const po::positional_options_description* positional = nullptr);
  bool given(const std::string& name) const;
  // The names of the options of `role` given on the command line, in table order.
  std::vector<std::string> given_names(Role role) const;
  // The names of every option of `role`, in table order, with '-' written '_' (their config.json keys).
  std::vector<std::string> config_keys(Role role) const;

 private:
  struct Row {
    std::string name;
    Role role;
    bool is_flag;
    std::function<void(const std::string&)> set;
  };
  po::options_description desc_;
  po::options_description hidden_;
  std::vector<Row> rows_;
  po::variables_map vm_;
  std::vector<std::string> given_;
};

// --- template ---------------------------------------------------------------------------------------------------
// The --help placeholder of a text option, by what it names: DIR, PATH, FILE, SPEC, LIST, NAME.
const char* text_placeholder(const std::string& option);
std::string default_text_of(double v);
std::string default_text_of(std::int64_t v);
std::string default_text_of(std::uint64_t v);
inline std::string default_text_of(const std::string& v) { return v; }

template <class T>
OptionTable& OptionTable::add(const char* name, T& field, const std::string& help, Role role,
                              std::optional<typename NoDeduce<T>::type> lo,
                              std::optional<typename NoDeduce<T>::type> hi) {
  std::function<void(const std::string&)> set;
  std::optional<std::string> def;
  const std::string n = name;
  const char* placeholder = "N";
  if constexpr (std::is_same_v<T, std::string>) {
    set = [&field](const std::string& t) { field = t; };
    if (!field.empty()) def = field;
    placeholder = text_placeholder(n);
  } else if constexpr (std::is_same_v<T, double> || std::is_same_v<T, float>) {
    const double l = lo ? double(*lo) : -std::numeric_limits<double>::max();
    const double h = hi ? double(*hi) : std::numeric_limits<double>::max();
    set = [&field, n, l, h](const std::string& t) { field = static_cast<T>(parse_real_option(n, t, l, h)); };
    def = default_text_of(double(field));
    placeholder = "X";
  } else if constexpr (std::is_unsigned_v<T>) {
    const std::uint64_t h = hi ? std::uint64_t(*hi) : std::uint64_t(std::numeric_limits<T>::max());
    set = [&field, n, h](const std::string& t) { field = static_cast<T>(parse_unsigned_option(n, t, h)); };
    def = default_text_of(std::uint64_t(field));
  } else {
    static_assert(std::is_integral_v<T>, "OptionTable::add: numbers and strings only");
    const std::int64_t l = lo ? std::int64_t(*lo) : std::int64_t(std::numeric_limits<T>::min());
    const std::int64_t h = hi ? std::int64_t(*hi) : std::int64_t(std::numeric_limits<T>::max());
    set = [&field, n, l, h](const std::string& t) { field = static_cast<T>(parse_integer_option(n, t, l, h)); };
    def = default_text_of(std::int64_t(field));
  }
  return custom(name, def, help, std::move(set), role, placeholder);
}

}  // namespace axial::cli
