#pragma once
// Views of an `axial eval` results.json object (written by src/pipelines/eval_protocol.cpp, read back by
// reports/aggregate.cpp): results.csv ("metric,locality,value") and results.md. Pure functions.
#include <string>

#include <nlohmann/json.hpp>

namespace axial::reports {

std::string results_csv(const nlohmann::json& results);
std::string results_markdown(const nlohmann::json& results);

}  // namespace axial::reports
