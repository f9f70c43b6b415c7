#include "paretoprune/search/run_header.h"

#include <cstdio>
#include <filesystem>

#include "base/file_util.h"
#include "base/json_util.h"
#include "model/checksum.h"
#include "paretoprune/base/error.h"
#include "paretoprune/formats/config.h"
#include "paretoprune/search/constraint.h"

namespace pp {

using nlohmann::json;
namespace fs = std::filesystem;

Dataset DataSplit::validationSet(const ModelConfig& c) const {
  const double split = validation.empty() ? valSplit : 0.0;
  Dataset val = loadValidationSet(data, validation, split, splitSeed, c, columns);
  if (limit > 0 && static_cast<int64_t>(val.examples.size()) > limit)
    val.examples.resize(static_cast<size_t>(limit));
  return subsetDataset(val, valSubset, valSubsetSeed);
}

Dataset DataSplit::trainingSet(const ModelConfig& c) const {
  return loadTrainingSet(data, validation, validation.empty() ? valSplit : 0.0, splitSeed, c,
                         columns);
}

std::string dataFingerprint(const Dataset& d) {
  uint64_t h = 1469598103934665603ull;
  auto add = [&h](const std::string& s) {
    for (unsigned char ch : s) {
      h ^= ch;
      h *= 1099511628211ull;
    }
    h ^= 0x1f;
    h *= 1099511628211ull;
  };
  for (const auto& e : d.examples) {
    add(e.text);
    add(e.pair);
    add(std::to_string(e.label));
    for (size_t i = 0; i < e.words.size() && i < e.tags.size(); ++i)
      add(e.words[i] + " " + std::to_string(e.tags[i]));
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return std::string(buf) + "-" + std::to_string(d.examples.size());
}

std::string absolutePath(const std::string& path) {
  if (path.empty()) return path;
  std::error_code ec;
  fs::path p = fs::absolute(fs::path(path), ec);
  if (ec) return path;
  return p.lexically_normal().string();
}

std::string relativeTo(const std::string& path, const std::string& baseFile) {
  if (path.empty()) return path;
  const fs::path base = fs::path(absolutePath(baseFile)).parent_path();
  const fs::path rel = fs::path(absolutePath(path)).lexically_relative(base);
  return rel.empty() ? absolutePath(path) : rel.string();
}

std::string resolveRunPath(const std::string& absolute, const std::string& relative,
                           const std::string& logPath) {
  if (absolute.empty() || fileutil::exists(absolute)) return absolute;
  if (!relative.empty()) {
    const fs::path besideLog = fs::path(absolutePath(logPath)).parent_path() / relative;
    if (fileutil::exists(besideLog.string())) return besideLog.lexically_normal().string();
  }
  return absolute;
}

namespace {
constexpr int64_t kMaxCount = 1000000000000;  // trials, examples, subset sizes

json columnsJson(const DataColumns& c) {
  return {{"text", c.text}, {"pair", c.pair}, {"label", c.label}};
}

DataColumns columnsFromJson(const json& j, const std::string& where) {
  DataColumns c;
  if (!j.contains("columns") || j["columns"].is_null()) return c;
  const std::string w = where + ": field \"columns\"";
  if (!j["columns"].is_object())
    throw Error(w + " must be an object, got " + jsonutil::describe(j["columns"]));
  c.text = jsonutil::optString(j["columns"], "text", w);
  c.pair = jsonutil::optString(j["columns"], "pair", w);
  c.label = jsonutil::optString(j["columns"], "label", w);
  return c;
}

DataSplit splitFromJson(const json& j, const std::string& where) {
  using jsonutil::optInt;
  DataSplit d;
  d.data = jsonutil::optString(j, "data", where);
  d.validation = jsonutil::optString(j, "validation", where);
  d.valSplit = jsonutil::optNumber(j, "val_split", where, 0.0, 0.0, 1.0);
  d.splitSeed = jsonutil::optUnsigned(j, "split_seed", where, 0);
  d.columns = columnsFromJson(j, where);
  d.limit = optInt(j, "limit", where, 0, 0, kMaxCount);
  d.valSubset = optInt(j, "val_subset", where, 0, 0, kMaxCount);
  d.valSubsetSeed = jsonutil::optUnsigned(j, "val_subset_seed", where, 0);
  d.maxLength = optInt(j, "max_length", where, 128, 1, 1000000);
  d.batchSize = optInt(j, "batch_size", where, 32, 1, 1000000);
  return d;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

const char* const kKnownFields[] = {"paretoprune_log",
                                    "model",
                                    "model_relative",
                                    "model_checksum",
                                    "space",
                                    "strategy",
                                    "seed",
                                    "objectives",
                                    "trials",
                                    "multi_fidelity",
                                    "devices",
                                    "data",
                                    "data_relative",
                                    "validation",
                                    "validation_relative",
                                    "val_split",
                                    "split_seed",
                                    "columns",
                                    "limit",
                                    "val_subset",
                                    "val_subset_seed",
                                    "max_length",
                                    "batch_size",
                                    "data_fingerprint",
                                    "validation_examples",
                                    "reference",
                                    "exec_rates",
                                    "saved_from",
                                    "completion",
                                    "auto",
                                    "constraints",
                                    "precision",
                                    "confirm_fp32",
                                    "flops_length"};
// The precision the trials were measured in, whether front members were
// confirmed in fp32, and the sequence length of their FLOPs.
void readMeasurement(const json& j, const std::string& w, RunHeader& h) {
  h.precision = jsonutil::optString(j, "precision", w, "fp32");
  if (h.precision != "fp32" && h.precision != "bf16" && h.precision != "fp16" &&
      h.precision != "int8")
    throw Error(w + ": field \"precision\" must be fp32, bf16, fp16 or int8, got \"" +
                jsonutil::shortText(h.precision) + "\"");
  h.confirmFp32 = jsonutil::optBool(j, "confirm_fp32", w, false);
  h.flopsLength = jsonutil::optInt(j, "flops_length", w, 0, 0, 1 << 20);
}

CompletionCriteria completionFromJson(const json& c, const std::string& cw) {
  if (!c.is_object()) throw Error(cw + " must be an object, got " + jsonutil::describe(c));
  CompletionCriteria out;
  out.convergenceWindow = jsonutil::optInt(c, "convergence_window", cw, 0, 0, kMaxCount);
  out.convergenceMinGain = jsonutil::optNumber(c, "convergence_min_gain", cw, 0.001, 0, 1);
  out.targetAccuracyDrop = jsonutil::optNumber(c, "target_accuracy_drop", cw, -1, -1, 100);
  out.targetParamsShare = jsonutil::optNumber(c, "target_params_share", cw, 0.4, 0, 1);
  return out;
}
}  // namespace

json RunHeader::toJson() const {
  json j = extra.is_object() ? extra : json::object();
  j["paretoprune_log"] = kVersion;
  j["model"] = model;
  j["model_checksum"] = modelChecksum;
  j["space"] = space;
  j["strategy"] = strategy;
  j["seed"] = seed;
  j["objectives"] = objectives;
  j["metric"] = metric;
  j["trials"] = trials;
  j["multi_fidelity"] = multiFidelity;
  j["precision"] = precision;
  if (confirmFp32) j["confirm_fp32"] = true;
  if (flopsLength > 0) j["flops_length"] = flopsLength;
  j["devices"] = devices;
  j["data"] = data.data;
  j["validation"] = data.validation;
  j["val_split"] = data.validation.empty() ? data.valSplit : 0.0;
  j["split_seed"] = data.splitSeed;
  j["columns"] = columnsJson(data.columns);
  if (data.limit > 0) j["limit"] = data.limit;
  j["val_subset"] = data.valSubset;
  j["val_subset_seed"] = data.valSubsetSeed;
  j["max_length"] = data.maxLength;
  j["batch_size"] = data.batchSize;
  j["data_fingerprint"] = dataFingerprint;
  j["validation_examples"] = validationExamples;
  if (chanceError >= 0) j["chance_error"] = chanceError;
  if (!reference.is_null()) j["reference"] = reference;
  if (!execRates.is_null()) j["exec_rates"] = execRates;
  if (!savedFrom.empty()) j["saved_from"] = savedFrom;
  j["completion"] = {{"convergence_window", completion.convergenceWindow},
                     {"convergence_min_gain", completion.convergenceMinGain},
                     {"target_accuracy_drop", completion.targetAccuracyDrop},
                     {"target_params_share", completion.targetParamsShare}};
  if (!autoChoices.is_null()) j["auto"] = autoChoices;
  if (!constraints.empty()) j["constraints"] = constraints;
  return j;
}

RunHeader RunHeader::fromJson(const json& j, const std::string& where) {
  if (!j.is_object() || !j.contains("paretoprune_log"))
    throw Error(where +
                ": not a ParetoPrune run log (its first line has no \"paretoprune_log\" header)");
  const std::string w = where + ": line 1";
  const int64_t version = jsonutil::optInt(j, "paretoprune_log", w, kVersion, 1, 1000000);
  if (version > kVersion)
    throw Error(where + ": written by a newer ParetoPrune (log version " + std::to_string(version) +
                "; this one reads version " + std::to_string(kVersion) + ")");
  RunHeader h;
  h.model = jsonutil::optString(j, "model", w);
  h.modelChecksum = jsonutil::optString(j, "model_checksum", w);
  h.space = j.contains("space") ? j["space"] : json();
  if (!h.space.is_null() && !h.space.is_object())
    throw Error(w + ": field \"space\" must be an object, got " + jsonutil::describe(h.space));
  h.strategy = jsonutil::optString(j, "strategy", w, "random");
  h.seed = jsonutil::optUnsigned(j, "seed", w, 0);
  h.objectives = jsonutil::optStrings(j, "objectives", w, h.objectives);
  if (h.objectives.size() < 2 || h.objectives.size() > 3)
    throw Error(w + ": field \"objectives\" must name two or three objectives");
  for (const auto& o : h.objectives)
    if (!isObjective(o))
      throw Error(w + ": field \"objectives\": unknown objective " + quoteText(o));
  h.metric = jsonutil::optString(j, "metric", w, "accuracy");
  if (h.metric != "accuracy" && h.metric != "entity_f1")
    throw Error(w + ": field \"metric\" must be \"accuracy\" or \"entity_f1\", got \"" +
                jsonutil::shortText(h.metric) + "\"");
  h.trials = jsonutil::optInt(j, "trials", w, 0, 0, kMaxCount);
  h.multiFidelity = jsonutil::optBool(j, "multi_fidelity", w, false);
  readMeasurement(j, w, h);
  h.devices = jsonutil::optStrings(j, "devices", w, {});
  h.data = splitFromJson(j, w);
  h.dataFingerprint = jsonutil::optString(j, "data_fingerprint", w);
  h.validationExamples = jsonutil::optInt(j, "validation_examples", w, 0, 0, kMaxCount);
  h.chanceError = jsonutil::optNumber(j, "chance_error", w, -1, 0, 1);
  if (j.contains("reference") && !j["reference"].is_null()) {
    h.reference = j["reference"];
    if (!h.reference.is_object())
      throw Error(w + ": field \"reference\" must be a trial record, got " +
                  jsonutil::describe(h.reference));
  }
  if (j.contains("exec_rates") && !j["exec_rates"].is_null()) {
    h.execRates = j["exec_rates"];
    if (!h.execRates.is_object())
      throw Error(w + ": field \"exec_rates\" must be an object, got " +
                  jsonutil::describe(h.execRates));
  }
  h.savedFrom = jsonutil::optString(j, "saved_from", w);
  if (j.contains("completion") && !j["completion"].is_null())
    h.completion = completionFromJson(j["completion"], w + ": field \"completion\"");
  if (j.contains("auto") && !j["auto"].is_null()) {
    h.autoChoices = j["auto"];
    if (!h.autoChoices.is_array())
      throw Error(w + ": field \"auto\" must be a list, got " + jsonutil::describe(h.autoChoices));
    for (const auto& a : h.autoChoices) {
      for (const char* k : {"setting", "value", "reason"})
        jsonutil::getString(a, k, w + ": field \"auto\"");
      jsonutil::optString(a, "summary", w + ": field \"auto\"");
    }
  }
  h.constraints = jsonutil::optStrings(j, "constraints", w, {});
  try {
    h.constraints = constraintTexts(parseConstraints(h.constraints));
  } catch (const Error& e) {
    throw Error(w + ": field \"constraints\": " + e.what());
  }
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool known = false;
    for (const char* k : kKnownFields) known = known || it.key() == k;
    if (!known) h.extra[it.key()] = it.value();
  }
  return h;
}

std::optional<Trial> RunHeader::referenceTrial(const ModelConfig& c) const {
  if (reference.is_null()) return std::nullopt;
  try {
    return Trial::fromJson(reference, c);
  } catch (const Error& e) {
    throw Error(std::string("line 1: field \"reference\": ") + e.what());
  }
}

void RunHeader::checkResumable(const RunHeader& now, const std::string& logPath) const {
  if (modelChecksum.empty())
    throw Error(logPath +
                ": the log does not record its model's checksum, so it cannot be resumed safely "
                "(save its trials with a current ParetoPrune, or start a new log)");
  if (!checksumMatches(modelChecksum, now.modelChecksum, now.model))
    throw Error(logPath + ": the log was written for another model (checksum " + modelChecksum +
                legacyNote(modelChecksum) + "; this model " + now.modelChecksum + ")");
  if (!space.is_null() && space != now.space)
    throw Error(logPath + ": the log used another search space (" +
                jsonutil::shortText(space.dump(), 200) + ", now " +
                jsonutil::shortText(now.space.dump(), 200) + ")");
  if (!dataFingerprint.empty() && dataFingerprint != now.dataFingerprint)
    throw Error(logPath + ": the log was evaluated on other validation examples (fingerprint " +
                dataFingerprint + ", now " + now.dataFingerprint +
                "): use the same data, split, columns and subset");
  if (precision != now.precision || confirmFp32 != now.confirmFp32)
    throw Error(logPath + ": the log was searched in " + precision +
                (confirmFp32 ? " with fp32 confirmation" : "") + ", now " + now.precision +
                (now.confirmFp32 ? " with fp32 confirmation" : "") +
                "; resume it with the same --precision");
  if (constraints != now.constraints)
    throw Error(logPath + ": the log was searched under other constraints (" +
                (constraints.empty() ? std::string("none") : joined(constraints)) + ", now " +
                (now.constraints.empty() ? std::string("none") : joined(now.constraints)) +
                "): give the same --constraint options");
  if (data.maxLength != now.data.maxLength)
    throw Error(logPath + ": the log used a maximum length of " + std::to_string(data.maxLength) +
                " tokens, now " + std::to_string(now.data.maxLength));
}

}  // namespace pp
