// HypervolumeChart: the hypervolume of the front after each trial (is the
// search still improving?), over trials or wall-clock time. When runs are
// compared, one curve per run against their shared reference point, each
// in its run's colour, hidden with its run. A live curve is drawn in
// batches (one replace per batch), and a stretch of equal values is kept as
// its two ends: a long search costs the points where the volume grew.
#pragma once
#include <QChartView>
#include <QColor>
#include <QTimer>

#include <cstdint>
#include <vector>

class QLineSeries;

namespace ppui {

class HypervolumeChart : public QChartView {
  Q_OBJECT
 public:
  explicit HypervolumeChart(QWidget* parent = nullptr);
  // Back to one curve with no points.
  void clear();
  void addPoint(int64_t trials, double hypervolume, double seconds = 0);
  void setOverTime(bool on);  // x = wall-clock seconds instead of trials (one run only)
  int points() const;         // of the live curve (equal stretches as their ends)

  // One curve per compared run: hypervolume after each trial (x = trials).
  struct Curve {
    QString name;
    QColor color;
    std::vector<double> byTrial;
  };
  void setCurves(const std::vector<Curve>& curves);
  int curveCount() const { return static_cast<int>(lines_.size()); }
  void setCurveVisible(int i, bool on);
  bool curveVisible(int i) const;
  int curvePoints(int i) const;

 private:
  void redraw();
  void retitle();
  void drawLive();  // the queued live points, in one replace
  QLineSeries* addLine(const QString& name, const QColor& color);
  std::vector<QLineSeries*> lines_;
  std::vector<QPointF> byTrials_, bySeconds_;  // the single run's
  QTimer liveTimer_;
  bool overTime_ = false;
  bool compare_ = false;
};

}  // namespace ppui
