// SearchRunner: evaluates sub-networks proposed by a strategy on background
// worker threads that share one read-only model, records every trial in the
// run log, and reports events as they happen. No exception leaves a worker:
// a failing trial is recorded as failed and the search goes on.
#pragma once
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include <chrono>

#include "paretoprune/evaluator.h"
#include "paretoprune/pareto.h"
#include "paretoprune/rng.h"
#include "paretoprune/search_space.h"
#include "paretoprune/strategy.h"
#include "paretoprune/trial.h"

namespace pp {

class Model;
class RunLog;

struct SearchOptions {
  std::string strategy = "random";
  StrategyOptions strategyOptions;
  int64_t trials = 100;         // the run's total, resumed trials included
  double budgetSeconds = 0;     // wall-clock budget of this session (0: none)
  int workers = 0;              // 0: chosen for the machine (one per CUDA device on GPUs)
  std::string device = "auto";  // auto, cpu, cuda, cuda:N (see resolveDevices)
  uint64_t seed = 0;
  std::vector<std::string> objectives = {"error", "params"};
  EvalOptions eval;
  bool multiFidelity = false;   // first a share of the validation set, the rest only if it could reach the front
  double lowFidelity = 0.3;
  bool evaluateReference = true;  // evaluate the full model first (the "reference" in the log header)
  std::string logPath;          // empty: no log
  bool resume = false;
};

struct SearchProgress {
  int64_t done = 0, total = 0, failed = 0;
  double elapsedSeconds = 0;
  double trialsPerMinute = 0;
  double etaSeconds = 0;
  size_t frontSize = 0;
  double hypervolume = 0;
};

// Callbacks run on worker threads, one at a time (serialised by the runner),
// except referenceEvaluated, which run() calls on its own thread, no lock held.
struct SearchEvents {
  std::function<void(const Trial&)> referenceEvaluated;  // the full model (id -1)
  std::function<void(int64_t id, const SubNetwork&, int worker)> trialStarted;
  std::function<void(const Trial&)> trialFinished;  // ok, failed and stopped trials
  std::function<void(const SearchProgress&)> progress;
  std::function<void(const std::vector<int64_t>& frontIds)> frontChanged;
  std::function<void(const std::string& warning)> warning;
};

class SearchRunner {
 public:
  SearchRunner(std::shared_ptr<const Model> model, std::shared_ptr<const EncodedData> validation,
               SearchSpace space, SearchOptions opts, SearchEvents events = {},
               nlohmann::json runInfo = nlohmann::json::object());
  ~SearchRunner();

  // Runs the search to its end (trials, budget or cancel); blocks the caller.
  // Throws pp::Error only for set-up problems (bad strategy, unreadable log).
  void run();
  void cancel();  // safe from any thread, event callbacks included
  void pause();   // workers finish their trial, then wait
  void resume();
  bool cancelled() const { return cancel_.load(); }

  std::vector<Trial> trials() const;  // a copy, in completion order
  std::vector<int64_t> frontIds() const;
  SearchProgress progress() const;
  // Normalisation used for the hypervolume (docs/search.md).
  const Normalizer& normalizer() const { return norm_; }
  std::string stopReason() const;
  // The full model's trial (id -1), once run() has evaluated it or read it
  // from the resumed log; nullopt without evaluateReference.
  std::optional<Trial> reference() const;
  const std::vector<std::string>& devices() const { return devices_; }  // worker w runs on devices()[w % size]
  int workers() const { return opts_.workers; }  // as chosen at construction
  // Per device (as devices()), measured by run() before the workers start
  // when the execution mode is auto: what each trial's mode is picked by.
  const std::vector<ExecRates>& execRates() const { return rates_; }
  // The same as the log header's "exec_rates": {device: {sliced_gflops, masked_gflops}}.
  nlohmann::json execRatesJson() const;

 private:
  void workerLoop(int worker);
  Trial evaluateTrial(int64_t id, const SubNetwork& s, int worker);
  void record(const Trial& t);  // with mu_ held
  bool updateFrontLocked();     // front_ and hv_ from trials_; true if the front changed
  History historyLocked() const;
  SearchProgress progressLocked() const;
  bool shouldStopLocked() const;

  std::shared_ptr<const Model> model_;
  std::shared_ptr<const EncodedData> data_;
  SearchSpace space_;
  SearchOptions opts_;
  SearchEvents events_;
  nlohmann::json runInfo_;
  std::unique_ptr<Strategy> strategy_;
  std::unique_ptr<RunLog> log_;
  Normalizer norm_;

  mutable std::mutex mu_;
  std::condition_variable pauseCv_;
  std::atomic<bool> cancel_{false};
  std::atomic<bool> paused_{false};
  std::vector<Trial> trials_;
  std::set<std::string> seen_;  // finished and in flight
  int64_t nextId_ = 0;
  int64_t inFlight_ = 0;
  int64_t doneThisSession_ = 0;
  std::vector<int64_t> front_;
  double hv_ = 0;
  std::string stopReason_;
  std::chrono::steady_clock::time_point start_;
  std::unique_ptr<Rng> rng_;
  std::optional<Trial> reference_;
  std::vector<std::string> devices_;
  std::vector<ExecRates> rates_;
};

}  // namespace pp
