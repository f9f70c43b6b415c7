// Distributed studies on a real PostgreSQL server (scripts/pg-local.sh, as
// `nobody` when run as root, on 127.0.0.1) with real processes: a driver and
// three workers finish a study with every trial evaluated once and results
// equal to a single process's; workers killed at random moments, a
// connection cut from the server and the driver killed and restarted lose
// nothing; eight claimers racing get distinct trials; a study under
// constraints keeps them; bad input gets one-line errors.
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QSignalSpy>
#include <QtTest>

#include <csignal>
#include <map>
#include <set>
#include <thread>

#include "paretoprune/base/rng.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"
#include "paretoprune/runs/study.h"
#include "paretoprune/runs/study_store.h"
#include "testutil.h"
#include "ui/export_dialog.h"
#include "ui/mainwindow.h"
#include "ui/run_comparer.h"
#include "ui/trial_key.h"
#include "ui/trial_table_model.h"

namespace {
struct Run {
  int code = -1;
  std::string out, err;
};

Run runTool(const QString& program, const QStringList& args, int timeoutMs = 120000) {
  QProcess p;
  p.start(program, args);
  p.waitForFinished(timeoutMs);
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
          p.readAllStandardOutput().toStdString(), p.readAllStandardError().toStdString()};
}
}  // namespace

class TestStudy : public QObject {
  Q_OBJECT
  QString dir_, model_, data_, url_;
  int port_ = 0;

  QStringList searchArgs(const QString& study, int trials, const QString& lease = "30") const {
    return {"search",
            model_,
            "--data",
            data_,
            "--storage",
            url_,
            "--study",
            study,
            "--trials",
            QString::number(trials),
            "--latency-runs",
            "0",
            "--max-length",
            "16",
            "--no-auto",
            "--strategy",
            "random",
            "--lease",
            lease};
  }
  QStringList workerArgs(const QString& study, const QString& lease = "30") const {
    return {"worker", "--storage", url_, "--study", study, "--lease", lease, "--idle-exit", "60"};
  }
  // Every trial of a finished study: done, ids and sub-networks unique.
  std::vector<pp::Trial> checkComplete(const QString& study, size_t expected) {
    const pp::OpenedRunLog r = pp::openStudy(url_.toStdString(), study.toStdString());
    std::set<int64_t> ids;
    std::set<std::string> keys;
    for (const auto& t : r.log.trials) {
      ids.insert(t.id);
      keys.insert(t.subnet.key());
    }
    if (r.log.trials.size() != expected || ids.size() != expected || keys.size() != expected)
      qWarning("trials %zu, ids %zu, keys %zu, expected %zu", r.log.trials.size(), ids.size(),
               keys.size(), expected);
    [&] {
      QCOMPARE(r.log.trials.size(), expected);
      QCOMPARE(ids.size(), expected);
      QCOMPARE(keys.size(), expected);
    }();
    return r.log.trials;
  }

 private Q_SLOTS:
  void initTestCase() {
    // A folder `nobody` can reach (the server refuses to run as root).
    // Below Linux's ephemeral ports (32768 and up), which any client socket
    // may hold: a port there was taken once in ten runs.
    port_ = 20000 + static_cast<int>(QCoreApplication::applicationPid() % 12000);
    dir_ = QString("/tmp/pp-study-test-%1").arg(QCoreApplication::applicationPid());
    QDir(dir_).removeRecursively();
    QVERIFY(QDir().mkpath(dir_));
    auto s = runTool(PARETOPRUNE_SOURCE_DIR "/scripts/pg-local.sh",
                     {"start", dir_ + "/pg", QString::number(port_)});
    QVERIFY2(s.code == 0, s.err.c_str());
    url_ = QString::fromStdString(s.out).trimmed();
    // The server asks every client for a password (scram); libpq finds it
    // in the pass file, so that no password is on a command line.
    qputenv("PGPASSFILE", (dir_ + "/pg/pgpass").toUtf8());
    model_ = dir_ + "/m";
    auto m = runTool(PARETOPRUNE_CLI, {"make-tiny", model_, "--layers", "3", "--hidden", "16",
                                       "--heads", "4", "--intermediate", "48", "--seed", "4"});
    QVERIFY2(m.code == 0, m.err.c_str());
    std::string d = "sentence\tlabel\n";
    const char* words[] = {"good", "bad", "food", "service", "movie", "great", "not"};
    pp::Rng rng(2);
    for (int i = 0; i < 60; ++i) {
      for (int w = 0; w < 3 + i % 5; ++w) d += std::string(w ? " " : "") + words[rng.index(7)];
      d += i % 2 ? "\tpositive\n" : "\tnegative\n";
    }
    data_ = dir_ + "/d.tsv";
    testutil::writeText(data_.toStdString(), d);
  }

