// Internal: the transfer set of a distilled recovery. Noisy variants of the
// training sentences, made at the piece level, that the full model labels
// (its soft predictions) and the pick learns from: distillation can teach
// from inputs without labels, plain fine-tuning cannot (Tang et al. 2019,
// "Distilling Task-Specific Knowledge from BERT into Simple Neural
// Networks": masking, replacement and n-gram sampling; TinyBERT's data
// augmentation). docs/recovery.md has the rules.
#pragma once
#include <cstdint>
#include <vector>

#include "model/batching.h"

namespace pp {

struct AugmentRules {
  double drop = 0.1;     // each piece: left out
  double replace = 0.1;  // each piece: replaced by a piece drawn from the corpus
  double window = 0.25;  // a single text: only a window of 1..maxWindow pieces kept
  int64_t maxWindow = 6;
};

// `count` variants of examples drawn in turn from `train` (shuffled by
// `seed`; each original before any is used twice), each with its label set
// to kIgnoredLabel: only the teacher labels them. A piece is never one of
// `specials` (the [CLS]/[SEP]/<s>/</s>/pad ids, kept in place with their
// token types); replacements are drawn from the non-special pieces of
// `train` (the corpus's own frequencies); every variant keeps at least one
// piece of each of its segments (one drawn from the whole segment when the
// noise left none, a window's included). A classifier's examples only (taggers'
// labels are per piece). Deterministic in `seed`.
std::vector<TokenizedExample> augmentExamples(const std::vector<TokenizedExample>& train,
                                              const std::vector<int64_t>& specials, size_t count,
                                              uint64_t seed, const AugmentRules& rules = {});

}  // namespace pp
