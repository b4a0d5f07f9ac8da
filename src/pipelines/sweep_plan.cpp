#include "src/pipelines/sweep_plan.hpp"

#include <fmt/core.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <cctype>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "axial/version.hpp"
#include "src/core/atomic_output.hpp"
#include "src/core/error.hpp"
#include "src/core/json_guard.hpp"

namespace axial::pipelines {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------- TOML subset

namespace {

struct TomlParser {
  const std::string& text;
  const std::string& file;
  std::size_t pos = 0;
  int line = 1;

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(fmt::format("{}:{}: {}", file, line, what));
  }
  bool at_end() const { return pos >= text.size(); }
  char peek() const { return at_end() ? '\0' : text[pos]; }
  void skip_spaces() {
    while (!at_end() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
  }
  void skip_comment() {
    if (peek() == '#')
      while (!at_end() && text[pos] != '\n') ++pos;
  }
  // Spaces, comments and newlines (inside arrays).
  void skip_all() {
    while (!at_end()) {
      skip_spaces();
      skip_comment();
      if (peek() == '\n') {
        ++pos, ++line;
      } else if (peek() == '\r') {
        ++pos;
      } else {
        break;
      }
    }
  }
  void end_of_line() {
    skip_spaces();
    skip_comment();
    if (peek() == '\r') ++pos;
    if (at_end()) return;
    if (peek() != '\n') fail(fmt::format("unexpected '{}' after the value", peek()));
    ++pos, ++line;
  }
  std::string bare_or_quoted_key() {
    skip_spaces();
    if (peek() == '"' || peek() == '\'') return string_value();
    std::size_t start = pos;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(text[pos])) || text[pos] == '_' || text[pos] == '-'))
      ++pos;
    if (pos == start) fail("expected a key");
    if (peek() == '.') fail("dotted keys are not supported (quote the key: \"eval.bins\" = ...)");
    return text.substr(start, pos - start);
  }
  std::string string_value() {
    char q = text[pos++];
    if (text.compare(pos, 2, std::string(2, q)) == 0) fail("multi-line strings are not supported");
    std::string s;
    while (true) {
      if (at_end() || peek() == '\n') fail("unterminated string");
      char c = text[pos++];
      if (c == q) break;
      if (c == '\\' && q == '"') {
        if (at_end()) fail("unterminated string");
        char e = text[pos++];
        switch (e) {
          case 'n': s += '\n'; break;
          case 't': s += '\t'; break;
          case '"': s += '"'; break;
          case '\\': s += '\\'; break;
          default: fail(fmt::format("unsupported escape \\{}", e));
        }
      } else {
        s += c;
      }
    }
    return s;
  }
  ordered_json scalar_or_array(bool in_array) {
    skip_spaces();
    char c = peek();
    if (c == '"' || c == '\'') return string_value();
    if (c == '[') {
      if (in_array) fail("nested arrays are not supported");
      ++pos;
      ordered_json arr = ordered_json::array();
      while (true) {
        skip_all();
        if (peek() == ']') {
          ++pos;
          break;
        }
        arr.push_back(scalar_or_array(true));
        skip_all();
        if (peek() == ',') {
          ++pos;
          continue;
        }
        if (peek() == ']') {
          ++pos;
          break;
        }
        fail("expected ',' or ']' in an array");
      }
      return arr;
    }
    if (c == '{') fail("inline tables are not supported");
    std::size_t start = pos;
    while (!at_end() && !std::isspace(static_cast<unsigned char>(text[pos])) && text[pos] != ',' && text[pos] != ']' &&
           text[pos] != '#')
      ++pos;
    std::string tok = text.substr(start, pos - start);
    if (tok == "true") return true;
    if (tok == "false") return false;
    std::string digits;
    for (char ch : tok)
      if (ch != '_') digits += ch;
    if (digits.empty()) fail("expected a value");
    bool is_int = digits.find_first_of(".eEinf") == std::string::npos;
    try {
      std::size_t used = 0;
      if (is_int) {
        long long v = std::stoll(digits, &used, 10);
        if (used == digits.size()) return v;
      } else {
        double v = std::stod(digits, &used);
        if (used == digits.size() && std::isfinite(v)) return v;
      }
    } catch (const std::exception&) {
    }
    fail(fmt::format("'{}' is not a string, number, boolean or array (dates are not supported)", tok));
  }
};

}  // namespace

