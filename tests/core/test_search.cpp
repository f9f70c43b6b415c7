// The search engine on a tiny model: spaces, strategies (reproducible, never
// repeating), the threaded runner (exact trial count, cancel, failing trials,
// resume from a log whose last line is cut), and the run log.
#include <QtTest>

#include <sys/resource.h>
#include <csignal>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "paretoprune/base/rng.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/eval/screening.h"
#include "paretoprune/formats/config.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/random_model.h"
#include "paretoprune/search/run_log.h"
#include "paretoprune/search/search_runner.h"
#include "testutil.h"

using nlohmann::json;

class TestSearch : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  std::shared_ptr<const pp::Model> model_;
  std::shared_ptr<const pp::EncodedData> data_;

  pp::SearchOptions options(const std::string& strategy, int64_t trials, int workers) {
    pp::SearchOptions o;
    o.strategy = strategy;
    o.trials = trials;
    o.workers = workers;
    o.seed = 9;
    o.eval.measureLatency = false;
    o.strategyOptions.initialRandom = 5;
    return o;
  }
  std::vector<std::string> runKeys(const std::string& strategy, uint64_t seed) {
    auto o = options(strategy, 25, 1);
    o.seed = seed;
    pp::SearchRunner r(model_, data_,
                       pp::SearchSpace::defaults(pp::SearchSpace::Kind::PerLayer, model_->config()),
                       o);
    r.run();
    std::vector<std::string> keys;
    for (const auto& t : r.trials()) keys.push_back(t.subnet.key());
    return keys;
  }

 private Q_SLOTS:
  void initTestCase() {
    pp::setComputeThreads(1, 1);
    const std::string dir = tmp_.path().toStdString() + "/tiny";
    auto o = pp::TinyModelOptions::shaped(4, 24, 4, 32);
    o.initStd = 0.3;
    pp::writeRandomModel(dir, o);
    model_ = pp::Model::load(dir);
    pp::Dataset d;
    pp::Rng rng(1);
    const char* words[] = {"good",  "bad",   "food", "the", "service",
                           "great", "movie", "very", "not"};
    for (int i = 0; i < 24; ++i) {
      pp::Example e;
      for (int w = 0; w < 3 + i % 5; ++w) e.text += std::string(words[rng.uniformInt(0, 8)]) + " ";
      e.label = i % 2;
      d.examples.push_back(e);
    }
    data_ = std::make_shared<pp::EncodedData>(*model_, d, pp::EncodeOptions{32, 8, true});
  }

  void defaultSpaces() {
    auto s = pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, model_->config());
    QCOMPARE(s.headChoices, (std::vector<int64_t>{1, 2, 4}));  // {1,3,6,12} scaled to 4 heads
    QCOMPARE(s.maxLayers, int64_t(4));
    QCOMPARE(s.maxUnits, int64_t(32));
    pp::Rng rng(3);
    for (auto kind : {pp::SearchSpace::Kind::Seed, pp::SearchSpace::Kind::PerLayer,
                      pp::SearchSpace::Kind::Layers}) {
      auto sp = pp::SearchSpace::defaults(kind, model_->config());
      for (int i = 0; i < 200; ++i) {
        auto x = sp.sample(rng);
        QVERIFY(sp.contains(x));
        x.validate(model_->config());
        auto m = sp.mutate(x, rng);
        QVERIFY2(sp.contains(m), m.summary().c_str());
        QVERIFY(sp.contains(sp.crossover(x, m, rng)));
      }
      QVERIFY(sp.contains(sp.smallest()));
      QVERIFY(sp.contains(sp.largest()));
    }
  }

  void spacesOfAPrunedModel() {
    // An export can leave a layer with no heads (pruned_heads lists them all):
    // every space's proposals must still fit the model.
    pp::ModelConfig c = model_->config();
    c.pruned_heads[1] = {0, 1, 2, 3};
    c.pruned_heads[2] = {3};
    for (auto kind : {pp::SearchSpace::Kind::Seed, pp::SearchSpace::Kind::PerLayer,
                      pp::SearchSpace::Kind::Layers}) {
      const auto space = pp::SearchSpace::defaults(kind, c);
      pp::Rng rng(5);
      pp::SubNetwork prev = space.sample(rng);
      for (int i = 0; i < 300; ++i) {
        const pp::SubNetwork s = i % 3 == 0   ? space.sample(rng)
                                 : i % 3 == 1 ? space.mutate(prev, rng)
                                              : space.crossover(prev, space.sample(rng), rng);
        const std::string err = testutil::errorOf([&] { s.validate(c); });
        QVERIFY2(err.empty(), (s.summary() + ": " + err).c_str());
        QVERIFY2(space.contains(s), s.summary().c_str());
        QCOMPARE(s.layers[1].heads, int64_t(0));
        prev = s;
      }
    }
    // The uniform description keeps each layer within what it has.
    const auto u = pp::SubNetwork::uniform(c, 3, 4, 8);
    QCOMPARE(u.layers[1].heads, int64_t(0));
    QCOMPARE(u.layers[2].heads, int64_t(3));
  }

  void spaceFromJson() {
    const auto& c = model_->config();
    auto s = pp::SearchSpace::fromJson(
        json::parse(R"({"kind":"seed","layers":[1,3],"heads":[2,4],"units":[8,16]})"), c);
    QCOMPARE(s.minLayers, int64_t(1));
    QCOMPARE(pp::SearchSpace::fromJson(s.toJson(), c).toJson(), s.toJson());
    PP_EXPECT_ERROR(pp::SearchSpace::fromJson(json::parse(R"({"heads":[1,8]})"), c),
                    "head choice 8");
    PP_EXPECT_ERROR(pp::SearchSpace::fromJson(json::parse(R"({"layers":[0,9]})"), c),
                    "within 0..4");
    PP_EXPECT_ERROR(pp::SearchSpace::fromJson(json::parse(R"({"units":[0,99]})"), c),
                    "within 0..32");
    PP_EXPECT_ERROR(pp::SearchSpace::fromJson(json::parse(R"({"kind":"nope"})"), c),
                    "unknown kind");
    PP_EXPECT_ERROR(pp::SearchSpace::parse("missing.json", c), "neither seed");
  }

  void strategiesReproducible_data() {
    QTest::addColumn<QString>("strategy");
    for (const char* s : {"random", "local", "nsga2", "morea"}) QTest::newRow(s) << QString(s);
  }
  // The same seed and the same results give the same proposals. (Real
  // evaluations can differ in the last bits between runs, as BLAS kernels
  // depend on buffer alignment, so the history here is synthetic.)
  void strategiesReproducible() {
    QFETCH(QString, strategy);
    const auto& c = model_->config();
    auto space = pp::SearchSpace::defaults(pp::SearchSpace::Kind::PerLayer, c);
    auto sequence = [&](uint64_t seed) {
      pp::StrategyOptions so;
      so.initialRandom = 5;
      auto st = pp::makeStrategy(strategy.toStdString(), space, so);
      pp::Rng rng(seed);
      pp::History h;
      std::vector<std::string> keys;
      for (int i = 0; i < 40; ++i) {
        auto s = st->propose(h, rng);
        keys.push_back(s.key());
        const double params = static_cast<double>(pp::parameterCount(c, s));
        int64_t units = 0;
        for (const auto& l : s.layers) units += l.units * (l.heads + 1);
        h.subnets.push_back(s);
        h.objectives.push_back({1.0 / (1.0 + static_cast<double>(units)), params});
      }
      return keys;
    };
    auto a = sequence(4), b = sequence(4), c2 = sequence(5);
    for (size_t i = 0; i < a.size(); ++i)
      QVERIFY2(a[i] == b[i],
               ("proposal " + std::to_string(i) + ": " + a[i] + " vs " + b[i]).c_str());
    QVERIFY(a != c2);
  }

  void runnerNeverRepeats_data() { strategiesReproducible_data(); }
  void runnerNeverRepeats() {
    QFETCH(QString, strategy);
    auto a = runKeys(strategy.toStdString(), 4);
    QCOMPARE(a.size(), size_t(25));
    QCOMPARE(std::set<std::string>(a.begin(), a.end()).size(), a.size());
  }

  void severalWorkersExactCount() {
    const std::string log = tmp_.path().toStdString() + "/workers.jsonl";
    auto o = options("morea", 30, 3);
    o.logPath = log;
    o.eval.measureLatency = true;
    o.eval.latency.runs = 1;
    o.eval.latency.seqLen = 8;
    std::atomic<int> started{0}, finished{0};
    std::set<int> workersSeen;
    pp::SearchEvents ev;
    ev.trialStarted = [&](int64_t, const pp::SubNetwork&, int w) {
      ++started;
      workersSeen.insert(w);
    };
    ev.trialFinished = [&](const pp::Trial&) { ++finished; };
    pp::SearchRunner r(model_, data_,
                       pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, model_->config()), o,
                       ev);
    r.run();
    QCOMPARE(r.trials().size(), size_t(30));
    QCOMPARE(started.load(), 30);
    QCOMPARE(finished.load(), 30);
    QVERIFY(workersSeen.size() >= 2);
    std::set<int64_t> ids;
    for (const auto& t : r.trials()) {
      ids.insert(t.id);
      QVERIFY(t.ok());
      QVERIFY(t.latencyMs > 0);
    }
    QCOMPARE(ids.size(), size_t(30));
    auto lc = pp::readRunLog(log, &model_->config());
    QCOMPARE(lc.trials.size(), size_t(30));
    QCOMPARE(lc.header.strategy, std::string("morea"));
    // Auto mode: the rates it picks by were measured and logged, and every
    // trial says which way it ran, as those rates predict.
    QCOMPARE(r.execRates().size(), r.devices().size());
    QVERIFY(r.execRates()[0].measured());
    QVERIFY(lc.header.execRates["cpu"]["sliced_gflops"].get<double>() > 0);
    for (const auto& t : r.trials())
      QCOMPARE(t.mode, std::string(pp::execModeName(pp::fasterMode(
                           model_->config(), t.subnet, r.execRates()[0], o.eval.latency.seqLen))));
    QVERIFY(!r.frontIds().empty());
    QVERIFY(r.progress().hypervolume > 0);
  }

  void fullDiskKeepsTrialsInMemory() {
    // The disk fills up mid-run: a file size limit makes writes past 3 kB
    // fail (EFBIG, as ENOSPC would). The search goes on, warns once, and
    // keeps every trial in memory; the log holds a parseable prefix.
    const std::string log = tmp_.path().toStdString() + "/full.jsonl";
    auto o = options("random", 25, 2);
    o.logPath = log;
    std::vector<pp::SearchWarning> warnings;
    pp::SearchEvents ev;
    ev.warning = [&](const pp::SearchWarning& w) { warnings.push_back(w); };
    pp::SearchRunner r(model_, data_,
                       pp::SearchSpace::defaults(pp::SearchSpace::Kind::PerLayer, model_->config()),
                       o, ev);
    struct rlimit old;
    QCOMPARE(getrlimit(RLIMIT_FSIZE, &old), 0);
    auto prevSig = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = old;
    small.rlim_cur = 3000;
    QCOMPARE(setrlimit(RLIMIT_FSIZE, &small), 0);
    r.run();
    setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, prevSig);
    QCOMPARE(r.trials().size(), size_t(25));
    QCOMPARE(warnings.size(), size_t(1));
    QVERIFY(warnings[0].kind == pp::SearchWarning::Kind::LogWriteFailed);
    QVERIFY2(warnings[0].message.find("kept in memory") != std::string::npos,
             warnings[0].message.c_str());
    auto lc = pp::readRunLog(log, &model_->config());
    QVERIFY(lc.trials.size() < 25);
    for (size_t i = 0; i < lc.trials.size(); ++i) QCOMPARE(lc.trials[i].id, r.trials()[i].id);
  }

  void cancelsPromptly() {
    auto o = options("random", 100000, 2);
    pp::SearchRunner* runner = nullptr;
    std::atomic<int> finished{0};
    pp::SearchEvents ev;
    ev.trialFinished = [&](const pp::Trial&) {
      if (++finished == 5) runner->cancel();
    };
    pp::SearchRunner r(model_, data_,
                       pp::SearchSpace::defaults(pp::SearchSpace::Kind::PerLayer, model_->config()),
                       o, ev);
    runner = &r;
    r.run();
    QVERIFY(r.trials().size() >= 5);
    QVERIFY(r.trials().size() <= 7);  // at most the trials already in flight finish
    QVERIFY(r.stopKind() == pp::StopKind::Cancelled);
    QCOMPARE(r.stopReason(), std::string("cancelled"));
  }

  void pauseAndResume() {
    auto o = options("random", 12, 2);
    pp::SearchRunner r(model_, data_,
                       pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, model_->config()), o);
    r.pause();
    std::thread t([&] { r.run(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    QCOMPARE(r.trials().size(), size_t(0));  // paused before the first trial
    r.resume();
    t.join();
    QCOMPARE(r.trials().size(), size_t(12));
  }

  void failingTrialsAreRecorded() {
    // A space that asks for more heads than the model has: those trials throw.
    auto space = pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, model_->config());
    space.headChoices = {1, 9};
    space.minLayers = 1;
    auto o = options("random", 20, 2);
    pp::SearchRunner r(model_, data_, space, o);
    r.run();
    auto ts = r.trials();
    QCOMPARE(ts.size(), size_t(20));
    int failed = 0;
    for (const auto& t : ts)
      if (t.status == pp::Trial::Status::Failed) {
        ++failed;
        QVERIFY2(t.error.find("9 heads") != std::string::npos, t.error.c_str());
      }
    QVERIFY(failed > 0 && failed < 20);
    QCOMPARE(r.progress().failed, int64_t(failed));
  }

  void resumesFromCutLog() {
    const std::string log = tmp_.path().toStdString() + "/resume.jsonl";
    auto space = pp::SearchSpace::defaults(pp::SearchSpace::Kind::PerLayer, model_->config());
    auto o = options("nsga2", 10, 2);
    o.logPath = log;
    {
      pp::SearchRunner r(model_, data_, space, o);
      r.run();
    }
    // A kill in mid-write: no stop line at the end, the last trial line cut in half.
    std::string text = testutil::readText(log);
    QVERIFY(text.find("\"stopped\":\"trials_done\"") != std::string::npos);
    text.resize(text.rfind('\n', text.size() - 2) + 1);
    const size_t lastStart = text.rfind('\n', text.size() - 2) + 1;
    testutil::writeText(log, text.substr(0, lastStart + (text.size() - lastStart) / 2));
    std::set<std::string> before;
    for (const auto& t : pp::readRunLog(log, &model_->config()).trials)
      before.insert(t.subnet.key());
    QCOMPARE(before.size(), size_t(9));
    o.trials = 15;
    o.resume = true;
    std::vector<pp::SearchWarning> warnings;
    std::vector<std::string> started;
    pp::SearchEvents ev;
    ev.warning = [&](const pp::SearchWarning& w) { warnings.push_back(w); };
    ev.trialStarted = [&](int64_t, const pp::SubNetwork& s, int) { started.push_back(s.key()); };
    pp::SearchRunner r(model_, data_, space, o, ev);
    r.run();
    QCOMPARE(warnings.size(), size_t(1));
    QVERIFY(warnings[0].kind == pp::SearchWarning::Kind::LogLineSkipped);
    QVERIFY(warnings[0].message.find("cut short") != std::string::npos);
    QCOMPARE(started.size(), size_t(6));  // 15 - 9 intact trials
    for (const auto& k : started) QVERIFY(!before.count(k));
    auto lc = pp::readRunLog(log, &model_->config());
    QVERIFY(lc.warnings.empty());
    QCOMPARE(lc.trials.size(), size_t(15));
    std::set<int64_t> ids;
    for (const auto& t : lc.trials) ids.insert(t.id);
    QCOMPARE(ids.size(), size_t(15));
    // Resuming a finished run evaluates nothing.
    started.clear();
    pp::SearchRunner again(model_, data_, space, o, ev);
    again.run();
    QVERIFY(started.empty());
  }

  void paretoTrialsSkipsFailedAndCut() {
    auto mk = [](int64_t id, double err, int64_t params) {
      pp::Trial t;
      t.id = id;
      t.errorRate = err;
      t.params = params;
      return t;
    };
    std::vector<pp::Trial> ts = {mk(0, 0.3, 100), mk(1, 0.2, 200), mk(2, 0.25, 300), mk(3, 0.1, 50),
                                 mk(4, 0.1, 50)};
    ts[3].status = pp::Trial::Status::Failed;  // would dominate everything
    ts[4].fidelity = 0.3;                      // cut short: its error is an estimate
    QCOMPARE(pp::paretoTrials(ts, {"error", "params"}), (std::vector<size_t>{0, 1}));
    ts.push_back(mk(5, 0.2, 200));  // a duplicate of a front point is on the front too
    QCOMPARE(pp::paretoTrials(ts, {"error", "params"}), (std::vector<size_t>{0, 1, 5}));
  }

  void badLogs() {
    const std::string p = tmp_.path().toStdString() + "/bad.jsonl";
    testutil::writeText(p, "{\"trial\":1}\n");
    PP_EXPECT_ERROR(pp::readRunLog(p), "not a ParetoPrune run log");
    PP_EXPECT_ERROR(pp::readRunLogHeader(p), "not a ParetoPrune run log");
    testutil::writeText(
        p, "{\"paretoprune_log\":1,\"model\":\"m\"}\nnot json\n{\"trial\":2,\"subnet\":{}}\n");
    PP_EXPECT_ERROR(pp::readRunLog(p), "line 2 is not valid JSON");
    QCOMPARE(pp::readRunLogHeader(p).model, std::string("m"));  // the first line only
    testutil::writeText(p, "");
    PP_EXPECT_ERROR(pp::readRunLog(p), "empty");
    PP_EXPECT_ERROR(pp::readRunLogHeader(p), "empty");
    testutil::writeText(p, "{cut\n");
    PP_EXPECT_ERROR(pp::readRunLogHeader(p), "line 1 is not valid JSON");
    PP_EXPECT_ERROR(pp::readRunLogHeader(p + ".missing"), "cannot open");
    // Resuming another model's log fails before any evaluation.
    testutil::writeText(p, "{\"paretoprune_log\":1,\"model_checksum\":\"0123456789abcdef\"}\n");
    auto o = options("random", 5, 1);
    o.logPath = p;
    o.resume = true;
    int evaluated = 0;
    pp::SearchEvents ev;
    ev.referenceEvaluated = [&](const pp::Trial&) { ++evaluated; };
    pp::SearchRunner r(model_, data_,
                       pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, model_->config()), o,
                       ev);
    PP_EXPECT_ERROR(r.run(), "written for another model");
    QCOMPARE(evaluated, 0);
    QVERIFY(r.trials().empty());
    QCOMPARE(r.workers(), 1);
  }

  void multiFidelityStopsHopelessTrials() {
    auto o = options("random", 40, 1);
    o.multiFidelity = true;
    o.lowFidelity = 0.34;
    pp::SearchRunner r(model_, data_,
                       pp::SearchSpace::defaults(pp::SearchSpace::Kind::PerLayer, model_->config()),
                       o);
    r.run();
    auto ts = r.trials();
    QCOMPARE(ts.size(), size_t(40));
    int finishedInTwoParts = 0;
    for (const auto& t : ts) {
      if (t.status == pp::Trial::Status::Stopped) QVERIFY(t.fidelity < 1.0);
      if (!t.ok()) continue;
      QCOMPARE(t.fidelity, 1.0);
      // Finished on the rest of the set only: the same metrics as one full pass.
      pp::EvalOptions eo;
      eo.measureLatency = false;
      auto full = pp::evaluate(*model_, t.subnet, *data_, eo);
      QCOMPARE(t.accuracy, full.metrics.accuracy);
      QCOMPARE(t.mcc, full.metrics.mcc);
      ++finishedInTwoParts;
    }
    QVERIFY(finishedInTwoParts > 0);
  }

  // A resumed search keeps proposing new sub-networks until --trials. Before
  // the fix, a resumed session replayed the first session's random stream
  // from a guessed position: after a few proposals it re-synchronised with
  // it, proposed only what was evaluated, and after 400 misses declared the
  // space exhausted (the kill test's 429-514 of 1,500).
  void resumeNeverEndsEarly() {
    const std::string log = tmp_.path().toStdString() + "/long-resume.jsonl";
    const auto space = pp::SearchSpace::defaults(pp::SearchSpace::Kind::PerLayer, model_->config());
    auto o = options("random", 450, 1);
    o.logPath = log;
    o.evaluateReference = false;
    o.eval.mode = pp::ExecMode::Sliced;
    {
      pp::SearchRunner r(model_, data_, space, o);
      r.run();
      QCOMPARE(r.trials().size(), size_t(450));
    }
    o.trials = 900;
    o.resume = true;
    pp::SearchRunner r(model_, data_, space, o);
    r.run();
    QVERIFY2(r.stopKind() == pp::StopKind::TrialsDone, r.stopReason().c_str());
    const auto ts = r.trials();
    QCOMPARE(ts.size(), size_t(900));
    std::set<std::string> keys;
    for (const auto& t : ts) keys.insert(t.subnet.key());
    QCOMPARE(keys.size(), size_t(900));
  }

  // Every strategy and space kind, stopped and resumed twice: each session
  // reaches its total, or the space is proven exhausted (counted).
  void resumeEveryStrategyAndSpace_data() {
    QTest::addColumn<QString>("strategy");
    QTest::addColumn<int>("kind");
    for (const char* st : {"random", "local", "nsga2", "morea"})
      for (int k = 0; k < 3; ++k)
        QTest::newRow((std::string(st) + "/" + std::to_string(k)).c_str()) << QString(st) << k;
  }
  void resumeEveryStrategyAndSpace() {
    QFETCH(QString, strategy);
    QFETCH(int, kind);
    const auto space =
        pp::SearchSpace::defaults(static_cast<pp::SearchSpace::Kind>(kind), model_->config());
    std::set<std::string> distinct;
    if (space.size() < 100000)
      space.forEachMember([&](const pp::SubNetwork& s) {
        distinct.insert(s.key());
        return true;
      });
    const size_t spaceSize = space.size() < 100000 ? distinct.size() : size_t(1) << 40;
    const std::string log = tmp_.path().toStdString() + "/every-" + strategy.toStdString() +
                            std::to_string(kind) + ".jsonl";
    auto o = options(strategy.toStdString(), 0, 2);
    o.logPath = log;
    o.evaluateReference = false;
    o.eval.mode = pp::ExecMode::Sliced;
    for (int64_t total : {20, 40, 60}) {
      o.trials = total;
      o.resume = total > 20;
      pp::SearchRunner r(model_, data_, space, o);
      r.run();
      const size_t expected = std::min<size_t>(static_cast<size_t>(total), spaceSize);
      QCOMPARE(r.trials().size(), expected);
      if (expected < static_cast<size_t>(total))
        QVERIFY2(r.stopKind() == pp::StopKind::SpaceExhausted, r.stopReason().c_str());
      else
        QVERIFY2(r.stopKind() == pp::StopKind::TrialsDone, r.stopReason().c_str());
      std::set<std::string> keys;
      for (const auto& t : r.trials()) keys.insert(t.subnet.key());
      QCOMPARE(keys.size(), expected);
    }
  }

  void forEachMemberCountsTheSpace() {
    const auto& c = model_->config();
    auto seed = pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, c);
    std::set<std::string> keys;
    int64_t visits = 0;
    bool allContained = true;
    seed.forEachMember([&](const pp::SubNetwork& s) {
      allContained = allContained && seed.contains(s);
      keys.insert(s.key());
      ++visits;
      return true;
    });
    QVERIFY(allContained);
    QCOMPARE(visits, seed.size());
    // 0 layers is one sub-network whatever its heads and units; 1..4 layers x 3 heads x 33 units.
    QCOMPARE(keys.size(), size_t(1 + 4 * 3 * 33));
    int64_t layers = 0;
    pp::SearchSpace::defaults(pp::SearchSpace::Kind::Layers, c)
        .forEachMember([&](const pp::SubNetwork&) {
          ++layers;
          return true;
        });
    QCOMPARE(layers, int64_t(5));
    int64_t stopped = 0;
    seed.forEachMember([&](const pp::SubNetwork&) { return ++stopped < 7; });
    QCOMPARE(stopped, int64_t(7));
  }

  // Callbacks run with no lock held: one that asks the runner for its trials
  // and progress does not deadlock, and one that throws is a warning, not
  // the end of the process; the search completes.
  void callbacksMayCallTheRunnerAndThrow() {
    auto o = options("random", 12, 2);
    pp::SearchRunner* runner = nullptr;
    std::atomic<int> calls{0};
    pp::SearchEvents ev;
    ev.trialFinished = [&](const pp::Trial& t) {
      QVERIFY(!runner->trials().empty());
      (void)runner->progress();
      (void)runner->frontIds();
      ++calls;
      if (t.id % 3 == 0) throw std::runtime_error("handler bug");
    };
    std::atomic<bool> done{false};
    std::thread watchdog([&] {
      for (int i = 0; i < 600 && !done; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (!done) {
        std::fprintf(stderr, "FAIL: the search deadlocked in a callback\n");
        std::_Exit(1);
      }
    });
    pp::SearchRunner r(model_, data_,
                       pp::SearchSpace::defaults(pp::SearchSpace::Kind::PerLayer, model_->config()),
                       o, ev);
    runner = &r;
    r.run();
    done = true;
    watchdog.join();
    QCOMPARE(r.trials().size(), size_t(12));
    QCOMPARE(calls.load(), 12);
    int failedCallbacks = 0;
    for (const auto& w : r.warnings())
      failedCallbacks += w.kind == pp::SearchWarning::Kind::CallbackFailed;
    QVERIFY(failedCallbacks >= 1);
  }

  // Events arrive in order: progress never goes backwards.
  void progressEventsInOrder() {
    auto o = options("random", 40, 3);
    std::vector<int64_t> done;
    pp::SearchEvents ev;
    ev.progress = [&](const pp::SearchProgress& p) { done.push_back(p.done); };
    pp::SearchRunner r(model_, data_,
                       pp::SearchSpace::defaults(pp::SearchSpace::Kind::PerLayer, model_->config()),
                       o, ev);
    r.run();
    QCOMPARE(done.size(), size_t(40));
    for (size_t i = 0; i < done.size(); ++i) QCOMPARE(done[i], static_cast<int64_t>(i + 1));
  }

  // The screen is a seeded, length-stratified choice of batches, not the
  // shortest ones (batches are sorted by length).
  void screeningIsStratified() {
    const auto b = pp::stratifiedBatches(20, 0.3, 7);
    QCOMPARE(b.size(), size_t(6));
    for (size_t k = 0; k < b.size(); ++k) {
      QVERIFY(b[k] >= k * 20 / 6 && b[k] < (k + 1) * 20 / 6);  // one per stratum
    }
    QVERIFY(b.back() >= 16);  // the longest sequences are screened too
    QVERIFY(pp::stratifiedBatches(20, 0.3, 8) != b ||
            pp::stratifiedBatches(20, 0.3, 9) != b);  // seeded
    QCOMPARE(pp::stratifiedBatches(5, 0.01, 1).size(), size_t(1));
    QCOMPARE(pp::stratifiedBatches(5, 1.0, 1), (std::vector<size_t>{0, 1, 2, 3, 4}));
  }

  // The optimistic bound per objective: every metric moves towards better.
  void optimisticBounds() {
    pp::ClassificationMetrics m;
    m.error = 0.3;
    m.accuracy = 0.7;
    m.mcc = 0.4;
    m.f1 = 0.65;
    m.count = 100;
    const auto o = pp::optimisticMetrics(m);
    QVERIFY(o.error < m.error && o.error > 0.18);  // 2 x sqrt(.21/100) = 0.092
    QVERIFY(o.mcc > m.mcc && o.mcc < 0.6);         // 2 x sqrt(.84/98) = 0.185
    QVERIFY(o.f1 > m.f1 && o.f1 < 0.8);
    m.count = 10000;
    QVERIFY(pp::optimisticMetrics(m).mcc < o.mcc);  // tighter with more examples
    m.mcc = 1.0;
    QCOMPARE(pp::optimisticMetrics(m).mcc, 1.0);  // clamped
  }

  // With mcc as the objective, screening applies the MCC bound: a trial is
  // cut only if even its optimistic MCC is dominated.
  void multiFidelityWithMcc() {
    auto o = options("random", 30, 1);
    o.multiFidelity = true;
    o.lowFidelity = 0.34;
    o.objectives = {"mcc", "params"};
    pp::SearchRunner r(model_, data_,
                       pp::SearchSpace::defaults(pp::SearchSpace::Kind::PerLayer, model_->config()),
                       o);
    r.run();
    QCOMPARE(r.trials().size(), size_t(30));
    for (const auto& t : r.trials())
      if (t.status == pp::Trial::Status::Stopped) QVERIFY(t.fidelity < 1.0);
  }

  // bf16 with fp32 confirmation: the full model and every front member are
  // fp32 results (equal to a direct fp32 evaluation), a trial left in bf16
  // is dominated by the front even with the confirmation margin, the front
  // equals the fp32 front of the same trials, and the log keeps it all.
  void bf16ConfirmsTheFrontInFp32() {
    qputenv("PARETOPRUNE_GEMM", "onednn");  // the products really in bf16
    auto unset = qScopeGuard([] { qunsetenv("PARETOPRUNE_GEMM"); });
    pp::EvalOptions bf;
    bf.measureLatency = false;
    bf.precision = pp::Precision::BFloat16;
    try {
      pp::evaluate(*model_, pp::SubNetwork::full(model_->config()), *data_, bf);
    } catch (const pp::Error& e) {
      QSKIP(e.what());  // a CPU without bf16 refuses it (tested in test_gemm_backend)
    }
    auto o = options("random", 40, 1);
    o.eval.precision = pp::Precision::BFloat16;
    o.logPath = tmp_.path().toStdString() + "/bf16.jsonl";
    pp::SearchRunner r(model_, data_,
                       pp::SearchSpace::defaults(pp::SearchSpace::Kind::PerLayer, model_->config()),
                       o);
    r.run();
    pp::EvalOptions fp;
    fp.measureLatency = false;
    auto fp32Error = [&](const pp::SubNetwork& s) {
      return pp::evaluate(*model_, s, *data_, fp).metrics.error;
    };
    QVERIFY(r.reference());
    QCOMPARE(QString::fromStdString(r.reference()->precision), QString("fp32"));
    QCOMPARE(r.reference()->errorRate, fp32Error(r.reference()->subnet));
    const auto ts = r.trials();
    const auto front = r.frontIds();
    auto onFront = [&](int64_t id) {
      return std::find(front.begin(), front.end(), id) != front.end();
    };
    std::vector<pp::Trial> fp32Trials;
    int confirmed = 0, unconfirmed = 0;
    const double margin = std::max(0.005, 2.0 / static_cast<double>(data_->size()));
    for (const auto& t : ts) {
      QVERIFY(t.ok());
      pp::Trial f = t;
      f.errorRate = fp32Error(t.subnet);
      fp32Trials.push_back(f);
      if (t.precision == "fp32") {
        ++confirmed;
        QCOMPARE(QString::fromStdString(t.screenedPrecision), QString("bf16"));
        QCOMPARE(t.errorRate, f.errorRate);
        continue;
      }
      ++unconfirmed;
      QCOMPARE(QString::fromStdString(t.precision), QString("bf16"));
      QVERIFY(!onFront(t.id));
      const pp::Point p{std::max(0.0, t.errorRate - margin), static_cast<double>(t.params)};
      bool dominated = false;
      for (const auto& u : ts)
        if (onFront(u.id))
          dominated = dominated || pp::dominates(pp::objectiveVector(u, o.objectives), p);
      QVERIFY2(dominated,
               qPrintable(QString("trial %1 left in bf16 could reach the front").arg(t.id)));
    }
    QVERIFY(confirmed > 0);
    QVERIFY(unconfirmed > 0);
    std::vector<int64_t> fp32Front;
    for (size_t i : pp::paretoTrials(fp32Trials, o.objectives))
      fp32Front.push_back(fp32Trials[i].id);
    std::vector<int64_t> sortedFront = front;
    std::sort(sortedFront.begin(), sortedFront.end());
    std::sort(fp32Front.begin(), fp32Front.end());
    QCOMPARE(sortedFront, fp32Front);
    // The log: the header's precision, each trial's, and what bf16 said.
    const auto log = pp::readRunLog(o.logPath, &model_->config());
    QCOMPARE(QString::fromStdString(log.header.precision), QString("bf16"));
    QVERIFY(log.header.confirmFp32);
    QCOMPARE(log.trials.size(), ts.size());
    for (size_t i = 0; i < ts.size(); ++i) {
      QCOMPARE(log.trials[i].precision, ts[i].precision);
      QCOMPARE(log.trials[i].screenedError, ts[i].screenedError);
    }
    // Resuming it in fp32 would mix precisions: refused, naming them.
    auto again = o;
    again.eval.precision = pp::Precision::Float32;
    again.resume = true;
    again.trials = 45;
    pp::SearchRunner r2(
        model_, data_, pp::SearchSpace::defaults(pp::SearchSpace::Kind::PerLayer, model_->config()),
        again);
    PP_EXPECT_ERROR(r2.run(), "searched in bf16");
  }
};

QTEST_APPLESS_MAIN(TestSearch)
#include "test_search.moc"
