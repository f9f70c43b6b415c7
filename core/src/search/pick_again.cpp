#include "paretoprune/search/pick_again.h"

#include <algorithm>

namespace pp {

PickedAgain pickAgain(const std::vector<Trial>& trials,
                      const std::vector<RecoveredTrial>& recovered,
                      const std::vector<std::string>& objectives, const std::vector<Constraint>& cs,
                      const Trial* ref) {
  PickedAgain p;
  p.all = trials;
  for (const auto& r : recovered) p.all.push_back(r.trial);
  if (objectives.empty()) return p;
  p.front = feasibleParetoTrials(p.all, objectives, cs, ref);
  const std::string& cost = objectives.size() > 1 ? objectives[1] : objectives.front();
  std::stable_sort(p.front.begin(), p.front.end(), [&](size_t x, size_t y) {
    return objectiveValue(p.all[x], cost) < objectiveValue(p.all[y], cost);
  });
  return p;
}

}  // namespace pp
