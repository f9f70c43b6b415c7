// RunController: the one owner of the window's current run (model, checksum, data split, log,
// full model, trials, search state); every feature asks it, the panels follow its signals.
#pragma once
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

#include "paretoprune/base/pareto.h"
#include "paretoprune/search/constraint.h"
#include "paretoprune/search/run_log.h"
#include "ui/background_task.h"
#include "ui/run_comparer.h"
#include "ui/run_session.h"
#include "ui/search_controller.h"

class QTimer;
class QWidget;

namespace ppui {

class ExportDialog;
class TrialTableModel;

// The run shown is a search started here, a run log, a study followed live
// or several runs compared. The controller holds the model (RunSession),
// the run's header and full model, the trials (the table's model) and the
// search (SearchController), and says what changed through its signals.
class RunController : public QObject {
  Q_OBJECT
 public:
  // Idle until a search starts; Searching until it ends, then Finished or
  // Failed (a run opened afterwards leaves it so).
  enum class State { Idle, Searching, Finished, Failed };

  explicit RunController(QObject* parent = nullptr);
  ~RunController() override;
  // Where compared runs are drawn (their trials go to trials()).
  void setComparedViews(const RunComparer::Views& views);

  // Reads a model directory's config.json and finds its tokenizer: it is
  // the model of the form and the next search. False with the reason shown.
  bool openModel(const QString& dir);
  // Starts a search of `s` (the form checked); what was shown is cleared.
  // A search with neither a log nor a study is kept anyway, in the runs
  // folder of the user's data directory (runLog() says where).
  bool startSearch(const SearchSetup& s);
  // The log of the search started last (empty for a study).
  const QString& runLog() const { return runLog_; }
  void togglePause();
  void cancel();
  // Closing: a running search is cancelled and waited for (its finished
  // trials are already in its log).
  void shutdown();

  // A run log's trials, front and full model; the form filled so that Start
  // continues it. False with the reason (shown, and in `error`).
  // With `skipBadLines` damaged lines are left out (and said); without, a
  // damaged line fails and its number goes to `damagedLine` when given.
  bool showRunLog(const QString& path, QString* error = nullptr, bool skipBadLines = false,
                  int64_t* damagedLine = nullptr);
  // A study in PostgreSQL, followed live: new trials as workers report them.
  bool showStudy(const QString& url, const QString& name, QString* error = nullptr);
  // Runs of one model overlaid: run logs or studies ("NAME@postgresql://HOST/DB").
  bool compareRuns(const QStringList& runs, QString* error = nullptr);
  // The runs shown, in compareRuns' form; empty for a search not logged.
  QStringList shownRuns() const;
  // Every trial shown, to a new run log with the run's own header.
  bool saveTrialsAs(const QString& path, QString* error = nullptr);
  // The export dialog for `t` of the run shown (its model, checked against
  // the run's checksum); null when no run is shown.
  std::unique_ptr<ExportDialog> exportDialog(const pp::Trial& t, QWidget* parent) const;
  // For a trial key: when runs are compared, of the run it came from.
  std::unique_ptr<ExportDialog> exportDialogFor(int64_t key, QWidget* parent) const;
  // "trial 3", or with its run when runs are compared.
  QString trialTitle(int64_t key) const;

  State state() const { return state_; }
  bool isRunning() const { return search_.isRunning(); }
  bool isPaused() const { return search_.isPaused(); }
  const RunSession& session() const { return session_; }
  SearchController& search() { return search_; }
  TrialTableModel* trials() const { return trials_; }  // the trials shown
  RunComparer* comparer() const { return comparer_; }
  const std::optional<pp::Trial>& reference() const { return reference_; }  // the full model
  const QString& studyUrl() const { return studyUrl_; }
  // The shown run's recovered trials (train/recover.h), as its log has them.
  const std::vector<pp::RecoveredTrial>& recovered() const { return recovered_; }
  // The search's Pareto set (trial ids), as frontChanged last said.
  const std::vector<int64_t>& frontIds() const { return frontIds_; }
  // The header's constraints as the shown run's front applies them: none
  // when a share or drop has no full model to be measured against.
  std::vector<pp::Constraint> usableConstraints(const pp::RunHeader& h) const;
  // Reads them again from the shown run's log (after a recovery appended
  // to it); false with the reason in `error`.
  bool reloadRecovered(QString* error = nullptr);
  const QString& studyName() const { return studyName_; }

 Q_SIGNALS:
  void status(const QString& text);        // what happened, for the status line
  void note(const QString& text, int ms);  // a passing remark
  void modelOpened(const QString& dir, const pp::ModelConfig& config);
  void modelFailed(const QString& dir, const QString& error);
  void dataShown(const QString& data, const QString& validation);  // an opened run's data
  void logShown(const QString& logPath, int trials);  // an opened run, for Start to continue
  void selectionDropped();                            // the selected trials are going away
  void cleared();                                     // what was drawn gives way to a new run
  void headerShown(const pp::RunHeader& header);
  void referenceShown(const pp::Trial& full);
  void trialsAdded(const std::vector<pp::Trial>& ts, bool whole);  // whole: a run opened
  void frontChanged(const std::vector<int64_t>& ids);
  void progressShown(int done, int total);
  void progressChanged(const pp::SearchProgress& p);
  void warning(const pp::SearchWarning& w);
  // Compared runs whose numbers do not compare exactly (other validation
  // examples, other objectives), one line each: said where it cannot be missed.
  void comparisonWarned(const QStringList& warnings);
  void detailsChanged();  // the full model or the shown trials changed
  void recoveredShown();  // recovered() changed (a run opened, a recovery recorded)
  // An opened run's hypervolume after each trial, and the seconds by then.
  void hypervolumeShown(const std::vector<double>& byTrial, const std::vector<double>& seconds);
  void stateChanged(RunController::State s);
  void searchEnded(const QString& reason);  // Finished: the stop reason; Failed: the error

 private:
  QString runLog_;
  void connectSearch();
  void onSearchStarted(const QString& description);
  void onSearchEnded(State s, const QString& reason);
  bool refuseWhileRunning(QString* error);
  void clearShown();
  void showRun(const pp::OpenedRunLog& run, const QString& logPath);
  void showHypervolume(const pp::OpenedRunLog& run);
  void addShownTrials(const std::vector<pp::Trial>& trials, const pp::RunHeader& h);
  void queueSearchTrial(const pp::Trial& t);  // to the table at the next batch
  void addQueuedTrials();
  void stopFollowingStudy();
  void pollStudy();
  void showPolledStudy(const pp::OpenedRunLog& run);
  bool fail(const QString& message, QString* error);  // shown, and in `error`

  RunSession session_;  // before search_: it shares the session's weights
  SearchController search_;
  TrialTableModel* trials_;
  RunComparer* comparer_ = nullptr;
  std::optional<pp::Trial> reference_;
  std::vector<pp::RecoveredTrial> recovered_;
  // The shown run's Pareto set, kept as trials come (ids: rows of trials_).
  pp::ParetoArchive front_;
  std::vector<int64_t> frontIds_;
  std::vector<pp::Trial> searchQueue_;  // a search's finished trials, not yet in the table
  QTimer* tableTimer_;
  pp::SearchProgress progress_;  // the latest, for the status line
  QTimer* statusTimer_;
  State state_ = State::Idle;
  QString studyUrl_, studyName_;  // the study followed live, if any
  QTimer* studyTimer_;
  int64_t studySeq_ = -1, studySeqBefore_ = -1;  // the highest row read at the last two polls
  int studyPolls_ = 0;
  BackgroundTask studyTask_{this};
};

}  // namespace ppui
