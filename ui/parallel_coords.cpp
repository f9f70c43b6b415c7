#include "ui/parallel_coords.h"

#include <QMouseEvent>

#include <algorithm>
#include <cmath>
#include <limits>

#include "ui/chart_frame.h"
#include "ui/trial_key.h"

namespace ppui {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kGrabPx = 12;     // how near an axis a press starts a brush
constexpr double kLinePickPx = 6;  // how near a line a click selects it
}  // namespace

ParallelCoords::ParallelCoords(QWidget* parent) : QWidget(parent) {
  setMinimumSize(360, 220);
  setMouseTracking(false);
  setAttribute(Qt::WA_OpaquePaintEvent);
  clear();
}

void ParallelCoords::clear() {
  rows_.clear();
  byKey_.clear();
  front_.clear();
  selection_.clear();
  brushes_ = {};
  brushed_.clear();
  latency_ = false;
  dragAxis_ = -1;  // the axes may change under a drag
  refit();
  dirty();
}

ParallelCoords::Row ParallelCoords::rowOf(const pp::Trial& t, int64_t key) const {
  Row r;
  r.key = key;
  for (YMetric m : {YMetric::Error, YMetric::Accuracy, YMetric::Mcc, YMetric::F1})
    r.metrics[static_cast<size_t>(m)] = yMetricValue(t, m);
  r.v[static_cast<size_t>(Axis::Metric)] = r.metrics[static_cast<size_t>(yMetric_)];
  r.v[static_cast<size_t>(Axis::Params)] = static_cast<double>(t.params);
  r.v[static_cast<size_t>(Axis::Flops)] = static_cast<double>(t.flops);
  r.v[static_cast<size_t>(Axis::Latency)] = t.latencyMs > 0 ? t.latencyMs : kNaN;
  r.v[static_cast<size_t>(Axis::Size)] = 4.0 * static_cast<double>(t.params) / 1e6;
  return r;
}

double ParallelCoords::axisValue(Axis a, const pp::Trial& t) const {
  return rowOf(t, 0).v[static_cast<size_t>(a)];
}

void ParallelCoords::addTrials(const std::vector<pp::Trial>& ts, int run) {
  bool added = false;
  for (const auto& t : ts) {
    if (!t.ok() || t.fidelity < 1.0) continue;  // as the chart: failed and cut trials are not drawn
    const int64_t key = trialKey(run, t.id);
    Row r = rowOf(t, key);
    latency_ = latency_ || t.latencyMs > 0;
    auto it = byKey_.find(key);
    if (it != byKey_.end()) {
      rows_[it->second] = r;
    } else {
      byKey_[key] = rows_.size();
      rows_.push_back(r);
    }
    added = true;
  }
  if (!added) return;
  refit();
  rebrush(brushActive());
}

void ParallelCoords::setFront(const std::vector<int64_t>& keys) {
  front_ = std::unordered_set<int64_t>(keys.begin(), keys.end());
  dirty();
}

void ParallelCoords::setSelection(const std::vector<int64_t>& keys) {
  selection_ = keys;
  update();
}

void ParallelCoords::setYMetric(YMetric m) {
  if (m == yMetric_) return;
  yMetric_ = m;
  for (auto& r : rows_) r.v[static_cast<size_t>(Axis::Metric)] = r.metrics[static_cast<size_t>(m)];
  const bool had = brushes_[static_cast<size_t>(Axis::Metric)].has_value();
  brushes_[static_cast<size_t>(Axis::Metric)].reset();  // its values were of the other metric
  refit();
  rebrush(had);
}

void ParallelCoords::setTagger(bool on) {
  tagger_ = on;
  refit();
}

void ParallelCoords::setReference(const std::optional<pp::Trial>& full) {
  full_ = full;
  refit();
}

void ParallelCoords::setChanceError(double error) {
  chance_ = error;
  refit();
}

bool ParallelCoords::beyond(Axis a, double v) const {
  return a == Axis::Metric && metricFrame_ && full_ &&
         beyondFrame(v, yMetricValue(*full_, yMetric_), *metricFrame_);
}

double ParallelCoords::shownValue(Axis a, double v) const {
  if (!beyond(a, v)) return v;
  const auto [lo, hi] = ranges_[static_cast<size_t>(a)];
  return *metricFrame_ > yMetricValue(*full_, yMetric_) ? hi : lo;
}

int ParallelCoords::beyondFrameCount() const {
  return static_cast<int>(std::count_if(rows_.begin(), rows_.end(), [&](const Row& r) {
    return beyond(Axis::Metric, r.v[static_cast<size_t>(Axis::Metric)]);
  }));
}

std::vector<ParallelCoords::Axis> ParallelCoords::axes() const {
  std::vector<Axis> out{Axis::Metric, Axis::Params, Axis::Flops};
  if (latency_) out.push_back(Axis::Latency);
  out.push_back(Axis::Size);
  return out;
}

