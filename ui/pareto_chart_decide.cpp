// ParetoChart's deciding layer: the front in the pair shown, constraints
// (the infeasible side shaded, each budget a labelled line), recommended
// picks marked, and the trials brushed in the parallel-coordinates view
// drawn over the others, faded. Painted in the view's foreground, so a
// batch of trials costs nothing here and 10,000 brushed trials are one pass
// (thinned to a marker per few-pixel cell, as the trials' series are).
#include <QCategoryAxis>
#include <QLineSeries>
#include <QPainter>
#include <QScatterSeries>

#include <algorithm>
#include <cmath>
#include <optional>

#include "ui/marker_grid.h"
#include "ui/pareto_chart.h"
#include "ui/run_style.h"
#include "ui/trial_key.h"

namespace ppui {

namespace {

struct AxisBudget {
  bool onX = true;
  double value = 0;        // in the metric's own units (not log)
  bool increasing = true;  // the constraint's metric grows with the axis value
};

// Where a constraint's bound lies on the x axis, if it is on it.
std::optional<AxisBudget> onXAxis(const pp::Constraint& c, XMetric x, const pp::Trial* full) {
  const std::string& m = c.metric;
  double params = -1;
  if (m == "params") params = c.bound;
  if (m == "params_share" && full) params = c.bound * static_cast<double>(full->params);
  if (m == "size_mb") params = c.bound * 1e6 / 4.0;
  if ((x == XMetric::Params || x == XMetric::Size) && params >= 0)
    return AxisBudget{true, x == XMetric::Size ? 4.0 * params / 1e6 : params, true};
  if (x == XMetric::Flops && m == "flops") return AxisBudget{true, c.bound, true};
  if (x == XMetric::Flops && m == "flops_share" && full)
    return AxisBudget{true, c.bound * static_cast<double>(full->flops), true};
  if (x == XMetric::Latency && m == "latency_ms") return AxisBudget{true, c.bound, true};
  return std::nullopt;
}

// Where it lies on the y axis (accuracy in percent), if it is on it. A
// tagger's error is 1 - entity F1; a classifier's is 1 - accuracy.
std::optional<AxisBudget> onYAxis(const pp::Constraint& c, YMetric y, bool tagger,
                                  const pp::Trial* full) {
  const std::string& m = c.metric;
  const std::string score = tagger ? "f1" : "accuracy";  // the metric error is 1 minus
  const double b = c.bound;
  switch (y) {
    case YMetric::Error:
      if (m == "error") return AxisBudget{false, b, true};
      if (m == score) return AxisBudget{false, 1 - b, false};
      if (m == score + "_drop" && full)
        return AxisBudget{false, b / 100 + 1 - (tagger ? full->f1 : full->accuracy), true};
      break;
    case YMetric::Accuracy:
      if (m == "accuracy") return AxisBudget{false, 100 * b, true};
      if (m == "accuracy_drop" && full) return AxisBudget{false, 100 * full->accuracy - b, false};
      if (m == "error" && !tagger) return AxisBudget{false, 100 * (1 - b), false};
      break;
    case YMetric::Mcc:
      if (m == "mcc") return AxisBudget{false, b, true};
      if (m == "mcc_drop" && full) return AxisBudget{false, full->mcc - b / 100, false};
      break;
    case YMetric::F1:
      if (m == "f1") return AxisBudget{false, b, true};
      if (m == "f1_drop" && full) return AxisBudget{false, full->f1 - b / 100, false};
      if (m == "error" && tagger) return AxisBudget{false, 1 - b, false};
      break;
  }
  return std::nullopt;
}

QString budgetLabel(const pp::Constraint& c) {
  return QString::fromStdString(c.metric) + (c.atMost ? QString(" ≤ ") : QString(" ≥ ")) +
         QString::number(c.bound, 'g', 4);
}

QColor towardWhite(const QColor& c) {
  return QColor(static_cast<int>(c.red() * 0.2 + 204), static_cast<int>(c.green() * 0.2 + 204),
                static_cast<int>(c.blue() * 0.2 + 204), c.alpha());
}

const QColor kBudget(185, 30, 30);
const QColor kPick(0, 125, 70);

}  // namespace

void ParetoChart::setFrontInShownPair(bool on) {
  ownFront_ = on;
  rebuild();
}

void ParetoChart::setConstraints(const std::vector<pp::Constraint>& cs) {
  if (pp::constraintTexts(cs) == pp::constraintTexts(constraints_)) return;
  constraints_ = cs;
  rebuild();  // the fronts follow feasibility
  viewport()->update();
}

bool ParetoChart::feasibleTrial(const pp::Trial& t) const {
  if (constraints_.empty()) return true;
  try {
    return pp::feasible(constraints_, t, full_trial_ ? &*full_trial_ : nullptr);
  } catch (const std::exception&) {  // a share or drop before the full model is known
    return true;
  }
}

// Each run's front in the pair shown: its feasible trials' Pareto set by
// (y, x), the y metric turned to "smaller is better".
void ParetoChart::trackFront(size_t first) {
  // Rebuilt (axes, metric, runs), or brushed trials may have just been drawn.
  if (first == 0 || (highlightOn_ && first < entries_.size())) redrawHighlight();
  if (!ownFront_) return;
  if (first == 0)
    for (auto& r : runs_) r.pair.clear();
  std::vector<bool> changed(runs_.size(), first == 0);
  const bool flip = higherIsBetter(yMetric_);
  for (size_t i = first; i < entries_.size(); ++i) {
    const Entry& e = entries_[i];
    if (!feasibleTrial(e.t)) continue;
    const double y = yOf(e.t);
    if (runs_[static_cast<size_t>(e.run)].pair.add({flip ? -y : y, xOf(e.t)}, i))
      changed[static_cast<size_t>(e.run)] = true;
  }
  for (size_t r = 0; r < runs_.size(); ++r) {
    if (!changed[r]) continue;
    runs_[r].frontIds.clear();
    for (size_t i : runs_[r].pair.ids()) runs_[r].frontIds.insert(entries_[i].t.id);
  }
}

std::vector<ParetoChart::Budget> ParetoChart::budgets() const {
  std::vector<Budget> out;
  const pp::Trial* full = full_trial_ ? &*full_trial_ : nullptr;
  for (const auto& c : constraints_) {
    auto b = onXAxis(c, metric_, full);
    if (!b) b = onYAxis(c, yMetric_, tagger_, full);
    if (!b) continue;
    if (b->onX && logX_ && b->value <= 0) continue;
    Budget m;
    m.axis = b->onX ? Qt::Vertical : Qt::Horizontal;
    m.value = b->onX && logX_ ? std::log10(b->value) : b->value;
    m.infeasibleAbove = b->increasing == c.atMost;
    m.label = budgetLabel(c);
    out.push_back(m);
  }
  return out;
}

QStringList ParetoChart::offAxisConstraints() const {
  QStringList out;
  const pp::Trial* full = full_trial_ ? &*full_trial_ : nullptr;
  for (const auto& c : constraints_)
    if (!onXAxis(c, metric_, full) && !onYAxis(c, yMetric_, tagger_, full)) out << budgetLabel(c);
  return out;
}

int ParetoChart::highlightMarkers() const {
  return brushedSeries_ ? static_cast<int>(brushedSeries_->count()) : 0;
}

void ParetoChart::setPicks(const std::vector<std::pair<QString, int64_t>>& picks,
                           const std::set<int64_t>& recovered) {
  picks_ = picks;
  recoveredPicks_ = recovered;
  viewport()->update();
}

// The other trials fade (their series' opacity: OpenGL series draw over the
// foreground, so a veil would not dim them); the brushed ones are drawn over.
void ParetoChart::setHighlight(const std::vector<int64_t>& keys, bool active) {
  highlight_ = keys;
  const bool was = highlightOn_;
  highlightOn_ = active;
  const qreal opacity = active ? 0.25 : 1.0;
  for (auto& r : runs_)
    for (QAbstractSeries* s : std::initializer_list<QAbstractSeries*>{r.front, r.step})
      s->setOpacity(opacity);
  for (QAbstractSeries* s : std::initializer_list<QAbstractSeries*>{beyond_, full_})
    s->setOpacity(opacity);
  // The trials' series may be OpenGL ones, which ignore opacity and alpha:
  // their colours fade toward white instead.
  if (active && !was) {
    faded_.clear();
    for (auto& r : runs_)
      for (QScatterSeries* s : {r.trials.all(), r.trials.fresh()}) {
        faded_.push_back({s, s->color(), s->borderColor()});
        s->setColor(towardWhite(s->color()));
        s->setBorderColor(towardWhite(s->borderColor()));
      }
  } else if (!active && was) {
    for (const auto& f : faded_)
      for (auto& r : runs_)  // a series still shown (runs may have been replaced since)
        if (f.series == r.trials.all() || f.series == r.trials.fresh()) {
          f.series->setColor(f.color);
          f.series->setBorderColor(f.border);
        }
    faded_.clear();
  }
  redrawHighlight();
  viewport()->update();
}

void ParetoChart::drawForeground(QPainter* p, const QRectF& rect) {
  QChartView::drawForeground(p, rect);
  if (!xAxis_ || !xAxis_->isVisible()) return;
  const QRectF plot = chart()->plotArea();
  p->save();
  p->setClipRect(plot);
  paintBudgets(p, plot);
  paintRunReferences(p, plot);
  paintPicks(p, plot);
  p->restore();
  paintRecovered(p);
}

// The infeasible side of each budget shaded and hatched, the budget a
// dashed line with its constraint as the label.
void ParetoChart::paintBudgets(QPainter* p, const QRectF& plot) const {
  QFont small = font();
  small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.9));
  p->setFont(small);
  const QFontMetricsF fm(small);
  for (const Budget& b : budgets()) {
    const bool v = b.axis == Qt::Vertical;
    const QPointF at = chart()->mapToPosition(v ? QPointF(b.value, yAxis_->min())
                                                : QPointF(xAxis_->min(), b.value));
    QRectF bad = plot;
    if (v)
      (b.infeasibleAbove ? bad.setLeft(at.x()) : bad.setRight(at.x()));
    else
      (b.infeasibleAbove ? bad.setBottom(at.y()) : bad.setTop(at.y()));
    bad = bad.intersected(plot);
    p->fillRect(bad, QColor(200, 40, 40, 30));
    p->fillRect(bad, QBrush(QColor(200, 40, 40, 55), Qt::BDiagPattern));
    p->setPen(QPen(kBudget, 1.6, Qt::DashLine));
    const QLineF line = v ? QLineF(at.x(), plot.top(), at.x(), plot.bottom())
                          : QLineF(plot.left(), at.y(), plot.right(), at.y());
    p->drawLine(line);
    const QSizeF sz(fm.horizontalAdvance(b.label) + 8, fm.height() + 2);
    QRectF box =
        v ? QRectF(QPointF(at.x() + (b.infeasibleAbove ? -sz.width() - 3 : 3), plot.top() + 4), sz)
          : QRectF(QPointF(plot.right() - sz.width() - 4,
                           at.y() + (b.infeasibleAbove ? 3 : -sz.height() - 3)),
                   sz);
    p->fillRect(box, QColor(255, 255, 255, 215));
    p->setPen(kBudget);
    p->drawText(box, Qt::AlignCenter, b.label);
  }
  const QStringList off = offAxisConstraints();
  if (!off.isEmpty()) {
    const QString text = tr("also: %1 (not on these axes)").arg(off.join(", "));
    const QRectF box(plot.left() + 4, plot.bottom() - fm.height() - 6,
                     fm.horizontalAdvance(text) + 8, fm.height() + 2);
    p->fillRect(box, QColor(255, 255, 255, 215));
    p->setPen(kBudget);
    p->drawText(box, Qt::AlignCenter, text);
  }
}