ordered_json parse_toml_subset(const std::string& text, const std::string& filename) {
  TomlParser p{text, filename};
  ordered_json root = ordered_json::object();
  ordered_json* table = &root;
  std::set<std::string> tables;
  while (true) {
    p.skip_all();
    if (p.at_end()) break;
    if (p.peek() == '[') {
      ++p.pos;
      if (p.peek() == '[') p.fail("arrays of tables ([[...]]) are not supported");
      std::string name = p.bare_or_quoted_key();
      p.skip_spaces();
      if (p.peek() != ']') p.fail("expected ']' after the table name");
      ++p.pos;
      if (!tables.insert(name).second || root.contains(name)) p.fail(fmt::format("table [{}] defined twice", name));
      root[name] = ordered_json::object();
      table = &root[name];
      p.end_of_line();
      continue;
    }
    std::string key = p.bare_or_quoted_key();
    p.skip_spaces();
    if (p.peek() != '=') p.fail(fmt::format("expected '=' after key '{}'", key));
    ++p.pos;
    if (table->contains(key)) p.fail(fmt::format("key '{}' defined twice", key));
    (*table)[key] = p.scalar_or_array(false);
    p.end_of_line();
  }
  return root;
}

// ---------------------------------------------------------------------------------------------- plans

namespace {

const std::set<std::string> kTopKeys = {"name", "out", "grid", "variants", "train", "eval", "slurm", "report"};
const std::set<std::string> kSlurmKeys = {"partition", "account",      "qos",   "time",  "gpus", "cpus_per_task",
                                          "mem",       "max_parallel", "setup", "extra", "constraint"};
const std::set<std::string> kReportKeys = {"group_by", "reference", "compare_locality"};
// Set by the runner itself; a plan may not set them.
const std::set<std::string> kReservedTrain = {"out", "resume", "quiet"};
const std::set<std::string> kReservedEval = {"model", "out", "quiet"};

std::string option_name(const std::string& key) {
  std::string s = key;
  for (char& c : s)
    if (c == '_') c = '-';
  return s;
}

std::string scalar_text(const ordered_json& v, const std::string& where) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return v.dump();
  if (v.is_number_float()) {
    double d = v.get<double>();
    // Whole numbers as integers ("30", not "3e+01"), the rest in the shortest form that reads back exactly.
    if (std::isfinite(d) && std::fabs(d) < 1e15 && d == std::floor(d)) return fmt::format("{:.0f}", d);
    for (int prec = 1; prec <= 17; ++prec) {
      std::string s = fmt::format("{:.{}g}", d, prec);
      if (std::stod(s) == d) return s;
    }
    return v.dump();
  }
  throw Error(fmt::format("{}: expected a string or number, got {}", where, v.dump()));
}

void add_option(std::vector<std::string>& args, const std::string& key, const ordered_json& v,
                const std::string& where) {
  if (v.is_boolean()) {
    if (v.get<bool>()) args.push_back("--" + option_name(key));
    return;
  }
  args.push_back("--" + option_name(key));
  args.push_back(scalar_text(v, where));
}

std::string sanitise(const std::string& s) {
  std::string o;
  for (char c : s) o += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '+' || c == '-') ? c : '_';
  return o;
}

// "11-20" → [11..20].
ordered_json seed_range(const std::string& s, const std::string& where) {
  std::size_t dash = s.find('-', 1);
  try {
    if (dash != std::string::npos) {
      std::size_t u1 = 0, u2 = 0;
      long long a = std::stoll(s.substr(0, dash), &u1), b = std::stoll(s.substr(dash + 1), &u2);
      if (u1 == dash && u2 == s.size() - dash - 1 && a <= b && b - a < 100000) {
        ordered_json arr = ordered_json::array();
        for (long long v = a; v <= b; ++v) arr.push_back(v);
        return arr;
      }
    }
  } catch (const std::exception&) {
  }
  throw Error(fmt::format("{}: '{}' is not a seed range A-B (A <= B)", where, s));
}

}  // namespace

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+=./:,@%") ==
                        std::string::npos)
    return s;
  std::string q = "'";
  for (char c : s) q += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

