#include "train/recover_tune.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>
#include <sstream>

#include "base/file_util.h"
#include "base/json_util.h"
#include "cpu/forward.h"
#include "model/autocast_scope.h"
#include "model/slicing.h"
#include "paretoprune/base/error.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/eval/entity_metrics.h"
#include "train/augment.h"
#include "train/train_parts.h"

namespace pp {

using nlohmann::json;

namespace {

using Clock = std::chrono::steady_clock;

// A number of a checkpoint's JSON; `otherwise` where it is absent or not a
// number (a diverged run's NaN is written as null).
double numberOr(const json& j, const char* key, double otherwise) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : otherwise;
}
constexpr double kNoLoss = std::numeric_limits<double>::infinity();

// A held-out check: accuracy (a tagger's: entity F1) and the mean
// cross-entropy on the labels; with a transfer set, also the agreement with
// the full model and the mean KL to its soft predictions (up to their
// entropy, the same for every check) over the held-out
// sentences and their variants (TuneData::judge), which then decide:
// agreement first, ties by KL; else accuracy first, ties by loss.
struct Score {
  double accuracy = -1, loss = 0;
  double agreement = -1, kl = 0;  // -1: no judge set
  bool betterThan(const Score& o) const {
    const bool byTeacher = agreement >= 0 && o.agreement >= 0;
    const double a = byTeacher ? agreement : accuracy, b = byTeacher ? o.agreement : o.accuracy;
    const double l = byTeacher ? kl : loss, m = byTeacher ? o.kl : o.loss;
    return a > b + 1e-12 || (std::abs(a - b) <= 1e-12 && l < m);
  }
  // As a probe ("holdout_") or the checkpoint's best check ("best_") records it.
  json toJson(const std::string& prefix) const {
    json j = {{prefix + "accuracy", accuracy}, {prefix + "loss", loss}};
    if (agreement >= 0) j.update({{prefix + "agreement", agreement}, {prefix + "kl", kl}});
    return j;
  }
  static Score fromJson(const json& j, const std::string& prefix) {
    return {numberOr(j, (prefix + "accuracy").c_str(), -1.0),
            numberOr(j, (prefix + "loss").c_str(), kNoLoss),
            numberOr(j, (prefix + "agreement").c_str(), -1.0),
            numberOr(j, (prefix + "kl").c_str(), kNoLoss)};
  }
};

// Every batch of `ex` in order, on `dev`: fn(batch, labels on the CPU, begin, end).
template <class F>
void forEachBatch(const std::vector<TokenizedExample>& ex, int64_t batchSize, int64_t pad,
                  const torch::Device& dev, F fn) {
  std::vector<size_t> order(ex.size());
  std::iota(order.begin(), order.end(), size_t(0));
  const size_t bs = static_cast<size_t>(batchSize);
  for (size_t s = 0; s < ex.size(); s += bs) {
    const size_t e = std::min(ex.size(), s + bs);
    torch::Tensor labels;
    const Batch b = batchTo(makeBatch(ex, order, s, e, pad, &labels), dev);
    fn(b, labels, s, e);
  }
}

std::vector<torch::Tensor> tensorsOf(EncoderWeights& w) {
  std::vector<torch::Tensor> v;
  for (torch::Tensor* t : w.all()) v.push_back(*t);
  return v;
}

std::vector<torch::Tensor> snapshot(EncoderWeights& w) {
  std::vector<torch::Tensor> v;
  for (torch::Tensor* t : w.all()) v.push_back(t->detach().clone());
  return v;
}

void restore(EncoderWeights& w, const std::vector<torch::Tensor>& v) {
  torch::NoGradGuard noGrad;
  auto ts = w.all();
  if (ts.size() != v.size()) throw Error("recover: a checkpoint of another shape");
  for (size_t i = 0; i < ts.size(); ++i) ts[i]->copy_(v[i]);
}

template <class T>
void saveAtomic(const T& value, const std::string& path) {
  std::ostringstream out;
  torch::save(value, out);
  fileutil::writeFileAtomic(path, out.str());
}

std::string stepFile(const std::string& dir, const char* what, int64_t step) {
  return fileutil::joinPath(dir, std::string(what) + "-" + std::to_string(step) + ".pt");
}

// One sub-network's fine-tuning: its sliced weights on the device, AdamW,
// the data order of each epoch (seeded by the epoch: a resumed run sees the
// same batches) and the held-out checks.
class Tuner {
 public:
  Tuner(const Model& full, const SubNetwork& s, const TuneData& d, const RecoverOptions& o,
        const torch::Device& dev)
      : impl_(full.impl()), d_(d), o_(o), dev_(dev) {
    torch::NoGradGuard noGrad;
    start_ = sliceWeights(weightsTo(impl_.weights, dev), s, impl_.headOrder, impl_.unitOrder);
    for (torch::Tensor* t : start_.all()) *t = t->detach().clone();
    w_ = start_;  // scored before any training
    fo_.training = true;
    fo_.hiddenDropout = impl_.config.hidden_dropout_prob;
    fo_.attentionDropout = impl_.config.attention_probs_dropout_prob;
    spe_ = static_cast<int64_t>((d.train.size() + static_cast<size_t>(o.batchSize) - 1) /
                                static_cast<size_t>(o.batchSize));
  }
  // Fresh weights (the sub-network as the super-network has it) and AdamW at `lr`.
  void reset(double lr) {
    w_ = start_;
    for (torch::Tensor* t : w_.all()) *t = t->detach().clone().set_requires_grad(true);
    opt_ = makeAdamW(tensorsOf(w_), lr, o_.weightDecay);
  }
  double step(int64_t k, double lr);
  Score score();
  Score taggerScore();
  EncoderWeights& weights() { return w_; }
  size_t holdoutSize() const { return d_.holdout.size(); }
  size_t judgeSize() const { return d_.judge.size(); }
  torch::optim::AdamW& optimizer() { return *opt_; }

