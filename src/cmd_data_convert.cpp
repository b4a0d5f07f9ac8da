#include "src/cli_common.hpp"

namespace axial::cli {

int run_data_convert(const Args& /*args*/) { return not_yet("data convert", 7); }

}  // namespace axial::cli
