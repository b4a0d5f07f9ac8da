#pragma once
// axial's random numbers. Every random choice takes an explicit generator (conventions §7); these helpers are
// defined bit-for-bit here (unlike std::uniform_int_distribution, whose output differs between standard
// libraries), so the same seed gives the same samples everywhere.
#include <cstdint>
#include <random>

namespace axial {

using Rng = std::mt19937_64;

// SplitMix64 finaliser: decorrelates (seed, stream) pairs.
inline std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream = 0) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// A generator for one named purpose of a run: derive independent streams from one --seed.
inline Rng make_rng(std::uint64_t seed, std::uint64_t stream = 0) { return Rng(mix_seed(seed, stream)); }

// Uniform integer in [lo, hi] (inclusive), by rejection: exact and portable.
inline std::int64_t uniform_int(Rng& rng, std::int64_t lo, std::int64_t hi) {
  const std::uint64_t range = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  if (range == 0) return lo;
  if (range == UINT64_MAX) return static_cast<std::int64_t>(rng());
  const std::uint64_t span = range + 1;
  const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % span) - 1;  // accept draws <= limit
  std::uint64_t x;
  do {
    x = rng();
  } while (x > limit);
  return lo + static_cast<std::int64_t>(x % span);
}

// Uniform double in [0, 1) with 53 random bits.
inline double uniform_real(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

}  // namespace axial
