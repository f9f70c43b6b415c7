// SearchRequest: everything a user chooses for a search (model, data split,
// space, strategy and settings), and prepareSearch, which turns it into the
// loaded model, the encoded validation set, the space and the run header.
// The CLI and the window both start searches through it, so a run made in
// one resumes in the other on the same examples.
#pragma once
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "paretoprune/search/autotune.h"
#include "paretoprune/search/run_header.h"
#include "paretoprune/search/search_runner.h"
#include "paretoprune/search/search_space.h"
#include "paretoprune/search/training_data.h"

namespace pp {

class Model;
class EncodedData;

struct SearchRequest {
  std::string modelDir;
  DataSplit data;
  std::string space = "seed";  // seed, per-layer, layers, or a JSON file
  nlohmann::json spaceJson;    // non-null: the space itself (wins over `space`)
  SearchOptions options;
  // Settings left to auto (autotune.h); the others are taken as given. On
  // resume, a setting left to auto keeps the first run's value.
  AutoRequest autoSettings;
};

struct PreparedSearch {
  std::shared_ptr<const Model> model;
  std::shared_ptr<const EncodedData> validation;
  SearchSpace space;
  SearchOptions options;
  RunHeader header;  // the data split, its fingerprint and size filled in; the runner adds the rest
  std::vector<AutoChoice> autoChoices;  // what auto chose, and why (also in header.autoChoices)
  // What the user should know before trusting the results (one line each):
  // e.g. validation examples the model was trained on.
  std::vector<std::string> warnings;
  // The share of the validation examples the model was trained on (its
  // training.json); under kFewSeen of a validation file of the user's the
  // warning says so and a window need not interrupt.
  double seenShare = 0;
};

// Loads (or takes `model` when given: it must be the request's), checks and
// encodes; throws pp::Error naming the problem (unknown strategy, missing
// device, bad space, empty validation set, a label the model does not know).
PreparedSearch prepareSearch(const SearchRequest& r, std::shared_ptr<const Model> model = nullptr);

}  // namespace pp
