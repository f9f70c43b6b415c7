#include "paretoprune/search/training_data.h"

#include <cstdio>
#include <filesystem>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "base/json_util.h"
#include "paretoprune/base/error.h"
#include "paretoprune/formats/dataset.h"

namespace pp {

using nlohmann::json;

namespace {
std::string fileName(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}
}  // namespace

json trainingDataJson(const DataSplit& split) {
  json j = {{"file", fileName(split.data)},
            {"checksum", fileutil::fnv1a64Hex(split.data)},
            {"validation", fileName(split.validation)}};
  if (split.validation.empty()) {
    j["val_split"] = split.valSplit;
    j["split_seed"] = split.splitSeed;
  }
  return j;
}

namespace {
std::string exampleKey(const Example& e) {
  return e.text + '\x1f' + e.pair;
}

// The recorded training set, rebuilt from `file` (whose checksum matched).
std::unordered_set<std::string> trainingTexts(const std::string& file, const json& rec,
                                              const DataColumns& columns, const ModelConfig& c) {
  const std::string where = "training.json: data";
  const bool split = jsonutil::optString(rec, "validation", where).empty() &&
                     rec.contains("val_split") && rec["val_split"].is_number() &&
                     rec["val_split"].get<double>() > 0;
  Dataset all = loadDataset(file, c, columns);
  if (split) {
    const uint64_t seed = rec.contains("split_seed") && rec["split_seed"].is_number_unsigned()
                              ? rec["split_seed"].get<uint64_t>()
                              : 0;
    all = splitDataset(all, rec["val_split"].get<double>(), seed).first;
  }
  std::unordered_set<std::string> keys;
  for (const auto& e : all.examples) keys.insert(exampleKey(e));
  return keys;
}
}  // namespace

SeenExamples seenInTraining(const std::string& modelDir, const DataSplit& search,
                            const Dataset& val, const ModelConfig& c) {
  SeenExamples r;
  r.total = static_cast<int64_t>(val.examples.size());
  const std::string path = fileutil::joinPath(modelDir, "training.json");
  if (!fileutil::exists(path)) return r;
  json rec;
  try {
    json j = jsonutil::parse(fileutil::readFile(path), path);
    if (!j.is_object() || !j.contains("data") || !j["data"].is_object()) return r;
    rec = j["data"];
    const std::string checksum = jsonutil::optString(rec, "checksum", path);
    r.trainedOn = jsonutil::optString(rec, "file", path);
    for (const std::string& file : {search.data, search.validation}) {
      if (file.empty() || !fileutil::exists(file) || fileutil::fnv1a64Hex(file) != checksum)
        continue;
      const auto keys = trainingTexts(file, rec, search.columns, c);
      for (const auto& e : val.examples) r.seen += keys.count(exampleKey(e)) ? 1 : 0;
      return r;
    }
  } catch (const Error&) {
    // A damaged record only means we cannot tell; the search goes on.
  }
  return r;
}

std::string seenWarning(const SeenExamples& s, const std::string& validationFile) {
  if (s.seen <= 0) return {};
  char share[32];
  std::snprintf(share, sizeof share, "%.1f%%", 100.0 * s.share());
  const std::string advice =
      validationFile.empty()
          ? "every error will read lower than on new data; pass --validation with examples the "
            "model has not seen"
      : s.share() < kFewSeen
          ? "so few that the errors hardly move; to be exact, remove them from " + validationFile
          : "every error will read lower than on new data; remove them from " + validationFile +
                " or use examples the model has not seen";
  return std::to_string(s.seen) + " of " + std::to_string(s.total) + " (" + share +
         ") validation examples are ones the model was trained on (" + s.trainedOn +
         ", by its training.json): " + advice;
}

}  // namespace pp
