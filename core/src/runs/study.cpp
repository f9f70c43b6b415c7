#include "paretoprune/runs/study.h"

#include <unistd.h>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

#include "base/json_util.h"
#include "paretoprune/base/error.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/model_config.h"
#include "paretoprune/runs/study_store.h"
#include "paretoprune/search/search_request.h"
#include "paretoprune/search/strategy.h"

namespace pp {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {
double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string studyWhere(const std::string& name) {
  return "study \"" + name + "\"";
}

StudyStore::Study requireStudy(StudyStore& store, const StudyOptions& o) {
  store.ensureSchema();
  auto s = store.findStudy(o.study);
  if (!s)
    throw Error("there is no " + studyWhere(o.study) + " at " + redactUrl(o.url) +
                " (start it with search --study)");
  return *s;
}

RunHeader headerOf(const StudyStore::Study& s, const std::string& name) {
  return RunHeader::fromJson(jsonutil::parse(s.headerJson, studyWhere(name)), studyWhere(name));
}

// A finished row as a trial record, checked like a log line: the database
// is input like any other.
Trial trialOf(const StudyTrial& row, const ModelConfig& c, const std::string& where) {
  if (row.state == StudyTrial::State::Failed) {
    Trial t;
    t.id = row.id;
    t.subnet = SubNetwork::fromJson(jsonutil::parse(row.subnetJson, where), c);
    t.status = Trial::Status::Failed;
    t.error = row.reason;
    return t;
  }
  try {
    Trial t = Trial::fromJson(jsonutil::parse(row.resultJson, where), c);
    if (t.id != row.id) throw Error("it names trial " + std::to_string(t.id));
    return t;
  } catch (const Error& e) {
    throw Error(where + ": trial " + std::to_string(row.id) + ": " + e.what());
  }
}

std::string defaultWorkerName() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "host");
  return std::string(host) + ":" + std::to_string(getpid());
}
}  // namespace

// ---- the driver -------------------------------------------------------------

namespace {
// The study's queue as last read.
struct QueueState {
  size_t rows = 0;  // trials in any state
  int64_t queued = 0, running = 0;
};
}  // namespace

struct StudyDriver::Impl {
  PreparedSearch prepared;
  StudyOptions opts;
  SearchEvents events;
  std::unique_ptr<SearchRunner> shape;  // the run's header and normalisation (never run)
  std::unique_ptr<StudyStore> store;
  std::unique_ptr<Strategy> strategy;
  std::unique_ptr<Rng> rng;
  int64_t studyId = 0;
  std::set<std::string> seen;        // keys queued so far (any state)
  std::map<int64_t, bool> reported;  // finished trials already handed to events
  int64_t nextId = 0;
  std::vector<double> hvHistory;
  int64_t finishedThisSession = 0;
  std::vector<int64_t> front;
  Normalizer norm;          // of the hypervolume (the run's shape)
  Clock::time_point start;  // of run()

  std::string where() const { return studyWhere(opts.study); }
  void openStudy(RunHeader& header);
  std::optional<Trial> reference(RunHeader& header);
  void startStrategy();
  QueueState follow(std::vector<Trial>& done, SearchProgress& progress);
  void reportFinished(const std::vector<Trial>& done, SearchProgress& progress);
  std::optional<std::pair<StopKind, std::string>> stopNow(
      const std::vector<Trial>& done, const std::optional<Trial>& reference) const;
  bool topUp(const std::vector<Trial>& done, QueueState& q);
};

// Opens or creates the study (a restarted driver resumes it, with its
// reference) and takes its driver lock.
void StudyDriver::Impl::openStudy(RunHeader& header) {
  store = std::make_unique<StudyStore>(opts.url);
  store->ensureSchema();
  if (auto existing = store->findStudy(opts.study)) {
    const RunHeader prev = headerOf(*existing, opts.study);
    prev.checkResumable(header, where());
    header.reference = prev.reference;
    studyId = existing->id;
  } else {
    studyId = store->createStudy(opts.study, header.toJson()).id;
  }
  if (!store->tryLockDriver(studyId))
    throw Error(where() +
                " already has a driver (another search is running it); start workers "
                "with `paretoprune-cli worker`, or stop that search first");
}

