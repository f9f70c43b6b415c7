#include "paretoprune/search/completion.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pp {

namespace {
std::string percent(double x, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f%%", digits, 100.0 * x);
  return buf;
}
}  // namespace

std::optional<CompletionStop> convergenceStop(const CompletionCriteria& c,
                                              const std::vector<double>& hv) {
  if (c.convergenceWindow <= 0 || hv.size() <= static_cast<size_t>(c.convergenceWindow))
    return std::nullopt;
  const double now = hv.back();
  const double before = hv[hv.size() - 1 - static_cast<size_t>(c.convergenceWindow)];
  if (before <= 0) return std::nullopt;  // no front yet: nothing has converged
  const double gain = (now - before) / before;
  if (gain >= c.convergenceMinGain) return std::nullopt;
  return CompletionStop{CompletionStop::Kind::Converged,
                        "converged: the hypervolume gained " + percent(std::max(gain, 0.0), 2) +
                            " over the last " + std::to_string(c.convergenceWindow) +
                            " trials (under " + percent(c.convergenceMinGain, 2) + ")",
                        -1};
}

std::optional<CompletionStop> targetStop(const CompletionCriteria& c,
                                         const std::vector<Trial>& trials, const Trial& full,
                                         const std::string& metric) {
  if (c.targetAccuracyDrop < 0 || full.params <= 0) return std::nullopt;
  const double maxParams = c.targetParamsShare * static_cast<double>(full.params);
  const Trial* best = nullptr;
  for (const auto& t : trials)
    if (t.ok() && t.fidelity >= 1.0 && pointsBelow(t, full) <= c.targetAccuracyDrop + 1e-10 &&
        static_cast<double>(t.params) <= maxParams && (!best || t.params < best->params))
      best = &t;
  if (!best) return std::nullopt;
  char pts[32];
  const double below = pointsBelow(*best, full);
  std::snprintf(pts, sizeof pts, "%.2f", std::abs(below));
  return CompletionStop{
      CompletionStop::Kind::TargetMet,
      "target met: trial " + std::to_string(best->id) + " (" + best->subnet.summary() + ") is " +
          pts + " " + pointsName(metric) + " points " + (below < 0 ? "above" : "below") +
          " the full model with " +
          percent(static_cast<double>(best->params) / static_cast<double>(full.params), 1) +
          " of its parameters",
      best->id};
}

}  // namespace pp
