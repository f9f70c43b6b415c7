// Recovery in the window, as a user does it: a tiny model (make-tiny's
// random model) and a short search; Recover... on two selected points
// through the Search menu's action and its dialog (a small budget, so it
// runs in seconds); the records core appends to the run log; the chart's
// arrows from each source to its recovered point; before and after in the
// table and the Selection tab; View > Pick again; a log with recovered
// records opened afresh shows its arrows at once; the same recovery again
// reuses the finished picks; Cancel mid-run stops at a checkpoint and leaves
// the log valid.
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QLineEdit>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTimer>
#include <QtTest>

#include <set>

#include <nlohmann/json.hpp>

#include "paretoprune/base/rng.h"
#include "paretoprune/cpu/threads.h"
#include "paretoprune/model/model_config.h"
#include "paretoprune/model/random_model.h"
#include "paretoprune/search/pick_again.h"
#include "paretoprune/search/recommend.h"
#include "paretoprune/search/run_log.h"
#include "testutil.h"
#include "ui/mainwindow.h"
#include "ui/pareto_chart.h"
#include "ui/picks_bar.h"
#include "ui/recover_actions.h"
#include "ui/recover_dialog.h"
#include "ui/search_controller.h"
#include "ui/trial_table_model.h"
#include "ui/trial_table_view.h"

namespace {
bool near(const QPointF& a, const QPointF& b) {
  return std::abs(a.x() - b.x()) < 1e-9 && std::abs(a.y() - b.y()) < 1e-9;
}
}  // namespace

