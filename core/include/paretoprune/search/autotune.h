// Auto settings: what a search chooses for the settings the user leaves on
// "auto" (the default), from the model's shape, the validation set, a
// measured evaluation time and the time budget. Every explicit choice wins.
// Each choice carries its reason, which the CLI prints, the run header
// records and the window shows. The rules and the measurements behind them
// are in docs/search.md ("Auto settings").
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "paretoprune/search/completion.h"

namespace pp {

struct AutoChoice {
  std::string setting;  // strategy, space, trials, batch_size, multi_fidelity, convergence
  std::string value;
  std::string reason;   // the evidence: figures and the benchmarks they come from
  std::string summary;  // what was chosen and why, in a user's words (may be empty)
  const std::string& shown() const { return summary.empty() ? reason : summary; }
};
nlohmann::json autoChoicesJson(const std::vector<AutoChoice>& choices);

// Which settings are left to auto.
struct AutoRequest {
  bool strategy = false, space = false, trials = false, batchSize = false, multiFidelity = false,
       convergence = false;
  bool any() const {
    return strategy || space || trials || batchSize || multiFidelity || convergence;
  }
  static AutoRequest all() { return {true, true, true, true, true, true}; }
};

// What the rules look at.
struct AutoInputs {
  size_t numObjectives = 2;
  double fullEvalSeconds = 0;  // the full model on the whole validation set, on one worker
  double meanFlopShare = 0.5;  // mean FLOPs of the space's samples / the full model's
  double meanTokens = 0;       // mean tokens per validation example
  int workers = 1;
  bool gpu = false;
  double budgetSeconds = 0;  // 0: none
};

struct AutoSettings {
  std::string strategy = "random";
  std::string space = "seed";
  int64_t trials = 100;
  int64_t batchSize = 32;
  bool multiFidelity = false;
  CompletionCriteria completion;
  std::vector<AutoChoice> choices;  // one per setting that was auto
};

// Fills the settings `which` names in `s` (the others stay as given) and
// records a choice with its reason for each.
void chooseAutoSettings(const AutoInputs& in, const AutoRequest& which, AutoSettings& s);

}  // namespace pp
