#include "paretoprune/train/train.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <numeric>
#include <optional>

#include <nlohmann/json.hpp>

#include "base/file_util.h"
#include "base/text_time.h"
#include "eval/evaluator_impl.h"
#include "eval/importance_impl.h"
#include "model/autocast_scope.h"
#include "model/batching.h"
#include "model/device_memory.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/search/search_space.h"
#include "paretoprune/search/training_data.h"
#include "train/train_parts.h"

namespace pp {

using nlohmann::json;

json TrainReport::toJson() const {
  json e = json::array();
  for (const auto& r : epochs)
    e.push_back({{"epoch", r.epoch},
                 {"train_loss", r.trainLoss},
                 {"validation_accuracy", r.validationAccuracy},
                 {"smallest_accuracy", r.smallestAccuracy},
                 {"validation_metric", r.metric},
                 {"seconds", r.seconds},
                 {"examples_per_second", r.examplesPerSecond},
                 {"peak_device_bytes", r.peakDeviceBytes},
                 {"checkpoint", r.checkpoint}});
  json j = {{"epochs", e},
            {"stopped", stopped},
            {"out", outDir},
            {"device", device},
            {"precision", precisionName(precision)}};
  if (outOfMemory)
    j["out_of_memory"] = {{"suggested_batch_size", suggestedBatchSize},
                          {"message", outOfMemoryMessage}};
  return j;
}

namespace {

using Clock = std::chrono::steady_clock;

void checkOptions(const TrainOptions& o, const Dataset& train) {
  if (o.strategy != "standard" && o.strategy != "sandwich")
    throw Error("train: unknown strategy \"" + o.strategy + "\" (standard or sandwich)");
  if (o.epochs <= 0) throw Error("train: --epochs must be positive");
  if (o.batchSize <= 0) throw Error("train: --batch-size must be positive");
  if (!(o.learningRate > 0)) throw Error("train: --lr must be positive");
  if (o.weightDecay < 0) throw Error("train: --weight-decay must not be negative");
  if (o.warmupFraction < 0 || o.warmupFraction >= 1)
    throw Error("train: --warmup must be in [0, 1)");
  if (o.randomSubnets < 0) throw Error("train: --random-subnets must not be negative");
  if (!(o.temperature > 0)) throw Error("train: --temperature must be positive");
  if (o.precision == Precision::Float16)
    throw Error(
        "train: fp16 training needs loss scaling, which train does not do; use --precision bf16");
  if (o.precision == Precision::Int8)
    throw Error(
        "train: int8 is for evaluation (the onnx-int8 export's numerics); train in fp32 or bf16");
  if (train.examples.empty()) throw Error("train: the training set is empty");
}

// OUT/training.json: the options and every finished epoch (and how the run
// ended, when it ended on an out-of-memory).
void writeTrainingJson(const Model& init, const SearchSpace& space, const TrainOptions& o,
                       const TrainReport& r) {
  json j = {{"options",
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
              {"device", r.device},
              {"precision", precisionName(o.precision)},
              {"space", space.toJson()}}},
            {"source", init.directory()},
            {"report", r.toJson()}};
  if (!o.data.data.empty()) j["data"] = trainingDataJson(o.data);
  fileutil::writeFileAtomic(fileutil::joinPath(r.outDir, "training.json"), j.dump(2) + "\n");
}

// One training run, phase by phase: set-up (the constructor), an epoch,
// validation, the checkpoint. Weights, optimizer state and batches live on
// one device.
class TrainRun {
 public:
  TrainRun(const Model& init, const Dataset& train, const Dataset* validation,
           const SearchSpace& space, const TrainOptions& o, const std::string& outDir,
           const torch::Device& device);
  // One pass over the training data in a fresh order; false when `progress`
  // asked to stop (the epoch is then unfinished and er incomplete).
  bool runEpoch(int64_t epoch, const TrainCallback& progress, EpochReport& er);
  // Validation accuracy of the full model and (sandwich) the smallest sub-network.
  void validate(EpochReport& er) const;
  // OUT and, if kept, OUT/checkpoint-epoch-N.
  void writeCheckpoint(EpochReport& er) const;

