#include "src/cli_common.hpp"

namespace axial::cli {

int run_eval(const Args& /*args*/) { return not_yet("eval", 5); }

}  // namespace axial::cli
