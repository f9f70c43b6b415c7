// Deciding in the window's views: the parallel-coordinates view's brushes
// keep exactly the trials whose values lie in every brushed range (checked
// against a direct filter of the trials), reach the table and the chart,
// and follow the selection; the chart's front is core's Pareto set in the
// pair of axes chosen (feasible trials only under constraints); each
// constraint on a chart axis is a budget line at its bound with the
// infeasible side shaded (read back from the drawn pixels), the others
// named; the table's "Feasible only" keeps the trials that meet them all.
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QtTest>

#include <algorithm>
#include <cmath>

#include "paretoprune/base/rng.h"
#include "paretoprune/search/constraint.h"
#include "paretoprune/search/trial.h"
#include "ui/chart_frame.h"
#include "ui/chart_panel.h"
#include "ui/decide_links.h"
#include "ui/mainwindow.h"
#include "ui/parallel_coords.h"
#include "ui/pareto_chart.h"
#include "ui/search_controller.h"
#include "ui/trial_table_model.h"
#include "ui/trial_tooltip.h"
#include "ui/trials_panel.h"

using Axis = ppui::ParallelCoords::Axis;

namespace {

pp::Trial fullModel() {
  pp::Trial t;
  t.id = -1;
  t.errorRate = 0.18;
  t.accuracy = 0.82;
  t.params = 4000000;
  t.flops = 300000000;
  t.latencyMs = 5;
  return t;
}

// Trials spread over the objectives, with ties; every 50th failed, every 70th cut short.
std::vector<pp::Trial> makeTrials(int n, uint64_t seed, bool latency = true) {
  pp::Rng rng(seed);
  std::vector<pp::Trial> out;
  for (int i = 0; i < n; ++i) {
    pp::Trial t;
    t.id = i;
    t.params = 1400000 + rng.uniformInt(0, 260) * 10000;
    const double share = static_cast<double>(t.params) / 4000000.0;
    t.flops = static_cast<int64_t>(3e8 * share * (0.3 + 0.7 * rng.uniform01()));
    t.errorRate = std::round((0.18 + 0.25 * (1 - share) * rng.uniform01()) * 600) / 600;
    t.accuracy = 1 - t.errorRate;
    t.latencyMs = latency ? 0.5 + 5 * static_cast<double>(t.flops) / 3e8 : 0;
    if (i % 50 == 49) t.status = pp::Trial::Status::Failed;
    if (i % 70 == 69) t.fidelity = 0.5;
    out.push_back(t);
  }
  return out;
}

bool drawn(const pp::Trial& t) {
  return t.ok() && t.fidelity >= 1.0;
}

// Drags along an axis of the view from one value to another (a brush).
void drag(ppui::ParallelCoords& pc, Axis a, double from, double to) {
  const QPointF p0 = pc.pointOf(a, from), p1 = pc.pointOf(a, to);
  QTest::mousePress(&pc, Qt::LeftButton, {}, p0.toPoint());
  QTest::mouseMove(&pc, ((p0 + p1) / 2).toPoint());
  QTest::mouseMove(&pc, p1.toPoint());
  QTest::mouseRelease(&pc, Qt::LeftButton, {}, p1.toPoint());
}

std::vector<int64_t> inRanges(const ppui::ParallelCoords& pc, const std::vector<pp::Trial>& ts) {
  std::vector<int64_t> out;
  for (const auto& t : ts) {
    if (!drawn(t)) continue;
    bool in = true;
    for (Axis a : pc.axes())
      if (auto b = pc.brush(a)) {
        const double v = pc.axisValue(a, t);
        in = in && v >= b->first && v <= b->second;
      }
    if (in) out.push_back(t.id);
  }
  return out;
}

// The chart's front as chart values, left to right: core's Pareto set of
// `ts` in `objectives` among the trials the chart draws.
QList<QPointF> coreFront(const ppui::ParetoChart& chart, const std::vector<size_t>& idx,
                         const std::vector<pp::Trial>& ts) {
  std::vector<QPointF> pts;
  for (size_t i : idx) pts.push_back(chart.valueOf(ts[i]));
  std::sort(pts.begin(), pts.end(), [](auto& a, auto& b) { return a.x() < b.x(); });
  return QList<QPointF>(pts.begin(), pts.end());
}

}  // namespace

