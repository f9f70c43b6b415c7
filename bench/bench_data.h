// Synthetic data shared by the benchmarks (no Torch): RTE-like sentence
// pairs of random words from the tiny models' built-in vocabulary.
#pragma once
#include <cstdint>
#include <string>

#include "paretoprune/base/rng.h"
#include "paretoprune/formats/dataset.h"

namespace ppbench {

// `n` pairs: a first sentence of firstLo..firstHi words, a second of 5..20;
// labels alternate.
inline pp::Dataset rteLikePairs(int64_t n, uint64_t seed, int64_t firstLo = 30,
                                int64_t firstHi = 110) {
  const char* words[] = {"good",  "bad", "food", "service", "movie",
                         "great", "the", "was",  "very",    "not"};
  pp::Rng rng(seed);
  auto sentence = [&](int64_t lo, int64_t hi) {
    std::string s;
    for (int64_t i = 0, len = rng.uniformInt(lo, hi); i < len; ++i)
      s += std::string(i ? " " : "") + words[rng.index(10)];
    return s;
  };
  pp::Dataset d;
  d.hasPair = true;
  for (int64_t i = 0; i < n; ++i)
    d.examples.push_back({sentence(firstLo, firstHi), sentence(5, 20), i % 2, i + 2});
  return d;
}

}  // namespace ppbench