 private:
  // One optimizer step on rows [begin, end) of the epoch's order. Returns
  // the full model's loss; *mean: the mean over the full model and the
  // sub-networks.
  double step(size_t begin, size_t end, double* mean);
  double learningRate() const;
  // Logits in float32, the forward pass under autocast when asked.
  torch::Tensor forward(const EncoderWeights& w, const Batch& b) const;
  double accuracy(const EncoderWeights& w) const;

  const ModelImpl& src_;
  const ModelConfig& c_;
  const SearchSpace& space_;
  const TrainOptions& o_;
  const std::string outDir_;
  const torch::Device dev_;
  const bool sandwich_;
  const SubNetwork smallest_;
  Rng rng_;
  EncoderWeights w_;  // float32, on dev_, being trained
  std::vector<std::vector<int64_t>> headOrder_, unitOrder_;
  std::unique_ptr<torch::optim::AdamW> opt_;
  ForwardOptions fo_;
  std::vector<TokenizedExample> examples_;
  std::optional<EncodedData> validation_;
  std::vector<size_t> order_;
  int64_t totalSteps_ = 0, warmupSteps_ = 0, step_ = 0, seen_ = 0;
  double trainSeconds_ = 0;  // in steps only
  Clock::time_point t0_;
};

TrainRun::TrainRun(const Model& init, const Dataset& train, const Dataset* validation,
                   const SearchSpace& space, const TrainOptions& o, const std::string& outDir,
                   const torch::Device& device)
    : src_(init.impl()),
      c_(src_.config),
      space_(space),
      o_(o),
      outDir_(outDir),
      dev_(device),
      sandwich_(o.strategy == "sandwich"),
      smallest_(space.smallest()),
      rng_(o.seed) {
  torch::manual_seed(o.seed);
  examples_ = tokenizeExamples(init, train, o.maxLength);
  if (validation) {
    EncodeOptions eo;
    eo.maxLength = o.maxLength;
    eo.batchSize = o.batchSize;
    validation_.emplace(init, *validation, eo);
  }
  // The working copy of the weights on the device, optionally reordered by
  // importance first (physically: index order becomes importance order).
  w_ = weightsTo(src_.weights, dev_);
  headOrder_ = src_.headOrder;
  unitOrder_ = src_.unitOrder;
  if (o.reorder) {
    ImportanceOptions io;
    io.batches = o.reorderBatches;
    io.batchSize = o.batchSize;
    io.maxLength = o.maxLength;
    io.seed = o.seed;
    const Importance imp = estimateImportance(w_, c_, src_.act, examples_, io);
    w_ = permuteWeights(w_, importanceOrder(imp.heads), importanceOrder(imp.units));
    headOrder_ = identityOrder(c_, true);
    unitOrder_ = identityOrder(c_, false);
  }
  std::vector<torch::Tensor> params;
  for (torch::Tensor* t : w_.all()) {
    *t = t->detach().clone().set_requires_grad(true);
    params.push_back(*t);
  }
  opt_ = makeAdamW(params, o.learningRate, o.weightDecay);

  fo_.training = true;
  fo_.hiddenDropout = o.hiddenDropout >= 0 ? o.hiddenDropout : c_.hidden_dropout_prob;
  fo_.attentionDropout =
      o.attentionDropout >= 0 ? o.attentionDropout : c_.attention_probs_dropout_prob;

  const size_t n = examples_.size(), bs = static_cast<size_t>(o.batchSize);
  totalSteps_ = static_cast<int64_t>((n + bs - 1) / bs) * o.epochs;
  warmupSteps_ =
      static_cast<int64_t>(std::llround(o.warmupFraction * static_cast<double>(totalSteps_)));
  order_.resize(n);
  std::iota(order_.begin(), order_.end(), size_t(0));
  std::filesystem::create_directories(outDir);
  resetPeakDeviceBytes(dev_);
  t0_ = Clock::now();
}

double TrainRun::learningRate() const {
  return scheduledRate(o_.learningRate, step_, totalSteps_, warmupSteps_);
}

torch::Tensor TrainRun::forward(const EncoderWeights& w, const Batch& b) const {
  AutocastScope autocast(dev_.type(), o_.precision == Precision::BFloat16);
  return encoderForward(w, src_.act, c_.layer_norm_eps, b, nullptr, fo_).to(torch::kFloat32);
}

double TrainRun::step(size_t begin, size_t end, double* mean) {
  setLearningRate(*opt_, learningRate());
  torch::Tensor labels;
  const Batch b = batchTo(makeBatch(examples_, order_, begin, end, c_.pad_token_id, &labels), dev_);
  labels = labels.to(dev_);
  opt_->zero_grad();
  auto logits = forward(w_, b);
  auto fullLoss = labelLoss(logits, labels);
  fullLoss.backward();
  const double full = fullLoss.item<double>();
  double sum = full;
  int parts = 1;
  if (sandwich_) {
    auto teacher = torch::softmax(logits.detach() / o_.temperature, -1);
    std::vector<SubNetwork> subs = {smallest_};
    for (int k = 0; k < o_.randomSubnets; ++k) subs.push_back(space_.sample(rng_));
    for (const auto& sub : subs) {
      auto sl = forward(sliceWeights(w_, sub, headOrder_, unitOrder_), b);
      auto loss = distillLoss(sl, teacher, o_.temperature, b.mask) * o_.distillAlpha;
      if (o_.distillAlpha < 1) loss = loss + labelLoss(sl, labels) * (1 - o_.distillAlpha);
      loss.backward();
      sum += loss.item<double>();
      ++parts;
    }
  }
  std::vector<torch::Tensor> params;
  for (torch::Tensor* t : w_.all()) params.push_back(*t);
  clipGradients(params, o_.clipNorm);
  opt_->step();
  ++step_;
  *mean = sum / parts;
  return full;
}

bool TrainRun::runEpoch(int64_t epoch, const TrainCallback& progress, EpochReport& er) {
  const size_t n = examples_.size(), bs = static_cast<size_t>(o_.batchSize);
  rng_.shuffle(order_);
  double lossSum = 0, epochSeconds = 0;
  for (size_t s = 0; s < n; s += bs) {
    const size_t end = std::min(n, s + bs);
    const auto ts = Clock::now();
    TrainProgress p;
    p.learningRate = learningRate();
    p.fullLoss = step(s, end, &p.loss);
    // The losses' item() waited for the device: the time is the step's.
    const double took = secondsSince(ts);
    epochSeconds += took;
    trainSeconds_ += took;
    seen_ += static_cast<int64_t>(end - s);
    lossSum += p.fullLoss * static_cast<double>(end - s);
    if (progress) {
      p.step = step_;
      p.totalSteps = totalSteps_;
      p.epoch = epoch;
      p.epochs = o_.epochs;
      p.elapsedSeconds = secondsSince(t0_);
      p.examplesPerSecond = static_cast<double>(seen_) / std::max(1e-9, trainSeconds_);
      p.etaSeconds =
          p.elapsedSeconds / static_cast<double>(step_) * static_cast<double>(totalSteps_ - step_);
      p.peakDeviceBytes = peakDeviceBytes(dev_);
      if (!progress(p)) return false;
    }
  }
  er.trainLoss = lossSum / static_cast<double>(n);
  er.examplesPerSecond = static_cast<double>(n) / std::max(1e-9, epochSeconds);
  return true;
}

double TrainRun::accuracy(const EncoderWeights& w) const {
  const EncodedDataImpl& d = validation_->impl();
  if (d.count == 0) return -1;
  if (d.tagging) {  // a tagger: entity F1
    EvalResult r;
    r.wordTags.resize(d.count);
    std::vector<char> seen(d.count, 0);
    forEachBatch(w, c_, src_.act, *validation_, dev_.str(), {}, nullptr,
                 [&](size_t b, const torch::Tensor& logits) {
                   collectWordTags(d, c_, b, logits, r.wordTags, seen);
                 });
    taggerMetrics(d, c_, TagScheme::Auto, seen, r);
    return r.entities.f1;
  }
  int64_t correct = 0;
  forEachBatch(w, c_, src_.act, *validation_, dev_.str(), {}, nullptr,
               [&](size_t b, const torch::Tensor& logits) {
                 const auto pred = logits.argmax(1).contiguous();
                 const int64_t* p = pred.data_ptr<int64_t>();
                 for (size_t i = 0; i < d.batchIndex[b].size(); ++i)
                   correct += p[i] == d.labels[d.batchIndex[b][i]];
               });
  return static_cast<double>(correct) / static_cast<double>(d.count);
}

void TrainRun::validate(EpochReport& er) const {
  if (!validation_) return;
  torch::NoGradGuard noGrad;
  if (c_.tokenClassification()) er.metric = "entity F1";
  er.validationAccuracy = accuracy(w_);
  if (sandwich_)
    er.smallestAccuracy = accuracy(sliceWeights(w_, smallest_, headOrder_, unitOrder_));
}

void TrainRun::writeCheckpoint(EpochReport& er) const {
  const std::map<std::string, std::string> meta = {{"paretoprune_epoch", std::to_string(er.epoch)},
                                                   {"paretoprune_strategy", o_.strategy}};
  const TextTokenizer* tok = src_.tokenizer.get();
  if (o_.keepCheckpoints) {
    er.checkpoint = fileutil::joinPath(outDir_, "checkpoint-epoch-" + std::to_string(er.epoch));
    fileutil::replaceDirectory(
        er.checkpoint, true,
        [&](const std::string& dir) {
          writeModelFiles(dir, c_, w_, tok, headOrder_, unitOrder_, meta);
        },
        "model.safetensors");
  }
  // OUT itself always holds the latest finished epoch; each file is
  // replaced atomically, so it loads at every moment after the first.
  writeModelFiles(outDir_, c_, w_, tok, headOrder_, unitOrder_, meta);
}

}  // namespace

