// bench_device: sub-network evaluations per second on one device (a GPU
// when there is one), BERT-base shape by default, on an RTE-sized
// validation set (277 sentence pairs, sequence 128), in each precision.
//
//   bench_device [--device auto|cpu|cuda:N] [--precisions fp32,bf16]
//                [--pairs 277] [--seq 128] [--trials 100] [--layers 12]
//                [--hidden 768] [--heads 12] [--intermediate 3072]
//
// The model has random weights (no pretrained BERT can be had here) and the
// pairs are random words from its vocabulary, lengths spread like RTE's
// (premise 30-110 words, hypothesis 5-20, cut at the sequence length), so
// the work per example matches; accuracies mean nothing but their change
// between precisions, which is printed too.
//
// Prints, per precision: the full model and a spread of uniform
// sub-networks (evaluations per second over the whole set), then a random
// search of --trials sub-networks of the seed space through the runner
// (one worker on the device): wall time from the first trial, trials per
// second, the modes auto chose. The target: 100 BERT-base
// sub-networks on 277 pairs in under 10 s on one GPU.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench_data.h"

#include "paretoprune/base/error.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/random_model.h"
#include "paretoprune/search/search_runner.h"
#include "paretoprune/search/search_space.h"

namespace {

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string device = "auto", precisions, work = "out/bench-device";
  int64_t pairs = 277, seq = 128, trials = 100, layers = 12, hidden = 768, heads = 12,
          intermediate = 3072;
  CLI::App cli("bench_device: sub-network evaluations per second on one device, per precision");
  cli.add_option("--device", device, "auto (the first GPU, else the CPU), cpu or cuda:N")
      ->capture_default_str();
  cli.add_option(
      "--precisions", precisions,
      "Comma-separated: fp32, bf16, fp16 (default: fp32,bf16 on a GPU, fp32 on the CPU)");
  cli.add_option("--pairs", pairs, "Validation pairs")->capture_default_str();
  cli.add_option("--seq", seq, "Maximum sequence length")->capture_default_str();
  cli.add_option("--trials", trials, "Sub-networks in the search")->capture_default_str();
  cli.add_option("--layers", layers, "Model layers")->capture_default_str();
  cli.add_option("--hidden", hidden, "Hidden size")->capture_default_str();
  cli.add_option("--heads", heads, "Attention heads")->capture_default_str();
  cli.add_option("--intermediate", intermediate, "Feed-forward units")->capture_default_str();
  cli.add_option("--work", work, "Scratch directory for the model")->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  try {
    const std::string dev = pp::resolveDevices(device).front();
    const bool gpu = dev != "cpu";
    if (precisions.empty()) precisions = gpu ? "fp32,bf16" : "fp32";
    if (!gpu) pp::useComputeThreads(pp::ComputeUse::Evaluation, pp::hardwareThreads());
    auto shape = pp::TinyModelOptions::shaped(layers, hidden, heads, intermediate);
    shape.maxPositions = std::max<int64_t>(seq, 128);
    shape.seed = 1;
    std::filesystem::create_directories(work);
    pp::writeRandomModel(work + "/model", shape);
    auto model = std::shared_ptr<const pp::Model>(pp::Model::load(work + "/model"));
    const auto& c = model->config();
    pp::EncodeOptions eo;
    eo.maxLength = seq;
    auto data =
        std::make_shared<const pp::EncodedData>(*model, ppbench::rteLikePairs(pairs, 7), eo);
    std::printf(
        "bench_device: %s, LibTorch %s; model %lldL x %lldH x %lld hidden x %lld units (%lld "
        "parameters); "
        "%zu pairs, mean length %.1f tokens (max %lld), %.1f%% padding\n",
        dev.c_str(), pp::torchVersion().c_str(), static_cast<long long>(layers),
        static_cast<long long>(heads), static_cast<long long>(hidden),
        static_cast<long long>(intermediate), static_cast<long long>(pp::parameterCount(c)),
        data->size(), data->meanLength(), static_cast<long long>(seq),
        100.0 * data->paddingFraction());
    const int64_t L = c.num_hidden_layers, H = c.num_attention_heads, U = c.intermediate_size;
    const std::vector<pp::SubNetwork> spread = {pp::SubNetwork::full(c),
                                                pp::SubNetwork::uniform(c, L, 3 * H / 4, 3 * U / 4),
                                                pp::SubNetwork::uniform(c, L, H / 2, U / 2),
                                                pp::SubNetwork::uniform(c, L / 2, H / 2, U / 2),
                                                pp::SubNetwork::uniform(c, L / 4, H / 4, U / 4)};
    std::map<std::string, double> fullAccuracy;
    for (const auto& name : split(precisions)) {
      pp::EvalOptions o;
      o.device = o.latency.device = dev;
      o.precision = pp::parsePrecision(name);
      o.measureLatency = false;
      o.rates = pp::measureExecRates(*model, *data, o);
      pp::evaluate(*model, spread[0], *data, o);  // warm-up: copies to the device, kernels chosen
      std::printf("\n%s (auto's probe: sliced %.1f, masked %.1f GFLOP/s)\n", name.c_str(),
                  o.rates.sliced / 1e9, o.rates.masked / 1e9);
      std::printf("%-24s %8s %10s %12s %9s %8s\n", "sub-network", "FLOPs", "seconds", "evals/s",
                  "GFLOP/s", "mode");
      const double fullFlops = static_cast<double>(pp::flopCount(c, spread[0], seq));
      for (const auto& s : spread) {
        const auto t0 = std::chrono::steady_clock::now();
        const pp::EvalResult r = pp::evaluate(*model, s, *data, o);
        const double secs = secondsSince(t0);
        const double flops = static_cast<double>(pp::flopCount(c, s, seq));
        // FLOPs at the real lengths: per-sequence FLOPs scale with the mean length.
        const double done = flops * data->meanLength() / static_cast<double>(seq) *
                            static_cast<double>(data->size());
        std::printf("%-24s %7.1f%% %10.3f %12.2f %9.1f %8s\n", s.summary().c_str(),
                    100.0 * flops / fullFlops, secs, 1.0 / secs, done / secs / 1e9,
                    pp::execModeName(r.modeUsed));
        if (s.isFull(c)) fullAccuracy[name] = r.metrics.accuracy;
      }
      pp::SearchOptions so;
      so.strategy = "random";
      so.trials = trials;
      so.device = dev;
      so.workers = 1;
      so.seed = 3;
      so.eval = o;
      so.eval.rates = {};
      auto t0 = std::chrono::steady_clock::now();
      pp::SearchEvents ev;
      ev.referenceEvaluated = [&](const pp::Trial&) { t0 = std::chrono::steady_clock::now(); };
      pp::SearchRunner runner(model, data,
                              pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, c), so, ev);
      runner.run();
      const double wall = secondsSince(t0);
      std::map<std::string, int> modes;
      for (const auto& t : runner.trials()) ++modes[t.mode];
      std::string m;
      for (const auto& [k, v] : modes) m += (m.empty() ? "" : ", ") + std::to_string(v) + " " + k;
      std::printf("search: %zu random sub-networks of the seed space in %.2f s (%.1f per s; %s)\n",
                  runner.trials().size(), wall, static_cast<double>(runner.trials().size()) / wall,
                  m.c_str());
    }
    if (fullAccuracy.size() > 1) {
      std::printf(
          "\nfull model accuracy by precision (random weights: only the change means anything):");
      for (const auto& [k, v] : fullAccuracy) std::printf("  %s %.4f", k.c_str(), v);
      std::printf("\n");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_device: %s\n", e.what());
    return 1;
  }
  return 0;
}
