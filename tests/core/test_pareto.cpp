// Pareto front, non-dominated sorting, crowding and hypervolume on
// hand-checked cases, ties and duplicates included; the fast front and the
// streamed archive (ParetoArchive) against the definition on random streams.
#include <QtTest>

#include "paretoprune/base/pareto.h"
#include "paretoprune/base/rng.h"

namespace {
// The definition: every pair compared.
std::vector<size_t> frontByPairs(const std::vector<pp::Point>& pts) {
  std::vector<size_t> out;
  for (size_t i = 0; i < pts.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < pts.size() && !dominated; ++j) dominated = pp::dominates(pts[j], pts[i]);
    if (!dominated) out.push_back(i);
  }
  return out;
}

// k objectives on a coarse grid (ties and duplicates) or continuous.
pp::Point randomPoint(pp::Rng& rng, int k, bool grid) {
  pp::Point p(static_cast<size_t>(k));
  for (auto& v : p) v = grid ? static_cast<double>(rng.uniformInt(0, 12)) / 12 : rng.uniform01();
  return p;
}
}  // namespace

class TestPareto : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void dominance() {
    QVERIFY(pp::dominates({1, 1}, {2, 2}));
    QVERIFY(pp::dominates({1, 2}, {1, 3}));
    QVERIFY(!pp::dominates({1, 2}, {1, 2}));  // equal: no
    QVERIFY(!pp::dominates({1, 3}, {2, 1}));
  }

  void frontWithTiesAndDuplicates() {
    std::vector<pp::Point> pts = {{1, 5}, {2, 3}, {2, 3}, {3, 3}, {4, 1}, {5, 5}, {1, 6}};
    auto f = pp::paretoFront(pts);
    QCOMPARE(f,
             (std::vector<size_t>{0, 1, 2, 4}));  // both copies of (2,3); (3,3) and (1,6) dominated
  }

  void sorting() {
    std::vector<pp::Point> pts = {{1, 5}, {2, 3}, {3, 4}, {4, 1}, {5, 5}};
    auto fronts = pp::nonDominatedSort(pts);
    QCOMPARE(fronts.size(), size_t(3));
    QCOMPARE(fronts[0], (std::vector<size_t>{0, 1, 3}));
    QCOMPARE(fronts[1], (std::vector<size_t>{2}));
    QCOMPARE(fronts[2], (std::vector<size_t>{4}));
    auto d = pp::crowdingDistance(pts, fronts[0]);
    QVERIFY(std::isinf(d[0]) && std::isinf(d[2]));
    QCOMPARE(d[1], (4.0 - 1.0) / 3.0 + (5.0 - 1.0) / 4.0);
  }

  void hypervolume2d() {
    // Staircase of (1,3),(2,2),(3,1) against (4,4): 3*1 + 2*1 + 1*1 ... = 6
    QCOMPARE(pp::hypervolume({{1, 3}, {2, 2}, {3, 1}}, {4, 4}), 6.0);
    // Dominated and duplicate points add nothing.
    QCOMPARE(pp::hypervolume({{1, 3}, {2, 2}, {3, 1}, {3, 3}, {2, 2}}, {4, 4}), 6.0);
    // Points outside the reference box add nothing.
    QCOMPARE(pp::hypervolume({{5, 1}, {1, 5}}, {4, 4}), 0.0);
    QCOMPARE(pp::hypervolume({}, {4, 4}), 0.0);
  }

  void hypervolume3d() {
    QCOMPARE(pp::hypervolume({{0, 0, 0}}, {1, 1, 1}), 1.0);
    // Two boxes 2x1x1 and 1x2x1 overlapping in 1x1x1: 2 + 2 - 1 = 3.
    QCOMPARE(pp::hypervolume({{0, 1, 0}, {1, 0, 0}}, {2, 2, 1}), 3.0);
    // Three boxes of 2 against (2,2,2), each pair and all three meeting in one unit: 6 - 3 + 1.
    QCOMPARE(pp::hypervolume({{0, 1, 1}, {1, 0, 1}, {1, 1, 0}}, {2, 2, 2}), 4.0);
  }

  void fastFrontIsTheDefinition_data() {
    QTest::addColumn<int>("k");
    QTest::addColumn<bool>("grid");
    QTest::addColumn<int>("n");
    QTest::newRow("2 objectives, ties") << 2 << true << 400;
    QTest::newRow("2 objectives") << 2 << false << 2000;
    QTest::newRow("3 objectives, ties") << 3 << true << 400;
    QTest::newRow("3 objectives") << 3 << false << 600;
  }
  void fastFrontIsTheDefinition() {
    QFETCH(int, k);
    QFETCH(bool, grid);
    QFETCH(int, n);
    pp::Rng rng(static_cast<uint64_t>(k * 1000 + n + grid));
    std::vector<pp::Point> pts;
    for (int i = 0; i < n; ++i) pts.push_back(randomPoint(rng, k, grid));
    QCOMPARE(pp::paretoFront(pts), frontByPairs(pts));
  }

  // Streamed: after every point, the archive's front and hypervolume equal
  // the full recomputation over every point so far.
  void archiveIsTheFullRecomputation_data() { fastFrontIsTheDefinition_data(); }
  void archiveIsTheFullRecomputation() {
    QFETCH(int, k);
    QFETCH(bool, grid);
    QFETCH(int, n);
    n = std::min(n, 500);
    pp::Rng rng(static_cast<uint64_t>(k * 77 + n + grid));
    const pp::Point ref(static_cast<size_t>(k), 1.1);
    std::vector<pp::Point> pts;
    pp::ParetoArchive archive;
    for (int i = 0; i < n; ++i) {
      pts.push_back(randomPoint(rng, k, grid));
      const auto before = archive.ids();
      const bool changed = archive.add(pts.back(), static_cast<size_t>(i));
      std::vector<size_t> ids = archive.ids();
      std::sort(ids.begin(), ids.end());
      QCOMPARE(ids, frontByPairs(pts));
      QCOMPARE(changed, archive.ids() != before);
      QVERIFY(std::abs(pp::hypervolume(archive.points(), ref) - pp::hypervolume(pts, ref)) < 1e-12);
    }
  }

  void archiveKeepsDuplicates() {
    pp::ParetoArchive a;
    QVERIFY(a.add({1, 2}, 0));
    QVERIFY(a.add({1, 2}, 1));   // a duplicate of a front point joins it
    QVERIFY(!a.add({2, 2}, 2));  // dominated
    QVERIFY(a.add({0, 2}, 3));   // dominates both copies
    QCOMPARE(a.ids(), (std::vector<size_t>{3}));
    a.clear();
    QCOMPARE(a.size(), size_t(0));
  }

  void normalised() {
    pp::Normalizer n{{0, 0}, {10, 1}};
    // (0,0) normalises to the origin: the whole 1.1 x 1.1 box.
    QVERIFY(std::abs(pp::normalizedHypervolume({{0, 0}}, n) - 1.21) < 1e-12);
    QVERIFY(std::abs(pp::normalizedHypervolume({{10, 1}}, n) - 0.01) < 1e-12);
  }
};

QTEST_APPLESS_MAIN(TestPareto)
#include "test_pareto.moc"
