#include "metrics/score_sheet.hpp"

#include <fmt/core.h>

#include <cmath>
#include <stdexcept>

namespace axial {

ScoreEntry& ScoreSheet::push(const std::string& key, ScoreEntry::Kind kind) {
  if (find(key) != nullptr) throw std::logic_error("ScoreSheet: duplicate key " + key);
  entries_.emplace_back();
  entries_.back().key = key;
  entries_.back().kind = kind;
  return entries_.back();
}

void ScoreSheet::add_scalar(const std::string& key, double value, const std::string& note) {
  ScoreEntry& e = push(key, ScoreEntry::Kind::Scalar);
  e.scalar = value;
  e.note = note;
}
void ScoreSheet::add_integer(const std::string& key, std::int64_t value) {
  push(key, ScoreEntry::Kind::Integer).integer = value;
}
void ScoreSheet::add_vector(const std::string& key, std::vector<double> values, const std::string& note) {
  ScoreEntry& e = push(key, ScoreEntry::Kind::Vector);
  e.vector = std::move(values);
  e.note = note;
  e.breakdown = true;
}
void ScoreSheet::add_matrix(const std::string& key, Eigen::MatrixXd values) {
  ScoreEntry& e = push(key, ScoreEntry::Kind::Matrix);
  e.matrix = std::move(values);
  e.breakdown = true;
}
void ScoreSheet::add_text(const std::string& key, const std::string& value) {
  push(key, ScoreEntry::Kind::Text).text = value;
}
void ScoreSheet::append(const ScoreSheet& other) {
  for (const auto& e : other.entries_) {
    if (find(e.key) != nullptr) throw std::logic_error("ScoreSheet: duplicate key " + e.key);
    entries_.push_back(e);
  }
}
const ScoreEntry* ScoreSheet::find(const std::string& key) const {
  for (const auto& e : entries_)
    if (e.key == key) return &e;
  return nullptr;
}
double ScoreSheet::value(const std::string& key) const {
  const ScoreEntry* e = find(key);
  if (e == nullptr) throw std::out_of_range("ScoreSheet: no key " + key);
  if (e->kind == ScoreEntry::Kind::Scalar) return e->scalar;
  if (e->kind == ScoreEntry::Kind::Integer) return static_cast<double>(e->integer);
  throw std::out_of_range("ScoreSheet: key " + key + " is not a scalar");
}

std::string format_number(double value) { return fmt::format("{}", value); }

namespace {

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += fmt::format("\\u{:04x}", static_cast<int>(c));
        else
          out += c;
    }
  }
  return out + "\"";
}

std::string json_number(double v) { return std::isfinite(v) ? format_number(v) : std::string("null"); }

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string text_number(double v) { return std::isfinite(v) ? format_number(v) : std::string("undefined"); }

}  // namespace

std::vector<JsonField> json_fields(const ScoreSheet& sheet) {
  std::vector<JsonField> fields;
  for (const auto& e : sheet.entries()) {
    fields.push_back({e.key, &e, {}});
    if (e.kind == ScoreEntry::Kind::Scalar && !std::isfinite(e.scalar))
      fields.push_back({e.key + "_undefined_reason", nullptr, e.note.empty() ? std::string("undefined") : e.note});
    else if (!e.note.empty())
      fields.push_back({e.key + "_note", nullptr, e.note});
  }
  return fields;
}

