#include "ui/hypervolume_chart.h"

#include <QLegend>
#include <QLineSeries>
#include <QPen>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

#include "ui/axis_ticks.h"

namespace ppui {

HypervolumeChart::HypervolumeChart(QWidget* parent) : QChartView(parent) {
  auto* c = new QChart;
  c->legend()->setAlignment(Qt::AlignBottom);
  c->setAnimationOptions(QChart::NoAnimation);
  setChart(c);
  setRenderHint(QPainter::Antialiasing);
  auto* ax = new QValueAxis;
  ax->setTitleText(tr("trials"));
  ax->setLabelFormat("%.0f");
  auto* ay = new QValueAxis;
  ay->setTitleVisible(false);  // the chart's title names it; a short tab elided it
  ay->setLabelFormat("%.3f");
  c->addAxis(ax, Qt::AlignBottom);
  c->addAxis(ay, Qt::AlignLeft);
  liveTimer_.setInterval(150);
  liveTimer_.setSingleShot(true);
  connect(&liveTimer_, &QTimer::timeout, this, &HypervolumeChart::drawLive);
  clear();
}

namespace {
// Adds `p` to a curve whose x only grows; the middle of a run of equal
// values draws nothing, so the run's last point moves instead.
void extend(std::vector<QPointF>& curve, const QPointF& p) {
  const size_t n = curve.size();
  if (n >= 2 && curve[n - 1].y() == p.y() && curve[n - 2].y() == p.y())
    curve[n - 1] = p;
  else
    curve.push_back(p);
}
}  // namespace

QLineSeries* HypervolumeChart::addLine(const QString& name, const QColor& color) {
  auto* l = new QLineSeries;
  l->setName(name);
  l->setPen(QPen(color, 2));
  chart()->addSeries(l);
  l->attachAxis(chart()->axes(Qt::Horizontal).first());
  l->attachAxis(chart()->axes(Qt::Vertical).first());
  lines_.push_back(l);
  return l;
}

void HypervolumeChart::clear() {
  for (auto* l : lines_) {
    chart()->removeSeries(l);
    delete l;
  }
  lines_.clear();
  compare_ = false;
  liveTimer_.stop();
  byTrials_.clear();
  bySeconds_.clear();
  addLine(tr("hypervolume"), QColor(40, 140, 90));
  chart()->legend()->hide();
  chart()->axes(Qt::Horizontal).first()->setTitleText(overTime_ ? tr("seconds") : tr("trials"));
  redraw();
}

void HypervolumeChart::addPoint(int64_t trials, double hv, double seconds) {
  if (compare_) clear();
  extend(byTrials_, {static_cast<double>(trials), hv});
  extend(bySeconds_, {seconds, hv});
  if (!liveTimer_.isActive()) liveTimer_.start();
}

void HypervolumeChart::drawLive() {
  liveTimer_.stop();
  if (compare_) return;
  const auto& pts = overTime_ ? bySeconds_ : byTrials_;
  lines_.front()->replace(QList<QPointF>(pts.begin(), pts.end()));
  redraw();
}

void HypervolumeChart::setOverTime(bool on) {
  overTime_ = on;
  if (compare_) return;  // compared runs have no common clock: trials only
  drawLive();
  chart()->axes(Qt::Horizontal).first()->setTitleText(overTime_ ? tr("seconds") : tr("trials"));
  redraw();
}

void HypervolumeChart::setCurves(const std::vector<Curve>& curves) {
  for (auto* l : lines_) {
    chart()->removeSeries(l);
    delete l;
  }
  lines_.clear();
  byTrials_.clear();
  bySeconds_.clear();
  compare_ = true;
  for (const auto& c : curves) {
    QList<QPointF> pts;
    for (size_t i = 0; i < c.byTrial.size(); ++i)
      pts.append({static_cast<double>(i + 1), c.byTrial[i]});
    addLine(c.name, c.color)->replace(pts);
  }
  chart()->legend()->show();
  chart()->axes(Qt::Horizontal).first()->setTitleText(tr("trials"));
  redraw();
}

void HypervolumeChart::setCurveVisible(int i, bool on) {
  if (i < 0 || i >= curveCount()) return;
  lines_[static_cast<size_t>(i)]->setVisible(on);
  redraw();
}

bool HypervolumeChart::curveVisible(int i) const {
  return i >= 0 && i < curveCount() && lines_[static_cast<size_t>(i)]->isVisible();
}

int HypervolumeChart::curvePoints(int i) const {
  return i >= 0 && i < curveCount() ? lines_[static_cast<size_t>(i)]->count() : 0;
}

// The title says what the curve is, or that there is none yet.
void HypervolumeChart::retitle() {
  bool any = false;
  for (auto* l : lines_) any = any || l->count() > 0;
  chart()->setTitle(
      compare_    ? tr("Hypervolume of each run over trials (one reference point for all)")
      : !any      ? tr("Hypervolume of the front: no trials yet (drawn as a search runs, or "
                            "for a run log opened)")
      : overTime_ ? tr("Hypervolume of the front over time")
                  : tr("Hypervolume of the front over trials"));
}

void HypervolumeChart::redraw() {
  retitle();
  double maxX = 10, lo = 1, hi = 0;
  for (auto* l : lines_) {
    if (!l->isVisible()) continue;
    for (const QPointF& p : l->points()) {
      maxX = std::max(maxX, p.x());
      lo = std::min(lo, p.y());
      hi = std::max(hi, p.y());
    }
  }
  if (hi < lo) lo = 0, hi = 1;
  const double pad = std::max((hi - lo) * 0.1, 0.002);
  roundValueAxis(static_cast<QValueAxis*>(chart()->axes(Qt::Horizontal).first()), 0, maxX, 8);
  roundValueAxis(static_cast<QValueAxis*>(chart()->axes(Qt::Vertical).first()),
                 std::max(0.0, lo - pad), hi + pad, 6);
}

int HypervolumeChart::points() const {
  return static_cast<int>(byTrials_.size());
}

}  // namespace ppui
