// The user's own files (issue 32): an export with --force replaces only an
// empty directory or an earlier export, train never writes into a directory
// in use, front --compare --out never overwrites without --force, and
// temporary files are fresh files under names nobody can guess (a link
// planted at the old predictable name is never followed). Each case failed
// before its fix.
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>
#include <filesystem>

#include "base/file_util.h"
#include "paretoprune/base/error.h"
#include "paretoprune/search/run_log.h"
#include "testutil.h"

namespace {
testutil::Run cli(const QStringList& args) {
  return testutil::runProgram(PARETOPRUNE_CLI, args);
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}
}  // namespace

class TestUserFiles : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString model_, data_, log_;

  QString path(const QString& name) const { return tmp_.path() + "/" + name; }
  std::string spath(const QString& name) const { return path(name).toStdString(); }

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
    log_ = path("run.jsonl");
    r = cli({"search", model_, "--data", data_, "--trials", "3", "--log", log_, "--latency-runs",
             "0", "--max-length", "16", "--workers", "1"});
    QVERIFY2(r.code == 0, r.err.c_str());
  }

  // A directory of the user's (a file no export wrote) is refused, naming
  // what is there, and left as it was.
  void exportForceKeepsTheUsersDirectory() {
    QDir().mkpath(path("mine/sub"));
    testutil::writeText(spath("mine/notes.txt"), "keep me");
    auto r = cli({"export", model_, "--log", log_, "--trial", "0", "--out", path("mine"),
                  "--format", "hf", "--force"});
    QVERIFY2(r.code != 0, r.out.c_str());
    QVERIFY2(contains(r.err, "notes.txt") && contains(r.err, "sub/"), r.err.c_str());
    QVERIFY2(contains(r.err, "paretoprune.json"), r.err.c_str());
    QCOMPARE(testutil::readText(spath("mine/notes.txt")), std::string("keep me"));
    QVERIFY(QFileInfo(path("mine/sub")).isDir());
    // No temporary left beside it.
    for (const auto& e : std::filesystem::directory_iterator(tmp_.path().toStdString()))
      QVERIFY2(!contains(e.path().filename().string(), "mine."), e.path().c_str());
  }

  // An empty directory, and an earlier export (its paretoprune.json), are replaced.
  void exportForceReplacesEmptyAndEarlierExports() {
    QDir().mkpath(path("empty"));
    auto r = cli({"export", model_, "--log", log_, "--trial", "0", "--out", path("empty"),
                  "--format", "hf", "--force"});
    QVERIFY2(r.code == 0, r.err.c_str());
    QVERIFY(QFile::exists(path("empty/paretoprune.json")));
    r = cli({"export", model_, "--log", log_, "--trial", "1", "--out", path("empty"), "--format",
             "hf", "--force"});
    QVERIFY2(r.code == 0, r.err.c_str());
    // Without --force an existing directory is still refused.
    r = cli({"export", model_, "--log", log_, "--trial", "1", "--out", path("empty"), "--format",
             "hf"});
    QVERIFY(r.code != 0);
    QVERIFY2(contains(r.err, "--force"), r.err.c_str());
    // A file the user added to an earlier export since, at any depth, is
    // never deleted: the export refuses, naming it, and leaves the folder.
    testutil::writeText(spath("empty/README-mine.md"), "my notes");
    QDir().mkpath(path("empty/sub"));
    testutil::writeText(spath("empty/sub/a.txt"), "y");
    r = cli({"export", model_, "--log", log_, "--trial", "0", "--out", path("empty"), "--format",
             "hf", "--force"});
    QVERIFY2(r.code != 0, r.out.c_str());
    QVERIFY2(contains(r.err, "README-mine.md, sub/ were added since"), r.err.c_str());
    QCOMPARE(testutil::readText(spath("empty/README-mine.md")), std::string("my notes"));
    QCOMPARE(testutil::readText(spath("empty/sub/a.txt")), std::string("y"));
    QVERIFY(QFile::exists(path("empty/paretoprune.json")));  // the export still there
    QFile::remove(path("empty/README-mine.md"));
    QDir(path("empty/sub")).removeRecursively();
    // An export of another format (other files, a subfolder) replaces it.
    r = cli({"export", model_, "--log", log_, "--trial", "0", "--out", path("empty"), "--format",
             "onnx", "--force"});
    QVERIFY2(r.code == 0, r.err.c_str());
    r = cli({"export", model_, "--log", log_, "--trial", "1", "--out", path("empty"), "--format",
             "hf", "--force"});
    QVERIFY2(r.code == 0, r.err.c_str());
    QVERIFY(!QFileInfo::exists(path("empty/onnx")));
    // An export never replaces the model it is exported from, even when
    // that model is itself an export.
    const std::string weights = testutil::readText(spath("empty/model.safetensors"));
    r = cli({"export", path("empty"), "--subnet",
             R"({"num_layers": 1, "num_heads": 1, "num_units": 8})", "--out",
             path("empty") + "/../empty", "--format", "hf", "--force"});
    QVERIFY2(r.code != 0, r.out.c_str());
    QVERIFY2(contains(r.err, "is the model being exported"), r.err.c_str());
    QCOMPARE(testutil::readText(spath("empty/model.safetensors")), weights);
    // A file, or a link, in the target's place is not replaced either.
    testutil::writeText(spath("afile"), "x");
    r = cli({"export", model_, "--log", log_, "--trial", "0", "--out", path("afile"), "--format",
             "hf", "--force"});
    QVERIFY(r.code != 0);
    QCOMPARE(testutil::readText(spath("afile")), std::string("x"));
  }

  // train --out refuses a non-empty directory, the model's own included.
  void trainRefusesADirectoryInUse() {
    const std::string before = testutil::readText((model_ + "/model.safetensors").toStdString());
    auto r = cli({"train", model_, "--data", data_, "--out", model_, "--epochs", "1",
                  "--max-length", "16", "--no-checkpoints"});
    QVERIFY2(r.code != 0, r.err.c_str());
    QVERIFY2(contains(r.err, "config.json"), r.err.c_str());
    QCOMPARE(testutil::readText((model_ + "/model.safetensors").toStdString()), before);
    QDir().mkpath(path("used"));
    testutil::writeText(spath("used/thesis.tex"), "mine");
    r = cli({"train", model_, "--data", data_, "--out", path("used"), "--epochs", "1",
             "--max-length", "16", "--no-checkpoints"});
    QVERIFY2(r.code != 0 && contains(r.err, "thesis.tex"), r.err.c_str());
    QCOMPARE(QDir(path("used")).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).size(), 1);
  }

  // front --compare --out: an existing file needs --force.
  void frontCompareOutNeedsForce() {
    const QString second = path("run2.jsonl");
    auto r = cli({"search", model_, "--data", data_, "--trials", "3", "--log", second,
                  "--latency-runs", "0", "--max-length", "16", "--workers", "1", "--seed", "9"});
    QVERIFY2(r.code == 0, r.err.c_str());
    testutil::writeText(spath("front.csv"), "my table");
    r = cli({"front", "--compare", log_, second, "--out", path("front.csv")});
    QVERIFY(r.code != 0);
    QVERIFY2(contains(r.err, "--force"), r.err.c_str());
    QCOMPARE(testutil::readText(spath("front.csv")), std::string("my table"));
    r = cli({"front", "--compare", log_, second, "--out", path("front.csv"), "--force"});
    QVERIFY2(r.code == 0, r.err.c_str());
    QVERIFY(contains(testutil::readText(spath("front.csv")), "run,log,trial"));
  }

  // The atomic write never opens an existing name: a link planted where the
  // old predictable temporary (path.tmp-PID) was leaves its target alone.
  void atomicWriteFollowsNoPlantedLink() {
    const std::string target = spath("victim.txt"), file = spath("settings.json");
    testutil::writeText(target, "precious");
    const std::string planted = file + ".tmp-" + std::to_string(::getpid());
    QVERIFY(::symlink(target.c_str(), planted.c_str()) == 0);
    pp::fileutil::writeFileAtomic(file, "{}\n");
    QCOMPARE(testutil::readText(target), std::string("precious"));
    QCOMPARE(testutil::readText(file), std::string("{}\n"));
    std::filesystem::remove(planted);
    int temporaries = 0;
    for (const auto& e : std::filesystem::directory_iterator(tmp_.path().toStdString()))
      temporaries += contains(e.path().filename().string(), "settings.json.tmp-");
    QCOMPARE(temporaries, 0);
    // Two names drawn for one path differ.
    QVERIFY(pp::fileutil::randomSibling(file, ".tmp-") !=
            pp::fileutil::randomSibling(file, ".tmp-"));
  }

  // A new run log (study export-log) goes only where nothing is: not over a
  // file, not through a dangling link.
  void newRunLogIsExclusive() {
    pp::RunHeader h;
    h.model = model_.toStdString();
    pp::RunLog log;
    const std::string link = spath("dangling.jsonl"), where = spath("elsewhere.jsonl");
    QVERIFY(::symlink(where.c_str(), link.c_str()) == 0);
    const std::string e =
        testutil::errorOf([&] { log.create(link, h, pp::RunLog::Create::CreateNew); });
    QVERIFY2(contains(e, "exists"), e.c_str());
    QVERIFY(!QFile::exists(QString::fromStdString(where)));
    testutil::writeText(spath("taken.jsonl"), "x");
    QVERIFY(!testutil::errorOf([&] {
               log.create(spath("taken.jsonl"), h, pp::RunLog::Create::CreateNew);
             }).empty());
    QCOMPARE(testutil::readText(spath("taken.jsonl")), std::string("x"));
    log.create(spath("fresh.jsonl"), h, pp::RunLog::Create::CreateNew);
    log.close();
    QVERIFY(contains(testutil::readText(spath("fresh.jsonl")), "\"model\""));
  }
};

QTEST_GUILESS_MAIN(TestUserFiles)
#include "test_user_files.moc"
