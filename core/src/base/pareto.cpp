#include "paretoprune/base/pareto.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace pp {

bool dominates(const Point& a, const Point& b) {
  bool better = false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] > b[i]) return false;
    if (a[i] < b[i]) better = true;
  }
  return better;
}

namespace {
bool anyNaN(const std::vector<Point>& pts) {
  for (const auto& p : pts)
    for (double v : p)
      if (std::isnan(v)) return true;
  return false;
}

// Every pair compared: the definition, for inputs without an order (NaN).
std::vector<size_t> paretoFrontPairwise(const std::vector<Point>& pts) {
  std::vector<size_t> front;
  for (size_t i = 0; i < pts.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < pts.size() && !dominated; ++j)
      dominated = j != i && dominates(pts[j], pts[i]);
    if (!dominated) front.push_back(i);
  }
  return front;
}
}  // namespace

// A point can only be dominated by one before it in lexicographic order, and
// if it is dominated at all, then by a point of the front (dominance is
// transitive): so, in that order, each point is checked against the front
// found so far. O(n log n + n f) for a front of f points.
std::vector<size_t> paretoFront(const std::vector<Point>& pts) {
  if (anyNaN(pts)) return paretoFrontPairwise(pts);
  std::vector<size_t> order(pts.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return pts[a] < pts[b]; });
  std::vector<size_t> front;
  for (size_t i : order) {
    const bool dominated = std::any_of(front.begin(), front.end(),
                                       [&](size_t f) { return dominates(pts[f], pts[i]); });
    if (!dominated) front.push_back(i);
  }
  std::sort(front.begin(), front.end());
  return front;
}

bool ParetoArchive::add(const Point& p, size_t id) {
  for (const auto& q : points_)
    if (dominates(q, p)) return false;
  size_t kept = 0;
  for (size_t i = 0; i < points_.size(); ++i)
    if (!dominates(p, points_[i])) {
      if (kept != i) {
        points_[kept] = std::move(points_[i]);
        ids_[kept] = ids_[i];
      }
      ++kept;
    }
  points_.resize(kept);
  ids_.resize(kept);
  points_.push_back(p);
  ids_.push_back(id);
  return true;
}

void ParetoArchive::clear() {
  points_.clear();
  ids_.clear();
}

std::vector<std::vector<size_t>> nonDominatedSort(const std::vector<Point>& pts) {
  const size_t n = pts.size();
  std::vector<std::vector<size_t>> dominatedBy(n);
  std::vector<size_t> count(n, 0);
  std::vector<std::vector<size_t>> fronts(1);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      if (i == j) continue;
      if (dominates(pts[i], pts[j]))
        dominatedBy[i].push_back(j);
      else if (dominates(pts[j], pts[i]))
        ++count[i];
    }
    if (count[i] == 0) fronts[0].push_back(i);
  }
  if (fronts[0].empty()) return {};
  for (size_t f = 0; f < fronts.size(); ++f) {
    std::vector<size_t> next;
    for (size_t i : fronts[f])
      for (size_t j : dominatedBy[i])
        if (--count[j] == 0) next.push_back(j);
    std::sort(next.begin(), next.end());
    if (!next.empty()) fronts.push_back(std::move(next));
  }
  return fronts;
}

std::vector<double> crowdingDistance(const std::vector<Point>& pts,
                                     const std::vector<size_t>& front) {
  const size_t n = front.size();
  std::vector<double> dist(n, 0.0);
  if (n == 0) return dist;
  const size_t k = pts[front[0]].size();
  std::vector<size_t> order(n);
  for (size_t m = 0; m < k; ++m) {
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return pts[front[a]][m] < pts[front[b]][m]; });
    const double lo = pts[front[order.front()]][m], hi = pts[front[order.back()]][m];
    dist[order.front()] = dist[order.back()] = std::numeric_limits<double>::infinity();
    if (hi <= lo) continue;
    for (size_t i = 1; i + 1 < n; ++i)
      dist[order[i]] += (pts[front[order[i + 1]]][m] - pts[front[order[i - 1]]][m]) / (hi - lo);
  }
  return dist;
}

namespace {
double hv2(std::vector<Point> pts, const Point& ref) {
  std::sort(pts.begin(), pts.end(), [](const Point& a, const Point& b) {
    return a[0] != b[0] ? a[0] < b[0] : a[1] < b[1];
  });
  double area = 0, bestY = ref[1];
  for (const auto& p : pts) {
    if (p[1] < bestY) {
      area += (ref[0] - p[0]) * (bestY - p[1]);
      bestY = p[1];
    }
  }
  return area;
}

double hvRec(std::vector<Point> pts, const Point& ref) {
  const size_t k = ref.size();
  if (pts.empty()) return 0;
  if (k == 1) {
    double best = ref[0];
    for (const auto& p : pts) best = std::min(best, p[0]);
    return ref[0] - best;
  }
  if (k == 2) return hv2(std::move(pts), ref);
  // Slice along the last objective.
  std::sort(pts.begin(), pts.end(),
            [k](const Point& a, const Point& b) { return a[k - 1] < b[k - 1]; });
  Point subRef(ref.begin(), ref.end() - 1);
  double vol = 0;
  std::vector<Point> active;
  for (size_t i = 0; i < pts.size(); ++i) {
    active.emplace_back(pts[i].begin(), pts[i].end() - 1);
    const double next = i + 1 < pts.size() ? pts[i + 1][k - 1] : ref[k - 1];
    const double depth = next - pts[i][k - 1];
    if (depth > 0) vol += depth * hvRec(active, subRef);
  }
  return vol;
}
}  // namespace

double hypervolume(const std::vector<Point>& pts, const Point& ref) {
  std::vector<Point> inside;
  for (const auto& p : pts) {
    bool ok = p.size() == ref.size();
    for (size_t i = 0; ok && i < p.size(); ++i) ok = p[i] < ref[i];
    if (ok) inside.push_back(p);
  }
  std::vector<Point> front;
  for (size_t i : paretoFront(inside)) front.push_back(inside[i]);
  return hvRec(std::move(front), ref);
}

Point Normalizer::apply(const Point& p) const {
  Point q(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    const double span = hi[i] - lo[i];
    q[i] = span > 0 ? (p[i] - lo[i]) / span : p[i] - lo[i];
  }
  return q;
}

double normalizedHypervolume(const std::vector<Point>& pts, const Normalizer& n) {
  std::vector<Point> q;
  q.reserve(pts.size());
  for (const auto& p : pts) q.push_back(n.apply(p));
  Point ref(n.lo.size(), 1.1);
  return hypervolume(q, ref);
}

}  // namespace pp
