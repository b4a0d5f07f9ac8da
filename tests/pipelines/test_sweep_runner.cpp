// The sweep's ETA (src/pipelines/sweep_runner.hpp): unfinished runs cost what finished runs of their kind took.
#include "src/pipelines/sweep_runner.hpp"

#include <cmath>

#include <doctest/doctest.h>

using namespace axial::pipelines;
using doctest::Approx;

TEST_CASE("sweep_eta_seconds: by kind, running runs credited, shared by the jobs") {
  EtaInput in;
  in.jobs = 2;
  CHECK(std::isnan(sweep_eta_seconds(in)));  // nothing finished yet
  // Two fast runs (β-VAE) took 100 s and 120 s; one slow kind (JL1) has not finished yet → the mean of all, 110 s.
  in.finished = {{"beta", 100}, {"beta", 120}};
  in.waiting = {"beta", "jl1", "jl1"};
  in.running = {{"jl1", 50}};
  // waiting: 110 (beta's mean) + 110 + 110; running jl1: 110 − 50 = 60; (330 + 60) / 2 = 195.
  CHECK(sweep_eta_seconds(in) == Approx(195));
  // Once a JL1 run finished in 500 s: waiting 110 + 500 + 500, running 500 − 50 = 450 → 1560 / 2 = 780.
  in.finished.push_back({"jl1", 500});
  CHECK(sweep_eta_seconds(in) == Approx(780));
  // A running run past its expected time adds nothing (never negative).
  in.running = {{"jl1", 900}};
  in.waiting.clear();
  CHECK(sweep_eta_seconds(in) == Approx(0));
}

TEST_CASE("run_kind: the grid values without the seed") {
  SweepRun a, b, c;
  a.values = {{"gamma", 0.1}, {"seed", 11}};
  b.values = {{"gamma", 0.1}, {"seed", 12}};
  c.values = {{"gamma", 0}, {"seed", 11}};
  CHECK(run_kind(a) == run_kind(b));
  CHECK(run_kind(a) != run_kind(c));
}
