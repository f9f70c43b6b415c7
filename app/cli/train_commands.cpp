// train, reorder and baseline.
#include <unistd.h>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "data_options.h"
#include "format.h"
#include "interrupt.h"
#include "paretoprune/base/error.h"
#include "paretoprune/cpu/gemm.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/eval/baselines.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/eval/importance.h"
#include "paretoprune/eval/tagger_baselines.h"
#include "paretoprune/formats/config.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/model_config.h"
#include "paretoprune/search/search_space.h"
#include "paretoprune/train/train.h"

namespace ppcli {

using nlohmann::json;

namespace {
struct TrainArgs {
  std::string model, out, space = "seed";
  DataOptions data;
  pp::TrainOptions opts;
  std::string precision = "fp32";
  double dropout = -1;
  bool noCheckpoints = false;
};

std::string percent(double accuracy) {
  return accuracy < 0 ? "-" : fixed(100.0 * accuracy, 2) + "%";
}

// The one device `spec` names (the first CUDA device for auto and cuda), or
// an error naming the command and option.
std::string oneDevice(const std::string& command, const std::string& spec) {
  try {
    return pp::resolveDevices(spec).front();
  } catch (const pp::Error& e) {
    throw pp::Error(command + ": --device: " + e.what());
  }
}

// ", peak 1.23 GiB" when the device's memory was measured (CUDA).
std::string peakMemory(int64_t bytes) {
  return bytes > 0 ? ", peak " + fixed(static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0), 2) +
                         " GiB"
                   : "";
}

// Why the run ended early on the device, with what to try next.
std::string outOfMemoryError(const pp::TrainReport& r, int64_t batchSize, int64_t maxLength) {
  std::string s = "train: " + r.device + " ran out of memory at --batch-size " +
                  std::to_string(batchSize) + " --max-length " + std::to_string(maxLength) + "; ";
  s += r.suggestedBatchSize > 0 ? "try --batch-size " + std::to_string(r.suggestedBatchSize)
                                : "try a smaller --max-length";
  s += r.epochs.empty()
           ? " (no epoch finished, nothing written)"
           : " (" + r.outDir + " holds epoch " + std::to_string(r.epochs.back().epoch) + ")";
  return s + ". " + r.outOfMemoryMessage;
}
}  // namespace

