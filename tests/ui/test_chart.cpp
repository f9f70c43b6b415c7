// The chart read at a glance, offscreen: tick values and labels as pure
// functions (log and linear scales, counts, milliseconds, percent; several
// ranges), the chart's axes at parameter, FLOP and latency ranges, the
// accuracy axis, the legend (one entry for the Pareto front), and several
// runs overlaid: each its own legend entry that hides it.
#include <QCategoryAxis>
#include <QLegend>
#include <QLegendMarker>
#include <QRegularExpression>
#include <QSettings>
#include <QValueAxis>
#include <QtTest>

#include "ui/axis_ticks.h"
#include "ui/entity_type_table.h"
#include "ui/hypervolume_chart.h"
#include "ui/pareto_chart.h"
#include "ui/selection_details.h"
#include "ui/trial_key.h"
#include "ui/trial_table_model.h"

namespace {
pp::Trial trialAt(int64_t id, double error, int64_t params, double latencyMs = 1.0) {
  pp::Trial t;
  t.id = id;
  t.errorRate = error;
  t.accuracy = 1 - error;
  t.params = params;
  t.flops = params * 90;
  t.latencyMs = latencyMs;
  t.subnet.layers = {{1, 8}};
  return t;
}
}  // namespace

class TestChart : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    QCoreApplication::setOrganizationName(
        "ParetoPruneTest-chart");  // its own, cleared: ctest runs tests side by side
    QSettings().clear();
  }

  void ticks_data() {
    QTest::addColumn<double>("lo");
    QTest::addColumn<double>("hi");
    QTest::addColumn<bool>("log");
    QTest::addColumn<int>("unit");
    QTest::addColumn<int>("maxTicks");
    QTest::addColumn<QStringList>("labels");
    const int count = static_cast<int>(ppui::AxisUnit::Count),
              ms = static_cast<int>(ppui::AxisUnit::Milliseconds),
              pct = static_cast<int>(ppui::AxisUnit::Percent),
              plain = static_cast<int>(ppui::AxisUnit::Plain);
    // Parameters of the demo model's sub-networks (under one decade).
    QTest::newRow("params 1.4-4.6 M")
        << 1.4e6 << 4.6e6 << true << count << 8 << QStringList{"1.5 M", "2 M", "3 M"};
    QTest::newRow("params 1.55-4.4 M")
        << 1.55e6 << 4.4e6 << true << count << 8
        << QStringList{"1.6 M", "1.8 M", "2 M", "2.5 M", "3 M", "3.5 M", "4 M"};
    QTest::newRow("params 1.61-1.65 M, linear fallback")
        << 1.61e6 << 1.65e6 << true << count << 8
        << QStringList{"1.61 M", "1.62 M", "1.63 M", "1.64 M", "1.65 M"};
    QTest::newRow("BERT-base params 20-110 M")
        << 2e7 << 1.1e8 << true << count << 8
        << QStringList{"20 M", "30 M", "50 M", "70 M", "100 M"};
    QTest::newRow("FLOPs 100 M-2 G")
        << 1e8 << 2e9 << true << count << 8 << QStringList{"100 M", "200 M", "500 M", "1 G", "2 G"};
    QTest::newRow("FLOPs 120 M-1.5 G")
        << 1.2e8 << 1.5e9 << true << count << 8
        << QStringList{"150 M", "200 M", "300 M", "500 M", "700 M", "1 G", "1.5 G"};
    QTest::newRow("latency 0.4-2.5 ms, room for four")
        << 0.4 << 2.5 << true << ms << 4 << QStringList{"0.5 ms", "1 ms", "2 ms"};
    QTest::newRow("1-9 M, room for two labels")
        << 1e6 << 9e6 << true << count << 2 << QStringList{"1 M", "3 M"};
    QTest::newRow("nine decades, every other")
        << 1e3 << 1e12 << true << count << 5 << QStringList{"10 k", "1 M", "100 M", "10 G", "1 T"};
    QTest::newRow("latency 0.4-2.5 ms")
        << 0.4 << 2.5 << true << ms << 8
        << QStringList{"0.5 ms", "0.7 ms", "1 ms", "1.5 ms", "2 ms"};
    QTest::newRow("latency 0.05-0.3 ms")
        << 0.05 << 0.3 << true << ms << 8
        << QStringList{"0.05 ms", "0.07 ms", "0.1 ms", "0.15 ms", "0.2 ms", "0.3 ms"};
    QTest::newRow("latency 300 ms-4 s")
        << 300.0 << 4000.0 << true << ms << 8
        << QStringList{"300 ms", "500 ms", "700 ms", "1 s", "1.5 s", "2 s", "3 s"};
    QTest::newRow("error 0.08-0.42")
        << 0.08 << 0.42 << false << plain << 8
        << QStringList{"0.1", "0.15", "0.2", "0.25", "0.3", "0.35", "0.4"};
    QTest::newRow("accuracy 70-95 %")
        << 70.0 << 95.0 << false << pct << 6
        << QStringList{"70 %", "75 %", "80 %", "85 %", "90 %", "95 %"};
    QTest::newRow("accuracy 84-91 %, fine")
        << 84.3 << 91.2 << false << pct << 8
        << QStringList{"85 %", "86 %", "87 %", "88 %", "89 %", "90 %", "91 %"};
    QTest::newRow("params linear 0-5 M")
        << 0.0 << 5e6 << false << count << 6 << QStringList{"0", "1 M", "2 M", "3 M", "4 M", "5 M"};
    QTest::newRow("mcc -0.1-0.6") << -0.1 << 0.6 << false << plain << 8
                                  << QStringList{"-0.1", "0",   "0.1", "0.2",
                                                 "0.3",  "0.4", "0.5", "0.6"};
  }

  void ticks() {
    QFETCH(double, lo);
    QFETCH(double, hi);
    QFETCH(bool, log);
    QFETCH(int, unit);
    QFETCH(int, maxTicks);
    QFETCH(QStringList, labels);
    QStringList got;
    for (const auto& t :
         ppui::axisTicks(lo, hi, log, static_cast<ppui::AxisUnit>(unit), maxTicks)) {
      const double slack = 1e-9 * (hi - lo);
      QVERIFY2(t.value >= lo - slack && t.value <= hi + slack, qPrintable(t.label));
      got << t.label;
    }
    QCOMPARE(got, labels);
  }

  void labels_data() {
    QTest::addColumn<double>("value");
    QTest::addColumn<int>("unit");
    QTest::addColumn<QString>("label");
    const int count = static_cast<int>(ppui::AxisUnit::Count),
              ms = static_cast<int>(ppui::AxisUnit::Milliseconds);
    QTest::newRow("plain count") << 950.0 << count << "950";
    QTest::newRow("thousands") << 1500.0 << count << "1.5 k";
    QTest::newRow("millions") << 1.6e6 << count << "1.6 M";
    QTest::newRow("round millions") << 2e6 << count << "2 M";
    QTest::newRow("FLOPs") << 1.5e8 << count << "150 M";
    QTest::newRow("giga") << 1.2e9 << count << "1.2 G";
    QTest::newRow("just under a thousand M") << 999999999.9999999 << count << "1 G";
    QTest::newRow("float noise") << 1.2 * 1e6 << count << "1.2 M";
    QTest::newRow("tera") << 3e12 << count << "3 T";
    QTest::newRow("sub-millisecond") << 0.5 << ms << "0.5 ms";
    QTest::newRow("milliseconds") << 2.0 << ms << "2 ms";
    QTest::newRow("seconds") << 1500.0 << ms << "1.5 s";
  }

  void labels() {
    QFETCH(double, value);
    QFETCH(int, unit);
    QFETCH(QString, label);
    QCOMPARE(ppui::tickLabel(value, static_cast<ppui::AxisUnit>(unit)), label);
  }

  // Table cells: any count in three significant digits (the FLOPs column
  // said "0.1 M" for 132,000).
  void countLabels() {
    QCOMPARE(ppui::countLabel(132456), QString("132 k"));
    QCOMPARE(ppui::countLabel(1234567), QString("1.23 M"));
    QCOMPARE(ppui::countLabel(22.3e9), QString("22.3 G"));
    QCOMPARE(ppui::countLabel(999999), QString("1.00 M"));
    QCOMPARE(ppui::countLabel(950), QString("950"));
    QCOMPARE(ppui::countLabel(0), QString("0"));
  }

  void ticksRefuseEmptyRanges() {
    QVERIFY(ppui::logTickValues(0, 10).empty());
    QVERIFY(ppui::logTickValues(5, 5).empty());
    QVERIFY(ppui::linearTickValues(3, 1).empty());
  }

  // The chart's axes at parameter, FLOP and latency ranges: round values,
  // short labels, and no raw exponents anywhere.
  void chartAxesRead() {
    ppui::ParetoChart chart;
    chart.resize(900, 520);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    chart.setReference(trialAt(-1, 0.10, 4386178, 2.4));
    for (int i = 0; i < 30; ++i)
      chart.queueTrial(trialAt(i, 0.12 + 0.01 * (i % 9), 1610000 + 90000 * i, 0.45 + 0.06 * i));
    chart.flushNow();
    const QRegularExpression count("^\\d+(\\.\\d+)? [kMG]$"), ms("^\\d+(\\.\\d+)? ms$");
    auto check = [&](const QStringList& ls, const QRegularExpression& re, int atLeast) {
      QVERIFY2(ls.size() >= atLeast, qPrintable(ls.join(" | ")));
      for (const QString& l : ls) QVERIFY2(re.match(l).hasMatch(), qPrintable(ls.join(" | ")));
    };
    check(chart.xTickLabels(), count, 3);
    QVERIFY2(chart.xTickLabels().contains("2 M") && chart.xTickLabels().contains("3 M"),
             qPrintable(chart.xTickLabels().join(" | ")));
    // Error axis: plain decimals at round steps.
    for (const QString& l : chart.yTickLabels())
      QVERIFY2(!l.contains('e') && l.size() <= 5, qPrintable(l));
    chart.setXMetric(ppui::XMetric::Flops);
    check(chart.xTickLabels(), count, 3);
    QVERIFY2(chart.xTickLabels().join(" ").contains(" M"),
             qPrintable(chart.xTickLabels().join(" | ")));
    chart.setXMetric(ppui::XMetric::Latency);
    check(chart.xTickLabels(), ms, 3);
    chart.setLogX(false);
    chart.setXMetric(ppui::XMetric::Params);
    check(chart.xTickLabels(), count, 3);
    chart.setLogX(true);
    // Zoomed in: the labels follow the new range.
    const QStringList before = chart.xTickLabels();
    chart.chart()->zoom(4.0);
    QVERIFY(chart.xTickLabels() != before);
    check(chart.xTickLabels(), count, 2);
    chart.resetZoom();
    QCOMPARE(chart.xTickLabels(), before);
  }

  // Accuracy instead of error: percent, the full model's accuracy named.
  void accuracyAxis() {
    ppui::ParetoChart chart;
    chart.resize(900, 520);
    chart.show();
    chart.setReference(trialAt(-1, 0.10, 4386178));
    for (int i = 0; i < 10; ++i)
      chart.queueTrial(trialAt(i, 0.12 + 0.01 * i, 1610000 + 200000 * i));
    chart.flushNow();
    chart.setYMetric(ppui::YMetric::Accuracy);
    QCOMPARE(chart.valueOf(trialAt(3, 0.15, 2000000)).y(), 85.0);
    QVERIFY(!chart.yTickLabels().isEmpty());
    for (const QString& l : chart.yTickLabels()) QVERIFY2(l.endsWith(" %"), qPrintable(l));
    QVERIFY2(chart.chart()->axes(Qt::Vertical).first()->titleText().contains("full model 90.0 %"),
             qPrintable(chart.chart()->axes(Qt::Vertical).first()->titleText()));
    QCOMPARE(chart.pointsDrawn(), 10);
    QCOMPARE(chart.chart()->title(), QString("Accuracy against model size"));
    // The point under a trial is still found.
    QCOMPARE(chart.trialAt(chart.valueOf(trialAt(4, 0.16, 2410000))), int64_t(4));
  }

  // Before any trial: no made-up axes, a line on what to do. With the
  // run's chance level known, a trial that lost more than half of what the
  // full model gains over chance sits on the frame's edge as a triangle
  // (its tooltip keeps the true value) instead of stretching the y axis.
  void frame() {
    ppui::ParetoChart chart;
    chart.resize(900, 520);
    chart.show();
    QVERIFY2(chart.chart()->title().startsWith("No trials yet"),
             qPrintable(chart.chart()->title()));
    QVERIFY(!chart.chart()->axes(Qt::Vertical).first()->isVisible());
    chart.setReference(trialAt(-1, 0.20, 4000000));
    chart.setChanceError(0.50);
    for (int i = 0; i < 8; ++i) chart.queueTrial(trialAt(i, 0.20 + 0.01 * i, 1000000 + 300000 * i));
    chart.queueTrial(trialAt(8, 0.49, 900000));  // chance level: 0 layers
    chart.setFront({0, 8});
    chart.flushNow();
    QCoreApplication::processEvents();
    QVERIFY(chart.chart()->axes(Qt::Vertical).first()->isVisible());
    QCOMPARE(chart.chart()->title(), QString("Validation error against model size"));
    QCOMPARE(chart.beyondFrameCount(), 1);
    // The y axis frames the others (0.20-0.27), not the 0.49 one, which sits
    // in the axis's top padding, above every other trial.
    QCOMPARE(chart.valueOf(trialAt(7, 0.27, 900000)).y(), 0.27);
    const auto* y = static_cast<const QCategoryAxis*>(chart.chart()->axes(Qt::Vertical).first());
    const double edge = chart.valueOf(trialAt(8, 0.49, 900000)).y();
    QVERIFY2(y->max() < 0.30 && edge > 0.27 && edge < y->max(),
             qPrintable(QString("%1 %2").arg(y->max()).arg(edge)));
    QVERIFY(chart.legendEntries().contains("far worse (drawn at the edge)"));
    QCOMPARE(chart.trialAt({std::log10(900000.0), edge}), int64_t(8));
    // The front's first point is drawn there too.
    QCOMPARE(chart.frontPoints().front().y(), edge);
    // ...but the step line does not join it: it would claim the edge's error.
    QVERIFY(!chart.frontStepPoints().isEmpty());
    for (const QPointF& p : chart.frontStepPoints()) QVERIFY(p.y() < edge);
    // Accuracy: the frame's floor is halfway from 80 % to 50 %: the 51 %
    // trial sits below every other one, the axis starting above 60 %.
    chart.setYMetric(ppui::YMetric::Accuracy);
    const auto* ya = static_cast<const QCategoryAxis*>(chart.chart()->axes(Qt::Vertical).first());
    const double floor = chart.valueOf(trialAt(8, 0.49, 900000)).y();
    QVERIFY2(ya->min() > 60 && floor > ya->min() && floor < 73,
             qPrintable(QString("%1 %2").arg(ya->min()).arg(floor)));
    QCOMPARE(chart.beyondFrameCount(), 1);
    // Unknown chance level (logs older than it): every trial at its value.
    chart.setYMetric(ppui::YMetric::Error);
    chart.setChanceError(-1);
    QCOMPARE(chart.beyondFrameCount(), 0);
    QCOMPARE(chart.valueOf(trialAt(8, 0.49, 900000)).y(), 0.49);
    QVERIFY(!chart.legendEntries().contains("far worse (drawn at the edge)"));
  }

  // As a live search shows them: the chance level with the header, the
  // chance-level trial before the full model's reference, more trials after.
  void frameLive() {
    ppui::ParetoChart chart;
    chart.resize(900, 520);
    chart.show();
    chart.clear();
    chart.setChanceError(0.5);
    chart.queueTrial(trialAt(0, 0.5, 900000));
    chart.flushNow();
    QCOMPARE(chart.beyondFrameCount(), 0);  // no full model yet: nothing to frame by
    chart.setReference(trialAt(-1, 0.20, 4000000));
    QCOMPARE(chart.beyondFrameCount(), 1);
    for (int i = 1; i < 6; ++i) chart.queueTrial(trialAt(i, 0.2 + 0.01 * i, 1000000 * i));
    chart.queueTrial(trialAt(6, 0.45, 800000));
    chart.flushNow();
    QCoreApplication::processEvents();
    QCOMPARE(chart.beyondFrameCount(), 2);
    const auto* y = static_cast<const QCategoryAxis*>(chart.chart()->axes(Qt::Vertical).first());
    QVERIFY2(y->max() < 0.30, qPrintable(QString::number(y->max())));
    QVERIFY2(chart.legendEntries().contains("far worse (drawn at the edge)"),
             qPrintable(chart.legendEntries().join(" | ")));
  }

  // A tagger's run: F1 is entity F1 on the axis, in the title and the
  // tooltip; the error axis says it is 1 - entity F1.
  void taggerNamesEntityF1() {
    ppui::ParetoChart chart;
    chart.resize(900, 520);
    chart.show();
    pp::Trial full = trialAt(-1, 0.25, 4000000);
    full.f1 = 0.75;
    chart.setReference(full);
    for (int i = 0; i < 6; ++i) {
      pp::Trial t = trialAt(i, 0.3 + 0.02 * i, 1000000 + 400000 * i);
      t.f1 = 1 - t.errorRate;
      chart.queueTrial(t);
    }
    chart.flushNow();
    auto yTitle = [&] { return chart.chart()->axes(Qt::Vertical).first()->titleText(); };
    QCOMPARE(yTitle(), QString("validation error"));
    chart.setTagger(true);
    QCOMPARE(yTitle(), QString("validation error (1 - entity F1)"));
    chart.setYMetric(ppui::YMetric::F1);
    QCOMPARE(yTitle(), QString("entity F1 (full model 0.750)"));
    QCOMPARE(chart.chart()->title(), QString("Entity F1 against model size"));
    QCOMPARE(chart.valueOf(trialAt(2, 0.34, 1800000)).y(), 0.0);  // f1 of that trial: 0
    pp::Trial t = trialAt(3, 0.36, 2200000);
    t.f1 = 0.64;
    const QString tip = ppui::trialTooltip(t, full, true);
    QVERIFY2(
        tip.contains("entity F1 0.6400, token accuracy 64.00%") && !tip.contains("<br>accuracy"),
        qPrintable(tip));
    QVERIFY(ppui::trialTooltip(t, full).contains("<br>accuracy 64.00%"));
    chart.setTagger(false);
    QCOMPARE(yTitle(), QString("F1"));
    // The table's columns say what they hold for a tagger.
    ppui::TrialTableModel m;
    using M = ppui::TrialTableModel;
    auto head = [&](int c, int role = Qt::DisplayRole) {
      return m.headerData(c, Qt::Horizontal, role).toString();
    };
    QCOMPARE(head(M::Accuracy), QString("Accuracy"));
    m.setTagger(true);
    QCOMPARE(head(M::Accuracy), QString("Token acc."));
    QCOMPARE(head(M::Error), QString("1 - F1"));
    QVERIFY(head(M::Accuracy, Qt::ToolTipRole).startsWith("Token accuracy"));
    QVERIFY(head(M::Error, Qt::ToolTipRole).contains("entity F1"));
    m.setTagger(false);
    QCOMPARE(head(M::Error), QString("Error"));
  }

  // A tagger's picked points by entity type: overall F1, then each type's
  // F1 with its change in points against the full model; a type a trial
  // does not record shows "-"; an older log's trials say they have none.
  void taggerSelectionByType() {
    pp::Trial full = trialAt(-1, 0.20, 4000000), t = trialAt(3, 0.30, 2000000);
    full.f1 = 0.80;
    full.typeF1 = {{"LOC", 0.85}, {"PER", 0.75}};
    t.f1 = 0.70;
    t.typeF1 = {{"LOC", 0.801}, {"ORG", 0.5}};
    const QString h = ppui::entityTypeTableHtml({&t}, {"trial 3"}, full);
    QVERIFY2(h.contains("<b>all types</b></td><td align=right>80.0</td><td align=right>70.0 "
                        "(-10.0)</td>"),
             qPrintable(h));
    QVERIFY2(h.contains("<b>LOC</b></td><td align=right>85.0</td><td align=right>80.1 (-4.9)"),
             qPrintable(h));
    QVERIFY2(h.contains("<b>ORG</b></td><td align=right>-</td><td align=right>50.0</td>"),
             qPrintable(h));
    QVERIFY2(h.contains("<b>PER</b></td><td align=right>75.0</td><td align=right>-</td>"),
             qPrintable(h));
    QVERIFY(h.indexOf("<b>LOC</b>") < h.indexOf("<b>ORG</b>"));
    QVERIFY(!h.contains("do not record"));
    pp::Trial old = t;
    old.typeF1.clear();
    QVERIFY(ppui::entityTypeTableHtml({&old}, {"trial 3"}, std::nullopt).contains("do not record"));
    // The selection view adds it for a tagger only.
    pp::ModelConfig c;
    QVERIFY(!ppui::selectionDetailsHtml({&t}, {"trial 3"}, full, c).contains("by type"));
    QVERIFY(ppui::selectionDetailsHtml({&t}, {"trial 3"}, full, c).contains("<b>accuracy</b>"));
    c.task = pp::Task::TokenClassification;
    const QString sel = ppui::selectionDetailsHtml({&t}, {"trial 3"}, full, c);
    QVERIFY(sel.contains("Entity F1 by type"));
    // Its scores say what they are: entity F1 first, then token accuracy, no MCC.
    QVERIFY2(sel.contains("<b>entity F1</b></td><td align=right>80.00%</td><td "
                          "align=right>70.00% (-10.0)</td>"),
             qPrintable(sel));
    QVERIFY(sel.contains("<b>token accuracy</b>") && !sel.contains("<b>accuracy</b>"));
    QVERIFY(!sel.contains("MCC"));
  }

  // The layer diagram counts in words: "1 head", "1 unit", never "1 heads".
  void layerCountsInWords() {
    pp::ModelConfig c;
    c.num_hidden_layers = 3;
    c.hidden_size = 16;
    c.num_attention_heads = 4;
    c.intermediate_size = 32;
    pp::Trial t = trialAt(3, 0.2, 1000000);
    t.subnet.layers = {{1, 1}, {3, 8}, {0, 0}};
    const QString h = ppui::selectionDetailsHtml({&t}, {"trial 3"}, std::nullopt, c);
    QVERIFY2(h.contains("&nbsp;1 head&nbsp;") && h.contains("&nbsp;1 unit</td>"), qPrintable(h));
    QVERIFY2(h.contains("&nbsp;3 heads&nbsp;") && h.contains("&nbsp;8 units</td>"), qPrintable(h));
    QVERIFY2(h.contains("&nbsp;0 heads&nbsp;") && h.contains("(removed)"), qPrintable(h));
    QVERIFY2(!h.contains(QRegularExpression("(^|[^0-9])1 (heads|units)")), qPrintable(h));
  }

  // One legend entry for the front (no orange twins), then one per run
  // when runs are overlaid; clicking a run's entry hides its points.
  void legend() {
    ppui::ParetoChart chart;
    chart.resize(900, 520);
    chart.show();
    chart.setReference(trialAt(-1, 0.10, 4000000));
    for (int i = 0; i < 5; ++i) chart.queueTrial(trialAt(i, 0.3 - 0.02 * i, 1000000 + 500000 * i));
    chart.setFront({0, 2, 4});
    chart.flushNow();
    QCoreApplication::processEvents();  // the legend lays its entries out
    const QStringList single = chart.legendEntries();
    QCOMPARE(single.filter("Pareto").size(), 1);
    QCOMPARE(single, (QStringList{"trials", "Pareto front", "full model", "selected"}));

    chart.setRuns({"random", "local", "nsga2"});
    chart.setReference(trialAt(-1, 0.10, 4000000));
    for (int run = 0; run < 3; ++run) {
      for (int i = 0; i < 5; ++i)
        chart.queueTrial(
            trialAt(i, 0.3 - 0.02 * i - 0.01 * run, 1000000 + 400000 * i + 50000 * run), run);
      chart.setFront({1, 3}, run);
    }
    chart.flushNow();
    QCOMPARE(chart.pointsDrawn(), 15);
    QTRY_COMPARE(chart.legendEntries(),
                 (QStringList{"random", "local", "nsga2", "full model", "selected"}));
    // The same trial id in two runs: two keys, each found at its own point.
    const pp::Trial local3 = trialAt(3, 0.3 - 0.06 - 0.01, 1000000 + 1200000 + 50000);
    QCOMPARE(chart.trialAt(chart.valueOf(local3)), ppui::trialKey(1, 3));
    QSignalSpy vis(&chart, &ppui::ParetoChart::runVisibilityChanged);
    QLegendMarker* localEntry = nullptr;
    for (auto* m : chart.chart()->legend()->markers())
      if (m->label() == "local") localEntry = m;
    QVERIFY(localEntry);
    Q_EMIT localEntry->clicked();
    QVERIFY(!chart.runVisible(1));
    QCOMPARE(vis.size(), 1);
    QVERIFY(chart.trialAt(chart.valueOf(local3)) !=
            ppui::trialKey(1, 3));                         // hidden points are not picked
    QTRY_VERIFY(chart.legendEntries().contains("local"));  // the entry stays to show it again
    Q_EMIT localEntry->clicked();
    QVERIFY(chart.runVisible(1));
    QCOMPARE(chart.trialAt(chart.valueOf(local3)), ppui::trialKey(1, 3));
    QTRY_COMPARE(chart.legendEntries(),
                 (QStringList{"random", "local", "nsga2", "full model", "selected"}));
    chart.clear();
    QCOMPARE(chart.runCount(), 1);
    QTRY_COMPARE(chart.legendEntries(), single);
  }

  void hypervolumeCurves() {
    ppui::HypervolumeChart hv;
    // Before any trial the title says so, not bare axes.
    QVERIFY2(hv.chart()->title().contains("no trials yet"), qPrintable(hv.chart()->title()));
    hv.addPoint(1, 0.5, 0.2);
    hv.addPoint(2, 0.7, 0.5);
    QCOMPARE(hv.points(), 2);
    QTRY_VERIFY2(hv.chart()->title().endsWith("over trials"), qPrintable(hv.chart()->title()));
    hv.setCurves({{"a", Qt::red, {0.1, 0.2, 0.3}}, {"b", Qt::blue, {0.2, 0.2}}});
    QCOMPARE(hv.curveCount(), 2);
    QCOMPARE(hv.curvePoints(0), 3);
    hv.setCurveVisible(1, false);
    QVERIFY(!hv.curveVisible(1) && hv.curveVisible(0));
    hv.addPoint(1, 0.4, 0.1);  // a live search again: one curve
    QCOMPARE(hv.curveCount(), 1);
    QCOMPARE(hv.points(), 1);
    // Round ticks: the axis starts and steps at round values, never 0.697.
    hv.addPoint(2, 0.697, 0.3);
    hv.addPoint(3, 0.776, 0.6);
    QTest::qWait(300);  // the live timer draws
    const auto* y = qobject_cast<QValueAxis*>(hv.chart()->axes(Qt::Vertical).first());
    QVERIFY(y);
    const double step = y->tickInterval();
    const double mantissa = step / std::pow(10.0, std::floor(std::log10(step)));
    QVERIFY2(std::abs(mantissa - 1) < 1e-9 || std::abs(mantissa - 2) < 1e-9 ||
                 std::abs(mantissa - 2.5) < 1e-9 || std::abs(mantissa - 5) < 1e-9,
             qPrintable(QString::number(step)));
    QVERIFY2(std::abs(y->min() / step - std::round(y->min() / step)) < 1e-6,
             qPrintable(QString::number(y->min())));
    QVERIFY(y->min() <= 0.4 && y->max() >= 0.776);
  }
};

QTEST_MAIN(TestChart)
#include "test_chart.moc"
