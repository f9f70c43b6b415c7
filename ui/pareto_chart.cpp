#include "ui/pareto_chart.h"

#include <QCategoryAxis>
#include <QChildEvent>
#include <QCursor>
#include <QGraphicsLayout>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QMouseEvent>
#include <QPen>
#include <QScatterSeries>
#include <QToolTip>

#include <algorithm>
#include <cmath>

#include "ui/axis_ticks.h"
#include "ui/chart_frame.h"
#include "ui/trial_key.h"

namespace ppui {

ParetoChart::ParetoChart(QWidget* parent) : QChartView(parent) {
  auto* c = new QChart;
  c->setTitle(tr("Validation error against model size"));
  c->legend()->setAlignment(Qt::AlignBottom);
  c->setAnimationOptions(QChart::NoAnimation);
  setChart(c);
  setRenderHint(QPainter::Antialiasing);
  setRubberBand(QChartView::RectangleRubberBand);

  selected_ = new QScatterSeries;
  selected_->setName(tr("selected"));
  selected_->setMarkerSize(15);
  selected_->setColor(QColor(0, 0, 0, 0));
  selected_->setBorderColor(QColor(200, 0, 60));
  selected_->setPen(QPen(QColor(200, 0, 60), 2.5));
  full_ = new QScatterSeries;
  full_->setName(tr("full model"));
  full_->setMarkerShape(QScatterSeries::MarkerShapeRectangle);
  full_->setMarkerSize(13);
  full_->setColor(QColor(40, 40, 40));
  beyond_ = new QScatterSeries;
  beyond_->setName(tr("far worse (drawn at the edge)"));
  beyond_->setMarkerShape(QScatterSeries::MarkerShapeTriangle);
  beyond_->setMarkerSize(14);
  beyond_->setColor(QColor(90, 90, 90));
  beyond_->setBorderColor(Qt::white);
  guideX_ = new QLineSeries;
  guideY_ = new QLineSeries;
  for (auto* g : {guideX_, guideY_}) g->setPen(QPen(QColor(60, 60, 60, 140), 1, Qt::DashLine));
  for (QAbstractSeries* s : std::initializer_list<QAbstractSeries*>{guideX_, guideY_})
    c->addSeries(s);
  // Guides are not legend entries.
  hideFromLegend(c, guideX_);
  hideFromLegend(c, guideY_);
  for (auto* s : {full_, beyond_})
    connect(s, &QScatterSeries::hovered, this, &ParetoChart::onHovered);
  // The plot's size sets how many markers it has room for.
  connect(c, &QChart::plotAreaChanged, this, [this] {
    remark_ = true;
    if (!flushing_ && !flushTimer_.isActive()) flushTimer_.start();
  });
  flushTimer_.setInterval(150);
  flushTimer_.setSingleShot(true);
  connect(&flushTimer_, &QTimer::timeout, this, &ParetoChart::flushNow);
  initRecovered();
  clear();
}

ParetoChart::Run ParetoChart::makeRun(const QString& name, int index, bool overlay) {
  Run r;
  r.name = name;
  const RunStyle& st = runStyle(index);
  QScatterSeries* all = r.trials.all();
  all->setName(overlay ? tr("%1: trials").arg(name) : tr("trials"));
  r.step = new QLineSeries;
  r.front = new QScatterSeries;
  r.front->setName(overlay ? name : tr("Pareto front"));
  r.front->setMarkerSize(10);
  if (overlay) {
    QColor faint = st.color;
    faint.setAlpha(70);
    all->setMarkerShape(st.shape);
    all->setColor(faint);
    all->setBorderColor(faint);
    r.front->setMarkerShape(st.shape);
    r.front->setMarkerSize(11);
    r.front->setColor(st.color);
    r.front->setBorderColor(st.color.darker(160));
    r.step->setPen(QPen(st.color, 2));
  } else {
    all->setColor(QColor(90, 120, 170, 90));
    all->setBorderColor(QColor(90, 120, 170, 120));
    r.front->setColor(QColor(230, 120, 20));
    r.front->setBorderColor(QColor(150, 70, 0));
    r.step->setPen(QPen(QColor(220, 110, 20), 2));
  }
  r.trials.matchStyle();
  for (auto* s : {all, r.trials.fresh(), r.front})
    connect(s, &QScatterSeries::hovered, this, &ParetoChart::onHovered);
  return r;
}

void ParetoChart::dropRuns() {
  QChart* c = chart();
  for (auto& r : runs_)
    for (QAbstractSeries* s : std::initializer_list<QAbstractSeries*>{
             r.trials.all(), r.trials.fresh(), r.step, r.front}) {
      c->removeSeries(s);
      delete s;
    }
  runs_.clear();
  faded_.clear();  // their colours went with them
}

void ParetoChart::clear() {
  setRuns({});
}

void ParetoChart::setRuns(const QStringList& names) {
  QChart* c = chart();
  const bool overlay = !names.isEmpty();
  dropRuns();
  for (QAbstractSeries* s : std::initializer_list<QAbstractSeries*>{beyond_, full_, selected_})
    if (s->chart()) c->removeSeries(s);
  // The trials first, then every run's step line and front, so that fronts
  // are drawn over all trials.
  const QStringList list = overlay ? names : QStringList{QString()};
  for (int i = 0; i < list.size(); ++i) runs_.push_back(makeRun(list[i], i, overlay));
  for (auto& r : runs_) c->addSeries(r.trials.all());
  for (auto& r : runs_) c->addSeries(r.trials.fresh());
  for (auto& r : runs_) {
    c->addSeries(r.step);
    c->addSeries(r.front);
  }
  c->addSeries(beyond_);
  c->addSeries(full_);
  c->addSeries(selected_);
  for (auto& r : runs_) {
    hideFromLegend(c, r.step);
    hideFromLegend(c, r.trials.fresh());
    if (overlay) hideFromLegend(c, r.trials.all());
    for (auto* m : c->legend()->markers(r.front))
      connect(m, &QLegendMarker::clicked, this, &ParetoChart::onLegendClicked,
              Qt::UniqueConnection);
  }
  entries_.clear();
  byKey_.clear();
  pending_.clear();
  selection_.clear();
  full_trial_.reset();
  runFull_.clear();
  batches_ = 0;
  rebuild();
}

QString ParetoChart::runName(int run) const {
  return run >= 0 && run < runCount() ? runs_[static_cast<size_t>(run)].name : QString();
}

bool ParetoChart::runVisible(int run) const {
  return run >= 0 && run < runCount() && runs_[static_cast<size_t>(run)].visible;
}

void ParetoChart::setRunVisible(int run, bool on) {
  if (run < 0 || run >= runCount()) return;
  Run& r = runs_[static_cast<size_t>(run)];
  if (r.visible == on) return;
  r.visible = on;
  for (QAbstractSeries* s :
       std::initializer_list<QAbstractSeries*>{r.trials.all(), r.trials.fresh(), r.step, r.front})
    s->setVisible(on);
  // Showing a series shows its legend marker again: only the front's is an entry.
  hideFromLegend(chart(), r.step);
  hideFromLegend(chart(), r.trials.fresh());
  if (runCount() > 1) hideFromLegend(chart(), r.trials.all());
  for (auto* m : chart()->legend()->markers(r.front)) dimLegendMarker(m, on);
  redrawBeyond();
  // A hidden run's points cannot stay selected.
  std::vector<int64_t> sel;
  for (int64_t k : selection_)
    if (k == -1 || runVisible(runOfKey(k))) sel.push_back(k);
  if (sel != selection_) {
    setSelection(sel);
    Q_EMIT selectionChanged(sel);
  }
  Q_EMIT runVisibilityChanged(run, on);
}

void ParetoChart::onLegendClicked() {
  auto* m = qobject_cast<QLegendMarker*>(sender());
  if (!m || runCount() < 2) return;  // a single run's entries do not hide it
  for (int i = 0; i < runCount(); ++i)
    if (runs_[static_cast<size_t>(i)].front == m->series())
      setRunVisible(i, !runs_[static_cast<size_t>(i)].visible);
}

int ParetoChart::markersDrawn() const {
  int n = 0;
  for (const auto& r : runs_) n += r.trials.count();
  return n;
}

QList<QPointF> ParetoChart::frontPoints(int run) const {
  return run >= 0 && run < runCount() ? runs_[static_cast<size_t>(run)].front->points()
                                      : QList<QPointF>();
}

QList<QPointF> ParetoChart::frontStepPoints(int run) const {
  return run >= 0 && run < runCount() ? runs_[static_cast<size_t>(run)].step->points()
                                      : QList<QPointF>();
}

// Qt Charts draws OpenGL series on a widget over the plot: clicks and the
// zoom rectangle are the chart's (trialAt), so it lets the mouse through.
void ParetoChart::childEvent(QChildEvent* e) {
  QChartView::childEvent(e);
  if (e->polished() && e->child()->inherits("QOpenGLWidget"))
    static_cast<QWidget*>(e->child())->setAttribute(Qt::WA_TransparentForMouseEvents);
}

void ParetoChart::Bounds::take(const QPointF& p) {
  x0 = std::min(x0, p.x());
  x1 = std::max(x1, p.x());
  y0 = std::min(y0, p.y());
  y1 = std::max(y1, p.y());
}

double ParetoChart::xOf(const pp::Trial& t) const {
  switch (metric_) {
    case XMetric::Params:
      return static_cast<double>(t.params);
    case XMetric::Flops:
      return static_cast<double>(t.flops);
    case XMetric::Latency:
      return t.latencyMs;
    case XMetric::Size:
      return 4.0 * static_cast<double>(t.params) / 1e6;
  }
  return 0;
}

double ParetoChart::yOf(const pp::Trial& t) const {
  return yMetricValue(t, yMetric_);
}

QPointF ParetoChart::valueOf(const pp::Trial& t) const {
  const double x = xOf(t);
  const double y = isBeyond(t) ? edgeY_ : yOf(t);
  return {logX_ ? std::log10(x) : x, y};
}

bool ParetoChart::isBeyond(const pp::Trial& t) const {
  return frame_ && full_trial_ && beyondFrame(yOf(t), yOf(*full_trial_), *frame_);
}

void ParetoChart::setChanceError(double error) {
  chance_ = error;
  rebuild();
  Q_EMIT chanceErrorChanged(error);
}

void ParetoChart::reframe() {
  frame_.reset();
  if (!full_trial_ || chance_ < 0) return;
  frame_ = metricFrameLimit(yMetric_, tagger_, yOf(*full_trial_), chance_);
}

// Trials beyond the frame sit inside the axis's padding on chance's side;
// when the axis moves, so do they (and the fronts and selection through them).
void ParetoChart::moveEdge(double y) {
  if (std::abs(y - edgeY_) < 1e-12) return;
  edgeY_ = y;
  if (beyondCount_ == 0) return;
  for (auto& e : entries_)
    if (e.beyond) e.v.setY(y);
  remark_ = true;
  for (int r = 0; r < runCount(); ++r) redrawFront(r);
  redrawSelection();
  redrawBeyond();
}

void ParetoChart::redrawBeyond() {
  QList<QPointF> pts;
  if (beyondCount_ > 0)
    for (const auto& e : entries_)
      if (e.beyond && runs_[static_cast<size_t>(e.run)].visible) pts.append(e.v);
  beyond_->replace(pts);
  bool relayout = false;
  for (auto* m : chart()->legend()->markers(beyond_)) {
    relayout = relayout || m->isVisible() != !pts.isEmpty();
    m->setVisible(!pts.isEmpty());
  }
  // A marker shown on a legend already laid out takes no room until the
  // legend lays its entries out again.
  if (relayout && chart()->legend()->layout()) chart()->legend()->layout()->invalidate();
}

void ParetoChart::setYMetric(YMetric m) {
  yMetric_ = m;
  rebuild();
}

void ParetoChart::setTagger(bool on) {
  if (tagger_ == on) return;
  tagger_ = on;
  rebuild();
}

void ParetoChart::setReference(const pp::Trial& full) {
  full_trial_ = full;
  rebuild();
}

void ParetoChart::queueTrial(const pp::Trial& t, int run) {
  if (!t.ok() || t.fidelity < 1.0) return;  // failed and cut trials are in the table, not the chart
  if (run < 0 || run >= runCount()) return;
  pending_.push_back({t, run, {}});
  if (!flushTimer_.isActive()) flushTimer_.start();
}

// A batch: its trials, the axes if they grew, then one replace per series.
void ParetoChart::flushNow() {
  flushTimer_.stop();
  if (pending_.empty() && !remark_) return;
  flushing_ = true;
  const size_t first = entries_.size();
  const int beyondBefore = beyondCount_;
  std::vector<bool> grew(runs_.size(), false);
  for (auto& e : pending_)
    if (addEntry(std::move(e))) grew[static_cast<size_t>(entries_.back().run)] = true;
  const bool batch = !pending_.empty();
  pending_.clear();
  fitAxes();
  trackFront(first);
  drawMarkers(first);
  for (int r = 0; r < runCount(); ++r)
    if (grew[static_cast<size_t>(r)]) redrawFront(r);
  if (beyondCount_ != beyondBefore) redrawBeyond();
  if (batch) ++batches_;
  flushing_ = false;
}

bool ParetoChart::addEntry(Entry e) {
  if (logX_ && xOf(e.t) <= 0) return false;
  e.v = valueOf(e.t);
  e.beyond = isBeyond(e.t);
  beyondCount_ += e.beyond ? 1 : 0;
  if (e.beyond)  // frames x only: its y is the edge
    bounds_.take({e.v.x(), bounds_.y0 <= bounds_.y1 ? bounds_.y0 : yOf(*full_trial_)});
  else
    bounds_.take(e.v);
  byKey_[trialKey(e.run, e.t.id)] = entries_.size();
  entries_.push_back(std::move(e));
  return true;
}

// The trials' markers from entry `firstNew` on (all of them when the zoom,
// the plot or the thinning changed). Up to the plot's room every trial has
// its marker; beyond it, one per cell of the plot (MarkerGrid).
void ParetoChart::drawMarkers(size_t firstNew) {
  const QRectF plot = chart()->plotArea();
  const double w = plot.width() > 10 ? plot.width() : 800,
               h = plot.height() > 10 ? plot.height() : 500;
  const double room = (w / TrialMarkers::kMarkerPx) * (h / TrialMarkers::kMarkerPx);
  const bool thin = static_cast<double>(entries_.size()) > room;
  const bool again = remark_ || thin != thinned_;
  thinned_ = thin;
  remark_ = false;
  if (again) {
    firstNew = 0;
    for (auto& r : runs_)
      r.trials.restart(thin, xAxis_->min(), xAxis_->max(), yAxis_->min(), yAxis_->max(), w, h);
  }
  std::vector<bool> changed(runs_.size(), again);
  for (size_t i = firstNew; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    if (runs_[static_cast<size_t>(e.run)].trials.add(e.v))
      changed[static_cast<size_t>(e.run)] = true;
  }
  for (size_t r = 0; r < runs_.size(); ++r)
    if (changed[r]) runs_[r].trials.publish(again);
}

void ParetoChart::onRangeChanged() {
  relabelAxes();
  remark_ = true;
  if (!flushing_ && !flushTimer_.isActive()) flushTimer_.start();
}

void ParetoChart::setFront(const std::vector<int64_t>& ids, int run) {
  if (ownFront_ || run < 0 || run >= runCount()) return;
  runs_[static_cast<size_t>(run)].frontIds = std::set<int64_t>(ids.begin(), ids.end());
  redrawFront(run);
}

void ParetoChart::redrawFront(int run) {
  const Run& r = runs_[static_cast<size_t>(run)];
  std::vector<QPointF> pts, framed;  // every member; those drawn at their true value
  for (int64_t id : r.frontIds) {
    auto it = byKey_.find(trialKey(run, id));
    if (it == byKey_.end()) continue;
    pts.push_back(entries_[it->second].v);
    if (!entries_[it->second].beyond) framed.push_back(entries_[it->second].v);
  }
  auto byX = [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); };
  std::sort(pts.begin(), pts.end(), byX);
  std::sort(framed.begin(), framed.end(), byX);
  r.front->replace(QList<QPointF>(pts.begin(), pts.end()));
  // Step line: from each point right to the next one's x, then down; a
  // member drawn at the frame's edge is not joined (the line would claim
  // the edge's error for it).
  QList<QPointF> step;
  for (size_t i = 0; i < framed.size(); ++i) {
    if (i > 0) step.append({framed[i].x(), framed[i - 1].y()});
    step.append(framed[i]);
  }
  r.step->replace(step);
}

