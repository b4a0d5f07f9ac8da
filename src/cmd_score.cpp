#include "src/cli_common.hpp"

namespace axial::cli {

int run_score(const Args& /*args*/) { return not_yet("score", 3); }

}  // namespace axial::cli
