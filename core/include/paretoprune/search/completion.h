// Completion criteria: when a search may stop before --trials because more
// trials would not help (the hypervolume stalled), or because what the user
// wanted is found (a target trial). Pure functions over the run's history,
// so that each criterion is tested on a synthetic history.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "paretoprune/search/trial.h"

namespace pp {

struct CompletionCriteria {
  // Convergence: stop when the hypervolume gained less than `minGain` (a
  // fraction of its value `window` trials ago) over the last `window`
  // trials. 0: off.
  int64_t convergenceWindow = 0;
  double convergenceMinGain = 0.001;
  // Target: stop once a finished trial is within `targetAccuracyDrop`
  // points of the full model's score (1 - error: accuracy for a
  // classifier, entity F1 for a tagger; trial.h pointsBelow) with at most `targetParamsShare` of
  // its parameters. Off while targetAccuracyDrop < 0.
  double targetAccuracyDrop = -1;
  double targetParamsShare = 0.4;

  bool any() const { return convergenceWindow > 0 || targetAccuracyDrop >= 0; }
};

struct CompletionStop {
  enum class Kind { Converged, TargetMet };
  Kind kind;
  std::string reason;    // e.g. "converged: the hypervolume gained 0.02% over the last 30 trials
                         // (under 0.10%)"
  int64_t trialId = -1;  // TargetMet: the trial that met it
};

// `hypervolume[i]`: the run's hypervolume after its (i+1)-th trial. Trials
// of a resumed run count. Nothing to decide before `window` + 1 values.
std::optional<CompletionStop> convergenceStop(const CompletionCriteria& c,
                                              const std::vector<double>& hypervolume);
// The smallest (by parameters) trial that meets the target, if any;
// `metric` (the run header's: "accuracy", "entity_f1") names its points.
std::optional<CompletionStop> targetStop(const CompletionCriteria& c,
                                         const std::vector<Trial>& trials, const Trial& fullModel,
                                         const std::string& metric = "accuracy");

}  // namespace pp
