// `axial train`: train a β-VAE (γ = 0), JL1-VAE (--penalty l1) or JL2-VAE (--penalty l2) — issue 4.
// The work is models::train / models::resume (models/trainer.hpp); this file only parses the command line.
#include <fmt/core.h>

#include <iostream>

#include "src/core/error.hpp"
#include "models/trainer.hpp"
#include "src/cli/cli_common.hpp"

namespace axial::cli {

int run_train(const Args& args) {
  models::TrainOptions o;
  std::string out, resume_dir;
  po::options_description desc("axial train options");
  // clang-format off
  desc.add_options()
    ("dataset", po::value(&o.dataset)->default_value(o.dataset),
     "training data: three-dots (rendered on the fly), NAME=PATH or FILE.h5 (axial native format)")
    ("beta", po::value(&o.beta)->default_value(o.beta), "KL weight beta (>= 0)")
    ("gamma", po::value(&o.gamma)->default_value(o.gamma, fmt::format("{}", o.gamma)), "Jacobian penalty weight gamma (>= 0; 0 = beta-VAE)")
    ("penalty", po::value(&o.penalty)->default_value(o.penalty), "Jacobian penalty: l1 (JL1-VAE) | l2 (JL2-VAE)")
    ("jacobian", po::value(&o.jacobian)->default_value(o.jacobian),
     "decoder Jacobian: fd (the paper's forward differences, eps 1e-3) | exact (forward-mode JVPs)")
    ("jacobian-columns", po::value(&o.jacobian_columns)->default_value(o.jacobian_columns),
     "k > 0: each step uses k random latent columns per image scaled by L/k (unbiased); 0 = all")
    ("latent-dim", po::value(&o.latent_dim)->default_value(o.latent_dim), "number of latents L")
    ("batch-size", po::value(&o.batch_size)->default_value(o.batch_size), "images per step")
    ("lr", po::value(&o.lr)->default_value(o.lr, fmt::format("{}", o.lr)), "Adam learning rate")
    ("steps", po::value(&o.steps)->default_value(o.steps), "total number of batches")
    ("anneal-steps", po::value(&o.anneal_steps)->default_value(o.anneal_steps),
     "A: beta_t = beta*min(1,t/A), gamma_t likewise (0 = no annealing)")
    ("train-cache", po::value(&o.train_cache)->default_value(o.train_cache),
     "images drawn once (with --data-seed) into the training cache; batches sample it with replacement")
    ("seed", po::value(&o.seed)->default_value(o.seed), "seed of initialisation and noise (torch)")
    ("data-seed", po::value(&o.data_seed)->default_value(o.data_seed), "seed of the data cache and batch order")
    ("device", po::value(&o.device)->default_value(o.device), "auto | cpu | cuda | cuda:N")
    ("threads", po::value(&o.threads)->default_value(o.threads), "CPU threads for LibTorch (0 = all hardware threads)")
    ("log-every", po::value(&o.log_every)->default_value(o.log_every), "write a train_log.csv row every n steps")
    ("checkpoint-every", po::value(&o.checkpoint_every)->default_value(o.checkpoint_every),
     "write DIR/checkpoint.pt every n steps (and at the end)")
    ("quiet", po::bool_switch(&o.quiet), "no progress on stderr")
    ("out", po::value(&out), "output directory (must not exist or be empty)")
    ("resume", po::value(&resume_dir), "continue the run in this directory from its last checkpoint");
  // clang-format on
  const std::string usage =
      "axial train [--dataset three-dots|FILE.h5] [--beta 4] [--gamma 0.1] [--penalty l1|l2] [--jacobian fd|exact] "
      "[--jacobian-columns k] [--latent-dim 10] [--batch-size 64] [--lr 1e-4] [--steps N] [--anneal-steps A] "
      "[--train-cache N] [--seed S] [--data-seed 0] [--device auto] [--log-every n] [--checkpoint-every n] "
      "[--threads n] [--quiet] --out DIR | --resume DIR\n\n"
      "Writes DIR/config.json, DIR/train_log.csv, DIR/checkpoint.pt, DIR/model/encoder.pt (TorchScript, x -> mu) "
      "and DIR/model/vae.pt. See docs/training.md.";
  if (wants_help(args)) {
    print_help(usage, desc);
    return 0;
  }
  auto vm = parse(args, desc);
  if (out.empty() == resume_dir.empty()) throw Error("give exactly one of --out DIR (a new run) or --resume DIR");
  try {
    if (!resume_dir.empty()) {
      // The run's options come from DIR/config.json; only how it runs may change.
      for (const auto& name : {"dataset", "beta", "gamma", "penalty", "jacobian", "jacobian-columns", "latent-dim",
                               "batch-size", "lr", "steps", "anneal-steps", "train-cache", "seed", "data-seed",
                               "log-every", "checkpoint-every"})
        if (!vm[name].defaulted())
          throw Error(fmt::format("--{} cannot be combined with --resume (the run's options come from {}/config.json)",
                                  name, resume_dir));
      models::ResumeOverrides ov;
      ov.threads = o.threads;
      ov.quiet = o.quiet;
      if (!vm["device"].defaulted()) ov.device = o.device;
      models::resume(resume_dir, ov);
    } else {
      models::train(o, out);
    }
  } catch (const models::TrainingDiverged& e) {
    std::cerr << "axial: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace axial::cli