  void cleanupTestCase() {
    runTool(PARETOPRUNE_SOURCE_DIR "/scripts/pg-local.sh", {"stop", dir_ + "/pg"});
    QDir(dir_).removeRecursively();
  }

  // A driver and three worker processes: 200 trials, each evaluated once,
  // with the same results as one process evaluating them.
  void driverAndThreeWorkers() {
    std::vector<std::unique_ptr<QProcess>> workers;
    for (int i = 0; i < 3; ++i) {
      workers.push_back(std::make_unique<QProcess>());
      workers.back()->start(PARETOPRUNE_CLI,
                            workerArgs("three"));  // before the driver: they wait for the study
    }
    auto d = runTool(PARETOPRUNE_CLI, searchArgs("three", 200), 300000);
    QVERIFY2(d.code == 0, d.err.c_str());
    QVERIFY2(d.out.find("all trials done: 200 trials") != std::string::npos, d.out.c_str());
    int64_t evaluated = 0;
    for (auto& w : workers) {
      QVERIFY(w->state() == QProcess::NotRunning || w->waitForFinished(60000));
      QCOMPARE(w->exitCode(), 0);
      const std::string err = w->readAllStandardError().toStdString();
      evaluated += std::stoll(err.substr(err.find("worker: ") + 8));
    }
    QCOMPARE(evaluated, int64_t(200));
    const auto trials = checkComplete("three", 200);
    // Polled as the window follows a study: the rows finished since a
    // sequence number, in completion order; nothing after the last one read.
    {
      pp::StudyStore store(url_.toStdString());
      const int64_t id = store.findStudy("three")->id;
      const auto rows = store.trials(id);
      QCOMPARE(rows.size(), size_t(200));
      const auto later = store.trials(id, rows[99].seq);
      QCOMPARE(later.size(), size_t(100));
      for (size_t i = 0; i < later.size(); ++i) QCOMPARE(later[i].id, rows[100 + i].id);
      const pp::StudyPoll all = pp::pollStudy(url_.toStdString(), "three", "", -1);
      QCOMPARE(all.run.log.trials.size(), size_t(200));
      QCOMPARE(all.lastSeq, rows.back().seq);
      const pp::StudyPoll none = pp::pollStudy(url_.toStdString(), "three", "", all.lastSeq);
      QCOMPARE(none.run.log.trials.size(), size_t(0));
      QCOMPARE(none.lastSeq, all.lastSeq);
      QVERIFY(none.run.reference.has_value());  // the header and full model still come
    }
    // The same sub-networks in this process: the same metrics.
    auto model = pp::Model::load(model_.toStdString());
    const pp::OpenedRunLog r = pp::openStudy(url_.toStdString(), "three");
    const pp::Dataset val = r.log.header.data.validationSet(model->config());
    QCOMPARE(pp::dataFingerprint(val), r.log.header.dataFingerprint);
    const pp::EncodedData enc(*model, val, pp::EncodeOptions{16, 32, true});
    pp::EvalOptions eo;
    eo.measureLatency = false;
    for (size_t i = 0; i < trials.size(); i += 7) {
      const auto mine = pp::evaluate(*model, trials[i].subnet, enc, eo);
      QCOMPARE(trials[i].accuracy, mine.metrics.accuracy);
      QCOMPARE(trials[i].params, mine.params);
      QCOMPARE(trials[i].flops, mine.flops);
    }
    // Written to a run log and read back as one.
    const QString log = dir_ + "/three.jsonl";
    auto e = runTool(PARETOPRUNE_CLI,
                     {"study", "export-log", "--storage", url_, "--study", "three", "--out", log});
    QVERIFY2(e.code == 0, e.err.c_str());
    QCOMPARE(pp::openRunLog(log.toStdString()).log.trials.size(), size_t(200));
    auto im = runTool(PARETOPRUNE_CLI,
                      {"study", "import-log", "--storage", url_, "--study", "imported", log});
    QVERIFY2(im.code == 0, im.err.c_str());
    checkComplete("imported", 200);
    auto f = runTool(PARETOPRUNE_CLI, {"front", "--storage", url_, "--study", "three"});
    QVERIFY2(f.code == 0 && f.out.find("  full  ") != std::string::npos, f.err.c_str());
  }

