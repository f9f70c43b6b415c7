#include "paretoprune/runs/study.h"

#include <unistd.h>
#include <chrono>
#include <map>
#include <set>
#include <thread>

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
};

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
  const auto start = Clock::now();
  const ModelConfig& c = d.prepared.model->config();
  const SearchOptions& so = d.prepared.options;
  d.store = std::make_unique<StudyStore>(d.opts.url);
  d.store->ensureSchema();
  // Open or create the study; a restarted driver resumes it.
  if (auto existing = d.store->findStudy(d.opts.study)) {
    const RunHeader prev = headerOf(*existing, d.opts.study);
    prev.checkResumable(header_, studyWhere(d.opts.study));
    header_.reference = prev.reference;
    d.studyId = existing->id;
  } else {
    d.studyId = d.store->createStudy(d.opts.study, header_.toJson()).id;
  }
  if (!d.store->tryLockDriver(d.studyId))
    throw Error(studyWhere(d.opts.study) +
                " already has a driver (another search is running it); start workers "
                "with `paretoprune-cli worker`, or stop that search first");
  if (header_.reference.is_null() && so.evaluateReference) {
    EvalOptions eo = so.eval;
    eo.device = eo.latency.device = resolveDevices(so.device).front();
    const Trial full =
        evaluateAsTrial(*d.prepared.model, *d.prepared.validation, -1, SubNetwork::full(c), eo);
    if (!full.ok()) throw Error("the full model cannot be evaluated: " + full.error);
    header_.reference = full.toJson();
  }
  reference_ = header_.referenceTrial(c);
  d.store->updateHeader(d.studyId, header_.toJson());
  if (reference_ && d.events.referenceEvaluated) d.events.referenceEvaluated(*reference_);
  StrategyOptions sto = so.strategyOptions;
  if (sto.validationExamples == 0)
    sto.validationExamples = static_cast<int64_t>(d.prepared.validation->size());
  if (sto.chanceError < 0 && !so.objectives.empty() && so.objectives.front() == "error")
    sto.chanceError = majorityError(d.prepared.validation->labels());
  d.strategy = makeStrategy(so.strategy, d.prepared.space, sto);
  const Normalizer norm = d.shape->normalizer();
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
    const auto rows = d.store->trials(d.studyId);
    int64_t queued = 0, running = 0;
    for (const auto& r : rows) {
      d.nextId = std::max(d.nextId, r.id + 1);
      if (r.state == StudyTrial::State::Queued) ++queued;
      if (r.state == StudyTrial::State::Running) ++running;
      if (!d.seen.count(std::to_string(r.id))) {
        d.seen.insert(std::to_string(r.id));
        d.seen.insert(
            SubNetwork::fromJson(jsonutil::parse(r.subnetJson, studyWhere(d.opts.study)), c).key());
      }
      if ((r.state == StudyTrial::State::Done || r.state == StudyTrial::State::Failed) &&
          !d.reported.count(r.id)) {
        d.reported[r.id] = true;
        done_.push_back(trialOf(r, c, studyWhere(d.opts.study)));
        std::vector<Point> pts;
        std::vector<int64_t> front;
        for (size_t i : paretoTrials(done_, so.objectives)) {
          pts.push_back(objectiveVector(done_[i], so.objectives));
          front.push_back(done_[i].id);
        }
        d.hvHistory.push_back(normalizedHypervolume(pts, norm));
        if (d.events.trialFinished) d.events.trialFinished(done_.back());
        if (front != d.front && d.events.frontChanged) d.events.frontChanged(front);
        d.front = front;
        progress_.done = static_cast<int64_t>(done_.size());
        progress_.total = so.trials;
        progress_.failed += done_.back().status == Trial::Status::Failed;
        progress_.hypervolume = d.hvHistory.back();
        progress_.frontSize = pts.size();
        progress_.elapsedSeconds = secondsSince(start);
        const double mins = progress_.elapsedSeconds / 60.0;
        progress_.trialsPerMinute =
            mins > 0 ? static_cast<double>(++d.finishedThisSession) / mins : 0;
        progress_.etaSeconds =
            progress_.trialsPerMinute > 0
                ? 60.0 * static_cast<double>(std::max<int64_t>(0, so.trials - progress_.done)) /
                      progress_.trialsPerMinute
                : 0;
        if (d.events.progress) d.events.progress(progress_);
      }
    }
    if (!seededRng) {
      // A fresh stream per driver session (as a resumed run's).
      d.rng = std::make_unique<Rng>(
          so.seed ^ (0x9e3779b97f4a7c15ull * static_cast<uint64_t>(rows.size() + 1)));
      seededRng = true;
    }
    const int64_t finished = static_cast<int64_t>(done_.size());
    if (finished >= so.trials) {
      stopKind_ = StopKind::TrialsDone;
      stopReason_ = "all trials done";
      break;
    }
    if (so.budgetSeconds > 0 && secondsSince(start) >= so.budgetSeconds) {
      stopKind_ = StopKind::BudgetSpent;
      stopReason_ = "time budget spent";
      break;
    }
    std::optional<CompletionStop> stop = convergenceStop(so.completion, d.hvHistory);
    if (!stop && reference_) stop = targetStop(so.completion, done_, *reference_);
    if (stop) {
      stopKind_ =
          stop->kind == CompletionStop::Kind::Converged ? StopKind::Converged : StopKind::TargetMet;
      stopReason_ = stop->reason;
      break;
    }
    // Keep about one queued trial per active worker, plus a few.
    const int64_t target = std::max(1, d.store->activeWorkers(d.studyId, 2 * d.opts.leaseSeconds)) +
                           d.opts.extraQueued;
    History h;
    for (const auto& t : done_)
      if (t.ok() && t.fidelity >= 1.0) {
        h.subnets.push_back(t.subnet);
        h.objectives.push_back(objectiveVector(t, so.objectives));
      }
    bool nothingNew = false;
    while (queued < target && finished + queued + running < so.trials) {
      SubNetwork s;
      bool found = false;
      for (int i = 0; i < 2000 && !found; ++i) {
        s = i < 200 ? d.strategy->propose(h, *d.rng) : d.prepared.space.sample(*d.rng);
        found = !d.seen.count(s.key());
      }
      if (!found) {
        nothingNew = true;
        break;
      }
      d.seen.insert(s.key());
      if (d.store->enqueue(d.studyId, d.nextId, s.key(), s.toJson().dump())) ++queued;
      ++d.nextId;
    }
    if (nothingNew && queued == 0 && running == 0) {
      stopKind_ = StopKind::NoNewFound;
      stopReason_ = "no new sub-network in 2000 proposals";
      break;
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(d.opts.pollSeconds));
  }
  if (stopKind_ != StopKind::Cancelled) d.store->finishStudy(d.studyId, stopReason_);
  progress_.elapsedSeconds = secondsSince(start);
}

