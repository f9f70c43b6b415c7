// Recommended picks from a run: the knee of the feasible front, and the
// smallest and the fastest feasible sub-network within an accuracy budget.
// Only feasible trials (constraint.h) that finished on the whole
// validation set are ever recommended.
#pragma once
#include <string>
#include <vector>

#include "paretoprune/search/constraint.h"
#include "paretoprune/search/trial.h"

namespace pp {

struct Pick {
  enum class Kind { Knee, Smallest, Fastest };
  Kind kind = Kind::Knee;
  size_t index = 0;    // into the trials given
  std::string reason;  // a sentence for people
};
const char* pickKindName(Pick::Kind k);  // "knee", "smallest", "fastest"

struct RecommendOptions {
  // Points of the run's score (1 - error: accuracy for a classifier, entity
  // F1 for a tagger) the user will give up against the full model; a
  // constraint on that score's drop (accuracy_drop; a tagger's f1_drop),
  // when tighter, wins.
  double accuracyBudget = 1.0;
  std::string metric = "accuracy";  // the run header's: "accuracy" or "entity_f1"
};

// A warning when the full model `ref` is at chance level (its error within
// half a point of `chanceError`, the run header's error of always answering
// the most frequent label, or worse): a model whose head was never trained,
// whose picks mean little; empty otherwise (or when chanceError < 0: not known).
std::string chanceLevelNote(const Trial* ref, double chanceError, const std::string& metric);

// The knee (base/constrained_pareto.h: kneeIndex) of the feasible Pareto
// set in the first two `objectives`; the fewest parameters and the lowest
// measured latency among the feasible trials within the accuracy budget
// (needs `ref`, the full model; ties go to the lower error, then the
// earlier trial). A pick with no candidate is left out; with no feasible
// trial the list is empty.
std::vector<Pick> recommendPicks(const std::vector<Trial>& trials,
                                 const std::vector<std::string>& objectives,
                                 const std::vector<Constraint>& cs, const Trial* ref,
                                 const RecommendOptions& o = {});

}  // namespace pp
