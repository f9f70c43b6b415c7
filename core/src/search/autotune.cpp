#include "paretoprune/search/autotune.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace pp {

namespace {
std::string num(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string duration(double s) {
  if (s < 90) return num(s, 0) + " s";
  if (s < 5400) return num(s / 60, 0) + " min";
  return num(s / 3600, 1) + " h";
}

// Rules (docs/search.md, "Auto settings", names the measurement behind each).
constexpr int64_t kRecipeTrials = 100;  // the recipe's random search
constexpr double kScreenWorthSeconds =
    5;  // multi-fidelity pays off above this full evaluation time
constexpr double kConvergenceGain = 0.0001;
constexpr int64_t kMinWindow = 50;
}  // namespace

nlohmann::json autoChoicesJson(const std::vector<AutoChoice>& choices) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& c : choices) {
    a.push_back({{"setting", c.setting}, {"value", c.value}, {"reason", c.reason}});
    if (!c.summary.empty()) a.back()["summary"] = c.summary;
  }
  return a;
}

namespace {
void chooseStrategy(const AutoInputs& in, AutoSettings& s) {
  if (in.numObjectives >= 3) {
    s.strategy = "nsga2";
    s.choices.push_back({"strategy", s.strategy,
                         "nsga2: 3 objectives (crowding keeps a 3-D front spread out)",
                         "NSGA-II, which keeps a front of three objectives evenly spread"});
  } else {
    s.strategy = "adaptive";
    s.choices.push_back(
        {"strategy", s.strategy,
         "adaptive: 2 objectives; local search (it reached random search's 100-trial hypervolume "
         "in 29 trials on the demo, bench_search) unless none of its first 12 random trials "
         "beats chance by more than the validation set's noise, then random search (on a "
         "random BERT-base local search fell below random, bench_autotune)",
         "adaptive: refines the best sub-networks found so far, or samples at random when the "
         "first trials show no signal to follow"});
  }
}

void chooseSpace(AutoSettings& s) {
  s.space = "seed";
  s.choices.push_back(
      {"space", s.space,
       "seed: the recipe's space (layers, heads and units for all layers), where the strategies "
       "were measured",
       "the first layers, each with the same number of heads and units (the published recipe's "
       "space)"});
}

void chooseBatchSize(const AutoInputs& in, AutoSettings& s) {
  if (in.gpu) {
    s.batchSize = 64;
    s.choices.push_back(
        {"batch_size", "64", "64: a GPU is fed larger batches", "64 examples a batch on the GPU"});
  } else {
    s.batchSize = 32;
    s.choices.push_back(
        {"batch_size", "32",
         "32: on the CPU each batch's tokens run packed, without padding, so larger batches "
         "cost nothing in padding (" +
             num(in.meanTokens, 0) +
             " tokens per example here); on 51-128-token pairs 32 ran as fast as 8 or up to 4% "
             "faster (bench_vs_ort --ours-batch 32)",
         "32 examples a batch: on the CPU a larger batch costs nothing in padding"});
  }
}

void chooseMultiFidelity(const AutoInputs& in, AutoSettings& s) {
  s.multiFidelity = in.fullEvalSeconds >= kScreenWorthSeconds;
  s.choices.push_back({"multi_fidelity", s.multiFidelity ? "on" : "off",
                       (s.multiFidelity ? "on: " : "off: ") + num(in.fullEvalSeconds, 1) +
                           " s per full evaluation; screening pays off from " +
                           num(kScreenWorthSeconds, 0) + " s (on the demo's 0.6 s it cut no trial)",
                       s.multiFidelity
                           ? "on: each sub-network is first scored on part of the data, and only a "
                             "promising one on all of it (a full evaluation takes " +
                                 num(in.fullEvalSeconds, 1) + " s)"
                           : "off: a full evaluation takes only " + num(in.fullEvalSeconds, 1) +
                                 " s, too little for screening to save time"});
}

// Returns the trials the run is expected to make (for the convergence window).
int64_t chooseTrials(const AutoInputs& in, AutoSettings& s) {
  const double perTrial =
      std::max(1e-3, in.fullEvalSeconds * in.meanFlopShare / std::max(1, in.workers));
  if (in.budgetSeconds > 0) {
    // The budget ends the run: allow twice the estimate, so that a run
    // whose trials are cheaper than estimated still uses its whole budget.
    const int64_t expected =
        std::clamp<int64_t>(static_cast<int64_t>(0.9 * in.budgetSeconds / perTrial), 10, 5000);
    s.trials = 2 * expected;
    s.choices.push_back(
        {"trials", std::to_string(s.trials),
         "up to " + std::to_string(s.trials) + " trials, until the " + duration(in.budgetSeconds) +
             " budget is spent (about " + std::to_string(expected) + ": " +
             num(in.fullEvalSeconds, 2) + " s per full evaluation, sampled sub-networks average " +
             num(100 * in.meanFlopShare, 0) + "% of its FLOPs, " + std::to_string(in.workers) +
             (in.workers == 1 ? " worker)" : " workers)"),
         "up to " + std::to_string(s.trials) + ", until the " + duration(in.budgetSeconds) +
             " budget is spent"});
    return expected;
  }
  s.trials = kRecipeTrials;
  s.choices.push_back({"trials", std::to_string(s.trials),
                       "100 trials: the recipe's count (no budget given; about " +
                           duration(perTrial * static_cast<double>(kRecipeTrials)) + ")",
                       "100, the published recipe's count (about " +
                           duration(perTrial * static_cast<double>(kRecipeTrials)) +
                           " here); give a time budget to search longer"});
  return s.trials;
}

void chooseConvergence(const AutoInputs& in, int64_t expected, AutoSettings& s) {
  if (in.budgetSeconds > 0) {
    // The user gave the time: spend it (a flat front is not a finished search:
    // on a random BERT-base a 50-trial stall stopped local search below random search's front).
    s.completion.convergenceWindow = 0;
    s.choices.push_back({"convergence", "off",
                         "off: the " + duration(in.budgetSeconds) + " budget ends the run",
                         "off: the " + duration(in.budgetSeconds) + " budget ends the run"});
    return;
  }
  s.completion.convergenceWindow = std::max<int64_t>(kMinWindow, expected / 2);
  s.completion.convergenceMinGain = kConvergenceGain;
  s.choices.push_back({"convergence", std::to_string(s.completion.convergenceWindow),
                       "stop when " + std::to_string(s.completion.convergenceWindow) +
                           " trials add under " + num(100 * kConvergenceGain, 2) +
                           "% hypervolume (on the demo, local still gained 0.23% from trial 50 "
                           "to 100; a 20-trial "
                           "window stopped runs early: bench_autotune)",
                       "stops early once " + std::to_string(s.completion.convergenceWindow) +
                           " trials in a row improve the front by less than " +
                           num(100 * kConvergenceGain, 2) + "%"});
}
}  // namespace

void chooseAutoSettings(const AutoInputs& in, const AutoRequest& which, AutoSettings& s) {
  if (which.strategy) chooseStrategy(in, s);
  if (which.space) chooseSpace(s);
  if (which.batchSize) chooseBatchSize(in, s);
  if (which.multiFidelity) chooseMultiFidelity(in, s);
  // Trials the run is expected to make (for the convergence window).
  const int64_t expected = which.trials ? chooseTrials(in, s) : s.trials;
  if (which.convergence) chooseConvergence(in, expected, s);
}

}  // namespace pp