namespace {
// The optimiser, its schedule and regularisation.
void addOptimiserOptions(CLI::App& cmd, TrainArgs& a) {
  auto& o = a.opts;
  cmd.add_option("--strategy", o.strategy, "standard or sandwich")->capture_default_str();
  cmd.add_option("--epochs", o.epochs, "Epochs")->capture_default_str();
  cmd.add_option("--lr", o.learningRate, "Peak learning rate (AdamW)")->capture_default_str();
  cmd.add_option("--weight-decay", o.weightDecay,
                 "AdamW weight decay (not on biases and LayerNorm)")
      ->capture_default_str();
  cmd.add_option("--warmup", o.warmupFraction, "Share of the steps spent warming up linearly")
      ->capture_default_str();
  cmd.add_option("--clip", o.clipNorm, "Gradient norm clipping (0: off)")->capture_default_str();
  cmd.add_option("--dropout", a.dropout,
                 "Hidden and attention dropout (default: as in config.json)");
  cmd.add_option("--seed", o.seed, "Seed of shuffling, dropout and sub-network sampling")
      ->capture_default_str();
}

// The super-network: the sandwich steps' sub-networks and distillation.
void addSandwichOptions(CLI::App& cmd, TrainArgs& a) {
  auto& o = a.opts;
  cmd.add_option("--space", a.space,
                 "Search space of the sandwich steps: seed, per-layer, layers or a JSON file")
      ->capture_default_str();
  cmd.add_option("--random-subnets", o.randomSubnets, "Random sub-networks per sandwich step")
      ->capture_default_str();
  cmd.add_option("--temperature", o.temperature, "Distillation temperature")->capture_default_str();
  cmd.add_option("--distill-alpha", o.distillAlpha,
                 "Weight of distillation in the sub-networks' loss (rest: labels)")
      ->capture_default_str();
  cmd.add_flag("--reorder", o.reorder, "Order heads and units by importance before training");
}

// Checkpoints, device and precision.
void addRunOptions(CLI::App& cmd, TrainArgs& a) {
  cmd.add_flag("--no-checkpoints", a.noCheckpoints, "Keep only OUT, not one directory per epoch");
  cmd.add_option("--device", a.opts.device,
                 "auto (the first CUDA device, else cpu), cpu, cuda or cuda:N")
      ->capture_default_str();
  cmd.add_option("--precision", a.precision, "fp32, or bf16 (autocast, float32 master weights)")
      ->capture_default_str();
}

// The options the command line leaves to TrainOptions, checked before
// anything is loaded (precision, device).
void completeTrainOptions(TrainArgs& a) {
  try {
    a.opts.precision = pp::parsePrecision(a.precision);
  } catch (const pp::Error& e) {
    throw pp::Error(std::string("train: --precision: ") + e.what());
  }
  if (a.opts.precision == pp::Precision::Float16)  // before loading anything
    throw pp::Error(
        "train: --precision fp16 needs loss scaling, which train does not do; use bf16");
  a.opts.device = oneDevice("train", a.opts.device);  // a bad device fails before loading
  a.opts.batchSize = a.data.batchSize;
  a.opts.maxLength = a.data.maxLength;
  a.opts.keepCheckpoints = !a.noCheckpoints;
  if (a.dropout >= 0) a.opts.hiddenDropout = a.opts.attentionDropout = a.dropout;
}

// Progress on stderr: one updating line on a terminal (twice a second),
// otherwise a line every 10 s; false (stop) once Ctrl-C was pressed.
pp::TrainCallback trainProgressPrinter(const GlobalOptions& g, bool tty) {
  auto lastPrint = std::make_shared<double>(-1);
  return [&g, tty, lastPrint](const pp::TrainProgress& p) {
    if (SigintScope::interrupted()) return false;
    if (g.json) return true;
    if (p.elapsedSeconds - *lastPrint < (tty ? 0.5 : 10.0) && p.step != p.totalSteps) return true;
    *lastPrint = p.elapsedSeconds;
    std::string line = "epoch " + std::to_string(p.epoch) + "/" + std::to_string(p.epochs) +
                       " step " + std::to_string(p.step) + "/" + std::to_string(p.totalSteps) +
                       " loss " + fixed(p.loss, 4) + " (full " + fixed(p.fullLoss, 4) + ") lr " +
                       fixed(p.learningRate * 1e4, 2) + "e-4, " + fixed(p.examplesPerSecond, 0) +
                       " ex/s" + peakMemory(p.peakDeviceBytes) + ", ETA " + duration(p.etaSeconds);
    std::cerr << (tty ? "\r" : "") << line << (tty ? "\033[K" : "\n") << std::flush;
    return true;
  };
}

pp::EpochCallback epochPrinter(const GlobalOptions& g, bool tty) {
  return [&g, tty](const pp::EpochReport& e) {
    if (g.json) return;
    std::cerr << (tty ? "\r\033[K" : "") << "epoch " << e.epoch << ": train loss "
              << fixed(e.trainLoss, 4) << ", validation " << e.metric << " "
              << percent(e.validationAccuracy);
    if (e.smallestAccuracy >= 0)
      std::cerr << " (smallest sub-network " << percent(e.smallestAccuracy) << ")";
    std::cerr << ", " << fixed(e.examplesPerSecond, 1) << " ex/s" << peakMemory(e.peakDeviceBytes)
              << ", " << duration(e.seconds) << "\n";
  };
}

// What was written, then an error if the run ended early.
void reportTrainResult(const pp::TrainReport& r, const TrainArgs& a, const GlobalOptions& g) {
  if (g.json) {
    std::cout << r.toJson().dump(2) << "\n";
  } else if (!r.epochs.empty()) {
    std::cout << "wrote " << a.out << " (epoch " << r.epochs.back().epoch << ", validation "
              << r.epochs.back().metric << " " << percent(r.epochs.back().validationAccuracy)
              << ")\n";
  }
  if (r.outOfMemory) throw pp::Error(outOfMemoryError(r, a.opts.batchSize, a.opts.maxLength));
  if (r.stopped)
    throw pp::Error(std::string("interrupted; ") +
                    (r.epochs.empty()
                         ? "no epoch finished, nothing written"
                         : a.out + " holds epoch " + std::to_string(r.epochs.back().epoch)));
}

void runTrain(TrainArgs& a, const GlobalOptions& g) {
  a.opts.threads = g.threads;  // trainModel applies them
  pp::setGemmBackend(g.gemm);
  completeTrainOptions(a);
  auto model = pp::Model::load(a.model);
  const auto& c = model->config();
  pp::SearchSpace space = pp::SearchSpace::parse(a.space, c);
  pp::Dataset train = a.data.trainingSet(c);
  a.opts.data = a.data.split();
  const bool hasVal = !a.data.validation.empty() || a.data.valSplit > 0;
  pp::Dataset val = hasVal ? a.data.validationSet(c) : pp::Dataset{};
  if (!g.json)
    std::cerr << "training " << a.opts.strategy << " on " << train.examples.size() << " examples"
              << (hasVal ? ", validating on " + std::to_string(val.examples.size()) : std::string())
              << ", on " << a.opts.device << " in " << pp::precisionName(a.opts.precision) << "\n";
  const bool tty = isatty(2);
  SigintScope sigint;
  const pp::TrainReport r =
      pp::trainModel(*model, train, hasVal ? &val : nullptr, space, a.opts, a.out,
                     trainProgressPrinter(g, tty), epochPrinter(g, tty));
  reportTrainResult(r, a, g);
}
}  // namespace

void addTrainCommand(CLI::App& app, GlobalOptions& g) {
  auto a = std::make_shared<TrainArgs>();
  auto* cmd = app.add_subcommand(
      "train", "Fine-tune a BERT classifier (standard, or as a super-network: sandwich)");
  cmd->add_option("MODEL", a->model, "Initial model directory")->required();
  a->data.addWithTraining(*cmd, 0.0, "Examples per training step (and per validation batch)");
  cmd->add_option("--out", a->out,
                  "Output directory (the latest epoch; checkpoints in OUT/checkpoint-epoch-N)")
      ->required();
  addOptimiserOptions(*cmd, *a);
  addSandwichOptions(*cmd, *a);
  addRunOptions(*cmd, *a);
  cmd->callback([a, &g] { runTrain(*a, g); });
}

