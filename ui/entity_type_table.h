// A tagger's selection by entity type: entity F1 over all types, then each
// type's F1 (pp::Trial::typeF1), for the full model and each selected
// trial, as a rich-text table for the selection details.
#pragma once
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

#include "paretoprune/search/trial.h"

namespace ppui {

// `selected` with their column titles; `full` the run's full model if known.
// Types are the union of those the trials record, sorted; a trial without a
// type shows "-". Trials of older logs record no types: the table then says
// so under the overall F1.
QString entityTypeTableHtml(const std::vector<const pp::Trial*>& selected,
                            const QStringList& titles, const std::optional<pp::Trial>& full);

}  // namespace ppui
