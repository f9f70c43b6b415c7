// Runs compared, end to end: three real searches of one model (made with
// the CLI; the third with a copy of the model in another folder), then
// `front --compare` (hypervolumes on one scale, the combined Pareto set as
// CSV naming each row's run, clear errors for bad input) and the window's
// overlay (three runs, hiding one, picking a point of another, exporting it
// with its own run's model, checksum checked). Also: an opened log shows
// the data files its run used, and the trials table reads on one line per
// row with its columns chosen and remembered.
#include <QComboBox>
#include <QDir>
#include <QHeaderView>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QMenu>
#include <QMessageBox>
#include <QProcess>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "paretoprune/base/pareto.h"
#include "paretoprune/model/model.h"
#include "paretoprune/runs/run_compare.h"
#include "paretoprune/search/run_log.h"
#include "testutil.h"
#include "ui/export_dialog.h"
#include "ui/hypervolume_chart.h"
#include "ui/mainwindow.h"
#include "ui/pareto_chart.h"
#include "ui/run_comparer.h"
#include "ui/trial_key.h"
#include "ui/trial_table_model.h"
#include "ui/trial_table_view.h"

using nlohmann::json;

namespace {
struct Run {
  int code = -1;
  std::string out, err;
};
Run cli(const QStringList& args) {
  QProcess p;
  p.start(PARETOPRUNE_CLI, args);
  p.waitForFinished(300000);
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
          p.readAllStandardOutput().toStdString(), p.readAllStandardError().toStdString()};
}
QString canonical(const QString& p) {
  return QFileInfo(p).canonicalFilePath();
}
}  // namespace

