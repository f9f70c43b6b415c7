#include "ui/pareto_chart.h"

#include <QCursor>
#include <QGuiApplication>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMouseEvent>
#include <QPen>
#include <QScatterSeries>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace ppui {

namespace {
QString signedPct(double v) { return (v >= 0 ? "+" : "") + QString::number(v, 'f', 0) + "%"; }
}  // namespace

QString trialTooltip(const pp::Trial& t, const std::optional<pp::Trial>& full) {
  QString s = QString("<b>Trial %1</b>: %2<br>").arg(t.id).arg(QString::fromStdString(t.subnet.summary()).toHtmlEscaped());
  if (t.subnet.keptLayers() > 0 && t.subnet.summary().find("per-layer") != std::string::npos) {
    QStringList ls;
    for (size_t l = 0; l < t.subnet.layers.size(); ++l)
      if (t.subnet.layers[l].kept())
        ls << QString("L%1: %2H/%3U").arg(l).arg(t.subnet.layers[l].heads).arg(t.subnet.layers[l].units);
    s += ls.join(", ") + "<br>";
  }
  if (!t.ok()) return s + QString("<i>%1</i> %2").arg(pp::statusName(t.status)).arg(QString::fromStdString(t.error).toHtmlEscaped());
  s += QString("accuracy %1%, error %2<br>parameters %3, FLOPs %4 M")
           .arg(100.0 * t.accuracy, 0, 'f', 2)
           .arg(t.errorRate, 0, 'f', 4)
           .arg(QLocale().toString(static_cast<qlonglong>(t.params)))
           .arg(static_cast<double>(t.flops) / 1e6, 0, 'f', 1);
  if (t.latencyMs > 0) s += QString(", latency %1 ms").arg(t.latencyMs, 0, 'f', 2);
  if (full && full->params > 0) {
    QStringList d;
    d << signedPct(100.0 * (static_cast<double>(t.params) / static_cast<double>(full->params) - 1.0)) + " parameters";
    if (t.latencyMs > 0 && full->latencyMs > 0) d << QString::number(full->latencyMs / t.latencyMs, 'f', 1) + "x faster";
    const double dErr = 100.0 * (t.errorRate - full->errorRate);
    d << QString("%1%2 points error").arg(dErr >= 0 ? "+" : "").arg(dErr, 0, 'f', 1);
    s += "<br><i>vs full model:</i> " + d.join(", ");
  }
  return s;
}

ParetoChart::ParetoChart(QWidget* parent) : QChartView(parent) {
  auto* c = new QChart;
  c->setTitle(tr("Validation error against model size"));
  c->legend()->setAlignment(Qt::AlignBottom);
  c->setAnimationOptions(QChart::NoAnimation);
  setChart(c);
  setRenderHint(QPainter::Antialiasing);
  setRubberBand(QChartView::RectangleRubberBand);

  all_ = new QScatterSeries;
  all_->setName(tr("trials"));
  all_->setMarkerSize(7);
  all_->setColor(QColor(90, 120, 170, 90));
  all_->setBorderColor(QColor(90, 120, 170, 120));
  step_ = new QLineSeries;
  step_->setName(tr("Pareto front"));
  step_->setPen(QPen(QColor(220, 110, 20), 2));
  front_ = new QScatterSeries;
  front_->setName(tr("Pareto set"));
  front_->setMarkerSize(10);
  front_->setColor(QColor(230, 120, 20));
  front_->setBorderColor(QColor(150, 70, 0));
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
  guideX_ = new QLineSeries;
  guideY_ = new QLineSeries;
  for (auto* g : {guideX_, guideY_}) g->setPen(QPen(QColor(60, 60, 60, 140), 1, Qt::DashLine));
  for (QAbstractSeries* s : std::initializer_list<QAbstractSeries*>{guideX_, guideY_, all_, step_, front_, full_, selected_})
    c->addSeries(s);
  // Guides are not legend entries.
  for (auto* m : c->legend()->markers(guideX_)) m->setVisible(false);
  for (auto* m : c->legend()->markers(guideY_)) m->setVisible(false);

  for (auto* s : {all_, front_, full_}) {
    connect(s, &QScatterSeries::clicked, this, &ParetoChart::onClicked);
    connect(s, &QScatterSeries::hovered, this, &ParetoChart::onHovered);
  }
  flushTimer_.setInterval(150);
  flushTimer_.setSingleShot(true);
  connect(&flushTimer_, &QTimer::timeout, this, &ParetoChart::flushNow);
  rebuild();
}

