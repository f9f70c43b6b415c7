// Picking again after recovery (`front --recovered`, the window's View >
// Pick again): the Pareto set over a run's trials and its recovered ones
// together.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "paretoprune/search/constraint.h"
#include "paretoprune/search/recovered_trial.h"

namespace pp {

// `all`: the trials, then each recovered one's trial (recovered[i] is
// all[trials.size() + i]); `front`: indices into `all` of its Pareto set by
// `objectives` among the feasible points under `cs` (`ref`: the full model,
// for shares and drops; all points when `cs` is empty), cheapest first by
// the second objective. A recovered point has its source's cost, so it
// takes its source's place on the front when it errs less; when it errs
// more, the source stays.
struct PickedAgain {
  std::vector<Trial> all;
  std::vector<size_t> front;
};
PickedAgain pickAgain(const std::vector<Trial>& trials,
                      const std::vector<RecoveredTrial>& recovered,
                      const std::vector<std::string>& objectives,
                      const std::vector<Constraint>& cs = {}, const Trial* ref = nullptr);

}  // namespace pp
