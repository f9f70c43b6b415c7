// ParallelCoords: every trial of the run shown as a polyline across one
// vertical axis per objective (the y metric as the chart names it,
// parameters, FLOPs, latency once a trial has it measured, size), the
// Pareto set drawn over the rest, the selection over everything.
// Each axis takes a brush: drag along it to keep a range, click it to clear
// it. A trial is brushed when it lies within every brushed range; the
// brushed trials are what brushChanged reports (the chart and the table
// follow it; DecideLinks). Clicking near a line selects its trial.
// At scale: the lines are blended straight into a cached image, one pass
// per style (QPainter's raster engine would hand each long line to its
// thread pool), redrawn only when the data, the size, the brushes or the
// front change; the selection and a brush being dragged are drawn over
// it. Values are kept per trial as plain doubles (no QGraphicsItems).
#pragma once
#include <QImage>
#include <QLineF>
#include <QVector>
#include <QWidget>

#include <array>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "paretoprune/search/trial.h"
#include "ui/metric_names.h"

namespace ppui {

class ParallelCoords : public QWidget {
  Q_OBJECT
 public:
  // The objectives an axis can show; axes() lists those shown, in order.
  enum class Axis { Metric, Params, Flops, Latency, Size };
  static constexpr int kAxisKinds = 5;
  using Range = std::pair<double, double>;  // lo <= hi, in the axis's values

  explicit ParallelCoords(QWidget* parent = nullptr);

  void clear();  // no trials, no brushes
  // Trials of run `run` (keys: trial_key.h); failed and cut trials are left out.
  void addTrials(const std::vector<pp::Trial>& ts, int run = 0);
  void setFront(const std::vector<int64_t>& keys);  // drawn over the rest
  void setSelection(const std::vector<int64_t>& keys);
  void setYMetric(YMetric m);
  void setTagger(bool on);
  void setReference(const std::optional<pp::Trial>& full);  // names the accuracy on the axis
  // The run's chance-level error (negative: unknown). With the full model it
  // frames the metric axis as the chart frames its y axis (chart_frame.h):
  // trials beyond the frame are drawn at the axis's end, marked there.
  void setChanceError(double error);
  std::optional<double> metricFrame() const { return metricFrame_; }  // the limit, if framed
  int beyondFrameCount() const;  // trials drawn at the metric axis's end

  int trialCount() const { return static_cast<int>(rows_.size()); }
  std::vector<Axis> axes() const;  // shown, left to right (latency once measured)
  QString axisTitle(Axis a) const;
  // A trial's value on an axis (accuracy in percent; size in MB of float32 weights).
  double axisValue(Axis a, const pp::Trial& t) const;
  std::pair<double, double> axisRange(Axis a) const;  // the values the axis spans
  bool logScale(Axis a) const;

  // Brushes: a range per axis; a trial is brushed when inside all of them.
  void setBrush(Axis a, double lo, double hi);
  void clearBrush(Axis a);
  void clearBrushes();
  std::optional<Range> brush(Axis a) const;
  bool brushActive() const;
  const std::vector<int64_t>& brushed() const { return brushed_; }  // keys, in the order added
  const std::vector<int64_t>& selection() const { return selection_; }

  // Where a value sits on an axis, in widget pixels (for tests and the pointer).
  QPointF pointOf(Axis a, double value) const;

 Q_SIGNALS:
  // The brushed trials changed (`active`: some axis is brushed; otherwise `keys` is empty).
  void brushChanged(const std::vector<int64_t>& keys, bool active);
  void selectionChanged(const std::vector<int64_t>& keys);

 protected:
  void paintEvent(QPaintEvent* e) override;
  void resizeEvent(QResizeEvent* e) override;
  void mousePressEvent(QMouseEvent* e) override;
  void mouseMoveEvent(QMouseEvent* e) override;
  void mouseReleaseEvent(QMouseEvent* e) override;

 private:
  // Pixels left of the first axis and right of the last; above the axes
  // (their titles) and below them (the summary line).
  static constexpr double kSide = 72, kTop = 46, kBottom = 24;
  struct Row {
    int64_t key = 0;
    std::array<double, kAxisKinds> v{};  // by Axis; NaN where not measured
    std::array<double, 4> metrics{};     // by YMetric: the metric axis follows the y metric
  };
  struct Frame {  // the axes' geometry now
    std::vector<Axis> axes;
    std::vector<double> x;  // pixel x of each axis
    double top = 0, bottom = 0;
  };
  Row rowOf(const pp::Trial& t, int64_t key) const;
  // The value as drawn and brushed: a metric beyond the frame sits at the axis's end.
  double shownValue(Axis a, double v) const;
  bool beyond(Axis a, double v) const;
  void refit();               // the axes' ranges from the rows
  void rebrush(bool notify);  // brushed_ from the brushes; notify: brushChanged
  bool inBrushes(const Row& r) const;
  Frame frame() const;
  double pixelY(Axis a, double value, const Frame& f) const;
  double valueAtY(Axis a, double y, const Frame& f) const;
  void redrawCache();
  QVector<QLineF> segments(const Frame& f, const std::vector<const Row*>& rows) const;
  void drawLines(QPainter& p, const Frame& f, const std::vector<const Row*>& rows) const;
  void drawAxes(QPainter& p, const Frame& f) const;
  void drawBrushes(QPainter& p, const Frame& f) const;
  void drawBeyondMarker(QPainter& p, double x, const Frame& f) const;
  int axisNear(double x, const Frame& f) const;  // index into f.axes, -1 if none
  int64_t rowNear(const QPointF& pos, const Frame& f) const;
  void dirty();

  std::vector<Row> rows_;
  std::unordered_map<int64_t, size_t> byKey_;
  std::unordered_set<int64_t> front_;
  std::vector<int64_t> selection_;
  std::array<std::optional<Range>, kAxisKinds> brushes_;
  std::array<Range, kAxisKinds> ranges_;
  std::vector<int64_t> brushed_;
  bool latency_ = false;  // some trial has its latency measured
  YMetric yMetric_ = YMetric::Error;
  bool tagger_ = false;
  std::optional<pp::Trial> full_;
  double chance_ = -1;
  std::optional<double> metricFrame_;  // where the metric axis stops (refit)
  QImage cache_;
  bool cacheDirty_ = true;
  int dragAxis_ = -1;  // index into frame().axes while a brush is dragged
  double dragFrom_ = 0, dragTo_ = 0;
};

}  // namespace ppui
