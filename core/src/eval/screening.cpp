#include "paretoprune/eval/screening.h"

#include <algorithm>
#include <cmath>

#include "paretoprune/base/rng.h"
#include "paretoprune/eval/evaluator.h"

namespace pp {

std::vector<size_t> stratifiedBatches(size_t numBatches, double share, uint64_t seed) {
  std::vector<size_t> out;
  if (numBatches == 0) return out;
  const size_t n = std::clamp<size_t>(
      static_cast<size_t>(std::ceil(share * static_cast<double>(numBatches))), 1, numBatches);
  Rng rng(seed ^ 0x5c4ee9b1d2a3f4c5ull);
  for (size_t k = 0; k < n; ++k) {
    const size_t lo = k * numBatches / n,
                 hi = (k + 1) * numBatches / n;  // stratum [lo, hi), never empty
    out.push_back(lo + rng.index(hi - lo));
  }
  return out;
}

std::vector<size_t> screeningBatches(const EncodedData& d, double share, uint64_t seed) {
  return stratifiedBatches(d.numBatches(), share, seed);
}

ClassificationMetrics optimisticMetrics(const ClassificationMetrics& m) {
  ClassificationMetrics o = m;
  const double n = std::max<double>(1.0, static_cast<double>(m.count));
  auto binomialSe = [n](double p) { return std::sqrt(std::max(p * (1 - p), 1e-4) / n); };
  o.error = std::max(0.0, m.error - 2.0 * binomialSe(m.error));
  o.accuracy = 1.0 - o.error;
  const double r = std::clamp(m.mcc, -1.0, 1.0);
  o.mcc = std::min(1.0, r + 2.0 * std::sqrt(std::max(1.0 - r * r, 1e-4) / std::max(1.0, n - 2.0)));
  o.f1 = std::min(1.0, m.f1 + 2.0 * binomialSe(m.f1));
  return o;
}

}  // namespace pp
