#pragma once
// error_of(f): the message of the axial::Error that f throws, or "" if it throws none (any other exception
// propagates, failing the test).
#include <functional>
#include <string>

#include "src/core/error.hpp"

namespace axial::test {

inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const axial::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace axial::test
