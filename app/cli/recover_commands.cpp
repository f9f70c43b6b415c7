// recover: the picked sub-networks of a run fine-tuned on their own, with
// distillation from the full model (pp::runRecovery), and `front
// --recovered`: the Pareto set picked again over them.
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "format.h"
#include "interrupt.h"
#include "paretoprune/base/error.h"
#include "paretoprune/cpu/gemm.h"
#include "paretoprune/search/pick_again.h"
#include "paretoprune/search/run_log.h"
#include "paretoprune/train/recover.h"

namespace ppcli {
namespace {

using nlohmann::json;

struct RecoverArgs {
  std::string log, model, trials, out, data, test, precision = "fp32", lrs;
  bool front = false, noDistill = false;
  int64_t top = 0;
  pp::RecoverOptions opts;
};

std::vector<int64_t> parseIds(const std::string& list) {
  std::vector<int64_t> ids;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    size_t used = 0;
    int64_t id = -1;
    try {
      id = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != item.size() || id < 0)
      throw pp::Error("--trials: \"" + item + "\" is not a trial id (e.g. --trials 12,17)");
    ids.push_back(id);
  }
  if (ids.empty()) throw pp::Error("--trials: give trial ids, e.g. --trials 12,17");
  return ids;
}

std::vector<double> parseRates(const std::string& list) {
  std::vector<double> v;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    try {
      v.push_back(std::stod(item));
    } catch (const std::exception&) {
      throw pp::Error("--lr: \"" + item + "\" is not a number");
    }
    if (!(v.back() > 0)) throw pp::Error("--lr: learning rates must be positive");
  }
  return v;
}

std::string pct(double accuracy) {
  return accuracy < 0 ? "-" : fixed(100.0 * (1 - accuracy), 2) + "%";
}

void printReport(const pp::RecoverReport& rep, const std::string& log) {
  std::printf("%6s  %-34s %10s %9s %11s %8s %9s  %s\n", "trial", "sub-network", "err before",
              "err after", "holdout err", "lr", "best step", "");
  for (const auto& p : rep.picks) {
    const json& d = p.recovered.details;
    const json h = d.value("holdout", json::object());
    std::printf(
        "%6lld  %-34s %10s %9s %11s %8.1e %9lld  %s\n", static_cast<long long>(p.before.id),
        p.before.subnet.summary().c_str(), pct(p.before.accuracy).c_str(),
        pct(p.recovered.trial.accuracy).c_str(), pct(h.value("after", -1.0)).c_str(),
        d.value("learning_rate", 0.0), static_cast<long long>(d.value("best_step", int64_t(0))),
        p.reused             ? "(finished earlier)"
        : p.resumedStep >= 0 ? ("(resumed at step " + std::to_string(p.resumedStep) + ")").c_str()
                             : "");
    if (d.contains("agreement") && d["agreement"].is_object()) {
      // From a recovered.json: any value may be of another type.
      const json& a = d["agreement"];
      auto share = [&](const char* k) {
        return a.contains(k) && a[k].is_number() ? pct(1 - a[k].get<double>()) : std::string("-");
      };
      const json n = a.value("examples", json());
      std::printf(
          "        agreement with the full model (the judge, %s held-out sentences "
          "and variants): before %s, after %s\n",
          n.is_number_integer() ? std::to_string(n.get<int64_t>()).c_str() : "?",
          share("before").c_str(), share("after").c_str());
    }
    if (d.contains("test"))
      std::printf("        test error: before %s, after %s (%lld examples)\n",
                  pct(d["test"].value("before", -1.0)).c_str(),
                  pct(d["test"].value("after", -1.0)).c_str(),
                  static_cast<long long>(d["test"].value("examples", int64_t(0))));
  }
  if (rep.fullTestAccuracy >= 0)
    std::printf("full model's test error: %s\n", pct(rep.fullTestAccuracy).c_str());
  std::cout << (rep.stopped ? "stopped; run the same command again to resume\n"
                            : "recorded in " + log + " (see: paretoprune-cli front " + log +
                                  " --recovered)\n");
}