// The full model's trial: the study's, or evaluated here when it has none
// (and asked for); the header is written back either way.
std::optional<Trial> StudyDriver::Impl::reference(RunHeader& header) {
  const ModelConfig& c = prepared.model->config();
  const SearchOptions& so = prepared.options;
  if (header.reference.is_null() && so.evaluateReference) {
    EvalOptions eo = so.eval;
    eo.device = eo.latency.device = resolveDevices(so.device).front();
    const Trial full =
        evaluateAsTrial(*prepared.model, *prepared.validation, -1, SubNetwork::full(c), eo);
    if (!full.ok()) throw Error("the full model cannot be evaluated: " + full.error);
    header.reference = full.toJson();
  }
  std::optional<Trial> ref = header.referenceTrial(c);
  store->updateHeader(studyId, header.toJson());
  return ref;
}

void StudyDriver::Impl::startStrategy() {
  const SearchOptions& so = prepared.options;
  StrategyOptions sto = so.strategyOptions;
  if (sto.validationExamples == 0)
    sto.validationExamples = static_cast<int64_t>(prepared.validation->size());
  if (sto.chanceError < 0 && !so.objectives.empty() && so.objectives.front() == "error")
    sto.chanceError = majorityError(prepared.validation->labels());
  strategy = makeStrategy(so.strategy, prepared.space, sto);
}

// Reads the study's trials: the ids and keys taken, what is queued and
// running; newly finished trials go to `done` and the events.
QueueState StudyDriver::Impl::follow(std::vector<Trial>& done, SearchProgress& progress) {
  const ModelConfig& c = prepared.model->config();
  const auto rows = store->trials(studyId);
  QueueState q;
  q.rows = rows.size();
  for (const auto& r : rows) {
    nextId = std::max(nextId, r.id + 1);
    if (r.state == StudyTrial::State::Queued) ++q.queued;
    if (r.state == StudyTrial::State::Running) ++q.running;
    if (!seen.count(std::to_string(r.id))) {
      seen.insert(std::to_string(r.id));
      seen.insert(SubNetwork::fromJson(jsonutil::parse(r.subnetJson, where()), c).key());
    }
    if ((r.state == StudyTrial::State::Done || r.state == StudyTrial::State::Failed) &&
        !reported.count(r.id)) {
      reported[r.id] = true;
      done.push_back(trialOf(r, c, where()));
      reportFinished(done, progress);
    }
  }
  return q;
}

// The front, hypervolume and progress after done.back(), to the events.
void StudyDriver::Impl::reportFinished(const std::vector<Trial>& done, SearchProgress& progress) {
  const SearchOptions& so = prepared.options;
  std::vector<Point> pts;
  std::vector<int64_t> newFront;
  for (size_t i : paretoTrials(done, so.objectives)) {
    pts.push_back(objectiveVector(done[i], so.objectives));
    newFront.push_back(done[i].id);
  }
  hvHistory.push_back(normalizedHypervolume(pts, norm));
  if (events.trialFinished) events.trialFinished(done.back());
  if (newFront != front && events.frontChanged) events.frontChanged(newFront);
  front = newFront;
  progress.done = static_cast<int64_t>(done.size());
  progress.total = so.trials;
  progress.failed += done.back().status == Trial::Status::Failed;
  progress.hypervolume = hvHistory.back();
  progress.frontSize = pts.size();
  progress.elapsedSeconds = secondsSince(start);
  const double mins = progress.elapsedSeconds / 60.0;
  progress.trialsPerMinute = mins > 0 ? static_cast<double>(++finishedThisSession) / mins : 0;
  progress.etaSeconds =
      progress.trialsPerMinute > 0
          ? 60.0 * static_cast<double>(std::max<int64_t>(0, so.trials - progress.done)) /
                progress.trialsPerMinute
          : 0;
  if (events.progress) events.progress(progress);
}

// Why the study is complete now (trials, budget, convergence, target), if it is.
std::optional<std::pair<StopKind, std::string>> StudyDriver::Impl::stopNow(
    const std::vector<Trial>& done, const std::optional<Trial>& reference) const {
  const SearchOptions& so = prepared.options;
  if (static_cast<int64_t>(done.size()) >= so.trials)
    return std::make_pair(StopKind::TrialsDone, std::string("all trials done"));
  if (so.budgetSeconds > 0 && secondsSince(start) >= so.budgetSeconds)
    return std::make_pair(StopKind::BudgetSpent, std::string("time budget spent"));
  std::optional<CompletionStop> stop = convergenceStop(so.completion, hvHistory);
  if (!stop && reference) stop = targetStop(so.completion, done, *reference);
  if (!stop) return std::nullopt;
  return std::make_pair(
      stop->kind == CompletionStop::Kind::Converged ? StopKind::Converged : StopKind::TargetMet,
      stop->reason);
}

