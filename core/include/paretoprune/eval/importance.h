// Importance of attention heads and feed-forward units, and the reordering
// it drives: a gradient-times-activation score per head and unit, then a
// permutation of each layer so that "keep the first k" keeps the k most
// important. The permutation leaves the full model's outputs unchanged.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace pp {

class Model;
struct Dataset;

struct Importance {
  std::vector<std::vector<double>> heads, units;  // [layer][index], larger = more important
};

struct ImportanceOptions {
  int64_t batches = 16;  // batches of the data averaged over
  int64_t batchSize = 32;
  int64_t maxLength = 128;
  uint64_t seed = 0;           // which batches (shuffled order)
  std::string device = "cpu";  // "cpu" or "cuda:N" (see resolveDevices)
};

// Mean |dLoss/dmask| of each head's and unit's output over `opts.batches`
// batches of `data` (Michel et al. 2019's head importance, also for units).
Importance estimateImportance(const Model& m, const Dataset& data,
                              const ImportanceOptions& opts = {});

// Per layer, indices sorted by decreasing importance (ties by index).
std::vector<std::vector<int64_t>> importanceOrder(const std::vector<std::vector<double>>& scores);

// Writes a copy of `m` to `outDir` whose heads and units are physically
// permuted so that index order is importance order (no order file needed).
void writeReordered(const Model& m, const Importance& imp, const std::string& outDir, bool force);

}  // namespace pp
