// Constrained domination (Deb's rules, as constrained NSGA-II uses them),
// the constrained Pareto front and sort, and the knee of a 2-D front: pure
// functions over points and their constraint violations.
#pragma once
#include <cstddef>
#include <vector>

#include "paretoprune/base/pareto.h"

namespace pp {

// A violation is how far a point misses its constraints (0: feasible; see
// search/constraint.h for how it is measured). `violations` empty means
// every point is feasible.
//
// a constrained-dominates b when a is feasible and b is not; or both are
// infeasible and a misses by less (or by as much, and dominates b); or
// both are feasible and a dominates b.
bool constrainedDominates(const Point& a, double va, const Point& b, double vb);

// The points no other constrained-dominates: the Pareto front of the
// feasible points when there are any, else the points of least violation
// (with the Pareto front among them when several tie). Indices, ascending.
std::vector<size_t> constrainedFront(const std::vector<Point>& pts,
                                     const std::vector<double>& violations);

// Indices of the feasible points' Pareto front only (empty when none is
// feasible): what `front --constraint` shows.
std::vector<size_t> feasibleFront(const std::vector<Point>& pts,
                                  const std::vector<double>& violations);

// Non-dominated sorting under constrained domination: the feasible
// points' fronts first, then the infeasible ones by violation, smaller
// first, the points of one violation Pareto-sorted among themselves.
std::vector<std::vector<size_t>> constrainedNonDominatedSort(const std::vector<Point>& pts,
                                                             const std::vector<double>& violations);

// The knee of a 2-D front of minimised objectives: each objective scaled
// to [0, 1] between the front's extremes, the point farthest from the
// straight line through the two extreme points (the one best in the first
// objective and the one best in the second) on the side of the origin.
// That line is x + y = 1, so the knee is the point of smallest normalised
// sum x + y; ties (two points, or all on the line) go to the first in
// `front`. Returns an index into `front`, -1 when it is empty.
int kneeIndex(const std::vector<Point>& front);

}  // namespace pp