  // Constraints in a study: kept in its header (every driver session and
  // `front` read them there), met by every proposal where they are counted
  // from the shape, the driver's front feasible; a driver with other
  // constraints is refused, as a run log's resume is.
  void constrainedStudy() {
    QProcess worker;
    worker.start(PARETOPRUNE_CLI, workerArgs("bounded"));
    QStringList args = searchArgs("bounded", 20);
    args << "--constraint"
         << "flops_share<=0.5"
         << "--constraint"
         << "accuracy_drop<=30";
    auto d = runTool(PARETOPRUNE_CLI, args, 300000);
    QVERIFY2(d.code == 0, d.err.c_str());
    QVERIFY2(d.out.find("feasible trials only: flops_share<=0.5, accuracy_drop<=30") !=
                 std::string::npos,
             d.out.c_str());
    const auto trials = checkComplete("bounded", 20);
    const pp::OpenedRunLog r = pp::openStudy(url_.toStdString(), "bounded");
    QCOMPARE(r.log.header.constraints,
             (std::vector<std::string>{"flops_share<=0.5", "accuracy_drop<=30"}));
    QVERIFY(r.reference.has_value());
    const double limit = 0.5 * static_cast<double>(r.reference->flops);
    for (const auto& t : trials) QVERIFY(static_cast<double>(t.flops) <= limit);
    // The limit bites: random members of the study's space go above it.
    const auto space = pp::SearchSpace::fromJson(r.log.header.space, r.config);
    pp::Rng rng(3);
    int above = 0;
    for (int i = 0; i < 50; ++i)
      above += static_cast<double>(
                   pp::flopCount(r.config, space.sample(rng), r.log.header.flopsLength)) > limit;
    QVERIFY2(above > 5, std::to_string(above).c_str());
    auto f = runTool(PARETOPRUNE_CLI, {"front", "--storage", url_, "--study", "bounded"});
    QVERIFY2(f.code == 0, f.err.c_str());
    QVERIFY2(f.out.find("Feasible trials only: flops_share<=0.5, accuracy_drop<=30") !=
                 std::string::npos,
             f.out.c_str());
    args = searchArgs("bounded", 30);
    args << "--constraint"
         << "flops_share<=0.4";
    auto other = runTool(PARETOPRUNE_CLI, args);
    QCOMPARE(other.code, 1);
    QVERIFY2(other.err.find("other constraints") != std::string::npos, other.err.c_str());
    QCOMPARE(pp::openStudy(url_.toStdString(), "bounded").log.trials.size(), size_t(20));
    worker.kill();
    worker.waitForFinished();
  }