SweepPlan expand_plan(const ordered_json& spec_in, const fs::path& base_dir) {
  if (!spec_in.is_object()) throw Error("plan: expected an object/table at the top level");
  for (auto& [k, v] : spec_in.items())
    if (!kTopKeys.count(k))
      throw Error(
          fmt::format("plan: unknown key '{}' (valid: name, out, grid, variants, train, eval, slurm, report)", k));
  ordered_json spec = spec_in;
  for (const char* t : {"grid", "train", "eval", "slurm", "report"}) {
    if (!spec.contains(t)) spec[t] = ordered_json::object();
    if (!spec[t].is_object()) throw Error(fmt::format("plan: [{}] must be a table", t));
  }
  for (auto& [k, v] : spec["slurm"].items())
    if (!kSlurmKeys.count(k)) throw Error(fmt::format("plan: unknown [slurm] key '{}'", k));
  for (auto& [k, v] : spec["report"].items())
    if (!kReportKeys.count(k)) throw Error(fmt::format("plan: unknown [report] key '{}'", k));
  SweepPlan plan;
  plan.name = spec.value("name", std::string("sweep"));
  if (plan.name.empty()) throw Error("plan: name is empty");
  if (!spec.contains("out") || !spec["out"].is_string() || spec["out"].get<std::string>().empty())
    throw Error("plan: no output directory (set out = \"DIR\" in the plan or pass --out DIR)");
  fs::path out = spec["out"].get<std::string>();
  if (out.is_relative()) out = base_dir / out;
  plan.out = fs::absolute(out).lexically_normal();
  spec["out"] = plan.out.string();

  // Grid: normalise every value to a non-empty array of scalars.
  std::vector<std::pair<std::string, ordered_json>> axes;
  for (auto& [k, v] : spec["grid"].items()) {
    std::string where = fmt::format("plan [grid] {}", k);
    ordered_json values = v;
    if (v.is_string() && (k == "seed" || k == "data_seed" || k == "data-seed") &&
        v.get<std::string>().find('-', 1) != std::string::npos)
      values = seed_range(v.get<std::string>(), where);
    if (!values.is_array()) values = ordered_json::array({values});
    if (values.empty()) throw Error(fmt::format("{}: empty list", where));
    for (const auto& x : values) scalar_text(x.is_boolean() ? ordered_json(1) : x, where);
    std::string bare = k.rfind("eval.", 0) == 0 ? k.substr(5) : k;
    const auto& reserved = k.rfind("eval.", 0) == 0 ? kReservedEval : kReservedTrain;
    if (reserved.count(bare) || reserved.count(option_name(bare)))
      throw Error(fmt::format("{}: '{}' is set by axial sweep itself", where, bare));
    spec["grid"][k] = values;
    axes.emplace_back(k, values);
  }
  for (const char* t : {"train", "eval"})
    for (auto& [k, v] : spec[t].items()) {
      const auto& reserved = std::string(t) == "train" ? kReservedTrain : kReservedEval;
      if (reserved.count(k) || reserved.count(option_name(k)))
        throw Error(fmt::format("plan [{}] {}: set by axial sweep itself", t, k));
      if (v.is_array() || v.is_object())
        throw Error(fmt::format("plan [{}] {}: must be a single value (put lists under [grid])", t, k));
    }
  // Variants (JSON plans): a list of {"name": ..., "train": {...}, "eval": {...}}, each crossed with the grid.
  struct Variant {
    std::string name;
    ordered_json train, eval;
  };
  std::vector<Variant> variants;
  if (spec.contains("variants")) {
    const auto& vs = spec["variants"];
    if (!vs.is_array() || vs.empty()) throw Error("plan: variants must be a non-empty list of objects");
    std::set<std::string> seen;
    for (const auto& v : vs) {
      if (!v.is_object() || !v.contains("name") || !v["name"].is_string() || v["name"].get<std::string>().empty())
        throw Error("plan: every variant needs a \"name\" (a non-empty string)");
      Variant var{v["name"].get<std::string>(), v.value("train", ordered_json::object()),
                  v.value("eval", ordered_json::object())};
      const std::string where = fmt::format("plan variant '{}'", var.name);
      if (sanitise(var.name) != var.name) throw Error(fmt::format("{}: the name must be letters, digits, . + -", where));
      if (!seen.insert(var.name).second) throw Error(fmt::format("{}: name used twice", where));
      for (auto& [k, x] : v.items())
        if (k != "name" && k != "train" && k != "eval")
          throw Error(fmt::format("{}: unknown key '{}' (valid: name, train, eval)", where, k));
      for (const char* t : {"train", "eval"}) {
        const ordered_json& part = std::string(t) == "train" ? var.train : var.eval;
        if (!part.is_object()) throw Error(fmt::format("{}: {} must be an object", where, t));
        const auto& reserved = std::string(t) == "train" ? kReservedTrain : kReservedEval;
        for (auto& [k, x] : part.items()) {
          if (reserved.count(k) || reserved.count(option_name(k)))
            throw Error(fmt::format("{} {} {}: set by axial sweep itself", where, t, k));
          if (x.is_array() || x.is_object()) throw Error(fmt::format("{} {} {}: must be a single value", where, t, k));
          if (spec[t].contains(k)) throw Error(fmt::format("{}: '{}' is both in the variant and in [{}]", where, k, t));
          const std::string gk = std::string(t) == "eval" ? "eval." + k : k;
          if (spec["grid"].contains(gk))
            throw Error(fmt::format("{}: '{}' is both in the variant and in [grid]", where, k));
        }
      }
      variants.push_back(std::move(var));
    }
  }
  const std::size_t variant_count = variants.empty() ? 1 : variants.size();
  std::size_t total = variant_count;
  for (auto& [k, v] : axes) {
    total *= v.size();
    if (total > 1000000) throw Error("plan: more than 1,000,000 runs");
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < total; ++i) {
    SweepRun run;
    run.index = i;
    run.values = ordered_json::object();
    // Mixed radix, last axis fastest (like itertools.product).
    const std::size_t grid_total = total / variant_count;
    const Variant* variant = variants.empty() ? nullptr : &variants[i / grid_total];
    std::size_t rem = i % grid_total;
    std::vector<std::size_t> digit(axes.size());
    for (std::size_t a = axes.size(); a-- > 0;) {
      digit[a] = rem % axes[a].second.size();
      rem /= axes[a].second.size();
    }
    std::vector<std::string> parts;
    if (variant) {
      run.values["variant"] = variant->name;
      parts.push_back(variant->name);
    }
    for (std::size_t a = 0; a < axes.size(); ++a) {
      const auto& v = axes[a].second[digit[a]];
      run.values[axes[a].first] = v;
      parts.push_back(sanitise(axes[a].first) + "-" +
                      sanitise(v.is_boolean() ? (v.get<bool>() ? "true" : "false") : scalar_text(v, axes[a].first)));
    }
    run.name = parts.empty() ? "run" : fmt::format("{}", fmt::join(parts, "_"));
    if (!names.insert(run.name).second)
      throw Error(fmt::format("plan: two runs would share the directory name '{}'", run.name));
    run.dir = plan.out / "runs" / run.name;
    run.train_dir = run.dir / "train";
    run.eval_dir = run.dir / "eval";
    // Train: fixed options, then grid values (grid wins on duplicates: reject instead, to avoid surprises).
    ordered_json train = spec["train"], eval = spec["eval"];
    if (variant) {
      for (auto& [k, v] : variant->train.items()) train[k] = v;
      for (auto& [k, v] : variant->eval.items()) eval[k] = v;
    }
    for (auto& [k, v] : run.values.items()) {
      if (variant && k == "variant") continue;
      bool is_eval = k.rfind("eval.", 0) == 0;
      ordered_json& target = is_eval ? eval : train;
      std::string bare = is_eval ? k.substr(5) : k;
      if (target.contains(bare))
        throw Error(fmt::format("plan: '{}' is both in [grid] and in [{}]", k, is_eval ? "eval" : "train"));
      target[bare] = v;
    }
    // The evaluated data set defaults to the trained one.
    if (!eval.contains("dataset") && train.contains("dataset")) eval["dataset"] = train["dataset"];
    run.train_args = {"--out", run.train_dir.string()};
    for (auto& [k, v] : train.items()) add_option(run.train_args, k, v, fmt::format("plan train option {}", k));
    run.eval_args = {"--model", run.train_dir.string(), "--out", run.eval_dir.string()};
    for (auto& [k, v] : eval.items()) add_option(run.eval_args, k, v, fmt::format("plan eval option {}", k));
    plan.runs.push_back(std::move(run));
  }
  plan.spec = spec;
  return plan;
}

