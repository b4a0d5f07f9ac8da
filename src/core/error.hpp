#pragma once
// axial's two tiers of checks (conventions §8):
//  - axial::Error: a user or input error (bad file, option, value). The message names the file/option/value.
//    The CLI prints it as one line "axial: error: <message>" and exits 2.
//  - assert(): internal invariants only.
// Lives in the lowest library (metrics/) so every layer can throw it.
#include <stdexcept>
#include <string>

namespace axial {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace axial
