// bench_search: the search strategies against each other on the demo model
// and data, and the runner's throughput and overhead.
//
//   bench_search [--model DIR] [--data TSV] [--trials N] [--seeds S]
//                [--strategies random,local,nsga2,morea] [--space seed]
//
// Prints, per strategy over S seeds: hypervolume (error vs parameters,
// normalised as in docs/search.md) after 25/50/100% of the trials, mean and
// standard deviation, the trials each needs to reach random search's final
// hypervolume, and the wall time. Then random search with 1 and 2 workers:
// wall time after the full model's evaluation (timed apart), trials per
// minute, the share of that time spent outside model evaluation, and peak
// resident memory; and multi-fidelity against full
// evaluation on the same seed. Last, under constraints (--constraints):
// the hypervolume of the feasible set that each strategy finds when it
// searches with the constraints, against the same strategy searching
// without them, same budget and seeds (--only-constraints: that table alone).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "paretoprune/base/pareto.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/formats/config.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/model.h"
#include "paretoprune/search/constraint.h"
#include "paretoprune/search/search_runner.h"

namespace {

struct Args {
  std::string model = PARETOPRUNE_RESOURCES_DIR "/demo/model";
  std::string data = PARETOPRUNE_RESOURCES_DIR "/demo/sentiment-validation.tsv";
  int64_t trials = 100;
  int seeds = 3;
  std::string strategies = "random,local,nsga2,morea";
  std::string space = "seed";
  std::string constraints = "params_share<=0.5,accuracy_drop<=1";
  bool onlyConstraints = false;
};

struct RunResult {
  std::vector<double> hvCurve;   // hypervolume after 1..N trials
  double wall = 0, evalSum = 0;  // wall: after the reference
  double referenceSeconds = 0;   // the full model's evaluation before the search
  int64_t done = 0;
  size_t frontSize = 0;
  std::vector<pp::Trial> trials;
  double feasibleHv = 0;  // of the feasible set under the judged constraints
  size_t feasibleTrials = 0;
};

double peakRssMiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

void resetPeakRss() {
  std::ofstream("/proc/self/clear_refs") << "5";
}

RunResult runSearch(const std::shared_ptr<const pp::Model>& model,
                    const std::shared_ptr<const pp::EncodedData>& enc, const pp::SearchSpace& space,
                    const std::string& strategy, uint64_t seed, int64_t trials, int workers,
                    bool multiFidelity, const std::vector<pp::Constraint>& searchUnder = {},
                    const std::vector<pp::Constraint>& judge = {}) {
  pp::useComputeThreads(pp::ComputeUse::Evaluation, std::max(1, pp::hardwareThreads() / workers));
  pp::SearchOptions o;
  o.strategy = strategy;
  o.trials = trials;
  o.workers = workers;
  o.seed = seed;
  o.objectives = {"error", "params"};
  o.eval.measureLatency = false;
  o.multiFidelity = multiFidelity;
  o.constraints = searchUnder;
  // The search proper starts once the full model (the reference) is
  // evaluated; that evaluation is timed on its own.
  auto t0 = std::chrono::steady_clock::now();
  const auto start = t0;
  pp::SearchEvents ev;
  ev.referenceEvaluated = [&](const pp::Trial&) { t0 = std::chrono::steady_clock::now(); };
  pp::SearchRunner runner(model, enc, space, o, ev);
  runner.run();
  RunResult r;
  const auto end = std::chrono::steady_clock::now();
  r.wall = std::chrono::duration<double>(end - t0).count();
  r.referenceSeconds = std::chrono::duration<double>(t0 - start).count();
  r.trials = runner.trials();
  std::vector<pp::Point> pts;
  for (const auto& t : r.trials) {
    r.evalSum += t.evalSeconds;
    if (t.ok() && t.fidelity >= 1.0) pts.push_back(pp::objectiveVector(t, o.objectives));
    r.hvCurve.push_back(pp::normalizedHypervolume(pts, runner.normalizer()));
  }
  r.done = static_cast<int64_t>(r.trials.size());
  r.frontSize = runner.frontIds().size();
  const auto ref = runner.reference();
  std::vector<pp::Point> feasiblePts;
  for (size_t i : pp::feasibleParetoTrials(r.trials, o.objectives, judge, ref ? &*ref : nullptr))
    feasiblePts.push_back(pp::objectiveVector(r.trials[i], o.objectives));
  for (const auto& t : r.trials)
    r.feasibleTrials += t.ok() && pp::feasible(judge, t, ref ? &*ref : nullptr);
  r.feasibleHv = pp::normalizedHypervolume(feasiblePts, runner.normalizer());
  return r;
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / static_cast<double>(v.size());
}
double stddev(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double m = mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

// 4. Each strategy searching under the constraints against the same
// strategy searching without them: the feasible set's hypervolume (error vs
// parameters, the runner's normalisation) and the feasible trials found.
void constrainedTable(const std::shared_ptr<const pp::Model>& model,
                      const std::shared_ptr<const pp::EncodedData>& enc,
                      const pp::SearchSpace& space, const std::vector<std::string>& strategies,
                      const Args& a) {
  const auto cs = pp::parseConstraints(split(a.constraints));
  std::printf(
      "\nunder %s: feasible-set hypervolume, %lld trials x %d seeds, unconstrained "
      "search vs constrained search of the same budget\n",
      a.constraints.c_str(), static_cast<long long>(a.trials), a.seeds);
  std::printf("%-9s %19s %19s %10s %14s %14s\n", "strategy", "HV unconstrained", "HV constrained",
              "ratio", "feasible (u)", "feasible (c)");
  for (const auto& s : strategies) {
    std::vector<double> hu, hc, fu, fc;
    for (int seed = 1; seed <= a.seeds; ++seed) {
      const auto u =
          runSearch(model, enc, space, s, static_cast<uint64_t>(seed), a.trials, 1, false, {}, cs);
      const auto c =
          runSearch(model, enc, space, s, static_cast<uint64_t>(seed), a.trials, 1, false, cs, cs);
      hu.push_back(u.feasibleHv);
      hc.push_back(c.feasibleHv);
      fu.push_back(static_cast<double>(u.feasibleTrials));
      fc.push_back(static_cast<double>(c.feasibleTrials));
      std::fprintf(stderr, "  %s seed %d: feasible HV %.4f unconstrained, %.4f constrained\n",
                   s.c_str(), seed, u.feasibleHv, c.feasibleHv);
    }
    std::printf("%-9s %9.4f +- %6.4f %9.4f +- %6.4f %10.3f %14.1f %14.1f\n", s.c_str(), mean(hu),
                stddev(hu), mean(hc), stddev(hc), mean(hu) > 0 ? mean(hc) / mean(hu) : 0.0,
                mean(fu), mean(fc));
  }
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  CLI::App cli("bench_search: strategies' hypervolume, workers, overhead, memory, multi-fidelity");
  cli.add_option("--model", a.model, "Model directory")->capture_default_str();
  cli.add_option("--data", a.data, "Validation data")->capture_default_str();
  cli.add_option("--trials", a.trials, "Trials per search")->capture_default_str();
  cli.add_option("--seeds", a.seeds, "Seeds per strategy")->capture_default_str();
  cli.add_option("--strategies", a.strategies, "Comma-separated strategies")->capture_default_str();
  cli.add_option("--space", a.space, "Search space")->capture_default_str();
  cli.add_option("--constraints", a.constraints, "Comma-separated constraints of the last table")
      ->capture_default_str();
  cli.add_flag("--only-constraints", a.onlyConstraints, "Only the constrained-search table");
  CLI11_PARSE(cli, argc, argv);
  try {
    auto model = pp::Model::load(a.model);
    pp::Dataset val = pp::loadDataset(a.data, model->config());
    pp::EncodeOptions eo;
    eo.maxLength = 64;
    auto enc = std::make_shared<pp::EncodedData>(*model, val, eo);
    const auto space = pp::SearchSpace::parse(a.space, model->config());
    std::printf(
        "bench_search: model %s (%lld parameters), %zu validation examples, space %s (%lld "
        "sub-networks)\n",
        a.model.c_str(), static_cast<long long>(pp::parameterCount(model->config())), enc->size(),
        a.space.c_str(), static_cast<long long>(space.size()));
    std::printf(
        "LibTorch %s, %d hardware threads; %lld trials x %d seeds per strategy, 1 worker\n\n",
        pp::torchVersion().c_str(), pp::hardwareThreads(), static_cast<long long>(a.trials),
        a.seeds);

    const auto strategies = split(a.strategies);
    if (a.onlyConstraints) {
      constrainedTable(model, enc, space, strategies, a);
      return 0;
    }
    // 1. Strategies: hypervolume over trials, mean and spread over seeds.
    std::map<std::string, std::vector<RunResult>> runs;
    for (const auto& s : strategies)
      for (int seed = 0; seed < a.seeds; ++seed) {
        runs[s].push_back(
            runSearch(model, enc, space, s, static_cast<uint64_t>(seed) + 1, a.trials, 1, false));
        std::fprintf(stderr, "  %s seed %d: %.1f s, hypervolume %.4f\n", s.c_str(), seed + 1,
                     runs[s].back().wall, runs[s].back().hvCurve.back());
      }
    const int64_t marks[] = {a.trials / 4, a.trials / 2, a.trials};
    auto hvAt = [&](const std::string& s, int64_t k) {
      std::vector<double> v;
      for (const auto& r : runs[s])
        v.push_back(r.hvCurve[static_cast<size_t>(std::min<int64_t>(k, r.done) - 1)]);
      return v;
    };
    const double target = runs.count("random") ? mean(hvAt("random", a.trials)) : 0;
    std::printf("%-8s %17s %17s %17s %14s %9s\n", "strategy",
                ("HV@" + std::to_string(marks[0])).c_str(),
                ("HV@" + std::to_string(marks[1])).c_str(),
                ("HV@" + std::to_string(marks[2])).c_str(), "reach random", "wall s");
    for (const auto& s : strategies) {
      std::printf("%-8s", s.c_str());
      for (int64_t k : marks) {
        auto v = hvAt(s, k);
        std::printf("  %7.4f +- %6.4f", mean(v), stddev(v));
      }
      // Trials the seed-mean curve needs to reach random's final mean.
      int64_t reach = -1;
      for (int64_t k = 1; k <= a.trials && reach < 0; ++k)
        if (mean(hvAt(s, k)) >= target - 1e-12) reach = k;
      std::vector<double> walls;
      for (const auto& r : runs[s]) walls.push_back(r.wall);
      std::printf(" %14s %9.1f\n", reach < 0 ? "not reached" : std::to_string(reach).c_str(),
                  mean(walls));
    }

    // 2. Throughput and overhead with 1 and 2 workers, and peak memory.
    std::printf("\n%-8s %9s %12s %16s %15s %12s\n", "workers", "wall s", "trials/min",
                "outside eval %", "peak RSS MiB", "full model s");
    for (int w : {1, 2}) {
      resetPeakRss();
      RunResult r = runSearch(model, enc, space, "random", 99, a.trials, w, false);
      const double outside = 100.0 * (1.0 - r.evalSum / (r.wall * w));
      std::printf("%-8d %9.1f %12.1f %16.2f %15.1f %12.2f\n", w, r.wall,
                  60.0 * static_cast<double>(r.done) / r.wall, outside, peakRssMiB(),
                  r.referenceSeconds);
    }

    // 3. Multi-fidelity against full evaluation, same strategy and seed.
    RunResult full = runSearch(model, enc, space, "random", 7, a.trials, 1, false);
    RunResult mf = runSearch(model, enc, space, "random", 7, a.trials, 1, true);
    int64_t cut = 0;
    for (const auto& t : mf.trials) cut += t.status == pp::Trial::Status::Stopped;
    // Sub-networks on the full-evaluation front that the multi-fidelity run
    // cut short (same seed: the same proposals, so the difference is the cut).
    std::map<std::string, const pp::Trial*> mfByKey;
    for (const auto& t : mf.trials) mfByKey[t.subnet.key()] = &t;
    int64_t missed = 0, frontN = 0;
    for (size_t i : pp::paretoTrials(full.trials, {"error", "params"})) {
      ++frontN;
      auto it = mfByKey.find(full.trials[i].subnet.key());
      if (it != mfByKey.end() && it->second->status == pp::Trial::Status::Stopped) ++missed;
    }
    std::printf(
        "\nmulti-fidelity (random, seed 7): %lld of %lld trials stopped at the low fidelity; wall "
        "%.1f s vs "
        "%.1f s (%.0f%% saved); final hypervolume %.4f vs %.4f; full-evaluation front points cut: "
        "%lld of "
        "%lld\n",
        static_cast<long long>(cut), static_cast<long long>(mf.done), mf.wall, full.wall,
        100.0 * (1.0 - mf.wall / full.wall), mf.hvCurve.back(), full.hvCurve.back(),
        static_cast<long long>(missed), static_cast<long long>(frontN));
    constrainedTable(model, enc, space, strategies, a);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_search: %s\n", e.what());
    return 1;
  }
  return 0;
}
