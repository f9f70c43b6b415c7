// Constraints known before evaluation (params, params_share, flops,
// flops_share, size_mb) are met by every proposal of every strategy: no
// evaluation is spent on a sub-network known to miss them; a limit no
// member of the space can meet is refused in one line before any
// evaluation; a space with few members that meet them stops cleanly.
#include <QtTest>

#include <set>

#include "paretoprune/base/rng.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/random_model.h"
#include "paretoprune/search/search_runner.h"
#include "paretoprune/search/shape_constraints.h"
#include "testutil.h"

class TestSearchConstraints : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  std::shared_ptr<const pp::Model> model_;
  std::shared_ptr<const pp::EncodedData> data_;

  pp::SearchOptions options(const std::string& strategy, int64_t trials,
                            const std::vector<std::string>& cs) {
    pp::SearchOptions o;
    o.strategy = strategy;
    o.trials = trials;
    o.workers = 1;
    o.seed = 5;
    o.eval.measureLatency = false;
    o.strategyOptions.initialRandom = 5;
    o.constraints = pp::parseConstraints(cs);
    return o;
  }
  double share(const pp::Trial& t) const {
    return static_cast<double>(t.params) /
           static_cast<double>(pp::parameterCount(model_->config()));
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
    const char* words[] = {"good", "bad", "food", "the", "service", "great", "movie"};
    for (int i = 0; i < 16; ++i) {
      pp::Example e;
      for (int w = 0; w < 3 + i % 4; ++w) e.text += std::string(words[(i * 3 + w) % 7]) + " ";
      e.label = i % 2;
      d.examples.push_back(e);
    }
    data_ = std::make_shared<pp::EncodedData>(*model_, d, pp::EncodeOptions{32, 8, true});
  }

  void proposalsMeetShapeConstraints_data() {
    QTest::addColumn<QString>("strategy");
    for (const auto& s : pp::strategyNames()) QTest::newRow(s.c_str()) << QString::fromStdString(s);
  }
  void proposalsMeetShapeConstraints() {
    QFETCH(QString, strategy);
    const auto space = pp::SearchSpace::defaults(pp::SearchSpace::Kind::PerLayer, model_->config());
    // Unconstrained, the same search evaluates sub-networks above the limit.
    pp::SearchRunner free(model_, data_, space, options(strategy.toStdString(), 24, {}));
    free.run();
    int above = 0;
    for (const auto& t : free.trials()) above += share(t) > 0.4;
    QVERIFY2(above > 0, "the limit must bite for the test to mean anything");
    // Constrained (one limit counted from the shape, one that needs the
    // evaluation): every evaluated sub-network meets the counted one.
    pp::SearchRunner r(model_, data_, space,
                       options(strategy.toStdString(), 24, {"params_share<=0.4", "error<=0.3"}));
    r.run();
    QCOMPARE(r.trials().size(), size_t(24));
    std::set<std::string> keys;
    for (const auto& t : r.trials()) {
      QVERIFY2(share(t) <= 0.4,
               (t.subnet.key() + " has params_share " + std::to_string(share(t))).c_str());
      keys.insert(t.subnet.key());
    }
    QCOMPARE(keys.size(), r.trials().size());
  }

  void impossibleShapeConstraintIsOneLine_data() {
    QTest::addColumn<QString>("constraint");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("share") << "params_share<=0.0001"
                           << "the smallest has params_share";
    QTest::newRow("flops") << "flops<=1"
                           << "the smallest has flops";
    QTest::newRow("at least") << "params>=1e12"
                              << "the largest has params";
  }
  void impossibleShapeConstraintIsOneLine() {
    QFETCH(QString, constraint);
    QFETCH(QString, fragment);
    const auto space = pp::SearchSpace::defaults(pp::SearchSpace::Kind::PerLayer, model_->config());
    const std::string c = constraint.toStdString();
    const std::string msg = testutil::errorOf([&] {
      pp::SearchRunner r(model_, data_, space, options("local", 10, {c, "latency_ms<=5"}));
      r.run();
    });
    QVERIFY2(msg.find("constraint \"" + pp::parseConstraint(c).text() +
                      "\": no sub-network of the search space meets it") == 0,
             msg.c_str());
    QVERIFY2(msg.find(fragment.toStdString()) != std::string::npos, msg.c_str());
    QVERIFY2(msg.find('\n') == std::string::npos, msg.c_str());
  }

  // Two limits each reachable alone but not together: the search stops at
  // once with one line, nothing evaluated.
  void contradictoryLimitsStopAtOnce() {
    const auto space = pp::SearchSpace::defaults(pp::SearchSpace::Kind::Layers, model_->config());
    const double full = static_cast<double>(pp::parameterCount(model_->config()));
    const double small =
        static_cast<double>(pp::parameterCount(model_->config(), space.smallest()));
    const double mid = (small + full) / 2;
    const std::string below = "params<=" + std::to_string(static_cast<int64_t>(mid) - 1),
                      above = "params>=" + std::to_string(static_cast<int64_t>(mid) + 1);
    pp::SearchRunner r(model_, data_, space, options("local", 10, {below, above}));
    r.run();
    QCOMPARE(r.trials().size(), size_t(0));
    QCOMPARE(r.stopKind(), pp::StopKind::SpaceExhausted);
    QVERIFY2(r.stopReason().find("no sub-network of the space meets params<=") == 0,
             r.stopReason().c_str());
    QVERIFY(r.stopReason().find('\n') == std::string::npos);
  }

  // A limit only a few members of a small space meet: those are evaluated,
  // then the search stops and says why (no endless re-proposing).
  void fewFeasibleMembersStopCleanly() {
    const auto space = pp::SearchSpace::defaults(pp::SearchSpace::Kind::Layers, model_->config());
    std::set<double> shares;
    space.forEachMember([&](const pp::SubNetwork& m) {
      shares.insert(static_cast<double>(pp::parameterCount(model_->config(), m)));
      return true;
    });
    QVERIFY(shares.size() >= 4);
    const double full = static_cast<double>(pp::parameterCount(model_->config()));
    const double bound = (*std::next(shares.begin(), 1) + *std::next(shares.begin(), 2)) / 2 / full;
    const std::string c = "params_share<=" + std::to_string(bound);
    const pp::ShapeConstraints shape(pp::parseConstraints({c}), model_->config(), 32);
    std::set<std::string> meeting;
    space.forEachMember([&](const pp::SubNetwork& m) {
      if (shape.met(m)) meeting.insert(m.key());
      return true;
    });
    QVERIFY(!meeting.empty());
    for (const auto& strategy : {"random", "local", "nsga2"}) {
      pp::SearchRunner r(model_, data_, space, options(strategy, 20, {c}));
      r.run();
      QCOMPARE(r.trials().size(), meeting.size());
      for (const auto& t : r.trials()) QVERIFY(meeting.count(t.subnet.key()));
      QCOMPARE(r.stopKind(), pp::StopKind::SpaceExhausted);
      QVERIFY2(r.stopReason().find("meeting params_share<=") != std::string::npos,
               r.stopReason().c_str());
    }
  }
};

QTEST_GUILESS_MAIN(TestSearchConstraints)
#include "test_search_constraints.moc"
