#include "metrics/registry.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "metrics/checks.hpp"
#include "src/core/error.hpp"
#include "metrics/dci.hpp"
#include "metrics/explicitness.hpp"
#include "metrics/irs.hpp"
#include "metrics/unsupervised.hpp"
#include "metrics/mig.hpp"
#include "metrics/modularity.hpp"
#include "metrics/mutual_info.hpp"
#include "metrics/sap.hpp"

namespace axial {

namespace {

// --- the compute column ---------------------------------------------------------------------------------------
void compute_mig(MetricContext& c, ScoreSheet& sheet) {
  const MigResult r = mig_from_mutual_info(c.mutual_info, c.factor_entropy);
  sheet.add_scalar("mig", r.mig, r.undefined_reason);
  sheet.add_vector("mig_per_factor", r.per_factor,
                   r.skipped_factors > 0 ? "null = factor is constant (zero entropy), skipped" : "");
  sheet.add_integer("mig_skipped_factors", r.skipped_factors);
  std::vector<double> win(r.winning_latent.begin(), r.winning_latent.end());
  for (double& w : win)
    if (w < 0) w = std::nan("");
  sheet.add_vector("mig_winning_latent", win, r.skipped_factors > 0 ? "null = skipped factor" : "");
}

void compute_modularity(MetricContext& c, ScoreSheet& sheet) {
  const ModularityResult r = modularity_from_mutual_info(c.mutual_info);
  sheet.add_scalar("modularity", r.modularity, r.undefined_reason);
  sheet.add_vector("modularity_per_latent", r.per_latent);
}

struct Split {
  CodeMatrix ztr, zte;
  FactorMatrix ytr, yte;
};
Split split_of(const ScoreInputs& in) {
  const Eigen::Index N = in.codes->cols(), ntr = in.num_train, nte = N - in.num_train;
  return {in.codes->leftCols(ntr), in.codes->rightCols(nte), in.factors->leftCols(ntr), in.factors->rightCols(nte)};
}

void compute_explicitness_entry(MetricContext& c, ScoreSheet& sheet) {
  const Split sp = split_of(c.inputs);
  const ExplicitnessResult r = compute_explicitness(sp.ztr, sp.ytr, sp.zte, sp.yte, c.inputs.num_threads);
  sheet.add_scalar("explicitness_train", r.train, r.train_undefined_reason);
  sheet.add_scalar("explicitness_test", r.test, r.test_undefined_reason);
  const bool any_nan_tr =
      std::any_of(r.per_factor_train.begin(), r.per_factor_train.end(), [](double v) { return std::isnan(v); });
  const bool any_nan_te =
      std::any_of(r.per_factor_test.begin(), r.per_factor_test.end(), [](double v) { return std::isnan(v); });
  sheet.add_vector("explicitness_per_factor_train", r.per_factor_train,
                   any_nan_tr ? "null = fewer than two classes of that factor in the train split" : "");
  sheet.add_vector("explicitness_per_factor_test", r.per_factor_test,
                   any_nan_te ? "null = fewer than two classes of that factor in the train or test split" : "");
  sheet.add_integer("explicitness_skipped_factors", r.skipped_factors);
}

void compute_sap_entry(MetricContext& c, ScoreSheet& sheet) {
  const Split sp = split_of(c.inputs);
  const SapResult r = compute_sap(sp.ztr, sp.ytr, sp.zte, sp.yte, c.inputs.num_threads);
  sheet.add_scalar("sap", r.sap);
  sheet.add_vector("sap_per_factor", r.per_factor);
  sheet.add_matrix("sap_score_matrix", r.score_matrix);
}

void compute_dci_entry(MetricContext& c, ScoreSheet& sheet) {
  const Split sp = split_of(c.inputs);
  const DciResult r = compute_dci(sp.ztr, sp.ytr, sp.zte, sp.yte, {c.inputs.tie_seed, c.inputs.num_threads});
  sheet.add_scalar("dci_disentanglement", r.disentanglement, r.disentanglement_undefined_reason);
  sheet.add_scalar("dci_completeness", r.completeness, r.completeness_undefined_reason);
  sheet.add_scalar("dci_informativeness_train", r.informativeness_train, r.informativeness_undefined_reason);
  sheet.add_scalar("dci_informativeness_test", r.informativeness_test, r.informativeness_undefined_reason);
  sheet.add_vector("dci_disentanglement_per_latent", r.per_latent_disentanglement);
  sheet.add_vector("dci_completeness_per_factor", r.per_factor_completeness);
  sheet.add_vector("dci_informativeness_per_factor_train", r.per_factor_informativeness_train);
  sheet.add_vector("dci_informativeness_per_factor_test", r.per_factor_informativeness_test);
  sheet.add_matrix("dci_importance_matrix", r.importance);
}

void compute_irs_entry(MetricContext& c, ScoreSheet& sheet) {
  IrsOptions o;
  o.precision = c.inputs.discretize.precision;
  const IrsResult r = compute_irs(*c.inputs.codes, *c.inputs.factors, o);
  sheet.add_scalar("irs", r.irs);
  const bool dropped = r.active_dims < static_cast<int>(r.per_latent.size());
  sheet.add_vector("irs_per_latent", r.per_latent, dropped ? "null = constant code, dropped" : "");
  sheet.add_integer("irs_active_dims", r.active_dims);
  sheet.add_matrix("irs_matrix", r.matrix);
}

void compute_unsupervised_entry(MetricContext& c, ScoreSheet& sheet) {
  const UnsupervisedResult r = compute_unsupervised(*c.inputs.codes, c.inputs.discretize, c.inputs.num_threads);
  sheet.add_scalar("gaussian_total_correlation", r.gaussian_total_correlation, r.total_correlation_undefined_reason);
  sheet.add_scalar("gaussian_wasserstein_correlation", r.gaussian_wasserstein_correlation,
                   r.wasserstein_undefined_reason);
  sheet.add_scalar("gaussian_wasserstein_correlation_norm", r.gaussian_wasserstein_correlation_norm,
                   r.wasserstein_norm_undefined_reason);
  sheet.add_scalar("mutual_info_score", r.mutual_info_score);
}

}  // namespace

const std::vector<MetricInfo>& metric_table() {
  static const std::vector<MetricInfo> table = {
      {"mig", "Mutual Information Gap (Chen et al. 2018), histogram-discretised codes", "[0, 1]", true,
       MetricSample::kOneSample, 2, true, compute_mig},
      {"modularity", "Modularity (Ridgeway & Mozer 2018) from the discrete mutual information", "[0, 1]", true,
       MetricSample::kOneSample, 1, true, compute_modularity},
      {"explicitness", "Explicitness: ROC-AUC of one-vs-rest logistic regression per factor (train and test)",
       "[0, 1]", true, MetricSample::kTrainTest, 1, false, compute_explicitness_entry},
      {"sap", "Separated Attribute Predictability (Kumar et al. 2018), linear SVM per latent and factor", "[0, 1]",
       true, MetricSample::kTrainTest, 2, false, compute_sap_entry},
      {"dci", "DCI disentanglement/completeness/informativeness (Eastwood & Williams 2018), sklearn's default "
              "gradient-boosted trees per factor", "[0, 1]", true, MetricSample::kTrainTest, 1, false,
       compute_dci_entry},
      {"irs", "Interventional Robustness Score (Suter et al. 2019), 20-bin factor histograms, 99% quantile", "[0, 1]",
       true, MetricSample::kOneSample, 1, false, compute_irs_entry},
      {"unsupervised", "Unsupervised scores: Gaussian total and Wasserstein correlation of the codes, mean pairwise "
                       "discrete MI between codes", "[0, inf)", false, MetricSample::kOneSample, 2, false,
       compute_unsupervised_entry},
  };
  return table;
}

namespace {
std::string valid_names() {
  std::string s;
  for (const auto& m : metric_table()) s += (s.empty() ? "" : ", ") + std::string(m.name);
  return s;
}
}  // namespace

std::vector<std::string> parse_metric_list(const std::string& list) {
  std::vector<std::string> requested;
  std::size_t pos = 0;
  while (pos <= list.size()) {
    const std::size_t comma = std::min(list.find(',', pos), list.size());
    std::string name = list.substr(pos, comma - pos);
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    if (name.empty()) throw Error(fmt::format("--metrics '{}': empty metric name (valid: {})", list, valid_names()));
    const auto& t = metric_table();
    if (std::none_of(t.begin(), t.end(), [&](const MetricInfo& m) { return name == m.name; }))
      throw Error(fmt::format("--metrics: unknown metric '{}' (valid: {})", name, valid_names()));
    if (std::find(requested.begin(), requested.end(), name) != requested.end())
      throw Error(fmt::format("--metrics: metric '{}' given twice", name));
    requested.push_back(name);
    pos = comma + 1;
  }
  std::vector<std::string> ordered;
  for (const auto& m : metric_table())
    if (std::find(requested.begin(), requested.end(), m.name) != requested.end()) ordered.emplace_back(m.name);
  return ordered;
}

std::string metric_help() {
  std::string s;
  for (const auto& m : metric_table())
    s += fmt::format("  {:<13} {}; range {}, {} is better\n", m.name, m.description, m.range,
                     m.higher_is_better ? "higher" : "lower");
  return s;
}

const MetricInfo& metric_info(const std::string& name) {
  for (const auto& m : metric_table())
    if (name == m.name) return m;
  throw Error(fmt::format("unknown metric '{}' (valid: {})", name, valid_names()));
}

bool needs_train_test_split(const std::vector<std::string>& names) {
  return std::any_of(names.begin(), names.end(),
                     [](const std::string& n) { return metric_info(n).sample == MetricSample::kTrainTest; });
}

int min_latents(const std::vector<std::string>& names) {
  int m = 1;
  for (const auto& n : names) m = std::max(m, metric_info(n).min_latents);
  return m;
}

ScoreSheet compute_metrics(const std::vector<std::string>& names, const ScoreInputs& in) {
  if (in.codes == nullptr || in.factors == nullptr) throw Error("compute_metrics: no codes/factors given");
  const CodeMatrix& codes = *in.codes;
  const FactorMatrix& factors = *in.factors;
  require_matching_samples(codes, factors, "codes/factors", 2);
  require_finite(codes, "codes");
  const Eigen::Index L = codes.rows(), N = codes.cols();
  if (L < min_latents(names)) throw Error(fmt::format("codes: {} latent(s); mig, sap and unsupervised need at least 2", L));
  if (L < 1) throw Error("codes: 0 latents");
  if (factors.rows() < 1) throw Error("factors: 0 factors");
  if (needs_train_test_split(names) && (in.num_train < 1 || in.num_train >= N))
    throw Error(fmt::format("train/test split: {} training samples of {}; both splits must be non-empty",
                            in.num_train, N));

  MetricContext context{in, {}, {}};
  bool mi = false;
  for (const auto& n : names) mi = mi || metric_info(n).uses_mutual_info;
  if (mi) {
    context.mutual_info = mutual_info_matrix(discretize(codes, in.discretize, in.num_threads), factors, in.num_threads);
    context.factor_entropy = factor_entropy(factors);
  }
  ScoreSheet sheet;
  for (const auto& m : metric_table())
    if (std::find(names.begin(), names.end(), m.name) != names.end()) m.compute(context, sheet);
  if (mi) {
    sheet.add_matrix("mutual_info", context.mutual_info);
    const Eigen::VectorXd& h = context.factor_entropy;
    sheet.add_vector("factor_entropy", std::vector<double>(h.data(), h.data() + h.size()));
  }
  return sheet;
}

}  // namespace axial
