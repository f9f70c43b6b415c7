// ParetoChart's pointer: which trial is under it, hover tooltips, click and
// shift-click selection, double-click to reset the zoom.
#include <QCursor>
#include <QMouseEvent>
#include <QScatterSeries>
#include <QToolTip>

#include <algorithm>

#include "ui/pareto_chart.h"
#include "ui/trial_key.h"

namespace ppui {

void ParetoChart::setSelection(const std::vector<int64_t>& keys) {
  selection_ = keys;
  redrawSelection();
}

void ParetoChart::redrawSelection() {
  QList<QPointF> pts;
  for (int64_t key : selection_) {
    auto it = byKey_.find(key);
    if (it != byKey_.end()) pts.append(entries_[it->second].v);
  }
  selected_->replace(pts);
}

void ParetoChart::mouseDoubleClickEvent(QMouseEvent* e) {
  resetZoom();
  e->accept();
}

// Every trial looked at (thinned ones too), in pixels: chart values map to
// the plot linearly, so one scale per axis replaces mapToPosition per trial.
int64_t ParetoChart::trialAt(const QPointF& value) const {
  const QPointF origin = chart()->mapToPosition({0, 0});
  const double sx = chart()->mapToPosition({1, 0}).x() - origin.x(),
               sy = chart()->mapToPosition({0, 1}).y() - origin.y();
  int64_t best = kNone;
  double bestD2 = 12.0 * 12.0;  // pixels, squared
  auto consider = [&](const QPointF& v, int64_t key) {
    const double dx = (v.x() - value.x()) * sx, dy = (v.y() - value.y()) * sy;
    const double d2 = dx * dx + dy * dy;
    if (d2 < bestD2) {
      bestD2 = d2;
      best = key;
    }
  };
  for (const auto& e : entries_)
    if (runs_[static_cast<size_t>(e.run)].visible) consider(e.v, trialKey(e.run, e.t.id));
  for (const auto& r : recovered_)  // a recovered point stands for its source
    if (!logX_ || xOf(r.after) > 0) consider(drawnAt(r.after), trialKey(0, r.source.id));
  if (full_trial_ && (!logX_ || xOf(*full_trial_) > 0)) consider(valueOf(*full_trial_), -1);
  return best;
}

void ParetoChart::mousePressEvent(QMouseEvent* e) {
  // A press on a point selects it; elsewhere it starts the zoom rectangle
  // (the rubber band takes the press, so the series never see a click).
  if (e->button() == Qt::LeftButton) {
    const QPointF value =
        chart()->mapToValue(chart()->mapFromScene(mapToScene(e->position().toPoint())));
    const int64_t key = trialAt(value);
    if (key != kNone && key != -1) {
      onClicked(key, e->modifiers() & Qt::ShiftModifier);
      e->accept();
      return;
    }
  }
  QChartView::mousePressEvent(e);
}

void ParetoChart::onClicked(int64_t key, bool add) {
  std::vector<int64_t> sel = add ? selection_ : std::vector<int64_t>{};
  auto it = std::find(sel.begin(), sel.end(), key);
  if (it != sel.end())
    sel.erase(it);
  else
    sel.push_back(key);
  if (sel.size() > 3) sel.erase(sel.begin());  // up to three compared
  setSelection(sel);
  Q_EMIT selectionChanged(sel);
}

void ParetoChart::onHovered(const QPointF& p, bool state) {
  if (!state) {
    QToolTip::hideText();
    return;
  }
  const int64_t key = trialAt(p);
  if (key == -1 && full_trial_) {
    QToolTip::showText(
        QCursor::pos(),
        tr("<b>Full model</b><br>") + trialTooltip(*full_trial_, std::nullopt, tagger_), this);
    return;
  }
  if (auto it = byKey_.find(key); it != byKey_.end()) {
    const Entry& e = entries_[it->second];
    const QString run =
        runCount() > 1 ? tr("Run <b>%1</b><br>").arg(runName(e.run).toHtmlEscaped()) : QString();
    QToolTip::showText(QCursor::pos(), run + trialTooltip(e.t, full_trial_, tagger_), this);
  }
}

}  // namespace ppui
