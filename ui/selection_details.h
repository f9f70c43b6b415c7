// The selection's details as rich text: the trials beside the full model, and a per-layer
// diagram of the heads and units each keeps.
#pragma once
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

#include "paretoprune/formats/config.h"
#include "paretoprune/search/trial.h"

namespace ppui {

// `selected` with their column titles ("trial 3"); `full` the run's full
// model if known; `config` the model the layers are drawn against. With no
// trial selected, a hint on how to select.
QString selectionDetailsHtml(const std::vector<const pp::Trial*>& selected,
                             const QStringList& titles, const std::optional<pp::Trial>& full,
                             const pp::ModelConfig& config);

}  // namespace ppui
