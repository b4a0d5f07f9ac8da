#include "models/optimizer.hpp"

#include <fmt/core.h>

#include <cmath>

#include "src/core/error.hpp"

namespace axial::models {

AdamVariant parse_adam(const std::string& s) {
  if (s == "torch") return AdamVariant::Torch;
  if (s == "tf") return AdamVariant::Tf;
  throw Error(fmt::format("--adam '{}': unknown Adam variant (valid: torch, tf)", s));
}

const char* to_string(AdamVariant v) { return v == AdamVariant::Torch ? "torch" : "tf"; }

AdamOptimizer::AdamOptimizer(std::vector<torch::Tensor> params, const AdamSettings& s) : settings_(s) {
  if (s.variant == AdamVariant::Torch) {
    torch_ = std::make_unique<torch::optim::Adam>(
        std::move(params), torch::optim::AdamOptions(s.lr).betas(std::make_tuple(s.beta1, s.beta2)).eps(s.eps));
    return;
  }
  params_ = std::move(params);
  for (const auto& p : params_) {
    m_.push_back(torch::zeros_like(p));
    v_.push_back(torch::zeros_like(p));
  }
}

void AdamOptimizer::zero_grad() {
  if (torch_) {
    torch_->zero_grad();
    return;
  }
  for (auto& p : params_)
    if (p.grad().defined()) {
      p.grad().detach_();
      p.grad().zero_();
    }
}

void AdamOptimizer::step() {
  if (torch_) {
    torch_->step();
    return;
  }
  torch::NoGradGuard no_grad;
  ++t_;
  const double t = double(t_);
  const double alpha =
      settings_.lr * std::sqrt(1.0 - std::pow(settings_.beta2, t)) / (1.0 - std::pow(settings_.beta1, t));
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const auto& g = params_[i].grad();
    if (!g.defined()) continue;
    m_[i].add_((g - m_[i]) * (1.0 - settings_.beta1));
    v_[i].add_((g.square() - v_[i]) * (1.0 - settings_.beta2));
    params_[i].sub_(m_[i] * alpha / (v_[i].sqrt() + settings_.eps));
  }
}

void AdamOptimizer::save(torch::serialize::OutputArchive& archive) const {
  if (torch_) {
    torch_->save(archive);
    return;
  }
  archive.write("tf_adam_t", torch::tensor(t_, torch::kInt64));
  for (std::size_t i = 0; i < params_.size(); ++i) {
    archive.write(fmt::format("m_{}", i), m_[i]);
    archive.write(fmt::format("v_{}", i), v_[i]);
  }
}

void AdamOptimizer::load(torch::serialize::InputArchive& archive) {
  if (torch_) {
    torch_->load(archive);
    return;
  }
  torch::Tensor t;
  archive.read("tf_adam_t", t);
  t_ = t.item<std::int64_t>();
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    torch::Tensor m, v;
    archive.read(fmt::format("m_{}", i), m);
    archive.read(fmt::format("v_{}", i), v);
    m_[i].copy_(m);
    v_[i].copy_(v);
  }
}

std::int64_t AdamOptimizer::steps_taken() const { return t_; }

}  // namespace axial::models