 private:
  // The pick's logits; with `layers`, its layer outputs too.
  torch::Tensor forward(const Batch& b, bool training,
                        std::vector<torch::Tensor>* layers = nullptr) {
    ForwardOptions fo = fo_;
    fo.training = training;
    fo.layerOutputs = layers;
    AutocastScope autocast(dev_.type(), o_.precision == Precision::BFloat16);
    return encoderForward(w_, impl_.act, impl_.config.layer_norm_eps, b, nullptr, fo)
        .to(torch::kFloat32);
  }
  // The full model's logits (no dropout); with `layers`, its layer outputs.
  torch::Tensor teacherPass(const Batch& b, std::vector<torch::Tensor>* layers) const {
    torch::NoGradGuard noGrad;
    ForwardOptions fo;
    fo.layerOutputs = layers;
    return encoderForward(d_.teacher, impl_.act, impl_.config.layer_norm_eps, b, nullptr, fo)
        .to(torch::kFloat32);
  }
  torch::Tensor distilled(const Batch& b, const std::vector<size_t>& order, size_t begin,
                          size_t end, const torch::Tensor& labels);
  const std::vector<size_t>& orderOf(int64_t epoch) {
    if (epoch != orderEpoch_) {
      order_.resize(d_.train.size());
      std::iota(order_.begin(), order_.end(), size_t(0));
      Rng rng(o_.seed * 7919 + static_cast<uint64_t>(epoch) + 1);
      rng.shuffle(order_);
      orderEpoch_ = epoch;
    }
    return order_;
  }