void ParetoChart::clear() {
  trials_.clear();
  pending_.clear();
  frontIds_.clear();
  selection_.clear();
  full_trial_.reset();
  batches_ = 0;
  all_->clear();
  rebuild();
}

int ParetoChart::pointsDrawn() const { return all_->count(); }

double ParetoChart::xOf(const pp::Trial& t) const {
  switch (metric_) {
    case XMetric::Params: return static_cast<double>(t.params);
    case XMetric::Flops: return static_cast<double>(t.flops);
    case XMetric::Latency: return t.latencyMs;
  }
  return 0;
}

double ParetoChart::yOf(const pp::Trial& t) const {
  switch (yMetric_) {
    case YMetric::Error: return t.errorRate;
    case YMetric::Mcc: return t.mcc;
    case YMetric::F1: return t.f1;
  }
  return t.errorRate;
}

QPointF ParetoChart::valueOf(const pp::Trial& t) const { return {xOf(t), yOf(t)}; }

void ParetoChart::setYMetric(YMetric m) {
  yMetric_ = m;
  rebuild();
}

void ParetoChart::setReference(const pp::Trial& full) {
  full_trial_ = full;
  rebuild();
}

void ParetoChart::queueTrial(const pp::Trial& t) {
  if (!t.ok() || t.fidelity < 1.0) return;  // failed and cut trials are in the table, not the chart
  pending_.push_back(t);
  if (!flushTimer_.isActive()) flushTimer_.start();
}

void ParetoChart::flushNow() {
  flushTimer_.stop();
  if (pending_.empty()) return;
  QList<QPointF> pts;
  for (const auto& t : pending_) {
    if (logX_ && xOf(t) <= 0) continue;
    pts.append(valueOf(t));
    trials_.push_back(t);
  }
  pending_.clear();
  all_->append(pts);
  ++batches_;
  redrawFront();
  fitAxes();
}

void ParetoChart::setFront(const std::vector<int64_t>& ids) {
  frontIds_ = std::set<int64_t>(ids.begin(), ids.end());
  redrawFront();
}

