#include "ui/run_controller.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTimer>

#include <algorithm>

#include "paretoprune/base/error.h"
#include "paretoprune/formats/text_tokenizer.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model_config.h"
#include "paretoprune/runs/run_compare.h"
#include "paretoprune/runs/study.h"
#include "paretoprune/runs/study_store.h"
#include "paretoprune/search/constraint.h"
#include "ui/export_dialog.h"
#include "ui/trial_table_model.h"

namespace ppui {

namespace {
QString human(double seconds) {
  if (seconds < 90) return QString::number(seconds, 'f', 0) + " s";
  if (seconds < 5400)
    return QString("%1 min %2 s")
        .arg(static_cast<int>(seconds / 60))
        .arg(static_cast<int>(seconds) % 60);
  return QString::number(seconds / 3600, 'f', 1) + " h";
}

// Where a run the user gave no log for is kept: the runs folder of the
// user's data directory, named by model and time.
QString defaultRunLog(const QString& modelDir) {
  const QString dir =
      QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/runs";
  if (!QDir().mkpath(dir)) return {};
  const QString stem = dir + "/" + QFileInfo(QDir::cleanPath(modelDir)).fileName() + "-" +
                       QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss");
  QString path = stem + ".jsonl";
  for (int i = 2; QFileInfo::exists(path); ++i) path = stem + "-" + QString::number(i) + ".jsonl";
  return path;
}
}  // namespace

RunController::RunController(QObject* parent)
    : QObject(parent),
      trials_(new TrialTableModel(this)),
      tableTimer_(new QTimer(this)),
      statusTimer_(new QTimer(this)),
      studyTimer_(new QTimer(this)) {
  statusTimer_->setInterval(200);
  statusTimer_->setSingleShot(true);
  // A search's trials reach the table in batches: inserting rows into the
  // sorted view costs a pass over it, once per batch rather than per trial.
  tableTimer_->setInterval(100);
  tableTimer_->setSingleShot(true);
  connect(tableTimer_, &QTimer::timeout, this, &RunController::addQueuedTrials);
  studyTimer_->setInterval(1500);
  connect(studyTimer_, &QTimer::timeout, this, &RunController::pollStudy);
  search_.setModels(session_.models());
  connectSearch();
}

RunController::~RunController() = default;  // studyTask_, then the search, stop and are waited for

void RunController::setComparedViews(const RunComparer::Views& views) {
  comparer_ = new RunComparer(views, this);
}

bool RunController::fail(const QString& message, QString* error) {
  Q_EMIT status(message);
  if (error) *error = message;
  return false;
}

bool RunController::refuseWhileRunning(QString* error) {
  if (!search_.isRunning()) return false;
  fail(tr("Stop the running search first."), error);
  return true;
}

bool RunController::openModel(const QString& dir) {
  try {
    pp::ModelConfig c = pp::loadModelConfig((dir + "/config.json").toStdString());
    if (!pp::tokenizerExistsIn(dir.toStdString()))
      throw pp::Error(dir.toStdString() +
                      ": no tokenizer (tokenizer.json, vocab.txt, or vocab.json with merges.txt)");
    session_.setModel(dir, c);
    Q_EMIT modelOpened(dir, c);
    Q_EMIT status(tr("Model %1 ready.").arg(dir));
    return true;
  } catch (const pp::Error& e) {
    Q_EMIT modelFailed(dir, QString::fromStdString(e.what()));
    Q_EMIT status(tr("Model not loaded."));
    return false;
  }
}

// What was shown gives way to a new run.
void RunController::clearShown() {
  tableTimer_->stop();
  searchQueue_.clear();
  front_.clear();
  frontIds_.clear();
  trials_->clear();
  recovered_.clear();
  Q_EMIT cleared();
  reference_.reset();
  Q_EMIT selectionDropped();
}

bool RunController::startSearch(const SearchSetup& setup) {
  SearchSetup s = setup;
  const bool keptByDefault = s.logPath.isEmpty() && s.storage.isEmpty();
  if (keptByDefault) s.logPath = defaultRunLog(s.modelDir);
  comparer_->clear();
  clearShown();
  QString err;
  if (!search_.start(s, &err)) return fail(err, nullptr);
  runLog_ = s.logPath;
  if (keptByDefault && !s.logPath.isEmpty())
    Q_EMIT note(tr("This run is kept in %1 (File > Recent runs)").arg(s.logPath), 15000);
  state_ = State::Searching;
  Q_EMIT stateChanged(state_);
  Q_EMIT progressShown(0, s.trials);
  Q_EMIT status(tr("Loading the model and the validation data..."));
  return true;
}

void RunController::togglePause() {
  if (search_.isPaused())
    search_.resume();
  else
    search_.pause();
}

void RunController::cancel() {
  search_.cancel();
  Q_EMIT status(tr("Stopping after the trials in flight..."));
}

void RunController::shutdown() {
  if (!search_.isRunning()) return;
  search_.cancel();
  search_.wait();  // finished trials are already in the log
}

void RunController::connectSearch() {
  connect(&search_, &SearchController::started, this, &RunController::onSearchStarted);
  connect(&search_, &SearchController::referenceReady, this, [this](const pp::Trial& t) {
    reference_ = t;
    Q_EMIT referenceShown(t);
    Q_EMIT detailsChanged();
  });
  connect(&search_, &SearchController::trialFinished, this, &RunController::queueSearchTrial);
  connect(&search_, &SearchController::frontChanged, this, [this](const std::vector<int64_t>& ids) {
    frontIds_ = ids;
    trials_->setFront(ids);
    Q_EMIT frontChanged(ids);
  });
  connect(&search_, &SearchController::progressChanged, this, [this](const pp::SearchProgress& p) {
    Q_EMIT progressChanged(p);
    // The status line says the latest news a few times a second, not per trial.
    progress_ = p;
    if (!statusTimer_->isActive()) statusTimer_->start();
  });
  connect(statusTimer_, &QTimer::timeout, this, [this] {
    const pp::SearchProgress& p = progress_;
    Q_EMIT progressShown(static_cast<int>(p.done), static_cast<int>(p.total));
    Q_EMIT status(tr("%1 of %2 trials, %3 per minute, about %4 left; front %5, hypervolume %6%7")
                      .arg(p.done)
                      .arg(p.total)
                      .arg(p.trialsPerMinute, 0, 'f', 1)
                      .arg(human(p.etaSeconds))
                      .arg(p.frontSize)
                      .arg(p.hypervolume, 0, 'f', 4)
                      .arg(p.failed ? tr(", %1 failed").arg(p.failed) : QString()));
  });
  connect(&search_, &SearchController::warning, this, &RunController::warning);
  connect(&search_, &SearchController::failed, this,
          [this](const QString& m) { onSearchEnded(State::Failed, m); });
  connect(&search_, &SearchController::finished, this,
          [this](const QString& reason) { onSearchEnded(State::Finished, reason); });
}

void RunController::onSearchStarted(const QString& description) {
  stopFollowingStudy();
  if (const auto& header = search_.header()) {
    session_.setRun(*header, search_.setup().logPath);
    Q_EMIT headerShown(*header);
  }
  Q_EMIT status(tr("Searching: %1").arg(description));
  trials_->setReferenceParams(pp::parameterCount(search_.config()));
}

void RunController::queueSearchTrial(const pp::Trial& t) {
  searchQueue_.push_back(t);
  if (!tableTimer_->isActive()) tableTimer_->start();
  Q_EMIT trialsAdded({t}, false);  // the chart queues it too
}

void RunController::addQueuedTrials() {
  tableTimer_->stop();
  if (searchQueue_.empty()) return;
  std::vector<pp::Trial> batch;
  batch.swap(searchQueue_);
  trials_->addTrials(batch);
}

void RunController::onSearchEnded(State s, const QString& reason) {
  addQueuedTrials();
  if (statusTimer_->isActive()) {  // the last progress, shown now
    statusTimer_->stop();
    Q_EMIT progressShown(static_cast<int>(progress_.done), static_cast<int>(progress_.total));
  }
  state_ = s;
  if (s == State::Failed) {
    Q_EMIT status(tr("The search stopped: %1").arg(reason));
  } else {
    const auto& all = trials_->trials();
    const auto onFront = std::count_if(
        all.begin(), all.end(), [this](const pp::Trial& t) { return trials_->isOnFront(t.id); });
    Q_EMIT status(
        tr("Search finished (%1): %2 trials, %3 on the Pareto front. Click points to compare them.")
            .arg(reason)
            .arg(trials_->rowCount())
            .arg(onFront));
  }
  Q_EMIT stateChanged(state_);
  Q_EMIT searchEnded(reason);
}

bool RunController::saveTrialsAs(const QString& path, QString* error) {
  addQueuedTrials();
  try {
    // The shown run's own header (model checksum, space, data split), so
    // that the saved file can be resumed and exported from like the original.
    const std::optional<pp::RunHeader>& shown = session_.run();
    if (!shown) throw pp::Error("there is no run to save: start a search or open a run log first");
    pp::RunHeader header = *shown;
    header.savedFrom = "ParetoPrune window";
    if (reference_) header.reference = reference_->toJson();
    pp::RunLog log;
    log.create(path.toStdString(), header);
    for (const auto& t : trials_->trials()) log.append(t);
    log.close();
    Q_EMIT status(tr("Saved %1 trials to %2.").arg(trials_->trials().size()).arg(path));
    return true;
  } catch (const pp::Error& e) {
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
}

std::unique_ptr<ExportDialog> RunController::exportDialog(const pp::Trial& t,
                                                          QWidget* parent) const {
  if (!session_.run()) return nullptr;
  return std::make_unique<ExportDialog>(*session_.run(), session_.logPath(), t, session_.models(),
                                        parent);
}

std::unique_ptr<ExportDialog> RunController::exportDialogFor(int64_t key, QWidget* parent) const {
  const pp::Trial* t = trials_->trial(key);
  if (!t) return nullptr;
  // Compared runs: the trial's own run (its model, checked against its checksum).
  if (const pp::ComparedRun* r = comparer_->runOf(key))
    return std::make_unique<ExportDialog>(r->run.log.header, QString::fromStdString(r->logPath), *t,
                                          session_.models(), parent);
  return exportDialog(*t, parent);
}

QString RunController::trialTitle(int64_t key) const {
  return comparer_->active() ? comparer_->describe(key) : tr("trial %1").arg(key);
}

// A run's trials, front and full model, from a log or a study; the form is
// filled so that Start continues it.
void RunController::showRun(const pp::OpenedRunLog& run, const QString& logPath) {
  const pp::LogContents& lc = run.log;
  stopFollowingStudy();
  comparer_->clear();
  openModel(QString::fromStdString(run.modelDir));
  const pp::DataSplit& split = lc.header.data;
  if (!split.data.empty() || !split.validation.empty())
    Q_EMIT dataShown(QString::fromStdString(split.data), QString::fromStdString(split.validation));
  Q_EMIT logShown(
      logPath, static_cast<int>(std::clamp<int64_t>(
                   std::max<int64_t>(lc.header.trials, static_cast<int64_t>(lc.trials.size())), 0,
                   1000000000)));
  clearShown();
  trials_->setReferenceParams(pp::parameterCount(run.config));
  session_.setRun(lc.header, logPath);
  Q_EMIT headerShown(lc.header);
  if (run.reference) {
    reference_ = run.reference;
    Q_EMIT referenceShown(*reference_);
  }
  addShownTrials(lc.trials, lc.header);
  showHypervolume(run);
  recovered_ = lc.recovered;
  Q_EMIT recoveredShown();
}

// The hypervolume after each trial of an opened run (as `front --compare`
// measures one run; x over time: the trials' evaluation seconds summed).
void RunController::showHypervolume(const pp::OpenedRunLog& run) {
  try {
    const auto& obj = run.log.header.objectives;
    const std::vector<double> hv =
        pp::hypervolumeByTrial(run.log.trials, obj, pp::sharedNormalizer({&run}, obj));
    std::vector<double> seconds;
    double sum = 0;
    for (const auto& t : run.log.trials) seconds.push_back(sum += std::max(0.0, t.evalSeconds));
    Q_EMIT hypervolumeShown(hv, seconds);
  } catch (const std::exception& e) {
    Q_EMIT status(tr("No hypervolume curve: %1").arg(QString::fromStdString(e.what())));
  }
}

bool RunController::reloadRecovered(QString* error) {
  try {
    if (session_.logPath().isEmpty() || comparer_->active())
      throw pp::Error(tr("no single run log is shown").toStdString());
    const pp::ModelConfig& c = session_.config();
    recovered_ = pp::readRunLog(session_.logPath().toStdString(), &c).recovered;
  } catch (const std::exception& e) {
    if (error) *error = QString::fromStdString(e.what());
    return false;
  }
  Q_EMIT recoveredShown();
  Q_EMIT detailsChanged();
  return true;
}

std::vector<pp::Constraint> RunController::usableConstraints(const pp::RunHeader& h) const {
  try {
    auto cs = pp::parseConstraints(h.constraints);  // checked when the header was read
    pp::checkConstraintsUsable(cs, reference_ ? &*reference_ : nullptr);
    return cs;
  } catch (const std::exception&) {
    return {};  // a share or drop with no full model to measure it against
  }
}

// Adds trials to those shown; the front follows them (ParetoArchive: the
// cost is the new trials', not the history's), then the progress. Under
// the run's constraints it is the feasible trials' front, as `front LOG`'s.
void RunController::addShownTrials(const std::vector<pp::Trial>& trials, const pp::RunHeader& h) {
  const bool first = trials_->trials().empty();
  size_t row = trials_->trials().size();
  trials_->addTrials(trials);
  bool changed = first;
  const std::vector<pp::Constraint> cs = usableConstraints(h);
  for (const auto& t : trials) {
    if (t.ok() && t.fidelity >= 1.0 && pp::feasible(cs, t, reference_ ? &*reference_ : nullptr))
      changed |= front_.add(pp::objectiveVector(t, h.objectives), row);
    ++row;
  }
  const auto& all = trials_->trials();
  std::vector<int64_t> front;
  for (size_t i : front_.ids()) front.push_back(all[i].id);
  Q_EMIT trialsAdded(trials, true);
  if (changed) {
    frontIds_ = front;
    trials_->setFront(front);
    Q_EMIT frontChanged(front);
  }
  Q_EMIT progressShown(static_cast<int>(all.size()),
                       static_cast<int>(std::clamp<int64_t>(h.trials, 1, 1000000000)));
  Q_EMIT detailsChanged();
}

bool RunController::showRunLog(const QString& path, QString* error, bool skipBadLines,
                               int64_t* damagedLine) {
  if (refuseWhileRunning(error)) return false;
  try {
    const pp::OpenedRunLog run = pp::openRunLog(
        path.toStdString(), "", skipBadLines ? pp::BadLines::Skip : pp::BadLines::Refuse);
    // A damaged log is shown, not continued: Start begins a new run in a new log.
    const bool damaged = run.log.skippedLines > 0;
    showRun(run, damaged ? QString() : path);
    QString msg = (damaged ? tr("%1 (%4): %2 trials, %3 on the Pareto front. Start begins a new "
                                "run in a new log (a damaged log is not continued).")
                           : tr("%1 (%4): %2 trials, %3 on the Pareto front. Start continues the "
                                "run (finished trials are not evaluated again)."))
                      .arg(path)
                      .arg(run.log.trials.size())
                      .arg(trials_->frontSize())
                      .arg(QString::fromStdString(pp::familyDisplayName(run.config)));
    for (const auto& w : run.log.warnings)
      msg += " " + tr("Warning: %1").arg(QString::fromStdString(w));
    if (run.log.skippedLines > 0)
      msg += " " + tr("%n damaged line(s) left out.", nullptr, int(run.log.skippedLines));
    Q_EMIT status(msg);
    return true;
  } catch (const pp::DamagedLogLine& e) {
    if (damagedLine) *damagedLine = e.line();
    return fail(tr("Cannot open the run log: %1").arg(QString::fromStdString(e.what())), error);
  } catch (const std::exception& e) {
    return fail(tr("Cannot open the run log: %1").arg(QString::fromStdString(e.what())), error);
  }
}

bool RunController::showStudy(const QString& url, const QString& name, QString* error) {
  if (refuseWhileRunning(error)) return false;
  try {
    pp::StudyPoll poll = pp::pollStudy(url.toStdString(), name.toStdString(), "", -1);
    const pp::OpenedRunLog& run = poll.run;
    showRun(run, QString());
    studySeq_ = studySeqBefore_ = poll.lastSeq;
    studyPolls_ = 0;
    studyUrl_ = url;
    studyName_ = name;
    Q_EMIT status(tr("Study %1 at %2: %3 trials, %4 on the Pareto front%5.")
                      .arg(name, QString::fromStdString(pp::redactUrl(url.toStdString())))
                      .arg(run.log.trials.size())
                      .arg(trials_->frontSize())
                      .arg(run.log.stops.empty() ? tr(", live") : tr(", finished")));
    if (run.log.stops.empty()) studyTimer_->start();
    return true;
  } catch (const std::exception& e) {
    return fail(tr("Cannot open the study: %1").arg(QString::fromStdString(e.what())), error);
  }
}

void RunController::stopFollowingStudy() {
  studyTimer_->stop();
  studyName_.clear();
}

// The followed study's new trials, read as a background task.
void RunController::pollStudy() {
  if (studyTask_.running() || studyName_.isEmpty()) return;
  auto poll = std::make_shared<pp::StudyPoll>();
  const std::string url = studyUrl_.toStdString(), name = studyName_.toStdString(),
                    model = session_.modelDir().toStdString();
  // Only the rows finished since the poll before the last one: the overlap
  // catches a row whose sequence number was taken before a later row's but
  // committed after it; rows already shown are skipped by id. Every 40th
  // poll reads the whole study, in case one took longer than that.
  const int64_t after = ++studyPolls_ % 40 == 0 ? -1 : studySeqBefore_;
  studyTask_.start(
      [poll, url, name, model, after] { *poll = pp::pollStudy(url, name, model, after); },
      [this, poll, name = studyName_](const QString& error) {
        if (name != studyName_) return;  // another run is shown now
        if (!error.isEmpty()) {
          Q_EMIT note(tr("Study %1: %2 (trying again)").arg(name, error), 5000);
          return;
        }
        studySeqBefore_ = studySeq_;
        studySeq_ = std::max(studySeq_, poll->lastSeq);
        showPolledStudy(poll->run);
      });
}

void RunController::showPolledStudy(const pp::OpenedRunLog& run) {
  std::vector<pp::Trial> fresh;
  for (const auto& t : run.log.trials)
    if (!trials_->trial(t.id)) fresh.push_back(t);
  if (!fresh.empty()) addShownTrials(fresh, run.log.header);
  const bool finished = !run.log.stops.empty();
  Q_EMIT status(
      tr("Study %1: %2 of %3 trials, %4 on the Pareto front%5.")
          .arg(studyName_)
          .arg(trials_->rowCount())
          .arg(run.log.header.trials)
          .arg(trials_->frontSize())
          .arg(finished ? tr(", finished: ") + QString::fromStdString(run.log.stops.back().reason)
                        : tr(", live")));
  if (finished) studyTimer_->stop();
}

bool RunController::compareRuns(const QStringList& runs, QString* error) {
  if (refuseWhileRunning(error)) return false;
  Q_EMIT selectionDropped();
  QString err;
  if (!comparer_->load(runs, &err)) return fail(tr("Cannot compare the runs: %1").arg(err), error);
  stopFollowingStudy();  // a study followed live no longer is
  const pp::ComparedRun& first = comparer_->comparison()->runs.front();
  openModel(QString::fromStdString(first.run.modelDir));
  const pp::DataSplit& split = first.run.log.header.data;  // the first run's, as a log shows it
  if (!split.data.empty())
    Q_EMIT dataShown(QString::fromStdString(split.data), QString::fromStdString(split.validation));
  int trials = 0;
  for (const auto& r : comparer_->comparison()->runs)
    trials += static_cast<int>(r.run.log.trials.size());
  Q_EMIT progressShown(trials, std::max(1, trials));
  session_.clearRun();  // several runs: export asks the comparer for each trial's own
  reference_ = first.run.reference;
  Q_EMIT status(comparer_->summary());
  Q_EMIT detailsChanged();
  QStringList warnings;
  for (const auto& w : comparer_->comparison()->warnings) warnings << QString::fromStdString(w);
  if (!warnings.isEmpty()) Q_EMIT comparisonWarned(warnings);
  return true;
}

QStringList RunController::shownRuns() const {
  QStringList runs;
  if (const pp::RunComparison* cmp = comparer_->comparison()) {
    for (const auto& r : cmp->runs) runs << QString::fromStdString(r.source.text());
  } else if (!studyName_.isEmpty()) {
    runs << QString::fromStdString(
        pp::RunSource{"", studyUrl_.toStdString(), studyName_.toStdString()}.text());
  } else if (session_.run() && !session_.logPath().isEmpty()) {
    runs << session_.logPath();
  }
  return runs;
}

}  // namespace ppui
