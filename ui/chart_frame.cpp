#include "ui/chart_frame.h"

namespace ppui {

std::optional<double> metricFrameLimit(YMetric m, bool tagger, double full, double chanceError) {
  if (chanceError < 0) return std::nullopt;
  switch (m) {
    case YMetric::Error:
      return frameLimit(full, chanceError, 0.02, false);
    case YMetric::Accuracy:
      return frameLimit(full, 100.0 * (1.0 - chanceError), 2.0, true);
    case YMetric::Mcc:  // always answering one label scores 0
      return frameLimit(full, 0.0, 0.04, true);
    case YMetric::F1:  // a tagger's chance finds no entity; a classifier's depends on balance
      return tagger ? frameLimit(full, 0.0, 0.04, true) : std::nullopt;
  }
  return std::nullopt;
}

}  // namespace ppui
