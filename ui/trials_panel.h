// TrialsPanel: the shown run's trials in a table with its filters (Pareto set, one run), the
// selection shared with the chart, and its details (MainWindow places its pages).
#pragma once
#include <QObject>
#include <QStringList>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "paretoprune/formats/config.h"
#include "paretoprune/search/constraint.h"
#include "paretoprune/search/trial.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QTextBrowser;
class QWidget;

namespace ppui {

class TrialFilterProxy;
class TrialTableModel;
class TrialTableView;

class TrialsPanel : public QObject {
  Q_OBJECT
 public:
  // Shows `trials` (the run controller's); widgets are children of `window`.
  TrialsPanel(TrialTableModel* trials, QWidget* window);

  TrialTableModel* model() const { return model_; }
  TrialFilterProxy* proxy() const { return proxy_; }
  TrialTableView* view() const { return view_; }
  QComboBox* runFilter() const { return runFilter_; }
  QWidget* tablePage() const { return tablePage_; }  // filters and table
  QTextBrowser* detailsPage() const { return details_; }

  // Selects these trial keys in the table (no selectionChanged back).
  void select(const std::vector<int64_t>& keys);
  const std::vector<int64_t>& selection() const { return selection_; }
  std::vector<pp::Trial> selectedTrials() const;  // those still in the table
  // The details of the selection: `title` names each selected key.
  QString detailsHtml(const std::function<QString(int64_t)>& title,
                      const std::optional<pp::Trial>& full, const pp::ModelConfig& config) const;
  void showDetails(const QString& html);
  // The run's constraints: "Feasible only" shows when there are some.
  void setConstraints(const std::vector<pp::Constraint>& cs, const std::optional<pp::Trial>& full);
  QCheckBox* feasibleOnly() const { return feasibleOnly_; }
  // The trials brushed in the parallel-coordinates view (active: a brush is set): the table
  // shows only them.
  void setBrushed(const std::vector<int64_t>& keys, bool active);

 Q_SIGNALS:
  // The user selected rows (the last three).
  void selectionChanged(const std::vector<int64_t>& keys);

 private:
  TrialTableModel* model_;
  TrialFilterProxy* proxy_;
  TrialTableView* view_;
  QTextBrowser* details_;
  QWidget* tablePage_;
  QCheckBox* paretoOnly_;
  QCheckBox* feasibleOnly_;
  QLabel* brushNote_;
  QComboBox* runFilter_;
  std::vector<int64_t> selection_;
  bool syncing_ = false;  // select() is moving the table's selection
};

}  // namespace ppui
