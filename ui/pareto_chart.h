// ParetoChart: the live chart of a search. All trials as faint points, the
// Pareto set highlighted and joined by a step line, the full model as a
// distinct marker with dashed guides. New trials are queued and drawn in
// batches on a short timer, so a burst of results costs one repaint.
// Axes are labelled at round values ("1.6 M", "2 M", "3 M"; axis_ticks.h).
// Several runs can be overlaid (run comparison): each its own colour and
// marker and a legend entry that hides it when clicked. Points are named
// by trial keys (trial_key.h): run 0's keys are its trial ids.
// Hover shows a tooltip (run, sub-network, metrics, change against the full
// model); click selects, shift-click adds; rubber-band zoom, double-click or
// resetZoom() to reset.
// At scale: a batch costs its own trials plus one pass over the markers
// drawn (QXYSeries::replace, one signal), never the history; past as many
// trials as the plot has room for, overlapping ones share a marker
// (MarkerGrid) and the Pareto points are still drawn exactly. The trials'
// series use OpenGL where the platform has it (not offscreen).
#pragma once
#include <QChartView>
#include <QColor>
#include <QLineF>
#include <QTimer>

#include <cstdint>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "paretoprune/base/pareto.h"
#include "paretoprune/search/constraint.h"
#include "paretoprune/search/trial.h"
#include "ui/metric_names.h"
#include "ui/run_style.h"
#include "ui/trial_markers.h"
#include "ui/trial_tooltip.h"

class QScatterSeries;
class QLineSeries;
class QCategoryAxis;

namespace ppui {

class ParetoChart : public QChartView {
  Q_OBJECT
 public:
  explicit ParetoChart(QWidget* parent = nullptr);

  // Back to one run (run 0) with no trials.
  void clear();
  // Several runs overlaid, named (legend entries); no trials yet.
  void setRuns(const QStringList& names);
  int runCount() const { return static_cast<int>(runs_.size()); }
  QString runName(int run) const;
  void setRunVisible(int run, bool on);
  bool runVisible(int run) const;

  void setReference(const pp::Trial& full);
  // Compared runs: each run's own full model (by run; none: unknown). Those
  // that differ from setReference's (another validation set) are drawn as
  // squares in their run's colour, labelled with the run's name.
  void setRunReferences(const std::vector<std::optional<pp::Trial>>& refs);
  // Where those squares are, in chart values (by run; the first run's is
  // setReference's own marker when the same).
  QList<QPointF> runReferencePoints() const;
  // The run's chance-level error (RunHeader::chanceError; negative: unknown):
  // with the full model it sets where the y axis stops (chart_frame.h).
  void setChanceError(double error);
  // Trials drawn on the frame's edge, beyond the limit.
  int beyondFrameCount() const { return static_cast<int>(beyond_->count()); }
  void queueTrial(const pp::Trial& t, int run = 0);             // drawn at the next batch
  void flushNow();                                              // draw the queue at once
  void setFront(const std::vector<int64_t>& ids, int run = 0);  // trial ids of that run
  void setSelection(const std::vector<int64_t>& keys);
  void setXMetric(XMetric m);
  void setYMetric(YMetric m);
  // A tagger's run: the y metric named as entity F1 (metric_names.h).
  void setTagger(bool on);
  bool tagger() const { return tagger_; }
  void setLogX(bool on);
  void resetZoom();

