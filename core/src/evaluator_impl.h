// Internal: the tensors behind EncodedData.
#pragma once
#include <vector>

#include "bert.h"

namespace pp {

struct EncodedDataImpl {
  std::vector<Batch> batches;
  std::vector<std::vector<size_t>> batchIndex;  // original example index per row
  std::vector<int64_t> labels;                  // original order
  size_t count = 0;
  int64_t realTokens = 0, paddedTokens = 0;
};

}  // namespace pp
