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
// With --seeds N each recovery is repeated with N recovery seeds (the
// held-out split, the data order, dropout): the table gives the mean over
// them, the range, and in how many seeds each method beat the first
// column's. The models and search logs in --work are reused; --keep reuses
// finished recoveries too (several processes may share a --work, one per
// seed: each seed has its own copy of the search log).
//
//   bench_recover [--layers 6] [--hidden 128] [--trials 40] [--budget-steps N]
//                 [--temperature T] [--alpha A] [--hidden-weight W] [--lr LIST]
//                 [--augment N] [--methods finetune,distill,distill-logits,distill-noaug]
//                 [--seeds N]
//                 [--first-seed S] [--keep] [--threads N] [--work DIR]
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
  std::string work = "out/bench-recover", lrs, models = "standard,sandwich",
              methods = "finetune,distill";
  int64_t seeds = 1;
  int threads = 0;
  uint64_t firstSeed = 0;
  bool keep = false;
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

// One way of recovering: plain fine-tuning, or distillation with the
// bench's options (its hidden-state weight, or none: logits only).
struct Method {
  std::string name, label;
  bool distill = false;
  double hiddenWeight = 0;
  int64_t augment = -1;  // -1: the bench's --augment
};

std::vector<Method> methodsOf(const Args& a) {
  std::vector<Method> ms;
  std::stringstream ss(a.methods);
  std::string x;
  while (std::getline(ss, x, ',')) {
    if (x == "finetune")
      ms.push_back({x, "plain fine-tuning", false, 0});
    else if (x == "distill")
      ms.push_back({x, "distillation", true, a.opts.hiddenWeight});
    else if (x == "distill-logits")
      ms.push_back({x, "distillation, logits only", true, 0});
    else if (x == "distill-noaug")
      ms.push_back({x, "distillation on the training set alone", true, a.opts.hiddenWeight, 0});
    else
      throw pp::Error("--methods: unknown \"" + x +
                      "\" (finetune, distill, distill-logits, distill-noaug)");
  }
  if (ms.empty()) throw pp::Error("--methods: give at least one");
  return ms;
}

struct Cell {
  double error = 0, seconds = 0;
};

// One method and seed over the picks: the error after and the wall time of
// each. --keep reuses the finished picks of an earlier run (their recorded
// seconds); otherwise every pick is timed from scratch.
std::vector<Cell> recoverAll(const Args& a, const std::string& model,
                             const std::vector<int64_t>& picks, const Method& m, uint64_t seed) {
  pp::RecoverRequest r;
  // A copy of the search log per seed: bench processes of other seeds may
  // run beside this one, each appending its own records.
  const std::string search = a.work + "/" + model + ".jsonl";
  r.logPath = a.work + "/" + model + "-recovered-s" + std::to_string(seed) + ".jsonl";
  if (!std::filesystem::exists(r.logPath)) std::filesystem::copy_file(search, r.logPath);
  r.trials = picks;
  r.outDir = a.work + "/recovered-" + model + "-" + m.name + "-s" + std::to_string(seed);
  if (!a.keep) std::filesystem::remove_all(r.outDir);
  r.options = a.opts;
  r.options.distill = m.distill;
  r.options.hiddenWeight = m.hiddenWeight;
  if (m.augment >= 0) r.options.augment = m.augment;
  r.options.seed = seed;
  r.options.device = "cpu";
  const auto t0 = Clock::now();
  const pp::RecoverReport rep = pp::runRecovery(r);
  std::vector<Cell> out;
  for (const auto& p : rep.picks)
    out.push_back({p.recovered.trial.errorRate, p.recovered.details.value("seconds", 0.0)});
  std::fprintf(stderr, "  %s %s seed %llu: %.0f s\n", model.c_str(), m.name.c_str(),
               static_cast<unsigned long long>(seed),
               std::chrono::duration<double>(Clock::now() - t0).count());
  return out;
}

struct Spread {
  double mean = 0, lo = 0, hi = 0;
};
Spread spreadOf(const std::vector<double>& v) {
  Spread s{0, v.at(0), v.at(0)};
  for (double x : v) {
    s.mean += x / static_cast<double>(v.size());
    s.lo = std::min(s.lo, x);
    s.hi = std::max(s.hi, x);
  }
  return s;
}

void printHeader(const std::vector<Method>& ms) {
  std::string h = "| model | trial | sub-network | FLOPs | full error | before |", sep;
  for (const auto& m : ms) h += " " + m.label + " (won back) |";
  for (const auto& m : ms) h += " " + m.name + " s |";
  for (const auto& m : ms) h += " " + m.name + " min..max |";
  for (size_t k = 1; k < ms.size(); ++k) h += " " + ms[k].name + " < " + ms[0].name + " |";
  for (char c : h)
    if (c == '|') sep += sep.empty() ? "|" : " --- |";
  std::printf("%s\n%s\n", h.c_str(), sep.c_str());
}