  // Workers killed at random moments, a connection cut by the server, the
  // driver killed and restarted, leases of 1.5 s: the study completes, no
  // trial lost or evaluated twice.
  void faultLoop() {
    const QString lease = "1.5";
    const QString study = "faults";
    const int total = 120;
    auto startWorker = [&] {
      auto p = std::make_unique<QProcess>();
      p->start(PARETOPRUNE_CLI, workerArgs(study, lease));
      return p;
    };
    std::vector<std::unique_ptr<QProcess>> workers;
    for (int i = 0; i < 3; ++i) workers.push_back(startWorker());
    auto driver = std::make_unique<QProcess>();
    driver->start(PARETOPRUNE_CLI, searchArgs(study, total, lease));
    QVERIFY(driver->waitForStarted());
    pp::Rng rng(11);
    int kills = 0;
    bool cut = false, driverRestarted = false;
    for (int round = 0; round < 40 && driver->state() != QProcess::NotRunning; ++round) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200 + rng.index(400)));
      auto& w = workers[rng.index(workers.size())];
      w->kill();  // SIGKILL
      w->waitForFinished();
      w = startWorker();
      ++kills;
      if (!cut && round == 5) {
        // The server cuts one worker's connection: it reconnects.
        pp::StudyStore admin(url_.toStdString());
        auto r =
            runTool("/usr/bin/psql",
                    {"-h", "127.0.0.1", "-p", QString::number(port_), "-U", "pp", "-d",
                     "paretoprune", "-tAc",
                     "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                     "application_name = 'paretoprune' AND pid <> pg_backend_pid() AND pid <> " +
                         QString::number(admin.backendPid())});
        QVERIFY2(r.code == 0, r.err.c_str());
        cut = true;
      }
      if (!driverRestarted && round == 10) {
        driver->kill();
        driver->waitForFinished();
        driver = std::make_unique<QProcess>();
        driver->start(PARETOPRUNE_CLI, searchArgs(study, total, lease));
        QVERIFY(driver->waitForStarted());
        driverRestarted = true;
      }
    }
    QVERIFY(driver->state() == QProcess::NotRunning || driver->waitForFinished(300000));
    QVERIFY2(driver->exitCode() == 0, driver->readAllStandardError().constData());
    for (auto& w : workers)
      if (w->state() != QProcess::NotRunning) w->waitForFinished(60000);
    checkComplete(study, total);
    QVERIFY(kills >= 5 && cut && driverRestarted);
    qInfo(
        "%d worker kills, a connection cut, the driver restarted; %d trials, none lost or repeated",
        kills, total);
  }

  // Eight claimers racing on 100 queued trials get 100 distinct trials.
  void racingClaimers() {
    pp::StudyStore store(url_.toStdString());
    store.ensureSchema();
    const auto s = store.createStudy("race", {{"paretoprune_log", 1}});
    for (int i = 0; i < 100; ++i) QVERIFY(store.enqueue(s.id, i, "k" + std::to_string(i), "{}"));
    QVERIFY(!store.enqueue(s.id, 100, "k7", "{}"));  // a key twice is refused
    std::vector<std::vector<int64_t>> got(8);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
      threads.emplace_back([&, t] {
        pp::StudyStore mine(url_.toStdString());
        while (auto c = mine.claim(s.id, "w" + std::to_string(t), 30))
          got[static_cast<size_t>(t)].push_back(c->id);
      });
    for (auto& th : threads) th.join();
    std::set<int64_t> all;
    size_t n = 0;
    for (const auto& g : got) {
      n += g.size();
      all.insert(g.begin(), g.end());
    }
    QCOMPARE(n, size_t(100));
    QCOMPARE(all.size(), size_t(100));
    // A stale attempt cannot overwrite: the trial was reclaimed.
    const pp::Claim old{5, 1, "{}"};
    QVERIFY(!store.complete(s.id, pp::Claim{5, 7, "{}"}, "{}"));
    QVERIFY(store.complete(s.id, old, R"({"trial":5})"));
    QVERIFY(!store.complete(s.id, old, R"({"trial":5})"));  // only once
  }

  // The window opens a study and follows it live: trials appear as the
  // worker reports them, and a trial exports with the study's model.
  void windowFollowsTheStudy() {
    auto driver = std::make_unique<QProcess>();
    driver->start(PARETOPRUNE_CLI, searchArgs("live", 40));
    QVERIFY(driver->waitForStarted());
    pp::StudyStore store(url_.toStdString());
    store.ensureSchema();
    QTRY_VERIFY_WITH_TIMEOUT(store.findStudy("live").has_value(), 60000);
    ppui::MainWindow w;
    QTRY_VERIFY_WITH_TIMEOUT(w.showStudy(url_, "live"),
                             30000);  // the header's reference is written first
    const int before = w.tableModel()->rowCount();
    QProcess worker;
    worker.start(PARETOPRUNE_CLI, workerArgs("live"));
    QTRY_COMPARE_WITH_TIMEOUT(w.tableModel()->rowCount(), 40, 120000);
    QVERIFY(before < 40);
    auto* status = w.findChild<QLabel*>("statusLine");
    QTRY_VERIFY_WITH_TIMEOUT(status->text().contains("finished"), 30000);
    auto dlg = w.makeExportDialog(w.tableModel()->trials().front());
    QVERIFY(dlg);
    QCOMPARE(QFileInfo(dlg->modelDir()).canonicalFilePath(), QFileInfo(model_).canonicalFilePath());
    // (waitForFinished is false for a process that has already ended.)
    QVERIFY(driver->state() == QProcess::NotRunning || driver->waitForFinished(60000));
    QCOMPARE(driver->exitCode(), 0);
    QVERIFY(worker.state() == QProcess::NotRunning || worker.waitForFinished(60000));
  }

  // A study compared with a run log of the same model: in the CLI (front
  // --compare, the study given both ways) and in the window (the study's
  // trials export with the study's model); a missing study is named.
  void studyComparedWithALog() {
    const QString log = dir_ + "/local.jsonl";
    QStringList args = searchArgs("unused", 12);
    const int at = static_cast<int>(args.indexOf("--storage"));
    args.remove(at, 4);  // --storage URL --study NAME: a local run instead
    args << "--log" << log;
    auto s = runTool(PARETOPRUNE_CLI, args);
    QVERIFY2(s.code == 0, s.err.c_str());
    const QString study = "live@" + url_;
    auto c = runTool(PARETOPRUNE_CLI, {"front", "--compare", log, study, "--csv"});
    QVERIFY2(c.code == 0, c.err.c_str());
    QVERIFY2(c.out.find("\"live\",") != std::string::npos, c.out.c_str());
    QVERIFY2(c.out.find("\"local\",") != std::string::npos, c.out.c_str());
    auto c2 = runTool(PARETOPRUNE_CLI,
                      {"front", "--compare", log, "--storage", url_, "--study", "live", "--csv"});
    QVERIFY2(c2.code == 0, c2.err.c_str());
    QCOMPARE(c2.out, c.out);
    auto bad = runTool(PARETOPRUNE_CLI, {"front", "--compare", log, "nope@" + url_});
    QCOMPARE(bad.code, 1);
    QVERIFY2(bad.err.find("nope") != std::string::npos, bad.err.c_str());

    ppui::MainWindow w;
    QVERIFY(w.showRunLog(log));
    QCOMPARE(w.shownRuns(), QStringList{log});
    QVERIFY(w.compareRuns(w.shownRuns() << study));
    const pp::RunComparison* cmp = w.comparer()->comparison();
    QVERIFY(cmp);
    QCOMPARE(cmp->runs.size(), size_t(2));
    QCOMPARE(cmp->runs[1].label, std::string("live"));
    QVERIFY(cmp->runs[1].source.isStudy());
    QCOMPARE(w.tableModel()->rowCount(), static_cast<int>(cmp->runs[0].run.log.trials.size() + 40));
    // A trial of the study exports with the study's model.
    const int64_t key = ppui::trialKey(1, cmp->runs[1].run.log.trials.front().id);
    QCOMPARE(w.comparer()->runOf(key), &cmp->runs[1]);
    auto dlg = w.makeExportDialogFor(key);
    QVERIFY(dlg);
    QCOMPARE(QFileInfo(dlg->modelDir()).canonicalFilePath(), QFileInfo(model_).canonicalFilePath());
    QCOMPARE(w.shownRuns().size(), 2);
    QVERIFY(!w.compareRuns({log, "nope@" + url_}));
  }

  // The window drives a study: Start queues trials for a worker process.
  void windowDrivesAStudy() {
    ppui::MainWindow w;
    QVERIFY(w.openModel(model_));
    w.setDataFiles(data_, "");
    w.setTrials(20);
    w.findChild<QLineEdit*>("storage")->setText(url_);
    w.findChild<QLineEdit*>("study")->setText("from-window");
    QProcess worker;
    worker.start(PARETOPRUNE_CLI, workerArgs("from-window"));
    QSignalSpy done(&w, &ppui::MainWindow::searchFinished);
    QVERIFY2(w.startSearch(), w.validateSetup().toUtf8().constData());
    QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 120000);
    QVERIFY2(done[0][0].toString().contains("all trials done"),
             done[0][0].toString().toUtf8().constData());
    QCOMPARE(w.tableModel()->rowCount(), 20);
    checkComplete("from-window", 20);
    QVERIFY(worker.state() == QProcess::NotRunning || worker.waitForFinished(60000));
  }

  void badInput() {
    // An unreachable server: one line, exit 1.
    auto r = runTool(PARETOPRUNE_CLI,
                     {"front", "--storage", "postgresql://pp@127.0.0.1:1/x", "--study", "s"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.find("cannot connect to postgresql://pp@127.0.0.1:1/x") != std::string::npos,
             r.err.c_str());
    QCOMPARE(std::count(r.err.begin(), r.err.end(), '\n'), 1L);
    // A wrong password: said, and never shown.
    QString wrong = url_;
    wrong.replace("postgresql://pp@", "postgresql://pp:hunter2@");
    r = runTool(PARETOPRUNE_CLI, {"front", "--storage", wrong, "--study", "three"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.find("password authentication failed") != std::string::npos, r.err.c_str());
    QVERIFY2(r.err.find("hunter2") == std::string::npos, r.err.c_str());
    QVERIFY(r.err.find("pp:***@") != std::string::npos);
    // A missing study.
    r = runTool(PARETOPRUNE_CLI, {"front", "--storage", url_, "--study", "nope"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.find("there is no study \"nope\"") != std::string::npos, r.err.c_str());
    // A worker with another model: refused, naming both; nothing written.
    const QString other = dir_ + "/other";
    QVERIFY(
        runTool(PARETOPRUNE_CLI, {"make-tiny", other, "--layers", "2", "--hidden", "16"}).code ==
        0);
    const size_t before = pp::openStudy(url_.toStdString(), "three").log.trials.size();
    r = runTool(PARETOPRUNE_CLI,
                {"worker", "--storage", url_, "--study", "three", "--model", other});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.find("another model") != std::string::npos, r.err.c_str());
    QCOMPARE(pp::openStudy(url_.toStdString(), "three").log.trials.size(), before);
    // A second driver of a running study is refused.
    auto first = std::make_unique<QProcess>();
    first->start(PARETOPRUNE_CLI, searchArgs("two-drivers", 50));
    QVERIFY(first->waitForStarted());
    std::this_thread::sleep_for(std::chrono::seconds(3));
    r = runTool(PARETOPRUNE_CLI, searchArgs("two-drivers", 50));
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.find("already has a driver") != std::string::npos, r.err.c_str());
    first->kill();
    first->waitForFinished();
  }
};

QTEST_MAIN(TestStudy)
#include "test_study.moc"