  const ModelImpl& impl_;
  const TuneData& d_;
  const RecoverOptions& o_;
  const torch::Device dev_;
  EncoderWeights start_, w_;
  std::unique_ptr<torch::optim::AdamW> opt_;
  ForwardOptions fo_;
  int64_t spe_ = 1, orderEpoch_ = -1;
  std::vector<size_t> order_;
};

// The loss of one batch: cross-entropy on the labels, with distillation
// alpha * T^2 * KL on the full model's soft predictions (a tagger's per
// token, over every real token) and hiddenWeight * the layer outputs'
// distance to the full model's (hiddenStateLoss).
torch::Tensor Tuner::distilled(const Batch& b, const std::vector<size_t>& order, size_t begin,
                               size_t end, const torch::Tensor& labels) {
  const bool hidden = o_.distill && o_.hiddenWeight > 0;
  std::vector<torch::Tensor> mine, theirs;
  const auto logits = forward(b, true, hidden ? &mine : nullptr);
  if (!o_.distill) return labelLoss(logits, labels);
  // The transfer set's variants have no label (kIgnoredLabel): the labels'
  // term is over the batch's training examples, none when it has none.
  torch::Tensor loss;
  if (!d_.tagger && d_.augmented > 0) {
    const auto known = labels.ne(kIgnoredLabel);
    loss = torch::cross_entropy_loss(logits, labels.masked_fill(~known, 0), {}, at::Reduction::None)
               .mul(known)
               .sum()
               .div(known.sum().clamp_min(1));
  } else {
    loss = labelLoss(logits, labels);
  }
  torch::Tensor teacher;
  if (d_.tagger || hidden) teacher = teacherPass(b, hidden ? &theirs : nullptr);
  if (d_.tagger) {
    teacher = torch::softmax(teacher / o_.temperature, -1);
    loss = distillLoss(logits, teacher, o_.temperature, b.mask) * o_.alpha + loss * (1 - o_.alpha);
  } else {  // the soft predictions made once (prepareTuneData)
    std::vector<int64_t> rows(order.begin() + static_cast<std::ptrdiff_t>(begin),
                              order.begin() + static_cast<std::ptrdiff_t>(end));
    const auto probs = d_.teacherProbs.index_select(0, torch::tensor(rows)).to(dev_);
    loss = distillLoss(logits, probs, o_.temperature) * o_.alpha + loss * (1 - o_.alpha);
  }
  if (hidden) loss = loss + hiddenStateLoss(mine, theirs, b.mask) * o_.hiddenWeight;
  return loss;
}

double Tuner::step(int64_t k, double lr) {
  const std::vector<size_t>& order = orderOf(k / spe_);
  const size_t bs = static_cast<size_t>(o_.batchSize), n = d_.train.size();
  const size_t begin = static_cast<size_t>(k % spe_) * bs, end = std::min(n, begin + bs);
  setLearningRate(*opt_, lr);
  torch::Tensor labels;
  const Batch b =
      batchTo(makeBatch(d_.train, order, begin, end, impl_.config.pad_token_id, &labels), dev_);
  labels = labels.to(dev_);
  opt_->zero_grad();
  auto loss = distilled(b, order, begin, end, labels);
  loss.backward();
  clipGradients(tensorsOf(w_), o_.clipNorm);
  opt_->step();
  return loss.item<double>();
}

Score Tuner::score() {
  if (d_.tagger) return taggerScore();
  torch::NoGradGuard noGrad;
  const auto& h = d_.holdout;
  const int64_t pad = impl_.config.pad_token_id;
  int64_t correct = 0;
  double lossSum = 0;
  forEachBatch(
      h, o_.batchSize, pad, dev_, [&](const Batch& b, const torch::Tensor& labels, size_t, size_t) {
        const auto logits = forward(b, false).cpu();
        lossSum += torch::cross_entropy_loss(logits, labels, {}, at::Reduction::Sum).item<double>();
        correct += logits.argmax(1).eq(labels).sum().item<int64_t>();
      });
  const double n = static_cast<double>(std::max<size_t>(1, h.size()));
  Score out{static_cast<double>(correct) / n, lossSum / n};
  if (d_.judge.empty()) return out;
  // Agreement with the full model, and the KL to its soft predictions.
  int64_t agree = 0;
  double kl = 0;
  forEachBatch(d_.judge, o_.batchSize, pad, dev_,
               [&](const Batch& b, const torch::Tensor&, size_t s, size_t e) {
                 const auto logits = forward(b, false).cpu();
                 const auto teacher =
                     d_.judgeProbs.slice(0, static_cast<int64_t>(s), static_cast<int64_t>(e));
                 agree += logits.argmax(1).eq(teacher.argmax(1)).sum().item<int64_t>();
                 kl += distillLoss(logits, teacher, o_.temperature).item<double>() *
                       static_cast<double>(e - s);
               });
  const double m = static_cast<double>(d_.judge.size());
  out.agreement = static_cast<double>(agree) / m;
  out.kl = kl / m;
  return out;
}

// A tagger's held-out check: entity F1 over the words' first pieces (the
// pieces that carry a label), and the mean cross-entropy over them.
Score Tuner::taggerScore() {
  torch::NoGradGuard noGrad;
  const auto& names = impl_.config.id2label;
  std::vector<std::vector<std::string>> gold, pred;
  double lossSum = 0;
  int64_t pieces = 0;
  auto scoreBatch = [&](const Batch& b, const torch::Tensor& labels, size_t, size_t) {
    const auto logits = forward(b, false).cpu();
    lossSum +=
        torch::cross_entropy_loss(logits.reshape({-1, logits.size(-1)}), labels.reshape({-1}), {},
                                  at::Reduction::Sum, kIgnoredLabel)
            .item<double>();
    const auto top = logits.argmax(-1).contiguous();
    const auto l = labels.accessor<int64_t, 2>();
    const auto p = top.accessor<int64_t, 2>();
    for (int64_t r = 0; r < l.size(0); ++r) {
      gold.emplace_back();
      pred.emplace_back();
      for (int64_t t = 0; t < l.size(1); ++t)
        if (l[r][t] != kIgnoredLabel) {
          gold.back().push_back(names.at(static_cast<size_t>(l[r][t])));
          pred.back().push_back(names.at(static_cast<size_t>(p[r][t])));
          ++pieces;
        }
    }
  };
  forEachBatch(d_.holdout, o_.batchSize, impl_.config.pad_token_id, dev_, scoreBatch);
  return {entityMetrics(gold, pred).f1,
          lossSum / static_cast<double>(std::max<int64_t>(1, pieces))};
}

// The main run's checkpoint state (state.json), besides the tensors.
struct MainState {
  double lr = 0;
  int64_t step = 0, bestStep = 0, badChecks = 0;
  Score best;
  double elapsed = 0;
  json probes = json::array();
};

class Recovery {
 public:
  Recovery(Tuner& t, const RecoverOptions& o, const std::string& dir, const TuneCallback& cb)
      : t_(t), o_(o), dir_(dir), cb_(cb), t0_(Clock::now()) {}
  TuneOutcome run();

