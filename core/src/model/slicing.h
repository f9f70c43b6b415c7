// Internal: sub-networks as weights. Slicing copies only the kept layers,
// heads and units; masking keeps full widths with the removed parts zeroed;
// permuting reorders heads and units (importance order) without changing
// the function.
#pragma once
#include <vector>

#include "model/weights.h"

namespace pp {

// Only the kept weights: fewer layers, smaller tensors. Kept heads and units
// stay in ascending original index order.
EncoderWeights sliceWeights(const EncoderWeights& w, const SubNetwork& s,
                            const std::vector<std::vector<int64_t>>& headOrder,
                            const std::vector<std::vector<int64_t>>& unitOrder);

// The inverse of sliceWeights: a deep copy of `full` with the parts that
// `s` keeps replaced by `sliced` (sliceWeights(full, s, ...) after its
// training). Embeddings and head are `sliced`'s; the parts `s` removes
// stay `full`'s. sliceWeights of the result gives `sliced` back.
EncoderWeights unsliceWeights(const EncoderWeights& full, const EncoderWeights& sliced,
                              const SubNetwork& s,
                              const std::vector<std::vector<int64_t>>& headOrder,
                              const std::vector<std::vector<int64_t>>& unitOrder);

// The kept layers at full width, the removed heads' and units' columns of
// the output projections zeroed: the sub-network's function at the full
// layers' cost (never more than the full model's), for shapes where
// slicing does not pay. Layers with no heads or no units skip that part.
EncoderWeights maskWeights(const EncoderWeights& w, const SubNetwork& s,
                           const std::vector<std::vector<int64_t>>& headOrder,
                           const std::vector<std::vector<int64_t>>& unitOrder);

// Kept indices (ascending) of layer l's heads / units under the importance order.
std::vector<int64_t> keptIndices(const std::vector<int64_t>& order, int64_t count);

// Heads and units permuted per layer: new index i holds what old index
// perm[l][i] held. The full model computes the same function afterwards.
EncoderWeights permuteWeights(const EncoderWeights& w,
                              const std::vector<std::vector<int64_t>>& headPerm,
                              const std::vector<std::vector<int64_t>>& unitPerm);

}  // namespace pp
