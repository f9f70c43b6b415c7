#include "paretoprune/train.h"

#include <chrono>
#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "batching.h"
#include "file_util.h"
#include "paretoprune/rng.h"
#include "paretoprune/search_space.h"

namespace pp {

using nlohmann::json;

json TrainReport::toJson() const {
  json e = json::array();
  for (const auto& r : epochs)
    e.push_back({{"epoch", r.epoch},
                 {"train_loss", r.trainLoss},
                 {"validation_accuracy", r.validationAccuracy},
                 {"smallest_accuracy", r.smallestAccuracy},
                 {"seconds", r.seconds},
                 {"checkpoint", r.checkpoint}});
  return {{"epochs", e}, {"stopped", stopped}, {"out", outDir}};
}

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Accuracy of `w` (already sliced if a sub-network) on `val`.
double accuracy(const BertWeights& w, const ModelImpl& mi, const std::vector<TokenizedExample>& val) {
  if (val.empty()) return -1;
  torch::NoGradGuard ng;
  std::vector<size_t> order(val.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return val[a].enc.ids.size() < val[b].enc.ids.size(); });
  int64_t correct = 0;
  for (size_t s = 0; s < order.size(); s += 64) {
    torch::Tensor labels;
    Batch b = makeBatch(val, order, s, std::min(order.size(), s + 64), mi.config.pad_token_id, &labels);
    auto pred = bertForward(w, mi.act, mi.config.layer_norm_eps, b).argmax(1);
    correct += pred.eq(labels).sum().item<int64_t>();
  }
  return static_cast<double>(correct) / static_cast<double>(val.size());
}

// Distillation loss: T^2 * KL(teacher || student) at temperature T.
torch::Tensor distill(const torch::Tensor& student, const torch::Tensor& teacherProbs, double T) {
  auto logp = torch::log_softmax(student / T, 1);
  return -(teacherProbs * logp).sum(1).mean() * (T * T);
}

void checkOptions(const TrainOptions& o, const Dataset& train) {
  if (o.strategy != "standard" && o.strategy != "sandwich")
    throw Error("train: unknown strategy \"" + o.strategy + "\" (standard or sandwich)");
  if (o.epochs <= 0) throw Error("train: --epochs must be positive");
  if (o.batchSize <= 0) throw Error("train: --batch-size must be positive");
  if (!(o.learningRate > 0)) throw Error("train: --lr must be positive");
  if (o.weightDecay < 0) throw Error("train: --weight-decay must not be negative");
  if (o.warmupFraction < 0 || o.warmupFraction >= 1) throw Error("train: --warmup must be in [0, 1)");
  if (o.randomSubnets < 0) throw Error("train: --random-subnets must not be negative");
  if (!(o.temperature > 0)) throw Error("train: --temperature must be positive");
  if (train.examples.empty()) throw Error("train: the training set is empty");
}

}  // namespace

