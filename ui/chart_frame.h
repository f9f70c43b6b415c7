// Where the Pareto chart's y axis stops: the frame itself is core's, shared
// with the HTML report (paretoprune/base/chart_frame.h); here, the limit for
// each of the chart's y metrics.
#pragma once
#include <optional>

#include "paretoprune/base/chart_frame.h"
#include "ui/metric_names.h"

namespace ppui {

using pp::beyondFrame;
using pp::frameLimit;
// The limit for the chart's y metric (values as yMetricValue gives them):
// chance is `chanceError` for the error and accuracy, 0 for MCC and for a
// tagger's F1 (no entity found); nullopt when unknown (chanceError < 0, a
// classifier's F1) or when the full model is too near chance.
std::optional<double> metricFrameLimit(YMetric m, bool tagger, double full, double chanceError);
}  // namespace ppui
