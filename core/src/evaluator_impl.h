// Internal: the tensors behind EncodedData.
#pragma once
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "bert.h"
#include "paretoprune/evaluator.h"

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
ExecRates measureExecRates(const BertWeights& base, const BertConfig& c, Act act, const Batch& batch,
                           const std::vector<std::vector<int64_t>>& headOrder,
                           const std::vector<std::vector<int64_t>>& unitOrder, Precision precision);

}  // namespace pp
