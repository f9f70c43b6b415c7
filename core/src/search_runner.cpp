#include "paretoprune/search_runner.h"

#include <algorithm>
#include <cmath>

#include "file_util.h"
#include "paretoprune/error.h"
#include "paretoprune/metrics.h"
#include "paretoprune/model.h"
#include "paretoprune/run_log.h"

namespace pp {

using nlohmann::json;

SearchRunner::SearchRunner(std::shared_ptr<const Model> model, std::shared_ptr<const EncodedData> validation,
                           SearchSpace space, SearchOptions opts, SearchEvents events, json runInfo)
    : model_(std::move(model)),
      data_(std::move(validation)),
      space_(std::move(space)),
      opts_(std::move(opts)),
      events_(std::move(events)),
      runInfo_(std::move(runInfo)) {
  if (!model_ || !data_) throw Error("search: no model or no validation data");
  if (data_->size() == 0) throw Error("search: the validation set is empty");
  if (opts_.trials < 0) throw Error("search: the number of trials must not be negative");
  for (const auto& o : opts_.objectives)
    if (!isObjective(o)) throw Error("search: unknown objective \"" + o + "\"");
  strategy_ = makeStrategy(opts_.strategy, space_, opts_.strategyOptions);
  rng_ = std::make_unique<Rng>(opts_.seed);
  devices_ = resolveDevices(opts_.device);
  const bool gpus = devices_.front() != "cpu";
  // One worker per CUDA device (each on its device's stream); on the CPU,
  // workers share the cores (docs/performance.md).
  if (opts_.workers <= 0) opts_.workers = gpus ? static_cast<int>(devices_.size()) : std::max(1, hardwareThreads() / 2);
  opts_.eval.device = opts_.eval.latency.device = devices_.front();
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
}

SearchRunner::~SearchRunner() { cancel(); }

// cancel, pause and resume take no lock, so event callbacks (which run with
// the runner's mutex held) may call them; paused workers poll.
void SearchRunner::cancel() {
  cancel_.store(true);
  pauseCv_.notify_all();
}

void SearchRunner::pause() { paused_.store(true); }

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

std::optional<Trial> SearchRunner::reference() const {
  std::lock_guard<std::mutex> lk(mu_);
  return reference_;
}

json SearchRunner::execRatesJson() const {
  json out = json::object();
  for (size_t i = 0; i < rates_.size(); ++i)
    if (rates_[i].measured())
      out[devices_[i]] = {{"sliced_gflops", rates_[i].sliced / 1e9}, {"masked_gflops", rates_[i].masked / 1e9}};
  return out;
}

std::string SearchRunner::stopReason() const {
  std::lock_guard<std::mutex> lk(mu_);
  return stopReason_;
}

void SearchRunner::run() {
  start_ = std::chrono::steady_clock::now();
  const auto& c = model_->config();
  json header = {{"paretoprune_log", 1},
                 {"model", model_->directory()},
                 {"model_checksum", model_->checksum()},
                 {"space", space_.toJson()},
                 {"strategy", opts_.strategy},
                 {"seed", opts_.seed},
                 {"objectives", opts_.objectives},
                 {"trials", opts_.trials},
                 {"multi_fidelity", opts_.multiFidelity},
                 {"devices", devices_}};
  for (auto it = runInfo_.begin(); it != runInfo_.end(); ++it) header[it.key()] = it.value();
  std::optional<LogContents> prev;
  if (opts_.resume && !opts_.logPath.empty() && fileutil::exists(opts_.logPath)) {
    prev = readRunLog(opts_.logPath, &c);
    // Refuse a log of another run before any evaluation.
    if (prev->header.value("model_checksum", std::string()) != model_->checksum())
      throw Error(opts_.logPath + ": the log was written for another model (checksum " +
                  prev->header.value("model_checksum", std::string("?")) + ", this model " + model_->checksum() + ")");
    if (prev->header.contains("space") && prev->header["space"] != space_.toJson())
      throw Error(opts_.logPath + ": the log used another search space (" + prev->header["space"].dump() + ")");
  }
  if (prev && prev->header.contains("reference")) {
    reference_ = Trial::fromJson(prev->header["reference"], c);
  } else if (opts_.evaluateReference) {
    // The full model, for comparisons (chart marker, "-62% parameters, +1.3 points").
    Trial ref = evaluateTrial(-1, SubNetwork::full(c), -1);
    if (cancel_) return;
    if (!ref.ok()) throw Error("the full model cannot be evaluated: " + ref.error);
    reference_ = ref;
    header["reference"] = ref.toJson();
  }
  if (reference_ && events_.referenceEvaluated) events_.referenceEvaluated(*reference_);
  // Sliced or masked per trial, whichever these rates predict faster.
  rates_.assign(devices_.size(), ExecRates{});
  if (opts_.eval.mode == ExecMode::Auto) {
    for (size_t i = 0; i < devices_.size() && !cancel_; ++i) {
      EvalOptions eo = opts_.eval;
      eo.device = devices_[i];
      rates_[i] = measureExecRates(*model_, *data_, eo);
    }
    header["exec_rates"] = execRatesJson();
  }
  if (!opts_.logPath.empty()) {
    log_ = std::make_unique<RunLog>();
    if (prev) {
      for (const auto& w : prev->warnings)
        if (events_.warning) events_.warning(w);
      for (const auto& t : prev->trials) {
        trials_.push_back(t);
        seen_.insert(t.subnet.key());
        nextId_ = std::max(nextId_, t.id + 1);
      }
      // The strategy's random stream continues where the log left it.
      for (size_t i = 0; i < prev->trials.size(); ++i) rng_->next();
      log_->reopen(opts_.logPath, prev->validBytes);
    } else {
      log_->create(opts_.logPath, header);
    }
  }
  {
    std::lock_guard<std::mutex> lk(mu_);
    updateFrontLocked();
  }
  for (size_t i = 0; i < opts_.objectives.size(); ++i)
    if (opts_.objectives[i] == "latency") {
      norm_.hi[i] = measureLatency(*model_, SubNetwork::full(c), opts_.eval.latency).medianMs;
    }
  std::vector<std::thread> workers;
  for (int w = 0; w < opts_.workers; ++w) workers.emplace_back([this, w] { workerLoop(w); });
  for (auto& t : workers) t.join();
  std::lock_guard<std::mutex> lk(mu_);
  if (stopReason_.empty()) {
    if (cancel_) stopReason_ = "cancelled";
    else if (static_cast<int64_t>(trials_.size()) >= opts_.trials) stopReason_ = "all trials done";
    else stopReason_ = "time budget spent";
  }
  if (log_) log_->close();
}

bool SearchRunner::shouldStopLocked() const {
  if (cancel_) return true;
  if (static_cast<int64_t>(trials_.size()) + inFlight_ >= opts_.trials) return true;
  if (!stopReason_.empty()) return true;
  if (opts_.budgetSeconds > 0 &&
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count() >= opts_.budgetSeconds)
    return true;
  return false;
}

History SearchRunner::historyLocked() const {
  History h;
  for (const auto& t : trials_)
    if (t.ok() && t.fidelity >= 1.0) {
      h.subnets.push_back(t.subnet);
      h.objectives.push_back(objectiveVector(t, opts_.objectives));
    }
  return h;
}

void SearchRunner::workerLoop(int worker) {
  while (true) {
    SubNetwork s;
    int64_t id = 0;
    {
      std::unique_lock<std::mutex> lk(mu_);
      while (paused_ && !cancel_) pauseCv_.wait_for(lk, std::chrono::milliseconds(50));
      if (shouldStopLocked()) return;
      History h = historyLocked();
      bool found = false;
      try {
        for (int attempt = 0; attempt < 400 && !found; ++attempt) {
          s = attempt < 200 ? strategy_->propose(h, *rng_) : space_.sample(*rng_);
          found = !seen_.count(s.key());
        }
      } catch (const std::exception& e) {
        stopReason_ = std::string("the strategy failed: ") + e.what();
        return;
      }
      if (!found) {
        stopReason_ = "every sub-network of the space the strategy reaches has been evaluated";
        return;
      }
      seen_.insert(s.key());
      id = nextId_++;
      ++inFlight_;
      if (events_.trialStarted) events_.trialStarted(id, s, worker);
    }
    Trial t = evaluateTrial(id, s, worker);
    std::lock_guard<std::mutex> lk(mu_);
    --inFlight_;
    if (cancel_ && t.status != Trial::Status::Failed && t.evalSeconds < 0) {
      seen_.erase(s.key());  // interrupted: not a result
      continue;
    }
    record(t);
  }
}

Trial SearchRunner::evaluateTrial(int64_t id, const SubNetwork& s, int worker) {
  Trial t;
  t.id = id;
  t.subnet = s;
  t.worker = worker;
  const auto t0 = std::chrono::steady_clock::now();
  auto fill = [&](const EvalResult& r) {
    t.errorRate = r.metrics.error;
    t.accuracy = r.metrics.accuracy;
    t.mcc = r.metrics.mcc;
    t.f1 = r.metrics.f1;
    t.params = r.params;
    t.flops = r.flops;
    t.latencyMs = r.latency.medianMs;
    t.latencyP95Ms = r.latency.p95Ms;
    t.mode = execModeName(r.modeUsed);
  };
  try {
    EvalOptions eo = opts_.eval;
    const size_t dev = static_cast<size_t>(std::max(worker, 0)) % devices_.size();
    eo.device = eo.latency.device = devices_[dev];
    if (dev < rates_.size()) eo.rates = rates_[dev];
    if (opts_.multiFidelity && opts_.lowFidelity < 1.0) {
      const int64_t n = static_cast<int64_t>(data_->size());
      EvalOptions low = eo;
      low.maxExamples = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(opts_.lowFidelity * static_cast<double>(n))));
      EvalResult r = evaluate(*model_, s, *data_, low, &cancel_);
      fill(r);
      // Could it still reach the front? Optimistic error: two standard errors below the estimate.
      const double m = static_cast<double>(r.metrics.count);
      const double e = r.metrics.error;
      Trial optimistic = t;
      optimistic.errorRate = std::max(0.0, e - 2.0 * std::sqrt(std::max(e * (1 - e), 1e-4) / std::max(m, 1.0)));
      std::vector<Point> front;
      {
        std::lock_guard<std::mutex> lk(mu_);
        for (const auto& ft : trials_)
          if (std::find(front_.begin(), front_.end(), ft.id) != front_.end())
            front.push_back(objectiveVector(ft, opts_.objectives));
      }
      const Point p = objectiveVector(optimistic, opts_.objectives);
      bool hopeless = false;
      for (const auto& f : front) hopeless = hopeless || dominates(f, p);
      if (hopeless) {
        t.status = Trial::Status::Stopped;
        t.fidelity = m / static_cast<double>(n);
        t.evalSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (cancel_) t.evalSeconds = -1;
        return t;
      }
      // Finish it: only the examples the low fidelity did not cover.
      EvalOptions rest = eo;
      rest.measureLatency = false;  // already measured
      rest.skipExamples = low.maxExamples;
      EvalResult r2 = evaluate(*model_, s, *data_, rest, &cancel_);
      std::vector<int64_t> pred, truth;
      for (size_t i = 0; i < data_->size(); ++i) {
        const int64_t p = r.predictions[i] >= 0 ? r.predictions[i] : r2.predictions[i];
        if (p < 0) continue;
        pred.push_back(p);
        truth.push_back(data_->labels()[i]);
      }
      r2.metrics = classificationMetrics(pred, truth, model_->config().numLabels());
      r2.latency = r.latency;
      fill(r2);
      t.status = Trial::Status::Ok;
      t.fidelity = 1.0;
      t.evalSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (cancel_) t.evalSeconds = -1;
      return t;
    }
    EvalResult r = evaluate(*model_, s, *data_, eo, &cancel_);
    fill(r);
    t.status = Trial::Status::Ok;
    t.fidelity = 1.0;
  } catch (const std::exception& e) {
    t.status = Trial::Status::Failed;
    t.error = e.what();
    // Keep the message to its first line: LibTorch appends backtraces.
    const size_t nl = t.error.find('\n');
    if (nl != std::string::npos) t.error.resize(nl);
  } catch (...) {
    t.status = Trial::Status::Failed;
    t.error = "unknown error";
  }
  t.evalSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (cancel_ && t.status != Trial::Status::Failed) t.evalSeconds = -1;  // interrupted mid-way
  return t;
}

