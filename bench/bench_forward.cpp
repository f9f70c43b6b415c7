// bench_forward: the machine's matrix-multiply rate at BERT shapes against
// the FLOP rate of a BERT-base-shaped forward pass (sequence 128), for
// several LibTorch/OpenBLAS thread settings, as ratios within one run.
//
//   bench_forward [--batch B] [--seq T] [--layers L] [--reps R]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench_util.h"
#include "bert.h"
#include "paretoprune/metrics.h"
#include "paretoprune/model.h"

using ppbench::gemmRate;
using ppbench::secondsSince;

int main(int argc, char** argv) {
  int64_t batch = 8, seq = 128, layers = 12;
  int reps = 3;
  CLI::App cli(
      "bench_forward: the forward pass against the machine's GEMM rate, per thread setting");
  cli.add_option("--batch", batch, "Batch size")->capture_default_str();
  cli.add_option("--seq", seq, "Sequence length")->capture_default_str();
  cli.add_option("--layers", layers, "Layers")->capture_default_str();
  cli.add_option("--reps", reps, "Timed repetitions (best of)")->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  pp::BertConfig c;
  c.vocab_size = 30522;
  c.hidden_size = 768;
  c.num_hidden_layers = layers;
  c.num_attention_heads = 12;
  c.intermediate_size = 3072;
  c.id2label = {"a", "b"};
  pp::BertWeights w = pp::randomWeights(c, 0.02, 1);
  pp::Batch b;
  b.ids = torch::randint(0, c.vocab_size, {batch, seq}, torch::kLong);
  b.typeIds = torch::zeros({batch, seq}, torch::kLong);
  b.mask = torch::ones({batch, seq});
  const double fwdFlops = static_cast<double>(pp::flopCount(c, pp::SubNetwork::full(c), seq)) *
                          static_cast<double>(batch);
  torch::InferenceMode guard;
  std::printf("BERT-base shape: %lld layers, batch %lld, sequence %lld; %.1f GFLOP per forward\n",
              static_cast<long long>(layers), static_cast<long long>(batch),
              static_cast<long long>(seq), fwdFlops / 1e9);
  std::printf("hardware threads: %d\n\n", pp::hardwareThreads());
  std::printf("%-14s %-14s %12s %14s %8s\n", "torch threads", "BLAS threads", "GEMM GFLOP/s",
              "forward GFLOP/s", "ratio");
  const int hw = pp::hardwareThreads();
  std::vector<std::pair<int, int>> settings = {{1, 1}, {1, hw}, {hw, 1}, {hw, hw}};
  for (auto [tt, bt] : settings) {
    pp::setComputeThreads(tt, bt);
    const double gemm = gemmRate(batch * seq, reps);
    pp::bertForward(w, pp::Act::GeluErf, 1e-12, b);  // warm-up
    double best = 1e30;
    for (int r = 0; r < reps; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      pp::bertForward(w, pp::Act::GeluErf, 1e-12, b);
      best = std::min(best, secondsSince(t0));
    }
    const double fwd = fwdFlops / best / 1e9;
    std::printf("%-14d %-14d %12.1f %14.1f %7.0f%%\n", tt, bt, gemm, fwd, 100.0 * fwd / gemm);
  }
  return 0;
}
