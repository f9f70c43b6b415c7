// The selection's recovered versions, before and after, as rich text for
// the Selection tab (below selection_details.h's comparison).
#pragma once
#include <QString>

#include <vector>

#include "paretoprune/search/recovered_trial.h"

namespace ppui {

// One table row per recovered version of a selected trial: error before and
// after on the validation set, how it was recovered (method, learning rate,
// steps, the held-out split's accuracy) and, with a test file, the test
// error before and after. Empty when none of `selected` was recovered.
QString recoveredDetailsHtml(const std::vector<const pp::Trial*>& selected,
                             const std::vector<pp::RecoveredTrial>& recovered);

// "distill: 3e-04, 120 steps (best 96)" for a tooltip or a table cell's title.
QString recoveredHow(const pp::RecoveredTrial& r);

}  // namespace ppui
