// Pareto fronts and hypervolume for k minimised objectives, as pure functions.
#pragma once
#include <cstddef>
#include <vector>

namespace pp {

using Point = std::vector<double>;  // objectives, all minimised

// a dominates b: no worse in every objective and better in at least one.
bool dominates(const Point& a, const Point& b);

// Indices of the non-dominated points. Duplicates of a non-dominated point
// are all kept (none dominates the other).
// O(n log n + n f) for a front of f points (pairwise if a value is NaN).
std::vector<size_t> paretoFront(const std::vector<Point>& pts);

// The Pareto front of a stream of points, kept as they come: an add costs
// the size of the front, not the number of points seen. After each add,
// ids() are the ids of paretoFront(every point added) (duplicates of a front
// point kept) and hypervolume(points(), ref) equals the hypervolume of every
// point added. Values must not be NaN.
class ParetoArchive {
 public:
  // True when `p` joined the front (it changed); false when dominated.
  bool add(const Point& p, size_t id);
  const std::vector<Point>& points() const { return points_; }
  const std::vector<size_t>& ids() const { return ids_; }  // in the order they joined
  size_t size() const { return ids_.size(); }
  void clear();

 private:
  std::vector<Point> points_;
  std::vector<size_t> ids_;
};

// Fronts by non-dominated sorting (NSGA-II): rank 0 is the Pareto front.
std::vector<std::vector<size_t>> nonDominatedSort(const std::vector<Point>& pts);
std::vector<double> crowdingDistance(const std::vector<Point>& pts,
                                     const std::vector<size_t>& front);

// Hypervolume dominated by `pts` and bounded by `ref` (points not strictly
// better than ref in every objective contribute nothing). Exact for any k
// (slicing for k > 2; fine for fronts of hundreds of points).
double hypervolume(const std::vector<Point>& pts, const Point& ref);

// Normalisation used across ParetoPrune: each objective scaled by
// (x - lo) / (hi - lo) with bounds given per objective; the reference point
// is then (1.1, ..., 1.1): see docs/search.md.
struct Normalizer {
  std::vector<double> lo, hi;
  Point apply(const Point& p) const;
};
double normalizedHypervolume(const std::vector<Point>& pts, const Normalizer& n);

}  // namespace pp
