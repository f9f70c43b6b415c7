#include "paretoprune/search/search_runner.h"
#include "paretoprune/base/json_parse.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "paretoprune/base/error.h"
#include "paretoprune/cpu/gemm.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/eval/screening.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"
#include "paretoprune/search/run_log.h"
#include "paretoprune/search/search_request.h"
#include "search/search_trial.h"

namespace pp {

using nlohmann::json;

namespace {
// Proposals tried before the runner looks further: the strategy's, then the
// space's random samples, then (for a space too large to count) many more
// samples.
constexpr int kStrategyAttempts = 200;
constexpr int kSampleAttempts = 200;
constexpr int kExtraSamples = 100000;
// Spaces up to this size are counted member by member to prove exhaustion.
constexpr int64_t kCountableSpace = 2000000;

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

const char* stopKindName(StopKind k) {
  switch (k) {
    case StopKind::None:
      return "none";
    case StopKind::TrialsDone:
      return "trials_done";
    case StopKind::BudgetSpent:
      return "budget_spent";
    case StopKind::Cancelled:
      return "cancelled";
    case StopKind::SpaceExhausted:
      return "space_exhausted";
    case StopKind::NoNewFound:
      return "no_new_found";
    case StopKind::StrategyFailed:
      return "strategy_failed";
    case StopKind::InternalError:
      return "internal_error";
    case StopKind::Converged:
      return "converged";
    case StopKind::TargetMet:
      return "target_met";
  }
  return "?";
}

SearchRunner::SearchRunner(const PreparedSearch& p, SearchEvents events)
    : SearchRunner(p.model, p.validation, p.space, p.options, std::move(events), p.header) {}

SearchRunner::SearchRunner(std::shared_ptr<const Model> model,
                           std::shared_ptr<const EncodedData> validation, SearchSpace space,
                           SearchOptions opts, SearchEvents events, RunHeader header)
    : model_(std::move(model)),
      data_(std::move(validation)),
      space_(std::move(space)),
      opts_(std::move(opts)),
      events_(std::move(events)),
      header_(std::move(header)) {
  if (!model_ || !data_) throw Error("search: no model or no validation data");
  if (data_->size() == 0) throw Error("search: the validation set is empty");
  if (opts_.trials < 0) throw Error("search: the number of trials must not be negative");
  for (const auto& o : opts_.objectives)
    if (!isObjective(o)) throw Error("search: unknown objective " + quoteText(o));
  if (opts_.strategyOptions.validationExamples == 0)
    opts_.strategyOptions.validationExamples = static_cast<int64_t>(data_->size());
  if (opts_.strategyOptions.chanceError < 0 && !opts_.objectives.empty() &&
      opts_.objectives.front() == "error")
    // A tagger that tags every word O finds no entity: F1 0, error 1.
    opts_.strategyOptions.chanceError = data_->tagging() ? 1.0 : majorityError(data_->labels());
  strategy_ = makeStrategy(opts_.strategy, space_, opts_.strategyOptions);
  // Before any evaluation: a limit no member of the space can meet.
  shape_ = ShapeConstraints(opts_.constraints, model_->config(), opts_.eval.latency.seqLen);
  shape_.checkReachable(space_);
  rng_ = std::make_unique<Rng>(opts_.seed);
  devices_ = resolveDevices(opts_.device);
  const bool gpus = devices_.front() != "cpu";
  // One worker per CUDA device (each on its device's stream); on the CPU,
  // workers share the cores (docs/performance.md).
  if (opts_.workers <= 0)
    opts_.workers = gpus ? static_cast<int>(devices_.size()) : std::max(1, hardwareThreads() / 2);
  opts_.eval.device = opts_.eval.latency.device = devices_.front();
  if (opts_.multiFidelity && opts_.lowFidelity < 1.0) {
    screenBatches_ = screeningBatches(*data_, opts_.lowFidelity, opts_.seed);
    for (size_t b = 0; b < data_->numBatches(); ++b)
      if (!std::binary_search(screenBatches_.begin(), screenBatches_.end(), b))
        restBatches_.push_back(b);
  }
  // Normalisation bounds (docs/search.md): error-like objectives on [0, 1]
  // (mcc on [0, 2]); size-like ones from the space's smallest sub-network to
  // the full model; latency from 0 to the full model's (measured at start).
  const auto& c = model_->config();
  for (const auto& o : opts_.objectives) {
    double lo = 0, hi = 1;
    if (o == "mcc") hi = 2;
    if (o == "params") {
      lo = static_cast<double>(parameterCount(c, space_.smallest()));
      hi = static_cast<double>(parameterCount(c));
    }
    if (o == "flops") {
      lo = static_cast<double>(flopCount(c, space_.smallest(), opts_.eval.latency.seqLen));
      hi = static_cast<double>(flopCount(c, SubNetwork::full(c), opts_.eval.latency.seqLen));
    }
    if (o == "latency") hi = 0;  // set in run()
    norm_.lo.push_back(lo);
    norm_.hi.push_back(hi);
  }
  // What the log header records of this run (the caller gave the data part).
  if (header_.model.empty()) header_.model = model_->directory();
  header_.modelChecksum = model_->checksum();
  header_.space = space_.toJson();
  header_.strategy = opts_.strategy;
  header_.seed = opts_.seed;
  header_.objectives = opts_.objectives;
  header_.trials = opts_.trials;
  header_.multiFidelity = opts_.multiFidelity;
  header_.precision = precisionName(opts_.eval.precision);
  header_.confirmFp32 = confirming();
  header_.flopsLength = opts_.eval.latency.seqLen;
  header_.devices = devices_;
  header_.completion = opts_.completion;
  header_.constraints = constraintTexts(opts_.constraints);
  if (header_.validationExamples == 0)
    header_.validationExamples = static_cast<int64_t>(data_->size());
  if (header_.chanceError < 0) header_.chanceError = majorityError(data_->labels());
}

SearchRunner::~SearchRunner() {
  cancel();
}

// cancel, pause and resume take no lock; paused workers poll.
void SearchRunner::cancel() {
  cancel_.store(true);
  pauseCv_.notify_all();
}

void SearchRunner::pause() {
  paused_.store(true);
}

void SearchRunner::resume() {
  paused_.store(false);
  pauseCv_.notify_all();
}

std::vector<Trial> SearchRunner::trials() const {
  std::lock_guard<std::mutex> lk(mu_);
  return trials_;
}

std::vector<int64_t> SearchRunner::frontIds() const {
  std::lock_guard<std::mutex> lk(mu_);
  return front_;
}

SearchProgress SearchRunner::progress() const {
  std::lock_guard<std::mutex> lk(mu_);
  return progressLocked();
}

Normalizer SearchRunner::normalizer() const {
  std::lock_guard<std::mutex> lk(mu_);
  return norm_;
}

std::optional<Trial> SearchRunner::reference() const {
  std::lock_guard<std::mutex> lk(mu_);
  return reference_;
}

std::vector<ExecRates> SearchRunner::execRates() const {
  std::lock_guard<std::mutex> lk(mu_);
  return rates_;
}

json SearchRunner::execRatesJson() const {
  const auto rates = execRates();
  json out = json::object();
  for (size_t i = 0; i < rates.size(); ++i)
    if (rates[i].measured())
      out[devices_[i]] = {{"sliced_gflops", rates[i].sliced / 1e9},
                          {"masked_gflops", rates[i].masked / 1e9}};
  return out;
}

RunHeader SearchRunner::header() const {
  std::lock_guard<std::mutex> lk(mu_);
  return header_;
}

StopKind SearchRunner::stopKind() const {
  std::lock_guard<std::mutex> lk(mu_);
  return stopKind_;
}

std::string SearchRunner::stopReason() const {
  std::lock_guard<std::mutex> lk(mu_);
  return stopReason_;
}

std::vector<SearchWarning> SearchRunner::warnings() const {
  std::lock_guard<std::mutex> lk(mu_);
  return warnings_;
}

void SearchRunner::queueLocked(std::function<void()> event) {
  pending_.push_back(std::move(event));
}

void SearchRunner::warnLocked(SearchWarning::Kind kind, const std::string& message) {
  SearchWarning w{kind, message};
  warnings_.push_back(w);
  if (events_.warning) queueLocked([this, w] { events_.warning(w); });
}

// Whoever holds eventMu_ drains the queue, so events run one at a time and
// in the order they were queued, with mu_ released while each runs.
void SearchRunner::deliverEvents() {
  std::lock_guard<std::mutex> serial(eventMu_);
  while (true) {
    std::function<void()> event;
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (pending_.empty()) return;
      event = std::move(pending_.front());
      pending_.pop_front();
    }
    try {
      event();
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lk(mu_);
      warnings_.push_back({SearchWarning::Kind::CallbackFailed,
                           std::string("an event handler failed: ") + firstLine(e.what())});
    } catch (...) {
      std::lock_guard<std::mutex> lk(mu_);
      warnings_.push_back({SearchWarning::Kind::CallbackFailed, "an event handler failed"});
    }
  }
}

void SearchRunner::stopLocked(StopKind kind, const std::string& reason) {
  if (stopKind_ != StopKind::None) return;
  stopKind_ = kind;
  stopReason_ = reason;
}

namespace {
// gemmChoiceLine where a worker runs on the CPU, else "".
std::string cpuGemmLine(const ModelConfig& c, const std::vector<std::string>& devices,
                        Precision p) {
  const bool cpu = std::find(devices.begin(), devices.end(), "cpu") != devices.end();
  return cpu ? gemmChoiceLine(c, precisionName(p)) : std::string();
}
}  // namespace

void SearchRunner::prepareRun() {
  const auto& c = model_->config();
  // The products' backend (measured once per machine, then cached) before any trial is timed.
  const std::string gemm = cpuGemmLine(c, devices_, opts_.eval.precision);
  const std::string& logPath = opts_.logPath;
  std::optional<LogContents> prev;
  if (opts_.resume && !logPath.empty() && fileutil::exists(logPath)) {
    prev = readRunLog(logPath, &c);
    // Refuse a log of another run before any evaluation.
    prev->header.checkResumable(header_, logPath);
  }
  std::optional<Trial> ref;
  if (prev) ref = prev->header.referenceTrial(c);
  if (!ref && opts_.evaluateReference) {
    // The full model, for comparisons (chart marker, "-62% parameters, +1.3 points").
    Trial full = evaluateTrial(-1, SubNetwork::full(c), -1);
    if (cancel_) return;
    if (!full.ok()) throw Error("the full model cannot be evaluated: " + full.error);
    ref = full;
  }
  checkConstraintsUsable(opts_.constraints, ref ? &*ref : nullptr);
  // Sliced or masked per trial, whichever these rates predict faster.
  std::vector<ExecRates> rates(devices_.size());
  if (opts_.eval.mode == ExecMode::Auto)
    for (size_t i = 0; i < devices_.size() && !cancel_; ++i) {
      EvalOptions eo = opts_.eval;
      eo.device = devices_[i];
      rates[i] = measureExecRates(*model_, *data_, eo);
    }
  double latencyHi = 0;
  for (const auto& o : opts_.objectives)
    if (o == "latency")
      latencyHi = measureLatency(*model_, SubNetwork::full(c), opts_.eval.latency).medianMs;

  std::lock_guard<std::mutex> lk(mu_);
  reference_ = ref;
  rates_ = rates;
  if (!gemm.empty()) header_.extra["gemm"] = gemm;
  if (ref) header_.reference = ref->toJson();
  if (opts_.eval.mode == ExecMode::Auto) {
    json rj = json::object();
    for (size_t i = 0; i < rates_.size(); ++i)
      if (rates_[i].measured())
        rj[devices_[i]] = {{"sliced_gflops", rates_[i].sliced / 1e9},
                           {"masked_gflops", rates_[i].masked / 1e9}};
    header_.execRates = rj;
  }
  for (size_t i = 0; i < opts_.objectives.size(); ++i)
    if (opts_.objectives[i] == "latency") norm_.hi[i] = latencyHi;
  if (reference_ && events_.referenceEvaluated) {
    const Trial t = *reference_;
    queueLocked([this, t] { events_.referenceEvaluated(t); });
  }
  if (prev) {
    for (const auto& w : prev->warnings) warnLocked(SearchWarning::Kind::LogLineSkipped, w);
    for (const auto& t : prev->trials) {
      trials_.push_back(t);
      seen_.insert(t.subnet.key());
      nextId_ = std::max(nextId_, t.id + 1);
      if (opts_.completion.convergenceWindow > 0) {
        updateFrontLocked();
        hvHistory_.push_back(hv_);
      }
    }
    // A fresh random stream for this session: replaying the first one from
    // a guessed position would re-propose what was already evaluated.
    if (!prev->trials.empty())
      rng_ = std::make_unique<Rng>(
          splitmix64(opts_.seed ^ splitmix64(static_cast<uint64_t>(prev->trials.size()))));
  }
  if (!logPath.empty()) {
    log_ = std::make_unique<RunLog>();
    if (prev)
      log_->reopen(logPath, prev->validBytes);
    else
      log_->create(logPath, header_,
                   RunLog::Create::CreateNew);  // checked absent: never over a link
  }
  updateFrontLocked();
}

void SearchRunner::applyThreadBudget() const {
  const int budget = opts_.threads > 0 ? opts_.threads : hardwareThreads();
  useComputeThreads(ComputeUse::Evaluation, std::max(1, budget / std::max(1, opts_.workers)));
}

void SearchRunner::run() {
  applyThreadBudget();
  {
    std::lock_guard<std::mutex> lk(mu_);
    start_ = std::chrono::steady_clock::now();
  }
  prepareRun();
  deliverEvents();
  if (!cancel_) {
    std::vector<std::thread> workers;
    for (int w = 0; w < opts_.workers; ++w) workers.emplace_back([this, w] { workerLoop(w); });
    for (auto& t : workers) t.join();
  }
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (cancel_)
      stopLocked(StopKind::Cancelled, "cancelled");
    else if (static_cast<int64_t>(trials_.size()) >= opts_.trials)
      stopLocked(StopKind::TrialsDone, "all trials done");
    else
      stopLocked(StopKind::BudgetSpent, "time budget spent");
    if (log_ && log_->isOpen()) {
      try {
        log_->appendStop(stopKindName(stopKind_), stopReason_);
      } catch (const std::exception& e) {
        warnLocked(SearchWarning::Kind::LogWriteFailed, e.what());
      }
    }
    if (log_) log_->close();
  }
  deliverEvents();
}

