// The results.json schema type: what the eval protocol writes is what aggregate reads back, and a file that is not
// an eval results.json is refused with the file and key named.
#include <nlohmann/json.hpp>

#include "reports/eval_results.hpp"
#include "src/core/error.hpp"
#include "tests/support/error_of.hpp"

#include <doctest/doctest.h>

using namespace axial;

TEST_CASE("EvalResults: to_json then from_json gives the same fields, keys in schema order") {
  reports::EvalResults r;
  r.axial_version = "0.1.0";
  r.git_commit = "abc";
  r.model = {"runs/a", "runs/a/model/encoder.pt", "ff00", "axial-vae", 10, "float32", ""};
  r.dataset = "three-dots";
  r.dataset_spec = "three-dots";
  r.protocol = "paper";
  r.seed = 7;
  r.metrics["mig"] = 0.25;
  r.metrics["modularity"] = nullptr;
  r.metrics["modularity_undefined_reason"] = "every factor is constant (zero entropy)";
  r.local.push_back({{"locality", 0.1}, {"local_mig", 0.5}});
  r.images_encoded = 42;
  const auto j = r.to_json();
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  CHECK(keys == std::vector<std::string>{"axial_version", "git_commit", "kind", "model", "dataset", "dataset_spec",
                                         "protocol", "seed", "settings", "train_config", "metrics", "local",
                                         "elapsed_s", "images_encoded"});
  CHECK(j["kind"] == "eval");
  CHECK(j["train_config"].is_null());
  CHECK_FALSE(j["model"].contains("note"));  // only when the output had to be interpreted
  const auto back = reports::EvalResults::from_json(nlohmann::json::parse(j.dump()), "x/results.json");
  CHECK(back.model.path == "runs/a");
  CHECK(back.model.latent_dim == 10);
  CHECK(back.seed == 7);
  CHECK(back.metrics["mig"].get<double>() == 0.25);
  CHECK(back.metrics["modularity"].is_null());
  CHECK(back.local.size() == 1);
  CHECK(back.images_encoded == 42);
  CHECK_FALSE(back.dump_samples.has_value());
}

TEST_CASE("EvalResults::from_json refuses what is not an eval results.json, naming the file") {
  using nlohmann::json;
  CHECK(test::error_of([] { reports::EvalResults::from_json(json::array(), "f.json"); }) ==
        "'f.json': expected a JSON object");
  CHECK(test::error_of([] { reports::EvalResults::from_json(json{{"kind", "train"}}, "f.json"); })
            .find("'f.json': has neither \"metrics\" nor \"local\"") == 0);
  CHECK(test::error_of([] { reports::EvalResults::from_json(json{{"metrics", 3}}, "f.json"); }) ==
        "'f.json': \"metrics\" is not an object");
  CHECK(test::error_of([] {
          reports::EvalResults::from_json(json{{"metrics", json::object()}, {"model", {{"path", 5}}}}, "f.json");
        }) == "'f.json': \"path\" is not a string");
}
