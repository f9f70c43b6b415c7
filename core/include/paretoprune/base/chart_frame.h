// Where a Pareto chart's y axis stops (the window's and the HTML report's). A sub-network that lost
// more than half of what the full model gains over chance level (always answering the most frequent
// label) is not a trade-off anyone deploys; drawing it at its true value squeezes every interesting
// trial into a thin band (a 0-layer trial at 50 % error against the rest at 19-21 %). Such trials
// are drawn on the edge of the frame with their own marker; tooltips keep the true values.
#pragma once
#include <optional>

namespace pp {

// The chart value halfway from `full` to `chance`; nullopt when the full
// model is not better than chance by at least `minGap` (nothing to frame).
// `higherIsBetter`: accuracy, MCC; not error.
std::optional<double> frameLimit(double full, double chance, double minGap, bool higherIsBetter);
// Whether `y` lies beyond the limit, on chance's side of the full model.
bool beyondFrame(double y, double full, double limit);
}  // namespace pp
