// bench_recover: how much accuracy recovery wins back.
//
// Makes two models of one architecture on the demo data (default: 6
// layers, hidden 128, like issue 28's measurement): "standard" (random
// initialisation, ordinary fine-tuning, no sandwich) and "sandwich" (the
// standard one after importance ordering and sandwich training). Searches
// each (per-layer space, random strategy, error and FLOPs), takes the
// front's picks nearest 25%, 50% and 75% of the full model's FLOPs and
// recovers each twice on the same budget: plain fine-tuning on the labels
// and distillation from the full model (pp::runRecovery, as `recover`
// and `recover --no-distill` run it). Prints the validation error before
// and after each, the share of the lost accuracy won back and the wall time.
//
//   bench_recover [--layers 6] [--hidden 128] [--trials 40] [--budget-steps N]
//                 [--temperature T] [--alpha A] [--lr LIST] [--work DIR]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "paretoprune/base/error.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/search/run_log.h"
#include "paretoprune/train/recover.h"

namespace {
const std::string kRes = PARETOPRUNE_RESOURCES_DIR "/demo";
using Clock = std::chrono::steady_clock;

struct Args {
  int64_t layers = 6, hidden = 128, heads = 4, intermediate = 512, trials = 40, epochs = 3,
          sandwichEpochs = 1;
  std::string work = "out/bench-recover", lrs, models = "standard,sandwich";
  pp::RecoverOptions opts;
};

void sh(const std::string& cmd) {
  std::fprintf(stderr, "$ %s\n", cmd.c_str());
  if (std::system((cmd + " >/dev/null").c_str()) != 0) throw pp::Error("failed: " + cmd);
}

// The two models and a search log of each (skipped when already there).
void prepareModels(const Args& a) {
  const std::string cli = PARETOPRUNE_CLI, w = a.work;
  const std::string data = " --data " + kRes + "/sentiment-train.tsv --validation " + kRes +
                           "/sentiment-validation.tsv --max-length 64";
  if (!std::filesystem::exists(w + "/standard/model.safetensors")) {
    std::filesystem::remove_all(w + "/init");
    sh(cli + " make-tiny " + w + "/init --layers " + std::to_string(a.layers) + " --hidden " +
       std::to_string(a.hidden) + " --heads " + std::to_string(a.heads) + " --intermediate " +
       std::to_string(a.intermediate) + " --max-positions 128 --vocab " + kRes +
       "/vocab.txt --seed 1");
    sh(cli + " train " + w + "/init" + data + " --out " + w + "/standard --strategy standard" +
       " --epochs " + std::to_string(a.epochs) + " --lr 5e-4 --seed 1 --no-checkpoints");
  }
  if (a.models.find("sandwich") != std::string::npos &&
      !std::filesystem::exists(w + "/sandwich/model.safetensors"))
    sh(cli + " train " + w + "/standard" + data + " --out " + w +
       "/sandwich --strategy sandwich --reorder --epochs " + std::to_string(a.sandwichEpochs) +
       " --lr 2e-4 --seed 2 --random-subnets 2 --no-checkpoints");
  for (const char* m : {"standard", "sandwich"}) {
    const std::string log = w + "/" + m + ".jsonl";
    if (a.models.find(m) != std::string::npos && !std::filesystem::exists(log))
      sh(cli + " search " + w + "/" + m + data + " --space per-layer --strategy random --trials " +
         std::to_string(a.trials) + " --objectives error,flops --latency-runs 0 --no-auto --log " +
         log);
  }
}

// The front's trials nearest 25%, 50% and 75% of the full model's FLOPs.
std::vector<int64_t> picksOf(const pp::OpenedRunLog& run) {
  const int64_t full = run.reference ? run.reference->flops : 0;
  std::vector<int64_t> ids;
  for (double share : {0.25, 0.5, 0.75}) {
    const pp::Trial* best = nullptr;
    for (size_t i : pp::paretoTrials(run.log.trials, {"error", "flops"})) {
      const pp::Trial& t = run.log.trials[i];
      if (t.subnet.keptLayers() == 0) continue;
      auto dist = [&](const pp::Trial& x) {
        return std::abs(static_cast<double>(x.flops) / static_cast<double>(full) - share);
      };
      if (!best || dist(t) < dist(*best)) best = &t;
    }
    if (best && std::find(ids.begin(), ids.end(), best->id) == ids.end()) ids.push_back(best->id);
  }
  // And the most accurate 1-layer and 2-layer trials of the front (what
  // issue 28's acceptance names), when not already picked.
  for (int64_t layers : {1, 2}) {
    const pp::Trial* best = nullptr;
    for (size_t i : pp::paretoTrials(run.log.trials, {"error", "flops"})) {
      const pp::Trial& t = run.log.trials[i];
      if (t.subnet.keptLayers() == layers && (!best || t.errorRate < best->errorRate)) best = &t;
    }
    if (best && std::find(ids.begin(), ids.end(), best->id) == ids.end()) ids.push_back(best->id);
  }
  return ids;
}

struct Cell {
  double error = 0, seconds = 0;
};

// One method over the picks: the error after and the wall time of each.
std::vector<Cell> recoverAll(const Args& a, const std::string& model,
                             const std::vector<int64_t>& picks, bool distill) {
  pp::RecoverRequest r;
  r.logPath = a.work + "/" + model + ".jsonl";
  r.trials = picks;
  r.outDir = a.work + "/recovered-" + model + (distill ? "-distill" : "-finetune");
  std::filesystem::remove_all(r.outDir);  // timed from scratch every run
  r.options = a.opts;
  r.options.distill = distill;
  r.options.device = "cpu";
  const auto t0 = Clock::now();
  const pp::RecoverReport rep = pp::runRecovery(r);
  std::vector<Cell> out;
  for (const auto& p : rep.picks)
    out.push_back({p.recovered.trial.errorRate, p.recovered.details.value("seconds", 0.0)});
  std::fprintf(stderr, "  %s %s: %.0f s\n", model.c_str(), distill ? "distill" : "finetune",
               std::chrono::duration<double>(Clock::now() - t0).count());
  return out;
}

void benchModel(const Args& a, const std::string& model) {
  const pp::OpenedRunLog run = pp::openRunLog(a.work + "/" + model + ".jsonl");
  const std::vector<int64_t> picks = picksOf(run);
  const double fullErr = run.reference ? run.reference->errorRate : 0;
  const auto plain = recoverAll(a, model, picks, false);
  const auto kd = recoverAll(a, model, picks, true);
  for (size_t i = 0; i < picks.size(); ++i) {
    const pp::Trial& t = pp::selectTrial(run, picks[i], -1, "log");
    const double lost = t.errorRate - fullErr;
    auto back = [&](double e) {
      return lost > 1e-9
                 ? std::to_string(static_cast<int>(std::lround(100 * (t.errorRate - e) / lost))) +
                       "%"
                 : std::string("-");
    };
    std::printf("| %s | %lld | %s | %.0f%% | %.3f | %.3f | %.3f (%s) | %.3f (%s) | %.0f | %.0f |\n",
                model.c_str(), static_cast<long long>(t.id), t.subnet.summary().c_str(),
                100.0 * static_cast<double>(t.flops) / static_cast<double>(run.reference->flops),
                fullErr, t.errorRate, plain[i].error, back(plain[i].error).c_str(), kd[i].error,
                back(kd[i].error).c_str(), plain[i].seconds, kd[i].seconds);
    std::fflush(stdout);
  }
}
}  // namespace