 private:
  double elapsed() const {
    return st_.elapsed + std::chrono::duration<double>(Clock::now() - t0_).count();
  }
  bool outOfTime() const { return o_.budgetSeconds > 0 && elapsed() >= o_.budgetSeconds; }
  bool probe(const Score& start);  // false: stopped
  bool train();                    // false: stopped
  void saveState();
  bool loadState();
  int64_t checkEvery() const {
    return o_.evalEvery > 0 ? o_.evalEvery : std::max<int64_t>(1, o_.budgetSteps / 10);
  }

  Tuner& t_;
  const RecoverOptions& o_;
  const std::string dir_;
  const TuneCallback& cb_;
  Clock::time_point t0_;
  MainState st_;
  std::vector<torch::Tensor> best_;
  bool earlyStop_ = false;
  bool training_ = false;  // past the probes: the checkpoint holds tensors
};

bool Recovery::probe(const Score& start) {
  const int64_t steps =
      o_.probeSteps > 0 ? o_.probeSteps : std::max<int64_t>(1, o_.budgetSteps / 8);
  Score bestProbe;
  for (size_t i = st_.probes.size(); i < o_.learningRates.size(); ++i) {
    const double lr = o_.learningRates[i];
    t_.reset(lr);
    torch::manual_seed(o_.seed);
    double loss = 0;
    for (int64_t k = 0; k < steps && !outOfTime(); ++k) {
      loss =
          t_.step(k, scheduledRate(lr, k, steps, static_cast<int64_t>(o_.warmupFraction * steps)));
      if (cb_ && !cb_("probe", lr, k + 1, steps, loss, start.accuracy)) return false;
    }
    json p = t_.score().toJson("holdout_");
    p.update({{"learning_rate", lr}, {"steps", steps}});
    st_.probes.push_back(p);
    saveState();
  }
  for (const auto& p : st_.probes) {
    const Score s = Score::fromJson(p, "holdout_");
    if (st_.lr == 0 || s.betterThan(bestProbe)) {
      bestProbe = s;
      st_.lr = p["learning_rate"].get<double>();
    }
  }
  return true;
}

bool Recovery::train() {
  const int64_t total = o_.budgetSteps, warm = static_cast<int64_t>(o_.warmupFraction * total);
  for (int64_t k = st_.step; k < total; ++k) {
    if (outOfTime()) break;
    if (k % checkEvery() == 0) torch::manual_seed(o_.seed * 1000003 + static_cast<uint64_t>(k));
    const double loss = t_.step(k, scheduledRate(st_.lr, k, total, warm));
    st_.step = k + 1;
    if (st_.step % checkEvery() == 0 || st_.step == total) {
      const Score s = t_.score();
      if (s.betterThan(st_.best)) {
        st_.best = s;
        st_.bestStep = st_.step;
        best_ = snapshot(t_.weights());
        st_.badChecks = 0;
      } else if (++st_.badChecks >= o_.patience) {
        earlyStop_ = true;
      }
      saveState();
      if (earlyStop_) break;
    }
    if (cb_ && !cb_("train", st_.lr, st_.step, total, loss, st_.best.accuracy)) {
      saveState();
      return false;
    }
  }
  return true;
}

void Recovery::saveState() {
  std::filesystem::create_directories(dir_);
  json j = {{"settings", tuneSettings(o_)},
            {"probes", st_.probes},
            {"learning_rate", training_ ? st_.lr : 0.0},
            {"step", st_.step},
            {"best_step", st_.bestStep},
            {"bad_checks", st_.badChecks},
            {"elapsed_seconds", elapsed()}};
  j.update(st_.best.toJson("best_"));
  if (training_) {
    saveAtomic(tensorsOf(t_.weights()), stepFile(dir_, "weights", st_.step));
    saveAtomic(best_, stepFile(dir_, "best", st_.step));
    saveAtomic(t_.optimizer(), stepFile(dir_, "optimizer", st_.step));
  }
  // state.json last: it names the step whose files are complete.
  fileutil::writeFileAtomic(fileutil::joinPath(dir_, "state.json"), j.dump(1) + "\n");
  const std::string keep = "-" + std::to_string(st_.step) + ".pt";
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() == ".pt" && name.find(keep) == std::string::npos)
      std::filesystem::remove(e.path());
  }
}