// Queues the strategy's proposals until there is about one queued trial
// per active worker, plus a few; false when no new sub-network was found.
bool StudyDriver::Impl::topUp(const std::vector<Trial>& done, QueueState& q) {
  const SearchOptions& so = prepared.options;
  const int64_t finished = static_cast<int64_t>(done.size());
  const int64_t target =
      std::max(1, store->activeWorkers(studyId, 2 * opts.leaseSeconds)) + opts.extraQueued;
  History h;
  for (const auto& t : done)
    if (t.ok() && t.fidelity >= 1.0) {
      h.subnets.push_back(t.subnet);
      h.objectives.push_back(objectiveVector(t, so.objectives));
    }
  while (q.queued < target && finished + q.queued + q.running < so.trials) {
    SubNetwork s;
    bool found = false;
    for (int i = 0; i < 2000 && !found; ++i) {
      s = i < 200 ? strategy->propose(h, *rng) : prepared.space.sample(*rng);
      found = !seen.count(s.key());
    }
    if (!found) return false;
    seen.insert(s.key());
    if (store->enqueue(studyId, nextId, s.key(), s.toJson().dump())) ++q.queued;
    ++nextId;
  }
  return true;
}

StudyDriver::StudyDriver(const PreparedSearch& p, StudyOptions opts, SearchEvents events)
    : impl_(std::make_unique<Impl>()) {
  impl_->prepared = p;
  impl_->opts = std::move(opts);
  impl_->events = std::move(events);
  impl_->shape = std::make_unique<SearchRunner>(p);
  header_ = impl_->shape->header();
  // Workers on other machines and in other folders read these paths.
  header_.model = absolutePath(header_.model);
  header_.data.data = absolutePath(header_.data.data);
  header_.data.validation = absolutePath(header_.data.validation);
}

StudyDriver::~StudyDriver() = default;

void StudyDriver::run() {
  Impl& d = *impl_;
  d.start = Clock::now();
  d.openStudy(header_);
  reference_ = d.reference(header_);
  if (reference_ && d.events.referenceEvaluated) d.events.referenceEvaluated(*reference_);
  d.startStrategy();
  d.norm = d.shape->normalizer();
  auto lastReap = Clock::now() - std::chrono::hours(1);
  bool seededRng = false;
  while (true) {
    if (cancel_) {
      stopKind_ = StopKind::Cancelled;
      stopReason_ = "cancelled (the study stays open: workers go on with what is queued)";
      break;
    }
    if (secondsSince(lastReap) >= d.opts.leaseSeconds / 4) {
      d.store->reapExpired(d.studyId, d.opts.maxAttempts);
      lastReap = Clock::now();
    }
    QueueState q = d.follow(done_, progress_);
    if (!seededRng) {
      // A fresh stream per driver session (as a resumed run's).
      d.rng = std::make_unique<Rng>(d.prepared.options.seed ^
                                    (0x9e3779b97f4a7c15ull * static_cast<uint64_t>(q.rows + 1)));
      seededRng = true;
    }
    if (auto stop = d.stopNow(done_, reference_)) {
      std::tie(stopKind_, stopReason_) = *stop;
      break;
    }
    if (!d.topUp(done_, q) && q.queued == 0 && q.running == 0) {
      stopKind_ = StopKind::NoNewFound;
      stopReason_ = "no new sub-network in 2000 proposals";
      break;
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(d.opts.pollSeconds));
  }
  if (stopKind_ != StopKind::Cancelled) d.store->finishStudy(d.studyId, stopReason_);
  progress_.elapsedSeconds = secondsSince(d.start);
}

// ---- the worker -------------------------------------------------------------

