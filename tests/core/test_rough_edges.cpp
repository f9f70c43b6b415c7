// Rough edges (issue 32): `search --strategy auto` (the help's default) is
// accepted; the window given --log several times compares the runs instead
// of showing the last silently; the headless demo exports hf-any (what
// transformers 5 loads). Each failed before its fix.
#include <QTemporaryDir>
#include <QtTest>

#include "testutil.h"

namespace {
testutil::Run cli(const QStringList& args) {
  return testutil::runProgram(PARETOPRUNE_CLI, args);
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}
}  // namespace

class TestRoughEdges : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString model_, data_;

  QString path(const QString& name) const { return tmp_.path() + "/" + name; }

  testutil::Run search(const QString& log, const QStringList& extra) {
    return cli(QStringList{"search", model_, "--data", data_, "--trials", "3", "--log", log,
                           "--latency-runs", "0", "--max-length", "16", "--workers", "1"} +
               extra);
  }

 private Q_SLOTS:
  void initTestCase() {
    model_ = path("tiny");
    auto r = cli({"make-tiny", model_, "--layers", "2", "--hidden", "16", "--heads", "2",
                  "--intermediate", "16", "--seed", "1"});
    QVERIFY2(r.code == 0, r.err.c_str());
    data_ = path("data.tsv");
    std::string d = "sentence\tlabel\n";
    for (int i = 0; i < 20; ++i)
      d += std::string(i % 2 ? "good food" : "bad place") + "\t" +
           (i % 2 ? "positive" : "negative") + "\n";
    testutil::writeText(data_.toStdString(), d);
  }

  void strategyAutoIsTheDefaultSaidAloud() {
    auto r = search(path("auto.jsonl"), {"--strategy", "auto"});
    QVERIFY2(r.code == 0, r.err.c_str());
    const std::string first = testutil::readText(path("auto.jsonl").toStdString());
    const auto h = nlohmann::json::parse(first.substr(0, first.find('\n')));
    // The header records the strategy auto chose, never "auto" itself.
    QVERIFY2(h.value("strategy", "") != "auto" && !h.value("strategy", "").empty(),
             first.substr(0, 300).c_str());
    r = search(path("noauto.jsonl"), {"--strategy", "auto", "--no-auto"});
    QVERIFY(r.code != 0);
    QVERIFY2(contains(r.err, "--no-auto"), r.err.c_str());
    r = cli({"search", "--help"});
    QVERIFY2(contains(r.out, "auto"), r.out.c_str());
  }

  // Two --log: compared on one chart (and said so), not the last alone.
  void severalLogsInTheWindowAreCompared() {
    QVERIFY(search(path("a.jsonl"), {"--seed", "1"}).code == 0);
    QVERIFY(search(path("b.jsonl"), {"--seed", "2"}).code == 0);
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_QPA_PLATFORM", "offscreen");
    p.setProcessEnvironment(env);
    p.start(PARETOPRUNE_GUI,
            {"--log", path("a.jsonl"), "--log", path("b.jsonl"), "--screenshot", path("two.png")});
    QVERIFY(p.waitForFinished(120000));
    const std::string err = p.readAllStandardError().toStdString();
    QVERIFY2(p.exitCode() == 0, err.c_str());
    QVERIFY2(contains(err, "2 run logs given with --log: comparing them"), err.c_str());
    QVERIFY(QFileInfo(path("two.png")).size() > 0);
  }

  void headlessDemoExportsHfAny() {
    const std::string demo = testutil::readText(PARETOPRUNE_SOURCE_DIR "/scripts/demo.sh");
    QVERIFY(contains(demo, "--format hf-any"));
    QVERIFY(!contains(demo, "--format hf "));
  }
};

QTEST_GUILESS_MAIN(TestRoughEdges)
#include "test_rough_edges.moc"
