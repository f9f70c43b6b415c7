// DecideLinks: the deciding views kept in step. The parallel-coordinates
// view draws the trials the table holds (every run shown, as they come) and
// the table's Pareto set; its brushes filter the table and highlight the
// same trials on the chart; the run's constraints (its header's) reach the
// chart (shading, budget lines) and the table's "Feasible only" filter.
#pragma once
#include <QObject>

#include <optional>
#include <string>
#include <vector>

#include "paretoprune/search/trial.h"

class QTimer;

namespace ppui {

class ParallelCoords;
class ParetoChart;
class TrialTableModel;
class TrialsPanel;

class DecideLinks : public QObject {
  Q_OBJECT
 public:
  DecideLinks(TrialTableModel* table, TrialsPanel* trials, ParetoChart* chart,
              ParallelCoords* parallel, QObject* parent = nullptr);

  // The run's constraints as its header keeps them; one that does not
  // parse is left out (the header was checked when the run was written).
  void setConstraints(const std::vector<std::string>& texts);
  void setReference(const std::optional<pp::Trial>& full);
  void clear();  // a new run: no constraints, no brushes

 private:
  void addRows(int first, int last);
  void reloadAll();
  void pushConstraints();

  TrialTableModel* table_;
  TrialsPanel* trials_;
  ParetoChart* chart_;
  ParallelCoords* parallel_;
  QTimer* frontTimer_;  // the Pareto set to the view once per batch
  std::vector<std::string> constraints_;
  std::optional<pp::Trial> full_;
};

}  // namespace ppui
