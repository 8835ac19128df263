// The generator's own pseudo-random numbers and distributions. std:: engines are portable but
// std:: distributions are not (each standard library draws differently), and floating point in a
// distribution may round differently across libm versions; everything here is integer arithmetic,
// so a seed gives the same region, byte for byte, on every machine.
//
// Rng is xoshiro256** (Blackman & Vigna), seeded through splitmix64. A stream is named by the seed
// and a key (the block of persons, the catalogue, …), so that blocks are generated independently
// and the output does not depend on how many threads generate them.
#pragma once

#include <cstdint>
#include <span>

namespace yibao::gen {

// splitmix64: a good 64-bit mixer, used to expand seeds.
inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  // The stream for (seed, key): different keys give unrelated streams.
  Rng(uint64_t seed, uint64_t key) {
    uint64_t sm = seed ^ (key * 0xD1B54A32D192ED03ULL);
    for (uint64_t& w : s_) w = SplitMix64(sm);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, n); n > 0. Lemire's multiply-shift with rejection: unbiased.
  uint64_t Below(uint64_t n) {
    unsigned __int128 m = (unsigned __int128)Next() * n;
    uint64_t low = uint64_t(m);
    if (low < n) {
      const uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = (unsigned __int128)Next() * n;
        low = uint64_t(m);
      }
    }
    return uint64_t(m >> 64);
  }

  // Uniform in [lo, hi] (inclusive); lo ≤ hi.
  int64_t Range(int64_t lo, int64_t hi) { return lo + int64_t(Below(uint64_t(hi - lo) + 1)); }

  // True with probability ppm / 1,000,000.
  bool Chance(int64_t ppm) { return int64_t(Below(1'000'000)) < ppm; }
  bool Percent(int pct) { return int(Below(100)) < pct; }

  // An index drawn with the given non-negative weights (not all zero).
  size_t Pick(std::span<const int> weights) {
    int64_t total = 0;
    for (int w : weights) total += w;
    int64_t r = int64_t(Below(uint64_t(total)));
    for (size_t i = 0; i < weights.size(); ++i) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.size() - 1;
  }

  // A bell-shaped integer in [lo, hi] peaking at the middle: the mean of three uniforms
  // (Irwin–Hall), close enough to a normal for lengths of stay and course days.
  int64_t Bell(int64_t lo, int64_t hi) {
    const uint64_t span = uint64_t(hi - lo) + 1;
    return lo + int64_t((Below(span) + Below(span) + Below(span)) / 3);
  }

  // A right-skewed integer in [lo, hi]: the smaller of two uniforms (costs, counts with a long
  // tail).
  int64_t Skewed(int64_t lo, int64_t hi) {
    int64_t a = Range(lo, hi), b = Range(lo, hi);
    return a < b ? a : b;
  }

  // How many of n independent trials of probability ppm succeed (binomial): event counts with a
  // given mean, without exp() or log().
  int Binomial(int n, int64_t ppm) {
    int k = 0;
    for (int i = 0; i < n; ++i) k += Chance(ppm) ? 1 : 0;
    return k;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace yibao::gen
