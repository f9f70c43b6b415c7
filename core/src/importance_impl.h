// Internal: the importance estimate on weights already in place (training's
// --reorder runs it on the weights it trains, on the training device).
#pragma once
#include <vector>

#include "batching.h"
#include "paretoprune/importance.h"

namespace pp {

// Importance of `w`'s heads and units (`c`, `act`: their model) over
// opts.batches batches of `ex`, run on `w`'s device; opts.device is unused.
Importance estimateImportance(const BertWeights& w, const BertConfig& c, Act act,
                              const std::vector<TokenizedExample>& ex,
                              const ImportanceOptions& opts);

}  // namespace pp