void SearchRunner::record(const Trial& t) {
  trials_.push_back(t);
  ++doneThisSession_;
  if (log_ && log_->isOpen()) {
    try {
      log_->append(t);
    } catch (const Error& e) {
      // Keep every trial in memory; the caller can save them elsewhere.
      log_->close();
      if (events_.warning)
        events_.warning(std::string(e.what()) + "; later trials are kept in memory only");
    }
  }
  if (events_.trialFinished) events_.trialFinished(t);
  if (updateFrontLocked() && events_.frontChanged) events_.frontChanged(front_);
  if (events_.progress) events_.progress(progressLocked());
}

bool SearchRunner::updateFrontLocked() {
  std::vector<int64_t> front;
  std::vector<Point> frontPts;
  for (size_t i : paretoTrials(trials_, opts_.objectives)) {
    front.push_back(trials_[i].id);
    frontPts.push_back(objectiveVector(trials_[i], opts_.objectives));
  }
  hv_ = normalizedHypervolume(frontPts, norm_);
  if (front == front_) return false;
  front_ = std::move(front);
  return true;
}

SearchProgress SearchRunner::progressLocked() const {
  SearchProgress p;
  p.done = static_cast<int64_t>(trials_.size());
  p.total = opts_.trials;
  for (const auto& t : trials_) p.failed += t.status == Trial::Status::Failed;
  p.elapsedSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  p.trialsPerMinute = p.elapsedSeconds > 0 ? 60.0 * static_cast<double>(doneThisSession_) / p.elapsedSeconds : 0;
  p.etaSeconds = p.trialsPerMinute > 0 ? 60.0 * static_cast<double>(std::max<int64_t>(0, p.total - p.done)) / p.trialsPerMinute : 0;
  p.frontSize = front_.size();
  p.hypervolume = hv_;
  return p;
}

}  // namespace pp