namespace {
// The study `o` names once it exists: a worker may start before its driver.
StudyStore::Study waitForStudy(StudyStore& store, const StudyOptions& o, const WorkerOptions& w,
                               const std::atomic<bool>* stop) {
  const auto waitStart = Clock::now();
  std::optional<StudyStore::Study> found = store.findStudy(o.study);
  while (!found) {
    if ((stop && stop->load()) ||
        (w.idleExitSeconds > 0 && secondsSince(waitStart) >= w.idleExitSeconds))
      throw Error("there is no " + studyWhere(o.study) + " at " + redactUrl(o.url) +
                  " (start it with search --study)");
    std::this_thread::sleep_for(std::chrono::duration<double>(std::max(o.pollSeconds, 0.5)));
    found = store.findStudy(o.study);
  }
  return *found;
}

// A worker's own copy of the model and validation data, checked against
// the study's, and how it evaluates them.
struct WorkerBench {
  std::shared_ptr<const Model> model;
  std::optional<EncodedData> data;
  EvalOptions eval;
};

WorkerBench loadWorkerBench(const RunHeader& h, const StudyOptions& o, const WorkerOptions& w) {
  WorkerBench b;
  const std::string modelDir = w.modelDir.empty() ? h.model : w.modelDir;
  b.model = Model::load(modelDir);
  checkRunModel(h, b.model->checksum(), modelDir, studyWhere(o.study));
  const Dataset val = h.data.validationSet(b.model->config());
  const std::string fp = dataFingerprint(val);
  if (!h.dataFingerprint.empty() && fp != h.dataFingerprint)
    throw Error(studyWhere(o.study) + " was evaluated on other validation examples (fingerprint " +
                h.dataFingerprint + ", this machine's data " + fp + " from " +
                (h.data.validation.empty() ? h.data.data : h.data.validation) + ")");
  EncodeOptions enc;
  enc.maxLength = h.data.maxLength;
  enc.batchSize = h.data.batchSize;
  b.data.emplace(*b.model, val, enc);
  EvalOptions& eo = b.eval;
  eo.device = eo.latency.device = resolveDevices(w.device).front();
  eo.measureLatency = false;
  for (const auto& obj : h.objectives)
    if (obj == "latency") eo.measureLatency = true;
  eo.latency.runs = 3;
  eo.latency.warmup = 1;
  eo.rates = measureExecRates(*b.model, *b.data, eo);
  return b;
}

// Heartbeats on a connection and thread of their own: the claim being
// evaluated keeps its lease, the worker counts as active. Stops (joined)
// when destroyed.
class Heartbeat {
 public:
  Heartbeat(const StudyOptions& o, int64_t studyId, std::string name)
      : o_(o), studyId_(studyId), name_(std::move(name)), thread_([this] { loop(); }) {}
  ~Heartbeat() {
    quit_ = true;
    thread_.join();
  }
  void setClaim(std::optional<Claim> c) {
    std::lock_guard<std::mutex> lk(mu_);
    claim_ = std::move(c);
  }

 private:
  void loop() {
    std::unique_ptr<StudyStore> hb;
    while (!quit_) {
      try {
        if (!hb) hb = std::make_unique<StudyStore>(o_.url);
        std::optional<Claim> c;
        {
          std::lock_guard<std::mutex> lk(mu_);
          c = claim_;
        }
        if (c) hb->heartbeat(studyId_, *c, o_.leaseSeconds);
        hb->touchWorker(studyId_, name_);
      } catch (const Error&) {
        hb.reset();  // reconnect next time; the lease may lapse meanwhile
      }
      for (int i = 0; i < 20 && !quit_; ++i)
        std::this_thread::sleep_for(std::chrono::duration<double>(o_.leaseSeconds / 3 / 20));
    }
  }

  const StudyOptions& o_;
  const int64_t studyId_;
  const std::string name_;
  std::mutex mu_;  // guards claim_
  std::optional<Claim> claim_;
  std::atomic<bool> quit_{false};
  std::thread thread_;  // last: starts once the rest is set
};

// The claimed trial evaluated; an unreadable sub-network is a failed
// trial, not a dead worker.
Trial evaluateClaim(const WorkerBench& b, const Claim& c, const std::string& where,
                    const std::atomic<bool>* stop) {
  Trial t;
  try {
    t = evaluateAsTrial(
        *b.model, *b.data, c.id,
        SubNetwork::fromJson(jsonutil::parse(c.subnetJson, where), b.model->config()), b.eval,
        stop);
  } catch (const Error& e) {
    t.id = c.id;
    t.status = Trial::Status::Failed;
    t.error = e.what();
  }
  t.worker = -1;
  return t;
}
}  // namespace

