// The chart's frame (where the y axis stops) is core's, shared with the
// HTML report: paretoprune/base/chart_frame.h.
#pragma once
#include "paretoprune/base/chart_frame.h"

namespace ppui {
using pp::beyondFrame;
using pp::frameLimit;
}  // namespace ppui
