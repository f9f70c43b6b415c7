#include "ui/run_style.h"

#include <QChart>
#include <QLegend>
#include <QLegendMarker>

namespace ppui {

namespace {
const RunStyle kRunStyles[] = {
    {QColor(230, 120, 20), QScatterSeries::MarkerShapeCircle},
    {QColor(40, 100, 200), QScatterSeries::MarkerShapeRectangle},
    {QColor(30, 150, 80), QScatterSeries::MarkerShapeTriangle},
    {QColor(170, 60, 170), QScatterSeries::MarkerShapeRotatedRectangle},
    {QColor(200, 40, 40), QScatterSeries::MarkerShapePentagon},
    {QColor(90, 90, 90), QScatterSeries::MarkerShapeStar},
};
constexpr int kStyles = sizeof kRunStyles / sizeof kRunStyles[0];
}  // namespace

const RunStyle& runStyle(int run) {
  return kRunStyles[((run % kStyles) + kStyles) % kStyles];
}

QColor runColor(int run) {
  return runStyle(run).color;
}

void hideFromLegend(QChart* c, QAbstractSeries* s) {
  for (auto* m : c->legend()->markers(s)) m->setVisible(false);
}

void dimLegendMarker(QLegendMarker* m, bool visible) {
  m->setVisible(true);
  const qreal alpha = visible ? 1.0 : 0.35;
  QBrush b = m->labelBrush();
  QColor c = b.color();
  c.setAlphaF(alpha);
  b.setColor(c);
  m->setLabelBrush(b);
  QBrush mb = m->brush();
  QColor mc = mb.color();
  mc.setAlphaF(alpha);
  mb.setColor(mc);
  m->setBrush(mb);
}

}  // namespace ppui
