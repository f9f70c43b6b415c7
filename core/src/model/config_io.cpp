#include "paretoprune/model/model_config.h"

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "base/json_util.h"
#include "formats/config_json.h"
#include "model/family.h"
#include "paretoprune/base/error.h"

namespace pp {

using nlohmann::json;

namespace {
// The task from "architectures": a tagger when its first entry is a
// ...ForTokenClassification class; refuses a mix of tasks.
void readTask(const json& j, ModelConfig& c) {
  if (!j.contains("architectures") || j["architectures"].is_null()) return;
  const json& a = j["architectures"];
  if (!a.is_array()) throw Error("config.json: \"architectures\" must be a list of class names");
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_string()) throw Error("config.json: \"architectures\" must hold strings");
    const Task t = taskOfArchitecture(a[i].get<std::string>());
    if (i > 0 && t != c.task)
      throw Error("config.json: \"architectures\" mixes token and sequence classification");
    c.task = t;
  }
}
}  // namespace

ModelConfig modelConfigFromJson(const json& j) {
  const std::string where = "config.json";
  if (!j.is_object()) throw Error(where + ": expected a JSON object");
  ModelConfig c;
  if (j.contains("model_type")) {
    if (!j["model_type"].is_string()) throw Error(where + ": \"model_type\" must be a string");
    c.model_type = j["model_type"].get<std::string>();
  }
  const ModelFamily* family = nullptr;
  try {
    family = &familyFor(c.model_type);
  } catch (const Error&) {
    throw Error(where + ": model_type \"" + jsonutil::shortText(c.model_type) +
                "\" is not supported (ParetoPrune loads: " + supportedModelTypes() + ")");
  }
  family->readConfig(j, c);
  readTask(j, c);
  configjson::checkSizes(c);
  configjson::readLabels(j, c);
  configjson::readPrunedHeads(j, c);
  configjson::readLayerSizes(j, c);
  return c;
}

ModelConfig loadModelConfig(const std::string& path) {
  std::string text = fileutil::readFile(path);
  json j = jsonutil::parse(text, path);
  try {
    return modelConfigFromJson(j);
  } catch (const Error& e) {
    std::string msg = e.what();
    const std::string prefix = "config.json";
    if (msg.rfind(prefix, 0) == 0) msg = path + msg.substr(prefix.size());
    throw Error(msg);
  }
}

json modelConfigToJson(const ModelConfig& c) {
  json j;
  familyOf(c).writeConfig(c, j);
  j["architectures"] = {architectureOf(c)};
  configjson::writeShared(c, j);
  return j;
}

void saveModelConfig(const ModelConfig& c, const std::string& path) {
  fileutil::writeFileAtomic(path, modelConfigToJson(c).dump(2) + "\n");
}

int64_t maxSequenceLength(const ModelConfig& c) {
  return c.max_position_embeddings - modelLayout(c).positionOffset;
}

std::string familyDisplayName(const ModelConfig& c) {
  return familyOf(c).displayName();
}

}  // namespace pp
