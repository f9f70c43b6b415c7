// How the chart tells runs apart and dims a hidden one: each run's colour
// and marker (colour-blind safe first), and legend helpers (pure functions).
#pragma once
#include <QColor>
#include <QScatterSeries>

class QAbstractSeries;
class QChart;
class QLegendMarker;

namespace ppui {

struct RunStyle {
  QColor color;
  QScatterSeries::MarkerShape shape;
};
// The colour and marker of run `run` in an overlay of several.
const RunStyle& runStyle(int run);
QColor runColor(int run);

// `s` gets no legend entry.
void hideFromLegend(QChart* c, QAbstractSeries* s);
// A run's legend entry as shown or hidden (dimmed, still clickable).
void dimLegendMarker(QLegendMarker* m, bool visible);

}  // namespace ppui