bool SearchRunner::shouldStopLocked() const {
  if (cancel_) return true;
  if (static_cast<int64_t>(trials_.size()) + inFlight_ >= opts_.trials) return true;
  if (stopKind_ != StopKind::None) return true;
  if (opts_.budgetSeconds > 0 &&
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count() >=
          opts_.budgetSeconds)
    return true;
  return false;
}

History SearchRunner::historyLocked() const {
  History h;
  for (const auto& t : trials_)
    if (t.ok() && t.fidelity >= 1.0) {
      h.subnets.push_back(t.subnet);
      h.objectives.push_back(objectiveVector(t, opts_.objectives));
      if (!opts_.constraints.empty())
        h.violations.push_back(
            violation(opts_.constraints, t, reference_ ? &*reference_ : nullptr));
    }
  return h;
}

// The strategy first; when it keeps proposing what was seen (a model-based
// strategy out of new neighbours), random samples of the space; exhaustion
// is declared only when counting the space proves it. A proposal must also
// meet the constraints known before evaluation (shape_): one that misses
// them counts as seen, so the strategy proposes again (a new sample, a new
// mutation) and no evaluation is spent on it.
bool SearchRunner::proposeLocked(SubNetwork& s) {
  const History h = historyLocked();
  auto fresh = [&](const SubNetwork& x) { return !seen_.count(x.key()) && shape_.met(x); };
  try {
    for (int i = 0; i < kStrategyAttempts; ++i) {
      s = strategy_->propose(h, *rng_);
      if (fresh(s)) return true;
    }
  } catch (const std::exception& e) {
    stopLocked(StopKind::StrategyFailed,
               std::string("the strategy failed: ") + firstLine(e.what()));
    return false;
  }
  for (int i = 0; i < kSampleAttempts; ++i) {
    s = space_.sample(*rng_);
    if (fresh(s)) return true;
  }
  const std::string meets = shape_.empty() ? std::string() : " meeting " + shape_.text();
  if (space_.size() <= kCountableSpace) {
    // Count: a uniformly chosen unseen member, or proof there is none.
    int64_t unseen = 0, meeting = 0;
    space_.forEachMember([&](const SubNetwork& m) {
      if (!shape_.met(m)) return true;
      ++meeting;
      if (!seen_.count(m.key()) && rng_->index(static_cast<size_t>(++unseen)) == 0) s = m;
      return true;
    });
    if (unseen > 0) return true;
    if (meeting == 0) {  // each limit reachable alone, not all together
      stopLocked(StopKind::SpaceExhausted,
                 "no sub-network of the space meets " + shape_.text() + " together");
      return false;
    }
    stopLocked(StopKind::SpaceExhausted, "every sub-network of the space" + meets +
                                             " has been evaluated (" +
                                             std::to_string(seen_.size()) + ")");
    return false;
  }
  for (int i = 0; i < kExtraSamples; ++i) {
    s = space_.sample(*rng_);
    if (fresh(s)) return true;
  }
  stopLocked(StopKind::NoNewFound, "no new sub-network" + meets + " in " +
                                       std::to_string(kSampleAttempts + kExtraSamples) +
                                       " random samples of the space");
  return false;
}

