#include "paretoprune/base/constrained_pareto.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace pp {

namespace {
double violationOf(const std::vector<double>& v, size_t i) {
  return v.empty() ? 0.0 : v[i];
}

// The points of `pts` picked by `index`, and the Pareto front among them
// mapped back to indices of `pts`.
std::vector<size_t> frontAmong(const std::vector<Point>& pts, const std::vector<size_t>& index) {
  std::vector<Point> sub;
  sub.reserve(index.size());
  for (size_t i : index) sub.push_back(pts[i]);
  std::vector<size_t> out;
  for (size_t k : paretoFront(sub)) out.push_back(index[k]);
  return out;
}
}  // namespace

bool constrainedDominates(const Point& a, double va, const Point& b, double vb) {
  const bool fa = va <= 0, fb = vb <= 0;
  if (fa && fb) return dominates(a, b);
  if (fa != fb) return fa;
  return va < vb || (va == vb && dominates(a, b));
}

std::vector<size_t> feasibleFront(const std::vector<Point>& pts,
                                  const std::vector<double>& violations) {
  std::vector<size_t> feasible;
  for (size_t i = 0; i < pts.size(); ++i)
    if (violationOf(violations, i) <= 0) feasible.push_back(i);
  return frontAmong(pts, feasible);
}

std::vector<size_t> constrainedFront(const std::vector<Point>& pts,
                                     const std::vector<double>& violations) {
  if (pts.empty()) return {};
  auto front = feasibleFront(pts, violations);
  if (!front.empty()) return front;
  double least = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < pts.size(); ++i) least = std::min(least, violations[i]);
  std::vector<size_t> tied;
  for (size_t i = 0; i < pts.size(); ++i)
    if (violations[i] == least) tied.push_back(i);
  return frontAmong(pts, tied);
}

std::vector<std::vector<size_t>> constrainedNonDominatedSort(
    const std::vector<Point>& pts, const std::vector<double>& violations) {
  if (violations.empty()) return nonDominatedSort(pts);
  std::vector<size_t> feasible;
  std::map<double, std::vector<size_t>> byViolation;  // ascending
  for (size_t i = 0; i < pts.size(); ++i) {
    if (violations[i] <= 0)
      feasible.push_back(i);
    else
      byViolation[violations[i]].push_back(i);
  }
  std::vector<std::vector<size_t>> ranks;
  auto addSorted = [&](const std::vector<size_t>& index) {
    std::vector<Point> sub;
    for (size_t i : index) sub.push_back(pts[i]);
    for (const auto& f : nonDominatedSort(sub)) {
      std::vector<size_t> rank;
      for (size_t k : f) rank.push_back(index[k]);
      ranks.push_back(std::move(rank));
    }
  };
  addSorted(feasible);
  for (const auto& [v, index] : byViolation) addSorted(index);
  return ranks;
}

int kneeIndex(const std::vector<Point>& front) {
  if (front.empty()) return -1;
  double lo[2], hi[2];
  for (int m = 0; m < 2; ++m) {
    lo[m] = hi[m] = front[0][m];
    for (const auto& p : front) {
      lo[m] = std::min(lo[m], p[m]);
      hi[m] = std::max(hi[m], p[m]);
    }
  }
  auto norm = [&](const Point& p, int m) {
    return hi[m] > lo[m] ? (p[m] - lo[m]) / (hi[m] - lo[m]) : 0.0;
  };
  // In normalised coordinates the extremes of a front are (0, 1) (best in
  // the first objective) and (1, 0) (best in the second); the line through
  // them is x + y = 1, and a point's distance below it is (1 - x - y) / sqrt 2.
  int best = 0;
  double bestSum = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < front.size(); ++i) {
    const double sum = norm(front[i], 0) + norm(front[i], 1);
    if (sum < bestSum - 1e-12) {
      bestSum = sum;
      best = static_cast<int>(i);
    }
  }
  return best;
}

}  // namespace pp
