// Internal: fine-tuning one sliced sub-network for recovery (recover.h):
// the learning-rate probes, the main run with held-out checks and early
// stopping, and its checkpoint (STATE/state.json naming the step of the
// weight, best-weight and AdamW files beside it), from which a killed run
// resumes where the last check left it.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/batching.h"
#include "model/weights.h"
#include "paretoprune/train/recover.h"

namespace pp {

// What every pick of one recovery shares: the training split without the
// held-out part, the held-out part, and the full model's soft predictions
// of each training example at the temperature (undefined without
// distillation). With distillation a classifier's `train` ends with the
// transfer set's variants (augment.h). A tagger's teacher, and with hidden-state distillation
// every teacher, is also the full model's weights on the device: its
// per-token predictions and its layer outputs are made batch by batch.
struct TuneData {
  std::vector<TokenizedExample> train, holdout;
  torch::Tensor teacherProbs;  // [train.size(), labels], float32 on the CPU
  bool tagger = false;         // sentences with a label per piece; scored by entity F1
  EncoderWeights teacher{};    // the full model on the device (a tagger's, or hidden states)
  size_t augmented = 0;        // the last this many of `train` are variants without labels
  // With a transfer set, the checks' judge: the held-out sentences and
  // variants of them, with the full model's soft predictions.
  std::vector<TokenizedExample> judge;
  torch::Tensor judgeProbs;
};
TuneData prepareTuneData(const Model& full, const Dataset& train, const RecoverOptions& o,
                         const torch::Device& dev);

struct TuneOutcome {
  EncoderWeights best;  // sliced, the best held-out check's weights (step 0 included)
  nlohmann::json details;
  bool stopped = false;      // the callback asked to stop; the checkpoint is written
  int64_t resumedStep = -1;  // >= 0: resumed from a checkpoint at this step
};

// phase, learning rate, step, steps, loss, held-out accuracy (-1: none yet)
using TuneCallback =
    std::function<bool(const std::string&, double, int64_t, int64_t, double, double)>;

TuneOutcome tuneSubnet(const Model& full, const SubNetwork& s, const TuneData& d,
                       const RecoverOptions& o, const torch::Device& dev,
                       const std::string& stateDir, const TuneCallback& cb);

// The options that decide a pick's result, as its checkpoint records them.
nlohmann::json tuneSettings(const RecoverOptions& o);

}  // namespace pp