class TestDecideViews : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    QCoreApplication::setOrganizationName("ParetoPruneTest-decideviews");
    QSettings().clear();
  }

  void brushKeepsExactlyTheRange() {
    ppui::ParallelCoords pc;
    pc.resize(1000, 420);
    pc.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pc));
    const auto ts = makeTrials(3000, 11, false);
    pc.addTrials(ts);
    const int drawnCount =
        static_cast<int>(std::count_if(ts.begin(), ts.end(), [](auto& t) { return drawn(t); }));
    QCOMPARE(pc.trialCount(), drawnCount);
    // No latency measured: no latency axis, until a trial has one.
    QCOMPARE(pc.axes(), (std::vector<Axis>{Axis::Metric, Axis::Params, Axis::Flops, Axis::Size}));
    QSignalSpy spy(&pc, &ppui::ParallelCoords::brushChanged);
    drag(pc, Axis::Params, 1.9e6, 2.6e6);
    QCOMPARE(spy.size(), 1);
    const auto b = pc.brush(Axis::Params);
    QVERIFY(b);
    // The range is where the drag went (a pixel's worth of values either way).
    QVERIFY2(std::abs(b->first - 1.9e6) < 2e4 && std::abs(b->second - 2.6e6) < 2e4,
             qPrintable(QString("%1 %2").arg(b->first).arg(b->second)));
    QVERIFY(pc.brushed().size() > 100 && pc.brushed().size() < ts.size() / 2 + 400);
    QCOMPARE(pc.brushed(), inRanges(pc, ts));
    QCOMPARE(spy.last()[0].value<std::vector<int64_t>>(), pc.brushed());
    QVERIFY(spy.last()[1].toBool());
    // A second axis narrows it: inside both ranges.
    const size_t before = pc.brushed().size();
    drag(pc, Axis::Metric, 0.30, 0.22);
    QVERIFY(pc.brush(Axis::Metric)->first < pc.brush(Axis::Metric)->second);
    QCOMPARE(pc.brushed(), inRanges(pc, ts));
    QVERIFY(pc.brushed().size() < before && !pc.brushed().empty());
    // A click on an axis clears its range only.
    const QPoint onParams = pc.pointOf(Axis::Params, 2.0e6).toPoint();
    QTest::mouseClick(&pc, Qt::LeftButton, {}, onParams);
    QVERIFY(!pc.brush(Axis::Params));
    QVERIFY(pc.brush(Axis::Metric));
    QCOMPARE(pc.brushed(), inRanges(pc, ts));
    QTest::mouseClick(&pc, Qt::LeftButton, {}, pc.pointOf(Axis::Metric, 0.25).toPoint());
    QVERIFY(!pc.brushActive());
    QVERIFY(pc.brushed().empty());
    QVERIFY(!spy.last()[1].toBool());
    // A trial with its latency measured brings the latency axis.
    pc.addTrials(makeTrials(5, 12, true), 1);
    QCOMPARE(pc.axes().size(), size_t(5));
    QCOMPARE(pc.axes()[3], Axis::Latency);
    // A range reaching past an axis's end (typed, or kept from a wider run)
    // is drawn up to the end, not over the axis's title above it.
    const auto [lo, hi] = pc.axisRange(Axis::Params);
    pc.setBrush(Axis::Params, (lo + hi) / 2, hi * 4);
    const QImage img = pc.grab().toImage();
    const QPointF end = pc.pointOf(Axis::Params, hi);
    int blueAbove = 0;
    for (int y = 0; y < static_cast<int>(end.y()) - 1; ++y)
      for (int x = static_cast<int>(end.x()) - 8; x <= static_cast<int>(end.x()) + 8; ++x) {
        const QColor c = img.pixelColor(x, y);
        blueAbove += c.blue() > c.red() + 30 && c.blue() > c.green() + 15;
      }
    QCOMPARE(blueAbove, 0);
    QVERIFY(pc.brush(Axis::Params)->second == hi * 4);  // the range itself is kept
  }

  // The metric axis is framed as the chart's y axis (chart_frame.h): with the
  // full model at 18 % error and chance at 50 %, the 49 % trial sits at the
  // axis's end, marked, and a brush reaching the end keeps it; the chart's
  // chance level reaches the view through the chart panel's link.
  void metricAxisFramedAsTheChart() {
    ppui::ParallelCoords pc;
    pc.resize(900, 420);
    pc.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pc));
    std::vector<pp::Trial> ts;
    for (int i = 0; i < 6; ++i) {
      pp::Trial t = fullModel();
      t.id = i;
      t.errorRate = 0.19 + 0.01 * i;
      t.accuracy = 1 - t.errorRate;
      t.params = 1500000 + 300000 * i;
      ts.push_back(t);
    }
    pp::Trial chance = ts.front();
    chance.id = 6;
    chance.errorRate = 0.49;
    chance.accuracy = 0.51;
    ts.push_back(chance);
    pc.addTrials(ts);
    pc.setReference(fullModel());
    QVERIFY(pc.axisRange(Axis::Metric).second > 0.49);  // no chance level: unframed
    QCOMPARE(pc.beyondFrameCount(), 0);
    pc.setChanceError(0.5);
    QVERIFY(pc.metricFrame().has_value());
    QCOMPARE(*pc.metricFrame(), *ppui::frameLimit(0.18, 0.5, 0.02, false));
    QCOMPARE(pc.beyondFrameCount(), 1);
    const double hi = pc.axisRange(Axis::Metric).second;
    QVERIFY2(hi < 0.36 && hi > 0.34, qPrintable(QString::number(hi)));
    QVERIFY(pc.pointOf(Axis::Metric, 0.49).y() < pc.pointOf(Axis::Metric, 0.24).y());
    QCOMPARE(pc.pointOf(Axis::Metric, 0.49).y(), pc.pointOf(Axis::Metric, hi).y());
    pc.setBrush(Axis::Metric, 0.235, hi);
    QCOMPARE(pc.brushed(), (std::vector<int64_t>{5, 6}));
    // Accuracy: the floor is halfway from 82 % to 50 %; the 51 % trial at the bottom.
    pc.setYMetric(ppui::YMetric::Accuracy);
    QCOMPARE(pc.beyondFrameCount(), 1);
    const double floor = pc.axisRange(Axis::Metric).first;
    QVERIFY2(floor > 60 && floor < 66, qPrintable(QString::number(floor)));
    pc.setChanceError(-1);
    QCOMPARE(pc.beyondFrameCount(), 0);
    // Through the chart panel: the chart's chance level frames the view too.
    QWidget window;
    ppui::ChartPanel panel(&window);
    panel.setReference(fullModel());
    panel.parallel()->addTrials(ts);
    panel.chart()->setChanceError(0.5);
    QCOMPARE(panel.parallel()->beyondFrameCount(), 1);
  }

  // The chart's front is core's Pareto set in the pair shown, and among the
  // feasible trials once constraints are set.
  void axisChoiceChangesTheFront() {
    ppui::ParetoChart chart;
    chart.resize(900, 520);
    chart.show();
    chart.setFrontInShownPair(true);
    chart.setReference(fullModel());
    const auto ts = makeTrials(600, 21);
    for (const auto& t : ts) chart.queueTrial(t);
    chart.setFront({0, 1, 2});  // ignored: the chart keeps its own
    chart.flushNow();
    QCOMPARE(chart.frontPoints(), coreFront(chart, pp::paretoTrials(ts, {"error", "params"}), ts));
    chart.setXMetric(ppui::XMetric::Flops);
    const auto flopsFront = pp::paretoTrials(ts, {"error", "flops"});
    QCOMPARE(chart.frontPoints(), coreFront(chart, flopsFront, ts));
    QVERIFY(coreFront(chart, flopsFront, ts) !=
            coreFront(chart, pp::paretoTrials(ts, {"error", "params"}), ts));
    chart.setXMetric(ppui::XMetric::Latency);
    QCOMPARE(chart.frontPoints(), coreFront(chart, pp::paretoTrials(ts, {"error", "latency"}), ts));
    chart.setXMetric(ppui::XMetric::Size);  // proportional to parameters: their front
    QCOMPARE(chart.frontPoints(), coreFront(chart, pp::paretoTrials(ts, {"error", "params"}), ts));
    chart.setYMetric(ppui::YMetric::Accuracy);  // accuracy = 1 - error here: the same trials
    QCOMPARE(chart.frontPoints(), coreFront(chart, pp::paretoTrials(ts, {"error", "params"}), ts));
    chart.setYMetric(ppui::YMetric::Error);
    chart.setXMetric(ppui::XMetric::Params);
    const auto cs = pp::parseConstraints({"params_share<=0.6", "latency_ms<=3"});
    chart.setConstraints(cs);
    const pp::Trial full = fullModel();
    const auto feasible = pp::feasibleParetoTrials(ts, {"error", "params"}, cs, &full);
    QVERIFY(!feasible.empty());
    QCOMPARE(chart.frontPoints(), coreFront(chart, feasible, ts));
    // Streamed on: the front follows new trials as they come.
    auto more = makeTrials(200, 22);
    for (auto& t : more) t.id += 1000;
    for (const auto& t : more) chart.queueTrial(t);
    chart.flushNow();
    std::vector<pp::Trial> all = ts;
    all.insert(all.end(), more.begin(), more.end());
    QCOMPARE(chart.frontPoints(),
             coreFront(chart, pp::feasibleParetoTrials(all, {"error", "params"}, cs, &full), all));
  }

  // Brushed before the trials are drawn (a search's batch), or zoomed: each
  // brushed trial still has its marker.
  void highlightFollowsDrawing() {
    ppui::ParetoChart chart;
    chart.resize(900, 520);
    chart.show();
    chart.setReference(fullModel());
    const auto ts = makeTrials(60, 61);
    std::vector<int64_t> keys;
    for (const auto& t : ts)
      if (drawn(t) && t.params < 2500000) keys.push_back(t.id);
    for (size_t i = 0; i < 30; ++i) chart.queueTrial(ts[i]);
    chart.setHighlight(keys, true);
    chart.flushNow();
    for (size_t i = 30; i < ts.size(); ++i) chart.queueTrial(ts[i]);
    chart.flushNow();
    QCOMPARE(chart.highlightMarkers(), static_cast<int>(keys.size()));  // few: none thinned
    chart.chart()->zoomIn(QRectF(chart.chart()->plotArea().center(), QSizeF(80, 60)));
    chart.flushNow();
    QCOMPARE(chart.highlightMarkers(), static_cast<int>(keys.size()));
    chart.setXMetric(ppui::XMetric::Flops);
    QCOMPARE(chart.highlightMarkers(), static_cast<int>(keys.size()));
    chart.setHighlight({}, false);
    QCOMPARE(chart.highlightMarkers(), 0);
  }

  void budgetsAndShading() {
    ppui::ParetoChart chart;
    chart.resize(900, 520);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    const pp::Trial full = fullModel();
    chart.setReference(full);
    const auto ts = makeTrials(8, 31);
    for (const auto& t : ts) chart.queueTrial(t);
    chart.flushNow();
    chart.setConstraints(
        pp::parseConstraints({"params_share<=0.6", "accuracy_drop<=8", "latency_ms<=3"}));
    const auto bs = chart.budgets();
    QCOMPARE(bs.size(), size_t(2));
    QCOMPARE(bs[0].axis, Qt::Vertical);
    QCOMPARE(bs[0].value, std::log10(0.6 * 4000000));
    QVERIFY(bs[0].infeasibleAbove);
    QCOMPARE(bs[0].label, QString("params_share ≤ 0.6"));
    QCOMPARE(bs[1].axis, Qt::Horizontal);
    QVERIFY(std::abs(bs[1].value - (0.08 + 1 - 0.82)) < 1e-12);  // error = 1 - accuracy
    QVERIFY(bs[1].infeasibleAbove);
    QCOMPARE(chart.offAxisConstraints(), QStringList{"latency_ms ≤ 3"});
    // On the accuracy axis the same budget is 74 %, infeasible below it.
    chart.setYMetric(ppui::YMetric::Accuracy);
    QCOMPARE(chart.budgets()[1].value, 74.0);
    QVERIFY(!chart.budgets()[1].infeasibleAbove);
    chart.setYMetric(ppui::YMetric::Error);
    // The pixels: shaded (red over white) right of the line, white left of it, away from markers.
    QApplication::processEvents();
    const QImage img = chart.grab().toImage();
    const QRectF plot = chart.chart()->plotArea();
    const double lineX = chart.chart()->mapToPosition({bs[0].value, 0}).x();
    const double lineY = chart.chart()->mapToPosition({bs[0].value, bs[1].value}).y();
    QVERIFY(lineX > plot.left() + 30 && lineX < plot.right() - 30);
    auto clear = [&](const QPointF& p) {
      for (const auto& t : ts)
        if (QLineF(chart.chart()->mapToPosition(chart.valueOf(t)), p).length() < 14) return false;
      return QLineF(chart.chart()->mapToPosition(chart.valueOf(full)), p).length() > 14;
    };
    int shaded = 0, plain = 0;
    for (double fx = 0.05; fx < 1; fx += 0.1)
      for (double fy = 0.3; fy < 0.75; fy += 0.1) {  // below the error budget: only x decides
        const QPointF p(plot.left() + fx * plot.width(), lineY + fy * (plot.bottom() - lineY));
        if (!clear(p) || std::abs(p.x() - lineX) < 8) continue;
        const QColor c = img.pixelColor(p.toPoint() * img.devicePixelRatio());
        const bool red = c.red() > c.green() + 12 && c.red() > c.blue() + 12;
        QVERIFY2(red == (p.x() > lineX),
                 qPrintable(QString("%1,%2: %3").arg(p.x()).arg(p.y()).arg(c.name())));
        (red ? shaded : plain)++;
      }
    QVERIFY(shaded > 3 && plain > 3);
  }

  // Links: the table's "Feasible only", brushes into the table and chart.
  void feasibleFilterAndLinks() {
    ppui::TrialTableModel model;
    QWidget window;
    ppui::TrialsPanel panel(&model, &window);
    ppui::ParetoChart chart;
    ppui::ParallelCoords pc;
    ppui::DecideLinks links(&model, &panel, &chart, &pc);
    const auto ts = makeTrials(500, 41);
    model.addTrials(ts);
    QCOMPARE(pc.trialCount(), static_cast<int>(std::count_if(ts.begin(), ts.end(),
                                                             [](auto& t) { return drawn(t); })));
    QVERIFY(panel.feasibleOnly()->isHidden());
    const std::vector<std::string> texts{"params_share<=0.55", "accuracy_drop<=4"};
    links.setConstraints(texts);
    links.setReference(fullModel());
    QVERIFY(!panel.feasibleOnly()->isHidden());
    const pp::Trial full = fullModel();
    const auto cs = pp::parseConstraints(texts);
    const int feasible = static_cast<int>(std::count_if(
        ts.begin(), ts.end(), [&](auto& t) { return t.ok() && pp::feasible(cs, t, &full); }));
    QVERIFY(feasible > 10 && feasible < 400);
    QCOMPARE(panel.proxy()->rowCount(), 500);
    panel.feasibleOnly()->setChecked(true);
    QCOMPARE(panel.proxy()->rowCount(), feasible);
    panel.feasibleOnly()->setChecked(false);
    // A brush filters the table and highlights on the chart.
    pc.setBrush(Axis::Flops, 5e7, 1.5e8);
    const auto expected = inRanges(pc, ts);
    QCOMPARE(panel.proxy()->rowCount(), static_cast<int>(expected.size()));
    QCOMPARE(chart.highlightCount(), expected.size());
    QVERIFY(chart.highlightActive());
    QCOMPARE(chart.highlightMarkers(), 0);  // nothing drawn: the chart has none of these trials
    QVERIFY(!window.findChild<QLabel*>("brushNote")->isHidden());
    pc.clearBrushes();
    QCOMPARE(panel.proxy()->rowCount(), 500);
    QVERIFY(!chart.highlightActive());
    links.clear();
    QVERIFY(panel.feasibleOnly()->isHidden());
  }

  // In the window, at scale: 10,000 trials streamed in as a search reports
  // them reach the view; a brush there filters the table and lights the
  // chart; a table selection is drawn in the view; the x axis picker
  // changes the chart's front.
  // A bf16 search's points say what they were measured in (issue 31): a
  // front candidate measured again shows the fp32 numbers and what bf16
  // said; one that could not reach the front is marked as not confirmed.
  void precisionOfEachPointShown() {
    pp::Trial t;
    t.id = 3;
    t.subnet = pp::SubNetwork::full(pp::ModelConfig{});
    t.accuracy = 0.8;
    t.errorRate = 0.2;
    t.params = 1000;
    t.precision = "fp32";
    t.screenedPrecision = "bf16";
    t.screenedError = 0.2125;
    QString tip = ppui::trialTooltip(t, std::nullopt);
    QVERIFY2(tip.contains("confirmed in fp32") && tip.contains("bf16 said error 0.2125") &&
                 tip.contains("error 0.2000"),
             qPrintable(tip));
    t.precision = "bf16";
    t.screenedPrecision.clear();
    tip = ppui::trialTooltip(t, std::nullopt);
    QVERIFY2(tip.contains("measured in bf16, not confirmed in fp32"), qPrintable(tip));
    t.precision = "fp32";
    tip = ppui::trialTooltip(t, std::nullopt);
    QVERIFY2(!tip.contains("confirmed"), qPrintable(tip));
  }

  void windowAtScale() {
    ppui::MainWindow w;
    w.resize(1280, 820);
    w.show();
    ppui::SearchController& sc = w.controller();
    Q_EMIT sc.referenceReady(fullModel());
    const auto ts = makeTrials(10000, 51);
    for (size_t i = 0; i < ts.size(); ++i) {
      Q_EMIT sc.trialFinished(ts[i]);
      if (i % 1000 == 0) QApplication::processEvents();
    }
    QTRY_COMPARE(w.tableModel()->rowCount(), 10000);
    ppui::ParallelCoords* pc = w.parallelCoords();
    const int drawnCount =
        static_cast<int>(std::count_if(ts.begin(), ts.end(), [](auto& t) { return drawn(t); }));
    QTRY_COMPARE(pc->trialCount(), drawnCount);
    pc->setBrush(Axis::Latency, 1.0, 2.0);
    const auto expected = inRanges(*pc, ts);
    QVERIFY(expected.size() > 500);
    QCOMPARE(pc->brushed(), expected);
    QCOMPARE(w.trialsPanel()->proxy()->rowCount(), static_cast<int>(expected.size()));
    QTRY_COMPARE(w.chart()->pointsDrawn(), drawnCount);
    QCOMPARE(w.chart()->highlightCount(), expected.size());
    // Drawn over the rest, thinned past the plot's room.
    QTRY_VERIFY(w.chart()->highlightMarkers() > 100);  // brushed before or after they are drawn
    QVERIFY(w.chart()->highlightMarkers() <= static_cast<int>(expected.size()));
    w.selectTrials({expected[3]});
    QCOMPARE(pc->selection(), std::vector<int64_t>{expected[3]});
    pc->clearBrushes();
    QCOMPARE(w.trialsPanel()->proxy()->rowCount(), 10000);
    auto* x = w.findChild<QComboBox*>("xAxis");
    QVERIFY(x);
    x->setCurrentIndex(2);  // FLOPs (log)
    QCOMPARE(w.chart()->frontPoints(),
             coreFront(*w.chart(), pp::paretoTrials(ts, {"error", "flops"}), ts));
  }
};

QTEST_MAIN(TestDecideViews)
#include "test_decide_views.moc"
