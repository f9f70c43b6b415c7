// RunHeader: what a search run was (model, data split, space, strategy,
// settings), as the first line of its run log records it. Written and read
// in this one place by the runner, the CLI and the window; reading checks
// every field's type and range, and resuming checks that a log belongs to
// the model, data and space at hand.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "paretoprune/formats/dataset.h"
#include "paretoprune/search/completion.h"
#include "paretoprune/search/trial.h"

namespace pp {

struct ModelConfig;

// How a run's validation (and training) examples were made from its files;
// loadValidationSet/loadTrainingSet take these fields.
struct DataSplit {
  std::string data;        // data file (absolute path once in a header)
  std::string validation;  // separate validation file, or empty: a split of `data`
  double valSplit = 0.3;   // share of `data` held out when there is no validation file
  uint64_t splitSeed = 0;
  DataColumns columns;
  int64_t limit = 0;      // > 0: only the first this many validation examples
  int64_t valSubset = 0;  // > 0: a seeded subset of this many validation examples
  uint64_t valSubsetSeed = 0;
  int64_t maxLength = 128;
  int64_t batchSize = 32;

  // The validation set these fields describe (subset included).
  Dataset validationSet(const ModelConfig& c) const;
  // The training set: the rest of `data` (all of it with a validation file).
  Dataset trainingSet(const ModelConfig& c) const;
};

// A short checksum of a data set's examples (texts and labels, in order):
// two runs with the same fingerprint evaluated the same examples.
std::string dataFingerprint(const Dataset& d);

struct RunHeader {
  static constexpr int kVersion = 1;
  std::string model;          // model directory, absolute
  std::string modelChecksum;  // Model::checksum()
  nlohmann::json space;       // SearchSpace::toJson()
  std::string strategy = "random";
  uint64_t seed = 0;
  std::vector<std::string> objectives = {"error", "params"};
  // What "error" is: 1 - "accuracy" (a classifier's), or 1 - "entity_f1"
  // (a tagger's, entity_metrics.h); "accuracy" in logs older than it.
  std::string metric = "accuracy";
  int64_t trials = 0;  // the run's total
  bool multiFidelity = false;
  // The trials' precision; with confirmFp32, front members were measured
  // again in fp32 (SearchOptions::confirmFp32).
  std::string precision = "fp32";
  bool confirmFp32 = false;
  // The sequence length the trials' FLOPs are counted at; 0 in logs older
  // than it (a study reader then infers it from the full model's FLOPs).
  int64_t flopsLength = 0;
  std::vector<std::string> devices;
  DataSplit data;
  std::string dataFingerprint;  // of the validation examples; empty in logs older than it
  int64_t validationExamples = 0;
  // The error of always answering the validation set's most frequent label
  // (chance level; the window frames its chart below it); negative: unknown.
  double chanceError = -1;
  nlohmann::json reference;  // the full model's trial record, or null
  nlohmann::json execRates;  // {device: {sliced_gflops, masked_gflops}}, or null
  std::string savedFrom;  // "" for a search's own log; e.g. "ParetoPrune window" for saved trials
  CompletionCriteria completion;  // the run's stopping rules
  std::vector<std::string>
      constraints;  // as written, e.g. "latency_ms<=5" (constraint.h); empty: none
  nlohmann::json
      autoChoices;  // [{setting, value, reason}] of the settings chosen automatically, or null
  nlohmann::json extra =
      nlohmann::json::object();  // fields this version does not know, kept as read

  nlohmann::json toJson() const;
  // Throws pp::Error naming `where` and the field on any wrong type or range.
  static RunHeader fromJson(const nlohmann::json& j, const std::string& where);
  // The full model's trial, if the header has one (checked against c).
  std::optional<Trial> referenceTrial(const ModelConfig& c) const;

  // What a resumed run must share with this one: throws pp::Error naming
  // the first difference (model checksum, space, data, maximum length).
  void checkResumable(const RunHeader& now, const std::string& logPath) const;
};

// Paths in a header are absolute; a log moved together with its model and
// data is still readable: the header's path if it exists, else the same
// relative location from the log's own folder (the `*_relative` fields),
// else the header's path as written (the caller's error names it).
std::string resolveRunPath(const std::string& absolute, const std::string& relative,
                           const std::string& logPath);

// A path made absolute against the current directory (lexically; no check
// that it exists), and `path` relative to `base`'s folder.
std::string absolutePath(const std::string& path);
std::string relativeTo(const std::string& path, const std::string& baseFile);

}  // namespace pp
