// Pareto front, non-dominated sorting, crowding and hypervolume on
// hand-checked cases, ties and duplicates included.
#include <QtTest>

#include "paretoprune/base/pareto.h"

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

  void normalised() {
    pp::Normalizer n{{0, 0}, {10, 1}};
    // (0,0) normalises to the origin: the whole 1.1 x 1.1 box.
    QVERIFY(std::abs(pp::normalizedHypervolume({{0, 0}}, n) - 1.21) < 1e-12);
    QVERIFY(std::abs(pp::normalizedHypervolume({{10, 1}}, n) - 0.01) < 1e-12);
  }
};

QTEST_APPLESS_MAIN(TestPareto)
#include "test_pareto.moc"
