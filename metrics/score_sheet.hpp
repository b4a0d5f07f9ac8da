#pragma once
// Named metric results in a stable order (conventions §6): the JSON, CSV and Markdown writers iterate the
// entries in insertion order, so columns never move. An undefined value (e.g. MIG when every factor has zero
// entropy) is stored as NaN *with a reason*; the writers print null / "undefined" plus the reason, never a bare NaN.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "src/core/types.hpp"

namespace axial {

struct ScoreEntry {
  enum class Kind { Scalar, Integer, Vector, Matrix, Text };
  std::string key;
  Kind kind = Kind::Scalar;
  double scalar = 0.0;           // Scalar (NaN = undefined, see `note`)
  std::int64_t integer = 0;      // Integer
  std::vector<double> vector;    // Vector (NaN entries = undefined, e.g. a skipped factor)
  Eigen::MatrixXd matrix;        // Matrix (rows × cols as the key documents, e.g. mutual_info L×K)
  std::string text;              // Text
  std::string note;              // why a value is undefined (empty when defined)
  bool breakdown = false;        // per-factor/latent/cluster lists and matrices (CSV/Markdown summarise them)
};

class ScoreSheet {
 public:
  void add_scalar(const std::string& key, double value, const std::string& note = "");
  void add_integer(const std::string& key, std::int64_t value);
  void add_vector(const std::string& key, std::vector<double> values, const std::string& note = "");
  void add_matrix(const std::string& key, Eigen::MatrixXd values);
  void add_text(const std::string& key, const std::string& value);
  // Appends all entries of `other` (keys must not repeat).
  void append(const ScoreSheet& other);

  const std::vector<ScoreEntry>& entries() const { return entries_; }
  const ScoreEntry* find(const std::string& key) const;  // nullptr if absent
  // The scalar value of `key`; throws std::out_of_range if absent or not a scalar/integer.
  double value(const std::string& key) const;

 private:
  ScoreEntry& push(const std::string& key, ScoreEntry::Kind kind);
  std::vector<ScoreEntry> entries_;
};

// The fields of a sheet's JSON object, in order: the one rule every JSON writer of a sheet follows (`axial score`'s
// to_json below and the metrics of `axial eval`'s results.json). Each entry gives a value field under its key; a
// scalar that is undefined (NaN/Inf → null) is followed by "<key>_undefined_reason" (its note, or "undefined");
// a note on anything else (a defined scalar, a vector with null entries, …) by "<key>_note".
struct JsonField {
  std::string key;
  const ScoreEntry* entry = nullptr;  // the value field; nullptr for a note/reason field
  std::string text;                   // the note/reason text (entry == nullptr)
};
std::vector<JsonField> json_fields(const ScoreSheet& sheet);

// Serialisers (pure string functions; callers write files atomically).
//  JSON: one object with the json_fields() above; undefined numbers → null.
//  CSV:  header "metric,value,note", one row per scalar/integer/text entry; vectors as "key[i]" rows,
//        matrices as "key[r][c]" rows (so every number is machine-readable, one per row).
//  Markdown: a table of the scalar metrics, then one small table per breakdown.
std::string to_json(const ScoreSheet& sheet);
std::string to_csv(const ScoreSheet& sheet);
std::string to_markdown(const ScoreSheet& sheet, const std::string& title = "axial score");

// Shortest round-trip decimal for a double ("%.17g" trimmed); NaN/Inf are the caller's job.
std::string format_number(double value);

}  // namespace axial
