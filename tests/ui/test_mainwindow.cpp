// The desktop window with the offscreen platform: the trials table model,
// the chart drawing in batches, selection linked between chart, table and
// details, the controller's start/cancel/resume on a tiny model, the
// set-up form's validation, background tasks, the screenshot harness, and
// the export dialog.
#include <QAbstractTextDocumentLayout>
#include <QAction>
#include <QBarSeries>
#include <QBarSet>
#include <QChartView>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextTable>
#include <QValueAxis>
#include <QtTest>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <set>

#include "paretoprune/base/error.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/model_config.h"
#include "paretoprune/model/random_model.h"
#include "paretoprune/search/run_log.h"
#include "paretoprune/search/search_request.h"
#include "testutil.h"
#include "ui/background_task.h"
#include "ui/export_dialog.h"
#include "ui/hypervolume_chart.h"
#include "ui/latency_view.h"
#include "ui/mainwindow.h"
#include "ui/pareto_chart.h"
#include "ui/picks_bar.h"
#include "ui/prepare_dialog.h"
#include "ui/screenshot_harness.h"
#include "ui/search_controller.h"
#include "ui/trial_table_model.h"
#include "ui/trial_table_view.h"

namespace {
pp::Trial fakeTrial(int64_t id, double error, int64_t params) {
  pp::Trial t;
  t.id = id;
  t.errorRate = error;
  t.accuracy = 1 - error;
  t.f1 = 0.95 - error;
  t.mcc = 0.8 - error;
  t.params = params;
  t.flops = params * 10;
  t.latencyMs = static_cast<double>(params) / 1000.0;
  t.subnet.layers = {{1, 8}, {0, 0}};
  t.evalSeconds = 0.25;
  t.mode = id % 2 ? "masked" : "sliced";
  return t;
}
}  // namespace