bool Recovery::loadState() {
  const std::string path = fileutil::joinPath(dir_, "state.json");
  if (!fileutil::exists(path)) return false;
  const json j = parseJson(fileutil::readFile(path), path);
  if (j.value("settings", json()) != tuneSettings(o_))
    throw Error(dir_ + " was started with other settings (" + j.value("settings", json()).dump() +
                "); give another --out, or the same settings to resume");
  st_.probes = j.value("probes", json::array());
  st_.lr = j.value("learning_rate", 0.0);
  st_.elapsed = j.value("elapsed_seconds", 0.0);
  if (st_.lr <= 0) return false;  // still probing: finished probes are kept
  st_.step = j.value("step", int64_t(0));
  st_.bestStep = j.value("best_step", int64_t(0));
  st_.best = Score::fromJson(j, "best_");
  st_.badChecks = j.value("bad_checks", int64_t(0));
  training_ = true;
  t_.reset(st_.lr);
  std::vector<torch::Tensor> w;
  torch::load(w, stepFile(dir_, "weights", st_.step));
  restore(t_.weights(), w);
  torch::load(best_, stepFile(dir_, "best", st_.step));
  torch::load(t_.optimizer(), stepFile(dir_, "optimizer", st_.step));
  return true;
}

TuneOutcome Recovery::run() {
  TuneOutcome out;
  const Score start = t_.score();
  if (loadState()) {
    out.resumedStep = st_.step;
  } else {
    if (o_.learningRates.size() > 1) {
      if (!probe(start)) return out.stopped = true, out;
    } else {
      st_.lr = o_.learningRates.at(0);
    }
    t_.reset(st_.lr);
    training_ = true;
    st_.best = start;
    st_.bestStep = 0;
    best_ = snapshot(t_.weights());
  }
  if (!train()) return out.stopped = true, out;
  restore(t_.weights(), best_);
  out.best = t_.weights();
  for (torch::Tensor* t : out.best.all()) *t = t->detach().cpu().clone();
  out.details = {
      {"learning_rate", st_.lr},
      {"probes", st_.probes},
      {"steps", st_.step},
      {"best_step", st_.bestStep},
      {"stopped_early", earlyStop_},
      {"out_of_time", outOfTime()},
      {"holdout",
       {{"examples", t_.holdoutSize()}, {"before", start.accuracy}, {"after", st_.best.accuracy}}},
      {"seconds", elapsed()}};
  if (start.agreement >= 0)  // the judge: agreement with the full model
    out.details["agreement"] = {
        {"examples", t_.judgeSize()}, {"before", start.agreement}, {"after", st_.best.agreement}};
  return out;
}

}  // namespace

json tuneSettings(const RecoverOptions& o) {
  json j = {{"method", o.method()},
            {"temperature", o.temperature},
            {"alpha", o.alpha},
            {"budget_steps", o.budgetSteps},
            {"budget_seconds", o.budgetSeconds},
            {"learning_rates", o.learningRates},
            {"probe_steps", o.probeSteps},
            {"holdout_fraction", o.holdoutFraction},
            {"eval_every", o.evalEvery},
            {"patience", o.patience},
            {"batch_size", o.batchSize},
            {"max_length", o.maxLength},
            {"weight_decay", o.weightDecay},
            {"warmup", o.warmupFraction},
            {"clip", o.clipNorm},
            {"seed", o.seed},
            {"precision", precisionName(o.precision)}};
  // Only where it acts, so that logits-only checkpoints of earlier versions resume.
  if (o.distill && o.hiddenWeight > 0) j["hidden_weight"] = o.hiddenWeight;
  if (o.distill && o.augment > 0) j["augment"] = o.augment;
  return j;
}

}  // namespace pp

