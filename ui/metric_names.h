// How the window names the y metric: a classifier's accuracy and error, or
// a tagger's entity F1 (a run log whose header says "metric": "entity_f1";
// docs/tagging.md), on the axis, in the chart's title and the y picker.
#pragma once
#include <optional>

#include <QString>

#include "paretoprune/search/trial.h"

namespace ppui {

enum class YMetric { Error, Accuracy, Mcc, F1 };

// The y axis title; `full`: the full model, whose accuracy the axis names.
QString yAxisTitle(YMetric m, bool tagger, const std::optional<pp::Trial>& full);
// "Validation error", "Entity F1", ... for "%1 against model size".
QString yMetricName(YMetric m, bool tagger);

}  // namespace ppui
