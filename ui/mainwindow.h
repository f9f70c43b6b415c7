// MainWindow: the ParetoPrune desktop window. Left, the search set-up;
// centre, the live Pareto chart; below it the trials table, the hypervolume
// chart and the details of the selection; a progress bar and status line.
#pragma once
#include <QMainWindow>

#include <memory>
#include <optional>
#include <vector>

#include "paretoprune/search/run_log.h"
#include "ui/background_task.h"
#include "ui/prepare_dialog.h"
#include "ui/run_session.h"
#include "ui/search_controller.h"
#include "ui/trial_table_view.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QMenu;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableView;
class QTableWidget;
class QTabWidget;
class QTextBrowser;

class QFormLayout;
class QLayout;
class QTimer;

namespace ppui {

class ExportDialog;

class ParetoChart;
class HypervolumeChart;
class RunComparer;
class LatencyView;
class TrialTableModel;
class TrialFilterProxy;
class DataChecks;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Loads a model directory's config and shows its summary or the loader's
  // error (the search thread loads the weights).
  bool openModel(const QString& dir);
  void setDataFiles(const QString& data, const QString& validation);
  void setTrials(int n);
  // Validates the form and starts; false with a message in the status line.
  bool startSearch();
  SearchSetup currentSetup() const;
  // What is missing or wrong in the form, or the data files' summary
  // ending "Labels match the model."; reads a data file only when it
  // changed since its last check.
  QString validateSetup() const;
  // The same, typed: ok when a search can start.
  struct SetupCheck {
    bool ok = false;
    QString message;
  };
  SetupCheck setupCheck() const;
  const RunSession& session() const { return session_; }
  // The same check shown under the data files, run on a background thread
  // when a file has to be read.
  void refreshDataInfo();

  SearchController& controller() { return controller_; }
  ParetoChart* chart() const { return chart_; }
  LatencyView* latencyView() const { return latency_; }
  TrialTableModel* tableModel() const { return table_; }
  TrialTableView* tableView() const { return tableView_; }
  void selectTrials(const std::vector<int64_t>& ids);  // chart, table and details together
  const std::vector<int64_t>& selection() const { return selection_; }
  QString detailsHtml() const;
  // The export dialog for the first selected trial (modal).
  void exportSelection();
  // What Prepare model trains on: the form's model and the search's split.
  PrepareSetup prepareSetup() const;
  // The export dialog for `t` of the shown run (its model, checked against
  // the run's checksum), or null when no run is shown.
  std::unique_ptr<ExportDialog> makeExportDialog(const pp::Trial& t);
  // The export dialog for the trial with this key (trial_key.h): when runs
  // are compared, of the run it came from; null if there is none.
  std::unique_ptr<ExportDialog> makeExportDialogFor(int64_t key);
  // Overlays the runs of these logs (one model) on the chart, hypervolume
  // tab and table (File > Compare runs). False with the reason shown.
  // Each entry a run log's path or a study ("NAME@postgresql://HOST/DB").
  bool compareRuns(const QStringList& logs);
  // The runs shown now, in compareRuns' form (the compared runs, the study
  // or the log shown); empty for a search not logged.
  QStringList shownRuns() const;
  RunComparer* comparer() const { return comparer_; }
  HypervolumeChart* hypervolumeChart() const { return hvChart_; }
  // Shows a run log's trials, front and full model (no search); the form is
  // filled so that Start continues the run. False with the error shown.
  bool showRunLog(const QString& path);
  // Shows a study in PostgreSQL (docs/distributed.md) and follows it live:
  // new trials appear as workers report them.
  bool showStudy(const QString& url, const QString& name);
  // Writes every trial shown to a new run log (e.g. when the run's own log
  // could not be written: full disk, no permission).
  bool saveTrialsAs(const QString& path, QString* error = nullptr);
  // The "Prepare model" step: importance ordering and super-network training
  // of the current model on the current data; its output becomes the model.
  void prepareModel();

 Q_SIGNALS:
  void searchFinished(const QString& reason);

 protected:
  void closeEvent(QCloseEvent* e) override;

