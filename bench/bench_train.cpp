// bench_train: training throughput and accuracy, float32 against bfloat16
// autocast, on one device.
//
// The demo recipe's two stages, each once in fp32 and once in bf16 with the
// same seed: standard training from a random-initialised model of the demo
// architecture (or --start MODEL), then sandwich training (lr 2e-4, 2
// random sub-networks) from the fp32 standard result. Prints per run:
// training examples per second (training steps only), peak device memory
// (CUDA), seconds, and the validation accuracy of the full model and of
// the smallest sub-network.
//
//   bench_train [--device auto|cpu|cuda:N] [--epochs E] [--start DIR] [--work DIR]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "paretoprune/base/error.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/random_model.h"
#include "paretoprune/search/search_space.h"
#include "paretoprune/train/train.h"

namespace {
const std::string kRes = PARETOPRUNE_RESOURCES_DIR "/demo";

std::string percent(double a) {
  if (a < 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", 100.0 * a);
  return buf;
}
}  // namespace

int main(int argc, char** argv) {
  std::string device = "auto", start, work = "out/bench-train";
  int64_t epochs = 2, batchSize = 32, maxLength = 64;
  CLI::App cli(
      "bench_train: training examples per second and accuracy, fp32 against bf16 autocast");
  cli.add_option("--device", device, "auto, cpu, cuda or cuda:N")->capture_default_str();
  cli.add_option("--epochs", epochs, "Epochs per run")->capture_default_str();
  cli.add_option("--batch-size", batchSize, "Batch size")->capture_default_str();
  cli.add_option("--max-length", maxLength, "Maximum tokens per sentence")->capture_default_str();
  cli.add_option("--start", start,
                 "Model to start from (default: the demo architecture, randomly initialised)");
  cli.add_option("--work", work, "Scratch directory")->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  try {
    pp::useComputeThreads(pp::ComputeUse::Training, pp::hardwareThreads());
    std::filesystem::create_directories(work);
    if (start.empty()) {
      auto t = pp::TinyModelOptions::shaped(4, 256, 4, 512);
      t.vocabFile = kRes + "/vocab.txt";
      t.seed = 1;
      start = work + "/init";
      pp::writeRandomModel(start, t);
    }
    auto init = pp::Model::load(start);
    const auto& c = init->config();
    const auto train = pp::loadDataset(kRes + "/sentiment-train.tsv", c);
    const auto val = pp::loadDataset(kRes + "/sentiment-validation.tsv", c);
    const auto space = pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, c);
    struct Row {
      std::string strategy, precision;
      pp::TrainReport report;
      double seconds = 0;
    };
    std::vector<Row> rows;
    std::shared_ptr<const pp::Model>
        standard;  // the sandwich stage's start: the fp32 standard result
    for (const char* strategy : {"standard", "sandwich"})
      for (pp::Precision p : {pp::Precision::Float32, pp::Precision::BFloat16}) {
        const bool sandwich = std::string(strategy) == "sandwich";
        const pp::Model& base = sandwich ? *standard : *init;
        pp::TrainOptions o;
        o.strategy = strategy;
        o.epochs = epochs;
        o.batchSize = batchSize;
        o.maxLength = maxLength;
        o.learningRate = sandwich ? 2e-4 : 5e-4;
        o.randomSubnets = 2;
        o.seed = 1;
        o.keepCheckpoints = false;
        o.device = device;
        o.precision = p;
        Row r{strategy, pp::precisionName(p), {}, 0};
        const auto t0 = std::chrono::steady_clock::now();
        const std::string out = work + "/" + strategy + "-" + r.precision;
        std::filesystem::remove_all(out);  // train writes only into a new directory
        r.report = pp::trainModel(base, train, &val, space, o, out);
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (r.report.outOfMemory)
          throw pp::Error(r.report.device + " ran out of memory: " + r.report.outOfMemoryMessage);
        std::fprintf(stderr, "  %s %s: %.0f s\n", strategy, r.precision.c_str(), r.seconds);
        if (!sandwich && p == pp::Precision::Float32) standard = pp::Model::load(out);
        rows.push_back(std::move(r));
      }
    std::printf(
        "bench_train: %lld parameters (%s), %zu training and %zu validation sentences, %lld "
        "epochs, "
        "batch %lld, max length %lld, on %s\n\n",
        static_cast<long long>(pp::parameterCount(c)), start.c_str(), train.examples.size(),
        val.examples.size(), static_cast<long long>(epochs), static_cast<long long>(batchSize),
        static_cast<long long>(maxLength), rows.front().report.device.c_str());
    std::printf(
        "| training | precision | examples/s | vs fp32 | peak device MiB | seconds | accuracy | "
        "smallest |\n");
    std::printf("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    double fp32Rate = 0;
    for (const auto& r : rows) {
      // Examples per second over all epochs' training steps.
      double examples = 0, stepSeconds = 0;
      for (const auto& e : r.report.epochs) {
        examples += static_cast<double>(train.examples.size());
        stepSeconds += static_cast<double>(train.examples.size()) / e.examplesPerSecond;
      }
      const double rate = examples / stepSeconds;
      if (r.precision == "fp32") fp32Rate = rate;
      const auto& last = r.report.epochs.back();
      char peak[32] = "-";
      if (last.peakDeviceBytes > 0)
        std::snprintf(peak, sizeof peak, "%.0f",
                      static_cast<double>(last.peakDeviceBytes) / (1024.0 * 1024.0));
      std::printf("| %s | %s | %.1f | %.2fx | %s | %.0f | %s | %s |\n", r.strategy.c_str(),
                  r.precision.c_str(), rate, rate / fp32Rate, peak, r.seconds,
                  percent(last.validationAccuracy).c_str(), percent(last.smallestAccuracy).c_str());
    }
    std::printf(
        "\n(examples/s: training steps only, validation and checkpoints excluded; accuracy: the "
        "full model "
        "after the last epoch; smallest: the seed space's smallest sub-network; sandwich starts "
        "from the fp32 standard result)\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_train: %s\n", e.what());
    return 1;
  }
  return 0;
}
