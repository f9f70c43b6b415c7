// How the window names the y metric: a classifier's accuracy and error, or
// a tagger's entity F1 (a run log whose header says "metric": "entity_f1";
// docs/tagging.md), on the axis, in the chart's title and the y picker.
#pragma once
#include <optional>

#include <QString>

#include "paretoprune/search/trial.h"

namespace ppui {

enum class YMetric { Error, Accuracy, Mcc, F1 };
// The chart's x metric; size is MB of float32 weights (4 bytes a parameter).
enum class XMetric { Params, Flops, Latency, Size };

// The y axis title; `full`: the full model, whose accuracy the axis names.
QString yAxisTitle(YMetric m, bool tagger, const std::optional<pp::Trial>& full);
// "Validation error", "Entity F1", ... for "%1 against model size".
QString yMetricName(YMetric m, bool tagger);

// A trial's value of the y metric, as the chart draws it (accuracy in percent).
double yMetricValue(const pp::Trial& t, YMetric m);
// Whether a larger value of the metric is better (accuracy, MCC, F1).
inline bool higherIsBetter(YMetric m) {
  return m != YMetric::Error;
}

}  // namespace ppui