TrainReport trainModel(const Model& init, const Dataset& train, const Dataset* validation, const SearchSpace& space,
                       const TrainOptions& o, const std::string& outDir, TrainCallback progress,
                       EpochCallback epochDone) {
  checkOptions(o, train);
  const ModelImpl& src = init.impl();
  const BertConfig& c = src.config;
  torch::manual_seed(o.seed);
  Rng rng(o.seed);

  // Working copy of the weights, optionally reordered by importance first.
  BertWeights w = src.weights;
  auto headOrder = src.headOrder, unitOrder = src.unitOrder;
  if (o.reorder) {
    Importance imp = estimateImportance(init, train, o.reorderBatches, o.batchSize, o.maxLength, o.seed);
    // Physically permute so that index order is importance order.
    w = permuteWeights(w, importanceOrder(imp.heads), importanceOrder(imp.units));
    headOrder = identityOrder(c, true);
    unitOrder = identityOrder(c, false);
  }
  std::vector<torch::Tensor> decay, noDecay;
  for (torch::Tensor* t : w.all()) {
    *t = t->detach().clone().set_requires_grad(true);
    (t->dim() >= 2 ? decay : noDecay).push_back(*t);
  }
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(
                                 torch::optim::AdamWOptions(o.learningRate).weight_decay(o.weightDecay)));
  groups.emplace_back(noDecay, std::make_unique<torch::optim::AdamWOptions>(
                                   torch::optim::AdamWOptions(o.learningRate).weight_decay(0.0)));
  torch::optim::AdamW opt(std::move(groups));

  ForwardOptions fo;
  fo.training = true;
  fo.hiddenDropout = o.hiddenDropout >= 0 ? o.hiddenDropout : c.hidden_dropout_prob;
  fo.attentionDropout = o.attentionDropout >= 0 ? o.attentionDropout : c.attention_probs_dropout_prob;

  const auto examples = tokenizeExamples(init, train, o.maxLength);
  const auto valExamples = validation ? tokenizeExamples(init, *validation, o.maxLength)
                                      : std::vector<TokenizedExample>{};
  const size_t n = examples.size(), bs = static_cast<size_t>(o.batchSize);
  const int64_t stepsPerEpoch = static_cast<int64_t>((n + bs - 1) / bs);
  const int64_t totalSteps = stepsPerEpoch * o.epochs;
  const int64_t warmupSteps = static_cast<int64_t>(std::llround(o.warmupFraction * static_cast<double>(totalSteps)));
  const bool sandwich = o.strategy == "sandwich";
  const SubNetwork smallest = space.smallest();

  std::filesystem::create_directories(outDir);
  TrainReport report;
  report.outDir = outDir;
  const auto t0 = Clock::now();
  int64_t step = 0, seen = 0;
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;

  for (int64_t epoch = 1; epoch <= o.epochs && !report.stopped; ++epoch) {
    const auto te = Clock::now();
    rng.shuffle(order);
    double lossSum = 0;
    for (size_t s = 0; s < n; s += bs) {
      const double lr = step < warmupSteps
                            ? o.learningRate * static_cast<double>(step + 1) / static_cast<double>(warmupSteps)
                            : o.learningRate * std::max(0.0, static_cast<double>(totalSteps - step)) /
                                  static_cast<double>(std::max<int64_t>(1, totalSteps - warmupSteps));
      for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
      torch::Tensor labels;
      Batch b = makeBatch(examples, order, s, std::min(n, s + bs), c.pad_token_id, &labels);
      opt.zero_grad();
      auto logits = bertForward(w, src.act, c.layer_norm_eps, b, nullptr, fo);
      auto fullLoss = torch::cross_entropy_loss(logits, labels);
      fullLoss.backward();
      const double full = fullLoss.item<double>();
      double stepLoss = full;
      int parts = 1;
      if (sandwich) {
        auto teacher = torch::softmax(logits.detach() / o.temperature, 1);
        std::vector<SubNetwork> subs = {smallest};
        for (int k = 0; k < o.randomSubnets; ++k) subs.push_back(space.sample(rng));
        for (const auto& sub : subs) {
          BertWeights sw = sliceWeights(w, sub, headOrder, unitOrder);
          auto sl = bertForward(sw, src.act, c.layer_norm_eps, b, nullptr, fo);
          auto loss = distill(sl, teacher, o.temperature) * o.distillAlpha;
          if (o.distillAlpha < 1) loss = loss + torch::cross_entropy_loss(sl, labels) * (1 - o.distillAlpha);
          loss.backward();
          stepLoss += loss.item<double>();
          ++parts;
        }
      }
      if (o.clipNorm > 0) {
        std::vector<torch::Tensor> params;
        for (torch::Tensor* t : w.all()) params.push_back(*t);
        torch::nn::utils::clip_grad_norm_(params, o.clipNorm);
      }
      opt.step();
      ++step;
      seen += b.ids.size(0);
      lossSum += full * static_cast<double>(b.ids.size(0));
      if (progress) {
        TrainProgress p;
        p.step = step;
        p.totalSteps = totalSteps;
        p.epoch = epoch;
        p.epochs = o.epochs;
        p.loss = stepLoss / parts;
        p.fullLoss = full;
        p.learningRate = lr;
        p.elapsedSeconds = secondsSince(t0);
        p.examplesPerSecond = static_cast<double>(seen) / std::max(1e-9, p.elapsedSeconds);
        p.etaSeconds = p.elapsedSeconds / static_cast<double>(step) * static_cast<double>(totalSteps - step);
        if (!progress(p)) {
          report.stopped = true;
          break;
        }
      }
    }
    if (report.stopped) break;  // the last finished epoch's checkpoint stays as it is

    EpochReport er;
    er.epoch = epoch;
    er.trainLoss = lossSum / static_cast<double>(n);
    er.validationAccuracy = accuracy(w, src, valExamples);
    if (sandwich) er.smallestAccuracy = accuracy(sliceWeights(w, smallest, headOrder, unitOrder), src, valExamples);
    const std::map<std::string, std::string> meta = {{"paretoprune_epoch", std::to_string(epoch)},
                                                     {"paretoprune_strategy", o.strategy}};
    const WordPieceTokenizer* tok = src.tokenizer ? &*src.tokenizer : nullptr;
    if (o.keepCheckpoints) {
      er.checkpoint = fileutil::joinPath(outDir, "checkpoint-epoch-" + std::to_string(epoch));
      fileutil::replaceDirectory(er.checkpoint, true, [&](const std::string& dir) {
        writeModelFiles(dir, c, w, tok, headOrder, unitOrder, meta);
      });
    }
    // OUT itself always holds the latest finished epoch; each file is
    // replaced atomically, so it loads at every moment after the first.
    writeModelFiles(outDir, c, w, tok, headOrder, unitOrder, meta);
    er.seconds = secondsSince(te);
    report.epochs.push_back(er);
    fileutil::writeFileAtomic(fileutil::joinPath(outDir, "training.json"),
                              json({{"options",
                                     {{"strategy", o.strategy},
                                      {"epochs", o.epochs},
                                      {"batch_size", o.batchSize},
                                      {"max_length", o.maxLength},
                                      {"learning_rate", o.learningRate},
                                      {"weight_decay", o.weightDecay},
                                      {"warmup", o.warmupFraction},
                                      {"seed", o.seed},
                                      {"random_subnets", o.randomSubnets},
                                      {"temperature", o.temperature},
                                      {"distill_alpha", o.distillAlpha},
                                      {"reorder", o.reorder},
                                      {"space", space.toJson()}}},
                                    {"source", init.directory()},
                                    {"report", report.toJson()}})
                                      .dump(2) +
                                  "\n");
    if (epochDone) epochDone(er);
  }
  return report;
}

}  // namespace pp