void ParetoChart::redrawFront() {
  std::vector<QPointF> pts;
  for (const auto& t : trials_)
    if (frontIds_.count(t.id)) pts.push_back(valueOf(t));
  std::sort(pts.begin(), pts.end(), [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
  front_->replace(QList<QPointF>(pts.begin(), pts.end()));
  // Step line: from each point right to the next one's x, then down.
  QList<QPointF> step;
  for (size_t i = 0; i < pts.size(); ++i) {
    if (i > 0) step.append({pts[i].x(), pts[i - 1].y()});
    step.append(pts[i]);
  }
  step_->replace(step);
}

void ParetoChart::setSelection(const std::vector<int64_t>& ids) {
  selection_ = ids;
  redrawSelection();
}

void ParetoChart::redrawSelection() {
  QList<QPointF> pts;
  for (int64_t id : selection_)
    for (const auto& t : trials_)
      if (t.id == id) pts.append(valueOf(t));
  selected_->replace(pts);
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

void ParetoChart::mouseDoubleClickEvent(QMouseEvent* e) {
  resetZoom();
  e->accept();
}

void ParetoChart::rebuild() {
  QChart* c = chart();
  for (auto* a : c->axes()) {
    c->removeAxis(a);
    delete a;
  }
  const char* names[] = {"parameters", "FLOPs per sequence", "latency (ms)"};
  QString title = tr(names[static_cast<int>(metric_)]);
  if (logX_) {
    auto* ax = new QLogValueAxis;
    ax->setBase(10);
    ax->setLabelFormat("%.3g");
    ax->setMinorTickCount(-1);
    xAxis_ = ax;
  } else {
    auto* ax = new QValueAxis;
    ax->setLabelFormat("%.3g");
    xAxis_ = ax;
  }
  xAxis_->setTitleText(title + (logX_ ? tr(" (log scale)") : QString()));
  auto* ay = new QValueAxis;
  const char* ynames[] = {"error", "MCC", "F1"};
  ay->setTitleText(tr(ynames[static_cast<int>(yMetric_)]));
  ay->setLabelFormat("%.3f");
  yAxis_ = ay;
  c->addAxis(xAxis_, Qt::AlignBottom);
  c->addAxis(yAxis_, Qt::AlignLeft);
  for (auto* s : c->series()) {
    s->attachAxis(xAxis_);
    s->attachAxis(yAxis_);
  }
  // Re-plot everything in the new coordinates.
  std::vector<pp::Trial> ts;
  ts.swap(trials_);
  for (auto& t : pending_) ts.push_back(t);
  pending_.clear();
  all_->clear();
  QList<QPointF> pts;
  for (const auto& t : ts) {
    if (logX_ && xOf(t) <= 0) continue;
    pts.append(valueOf(t));
    trials_.push_back(t);
  }
  all_->append(pts);
  full_->clear();
  if (full_trial_ && (!logX_ || xOf(*full_trial_) > 0)) full_->append(valueOf(*full_trial_));
  redrawFront();
  redrawSelection();
  fitAxes();
}

void ParetoChart::fitAxes() {
  if (chart()->isZoomed()) return;
  double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
  auto take = [&](const QPointF& p) {
    x0 = std::min(x0, p.x());
    x1 = std::max(x1, p.x());
    y0 = std::min(y0, p.y());
    y1 = std::max(y1, p.y());
  };
  for (const auto& t : trials_) take(valueOf(t));
  if (full_trial_) take(valueOf(*full_trial_));
  if (x0 > x1) {
    x0 = 1;
    x1 = 10;
    y0 = 0;
    y1 = 1;
  }
  if (logX_) {
    x0 = std::max(x0 / 1.15, 1e-9);
    x1 = x1 * 1.15;
    // QLogValueAxis labels powers of its base only: pick the base so that a
    // narrow range (often less than a decade) still gets about six labels.
    if (auto* ax = qobject_cast<QLogValueAxis*>(xAxis_)) ax->setBase(std::max(1.02, std::pow(x1 / x0, 1.0 / 6.0)));
  } else {
    const double pad = std::max((x1 - x0) * 0.05, 1e-9);
    x0 -= pad;
    x1 += pad;
  }
  const double py = std::max((y1 - y0) * 0.08, 0.01);
  y0 = yMetric_ == YMetric::Mcc ? y0 - py : std::max(0.0, y0 - py);
  y1 = y1 + py;
  xAxis_->setRange(x0, x1);
  yAxis_->setRange(y0, y1);
  guideX_->clear();
  guideY_->clear();
  if (full_trial_ && (!logX_ || xOf(*full_trial_) > 0)) {
    const QPointF f = valueOf(*full_trial_);
    guideX_->append({{x0, f.y()}, {x1, f.y()}});
    guideY_->append({{f.x(), y0}, {f.x(), y1}});
  }
}

int64_t ParetoChart::trialAt(const QPointF& value) const {
  const QPointF here = chart()->mapToPosition(value);
  int64_t best = kNone;
  double bestD = 12.0;  // pixels
  auto consider = [&](const pp::Trial& t) {
    const QPointF p = chart()->mapToPosition(valueOf(t));
    const double d = std::hypot(p.x() - here.x(), p.y() - here.y());
    if (d < bestD) {
      bestD = d;
      best = t.id;
    }
  };
  for (const auto& t : trials_) consider(t);
  if (full_trial_) consider(*full_trial_);
  return best;
}

void ParetoChart::onClicked(const QPointF& p) {
  const int64_t id = trialAt(p);
  if (id == kNone || id < 0) return;  // nothing there, or the full model
  const bool add = QGuiApplication::keyboardModifiers() & Qt::ShiftModifier;
  std::vector<int64_t> sel = add ? selection_ : std::vector<int64_t>{};
  auto it = std::find(sel.begin(), sel.end(), id);
  if (it != sel.end()) sel.erase(it);
  else sel.push_back(id);
  if (sel.size() > 3) sel.erase(sel.begin());  // up to three compared
  setSelection(sel);
  Q_EMIT selectionChanged(sel);
}

void ParetoChart::onHovered(const QPointF& p, bool state) {
  if (!state) {
    QToolTip::hideText();
    return;
  }
  const int64_t id = trialAt(p);
  if (full_trial_ && id == full_trial_->id) {
    QToolTip::showText(QCursor::pos(), tr("<b>Full model</b><br>") + trialTooltip(*full_trial_, std::nullopt), this);
    return;
  }
  for (const auto& t : trials_)
    if (t.id == id) {
      QToolTip::showText(QCursor::pos(), trialTooltip(t, full_trial_), this);
      return;
    }
}

HypervolumeChart::HypervolumeChart(QWidget* parent) : QChartView(parent) {
  auto* c = new QChart;
  c->setTitle(tr("Hypervolume of the front over trials"));
  c->legend()->hide();
  c->setAnimationOptions(QChart::NoAnimation);
  setChart(c);
  setRenderHint(QPainter::Antialiasing);
  line_ = new QLineSeries;
  line_->setPen(QPen(QColor(40, 140, 90), 2));
  c->addSeries(line_);
  auto* ax = new QValueAxis;
  ax->setTitleText(tr("trials"));
  ax->setLabelFormat("%.0f");
  auto* ay = new QValueAxis;
  ay->setTitleText(tr("hypervolume"));
  ay->setLabelFormat("%.3f");
  c->addAxis(ax, Qt::AlignBottom);
  c->addAxis(ay, Qt::AlignLeft);
  line_->attachAxis(ax);
  line_->attachAxis(ay);
  clear();
}

void HypervolumeChart::clear() {
  byTrials_.clear();
  bySeconds_.clear();
  redraw();
}

void HypervolumeChart::addPoint(int64_t trials, double hv, double seconds) {
  byTrials_.emplace_back(static_cast<double>(trials), hv);
  bySeconds_.emplace_back(seconds, hv);
  line_->append(overTime_ ? bySeconds_.back() : byTrials_.back());
  redraw();
}

void HypervolumeChart::setOverTime(bool on) {
  overTime_ = on;
  const auto& pts = overTime_ ? bySeconds_ : byTrials_;
  line_->replace(QList<QPointF>(pts.begin(), pts.end()));
  chart()->setTitle(overTime_ ? tr("Hypervolume of the front over time") : tr("Hypervolume of the front over trials"));
  chart()->axes(Qt::Horizontal).first()->setTitleText(overTime_ ? tr("seconds") : tr("trials"));
  redraw();
}

void HypervolumeChart::redraw() {
  const auto& pts = overTime_ ? bySeconds_ : byTrials_;
  if (pts.empty()) line_->clear();
  double maxX = 10, lo = 1, hi = 0;
  for (const auto& p : pts) {
    maxX = std::max(maxX, p.x());
    lo = std::min(lo, p.y());
    hi = std::max(hi, p.y());
  }
  if (hi < lo) lo = 0, hi = 1;
  chart()->axes(Qt::Horizontal).first()->setRange(0, maxX);
  const double pad = std::max((hi - lo) * 0.1, 0.002);
  chart()->axes(Qt::Vertical).first()->setRange(std::max(0.0, lo - pad), hi + pad);
}

int HypervolumeChart::points() const { return line_->count(); }

}  // namespace ppui
