#pragma once
// `axial train --dump-step FILE.h5`: the first step's tensors, as float64 copies, images NHWC, so that every loss
// term can be recomputed from them with the reference formulas (names in docs/training.md, "Checkable steps"):
//   /x (B,H,W,C), /eps /mu /logvar /z (B,L), /logits (B,H,W,C; dlib architecture) or /probs (paper architecture,
//   whose decoder ends in a sigmoid), /loss/{reconstruction,kl,regularizer,total} scalars, /loss/jacobian (jl1/jl2),
//   /loss/capacity (annealed_vae), /loss/tc (beta_tc_vae, factor_vae), and for factor_vae /factor_vae/z_shuffle
//   (B,L), /factor_vae/logits_z and /factor_vae/logits_z_shuffle (B,2), /loss/discriminator. Root attributes:
//   method, step, architecture, every option of config.json's "options" (hyper-parameters included) and for
//   jl1/jl2 beta_t, gamma_t. Written atomically (temp file + rename).
#include <cstdint>
#include <filesystem>

#include "models/loss.hpp"
#include "models/trainer.hpp"

namespace axial::models {

void write_step_dump(const std::filesystem::path& path, const StepRecord& record, const TrainOptions& options,
                     std::int64_t step);

}  // namespace axial::models
