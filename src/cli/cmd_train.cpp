// `axial train`: train a JL1-VAE (--method jl1, the default; γ = 0 is the paper's β-VAE), JL2-VAE (jl2) — issue 4 —
// or one of disentanglement_lib's methods (beta_vae, annealed_vae, dip_vae_i, dip_vae_ii, beta_tc_vae,
// factor_vae) — issue 15.
// The work is models::train / models::resume (models/trainer.hpp); this file only parses the command line.
#include <fmt/core.h>

#include <algorithm>
#include <iostream>
#include <limits>
#include <vector>

#include "src/core/error.hpp"
#include "models/trainer.hpp"
#include "src/cli/cli_common.hpp"
#include "src/cli/option_table.hpp"
#include "src/core/memory.hpp"

namespace axial::cli {

namespace {

struct TrainArgs {
  models::TrainOptions o;
  std::string out, resume_dir;
  std::vector<std::uint64_t> seeds;  // --seeds: several models in one process
};

// --seeds LIST: comma-separated seeds and inclusive ranges A-B ("11-20", "1,4,7", "11-15,20"); each distinct.
std::vector<std::uint64_t> parse_seed_list(const std::string& text) {
  auto bad = [&](const std::string& why) {
    return Error(fmt::format("--seeds '{}': {} (write e.g. --seeds 11-20 or --seeds 1,4,7)", text, why));
  };
  std::vector<std::uint64_t> seeds;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    if (item.empty()) throw bad("an empty item");
    const std::size_t dash = item.find('-');
    const std::uint64_t hi_max = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t a = 0, b = 0;
    if (dash == std::string::npos) {
      a = b = parse_unsigned_option("seeds", item, hi_max);
    } else {
      if (dash == 0) throw bad("'" + item + "' is not a seed (seeds are >= 0)");
      a = parse_unsigned_option("seeds", item.substr(0, dash), hi_max);
      b = parse_unsigned_option("seeds", item.substr(dash + 1), hi_max);
      if (b < a) throw bad(fmt::format("the range {} runs backwards", item));
    }
    if (b - a >= 1000 || seeds.size() + (b - a) >= 1000) throw bad("more than 1000 seeds");
    for (std::uint64_t s = a;; ++s) {
      if (std::find(seeds.begin(), seeds.end(), s) != seeds.end()) throw bad(fmt::format("seed {} is listed twice", s));
      seeds.push_back(s);
      if (s == b) break;
    }
    start = comma + 1;
  }
  return seeds;
}

// The one table of train options (parsing, --help, resume refusals, config.json's run_options, plan checks).
void describe(OptionTable& t, TrainArgs& a) {
  models::TrainOptions& o = a.o;
  std::string& out = a.out;
  std::string& resume_dir = a.resume_dir;
  // clang-format off
  t.add("dataset", o.dataset,
        "training data: three-dots (rendered on the fly), NAME=PATH or FILE.h5 (axial native format)")
   .add("method", o.method,
        "jl1 (default) | jl2 | beta_vae | annealed_vae | dip_vae_i | dip_vae_ii | beta_tc_vae | factor_vae; "
        "options of another method are errors (docs/training.md)")
   .add("architecture", o.architecture,
        "paper (the paper's defaultConv, sigmoid decoder) | dlib (disentanglement_lib's conv_encoder / "
        "deconv_decoder, logits decoder, Glorot-uniform init)")
   .add("adam", o.adam, "torch (PyTorch's Adam) | tf (TF1 Adam: epsilon added to the uncorrected sqrt(v))")
   .add("beta", o.beta, "KL weight beta (>= 0): jl1/jl2 (annealed), beta_vae, beta_tc_vae (default 4)")
   .add("gamma", o.gamma,
        "jl1/jl2: Jacobian penalty weight (default 0.1; 0 = the paper's beta-VAE); annealed_vae: weight of "
        "|KL - C| (default 1000); factor_vae: TC weight (default 30)")
   .add("lambda-od", o.lambda_od, "dip_vae_i/ii: off-diagonal weight lambda_od (default 5)")
   .add("lambda-d-factor", o.lambda_d_factor,
        "dip_vae_i/ii: lambda_d = lambda_d_factor * lambda_od (default dip_vae_i 10, dip_vae_ii 1)")
   .add("c-max", o.c_max, "annealed_vae: final capacity C (default 25)")
   .add("iteration-threshold", o.iteration_threshold,
        "annealed_vae: steps over which C grows linearly from 0 to c-max (default 100000)")
   .flag("dlib-step-count", o.dlib_step_count,
         "factor_vae: count --steps as disentanglement_lib does (2 per update: 300000 steps = 150000 updates)",
         Role::kResult)
   .add("penalty", o.penalty, "jl1/jl2 Jacobian penalty: l1 (JL1-VAE) | l2 (JL2-VAE); --penalty l2 alone means jl2")
   .add("jacobian", o.jacobian,
        "decoder Jacobian: fd (the paper's forward differences, eps 1e-3) | exact (forward-mode JVPs)")
   .add("jacobian-columns", o.jacobian_columns,
        "k > 0: each step uses k random latent columns per image scaled by L/k (unbiased); 0 = all")
   .add("latent-dim", o.latent_dim, "number of latents L")
   .add("batch-size", o.batch_size, "images per step")
   .add("lr", o.lr, "Adam learning rate")
   .add("steps", o.steps, "total number of batches")
   .add("anneal-steps", o.anneal_steps, "A: beta_t = beta*min(1,t/A), gamma_t likewise (0 = no annealing)")
   .add("train-cache", o.train_cache,
        "images drawn once (with --data-seed) into the training cache; batches sample it with replacement")
   .add("seed", o.seed, "seed of initialisation and noise (torch)")
   .custom("seeds", std::nullopt,
           "train one model per seed in this process (e.g. 11-20 or 1,4,7): DIR/seed-<s>/ each a normal run "
           "directory, each model bit-identical to --seed s alone (docs/training.md)",
           [&a](const std::string& t) { a.seeds = parse_seed_list(t); }, Role::kRun)
   .add("data-seed", o.data_seed, "seed of the data cache and batch order")
   .add("device", o.device, "auto | cpu | cuda | cuda:N", Role::kRun)
   .add("threads", o.threads, "CPU threads for LibTorch (0 = all hardware threads)", Role::kRun, 0)
   .add("log-every", o.log_every, "write a train_log.csv row every n steps", Role::kFixed)
   .add("checkpoint-every", o.checkpoint_every, "write DIR/checkpoint.pt every n steps (and at the end)",
        Role::kFixed)
   .flag("quiet", o.quiet, "no progress on stderr")
   .add("dump-step", o.dump_step,
        "write the first step's tensors (float64, NHWC) to this .h5 file (docs/training.md, \"Checkable steps\")",
        Role::kRun)
   .add("out", out, "output directory (must not exist or be empty)", Role::kRun)
   .add("resume", resume_dir, "continue the run in this directory from its last checkpoint", Role::kRun);
  // clang-format on
}

// The method and its options: --penalty l2 without --method means jl2; an option of another method is an error;
// options not given take the method's defaults.
void resolve_method(const OptionTable& t, TrainArgs& a) {
  models::TrainOptions& o = a.o;
  if (!t.given("method") && t.given("penalty")) o.method = o.penalty == "l2" ? "jl2" : "jl1";
  const auto& own = models::method_options(o.method);  // also rejects an unknown --method
  std::vector<std::string> given;
  for (const auto& name : models::method_option_names()) {
    if (!t.given(name)) continue;
    if (std::find(own.begin(), own.end(), name) == own.end()) {
      std::string list;
      for (const auto& n : own) list += (list.empty() ? "--" : ", --") + n;
      throw Error(fmt::format("--{} does not belong to --method {} (its options: {})", name, o.method, list));
    }
    given.push_back(name);
  }
  models::set_method_defaults(o, given);
}

// Parses and validates everything a fresh run checks before it writes anything (used by check-plan).
void parse_and_validate(const Args& args, OptionTable& t, TrainArgs& a) {
  describe(t, a);
  t.parse(args);
  if (a.out.empty() == a.resume_dir.empty())
    throw Error("give exactly one of --out DIR (a new run) or --resume DIR");
  if (t.given("seeds") && t.given("seed"))
    throw Error("give --seed S (one model) or --seeds LIST (one model per seed), not both");
  if (t.given("seeds") && !a.resume_dir.empty())
    throw Error("--seeds cannot be combined with --resume (--resume OUT of a --seeds job resumes all its seeds)");
  if (t.given("seeds") && t.given("dump-step"))
    throw Error("--dump-step cannot be combined with --seeds (every model would write the same file); dump one "
                "seed with --seed");
  if (a.resume_dir.empty()) {
    resolve_method(t, a);
    models::validate(a.o);
  }
}

}  // namespace

