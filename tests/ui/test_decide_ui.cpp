// Deciding in the window: the set-up's Constraints field reaches the search
// (kept in the run log; a bad one refused with its one line), and File >
// Export report writes the run as a self-contained HTML file; the
// recommended picks of the run shown are buttons that select them.
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QtTest>

#include <algorithm>

#include "paretoprune/cpu/threads.h"
#include "paretoprune/model/random_model.h"
#include "paretoprune/search/constraint.h"
#include "paretoprune/search/recommend.h"
#include "paretoprune/search/run_log.h"
#include "testutil.h"
#include "ui/mainwindow.h"
#include "ui/picks_bar.h"
#include "ui/search_controller.h"
#include "ui/trial_table_model.h"

class TestDecideUi : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString model_, data_;

 private Q_SLOTS:
  void initTestCase() {
    QCoreApplication::setOrganizationName("ParetoPruneTest-decide");
    QSettings().clear();
    pp::setComputeThreads(1, 1);
    model_ = tmp_.path() + "/tiny";
    auto o = pp::TinyModelOptions::shaped(2, 16, 4, 24);
    o.seed = 4;
    pp::writeRandomModel(model_.toStdString(), o);
    std::string d = "sentence\tlabel\n";
    for (int i = 0; i < 40; ++i)
      d += std::string(i % 2 ? "good food" : "bad service") + " " + std::to_string(i) + "\t" +
           (i % 2 ? "positive" : "negative") + "\n";
    data_ = tmp_.path() + "/data.tsv";
    testutil::writeText(data_.toStdString(), d);
  }

  void constraintsFromTheForm() {
    ppui::MainWindow w;
    QVERIFY(w.openModel(model_));
    w.setDataFiles(data_, "");
    auto* edit = w.findChild<QLineEdit*>("constraints");
    QVERIFY(edit);
    edit->setText("size_mb<=big");
    QVERIFY(!w.startSearch());
    QVERIFY2(w.findChild<QLabel*>("statusLine")->text().contains("\"big\" is not a number"),
             w.findChild<QLabel*>("statusLine")->text().toUtf8().constData());
    edit->setText(" params_share<=0.9, accuracy_drop<=5 ");
    QCOMPARE(w.currentSetup().constraints, QString("params_share<=0.9, accuracy_drop<=5"));
  }

  void constrainedSearchAndReport() {
    ppui::SearchController c;
    ppui::SearchSetup s;
    s.modelDir = model_;
    s.dataFile = data_;
    s.trials = 6;
    s.latencyRuns = 0;
    s.maxLength = 16;
    s.strategy = "nsga2";
    s.constraints = "params_share<=0.9, accuracy_drop<=5";
    s.logPath = tmp_.path() + "/run.jsonl";
    QSignalSpy fin(&c, &ppui::SearchController::finished),
        failed(&c, &ppui::SearchController::failed);
    QVERIFY(c.start(s));
    QTRY_COMPARE_WITH_TIMEOUT(fin.size() + failed.size(), 1, 60000);
    QVERIFY2(failed.isEmpty(),
             failed.isEmpty() ? "" : failed[0][0].toString().toUtf8().constData());
    const auto run = pp::openRunLog(s.logPath.toStdString());
    QCOMPARE(run.log.header.constraints,
             std::vector<std::string>({"params_share<=0.9", "accuracy_drop<=5"}));
    ppui::MainWindow w;
    const QString out = tmp_.path() + "/report.html";
    QString err;
    QVERIFY2(w.exportReport(s.logPath, out, &err), err.toUtf8().constData());
    const std::string html = testutil::readText(out.toStdString());
    QVERIFY(html.find("<img alt='front chart' src='data:image/svg+xml;base64,") !=
            std::string::npos);
    QVERIFY(html.find("params_share&lt;=0.9") != std::string::npos);
    // The picks of the opened run, one click from selected.
    QVERIFY(w.showRunLog(s.logPath));
    // The table's Pareto set is the feasible front, as `front LOG` shows it.
    {
      const auto cs = pp::parseConstraints(run.log.header.constraints);
      std::vector<int64_t> expected, shown;
      for (size_t i : pp::feasibleParetoTrials(run.log.trials, run.log.header.objectives, cs,
                                               run.reference ? &*run.reference : nullptr))
        expected.push_back(run.log.trials[i].id);
      for (const auto& t : w.tableModel()->trials())
        if (t.id >= 0 && w.tableModel()->isOnFront(t.id)) shown.push_back(t.id);
      std::sort(expected.begin(), expected.end());
      std::sort(shown.begin(), shown.end());
      QCOMPARE(shown, expected);
    }
    // The form takes the run's constraints, so that Start continues it under them.
    QCOMPARE(w.currentSetup().constraints, QString("params_share<=0.9, accuracy_drop<=5"));
    QTRY_VERIFY_WITH_TIMEOUT(w.picksBar()->text().contains("knee: trial"), 5000);
    QVERIFY2(w.picksBar()->text().contains("Recommended (feasible only):"),
             w.picksBar()->text().toUtf8().constData());
    // A full model at chance level (this one is random) is said before the picks.
    const std::string chance =
        pp::chanceLevelNote(run.reference ? &*run.reference : nullptr, run.log.header.chanceError,
                            run.log.header.metric);
    QCOMPARE(w.picksBar()->text().startsWith("Warning: model at chance level"), !chance.empty());
    if (!chance.empty())
      QCOMPARE(w.picksBar()->findChild<QLabel*>()->toolTip(), QString::fromStdString(chance));
    auto* knee = w.picksBar()->findChild<QPushButton*>("pick_knee");
    QVERIFY(knee && !knee->isHidden());
    knee->click();
    QCOMPARE(w.selection().size(), size_t{1});
    QVERIFY2(knee->text().contains(QString("trial %1 ").arg(w.selection()[0])),
             knee->text().toUtf8().constData());
    QVERIFY(!w.exportReport(tmp_.path() + "/missing.jsonl", out, &err));
    QVERIFY2(err.contains("missing.jsonl"), err.toUtf8().constData());
  }
};

QTEST_MAIN(TestDecideUi)
#include "test_decide_ui.moc"
