#include "paretoprune/runs/study.h"

#include <algorithm>
#include <charconv>
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
#include "base/text_time.h"
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
#include "runs/study_rows.h"

namespace pp {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {
std::string sqlSeconds(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

StudyStore::Study requireStudy(StudyStore& store, const StudyOptions& o) {
  auto s = store.findStudy(o.study);
  if (!s)
    throw Error("there is no " + studyWhere(o.study) + " at " + redactUrl(o.url) +
                " (start it with search --study)");
  return *s;
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
  Normalizer norm;           // of the hypervolume (the run's shape)
  std::optional<Trial> ref;  // the full model's trial, for constraints
  ShapeConstraints shapeCs;  // the constraints proposals meet (counted from the shape)
  Clock::time_point start;   // of run()

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
    sto.chanceError = prepared.validation->tagging() ? 1.0  // a tagger's floor: F1 0
                                                     : majorityError(prepared.validation->labels());
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
      try {
        seen.insert(SubNetwork::fromJson(jsonutil::parse(r.subnetJson, where()), c).key());
      } catch (const std::exception&) {
        // An unreadable queued sub-network: its row reads as a failed trial.
      }
    }
    if ((r.state == StudyTrial::State::Done || r.state == StudyTrial::State::Failed) &&
        !reported.count(r.id)) {
      reported[r.id] = true;
      RowTrial rt = trialOfRow(r, c, prepared.options.eval.latency.seqLen, where());
      if (!rt.warning.empty() && events.warning)
        events.warning({SearchWarning::Kind::StudyRowRefused, rt.warning});
      done.push_back(std::move(rt.trial));
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
  const Trial* r = ref ? &*ref : nullptr;
  for (size_t i : feasibleParetoTrials(done, so.objectives, so.constraints, r)) {
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
  if (!stop && reference)
    stop = targetStop(so.completion, done, *reference, prepared.header.metric);
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
      if (!so.constraints.empty())
        h.violations.push_back(violation(so.constraints, t, ref ? &*ref : nullptr));
    }
  while (q.queued < target && finished + q.queued + q.running < so.trials) {
    SubNetwork s;
    bool found = false;
    for (int i = 0; i < 2000 && !found; ++i) {
      s = i < 200 ? strategy->propose(h, *rng) : prepared.space.sample(*rng);
      found = !seen.count(s.key()) && shapeCs.met(s);
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

void checkLeaseSeconds(double seconds) {
  if (!(seconds >= 1 && seconds <= 86400))
    throw Error("a lease of " + sqlSeconds(seconds) +
                " seconds does not work: give from 1 second to a day (86400); 30 is usual");
}

void StudyDriver::run() {
  Impl& d = *impl_;
  checkLeaseSeconds(d.opts.leaseSeconds);
  d.start = Clock::now();
  d.openStudy(header_);
  reference_ = d.reference(header_);
  if (reference_ && d.events.referenceEvaluated) d.events.referenceEvaluated(*reference_);
  // Constraints (the header's, so every driver session agrees): the
  // feasible front; proposals meet those counted from the shape.
  const SearchOptions& so = d.prepared.options;
  checkConstraintsUsable(so.constraints, reference_ ? &*reference_ : nullptr);
  d.ref = reference_;
  d.shapeCs = ShapeConstraints(so.constraints, d.prepared.model->config(), so.eval.latency.seqLen);
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
      stopReason_ = "no new sub-network" +
                    (d.shapeCs.empty() ? std::string() : " meeting " + d.shapeCs.text()) +
                    " in 2000 proposals";
      break;
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(d.opts.pollSeconds));
  }
  if (stopKind_ != StopKind::Cancelled) d.store->finishStudy(d.studyId, stopReason_);
  progress_.elapsedSeconds = secondsSince(d.start);
}

// ---- reading, writing -------------------------------------------------------

OpenedRunLog openStudy(const std::string& url, const std::string& name,
                       const std::string& modelDir) {
  return pollStudy(url, name, modelDir, -1).run;
}

StudyPoll pollStudy(const std::string& url, const std::string& name, const std::string& modelDir,
                    int64_t afterSeq) {
  StudyPoll poll;
  poll.lastSeq = afterSeq;
  OpenedRunLog& r = poll.run;
  StudyStore store(url);
  StudyOptions o;
  o.url = url;
  o.study = name;
  const StudyStore::Study study = requireStudy(store, o);
  r.log.header = headerOf(study, name);
  r.modelDir = modelDir.empty() ? r.log.header.model : modelDir;
  try {
    r.config = loadModelConfig(r.modelDir + "/config.json");
  } catch (const Error& e) {
    throw Error(std::string(e.what()) +
                " (the study's model is needed to read its trials; give its directory)");
  }
  const int64_t flopsSeqLen = studyFlopsSeqLen(r.log.header, r.config);
  for (const auto& row : store.trials(study.id, afterSeq)) {
    poll.lastSeq = std::max(poll.lastSeq, row.seq);
    if (row.state == StudyTrial::State::Done || row.state == StudyTrial::State::Failed) {
      RowTrial rt = trialOfRow(row, r.config, flopsSeqLen, studyWhere(name));
      if (!rt.warning.empty()) r.log.warnings.push_back(rt.warning);
      r.log.trials.push_back(std::move(rt.trial));
    }
  }
  if (study.finished)
    r.log.stops.push_back(
        {"finished", study.stopReason, static_cast<int64_t>(r.log.trials.size())});
  r.reference = r.log.header.referenceTrial(r.config);
  return poll;
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
