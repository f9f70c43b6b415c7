// Super-network training, importance ordering and the baselines, on tiny
// BERTs and a small synthetic sentiment set.
#include <QProcess>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <new>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "cpu/forward.h"
#include "model/autocast_scope.h"
#include "model/device_memory.h"
#include "model/slicing.h"
#include "paretoprune/base/error.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/eval/baselines.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/eval/importance.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/random_model.h"
#include "paretoprune/search/search_space.h"
#include "paretoprune/train/train.h"
#include "testutil.h"

namespace {
float maxAbsDiff(const std::vector<std::vector<float>>& a,
                 const std::vector<std::vector<float>>& b) {
  float worst = 0;
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t k = 0; k < a[i].size(); ++k) worst = std::max(worst, std::abs(a[i][k] - b[i][k]));
  return worst;
}

float maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<float>();
}
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
    const char* pos[] = {"good",       "great",      "very good", "the food was great",
                         "good place", "great movie"};
    const char* neg[] = {"bad",       "not good", "very bad", "the food was bad",
                         "bad place", "bad movie"};
    for (int i = 0; i < 96; ++i) {
      pp::Example e;
      e.text = std::string(i % 2 ? pos[(i / 2) % 6] : neg[(i / 2) % 6]) +
               (i % 3 ? " and it was" : " this");
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
    auto r = pp::trainModel(*m, train_, &val_,
                            pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, m->config()), o,
                            path("std"), [&](const pp::TrainProgress& p) {
                              stepLoss.push_back(p.fullLoss);
                              return true;
                            });
    QCOMPARE(r.epochs.size(), size_t(8));
    QVERIFY(!r.stopped);
    QVERIFY2(r.epochs.back().trainLoss < 0.5 * r.epochs.front().trainLoss,
             (std::to_string(r.epochs.front().trainLoss) + " -> " +
              std::to_string(r.epochs.back().trainLoss))
                 .c_str());
    QCOMPARE(static_cast<int64_t>(stepLoss.size()), int64_t(8 * 9));  // 72 examples / 8
    QVERIFY2(r.epochs.back().validationAccuracy > 0.8,
             std::to_string(r.epochs.back().validationAccuracy).c_str());
    QVERIFY(!std::filesystem::exists(path("std/checkpoint-epoch-1")));
  }

  void checkpointsRoundTrip() {
    auto m = pp::Model::load(init_);
    auto o = quick("sandwich");
    o.epochs = 2;
    auto r = pp::trainModel(*m, train_, &val_,
                            pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, m->config()), o,
                            path("ck"));
    QCOMPARE(r.epochs.size(), size_t(2));
    for (const auto& e : r.epochs) {
      auto ck = pp::Model::load(e.checkpoint);
      pp::EncodeOptions eo;
      eo.maxLength = 16;
      pp::EncodedData enc(*ck, val_, eo);
      auto res = pp::evaluate(*ck, pp::SubNetwork::full(ck->config()), enc, {});
      QVERIFY2(
          std::abs(res.metrics.accuracy - e.validationAccuracy) < 1e-9,
          (std::to_string(res.metrics.accuracy) + " vs " + std::to_string(e.validationAccuracy))
              .c_str());
    }
    // OUT holds the last epoch: the same weights as its checkpoint.
    auto last = pp::Model::load(path("ck"));
    auto ck2 = pp::Model::load(r.epochs.back().checkpoint);
    QCOMPARE(maxAbsDiff(last->impl().weights.layers[1].q_w, ck2->impl().weights.layers[1].q_w),
             0.0f);
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
    auto rowsA = a->impl().weights.layers[0].q_w.slice(0, 0, d),
         rowsB = b->impl().weights.layers[0].q_w.slice(0, 0, d);
    QVERIFY(maxAbsDiff(rowsA, rowsB) > 1e-6);
    QVERIFY(maxAbsDiff(a->impl().weights.head.cls_w, b->impl().weights.head.cls_w) > 1e-6);
  }

  void stoppedRunKeepsLastCheckpoint() {
    auto m = pp::Model::load(init_);
    auto o = quick("sandwich");
    o.epochs = 3;
    auto r = pp::trainModel(
        *m, train_, &val_, pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, m->config()), o,
        path("stop"), [](const pp::TrainProgress& p) { return p.epoch < 2 || p.step < 12; });
    QVERIFY(r.stopped);
    QCOMPARE(r.epochs.size(), size_t(1));
    QVERIFY(!std::filesystem::exists(path("stop/checkpoint-epoch-2")));
    auto out = pp::Model::load(path("stop"));
    auto ck = pp::Model::load(path("stop/checkpoint-epoch-1"));
    QCOMPARE(maxAbsDiff(out->impl().weights.emb.word, ck->impl().weights.emb.word), 0.0f);
    // Stopped before its first epoch ended: no empty folder left behind; a
    // folder that was there before stays.
    auto none = pp::trainModel(
        *m, train_, &val_, pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, m->config()), o,
        path("stop-early"), [](const pp::TrainProgress&) { return false; });
    QVERIFY(none.stopped && none.epochs.empty());
    std::string left;
    if (std::filesystem::exists(path("stop-early")))
      for (const auto& e : std::filesystem::recursive_directory_iterator(path("stop-early")))
        left += e.path().string() + " ";
    QVERIFY2(!std::filesystem::exists(path("stop-early")), left.c_str());
    std::filesystem::create_directories(path("was-there"));
    pp::trainModel(*m, train_, &val_,
                   pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, m->config()), o,
                   path("was-there"), [](const pp::TrainProgress&) { return false; });
    QVERIFY(std::filesystem::is_directory(path("was-there")));
  }

  void deviceChoice() {
    auto m = pp::Model::load(init_);
    auto space = pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, m->config());
    auto o = quick("standard");
    o.keepCheckpoints = false;
    o.device = "cpu";
    auto r = pp::trainModel(*m, train_, &val_, space, o, path("dev-cpu"));
    QCOMPARE(r.device, std::string("cpu"));
    QCOMPARE(r.epochs.back().peakDeviceBytes, int64_t(0));  // not measured on the CPU
    QVERIFY(r.epochs.back().examplesPerSecond > 0);
    const auto log = nlohmann::json::parse(testutil::readText(path("dev-cpu/training.json")));
    QCOMPARE(log["options"]["device"].get<std::string>(), std::string("cpu"));
    QCOMPARE(log["report"]["epochs"][0]["examples_per_second"].get<double>(),
             r.epochs.back().examplesPerSecond);
    // auto: the first CUDA device when there is one, else the CPU; the same
    // training either way (float32, same seed), within float noise.
    o.device = "auto";
    auto ra = pp::trainModel(*m, train_, &val_, space, o, path("dev-auto"));
    QCOMPARE(ra.device, pp::resolveDevices("auto").front());
    QVERIFY(std::abs(ra.epochs.back().trainLoss - r.epochs.back().trainLoss) < 1e-3);
    if (ra.device == "cpu") {
      QCOMPARE(maxAbsDiff(pp::Model::load(path("dev-auto"))->impl().weights.layers[0].q_w,
                          pp::Model::load(path("dev-cpu"))->impl().weights.layers[0].q_w),
               0.0f);
      o.device = "cuda";
      PP_EXPECT_ERROR(pp::trainModel(*m, train_, &val_, space, o, path("dev-bad")),
                      "train: --device: no CUDA device");
    } else {
      QVERIFY(ra.epochs.back().peakDeviceBytes > 0);
    }
    o.device = "tpu:0";
    PP_EXPECT_ERROR(pp::trainModel(*m, train_, &val_, space, o, path("dev-bad")),
                    "unknown or unavailable device");
    QVERIFY(!std::filesystem::exists(path("dev-bad")));
  }

  void autocastScope() {
    auto x = torch::randn({3, 4}), w = torch::randn({5, 4});
    {
      pp::AutocastScope off(c10::DeviceType::CPU, false);
      QCOMPARE(torch::linear(x, w).scalar_type(), torch::kFloat32);
    }
    {
      pp::AutocastScope on(c10::DeviceType::CPU, true);
      QCOMPARE(torch::linear(x, w).scalar_type(), torch::kBFloat16);
      {
        pp::AutocastScope nested(c10::DeviceType::CPU, true);
        QCOMPARE(torch::linear(x, w).scalar_type(), torch::kBFloat16);
      }
      QCOMPARE(torch::linear(x, w).scalar_type(), torch::kBFloat16);  // the outer scope still holds
    }
    QCOMPARE(torch::linear(x, w).scalar_type(), torch::kFloat32);  // restored
  }

  void bf16Training() {
    auto m = pp::Model::load(init_);
    auto space = pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, m->config());
    auto o = quick("sandwich");
    o.epochs = 6;
    o.learningRate = 5e-3;
    o.keepCheckpoints = false;
    o.device = "cpu";
    o.precision = pp::Precision::BFloat16;
    auto r = pp::trainModel(*m, train_, &val_, space, o, path("bf16"));
    QCOMPARE(r.precision, pp::Precision::BFloat16);
    QVERIFY2(r.epochs.back().trainLoss < 0.5 * r.epochs.front().trainLoss,
             (std::to_string(r.epochs.front().trainLoss) + " -> " +
              std::to_string(r.epochs.back().trainLoss))
                 .c_str());
    QVERIFY2(r.epochs.back().validationAccuracy > 0.8,
             std::to_string(r.epochs.back().validationAccuracy).c_str());
    // Float32 master weights: the checkpoint holds float32 values that are
    // not all bfloat16-representable (updates smaller than bf16's step
    // survive), and they differ from a float32 run's: autocast ran.
    auto b = pp::Model::load(path("bf16"));
    const auto q = b->impl().weights.layers[0].q_w;
    QCOMPARE(q.scalar_type(), torch::kFloat32);
    QVERIFY(maxAbsDiff(q, q.to(torch::kBFloat16).to(torch::kFloat32)) > 0);
    // One epoch from the same start and seed, bf16 against fp32: close, not equal.
    o.epochs = 1;
    pp::trainModel(*m, train_, nullptr, space, o, path("bf16-one"));
    o.precision = pp::Precision::Float32;
    pp::trainModel(*m, train_, nullptr, space, o, path("fp32-one"));
    const auto wb = pp::Model::load(path("bf16-one"))->impl().weights.layers[0].q_w;
    const auto wf = pp::Model::load(path("fp32-one"))->impl().weights.layers[0].q_w;
    QVERIFY(maxAbsDiff(wb, wf) > 0);
    QVERIFY(maxAbsDiff(wb, wf) < 0.1f * maxAbsDiff(wf, m->impl().weights.layers[0].q_w) + 1e-3f);
    o.precision = pp::Precision::Float16;
    PP_EXPECT_ERROR(pp::trainModel(*m, train_, nullptr, space, o, path("fp16")),
                    "use --precision bf16");
  }

  void failureMidEpochKeepsCheckpoint() {
    // A failure in epoch 2 (here: the progress callback throws, as a
    // caller's may) leaves OUT and checkpoint-epoch-1 as epoch 1 wrote them.
    auto m = pp::Model::load(init_);
    auto o = quick("sandwich");
    o.epochs = 3;
    const auto space = pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, m->config());
    std::vector<pp::EpochReport> done;
    auto fail = [](const pp::TrainProgress& p) {
      if (p.epoch == 2 && p.step == 12) throw std::runtime_error("disk gone");
      return true;
    };
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             pp::trainModel(*m, train_, &val_, space, o, path("fail"), fail,
                                            [&](const pp::EpochReport& e) { done.push_back(e); }));
    QCOMPARE(done.size(), size_t(1));
    QVERIFY(!std::filesystem::exists(path("fail/checkpoint-epoch-2")));
    auto out = pp::Model::load(path("fail"));
    auto ck = pp::Model::load(path("fail/checkpoint-epoch-1"));
    QCOMPARE(maxAbsDiff(out->impl().weights.layers[1].i_w, ck->impl().weights.layers[1].i_w), 0.0f);
    pp::EncodeOptions eo;
    eo.maxLength = 16;
    pp::EncodedData enc(*out, val_, eo);
    QCOMPARE(pp::evaluate(*out, pp::SubNetwork::full(out->config()), enc, {}).metrics.accuracy,
             done[0].validationAccuracy);
    const auto log = nlohmann::json::parse(testutil::readText(path("fail/training.json")));
    QCOMPARE(log["report"]["epochs"].size(), size_t(1));
  }

  void outOfMemoryIsRecognised() {
    // A real allocation failure of LibTorch's CPU allocator: 2^50 bytes is
    // more than any address space here.
    bool thrown = false;
    try {
      auto t = torch::empty({int64_t(1) << 48}, torch::kFloat32);
    } catch (const c10::Error& e) {
      thrown = true;
      QVERIFY2(pp::isOutOfMemory(e), e.what());
      const std::string summary = pp::errorSummary(e);
      QVERIFY2(
          summary.find('\n') == std::string::npos && summary.find("allocate") != std::string::npos,
          summary.c_str());
    }
    QVERIFY(thrown);
    // Other LibTorch errors are not out-of-memory.
    try {
      torch::matmul(torch::ones({2, 3}), torch::ones({2, 3}));
      QFAIL("mismatched shapes multiplied");
    } catch (const c10::Error& e) {
      QVERIFY(!pp::isOutOfMemory(e));
    }
    QVERIFY(pp::isOutOfMemory(std::bad_alloc()));
    QVERIFY(!pp::isOutOfMemory(
        pp::Error("model says: out of memory")));  // only LibTorch's allocator is read
  }

  void outOfMemoryEndsTheRunWithAHint() {
#if defined(__SANITIZE_ADDRESS__)
    QSKIP("AddressSanitizer reserves more address space than the limit below");
#endif
    // A real out-of-memory: the CLI runs with 3 GiB of address space (bash's
    // ulimit -v) and one step needs more (attention scores alone: 512 rows,
    // 4 heads, 512 x 512 positions, float32 = 2 GiB). Nothing of that is
    // touched: the allocation fails up front.
    const std::string model = path("long-model");
    auto t = pp::TinyModelOptions::shaped(1, 32, 4, 48);
    t.maxPositions = 512;
    pp::writeRandomModel(model, t);
    std::string tsv = "sentence\tlabel\n";
    for (int i = 0; i < 512; ++i) {
      for (int k = 0; k < 520; ++k) tsv += k % 3 ? "good " : "bad ";
      tsv += i % 2 ? "\t1\n" : "\t0\n";
    }
    testutil::writeText(path("long.tsv"), tsv);
    auto run = [&](const QString& args) {
      QProcess p;
      p.start("bash", {"-c", "ulimit -v 3145728 && exec \"$0\" " + args, PARETOPRUNE_CLI});
      p.waitForFinished(120000);
      return std::make_pair(p.exitCode(), p.readAllStandardError().toStdString());
    };
    if (run("--version").first != 0)
      QSKIP("this LibTorch does not start within 3 GiB of address space");
    const QString out = QString::fromStdString(path("oom-out"));
    auto [code, err] = run(
        QString::fromStdString("train " + model + " --data " + path("long.tsv")) + " --out " + out +
        " --strategy standard --epochs 1 --batch-size 512 --max-length 512" + " --device cpu");
    QCOMPARE(code, 1);
    QVERIFY2(err.find("train: cpu ran out of memory at --batch-size 512 --max-length 512; try "
                      "--batch-size 256 "
                      "(no epoch finished, nothing written)") != std::string::npos,
             err.c_str());
    QVERIFY2(err.find("can't allocate memory") != std::string::npos ||
                 err.find("not enough memory") != std::string::npos,
             err.c_str());
    QVERIFY(!std::filesystem::exists(path("oom-out/model.safetensors")));
  }

  void badOptions() {
    auto m = pp::Model::load(init_);
    auto space = pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, m->config());
    auto o = quick("sandwitch");
    PP_EXPECT_ERROR(pp::trainModel(*m, train_, nullptr, space, o, path("bad")),
                    "unknown strategy \"sandwitch\"");
    o = quick("standard");
    PP_EXPECT_ERROR(pp::trainModel(*m, pp::Dataset{}, nullptr, space, o, path("bad")),
                    "training set is empty");
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
        QVERIFY(imp.units[l][static_cast<size_t>(uo[l][i - 1])] >=
                imp.units[l][static_cast<size_t>(uo[l][i])]);
    }
    QVERIFY(nonIdentity);
    pp::writeReordered(*m, imp, path("reordered"), false);
    PP_EXPECT_ERROR(pp::writeReordered(*m, imp, path("reordered"), false), "already exists");
    auto r = pp::Model::load(path("reordered"));
    pp::EncodeOptions eo;
    eo.maxLength = 16;
    pp::EncodedData encA(*m, val_, eo), encB(*r, val_, eo);
    const auto full = pp::SubNetwork::full(m->config());
    QVERIFY(maxAbsDiff(pp::computeLogits(*m, full, encA), pp::computeLogits(*r, full, encB)) <
            1e-5f);
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
    QCOMPARE(pp::bagOfWords("It's GREAT, 'quoted' x2!"),
             (std::vector<std::string>{"it's", "great", "quoted", "x2"}));
    auto maj = pp::majorityBaseline(tr, va, 2);
    QCOMPARE(maj.accuracy, 10.0 / 15.0);
    auto lr = pp::logisticRegressionBaseline(tr, va, 2);
    QCOMPARE(lr.accuracy, 1.0);
    PP_EXPECT_ERROR(pp::majorityBaseline(tr, pp::Dataset{}, 2), "validation set is empty");
  }
};

QTEST_GUILESS_MAIN(TestTrain)
#include "test_train.moc"