void addReorderCommand(CLI::App& app, GlobalOptions& g) {
  auto a = std::make_shared<TrainArgs>();
  auto batches = std::make_shared<int64_t>(16);
  auto force = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(
      "reorder", "Permute heads and units by importance so the first k are the best k");
  cmd->add_option("MODEL", a->model, "Model directory")->required();
  a->data.addWithTraining(*cmd, 0.0);
  cmd->add_option("--out", a->out, "Output directory")->required();
  cmd->add_option("--batches", *batches, "Batches of --data used for the importance estimate")
      ->capture_default_str();
  cmd->add_option("--seed", a->opts.seed, "Seed of the batch sampling")->capture_default_str();
  cmd->add_flag("--force", *force, "Replace --out if it exists");
  cmd->add_option("--device", a->opts.device,
                  "auto (the first CUDA device, else cpu), cpu, cuda or cuda:N")
      ->capture_default_str();
  cmd->callback([a, batches, force, &g] {
    applyThreads(g, 1, pp::ComputeUse::Training);
    pp::ImportanceOptions io;
    io.device = oneDevice("reorder", a->opts.device);
    io.batches = *batches;
    io.batchSize = a->data.batchSize;
    io.maxLength = a->data.maxLength;
    io.seed = a->opts.seed;
    auto model = pp::Model::load(a->model);
    pp::Dataset data = a->data.trainingSet(model->config());
    pp::Importance imp = pp::estimateImportance(*model, data, io);
    pp::writeReordered(*model, imp, a->out, *force);
    if (g.json) {
      std::cout << json({{"written", a->out},
                         {"head_importance", imp.heads},
                         {"unit_importance", imp.units}})
                       .dump(2)
                << "\n";
      return;
    }
    auto order = pp::importanceOrder(imp.heads);
    std::cout << "wrote " << a->out << "; head order per layer (most important first):\n";
    for (size_t l = 0; l < order.size(); ++l) {
      std::cout << "  layer " << l << ":";
      for (int64_t h : order[l]) std::cout << " " << h;
      std::cout << "\n";
    }
  });
}

namespace {
void printTaggerBaselines(const pp::Dataset& train, const pp::Dataset& val,
                          const pp::ModelConfig& c, const GlobalOptions& g) {
  const auto rs = pp::taggerBaselines(train, val, c.id2label);
  if (g.json) {
    json out = json::array();
    for (const auto& r : rs)
      out.push_back({{"name", r.name},
                     {"entity_f1", r.entities.f1},
                     {"precision", r.entities.precision},
                     {"recall", r.entities.recall},
                     {"token_accuracy", r.entities.tokenAccuracy},
                     {"detail", r.detail}});
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << "train " << train.examples.size() << " sentences, validation " << val.examples.size()
            << " sentences\n";
  for (const auto& r : rs)
    std::cout << "  " << r.name << ": entity F1 " << percent(r.entities.f1) << " (precision "
              << percent(r.entities.precision) << ", recall " << percent(r.entities.recall)
              << "), token accuracy " << percent(r.entities.tokenAccuracy) << " (" << r.detail
              << ")\n";
}
}  // namespace

void addBaselineCommand(CLI::App& app, GlobalOptions& g) {
  auto a = std::make_shared<TrainArgs>();
  auto* cmd = app.add_subcommand(
      "baseline",
      "Majority-class and bag-of-words logistic regression accuracy (a tagger's: entity F1 of "
      "tagging every word O and of each word's most frequent training tag)");
  cmd->add_option("MODEL", a->model, "Model directory (for its labels)")->required();
  a->data.addWithTraining(*cmd, 0.0);
  cmd->callback([a, &g] {
    pp::ModelConfig c = pp::loadModelConfig(a->model + "/config.json");
    if (a->data.validation.empty() && a->data.valSplit <= 0)
      throw pp::Error("baseline: give --validation FILE or --val-split");
    pp::Dataset train = a->data.trainingSet(c), val = a->data.validationSet(c);
    if (c.tokenClassification()) return printTaggerBaselines(train, val, c, g);
    std::vector<pp::BaselineResult> rs = {
        pp::majorityBaseline(train, val, c.numLabels()),
        pp::logisticRegressionBaseline(train, val, c.numLabels())};
    if (g.json) {
      json out = json::array();
      for (const auto& r : rs)
        out.push_back({{"name", r.name}, {"accuracy", r.accuracy}, {"detail", r.detail}});
      std::cout << out.dump(2) << "\n";
      return;
    }
    std::cout << "train " << train.examples.size() << ", validation " << val.examples.size()
              << "\n";
    for (const auto& r : rs)
      std::cout << "  " << r.name << ": " << percent(r.accuracy) << " (" << r.detail << ")\n";
  });
}

}  // namespace ppcli
