#pragma once
// Training of JL1-VAE / JL2-VAE (Rhodes & Lee; γ = 0 is their annealed β-VAE) and disentanglement_lib's β-VAE,
// AnnealedVAE, DIP-VAE-I/II, β-TCVAE and FactorVAE (`axial train --method`), resumable, exporting TorchScript.
//
// Output directory DIR (docs/training.md):
//   DIR/config.json       every option (under "options", CLI names with '_'), seeds, axial version, git commit,
//                         device, LibTorch version, model shape
//   DIR/train_log.csv     step,loss,reconstruction,kl,jacobian,beta_t,gamma_t,images/s every --log-every steps
//   DIR/checkpoint.pt     model, optimiser, step, RNG states — every --checkpoint-every steps and at the end, atomic
//   DIR/model/encoder.pt  TorchScript: float (N,C,64,64) in [0,1] → μ (N,L)
//   DIR/model/vae.pt      TorchScript VAE (encode/decode), see models/vae.hpp
//
// Data: a cache of --train-cache images drawn once from the data set with --data-seed (stored as uint8 levels when
// the pixel values allow it), batches drawn from it with replacement; batch t's indices depend only on
// (--data-seed, t), so every model seed sees the same data order and resume needs no data state.
// --seed seeds torch (initialisation, ε noise, column choice).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace axial::models {

struct TrainOptions {
  std::string dataset = "three-dots";  // a registry name or FILE.h5 (datasets/registry.hpp open_dataset)
  // jl1 | jl2 | beta_vae | annealed_vae | dip_vae_i | dip_vae_ii | beta_tc_vae | factor_vae (regularizers.hpp).
  // The defaults below are jl1's; set_method_defaults gives another method its own (the paper's Fig. 5 values).
  std::string method = "jl1";
  std::string architecture = "paper";  // paper | dlib (models/vae.hpp)
  std::string adam = "torch";          // torch | tf (models/optimizer.hpp)
  double beta = 4.0;
  double gamma = 0.1;
  double lambda_od = 5.0;              // dip_vae_i/ii
  double lambda_d_factor = 10.0;       // dip_vae_i/ii (dip_vae_ii's default is 1)
  double c_max = 25.0;                 // annealed_vae
  std::int64_t iteration_threshold = 100000;  // annealed_vae
  bool dlib_step_count = false;        // factor_vae: --steps counts like disentanglement_lib (2 per update)
  std::string penalty = "l1";          // l1 | l2
  std::string jacobian = "fd";         // fd | exact
  int jacobian_columns = 0;            // 0 = all L columns; k in 1..L = random k columns scaled by L/k
  int latent_dim = 10;
  int batch_size = 64;
  double lr = 1e-4;
  std::int64_t steps = 300000;
  std::int64_t anneal_steps = 100000;
  std::int64_t train_cache = 500000;
  std::uint64_t seed = 0;
  std::uint64_t data_seed = 0;
  std::string device = "auto";         // auto | cpu | cuda[:N]
  std::int64_t log_every = 100;
  std::int64_t checkpoint_every = 1000;
  // Not part of the result (not under "options" in config.json):
  int threads = 0;                     // torch::set_num_threads; 0 = number of hardware threads
  bool quiet = false;
  std::string dump_step;               // FILE.h5: the first step's tensors (docs/training.md); fresh runs only
};

// The hyper-parameter options (CLI names) that belong to `method` (any other of method_option_names() given with
// it is an error). jl1/jl2: beta gamma penalty jacobian jacobian-columns anneal-steps; beta_vae, beta_tc_vae: beta;
// annealed_vae: gamma c-max iteration-threshold; dip_vae_i/ii: lambda-od lambda-d-factor; factor_vae: gamma
// dlib-step-count.
const std::vector<std::string>& method_options(const std::string& method);
// Every method-specific option (the union of method_options over the methods).
const std::vector<std::string>& method_option_names();
// Sets the method's default for every method option not in `given` (CLI names): factor_vae γ = 30; annealed_vae
// γ = 1000, c_max = 25, iteration_threshold = 100000; dip_vae_i λ_od = 5, λ_d_factor = 10; dip_vae_ii λ_od = 5,
// λ_d_factor = 1; beta_vae and beta_tc_vae β = 4; jl1/jl2 keep β = 4, γ = 0.1.
void set_method_defaults(TrainOptions& options, const std::vector<std::string>& given);
// Number of optimiser updates a run of `options` makes: steps, or ceil(steps / 2) with dlib_step_count.
std::int64_t update_count(const TrainOptions& options);