void check_train_args(const Args& args) {
  TrainArgs a;
  OptionTable t("axial train options");
  parse_and_validate(args, t, a);
}

int run_train(const Args& args) {
  TrainArgs a;
  models::TrainOptions& o = a.o;
  const std::string& out = a.out;
  const std::string& resume_dir = a.resume_dir;
  OptionTable t("axial train options");
  const std::string usage =
      "axial train [--dataset three-dots|FILE.h5] [--method jl1|jl2|beta_vae|annealed_vae|dip_vae_i|dip_vae_ii|"
      "beta_tc_vae|factor_vae] [--architecture paper|dlib] [--adam torch|tf] [METHOD OPTIONS] [--dump-step FILE.h5]\n"
      "            [--beta 4] [--gamma 0.1] [--penalty l1|l2] [--jacobian fd|exact] "
      "[--jacobian-columns k] [--latent-dim 10] [--batch-size 64] [--lr 1e-4] [--steps N] [--anneal-steps A] "
      "[--train-cache N] [--seed S | --seeds 11-20] [--data-seed 0] [--device auto] [--log-every n] [--checkpoint-every n] "
      "[--threads n] [--quiet] --out DIR | --resume DIR\n\n"
      "Writes DIR/config.json, DIR/train_log.csv, DIR/checkpoint.pt, DIR/model/encoder.pt (TorchScript, x -> mu) "
      "and DIR/model/vae.pt (with --seeds: DIR/seed-<s>/ each). See docs/training.md.";
  if (wants_help(args)) {
    describe(t, a);
    print_help(usage, t.description());
    return 0;
  }
  parse_and_validate(args, t, a);
  try {
    if (!resume_dir.empty()) {
      // The run's options come from DIR/config.json; only how it runs may change (the table's kRun rows).
      auto fixed = t.given_names(Role::kResult);
      for (const auto& n : t.given_names(Role::kFixed)) fixed.push_back(n);
      for (const auto& name : fixed)
        throw Error(fmt::format("--{} cannot be combined with --resume (the run's options come from {}/config.json)",
                                name, resume_dir));
      if (t.given("dump-step"))
        throw Error("--dump-step cannot be combined with --resume (it writes the first step of a fresh run)");
      models::ResumeOverrides ov;
      ov.threads = o.threads;
      ov.quiet = o.quiet;
      if (t.given("device")) ov.device = o.device;
      // OUT of a --seeds job (no config.json, OUT/seed-*/ runs): all of them together, as they were trained.
      if (!models::seed_run_dirs(resume_dir).empty())
        models::resume_seeds(resume_dir, ov);
      else
        models::resume(resume_dir, ov);
    } else {
      // config.json records which of its options do not change results (reports leave them out of group keys).
      std::vector<std::string> run_only;
      for (Role role : {Role::kFixed, Role::kRun})
        for (const auto& k : t.config_keys(role)) run_only.push_back(k);
      // The training cache holds --train-cache images of at least 64×64 bytes (uint8, one channel).
      require_memory(double(o.train_cache) * 64.0 * 64.0,
                     fmt::format("--train-cache {} (the training cache)", o.train_cache));
      if (t.given("seeds"))
        models::train_seeds(o, a.seeds, out, run_only);
      else
        models::train(o, out, run_only);
    }
  } catch (const models::TrainingDiverged& e) {
    std::cerr << "axial: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace axial::cli
