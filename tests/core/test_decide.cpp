// Deciding among a run's trials: constraints parsed (bad ones named in one
// line), feasibility and violation, constrained domination and sorting
// against their definitions, the N-objective Pareto set against brute force,
// the knee on hand-made fronts, the recommended picks (never infeasible), and
// constraints kept in the run header.
#include <QtTest>

#include <nlohmann/json.hpp>

#include "paretoprune/base/constrained_pareto.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/search/completion.h"
#include "paretoprune/search/constraint.h"
#include "paretoprune/search/recommend.h"
#include "paretoprune/search/run_header.h"
#include "paretoprune/search/run_log.h"
#include "testutil.h"

namespace {
// k objectives on a coarse grid (ties, duplicates) or continuous.
pp::Point randomPoint(pp::Rng& rng, int k, bool grid) {
  pp::Point p(static_cast<size_t>(k));
  for (auto& v : p) v = grid ? static_cast<double>(rng.uniformInt(0, 6)) : rng.uniform01();
  return p;
}

// Every point that nothing constrained-dominates, pair by pair.
std::vector<size_t> bruteFront(const std::vector<pp::Point>& pts, const std::vector<double>& v) {
  std::vector<size_t> out;
  for (size_t i = 0; i < pts.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < pts.size() && !dominated; ++j)
      dominated = pp::constrainedDominates(pts[j], v[j], pts[i], v[i]);
    if (!dominated) out.push_back(i);
  }
  return out;
}

pp::Trial trial(int64_t id, double acc, int64_t params, double latency) {
  pp::Trial t;
  t.id = id;
  t.accuracy = acc;
  t.errorRate = 1 - acc;
  t.f1 = acc;
  t.mcc = 2 * acc - 1;
  t.params = params;
  t.flops = params * 10;
  t.latencyMs = latency;
  t.latencyP95Ms = latency * 1.2;
  return t;
}
}  // namespace