void ParetoChart::setXMetric(XMetric m) {
  metric_ = m;
  rebuild();
}

void ParetoChart::setLogX(bool on) {
  logX_ = on;
  rebuild();
}

void ParetoChart::resetZoom() {
  chart()->zoomReset();
  fitAxes();
}

void ParetoChart::resizeEvent(QResizeEvent* e) {
  QChartView::resizeEvent(e);
  relabelAxes();  // as many labels as fit
}

void ParetoChart::attachAxes(QAbstractSeries* s) {
  s->attachAxis(xAxis_);
  s->attachAxis(yAxis_);
}

void ParetoChart::rebuild() {
  QChart* c = chart();
  for (auto* a : c->axes()) {
    c->removeAxis(a);
    delete a;
  }
  const char* names[] = {"parameters", "FLOPs per sequence", "latency", "size (MB, float32)"};
  xAxis_ = new QCategoryAxis;
  xAxis_->setTitleText(tr(names[static_cast<int>(metric_)]) +
                       (logX_ ? tr(" (log scale)") : QString()));
  yAxis_ = new QCategoryAxis;
  yAxis_->setTitleText(yAxisTitle(yMetric_, tagger_, full_trial_));
  for (auto* a : {xAxis_, yAxis_}) {
    a->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    a->setMinorGridLineVisible(false);
  }
  c->addAxis(xAxis_, Qt::AlignBottom);
  c->addAxis(yAxis_, Qt::AlignLeft);
  for (auto* s : c->series()) attachAxes(s);
  // Zooming changes the range: label the new one.
  connect(xAxis_, &QCategoryAxis::rangeChanged, this, &ParetoChart::onRangeChanged);
  connect(yAxis_, &QCategoryAxis::rangeChanged, this, &ParetoChart::onRangeChanged);
  // Re-plot everything in the new coordinates.
  std::vector<Entry> es;
  es.swap(entries_);
  for (auto& e : pending_) es.push_back(std::move(e));
  pending_.clear();
  byKey_.clear();
  bounds_ = {};
  reframe();
  beyondCount_ = 0;
  for (auto& e : es) addEntry(std::move(e));
  redrawBeyond();
  flushing_ = true;
  remark_ = true;
  fitAxes();
  drawMarkers(0);
  flushing_ = false;
  full_->clear();
  if (full_trial_ && (!logX_ || xOf(*full_trial_) > 0)) full_->append(valueOf(*full_trial_));
  trackFront(0);
  for (int r = 0; r < runCount(); ++r) redrawFront(r);
  redrawSelection();
  redrawRecovered();
}