 private:
  QWidget* buildSetupPanel();
  QWidget* buildModelBox(QWidget* panel);
  QWidget* buildDataBox(QWidget* panel);
  QWidget* buildSearchBox(QWidget* panel);
  void addSpaceRanges(QWidget* searchBox, QFormLayout* form);
  QLayout* buildRunButtons(QWidget* panel);
  QWidget* buildChartBox(QWidget* panel);
  void connectController();
  void updateButtons();
  void updateDetails();
  QString trialTitle(int64_t key) const;  // "trial 3", or with its run when comparing
  void showAutoChoices(const pp::RunHeader& h);
  void saveSettings() const;
  void loadSettings();
  void openLog();
  void openStudyDialog();
  void compareWithStudyDialog();
  bool askForStudy(const QString& title, const QString& name0, QString* url, QString* name);
  void showRun(const pp::OpenedRunLog& run, const QString& logPath);
  void addShownTrials(const std::vector<pp::Trial>& trials, const pp::RunHeader& h);
  void pollStudy();
  void refreshPreview();  // first rows and column pickers of the data file
  void resetSpaceRanges(const pp::ModelConfig& c);  // the model's full ranges
  void addRecentLog(const QString& path);
  void rebuildRecentMenu();

  SearchController controller_;
  QLineEdit* modelEdit_ = nullptr;
  QLabel* modelInfo_ = nullptr;
  QLineEdit* dataEdit_ = nullptr;
  QLineEdit* valEdit_ = nullptr;
  QLabel* dataInfo_ = nullptr;
  QComboBox* textCol_ = nullptr;
  QComboBox* pairCol_ = nullptr;
  QComboBox* labelCol_ = nullptr;
  QTableWidget* preview_ = nullptr;
  QComboBox* spaceBox_ = nullptr;
  QComboBox* strategyBox_ = nullptr;
  QComboBox* objectivesBox_ = nullptr;
  QComboBox* xBox_ = nullptr;
  QSpinBox* trialsSpin_ = nullptr;
  QLabel* autoInfo_ = nullptr;
  QSpinBox* workersSpin_ = nullptr;
  QComboBox* deviceBox_ = nullptr;
  QSpinBox* seedSpin_ = nullptr;
  QSpinBox* subsetSpin_ = nullptr;
  QSpinBox* maxLenSpin_ = nullptr;
  QLineEdit* logEdit_ = nullptr;
  QLineEdit* storageEdit_ = nullptr;
  QLineEdit* studyEdit_ = nullptr;
  QSpinBox* minLayers_ = nullptr;
  QSpinBox* maxLayers_ = nullptr;
  QLineEdit* headsEdit_ = nullptr;
  QSpinBox* minUnits_ = nullptr;
  QSpinBox* maxUnits_ = nullptr;
  QMenu* recentMenu_ = nullptr;
  QPushButton* startBtn_ = nullptr;
  QPushButton* pauseBtn_ = nullptr;
  QPushButton* stopBtn_ = nullptr;
  QPushButton* exportBtn_ = nullptr;
  QProgressBar* progress_ = nullptr;
  QLabel* statusLine_ = nullptr;
  ParetoChart* chart_ = nullptr;
  HypervolumeChart* hvChart_ = nullptr;
  LatencyView* latency_ = nullptr;
  TrialTableModel* table_ = nullptr;
  TrialFilterProxy* proxy_ = nullptr;
  TrialTableView* tableView_ = nullptr;
  QComboBox* runFilter_ = nullptr;
  RunComparer* comparer_ = nullptr;
  QTextBrowser* details_ = nullptr;
  QTabWidget* tabs_ = nullptr;
  QCheckBox* paretoOnly_ = nullptr;
  std::vector<int64_t> selection_;
  bool syncingSelection_ = false;
  std::optional<int64_t> fullParams_;
  std::optional<pp::Trial> reference_;      // the full model of the shown run
  RunSession session_;                      // the current run: model, header, log (the one owner)
  std::shared_ptr<DataChecks> dataChecks_;  // shared with background checks
  BackgroundTask dataCheckTask_{this};
  bool dataCheckPending_ = false;  // the form changed while a check ran
  QString studyUrl_, studyName_;   // the study shown live, if any
  QTimer* studyTimer_ = nullptr;
  BackgroundTask studyTask_{this};
};

}  // namespace ppui
