// A trial described in a few lines of rich text: its sub-network, metrics
// and the change against the full model, for the chart's hover tooltip.
#pragma once
#include <QString>

#include <optional>

#include "paretoprune/search/trial.h"

namespace ppui {

// "3L x 4H x 512U: 61.2% accuracy ... -62% parameters, 2.1x faster, +1.3 points error"
// A tagger's (`tagger`): entity F1 and token accuracy, error = 1 - F1.
QString trialTooltip(const pp::Trial& t, const std::optional<pp::Trial>& full, bool tagger = false);

}  // namespace ppui
