#include "paretoprune/base/chart_frame.h"

#include <cmath>

namespace pp {

std::optional<double> frameLimit(double full, double chance, double minGap, bool higherIsBetter) {
  const double gain = higherIsBetter ? full - chance : chance - full;
  if (!std::isfinite(gain) || gain < minGap) return std::nullopt;
  return full + 0.5 * (chance - full);
}

bool beyondFrame(double y, double full, double limit) {
  return limit > full ? y > limit : y < limit;
}

}  // namespace pp