void SearchRunner::workerLoop(int worker) {
  try {
    while (true) {
      SubNetwork s;
      int64_t id = 0;
      {
        std::unique_lock<std::mutex> lk(mu_);
        while (paused_ && !cancel_) pauseCv_.wait_for(lk, std::chrono::milliseconds(50));
        if (shouldStopLocked() || !proposeLocked(s)) break;
        seen_.insert(s.key());
        id = nextId_++;
        ++inFlight_;
        if (events_.trialStarted)
          queueLocked([this, id, s, worker] { events_.trialStarted(id, s, worker); });
      }
      deliverEvents();
      Trial t = evaluateTrial(id, s, worker);
      {
        std::lock_guard<std::mutex> lk(mu_);
        --inFlight_;
        if (cancel_ && t.status != Trial::Status::Failed && t.evalSeconds < 0) {
          seen_.erase(s.key());  // interrupted: not a result
        } else {
          record(t);
        }
      }
      deliverEvents();
    }
  } catch (const std::exception& e) {
    std::lock_guard<std::mutex> lk(mu_);
    stopLocked(StopKind::InternalError, std::string("a worker failed: ") + firstLine(e.what()));
  }
  deliverEvents();
}

void SearchRunner::record(const Trial& t) {
  trials_.push_back(t);
  ++doneThisSession_;
  if (log_ && log_->isOpen()) {
    try {
      log_->append(t);
    } catch (const std::exception& e) {
      // Keep every trial in memory; the caller can save them elsewhere.
      log_->close();
      warnLocked(SearchWarning::Kind::LogWriteFailed,
                 std::string(e.what()) + "; later trials are kept in memory only");
    }
  }
  if (events_.trialFinished) queueLocked([this, t] { events_.trialFinished(t); });
  if (updateFrontLocked() && events_.frontChanged) {
    const auto front = front_;
    queueLocked([this, front] { events_.frontChanged(front); });
  }
  hvHistory_.push_back(hv_);
  checkCompletionLocked();
  if (events_.progress) {
    const SearchProgress p = progressLocked();
    queueLocked([this, p] { events_.progress(p); });
  }
}

