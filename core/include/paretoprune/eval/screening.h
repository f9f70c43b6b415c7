// Multi-fidelity screening: which validation batches a trial is first
// evaluated on, and the optimistic bound that decides whether it is worth
// finishing (docs/search.md, "Multi-fidelity"). Pure functions.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "paretoprune/model/metrics.h"

namespace pp {

class EncodedData;

// A seeded, length-stratified choice of about `share` of `numBatches`
// batches (ascending indices): the batches, sorted by length, are cut into
// equal strata and one batch is drawn from each, so the screen sees short
// and long sequences alike. At least one batch; all of them for share >= 1.
std::vector<size_t> stratifiedBatches(size_t numBatches, double share, uint64_t seed);
std::vector<size_t> screeningBatches(const EncodedData& d, double share, uint64_t seed);

// The best the whole validation set could plausibly give, from metrics
// measured on a screen of m.count examples: error two binomial standard
// errors lower, MCC two standard errors of a correlation higher
// (sqrt((1 - r^2) / (m - 2))), F1 two binomial standard errors higher.
// Clamped to each metric's range.
ClassificationMetrics optimisticMetrics(const ClassificationMetrics& m);

}  // namespace pp
