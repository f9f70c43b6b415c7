// Recovery: each picked sub-network of a run sliced into a model of its
// own and fine-tuned on the run's training split, with knowledge
// distillation from the full model (soft logits at a temperature) or
// plainly on the labels; the learning rate and the stopping step chosen on
// a split held out of the TRAINING data (never the search's validation
// set, which then judges the result); a step and time budget; a checkpoint
// per sub-network, so a killed run resumes. Each result is measured on the
// run's validation set and appended to its log as a recovered trial
// (recovered_trial.h) linked to its source. docs/recovery.md has the rules.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "paretoprune/eval/evaluator.h"
#include "paretoprune/search/recovered_trial.h"

namespace pp {

struct OpenedRunLog;

struct RecoverOptions {
  bool distill = true;       // false: plain fine-tuning on the labels
  double temperature = 2.0;  // of the soft logits (student and teacher)
  double alpha = 0.5;        // loss = alpha * T^2 * KL + (1 - alpha) * cross-entropy
  // + hiddenWeight * the mean squared distance of the pick's layer outputs
  // to the full model's, layer j of m matched to layer ceil(j * N / m) of N
  // (docs/recovery.md); 0: logits only.
  double hiddenWeight = 0;
  // Distillation's transfer set: this many noisy variants per training
  // example (pieces left out or replaced, short windows), labelled by the
  // full model alone, beside the training examples; at most budgetSteps *
  // batchSize of them. A classifier's only. 0: the training examples alone.
  int64_t augment = 4;
  int64_t budgetSteps = 300;  // optimizer steps of the main run, per sub-network
  double budgetSeconds = 0;   // wall time per sub-network, all phases; 0: no limit
  // Candidates tried for probeSteps each (from the same start; the best on
  // the held-out split wins); one candidate: no probing.
  std::vector<double> learningRates = {1e-4, 3e-4, 1e-3};
  int64_t probeSteps = 0;        // 0: budgetSteps / 8
  double holdoutFraction = 0.1;  // of the training split, for the choices
  int64_t evalEvery = 0;         // held-out check every this many steps; 0: budgetSteps / 10
  int patience = 4;              // checks without a gain before stopping early
  int64_t batchSize = 32;
  int64_t maxLength = 0;  // 0: the run's
  double weightDecay = 0.01, warmupFraction = 0.1, clipNorm = 1.0;
  uint64_t seed = 0;
  std::string device = "auto";  // auto: the first CUDA device, else the CPU
  Precision precision = Precision::Float32;
  int threads = 0;  // CPU threads recovery uses (0: all); runRecovery applies them
  const char* method() const { return distill ? "distill" : "finetune"; }
};

struct RecoverProgress {
  int64_t pick = 0, picks = 0;  // 1-based
  int64_t source = 0;           // the trial being recovered
  std::string phase;            // "probe", "train", "evaluate"
  double learningRate = 0;
  int64_t step = 0, steps = 0;
  double loss = 0;
  double holdoutAccuracy = -1;  // the latest check
  double elapsedSeconds = 0;    // of this pick
};
// Return false to stop: the pick's checkpoint is written and the run ends.
using RecoverCallback = std::function<bool(const RecoverProgress&)>;

struct RecoverRequest {
  std::string logPath;
  std::string modelDir;  // empty: the log's
  std::vector<int64_t> trials;
  std::string outDir;    // OUT/trial-ID-METHOD/ per pick; new, or an earlier recover's
  std::string dataFile;  // empty: the run's training split
  std::string testFile;  // empty: no test numbers
  RecoverOptions options;
};

struct RecoverPickResult {
  Trial before;  // the source trial as the log has it
  RecoveredTrial recovered;
  bool reused = false;       // finished by an earlier run of the same OUT
  int64_t resumedStep = -1;  // >= 0: resumed from a checkpoint at this step
};

struct RecoverReport {
  std::vector<RecoverPickResult> picks;
  bool stopped = false;
  std::string device;
  double fullTestAccuracy = -1;  // --test: the full model's
};

// Which trials `rule` picks from a run: "front" (every trial of the
// Pareto set by the run's objectives, the full-size one left out), or
// "top:K" (K of that set spread evenly over its range of the run's second
// objective). Throws pp::Error for an unknown rule or nothing to pick.
std::vector<int64_t> pickTrials(const OpenedRunLog& run, const std::string& rule);

// Recovers every trial of r.trials in turn (a finished one of the same
// OUT is reused; an interrupted one resumes from its checkpoint) and
// appends each result to the log. Throws pp::Error naming the problem
// before any training (an unknown trial, another model, no training data).
RecoverReport runRecovery(const RecoverRequest& r, const RecoverCallback& progress = {});

}  // namespace pp