class TestDecide : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void parsesConstraints() {
    auto c = pp::parseConstraint("latency_ms<=5");
    QCOMPARE(c.metric, std::string("latency_ms"));
    QVERIFY(c.atMost);
    QCOMPARE(c.bound, 5.0);
    c = pp::parseConstraint(" accuracy >= 0.8 ");
    QCOMPARE(c.metric, std::string("accuracy"));
    QVERIFY(!c.atMost);
    QCOMPARE(c.text(), std::string("accuracy>=0.8"));
    for (const char* s : {"params_share<=0.5", "size_mb<=50", "accuracy_drop<=1", "flops<=1e8",
                          "flops_share<=0.3", "error<=0.2", "f1>=0.7", "mcc>=0.4",
                          "latency_p95_ms<=9", "params<=2000000", "mcc_drop<=2", "f1_drop<=1"})
      QCOMPARE(pp::parseConstraint(s).text(),
               pp::parseConstraint(pp::parseConstraint(s).text()).text());
  }

  void badConstraintsNamed_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("no comparison") << "latency_ms5"
                                   << "no comparison";
    QTest::newRow("strict") << "latency_ms<5"
                            << "unknown comparison \"<\" (use <= or >=)";
    QTest::newRow("equals") << "latency_ms==5"
                            << "unknown comparison \"==\"";
    QTest::newRow("metric") << "speed<=5"
                            << "unknown metric \"speed\"";
    QTest::newRow("no metric") << "<=5"
                               << "no metric";
    QTest::newRow("no value") << "size_mb<="
                              << "no value";
    QTest::newRow("unit") << "latency_ms<=5ms"
                          << "\"5ms\" is not a number (give it without a unit)";
    QTest::newRow("word") << "size_mb<=big"
                          << "\"big\" is not a number";
    QTest::newRow("range") << "params_share<=50"
                           << "params_share must lie between 0 and 1, got 50";
    QTest::newRow("negative") << "size_mb<=-1"
                              << "size_mb must lie between 0";
    QTest::newRow("nan") << "error<=nan"
                         << "is not a number";
  }
  void badConstraintsNamed() {
    QFETCH(QString, text);
    QFETCH(QString, fragment);
    const std::string msg = testutil::errorOf([&] { pp::parseConstraint(text.toStdString()); });
    QVERIFY2(msg.find(fragment.toStdString()) != std::string::npos, msg.c_str());
    QVERIFY2(msg.find("constraint \"" + text.toStdString() + "\"") == 0, msg.c_str());
    QVERIFY(msg.find('\n') == std::string::npos);  // one line
  }

  // Feasibility and the normalised violation: how far each limit is missed,
  // in units of the limit.
  void violationIsTheNormalisedMiss() {
    const pp::Trial ref = trial(-1, 0.80, 4000000, 4.0);
    const auto cs =
        pp::parseConstraints({"latency_ms<=2", "params_share<=0.5", "accuracy_drop<=1"});
    const pp::Trial ok = trial(1, 0.795, 2000000, 1.5);
    QVERIFY(pp::feasible(cs, ok, &ref));
    QCOMPARE(pp::violation(cs, ok, &ref), 0.0);
    const pp::Trial slow = trial(2, 0.80, 2000000, 3.0);  // 1 ms over a 2 ms limit: 0.5
    QCOMPARE(pp::violation(cs, slow, &ref), 0.5);
    const pp::Trial bad = trial(3, 0.77, 3000000, 3.0);  // + 0.25/0.5 + 2/1
    QVERIFY(std::abs(pp::violation(cs, bad, &ref) - (0.5 + 0.5 + 2.0)) < 1e-9);
    QCOMPARE(pp::constraintValue(pp::parseConstraint("size_mb<=1"), ok, &ref), 8.0);
    // A lower bound, and a bound of 0 scaled by the metric's unit (1 point).
    QCOMPARE(pp::violation(pp::parseConstraints({"accuracy>=0.9"}), ok, &ref), 0.105 / 0.9);
    QVERIFY(std::abs(pp::violation(pp::parseConstraints({"accuracy_drop<=0"}), bad, &ref) - 3.0) <
            1e-9);
    // Shares and drops need the full model.
    PP_EXPECT_ERROR(pp::checkConstraintsUsable(cs, nullptr),
                    "\"params_share<=0.5\" is measured against the full model");
    pp::checkConstraintsUsable(pp::parseConstraints({"latency_ms<=2", "size_mb<=3"}), nullptr);
  }

  void constrainedDominationRules() {
    QVERIFY(pp::constrainedDominates({9, 9}, 0, {1, 1}, 0.1));  // feasible beats infeasible
    QVERIFY(!pp::constrainedDominates({1, 1}, 0.1, {9, 9}, 0));
    QVERIFY(pp::constrainedDominates({9, 9}, 0.1, {1, 1}, 0.2));  // smaller miss wins
    QVERIFY(!pp::constrainedDominates({1, 1}, 0.2, {1, 1}, 0.2));
    QVERIFY(pp::constrainedDominates({1, 1}, 0, {2, 2}, 0));  // both feasible: Pareto
    QVERIFY(!pp::constrainedDominates({1, 3}, 0, {2, 2}, 0));
  }

  // The N-objective Pareto set (2 to 5 objectives) and the constrained one
  // against the pairwise definition on random points, ties included.
  void frontsAgainstBruteForce() {
    pp::Rng rng(17);
    for (int round = 0; round < 300; ++round) {
      const int k = 2 + round % 4;
      const size_t n = static_cast<size_t>(rng.uniformInt(1, 60));
      const bool grid = round % 2 == 0;
      std::vector<pp::Point> pts;
      std::vector<double> none(n, 0.0), v;
      for (size_t i = 0; i < n; ++i) {
        pts.push_back(randomPoint(rng, k, grid));
        v.push_back(rng.bernoulli(0.6) ? 0.0 : static_cast<double>(rng.uniformInt(1, 4)) / 4);
      }
      QCOMPARE(pp::paretoFront(pts), bruteFront(pts, none));
      QCOMPARE(pp::constrainedFront(pts, {}), bruteFront(pts, none));
      QCOMPARE(pp::constrainedFront(pts, v), bruteFront(pts, v));
      std::vector<size_t> feasibleOnly;
      for (size_t i : bruteFront(pts, v))
        if (v[i] <= 0) feasibleOnly.push_back(i);
      QCOMPARE(pp::feasibleFront(pts, v), feasibleOnly);
      checkSort(pts, v);
    }
  }

  void kneeOnHandMadeFronts() {
    // An L: the corner is the knee.
    QCOMPARE(pp::kneeIndex({{0, 10}, {1, 2}, {2, 1.5}, {10, 0}}), 1);
    // Order does not matter; scales do not either (normalised).
    QCOMPARE(pp::kneeIndex({{1e6, 0}, {1.1e5, 0.02}, {0, 1}}), 1);
    // The knee is the point farthest below the line through the ends.
    QCOMPARE(pp::kneeIndex({{0, 1}, {0.2, 0.7}, {0.4, 0.3}, {0.7, 0.2}, {1, 0}}), 2);
    // All on the line, or two points: the first.
    QCOMPARE(pp::kneeIndex({{0, 1}, {0.5, 0.5}, {1, 0}}), 0);
    QCOMPARE(pp::kneeIndex({{3, 4}, {4, 3}}), 0);
    QCOMPARE(pp::kneeIndex({{3, 4}}), 0);
    QCOMPARE(pp::kneeIndex({}), -1);
  }

  // Picks: the knee of the feasible front, the smallest and the fastest
  // feasible trial within the accuracy budget; never an infeasible trial.
  void recommendedPicks() {
    const pp::Trial ref = trial(-1, 0.80, 4000000, 4.0);
    std::vector<pp::Trial> ts = {
        trial(0, 0.80, 3500000, 3.0),   // big, accurate
        trial(1, 0.797, 1900000, 1.0),  // the knee
        trial(2, 0.70, 1000000, 0.4),   // small, inaccurate
        trial(3, 0.79, 1800000, 2.5),   // smallest within 1 point; slow
        trial(4, 0.81, 1700000, 6.0),   // best of all, but breaks the latency limit
    };
    ts.push_back(trial(5, 0.60, 900000, 0.2));
    ts.back().fidelity = 0.3;  // cut short: never picked
    auto picks = pp::recommendPicks(ts, {"error", "params"}, {}, &ref);
    QCOMPARE(picks.size(), size_t{3});
    QCOMPARE(picks[1].kind, pp::Pick::Kind::Smallest);
    QCOMPARE(ts[picks[1].index].id, int64_t{4});
    QCOMPARE(ts[picks[2].index].id, int64_t{1});  // fastest within 1 point
    const auto cs = pp::parseConstraints({"latency_ms<=5"});
    picks = pp::recommendPicks(ts, {"error", "params"}, cs, &ref);
    QCOMPARE(pp::pickKindName(picks[0].kind), "knee");
    QCOMPARE(ts[picks[0].index].id, int64_t{1});
    QCOMPARE(ts[picks[1].index].id, int64_t{3});
    for (const auto& p : picks) QVERIFY(pp::feasible(cs, ts[p.index], &ref));
    QVERIFY(picks[1].reason.find("within 1.0 accuracy point") != std::string::npos);
    // A tighter accuracy_drop constraint is the budget.
    picks = pp::recommendPicks(ts, {"error", "params"},
                               pp::parseConstraints({"accuracy_drop<=0.5"}), &ref);
    QCOMPARE(ts[picks[1].index].id, int64_t{4});
    // Nothing feasible: nothing recommended.
    QVERIFY(pp::recommendPicks(ts, {"error", "params"}, pp::parseConstraints({"size_mb<=1"}), &ref)
                .empty());
    // A full model at chance level (its head never trained) is warned of;
    // a trained one is not.
    QVERIFY(pp::chanceLevelNote(&ref, 0.22, "accuracy").empty());           // ref errs 0.20
    const std::string note = pp::chanceLevelNote(&ref, 0.203, "accuracy");  // within half a point
    QVERIFY2(note.find("chance level (accuracy 80.0%") != std::string::npos &&
                 note.find("79.7%") != std::string::npos &&
                 note.find("fine-tune") != std::string::npos,
             note.c_str());
    QVERIFY(pp::chanceLevelNote(&ref, -1, "accuracy").empty());  // chance not known: no note
    // Random trials and constraints: every pick is feasible.
    pp::Rng rng(3);
    for (int round = 0; round < 200; ++round) {
      std::vector<pp::Trial> many;
      for (int i = 0; i < 30; ++i)
        many.push_back(trial(i, 0.6 + 0.2 * rng.uniform01(), rng.uniformInt(1000000, 4000000),
                             5 * rng.uniform01()));
      const auto rc = pp::parseConstraints({"latency_ms<=" + std::to_string(1 + round % 4),
                                            "params_share<=0." + std::to_string(5 + round % 4)});
      for (const auto& p : pp::recommendPicks(many, {"error", "latency"}, rc, &ref))
        QVERIFY(pp::feasible(rc, many[p.index], &ref));
    }
  }

  // A tagger's run counts points of entity F1 (1 - error), not of token
  // accuracy: --target-drop, export --within, the picks' budget and f1_drop.
  void taggerCountsF1Points() {
    auto tagged = [](int64_t id, double f1, double tokenAcc, int64_t params) {
      pp::Trial t = trial(id, tokenAcc, params, 1.0);
      t.f1 = f1;
      t.errorRate = 1 - f1;
      return t;
    };
    const pp::Trial ref = tagged(-1, 0.80, 0.97, 4000000);
    // Trial 1 keeps token accuracy (-0.5 points) but loses 10 F1 points;
    // trial 2 keeps F1 (-0.5 points) and loses 2 token-accuracy points.
    const std::vector<pp::Trial> ts = {tagged(1, 0.70, 0.965, 1000000),
                                       tagged(2, 0.795, 0.95, 2000000)};
    QCOMPARE(pp::pointsBelow(ts[1], ref), 100 * (0.80 - 0.795));
    pp::CompletionCriteria c;
    c.targetAccuracyDrop = 1;
    c.targetParamsShare = 0.6;
    auto stop = pp::targetStop(c, ts, ref, "entity_f1");
    QVERIFY(stop);
    QCOMPARE(stop->trialId, int64_t{2});
    QVERIFY2(stop->reason.find("0.50 entity F1 points below") != std::string::npos,
             stop->reason.c_str());

    pp::RecommendOptions ro;
    ro.metric = "entity_f1";
    auto picks = pp::recommendPicks(ts, {"error", "params"}, {}, &ref, ro);
    QCOMPARE(picks.size(), size_t{3});
    QCOMPARE(ts[picks[1].index].id, int64_t{2});  // smallest within 1 F1 point
    QVERIFY2(picks[1].reason.find("within 1.0 entity F1 point ") != std::string::npos,
             picks[1].reason.c_str());
    // The budget tightens by f1_drop; accuracy_drop is token accuracy's own limit.
    picks = pp::recommendPicks(ts, {"error", "params"}, pp::parseConstraints({"f1_drop<=0.6"}),
                               &ref, ro);
    QVERIFY2(picks[1].reason.find("within 0.6 entity F1") != std::string::npos,
             picks[1].reason.c_str());
    QCOMPARE(pp::constraintValue(pp::parseConstraint("f1_drop<=1"), ts[0], &ref),
             100 * (0.80 - 0.70));
    QVERIFY(!pp::feasible(pp::parseConstraints({"accuracy_drop<=1"}), ts[1], &ref));

    pp::OpenedRunLog run;
    run.log.header.metric = "entity_f1";
    run.reference = ref;
    run.log.trials = ts;
    QCOMPARE(pp::selectTrial(run, -1, 1.0, "r.jsonl").id, int64_t{2});
    PP_EXPECT_ERROR(pp::selectTrial(run, -1, 0.1, "r.jsonl"),
                    "no trial of r.jsonl is within 0.10 entity F1 points of the full model");
    // A classifier's run still counts accuracy points: trial 1 is within one.
    run.log.header.metric = "accuracy";
    for (auto* t : {&run.log.trials[0], &run.log.trials[1], &*run.reference})
      t->errorRate = 1 - t->accuracy;
    QCOMPARE(pp::selectTrial(run, -1, 1.0, "r.jsonl").id, int64_t{1});
  }

  void headerKeepsConstraints() {
    pp::RunHeader h;
    h.constraints = {"latency_ms<=5", "accuracy_drop<=1"};
    const auto back = pp::RunHeader::fromJson(h.toJson(), "run.jsonl");
    QCOMPARE(back.constraints, h.constraints);
    QVERIFY(pp::RunHeader::fromJson(pp::RunHeader{}.toJson(), "x").constraints.empty());
    auto j = h.toJson();
    j["constraints"] = {"latency<=5"};
    PP_EXPECT_ERROR(
        pp::RunHeader::fromJson(j, "run.jsonl"),
        "run.jsonl: line 1: field \"constraints\": constraint \"latency<=5\": unknown metric");
    j["constraints"] = 5;
    PP_EXPECT_ERROR(pp::RunHeader::fromJson(j, "run.jsonl"), "constraints");
  }

 private:
  // Ranks by peeling: rank r is what nothing left constrained-dominates.
  void checkSort(const std::vector<pp::Point>& pts, const std::vector<double>& v) {
    std::vector<size_t> left(pts.size());
    for (size_t i = 0; i < left.size(); ++i) left[i] = i;
    std::vector<std::vector<size_t>> expect;
    while (!left.empty()) {
      std::vector<size_t> rank, rest;
      for (size_t i : left) {
        bool dominated = false;
        for (size_t j : left)
          dominated = dominated || pp::constrainedDominates(pts[j], v[j], pts[i], v[i]);
        (dominated ? rest : rank).push_back(i);
      }
      expect.push_back(rank);
      left = rest;
    }
    auto got = pp::constrainedNonDominatedSort(pts, v);
    for (auto& r : got) std::sort(r.begin(), r.end());
    QCOMPARE(got, expect);
  }
};

QTEST_APPLESS_MAIN(TestDecide)
#include "test_decide.moc"