QString ParallelCoords::axisTitle(Axis a) const {
  switch (a) {
    case Axis::Metric:
      return yAxisTitle(yMetric_, tagger_, full_);
    case Axis::Params:
      return tr("parameters");
    case Axis::Flops:
      return tr("FLOPs per sequence");
    case Axis::Latency:
      return tr("latency");
    case Axis::Size:
      return tr("size (MB, float32)");
  }
  return {};
}

bool ParallelCoords::logScale(Axis a) const {
  return a != Axis::Metric;
}

std::pair<double, double> ParallelCoords::axisRange(Axis a) const {
  return ranges_[static_cast<size_t>(a)];
}

// Each axis spans its values with a little room (a factor on log axes); the
// metric axis stops at the frame (the values beyond it count as the limit).
void ParallelCoords::refit() {
  metricFrame_.reset();
  if (full_)
    metricFrame_ = metricFrameLimit(yMetric_, tagger_, yMetricValue(*full_, yMetric_), chance_);
  for (int k = 0; k < kAxisKinds; ++k) {
    const Axis a = static_cast<Axis>(k);
    const bool log = logScale(a);
    double lo = 1e300, hi = -1e300;
    for (const auto& r : rows_) {
      double v = r.v[static_cast<size_t>(k)];
      if (beyond(a, v)) v = *metricFrame_;
      if (!std::isfinite(v) || (log && v <= 0)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    if (lo > hi) {
      lo = log ? 1 : 0;
      hi = log ? 10 : 1;
    }
    if (log) {
      const double pad = std::max((std::log10(hi) - std::log10(lo)) * 0.04, 0.02);
      lo = std::pow(10.0, std::log10(lo) - pad);
      hi = std::pow(10.0, std::log10(hi) + pad);
    } else {
      const double pad = std::max((hi - lo) * 0.04, std::max(std::abs(hi), 1.0) * 1e-3);
      lo -= pad;
      hi += pad;
    }
    ranges_[static_cast<size_t>(k)] = {lo, hi};
  }
  dirty();
}

void ParallelCoords::setBrush(Axis a, double lo, double hi) {
  if (lo > hi) std::swap(lo, hi);
  brushes_[static_cast<size_t>(a)] = Range{lo, hi};
  rebrush(true);
}

void ParallelCoords::clearBrush(Axis a) {
  brushes_[static_cast<size_t>(a)].reset();
  rebrush(true);
}

void ParallelCoords::clearBrushes() {
  brushes_ = {};
  rebrush(true);
}

std::optional<ParallelCoords::Range> ParallelCoords::brush(Axis a) const {
  return brushes_[static_cast<size_t>(a)];
}

bool ParallelCoords::brushActive() const {
  return std::any_of(brushes_.begin(), brushes_.end(), [](const auto& b) { return b.has_value(); });
}

// Inside every brushed range; a value not measured is in none.
bool ParallelCoords::inBrushes(const Row& r) const {
  for (size_t k = 0; k < brushes_.size(); ++k)
    if (brushes_[k]) {
      const double v = shownValue(static_cast<Axis>(k), r.v[k]);
      if (!(v >= brushes_[k]->first && v <= brushes_[k]->second)) return false;
    }
  return true;
}

void ParallelCoords::rebrush(bool notify) {
  brushed_.clear();
  const bool active = brushActive();
  if (active)
    for (const auto& r : rows_)
      if (inBrushes(r)) brushed_.push_back(r.key);
  dirty();
  if (notify) Q_EMIT brushChanged(brushed_, active);
}

ParallelCoords::Frame ParallelCoords::frame() const {
  Frame f;
  f.axes = axes();
  f.top = kTop;
  f.bottom = std::max(kTop + 20, height() - kBottom);
  const double x0 = kSide, x1 = std::max(kSide + 40, width() - kSide);
  const size_t n = f.axes.size();
  for (size_t i = 0; i < n; ++i)
    f.x.push_back(n > 1 ? x0 + (x1 - x0) * static_cast<double>(i) / static_cast<double>(n - 1)
                        : x0);
  return f;
}

double ParallelCoords::pixelY(Axis a, double v, const Frame& f) const {
  v = shownValue(a, v);
  const auto [lo, hi] = ranges_[static_cast<size_t>(a)];
  const bool log = logScale(a);
  if (log && v <= 0) return kNaN;
  const double s = log ? std::log10(v) : v, s0 = log ? std::log10(lo) : lo,
               s1 = log ? std::log10(hi) : hi;
  return f.bottom - (s - s0) / (s1 - s0) * (f.bottom - f.top);
}

double ParallelCoords::valueAtY(Axis a, double y, const Frame& f) const {
  const auto [lo, hi] = ranges_[static_cast<size_t>(a)];
  const bool log = logScale(a);
  const double s0 = log ? std::log10(lo) : lo, s1 = log ? std::log10(hi) : hi;
  const double s = s0 + (f.bottom - y) / (f.bottom - f.top) * (s1 - s0);
  return log ? std::pow(10.0, s) : s;
}

QPointF ParallelCoords::pointOf(Axis a, double value) const {
  const Frame f = frame();
  for (size_t i = 0; i < f.axes.size(); ++i)
    if (f.axes[i] == a) return {f.x[i], pixelY(a, value, f)};
  return {kNaN, kNaN};
}

int ParallelCoords::axisNear(double x, const Frame& f) const {
  int best = -1;
  double bestD = kGrabPx;
  for (size_t i = 0; i < f.x.size(); ++i)
    if (std::abs(f.x[i] - x) <= bestD) {
      bestD = std::abs(f.x[i] - x);
      best = static_cast<int>(i);
    }
  return best;
}

// The trial whose line passes nearest the point between two axes (among the
// brushed ones while a brush is set); kNone-like INT64_MIN when none is near.
int64_t ParallelCoords::rowNear(const QPointF& pos, const Frame& f) const {
  size_t seg = f.x.size();
  for (size_t i = 0; i + 1 < f.x.size(); ++i)
    if (pos.x() >= f.x[i] && pos.x() <= f.x[i + 1]) seg = i;
  if (seg >= f.x.size()) return INT64_MIN;
  const Axis a0 = f.axes[seg], a1 = f.axes[seg + 1];
  const double t = (pos.x() - f.x[seg]) / (f.x[seg + 1] - f.x[seg]);
  const bool active = brushActive();
  int64_t best = INT64_MIN;
  double bestD = kLinePickPx;
  for (const auto& r : rows_) {
    if (active && !inBrushes(r)) continue;
    const double y0 = pixelY(a0, r.v[static_cast<size_t>(a0)], f),
                 y1 = pixelY(a1, r.v[static_cast<size_t>(a1)], f);
    const double d = std::abs(y0 + (y1 - y0) * t - pos.y());
    if (std::isfinite(d) && d < bestD) {
      bestD = d;
      best = r.key;
    }
  }
  return best;
}

void ParallelCoords::mousePressEvent(QMouseEvent* e) {
  if (e->button() != Qt::LeftButton) return QWidget::mousePressEvent(e);
  const Frame f = frame();
  const QPointF pos = e->position();
  const int axis = axisNear(pos.x(), f);
  if (axis >= 0 && pos.y() >= f.top - 6 && pos.y() <= f.bottom + 6) {
    dragAxis_ = axis;
    dragFrom_ = dragTo_ = std::clamp(pos.y(), f.top, f.bottom);
    e->accept();
    return;
  }
  const int64_t key = rowNear(pos, f);
  if (key == INT64_MIN) return;
  std::vector<int64_t> sel;
  if (e->modifiers() & Qt::ShiftModifier) {
    sel = selection_;
    auto it = std::find(sel.begin(), sel.end(), key);
    if (it != sel.end())
      sel.erase(it);
    else
      sel.push_back(key);
    if (sel.size() > 3) sel.erase(sel.begin(), sel.end() - 3);  // as the table: the last three
  } else {
    sel = {key};
  }
  setSelection(sel);
  Q_EMIT selectionChanged(sel);
}

void ParallelCoords::mouseMoveEvent(QMouseEvent* e) {
  if (dragAxis_ < 0) return QWidget::mouseMoveEvent(e);
  const Frame f = frame();
  dragTo_ = std::clamp(e->position().y(), f.top, f.bottom);
  update();
}

// A drag keeps the range it spans; a click (a drag of a few pixels) clears the axis's brush.
void ParallelCoords::mouseReleaseEvent(QMouseEvent* e) {
  if (dragAxis_ < 0) return QWidget::mouseReleaseEvent(e);
  const Frame f = frame();
  if (static_cast<size_t>(dragAxis_) >= f.axes.size()) {
    dragAxis_ = -1;
    return;
  }
  const Axis a = f.axes[static_cast<size_t>(dragAxis_)];
  dragTo_ = std::clamp(e->position().y(), f.top, f.bottom);
  dragAxis_ = -1;
  if (std::abs(dragTo_ - dragFrom_) < 3)
    clearBrush(a);
  else
    setBrush(a, valueAtY(a, std::max(dragFrom_, dragTo_), f),
             valueAtY(a, std::min(dragFrom_, dragTo_), f));
}

void ParallelCoords::resizeEvent(QResizeEvent* e) {
  QWidget::resizeEvent(e);
  cacheDirty_ = true;
}

void ParallelCoords::dirty() {
  cacheDirty_ = true;
  update();
}

}  // namespace ppui
