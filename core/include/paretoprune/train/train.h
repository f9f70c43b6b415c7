// Super-network fine-tuning: AdamW with weight decay, linear warm-up and
// decay, and one of two strategies: "standard" (the full model only) or
// "sandwich" (each step the full model on the labels, then the space's
// smallest sub-network and k random ones learning from the full model's
// soft predictions), on the CPU or a CUDA device, in float32 or with
// bfloat16 autocast. A checkpoint in Hugging Face format is written after
// every epoch. (Importance ordering: importance.h.)
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "paretoprune/eval/evaluator.h"
#include "paretoprune/search/run_header.h"

namespace pp {

class Model;
struct Dataset;
struct SearchSpace;

struct TrainOptions {
  std::string strategy = "sandwich";  // standard | sandwich
  int threads = 0;                    // CPU threads training uses (0: all); trainModel applies them
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
  // Where weights, optimizer state, batches and the validation run: auto
  // (the first CUDA device, else the CPU), cpu, cuda (the first CUDA
  // device) or cuda:N. Checkpoints are written from there as float32.
  std::string device = "auto";
  // Float32, or BFloat16: the forward passes under bfloat16 autocast, with
  // float32 master weights and optimizer state. (Float16 would need loss
  // scaling: refused.) Validation runs in float32.
  Precision precision = Precision::Float32;
  // The data split trained on, recorded in training.json (so that a search
  // can warn when its validation examples were training examples).
  DataSplit data;
};

struct TrainProgress {
  int64_t step = 0, totalSteps = 0;
  int64_t epoch = 0, epochs = 0;  // epoch is 1-based
  double loss = 0;                // mean loss of the last step (full model + sub-networks)
  double fullLoss = 0;            // the full model's cross-entropy in that step
  double learningRate = 0;
  double examplesPerSecond =
      0;  // over the training steps so far (validation and checkpoints not counted)
  double elapsedSeconds = 0, etaSeconds = 0;
  int64_t peakDeviceBytes = 0;  // CUDA: most memory allocated so far; 0: not measured (CPU)
};

struct EpochReport {
  int64_t epoch = 0;
  double trainLoss = 0;  // mean full-model cross-entropy over the epoch
  // Accuracy, or a tagger's entity F1 (metric says which).
  double validationAccuracy = -1;   // full model; -1 without validation data
  double smallestAccuracy = -1;     // the space's smallest sub-network (sandwich)
  std::string metric = "accuracy";  // or "entity F1"
  double seconds = 0;
  double examplesPerSecond = 0;  // this epoch's training steps
  int64_t peakDeviceBytes = 0;   // CUDA: most memory allocated in the run so far; 0: not measured
  std::string checkpoint;        // directory written
};

struct TrainReport {
  std::vector<EpochReport> epochs;
  bool stopped = false;
  std::string outDir;
  std::string device;  // where it ran: "cpu", "cuda:0", ...
  Precision precision = Precision::Float32;
  // The device ran out of memory: the run ended there; finished epochs stay
  // written and loadable. The batch size to try next (0: already 1; a
  // shorter maximum length is left) and the allocator's message.
  bool outOfMemory = false;
  int64_t suggestedBatchSize = 0;
  std::string outOfMemoryMessage;
  nlohmann::json toJson() const;
};

// Return false to stop; the last finished epoch's checkpoint stays as it is.
using TrainCallback = std::function<bool(const TrainProgress&)>;
using EpochCallback = std::function<void(const EpochReport&)>;

// Fine-tunes `init` on `train` and writes OUT (the latest epoch's model,
// files replaced atomically) and OUT/checkpoint-epoch-N/. `space` gives the
// sub-networks of sandwich steps. Throws pp::Error for bad options, data or
// device; running out of device memory is reported in the result instead.
// Any other failure (a callback that throws, a full disk) propagates and
// leaves the last finished epoch's files as they were.
TrainReport trainModel(const Model& init, const Dataset& train, const Dataset* validation,
                       const SearchSpace& space, const TrainOptions& opts,
                       const std::string& outDir, TrainCallback progress = {},
                       EpochCallback epochDone = {});

}  // namespace pp