// The brushed trials as a series of their own, over every other one (an
// OpenGL series draws over anything painted), one marker per few-pixel cell.
void ParetoChart::redrawHighlight() {
  if (!highlightOn_) {
    if (brushedSeries_) brushedSeries_->clear();
    return;
  }
  QChart* c = chart();
  if (!brushedSeries_) {
    brushedSeries_ = new QScatterSeries(this);
    brushedSeries_->setName(tr("brushed"));
    brushedSeries_->setUseOpenGL(TrialMarkers::openGlAvailable());
    brushedSeries_->setMarkerSize(8);
    brushedSeries_->setColor(QColor(40, 90, 200));
    brushedSeries_->setBorderColor(Qt::white);
    connect(brushedSeries_, &QScatterSeries::hovered, this, &ParetoChart::onHovered);
  }
  if (brushedSeries_->chart()) c->removeSeries(brushedSeries_);  // back on top
  c->addSeries(brushedSeries_);
  attachAxes(brushedSeries_);
  hideFromLegend(c, brushedSeries_);
  // Cells over every trial's extent (not the zoom's), so that zooming needs no new layout.
  const QRectF plot = c->plotArea();
  const double x0 = bounds_.x0, x1 = std::max(bounds_.x1, x0 + 1e-9);
  const double y0 = std::min(bounds_.y0, edgeY_), y1 = std::max({bounds_.y1, edgeY_, y0 + 1e-9});
  MarkerGrid cells;
  cells.reset(x0 - 1e-9, x1 + 1e-9, y0 - 1e-9, y1 + 1e-9, plot.width() > 10 ? plot.width() : 800,
              plot.height() > 10 ? plot.height() : 500, 3);
  QList<QPointF> pts;
  for (int64_t key : highlight_) {
    auto it = byKey_.find(key);
    if (it == byKey_.end()) continue;
    const Entry& e = entries_[it->second];
    if (runs_[static_cast<size_t>(e.run)].visible && cells.take(e.v)) pts.append(e.v);
  }
  brushedSeries_->replace(pts);
}

