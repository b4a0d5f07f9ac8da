#include "src/cli_common.hpp"

namespace axial::cli {

int run_data(const Args& /*args*/) { return not_yet("data", 2); }

}  // namespace axial::cli
