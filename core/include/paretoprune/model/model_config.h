// Reading and writing a model's config.json through its family
// (model_type): every field checked, one clear line per problem.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "paretoprune/formats/config.h"

namespace pp {

// Throws pp::Error ("config.json: ..."); an unsupported model_type names
// the supported ones. A config without model_type is read as BERT.
ModelConfig modelConfigFromJson(const nlohmann::json& j);
// As above, messages naming `path`.
ModelConfig loadModelConfig(const std::string& path);
// The family's config.json for `c`.
nlohmann::json modelConfigToJson(const ModelConfig& c);
void saveModelConfig(const ModelConfig& c, const std::string& path);

// The most tokens a sequence may have: the position table less the
// family's position offset (RoBERTa's start after padding_idx).
int64_t maxSequenceLength(const ModelConfig& c);
// For people: "BERT".
std::string familyDisplayName(const ModelConfig& c);
// config.json's model_type values we load: "bert, ...".
std::string supportedModelTypes();

}  // namespace pp
