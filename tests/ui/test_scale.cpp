// The window at scale, offscreen: a run log of 20,000 trials (a real search
// of a tiny model, then synthesised trials of unique sub-networks, errors on
// a 600-example grid so that ties occur) opened in the window. The chart
// shows every trial (thinned markers, but every trial found by trialAt),
// and its front and the table's Pareto set are exactly core's paretoTrials;
// zooming re-lays the markers out; trials streamed in through a search's
// signals reach chart and table.
#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QtTest>

#include <algorithm>
#include <fstream>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "paretoprune/base/pareto.h"
#include "paretoprune/base/rng.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/random_model.h"
#include "paretoprune/search/run_log.h"
#include "paretoprune/search/trial.h"
#include "testutil.h"
#include "ui/mainwindow.h"
#include "ui/marker_grid.h"
#include "ui/pareto_chart.h"
#include "ui/search_controller.h"
#include "ui/trial_markers.h"
#include "ui/trial_table_model.h"

class TestScale : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString log_;
  pp::OpenedRunLog run_;

  // Trials of unique per-layer sub-networks of the base run's model.
  std::vector<pp::Trial> synthesise(const pp::OpenedRunLog& base, int n, int64_t firstId,
                                    uint64_t seed) {
    const pp::ModelConfig& c = base.config;
    const double full = static_cast<double>(pp::parameterCount(c));
    pp::Rng rng(seed);
    std::unordered_set<std::string> seen;
    std::vector<pp::Trial> out;
    while (static_cast<int>(out.size()) < n) {
      pp::Trial t = base.log.trials.front();
      t.id = firstId + static_cast<int64_t>(out.size());
      t.subnet.layers.assign(static_cast<size_t>(c.num_hidden_layers), {});
      for (auto& l : t.subnet.layers)
        l = {rng.uniformInt(1, c.num_attention_heads), rng.uniformInt(1, c.intermediate_size)};
      if (!seen.insert(t.subnet.key()).second) continue;
      t.params = pp::parameterCount(c, t.subnet);
      t.flops = t.params * 30;
      const double shrink = 1.0 - static_cast<double>(t.params) / full;
      t.errorRate = std::round((0.12 + 0.5 * shrink * shrink + 0.05 * rng.uniform01()) * 600) / 600;
      t.accuracy = 1 - t.errorRate;
      t.latencyMs = 1e-6 * static_cast<double>(t.params);
      t.status = pp::Trial::Status::Ok;
      t.fidelity = 1;
      out.push_back(t);
    }
    return out;
  }

  // Core's Pareto set of `trials`, as chart values, left to right.
  static QList<QPointF> coreFront(const ppui::ParetoChart& chart,
                                  const std::vector<pp::Trial>& trials,
                                  const std::vector<std::string>& objectives) {
    std::vector<QPointF> pts;
    for (size_t i : pp::paretoTrials(trials, objectives)) pts.push_back(chart.valueOf(trials[i]));
    std::sort(pts.begin(), pts.end(),
              [](const QPointF& a, const QPointF& b) { return a.x() < b.x(); });
    return QList<QPointF>(pts.begin(), pts.end());
  }

  static std::vector<int64_t> tableFront(const ppui::TrialTableModel& m) {
    std::vector<int64_t> ids;
    for (const auto& t : m.trials())
      if (m.isOnFront(t.id)) ids.push_back(t.id);
    return ids;
  }

 private Q_SLOTS:
  void initTestCase() {
    QCoreApplication::setOrganizationName("ParetoPruneTest-scale");
    QSettings().clear();
    const QString model = tmp_.path() + "/tiny";
    auto o = pp::TinyModelOptions::shaped(4, 16, 4, 32);
    o.seed = 9;
    pp::writeRandomModel(model.toStdString(), o);
    std::string data = "sentence\tlabel\n";
    for (int i = 0; i < 24; ++i)
      data += std::string(i % 2 ? "good food " : "bad service ") + std::to_string(i) + "\t" +
              (i % 2 ? "positive\n" : "negative\n");
    testutil::writeText((tmp_.path() + "/data.tsv").toStdString(), data);
    const QString base = tmp_.path() + "/base.jsonl";
    ppui::SearchController c;
    ppui::SearchSetup s;
    s.modelDir = model;
    s.dataFile = tmp_.path() + "/data.tsv";
    s.trials = 4;
    s.latencyRuns = 0;
    s.maxLength = 16;
    s.strategy = "random";
    s.logPath = base;
    QSignalSpy fin(&c, &ppui::SearchController::finished);
    QVERIFY(c.start(s));
    QVERIFY(fin.wait(60000) || fin.size() == 1);
    const pp::OpenedRunLog baseRun = pp::openRunLog(base.toStdString());
    QVERIFY(!baseRun.log.trials.empty());
    log_ = tmp_.path() + "/large.jsonl";
    {
      pp::RunLog out;  // the header as a search writes it
      out.create(log_.toStdString(), baseRun.log.header);
    }
    // The trials' lines as RunLog::append writes them, without a flush each.
    std::ofstream out(log_.toStdString(), std::ios::app);
    for (const auto& t : synthesise(baseRun, 20000, 0, 3)) out << t.toJson().dump() << "\n";
    out.close();
    run_ = pp::openRunLog(log_.toStdString());
    QCOMPARE(run_.log.trials.size(), size_t(20000));
  }

  void largeLogChartIsCoresFront() {
    ppui::MainWindow w;
    w.resize(1280, 820);
    w.show();
    QVERIFY(w.showRunLog(log_));
    QApplication::processEvents();
    ppui::ParetoChart& chart = *w.chart();
    chart.flushNow();
    const auto& trials = run_.log.trials;
    const auto& objectives = run_.log.header.objectives;
    QCOMPARE(chart.pointsDrawn(), 20000);
    QVERIFY(chart.markersDrawn() < 20000);  // thinned: more trials than room
    QVERIFY(chart.markersDrawn() > 100);
    QCOMPARE(chart.frontPoints(), coreFront(chart, trials, objectives));
    std::vector<int64_t> expected;
    for (size_t i : pp::paretoTrials(trials, objectives)) expected.push_back(trials[i].id);
    QCOMPARE(tableFront(*w.tableModel()), expected);
    // Every trial is still found where it is drawn (thinned ones too).
    for (size_t i = 0; i < trials.size(); i += 997) {
      const int64_t at = chart.trialAt(chart.valueOf(trials[i]));
      QVERIFY(at != ppui::ParetoChart::kNone);
      const pp::Trial* found = w.tableModel()->trial(at);
      QVERIFY(found);
      QCOMPARE(chart.valueOf(*found), chart.valueOf(trials[i]));  // the same point, or its twin
    }
    // Zoomed in, the markers are laid out again for the new range; the front
    // stays exact. (Measured once the window has laid out its picks bar.)
    QTest::qWait(300);
    chart.flushNow();
    const int before = chart.markersDrawn();
    chart.chart()->zoomIn(QRectF(chart.chart()->plotArea().center(), QSizeF(60, 40)));
    QTRY_VERIFY(chart.markersDrawn() != before);
    QCOMPARE(chart.frontPoints(), coreFront(chart, trials, objectives));
    chart.resetZoom();
    QTRY_COMPARE(chart.markersDrawn(), before);
  }

  // Trials streamed in as a live search reports them (one trialFinished
  // each, frontChanged when it changes) reach chart and table in batches.
  void streamedTrialsReachChartAndTable() {
    ppui::MainWindow w;
    w.resize(1280, 820);
    w.show();
    ppui::SearchController& sc = w.controller();
    const std::vector<pp::Trial> trials(run_.log.trials.begin(), run_.log.trials.begin() + 6000);
    pp::ParetoArchive front;
    for (size_t i = 0; i < trials.size(); ++i) {
      Q_EMIT sc.trialFinished(trials[i]);
      if (front.add(pp::objectiveVector(trials[i], run_.log.header.objectives), i)) {
        std::vector<int64_t> ids;
        for (size_t k : front.ids()) ids.push_back(trials[k].id);
        Q_EMIT sc.frontChanged(ids);
      }
      if (i % 500 == 0) QApplication::processEvents();
    }
    QTRY_COMPARE(w.tableModel()->rowCount(), 6000);
    QTRY_COMPARE(w.chart()->pointsDrawn(), 6000);
    QCOMPARE(w.chart()->frontPoints(), coreFront(*w.chart(), trials, run_.log.header.objectives));
    std::vector<int64_t> expected;
    for (size_t i : pp::paretoTrials(trials, run_.log.header.objectives))
      expected.push_back(trials[i].id);
    QCOMPARE(tableFront(*w.tableModel()), expected);
  }

  void markerGridTakesEachCellOnce() {
    ppui::MarkerGrid g;
    g.reset(0, 10, 0, 1, 100, 50, 10);  // 10 x 5 cells
    QCOMPARE(g.capacity(), 50.0);
    QVERIFY(g.take({0.1, 0.01}));
    QVERIFY(!g.take({0.5, 0.1}));  // the same cell
    QVERIFY(g.take({1.1, 0.01}));  // the next one
    QVERIFY(!g.take({11, 0.5}));   // off the range
    QVERIFY(!g.take({qQNaN(), 0.5}));
    QCOMPARE(g.taken(), size_t(2));
  }

  // OpenGL series only on a hardware renderer: a software one (Mesa's
  // llvmpipe under xvfb) drew a followed 10,000-trial log ten times slower.
  void softwareRenderersDrawWithoutOpenGL() {
    using M = ppui::TrialMarkers;
    QVERIFY(M::isSoftwareRenderer("llvmpipe (LLVM 15.0.6, 256 bits)"));
    QVERIFY(M::isSoftwareRenderer("softpipe"));
    QVERIFY(M::isSoftwareRenderer("Software Rasterizer"));
    QVERIFY(M::isSoftwareRenderer(nullptr));
    QVERIFY(!M::isSoftwareRenderer("Mesa Intel(R) UHD Graphics 620 (KBL GT2)"));
    QVERIFY(!M::isSoftwareRenderer("NVIDIA GeForce RTX 3080/PCIe/SSE2"));
    QVERIFY(!M::isSoftwareRenderer("AMD Radeon RX 6600 (navi23, LLVM 15.0.6, DRM 3.49)"));
    if (QGuiApplication::platformName() == "offscreen" &&
        qEnvironmentVariableIsEmpty("PARETOPRUNE_CHART_OPENGL"))
      QVERIFY(!M::openGlAvailable());
  }
};

QTEST_MAIN(TestScale)
#include "test_scale.moc"