SweepPlan load_plan(const fs::path& file, const fs::path& out_override) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(fmt::format("cannot open plan '{}'", file.string()));
  std::stringstream ss;
  ss << in.rdbuf();
  ordered_json spec;
  std::string ext = file.extension().string();
  if (ext == ".json") {
    if (json_nesting_depth(ss.str()) > kMaxJsonDepth)
      throw Error(fmt::format("'{}' is not valid JSON for axial: nested {} levels deep (at most {})", file.string(),
                              json_nesting_depth(ss.str()), kMaxJsonDepth));
    try {
      spec = ordered_json::parse(ss.str());
    } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for a number like 1e99999
      throw Error(fmt::format("'{}' is not valid JSON: {}", file.string(), e.what()));
    }
  } else if (ext == ".toml") {
    spec = parse_toml_subset(ss.str(), file.string());
  } else {
    throw Error(fmt::format("plan '{}': expected a .toml or .json file", file.string()));
  }
  if (!spec.is_object()) throw Error(fmt::format("plan '{}': expected an object at the top level", file.string()));
  if (!spec.contains("name")) spec["name"] = file.stem().string();
  if (!out_override.empty()) spec["out"] = fs::absolute(out_override).string();
  fs::path base = fs::absolute(file).parent_path();
  try {
    return expand_plan(spec, base);
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}", file.string(), e.what()));
  }
}