class TestMainWindow : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString model_, data_;

  // A search of `trials` on `model`, logged to `log`, run to its end.
  bool runLoggedSearch(const QString& model, const QString& log, int trials) const {
    ppui::SearchController c;
    ppui::SearchSetup s = quickSetup(trials);
    s.modelDir = model;
    s.logPath = log;
    QSignalSpy fin(&c, &ppui::SearchController::finished);
    if (!c.start(s)) return false;
    return fin.wait(60000) || fin.size() == 1;
  }

  // A random search of `trials` on the tiny model and data, no latency runs.
  ppui::SearchSetup quickSetup(int trials) const {
    ppui::SearchSetup s;
    s.modelDir = model_;
    s.dataFile = data_;
    s.trials = trials;
    s.latencyRuns = 0;
    s.maxLength = 16;
    s.strategy = "random";
    return s;
  }

 private Q_SLOTS:
  void initTestCase() {
    // Keep the user's settings out, and other tests' (ctest runs them side by side).
    QCoreApplication::setOrganizationName("ParetoPruneTest-mainwindow");
    QSettings().clear();
    pp::setComputeThreads(1, 1);
    model_ = tmp_.path() + "/tiny";
    auto o = pp::TinyModelOptions::shaped(2, 16, 4, 24);
    o.seed = 2;
    pp::writeRandomModel(model_.toStdString(), o);
    std::string d = "sentence\tlabel\n";
    for (int i = 0; i < 40; ++i)
      d += std::string(i % 2 ? "good food" : "bad service") + " " + std::to_string(i) + "\t" +
           (i % 2 ? "positive" : "negative") + "\n";
    data_ = tmp_.path() + "/data.tsv";
    testutil::writeText(data_.toStdString(), d);
  }

  void tableModelAndFilter() {
    ppui::TrialTableModel m;
    ppui::TrialFilterProxy proxy;
    proxy.setSourceModel(&m);
    m.setReferenceParams(1000);
    m.addTrials({fakeTrial(0, 0.3, 500), fakeTrial(1, 0.2, 800), fakeTrial(2, 0.4, 900)});
    pp::Trial failed = fakeTrial(3, 1, 100);
    failed.status = pp::Trial::Status::Failed;
    failed.error = "out of memory";
    m.addTrials({failed});
    QCOMPARE(m.rowCount(), 4);
    QCOMPARE(m.index(1, ppui::TrialTableModel::Share).data().toString(), QString("80.0 %"));
    QVERIFY(m.index(3, ppui::TrialTableModel::Status).data().toString().contains("out of memory"));
    m.setFront({0, 1});
    QVERIFY(m.isOnFront(1) && !m.isOnFront(2));
    proxy.setParetoOnly(true);
    QCOMPARE(proxy.rowCount(), 2);
    proxy.setParetoOnly(false);
    proxy.sort(ppui::TrialTableModel::Accuracy, Qt::DescendingOrder);
    QCOMPARE(proxy.index(0, 0).data(ppui::TrialTableModel::TrialIdRole).toLongLong(), 1LL);
    QCOMPARE(proxy.index(3, 0).data(ppui::TrialTableModel::TrialIdRole).toLongLong(),
             3LL);  // failed last
  }

  void chartDrawsInBatches() {
    ppui::ParetoChart chart;
    chart.resize(600, 400);
    chart.show();
    chart.setReference(fakeTrial(-1, 0.1, 2000));
    for (int i = 0; i < 50; ++i) chart.queueTrial(fakeTrial(i, 0.1 + 0.01 * (i % 7), 100 + 10 * i));
    pp::Trial cut = fakeTrial(99, 0.5, 300);
    cut.fidelity = 0.3;  // multi-fidelity cut: table only
    chart.queueTrial(cut);
    QCOMPARE(chart.pointsDrawn(), 0);
    QCOMPARE(chart.pending(), size_t(50));
    QTRY_COMPARE_WITH_TIMEOUT(chart.pointsDrawn(), 50, 2000);
    QCOMPARE(chart.batchesDrawn(), 1);  // one repaint for the whole burst
    // The trial under a point is found again from its chart value.
    QCOMPARE(chart.trialAt(chart.valueOf(fakeTrial(7, 0.1, 170))), int64_t(7));
    // y = the task's metric instead of the error; the points stay.
    chart.setYMetric(ppui::YMetric::F1);
    QCOMPARE(chart.pointsDrawn(), 50);
    QCOMPARE(chart.valueOf(fakeTrial(7, 0.1, 170)).y(), fakeTrial(7, 0.1, 170).f1);
    chart.setYMetric(ppui::YMetric::Error);
    ppui::HypervolumeChart hv;
    hv.addPoint(1, 0.5, 0.2);
    hv.addPoint(2, 0.7, 0.5);
    hv.setOverTime(true);
    QCOMPARE(hv.points(), 2);
    const QString tip = ppui::trialTooltip(fakeTrial(7, 0.12, 500), fakeTrial(-1, 0.1, 2000));
    QVERIFY2(tip.contains("-75% parameters") && tip.contains("4.0x faster") &&
                 tip.contains("+2.0 points error"),
             tip.toUtf8().constData());
  }

  void selectionIsLinked() {
    ppui::MainWindow w;
    w.show();
    w.tableModel()->addTrials(
        {fakeTrial(0, 0.3, 500), fakeTrial(1, 0.2, 800), fakeTrial(2, 0.4, 900)});
    for (int i = 0; i < 3; ++i) w.chart()->queueTrial(*w.tableModel()->trial(i));
    w.chart()->flushNow();
    // Export (File menu and toolbar) waits for a selection.
    auto* exportAct = w.findChild<QAction*>("exportSelection");
    QVERIFY(exportAct && !exportAct->isEnabled());
    // Chart -> table and details.
    Q_EMIT w.chart()->selectionChanged({2});
    QVERIFY(exportAct->isEnabled());
    auto rows = w.tableView()->selectionModel()->selectedRows();
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows[0].data(ppui::TrialTableModel::TrialIdRole).toLongLong(), 2LL);
    QVERIFY(w.detailsHtml().contains("trial 2"));
    QVERIFY2(w.detailsHtml().contains("0.25 s, sliced"),
             w.detailsHtml().toUtf8().constData());  // how it ran
    // Table -> chart.
    w.tableView()->selectRow(0);
    QCOMPARE(w.selection(), (std::vector<int64_t>{0}));
    QCOMPARE(w.chart()->selection(), w.selection());
  }

  void saveTrialsElsewhere() {
    ppui::MainWindow w;
    QVERIFY(w.openModel(model_));
    QString err;
    QVERIFY(!w.saveTrialsAs(tmp_.path() + "/nothing.jsonl", &err));  // no run shown yet
    QVERIFY2(err.contains("no run to save"), err.toUtf8().constData());
    const QString log = tmp_.path() + "/to-save.jsonl";
    QVERIFY(runLoggedSearch(model_, log, 2));
    QVERIFY(w.showRunLog(log));
    const QString f = tmp_.path() + "/saved.jsonl";
    QVERIFY(w.saveTrialsAs(f));
    const auto cfg = pp::loadModelConfig((model_ + "/config.json").toStdString());
    QCOMPARE(pp::readRunLog(f.toStdString(), &cfg).trials.size(), size_t(2));
    QVERIFY(!w.saveTrialsAs("/nonexistent-dir/x.jsonl", &err));
    QVERIFY2(err.contains("nonexistent-dir"), err.toUtf8().constData());
  }

  void setupFormValidation() {
    ppui::MainWindow w;
    QVERIFY(!w.openModel(tmp_.path() + "/nope"));
    QVERIFY(w.validateSetup().contains("config.json"));
    QVERIFY(w.openModel(model_));
    w.setDataFiles(data_, "");
    QVERIFY2(w.validateSetup().contains("Labels match the model"),
             w.validateSetup().toUtf8().constData());
    const QString bad = tmp_.path() + "/bad.tsv";
    testutil::writeText(bad.toStdString(), "sentence\tlabel\nfine\tpositive\nhmm\tneutral\n");
    w.setDataFiles(bad, "");
    QVERIFY2(w.validateSetup().contains("neutral"), w.validateSetup().toUtf8().constData());
    QVERIFY(!w.startSearch());
    QVERIFY(!w.controller().isRunning());
  }

  void dataCheckRunsInTheBackgroundAndSeesEdits() {
    ppui::MainWindow w;
    QVERIFY(w.openModel(model_));
    auto* info = w.findChild<QLabel*>("dataInfo");
    QVERIFY(info);
    const QString f = tmp_.path() + "/edited.tsv";
    testutil::writeText(f.toStdString(), "sentence\tlabel\nfine\tpositive\nbad\tnegative\n");
    w.setDataFiles(f, "");  // the label updates when the background check ends
    QTRY_VERIFY2(info->text().contains("Labels match"), info->text().toUtf8().constData());
    QVERIFY(info->text().contains("2 examples"));
    QVERIFY(info->styleSheet().isEmpty());  // good data is not shown as a problem
    // The file changes (another size): checked again, not answered from before.
    testutil::writeText(f.toStdString(),
                        "sentence\tlabel\nfine\tpositive\nbad\tnegative\nhmm\tneutral\n");
    w.refreshDataInfo();
    QTRY_VERIFY2(info->text().contains("neutral"), info->text().toUtf8().constData());
    QVERIFY2(info->styleSheet().contains("#a02020"), "an unknown label reads as an error");
    QVERIFY2(w.validateSetup().contains("neutral"), w.validateSetup().toUtf8().constData());
  }

  void controllerStartCancelResume() {
    ppui::SearchController c;
    ppui::SearchSetup s = quickSetup(40);
    s.workers = 2;
    s.logPath = tmp_.path() + "/gui-run.jsonl";
    QSignalSpy finished(&c, &ppui::SearchController::finished);
    QSignalSpy reference(&c, &ppui::SearchController::referenceReady);
    connect(&c, &ppui::SearchController::trialFinished, &c, [&c] {
      if (c.trials().size() == 3) c.cancel();
    });
    QVERIFY(c.start(s));
    QVERIFY(!c.start(s));  // one search at a time
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
    QCOMPARE(finished[0][0].toString(), QString("cancelled"));
    QCOMPARE(reference.size(), 1);
    const size_t first = c.trials().size();
    QVERIFY(first >= 3 && first < 40);
    // Resume from the log: only the missing trials are evaluated.
    s.resume = true;
    disconnect(&c, &ppui::SearchController::trialFinished, &c, nullptr);
    QVERIFY(c.start(s));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 60000);
    QCOMPARE(finished[1][0].toString(), QString("all trials done"));
    QCOMPARE(c.trials().size(), 40 - first);
    const auto cfg = pp::loadModelConfig((model_ + "/config.json").toStdString());
    auto log = pp::readRunLog(s.logPath.toStdString(), &cfg);
    QCOMPARE(log.trials.size(), size_t(40));
    std::set<std::string> keys;
    for (const auto& t : log.trials) keys.insert(t.subnet.key());
    QCOMPARE(keys.size(), size_t(40));
  }

  void latencyViewMeasures() {
    ppui::LatencyView v;
    pp::Trial t = fakeTrial(4, 0.2, 100);
    t.subnet.layers = {{1, 8}, {0, 0}};
    v.setCandidates(model_, {t});
    QSignalSpy done(&v, &ppui::LatencyView::measured);
    v.measure();
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 30000);
    QCOMPARE(v.barSets(), 2);  // the full model and the trial
    // The table: headings and names broken only between words, never inside
    // one ("batc h", "medi an"), in the narrowest table the tab allows.
    auto* table = v.findChild<QTextBrowser*>();
    QVERIFY(table);
    table->setFixedWidth(table->minimumWidth());
    v.resize(900, 400);
    v.QWidget::show();  // LatencyView::show draws measurements
    QVERIFY(QTest::qWaitForWindowExposed(&v));
    QTextDocument* doc = table->document();
    doc->setTextWidth(table->viewport()->width());
    QTextTable* grid = nullptr;
    for (QTextFrame* f : doc->rootFrame()->childFrames())
      if (!grid) grid = qobject_cast<QTextTable*>(f);
    QVERIFY(grid);
    doc->documentLayout()->documentSize();  // laid out
    QCOMPARE(grid->rows(), 1 + 2 * 3);      // headings, then two rows of three batch sizes
    QStringList headings;
    std::vector<std::vector<QString>> cells(static_cast<size_t>(grid->rows()));
    for (int r = 0; r < grid->rows(); ++r)
      for (int c = 0; c < grid->columns(); ++c) {
        const QTextBlock b = grid->cellAt(r, c).firstCursorPosition().block();
        cells[static_cast<size_t>(r)].push_back(b.text());
        if (r == 0) headings << b.text();
        if (b.text().isEmpty()) continue;
        QVERIFY(b.layout());
        for (int i = 1; i < b.layout()->lineCount(); ++i) {
          const int at = b.layout()->lineAt(i).textStart();
          QVERIFY2(at > 0 && b.text()[at - 1].isSpace(),
                   qPrintable(QString("\"%1\" broken at \"%2|%3\"")
                                  .arg(b.text(), b.text().left(at), b.text().mid(at))));
        }
      }
    QCOMPARE(headings, QStringList({"", "batch", "median ms", "p95 ms", "speed-up"}));
    // The bars are per example (the batch's median over its size), so that
    // batch 1 and batch 32 share one scale; the table keeps the batch's own.
    auto* view = v.findChild<QChartView*>();
    QVERIFY(view);
    QBarSeries* bars = nullptr;
    for (auto* s : view->chart()->series())
      if (!bars) bars = qobject_cast<QBarSeries*>(s);
    QVERIFY(bars && bars->count() == 2);
    const double batch[] = {1, 8, 32};
    for (int set = 0; set < 2; ++set)
      for (int i = 0; i < 3; ++i) {
        const auto& row = cells[static_cast<size_t>(1 + set * 3 + i)];
        QCOMPARE(row[1].toDouble(), batch[i]);
        const double median = row[2].toDouble(), bar = bars->barSets()[set]->at(i);
        QVERIFY2(
            std::abs(bar * batch[i] - median) <= 0.0051,
            qPrintable(QString("batch %1: bar %2, median %3").arg(batch[i]).arg(bar).arg(median)));
      }
    // Ticks at round values from 0 (1, 2, 2.5 or 5 times a power of ten), up
    // to the first past the tallest bar (and 5% room), each labelled with
    // its exact value.
    QValueAxis* y = nullptr;
    for (auto* a : view->chart()->axes(Qt::Vertical))
      if (!y) y = qobject_cast<QValueAxis*>(a);
    QVERIFY(y);
    QCOMPARE(y->tickType(), QValueAxis::TicksDynamic);
    QCOMPARE(y->min(), 0.0);
    const double step = y->tickInterval();
    const double mantissa = step / std::pow(10.0, std::floor(std::log10(step)));
    const double round[] = {1.0, 2.0, 2.5, 5.0};
    QVERIFY2(std::any_of(std::begin(round), std::end(round),
                         [&](double m) { return std::abs(mantissa - m) < 1e-6; }),
             qPrintable(QString::number(step)));
    const double steps = y->max() / step;
    QVERIFY2(std::abs(steps - std::round(steps)) < 1e-6, qPrintable(QString::number(y->max())));
    double tallest = 0;
    for (auto* set : bars->barSets())
      for (int i = 0; i < set->count(); ++i) tallest = std::max(tallest, set->at(i));
    QVERIFY2(tallest <= y->max() && y->max() - step < tallest * 1.05 + 1e-12,  // 5% headroom
             qPrintable(
                 QString("tallest bar %1, axis to %2 by %3").arg(tallest).arg(y->max()).arg(step)));
    for (double tick = 0; tick <= y->max() + step / 2; tick += step) {
      const QString label = QString::asprintf(y->labelFormat().toUtf8().constData(), tick);
      QVERIFY2(std::abs(label.toDouble() - tick) < step * 1e-6,
               qPrintable(QString("tick %1 labelled %2").arg(tick).arg(label)));
    }
  }

  void dataPreviewAndColumns() {
    ppui::MainWindow w;
    QVERIFY(w.openModel(model_));
    const QString f = tmp_.path() + "/cols.tsv";
    testutil::writeText(f.toStdString(), "review\tsentiment\nnice\tpositive\nawful\tnegative\n");
    w.setDataFiles(f, "");
    QVERIFY2(w.validateSetup().contains("no text column"),
             w.validateSetup().toUtf8().constData());  // default names absent
    auto* text = w.findChild<QComboBox*>("textColumn");
    auto* label = w.findChild<QComboBox*>("labelColumn");
    QVERIFY(text && label);
    text->setCurrentIndex(text->findData("review"));
    label->setCurrentIndex(label->findData("sentiment"));
    QVERIFY2(w.validateSetup().contains("Labels match"), w.validateSetup().toUtf8().constData());
    QCOMPARE(w.currentSetup().textColumn, QString("review"));
  }

  // Prepare model and the search share one split of a single data file:
  // training never sees an example the search's error is measured on.
  void prepareAndSearchShareOneSplit() {
    ppui::MainWindow w;
    QVERIFY(w.openModel(model_));
    w.setDataFiles(data_, "");
    const ppui::PrepareSetup p = w.prepareSetup();
    const pp::ModelConfig cfg = pp::loadModelConfig((model_ + "/config.json").toStdString());
    const pp::Dataset train = p.data.trainingSet(cfg);
    pp::SearchRequest req;
    req.modelDir = model_.toStdString();
    req.data = w.currentSetup().dataSplit();
    const pp::PreparedSearch search = pp::prepareSearch(req);
    const pp::Dataset val = req.data.validationSet(cfg);
    QCOMPARE(search.header.dataFingerprint, pp::dataFingerprint(val));
    QCOMPARE(pp::dataFingerprint(p.data.validationSet(cfg)), search.header.dataFingerprint);
    QCOMPARE(train.examples.size() + val.examples.size(), size_t(40));
    std::set<std::string> held;
    for (const auto& e : val.examples) held.insert(e.text);
    for (const auto& e : train.examples) QVERIFY2(!held.count(e.text), e.text.c_str());
  }

  void prepareModelTrainsAndCancels() {
    ppui::PrepareSetup p;
    p.modelDir = model_;
    p.data.data = data_.toStdString();
    p.data.valSplit = 0.3;
    p.outDir = tmp_.path() + "/prepared";
    p.epochs = 2;
    p.maxLength = 16;
    p.batchSize = 8;
    p.devices = {"cpu"};
    p.device = "cpu";
    {  // A model the program ships (the demo): the output goes to the user's data folder.
      ppui::PrepareSetup shipped = p;
      shipped.outDir.clear();
      shipped.modelDir = QString(PARETOPRUNE_RESOURCES_DIR) + "/demo/model";
      ppui::PrepareDialog d(shipped);
      QVERIFY2(d.setup().outDir.startsWith(
                   QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)),
               qPrintable(d.setup().outDir));
      shipped.modelDir = model_;  // one of the user's: beside it
      ppui::PrepareDialog beside(shipped);
      QCOMPARE(beside.setup().outDir,
               QFileInfo(model_).absolutePath() + "/" + QFileInfo(model_).fileName() + "-supernet");
    }
    ppui::PrepareDialog dlg(p);
    QCOMPARE(dlg.setup().device, QString("cpu"));
    QCOMPARE(dlg.setup().batchSize, 8);
    // The loss chart says what it will show, with no bare axes before a step.
    auto* view = dlg.findChild<QChartView*>();
    QVERIFY(view);
    QVERIFY2(view->chart()->title().contains("from the first step"),
             qPrintable(view->chart()->title()));
    auto* lossAxis = qobject_cast<QValueAxis*>(view->chart()->axes(Qt::Vertical).first());
    QVERIFY(lossAxis && !lossAxis->isVisible());
    QSignalSpy done(&dlg, &ppui::PrepareDialog::finished);
    dlg.start();
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 60000);
    QVERIFY2(done[0][0].toBool(), dlg.message().toUtf8().constData());
    // Then round ticks (0.2, 0.4, ...), never 0.25 printed as "0.3".
    QVERIFY(lossAxis->isVisible());
    QCOMPARE(lossAxis->tickType(), QValueAxis::TicksDynamic);
    const double ticks = (lossAxis->max() - lossAxis->min()) / lossAxis->tickInterval();
    QVERIFY2(std::abs(ticks - std::round(ticks)) < 1e-6, qPrintable(QString::number(ticks)));
    const QString stepText =
        QString::asprintf(qPrintable(lossAxis->labelFormat()), lossAxis->tickInterval());
    QVERIFY2(std::abs(stepText.toDouble() - lossAxis->tickInterval()) < 1e-9, qPrintable(stepText));
    QCOMPARE(dlg.lossPoints(),
             8);  // 2 epochs x 4 steps of 8 (28 of the 40 examples: 30% are held out)
    QCOMPARE(dlg.resultDir(), p.outDir);
    QCOMPARE(pp::Model::load(p.outDir.toStdString())->config().num_hidden_layers, int64_t(2));
    // Cancelled in the first epoch: nothing written, said so.
    p.outDir = tmp_.path() + "/cancelled";
    p.epochs = 50;
    p.device = "cuda:3";  // not among the devices: auto
    dlg.setSetup(p);
    QCOMPARE(dlg.setup().device, QString("auto"));
    connect(&dlg, &ppui::PrepareDialog::finished, &dlg, [] {});
    dlg.start();
    dlg.cancel();
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 2, 60000);
    QVERIFY(!done[1][0].toBool());
    QVERIFY2(done[1][1].toString().contains("Cancelled"),
             done[1][1].toString().toUtf8().constData());
  }

  void spaceRangesAreEditable() {
    ppui::MainWindow w;
    QVERIFY(w.openModel(model_));
    w.setDataFiles(data_, "");
    auto s = w.currentSetup();
    QVERIFY(s.spaceJson.contains("\"heads\":[1,2,4]"));  // the model's 4 heads, scaled
    auto* heads = w.findChild<QLineEdit*>("spaceHeads");
    QVERIFY(heads);
    heads->setText("1, 8");
    QVERIFY2(w.validateSetup().startsWith("Search space:"), w.validateSetup().toUtf8().constData());
    heads->setText("2, 4");
    QVERIFY(w.validateSetup().contains("Labels match"));
  }

  // The Auto preset: strategy and trials left on auto are chosen when the
  // search starts, and the set-up shows what was chosen and why; the stop
  // reason is shown when it ends.
  void autoPresetShowsItsChoices() {
    ppui::MainWindow w;
    QVERIFY(w.openModel(model_));
    w.setDataFiles(data_, "");
    QCOMPARE(w.currentSetup().strategy, QString("auto"));
    QCOMPARE(w.currentSetup().trials, 0);
    QSignalSpy done(&w, &ppui::MainWindow::searchFinished);
    QVERIFY2(w.startSearch(), w.validateSetup().toUtf8().constData());
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 120000);
    auto* info = w.findChild<QLabel*>("autoInfo");
    QVERIFY(info);
    // In a user's words; the evidence (figures, benchmarks) on hover.
    QVERIFY2(info->text().contains("<b>strategy</b>: adaptive: refines"),
             info->text().toUtf8().constData());
    QVERIFY2(!info->text().contains("bench_"), info->text().toUtf8().constData());
    QVERIFY(info->toolTip().contains("bench_search"));
    QVERIFY(info->text().contains("<b>trials</b>"));
    QVERIFY(info->text().contains("<b>convergence</b>"));
    QVERIFY(w.session().run() && w.session().run()->autoChoices.is_array());
    const QString reason = done[0][0].toString();
    QVERIFY2(reason.contains("all trials done") || reason.contains("converged"),
             reason.toUtf8().constData());
  }

  // The window's background tasks run side by side: a long one (a search)
  // never holds up another (a data check); each reports on the UI thread.
  void backgroundTasksRunSideBySide() {
    QObject owner;
    ppui::BackgroundTask a(&owner), b(&owner);
    std::atomic<bool> bStarted{false};
    QStringList ended;
    QVERIFY(a.start(
        [&] {
          while (!bStarted.load() && !a.stopRequested()) QThread::msleep(1);
          if (!bStarted.load()) throw pp::Error("b never started");
        },
        [&](const QString& error) { ended << "a" + error; }));
    QVERIFY(!a.start([] {}, {}));  // one at a time per task
    QVERIFY(b.start([&] { bStarted.store(true); },
                    [&](const QString& error) { ended << "b" + error; }));
    QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 2, 10000);
    QVERIFY2(ended.contains("a") && ended.contains("b"), qPrintable(ended.join(", ")));
    QVERIFY(!a.running() && !b.running());
    // An exception becomes the message; nothing crosses the thread.
    QVERIFY(
        a.start([] { throw pp::Error("no luck"); }, [&](const QString& error) { ended << error; }));
    QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 3, 10000);
    QCOMPARE(ended.back(), QString("no luck"));
  }

  // --exit-when-done --select-front --screenshot: the harness starts the
  // search, waits for the run controller's end of it, selects Pareto
  // points, saves the window and says the program may quit.
  void screenshotHarnessWaitsForTheRun() {
    ppui::MainWindow w;
    w.show();
    QVERIFY(w.openModel(model_));
    w.setDataFiles(data_, "");
    w.setTrials(6);
    ppui::ScreenshotHarness::Options o;
    o.exitWhenDone = o.selectFront = true;
    o.screenshot = tmp_.path() + "/harness.png";
    ppui::ScreenshotHarness harness(w, o);
    QSignalSpy done(&harness, &ppui::ScreenshotHarness::done);
    harness.begin();
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 120000);
    QCOMPARE(done[0][0].toInt(), 0);
    QCOMPARE(w.runController().state(), ppui::RunController::State::Finished);
    QVERIFY(QFileInfo(o.screenshot).size() > 0);
    QVERIFY(!w.selection().empty());
    for (int64_t key : w.selection()) QVERIFY(w.tableModel()->isOnFront(key));
    // The recommended picks are what it selects, each once.
    std::vector<int64_t> picks;
    for (const auto& p : w.picksBar()->picks())
      if (std::find(picks.begin(), picks.end(), p.second) == picks.end()) picks.push_back(p.second);
    QVERIFY(!picks.empty());
    QCOMPARE(w.selection(), picks);
    // A form that cannot start: said, and exit code 1.
    ppui::MainWindow empty;
    empty.openModel(tmp_.path() + "/nope");
    ppui::ScreenshotHarness refused(empty, o);
    QSignalSpy no(&refused, &ppui::ScreenshotHarness::done);
    refused.begin();
    QTRY_COMPARE_WITH_TIMEOUT(no.size(), 1, 10000);
    QCOMPARE(no[0][0].toInt(), 1);
    QCOMPARE(empty.runController().state(), ppui::RunController::State::Idle);
    QSettings().clear();
  }

  void controllerDestroyedMidSearch() {
    // Destroying the controller stops its search; the events it had queued
    // are dropped, not delivered to a dead object.
    {
      ppui::SearchController c;
      ppui::SearchSetup s = quickSetup(500);
      s.space = "per-layer";
      QVERIFY(c.start(s));
      QTRY_VERIFY_WITH_TIMEOUT(!c.trials().empty(), 30000);
    }
    QCoreApplication::processEvents();
    QCoreApplication::sendPostedEvents();
  }

  // A run header of the tiny model, as a search would write it.
  pp::RunHeader tinyRun() const {
    pp::RunHeader h;
    h.model = model_.toStdString();
    h.modelChecksum = pp::Model::load(h.model)->checksum();
    return h;
  }

  void exportDialogWritesTheModel() {
    pp::Trial t = fakeTrial(5, 0.2, 100);
    t.subnet.layers = {{2, 12}, {0, 0}};
    ppui::ExportDialog dlg(tinyRun(), QString(), t);
    const QString out = tmp_.path() + "/exported";
    dlg.setOutput(out);
    // It proposes the format that transformers 4 and 5 both load.
    auto* format = dlg.findChild<QComboBox*>("format");
    QVERIFY(format);
    QCOMPARE(format->currentData().toString(), QString("hf-any"));
    dlg.setFormat("hf");
    QSignalSpy done(&dlg, &ppui::ExportDialog::exportFinished);
    dlg.startExport();
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 30000);
    QVERIFY2(done[0][0].toBool(), dlg.message().toUtf8().constData());
    QVERIFY(dlg.message().contains(out));
    auto m = pp::Model::load(out.toStdString());
    QCOMPARE(m->config().num_hidden_layers, int64_t(1));
  }

  // The dialog offers ONNX and the any-version HF variant, and says what was checked.
  void exportDialogWritesOnnxAndHfAny() {
    pp::Trial t = fakeTrial(6, 0.2, 100);
    t.subnet.layers = {{2, 12}, {0, 20}};
    for (const char* fmt : {"onnx", "hf-any"}) {
      ppui::ExportDialog dlg(tinyRun(), QString(), t);
      const QString out = tmp_.path() + "/exported-" + fmt;
      dlg.setOutput(out);
      dlg.setFormat(fmt);
      QSignalSpy done(&dlg, &ppui::ExportDialog::exportFinished);
      dlg.startExport();
      QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 30000);
      QVERIFY2(done[0][0].toBool(), dlg.message().toUtf8().constData());
      if (QString(fmt) == "onnx") {
        QVERIFY(QFileInfo::exists(out + "/onnx/model.onnx"));
        QVERIFY(QFileInfo::exists(out + "/tokenizer.json"));
        QVERIFY2(dlg.message().contains("ONNX"), dlg.message().toUtf8().constData());
      } else {
        auto m = pp::Model::load(out.toStdString());
        QVERIFY(m->config().pruned_heads.empty());
        QCOMPARE(m->config().num_hidden_layers, int64_t(2));
      }
    }
  }

  // "Replace?" answered yes on a folder that no export wrote (a user's
  // notes in it): refused, naming what is there; the folder and its file
  // stay. An earlier export in the same place is replaced.
  void exportDialogReplacesOnlyExports() {
    pp::Trial t = fakeTrial(7, 0.2, 100);
    t.subnet.layers = {{2, 12}, {0, 0}};
    const QString out = tmp_.path() + "/users-folder";
    QVERIFY(QDir().mkpath(out));
    testutil::writeText((out + "/notes.txt").toStdString(), "mine");
    {
      ppui::ExportDialog dlg(tinyRun(), QString(), t);
      dlg.setOutput(out);
      dlg.setFormat("hf");
      QSignalSpy done(&dlg, &ppui::ExportDialog::exportFinished);
      dlg.startExport(true);  // what "Replace? Yes" does
      QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 30000);
      QVERIFY(!done[0][0].toBool());
      QVERIFY2(dlg.message().contains("not replaced") && dlg.message().contains("notes.txt"),
               dlg.message().toUtf8().constData());
      QCOMPARE(testutil::readText((out + "/notes.txt").toStdString()), std::string("mine"));
    }
    const QString again = tmp_.path() + "/export-twice";
    for (int i = 0; i < 2; ++i) {
      ppui::ExportDialog dlg(tinyRun(), QString(), t);
      dlg.setOutput(again);
      dlg.setFormat("hf");
      QSignalSpy done(&dlg, &ppui::ExportDialog::exportFinished);
      dlg.startExport(i == 1);
      QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 30000);
      QVERIFY2(done[0][0].toBool(), dlg.message().toUtf8().constData());
    }
    QVERIFY(QFileInfo::exists(again + "/model.safetensors"));
  }

  // The dialog refuses a trial of another model: the run's checksum is
  // checked before anything is written.
  void exportDialogRefusesAnotherModel() {
    pp::RunHeader h = tinyRun();
    h.modelChecksum = "0000000000000000";
    pp::Trial t = fakeTrial(6, 0.2, 100);
    ppui::ExportDialog dlg(h, "run.jsonl", t);
    const QString out = tmp_.path() + "/not-exported";
    dlg.setOutput(out);
    QSignalSpy done(&dlg, &ppui::ExportDialog::exportFinished);
    dlg.startExport();
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 30000);
    QVERIFY(!done[0][0].toBool());
    QVERIFY2(dlg.message().contains("another model"), dlg.message().toUtf8().constData());
    QVERIFY(!QFileInfo::exists(out));
  }

  // A search of model B, logged; then a window that has model A in its form
  // opens B's log: Export uses B (the log's model), not the form's or the
  // last search's. Saved trials resume like the original log.
  void openedLogExportsAndSavesItsOwnRun() {
    const QString modelB = tmp_.path() + "/tinyB";
    auto o = pp::TinyModelOptions::shaped(3, 16, 4, 24);
    o.seed = 5;
    pp::writeRandomModel(modelB.toStdString(), o);
    const QString log = tmp_.path() + "/runB.jsonl";
    QVERIFY(runLoggedSearch(modelB, log, 6));
    ppui::MainWindow w;
    QVERIFY(w.openModel(model_));
    QVERIFY2(w.showRunLog(log), w.findChild<QLabel*>("statusLine")->text().toUtf8().constData());
    const pp::Trial* t = w.tableModel()->trial(w.tableModel()->trials().back().id);
    QVERIFY(t);
    auto dlg = w.makeExportDialog(*t);
    QVERIFY(dlg);
    QCOMPARE(QFileInfo(dlg->modelDir()).canonicalFilePath(), QFileInfo(modelB).canonicalFilePath());
    // Save the trials elsewhere: the copy resumes (same model, space, data) and exports.
    const QString saved = tmp_.path() + "/savedB.jsonl";
    QString err;
    QVERIFY2(w.saveTrialsAs(saved, &err), err.toUtf8().constData());
    const pp::OpenedRunLog copy = pp::openRunLog(saved.toStdString());
    QCOMPARE(copy.log.trials.size(), size_t(6));
    QVERIFY(!copy.log.header.modelChecksum.empty());
    QVERIFY(!copy.log.header.dataFingerprint.empty());
    QVERIFY(copy.reference.has_value());
    pp::checkRunModel(copy.log.header, pp::Model::load(modelB.toStdString())->checksum(),
                      modelB.toStdString(), saved.toStdString());
    ppui::SearchController c;
    ppui::SearchSetup s = quickSetup(9);
    s.modelDir = modelB;
    s.logPath = saved;
    s.resume = true;
    QSignalSpy fin(&c, &ppui::SearchController::finished),
        failed(&c, &ppui::SearchController::failed);
    QVERIFY(c.start(s));
    QTRY_COMPARE_WITH_TIMEOUT(fin.size() + failed.size(), 1, 60000);
    QVERIFY2(failed.isEmpty(),
             failed.isEmpty() ? "" : failed[0][0].toString().toUtf8().constData());
    QCOMPARE(pp::readRunLog(saved.toStdString(), &copy.config).trials.size(), size_t(9));
  }

  // Damaged logs (fields of the wrong type or range, bytes cut or changed)
  // never abort the window: each is refused with one line naming the file
  // and the line, or shown.
  void damagedLogsNeverCrashTheWindow() {
    const QString log = tmp_.path() + "/fuzz-source.jsonl";
    QVERIFY(runLoggedSearch(model_, log, 4));
    const std::string valid = testutil::readText(log.toStdString());
    ppui::MainWindow w;
    auto* status = w.findChild<QLabel*>("statusLine");
    QVERIFY(status);
    const QString bad = tmp_.path() + "/damaged.jsonl";
    pp::Rng r(17);
    int refused = 0, shown = 0;
    for (int i = 0; i < 300; ++i) {
      testutil::writeText(bad.toStdString(), testutil::mutateJsonLines(valid, r));
      if (w.showRunLog(bad)) {
        ++shown;
      } else {
        ++refused;
        QVERIFY2(status->text().contains(bad), status->text().toUtf8().constData());
      }
    }
    qInfo("%d damaged logs refused with a message, %d shown", refused, shown);
    QVERIFY(refused > 100);
  }
};

QTEST_MAIN(TestMainWindow)
#include "test_mainwindow.moc"
