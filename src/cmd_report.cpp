#include "src/cli_common.hpp"

namespace axial::cli {

int run_report(const Args& /*args*/) { return not_yet("report", 6); }

}  // namespace axial::cli
