// Studies against a broken or hostile database and with secrets, on a real
// PostgreSQL server (scripts/pg-local.sh, as `nobody` when run as root):
// bad rows become failed trials and the driver goes on; results are checked
// against what was queued; the driver lock survives a reconnection; any
// worker reclaims expired leases, gives up a trial whose lease is lost and
// gives back the one in hand when stopped; workers run without CREATE
// rights; study names with "/" and "@"; no password in any output; the
// database's text shown as plain text; a comma-decimal locale.
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProcess>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTextDocument>
#include <QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <clocale>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "paretoprune/base/rng.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model_config.h"
#include "paretoprune/runs/run_compare.h"
#include "paretoprune/runs/study.h"
#include "paretoprune/runs/study_store.h"
#include "testutil.h"
#include "ui/mainwindow.h"
#include "ui/run_comparer.h"
#include "ui/trial_table_model.h"

namespace {
struct Run {
  int code = -1;
  std::string out, err;
  std::string all() const { return out + err; }
};

Run runTool(const QString& program, const QStringList& args,
            const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment(),
            int timeoutMs = 120000) {
  QProcess p;
  p.setProcessEnvironment(env);
  p.start(program, args);
  p.waitForFinished(timeoutMs);
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
          p.readAllStandardOutput().toStdString(), p.readAllStandardError().toStdString()};
}

size_t countOf(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The secret of the malformed URLs below, and the pieces of it that must
// never be printed.
const char* const kSecret = "Zq9SeKr1t";
const char* const kSecretPieces[] = {"Zq9SeKr1t", "Zq9Se", "eKr1t", "Zq9S%"};
}  // namespace

