#pragma once
// Adam in two flavours (`axial train --adam torch|tf`):
//   torch: torch::optim::Adam — θ −= lr/(1−β1^t) · m / (sqrt(v)/sqrt(1−β2^t) + ε)
//   tf:    TF1's tf.train.AdamOptimizer (ApplyAdam), as disentanglement_lib trains with it:
//          m += (g − m)(1−β1), v += (g² − v)(1−β2), lr_t = lr·sqrt(1−β2^t)/(1−β1^t), θ −= lr_t · m / (sqrt(v) + ε)
//          — ε is added to the un-bias-corrected sqrt(v) (the powers β^t are computed in double here; TF keeps them
//          as float32 variables).
// Both are the same algorithm up to where ε enters; with ε = 1e-8 the difference matters only where v is tiny.
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace axial::models {

enum class AdamVariant { Torch, Tf };
AdamVariant parse_adam(const std::string& s);  // "torch" | "tf", else axial::Error naming --adam
const char* to_string(AdamVariant v);

struct AdamSettings {
  double lr = 1e-4;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  AdamVariant variant = AdamVariant::Torch;
};

class AdamOptimizer {
 public:
  AdamOptimizer(std::vector<torch::Tensor> params, const AdamSettings& settings);
  void zero_grad();
  void step();
  // The state into / from an archive (torch: torch::optim::Adam's own layout; tf: t, m_i, v_i).
  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);
  std::int64_t steps_taken() const;

 private:
  AdamSettings settings_;
  std::unique_ptr<torch::optim::Adam> torch_;
  std::vector<torch::Tensor> params_, m_, v_;
  std::int64_t t_ = 0;
};

}  // namespace axial::models