// ---- the worker -------------------------------------------------------------

WorkerStats runStudyWorker(const StudyOptions& o, const WorkerOptions& w,
                           const std::atomic<bool>* stop) {
  StudyStore store(o.url);
  store.ensureSchema();
  // A worker may start before its driver: wait for the study to appear.
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
  const StudyStore::Study study = *found;
  const RunHeader h = headerOf(study, o.study);
  // Our own copy of the model and data, checked against the study's.
  const std::string modelDir = w.modelDir.empty() ? h.model : w.modelDir;
  auto model = Model::load(modelDir);
  checkRunModel(h, model->checksum(), modelDir, studyWhere(o.study));
  const Dataset val = h.data.validationSet(model->config());
  const std::string fp = dataFingerprint(val);
  if (!h.dataFingerprint.empty() && fp != h.dataFingerprint)
    throw Error(studyWhere(o.study) + " was evaluated on other validation examples (fingerprint " +
                h.dataFingerprint + ", this machine's data " + fp + " from " +
                (h.data.validation.empty() ? h.data.data : h.data.validation) + ")");
  EncodeOptions enc;
  enc.maxLength = h.data.maxLength;
  enc.batchSize = h.data.batchSize;
  const EncodedData data(*model, val, enc);
  EvalOptions eo;
  eo.device = eo.latency.device = resolveDevices(w.device).front();
  eo.measureLatency = false;
  for (const auto& obj : h.objectives)
    if (obj == "latency") eo.measureLatency = true;
  eo.latency.runs = 3;
  eo.latency.warmup = 1;
  eo.rates = measureExecRates(*model, data, eo);
  const std::string name = w.name.empty() ? defaultWorkerName() : w.name;

  // Heartbeats on a connection and thread of their own.
  std::mutex mu;  // guards `current`
  std::optional<Claim> current;
  std::atomic<bool> quit{false};
  std::thread beat([&] {
    std::unique_ptr<StudyStore> hb;
    while (!quit) {
      try {
        if (!hb) hb = std::make_unique<StudyStore>(o.url);
        std::optional<Claim> c;
        {
          std::lock_guard<std::mutex> lk(mu);
          c = current;
        }
        if (c) hb->heartbeat(study.id, *c, o.leaseSeconds);
        hb->touchWorker(study.id, name);
      } catch (const Error&) {
        hb.reset();  // reconnect next time; the lease may lapse meanwhile
      }
      for (int i = 0; i < 20 && !quit; ++i)
        std::this_thread::sleep_for(std::chrono::duration<double>(o.leaseSeconds / 3 / 20));
    }
  });
  WorkerStats stats;
  auto idleSince = Clock::now();
  try {
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
      {
        std::lock_guard<std::mutex> lk(mu);
        current = c;
      }
      Trial t;
      try {
        t = evaluateAsTrial(
            *model, data, c->id,
            SubNetwork::fromJson(jsonutil::parse(c->subnetJson, studyWhere(o.study)),
                                 model->config()),
            eo, stop);
      } catch (const Error& e) {  // an unreadable sub-network: a failed trial, not a dead worker
        t.id = c->id;
        t.status = Trial::Status::Failed;
        t.error = e.what();
      }
      t.worker = -1;
      if (stop && stop->load())
        break;  // cut short: not a result; its lease lapses and it is queued again
      if (store.complete(study.id, *c, t.toJson().dump()))
        ++stats.evaluated;
      else
        ++stats.stale;
      {
        std::lock_guard<std::mutex> lk(mu);
        current.reset();
      }
      idleSince = Clock::now();
    }
  } catch (...) {
    quit = true;
    beat.join();
    throw;
  }
  quit = true;
  beat.join();
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
  log.create(logPath, r.log.header);
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
