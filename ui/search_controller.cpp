#include "ui/search_controller.h"

#include <nlohmann/json.hpp>

#include "paretoprune/base/error.h"
#include "paretoprune/base/json_parse.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/model_config.h"
#include "paretoprune/runs/study_store.h"
#include "paretoprune/search/constraint.h"
#include "paretoprune/search/search_request.h"
#include "paretoprune/search/search_space.h"

namespace ppui {

namespace {
// The set-up's constraints, parsed (a bad one: pp::Error naming it).
std::vector<pp::Constraint> constraintsOf(const SearchSetup& s) {
  std::vector<std::string> texts;
  for (const QString& part : s.constraints.split(',', Qt::SkipEmptyParts))
    if (!part.trimmed().isEmpty()) texts.push_back(part.trimmed().toStdString());
  return pp::parseConstraints(texts);
}
}  // namespace

pp::DataSplit SearchSetup::dataSplit() const {
  pp::DataSplit d;
  d.data = dataFile.toStdString();
  d.validation = validationFile.toStdString();
  d.valSplit = validationFile.isEmpty() ? valSplit : 0.0;
  d.columns = {textColumn.toStdString(), pairColumn.toStdString(), labelColumn.toStdString()};
  d.valSubset = valSubset;
  d.maxLength = maxLength;
  return d;
}

SearchController::SearchController(QObject* parent) : QObject(parent) {}

SearchController::~SearchController() {
  cancel();
  task_.wait();
}

bool SearchController::start(const SearchSetup& s, QString* error) {
  auto fail = [&](const QString& m) {
    if (error) *error = m;
    return false;
  };
  if (running_) return fail(tr("A search is already running."));
  if (s.modelDir.isEmpty()) return fail(tr("Choose a model directory."));
  if (s.dataFile.isEmpty()) return fail(tr("Choose a data file."));
  if (s.trials < 0) return fail(tr("The number of trials must not be negative."));
  try {
    objectives_ = pp::parseObjectives(s.objectives.toStdString());
    (void)constraintsOf(s);
  } catch (const pp::Error& e) {
    return fail(QString::fromStdString(e.what()));
  }
  setup_ = s;
  trials_.clear();
  reference_.reset();
  {
    std::lock_guard<std::mutex> lk(mu_);
    paused_ = false;
    runner_.reset();
    driver_.reset();
  }
  auto reason = std::make_shared<QString>();
  running_ = task_.start([this, s, models = models_, reason] { *reason = run(s, models); },
                         [this, reason](const QString& error) {
                           running_ = false;
                           if (error.isEmpty())
                             Q_EMIT finished(*reason);
                           else
                             Q_EMIT failed(error);
                         });
  return running_ || fail(tr("A search is already running."));
}

namespace {
// What the form asks for, as core's search request.
pp::SearchRequest requestOf(const SearchSetup& s) {
  pp::SearchRequest req;
  req.modelDir = s.modelDir.toStdString();
  req.data = s.dataSplit();
  req.space = s.space.toStdString();
  if (!s.spaceJson.isEmpty())
    req.spaceJson = pp::parseJson(s.spaceJson.toStdString(), "the search space");
  pp::SearchOptions& o = req.options;
  o.strategy = s.strategy.toStdString();
  o.trials = s.trials;
  o.device = s.device.toStdString();
  o.workers = s.workers;  // 0: the runner chooses (one per GPU, or half the cores)
  o.seed = s.seed;
  o.objectives = pp::parseObjectives(s.objectives.toStdString());
  o.constraints = constraintsOf(s);
  o.eval.precision = pp::parsePrecision(s.precision.toStdString());
  o.eval.measureLatency = s.latencyRuns > 0;
  o.eval.latency.runs = s.latencyRuns;
  o.eval.latency.warmup = 1;
  o.eval.latency.seqLen = s.maxLength;
  o.logPath = s.logPath.toStdString();
  o.resume = s.resume;
  req.autoSettings.strategy = s.strategy == "auto";
  req.autoSettings.trials = s.trials == 0;
  req.autoSettings.batchSize = req.autoSettings.multiFidelity = req.autoSettings.convergence =
      s.autoRest;
  if (req.autoSettings.strategy) req.options.strategy = "random";  // replaced by the choice
  return req;
}
}  // namespace

// Events arrive on the runner's worker threads; each is handed to the UI
// thread. The destructor waits for the task, and Qt drops calls queued for
// a deleted object, so `this` is valid wherever these run.
pp::SearchEvents SearchController::events() {
  pp::SearchEvents ev;
  ev.referenceEvaluated = [this](const pp::Trial& t) {
    task_.post([this, t] {
      reference_ = t;
      Q_EMIT referenceReady(t);
    });
  };
  ev.trialFinished = [this](const pp::Trial& t) {
    task_.post([this, t] {
      trials_.push_back(t);
      Q_EMIT trialFinished(t);
    });
  };
  ev.progress = [this](const pp::SearchProgress& p) {
    task_.post([this, p] { Q_EMIT progressChanged(p); });
  };
  ev.frontChanged = [this](const std::vector<int64_t>& ids) {
    task_.post([this, ids] { Q_EMIT frontChanged(ids); });
  };
  ev.warning = [this](const pp::SearchWarning& w) { task_.post([this, w] { Q_EMIT warning(w); }); };
  return ev;
}

QString SearchController::run(const SearchSetup& s, const std::shared_ptr<ModelCache>& models) {
  const pp::SearchRequest req = requestOf(s);
  pp::PreparedSearch prepared =
      pp::prepareSearch(req, models ? models->load(req.modelDir) : nullptr);
  prepared.options.eval.latency.seqLen =
      std::min<int64_t>(s.maxLength, pp::maxSequenceLength(prepared.model->config()));
  for (const auto& w : prepared.warnings) {
    const bool few = prepared.seenShare < pp::kFewSeen && !s.validationFile.isEmpty();
    const pp::SearchWarning seen{
        few ? pp::SearchWarning::Kind::ValidationSeenFew : pp::SearchWarning::Kind::ValidationSeen,
        w};
    task_.post([this, seen] { Q_EMIT warning(seen); });
  }
  if (!s.storage.isEmpty()) return driveStudy(s, prepared, events());
  return runHere(prepared, events());
}

QString SearchController::runHere(const pp::PreparedSearch& prepared, const pp::SearchEvents& ev) {
  auto runner = std::make_shared<pp::SearchRunner>(prepared, ev);
  // The runner puts the machine's threads to work for its workers (run()).
  {
    std::lock_guard<std::mutex> lk(mu_);
    runner_ = runner;
    if (task_.stopRequested()) runner->cancel();
    if (paused_) runner->pause();
  }
  QStringList devs;
  for (const auto& d : runner->devices()) devs << QString::fromStdString(d);
  const QString desc = tr("%1 on %2 validation examples, %3 workers on %4")
                           .arg(QString::fromStdString(prepared.options.strategy))
                           .arg(prepared.validation->size())
                           .arg(runner->workers())
                           .arg(devs.join(", "));
  task_.post([this, desc, cfg = prepared.model->config(), header = runner->header()] {
    config_ = cfg;
    header_ = header;
    Q_EMIT started(desc);
  });
  runner->run();
  return QString::fromStdString(runner->stopReason());
}

QString SearchController::driveStudy(const SearchSetup& s, const pp::PreparedSearch& prepared,
                                     const pp::SearchEvents& ev) {
  pp::StudyOptions so;
  so.url = s.storage.toStdString();
  so.study = s.study.toStdString();
  auto driver = std::make_shared<pp::StudyDriver>(prepared, so, ev);
  {
    std::lock_guard<std::mutex> lk(mu_);
    driver_ = driver;
    if (task_.stopRequested()) driver->cancel();
  }
  const QString desc =
      tr("driving study %1 at %2 (%3 on %4 validation examples); start workers with "
         "paretoprune-cli worker --storage URL --study %1")
          .arg(s.study, QString::fromStdString(pp::redactUrl(so.url)),
               QString::fromStdString(prepared.options.strategy))
          .arg(prepared.validation->size());
  task_.post([this, desc, cfg = prepared.model->config(), header = driver->header()] {
    config_ = cfg;
    header_ = header;
    Q_EMIT started(desc);
  });
  driver->run();
  return QString::fromStdString(driver->stopReason());
}

void SearchController::pause() {
  std::lock_guard<std::mutex> lk(mu_);
  paused_ = true;
  if (runner_) runner_->pause();
}

void SearchController::resume() {
  std::lock_guard<std::mutex> lk(mu_);
  paused_ = false;
  if (runner_) runner_->resume();
}

void SearchController::cancel() {
  task_.requestStop();  // a runner not made yet is cancelled when it is
  std::lock_guard<std::mutex> lk(mu_);
  if (runner_) {
    runner_->resume();
    runner_->cancel();
  }
  if (driver_) driver_->cancel();
}

void SearchController::wait() {
  task_.join();
}

}  // namespace ppui