void ParetoChart::fitAxes() {
  if (chart()->isZoomed()) return;
  Bounds b = bounds_;
  if (full_trial_ && (!logX_ || xOf(*full_trial_) > 0)) b.take(valueOf(*full_trial_));
  double x0 = b.x0, x1 = b.x1, y0 = b.y0, y1 = b.y1;
  const bool empty = x0 > x1;
  if (empty) {
    x0 = logX_ ? 0 : 1;
    x1 = logX_ ? 1 : 10;
    y0 = 0;
    y1 = yMetric_ == YMetric::Accuracy ? 100 : 1;
  }
  // Before any trial: no made-up scale, a line on what to do instead.
  xAxis_->setVisible(!empty);
  yAxis_->setVisible(!empty);
  retitle();
  // Log axes: x is log10, so the padding is a factor.
  const double px = logX_ ? std::max((x1 - x0) * 0.06, 0.02) : std::max((x1 - x0) * 0.05, 1e-9);
  x0 -= px;
  x1 += px;
  const double minPad = yMetric_ == YMetric::Accuracy ? 1.0 : 0.01;
  const double py = std::max((y1 - y0) * 0.08, minPad);
  const bool signedY = yMetric_ == YMetric::Mcc;
  y0 = signedY ? y0 - py : std::max(0.0, y0 - py);
  y1 = yMetric_ == YMetric::Accuracy ? std::min(100.0, y1 + py) : y1 + py;
  relabelling_ = true;  // one relabel for both ranges
  xAxis_->setRange(x0, x1);
  yAxis_->setRange(y0, y1);
  relabelling_ = false;
  moveEdge(frame_ && full_trial_ && *frame_ < yOf(*full_trial_) ? y0 + 0.4 * py : y1 - 0.4 * py);
  relabelAxes();
  guideX_->clear();
  guideY_->clear();
  if (full_trial_ && (!logX_ || xOf(*full_trial_) > 0)) {
    const QPointF f = valueOf(*full_trial_);
    guideX_->append({{x0, f.y()}, {x1, f.y()}});
    guideY_->append({{f.x(), y0}, {f.x(), y1}});
  }
}

