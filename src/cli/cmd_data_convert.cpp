// `axial data convert FILE --out F.h5` (issue 7): a distributed data-set file (dSprites .npz, Shapes3D .h5,
// MPI3D .npz — stored or deflated) → axial's native chunked HDF5 format (datasets/native_h5.hpp), images as uint8
// with scale 255, factor rows as the loader derives them, in file order. FILE is NAME=PATH (dsprites, shapes3d,
// mpi3d) or a path recognised by content. Deflated members are streamed, so nothing needs to fit in memory; the
// output appears only when complete (temp file + rename).
#include <fmt/core.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include "axial/version.hpp"
#include "datasets/native_h5.hpp"
#include "datasets/real_data.hpp"
#include "src/core/error.hpp"
#include "src/cli/cli_common.hpp"
#include "src/core/progress.hpp"
#include "src/core/paths.hpp"

namespace axial::cli {

namespace {

struct ConvertOptions {
  std::string input;
  std::string out;
  int gzip = 4;
  std::int64_t chunk_rows = 64;
  std::int64_t block = 1024;
  bool quiet = false;
};

// Splits FILE into (kind, path): NAME=PATH, or a path whose kind is recognised by content.
std::pair<std::string, std::string> resolve_input(const std::string& spec) {
  static const std::string kinds = "dsprites=PATH, shapes3d=PATH, mpi3d=PATH";
  const auto eq = spec.find('=');
  std::string kind, path;
  if (eq != std::string::npos && !std::filesystem::exists(spec)) {
    kind = spec.substr(0, eq);
    path = spec.substr(eq + 1);
    if (kind == "mpi3d-multi")
      throw Error("mpi3d-multi is composed on the fly from MPI3D images (40^8 combinations) and cannot be converted; "
                  "convert the MPI3D file (mpi3d=PATH) and use mpi3d-multi=F.h5");
    if (kind != "dsprites" && kind != "shapes3d" && kind != "mpi3d")
      throw Error(fmt::format("data convert: cannot convert data set '{}' (valid: {}; generated data sets are written "
                              "with `axial data generate`)",
                              kind, kinds));
    if (path.empty()) throw Error(fmt::format("data convert: '{}' needs a file: use {}=PATH", kind, kind));
  } else {
    path = spec;
  }
  std::error_code ec;
  refuse_directory(path, fmt::format("file '{}'", path));
  if (!std::filesystem::is_regular_file(path, ec)) throw Error(fmt::format("file '{}': no such file", path));
  if (kind.empty()) {
    kind = datasets::detect_real_dataset(path);
    if (kind.empty())
      throw Error(fmt::format("file '{}': not recognised as dSprites, Shapes3D or MPI3D; name it ({})", path, kinds));
  }
  return {kind, path};
}

}  // namespace

int run_data_convert(const Args& args) {
  ConvertOptions o;
  po::options_description desc("axial data convert options");
  desc.add_options()
      ("help,h", "print this help and exit")
      ("input", po::value(&o.input), "FILE: NAME=PATH (dsprites, shapes3d, mpi3d) or a path recognised by content")
      ("out", po::value(&o.out), "output native .h5 file (required)")
      ("gzip", po::value(&o.gzip)->default_value(o.gzip), "deflate level of the images, 0..9")
      ("chunk-rows", po::value(&o.chunk_rows)->default_value(o.chunk_rows), "HDF5 chunk size along N (rows)")
      ("block", po::value(&o.block)->default_value(o.block), "images per write (memory: block·H·W·C bytes)")
      ("quiet", po::bool_switch(&o.quiet), "no progress on stderr");
  po::positional_options_description pos;
  pos.add("input", 1);
  const std::string usage =
      "axial data convert FILE --out F.h5 [--gzip 4] [--chunk-rows 64]\n\n"
      "Converts dSprites (.npz), Shapes3D (3dshapes.h5) or MPI3D (mpi3d_*.npz, stored or deflated) into the native\n"
      "chunked HDF5 format: images uint8 (scale 255), factors int64, in file order. Use the result anywhere a data\n"
      "set is accepted (e.g. `--dataset F.h5`, `mpi3d-multi=F.h5`).";
  if (wants_help(args)) {
    print_help(usage, desc);
    return 0;
  }
  parse(args, desc, &pos);
  if (o.input.empty()) throw Error("data convert: missing FILE (e.g. `axial data convert dsprites=dsprites.npz --out d.h5`)");
  if (o.out.empty()) throw Error("data convert: missing --out F.h5");
  if (o.gzip < 0 || o.gzip > 9) throw Error(fmt::format("--gzip {}: must be 0..9", o.gzip));
  if (o.chunk_rows < 1) throw Error(fmt::format("--chunk-rows {}: must be at least 1", o.chunk_rows));
  if (o.block < 1) throw Error(fmt::format("--block {}: must be at least 1", o.block));

  auto [kind, path] = resolve_input(o.input);
  std::error_code ec;
  if (std::filesystem::equivalent(path, o.out, ec))
    throw Error(fmt::format("--out '{}': is the input file", o.out));
  auto opened = datasets::open_real_dataset(kind, path, /*for_conversion=*/true);
  const auto* data = dynamic_cast<const datasets::StoredImageData*>(opened.get());
  if (data == nullptr) throw Error(fmt::format("data convert: '{}' is not stored as a file of images", kind));

  datasets::NativeWriteOptions wo;
  wo.storage = datasets::ImageStorage::Uint8;
  wo.chunk_rows = o.chunk_rows;
  wo.gzip = o.gzip;
  datasets::NativeWriter writer(o.out, datasets::native_header(*data), wo);
  writer.file().write_attr_string("/", "source_file", std::filesystem::absolute(path).string());
  writer.file().write_attr_string("/", "source_description", data->description());
  const std::int64_t total = data->num_images();
  writer.begin("", total);

  Progress progress(std::cerr, "convert " + kind + ":", "images", o.quiet);
  progress.silent_for(1.0);
  progress.start(total);
  data->for_each_block(o.block, [&](const FactorMatrix& rows, const std::uint8_t* pixels) {
    writer.write_rows_u8(rows, pixels);
    progress.update(rows.cols());
  });
  progress.finish();
  if (progress.done() != total)
    throw Error(fmt::format("file '{}': read {} of {} images", path, progress.done(), total));
  writer.commit();
  const auto shape = data->observation_shape();
  std::cout << fmt::format("wrote {}: {} ({}), {} images {}x{}x{} uint8 (scale 255), {} factors\n", o.out, data->name(),
                           kind, total, shape.height, shape.width, shape.channels, data->num_factors());
  return 0;
}

}  // namespace axial::cli
