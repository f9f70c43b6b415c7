// MainWindow: the ParetoPrune window: lays out its parts (set-up, chart, trials, details,
// hypervolume and latency tabs, status line) and wires them to the run controller.
#pragma once
#include <QMainWindow>

#include <memory>
#include <vector>

#include "ui/prepare_dialog.h"
#include "ui/run_controller.h"
#include "ui/search_controller.h"

class QAction;
class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QTabWidget;

class QTimer;

namespace ppui {
class PicksBar;

class ChartPanel;
class DecideLinks;
class ExportDialog;
class HypervolumeChart;
class LatencyView;
class ParallelCoords;
class ParetoChart;
class RecoverActions;
class RunComparer;
class SearchActions;
class SetupPanel;
class StatusLine;
class TrialTableModel;
class TrialTableView;
class TrialsPanel;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Loads a model directory's config and shows its summary or the loader's
  // error (the search loads the weights).
  bool openModel(const QString& dir);
  void setDataFiles(const QString& data, const QString& validation);
  void setTrials(int n);
  // Checks the form and starts; false with a message in the status line.
  bool startSearch();
  SearchSetup currentSetup() const;
  // What is missing or wrong in the form, or the data files' summary ending
  // "Labels match the model." (SetupPanel::setupCheck).
  QString validateSetup() const;
  // The check shown under the data files, as a background task when a file
  // has to be read.
  void refreshDataInfo();
  // What Prepare model trains on: the form's model and the search's split.
  PrepareSetup prepareSetup() const;

  // The parts.
  RunController& runController() { return *run_; }
  const RunSession& session() const { return run_->session(); }
  SearchController& controller() { return run_->search(); }
  ParetoChart* chart() const;
  HypervolumeChart* hypervolumeChart() const;
  LatencyView* latencyView() const;
  TrialTableModel* tableModel() const { return run_->trials(); }
  TrialTableView* tableView() const;
  RunComparer* comparer() const { return run_->comparer(); }

  // The run in `log` as an HTML report at `out` (File > Export report;
  // replaces `out`); false with the reason.
  bool exportReport(const QString& log, const QString& out, QString* error = nullptr);

  PicksBar* picksBar() const { return picks_; }  // the recommended picks, one click each
  // The picks of the run shown, now (they follow the table on a short timer).
  void refreshPicks();
  RecoverActions* recovery() const { return recover_; }  // Recover... and Pick again
  ParallelCoords* parallelCoords() const;  // every trial across its objectives, brushable
  TrialsPanel* trialsPanel() const { return trials_; }

  void selectTrials(const std::vector<int64_t>& keys);  // chart, table and details together
  const std::vector<int64_t>& selection() const;
  QString detailsHtml() const;
  // The export dialog for the first selected trial (modal).
  void exportSelection();
  // RunController::exportDialog and exportDialogFor, parented here.
  std::unique_ptr<ExportDialog> makeExportDialog(const pp::Trial& t);
  std::unique_ptr<ExportDialog> makeExportDialogFor(int64_t key);
  // RunController's: false with the reason shown (and in `error`).
  bool compareRuns(const QStringList& runs, QString* error = nullptr);
  QStringList shownRuns() const { return run_->shownRuns(); }
  bool showRunLog(const QString& path, QString* error = nullptr);
  // As the user opens a log (File > Open, Recent runs): a damaged line asks
  // whether to show the rest; any other failure is shown in a dialog.
  void openRunLog(const QString& path);
  bool showStudy(const QString& url, const QString& name, QString* error = nullptr);
  bool saveTrialsAs(const QString& path, QString* error = nullptr);
  // The "Prepare model" step: importance ordering and super-network training
  // of the current model on the current data; its output becomes the model.
  void prepareModel();

 Q_SIGNALS:
  // A search ended: its stop reason, or "failed: " and the error.
  void searchFinished(const QString& reason);

 protected:
  void closeEvent(QCloseEvent* e) override;

 private:
  QWidget* buildCentre();
  void buildStatusBar();
  void buildMenus();
  void connectRun();
  void connectParts();
  void updateButtons();
  void updateDetails();
  void showProgress(int done, int total);
  void showWarning(const pp::SearchWarning& w);
  void openLogDialog();
  void openStudyDialog();
  void compareDialog();
  void compareWithStudyDialog();
  void saveTrialsDialog();
  void exportReportDialog();
  bool askForStudy(const QString& title, const QString& name0, QString* url, QString* name);
  void addRecentLog(const QString& path);
  void rebuildRecentMenu();
  bool confirmCloseWhileRunning();

  RunController* run_;
  ChartPanel* charts_;
  TrialsPanel* trials_;
  PicksBar* picks_ = nullptr;
  DecideLinks* decide_ = nullptr;
  QTimer* picksTimer_ = nullptr;  // recomputes the picks once per batch of trials
  SetupPanel* setup_;
  QTabWidget* tabs_ = nullptr;
  QPushButton* exportBtn_ = nullptr;
  QAction* exportAct_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* statusLine_ = nullptr;  // status_->status(): what happened last
  StatusLine* status_ = nullptr;  // ...and the remarks that pass over it
  QMenu* recentMenu_ = nullptr;
  SearchActions* searchActions_ = nullptr;
  RecoverActions* recover_ = nullptr;
};

}  // namespace ppui