// Each pick a green diamond with its names beside it (one trial may be two picks).
void ParetoChart::paintPicks(QPainter* p, const QRectF& plot) const {
  std::vector<std::pair<int64_t, QString>> marks;
  for (const auto& [name, key] : picks_) {
    auto it =
        std::find_if(marks.begin(), marks.end(), [&](const auto& m) { return m.first == key; });
    if (it != marks.end())
      it->second += ", " + name;
    else
      marks.push_back({key, name});
  }
  p->setRenderHint(QPainter::Antialiasing, true);
  const QFontMetricsF fm(p->font());
  const double r = 9;
  // Every diamond first, then the labels over them: a later diamond never
  // hides an earlier pick's name.
  std::vector<std::pair<QPointF, QString>> shown;
  for (const auto& [key, names] : marks) {
    // A recovered pick stands where the front picked again has it (at its
    // point after recovery); any other pick on its trial.
    auto again = recoveredPicks_.count(key)
                     ? std::find_if(pickedAgain_.begin(), pickedAgain_.end(),
                                    [&](const pp::Trial& t) { return t.id == key; })
                     : pickedAgain_.end();
    auto it = byKey_.find(key);
    if (again == pickedAgain_.end() && it == byKey_.end()) continue;
    const QPointF c = chart()->mapToPosition(again != pickedAgain_.end() ? drawnAt(*again)
                                                                         : entries_[it->second].v);
    if (!plot.contains(c)) continue;
    p->setPen(QPen(kPick, 2.2));
    p->drawPolygon(QPolygonF(
        {{c.x(), c.y() - r}, {c.x() + r, c.y()}, {c.x(), c.y() + r}, {c.x() - r, c.y()}}));
    shown.push_back({c, names});
  }
  std::vector<QRectF> taken;  // labels already placed: the next one goes below them
  for (const auto& [c, names] : shown) {
    QRectF box(QPointF(c.x() + r + 2, c.y() - r - fm.height()),
               QSizeF(fm.horizontalAdvance(names) + 8, fm.height() + 2));
    for (bool moved = true; moved;) {
      moved = false;
      for (const QRectF& t : taken)
        if (t.intersects(box)) {
          box.moveTop(t.bottom() + 1);
          moved = true;
        }
    }
    taken.push_back(box);
    p->setPen(QPen(kPick, 1));
    p->drawLine(QPointF(c.x() + r * 0.7, c.y() - r * 0.3),
                QPointF(box.left(), box.center().y()));  // which diamond the label names
    p->fillRect(box, QColor(255, 255, 255, 225));
    p->drawText(box, Qt::AlignCenter, names);
  }
}

