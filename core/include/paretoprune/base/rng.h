// Rng: a seeded generator whose sequences are the same on every platform
// (std distributions are not), for splits, sampling and search strategies.
#pragma once
#include <cstdint>
#include <random>
#include <vector>

namespace pp {

class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  uint64_t next() { return gen_(); }
  // Uniform integer in [lo, hi] (inclusive), without modulo bias.
  int64_t uniformInt(int64_t lo, int64_t hi);
  // Uniform index into a container of n > 0 elements.
  size_t index(size_t n) { return static_cast<size_t>(uniformInt(0, static_cast<int64_t>(n) - 1)); }
  double uniform01() { return static_cast<double>(gen_() >> 11) * 0x1.0p-53; }
  bool bernoulli(double p) { return uniform01() < p; }
  template <class T>
  void shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) {
      size_t j = static_cast<size_t>(uniformInt(0, static_cast<int64_t>(i) - 1));
      std::swap(v[i - 1], v[j]);
    }
  }

 private:
  std::mt19937_64 gen_;
};

inline int64_t Rng::uniformInt(int64_t lo, int64_t hi) {
  if (hi <= lo) return lo;
  const uint64_t range = static_cast<uint64_t>(hi - lo) + 1;
  if (range == 0) return static_cast<int64_t>(gen_());
  const uint64_t limit = UINT64_MAX - UINT64_MAX % range;
  uint64_t x;
  do {
    x = gen_();
  } while (x >= limit);
  return lo + static_cast<int64_t>(x % range);
}

}  // namespace pp