  int batchesDrawn() const { return batches_; }
  int pointsDrawn() const { return static_cast<int>(entries_.size()); }  // trials on the chart
  int markersDrawn() const;  // markers of the trials' series (fewer when thinned)
  // The points of a run's Pareto series, left to right, in chart values.
  QList<QPointF> frontPoints(int run = 0) const;
  QList<QPointF> frontStepPoints(int run = 0) const;  // its step line
  // Whether the trials' series draw with OpenGL (never offscreen).
  static bool openGlAvailable() { return TrialMarkers::openGlAvailable(); }
  size_t pending() const { return pending_.size(); }
  const std::vector<int64_t>& selection() const { return selection_; }
  // The key of the visible trial nearest to a chart value, within a few
  // pixels; kNone if none (the full model is key -1).
  static constexpr int64_t kNone = INT64_MIN;
  int64_t trialAt(const QPointF& value) const;
  // A trial's position in chart values (x is log10 of the metric on a log axis).
  QPointF valueOf(const pp::Trial& t) const;
  // The labels on the axes now, left to right and bottom to top.
  QStringList xTickLabels() const;
  QStringList yTickLabels() const;
  // The legend's visible entries, in order.
  QStringList legendEntries() const;

  // Deciding (pareto_chart_decide.cpp). The front each run shows: the
  // Pareto set of its feasible trials in the pair shown (y, x), kept as
  // trials come (setFront is then ignored); off: the fronts given.
  void setFrontInShownPair(bool on);
  // Constraints: the infeasible side of each one on a chart axis shaded, its
  // budget a labelled line; the others named on the plot.
  void setConstraints(const std::vector<pp::Constraint>& cs);
  struct Budget {
    Qt::Orientation axis = Qt::Vertical;  // Vertical: a line at x = value (an x budget)
    double value = 0;                     // in chart values (log10 on a log x axis)
    bool infeasibleAbove = true;          // the infeasible side: larger chart values
    QString label;
  };
  std::vector<Budget> budgets() const;     // on the axes shown
  QStringList offAxisConstraints() const;  // not on either axis
  // Recommended picks marked with their names ("knee", "smallest"), by trial key.
  // `recovered`: the keys whose pick is the recovered version (drawn on the
  // front picked again).
  void setPicks(const std::vector<std::pair<QString, int64_t>>& picks,
                const std::set<int64_t>& recovered = {});
  // Brushed trials (parallel coordinates) drawn over the others, faded; inactive: none.
  void setHighlight(const std::vector<int64_t>& keys, bool active);
  size_t highlightCount() const { return highlight_.size(); }
  int highlightMarkers() const;  // markers drawn for them (thinned past the plot's room)
  bool highlightActive() const { return highlightOn_; }

  // Recovered trials (pareto_chart_recovered.cpp): each drawn as a marker
  // of its own with an arrow from the trial it came from (run 0's).
  struct Recovered {
    pp::Trial source, after;
    QString method;  // "distill" or "finetune"
    QString how;     // a line for the tooltip: steps, learning rate
  };
  void setRecovered(std::vector<Recovered> rs);
  int recoveredCount() const { return static_cast<int>(recovered_.size()); }
  // The arrows in chart values, source to recovered point, in setRecovered's order.
  QList<QLineF> recoveredArrows() const;
  // Picking again: run 0's front replaced by `front` (of its trials and the
  // recovered ones; pp::pickAgain); empty: the search's front again.
  void setPickedAgain(const std::vector<pp::Trial>& front);
  QList<QPointF> pickedAgainPoints() const;

 Q_SIGNALS:
  void selectionChanged(const std::vector<int64_t>& keys);
  void runVisibilityChanged(int run, bool visible);
  void chanceErrorChanged(double error);  // setChanceError (the parallel coordinates follow)

 protected:
  void mousePressEvent(QMouseEvent* e) override;
  void mouseDoubleClickEvent(QMouseEvent* e) override;
  void resizeEvent(QResizeEvent* e) override;
  void childEvent(QChildEvent* e) override;
  // The deciding layer (pareto_chart_decide.cpp), then the recovered arrows.
  void drawForeground(QPainter* p, const QRectF& rect) override;

