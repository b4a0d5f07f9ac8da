#include "src/cli_common.hpp"

namespace axial::cli {

int run_reproduce(const Args& /*args*/) { return not_yet("reproduce", 6); }

}  // namespace axial::cli
