// bench_sandwich: does super-network training make sub-networks better?
//
// Starting from one model (default: the demo architecture after ordinary
// fine-tuning, made by this program from scratch), trains four variants with
// the same seed and the same number of steps: standard and sandwich, each
// with and without importance ordering first. Then evaluates the same 50
// random sub-networks of the seed space on each and prints the mean and
// median validation error per size bucket.
//
//   bench_sandwich [--epochs E] [--subnets N] [--start MODEL_DIR] [--work DIR]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "paretoprune/base/rng.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/random_model.h"
#include "paretoprune/search/search_space.h"
#include "paretoprune/train/train.h"

namespace {
const std::string kRes = PARETOPRUNE_RESOURCES_DIR "/demo";

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}
double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / static_cast<double>(v.size());
}
}  // namespace

int main(int argc, char** argv) {
  int64_t epochs = 2, subnets = 50;
  std::string start, work = "out/bench-sandwich";
  CLI::App cli("bench_sandwich: standard against sandwich training, same start, same sub-networks");
  cli.add_option("--epochs", epochs, "Training epochs")->capture_default_str();
  cli.add_option("--subnets", subnets, "Sub-networks evaluated")->capture_default_str();
  cli.add_option("--start", start, "Fine-tuned model to start from (default: trained here)");
  cli.add_option("--work", work, "Scratch directory")->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  try {
    pp::useComputeThreads(pp::ComputeUse::Training, pp::hardwareThreads());
    std::filesystem::create_directories(work);
    const auto t0 = std::chrono::steady_clock::now();
    if (start.empty()) {
      // The demo recipe's first stage: a random-initialised demo-sized BERT,
      // fine-tuned the ordinary way.
      auto t = pp::TinyModelOptions::shaped(4, 256, 4, 512);
      t.vocabFile = kRes + "/vocab.txt";
      t.seed = 1;
      pp::writeRandomModel(work + "/init", t);
      auto init = pp::Model::load(work + "/init");
      auto tr = pp::loadDataset(kRes + "/sentiment-train.tsv", init->config());
      pp::TrainOptions o;
      o.strategy = "standard";
      o.epochs = 3;
      o.learningRate = 5e-4;
      o.maxLength = 64;
      o.seed = 1;
      o.keepCheckpoints = false;
      pp::trainModel(*init, tr, nullptr,
                     pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, init->config()), o,
                     work + "/start");
      start = work + "/start";
    }
    auto base = pp::Model::load(start);
    const auto& c = base->config();
    auto train = pp::loadDataset(kRes + "/sentiment-train.tsv", c);
    auto val = pp::loadDataset(kRes + "/sentiment-validation.tsv", c);
    const auto space = pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, c);
    // The same random sub-networks for every variant (nonempty ones: 0
    // layers is chance level for all).
    std::vector<pp::SubNetwork> subs;
    pp::Rng rng(2024);
    while (static_cast<int64_t>(subs.size()) < subnets) {
      auto s = space.sample(rng);
      if (s.keptLayers() > 0) subs.push_back(s);
    }
    const int64_t full = pp::parameterCount(c);
    auto bucketOf = [&](const pp::SubNetwork& s) {
      const double share =
          static_cast<double>(pp::parameterCount(c, s)) / static_cast<double>(full);
      return share < 0.55 ? 0 : share < 0.7 ? 1 : share < 0.85 ? 2 : 3;
    };
    const char* bucketNames[] = {"< 55%", "55-70%", "70-85%", ">= 85%"};
    struct Row {
      std::string name;
      double fullError = 0;
      std::map<int, std::vector<double>> errors;
      std::vector<double> all;
      double seconds = 0;
    };
    std::vector<Row> rows;
    for (bool reorder : {false, true})
      for (const char* strategy : {"standard", "sandwich"}) {
        pp::TrainOptions o;
        o.strategy = strategy;
        o.epochs = epochs;
        o.learningRate = 2e-4;
        o.maxLength = 64;
        o.seed = 2;
        o.reorder = reorder;
        o.keepCheckpoints = false;
        Row r;
        r.name = std::string(strategy) + (reorder ? " + ordering" : "");
        const auto ts = std::chrono::steady_clock::now();
        const std::string dir = work + "/" + strategy + (reorder ? "-ordered" : "");
        std::filesystem::remove_all(dir);  // train writes only into a new directory
        pp::trainModel(*base, train, nullptr, space, o, dir);
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - ts).count();
        auto m = pp::Model::load(dir);
        pp::EncodeOptions eo;
        eo.maxLength = 64;
        pp::EncodedData enc(*m, val, eo);
        r.fullError = pp::evaluate(*m, pp::SubNetwork::full(c), enc, {}).metrics.error;
        for (const auto& s : subs) {
          const double e = pp::evaluate(*m, s, enc, {}).metrics.error;
          r.errors[bucketOf(s)].push_back(e);
          r.all.push_back(e);
        }
        std::fprintf(stderr, "  %s: trained in %.0f s\n", r.name.c_str(), r.seconds);
        rows.push_back(std::move(r));
      }
    std::printf(
        "bench_sandwich: demo architecture (%lld parameters), %lld epochs from %s, %zu validation "
        "sentences, %lld random sub-networks of the seed space (same for all)\n\n",
        static_cast<long long>(full), static_cast<long long>(epochs), start.c_str(),
        val.examples.size(), static_cast<long long>(subnets));
    std::printf("%-22s %8s %15s", "training", "full err", "all: mean/med");
    for (int b = 0; b < 4; ++b) {
      int64_t n = 0;
      for (const auto& s : subs) n += bucketOf(s) == b;
      std::printf("  %9s (n=%2lld)", bucketNames[b], static_cast<long long>(n));
    }
    std::printf(" %8s\n", "train s");
    for (const auto& r : rows) {
      std::printf("%-22s %8.3f %7.3f/%6.3f", r.name.c_str(), r.fullError, mean(r.all),
                  median(r.all));
      for (int b = 0; b < 4; ++b) {
        auto it = r.errors.find(b);
        if (it == r.errors.end())
          std::printf("  %17s", "-");
        else
          std::printf("  %8.3f/%8.3f", mean(it->second), median(it->second));
      }
      std::printf(" %8.0f\n", r.seconds);
    }
    std::printf(
        "\n(error = 1 - accuracy; buckets by share of the full model's parameters, embeddings "
        "included; "
        "cells: mean/median; total %.0f s)\n",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_sandwich: %s\n", e.what());
    return 1;
  }
  return 0;
}