WorkerStats runStudyWorker(const StudyOptions& o, const WorkerOptions& w,
                           const std::atomic<bool>* stop) {
  StudyStore store(o.url);
  store.ensureSchema();
  const StudyStore::Study study = waitForStudy(store, o, w, stop);
  const WorkerBench bench = loadWorkerBench(headerOf(study, o.study), o, w);
  const std::string name = w.name.empty() ? defaultWorkerName() : w.name;
  Heartbeat beat(o, study.id, name);
  WorkerStats stats;
  auto idleSince = Clock::now();
  while (!(stop && stop->load())) {
    if (w.maxTrials > 0 && stats.evaluated + stats.stale >= w.maxTrials) break;
    std::optional<Claim> c = store.claim(study.id, name, o.leaseSeconds);
    if (!c) {
      const auto s = store.findStudy(o.study);
      if (!s || s->finished) break;  // nothing queued and the driver is done
      if (w.idleExitSeconds > 0 && secondsSince(idleSince) >= w.idleExitSeconds) break;
      std::this_thread::sleep_for(std::chrono::duration<double>(o.pollSeconds));
      continue;
    }
    beat.setClaim(c);
    const Trial t = evaluateClaim(bench, *c, studyWhere(o.study), stop);
    if (stop && stop->load())
      break;  // cut short: not a result; its lease lapses and it is queued again
    if (store.complete(study.id, *c, t.toJson().dump()))
      ++stats.evaluated;
    else
      ++stats.stale;
    beat.setClaim(std::nullopt);
    idleSince = Clock::now();
  }
  return stats;
}

// ---- reading, writing -------------------------------------------------------

OpenedRunLog openStudy(const std::string& url, const std::string& name,
                       const std::string& modelDir) {
  StudyStore store(url);
  StudyOptions o;
  o.url = url;
  o.study = name;
  const StudyStore::Study study = requireStudy(store, o);
  OpenedRunLog r;
  r.log.header = headerOf(study, name);
  r.modelDir = modelDir.empty() ? r.log.header.model : modelDir;
  try {
    r.config = loadModelConfig(r.modelDir + "/config.json");
  } catch (const Error& e) {
    throw Error(std::string(e.what()) +
                " (the study's model is needed to read its trials; give its directory)");
  }
  for (const auto& row : store.trials(study.id))
    if (row.state == StudyTrial::State::Done || row.state == StudyTrial::State::Failed)
      r.log.trials.push_back(trialOf(row, r.config, studyWhere(name)));
  if (study.finished)
    r.log.stops.push_back(
        {"finished", study.stopReason, static_cast<int64_t>(r.log.trials.size())});
  r.reference = r.log.header.referenceTrial(r.config);
  return r;
}

void exportStudyLog(const std::string& url, const std::string& study, const std::string& logPath) {
  const OpenedRunLog r = openStudy(url, study);
  RunLog log;
  log.create(logPath, r.log.header, RunLog::Create::CreateNew);  // never over a file or link
  for (const auto& t : r.log.trials) log.append(t);
  for (const auto& s : r.log.stops) log.appendStop(s.kind, s.reason);
  log.close();
}

void importStudyLog(const std::string& url, const std::string& study, const std::string& logPath) {
  const OpenedRunLog r = openRunLog(logPath);
  StudyStore store(url);
  store.ensureSchema();
  if (store.findStudy(study))
    throw Error(studyWhere(study) + " exists at " + redactUrl(url) +
                "; import into a new study name");
  const auto s = store.createStudy(study, r.log.header.toJson());
  for (const auto& t : r.log.trials) {
    store.enqueue(s.id, t.id, t.subnet.key(), t.subnet.toJson().dump());
    const auto claim = store.claim(s.id, "import", 60);
    if (!claim || claim->id != t.id || !store.complete(s.id, *claim, t.toJson().dump()))
      throw Error(studyWhere(study) + ": could not import trial " + std::to_string(t.id));
  }
  store.finishStudy(s.id, "imported from " + logPath);
}

}  // namespace pp
