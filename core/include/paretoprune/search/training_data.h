// What a model was trained on, as training.json records it, and how many
// examples of a validation set the model has already seen: a validation set
// held out of the training file makes every error read low.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "paretoprune/search/run_header.h"

namespace pp {

// training.json's "data": the training file (name and checksum) and how the
// validation set was split off it.
nlohmann::json trainingDataJson(const DataSplit& split);

struct SeenExamples {
  int64_t seen = 0;       // validation examples that were training examples
  int64_t total = 0;      // validation examples checked
  std::string trainedOn;  // the training file's name, as recorded

  double share() const {
    return static_cast<double>(seen) / static_cast<double>(total > 0 ? total : 1);
  }
};

// Validation examples that were training examples under this share, from a
// validation file of the user's, hardly move the errors: a window says so
// without interrupting.
inline constexpr double kFewSeen = 0.02;

// Compares `val` (the search's validation set, described by `search`) with
// the training data recorded in MODEL_DIR/training.json. Only files whose
// checksum equals the recorded one are compared, so the result is exact or
// zero; zero too when the model records no training data.
SeenExamples seenInTraining(const std::string& modelDir, const DataSplit& search,
                            const Dataset& val, const ModelConfig& c);

// The one-line warning for `s` (empty when nothing was seen), its advice
// fitted to where the examples came from: `validationFile` is the user's
// validation file, empty when they were split off the data file.
std::string seenWarning(const SeenExamples& s, const std::string& validationFile);

}  // namespace pp
