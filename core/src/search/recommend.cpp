#include "paretoprune/search/recommend.h"

#include <algorithm>
#include <cstdio>

#include "paretoprune/base/constrained_pareto.h"

namespace pp {

const char* pickKindName(Pick::Kind k) {
  switch (k) {
    case Pick::Kind::Knee:
      return "knee";
    case Pick::Kind::Smallest:
      return "smallest";
    case Pick::Kind::Fastest:
      return "fastest";
  }
  return "?";
}

namespace {
std::string points(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// The budget in points of the run's score: the option's, or a tighter
// constraint on that score's drop (accuracy_drop; a tagger's f1_drop).
double budgetOf(const std::vector<Constraint>& cs, const RecommendOptions& o) {
  double budget = o.accuracyBudget;
  const char* drop = o.metric == "entity_f1" ? "f1_drop" : "accuracy_drop";
  for (const auto& c : cs)
    if (c.metric == drop && c.atMost) budget = std::min(budget, c.bound);
  return budget;
}

// The best candidate by `key` (smaller first), ties to the lower error, then the earlier one.
template <class Key>
int bestBy(const std::vector<Trial>& trials, const std::vector<size_t>& cand, Key key) {
  int best = -1;
  for (size_t i : cand) {
    if (best < 0) {
      best = static_cast<int>(i);
      continue;
    }
    const Trial& a = trials[i];
    const Trial& b = trials[static_cast<size_t>(best)];
    if (key(a) < key(b) || (key(a) == key(b) && a.errorRate < b.errorRate))
      best = static_cast<int>(i);
  }
  return best;
}
}  // namespace

std::string chanceLevelNote(const Trial* ref, double chanceError, const std::string& metric) {
  if (!ref || chanceError < 0 || ref->errorRate < chanceError - 0.005) return "";
  char text[320];
  if (metric == "entity_f1")
    std::snprintf(text, sizeof text,
                  "the full model finds no entity (entity F1 %.1f%%): it is at chance level; "
                  "fine-tune it first (paretoprune-cli train, or Prepare model in the window)",
                  100.0 * ref->f1);
  else
    std::snprintf(text, sizeof text,
                  "the full model is at chance level (accuracy %.1f%%, always answering the most "
                  "frequent label: %.1f%%): fine-tune it first (paretoprune-cli train, or Prepare "
                  "model in the window)",
                  100.0 * (1.0 - ref->errorRate), 100.0 * (1.0 - chanceError));
  return text;
}

std::vector<Pick> recommendPicks(const std::vector<Trial>& trials,
                                 const std::vector<std::string>& objectives,
                                 const std::vector<Constraint>& cs, const Trial* ref,
                                 const RecommendOptions& o) {
  std::vector<Pick> picks;
  if (objectives.size() < 2) return picks;
  const std::vector<std::string> two(objectives.begin(), objectives.begin() + 2);
  const auto front = feasibleParetoTrials(trials, two, cs, ref);
  if (front.empty()) return picks;
  std::vector<Point> pts;
  for (size_t i : front) pts.push_back(objectiveVector(trials[i], two));
  const int knee = kneeIndex(pts);
  const std::string within = cs.empty() ? "" : " feasible";
  picks.push_back({Pick::Kind::Knee, front[static_cast<size_t>(knee)],
                   "knee of the" + within + " front (" + two[0] + " vs " + two[1] +
                       "): farthest below the line through its two ends"});
  if (!ref) return picks;
  const double budget = budgetOf(cs, o);
  std::vector<size_t> cand;
  for (size_t i = 0; i < trials.size(); ++i) {
    const Trial& t = trials[i];
    if (t.ok() && t.fidelity >= 1.0 && feasible(cs, t, ref) &&
        pointsBelow(t, *ref) <= budget + 1e-9)
      cand.push_back(i);
  }
  const std::string inBudget = "within " + points(budget) + " " + pointsName(o.metric) + " point" +
                               (budget == 1.0 ? "" : "s") + " of the full model";
  const int small = bestBy(trials, cand, [](const Trial& t) { return t.params; });
  if (small >= 0)
    picks.push_back({Pick::Kind::Smallest, static_cast<size_t>(small),
                     "fewest parameters of the" + within + " trials " + inBudget});
  std::vector<size_t> timed;
  for (size_t i : cand)
    if (trials[i].latencyMs > 0) timed.push_back(i);
  const int fast = bestBy(trials, timed, [](const Trial& t) { return t.latencyMs; });
  if (fast >= 0)
    picks.push_back({Pick::Kind::Fastest, static_cast<size_t>(fast),
                     "lowest measured latency of the" + within + " trials " + inBudget});
  return picks;
}

}  // namespace pp