void ParetoChart::setRunReferences(const std::vector<std::optional<pp::Trial>>& refs) {
  runFull_.clear();
  for (const auto& r : refs) {
    const bool same = r && full_trial_ && r->errorRate == full_trial_->errorRate &&
                      r->params == full_trial_->params;
    runFull_.push_back(same ? std::nullopt : r);
  }
  viewport()->update();
}

QList<QPointF> ParetoChart::runReferencePoints() const {
  QList<QPointF> out;
  for (const auto& r : runFull_)
    if (r) out << drawnAt(*r);
  return out;
}

// Each compared run's own full model where it differs from the one the
// chart's square shows: the runs were judged on other validation examples.
void ParetoChart::paintRunReferences(QPainter* p, const QRectF& plot) const {
  p->setRenderHint(QPainter::Antialiasing, true);
  const QFontMetricsF fm(p->font());
  for (size_t run = 0; run < runFull_.size(); ++run) {
    if (!runFull_[run] || !runVisible(static_cast<int>(run))) continue;
    const QPointF c = chart()->mapToPosition(drawnAt(*runFull_[run]));
    if (!plot.contains(c)) continue;
    const QColor color = runColor(static_cast<int>(run));
    p->setPen(QPen(QColor(40, 40, 40), 1.5));
    p->setBrush(color);
    p->drawRect(QRectF(c.x() - 6, c.y() - 6, 12, 12));
    const QString label = tr("full model (%1)").arg(runName(static_cast<int>(run)));
    QRectF box(c.x() + 9, c.y() - fm.height() / 2 - 1, fm.horizontalAdvance(label) + 6,
               fm.height() + 2);
    if (box.right() > plot.right()) box.moveRight(c.x() - 9);  // on the left at the right edge
    p->fillRect(box, QColor(255, 255, 255, 215));
    p->setPen(color.darker(140));
    p->drawText(box, Qt::AlignCenter, label);
  }
  p->setBrush(Qt::NoBrush);
}

}  // namespace ppui
