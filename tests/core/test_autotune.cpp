// Auto settings and completion criteria: the rules' choices and reasons,
// explicit settings winning, the run header recording the choices, resume
// keeping them; convergence and target stops at the right trial, on
// synthetic histories and on a tiny model's search.
#include <QtTest>

#include "paretoprune/base/rng.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/formats/config.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/model_config.h"
#include "paretoprune/model/random_model.h"
#include "paretoprune/search/autotune.h"
#include "paretoprune/search/completion.h"
#include "paretoprune/search/run_log.h"
#include "paretoprune/search/search_request.h"
#include "paretoprune/search/search_runner.h"
#include "paretoprune/search/strategy.h"
#include "testutil.h"

namespace {
pp::Trial trial(int64_t id, double accuracy, int64_t params) {
  pp::Trial t;
  t.id = id;
  t.accuracy = accuracy;
  t.errorRate = 1 - accuracy;
  t.params = params;
  return t;
}

bool hasChoice(const std::vector<pp::AutoChoice>& cs, const std::string& setting) {
  for (const auto& c : cs)
    if (c.setting == setting) return true;
  return false;
}
}  // namespace

class TestAutotune : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  std::string model_, data_;

  pp::SearchRequest request(const std::string& log = "") const {
    pp::SearchRequest r;
    r.modelDir = model_;
    r.data.data = data_;
    r.data.valSplit = 0.3;
    r.data.maxLength = 16;
    r.options.workers = 1;
    r.options.eval.measureLatency = false;
    r.options.logPath = log;
    r.autoSettings = pp::AutoRequest::all();
    return r;
  }

 private Q_SLOTS:
  void initTestCase() {
    pp::setComputeThreads(1, 1);
    model_ = tmp_.path().toStdString() + "/tiny";
    auto o = pp::TinyModelOptions::shaped(4, 24, 4, 32);
    o.initStd = 0.3;
    pp::writeRandomModel(model_, o);
    std::string d = "sentence\tlabel\n";
    const char* words[] = {"good", "bad", "food", "service", "movie", "great", "not"};
    pp::Rng rng(3);
    for (int i = 0; i < 80; ++i) {
      for (int w = 0; w < 4 + i % 6; ++w) d += std::string(w ? " " : "") + words[rng.index(7)];
      d += i % 2 ? "\tpositive\n" : "\tnegative\n";
    }
    data_ = tmp_.path().toStdString() + "/d.tsv";
    testutil::writeText(data_, d);
  }

  void rulesChooseWithReasons() {
    pp::AutoInputs in;
    in.numObjectives = 2;
    in.fullEvalSeconds = 0.8;
    in.meanFlopShare = 0.5;
    in.workers = 2;
    in.budgetSeconds = 120;
    in.meanTokens = 100;
    pp::AutoSettings s;
    pp::chooseAutoSettings(in, pp::AutoRequest::all(), s);
    QCOMPARE(s.strategy, std::string("adaptive"));
    QCOMPARE(s.trials,
             int64_t(1080));  // twice 0.9 x 120 s / (0.8 s x 0.5 / 2 workers): the budget ends it
    QCOMPARE(s.batchSize, int64_t(32));  // the CPU: no padding, whatever the length
    in.gpu = true;
    pp::AutoSettings g;
    pp::chooseAutoSettings(in, pp::AutoRequest::all(), g);
    QCOMPARE(g.batchSize, int64_t(64));
    in.gpu = false;
    QVERIFY(!s.multiFidelity);
    QCOMPARE(s.completion.convergenceWindow, int64_t(0));  // the budget ends the run
    QCOMPARE(s.choices.size(), size_t(6));
    for (const auto& c : s.choices) {
      QVERIFY2(!c.reason.empty(), c.setting.c_str());
      // What the window shows: the user's words, no benchmark program names.
      QVERIFY2(!c.summary.empty() && c.shown() == c.summary, c.setting.c_str());
      QVERIFY2(c.summary.find("bench_") == std::string::npos, c.summary.c_str());
    }
    in.numObjectives = 3;
    in.fullEvalSeconds = 12;
    in.budgetSeconds = 0;
    in.meanTokens = 20;
    pp::AutoSettings t;
    pp::chooseAutoSettings(in, pp::AutoRequest::all(), t);
    QCOMPARE(t.strategy, std::string("nsga2"));
    QVERIFY(t.choices[0].reason.find("3 objectives") != std::string::npos);
    QCOMPARE(t.trials, int64_t(100));
    QCOMPARE(t.batchSize, int64_t(32));
    QVERIFY(t.multiFidelity);
    QCOMPARE(t.completion.convergenceWindow,
             int64_t(50));  // no budget: stop when 50 trials add nothing
  }

  // Explicit settings win: only what is left to auto is chosen.
  void overridesWin() {
    pp::SearchRequest r = request();
    r.options.strategy = "random";
    r.options.trials = 7;
    r.autoSettings.strategy = false;
    r.autoSettings.trials = false;
    const pp::PreparedSearch p = pp::prepareSearch(r);
    QCOMPARE(p.options.strategy, std::string("random"));
    QCOMPARE(p.options.trials, int64_t(7));
    QVERIFY(!hasChoice(p.autoChoices, "strategy"));
    QVERIFY(!hasChoice(p.autoChoices, "trials"));
    QVERIFY(hasChoice(p.autoChoices, "batch_size"));
    QVERIFY(hasChoice(p.autoChoices, "convergence"));
    QCOMPARE(p.header.autoChoices.size(), p.autoChoices.size());
  }

  // The log's header records the choices and reasons; a resumed run keeps
  // the first run's choices (not chosen again), and explicit options still win.
  void headerRecordsAndResumeKeeps() {
    const std::string log = tmp_.path().toStdString() + "/auto.jsonl";
    pp::SearchRequest r = request(log);
    r.options.budgetSeconds = 20;
    r.options.completion.convergenceWindow = 0;
    r.autoSettings.convergence = false;
    pp::PreparedSearch p = pp::prepareSearch(r);
    const int64_t chosen = p.options.trials;
    p.options.trials = 6;  // run a few only; the header keeps the choice made
    {
      pp::SearchRunner runner(p);
      runner.run();
    }
    auto lc = pp::readRunLog(log, &p.model->config());
    QVERIFY(lc.header.autoChoices.is_array());
    bool trialsRecorded = false;
    for (const auto& c : lc.header.autoChoices) {
      QVERIFY(!c["reason"].get<std::string>().empty());
      trialsRecorded = trialsRecorded || c["setting"] == "trials";
    }
    QVERIFY(trialsRecorded);
    QVERIFY(chosen >= 10);
    QCOMPARE(lc.stops.size(), size_t(1));
    QCOMPARE(lc.stops[0].kind, std::string("trials_done"));
    // Resume with everything on auto: the first run's values come back.
    pp::SearchRequest again = request(log);
    again.options.resume = true;
    again.options.budgetSeconds = 1000;  // would choose far more trials if it chose again
    const pp::PreparedSearch q = pp::prepareSearch(again);
    QCOMPARE(q.options.trials, int64_t(6));
    QCOMPARE(q.options.strategy, lc.header.strategy);
    QVERIFY(hasChoice(q.autoChoices, "trials"));
    for (const auto& c : q.autoChoices)
      if (c.setting == "trials")
        QVERIFY(c.reason.find("kept from the first run") != std::string::npos);
    // An explicit option overrides the kept choice.
    again.options.strategy = "morea";
    again.autoSettings.strategy = false;
    QCOMPARE(pp::prepareSearch(again).options.strategy, std::string("morea"));
  }

  // Resume checks the data too: other validation examples (another split,
  // subset or columns) or another maximum length are refused, naming it.
  void resumeChecksTheData() {
    const std::string log = tmp_.path().toStdString() + "/data-check.jsonl";
    pp::SearchRequest r = request(log);
    r.autoSettings = pp::AutoRequest{};
    r.options.trials = 3;
    {
      pp::SearchRunner first(pp::prepareSearch(r));
      first.run();
    }
    r.options.resume = true;
    r.options.trials = 5;
    pp::SearchRequest otherSplit = r;
    otherSplit.data.splitSeed = 7;
    pp::SearchRunner a(pp::prepareSearch(otherSplit));
    PP_EXPECT_ERROR(a.run(), "other validation examples");
    pp::SearchRequest longer = r;
    longer.data.maxLength = 32;
    pp::SearchRunner b(pp::prepareSearch(longer));
    PP_EXPECT_ERROR(b.run(), "maximum length of 16 tokens, now 32");
    pp::SearchRunner same(pp::prepareSearch(r));
    same.run();
    QCOMPARE(same.trials().size(), size_t(5));
  }

  // The adaptive strategy: random search when none of the first trials beat
  // chance by more than the noise, local search otherwise, including when
  // the first errors are all alike but well below chance (a trained
  // super-network's random sub-networks).
  void adaptiveStrategyDecidesOnce() {
    const auto c = pp::loadModelConfig(model_ + "/config.json");
    const auto space = pp::SearchSpace::defaults(pp::SearchSpace::Kind::PerLayer, c);
    auto history = [&](double centre, double spread) {
      pp::History h;
      pp::Rng rng(4);
      for (int i = 0; i < 20; ++i) {
        h.subnets.push_back(space.sample(rng));
        h.objectives.push_back(
            {centre + spread * ((i % 5) - 2) / 4.0, static_cast<double>(1000 + i)});
      }
      return h;
    };
    pp::StrategyOptions o;
    o.validationExamples = 100;  // 3 standard errors at 50%: 0.15
    o.chanceError = 0.5;
    auto proposals = [&](const std::string& strategy, const pp::History& h) {
      auto st = pp::makeStrategy(strategy, space, o);
      pp::Rng rng(9);
      std::vector<std::string> keys;
      for (int i = 0; i < 5; ++i) keys.push_back(st->propose(h, rng).key());
      return keys;
    };
    std::vector<std::string> samples;
    pp::Rng b(9);
    for (int i = 0; i < 5; ++i) samples.push_back(space.sample(b).key());
    // At chance, even spread wide (0.4 to 0.6): random samples, seed for seed.
    const auto atChance = history(0.5, 0.2);
    QVERIFY(proposals("adaptive", atChance) == samples);
    // One error 0.16 below chance (0.34): local search.
    const auto oneBetter = history(0.42, 0.16);
    QVERIFY(proposals("adaptive", oneBetter) == proposals("local", oneBetter));
    QVERIFY(proposals("adaptive", oneBetter) != samples);
    // All alike, far below chance (0.19 to 0.23): local search.
    const auto alike = history(0.21, 0.04);
    QVERIFY(proposals("adaptive", alike) == proposals("local", alike));
    // Chance unknown (another objective first): local search.
    o.chanceError = -1;
    QVERIFY(proposals("adaptive", atChance) == proposals("local", atChance));
  }

  // Convergence on a synthetic history: stops exactly when the last
  // `window` trials added less than the gain, not before.
  void convergenceAtTheRightTrial() {
    pp::CompletionCriteria c;
    c.convergenceWindow = 3;
    c.convergenceMinGain = 0.01;
    const std::vector<double> hv = {0.0, 0.5, 0.6, 0.7, 0.703, 0.705, 0.706, 0.9};
    int firstStop = -1;
    for (size_t n = 1; n <= hv.size() && firstStop < 0; ++n)
      if (pp::convergenceStop(c,
                              std::vector<double>(hv.begin(), hv.begin() + static_cast<long>(n))))
        firstStop = static_cast<int>(n);
    QCOMPARE(firstStop, 7);  // 0.706 vs 0.7 three trials before: +0.86% < 1%
    QVERIFY(!pp::convergenceStop(c, {0, 0, 0, 0}));  // no front yet: not converged
    c.convergenceWindow = 0;
    QVERIFY(!pp::convergenceStop(c, hv));
  }

  void targetAtTheRightTrial() {
    pp::CompletionCriteria c;
    c.targetAccuracyDrop = 1.0;
    c.targetParamsShare = 0.4;
    const pp::Trial full = trial(-1, 0.80, 1000);
    std::vector<pp::Trial> ts = {trial(0, 0.795, 500), trial(1, 0.70, 300), trial(2, 0.79, 400),
                                 trial(3, 0.80, 350)};
    int firstStop = -1;
    for (size_t n = 1; n <= ts.size() && firstStop < 0; ++n)
      if (auto s = pp::targetStop(
              c, std::vector<pp::Trial>(ts.begin(), ts.begin() + static_cast<long>(n)), full)) {
        firstStop = static_cast<int>(n);
        QCOMPARE(s->trialId, int64_t(2));  // 400 = 40%: 1 point below
      }
    QCOMPARE(firstStop, 3);
    ts[2].status = pp::Trial::Status::Stopped;  // an estimate does not count
    auto s = pp::targetStop(c, ts, full);
    QVERIFY(s);
    QCOMPARE(s->trialId, int64_t(3));
  }

  // On a real search: the runner stops at the first trial where the
  // criterion holds (checked against the pure function on its own history).
  void searchStopsWhenConverged() {
    pp::SearchRequest r = request();
    r.autoSettings = pp::AutoRequest{};
    r.options.strategy = "random";
    r.options.trials = 400;
    r.options.completion.convergenceWindow = 15;
    r.options.completion.convergenceMinGain = 0.01;
    pp::SearchRunner runner(pp::prepareSearch(r));
    runner.run();
    QVERIFY2(runner.stopKind() == pp::StopKind::Converged, runner.stopReason().c_str());
    const auto ts = runner.trials();
    QVERIFY(ts.size() < 400);
    const auto norm = runner.normalizer();
    std::vector<double> hv;
    int firstStop = -1;
    for (size_t n = 1; n <= ts.size(); ++n) {
      std::vector<pp::Trial> prefix(ts.begin(), ts.begin() + static_cast<long>(n));
      std::vector<pp::Point> pts;
      for (size_t i : pp::paretoTrials(prefix, {"error", "params"}))
        pts.push_back(pp::objectiveVector(prefix[i], {"error", "params"}));
      hv.push_back(pp::normalizedHypervolume(pts, norm));
      if (firstStop < 0 && pp::convergenceStop(r.options.completion, hv))
        firstStop = static_cast<int>(n);
    }
    QCOMPARE(firstStop, static_cast<int>(ts.size()));
  }

  void searchStopsWhenTargetMet() {
    pp::SearchRequest r = request();
    r.autoSettings = pp::AutoRequest{};
    r.options.strategy = "random";
    r.options.trials = 300;
    r.options.completion.targetAccuracyDrop =
        100;  // any accuracy: the first trial under 60% of the parameters
    r.options.completion.targetParamsShare = 0.6;
    pp::SearchRunner runner(pp::prepareSearch(r));
    runner.run();
    QVERIFY2(runner.stopKind() == pp::StopKind::TargetMet, runner.stopReason().c_str());
    const auto ts = runner.trials();
    const pp::Trial full = *runner.reference();
    QVERIFY(pp::targetStop(r.options.completion, ts, full));
    QVERIFY(!pp::targetStop(r.options.completion, std::vector<pp::Trial>(ts.begin(), ts.end() - 1),
                            full));
  }
};

QTEST_GUILESS_MAIN(TestAutotune)
#include "test_autotune.moc"