TrainReport trainModel(const Model& init, const Dataset& train, const Dataset* validation,
                       const SearchSpace& space, const TrainOptions& o, const std::string& outDir,
                       TrainCallback progress, EpochCallback epochDone) {
  checkOptions(o, train);
  useComputeThreads(ComputeUse::Training, o.threads > 0 ? o.threads : hardwareThreads());
  fileutil::requireFreshDirectory(outDir);  // the model's own directory, or a user's, is left alone
  TrainReport report;
  report.outDir = outDir;
  report.device = trainingDevice(o.device, "train");
  report.precision = o.precision;
  const torch::Device dev(report.device);
  // A run that ends before its first epoch leaves no empty folder behind
  // (only the one it made, and only while empty).
  struct EmptyOutputRemover {
    std::string dir;
    bool made;
    ~EmptyOutputRemover() {
      std::error_code ec;
      if (made) std::filesystem::remove(dir, ec);  // fails, harmlessly, unless empty
    }
  } remover{outDir, !fileutil::exists(outDir)};
  try {
    TrainRun run(init, train, validation, space, o, outDir, dev);
    for (int64_t epoch = 1; epoch <= o.epochs; ++epoch) {
      const auto te = Clock::now();
      EpochReport er;
      er.epoch = epoch;
      if (!run.runEpoch(epoch, progress, er)) {
        report.stopped = true;  // the last finished epoch's checkpoint stays as it is
        break;
      }
      run.validate(er);
      run.writeCheckpoint(er);
      er.seconds = secondsSince(te);
      er.peakDeviceBytes = peakDeviceBytes(dev);
      report.epochs.push_back(er);
      writeTrainingJson(init, space, o, report);
      if (epochDone) epochDone(er);
    }
  } catch (const std::exception& e) {
    if (!isOutOfMemory(e)) throw;
    // The run's tensors are gone with it; give the cached blocks back too.
    releaseCachedDeviceMemory(dev);
    report.outOfMemory = true;
    report.suggestedBatchSize = o.batchSize / 2;
    report.outOfMemoryMessage = errorSummary(e);
    if (!report.epochs.empty()) writeTrainingJson(init, space, o, report);
  }
  return report;
}

}  // namespace pp
