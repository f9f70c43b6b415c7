// Internal: the config.json keys every family shares (labels, pruned heads,
// our per-layer widths) and the checks of the shared sizes, for the
// families' readers and writers (model/family.h).
#pragma once
#include <nlohmann/json.hpp>

#include "paretoprune/formats/config.h"

namespace pp::configjson {

// Sizes that make a model at all: positive, plausible, heads dividing the width.
void checkSizes(const ModelConfig& c);
// Labels: names and count from id2label, num_labels or label2id.
void readLabels(const nlohmann::json& j, ModelConfig& c);
// Heads already pruned (Hugging Face's pruned_heads) per layer.
void readPrunedHeads(const nlohmann::json& j, ModelConfig& c);
// Per-layer feed-forward widths of a ParetoPrune export.
void readLayerSizes(const nlohmann::json& j, ModelConfig& c);
// id2label, label2id, pruned_heads and our per-layer widths into `j`.
void writeShared(const ModelConfig& c, nlohmann::json& j);

}  // namespace pp::configjson
