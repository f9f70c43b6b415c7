// SearchRunner: evaluates sub-networks proposed by a strategy on background
// worker threads that share one read-only model, records every trial in the
// run log, and reports events as they happen. No exception leaves a worker:
// a failing trial is recorded as failed, a failing callback or log write
// becomes a warning, and the search goes on.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "paretoprune/base/pareto.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/search/completion.h"
#include "paretoprune/search/constraint.h"
#include "paretoprune/search/run_header.h"
#include "paretoprune/search/search_space.h"
#include "paretoprune/search/shape_constraints.h"
#include "paretoprune/search/strategy.h"
#include "paretoprune/search/trial.h"

namespace pp {

class Model;
class RunLog;

struct SearchOptions {
  std::string strategy = "random";
  StrategyOptions strategyOptions;
  int64_t trials = 100;         // the run's total, resumed trials included
  double budgetSeconds = 0;     // wall-clock budget of this session (0: none)
  int workers = 0;              // 0: chosen for the machine (one per CUDA device on GPUs)
  int threads = 0;              // CPU threads the workers share (0: all); run() applies them
  std::string device = "auto";  // auto, cpu, cuda, cuda:N (see resolveDevices)
  uint64_t seed = 0;
  std::vector<std::string> objectives = {"error", "params"};
  EvalOptions eval;
  bool multiFidelity =
      false;  // first a share of the validation set, the rest only if it could reach the front
  double lowFidelity = 0.3;
  bool evaluateReference =
      true;             // evaluate the full model first (the "reference" in the log header)
  std::string logPath;  // empty: no log
  bool resume = false;
  CompletionCriteria completion;  // stop early: convergence, target (completion.h)
  // Hard limits (constraint.h): strategies rank by constrained domination,
  // and the front, its hypervolume and frontChanged are the feasible set's.
  std::vector<Constraint> constraints;
  // With eval.precision bf16 (or fp16): a trial that could still reach the
  // front is measured again in fp32 before it counts, and the full model is
  // measured in fp32 (docs/search.md, "bf16 with fp32 confirmation").
  bool confirmFp32 = true;
};

struct SearchProgress {
  int64_t done = 0, total = 0, failed = 0;
  double elapsedSeconds = 0;
  double trialsPerMinute = 0;
  double etaSeconds = 0;
  size_t frontSize = 0;
  double hypervolume = 0;
};

// What a warning is about, so that a front end can act on it without
// reading its text.
struct SearchWarning {
  enum class Kind {
    LogLineSkipped,     // the resumed log's cut last line was dropped
    LogWriteFailed,     // the log cannot be written: later trials are kept in memory only
    CallbackFailed,     // an event callback threw; the search went on
    ValidationSeen,     // validation examples the model was trained on (PreparedSearch::warnings)
    ValidationSeenFew,  // the same, under kFewSeen of a validation file: said, not asked
    StudyRowRefused,    // a study's row was unreadable or not to be trusted: a failed trial
  };
  Kind kind;
  std::string message;
};

// Why a search ended.
enum class StopKind {
  None,            // still running, or never started
  TrialsDone,      // --trials reached
  BudgetSpent,     // --budget reached
  Cancelled,       // cancel()
  SpaceExhausted,  // every sub-network of the space has been evaluated (counted)
  NoNewFound,      // none new in many samples of a space too large to count
  StrategyFailed,  // the strategy threw
  InternalError,   // anything else that escaped a worker
  Converged,       // the hypervolume stalled (CompletionCriteria)
  TargetMet,       // a trial met the target (CompletionCriteria)
};
// "trials_done", "converged", ...: how the run log records it.
const char* stopKindName(StopKind k);

// Callbacks run one at a time, in order, on a worker thread or on the
// thread in run(), with none of the runner's locks held: they may call any
// method of the runner. An exception from a callback becomes a
// CallbackFailed warning.
struct SearchEvents {
  std::function<void(const Trial&)> referenceEvaluated;  // the full model (id -1)
  std::function<void(int64_t id, const SubNetwork&, int worker)> trialStarted;
  std::function<void(const Trial&)> trialFinished;  // ok, failed and stopped trials
  std::function<void(const SearchProgress&)> progress;
  std::function<void(const std::vector<int64_t>& frontIds)> frontChanged;
  std::function<void(const SearchWarning&)> warning;
};

struct PreparedSearch;

// One sub-network evaluated into a trial record: ok with its metrics, or
// failed with the reason (no exception escapes).
Trial evaluateAsTrial(const Model& m, const EncodedData& data, int64_t id, const SubNetwork& s,
                      const EvalOptions& eo, const std::atomic<bool>* cancel = nullptr);

class SearchRunner {
 public:
  // `header` carries the run's data description (DataSplit, fingerprint,
  // example count; see prepareSearch); the runner fills in the rest.
  SearchRunner(std::shared_ptr<const Model> model, std::shared_ptr<const EncodedData> validation,
               SearchSpace space, SearchOptions opts, SearchEvents events = {},
               RunHeader header = {});
  SearchRunner(const PreparedSearch& prepared, SearchEvents events = {});
  ~SearchRunner();