std::string slurm_script(const SweepPlan& plan, const std::string& axial_binary, const fs::path& plan_json) {
  const ordered_json& s = plan.spec["slurm"];
  auto get = [&](const char* k, const std::string& def) {
    return s.contains(k) ? scalar_text(s[k], fmt::format("plan [slurm] {}", k)) : def;
  };
  std::ostringstream o;
  std::size_t n = plan.runs.size();
  o << "#!/bin/bash\n";
  o << "#SBATCH --job-name=" << sanitise("axial-" + plan.name) << "\n";
  o << "#SBATCH --array=0-" << (n - 1);
  if (s.contains("max_parallel")) o << "%" << get("max_parallel", "");
  o << "\n";
  o << "#SBATCH --output=" << (plan.out / "slurm" / "%A_%a.out").string() << "\n";
  o << "#SBATCH --time=" << get("time", "24:00:00") << "\n";
  o << "#SBATCH --ntasks=1\n";
  o << "#SBATCH --cpus-per-task=" << get("cpus_per_task", "8") << "\n";
  o << "#SBATCH --mem=" << get("mem", "32G") << "\n";
  std::string gpus = get("gpus", "1");
  if (gpus != "0") o << "#SBATCH --gres=gpu:" << gpus << "\n";
  for (const char* k : {"partition", "account", "qos", "constraint"})
    if (s.contains(k)) o << "#SBATCH --" << k << "=" << get(k, "") << "\n";
  if (s.contains("extra"))
    for (const auto& e : s["extra"].is_array() ? s["extra"] : ordered_json::array({s["extra"]}))
      o << "#SBATCH " << scalar_text(e, "plan [slurm] extra") << "\n";
  o << "#\n# Generated by axial " << axial::kVersion << " (commit " << axial::kGitCommit << ") for plan '"
    << plan.name << "': " << n << " runs, one array task per train+eval run.\n";
  o << "# Submit:   sbatch " << shell_quote((plan.out / "sweep.sbatch").string()) << "\n";
  o << "# Then:     axial report " << shell_quote((plan.out / "runs").string()) << " --out "
    << shell_quote((plan.out / "report").string()) << "\n";
  o << "# Re-submitting is safe: finished runs are skipped, interrupted ones resume from their checkpoint.\n";
  o << "# index -> run directory (runs/<name>):\n";
  for (const auto& r : plan.runs) o << "#   " << r.index << "\t" << r.name << "\n";
  o << "set -euo pipefail\n";
  if (s.contains("setup"))
    for (const auto& line : s["setup"].is_array() ? s["setup"] : ordered_json::array({s["setup"]}))
      o << scalar_text(line, "plan [slurm] setup") << "\n";
  o << "AXIAL=\"${AXIAL:-" << axial_binary << "}\"\n";
  o << "exec \"$AXIAL\" sweep " << shell_quote(plan_json.string())
    << " --run-index \"$SLURM_ARRAY_TASK_ID\" --threads \"${SLURM_CPUS_PER_TASK:-1}\"\n";
  return o.str();
}

std::vector<fs::path> write_plan_files(const SweepPlan& plan, bool slurm, const std::string& axial_binary) {
  std::error_code ec;
  fs::create_directories(plan.out, ec);
  if (ec) throw Error(fmt::format("cannot create '{}': {}", plan.out.string(), ec.message()));
  std::vector<fs::path> files;
  fs::path plan_json = plan.out / "plan.json";
  write_file_atomically(plan_json, plan.spec.dump(2) + "\n");
  files.push_back(plan_json);
  if (slurm) {
    fs::create_directories(plan.out / "slurm", ec);
    fs::path script = plan.out / "sweep.sbatch";
    write_file_atomically(script, slurm_script(plan, axial_binary, plan_json));
    ::chmod(script.c_str(), 0755);
    files.push_back(script);
  }
  return files;
}

RunState run_state(const SweepRun& run) {
  std::error_code ec;
  if (fs::is_regular_file(run.eval_dir / "results.json", ec)) return RunState::kDone;
  if (fs::is_regular_file(run.train_dir / "config.json", ec)) return RunState::kPartial;
  return RunState::kNew;
}

}  // namespace axial::pipelines