class TestCompare : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString modelA_, modelA2_, modelB_, data_, train_, val_;
  QStringList logs_;  // random, local (model A), nsga2 (the copy of A)
  QString logB_, logSplit_, logPerLayer_;
  std::vector<double> searchHv_;  // each run's hypervolume as its search printed it

  QString search(const QString& model, const QString& name, const QStringList& extra,
                 double* hv = nullptr) {
    const QString log = tmp_.path() + "/runs/" + name + ".jsonl";
    QStringList args{"--json", "search",       model, "--trials",  "12", "--latency-runs",
                     "0",      "--max-length", "16",  "--workers", "1",  "--log",
                     log};
    args << extra;
    if (!extra.contains("--data")) args << "--data" << data_;
    const Run r = cli(args);
    if (r.code != 0) qWarning("%s", r.err.c_str());
    if (hv && r.code == 0) *hv = json::parse(r.out)["hypervolume"].get<double>();
    return r.code == 0 ? log : QString();
  }

 private Q_SLOTS:
  void initTestCase() {
    QCoreApplication::setOrganizationName("ParetoPruneTest-compare");
    QSettings().clear();
    QDir(tmp_.path()).mkpath("runs");
    modelA_ = tmp_.path() + "/modelA";
    modelB_ = tmp_.path() + "/modelB";
    for (auto [dir, seed] : {std::pair{modelA_, "3"}, std::pair{modelB_, "4"}}) {
      const Run r = cli({"make-tiny", dir, "--layers", "2", "--hidden", "16", "--heads", "4",
                         "--intermediate", "32", "--seed", seed});
      QVERIFY2(r.code == 0, r.err.c_str());
    }
    // The same model in another folder: the same checksum, so its runs compare.
    modelA2_ = tmp_.path() + "/copy/modelA";
    QDir().mkpath(modelA2_);
    for (const QString& f : QDir(modelA_).entryList(QDir::Files))
      QVERIFY(QFile::copy(modelA_ + "/" + f, modelA2_ + "/" + f));
    std::string d = "sentence\tlabel\n", tr = d, va = d;
    for (int i = 0; i < 40; ++i) {
      const std::string row = std::string(i % 2 ? "good food" : "bad service") + " " +
                              std::to_string(i) + "\t" + (i % 2 ? "positive" : "negative") + "\n";
      d += row;
      (i < 28 ? tr : va) += row;
    }
    data_ = tmp_.path() + "/data.tsv";
    train_ = tmp_.path() + "/train.tsv";
    val_ = tmp_.path() + "/val.tsv";
    testutil::writeText(data_.toStdString(), d);
    testutil::writeText(train_.toStdString(), tr);
    testutil::writeText(val_.toStdString(), va);
    searchHv_.assign(3, -1);
    logs_ << search(modelA_, "random", {"--strategy", "random", "--seed", "1"}, &searchHv_[0])
          << search(modelA_, "local", {"--strategy", "local", "--seed", "2"}, &searchHv_[1])
          << search(modelA2_, "nsga2", {"--strategy", "nsga2", "--seed", "3"}, &searchHv_[2]);
    logB_ = search(modelB_, "other-model", {"--strategy", "random"});
    logSplit_ = search(modelA_, "own-validation",
                       {"--strategy", "random", "--data", train_, "--validation", val_});
    logPerLayer_ = search(modelA_, "per-layer", {"--strategy", "random", "--space", "per-layer"});
    for (const QString& l : logs_ + QStringList{logB_, logSplit_, logPerLayer_})
      QVERIFY(!l.isEmpty());
  }

  // The runs share one scale; when they searched the same space, that scale
  // is each run's own, so every hypervolume equals the one its search printed.
  void sharedScale() {
    std::vector<std::string> paths;
    for (const QString& l : logs_) paths.push_back(l.toStdString());
    const pp::RunComparison cmp = pp::compareRuns(paths);
    QCOMPARE(cmp.runs.size(), size_t(3));
    QCOMPARE(cmp.runs[2].label, std::string("nsga2"));
    QCOMPARE(cmp.runs[2].run.modelDir, modelA2_.toStdString());
    for (size_t i = 0; i < 3; ++i) {
      QVERIFY2(std::abs(cmp.runs[i].hypervolume - searchHv_[i]) < 1e-9,
               qPrintable(QString("%1 vs %2").arg(cmp.runs[i].hypervolume).arg(searchHv_[i])));
      QCOMPARE(cmp.runs[i].hypervolumeByTrial.size(), size_t(12));
      QVERIFY(std::is_sorted(cmp.runs[i].hypervolumeByTrial.begin(),
                             cmp.runs[i].hypervolumeByTrial.end()));
    }
    // The combined set: non-dominated among every trial of every run.
    std::vector<pp::Point> all;
    for (const auto& r : cmp.runs)
      for (const auto& t : r.run.log.trials)
        if (t.ok()) all.push_back(pp::objectiveVector(t, cmp.objectives));
    QVERIFY(!cmp.combinedFront.empty());
    for (const auto& m : cmp.combinedFront) {
      const pp::Point p =
          pp::objectiveVector(cmp.runs[m.run].run.log.trials[m.trial], cmp.objectives);
      for (const auto& q : all) QVERIFY(!pp::dominates(q, p));
    }
    // A run of another space moves the shared lower bound: the scale is shared, not each run's.
    const pp::RunComparison wider = pp::compareRuns({paths[0], logPerLayer_.toStdString()});
    const pp::RunComparison own = pp::compareRuns({paths[0], paths[1]});
    QVERIFY(wider.normalizer.lo[1] <= own.normalizer.lo[1]);
    QCOMPARE(wider.normalizer.hi, own.normalizer.hi);
  }

  void frontCompareCli() {
    const QString csv = tmp_.path() + "/combined.csv";
    Run r = cli({"front", "--compare", logs_[0], logs_[1], logs_[2], "--out", csv});
    QVERIFY2(r.code == 0, r.err.c_str());
    for (const char* label : {"random", "local", "nsga2"})
      QVERIFY2(r.out.find(label) != std::string::npos, r.out.c_str());
    QVERIFY2(r.out.find("reference point 1.1") != std::string::npos, r.out.c_str());
    // Runs made with --latency-runs 0 say so ("0.00 ms" before).
    QVERIFY2(r.out.find("not measured") != std::string::npos, r.out.c_str());
    QVERIFY2(r.out.find("0.00 ms") == std::string::npos, r.out.c_str());
    QVERIFY2(r.err.find("wrote the Pareto set of all runs") != std::string::npos, r.err.c_str());
    // The JSON says the same numbers; the CSV holds the combined set, each row naming its run and
    // log.
    Run j = cli({"--json", "front", "--compare", logs_[0], logs_[1], logs_[2]});
    QVERIFY2(j.code == 0, j.err.c_str());
    const json out = json::parse(j.out);
    QCOMPARE(out["runs"].size(), size_t(3));
    for (size_t i = 0; i < 3; ++i) {
      QVERIFY(std::abs(out["runs"][i]["hypervolume"].get<double>() - searchHv_[i]) < 1e-9);
      char hv[32];
      std::snprintf(hv, sizeof hv, "%.4f", searchHv_[i]);
      QVERIFY2(r.out.find(hv) != std::string::npos, r.out.c_str());
    }
    const std::string text = testutil::readText(csv.toStdString());
    QStringList lines = QString::fromStdString(text).split('\n', Qt::SkipEmptyParts);
    QVERIFY(lines.size() >= 2);
    QVERIFY2(lines[0].startsWith("run,log,trial,"), qPrintable(lines[0]));
    lines.removeFirst();
    QCOMPARE(static_cast<size_t>(lines.size()), out["combined_front"].size());
    std::set<std::string> runsSeen;
    for (int i = 0; i < lines.size(); ++i) {
      const std::string run = out["combined_front"][static_cast<size_t>(i)]["run"];
      QVERIFY2(lines[i].startsWith("\"" + QString::fromStdString(run) + "\","),
               qPrintable(lines[i]));
      runsSeen.insert(run);
    }
    QVERIFY(!runsSeen.empty());
    // --csv: the same rows on stdout.
    Run c = cli({"front", "--compare", logs_[0], logs_[1], logs_[2], "--csv"});
    QCOMPARE(c.code, 0);
    QCOMPARE(c.out, text);
  }

  void frontCompareRefusesBadInput() {
    Run one = cli({"front", "--compare", logs_[0]});
    QCOMPARE(one.code, 1);
    QVERIFY2(one.err.find("needs two runs") != std::string::npos, one.err.c_str());
    const QString missing = tmp_.path() + "/runs/missing.jsonl";
    Run gone = cli({"front", "--compare", logs_[0], missing});
    QVERIFY(gone.code != 0);
    QVERIFY2(gone.err.find("missing.jsonl") != std::string::npos, gone.err.c_str());
    Run other = cli({"front", "--compare", logs_[0], logB_});
    QCOMPARE(other.code, 1);
    QVERIFY2(other.err.find("another model") != std::string::npos &&
                 other.err.find("other-model.jsonl") != std::string::npos,
             other.err.c_str());
    QCOMPARE(std::count(other.err.begin(), other.err.end(), '\n'), 1L);  // one line
    Run two = cli({"front", logs_[0], logs_[1]});
    QCOMPARE(two.code, 1);
    QVERIFY2(two.err.find("front --compare") != std::string::npos, two.err.c_str());
    Run all = cli({"front", "--compare", "--all", logs_[0], logs_[1]});
    QVERIFY(all.code != 0);
    Run out = cli({"front", "--compare", logs_[0], logs_[1], "--out", "/nonexistent-dir/x.csv"});
    QCOMPARE(out.code, 1);
    QVERIFY2(out.err.find("/nonexistent-dir/x.csv") != std::string::npos, out.err.c_str());
  }

  void windowOverlaysThreeRuns() {
    ppui::MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    auto* status = w.findChild<QLabel*>("statusLine");
    QVERIFY2(w.compareRuns(logs_), qPrintable(status->text()));
    const pp::RunComparison& cmp = *w.comparer()->comparison();
    ppui::ParetoChart* chart = w.chart();
    QCOMPARE(chart->runCount(), 3);
    QTRY_COMPARE(chart->legendEntries().mid(0, 3), (QStringList{"random", "local", "nsga2"}));
    QCOMPARE(w.hypervolumeChart()->curveCount(), 3);
    for (int i = 0; i < 3; ++i) QCOMPARE(w.hypervolumeChart()->curvePoints(i), 12);
    QCOMPARE(w.tableModel()->rowCount(), 36);
    QVERIFY(!w.tableView()->isColumnHidden(ppui::TrialTableModel::Run));
    QVERIFY2(status->text().contains("3 runs compared"), qPrintable(status->text()));
    // Every column fits at the default size, the Run column included.
    w.tableView()->fitColumns();
    QCOMPARE(w.tableView()->horizontalScrollBar()->maximum(), 0);
    // The table's run filter.
    auto* filter = w.findChild<QComboBox*>("runFilter");
    QVERIFY(filter && filter->isVisible());
    filter->setCurrentIndex(2);  // local
    QCOMPARE(w.tableView()->model()->rowCount(), 12);
    for (int r = 0; r < 12; ++r)
      QCOMPARE(w.tableView()->model()->index(r, ppui::TrialTableModel::Run).data().toString(),
               QString("local"));
    filter->setCurrentIndex(0);
    QCOMPARE(w.tableView()->model()->rowCount(), 36);

    // Hide run 0 from its legend entry: its points and its hypervolume curve go.
    QLegendMarker* entry = nullptr;
    for (auto* m : chart->chart()->legend()->markers())
      if (m->label() == "random") entry = m;
    QVERIFY(entry);
    Q_EMIT entry->clicked();
    QVERIFY(!chart->runVisible(0));
    QVERIFY(!w.hypervolumeChart()->curveVisible(0) && w.hypervolumeChart()->curveVisible(2));

    // Pick a point of run 2 (the copy of the model) with the mouse.
    int64_t key = ppui::ParetoChart::kNone;
    QPoint at;
    for (const pp::Trial& t : cmp.runs[2].run.log.trials) {
      if (chart->trialAt(chart->valueOf(t)) != ppui::trialKey(2, t.id))
        continue;  // another run's point on top
      key = ppui::trialKey(2, t.id);
      at = chart->mapFromScene(
          chart->chart()->mapToScene(chart->chart()->mapToPosition(chart->valueOf(t))));
      break;
    }
    QVERIFY(key != ppui::ParetoChart::kNone);
    QTest::mouseClick(chart->viewport(), Qt::LeftButton, {}, at);
    QTRY_COMPARE(w.selection(), (std::vector<int64_t>{key}));
    const QString picked = QString("trial %1 of run nsga2").arg(ppui::idOfKey(key));
    QVERIFY2(status->text().contains(picked), qPrintable(status->text()));
    QVERIFY2(w.detailsHtml().contains(picked), qPrintable(w.detailsHtml()));
    QCOMPARE(w.tableView()->selectionModel()->selectedRows().size(), 1);

    // Export it: with its own run's model (the copy), not the form's.
    auto dlg = w.makeExportDialogFor(key);
    QVERIFY(dlg);
    QCOMPARE(canonical(dlg->modelDir()), canonical(modelA2_));
    QCOMPARE(canonical(w.currentSetup().modelDir), canonical(modelA_));
    const QString outDir = tmp_.path() + "/exported-from-nsga2";
    dlg->setOutput(outDir);
    QSignalSpy done(dlg.get(), &ppui::ExportDialog::exportFinished);
    dlg->startExport();
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 60000);
    QVERIFY2(done[0][0].toBool(), qPrintable(dlg->message()));
    const pp::Trial* t = w.tableModel()->trial(key);
    QVERIFY(t);
    QCOMPARE(pp::Model::load(outDir.toStdString())->config().num_hidden_layers,
             t->subnet.keptLayers());
    // That run's model changes on disk: the checksum no longer matches, nothing is written.
    QVERIFY(QFile::remove(modelA2_ + "/model.safetensors"));
    QVERIFY(QFile::copy(modelB_ + "/model.safetensors", modelA2_ + "/model.safetensors"));
    auto again = w.makeExportDialogFor(key);
    again->setOutput(tmp_.path() + "/not-exported");
    QSignalSpy refused(again.get(), &ppui::ExportDialog::exportFinished);
    again->startExport();
    QTRY_COMPARE_WITH_TIMEOUT(refused.size(), 1, 60000);
    QVERIFY(!refused[0][0].toBool());
    QVERIFY2(again->message().contains("another model"), qPrintable(again->message()));
    QVERIFY(!QFileInfo::exists(tmp_.path() + "/not-exported"));
    QVERIFY(QFile::remove(modelA2_ + "/model.safetensors"));
    QVERIFY(QFile::copy(modelA_ + "/model.safetensors", modelA2_ + "/model.safetensors"));

    // A run of another model is refused; what was shown stays.
    QVERIFY(!w.compareRuns({logs_[0], logB_}));
    QVERIFY2(status->text().contains("another model"), qPrintable(status->text()));
    QCOMPARE(chart->runCount(), 3);
    // Opening one log: one run again.
    QVERIFY(w.showRunLog(logs_[0]));
    QCOMPARE(chart->runCount(), 1);
    QVERIFY(w.tableView()->isColumnHidden(ppui::TrialTableModel::Run));
    QVERIFY(!filter->isVisible());
    QCOMPARE(w.hypervolumeChart()->curveCount(), 1);
  }

  // Runs judged on other validation examples: said in a dialog (not only in
  // the status line), and each run's own full model drawn where it differs.
  void otherValidationSaidAndDrawn() {
    ppui::MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    auto warned = [&w] {
      for (auto* b : w.findChildren<QMessageBox*>("comparisonWarning"))
        if (b->isVisible()) return b;
      return static_cast<QMessageBox*>(nullptr);
    };
    QVERIFY(w.compareRuns(logs_.mid(0, 2)));
    QVERIFY(!warned());  // the same data: nothing to say
    QVERIFY(w.chart()->runReferencePoints().isEmpty());
    QVERIFY(w.compareRuns({logs_[0], logSplit_}));
    QTRY_VERIFY(warned());
    QVERIFY2(warned()->text().contains("other validation examples"), qPrintable(warned()->text()));
    const pp::RunComparison& cmp = *w.comparer()->comparison();
    QVERIFY(cmp.runs[0].run.reference && cmp.runs[1].run.reference);
    const bool differ =
        cmp.runs[0].run.reference->errorRate != cmp.runs[1].run.reference->errorRate;
    const QList<QPointF> own = w.chart()->runReferencePoints();
    QCOMPARE(own.size(), differ ? 1 : 0);
    if (differ) QCOMPARE(own[0], w.chart()->valueOf(*cmp.runs[1].run.reference));
    warned()->close();
  }

  // The set-up shows the data the run used: its data file, and its
  // validation file only when it had one.
  void openedLogShowsItsData() {
    ppui::MainWindow w;
    QVERIFY(w.showRunLog(logSplit_));
    QCOMPARE(canonical(w.currentSetup().dataFile), canonical(train_));
    QCOMPARE(canonical(w.currentSetup().validationFile), canonical(val_));
    QVERIFY(w.showRunLog(logs_[0]));
    QCOMPARE(canonical(w.currentSetup().dataFile), canonical(data_));
    QVERIFY(w.currentSetup().validationFile.isEmpty());
  }

  // One line per row, every column readable at the default window size, the
  // visible columns chosen from the header and remembered.
  void trialsTableReads() {
    {
      ppui::MainWindow w;
      w.show();
      QVERIFY(QTest::qWaitForWindowExposed(&w));
      QVERIFY(w.showRunLog(logPerLayer_));
      ppui::TrialTableView* v = w.tableView();
      v->fitColumns();
      QVERIFY(!v->wordWrap());
      const int line = v->fontMetrics().height();
      for (int r = 0; r < v->model()->rowCount(); ++r) QVERIFY(v->rowHeight(r) < 2 * line);
      // The sub-network column shows its whole text.
      const int sub = ppui::TrialTableModel::SubNet;
      for (int r = 0; r < v->model()->rowCount(); ++r) {
        const QString s = v->model()->index(r, sub).data().toString();
        QVERIFY2(v->fontMetrics().horizontalAdvance(s) < v->columnWidth(sub), qPrintable(s));
      }
      // Nothing is cut: no horizontal scrolling, the last column as wide as its content.
      QCOMPARE(v->horizontalScrollBar()->maximum(), 0);
      const int last = ppui::TrialTableModel::Status;
      QVERIFY(v->columnWidth(last) >= v->contentWidth(last));
      // The evaluation time is hidden by default; show it, hide the share, from the header menu.
      QMenu* menu = v->columnMenu();
      QAction *eval = nullptr, *share = nullptr;
      for (QAction* a : menu->actions()) {
        if (a->text() == "Eval time") eval = a;
        if (a->text() == "Share") share = a;
      }
      QVERIFY(eval && share && !eval->isChecked() && share->isChecked());
      QVERIFY(v->isColumnHidden(ppui::TrialTableModel::EvalTime));
      eval->setChecked(true);
      share->setChecked(false);
      QVERIFY(!v->isColumnHidden(ppui::TrialTableModel::EvalTime));
      QVERIFY(v->isColumnHidden(ppui::TrialTableModel::Share));
    }
    {
      ppui::MainWindow w;  // remembered
      QVERIFY(!w.tableView()->isColumnHidden(ppui::TrialTableModel::EvalTime));
      QVERIFY(w.tableView()->isColumnHidden(ppui::TrialTableModel::Share));
      w.tableView()->setColumnWanted(ppui::TrialTableModel::Share, true);
      QVERIFY(!w.tableView()->isColumnHidden(ppui::TrialTableModel::Share));
    }
    QSettings().remove("trialsTable/hiddenColumns");
  }
};

QTEST_MAIN(TestCompare)
#include "test_compare.moc"