class TestRecoverUi : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString model_, log_;
  std::vector<int64_t> picks_;

  // Sentences whose label follows one word, so training has something to learn.
  std::string sentences(int n, uint64_t seed) {
    pp::Rng rng(seed);
    const char* pos[] = {"good", "great", "fine"};
    const char* neg[] = {"bad", "awful", "poor"};
    std::string d = "sentence\tlabel\n";
    for (int i = 0; i < n; ++i) {
      const bool p = rng.bernoulli(0.5);
      d += std::string("the food was ") + (p ? pos[rng.index(3)] : neg[rng.index(3)]) + " " +
           std::to_string(i % 7) + (p ? "\tpositive\n" : "\tnegative\n");
    }
    return d;
  }
  pp::LogContents readLog() const {
    const auto cfg = pp::loadModelConfig(model_.toStdString() + "/config.json");
    return pp::readRunLog(log_.toStdString(), &cfg);
  }
  // Accepts the Recover dialog when it opens, with `steps` and `out`.
  static void acceptDialogSoon(int steps, const QString& out) {
    QTimer::singleShot(0, [steps, out] {
      auto* dlg = qobject_cast<ppui::RecoverDialog*>(QApplication::activeModalWidget());
      QVERIFY(dlg);
      // Beside the run log unless told.
      QVERIFY(dlg->findChild<QLineEdit*>("outDir")->text().endsWith("/run-recovered"));
      QVERIFY(dlg->findChild<QCheckBox*>("distill")->isChecked());
      dlg->findChild<QSpinBox*>("steps")->setValue(steps);
      dlg->findChild<QLineEdit*>("outDir")->setText(out);
      dlg->accept();
    });
  }

 private Q_SLOTS:
  void initTestCase() {
    QCoreApplication::setOrganizationName("ParetoPruneTest-recover-ui");
    QSettings().clear();
    pp::setComputeThreads(1, 1);
    model_ = tmp_.path() + "/tiny";
    auto o = pp::TinyModelOptions::shaped(2, 16, 4, 24);
    o.seed = 5;
    pp::writeRandomModel(model_.toStdString(), o);
    const QString data = tmp_.path() + "/data.tsv";
    testutil::writeText(data.toStdString(), sentences(160, 3));
    ppui::SearchController c;
    ppui::SearchSetup s;
    s.modelDir = model_;
    s.dataFile = data;
    s.trials = 8;
    s.latencyRuns = 0;
    s.maxLength = 16;
    s.logPath = log_ = tmp_.path() + "/run.jsonl";
    QSignalSpy fin(&c, &ppui::SearchController::finished),
        failed(&c, &ppui::SearchController::failed);
    QVERIFY(c.start(s));
    QTRY_COMPARE_WITH_TIMEOUT(fin.size() + failed.size(), 1, 120000);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed[0][0].toString()));
    for (const auto& t : readLog().trials)
      if (t.ok() && t.subnet.keptLayers() > 0 && picks_.size() < 2) picks_.push_back(t.id);
    QCOMPARE(picks_.size(), size_t{2});
  }

  void disabledWithTheReason() {
    ppui::MainWindow w;
    QAction* a = w.recovery()->recoverAction();
    QVERIFY(!a->isEnabled());
    QVERIFY2(a->toolTip().contains("Open a run log"), qPrintable(a->toolTip()));
    QVERIFY(w.showRunLog(log_));
    QVERIFY(!a->isEnabled());
    QVERIFY2(a->toolTip().contains("Select the points"), qPrintable(a->toolTip()));
    QVERIFY(!w.recovery()->pickAgainAction()->isEnabled());  // nothing recovered yet
    w.selectTrials({picks_[0]});
    QVERIFY(a->isEnabled());
    // Right-click on the chart or the table: the same action, its reason shown when disabled.
    for (QWidget* target : std::initializer_list<QWidget*>{w.chart(), w.tableView()}) {
      Q_EMIT target->customContextMenuRequested(QPoint(20, 20));
      QMenu* menu = nullptr;
      for (QMenu* m : target->findChildren<QMenu*>())
        if (m->actions().contains(a)) menu = m;
      QVERIFY(menu && menu->toolTipsVisible());
      QVERIFY(menu->actions().contains(w.recovery()->pickAgainAction()));
      menu->close();
    }
  }

  void recoverTwoPicks() {
    const size_t linesBefore = readLog().trials.size();
    {
      ppui::MainWindow w;
      QVERIFY(w.showRunLog(log_));
      w.selectTrials(picks_);
      QSignalSpy done(w.recovery(), &ppui::RecoverActions::finished);
      auto* progress = w.findChild<QProgressBar*>("recoverProgress");
      QVERIFY(progress);
      QSignalSpy barValues(progress, &QProgressBar::valueChanged);
      acceptDialogSoon(6, tmp_.path() + "/recovered");
      w.recovery()->recoverAction()->trigger();  // the dialog, accepted above
      QVERIFY(w.recovery()->running());
      QVERIFY(!w.recovery()->recoverAction()->isEnabled());  // one recovery at a time
      QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 240000);
      QVERIFY2(done[0][0].toBool(), qPrintable(done[0][1].toString()));
      // The bar only moves forward: each pick's probe, then its training.
      QVERIFY(barValues.size() > 2);
      for (qsizetype i = 1; i < barValues.size(); ++i)
        QVERIFY2(barValues[i][0].toInt() >= barValues[i - 1][0].toInt(),
                 qPrintable(QString("%1 after %2")
                                .arg(barValues[i][0].toInt())
                                .arg(barValues[i - 1][0].toInt())));
      // The records, as the CLI's recover writes them.
      const auto lc = readLog();
      QCOMPARE(lc.trials.size(), linesBefore);
      QCOMPARE(lc.recovered.size(), size_t{2});
      for (size_t i = 0; i < 2; ++i) {
        QCOMPARE(lc.recovered[i].source, picks_[i]);
        QCOMPARE(lc.recovered[i].method, std::string("distill"));
        QCOMPARE(lc.recovered[i].trial.subnet.summary(),
                 w.tableModel()->trial(picks_[i])->subnet.summary());
        QVERIFY(QFileInfo::exists(QString::fromStdString(lc.recovered[i].weights)));
      }
      checkShown(w, lc);
      // Before and after in the Selection tab, for the selected trial.
      const QString html = w.detailsHtml();
      QVERIFY2(html.contains("Recovered: before"), qPrintable(html));
      // Distilled with variants (the default): the how says how many, the
      // note says what chose the stopping step.
      const int64_t variants =
          lc.recovered[0].details["transfer_set"].value("variants", int64_t{0});
      QVERIFY(variants > 0);
      QVERIFY2(html.contains(QString("%1 variants labelled by the full model").arg(variants)),
               qPrintable(html));
      QVERIFY2(html.contains("agreement with the full model"), qPrintable(html));
      const pp::Trial* before = w.tableModel()->trial(picks_[0]);
      QVERIFY(html.contains(QString::number(100.0 * before->errorRate, 'f', 2) + "%"));
      QVERIFY(
          html.contains(QString::number(100.0 * lc.recovered[0].trial.errorRate, 'f', 2) + "%"));
      // Before and after in the table: the Recovered column beside the error.
      const auto* m = w.tableModel();
      const QString cell =
          m->index(m->rowOf(picks_[1]), ppui::TrialTableModel::Recovered).data().toString();
      QCOMPARE(cell, QString::number(lc.recovered[1].trial.errorRate, 'f', 4) + " distill");
      QVERIFY(!w.tableView()->isColumnHidden(ppui::TrialTableModel::Recovered));
      // Picking again: core's front over the trials and the recovered points.
      QAction* again = w.recovery()->pickAgainAction();
      QVERIFY(again->isEnabled());
      again->setChecked(true);
      const auto p = pp::pickAgain(lc.trials, lc.recovered, lc.header.objectives);
      const QList<QPointF> pts = w.chart()->pickedAgainPoints();
      QCOMPARE(pts.size(), static_cast<qsizetype>(p.front.size()));
      for (size_t i : p.front) {
        const QPointF v = w.chart()->valueOf(p.all[i]);
        QVERIFY(std::any_of(pts.begin(), pts.end(), [&](const QPointF& q) { return near(q, v); }));
      }
      // The table's "Pareto set only" filter and the picks follow it.
      std::set<int64_t> againIds;
      for (size_t i : p.front) againIds.insert(p.all[i].id);
      const auto& ids = w.runController().frontIds();
      const std::set<int64_t> searchFront(ids.begin(), ids.end());
      QCOMPARE(w.tableModel()->frontKeys(), againIds);
      std::vector<pp::Trial> shown;
      for (const auto& t : w.tableModel()->trials())
        if (t.id >= 0) shown.push_back(t);
      const size_t n = shown.size();
      for (const auto& r : lc.recovered) shown.push_back(r.trial);
      const auto& ref = w.runController().reference();
      const auto picks = pp::recommendPicks(shown, lc.header.objectives, {}, ref ? &*ref : nullptr);
      const QString bar = w.picksBar()->text();
      QVERIFY2(bar.contains("picked again over the recovered points"), qPrintable(bar));
      QVERIFY(!picks.empty());
      for (const auto& pk : picks) {
        const QString name = QString("trial %1").arg(shown[pk.index].id);
        QVERIFY2(bar.contains(name + (pk.index >= n ? " recovered (" : " (")), qPrintable(bar));
      }
      again->setChecked(false);
      QVERIFY(w.chart()->pickedAgainPoints().isEmpty());
      QCOMPARE(w.tableModel()->frontKeys(), searchFront);
      QVERIFY(!w.picksBar()->text().contains("picked again"));
      // The same points, folder and settings again: the finished picks are
      // reused, not trained or recorded twice.
      ppui::RecoverSettings same;
      same.budgetSteps = 6;
      same.outDir = tmp_.path() + "/recovered";
      QVERIFY(w.recovery()->start(same));
      QTRY_COMPARE_WITH_TIMEOUT(done.size(), 2, 120000);
      QVERIFY2(done[1][0].toBool(), qPrintable(done[1][1].toString()));
      QCOMPARE(done[1][1].toString().count("(finished earlier)"), 2);
      QCOMPARE(readLog().recovered.size(), size_t{2});
    }
    // Opened afresh: the arrows at once.
    ppui::MainWindow w2;
    QVERIFY(w2.showRunLog(log_));
    checkShown(w2, readLog());
  }

  void cancelLeavesTheLogValid() {
    const auto before = readLog();
    ppui::MainWindow w;
    QVERIFY(w.showRunLog(log_));
    const int64_t id = before.trials.back().id;
    w.selectTrials({id});
    QSignalSpy done(w.recovery(), &ppui::RecoverActions::finished);
    ppui::RecoverSettings s;
    s.budgetSteps = 4000;  // tens of seconds: the learning-rate probes, then training
    s.outDir = tmp_.path() + "/cancelled";
    QVERIFY(w.recovery()->start(s));
    // Cancelled in the main run (whose checks are checkpoints), not in a probe.
    QTRY_VERIFY_WITH_TIMEOUT(w.recovery()->lastMessage().contains(": train, step "), 240000);
    auto* cancel = w.findChild<QPushButton*>("recoverCancel");
    QVERIFY(cancel && !cancel->isHidden());
    cancel->click();
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 120000);
    QVERIFY(!done[0][0].toBool());
    QVERIFY2(done[0][1].toString().contains("stopped"), qPrintable(done[0][1].toString()));
    QVERIFY(cancel->isHidden());
    // Every line of the log still reads, nothing was added, and the pick's
    // checkpoint is there for the same folder to resume.
    const auto after = readLog();
    QCOMPARE(after.trials.size(), before.trials.size());
    QCOMPARE(after.recovered.size(), before.recovered.size());
    QCOMPARE(after.skippedLines, int64_t{0});
    QVERIFY(QFileInfo::exists(
        QString("%1/cancelled/trial-%2-distill/state/state.json").arg(tmp_.path()).arg(id)));
    QCOMPARE(w.chart()->recoveredCount(), static_cast<int>(before.recovered.size()));
  }

 private:
  // The chart's arrows: one per record, from the source's point to the recovered one's.
  void checkShown(ppui::MainWindow& w, const pp::LogContents& lc) {
    ppui::ParetoChart* chart = w.chart();
    chart->flushNow();
    // No frame (a random model errs about as often as chance), so every
    // point is drawn at its own value.
    chart->setChanceError(-1);
    QCOMPARE(chart->recoveredCount(), static_cast<int>(lc.recovered.size()));
    const QList<QLineF> arrows = chart->recoveredArrows();
    QCOMPARE(arrows.size(), static_cast<qsizetype>(lc.recovered.size()));
    for (size_t i = 0; i < lc.recovered.size(); ++i) {
      const pp::Trial* src = w.tableModel()->trial(lc.recovered[i].source);
      QVERIFY(src);
      QVERIFY(near(arrows[static_cast<qsizetype>(i)].p1(), chart->valueOf(*src)));
      QVERIFY(near(arrows[static_cast<qsizetype>(i)].p2(), chart->valueOf(lc.recovered[i].trial)));
      QCOMPARE(arrows[static_cast<qsizetype>(i)].p1().x(),
               arrows[static_cast<qsizetype>(i)].p2().x());
    }
    QTRY_VERIFY2(chart->legendEntries().join("|").contains("recovered"),
                 qPrintable(chart->legendEntries().join("|")));
  }
};

QTEST_MAIN(TestRecoverUi)
#include "test_recover_ui.moc"
