// MarkerGrid: which trials get a marker of their own when a chart holds more
// trials than its plot has room for. The plot, at the current zoom, is cut
// into cells a few pixels wide; the first trial to land in a cell takes it,
// and later ones there would be drawn over it (they stay hoverable and
// clickable through the chart's own search). Pareto points are not thinned:
// their own series draws each of them exactly.
#pragma once
#include <QPointF>

#include <cstdint>
#include <unordered_set>

namespace ppui {

class MarkerGrid {
 public:
  // The value ranges shown, the plot's size in pixels and a cell's side in pixels.
  void reset(double x0, double x1, double y0, double y1, double widthPx, double heightPx,
             double cellPx);
  // True when `v` is inside the ranges and lands in an empty cell (now taken).
  bool take(const QPointF& v);
  size_t taken() const { return taken_.size(); }
  // How many cells the plot has: the thinning starts beyond this many trials.
  double capacity() const { return cols_ * rows_; }

 private:
  double x0_ = 0, y0_ = 0, sx_ = 1, sy_ = 1, cols_ = 1, rows_ = 1;
  std::unordered_set<uint64_t> taken_;
};

}  // namespace ppui