void SearchRunner::checkCompletionLocked() {
  const CompletionCriteria& c = opts_.completion;
  if (!c.any() || stopKind_ != StopKind::None) return;
  std::optional<CompletionStop> stop = convergenceStop(c, hvHistory_);
  if (!stop && reference_) stop = targetStop(c, trials_, *reference_, header_.metric);
  if (stop)
    stopLocked(
        stop->kind == CompletionStop::Kind::Converged ? StopKind::Converged : StopKind::TargetMet,
        stop->reason);
}

bool SearchRunner::updateFrontLocked() {
  std::vector<int64_t> front;
  std::vector<Point> frontPts;
  const Trial* ref = reference_ ? &*reference_ : nullptr;
  for (size_t i : feasibleParetoTrials(trials_, opts_.objectives, opts_.constraints, ref)) {
    front.push_back(trials_[i].id);
    frontPts.push_back(objectiveVector(trials_[i], opts_.objectives));
  }
  hv_ = normalizedHypervolume(frontPts, norm_);
  frontPoints_ = frontPts;
  if (front == front_) return false;
  front_ = std::move(front);
  return true;
}

SearchProgress SearchRunner::progressLocked() const {
  SearchProgress p;
  p.done = static_cast<int64_t>(trials_.size());
  p.total = opts_.trials;
  for (const auto& t : trials_) p.failed += t.status == Trial::Status::Failed;
  p.elapsedSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  p.trialsPerMinute =
      p.elapsedSeconds > 0 ? 60.0 * static_cast<double>(doneThisSession_) / p.elapsedSeconds : 0;
  p.etaSeconds =
      p.trialsPerMinute > 0
          ? 60.0 * static_cast<double>(std::max<int64_t>(0, p.total - p.done)) / p.trialsPerMinute
          : 0;
  p.frontSize = front_.size();
  p.hypervolume = hv_;
  return p;
}

}  // namespace pp
