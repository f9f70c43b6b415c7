// Super-network fine-tuning and importance ordering.
//
// train(): AdamW with weight decay, linear warm-up and decay, and one of two
// strategies: "standard" (the full model only) or "sandwich" (each step the
// full model on the labels, then the space's smallest sub-network and k
// random ones learning from the full model's soft predictions). A checkpoint
// in Hugging Face format is written after every epoch.
//
// Importance ordering: a gradient-times-activation score per attention head
// and feed-forward unit, then a permutation of each layer so that "keep the
// first k" keeps the k most important. The permutation leaves the full
// model's outputs unchanged.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace pp {

class Model;
struct Dataset;
struct SearchSpace;

struct TrainOptions {
  std::string strategy = "sandwich";  // standard | sandwich
  int64_t epochs = 3;
  int64_t batchSize = 32;
  int64_t maxLength = 128;
  double learningRate = 1e-4;
  double weightDecay = 0.01;
  double warmupFraction = 0.1;  // of all steps
  double clipNorm = 1.0;        // 0: no clipping
  double hiddenDropout = -1;    // < 0: as in config.json
  double attentionDropout = -1;
  uint64_t seed = 0;
  // Sandwich: random sub-networks per step, and the distillation.
  int randomSubnets = 2;
  double temperature = 1.0;
  double distillAlpha = 1.0;  // sub-network loss = alpha * KD + (1 - alpha) * CE
  // Importance ordering of the initial weights before training.
  bool reorder = false;
  int64_t reorderBatches = 16;
  bool keepCheckpoints = true;  // OUT/checkpoint-epoch-N/ besides OUT/
};

struct TrainProgress {
  int64_t step = 0, totalSteps = 0;
  int64_t epoch = 0, epochs = 0;  // epoch is 1-based
  double loss = 0;                // mean loss of the last step (full model + sub-networks)
  double fullLoss = 0;            // the full model's cross-entropy in that step
  double learningRate = 0;
  double examplesPerSecond = 0;
  double elapsedSeconds = 0, etaSeconds = 0;
};

struct EpochReport {
  int64_t epoch = 0;
  double trainLoss = 0;          // mean full-model cross-entropy over the epoch
  double validationAccuracy = -1;  // full model; -1 without validation data
  double smallestAccuracy = -1;    // the space's smallest sub-network (sandwich)
  double seconds = 0;
  std::string checkpoint;        // directory written
};

struct TrainReport {
  std::vector<EpochReport> epochs;
  bool stopped = false;
  std::string outDir;
  nlohmann::json toJson() const;
};

// Return false to stop; the last finished epoch's checkpoint stays as it is.
using TrainCallback = std::function<bool(const TrainProgress&)>;
using EpochCallback = std::function<void(const EpochReport&)>;

// Fine-tunes `init` on `train` and writes OUT (the latest epoch's model,
// files replaced atomically) and OUT/checkpoint-epoch-N/. `space` gives the
// sub-networks of sandwich steps. Throws pp::Error for bad options or data.
TrainReport trainModel(const Model& init, const Dataset& train, const Dataset* validation, const SearchSpace& space,
                       const TrainOptions& opts, const std::string& outDir, TrainCallback progress = {},
                       EpochCallback epochDone = {});

struct Importance {
  std::vector<std::vector<double>> heads, units;  // [layer][index], larger = more important
};

// Mean |dLoss/dmask| of each head's and unit's output over `batches`
// batches of `data` (Michel et al. 2019's head importance, also for units).
Importance estimateImportance(const Model& m, const Dataset& data, int64_t batches, int64_t batchSize,
                              int64_t maxLength, uint64_t seed);

// Per layer, indices sorted by decreasing importance (ties by index).
std::vector<std::vector<int64_t>> importanceOrder(const std::vector<std::vector<double>>& scores);

// Writes a copy of `m` to `outDir` whose heads and units are physically
// permuted so that index order is importance order (no order file needed).
void writeReordered(const Model& m, const Importance& imp, const std::string& outDir, bool force);

}  // namespace pp
