// bench_subnet: sliced against masked against full evaluation, by FLOP share,
// on a BERT-base-shaped model (12 layers, hidden 768, 12 heads, 3072 units;
// random weights), and the padding that length bucketing saves on the demo
// data.
//
//   bench_subnet [--batch B] [--seq T] [--reps R]
//
// For each sub-network: its share of the full model's FLOPs, the time of a
// forward pass full / masked / sliced (best of R), the sliced speed-up
// against the FLOP reduction (target: at least 0.8 of it), masked against
// full (target: never slower), which of the two was faster and which the
// runner's auto mode picks from its probe, and the sliced FLOP rate against the
// machine's GEMM rate measured in the same run (target: 70% for the full
// model, 50% down to a quarter of its FLOPs).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench_util.h"
#include "cpu/forward.h"
#include "eval/evaluator_impl.h"
#include "model/slicing.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"
#include "paretoprune/search/search_space.h"

using ppbench::gemmRate;

namespace {
template <class Fn>
double best(int reps, Fn&& fn) {
  return ppbench::bestSeconds(reps, std::forward<Fn>(fn));
}
}  // namespace

int main(int argc, char** argv) {
  int64_t batch = 8, seq = 128;
  int reps = 2;
  CLI::App cli(
      "bench_subnet: sliced against masked against full, by FLOP share; padding; auto's picks");
  cli.add_option("--batch", batch, "Batch size")->capture_default_str();
  cli.add_option("--seq", seq, "Sequence length")->capture_default_str();
  cli.add_option("--reps", reps, "Timed rounds (best of)")->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  torch::InferenceMode guard;
  // The policy of docs/performance.md for one worker.
  pp::useComputeThreads(pp::ComputeUse::Evaluation, pp::hardwareThreads());
  const pp::ModelConfig c = pp::shapedConfig(12, 768, 12, 3072, 1000);
  const pp::EncoderWeights w = pp::randomWeights(c, 0.02, 1);
  const auto ident = pp::identityOrder(c, true), identU = pp::identityOrder(c, false);
  pp::Batch b;
  b.ids = torch::randint(0, c.vocab_size, {batch, seq}, torch::kLong);
  b.typeIds = torch::zeros({batch, seq}, torch::kLong);
  b.mask = torch::ones({batch, seq});
  const double fullFlops = static_cast<double>(pp::flopCount(c, pp::SubNetwork::full(c), seq)) *
                           static_cast<double>(batch);
  // The GEMM rate with warm BLAS threads (measured first, it came out low).
  const double gemm = std::max(gemmRate(batch * seq, reps + 1), gemmRate(batch * seq, reps + 1));
  std::printf(
      "bench_subnet: BERT-base shape, batch %lld x sequence %lld, LibTorch %s, %d hardware "
      "threads; GEMM "
      "rate %.1f GFLOP/s\n\n",
      static_cast<long long>(batch), static_cast<long long>(seq), pp::torchVersion().c_str(),
      pp::hardwareThreads(), gemm);
  // What the runner measures before a search to pick each trial's mode.
  const pp::ExecRates rates =
      pp::measureExecRates(w, c, pp::Act::GeluErf, b, ident, identU, pp::Precision::Float32);
  std::printf(
      "auto's probe (8 x %lld, half the heads and units): sliced %.1f, masked %.1f GFLOP/s\n\n",
      static_cast<long long>(seq), rates.sliced / 1e9, rates.masked / 1e9);
  std::printf("%-22s %7s %9s %9s %9s %10s %11s %12s %7s %7s\n", "sub-network", "FLOPs", "full s",
              "masked s", "sliced s", "masked/full", "speed-up/FLOP", "sliced/GEMM", "faster",
              "auto");
  const struct {
    int64_t layers, heads, units;
  } subs[] = {{12, 12, 3072}, {12, 9, 2304}, {12, 6, 1536}, {9, 6, 1536},
              {6, 6, 1536},   {6, 3, 768},   {3, 3, 768}};
  for (const auto& s : subs) {
    const pp::SubNetwork sub = pp::SubNetwork::uniform(c, s.layers, s.heads, s.units);
    const double flops =
        static_cast<double>(pp::flopCount(c, sub, seq)) * static_cast<double>(batch);
    const pp::EncoderWeights maskedW = pp::maskWeights(w, sub, ident, identU);
    const pp::EncoderWeights sliced = pp::sliceWeights(w, sub, ident, identU);
    // The three in turn, best of `reps` each: the machine's drift over a
    // row hits them alike, so the ratios stay fair.
    double fullTime = 1e30, masked = 1e30, slicedT = 1e30;
    auto once = [&](double& bestSoFar, const pp::EncoderWeights& weights) {
      const auto t0 = std::chrono::steady_clock::now();
      pp::encoderForward(weights, pp::Act::GeluErf, 1e-12, b);
      bestSoFar = std::min(bestSoFar, ppbench::secondsSince(t0));
    };
    for (int r = 0; r < reps + 1; ++r) {  // the first round warms up
      once(fullTime, w);
      once(masked, maskedW);
      once(slicedT, sliced);
      if (r == 0) fullTime = masked = slicedT = 1e30;
    }
    const double share = flops / fullFlops;
    std::printf("%-22s %6.1f%% %9.3f %9.3f %9.3f %10.2f %11.2f %11.0f%% %7s %7s\n",
                sub.summary().c_str(), 100.0 * share, fullTime, masked, slicedT, masked / fullTime,
                (fullTime / slicedT) / (1.0 / share), 100.0 * flops / slicedT / 1e9 / gemm,
                std::abs(masked - slicedT) < 0.02 * slicedT ? "same"
                : masked < slicedT                          ? "masked"
                                                            : "sliced",
                pp::execModeName(pp::fasterMode(c, sub, rates, seq)));
  }

  // Padding with and without length bucketing on the demo data.
  try {
    auto m = pp::Model::load(PARETOPRUNE_RESOURCES_DIR "/demo/model");
    auto val =
        pp::loadDataset(PARETOPRUNE_RESOURCES_DIR "/demo/sentiment-validation.tsv", m->config());
    std::printf("\n%-26s %10s %10s %12s\n", "demo validation (600)", "batch", "bucketed",
                "padding");
    for (int64_t bs : {8, 32, 128})
      for (bool bucket : {false, true}) {
        pp::EncodeOptions eo;
        eo.maxLength = 128;
        eo.batchSize = bs;
        eo.bucketByLength = bucket;
        pp::EncodedData enc(*m, val, eo);
        std::printf("%-26s %10lld %10s %11.1f%%\n", "", static_cast<long long>(bs),
                    bucket ? "yes" : "no", 100.0 * enc.paddingFraction());
      }
    // Does auto pick well? The same sub-networks evaluated every way; auto's
    // total should be no worse than the better fixed mode's.
    pp::EncodedData enc(*m, val);
    pp::EvalOptions eo;
    eo.measureLatency = false;
    eo.rates = pp::measureExecRates(*m, enc, eo);
    const auto space = pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, m->config());
    pp::Rng rng(7);
    std::vector<pp::SubNetwork> subs;
    for (int i = 0; i < 60; ++i) subs.push_back(space.sample(rng));
    std::printf(
        "\ndemo model, 60 random sub-networks on the 600 (auto's probe: sliced %.1f, masked %.1f "
        "GFLOP/s)\n",
        eo.rates.sliced / 1e9, eo.rates.masked / 1e9);
    std::printf("%-8s %10s %14s\n", "mode", "total s", "trials masked");
    pp::evaluate(*m, subs[0], enc, eo);  // warm-up
    for (pp::ExecMode mode : {pp::ExecMode::Sliced, pp::ExecMode::Masked, pp::ExecMode::Auto}) {
      eo.mode = mode;
      int maskedCount = 0;
      const auto t0 = std::chrono::steady_clock::now();
      for (const auto& sub : subs)
        maskedCount += pp::evaluate(*m, sub, enc, eo).modeUsed == pp::ExecMode::Masked;
      std::printf("%-8s %10.2f %14d\n", pp::execModeName(mode), ppbench::secondsSince(t0),
                  maskedCount);
    }
  } catch (const std::exception& e) {
    std::printf("(no demo model: %s)\n", e.what());
  }
  std::printf(
      "\n(speed-up/FLOP: (full time / sliced time) / (full FLOPs / sub-network FLOPs); 1 = time "
      "proportional to FLOPs)\n");
  return 0;
}