void runRecover(RecoverArgs& a, const GlobalOptions& g) {
  pp::setGemmBackend(g.gemm);  // the threads: runRecovery applies r.options.threads
  const int rules = (a.trials.empty() ? 0 : 1) + (a.front ? 1 : 0) + (a.top > 0 ? 1 : 0);
  if (rules != 1) throw pp::Error("give one of --trials IDS, --front or --top K");
  pp::RecoverRequest r;
  r.logPath = a.log;
  r.modelDir = a.model;
  r.outDir = a.out;
  r.dataFile = a.data;
  r.testFile = a.test;
  r.options = a.opts;
  r.options.distill = !a.noDistill;
  r.options.precision = pp::parsePrecision(a.precision);
  r.options.threads = g.threads;
  if (!a.lrs.empty()) r.options.learningRates = parseRates(a.lrs);
  if (!a.trials.empty()) {
    r.trials = parseIds(a.trials);
  } else {
    const pp::OpenedRunLog run = pp::openRunLog(a.log, a.model);
    r.trials = pp::pickTrials(run, a.front ? "front" : "top:" + std::to_string(a.top));
  }
  SigintScope sigint;
  auto progress = [&](const pp::RecoverProgress& p) {
    if (!g.json)
      std::fprintf(stderr, "\rtrial %lld (%lld/%lld) %s lr %.1e step %lld/%lld loss %.4f   ",
                   static_cast<long long>(p.source), static_cast<long long>(p.pick),
                   static_cast<long long>(p.picks), p.phase.c_str(), p.learningRate,
                   static_cast<long long>(p.step), static_cast<long long>(p.steps), p.loss);
    return !SigintScope::interrupted();
  };
  const pp::RecoverReport rep = pp::runRecovery(r, progress);
  if (!g.json) std::fprintf(stderr, "\n");
  if (g.json) {
    json out = {{"stopped", rep.stopped}, {"device", rep.device}, {"picks", json::array()}};
    for (const auto& p : rep.picks)
      out["picks"].push_back({{"before", p.before.toJson()},
                              {"recovered", p.recovered.toJson(a.log)},
                              {"reused", p.reused},
                              {"resumed_step", p.resumedStep}});
    std::cout << out.dump(2) << "\n";
  } else {
    printReport(rep, a.log);
  }
}

}  // namespace