// A pick's row: the mean over the seeds of each method's error (and the
// share won back), its mean seconds, its range, and in how many seeds each
// later method ended with fewer errors than the first.
void printRow(const pp::OpenedRunLog& run, const std::string& model, const pp::Trial& t,
              const std::vector<std::vector<double>>& err,
              const std::vector<std::vector<double>>& sec) {
  const double fullErr = run.reference ? run.reference->errorRate : 0;
  const double lost = t.errorRate - fullErr;
  auto back = [&](double e) {
    return lost > 1e-9
               ? std::to_string(static_cast<int>(std::lround(100 * (t.errorRate - e) / lost))) + "%"
               : std::string("-");
  };
  char buf[256];
  std::snprintf(buf, sizeof buf, "| %s | %lld | %s | %.0f%% | %.3f | %.3f |", model.c_str(),
                static_cast<long long>(t.id), t.subnet.summary().c_str(),
                100.0 * static_cast<double>(t.flops) / static_cast<double>(run.reference->flops),
                fullErr, t.errorRate);
  std::string row = buf;
  for (const auto& e : err) {
    const Spread s = spreadOf(e);
    std::snprintf(buf, sizeof buf, " %.3f (%s) |", s.mean, back(s.mean).c_str());
    row += buf;
  }
  for (const auto& s : sec) row += " " + std::to_string(std::lround(spreadOf(s).mean)) + " |";
  for (const auto& e : err) {
    const Spread s = spreadOf(e);
    std::snprintf(buf, sizeof buf, " %.3f..%.3f |", s.lo, s.hi);
    row += buf;
  }
  for (size_t k = 1; k < err.size(); ++k) {
    int wins = 0;
    for (size_t i = 0; i < err[k].size(); ++i) wins += err[k][i] < err[0][i] - 1e-9 ? 1 : 0;
    row += " " + std::to_string(wins) + " of " + std::to_string(err[k].size()) + " |";
  }
  std::printf("%s\n", row.c_str());
  std::fflush(stdout);
}

void benchModel(const Args& a, const std::string& model, const std::vector<Method>& ms) {
  const pp::OpenedRunLog run = pp::openRunLog(a.work + "/" + model + ".jsonl");
  const std::vector<int64_t> picks = picksOf(run);
  // err[pick][method][seed], sec likewise
  std::vector<std::vector<std::vector<double>>> err(picks.size(),
                                                    std::vector<std::vector<double>>(ms.size())),
      sec = err;
  for (int64_t s = 0; s < a.seeds; ++s)
    for (size_t k = 0; k < ms.size(); ++k) {
      const auto cells = recoverAll(a, model, picks, ms[k], a.firstSeed + static_cast<uint64_t>(s));
      for (size_t i = 0; i < picks.size(); ++i) {
        err[i][k].push_back(cells.at(i).error);
        sec[i][k].push_back(cells.at(i).seconds);
      }
    }
  for (size_t i = 0; i < picks.size(); ++i)
    printRow(run, model, pp::selectTrial(run, picks[i], -1, "log"), err[i], sec[i]);
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
  cli.add_option("--hidden-weight", a.opts.hiddenWeight, "Hidden-state distillation weight")
      ->capture_default_str();
  cli.add_option("--augment", a.opts.augment, "Distillation's variants per training example")
      ->capture_default_str();
  cli.add_option("--methods", a.methods,
                 "Columns: finetune, distill, distill-logits, distill-noaug (no transfer set)")
      ->capture_default_str();
  cli.add_option("--seeds", a.seeds, "Recovery seeds per pick and method (mean, range)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cli.add_option("--first-seed", a.firstSeed, "The first recovery seed")->capture_default_str();
  cli.add_option("--threads", a.threads, "CPU threads (0: all)");
  cli.add_flag("--keep", a.keep, "Reuse the finished recoveries of an earlier run in --work");
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
    const int threads = a.threads > 0 ? a.threads : pp::hardwareThreads();
    a.opts.threads = threads;
    pp::useComputeThreads(pp::ComputeUse::Training, threads);
    std::filesystem::create_directories(a.work);
    prepareModels(a);
    std::printf(
        "bench_recover: %lld layers, hidden %lld, demo data (2,400 training, 600 "
        "validation sentences); budget %lld steps per pick and method (+ learning-rate "
        "probes), T %.1f, alpha %.2f, hidden-state weight %.2f; recovery seeds %llu..%llu; "
        "CPU threads %d\n\n",
        static_cast<long long>(a.layers), static_cast<long long>(a.hidden),
        static_cast<long long>(a.opts.budgetSteps), a.opts.temperature, a.opts.alpha,
        a.opts.hiddenWeight, static_cast<unsigned long long>(a.firstSeed),
        static_cast<unsigned long long>(a.firstSeed + static_cast<uint64_t>(a.seeds) - 1), threads);
    const std::vector<Method> ms = methodsOf(a);
    printHeader(ms);
    for (const char* m : {"standard", "sandwich"})
      if (a.models.find(m) != std::string::npos) benchModel(a, m, ms);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_recover: %s\n", e.what());
    return 1;
  }
  return 0;
}
