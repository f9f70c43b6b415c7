// Super-network training, importance ordering and the baselines, on tiny
// BERTs and a small synthetic sentiment set.
#include <QtTest>

#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "bert.h"
#include "paretoprune/baselines.h"
#include "paretoprune/dataset.h"
#include "paretoprune/evaluator.h"
#include "paretoprune/importance.h"
#include "paretoprune/model.h"
#include "paretoprune/search_space.h"
#include "paretoprune/train.h"
#include "testutil.h"

namespace {
float maxAbsDiff(const std::vector<std::vector<float>>& a, const std::vector<std::vector<float>>& b) {
  float worst = 0;
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t k = 0; k < a[i].size(); ++k) worst = std::max(worst, std::abs(a[i][k] - b[i][k]));
  return worst;
}

float maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<float>(); }
}  // namespace

class TestTrain : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  std::string init_;
  pp::Dataset train_, val_;

  std::string path(const std::string& name) const { return tmp_.path().toStdString() + "/" + name; }

  pp::TrainOptions quick(const std::string& strategy) const {
    pp::TrainOptions o;
    o.strategy = strategy;
    o.epochs = 1;
    o.batchSize = 8;
    o.maxLength = 16;
    o.learningRate = 3e-3;
    o.warmupFraction = 0.1;
    o.hiddenDropout = o.attentionDropout = 0;
    o.seed = 3;
    o.keepCheckpoints = true;
    return o;
  }

 private Q_SLOTS:
  void initTestCase() {
    pp::setComputeThreads(1, 1);
    init_ = path("init");
    auto t = pp::TinyModelOptions::shaped(2, 32, 4, 48);
    t.maxPositions = 32;
    t.seed = 7;
    pp::writeRandomModel(init_, t);
    // Words from the built-in vocabulary: the label is which word appears.
    const char* pos[] = {"good", "great", "very good", "the food was great", "good place", "great movie"};
    const char* neg[] = {"bad", "not good", "very bad", "the food was bad", "bad place", "bad movie"};
    for (int i = 0; i < 96; ++i) {
      pp::Example e;
      e.text = std::string(i % 2 ? pos[(i / 2) % 6] : neg[(i / 2) % 6]) + (i % 3 ? " and it was" : " this");
      e.label = i % 2;
      e.line = i + 2;
      ((i / 2) % 4 == 3 ? val_ : train_).examples.push_back(e);
    }
    train_.source = val_.source = "synthetic";
  }

  void lossGoesDown() {
    auto m = pp::Model::load(init_);
    auto o = quick("standard");
    o.epochs = 8;
    o.learningRate = 5e-3;
    o.keepCheckpoints = false;
    std::vector<double> stepLoss;
    auto r = pp::trainModel(*m, train_, &val_, pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, m->config()),
                            o, path("std"), [&](const pp::TrainProgress& p) {
                              stepLoss.push_back(p.fullLoss);
                              return true;
                            });
    QCOMPARE(r.epochs.size(), size_t(8));
    QVERIFY(!r.stopped);
    QVERIFY2(r.epochs.back().trainLoss < 0.5 * r.epochs.front().trainLoss,
             (std::to_string(r.epochs.front().trainLoss) + " -> " + std::to_string(r.epochs.back().trainLoss)).c_str());
    QCOMPARE(static_cast<int64_t>(stepLoss.size()), int64_t(8 * 9));  // 72 examples / 8
    QVERIFY2(r.epochs.back().validationAccuracy > 0.8, std::to_string(r.epochs.back().validationAccuracy).c_str());
    QVERIFY(!std::filesystem::exists(path("std/checkpoint-epoch-1")));
  }

  void checkpointsRoundTrip() {
    auto m = pp::Model::load(init_);
    auto o = quick("sandwich");
    o.epochs = 2;
    auto r = pp::trainModel(*m, train_, &val_, pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, m->config()),
                            o, path("ck"));
    QCOMPARE(r.epochs.size(), size_t(2));
    for (const auto& e : r.epochs) {
      auto ck = pp::Model::load(e.checkpoint);
      pp::EncodeOptions eo;
      eo.maxLength = 16;
      pp::EncodedData enc(*ck, val_, eo);
      auto res = pp::evaluate(*ck, pp::SubNetwork::full(ck->config()), enc, {});
      QVERIFY2(std::abs(res.metrics.accuracy - e.validationAccuracy) < 1e-9,
               (std::to_string(res.metrics.accuracy) + " vs " + std::to_string(e.validationAccuracy)).c_str());
    }
    // OUT holds the last epoch: the same weights as its checkpoint.
    auto last = pp::Model::load(path("ck"));
    auto ck2 = pp::Model::load(r.epochs.back().checkpoint);
    QCOMPARE(maxAbsDiff(last->impl().weights.layers[1].q_w, ck2->impl().weights.layers[1].q_w), 0.0f);
    QVERIFY(maxAbsDiff(last->impl().weights.layers[1].q_w, m->impl().weights.layers[1].q_w) > 0);
    QVERIFY(std::filesystem::exists(path("ck/training.json")));
    QVERIFY(last->hasTokenizer());
  }

  void sandwichTrainsTheSubnetworks() {
    // Same seed, no dropout, one epoch: standard and sandwich see the same
    // batches, so any difference comes from the sub-networks' losses.
    auto m = pp::Model::load(init_);
    auto space = pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, m->config());
    auto o = quick("standard");
    o.keepCheckpoints = false;
    pp::trainModel(*m, train_, nullptr, space, o, path("one-std"));
    o.strategy = "sandwich";
    o.randomSubnets = 1;
    pp::trainModel(*m, train_, nullptr, space, o, path("one-sw"));
    auto a = pp::Model::load(path("one-std")), b = pp::Model::load(path("one-sw"));
    // The smallest sub-network keeps 1 head of layer 0: its query rows moved.
    const int64_t d = m->config().headSize();
    auto rowsA = a->impl().weights.layers[0].q_w.slice(0, 0, d), rowsB = b->impl().weights.layers[0].q_w.slice(0, 0, d);
    QVERIFY(maxAbsDiff(rowsA, rowsB) > 1e-6);
    QVERIFY(maxAbsDiff(a->impl().weights.cls_w, b->impl().weights.cls_w) > 1e-6);
  }

  void stoppedRunKeepsLastCheckpoint() {
    auto m = pp::Model::load(init_);
    auto o = quick("sandwich");
    o.epochs = 3;
    auto r = pp::trainModel(*m, train_, &val_, pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, m->config()),
                            o, path("stop"), [](const pp::TrainProgress& p) { return p.epoch < 2 || p.step < 12; });
    QVERIFY(r.stopped);
    QCOMPARE(r.epochs.size(), size_t(1));
    QVERIFY(!std::filesystem::exists(path("stop/checkpoint-epoch-2")));
    auto out = pp::Model::load(path("stop"));
    auto ck = pp::Model::load(path("stop/checkpoint-epoch-1"));
    QCOMPARE(maxAbsDiff(out->impl().weights.word_emb, ck->impl().weights.word_emb), 0.0f);
  }

  void badOptions() {
    auto m = pp::Model::load(init_);
    auto space = pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, m->config());
    auto o = quick("sandwitch");
    PP_EXPECT_ERROR(pp::trainModel(*m, train_, nullptr, space, o, path("bad")), "unknown strategy \"sandwitch\"");
    o = quick("standard");
    PP_EXPECT_ERROR(pp::trainModel(*m, pp::Dataset{}, nullptr, space, o, path("bad")), "training set is empty");
    pp::Dataset wrong = train_;
    wrong.examples[3].label = 5;
    PP_EXPECT_ERROR(pp::trainModel(*m, wrong, nullptr, space, o, path("bad")), "synthetic:");
  }

  void reorderKeepsFullLogits() {
    auto m = pp::Model::load(init_);
    pp::ImportanceOptions io;
    io.batches = 4;
    io.batchSize = 8;
    io.maxLength = 16;
    io.seed = 1;
    auto imp = pp::estimateImportance(*m, train_, io);
    QCOMPARE(imp.heads.size(), size_t(2));
    QCOMPARE(imp.units[1].size(), size_t(48));
    bool nonIdentity = false;
    auto ho = pp::importanceOrder(imp.heads), uo = pp::importanceOrder(imp.units);
    for (size_t l = 0; l < 2; ++l) {
      for (size_t i = 0; i < ho[l].size(); ++i) nonIdentity |= ho[l][i] != static_cast<int64_t>(i);
      // Sorted by decreasing score.
      for (size_t i = 1; i < uo[l].size(); ++i)
        QVERIFY(imp.units[l][static_cast<size_t>(uo[l][i - 1])] >= imp.units[l][static_cast<size_t>(uo[l][i])]);
    }
    QVERIFY(nonIdentity);
    pp::writeReordered(*m, imp, path("reordered"), false);
    PP_EXPECT_ERROR(pp::writeReordered(*m, imp, path("reordered"), false), "already exists");
    auto r = pp::Model::load(path("reordered"));
    pp::EncodeOptions eo;
    eo.maxLength = 16;
    pp::EncodedData encA(*m, val_, eo), encB(*r, val_, eo);
    const auto full = pp::SubNetwork::full(m->config());
    QVERIFY(maxAbsDiff(pp::computeLogits(*m, full, encA), pp::computeLogits(*r, full, encB)) < 1e-5f);
    // "First k" of the reordered model = the k most important of the source.
    auto sub = pp::SubNetwork::uniform(m->config(), 2, 2, 20);
    std::vector<std::vector<float>> expect;
    {
      // The source with the importance order as its order file.
      std::filesystem::copy(init_, path("ordered"), std::filesystem::copy_options::recursive);
      testutil::writeText(path("ordered/paretoprune_order.json"),
                          nlohmann::json({{"heads", ho}, {"units", uo}}).dump());
      auto o = pp::Model::load(path("ordered"));
      pp::EncodedData enc(*o, val_, eo);
      expect = pp::computeLogits(*o, sub, enc);
    }
    QVERIFY(maxAbsDiff(pp::computeLogits(*r, sub, encB), expect) < 1e-5f);
    QVERIFY(maxAbsDiff(pp::computeLogits(*r, sub, encB), pp::computeLogits(*m, sub, encA)) > 1e-4f);
  }

  void baselines() {
    pp::Dataset tr, va;
    for (int i = 0; i < 60; ++i) {
      pp::Example e;
      e.label = i % 3 == 0 ? 1 : 0;  // 2:1 majority of label 0
      e.text = e.label ? "Lovely, it's GREAT stuff" : "awful stuff";
      (i < 45 ? tr : va).examples.push_back(e);
    }
    QCOMPARE(pp::bagOfWords("It's GREAT, 'quoted' x2!"), (std::vector<std::string>{"it's", "great", "quoted", "x2"}));
    auto maj = pp::majorityBaseline(tr, va, 2);
    QCOMPARE(maj.accuracy, 10.0 / 15.0);
    auto lr = pp::logisticRegressionBaseline(tr, va, 2);
    QCOMPARE(lr.accuracy, 1.0);
    PP_EXPECT_ERROR(pp::majorityBaseline(tr, pp::Dataset{}, 2), "validation set is empty");
  }
};

QTEST_GUILESS_MAIN(TestTrain)
#include "test_train.moc"
