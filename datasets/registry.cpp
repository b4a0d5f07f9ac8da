#include "datasets/registry.hpp"

#include <fmt/core.h>

#include <filesystem>
#include <system_error>

#include "datasets/native_h5.hpp"
#include "datasets/real_data.hpp"
#include "datasets/three_dots.hpp"
#include "src/core/error.hpp"
#include "src/core/paths.hpp"

namespace axial::datasets {

const std::vector<DatasetEntry>& dataset_table() {
  static const std::vector<DatasetEntry> table = {
      {"three-dots", "three black dots on white, 64x64x1, 6 factors x0..y2 of 64 values (Rhodes & Lee 2021), drawn on the fly",
       false, [](const std::string&) -> std::unique_ptr<GroundTruthData> { return std::make_unique<ThreeDots>(); }},
      // Distributed files (issue 7, datasets/real_data.hpp, docs/datasets-real.md).
      {"dsprites", "dSprites .npz (official 737,280 images or a subset with the same keys), 64x64x1",
       true, [](const std::string& p) { return open_real_dataset("dsprites", p); }},
      {"shapes3d", "Shapes3D 3dshapes.h5, 64x64x3, 6 factors (10,10,10,8,4,15 values)",
       true, [](const std::string& p) { return open_real_dataset("shapes3d", p); }},
      {"mpi3d", "MPI3D toy/realistic/real mpi3d_*.npz (memory-mapped), 64x64x3, 7 factors (6,6,2,3,3,40,40)",
       true, [](const std::string& p) { return open_real_dataset("mpi3d", p); }},
      {"mpi3d-multi", "the paper's 2x2 grid of 32x32 MPI3D images, 8 factors of 40 values (PATH: mpi3d .npz or converted .h5)",
       true, [](const std::string& p) { return open_real_dataset("mpi3d-multi", p); }},
  };
  return table;
}

const DatasetEntry* find_dataset(const std::string& name) {
  for (const auto& e : dataset_table())
    if (e.name == name) return &e;
  return nullptr;
}

std::string dataset_names() {
  std::string s;
  for (const auto& e : dataset_table()) s += (s.empty() ? "" : ", ") + e.name + (e.needs_path ? "=PATH" : "");
  return s + (s.empty() ? "" : ", ") + "or a native .h5 file";
}

std::unique_ptr<GroundTruthData> open_dataset(const std::string& spec) {
  if (spec.empty()) throw Error(fmt::format("empty data set name (valid: {})", dataset_names()));
  const auto eq = spec.find('=');
  if (eq != std::string::npos) {
    const std::string name = spec.substr(0, eq), path = spec.substr(eq + 1);
    const DatasetEntry* e = find_dataset(name);
    if (e == nullptr) throw Error(fmt::format("unknown data set '{}' (valid: {})", name, dataset_names()));
    if (!e->needs_path) throw Error(fmt::format("data set '{}' takes no file: use '{}' without '={}'", name, name, path));
    if (path.empty()) throw Error(fmt::format("data set '{}' needs a file: use {}=PATH", name, name));
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw Error(fmt::format("'{}': file not found (data set '{}')", path, name));
    refuse_directory(path, fmt::format("'{}' (data set '{}')", path, name));
    return e->factory(path);
  }
  if (const DatasetEntry* e = find_dataset(spec)) {
    if (e->needs_path) throw Error(fmt::format("data set '{}' needs a file: use {}=PATH", spec, spec));
    return e->factory("");
  }
  // Not a name: a file?
  std::error_code ec;
  if (std::filesystem::exists(spec, ec)) {
    refuse_directory(spec, fmt::format("'{}'", spec));
    if (is_native_file(spec)) return std::make_unique<NativeData>(spec);
    const std::string kind = detect_real_dataset(spec);  // dSprites / Shapes3D / MPI3D recognised by content
    if (!kind.empty()) return open_real_dataset(kind, spec);
    throw Error(fmt::format("'{}' is not an axial data file (valid data sets: {})", spec, dataset_names()));
  }
  const bool looks_like_path = spec.find('/') != std::string::npos || spec.find('.') != std::string::npos;
  if (looks_like_path) throw Error(fmt::format("'{}': file not found", spec));
  throw Error(fmt::format("unknown data set '{}' (valid: {})", spec, dataset_names()));
}

}  // namespace axial::datasets
