// search and front.
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <thread>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "data_options.h"
#include "format.h"
#include "interrupt.h"
#include "paretoprune/base/error.h"
#include "paretoprune/cpu/gemm.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/formats/config.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"
#include "paretoprune/runs/run_compare.h"
#include "paretoprune/runs/study.h"
#include "paretoprune/runs/study_store.h"
#include "paretoprune/search/recommend.h"
#include "paretoprune/search/run_log.h"
#include "paretoprune/search/search_request.h"
#include "paretoprune/search/search_runner.h"

namespace ppcli {

using nlohmann::json;

std::string constraintList(const std::vector<pp::Constraint>& cs) {
  std::string s;
  for (const auto& c : cs) s += (s.empty() ? "" : ", ") + c.text();
  return s;
}

namespace {
double parseDuration(const std::string& s) {
  if (s.empty()) return 0;
  size_t pos = 0;
  double v = 0;
  try {
    v = std::stod(s, &pos);
  } catch (...) {
    throw pp::Error("budget \"" + s + "\" is not a duration (e.g. 90s, 10m, 2h)");
  }
  std::string unit = s.substr(pos);
  if (unit.empty() || unit == "s") return v;
  if (unit == "m" || unit == "min") return v * 60;
  if (unit == "h") return v * 3600;
  throw pp::Error("budget \"" + s + "\" has an unknown unit (s, m or h)");
}

// A CSV field in quotes, inner quotes doubled.

// `ref`: the full model, for the change columns of the table.
void printTrials(const std::vector<pp::Trial>& ts, const std::string& format, int64_t fullParams,
                 const std::optional<pp::Trial>& ref = std::nullopt) {
  if (format == "json") {
    json arr = json::array();
    for (const auto& t : ts) arr.push_back(t.toJson());
    std::cout << arr.dump(2) << "\n";
    return;
  }
  if (format == "csv") {
    std::cout << "trial,status,layers,subnet,error,accuracy,mcc,f1,params,flops,latency_ms,latency_"
                 "p95_ms,"
                 "eval_seconds,fidelity,reason\n";
    for (const auto& t : ts) {
      std::cout << t.id << "," << pp::statusName(t.status) << "," << t.subnet.keptLayers() << ","
                << csvQuote(t.subnet.toJson().dump()) << "," << t.errorRate << "," << t.accuracy
                << "," << t.mcc << "," << t.f1 << "," << t.params << "," << t.flops << ","
                << t.latencyMs << "," << t.latencyP95Ms << "," << t.evalSeconds << "," << t.fidelity
                << "," << csvQuote(t.error) << "\n";
    }
    return;
  }
  std::printf("%6s  %-34s %8s %14s %8s %11s %12s %9s %8s\n", "trial", "sub-network", "error",
              "parameters", "share", "FLOPs/seq", "latency", "pts", "speed-up");
  if (ref)
    std::printf("%6s  %-34s %8.4f %14s %7.1f%% %11s %12s %9s %8s\n", "full",
                ref->subnet.summary().c_str(), ref->errorRate, thousands(ref->params).c_str(),
                100.0, si(static_cast<double>(ref->flops)).c_str(),
                latencyText(ref->latencyMs).c_str(), "", "");
  for (const auto& t : ts) {
    if (!t.ok()) {
      std::printf("%6lld  %-34s %s\n", static_cast<long long>(t.id), t.subnet.summary().c_str(),
                  (std::string(pp::statusName(t.status)) + (t.error.empty() ? "" : ": " + t.error))
                      .c_str());
      continue;
    }
    std::string dAcc, speed;
    if (ref) {
      // Points of accuracy, or of a tagger's entity F1: both are 1 - error.
      const double d = ref->errorRate - t.errorRate;
      dAcc = (d >= 0 ? "+" : "") + fixed(100.0 * d, 1);
      if (t.latencyMs > 0 && ref->latencyMs > 0)
        speed = fixed(ref->latencyMs / t.latencyMs, 1) + "x";
    }
    std::printf("%6lld  %-34s %8.4f %14s %7.1f%% %11s %12s %9s %8s\n", static_cast<long long>(t.id),
                t.subnet.summary().c_str(), t.errorRate, thousands(t.params).c_str(),
                100.0 * static_cast<double>(t.params) /
                    static_cast<double>(std::max<int64_t>(fullParams, 1)),
                si(static_cast<double>(t.flops)).c_str(), latencyText(t.latencyMs).c_str(),
                dAcc.c_str(), speed.c_str());
  }
}

// The Pareto set, of the feasible trials under constraints (`ref`: the full model).
std::vector<pp::Trial> frontOf(const std::vector<pp::Trial>& all,
                               const std::vector<std::string>& objectives,
                               const std::vector<pp::Constraint>& cs = {},
                               const pp::Trial* ref = nullptr) {
  std::vector<pp::Trial> out;
  for (size_t i : pp::feasibleParetoTrials(all, objectives, cs, ref)) out.push_back(all[i]);
  std::sort(out.begin(), out.end(), [&](const pp::Trial& a, const pp::Trial& b) {
    return pp::objectiveValue(a, objectives[1]) < pp::objectiveValue(b, objectives[1]);
  });
  return out;
}

struct SearchArgs {
  std::string model, space = "seed", strategy = "random", log, objectives = "error,params", budget,
                     mode = "auto", precision = "fp32", device = "auto";
  DataOptions data;
  std::vector<std::string> constraints;  // --constraint, as given
  int64_t trials = 100, valSubset = 0;
  uint64_t valSeed = 0;
  int workers = 0;
  uint64_t seed = 0;
  bool resume = false, multiFidelity = false, noMultiFidelity = false, noAuto = false,
       noConfirm = false;
  int latencyRuns = 5;
  int64_t latencySeq = 128;
  int64_t convergeWindow = 0;
  double convergeGain = 0.001, targetDrop = -1, targetParams = 0.4;
  pp::AutoRequest autoSettings;  // which options were left to auto (not given)
  std::string storage, study;    // a study shared through PostgreSQL
  double lease = 30;
};

// What the user asked for, as the core's one description of a search.
pp::SearchRequest searchRequest(const SearchArgs& a) {
  if (!a.log.empty() && std::filesystem::is_directory(a.log))
    throw pp::Error(a.log + " is a directory; --log takes the run log's file name (e.g. " + a.log +
                    "/run.jsonl)");
  if (!a.log.empty() && !a.resume && access(a.log.c_str(), F_OK) == 0)
    throw pp::Error(a.log + " exists; pass --resume to continue that run, or choose another --log");
  pp::SearchRequest r;
  r.modelDir = a.model;
  r.space = a.space;
  r.data = a.data.split();
  r.data.valSubset = a.valSubset;
  r.data.valSubsetSeed = a.valSeed;
  pp::SearchOptions& o = r.options;
  o.strategy = a.strategy;
  o.trials = a.trials;
  o.budgetSeconds = parseDuration(a.budget);
  o.device = a.device;
  o.workers = a.workers;  // 0: the runner chooses (one per GPU, or half the cores)
  o.seed = a.seed;
  o.objectives = pp::parseObjectives(a.objectives);
  o.constraints = pp::parseConstraints(a.constraints);
  o.eval.mode = pp::parseExecMode(a.mode);
  o.eval.precision = pp::parsePrecision(a.precision);
  o.confirmFp32 = !a.noConfirm;
  o.eval.measureLatency = a.latencyRuns > 0;
  o.eval.latency.runs = a.latencyRuns;
  o.eval.latency.warmup = 1;
  o.eval.latency.seqLen = a.latencySeq;
  o.multiFidelity = a.multiFidelity && !a.noMultiFidelity;
  o.logPath = a.log;
  o.resume = a.resume;
  o.completion.convergenceWindow = a.convergeWindow;
  o.completion.convergenceMinGain = a.convergeGain;
  o.completion.targetAccuracyDrop = a.targetDrop;
  o.completion.targetParamsShare = a.targetParams;
  r.autoSettings = a.autoSettings;
  return r;
}

// Settings given on the command line win; the rest are auto (unless --no-auto).
pp::AutoRequest autoRequestOf(const CLI::App& cmd, bool noAuto) {
  pp::AutoRequest w;
  if (noAuto) return w;
  auto unset = [&](const char* name) { return cmd.get_option(name)->count() == 0; };
  w.strategy = unset("--strategy");
  w.space = unset("--space");
  w.trials = unset("--trials");  // with --budget: as many as fit
  w.batchSize = unset("--batch-size");
  w.multiFidelity = unset("--multi-fidelity") && unset("--no-multi-fidelity");
  w.convergence = unset("--converge-window");
  return w;
}

void printAutoChoices(const std::vector<pp::AutoChoice>& choices, const GlobalOptions& g) {
  if (g.json || choices.empty()) return;
  std::cerr << "Auto settings (override any with its option):\n";
  for (const auto& c : choices) std::cerr << "  " << c.setting << ": " << c.shown() << "\n";
}

// Progress on stderr: one updating line on a terminal, every tenth otherwise.
pp::SearchEvents progressPrinter(const GlobalOptions& g, bool tty) {
  pp::SearchEvents ev;
  auto lastPrinted = std::make_shared<int64_t>(-1);
  ev.progress = [&g, tty, lastPrinted](const pp::SearchProgress& p) {
    if (g.json) return;
    std::string line = "[" + std::to_string(p.done) + "/" + std::to_string(p.total) + "] " +
                       fixed(p.trialsPerMinute, 1) + " trials/min, ETA " + duration(p.etaSeconds) +
                       ", front " + std::to_string(p.frontSize) + ", hypervolume " +
                       fixed(p.hypervolume, 4);
    if (tty) {
      std::cerr << "\r" << line << "\033[K" << std::flush;
    } else if (p.done == p.total || p.done - *lastPrinted >= std::max<int64_t>(1, p.total / 10)) {
      std::cerr << line << "\n";
      *lastPrinted = p.done;
    }
  };
  ev.warning = [tty](const pp::SearchWarning& w) {
    std::cerr << (tty ? "\n" : "") << "warning: " << w.message << "\n";
  };
  return ev;
}

// The driver of a study in PostgreSQL: queues trials for the workers and
// follows their results.
void runStudyDriver(const pp::PreparedSearch& prepared, const SearchArgs& a,
                    const GlobalOptions& g) {
  pp::StudyOptions so;
  so.url = a.storage;
  so.study = a.study;
  so.leaseSeconds = a.lease;
  const bool tty = isatty(2);
  pp::StudyDriver driver(prepared, so, progressPrinter(g, tty));
  std::cerr << "Driving study \"" << a.study << "\" at " << pp::redactUrl(a.storage)
            << ": start workers with `paretoprune-cli worker --storage URL --study " << a.study
            << "`\n";
  untilInterrupted([&] { driver.run(); }, [&] { driver.cancel(); });
  if (tty && !g.json) std::cerr << "\n";
  const auto& cs = prepared.options.constraints;
  const auto ref = driver.reference();
  const auto front =
      frontOf(driver.trials(), prepared.options.objectives, cs, ref ? &*ref : nullptr);
  if (g.json) {
    json out = {{"stopped", driver.stopReason()},
                {"stop_kind", pp::stopKindName(driver.stopKind())},
                {"trials", driver.progress().done},
                {"hypervolume", driver.progress().hypervolume},
                {"constraints", pp::constraintTexts(cs)},
                {"front", json::array()}};
    for (const auto& t : front) out["front"].push_back(t.toJson());
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << "Study " << a.study << " " << driver.stopReason() << ": " << driver.progress().done
              << " trials (" << driver.progress().failed << " failed) in "
              << duration(driver.progress().elapsedSeconds) << ", hypervolume "
              << fixed(driver.progress().hypervolume, 4) << "\nPareto set"
              << (cs.empty() ? "" : " (feasible trials only: " + constraintList(cs) + ")") << ":\n";
    printTrials(front, "table", pp::parameterCount(prepared.model->config()), driver.reference());
  }
  if (driver.stopKind() == pp::StopKind::Cancelled)
    throw pp::Error("interrupted; run the same search again to resume");
}

void printSearchSummary(const pp::SearchRunner& runner, const GlobalOptions& g,
                        const std::string& modeName, const pp::ModelConfig& c) {
  const auto& objectives = runner.options().objectives;
  auto trials = runner.trials();
  const auto ref = runner.reference();
  const auto& cs = runner.options().constraints;
  auto front = frontOf(trials, objectives, cs, ref ? &*ref : nullptr);
  const auto p = runner.progress();
  // Which way the trials ran, and why (auto: the rates measured per device).
  std::map<std::string, int64_t> modes;
  for (const auto& t : trials)
    if (t.ok()) ++modes[t.mode];
  const json rates = runner.execRatesJson();
  std::string why;
  for (auto it = rates.begin(); it != rates.end(); ++it)
    why += (why.empty() ? "" : "; ") + it.key() + ": sliced " +
           fixed(it.value()["sliced_gflops"].get<double>(), 1) + ", masked " +
           fixed(it.value()["masked_gflops"].get<double>(), 1) + " GFLOP/s";
  if (g.json) {
    json out = {{"stopped", runner.stopReason()},
                {"stop_kind", pp::stopKindName(runner.stopKind())},
                {"auto", runner.header().autoChoices},
                {"trials", p.done},
                {"failed", p.failed},
                {"hypervolume", p.hypervolume},
                {"modes", modes},
                {"exec_rates", rates},
                {"front", json::array()}};
    for (const auto& t : front) out["front"].push_back(t.toJson());
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << "Search " << runner.stopReason() << ": " << p.done << " trials (" << p.failed
            << " failed) in " << duration(p.elapsedSeconds) << ", hypervolume "
            << fixed(p.hypervolume, 4) << "\n";
  std::string counts;
  for (const auto& [mode, n] : modes)
    counts += (counts.empty() ? "" : ", ") + std::to_string(n) + " " + mode;
  std::cout << "Evaluated " << (counts.empty() ? "nothing" : counts) << " (" << modeName
            << (why.empty() ? "" : "; measured " + why) << ")\n"
            << "Pareto set (" << objectives[0] << " vs " << objectives[1]
            << (cs.empty() ? "" : "; feasible trials only: " + constraintList(cs)) << "):\n";
  printTrials(front, "table", pp::parameterCount(c), runner.reference());
}
}  // namespace

namespace {
// The run: how many trials, found how, kept where.
void addRunOptions(CLI::App& cmd, SearchArgs& a) {
  cmd.add_option("--trials", a.trials,
                 "Total trials of the run, resumed ones count (default: auto, from the budget and "
                 "the measured "
                 "evaluation time; 100 without a budget)");
  cmd.add_option("--strategy", a.strategy,
                 "random, local, nsga2, morea, adaptive or auto (the default: chosen for the run)");
  cmd.add_option("--space", a.space, "seed, per-layer, layers, or a JSON file (default: auto)");
  cmd.add_option("--workers", a.workers, "Worker threads (0: chosen for the machine)")
      ->capture_default_str();
  cmd.add_option("--seed", a.seed, "Seed of the strategy")->capture_default_str();
  cmd.add_option("--log", a.log, "JSON-lines log of the run");
  cmd.add_flag("--resume", a.resume, "Continue the run in --log");
  cmd.add_option("--objectives", a.objectives,
                 "Two or three of error, params, flops, latency, mcc, f1")
      ->capture_default_str();
  cmd.add_option("--budget", a.budget, "Wall-clock budget, e.g. 90s, 10m, 2h");
  cmd.add_option("--constraint", a.constraints,
                 "A hard limit, e.g. latency_ms<=5, params_share<=0.5, size_mb<=50, "
                 "accuracy_drop<=1 (repeat the option; kept in the log)")
      ->allow_extra_args(false);
}

// Which validation examples a trial is evaluated on, and screening.
void addFidelityOptions(CLI::App& cmd, SearchArgs& a) {
  cmd.add_option("--val-subset", a.valSubset,
                 "Evaluate on a seeded subset of this many validation examples");
  cmd.add_option("--val-subset-seed", a.valSeed, "Seed of the validation subset");
  cmd.add_flag("--multi-fidelity", a.multiFidelity,
               "Screen on a length-stratified 30% first; finish only trials that could still "
               "reach the front "
               "(default: auto)");
  cmd.add_flag("--no-multi-fidelity", a.noMultiFidelity,
               "Evaluate every trial on the whole validation set");
}

// When the run is complete, and auto settings.
void addCompletionOptions(CLI::App& cmd, SearchArgs& a) {
  cmd.add_option(
      "--converge-window", a.convergeWindow,
      "Stop when the hypervolume gained less than --converge-gain over this many trials (0: never; "
      "default: auto)");
  cmd.add_option("--converge-gain", a.convergeGain,
                 "Relative hypervolume gain that counts as progress")
      ->capture_default_str();
  cmd.add_option(
      "--target-drop", a.targetDrop,
      "Stop once a trial is within this many points of accuracy (a tagger's: of entity F1) of "
      "the full model with at most --target-params of its parameters");
  cmd.add_option("--target-params", a.targetParams, "Parameter share for --target-drop")
      ->capture_default_str();
  cmd.add_flag("--no-auto", a.noAuto,
               "No auto settings: random strategy, seed space, 100 trials, batch 32, no "
               "screening, no convergence "
               "stop (the options' defaults)");
}

// How each trial runs and what is measured.
void addExecutionOptions(CLI::App& cmd, SearchArgs& a) {
  cmd.add_option("--mode", a.mode, "auto, masked or sliced")->capture_default_str();
  cmd.add_option("--precision", a.precision,
                 "fp32, bf16, int8 (the onnx-int8 export's numerics, CPU) or fp16 (GPU only); "
                 "with bf16/fp16, trials that could reach the front are measured again in fp32")
      ->capture_default_str();
  cmd.add_flag("--no-confirm", a.noConfirm,
               "With --precision bf16/fp16: keep the reduced precision's numbers for the front "
               "too (no fp32 confirmation)");
  cmd.add_option("--device", a.device, "auto (every CUDA device, else CPU), cpu, cuda or cuda:N")
      ->capture_default_str();
  cmd.add_option("--latency-runs", a.latencyRuns, "Timed runs per trial for latency (0: skip)")
      ->capture_default_str();
  cmd.add_option("--latency-length", a.latencySeq, "Sequence length for latency and FLOPs")
      ->capture_default_str();
}

// A study shared through PostgreSQL instead of a local run.
void addStorageOptions(CLI::App& cmd, SearchArgs& a) {
  auto* storage = cmd.add_option(
      "--storage", a.storage,
      "Share the study through PostgreSQL (postgresql://user@host/db, or service=NAME; the "
      "password from ~/.pgpass, PGPASSFILE or PGPASSWORD); workers on any machine run "
      "`paretoprune-cli worker` (docs/distributed.md)");
  cmd.add_option("--study", a.study, "The study's name in --storage")->needs(storage);
  storage->needs(cmd.get_option("--study"));
  cmd.add_option("--lease", a.lease,
                 "Seconds a worker's claim lasts without a heartbeat (with --storage)")
      ->capture_default_str();
}

void runSearch(SearchArgs& a, const CLI::App& cmd, const GlobalOptions& g) {
  a.autoSettings = autoRequestOf(cmd, a.noAuto);
  if (a.strategy == "auto") {  // what the help calls the default, said aloud
    if (a.noAuto)
      throw pp::Error(
          "search: --strategy auto with --no-auto: name a strategy (random, local, "
          "nsga2, morea or adaptive), or drop --no-auto");
    a.autoSettings.strategy = true;
    a.strategy = SearchArgs{}.strategy;
  }
  if (!a.storage.empty() && !a.log.empty())
    throw pp::Error(
        "--log and --storage both keep the run: give one (export a study with `study "
        "export-log`)");
  if (!a.storage.empty()) pp::checkLeaseSeconds(a.lease);
  pp::PreparedSearch prepared = pp::prepareSearch(searchRequest(a));
  prepared.options.threads = g.threads;  // the runner applies the budget
  printAutoChoices(prepared.autoChoices, g);
  for (const auto& w : prepared.warnings) std::cerr << "paretoprune-cli: warning: " << w << "\n";
  if (!a.storage.empty()) {
    runStudyDriver(prepared, a, g);
    return;
  }
  const bool tty = isatty(2);
  pp::SearchRunner runner(prepared, progressPrinter(g, tty));
  pp::setGemmBackend(g.gemm);
  runner.applyThreadBudget();
  const auto& cfg = prepared.model->config();
  if (!g.json && runner.devices().front() == "cpu")
    std::cerr << pp::gemmChoiceLine(cfg, pp::precisionName(prepared.options.eval.precision))
              << "\n";
  untilInterrupted([&] { runner.run(); }, [&] { runner.cancel(); });
  if (tty && !g.json) std::cerr << "\n";
  printSearchSummary(runner, g, a.mode, prepared.model->config());
  if (const auto ref = runner.reference()) {
    const pp::RunHeader h = runner.header();
    const std::string chance = pp::chanceLevelNote(&*ref, h.chanceError, h.metric);
    if (!chance.empty()) std::cerr << "paretoprune-cli: warning: " << chance << "\n";
  }
  if (runner.stopKind() != pp::StopKind::Cancelled) return;
  std::error_code ec;
  if (a.log.empty())
    throw pp::Error(
        "interrupted; the trials were not kept (give --log LOG to keep a run and continue it "
        "later with --resume)");
  if (!std::filesystem::exists(a.log, ec))
    throw pp::Error(
        "interrupted before the run log was written: nothing to resume (run the same "
        "command again)");
  throw pp::Error("interrupted; continue with the same command and --resume (" + a.log +
                  " keeps every finished trial)");
}
}  // namespace

void addSearchCommand(CLI::App& app, GlobalOptions& g) {
  auto a = std::make_shared<SearchArgs>();
  auto* cmd = app.add_subcommand("search", "Search sub-networks and keep the Pareto front");
  cmd->add_option("MODEL", a->model, "Model directory")->required();
  a->data.add(*cmd, 0.3);
  addRunOptions(*cmd, *a);
  addFidelityOptions(*cmd, *a);
  addCompletionOptions(*cmd, *a);
  addExecutionOptions(*cmd, *a);
  addStorageOptions(*cmd, *a);
  cmd->callback([a, &g, cmd] { runSearch(*a, *cmd, g); });
}

namespace {
// The run `front` shows: a log, or a study; errors with a hint, never a password.
pp::OpenedRunLog openFrontRun(const std::vector<std::string>& logs, const std::string& storage,
                              const std::string& study, const std::string& modelDir, bool skipBad) {
  try {
    const auto bad = skipBad ? pp::BadLines::Skip : pp::BadLines::Refuse;
    return storage.empty() ? pp::RunSource::parse(logs.front()).open(modelDir, bad)
                           : pp::openStudy(storage, study, modelDir);
  } catch (const pp::DamagedLogLine& e) {
    throw pp::Error(std::string(e.what()) + " (--skip-bad-lines shows the rest)");
  } catch (const pp::Error& e) {
    const std::string hint =
        modelDir.empty() && std::string(e.what()).find("config.json") != std::string::npos
            ? " (pass --model DIR)"
            : "";
    // A log's path that holds a URL (a mistyped study) never shows its password.
    throw pp::Error(pp::redactSecrets(e.what() + hint, logs.empty() ? "" : logs.front()));
  }
}
}  // namespace

void addFrontCommand(CLI::App& app, GlobalOptions& g) {
  auto logs = std::make_shared<std::vector<std::string>>();
  auto modelDir = std::make_shared<std::string>();
  auto all = std::make_shared<bool>(false);
  auto csv = std::make_shared<bool>(false);
  auto compare = std::make_shared<bool>(false);
  auto force = std::make_shared<bool>(false);
  auto out = std::make_shared<std::string>();
  auto objectives = std::make_shared<std::string>();
  auto storage = std::make_shared<std::string>();
  auto study = std::make_shared<std::string>();
  auto skipBad = std::make_shared<bool>(false);
  auto decide = std::make_shared<FrontDecideOptions>();
  auto* cmd = app.add_subcommand(
      "front", "Print the Pareto set (or every trial) of a run log or study, or compare runs");
  cmd->add_option("LOG", *logs,
                  "Run log (.jsonl); several with --compare, where a study in PostgreSQL is "
                  "written NAME@postgresql://HOST/DB");
  cmd->add_option("--storage", *storage, "Read a study from PostgreSQL instead (with --study)");
  cmd->add_option("--study", *study, "The study's name in --storage");
  cmd->add_option("--model", *modelDir, "Model directory (default: the one the log names)");
  auto* allFlag = cmd->add_flag("--all", *all, "Every trial, not only the Pareto set");
  cmd->add_flag("--csv", *csv, "CSV output");
  auto* compareFlag = cmd->add_flag("--compare", *compare,
                                    "Compare the runs of the LOGs and studies (one model; "
                                    "--storage --study adds one more): each run's "
                                    "hypervolume on one shared scale and the Pareto set of "
                                    "all their trials, saying which run found each");
  cmd->add_option("--out", *out,
                  "With --compare: write the combined Pareto set as CSV to this file")
      ->needs(compareFlag);
  cmd->add_flag("--force", *force, "With --out: replace an existing file");
  allFlag->excludes(compareFlag);
  cmd->add_option("--objectives", *objectives,
                  "Objectives of the Pareto set, two to six, e.g. error,params,flops,latency "
                  "(default: the run's)");
  addFrontDecideOptions(*cmd, *decide);
  cmd->add_flag("--skip-bad-lines", *skipBad,
                "Read a damaged log: leave out its bad lines (each named) and show the rest");
  cmd->callback([=, &g] {
    if (storage->empty() != study->empty())
      throw pp::Error("--storage and --study go together: --storage URL --study NAME");
    if (*compare) {
      std::vector<pp::RunSource> runs;
      for (const auto& log : *logs) runs.push_back(pp::RunSource::parse(log));
      if (!storage->empty()) runs.push_back(pp::RunSource{"", *storage, *study});
      runFrontCompare(runs, {*modelDir, *objectives, *out, *csv, *force}, g);
      return;
    }
    if (logs->size() > 1)
      throw pp::Error("front shows one run log (got " + std::to_string(logs->size()) +
                      "); to compare runs: paretoprune-cli front --compare LOG LOG...");
    if (logs->empty() == storage->empty() || storage->empty() != study->empty())
      throw pp::Error("give a run log, or --storage URL --study NAME");
    const pp::OpenedRunLog run = openFrontRun(*logs, *storage, *study, *modelDir, *skipBad);
    for (const auto& w : run.log.warnings) std::cerr << "warning: " << w << "\n";
    if (run.log.skippedLines > 0)
      std::cerr << "warning: " << run.log.skippedLines
                << " damaged line(s) left out; the front is of the other trials\n";
    const std::vector<std::string> obj =
        objectives->empty() ? run.log.header.objectives : pp::parseObjectives(*objectives, 6);
    const auto cs = runConstraints(run, decide->constraints);
    const pp::Trial* ref = run.reference ? &*run.reference : nullptr;
    if (decide->recovered)
      return printRecoveredFront(run, obj, cs, *decide, g,
                                 g.json ? "json"
                                 : *csv ? "csv"
                                        : "table");
    if (decide->recommend && g.json) return printPicks(run, obj, cs, decide->within, g);
    if (!cs.empty() && !*all && !g.json && !*csv)
      std::cout << "Feasible trials only: " << constraintList(cs) << "\n";
    auto rows = *all ? run.log.trials : frontOf(run.log.trials, obj, cs, ref);
    printTrials(rows,
                g.json ? "json"
                : *csv ? "csv"
                       : "table",
                pp::parameterCount(run.config), run.reference);
    if (decide->recommend) printPicks(run, obj, cs, decide->within, g);
  });
}

}  // namespace ppcli
