// ChartPanel: the run drawn: the live Pareto chart (its front the Pareto set
// in the pair of axes chosen), the hypervolume, latency and parallel-
// coordinates tabs and the chart's axis pickers (MainWindow places its widgets).
#pragma once
#include <QObject>

#include <cstdint>
#include <memory>
#include <vector>

#include "paretoprune/search/search_runner.h"
#include "paretoprune/search/trial.h"

class QComboBox;
class QWidget;

namespace ppui {

class HypervolumeChart;
class LatencyView;
class ModelCache;
class ParallelCoords;
class ParetoChart;

class ChartPanel : public QObject {
  Q_OBJECT
 public:
  // The widgets are made as children of `window` (and moved where placed).
  explicit ChartPanel(QWidget* window);

  ParetoChart* chart() const { return chart_; }
  HypervolumeChart* hypervolume() const { return hv_; }
  QWidget* hypervolumePage() const { return hvPage_; }  // the curve and "over time"
  LatencyView* latency() const { return latency_; }
  // Every trial across its objectives, brushable (DecideLinks feeds it).
  ParallelCoords* parallel() const { return parallel_; }
  // The x and y axis pickers, as a section of the set-up panel.
  QWidget* makeAxesBox(QWidget* parent);

  // One run and no trials again.
  void clear();
  // Drawn at the next batch, or at once (`now`: a run opened whole).
  void addTrials(const std::vector<pp::Trial>& ts, bool now);
  void setFront(const std::vector<int64_t>& ids);
  void setReference(const pp::Trial& full);
  // A tagger's run (its header's metric is entity_f1): F1 named as entity F1.
  void setTagger(bool on);
  void setSelection(const std::vector<int64_t>& keys);
  void addProgress(const pp::SearchProgress& p);
  void flush();  // what is queued, drawn now (a search ended)
  // What the latency view measures: the run's model and the selection.
  void setLatencyCandidates(const QString& modelDir, const std::vector<pp::Trial>& selected,
                            std::shared_ptr<ModelCache> models);

 private:
  ParetoChart* chart_;
  QComboBox* yBox_ = nullptr;  // the y axis picker, once made
  HypervolumeChart* hv_;
  QWidget* hvPage_;
  LatencyView* latency_;
  ParallelCoords* parallel_;
};

}  // namespace ppui