  // Runs the search to its end (trials, budget or cancel); blocks the caller.
  // Throws pp::Error only for set-up problems (bad strategy, unreadable log,
  // a log of another model, space or data).
  void run();
  // Puts the thread budget to work for this run's workers: each an
  // evaluation team of threads / workers threads (useComputeThreads).
  // run() calls it first; callers that print the machine's set-up before
  // may call it earlier.
  void applyThreadBudget() const;
  void cancel();  // safe from any thread, event callbacks included
  void pause();   // workers finish their trial, then wait
  void resume();
  bool cancelled() const { return cancel_.load(); }

  std::vector<Trial> trials() const;  // a copy, in completion order
  std::vector<int64_t> frontIds() const;
  SearchProgress progress() const;
  // Normalisation used for the hypervolume (docs/search.md).
  Normalizer normalizer() const;
  StopKind stopKind() const;
  std::string stopReason() const;  // a sentence for people, e.g. "all trials done"
  std::vector<SearchWarning> warnings() const;
  // The full model's trial (id -1), once run() has evaluated it or read it
  // from the resumed log; nullopt without evaluateReference.
  std::optional<Trial> reference() const;
  const std::vector<std::string>& devices() const {
    return devices_;
  }                                              // worker w runs on devices()[w % size]
  int workers() const { return opts_.workers; }  // as chosen at construction
  const SearchOptions& options() const { return opts_; }
  // Per device (as devices()), measured by run() before the workers start
  // when the execution mode is auto: what each trial's mode is picked by.
  std::vector<ExecRates> execRates() const;
  // The same as the log header's "exec_rates": {device: {sliced_gflops, masked_gflops}}.
  nlohmann::json execRatesJson() const;
  // The run's header as written to (or read from) the log.
  RunHeader header() const;

 private:
  void prepareRun();  // phase 1 of run(): resume, reference, rates, log
  void workerLoop(int worker);
  bool proposeLocked(SubNetwork& s);  // false: nothing new (stop reason set)
  Trial evaluateTrial(int64_t id, const SubNetwork& s, int worker);
  Trial evaluateScreened(Trial t, const SubNetwork& s, const EvalOptions& eo);
  bool dominatedByFront(const Trial& t) const;
  bool confirming() const;
  Trial confirmTrial(Trial t, const SubNetwork& s, EvalOptions eo);
  void record(const Trial& t);   // with mu_ held
  bool updateFrontLocked();      // front_ and hv_ from trials_; true if the front changed
  void checkCompletionLocked();  // the completion criteria after a trial
  History historyLocked() const;
  SearchProgress progressLocked() const;
  bool shouldStopLocked() const;
  void stopLocked(StopKind kind, const std::string& reason);
  void warnLocked(SearchWarning::Kind kind, const std::string& message);
  // Events: queued with mu_ held, delivered in order after it is released.
  void queueLocked(std::function<void()> event);
  void deliverEvents();

  // Set at construction, read-only afterwards.
  const std::shared_ptr<const Model> model_;
  const std::shared_ptr<const EncodedData> data_;
  const SearchSpace space_;
  SearchOptions opts_;
  const SearchEvents events_;
  std::vector<std::string> devices_;
  // The constraints counted from a sub-network's shape: proposals meet them.
  ShapeConstraints shape_;
  std::vector<size_t> screenBatches_,
      restBatches_;  // multi-fidelity split of the validation batches

  std::atomic<bool> cancel_{false};
  std::atomic<bool> paused_{false};

  // mu_ guards everything below it: the search's state, proposals and
  // recording. Held only to propose and to record, never while evaluating
  // or calling back.
  mutable std::mutex mu_;
  std::condition_variable pauseCv_;
  RunHeader header_;
  std::unique_ptr<Strategy> strategy_;
  std::unique_ptr<Rng> rng_;
  std::unique_ptr<RunLog> log_;
  Normalizer norm_;
  std::vector<ExecRates> rates_;
  std::optional<Trial> reference_;
  std::vector<Trial> trials_;
  std::set<std::string> seen_;  // finished and in flight
  int64_t nextId_ = 0;
  int64_t inFlight_ = 0;
  int64_t doneThisSession_ = 0;
  std::vector<int64_t> front_;
  std::vector<Point> frontPoints_;
  double hv_ = 0;
  std::vector<double> hvHistory_;  // after each trial, resumed ones included
  StopKind stopKind_ = StopKind::None;
  std::string stopReason_;
  std::vector<SearchWarning> warnings_;
  std::chrono::steady_clock::time_point start_;
  std::deque<std::function<void()>> pending_;  // events not yet delivered

  // eventMu_ serialises callbacks (taken before mu_, never while holding it).
  std::mutex eventMu_;
};

}  // namespace pp
