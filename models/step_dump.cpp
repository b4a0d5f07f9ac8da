#include "models/step_dump.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "datasets/h5_util.hpp"
#include "src/core/atomic_output.hpp"

namespace axial::models {

namespace {

void put(h5::File& f, const std::string& key, torch::Tensor t, bool nchw_image = false) {
  t = t.detach().to(torch::kCPU, torch::kFloat64);
  if (nchw_image) t = t.permute({0, 2, 3, 1});
  t = t.contiguous();
  std::vector<std::int64_t> shape(t.sizes().begin(), t.sizes().end());
  f.write<double>(key, shape, t.data_ptr<double>());
}

}  // namespace

void write_step_dump(const std::filesystem::path& path, const StepRecord& r, const TrainOptions& o,
                     std::int64_t step) {
  const bool dlib = o.architecture == "dlib";
  const Method method = parse_method(o.method);
  AtomicOutput out(path);
  {
    h5::File f = h5::File::create(out.temp_path());
    f.write_attr_string("/", "method", o.method);
    f.write_attr_int("/", "step", step);
    const nlohmann::json options = options_to_json(o);
    for (const auto& [k, v] : options.items()) {
      if (k == "method") continue;
      if (v.is_string())
        f.write_attr_string("/", k, v.get<std::string>());
      else if (v.is_boolean())
        f.write_attr_int("/", k, v.get<bool>() ? 1 : 0);
      else if (v.is_number_unsigned())
        f.write_attr_uint("/", k, v.get<std::uint64_t>());
      else if (v.is_number_integer())
        f.write_attr_int("/", k, v.get<std::int64_t>());
      else if (v.is_number())
        f.write_attr_double("/", k, v.get<double>());
    }
    if (is_jacobian_method(method)) {
      f.write_attr_double("/", "beta_t", r.beta_t);
      f.write_attr_double("/", "gamma_t", r.gamma_t);
    }
    put(f, "x", r.x, true);
    put(f, "eps", r.eps);
    put(f, "mu", r.mu);
    put(f, "logvar", r.logvar);
    put(f, "z", r.z);
    put(f, dlib ? "logits" : "probs", r.output, true);
    f.create_group("loss");
    put(f, "loss/reconstruction", r.reconstruction);
    put(f, "loss/kl", r.kl);
    put(f, "loss/regularizer", r.regularizer);
    put(f, "loss/total", r.loss);
    if (is_jacobian_method(method)) put(f, "loss/jacobian", r.jacobian);
    if (method == Method::AnnealedVae) {
      const double c = r.capacity;
      f.write<double>("loss/capacity", {}, &c);
    }
    if (r.tc.defined()) put(f, "loss/tc", r.tc);
    if (method == Method::FactorVae) {
      f.create_group("factor_vae");
      put(f, "factor_vae/z_shuffle", r.z_shuffle);
      put(f, "factor_vae/logits_z", r.logits_z);
      put(f, "factor_vae/logits_z_shuffle", r.logits_z_shuffle);
      put(f, "loss/discriminator", r.discriminator_loss);
    }
    f.close();
  }
  out.commit();
}

}  // namespace axial::models
