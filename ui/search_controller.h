// SearchController: runs a search as a BackgroundTask and hands its events
// to the UI thread as queued signals. The UI thread does no model work:
// loading, tokenising and evaluation all happen off it (the task, and the
// runner's own workers).
#pragma once
#include <QObject>
#include <QString>

#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "paretoprune/formats/config.h"
#include "paretoprune/runs/study.h"
#include "paretoprune/search/run_header.h"
#include "paretoprune/search/search_runner.h"
#include "paretoprune/search/trial.h"
#include "ui/background_task.h"
#include "ui/run_session.h"

namespace ppui {

struct SearchSetup {
  QString modelDir;
  QString dataFile;        // labelled data
  QString validationFile;  // empty: hold out valSplit of dataFile
  double valSplit = 0.3;
  QString textColumn, pairColumn, labelColumn;  // empty: defaults
  QString space = "seed";                       // seed, per-layer, layers or a JSON file
  QString spaceJson;           // non-empty: the space as JSON text (ranges edited in the window)
  QString strategy = "nsga2";  // or "auto"
  int trials = 100;            // 0: auto
  // Batch size, screening and the convergence stop chosen by auto settings
  // (autotune.h); false: the options' plain defaults.
  bool autoRest = true;
  int workers = 0;             // 0: chosen for the machine (one per CUDA device on GPUs)
  QString device = "auto";     // auto, cpu, cuda, cuda:N
  QString precision = "fp32";  // fp32, or bf16 (front members confirmed in fp32)
  quint64 seed = 1;
  int valSubset = 0;  // 0: the whole validation set
  QString objectives = "error,params";
  QString constraints;  // comma-separated, e.g. "latency_ms<=5, accuracy_drop<=1" (constraint.h)
  int maxLength = 128;
  int latencyRuns = 3;
  QString logPath;  // empty: no log
  bool resume = false;
  // Non-empty: drive a study in PostgreSQL (workers run `paretoprune-cli
  // worker`) instead of evaluating here; docs/distributed.md.
  QString storage, study;

  // The data split these fields describe: the search evaluates its
  // validation set and Prepare model trains on the rest, so the two never
  // share an example.
  pp::DataSplit dataSplit() const;
};

class SearchController : public QObject {
  Q_OBJECT
 public:
  explicit SearchController(QObject* parent = nullptr);
  ~SearchController() override;

  // Starts on a background thread; false (with the reason) if one is running
  // or the setup is incomplete. Problems found later arrive as failed().
  bool start(const SearchSetup& setup, QString* error = nullptr);
  // Weights shared with the window's other features (loaded once); without
  // it the search loads its own copy.
  void setModels(std::shared_ptr<ModelCache> models) { models_ = std::move(models); }
  void pause();
  void resume();
  void cancel();
  bool isRunning() const { return running_; }
  bool isPaused() const { return paused_; }
  // Blocks until the search's task has returned (tests, shutdown).
  void wait();

  const SearchSetup& setup() const { return setup_; }
  const std::vector<pp::Trial>& trials() const { return trials_; }  // UI thread's copy
  const std::optional<pp::Trial>& reference() const { return reference_; }
  const pp::ModelConfig& config() const { return config_; }
  // The running (or last) search's run header, once it has started.
  const std::optional<pp::RunHeader>& header() const { return header_; }
  std::vector<std::string> objectives() const { return objectives_; }

 Q_SIGNALS:
  void started(const QString& description);
  void referenceReady(const pp::Trial& full);
  void trialFinished(const pp::Trial& t);
  void progressChanged(const pp::SearchProgress& p);
  void frontChanged(const std::vector<int64_t>& ids);
  void warning(const pp::SearchWarning& w);
  void failed(const QString& message);   // the search could not start or stopped on an error
  void finished(const QString& reason);  // all trials done, budget spent or cancelled

 private:
  // The task's work: the search to its end; its stop reason.
  QString run(const SearchSetup& s, const std::shared_ptr<ModelCache>& models);
  QString runHere(const pp::PreparedSearch& prepared, const pp::SearchEvents& ev);
  QString driveStudy(const SearchSetup& s, const pp::PreparedSearch& prepared,
                     const pp::SearchEvents& ev);
  pp::SearchEvents events();  // the runner's events, each handed to the UI thread

  SearchSetup setup_;
  // Guards runner_, driver_ and paused_, which the task and the UI thread
  // both use; nothing is called back while it is held.
  std::mutex mu_;
  std::shared_ptr<pp::SearchRunner> runner_;
  std::shared_ptr<pp::StudyDriver> driver_;
  bool running_ = false, paused_ = false;
  std::vector<pp::Trial> trials_;
  std::optional<pp::Trial> reference_;
  pp::ModelConfig config_;
  std::optional<pp::RunHeader> header_;  // with the auto choices, if any
  std::shared_ptr<ModelCache> models_;
  std::vector<std::string> objectives_ = {"error", "params"};
  BackgroundTask task_{this};  // last: stops and joins first; its stop flag is the cancel
};

}  // namespace ppui