void ParetoChart::retitle() {
  QString title = runCount() > 1 ? tr("Pareto fronts of %1 runs").arg(runCount())
                                 : tr("%1 against model size").arg(yMetricName(yMetric_, tagger_));
  if (bounds_.x0 > bounds_.x1 && !full_trial_)
    title = tr("No trials yet: start a search (F5) or open a run log (File > Open run log)");
  if (chart()->title() != title) chart()->setTitle(title);
}

void ParetoChart::relabelAxes() {
  if (relabelling_ || !xAxis_ || !yAxis_) return;
  relabelling_ = true;
  const QRectF plot = chart()->plotArea();
  const int xMax = std::clamp(static_cast<int>(plot.width() / 90), 3, 10);
  const int yMax = std::clamp(static_cast<int>(plot.height() / 45), 3, 10);
  const AxisUnit xUnit = metric_ == XMetric::Latency ? AxisUnit::Milliseconds : AxisUnit::Count;
  const AxisUnit yUnit = yMetric_ == YMetric::Accuracy ? AxisUnit::Percent : AxisUnit::Plain;
  auto fill = [](QCategoryAxis* a, const std::vector<AxisTick>& ticks, bool log) {
    for (const QString& l : a->categoriesLabels()) a->remove(l);
    a->setStartValue(a->min());
    for (const auto& t : ticks) {
      const double at = log ? std::log10(t.value) : t.value;
      if (at > a->min() && at <= a->max()) a->append(t.label, at);
    }
  };
  const double x0 = xAxis_->min(), x1 = xAxis_->max();
  fill(xAxis_,
       logX_ ? axisTicks(std::pow(10.0, x0), std::pow(10.0, x1), true, xUnit, xMax)
             : axisTicks(x0, x1, false, xUnit, xMax),
       logX_);
  fill(yAxis_, axisTicks(yAxis_->min(), yAxis_->max(), false, yUnit, yMax), false);
  relabelling_ = false;
}

QStringList ParetoChart::xTickLabels() const {
  return xAxis_ ? xAxis_->categoriesLabels() : QStringList();
}
QStringList ParetoChart::yTickLabels() const {
  return yAxis_ ? yAxis_->categoriesLabels() : QStringList();
}

QStringList ParetoChart::legendEntries() const {
  QStringList out;
  for (auto* m : chart()->legend()->markers())
    if (m->isVisible()) out << m->label();
  return out;
}

}  // namespace ppui
