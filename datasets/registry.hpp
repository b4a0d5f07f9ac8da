#pragma once
// The one registry table of ground-truth data sets (conventions §5): name, one-line description, factory.
// No self-registration: to add a data set, add a row to dataset_table() in registry.cpp.
//
// A data set "spec" (what the CLI's data-set arguments accept) is one of
//   - a registered name that needs no file:        three-dots
//   - NAME=PATH for an entry that needs a file:     dsprites=/data/dsprites.npz
//   - a path to an axial native .h5 file:          my_data.h5
// An unknown name → axial::Error listing the valid names.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "datasets/ground_truth.hpp"

namespace axial::datasets {

struct DatasetEntry {
  std::string name;         // e.g. "three-dots"
  std::string description;  // one line, shown by `axial data --help`
  bool needs_path = false;  // true: only usable as NAME=PATH
  // Builds the data set; `path` is empty for entries with needs_path == false.
  std::function<std::unique_ptr<GroundTruthData>(const std::string& path)> factory;
};

const std::vector<DatasetEntry>& dataset_table();

// nullptr if no entry has this name.
const DatasetEntry* find_dataset(const std::string& name);

// "three-dots, dsprites=PATH, …" — for error messages and help.
std::string dataset_names();

// Opens a data set from a spec (see above). Errors (axial::Error): unknown name (lists valid names), a needs_path
// entry given without =PATH, =PATH given to an entry that takes none, a missing file.
std::unique_ptr<GroundTruthData> open_dataset(const std::string& spec);

}  // namespace axial::datasets
