# Run at every build (cmake -P): writes OUT (build_info.cpp) with the source tree's current git commit, "-dirty" when
# tracked files differ from it, so results.json, native HDF5 files and reports name the commit that was built — not
# the one that was checked out when CMake last configured. The file is rewritten only when its content changes, so
# an unchanged commit costs no recompilation.
#   cmake -DSOURCE_DIR=... -DOUT=... -P write_build_info.cmake
execute_process(COMMAND git rev-parse --short=12 HEAD
                WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE rc ERROR_QUIET)
if(NOT rc EQUAL 0 OR NOT commit)
  set(commit "unknown")
else()
  execute_process(COMMAND git diff --quiet HEAD --
                  WORKING_DIRECTORY ${SOURCE_DIR}
                  RESULT_VARIABLE dirty ERROR_QUIET)
  if(NOT dirty EQUAL 0)
    string(APPEND commit "-dirty")
  endif()
endif()
set(content "// Generated at build time by cmake/write_build_info.cmake; do not edit.
#include \"axial/version.hpp\"

namespace axial {
const char* const kGitCommit = \"${commit}\";
}  // namespace axial
")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
else()
  set(old "")
endif()
if(NOT old STREQUAL content)
  file(WRITE ${OUT} "${content}")
endif()