// A TCP relay on 127.0.0.1 in front of the test server, which the test can
// cut: while cut, every relayed connection is closed and new ones are
// refused at once (as when the database's machine is unreachable).
class CuttableRelay {
 public:
  explicit CuttableRelay(int targetPort) : target_(targetPort) {
    listen_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (::bind(listen_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listen_, 16) != 0 ||
        ::getsockname(listen_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      return;
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~CuttableRelay() {
    quit_ = true;
    if (thread_.joinable()) thread_.join();
    for (auto& p : pairs_) ::close(p.first), ::close(p.second);
    ::close(listen_);
  }
  int port() const { return port_; }
  void cut(bool on) { cut_ = on; }

 private:
  void run() {
    std::vector<char> buf(1 << 16);
    while (!quit_) {
      std::vector<pollfd> fds{{listen_, POLLIN, 0}};
      for (auto& p : pairs_)
        fds.push_back({p.first, POLLIN, 0}), fds.push_back({p.second, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), 50) < 0) continue;
      if (cut_) {  // everything relayed is dropped; a new client is closed at once
        for (auto& p : pairs_) ::close(p.first), ::close(p.second);
        pairs_.clear();
        if (fds[0].revents & POLLIN) ::close(::accept(listen_, nullptr, nullptr));
        continue;
      }
      std::vector<std::pair<int, int>> alive;
      for (size_t i = 0; i < pairs_.size(); ++i) {
        bool open = true;
        for (int side = 0; side < 2 && open; ++side) {
          if (!(fds[1 + 2 * i + side].revents & (POLLIN | POLLHUP | POLLERR))) continue;
          const int from = side ? pairs_[i].second : pairs_[i].first;
          const int to = side ? pairs_[i].first : pairs_[i].second;
          const ssize_t n = ::read(from, buf.data(), buf.size());
          open = n > 0 && ::send(to, buf.data(), static_cast<size_t>(n), MSG_NOSIGNAL) == n;
        }
        if (open)
          alive.push_back(pairs_[i]);
        else
          ::close(pairs_[i].first), ::close(pairs_[i].second);
      }
      pairs_ = alive;
      if (fds[0].revents & POLLIN) {
        const int client = ::accept(listen_, nullptr, nullptr);
        const int server = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(static_cast<uint16_t>(target_));
        if (client >= 0 && ::connect(server, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0)
          pairs_.emplace_back(client, server);
        else
          ::close(client), ::close(server);
      }
    }
  }
  int target_, port_ = 0, listen_ = -1;
  std::atomic<bool> cut_{false}, quit_{false};
  std::vector<std::pair<int, int>> pairs_;  // client, server
  std::thread thread_;
};

class TestStudyHostile : public QObject {
  Q_OBJECT
  QString dir_, model_, data_, url_, password_, log_;
  int port_ = 0;

  QStringList searchArgs(const QString& study, int trials, const QString& lease = "30",
                         const QString& url = {}) const {
    return {"search",
            model_,
            "--data",
            data_,
            "--storage",
            url.isEmpty() ? url_ : url,
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
  QStringList workerArgs(const QString& study, const QString& lease = "30",
                         const QString& idle = "60") const {
    return {"worker", "--storage", url_, "--study", study, "--lease", lease, "--idle-exit", idle};
  }
  // The URL with the password in it (as some users write it).
  QString urlWithPassword() const {
    QString u = url_;
    return u.replace("postgresql://pp@", "postgresql://pp:" + password_ + "@");
  }
  Run psql(const QString& sql) const { return psqlOn("paretoprune", sql); }
  Run psqlOn(const QString& db, const QString& sql) const {
    return runTool("/usr/bin/psql", {"-h", "127.0.0.1", "-p", QString::number(port_), "-U", "pp",
                                     "-d", db, "-v", "ON_ERROR_STOP=1", "-tAc", sql});
  }
  std::unique_ptr<QProcess> start(const QStringList& args) const {
    auto p = std::make_unique<QProcess>();
    p->start(PARETOPRUNE_CLI, args);
    p->waitForStarted();
    return p;
  }
  // Waits until the study has at least `n` queued trials.
  bool waitQueued(const std::string& study, int n, int ms = 60000) const {
    pp::StudyStore store(url_.toStdString());
    const auto t0 = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(ms)) {
      if (auto s = store.findStudy(study)) {
        int queued = 0;
        for (const auto& t : store.trials(s->id))
          queued += t.state == pp::StudyTrial::State::Queued;
        if (queued >= n) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
  // A study of 3 trials queued by a driver that is then killed: the
  // trials wait for a worker, and no driver reclaims their leases.
  bool queueThenKillDriver(const std::string& study) const {
    auto driver = start(searchArgs(QString::fromStdString(study), 3));
    const bool queued = waitQueued(study, 3);
    driver->kill();
    driver->waitForFinished();
    return queued;
  }
  std::vector<pp::StudyTrial> rows(const std::string& study) const {
    pp::StudyStore store(url_.toStdString());
    return store.trials(store.findStudy(study).value().id);
  }
  pp::ModelConfig config() const {
    return pp::loadModelConfig(model_.toStdString() + "/config.json");
  }

 private Q_SLOTS:
  void initTestCase();
  void cleanupTestCase();
  void badRowsBecomeFailedTrials();
  void runLogTrialWithoutMetrics();
  void driverLockAfterReconnect();
  void workersReclaimExpiredLeases();
  void lostLeaseAbandonsTheTrial();
  void unreachableDatabaseAbandonsTheTrial();
  void stopGivesTheClaimBack();
  void sigtermStopsAWorkerCleanly();
  void leaseMustBePositive();
  void leastPrivilegeWorker();
  void driverRoleGrants();
  void libpqWaysToConnect();
  void studyNamesWithSlashAndAt();
  void noPasswordForAnyMalformedUrl();
  void databaseTextIsPlainText();
  void commaDecimalLocale();
};

void TestStudyHostile::initTestCase() {
  // A folder `nobody` can reach (the server refuses to run as root).
  // Below Linux's ephemeral ports (32768 and up), which any client socket may hold.
  port_ = 20000 + static_cast<int>((QCoreApplication::applicationPid() + 7919) % 12000);
  dir_ = QString("/tmp/pp-study-hostile-%1").arg(QCoreApplication::applicationPid());
  QDir(dir_).removeRecursively();
  QVERIFY(QDir().mkpath(dir_));
  auto s = runTool(PARETOPRUNE_SOURCE_DIR "/scripts/pg-local.sh",
                   {"start", dir_ + "/pg", QString::number(port_)});
  QVERIFY2(s.code == 0, s.err.c_str());
  url_ = QString::fromStdString(s.out).trimmed();
  qputenv("PGPASSFILE", (dir_ + "/pg/pgpass").toUtf8());
  const std::string pass = testutil::readText((dir_ + "/pg/pgpass").toStdString());
  password_ = QString::fromStdString(pass.substr(pass.rfind(':') + 1)).trimmed();
  QVERIFY(password_.size() >= 16);
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
  // A local run of the same model, to compare studies with.
  log_ = dir_ + "/local.jsonl";
  QStringList args = searchArgs("unused", 8);
  args.remove(static_cast<int>(args.indexOf("--storage")), 4);
  args << "--log" << log_;
  auto r = runTool(PARETOPRUNE_CLI, args);
  QVERIFY2(r.code == 0, r.err.c_str());
}

void TestStudyHostile::cleanupTestCase() {
  runTool(PARETOPRUNE_SOURCE_DIR "/scripts/pg-local.sh", {"stop", dir_ + "/pg"});
  QDir(dir_).removeRecursively();
}

// Rows a worker (or anyone with UPDATE rights) wrote wrong: `[]`, a record
// without metrics, fields of the wrong type, the result of another
// sub-network, an unknown state. Each is a failed trial with one warning
// line; the driver finishes the study, and a driver started again does not
// die on them. A result that lies about its parameters is counted again.
void TestStudyHostile::badRowsBecomeFailedTrials() {
  const std::string study = "bad-rows";
  auto driver = start(searchArgs(QString::fromStdString(study), 10));
  QVERIFY(waitQueued(study, 3));
  pp::StudyStore store(url_.toStdString());
  const int64_t sid = store.findStudy(study)->id;
  const pp::ModelConfig c = config();
  std::vector<pp::Claim> claims;
  for (int i = 0; i < 600 && claims.size() < 5; ++i) {
    if (auto cl = store.claim(sid, "hostile", 300))
      claims.push_back(*cl);
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  QCOMPARE(claims.size(), size_t(5));
  auto queuedSubnet = [&](const pp::Claim& cl) {
    return pp::SubNetwork::fromJson(nlohmann::json::parse(cl.subnetJson), c);
  };
  const std::string subnet0 = queuedSubnet(claims[1]).toJson().dump();
  QVERIFY(store.complete(sid, claims[0], "[]"));
  QVERIFY(store.complete(sid, claims[1],
                         R"({"trial":)" + std::to_string(claims[1].id) +
                             R"(,"status":"ok","subnet":)" + subnet0 + "}"));
  QVERIFY(
      store.complete(sid, claims[2],
                     R"({"trial":)" + std::to_string(claims[2].id) + R"(,"subnet":)" +
                         queuedSubnet(claims[2]).toJson().dump() +
                         R"(,"error":"low","accuracy":[],"mcc":0,"f1":0,"params":1,"flops":1})"));
  pp::Trial other;
  other.id = claims[3].id;
  other.subnet = pp::SubNetwork::full(c);
  if (other.subnet.key() == queuedSubnet(claims[3]).key())
    other.subnet.layers.back().heads = 1;  // another one, whatever was queued
  other.errorRate = 0.01;
  other.accuracy = 0.99;
  other.params = 10;
  other.flops = 10;
  QVERIFY(store.complete(sid, claims[3], other.toJson().dump()));
  pp::Trial liar;
  liar.id = claims[4].id;
  liar.subnet = queuedSubnet(claims[4]);
  liar.errorRate = 0.3;
  liar.accuracy = 0.7;
  liar.params = 1;  // fewer parameters than it has: it would lead the front
  liar.flops = 1;
  QVERIFY(store.complete(sid, claims[4], liar.toJson().dump()));
  // An unknown state on a queued row.
  auto q = psql(QString("UPDATE pp_trials SET state = 'bogus' WHERE study_id = %1 AND id = (SELECT "
                        "min(id) FROM pp_trials WHERE study_id = %1 AND state = 'queued')")
                    .arg(sid));
  QVERIFY2(q.code == 0, q.err.c_str());
  auto worker = runTool(PARETOPRUNE_CLI, workerArgs(QString::fromStdString(study), "30", "20"));
  QVERIFY2(worker.code == 0, worker.err.c_str());
  QVERIFY(driver->state() == QProcess::NotRunning || driver->waitForFinished(120000));
  const std::string err = driver->readAllStandardError().toStdString();
  QVERIFY2(driver->exitCode() == 0, err.c_str());
  QVERIFY2(driver->readAllStandardOutput().contains("all trials done"), err.c_str());
  QVERIFY2(countOf(err, "counted as failed") == 5, err.c_str());
  // Read back: five failed trials, the liar's parameters counted again.
  const pp::OpenedRunLog r = pp::openStudy(url_.toStdString(), study);
  QCOMPARE(r.log.trials.size(), size_t(10));
  QCOMPARE(r.log.warnings.size(), size_t(5));
  int failed = 0;
  for (const auto& t : r.log.trials) {
    failed += t.status == pp::Trial::Status::Failed;
    if (t.id == liar.id) {
      QVERIFY(t.ok());
      QCOMPARE(t.params, pp::parameterCount(c, liar.subnet));
      QCOMPARE(t.flops, pp::flopCount(c, liar.subnet, 128));
    }
    if (t.id == claims[0].id || t.id == claims[1].id || t.id == claims[3].id)
      QVERIFY2(!t.ok(), std::to_string(t.id).c_str());
  }
  QCOMPARE(failed, 5);
  // Without the full model's result in the study, FLOPs are still counted
  // again (at the header's flops_length).
  q = psql(QString("UPDATE pp_studies SET header = header - 'reference' WHERE id = %1").arg(sid));
  QVERIFY2(q.code == 0, q.err.c_str());
  for (const auto& t : pp::openStudy(url_.toStdString(), study).log.trials)
    if (t.id == liar.id) QCOMPARE(t.flops, pp::flopCount(c, liar.subnet, 128));
  // The driver started again does not die on them; `front` shows the rest.
  auto again = runTool(PARETOPRUNE_CLI, searchArgs(QString::fromStdString(study), 10));
  QVERIFY2(again.code == 0, again.err.c_str());
  QCOMPARE(countOf(again.err, "counted as failed"), size_t(5));
  auto front = runTool(PARETOPRUNE_CLI,
                       {"front", "--storage", url_, "--study", QString::fromStdString(study)});
  QVERIFY2(front.code == 0, front.err.c_str());
  QCOMPARE(countOf(front.err, "counted as failed"), size_t(5));
}

// A run log's trial record without its metrics is refused, naming the
// field (it would read as parameters 0 and lead the front).
void TestStudyHostile::runLogTrialWithoutMetrics() {
  const std::string text = testutil::readText(log_.toStdString());
  const std::string header = text.substr(0, text.find('\n') + 1);
  auto j = nlohmann::json::parse(
      text.substr(header.size(), text.find('\n', header.size()) - header.size()));
  QVERIFY(j.contains("params"));
  for (const char* field : {"params", "flops", "accuracy", "error"}) {
    nlohmann::json cut = j;
    cut.erase(field);
    const QString path = dir_ + "/no-" + field + ".jsonl";
    testutil::writeText(path.toStdString(), header + cut.dump() + "\n");
    const std::string e = testutil::errorOf([&] { pp::openRunLog(path.toStdString()); });
    QVERIFY2(e.find(std::string("\"") + field + "\" is missing") != std::string::npos, e.c_str());
    auto r = runTool(PARETOPRUNE_CLI, {"front", path});
    QCOMPARE(r.code, 1);
  }
  nlohmann::json failed = {
      {"trial", 0}, {"status", "failed"}, {"subnet", j["subnet"]}, {"reason", "out of memory"}};
  const QString path = dir_ + "/failed.jsonl";
  testutil::writeText(path.toStdString(), header + failed.dump() + "\n");
  QCOMPARE(pp::openRunLog(path.toStdString()).log.trials.size(), size_t(1));  // no metrics needed
}

// The driver's connection cut by the server: it reconnects and takes its
// driver lock again (or stops saying another driver has it); a second
// driver started meanwhile never drives the same study alongside it. The
// URL's application_name is the one the server sees.
void TestStudyHostile::driverLockAfterReconnect() {
  const QString study = "locked";
  auto first = start(searchArgs(study, 50, "30", url_ + "?application_name=pp-driver-a"));
  QVERIFY(waitQueued(study.toStdString(), 3));
  auto seen = psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pp-driver-a'");
  QVERIFY2(seen.code == 0 && QString::fromStdString(seen.out).trimmed() == "1", seen.all().c_str());
  auto cut = psql(
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
      "application_name = 'pp-driver-a'");
  QVERIFY2(cut.code == 0 && QString::fromStdString(cut.out).trimmed() == "1", cut.all().c_str());
  auto second = start(searchArgs(study, 50));
  // Within a few seconds one of them has given up; never both drive.
  QTRY_VERIFY_WITH_TIMEOUT(
      first->state() == QProcess::NotRunning || second->state() == QProcess::NotRunning, 30000);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const bool firstGaveUp = first->state() == QProcess::NotRunning;
  const bool secondGaveUp = second->state() == QProcess::NotRunning;
  const std::string e1 = first->readAllStandardError().toStdString();
  const std::string e2 = second->readAllStandardError().toStdString();
  QVERIFY2(firstGaveUp != secondGaveUp, (e1 + e2).c_str());
  if (secondGaveUp) {
    QCOMPARE(second->exitCode(), 1);
    QVERIFY2(e2.find("already has a driver") != std::string::npos, e2.c_str());
  } else {
    QCOMPARE(first->exitCode(), 1);
    QVERIFY2(e1.find("another driver took") != std::string::npos, e1.c_str());
  }
  for (auto* p : {first.get(), second.get()}) {
    p->kill();
    p->waitForFinished();
  }
}

// A dead driver leaves a trial running with an expired lease: a worker
// reclaims it (not only the driver) and evaluates it.
void TestStudyHostile::workersReclaimExpiredLeases() {
  const std::string study = "reclaim";
  auto driver = start(searchArgs(QString::fromStdString(study), 4, "2"));
  QVERIFY(waitQueued(study, 3));
  pp::StudyStore store(url_.toStdString());
  const int64_t sid = store.findStudy(study)->id;
  const auto ghost = store.claim(sid, "ghost", 2);  // a worker that dies at once
  QVERIFY(ghost);
  driver->kill();
  driver->waitForFinished();
  auto w = runTool(PARETOPRUNE_CLI, workerArgs(QString::fromStdString(study), "2", "6"));
  QVERIFY2(w.code == 0, w.err.c_str());
  for (const auto& t : rows(study))
    if (t.id == ghost->id) QVERIFY2(t.state == pp::StudyTrial::State::Done, w.err.c_str());
}

// A worker whose trial is taken back while it evaluates (its lease reaped)
// gives it up instead of finishing it: nothing is refused as stale.
void TestStudyHostile::lostLeaseAbandonsTheTrial() {
  const std::string study = "lost-lease";
  QVERIFY(queueThenKillDriver(study));
  pp::StudyOptions o;
  o.url = url_.toStdString();
  o.study = study;
  o.leaseSeconds = 1.5;
  pp::WorkerOptions w;
  w.maxTrials = 1;
  w.idleExitSeconds = 5;
  bool sabotaged = false;
  w.claimed = [&](const pp::Claim& c) {
    if (sabotaged) return;
    sabotaged = true;
    pp::StudyStore other(o.url);
    const int64_t sid = other.findStudy(study)->id;
    QVERIFY(other.heartbeat(sid, c, -1));  // its lease ends now
    QCOMPARE(other.reapExpired(sid, 3), 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // a heartbeat or two
  };
  const pp::WorkerStats st = pp::runStudyWorker(o, w);
  QVERIFY(sabotaged);
  QCOMPARE(st.abandoned, int64_t(1));
  QCOMPARE(st.stale, int64_t(0));
  QCOMPARE(st.evaluated, int64_t(1));
}

// The database unreachable for longer than a lease while a worker holds a
// trial: its heartbeats fail, so another worker may have it by now; the
// worker abandons it (no result written) and goes on once it can reach the
// database again.
void TestStudyHostile::unreachableDatabaseAbandonsTheTrial() {
  const std::string study = "unreachable";
  QVERIFY(queueThenKillDriver(study));
  CuttableRelay relay(port_);
  QVERIFY(relay.port() > 0);
  pp::StudyOptions o;
  o.url =
      QString(url_)
          .replace(":" + QString::number(port_) + "/", ":" + QString::number(relay.port()) + "/")
          .toStdString();
  QVERIFY(o.url != url_.toStdString());
  o.study = study;
  o.leaseSeconds = 1.5;
  pp::WorkerOptions w;
  w.maxTrials = 1;
  w.idleExitSeconds = 5;
  int cuts = 0;
  int64_t first = -1;
  w.claimed = [&](const pp::Claim& c) {
    if (cuts++) return;
    first = c.id;
    relay.cut(true);  // the database's machine gone for 4 leases
    std::this_thread::sleep_for(std::chrono::milliseconds(6000));
    relay.cut(false);
  };
  const pp::WorkerStats st = pp::runStudyWorker(o, w);
  QCOMPARE(cuts, 2);
  QCOMPARE(st.abandoned, int64_t(1));
  QCOMPARE(st.stale, int64_t(0));
  QCOMPARE(st.evaluated, int64_t(1));
  // Abandoned: no result written for that claim (stale would count one
  // refused); the trial, its lease expired, was queued again and taken.
  QVERIFY(first >= 0);
}

// Stopped with a trial in hand (Ctrl-C), a worker gives it back: queued
// again, its attempt not used up.
void TestStudyHostile::stopGivesTheClaimBack() {
  const std::string study = "give-back";
  QVERIFY(queueThenKillDriver(study));
  pp::StudyOptions o;
  o.url = url_.toStdString();
  o.study = study;
  std::atomic<bool> stop{false};
  pp::WorkerOptions w;
  int64_t claimed = -1;
  w.claimed = [&](const pp::Claim& c) {
    claimed = c.id;
    stop = true;  // as Ctrl-C does
  };
  const pp::WorkerStats st = pp::runStudyWorker(o, w, &stop);
  QCOMPARE(st.released, int64_t(1));
  QCOMPARE(st.evaluated, int64_t(0));
  QVERIFY(claimed >= 0);
  for (const auto& t : rows(study)) {  // the one given back among them
    QCOMPARE(t.state, pp::StudyTrial::State::Queued);
    QCOMPARE(t.attempt, 0);
  }
}

// SIGTERM (Slurm's, kill's) stops a worker as Ctrl-C does: its summary line,
// exit 0, no trial left running under its name.
void TestStudyHostile::sigtermStopsAWorkerCleanly() {
  const QString study = "sigterm";
  auto driver = start(searchArgs(study, 200));
  QVERIFY(waitQueued(study.toStdString(), 3));
  auto w = start(QStringList(workerArgs(study)) << "--name"
                                                << "term-w");
  QTRY_VERIFY_WITH_TIMEOUT(
      [&] {
        for (const auto& t : rows(study.toStdString()))
          if (t.state == pp::StudyTrial::State::Done) return true;
        return false;
      }(),
      60000);
  w->terminate();  // SIGTERM
  QVERIFY(w->waitForFinished(30000));
  const std::string err = w->readAllStandardError().toStdString();
  QCOMPARE(w->exitStatus(), QProcess::NormalExit);
  QVERIFY2(w->exitCode() == 0, err.c_str());
  QVERIFY2(err.find("worker: ") != std::string::npos, err.c_str());
  auto running = psql(
      "SELECT count(*) FROM pp_trials WHERE worker = 'term-w' AND state = "
      "'running'");
  QCOMPARE(QString::fromStdString(running.out).trimmed(), QString("0"));
  driver->kill();
  driver->waitForFinished();
}

// A lease of zero, a negative one or not a number: one clear line, exit 1,
// before anything waits or connects.
void TestStudyHostile::leaseMustBePositive() {
  for (const QString lease : {"0", "-5", "0.2"}) {
    auto r = runTool(PARETOPRUNE_CLI, {"worker", "--storage", url_, "--study", "no-such", "--lease",
                                       lease, "--idle-exit", "1"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.find("a lease of") != std::string::npos, r.err.c_str());
    QCOMPARE(countOf(r.err, "\n"), size_t(1));
    r = runTool(PARETOPRUNE_CLI, searchArgs("no-such", 5, lease));
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.find("a lease of") != std::string::npos, r.err.c_str());
  }
}

// Only `study init` and the driver create the tables: a worker runs as a
// role with the grants docs/distributed.md lists (no CREATE, no DDL), its
// password from PGPASSWORD.
void TestStudyHostile::leastPrivilegeWorker() {
  auto init = runTool(PARETOPRUNE_CLI, {"study", "init", "--storage", url_});
  QVERIFY2(init.code == 0, init.err.c_str());
  auto grants = psql(
      "DROP ROLE IF EXISTS ppworker; CREATE ROLE ppworker LOGIN PASSWORD 'workerpw';"
      "GRANT CONNECT ON DATABASE paretoprune TO ppworker;"
      "GRANT USAGE ON SCHEMA public TO ppworker;"
      "GRANT SELECT ON pp_studies TO ppworker;"
      "GRANT SELECT, UPDATE ON pp_trials TO ppworker;"
      "GRANT SELECT, INSERT, UPDATE ON pp_workers TO ppworker;"
      "GRANT USAGE ON SEQUENCE pp_trials_finished_seq_seq TO ppworker;"
      "REVOKE CREATE ON SCHEMA public FROM PUBLIC;");
  QVERIFY2(grants.code == 0, grants.err.c_str());
  const QString study = "least-privilege";
  auto driver = start(searchArgs(study, 6));
  QVERIFY(waitQueued(study.toStdString(), 1));
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert("PGPASSWORD", "workerpw");
  env.insert("PGPASSFILE", dir_ + "/no-such-pgpass");
  QString url = url_;
  url.replace("postgresql://pp@", "postgresql://ppworker@");
  auto w = runTool(PARETOPRUNE_CLI,
                   {"worker", "--storage", url, "--study", study, "--idle-exit", "30"}, env);
  QVERIFY2(w.code == 0, w.err.c_str());
  QVERIFY(driver->state() == QProcess::NotRunning || driver->waitForFinished(60000));
  QVERIFY2(driver->exitCode() == 0, driver->readAllStandardError().constData());
  QCOMPARE(rows(study.toStdString()).size(), size_t(6));
  // A reader with SELECT only: front.
  auto reader = psql(
      "DROP ROLE IF EXISTS ppreader; CREATE ROLE ppreader LOGIN PASSWORD 'readerpw';"
      "GRANT CONNECT ON DATABASE paretoprune TO ppreader;"
      "GRANT USAGE ON SCHEMA public TO ppreader;"
      "GRANT SELECT ON pp_studies, pp_trials TO ppreader;");
  QVERIFY2(reader.code == 0, reader.err.c_str());
  QProcessEnvironment readerEnv = env;
  readerEnv.insert("PGPASSWORD", "readerpw");
  QString readerUrl = url_;
  readerUrl.replace("postgresql://pp@", "postgresql://ppreader@");
  auto f = runTool(PARETOPRUNE_CLI, {"front", "--storage", readerUrl, "--study", study}, readerEnv);
  QVERIFY2(f.code == 0, f.err.c_str());
  // The worker role cannot create tables (what the old workers did).
  auto denied = runTool(PARETOPRUNE_CLI, {"study", "init", "--storage", url}, env);
  QVERIFY2(denied.code == 1 && denied.err.find("permission denied") != std::string::npos,
           denied.all().c_str());
}

// The set-up docs/distributed.md gives, in a database of its own: a driver
// role with CONNECT and USAGE, CREATE on the schema runs `study init` and
// the driver (it creates and owns the tables); a worker role, granted as
// the docs say once the tables exist, finishes the study.
void TestStudyHostile::driverRoleGrants() {
  QVERIFY(psql("DROP DATABASE IF EXISTS ppdocs").code == 0);
  QVERIFY(psql("CREATE DATABASE ppdocs").code == 0);
  auto roles = psql(
      "DROP ROLE IF EXISTS ppdriver; CREATE ROLE ppdriver LOGIN PASSWORD 'driverpw';"
      "GRANT CONNECT ON DATABASE ppdocs TO ppdriver;"
      "DROP ROLE IF EXISTS ppdocsworker; CREATE ROLE ppdocsworker LOGIN PASSWORD 'workerpw';"
      "GRANT CONNECT ON DATABASE ppdocs TO ppdocsworker;");
  QVERIFY2(roles.code == 0, roles.err.c_str());
  auto schema = psqlOn("ppdocs",
                       "REVOKE CREATE ON SCHEMA public FROM PUBLIC;"
                       "GRANT USAGE, CREATE ON SCHEMA public TO ppdriver;"
                       "GRANT USAGE ON SCHEMA public TO ppdocsworker;");
  QVERIFY2(schema.code == 0, schema.err.c_str());
  auto roleUrl = [&](const QString& role) {
    QString u = url_;
    return u.replace("postgresql://pp@", "postgresql://" + role + "@")
        .replace("/paretoprune", "/ppdocs");
  };
  QProcessEnvironment driverEnv = QProcessEnvironment::systemEnvironment();
  driverEnv.insert("PGPASSFILE", dir_ + "/no-such-pgpass");
  driverEnv.insert("PGPASSWORD", "driverpw");
  auto init =
      runTool(PARETOPRUNE_CLI, {"study", "init", "--storage", roleUrl("ppdriver")}, driverEnv);
  QVERIFY2(init.code == 0, init.all().c_str());
  // The worker's grants on the tables as docs/distributed.md writes them
  // (the lines that name pp_worker and a pp_ table or sequence), so that
  // the documented set-up is the one tried.
  QString workerGrants;
  const QStringList docLines =
      QString::fromStdString(testutil::readText(PARETOPRUNE_SOURCE_DIR "/docs/distributed.md"))
          .split('\n');
  for (const QString& line : docLines)
    if (line.startsWith("GRANT ") && line.contains(" ON ") && line.contains(" pp_") &&
        line.trimmed().endsWith("TO pp_worker;") && !line.contains("DATABASE") &&
        !line.contains("SCHEMA"))
      workerGrants += QString(line).replace("TO pp_worker;", "TO ppdocsworker;") + "\n";
  QCOMPARE(workerGrants.count("GRANT "), 4);  // studies, trials, workers, the sequence
  auto grants = psqlOn("ppdocs", workerGrants);
  QVERIFY2(grants.code == 0, grants.err.c_str());
  QProcess driver;
  driver.setProcessEnvironment(driverEnv);
  driver.start(PARETOPRUNE_CLI, searchArgs("docs-roles", 4, "30", roleUrl("ppdriver")));
  QVERIFY(driver.waitForStarted());
  QProcessEnvironment workerEnv = driverEnv;
  workerEnv.insert("PGPASSWORD", "workerpw");
  auto w = runTool(PARETOPRUNE_CLI,
                   {"worker", "--storage", roleUrl("ppdocsworker"), "--study", "docs-roles",
                    "--idle-exit", "30"},
                   workerEnv);
  QVERIFY2(w.code == 0, w.all().c_str());
  QVERIFY(driver.state() == QProcess::NotRunning || driver.waitForFinished(60000));
  QVERIFY2(driver.exitCode() == 0, driver.readAllStandardError().constData());
  auto done = psqlOn("ppdocs", "SELECT count(*) FROM pp_trials WHERE state = 'done'");
  QVERIFY2(done.code == 0, done.err.c_str());
  QCOMPARE(QString::fromStdString(done.out).trimmed(), QString("4"));
}

// libpq's own ways to find the server and the password: a service file
// (PGSERVICEFILE, service=NAME or PGSERVICE), the password in the URL, a pass
// file; the password never printed.
void TestStudyHostile::libpqWaysToConnect() {
  // What the URL says about the connection wins over our defaults (keep-
  // alives on, a 10 s connect timeout, our application name).
  {
    pp::StudyStore ours(url_.toStdString());
    QCOMPARE(ours.connectionSetting("connect_timeout"), std::string("10"));
    QCOMPARE(ours.connectionSetting("keepalives_idle"), std::string("10"));
    QCOMPARE(ours.connectionSetting("application_name"), std::string("paretoprune"));
    QCOMPARE(ours.connectionSetting("password"), std::string());  // never handed out
    pp::StudyStore theirs(
        (url_ + "?connect_timeout=7&keepalives=0&keepalives_idle=42&application_name=mine")
            .toStdString());
    QCOMPARE(theirs.connectionSetting("connect_timeout"), std::string("7"));
    QCOMPARE(theirs.connectionSetting("keepalives"), std::string("0"));
    QCOMPARE(theirs.connectionSetting("keepalives_idle"), std::string("42"));
    QCOMPARE(theirs.connectionSetting("application_name"), std::string("mine"));
  }
  const QString services = dir_ + "/pg_service.conf";
  testutil::writeText(services.toStdString(),
                      "[ppstudy]\nhost=127.0.0.1\nport=" + std::to_string(port_) +
                          "\ndbname=paretoprune\nuser=pp\n");
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert("PGSERVICEFILE", services);
  auto r = runTool(PARETOPRUNE_CLI, {"front", "--storage", "service=ppstudy", "--study", "reclaim"},
                   env);
  QVERIFY2(r.code == 0, r.err.c_str());
  env.insert("PGSERVICE", "ppstudy");
  r = runTool(PARETOPRUNE_CLI, {"front", "--storage", "postgresql://", "--study", "reclaim"}, env);
  QVERIFY2(r.code == 0, r.err.c_str());
  QProcessEnvironment noPassFile = QProcessEnvironment::systemEnvironment();
  noPassFile.insert("PGPASSFILE", dir_ + "/no-such-pgpass");
  r = runTool(PARETOPRUNE_CLI, {"front", "--storage", urlWithPassword(), "--study", "reclaim"},
              noPassFile);
  QVERIFY2(r.code == 0, r.err.c_str());
  QVERIFY(r.all().find(password_.toStdString()) == std::string::npos);
  r = runTool(PARETOPRUNE_CLI, {"front", "--storage", url_, "--study", "reclaim"}, noPassFile);
  QCOMPARE(r.code, 1);  // no password anywhere: said in one line
  QCOMPARE(countOf(r.err, "\n"), size_t(1));
}

// A study whose name holds "/" and "@", given to `front --compare` both
// ways and to the window: read as a study, never as a file path; the
// URL's password never shown, also for a study that does not exist.
void TestStudyHostile::studyNamesWithSlashAndAt() {
  const QString name = "team/a@b";
  auto im =
      runTool(PARETOPRUNE_CLI, {"study", "import-log", "--storage", url_, "--study", name, log_});
  QVERIFY2(im.code == 0, im.err.c_str());
  const QString url = urlWithPassword();
  const std::string secret = password_.toStdString();
  auto a = runTool(PARETOPRUNE_CLI,
                   {"front", "--compare", log_, "--storage", url, "--study", name, "--csv"});
  QVERIFY2(a.code == 0, a.err.c_str());
  QVERIFY2(a.out.find("\"team/a@b\",") != std::string::npos, a.out.c_str());
  QVERIFY(a.all().find(secret) == std::string::npos);
  auto b = runTool(PARETOPRUNE_CLI, {"front", "--compare", log_, name + "@" + url, "--csv"});
  QVERIFY2(b.code == 0, b.err.c_str());
  QCOMPARE(b.out, a.out);
  for (const QStringList& args :
       {QStringList{"front", "--compare", log_, "--storage", url, "--study", "no/such@x"},
        QStringList{"front", "--compare", log_, "no/such@x@" + url},
        QStringList{"front", "--compare", log_, "typo@postgresq://pp:" + password_ + "@h/db"},
        QStringList{"front", "typo@postgresq://pp:" + password_ + "@h/db"}}) {
    auto r = runTool(PARETOPRUNE_CLI, args);
    QCOMPARE(r.code, 1);
    QVERIFY2(r.all().find(secret) == std::string::npos, r.err.c_str());
    if (args.contains("--storage") || args.last().startsWith("no/such"))
      QVERIFY2(r.err.find("there is no study \"no/such@x\"") != std::string::npos, r.err.c_str());
  }
  // The window: Compare with a study, by URL and name.
  ppui::MainWindow w;
  QVERIFY(w.showRunLog(log_));
  QVERIFY(w.compareRuns(w.shownRuns() << QString::fromStdString(
                            pp::RunSource{"", url.toStdString(), name.toStdString()}.text())));
  const pp::RunComparison* cmp = w.comparer()->comparison();
  QVERIFY(cmp && cmp->runs.size() == 2);
  QCOMPARE(cmp->runs[1].label, name.toStdString());
  QVERIFY(cmp->runs[1].logPath.find(secret) == std::string::npos);
  QVERIFY(!w.findChild<QLabel*>("statusLine")->text().contains(password_));
  QString err;
  QVERIFY(!w.compareRuns({log_, "no/such@x@" + url}, &err));
  QVERIFY2(err.contains("there is no study"), err.toUtf8().constData());
  QVERIFY2(!err.contains(password_), err.toUtf8().constData());
}

// Malformed URLs of every kind: the password is in no message, from the
// library or the CLI (libpq's own messages repeat what they cannot parse).
void TestStudyHostile::noPasswordForAnyMalformedUrl() {
  const QString p = kSecret;
  const QString port = "1";
  const QStringList urls = {
      "postgresql://u:" + p + "@[::1/db",                // IPv6 bracket not closed
      "postgresql://u:" + p + "@[::1]:" + port + "/db",  // IPv6, refused
      "postgresql://u:" + p + "@[fe80::1%eth0]:" + port + "/db",
      "postgresql://u:" + p + "@[zz::1]/db",
      "postgresql://u:Zq9S%zzeKr1t@127.0.0.1:" + port + "/db",  // bad percent escapes
      "postgresql://u:Zq9S%e@127.0.0.1:" + port + "/db",
      "postgresql://u:Zq9SeKr1t%@127.0.0.1:" + port + "/db",
      "postgresql://u:Zq9S%65Kr1t@127.0.0.1:" + port + "/db",  // a good escape: decoded
      "postgresql://u:" + p + "@127.0.0.1:abc/db",             // bad port
      "postgresql://u:" + p + "@127.0.0.1:" + port + "/db?password=" + p + "&sslmode=bogus",
      "postgresql://u@127.0.0.1:" + port + "/db?sslmode=bogus&password=" + p,
      "postgresql://u@127.0.0.1:" + port + "/db?password=Zq9S%zzeKr1t",
      "postgresql://u@127.0.0.1:" + port + "/db?bogus=1&password=" + p,
      "postgresql://:" + p + "@127.0.0.1:" + port + "/db",
      "postgresql://u:" + p + "@127.0.0.1:" + port + "/db?host=%zz",
      "host=127.0.0.1 port=" + port + " password=" + p,  // keyword/value strings
      "host=127.0.0.1 port=" + port + " password='" + p + "'",
      "host=127.0.0.1 port=" + port + " password='" + p,  // quote not closed
      "host=127.0.0.1 password = " + p + " port=abc",
      "password=" + p + " host=[::1",
      "host=127.0.0.1 port=" + port + " password=" + p + " bogus=1",
      "host=127.0.0.1 port=" + port + " password='Zq9S eKr1t' sslmode=bogus",
      "dbname='host=127.0.0.1 port=" + port + " password=" + p + "'",
  };
  // Every URL through the library (what the CLI and the window print); one
  // of each kind through the CLI too, as --storage and as a study to compare
  // (a process of ours starts in seconds under the sanitizers).
  const std::set<int> throughCli = {0, 4, 9, 12, 15, 17, 20, 22};
  for (int i = 0; i < urls.size(); ++i) {
    const QString& url = urls[i];
    const std::string u = url.toStdString();
    const std::string lib = testutil::errorOf([&] { pp::StudyStore store(u); });
    const std::string shown = pp::redactUrl(u);
    const bool viaCli = throughCli.count(i) > 0;
    const Run cli =
        viaCli ? runTool(PARETOPRUNE_CLI, {"front", "--storage", url, "--study", "s"}) : Run{};
    const Run cmp =
        viaCli ? runTool(PARETOPRUNE_CLI, {"front", "--compare", log_, "s@" + url}) : Run{};
    QVERIFY2(!lib.empty(), (u + " -> " + lib).c_str());
    QVERIFY2(!viaCli || cli.code == 1, (u + " -> " + cli.err).c_str());
    for (const char* piece : kSecretPieces)
      for (const std::string& out : {lib, shown, cli.all(), cmp.all()})
        QVERIFY2(out.find(piece) == std::string::npos, (u + " -> " + out).c_str());
    QVERIFY(lib.find("Zq9S eKr1t") == std::string::npos && lib.find("eKr1t") == std::string::npos);
  }
}

// Text from the database (a trial's failure reason, the study's stop
// reason) is shown as plain text: no markup renders in the status line or
// the table's tooltips.
void TestStudyHostile::databaseTextIsPlainText() {
  const QString name = "markup";
  auto im =
      runTool(PARETOPRUNE_CLI, {"study", "import-log", "--storage", url_, "--study", name, log_});
  QVERIFY2(im.code == 0, im.err.c_str());
  const QString reason = "<b>bold</b><img src=\"x.png\"><a href=\"http://evil\">click</a>";
  auto q = psql("UPDATE pp_trials SET state = 'failed', result = NULL, reason = $$" + reason +
                "$$ WHERE id = 0 AND study_id = (SELECT id FROM pp_studies WHERE name = 'markup');"
                "UPDATE pp_studies SET finished = FALSE WHERE name = 'markup'");
  QVERIFY2(q.code == 0, q.err.c_str());
  ppui::MainWindow w;
  QVERIFY(w.showStudy(url_, name));
  auto* status = w.findChild<QLabel*>("statusLine");
  QCOMPARE(status->textFormat(), Qt::PlainText);
  q = psql(
      "UPDATE pp_studies SET finished = TRUE, stop_reason = $$<i>stopped</i><br>by me$$ "
      "WHERE name = 'markup'");
  QVERIFY2(q.code == 0, q.err.c_str());
  QTRY_VERIFY_WITH_TIMEOUT(status->text().contains("finished"), 20000);
  QVERIFY2(status->text().contains("<i>stopped</i><br>by me"), status->text().toUtf8().constData());
  ppui::TrialTableModel* m = w.tableModel();
  int row = -1;
  for (int r = 0; r < m->rowCount(); ++r)
    if (m->data(m->index(r, ppui::TrialTableModel::Id), Qt::DisplayRole).toLongLong() == 0) row = r;
  QVERIFY(row >= 0);
  const QString tip =
      m->data(m->index(row, ppui::TrialTableModel::Status), Qt::ToolTipRole).toString();
  QVERIFY2(!tip.contains("<b>") && !tip.contains("<img") && tip.contains("&lt;b&gt;bold"),
           tip.toUtf8().constData());
  QTextDocument doc;
  doc.setHtml(tip);
  QCOMPARE(doc.toPlainText(), reason);  // as a tooltip renders it: the text, as written
}

// Under a comma-decimal C locale (the window applies the user's, de_DE
// here) and Qt's German locale, the window drives a study to its end: the
// lease and every number reach SQL as SQL reads them.
void TestStudyHostile::commaDecimalLocale() {
  const QString locales = dir_ + "/locale";
  QDir().mkpath(locales);
  auto def = runTool("localedef", {"-i", "de_DE", "-f", "UTF-8", locales + "/de_DE.UTF-8"});
  // Not skipped: scripts/install-deps.sh installs the locales package.
  QVERIFY2(def.code == 0,
           ("localedef cannot make de_DE.UTF-8 (install Debian's locales): " + def.err).c_str());
  qputenv("LOCPATH", locales.toUtf8());
  const std::string before = std::setlocale(LC_NUMERIC, nullptr);
  QVERIFY(std::setlocale(LC_NUMERIC, "de_DE.UTF-8"));
  QCOMPARE(std::to_string(1.5), std::string("1,500000"));  // the C library's numbers have commas
  QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
  auto restore = qScopeGuard([&] {
    std::setlocale(LC_NUMERIC, before.c_str());
    QLocale::setDefault(QLocale::c());
    qunsetenv("LOCPATH");
  });
  ppui::MainWindow w;
  QVERIFY(w.openModel(model_));
  w.setDataFiles(data_, "");
  w.setTrials(6);
  w.findChild<QLineEdit*>("storage")->setText(url_);
  w.findChild<QLineEdit*>("study")->setText("komma");
  QProcess worker;
  worker.start(PARETOPRUNE_CLI, workerArgs("komma", "2.5"));
  QSignalSpy done(&w, &ppui::MainWindow::searchFinished);
  QVERIFY2(w.startSearch(), w.validateSetup().toUtf8().constData());
  QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 120000);
  QVERIFY2(done[0][0].toString().contains("all trials done"),
           done[0][0].toString().toUtf8().constData());
  QCOMPARE(w.tableModel()->rowCount(), 6);
  QVERIFY(worker.state() == QProcess::NotRunning || worker.waitForFinished(60000));
}

QTEST_MAIN(TestStudyHostile)
#include "test_study_hostile.moc"
