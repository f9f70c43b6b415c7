// Internal: the importance estimate on weights already in place (training's
// --reorder runs it on the weights it trains, on the training device).
#pragma once
#include <vector>

#include "cpu/forward.h"
#include "model/batching.h"
#include "paretoprune/eval/importance.h"

namespace pp {

// Importance of `w`'s heads and units (`c`, `act`: their model) over
// opts.batches batches of `ex`, run on `w`'s device; opts.device is unused.
Importance estimateImportance(const EncoderWeights& w, const ModelConfig& c, Act act,
                              const std::vector<TokenizedExample>& ex,
                              const ImportanceOptions& opts);

}  // namespace pp
