// ParetoChart's recovered trials: a marker of their own ("recovered" in the
// legend), an arrow from the trial each came from, a tooltip saying so;
// and the front picked again over them (View > Pick again).
#include <QCategoryAxis>
#include <QCursor>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPainter>
#include <QPainterPath>
#include <QPen>
#include <QScatterSeries>
#include <QToolTip>

#include <algorithm>
#include <cmath>

#include "ui/pareto_chart.h"

namespace ppui {

namespace {
const QColor kRecovered(20, 140, 90);
}  // namespace

void ParetoChart::initRecovered() {
  recoveredSeries_ = new QScatterSeries;
  recoveredSeries_->setName(tr("recovered (arrow: from its trial)"));
  recoveredSeries_->setMarkerShape(QScatterSeries::MarkerShapeStar);
  recoveredSeries_->setMarkerSize(16);
  recoveredSeries_->setColor(kRecovered);
  recoveredSeries_->setBorderColor(kRecovered.darker(150));
  againStep_ = new QLineSeries;
  againStep_->setPen(QPen(kRecovered, 2, Qt::DashLine));
  againFront_ = new QScatterSeries;
  againFront_->setName(tr("Pareto front, picked again"));
  againFront_->setMarkerSize(11);
  againFront_->setColor(QColor(0, 0, 0, 0));
  againFront_->setBorderColor(kRecovered);
  againFront_->setPen(QPen(kRecovered, 2));
  connect(recoveredSeries_, &QScatterSeries::hovered, this, &ParetoChart::onRecoveredHovered);
  connect(againFront_, &QScatterSeries::hovered, this, &ParetoChart::onRecoveredHovered);
}

QPointF ParetoChart::drawnAt(const pp::Trial& t) const {
  QPointF v = valueOf(t);
  if (isBeyond(t)) v.setY(edgeY_);
  return v;
}

void ParetoChart::redrawRecovered() {
  QChart* c = chart();
  // Over the trials and fronts, under the selection ring: added again when
  // the runs' series were (setRuns), so that they are drawn after them.
  const bool shown = !recovered_.empty() || !pickedAgain_.empty();
  const auto all = c->series();
  const bool inOrder = all.size() >= 2 && all[all.size() - 2] == recoveredSeries_;
  if (shown && !inOrder) {
    for (QAbstractSeries* s : std::initializer_list<QAbstractSeries*>{
             againStep_, againFront_, recoveredSeries_, selected_}) {
      if (s->chart()) c->removeSeries(s);
      c->addSeries(s);
      if (xAxis_ && yAxis_) attachAxes(s);
    }
    hideFromLegend(c, againStep_);
  }
  QList<QPointF> pts;
  for (const auto& r : recovered_) {
    if (logX_ && xOf(r.after) <= 0) continue;
    const QPointF v = drawnAt(r.after);
    bounds_.take(v);
    pts.append(v);
  }
  recoveredSeries_->replace(pts);
  hideFromLegend(c, againFront_);
  if (recovered_.empty()) hideFromLegend(c, recoveredSeries_);
  QList<QPointF> front, step;
  for (const auto& t : pickedAgain_)
    if (!logX_ || xOf(t) > 0) front.append(drawnAt(t));
  std::sort(front.begin(), front.end(),
            [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
  for (qsizetype i = 0; i < front.size(); ++i) {
    if (i > 0) step.append({front[i].x(), front[i - 1].y()});
    step.append(front[i]);
  }
  againFront_->replace(front);
  againStep_->replace(step);
  if (!pickedAgain_.empty())
    for (auto* m : c->legend()->markers(againFront_)) m->setVisible(true);
  if (!runs_.empty()) {  // the search's front gives way to the one picked again
    runs_[0].front->setVisible(pickedAgain_.empty());
    runs_[0].step->setVisible(pickedAgain_.empty());
    hideFromLegend(c, runs_[0].step);
  }
  fitAxes();
  viewport()->update();
}

void ParetoChart::setRecovered(std::vector<Recovered> rs) {
  recovered_ = std::move(rs);
  redrawRecovered();
}

void ParetoChart::setPickedAgain(const std::vector<pp::Trial>& front) {
  pickedAgain_ = front;
  redrawRecovered();
}

QList<QPointF> ParetoChart::pickedAgainPoints() const {
  return againFront_->points();
}

QList<QLineF> ParetoChart::recoveredArrows() const {
  QList<QLineF> out;
  for (const auto& r : recovered_) {
    if (logX_ && (xOf(r.source) <= 0 || xOf(r.after) <= 0)) continue;
    out.append(QLineF(drawnAt(r.source), drawnAt(r.after)));
  }
  return out;
}

// The arrows, painted over the series in scene coordinates, clipped to the plot.
void ParetoChart::paintRecovered(QPainter* p) {
  if (recovered_.empty() || !xAxis_ || !xAxis_->isVisible()) return;
  QChart* c = chart();
  auto scene = [&](const QPointF& v) {
    return c->mapToScene(c->mapToPosition(v, recoveredSeries_));
  };
  p->save();
  p->setRenderHint(QPainter::Antialiasing);
  p->setClipRect(c->mapToScene(c->plotArea()).boundingRect());
  const QPen pen(kRecovered.darker(120), 1.8);
  for (const QLineF& a : recoveredArrows()) {
    const QPointF from = scene(a.p1()), to = scene(a.p2());
    const QLineF line(from, to);
    // Stop short of the star, so that the head shows beside it.
    const double stop = 10, head = 9;
    if (line.length() < stop + head) continue;
    const QPointF u = (to - from) / line.length(), n(-u.y(), u.x());
    const QPointF tip = to - u * stop, base = tip - u * head;
    p->setPen(pen);
    p->drawLine(from, base);
    QPainterPath path(tip);
    path.lineTo(base + n * (head * 0.45));
    path.lineTo(base - n * (head * 0.45));
    path.closeSubpath();
    p->fillPath(path, kRecovered.darker(120));
  }
  p->restore();
}

void ParetoChart::onRecoveredHovered(const QPointF& v, bool state) {
  if (!state) {
    QToolTip::hideText();
    return;
  }
  const QPointF origin = chart()->mapToPosition({0, 0});
  const double sx = chart()->mapToPosition({1, 0}).x() - origin.x(),
               sy = chart()->mapToPosition({0, 1}).y() - origin.y();
  const Recovered* best = nullptr;
  double bestD2 = 12.0 * 12.0;
  for (const auto& r : recovered_) {
    if (logX_ && xOf(r.after) <= 0) continue;
    const QPointF at = drawnAt(r.after);
    const double dx = (at.x() - v.x()) * sx, dy = (at.y() - v.y()) * sy;
    if (dx * dx + dy * dy < bestD2) {
      bestD2 = dx * dx + dy * dy;
      best = &r;
    }
  }
  if (!best) {
    onHovered(v, state);  // a front point picked again that is a search trial
    return;
  }
  const QString how = best->method == "distill" ? tr("distilled from the full model")
                                                : tr("fine-tuned on the labels");
  QString text = tr("<b>Recovered</b> from trial %1, %2<br>").arg(best->source.id).arg(how);
  if (!best->how.isEmpty()) text += best->how.toHtmlEscaped() + "<br>";
  text += tr("error %1% before, %2% after<br>")
              .arg(100.0 * best->source.errorRate, 0, 'f', 1)
              .arg(100.0 * best->after.errorRate, 0, 'f', 1);
  QToolTip::showText(QCursor::pos(), text + trialTooltip(best->after, full_trial_, tagger_), this);
}

}  // namespace ppui
