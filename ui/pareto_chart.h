// ParetoChart: the live chart of a search. All trials as faint points, the
// Pareto set highlighted and joined by a step line, the full model as a
// distinct marker with dashed guides. New trials are queued and drawn in
// batches on a short timer, so a burst of results costs one repaint.
// Hover shows a tooltip (sub-network, metrics, change against the full
// model); click selects, shift-click adds; rubber-band zoom, double-click or
// resetZoom() to reset.
#pragma once
#include <QChartView>
#include <QTimer>

#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "paretoprune/trial.h"

class QScatterSeries;
class QLineSeries;
class QAbstractAxis;

namespace ppui {

enum class XMetric { Params, Flops, Latency };
enum class YMetric { Error, Mcc, F1 };

// "3L x 4H x 512U: 61.2% accuracy ... -62% parameters, 2.1x faster, +1.3 points error"
QString trialTooltip(const pp::Trial& t, const std::optional<pp::Trial>& full);

class ParetoChart : public QChartView {
  Q_OBJECT
 public:
  explicit ParetoChart(QWidget* parent = nullptr);

  void clear();
  void setReference(const pp::Trial& full);
  void queueTrial(const pp::Trial& t);  // drawn at the next batch
  void flushNow();                      // draw the queue at once
  void setFront(const std::vector<int64_t>& ids);
  void setSelection(const std::vector<int64_t>& ids);
  void setXMetric(XMetric m);
  void setYMetric(YMetric m);
  void setLogX(bool on);
  void resetZoom();

  int batchesDrawn() const { return batches_; }
  int pointsDrawn() const;
  size_t pending() const { return pending_.size(); }
  const std::vector<int64_t>& selection() const { return selection_; }
  // The trial nearest to a chart value, within a few pixels; kNone if none
  // (the full model is id -1).
  static constexpr int64_t kNone = INT64_MIN;
  int64_t trialAt(const QPointF& value) const;
  QPointF valueOf(const pp::Trial& t) const;

 Q_SIGNALS:
  void selectionChanged(const std::vector<int64_t>& ids);

 protected:
  void mouseDoubleClickEvent(QMouseEvent* e) override;

 private:
  void rebuild();
  void redrawFront();
  void redrawSelection();
  void fitAxes();
  double xOf(const pp::Trial& t) const;
  double yOf(const pp::Trial& t) const;
  void onClicked(const QPointF& p);
  void onHovered(const QPointF& p, bool state);

  QScatterSeries* all_;
  QScatterSeries* front_;
  QScatterSeries* selected_;
  QScatterSeries* full_;
  QLineSeries* step_;
  QLineSeries* guideX_;
  QLineSeries* guideY_;
  QAbstractAxis* xAxis_ = nullptr;
  QAbstractAxis* yAxis_ = nullptr;
  QTimer flushTimer_;
  std::vector<pp::Trial> trials_, pending_;
  std::set<int64_t> frontIds_;
  std::vector<int64_t> selection_;
  std::optional<pp::Trial> full_trial_;
  XMetric metric_ = XMetric::Params;
  YMetric yMetric_ = YMetric::Error;
  bool logX_ = true;
  int batches_ = 0;
};

// Hypervolume of the front after each trial: is the search still improving?
class HypervolumeChart : public QChartView {
  Q_OBJECT
 public:
  explicit HypervolumeChart(QWidget* parent = nullptr);
  void clear();
  void addPoint(int64_t trials, double hypervolume, double seconds = 0);
  void setOverTime(bool on);  // x = wall-clock seconds instead of trials
  int points() const;

 private:
  void redraw();
  QLineSeries* line_;
  std::vector<QPointF> byTrials_, bySeconds_;
  bool overTime_ = false;
};

}  // namespace ppui
