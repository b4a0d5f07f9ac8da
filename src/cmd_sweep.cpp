#include "src/cli_common.hpp"

namespace axial::cli {

int run_sweep(const Args& /*args*/) { return not_yet("sweep", 6); }

}  // namespace axial::cli
