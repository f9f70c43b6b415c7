// Where the Pareto chart's y axis stops. A sub-network that lost more than
// half of what the full model gains over chance level (always answering the
// most frequent label) is not a trade-off anyone deploys; drawing it at its
// true value squeezes every interesting trial into a thin band (a 0-layer
// trial at 50 % error against the rest at 19-21 %). Such trials are drawn on
// the edge of the frame with their own marker; tooltips keep the true values.
#pragma once
#include <optional>

#include "ui/metric_names.h"

namespace ppui {

// The chart value halfway from `full` to `chance`; nullopt when the full
// model is not better than chance by at least `minGap` (nothing to frame).
// `higherIsBetter`: accuracy, MCC; not error.
std::optional<double> frameLimit(double full, double chance, double minGap, bool higherIsBetter);
// Whether `y` lies beyond the limit, on chance's side of the full model.
bool beyondFrame(double y, double full, double limit);
// The limit for the chart's y metric (values as yMetricValue gives them):
// chance is `chanceError` for the error and accuracy, 0 for MCC and for a
// tagger's F1 (no entity found); nullopt when unknown (chanceError < 0, a
// classifier's F1) or when the full model is too near chance.
std::optional<double> metricFrameLimit(YMetric m, bool tagger, double full, double chanceError);
}  // namespace ppui