void addRecoverCommand(CLI::App& app, GlobalOptions& g) {
  auto a = std::make_shared<RecoverArgs>();
  auto* cmd = app.add_subcommand(
      "recover", "Fine-tune picked sub-networks of a run with distillation from the full model");
  cmd->add_option("LOG", a->log, "Run log (.jsonl)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--model", a->model, "Model directory (default: the one the log names)");
  cmd->add_option("--trials", a->trials, "Trial ids, comma-separated");
  cmd->add_flag("--front", a->front, "Every Pareto-set trial smaller than the full model");
  cmd->add_option("--top", a->top,
                  "K trials of the Pareto set spread evenly over its cost (second objective)");
  cmd->add_option("--out", a->out, "Directory for the recovered models and checkpoints")
      ->required();
  cmd->add_option("--data", a->data, "Train on this file instead of the run's training split");
  cmd->add_option("--test", a->test, "Report the final numbers on this held-out file too")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--no-distill", a->noDistill, "Plain fine-tuning on the labels");
  cmd->add_option("--budget-steps", a->opts.budgetSteps, "Steps per sub-network")
      ->capture_default_str();
  cmd->add_option("--budget-seconds", a->opts.budgetSeconds,
                  "Wall time per sub-network (0: no limit)");
  cmd->add_option("--lr", a->lrs,
                  "Learning rates to choose from (comma-separated; default 1e-4,3e-4,1e-3)");
  cmd->add_option("--probe-steps", a->opts.probeSteps,
                  "Steps of each learning-rate probe (0: budget/8)");
  cmd->add_option("--temperature", a->opts.temperature, "Distillation temperature")
      ->capture_default_str();
  cmd->add_option("--alpha", a->opts.alpha, "Share of the distillation loss (rest: labels)")
      ->capture_default_str();
  cmd->add_option("--hidden-weight", a->opts.hiddenWeight,
                  "Weight of hidden-state distillation: each layer's output against the full "
                  "model's layer ceil(j*N/m) (0: logits only)")
      ->capture_default_str();
  cmd->add_option("--augment", a->opts.augment,
                  "Distillation's transfer set: noisy variants per training example that the "
                  "full model labels (0: none; a classifier's only)")
      ->capture_default_str();
  cmd->add_option("--holdout", a->opts.holdoutFraction,
                  "Share of the training split held out for the choices")
      ->capture_default_str();
  cmd->add_option("--eval-every", a->opts.evalEvery, "Held-out check every N steps (0: budget/10)");
  cmd->add_option("--patience", a->opts.patience, "Checks without gain before stopping")
      ->capture_default_str();
  cmd->add_option("--batch-size", a->opts.batchSize, "Training examples per step")
      ->capture_default_str();
  cmd->add_option("--seed", a->opts.seed,
                  "Seed of the data order, the held-out split and the probes")
      ->capture_default_str();
  cmd->add_option("--device", a->opts.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
  cmd->add_option("--precision", a->precision, "fp32 or bf16 (autocast)")->capture_default_str();
  cmd->callback([a, &g] { runRecover(*a, g); });
}

// front --recovered: the Pareto set over the run's trials and its recovered
// ones (the latest of each source and method), each row saying which it is.
void printRecoveredFront(const pp::OpenedRunLog& run, const std::vector<std::string>& obj,
                         const std::vector<pp::Constraint>& cs, const FrontDecideOptions& d,
                         const GlobalOptions& g, const std::string& format) {
  const pp::Trial* ref = run.reference ? &*run.reference : nullptr;
  const pp::PickedAgain picked = pp::pickAgain(run.log.trials, run.log.recovered, obj, cs, ref);
  const std::vector<pp::Trial>& all = picked.all;
  std::vector<std::string> kind(run.log.trials.size(), "search");
  for (const auto& r : run.log.recovered)
    kind.push_back(r.method + " of " + std::to_string(r.source));
  const PickSet set{&all, kind, &run.log.recovered, run.log.trials.size()};
  if (d.recommend && format == "json") return printPicks(run, obj, cs, d.within, g, set);
  const std::vector<size_t>& idx = picked.front;
  if (format == "json") {
    json out = json::array();
    for (size_t i : idx) {
      json t = all[i].toJson();
      t["kind"] = kind[i] == "search" ? "search" : "recovered";
      if (i >= run.log.trials.size()) {
        const auto& r = run.log.recovered[i - run.log.trials.size()];
        t["recovered"] = {{"source", r.source}, {"method", r.method}, {"weights", r.weights}};
      }
      out.push_back(t);
    }
    std::cout << out.dump(2) << "\n";
    return;
  }
  const bool csv = format == "csv";
  if (!cs.empty() && !csv) std::cout << "Feasible trials only: " << constraintList(cs) << "\n";
  if (csv) {
    std::printf("trial,sub-network,error,params,flops,kind\n");
    for (size_t i : idx)
      std::printf("%lld,%s,%.6f,%lld,%lld,%s\n", static_cast<long long>(all[i].id),
                  csvQuote(all[i].subnet.summary()).c_str(), all[i].errorRate,
                  static_cast<long long>(all[i].params), static_cast<long long>(all[i].flops),
                  csvQuote(kind[i]).c_str());
  } else {  // as front's own table writes numbers
    std::printf("%6s  %-30s %8s %14s %11s  %s\n", "trial", "sub-network", "error", "parameters",
                "FLOPs/seq", "kind");
    for (size_t i : idx)
      std::printf("%6lld  %-30s %8.4f %14s %11s  %s\n", static_cast<long long>(all[i].id),
                  all[i].subnet.summary().c_str(), all[i].errorRate,
                  thousands(all[i].params).c_str(), si(static_cast<double>(all[i].flops)).c_str(),
                  kind[i].c_str());
  }
  if (d.recommend && !csv) printPicks(run, obj, cs, d.within, g, set);
}

}  // namespace ppcli