// Throws axial::Error naming the option for any invalid value (negative β/γ/lr/steps, unknown penalty/jacobian,
// columns outside 0..L, non-positive batch/latent/cache/log/checkpoint intervals, ...). Does no work.
void validate(const TrainOptions& options);

// The "options" object of config.json and back (missing keys → axial::Error naming the file/key). It holds the
// common options, `method`, `architecture`, `adam` and the method's own hyper-parameters only. A config.json
// written before methods existed (no "method") reads as jl1/jl2 by its penalty, paper architecture, torch Adam.
nlohmann::json options_to_json(const TrainOptions& options);
TrainOptions options_from_json(const nlohmann::json& j, const std::string& where);

struct TrainSummary {
  std::int64_t steps_done = 0;    // batches trained in total
  std::int64_t resumed_from = 0;  // step of the checkpoint a resume started from (0 for a fresh run)
  double seconds = 0;
  double final_loss = 0;          // mean loss of the last logged window
};

// Thrown when the loss turns NaN/Inf: names the step; the last good checkpoint stays in place.
class TrainingDiverged : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A fresh run into `out_dir`, which must not exist or be empty (else axial::Error). Validates everything (options,
// device, data set) before writing anything.
// `run_only_options`: the option keys that do not change results (the CLI's option table says which), recorded as
// config.json "run_options" so that reports leave them out of group keys.
TrainSummary train(const TrainOptions& options, const std::filesystem::path& out_dir,
                   const std::vector<std::string>& run_only_options = {});

// Several seeds of one configuration in one process (`axial train --seeds 11-20 --out OUT`): options.seed is
// replaced by each of `seeds` (distinct) and run s is written to OUT/seed-<s>/, a normal run directory (eval,
// report and --resume accept it). The models take one update each in turn, each with its own torch generator
// states, so each is bit-for-bit the model `train` makes alone with --seed s; the data cache is built once. On CUDA
// every model issues its kernels on its own stream. OUT must not exist or be empty; it is locked for the job's life
// and so is each seed directory. A model that diverges stops with its last good checkpoint; the others finish, then
// TrainingDiverged names it.
std::vector<TrainSummary> train_seeds(const TrainOptions& options, const std::vector<std::uint64_t>& seeds,
                                      const std::filesystem::path& out_dir,
                                      const std::vector<std::string>& run_only_options = {});
// OUT/seed-<s>/ for train_seeds.
std::filesystem::path seed_dir(const std::filesystem::path& out_dir, std::uint64_t seed);
// The run directories of a train_seeds job (OUT/seed-<s>/ holding a config.json, in seed order); empty when `dir`
// is a run directory itself (it has a config.json) or holds no seed directory.
std::vector<std::filesystem::path> seed_run_dirs(const std::filesystem::path& dir);

// Continues the run in `dir` from its last checkpoint (from scratch if it has none yet) with the options in
// DIR/config.json; `threads`, `quiet` and `device` (if not empty) may be overridden. Finishing an already
// finished run just re-exports the model files.
struct ResumeOverrides {
  int threads = 0;
  bool quiet = false;
  std::string device;  // empty = as in config.json
};
TrainSummary resume(const std::filesystem::path& dir, const ResumeOverrides& overrides = {});
// Several runs continued together in one process, as train_seeds trains them (each bit-identical to its resume
// alone); `axial train --resume OUT` of a --seeds job resumes all of OUT/seed-*/.
std::vector<TrainSummary> resume_many(const std::vector<std::filesystem::path>& dirs,
                                      const ResumeOverrides& overrides = {});
// resume_many of seed_run_dirs(out_dir), holding out_dir's lock as train_seeds did (`axial train --resume OUT`).
std::vector<TrainSummary> resume_seeds(const std::filesystem::path& out_dir, const ResumeOverrides& overrides = {});

// For tests and tools: the cache-independent batch index stream. Indices of batch t (0-based) into a cache of
// `cache_size` images: B values drawn uniformly with replacement from make_rng(mix_seed(data_seed, 1), t).
void batch_indices(std::uint64_t data_seed, std::int64_t t, std::int64_t cache_size, std::int64_t batch,
                   std::int64_t* out);

}  // namespace axial::models
