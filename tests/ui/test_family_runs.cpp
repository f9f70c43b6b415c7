// A search on each family beyond BERT, from the command line to the
// window: `make-tiny --model-type F` writes a tiny random classifier of
// DistilBERT, RoBERTa, ELECTRA and XLM-RoBERTa; `search` runs a few
// trials into a log (trials of fewer layers, heads and units than the full
// model, each with its metrics); `front` shows its Pareto set; and the
// window, offscreen, opens the log and names the family in the set-up
// panel and the status line.
#include <QLabel>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "paretoprune/cpu/threads.h"
#include "paretoprune/model/model_config.h"
#include "paretoprune/search/run_log.h"
#include "testutil.h"
#include "ui/mainwindow.h"
#include "ui/trial_table_model.h"

using nlohmann::json;

class TestFamilyRuns : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString data_;

  testutil::Run cli(const QStringList& args) const {
    const testutil::Run r = testutil::runProgram(PARETOPRUNE_CLI, args, {}, 300000);
    if (r.code != 0) qWarning("%s", r.err.c_str());
    return r;
  }

 private Q_SLOTS:
  void initTestCase() {
    QCoreApplication::setOrganizationName("ParetoPruneTest-familyruns");
    pp::setComputeThreads(1, 1);
    std::string d = "sentence\tlabel\n";
    for (int i = 0; i < 24; ++i)
      d += std::string(i % 2 ? "good food, really" : "bad service at night") + " " +
           std::to_string(i) + "\t" + (i % 2 ? "1" : "0") + "\n";
    data_ = tmp_.path() + "/data.tsv";
    testutil::writeText(data_.toStdString(), d);
  }

  void searchAndWindow_data() {
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("family");
    QTest::newRow("distilbert") << "distilbert"
                                << "DistilBERT";
    QTest::newRow("roberta") << "roberta"
                             << "RoBERTa";
    QTest::newRow("electra") << "electra"
                             << "ELECTRA";
    QTest::newRow("xlm-roberta") << "xlm-roberta"
                                 << "XLM-RoBERTa";
  }

  void searchAndWindow() {
    QFETCH(QString, type);
    QFETCH(QString, family);
    const QString dir = tmp_.path() + "/" + type, log = tmp_.path() + "/" + type + ".jsonl";
    QCOMPARE(cli({"make-tiny", dir, "--model-type", type, "--layers", "3", "--seed", "4",
                  "--init-std", "0.2"})
                 .code,
             0);
    const auto se = cli({"search", dir, "--data", data_, "--val-split", "0.5", "--trials", "6",
                         "--workers", "1", "--strategy", "random", "--latency-runs", "0",
                         "--max-length", "32", "--log", log});
    QCOMPARE(se.code, 0);
    const pp::OpenedRunLog run = pp::openRunLog(log.toStdString());
    QCOMPARE(QString::fromStdString(run.config.model_type), type);
    QCOMPARE(run.log.header.metric, std::string("accuracy"));
    QVERIFY(run.reference);
    QCOMPARE(run.log.trials.size(), size_t{6});
    int smaller = 0;
    for (const auto& t : run.log.trials) {
      QVERIFY2(t.ok(), t.error.c_str());
      QVERIFY(t.params > 0 && t.params <= run.reference->params);
      QVERIFY(std::abs(t.errorRate - (1 - t.accuracy)) < 1e-12);
      smaller += t.params < run.reference->params;
    }
    QVERIFY(smaller >= 4);  // sub-networks, not the full model again

    const auto fr = cli({"--json", "front", log});
    QCOMPARE(fr.code, 0);
    const json front = json::parse(fr.out);
    QVERIFY(!front.empty() && front.size() <= 6);
    for (size_t i = 1; i < front.size(); ++i)  // fewer parameters cost error, never the reverse
      QVERIFY(front[i]["params"].get<int64_t>() == front[i - 1]["params"].get<int64_t>() ||
              (front[i]["params"] > front[i - 1]["params"]) ==
                  (front[i]["error"] <= front[i - 1]["error"]));
    const auto table = cli({"front", log});
    QVERIFY2(table.code == 0 && table.out.find("full") != std::string::npos, table.out.c_str());

    ppui::MainWindow w;
    QVERIFY2(w.showRunLog(log), qPrintable(w.findChild<QLabel*>("statusLine")->text()));
    QCOMPARE(w.tableModel()->trials().size(), size_t{6});
    const QString info = w.findChild<QLabel*>("modelInfo")->text();
    QVERIFY2(info.startsWith(family + ":"), qPrintable(info));
    const QString status = w.findChild<QLabel*>("statusLine")->text();
    QVERIFY2(status.contains("(" + family + "): 6 trials"), qPrintable(status));
  }
};

QTEST_MAIN(TestFamilyRuns)
#include "test_family_runs.moc"
