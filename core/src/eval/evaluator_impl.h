// Internal: the tensors behind EncodedData.
#pragma once
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "cpu/forward.h"
#include "model/slicing.h"
#include "paretoprune/eval/evaluator.h"

namespace pp {

struct EncodedDataImpl {
  // The batches on `device` (copied once per device, from pinned memory).
  const std::vector<Batch>& batchesOn(const std::string& device) const;

  std::vector<Batch> batches;
  std::vector<std::vector<size_t>> batchIndex;  // original example index per row
  std::vector<int64_t> labels;                  // original order
  size_t count = 0;
  int64_t realTokens = 0, paddedTokens = 0;
  mutable std::mutex deviceMutex;
  mutable std::map<std::string, std::vector<Batch>> deviceBatches;
};

// The rates of measureExecRates(Model, ...) for weights `base` on `batch`'s
// device (benchmarks call it on weights of their own).
ExecRates measureExecRates(const EncoderWeights& base, const ModelConfig& c, Act act,
                           const Batch& batch, const std::vector<std::vector<int64_t>>& headOrder,
                           const std::vector<std::vector<int64_t>>& unitOrder, Precision precision);

// Runs weights `w` (on `device`: a model's, a sliced sub-network's, or the
// weights training is updating) over the batches of `data` under
// InferenceMode: fn(batch index, its logits as float32 on the CPU), over
// the batches `which` lists (empty: all). Stops
// early when `cancel` becomes true. evaluate() and training's validation
// both go through here.
void forEachBatch(const EncoderWeights& w, const ModelConfig& c, Act act, const EncodedData& data,
                  const std::string& device, const std::vector<size_t>& which,
                  const std::atomic<bool>* cancel,
                  const std::function<void(size_t, const torch::Tensor&)>& fn);

}  // namespace pp