namespace pp {

namespace {
// Variants of the held-out sentences in the judge, at most: the checks
// stay cheap beside the training steps on a large data set.
constexpr size_t kJudgeVariants = 2048;

// The full model's soft predictions (no dropout) at the temperature; `w`
// its weights on `dev`.
torch::Tensor teacherProbsOf(const ModelImpl& m, const EncoderWeights& w,
                             const std::vector<TokenizedExample>& ex, const RecoverOptions& o,
                             const torch::Device& dev) {
  torch::NoGradGuard noGrad;
  std::vector<torch::Tensor> probs;
  forEachBatch(
      ex, o.batchSize, m.config.pad_token_id, dev,
      [&](const Batch& b, const torch::Tensor&, size_t, size_t) {
        const auto logits =
            encoderForward(w, m.act, m.config.layer_norm_eps, b, nullptr, {}).to(torch::kFloat32);
        probs.push_back(torch::softmax(logits / o.temperature, 1).cpu());
      });
  return torch::cat(probs, 0);
}
}  // namespace

TuneData prepareTuneData(const Model& full, const Dataset& train, const RecoverOptions& o,
                         const torch::Device& dev) {
  const auto [rest, held] = splitDataset(train, o.holdoutFraction, o.seed);
  if (rest.examples.empty() || held.examples.empty())
    throw Error("recover: " + train.source + " holds " + std::to_string(train.examples.size()) +
                " training example(s); too few to hold " + std::to_string(o.holdoutFraction) +
                " of them out for the choices and train on the rest");
  TuneData d;
  d.train = tokenizeExamples(full, rest, o.maxLength);
  d.holdout = tokenizeExamples(full, held, o.maxLength);
  d.tagger = full.config().tokenClassification();
  if (!o.distill) return d;
  if (!d.tagger && o.augment > 0) {
    // The transfer set: variants the teacher labels (augment.h), after the
    // training examples; the held-out part is never augmented.
    const TextTokenizer& tok = full.tokenizer();
    std::vector<int64_t> specials;
    for (int64_t id : {tok.clsId(), tok.sepId(), tok.padId(), full.config().pad_token_id})
      if (id >= 0) specials.push_back(id);
    const size_t count = std::min(d.train.size() * static_cast<size_t>(o.augment),
                                  static_cast<size_t>(std::max<int64_t>(1, o.budgetSteps) *
                                                      std::max<int64_t>(1, o.batchSize)));
    auto extra = augmentExamples(d.train, specials, count, o.seed);
    d.augmented = extra.size();
    d.train.insert(d.train.end(), std::make_move_iterator(extra.begin()),
                   std::make_move_iterator(extra.end()));
    // The judge: the held-out sentences and variants of them (at most
    // kJudgeVariants), scored by agreement with the full model.
    d.judge = d.holdout;
    auto more = augmentExamples(
        d.holdout, specials,
        std::min(d.holdout.size() * static_cast<size_t>(o.augment), kJudgeVariants), o.seed + 1);
    d.judge.insert(d.judge.end(), std::make_move_iterator(more.begin()),
                   std::make_move_iterator(more.end()));
  }
  // A tagger's per-token teacher and the layer outputs are made batch by
  // batch (Tuner::teacherPass), from the full model on the device.
  const EncoderWeights onDevice = weightsTo(full.impl().weights, dev);
  if (d.tagger || o.hiddenWeight > 0) d.teacher = onDevice;
  if (d.tagger) return d;
  d.teacherProbs = teacherProbsOf(full.impl(), onDevice, d.train, o, dev);
  if (!d.judge.empty()) d.judgeProbs = teacherProbsOf(full.impl(), onDevice, d.judge, o, dev);
  return d;
}

TuneOutcome tuneSubnet(const Model& full, const SubNetwork& s, const TuneData& d,
                       const RecoverOptions& o, const torch::Device& dev,
                       const std::string& stateDir, const TuneCallback& cb) {
  Tuner t(full, s, d, o, dev);
  Recovery r(t, o, stateDir, cb);
  return r.run();
}

}  // namespace pp
