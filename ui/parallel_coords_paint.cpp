// ParallelCoords' painting: the lines into a cached image, one pass per
// style; axes, ticks, brushes and the selection over it.
#include <QPaintEvent>
#include <QPainter>
#include <QPolygonF>

#include <algorithm>
#include <cmath>

#include "ui/axis_ticks.h"
#include "ui/parallel_coords.h"

namespace ppui {

namespace {
const QColor kTrial(70, 105, 165);
const QColor kDimmed(150, 150, 150);
const QColor kFront(225, 110, 15);
const QColor kSelected(200, 0, 60);

AxisUnit unitOf(ParallelCoords::Axis a, YMetric m) {
  switch (a) {
    case ParallelCoords::Axis::Metric:
      return m == YMetric::Accuracy ? AxisUnit::Percent : AxisUnit::Plain;
    case ParallelCoords::Axis::Params:
    case ParallelCoords::Axis::Flops:
      return AxisUnit::Count;
    case ParallelCoords::Axis::Latency:
      return AxisUnit::Milliseconds;
    case ParallelCoords::Axis::Size:
      return AxisUnit::Plain;
  }
  return AxisUnit::Plain;
}

// Faint enough that thousands of lines read as a density, not a blot.
int alphaFor(size_t lines, int most) {
  return std::clamp(static_cast<int>(6000.0 / std::max<size_t>(lines, 1)), 12, most);
}

// One-pixel lines blended straight into a premultiplied ARGB image. (The
// raster engine hands a long line's spans to its thread pool one line at a
// time, which costs far more than drawing them: 1.5 s for 10,000 trials here.)
void blendLines(QImage& img, const QVector<QLineF>& lines, const QColor& color) {
  const qreal dpr = img.devicePixelRatio();
  const int w = img.width(), h = img.height();
  const uint32_t a = static_cast<uint32_t>(color.alpha()), inv = 255 - a;
  const uint32_t r = static_cast<uint32_t>(color.red()) * a / 255,
                 g = static_cast<uint32_t>(color.green()) * a / 255,
                 b = static_cast<uint32_t>(color.blue()) * a / 255;
  uchar* bits = img.bits();
  const qsizetype bpl = img.bytesPerLine();
  for (const QLineF& l : lines) {
    const double x0 = l.x1() * dpr, y0 = l.y1() * dpr, dx = (l.x2() - l.x1()) * dpr,
                 dy = (l.y2() - l.y1()) * dpr;
    const int steps =
        std::max(1, static_cast<int>(std::ceil(std::max(std::abs(dx), std::abs(dy)))));
    for (int i = 0; i <= steps; ++i) {
      const int x = static_cast<int>(std::lround(x0 + dx * i / steps)),
                y = static_cast<int>(std::lround(y0 + dy * i / steps));
      if (x < 0 || y < 0 || x >= w || y >= h) continue;
      auto* px = reinterpret_cast<uint32_t*>(bits + y * bpl) + x;
      const uint32_t d = *px;
      const uint32_t da = d >> 24, dr = (d >> 16) & 0xff, dg = (d >> 8) & 0xff, db = d & 0xff;
      *px = ((a + da * inv / 255) << 24) | ((r + dr * inv / 255) << 16) |
            ((g + dg * inv / 255) << 8) | (b + db * inv / 255);
    }
  }
}

}  // namespace

// Every row's segments, in one vector.
QVector<QLineF> ParallelCoords::segments(const Frame& f,
                                         const std::vector<const Row*>& rows) const {
  QVector<QLineF> lines;
  lines.reserve(static_cast<int>(rows.size() * (f.axes.size() - 1)));
  std::vector<double> ys(f.axes.size());
  for (const Row* r : rows) {
    for (size_t i = 0; i < f.axes.size(); ++i)
      ys[i] = pixelY(f.axes[i], r->v[static_cast<size_t>(f.axes[i])], f);
    for (size_t i = 0; i + 1 < f.axes.size(); ++i)
      if (std::isfinite(ys[i]) && std::isfinite(ys[i + 1]))
        lines.append(QLineF(f.x[i], ys[i], f.x[i + 1], ys[i + 1]));
  }
  return lines;
}

void ParallelCoords::drawLines(QPainter& p, const Frame& f,
                               const std::vector<const Row*>& rows) const {
  if (!rows.empty() && f.axes.size() >= 2) p.drawLines(segments(f, rows));
}

// The lines by style: the rest (dimmed while a brush is set), the brushed,
// then the Pareto set over them.
void ParallelCoords::redrawCache() {
  const qreal dpr = devicePixelRatioF();
  const QSize px(std::max(1, static_cast<int>(width() * dpr)),
                 std::max(1, static_cast<int>(height() * dpr)));
  if (cache_.size() != px) cache_ = QImage(px, QImage::Format_ARGB32_Premultiplied);
  cache_.setDevicePixelRatio(dpr);
  cache_.fill(Qt::transparent);
  cacheDirty_ = false;
  if (rows_.empty()) return;
  const Frame f = frame();
  const bool active = brushActive();
  std::vector<const Row*> rest, in, frontOut, frontIn;
  for (const auto& r : rows_) {
    const bool b = !active || inBrushes(r);
    const bool fr = front_.count(r.key) > 0;
    (fr ? (b ? frontIn : frontOut) : (b ? in : rest)).push_back(&r);
  }
  // The bulk: one-pixel lines, no antialiasing (density reads the same).
  QColor c = kDimmed;
  c.setAlpha(alphaFor(rest.size(), 60));
  if (f.axes.size() >= 2) blendLines(cache_, segments(f, rest), c);
  c = kTrial;
  c.setAlpha(alphaFor(in.size(), active ? 200 : 110));
  if (f.axes.size() >= 2) blendLines(cache_, segments(f, in), c);
  QPainter p(&cache_);
  p.setRenderHint(QPainter::Antialiasing, true);
  c = kFront;
  c.setAlpha(70);
  p.setPen(QPen(c, 1.5));
  drawLines(p, f, frontOut);
  p.setPen(QPen(kFront, 2.2));
  drawLines(p, f, frontIn);
}

void ParallelCoords::drawAxes(QPainter& p, const Frame& f) const {
  const QFont base = font();
  QFont small = base;
  small.setPointSizeF(std::max(6.0, base.pointSizeF() * 0.85));
  const double spacing = f.x.size() > 1 ? f.x[1] - f.x[0] : width() - 2 * kSide;
  const int maxTicks = std::clamp(static_cast<int>((f.bottom - f.top) / 38), 3, 8);
  for (size_t i = 0; i < f.axes.size(); ++i) {
    const Axis a = f.axes[i];
    p.setPen(QPen(QColor(40, 40, 40), 1.2));
    p.drawLine(QPointF(f.x[i], f.top), QPointF(f.x[i], f.bottom));
    p.setFont(base);
    const QString title =
        p.fontMetrics().elidedText(axisTitle(a), Qt::ElideRight, static_cast<int>(spacing - 8));
    p.drawText(QRectF(f.x[i] - spacing / 2, 4, spacing, kTop - 12),
               Qt::AlignHCenter | Qt::AlignBottom, title);
    p.setFont(small);
    p.setPen(QColor(70, 70, 70));
    const auto [lo, hi] = axisRange(a);
    for (const auto& t : axisTicks(lo, hi, logScale(a), unitOf(a, yMetric_), maxTicks)) {
      const double y = pixelY(a, t.value, f);
      if (!std::isfinite(y)) continue;
      p.drawLine(QPointF(f.x[i] - 3, y), QPointF(f.x[i], y));
      p.drawText(QRectF(f.x[i] - 70, y - 8, 65, 16), Qt::AlignRight | Qt::AlignVCenter, t.label);
    }
    if (a == Axis::Metric) drawBeyondMarker(p, f.x[i], f);
  }
  p.setFont(base);
}

// Trials far worse than the full model (beyond the frame, as on the chart)
// end at the metric axis's end: a grey triangle there, with their count.
void ParallelCoords::drawBeyondMarker(QPainter& p, double x, const Frame& f) const {
  const int n = beyondFrameCount();
  if (n == 0) return;
  const bool atTop = *metricFrame_ > yMetricValue(*full_, yMetric_);  // larger values are higher
  const double y = atTop ? f.top : f.bottom, d = atTop ? -1 : 1;
  p.save();
  p.setRenderHint(QPainter::Antialiasing, true);
  p.setPen(Qt::NoPen);
  p.setBrush(QColor(90, 90, 90));
  p.drawPolygon(QPolygonF{QPointF(x - 6, y), QPointF(x + 6, y), QPointF(x, y + 9 * d)});
  p.setPen(QColor(70, 70, 70));
  p.drawText(QRectF(x + 9, y - 8 + 6 * d, 160, 16), Qt::AlignLeft | Qt::AlignVCenter,
             tr("%n far worse (drawn at the end)", "", n));
  p.restore();
}

void ParallelCoords::drawBrushes(QPainter& p, const Frame& f) const {
  p.setRenderHint(QPainter::Antialiasing, true);
  // A range reaching past the axis's ends (typed, or from a wider run) is
  // drawn up to the ends, never over the axis's title; one wholly beyond
  // them as a thin band at the end it lies past.
  auto band = [&](double x, double y0, double y1) {
    if (std::isnan(y0) || std::isnan(y1)) return;
    const double top = std::clamp(std::min(y0, y1), f.top, f.bottom - 3);
    const double bottom = std::clamp(std::max(y0, y1), top + 3, f.bottom);
    const QRectF r(x - 7, top, 14, bottom - top);
    p.setPen(QPen(QColor(20, 60, 140), 1.2));
    p.setBrush(QColor(40, 90, 200, 70));
    p.drawRect(r);
  };
  for (size_t i = 0; i < f.axes.size(); ++i) {
    const auto& b = brushes_[static_cast<size_t>(f.axes[i])];
    if (b) band(f.x[i], pixelY(f.axes[i], b->first, f), pixelY(f.axes[i], b->second, f));
  }
  if (dragAxis_ >= 0 && static_cast<size_t>(dragAxis_) < f.x.size())
    band(f.x[static_cast<size_t>(dragAxis_)], dragFrom_, dragTo_);
  p.setBrush(Qt::NoBrush);
}

void ParallelCoords::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().base());
  if (cacheDirty_) redrawCache();
  p.drawImage(QPointF(0, 0), cache_);
  const Frame f = frame();
  if (rows_.empty()) {
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(rect(), Qt::AlignCenter,
               tr("No trials yet: each trial will be a line across its objectives"));
    return;
  }
  drawAxes(p, f);
  std::vector<const Row*> sel;
  for (int64_t k : selection_) {
    auto it = byKey_.find(k);
    if (it != byKey_.end()) sel.push_back(&rows_[it->second]);
  }
  p.setRenderHint(QPainter::Antialiasing, true);
  p.setPen(QPen(kSelected, 2.6));
  drawLines(p, f, sel);
  drawBrushes(p, f);
  p.setPen(palette().color(QPalette::Text));
  const QString summary =
      brushActive() ? tr("%1 of %2 trials in the brushed ranges (click an axis to clear its range)")
                          .arg(brushed_.size())
                          .arg(rows_.size())
                    : tr("%1 trials; drag along an axis to keep a range").arg(rows_.size());
  p.drawText(QRectF(8, height() - kBottom, width() - 16, kBottom), Qt::AlignLeft | Qt::AlignVCenter,
             summary);
}

}  // namespace ppui
