// bench_autotune: auto settings against the old defaults (random search,
// seed space, 100 trials, batch 32, no screening, no convergence stop), at
// equal and at half the wall time, over seeds; on the demo, and on a random
// BERT-base-shaped model with a small validation set of RTE-like pairs.
//
//   bench_autotune [--seeds 3] [--cases demo,base] [--base-pairs 48] [--base-seq 96]
//
// Prints per case and seed: hypervolume (error vs parameters, normalised as
// in docs/search.md: the same space, so the numbers compare), wall time and
// trials for the old defaults, for auto with half their time as its budget,
// and for auto with the same time; then the means.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench_data.h"

#include "paretoprune/base/rng.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/random_model.h"
#include "paretoprune/search/search_request.h"
#include "paretoprune/search/search_runner.h"

namespace {

struct Outcome {
  double hv = 0, seconds = 0;
  int64_t trials = 0;
  std::string stop;
};

Outcome run(pp::SearchRequest r) {
  const auto t0 = std::chrono::steady_clock::now();
  pp::SearchRunner runner(pp::prepareSearch(r));
  pp::useComputeThreads(pp::ComputeUse::Evaluation,
                        std::max(1, pp::hardwareThreads() / runner.workers()));
  runner.run();
  Outcome o;
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  o.hv = runner.progress().hypervolume;
  o.trials = runner.progress().done;
  o.stop = pp::stopKindName(runner.stopKind());
  return o;
}

pp::SearchRequest base(const std::string& model, const std::string& data, const std::string& val,
                       uint64_t seed, int64_t maxLength) {
  pp::SearchRequest r;
  r.modelDir = model;
  r.data.data = data;
  r.data.validation = val;
  r.data.valSplit = val.empty() ? 0.3 : 0.0;
  r.data.maxLength = maxLength;
  r.options.seed = seed;
  r.options.eval.measureLatency = false;
  return r;
}

void writePairs(const std::string& path, int64_t n, uint64_t seed) {
  const pp::Dataset d = ppbench::rteLikePairs(n, seed, 30, 70);
  FILE* f = std::fopen(path.c_str(), "w");
  std::fprintf(f, "sentence1\tsentence2\tlabel\n");
  for (const auto& e : d.examples)
    std::fprintf(f, "%s\t%s\t%lld\n", e.text.c_str(), e.pair.c_str(),
                 static_cast<long long>(e.label));
  std::fclose(f);
}

void benchCase(const std::string& name, const std::string& model, const std::string& data,
               const std::string& val, int seeds, int64_t maxLength) {
  std::printf("\n%s\n", name.c_str());
  std::printf("%4s | %-26s | %-26s | %-26s\n", "seed", "old defaults: HV s trials",
              "auto, half the time", "auto, the same time");
  double sums[3][2] = {};
  for (int s = 1; s <= seeds; ++s) {
    pp::SearchRequest old = base(model, data, val, static_cast<uint64_t>(s), maxLength);
    old.options.strategy = "random";
    old.options.trials = 100;
    const Outcome o = run(old);
    Outcome a[2];
    for (int k = 0; k < 2; ++k) {
      pp::SearchRequest r = base(model, data, val, static_cast<uint64_t>(s), maxLength);
      r.autoSettings = pp::AutoRequest::all();
      r.options.budgetSeconds = o.seconds * (k == 0 ? 0.5 : 1.0);
      a[k] = run(r);
    }
    std::printf("%4d | %.4f %6.1f %4lld        | %.4f %6.1f %4lld %-9s | %.4f %6.1f %4lld %-9s\n",
                s, o.hv, o.seconds, static_cast<long long>(o.trials), a[0].hv, a[0].seconds,
                static_cast<long long>(a[0].trials), a[0].stop.c_str(), a[1].hv, a[1].seconds,
                static_cast<long long>(a[1].trials), a[1].stop.c_str());
    const Outcome* all[3] = {&o, &a[0], &a[1]};
    for (int k = 0; k < 3; ++k) {
      sums[k][0] += all[k]->hv;
      sums[k][1] += all[k]->seconds;
    }
    std::fflush(stdout);
  }
  std::printf("mean | %.4f %6.1f             | %.4f %6.1f                | %.4f %6.1f\n",
              sums[0][0] / seeds, sums[0][1] / seeds, sums[1][0] / seeds, sums[1][1] / seeds,
              sums[2][0] / seeds, sums[2][1] / seeds);
}

}  // namespace

int main(int argc, char** argv) {
  int seeds = 3;
  std::string cases = "demo,base", work = "out/bench-autotune";
  int64_t basePairs = 48, baseSeq = 96;
  CLI::App cli(
      "bench_autotune: auto settings against the old defaults at equal and half wall time");
  cli.add_option("--seeds", seeds, "Seeds per case")->capture_default_str();
  cli.add_option("--cases", cases, "demo, base (a random BERT-base-shaped model)")
      ->capture_default_str();
  cli.add_option("--base-pairs", basePairs, "Validation pairs of the BERT-base case")
      ->capture_default_str();
  cli.add_option("--base-seq", baseSeq, "Maximum length of the BERT-base case")
      ->capture_default_str();
  cli.add_option("--work", work, "Scratch folder")->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  const std::string demo = PARETOPRUNE_RESOURCES_DIR "/demo";
  if (cases.find("demo") != std::string::npos)
    benchCase("demo (600 validation sentences)", demo + "/model", demo + "/sentiment-train.tsv",
              demo + "/sentiment-validation.tsv", seeds, 128);
  if (cases.find("base") != std::string::npos) {
    std::filesystem::create_directories(work);
    const std::string model = work + "/bert-base-shaped";
    if (!std::filesystem::exists(model + "/config.json")) {
      auto o = pp::TinyModelOptions::shaped(12, 768, 12, 3072);
      o.maxPositions = 512;
      pp::writeRandomModel(model, o);
    }
    writePairs(work + "/pairs.tsv", basePairs, 5);
    benchCase("random BERT-base shape (" + std::to_string(basePairs) + " pairs, length " +
                  std::to_string(baseSeq) + ")",
              model, work + "/pairs.tsv", work + "/pairs.tsv", seeds, baseSeq);
  }
  return 0;
}
