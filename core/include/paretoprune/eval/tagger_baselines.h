// Baselines that a trained tagger should beat, on the same split, scored
// as the tagger is (entity_metrics.h): every word tagged O (the chance
// level: no entity found, F1 0), and each word's most frequent tag in the
// training sentences (the memorising baseline of the CoNLL shared tasks'
// kind: entities seen in training are found again, unseen words are O).
#pragma once
#include <string>
#include <vector>

#include "paretoprune/eval/entity_metrics.h"

namespace pp {

struct Dataset;

struct TaggerBaselineResult {
  std::string name;
  EntityMetrics entities;  // entity P/R/F1, per type, token accuracy
  std::string detail;
};

// `labels`: the model's id2label (the sets' tag ids index it). Both sets
// must be tagged sentences (Dataset::tagged); throws pp::Error otherwise.
std::vector<TaggerBaselineResult> taggerBaselines(const Dataset& train, const Dataset& validation,
                                                  const std::vector<std::string>& labels,
                                                  TagScheme scheme = TagScheme::Auto);

}  // namespace pp
