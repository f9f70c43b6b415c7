#include "ui/marker_grid.h"

#include <algorithm>
#include <cmath>

namespace ppui {

void MarkerGrid::reset(double x0, double x1, double y0, double y1, double widthPx, double heightPx,
                       double cellPx) {
  taken_.clear();
  cols_ = std::max(1.0, std::floor(widthPx / cellPx));
  rows_ = std::max(1.0, std::floor(heightPx / cellPx));
  x0_ = x0;
  y0_ = y0;
  sx_ = x1 > x0 ? cols_ / (x1 - x0) : 0;
  sy_ = y1 > y0 ? rows_ / (y1 - y0) : 0;
}

bool MarkerGrid::take(const QPointF& v) {
  const double cx = std::floor((v.x() - x0_) * sx_), cy = std::floor((v.y() - y0_) * sy_);
  if (!(cx >= 0 && cx <= cols_ && cy >= 0 && cy <= rows_)) return false;  // off the plot (or NaN)
  const uint64_t key = (static_cast<uint64_t>(cx) << 32) | static_cast<uint64_t>(cy);
  return taken_.insert(key).second;
}

}  // namespace ppui