 private:
  struct Run {
    QString name;
    TrialMarkers trials;  // its trials' series
    QScatterSeries* front = nullptr;
    QLineSeries* step = nullptr;
    std::set<int64_t> frontIds;
    pp::ParetoArchive pair;  // its feasible trials in the shown pair (ids: entries)
    bool visible = true;
  };
  struct Entry {
    pp::Trial t;
    int run = 0;
    QPointF v;  // in chart values now (on the frame's edge if beyond it)
    bool beyond = false;
  };
  struct Bounds {
    double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
    void take(const QPointF& p);
  };
  Run makeRun(const QString& name, int index, bool overlay);
  void dropRuns();
  void attachAxes(QAbstractSeries* s);
  void rebuild();
  bool addEntry(Entry e);  // with its value, key and bounds; false if not drawable
  void drawMarkers(size_t firstNew);
  void onRangeChanged();
  void redrawFront(int run);
  void redrawSelection();
  void fitAxes();
  void reframe();  // frame_ from the full model, chance level and y metric
  bool isBeyond(const pp::Trial& t) const;
  void moveEdge(double y);
  void redrawBeyond();
  void retitle();
  void relabelAxes();
  double xOf(const pp::Trial& t) const;
  double yOf(const pp::Trial& t) const;
  void onClicked(int64_t key, bool add);  // select (add: toggle in the selection)
  void onHovered(const QPointF& p, bool state);
  void onLegendClicked();
  void trackFront(size_t first);  // the shown pair's fronts from entry `first` on
  bool feasibleTrial(const pp::Trial& t) const;
  void paintBudgets(QPainter* p, const QRectF& plot) const;
  void redrawHighlight();
  void paintPicks(QPainter* p, const QRectF& plot) const;
  void paintRunReferences(QPainter* p, const QRectF& plot) const;
  void initRecovered();
  void redrawRecovered();  // after the axes or the frame changed
  void onRecoveredHovered(const QPointF& p, bool state);
  QPointF drawnAt(const pp::Trial& t) const;  // on the frame's edge when beyond it
  void paintRecovered(QPainter* p);           // the recovered arrows

  std::vector<Run> runs_;
  QScatterSeries* selected_;
  QScatterSeries* full_;
  QScatterSeries* beyond_;  // triangles on the edge of the frame
  QLineSeries* guideX_;
  QLineSeries* guideY_;
  QCategoryAxis* xAxis_ = nullptr;
  QCategoryAxis* yAxis_ = nullptr;
  QTimer flushTimer_;
  std::vector<Entry> entries_, pending_;
  std::unordered_map<int64_t, size_t> byKey_;  // entry by trial key
  Bounds bounds_;                              // of entries_ (values now)
  bool remark_ = true;                         // the markers are laid out again at the next batch
  bool thinned_ = false;                       // more trials than the plot has room for
  bool flushing_ = false;
  std::vector<int64_t> selection_;
  std::optional<pp::Trial> full_trial_;
  std::vector<std::optional<pp::Trial>> runFull_;  // compared runs' own, when they differ
  double chance_ = -1;
  std::optional<double> frame_;  // the y value where the frame stops
  int beyondCount_ = 0;          // entries beyond the frame
  double edgeY_ = 0;             // where they are drawn
  XMetric metric_ = XMetric::Params;
  YMetric yMetric_ = YMetric::Error;
  bool tagger_ = false;
  bool logX_ = true;
  bool relabelling_ = false;
  int batches_ = 0;
  bool ownFront_ = false;
  std::vector<pp::Constraint> constraints_;
  std::vector<std::pair<QString, int64_t>> picks_;
  std::set<int64_t> recoveredPicks_;
  std::vector<int64_t> highlight_;
  bool highlightOn_ = false;
  QScatterSeries* brushedSeries_ = nullptr;  // the highlighted trials, made at the first brush
  struct Faded {
    QScatterSeries* series;
    QColor color, border;
  };
  std::vector<Faded> faded_;  // the trials' series' own colours while a brush fades them
  std::vector<Recovered> recovered_;
  QScatterSeries* recoveredSeries_ = nullptr;
  std::vector<pp::Trial> pickedAgain_;
  QScatterSeries* againFront_ = nullptr;
  QLineSeries* againStep_ = nullptr;
};

}  // namespace ppui