std::string to_json(const ScoreSheet& sheet) {
  std::string out = "{\n";
  bool first = true;
  auto field = [&](const std::string& key, const std::string& value) {
    if (!first) out += ",\n";
    first = false;
    out += "  " + json_string(key) + ": " + value;
  };
  for (const auto& f : json_fields(sheet)) {
    if (f.entry == nullptr) {
      field(f.key, json_string(f.text));
      continue;
    }
    const ScoreEntry& e = *f.entry;
    switch (e.kind) {
      case ScoreEntry::Kind::Scalar: field(e.key, json_number(e.scalar)); break;
      case ScoreEntry::Kind::Integer: field(e.key, fmt::format("{}", e.integer)); break;
      case ScoreEntry::Kind::Text: field(e.key, json_string(e.text)); break;
      case ScoreEntry::Kind::Vector: {
        std::string v = "[";
        for (std::size_t i = 0; i < e.vector.size(); ++i) v += (i ? ", " : "") + json_number(e.vector[i]);
        field(e.key, v + "]");
        break;
      }
      case ScoreEntry::Kind::Matrix: {
        std::string v = "[";
        for (Eigen::Index r = 0; r < e.matrix.rows(); ++r) {
          v += r ? ",\n    [" : "\n    [";
          for (Eigen::Index c = 0; c < e.matrix.cols(); ++c) v += (c ? ", " : "") + json_number(e.matrix(r, c));
          v += "]";
        }
        field(e.key, v + (e.matrix.rows() ? "\n  ]" : "]"));
        break;
      }
    }
  }
  return out + "\n}\n";
}

std::string to_csv(const ScoreSheet& sheet) {
  std::string out = "metric,value,note\n";
  auto row = [&](const std::string& key, const std::string& value, const std::string& note) {
    out += csv_field(key) + "," + csv_field(value) + "," + csv_field(note) + "\n";
  };
  for (const auto& e : sheet.entries()) {
    switch (e.kind) {
      case ScoreEntry::Kind::Scalar:
        row(e.key, std::isfinite(e.scalar) ? format_number(e.scalar) : "", e.note);
        break;
      case ScoreEntry::Kind::Integer: row(e.key, fmt::format("{}", e.integer), ""); break;
      case ScoreEntry::Kind::Text: row(e.key, e.text, ""); break;
      case ScoreEntry::Kind::Vector:
        for (std::size_t i = 0; i < e.vector.size(); ++i)
          row(fmt::format("{}[{}]", e.key, i), std::isfinite(e.vector[i]) ? format_number(e.vector[i]) : "",
              std::isfinite(e.vector[i]) ? "" : e.note);
        break;
      case ScoreEntry::Kind::Matrix:
        for (Eigen::Index r = 0; r < e.matrix.rows(); ++r)
          for (Eigen::Index c = 0; c < e.matrix.cols(); ++c)
            row(fmt::format("{}[{}][{}]", e.key, r, c), format_number(e.matrix(r, c)), "");
        break;
    }
  }
  return out;
}

std::string to_markdown(const ScoreSheet& sheet, const std::string& title) {
  std::string out = "# " + title + "\n\n| metric | value | note |\n|---|---|---|\n";
  for (const auto& e : sheet.entries()) {
    if (e.kind == ScoreEntry::Kind::Scalar)
      out += fmt::format("| {} | {} | {} |\n", e.key, text_number(e.scalar), e.note);
    else if (e.kind == ScoreEntry::Kind::Integer)
      out += fmt::format("| {} | {} | |\n", e.key, e.integer);
    else if (e.kind == ScoreEntry::Kind::Text)
      out += fmt::format("| {} | `{}` | |\n", e.key, e.text);
  }
  for (const auto& e : sheet.entries()) {
    if (e.kind == ScoreEntry::Kind::Vector) {
      out += fmt::format("\n## {}\n\n", e.key);
      if (!e.note.empty()) out += e.note + "\n\n";
      out += "| index | value |\n|---|---|\n";
      for (std::size_t i = 0; i < e.vector.size(); ++i) out += fmt::format("| {} | {} |\n", i, text_number(e.vector[i]));
    } else if (e.kind == ScoreEntry::Kind::Matrix) {
      out += fmt::format("\n## {}\n\n| |", e.key);
      for (Eigen::Index c = 0; c < e.matrix.cols(); ++c) out += fmt::format(" {} |", c);
      out += "\n|---|";
      for (Eigen::Index c = 0; c < e.matrix.cols(); ++c) out += "---|";
      out += "\n";
      for (Eigen::Index r = 0; r < e.matrix.rows(); ++r) {
        out += fmt::format("| **{}** |", r);
        for (Eigen::Index c = 0; c < e.matrix.cols(); ++c) out += fmt::format(" {:.6g} |", e.matrix(r, c));
        out += "\n";
      }
    }
  }
  return out;
}

}  // namespace axial