int main(int argc, char** argv) {
  Args a;
  CLI::App cli("bench_recover: accuracy won back by plain fine-tuning and by distillation");
  cli.add_option("--layers", a.layers)->capture_default_str();
  cli.add_option("--hidden", a.hidden)->capture_default_str();
  cli.add_option("--trials", a.trials, "Search trials per model")->capture_default_str();
  cli.add_option("--sandwich-epochs", a.sandwichEpochs, "Sandwich training after the standard")
      ->capture_default_str();
  cli.add_option("--models", a.models, "Which rows: standard, sandwich or both")
      ->capture_default_str();
  cli.add_option("--probe-steps", a.opts.probeSteps, "Steps per learning-rate probe (0: budget/8)");
  cli.add_option("--budget-steps", a.opts.budgetSteps)->capture_default_str();
  cli.add_option("--temperature", a.opts.temperature)->capture_default_str();
  cli.add_option("--alpha", a.opts.alpha)->capture_default_str();
  cli.add_option("--lr", a.lrs, "Learning rates to choose from (comma-separated)");
  cli.add_option("--work", a.work, "Scratch directory (models and logs kept)")
      ->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  try {
    if (!a.lrs.empty()) {
      a.opts.learningRates.clear();
      std::stringstream ss(a.lrs);
      std::string x;
      while (std::getline(ss, x, ',')) a.opts.learningRates.push_back(std::stod(x));
    }
    pp::useComputeThreads(pp::ComputeUse::Training, pp::hardwareThreads());
    std::filesystem::create_directories(a.work);
    prepareModels(a);
    std::printf(
        "bench_recover: %lld layers, hidden %lld, demo data (2,400 training, 600 "
        "validation sentences); budget %lld steps per pick and method (+ learning-rate "
        "probes), T %.1f, alpha %.2f; CPU threads %d\n\n",
        static_cast<long long>(a.layers), static_cast<long long>(a.hidden),
        static_cast<long long>(a.opts.budgetSteps), a.opts.temperature, a.opts.alpha,
        pp::hardwareThreads());
    std::printf(
        "| model | trial | sub-network | FLOPs | full error | before | plain fine-tuning "
        "(won back) | distillation (won back) | plain s | distill s |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (const char* m : {"standard", "sandwich"})
      if (a.models.find(m) != std::string::npos) benchModel(a, m);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_recover: %s\n", e.what());
    return 1;
  }
  return 0;
}
