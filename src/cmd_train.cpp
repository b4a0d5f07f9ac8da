#include "src/cli_common.hpp"

namespace axial::cli {

int run_train(const Args& /*args*/) { return not_yet("train", 4); }

}  // namespace axial::cli
