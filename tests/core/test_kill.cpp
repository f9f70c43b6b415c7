// Kills and resumes: `paretoprune-cli search --resume` killed with SIGKILL at
// seeded random moments, many times, then resumed to the end. Every trial
// that was in the log before a kill is there afterwards exactly once, the
// log always parses (a cut last line is skipped with a warning), and the
// resumed search completes the requested count with no sub-network twice.
#include <QProcess>
#include <QtTest>

#include <map>
#include <set>

#include "paretoprune/base/rng.h"
#include "paretoprune/formats/config.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/model_config.h"
#include "paretoprune/model/random_model.h"
#include "paretoprune/search/run_log.h"
#include "testutil.h"

class TestKill : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;

 private Q_SLOTS:
  void killLoopLosesNothing() {
    const std::string dir = tmp_.path().toStdString();
    auto o = pp::TinyModelOptions::shaped(4, 64, 4, 128);
    o.seed = 1;
    pp::writeRandomModel(dir + "/m", o);
    pp::Rng rng(42);
    const char* words[] = {"good",  "bad", "food", "service", "movie",
                           "great", "the", "was",  "very",    "not"};
    std::string data = "sentence\tlabel\n";
    for (int i = 0; i < 300; ++i) {
      for (int w = 0; w < 12; ++w) data += std::string(w ? " " : "") + words[rng.index(10)];
      data += i % 2 ? "\tpositive\n" : "\tnegative\n";
    }
    testutil::writeText(dir + "/d.tsv", data);
    const auto cfg = pp::loadModelConfig(dir + "/m/config.json");
    const std::string log = dir + "/run.jsonl";
    const int total = 1500;
    const QStringList args = {"search",         QString::fromStdString(dir + "/m"),
                              "--data",         QString::fromStdString(dir + "/d.tsv"),
                              "--trials",       QString::number(total),
                              "--space",        "per-layer",
                              "--workers",      "2",
                              "--latency-runs", "0",
                              "--log",          QString::fromStdString(log),
                              "--no-auto"};  // every trial: no convergence stop
    // The first run starts the log; every later one resumes it (--resume
    // refuses a log that does not exist yet).
    auto argsNow = [&] {
      return QFile::exists(QString::fromStdString(log)) ? args + QStringList{"--resume"} : args;
    };
    std::map<int64_t, std::string> seen;  // id -> sub-network, from every earlier look at the log
    int kills = 0, cutLines = 0;
    for (int round = 0; round < 12; ++round) {
      QProcess p;
      p.start(PARETOPRUNE_CLI, argsNow());
      QVERIFY(p.waitForStarted());
      const int waitMs = 300 + static_cast<int>(rng.index(700));
      if (p.waitForFinished(waitMs)) break;  // finished before the kill
      p.kill();                              // SIGKILL
      p.waitForFinished();
      ++kills;
      if (!QFile::exists(QString::fromStdString(log))) {
        QVERIFY(seen.empty());  // killed before it wrote anything: nothing to lose
        continue;
      }
      pp::LogContents lc = pp::readRunLog(log, &cfg);  // must parse
      cutLines += static_cast<int>(lc.warnings.size());
      std::map<int64_t, std::string> now;
      std::set<std::string> keys;
      for (const auto& t : lc.trials) {
        QVERIFY2(now.emplace(t.id, t.subnet.key()).second, "a trial id appears twice");
        QVERIFY2(keys.insert(t.subnet.key()).second, "a sub-network was evaluated twice");
      }
      for (const auto& [id, key] : seen) {
        auto it = now.find(id);
        QVERIFY2(it != now.end(), ("trial " + std::to_string(id) + " was lost").c_str());
        QCOMPARE(it->second, key);
      }
      seen = now;
    }
    // Resume to the end.
    QProcess p;
    p.start(PARETOPRUNE_CLI, argsNow());
    QVERIFY(p.waitForFinished(120000));
    QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    pp::LogContents lc = pp::readRunLog(log, &cfg);
    QCOMPARE(static_cast<int>(lc.trials.size()), total);
    std::set<std::string> keys;
    std::set<int64_t> ids;
    for (const auto& t : lc.trials) {
      keys.insert(t.subnet.key());
      ids.insert(t.id);
    }
    QCOMPARE(static_cast<int>(keys.size()), total);
    QCOMPARE(static_cast<int>(ids.size()), total);
    for (const auto& [id, key] : seen) QVERIFY(ids.count(id));
    QVERIFY2(kills >= 5, ("only " + std::to_string(kills) + " kills landed").c_str());
    qInfo("%d kills, %d cut last lines skipped, %zu trials before the last resume, 0 lost", kills,
          cutLines, seen.size());
  }
};

QTEST_GUILESS_MAIN(TestKill)
#include "test_kill.moc"
