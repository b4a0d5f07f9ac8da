// Metric registry, --metrics parsing, stable key order and the serialisers.
#include <doctest/doctest.h>

#include <cmath>

#include "src/core/error.hpp"
#include "metrics/registry.hpp"
#include "metrics/score_sheet.hpp"

using namespace axial;

TEST_CASE("metric names: table order, unknown names list the valid ones") {
  CHECK(parse_metric_list("sap,mig") == std::vector<std::string>{"mig", "sap"});
  try {
    parse_metric_list("mig,dcx");
    FAIL("expected an error");
  } catch (const Error& e) {
    const std::string msg = e.what();
    CHECK(msg.find("dcx") != std::string::npos);
    CHECK(msg.find("mig, modularity, explicitness, sap") != std::string::npos);
  }
  CHECK_THROWS_AS(parse_metric_list("mig,mig"), Error);
  CHECK_THROWS_AS(parse_metric_list(""), Error);
  CHECK(metric_help().find("explicitness") != std::string::npos);
}

TEST_CASE("compute_metrics: keys in a stable order, perfect codes") {
  FactorMatrix y(2, 8);
  y << 0, 0, 1, 1, 0, 0, 1, 1,  //
      0, 1, 0, 1, 0, 1, 0, 1;
  const CodeMatrix z = y.cast<double>();
  ScoreInputs in;
  in.codes = &z;
  in.factors = &y;
  in.num_train = 4;
  const ScoreSheet s = compute_metrics(parse_metric_list("modularity,mig"), in);
  std::vector<std::string> keys;
  for (const auto& e : s.entries()) keys.push_back(e.key);
  CHECK(keys == std::vector<std::string>{"mig", "mig_per_factor", "mig_skipped_factors", "mig_winning_latent",
                                         "modularity", "modularity_per_latent", "mutual_info", "factor_entropy"});
  CHECK(s.value("mig") == doctest::Approx(1.0));
  CHECK(s.value("modularity") == doctest::Approx(1.0));
  CHECK(s.find("mutual_info")->matrix(0, 0) == doctest::Approx(std::log(2.0)));
}

TEST_CASE("serialisers: null + reason instead of NaN") {
  ScoreSheet s;
  s.add_scalar("mig", std::nan(""), "all factors constant");
  s.add_vector("v", {1.5, std::nan("")}, "null = skipped");
  s.add_integer("n", 3);
  const std::string j = to_json(s);
  CHECK(j.find("\"mig\": null") != std::string::npos);
  CHECK(j.find("\"mig_undefined_reason\": \"all factors constant\"") != std::string::npos);
  CHECK(j.find("[1.5, null]") != std::string::npos);
  CHECK(j.find("nan") == std::string::npos);
  const std::string c = to_csv(s);
  CHECK(c.find("metric,value,note\nmig,,all factors constant\n") == 0);
  CHECK(c.find("v[0],1.5,") != std::string::npos);
  CHECK(c.find("n,3,") != std::string::npos);
  CHECK(to_markdown(s).find("| mig | undefined | all factors constant |") != std::string::npos);
}
