// Constraint: a hard limit a deployment sets on a sub-network
// ("latency_ms<=5", "params_share<=0.5", "size_mb<=50", "accuracy_drop<=1"),
// parsed from text, and how far a trial misses a set of them (its
// violation: 0 when it meets them all). Searches rank trials by it
// (constrained domination, base/constrained_pareto.h); the front, the
// recommendations and the report show the feasible trials.
#pragma once
#include <string>
#include <vector>

#include "paretoprune/search/trial.h"

namespace pp {

struct Constraint {
  std::string metric;  // one of constraintMetrics()
  bool atMost = true;  // "<=" (else ">=")
  double bound = 0;
  std::string text() const;  // as written back, e.g. "latency_ms<=5"
};

// The metrics a constraint may name, and what each measures:
//   latency_ms, latency_p95_ms  median and 95th-percentile latency of one
//                               sequence (ms, as the run measured it)
//   params, params_share        parameter count; share of the full model's
//   flops, flops_share          FLOPs per sequence; share of the full model's
//   size_mb                     float32 weights: 4 bytes per parameter, in MB (10^6 bytes)
//   error, accuracy, f1, mcc    validation metrics (fractions: 0.2, not 20)
//   accuracy_drop, f1_drop,     points (percent) lost against the full
//   mcc_drop                    model: 100 * (full - trial)
std::vector<std::string> constraintMetrics();

// "METRIC<=VALUE" or "METRIC>=VALUE" (spaces allowed). Throws pp::Error
// with one line naming the problem: the unknown metric, the missing or
// unknown comparison, the number that is not one or out of range.
Constraint parseConstraint(const std::string& text);
std::vector<Constraint> parseConstraints(const std::vector<std::string>& texts);
std::vector<std::string> constraintTexts(const std::vector<Constraint>& cs);

// True for the metrics measured against the full model (shares, drops).
bool needsReference(const Constraint& c);
// Throws pp::Error when a constraint needs the full model and `ref` is null.
void checkConstraintsUsable(const std::vector<Constraint>& cs, const Trial* ref);

// The trial's value of the constraint's metric (`ref`: the full model).
double constraintValue(const Constraint& c, const Trial& t, const Trial* ref);
// How far the trial misses one constraint, in units of its bound
// (|bound|, or the metric's natural unit when that is larger: 1 ms, 1 MB,
// 10^6 parameters or FLOPs, 0.01 of a share or fraction, 1 point); 0 when
// met. A trial's violation is the sum over its constraints.
double constraintMiss(const Constraint& c, const Trial& t, const Trial* ref);
double violation(const std::vector<Constraint>& cs, const Trial& t, const Trial* ref);
inline bool feasible(const std::vector<Constraint>& cs, const Trial& t, const Trial* ref) {
  return violation(cs, t, ref) <= 0;
}

// Indices into `trials` of the Pareto set by `objectives` among the
// feasible trials that finished on the whole validation set (all of them
// when `cs` is empty; empty when none is feasible).
std::vector<size_t> feasibleParetoTrials(const std::vector<Trial>& trials,
                                         const std::vector<std::string>& objectives,
                                         const std::vector<Constraint>& cs, const Trial* ref);

}  // namespace pp
