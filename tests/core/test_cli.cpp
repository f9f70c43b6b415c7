// paretoprune-cli as a user runs it: help, version, make-tiny, info, eval,
// predict (streamed), tokenize, Ctrl-C in a search, and bad input giving a
// one-line error and exit code 1.
#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

#include <csignal>

#include <nlohmann/json.hpp>

#include "paretoprune/formats/subnet.h"
#include "paretoprune/model/model_config.h"
#include "paretoprune/search/run_header.h"
#include "paretoprune/search/training_data.h"
#include "testutil.h"

using nlohmann::json;

namespace {
struct Run {
  int code = -1;
  std::string out, err;
};
Run run(const QString& program, const QStringList& args, const QByteArray& input = {},
        const QString& cwd = {},
        const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment()) {
  QProcess p;
  if (!cwd.isEmpty()) p.setWorkingDirectory(cwd);
  p.setProcessEnvironment(env);
  p.start(program, args);
  if (!input.isNull()) p.write(input);
  p.closeWriteChannel();
  p.waitForFinished(120000);
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
          p.readAllStandardOutput().toStdString(), p.readAllStandardError().toStdString()};
}
Run cli(const QStringList& args, const QByteArray& input = {}, const QString& cwd = {}) {
  return run(PARETOPRUNE_CLI, args, input, cwd);
}
// A search as a user stops it: Ctrl-C (SIGINT) once its first progress line
// ("[1/19] ...") is out, so the search is under way with trials to go.
Run interruptedSearch(const QStringList& args) {
  QProcess p;
  p.setReadChannel(QProcess::StandardError);
  p.start(PARETOPRUNE_CLI, args);
  QByteArray err;
  const QRegularExpression progress(R"(\n\[\d+/\d+\] )");
  QElapsedTimer t;
  t.start();
  while (!progress.match(QString::fromUtf8("\n" + err)).hasMatch() &&
         p.state() != QProcess::NotRunning && t.elapsed() < 120000) {
    p.waitForReadyRead(200);
    err += p.readAllStandardError();
  }
  if (p.state() != QProcess::NotRunning) ::kill(static_cast<pid_t>(p.processId()), SIGINT);
  p.waitForFinished(120000);
  err += p.readAllStandardError();
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
          p.readAllStandardOutput().toStdString(), err.toStdString()};
}
}  // namespace

class TestCli : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString model_, data_;

 private Q_SLOTS:
  void initTestCase() {
    model_ = tmp_.path() + "/tiny";
    auto r = cli({"make-tiny", model_, "--layers", "2", "--hidden", "16", "--heads", "4",
                  "--intermediate", "32", "--seed", "3"});
    QVERIFY2(r.code == 0, r.err.c_str());
    data_ = tmp_.path() + "/data.tsv";
    std::string d = "sentence\tlabel\n";
    for (int i = 0; i < 30; ++i)
      d += std::string(i % 2 ? "good food" : "bad service") + " " + std::to_string(i) + "\t" +
           (i % 2 ? "positive" : "negative") + "\n";
    testutil::writeText(data_.toStdString(), d);
  }

  void versionAndHelp() {
    auto v = cli({"--version"});
    QCOMPARE(v.code, 0);
    QVERIFY(v.out.find("paretoprune-cli 0.") != std::string::npos);
    QVERIFY(v.out.find("LibTorch") != std::string::npos);
    for (const char* sub : {"make-tiny", "info", "tokenize", "eval", "predict"}) {
      auto h = cli({sub, "--help"});
      QCOMPARE(h.code, 0);
      QVERIFY(h.out.find(sub) != std::string::npos);
    }
  }

  void info() {
    auto r = cli({"info", model_, "--json"});
    QCOMPARE(r.code, 0);
    json j = json::parse(r.out);
    QCOMPARE(j["num_hidden_layers"].get<int>(), 2);
    QVERIFY(j["parameters"].get<int64_t>() > 0);
    // Works with config.json alone.
    QTemporaryDir only;
    QFile::copy(model_ + "/config.json", only.path() + "/config.json");
    auto r2 = cli({"info", only.path()});
    QCOMPARE(r2.code, 0);
    QVERIFY(r2.out.find("parameters") != std::string::npos);
  }

  void evalFullAndSubnet() {
    auto r = cli({"eval", model_, "--data", data_, "--json", "--latency-runs", "2",
                  "--latency-length", "16"});
    QVERIFY2(r.code == 0, r.err.c_str());
    json full = json::parse(r.out);
    QCOMPARE(full["examples"].get<int>(), 30);
    auto s =
        cli({"eval", model_, "--data", data_, "--json", "--subnet",
             R"({"num_layers":1,"num_heads":2,"num_units":8})", "--masked", "--latency-runs", "0"});
    QVERIFY2(s.code == 0, s.err.c_str());
    json sub = json::parse(s.out);
    QVERIFY(sub["parameters"].get<int64_t>() < full["parameters"].get<int64_t>());
    QCOMPARE(sub["mode"].get<std::string>(), std::string("masked"));
    auto split = cli(
        {"eval", model_, "--data", data_, "--json", "--val-split", "0.3", "--latency-runs", "0"});
    QCOMPARE(json::parse(split.out)["examples"].get<int>(), 9);
  }

  void predictAndTokenize() {
    auto r = cli({"predict", model_},
                 "{\"text\":\"good food\"}\n{\"text\":\"bad\",\"pair\":\"service\"}\n");
    QVERIFY2(r.code == 0, r.err.c_str());
    std::istringstream lines(r.out);
    std::string line;
    int n = 0;
    while (std::getline(lines, line)) {
      json j = json::parse(line);
      QVERIFY(j["label"] == "positive" || j["label"] == "negative");
      QCOMPARE(j["logits"].size(), size_t(2));
      ++n;
    }
    QCOMPARE(n, 2);
    // A line without "pair" among lines with one is encoded as one text, as
    // it is alone (not with an empty second segment).
    // (The demo's trained model: the tiny random one barely reads its input.)
    const QString demo = QString(PARETOPRUNE_RESOURCES_DIR) + "/demo/model";
    auto alone = cli({"predict", demo}, "{\"text\":\"good food\"}\n");
    auto mixed = cli({"predict", demo},
                     "{\"text\":\"good food\"}\n{\"text\":\"bad\",\"pair\":\"service\"}\n");
    QCOMPARE(alone.code, 0);
    QCOMPARE(mixed.code, 0);
    const json a = json::parse(alone.out),
               m = json::parse(mixed.out.substr(0, mixed.out.find('\n')));
    for (size_t k = 0; k < 2; ++k)
      QVERIFY(std::abs(a["logits"][k].get<double>() - m["logits"][k].get<double>()) < 1e-6);
    auto t = cli({"tokenize", model_}, "{\"text\":\"good food\"}\n");
    QCOMPARE(t.code, 0);
    json j = json::parse(t.out);
    QCOMPARE(j["ids"].size(), size_t(4));
  }

  void badInput_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("no model") << QStringList{"info", "/nonexistent"} << "cannot open";
    QTest::newRow("bad subnet")
        << QStringList{"eval",   "<model>",  "--data",
                       "<data>", "--subnet", "{\"num_layers\":9,\"num_heads\":1,\"num_units\":1}"}
        << "num_layers 9";
    QTest::newRow("bad json subnet")
        << QStringList{"eval", "<model>", "--data", "<data>", "--subnet", "{oops"}
        << "not valid JSON";
    QTest::newRow("unknown column")
        << QStringList{"eval", "<model>", "--data", "<data>", "--text-column", "nope"}
        << "no column \"nope\"";
    QTest::newRow("missing data") << QStringList{"eval", "<model>", "--data", "/nonexistent.tsv"}
                                  << "File does not exist";
    QTest::newRow("misspelt subnet key")
        << QStringList{"eval",   "<model>",  "--data",
                       "<data>", "--subnet", "{\"num_layers\":1,\"num_head\":1,\"num_units\":1}"}
        << "unknown key \"num_head\"";
    QTest::newRow("misspelt per-layer key")
        << QStringList{"eval",   "<model>",  "--data",
                       "<data>", "--subnet", "{\"layers\":[{\"heads\":1,\"unit\":4}]}"}
        << "layer 0: unknown key \"unit\"";
    QTest::newRow("one example") << QStringList{"eval", "<model>", "--data", "<one>"}
                                 << "the only example has the label";
    QTest::newRow("mistyped command")
        << QStringList{"evl", "<model>"} << "unknown command \"evl\" (commands: ";
    QTest::newRow("mistyped option")
        << QStringList{"eval", "<model>", "--dta", "<data>"} << "unknown option --dta for eval";
    QTest::newRow("a directory as the log")
        << QStringList{"front", "/tmp"} << "/tmp: is a directory";
    QTest::newRow("a directory as --log")
        << QStringList{"search", "<model>", "--data", "<data>", "--log", "/tmp"}
        << "/tmp is a directory; --log takes";
    QTest::newRow("resume without a log")
        << QStringList{"search", "<model>", "--data", "<data>", "--resume"} << "--resume needs";
    QTest::newRow("resume a missing log") << QStringList{"search",
                                                         "<model>",
                                                         "--data",
                                                         "<data>",
                                                         "--resume",
                                                         "--log",
                                                         "/nonexistent/run.jsonl"}
                                          << "no such run log to resume";
  }
  void badInput() {
    QFETCH(QStringList, args);
    QFETCH(QString, fragment);
    for (auto& a : args) {
      if (a == "<model>") a = model_;
      if (a == "<data>") a = data_;
      if (a == "<one>") {
        a = tmp_.path() + "/one.tsv";
        testutil::writeText(a.toStdString(), "sentence\tlabel\ngood food\tpositive\n");
      }
    }
    auto r = cli(args);
    QCOMPARE(r.code, 1);  // usage errors too: one line, exit code 1, as the README says
    QVERIFY2(r.err.find(fragment.toStdString()) != std::string::npos, r.err.c_str());
    QCOMPARE(std::count(r.err.begin(), r.err.end(), '\n'), 1L);
    QVERIFY(r.out.empty());
  }

  void trainReorderSearchExport() {
    const QString dir = tmp_.path();
    auto t =
        cli({"train", model_, "--data", data_, "--val-split", "0.3", "--out", dir + "/trained",
             "--strategy", "sandwich", "--epochs", "2", "--max-length", "16", "--batch-size", "8"});
    QVERIFY2(t.code == 0, t.err.c_str());
    QVERIFY2(t.err.find("epoch 2: train loss") != std::string::npos, t.err.c_str());
    QVERIFY(t.err.find("smallest sub-network") != std::string::npos);
    // The model remembers what it was trained on: a search whose validation
    // examples were training examples says so; the same held-out split does not.
    const json record =
        json::parse(testutil::readText(dir.toStdString() + "/trained/training.json"));
    QCOMPARE(record["data"]["val_split"].get<double>(), 0.3);
    auto seen = cli({"search", dir + "/trained", "--data", data_, "--val-split", "0.5", "--trials",
                     "2", "--latency-runs", "0", "--max-length", "16"});
    QVERIFY2(seen.code == 0, seen.err.c_str());
    QVERIFY2(
        seen.err.find("validation examples are ones the model was trained on") != std::string::npos,
        seen.err.c_str());
    auto heldOut = cli({"search", dir + "/trained", "--data", data_, "--val-split", "0.3",
                        "--trials", "2", "--latency-runs", "0", "--max-length", "16"});
    QVERIFY2(heldOut.code == 0, heldOut.err.c_str());
    QVERIFY2(heldOut.err.find("trained on") == std::string::npos, heldOut.err.c_str());
    // eval says it too: the whole training file holds the 70% it was trained on.
    auto evalSeen = cli({"eval", dir + "/trained", "--data", data_, "--max-length", "16"});
    QVERIFY2(evalSeen.code == 0, evalSeen.err.c_str());
    QVERIFY2(evalSeen.err.find("validation examples are ones the model was trained on") !=
                     std::string::npos &&
                 evalSeen.err.find("remove them from " + data_.toStdString()) != std::string::npos,
             evalSeen.err.c_str());
    // train --limit is a quick try: it caps the training examples too.
    auto limited = cli({"train", model_, "--data", data_, "--limit", "6", "--epochs", "1", "--out",
                        dir + "/limited", "--max-length", "16", "--batch-size", "8"});
    QVERIFY2(limited.code == 0, limited.err.c_str());
    QVERIFY2(limited.err.find(" on 6 examples") != std::string::npos, limited.err.c_str());
    QVERIFY(QFile::exists(dir + "/trained/checkpoint-epoch-1/model.safetensors"));
    auto bad =
        cli({"train", model_, "--data", data_, "--out", dir + "/x", "--strategy", "sandwitch"});
    QCOMPARE(bad.code, 1);
    QVERIFY2(bad.err.find("unknown strategy \"sandwitch\"") != std::string::npos, bad.err.c_str());

    auto r = cli({"reorder", dir + "/trained", "--data", data_, "--out", dir + "/ordered",
                  "--batches", "2"});
    QVERIFY2(r.code == 0, r.err.c_str());
    QVERIFY(r.out.find("layer 1:") != std::string::npos);
    r = cli({"reorder", dir + "/trained", "--data", data_, "--out", dir + "/ordered"});
    QCOMPARE(r.code, 1);
    QVERIFY(r.err.find("already exists") != std::string::npos);

    auto b = cli({"baseline", model_, "--data", data_, "--val-split", "0.3", "--json"});
    QVERIFY2(b.code == 0, b.err.c_str());
    QCOMPARE(json::parse(b.out).size(), size_t(2));

    const QString log = dir + "/run.jsonl";
    auto s = cli({"search", dir + "/ordered", "--data", data_, "--trials", "6", "--log", log,
                  "--latency-runs", "0", "--max-length", "16"});
    QVERIFY2(s.code == 0, s.err.c_str());
    auto f = cli({"front", log});
    QVERIFY2(f.out.find("  full  ") != std::string::npos, f.out.c_str());
    {
      // One damaged line in the middle: named, and the rest on request.
      std::string text = testutil::readText(log.toStdString());
      const size_t l3 = text.find('\n', text.find('\n') + 1) + 1;
      text.replace(l3, text.find('\n', l3) - l3, "{\"trial\": [oops");
      const std::string damaged = (dir + "/damaged.jsonl").toStdString();
      testutil::writeText(damaged, text);
      auto refused = cli({"front", QString::fromStdString(damaged), "--all", "--json"});
      QCOMPARE(refused.code, 1);
      QVERIFY2(refused.err.find("line 3") != std::string::npos &&
                   refused.err.find("--skip-bad-lines") != std::string::npos,
               refused.err.c_str());
      auto rest =
          cli({"front", QString::fromStdString(damaged), "--all", "--json", "--skip-bad-lines"});
      QVERIFY2(rest.code == 0, rest.err.c_str());
      QVERIFY2(rest.err.find("line 3") != std::string::npos, rest.err.c_str());
      auto whole = cli({"front", log, "--all", "--json"});
      QCOMPARE(json::parse(rest.out).size() + 1, json::parse(whole.out).size());
    }
    auto e = cli({"export", dir + "/ordered", "--log", log, "--within", "100", "--out",
                  dir + "/exp", "--format", "torchscript"});
    QVERIFY2(e.code == 0, e.err.c_str());
    QVERIFY(QFile::exists(dir + "/exp/model.pt"));
    // An export is not a model to evaluate: say what it is and what loads it.
    auto notModel = cli({"eval", dir + "/exp", "--data", data_});
    QCOMPARE(notModel.code, 1);
    QVERIFY2(notModel.err.find("this is a torchscript export") != std::string::npos &&
                 notModel.err.find("torch.jit.load") != std::string::npos,
             notModel.err.c_str());
    auto info = cli({"info", dir + "/exp"});  // info says so too, beside the architecture
    QVERIFY2(info.code == 0 && info.out.find("this is a torchscript export") != std::string::npos,
             info.out.c_str());
    // An ONNX export the same way, with the runtime its record names.
    auto o = cli({"export", dir + "/ordered", "--log", log, "--within", "100", "--out",
                  dir + "/exp-onnx", "--format", "onnx"});
    if (o.err.find("has no ONNX export") == std::string::npos) {  // -DPARETOPRUNE_ONNX=OFF
      QVERIFY2(o.code == 0, o.err.c_str());
      auto notOnnxModel = cli({"eval", dir + "/exp-onnx", "--data", data_});
      QCOMPARE(notOnnxModel.code, 1);
      QVERIFY2(notOnnxModel.err.find("this is an onnx export, which ONNX Runtime") !=
                       std::string::npos &&
                   notOnnxModel.err.find("--format hf-any") != std::string::npos,
               notOnnxModel.err.c_str());
    }
    QVERIFY(e.err.find("picked trial") != std::string::npos);
    // The export records where its trial came from: the run log, the data
    // and, without a validation file, the split held out of it.
    const json prov =
        json::parse(testutil::readText((dir + "/exp/paretoprune.json").toStdString()));
    QCOMPARE(prov["run_log"].get<std::string>(), log.toStdString());
    QCOMPARE(QFileInfo(QString::fromStdString(prov["data"].get<std::string>())).canonicalFilePath(),
             QFileInfo(data_).canonicalFilePath());
    QVERIFY(!prov.contains("validation"));
    QCOMPARE(prov["val_split"].get<double>(), 0.3);
    QVERIFY(prov["trial"].contains("subnet"));
    e = cli({"export", dir + "/ordered", "--log", log, "--trial", "999", "--out", dir + "/exp2"});
    QCOMPARE(e.code, 1);
    QVERIFY2(e.err.find("has no trial 999") != std::string::npos, e.err.c_str());
    e = cli({"export", model_, "--log", log, "--trial", "0", "--out", dir + "/exp3"});
    QVERIFY2(e.err.find("another model") != std::string::npos, e.err.c_str());
    QVERIFY(!QFile::exists(dir + "/exp3"));
    // Another model of another shape: its trials do not even fit; said so.
    auto small = cli({"make-tiny", dir + "/one-layer", "--layers", "1", "--hidden", "16", "--heads",
                      "4", "--intermediate", "32"});
    QVERIFY2(small.code == 0, small.err.c_str());
    e = cli({"export", dir + "/one-layer", "--log", log, "--trial", "0", "--out", dir + "/exp4"});
    QCOMPARE(e.code, 1);
    QVERIFY2(e.err.find("was written for another model") != std::string::npos, e.err.c_str());
    QVERIFY(!QFile::exists(dir + "/exp4"));
  }

  // A run made with relative paths is read from another folder (the log
  // stores absolute paths), and after its folder moved (the paths relative
  // to the log); latency that was not measured says so.
  void logsFromAnotherFolderAndMoved() {
    const QString proj = tmp_.path() + "/proj";
    QVERIFY(QDir().mkpath(proj));
    QVERIFY(cli({"make-tiny", proj + "/m", "--layers", "2", "--hidden", "16", "--heads", "4",
                 "--intermediate", "32"})
                .code == 0);
    QVERIFY(QFile::copy(data_, proj + "/d.tsv"));
    auto s = cli({"search", "m", "--data", "d.tsv", "--trials", "4", "--log", "run.jsonl",
                  "--latency-runs", "0", "--max-length", "16"},
                 {}, proj);
    QVERIFY2(s.code == 0, s.err.c_str());
    auto f = cli({"front", "proj/run.jsonl"}, {}, tmp_.path());
    QVERIFY2(f.code == 0, f.err.c_str());
    QVERIFY2(f.out.find("not measured") != std::string::npos, f.out.c_str());
    QVERIFY(f.out.find("0.00 ms") == std::string::npos);
    QVERIFY(QDir().rename(proj, tmp_.path() + "/moved"));
    f = cli({"front", "moved/run.jsonl"}, {}, tmp_.path());
    QVERIFY2(f.code == 0, f.err.c_str());
    auto e = cli({"export", tmp_.path() + "/moved/m", "--log", "moved/run.jsonl", "--trial", "0",
                  "--out", tmp_.path() + "/moved-exp"},
                 {}, tmp_.path());
    QVERIFY2(e.code == 0 || e.err.find("did not finish") != std::string::npos, e.err.c_str());
    // Resumed after the move: the data is found beside the log too.
    auto r = cli({"search", "m", "--data", "d.tsv", "--trials", "6", "--log", "run.jsonl",
                  "--resume", "--latency-runs", "0", "--max-length", "16"},
                 {}, tmp_.path() + "/moved");
    QVERIFY2(r.code == 0, r.err.c_str());
  }

  // Damaged logs: one line naming the file, the line and the field; exit 1.
  void damagedLogs_data() {
    QTest::addColumn<QString>("header");
    QTest::addColumn<QString>("trial");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("trials as text") << R"("trials":"many")"
                                    << ""
                                    << R"(line 1: field "trials" must be an integer)";
    QTest::newRow("objectives as object") << R"("objectives":{"a":1})"
                                          << ""
                                          << R"(line 1: field "objectives")";
    QTest::newRow("seed negative") << R"("seed":-3)"
                                   << ""
                                   << R"(line 1: field "seed")";
    QTest::newRow("params 1e300") << ""
                                  << R"("params":1e300)"
                                  << R"(line 2: trial: field "params")";
    QTest::newRow("params negative") << ""
                                     << R"("params":-5)"
                                     << R"(line 2: trial: field "params" is -5)";
    QTest::newRow("status number") << ""
                                   << R"("status":7)"
                                   << R"(line 2: trial: field "status")";
    QTest::newRow("subnet text") << ""
                                 << R"("subnet":"big")"
                                 << R"(line 2: field "subnet")";
    QTest::newRow("reference array") << R"("reference":[1])"
                                     << ""
                                     << R"(line 1: field "reference")";
  }
  void damagedLogs() {
    QFETCH(QString, header);
    QFETCH(QString, trial);
    QFETCH(QString, fragment);
    const QString log = tmp_.path() + "/damaged.jsonl";
    std::string h = "{\"paretoprune_log\":1,\"model\":\"" + model_.toStdString() + "\"";
    if (!header.isEmpty()) h += "," + header.toStdString();
    std::string t =
        R"({"trial":0,"status":"ok","subnet":{"num_layers":1,"num_heads":4,"num_units":8},"error":0.5)";
    if (!trial.isEmpty()) t += "," + trial.toStdString();
    testutil::writeText(log.toStdString(), h + "}\n" + t + "}\n");
    auto r = cli({"front", log});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.find(log.toStdString()) != std::string::npos, r.err.c_str());
    QVERIFY2(r.err.find(fragment.toStdString()) != std::string::npos, r.err.c_str());
    QCOMPARE(std::count(r.err.begin(), r.err.end(), '\n'), 1L);
  }

  // The window's --help and --version need no display.
  void guiHelpWithoutDisplay() {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("DISPLAY");
    env.remove("WAYLAND_DISPLAY");
    env.remove("QT_QPA_PLATFORM");
    for (const char* flag : {"--help", "--version"}) {
      auto r = run(PARETOPRUNE_GUI, {flag}, {}, {}, env);
      QVERIFY2(r.code == 0, (std::string(flag) + ": " + r.err).c_str());
      QVERIFY(r.out.find(std::string(flag) == "--help" ? "--demo" : "ParetoPrune") !=
              std::string::npos);
    }
  }

  // A bad line is answered in place and the rest is predicted; plain text
  // lines are texts; the exit code says something was skipped.
  void predictBadLine() {
    auto r =
        cli({"predict", model_},
            "{\"text\":\"ok\"}\n{\"text\": 5}\nplain words, no JSON\n{oops\n{\"text\":\"last\"}\n");
    QCOMPARE(r.code, 1);
    std::vector<json> out;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) out.push_back(json::parse(line));
    QCOMPARE(out.size(), size_t(5));
    for (size_t i : {0, 2, 4}) QVERIFY(out[i].contains("label"));
    QCOMPARE(out[1]["line"].get<int>(), 2);
    QCOMPARE(out[3]["line"].get<int>(), 4);
    for (int i : {0, 2, 4}) QCOMPARE(out[i]["line"].get<int>(), i + 1);  // answers name theirs too
    auto blank = cli({"predict", model_}, "{\"text\":\"ok\"}\n\n{\"text\":\"again\"}\n");
    QCOMPARE(blank.code, 0);
    QCOMPARE(json::parse(blank.out.substr(blank.out.find('\n') + 1))["line"].get<int>(), 3);
    QVERIFY(r.err.find("stdin line 2") != std::string::npos);
    QVERIFY(r.err.find("stdin line 4") != std::string::npos);
    QVERIFY2(r.err.find("2 line(s) could not be read (3 predicted)") != std::string::npos,
             r.err.c_str());
    // Plain text gets the same answer as the same text in JSON.
    auto plain = cli({"predict", model_}, "plain words, no JSON\n");
    auto asJson = cli({"predict", model_}, "{\"text\":\"plain words, no JSON\"}\n");
    QCOMPARE(plain.code, 0);
    QCOMPARE(plain.out, asJson.out);
    QCOMPARE(json::parse(plain.out)["logits"], out[2]["logits"]);
  }

  // Ctrl-C in the middle of a search: without --log nothing was kept and
  // --resume cannot continue it, so the message says to give --log next
  // time and never to resume; with --log it names the log and --resume.
  void interruptedSearchSaysWhatIsKept() {
    // Slow trials (many latency runs, one worker), so that Ctrl-C comes
    // while most of the 19 are still to run; the non-tty progress is a
    // line per trial below 20.
    QStringList search = {"search", model_, "--data", data_, "--trials", "19", "--workers", "1"};
    search += QStringList{"--max-length", "16", "--latency-runs", "50", "--latency-length", "128"};
    auto noLog = interruptedSearch(search);
    QVERIFY2(noLog.code == 1, noLog.err.c_str());
    const std::string said = noLog.err.substr(noLog.err.rfind("paretoprune-cli: "));
    QVERIFY2(said.find("interrupted; the trials were not kept") != std::string::npos,
             noLog.err.c_str());
    QVERIFY2(said.find("continue with the same command") == std::string::npos, said.c_str());
    // --resume only as what a run kept with --log allows, never as the way on.
    const size_t resume = said.find("--resume");
    QVERIFY2(said.find("--log") < resume || resume == std::string::npos, said.c_str());
    QVERIFY(said.find("--resume (") == std::string::npos);

    const QString log = tmp_.path() + "/interrupted.jsonl";
    auto logged = interruptedSearch(QStringList(search) << "--log" << log);
    QVERIFY2(logged.code == 1, logged.err.c_str());
    QVERIFY2(
        logged.err.find("interrupted; continue with the same command and --resume (" +
                        log.toStdString() + " keeps every finished trial)") != std::string::npos,
        logged.err.c_str());
    QVERIFY(QFileInfo(log).size() > 0);
  }

  // predict answers a line as soon as it is read (stdin still open, as a
  // user typing), and a bad last line is answered and counted, with the
  // lines predicted before it.
  void predictStreamsAndCountsABadLastLine() {
    QProcess p;
    p.start(PARETOPRUNE_CLI, {"predict", model_});
    QVERIFY(p.waitForStarted());
    p.write("{\"text\":\"good food\"}\n");
    QByteArray out;
    QElapsedTimer t;
    t.start();
    while (!out.contains('\n') && p.state() == QProcess::Running && t.elapsed() < 120000) {
      p.waitForReadyRead(200);
      out += p.readAllStandardOutput();
    }
    QVERIFY2(out.contains('\n'), p.readAllStandardError().constData());  // before stdin closed
    QCOMPARE(p.state(), QProcess::Running);
    const json first = json::parse(out.left(out.indexOf('\n')).toStdString());
    QCOMPARE(first["line"].get<int>(), 1);
    QVERIFY(first.contains("label"));
    p.write("bad service\n{oops");  // a plain text, then a bad last line (no newline)
    p.closeWriteChannel();
    QVERIFY(p.waitForFinished(120000));
    out += p.readAllStandardOutput();
    const std::string err = p.readAllStandardError().toStdString();
    QCOMPARE(p.exitCode(), 1);
    std::vector<json> answers;
    std::istringstream lines(out.toStdString());
    for (std::string line; std::getline(lines, line);) answers.push_back(json::parse(line));
    QCOMPARE(answers.size(), size_t(3));
    QCOMPARE(answers[1]["line"].get<int>(), 2);
    QVERIFY(answers[1].contains("label"));
    QCOMPARE(answers[2]["line"].get<int>(), 3);
    QVERIFY(answers[2].contains("error") && !answers[2].contains("label"));
    QVERIFY2(err.find("stdin line 3") != std::string::npos, err.c_str());
    QVERIFY2(err.find("1 line(s) could not be read (2 predicted)") != std::string::npos,
             err.c_str());
  }

  // Counts read as words: "1 head", "1 unit"; train's --batch-size is a
  // training batch, not an evaluation one.
  void wordsForCounts() {
    pp::SubNetwork one;
    one.layers = {{1, 0}, {0, 1}};
    QCOMPARE(QString::fromStdString(one.summary()), QString("2L per-layer (1 head, 1 unit)"));
    pp::SubNetwork more;
    more.layers = {{2, 0}, {1, 3}};
    QCOMPARE(QString::fromStdString(more.summary()), QString("2L per-layer (3 heads, 3 units)"));
    auto h = cli({"train", "--help"});
    QCOMPARE(h.code, 0);
    const size_t at = h.out.find("--batch-size");
    QVERIFY2(at != std::string::npos, h.out.c_str());
    const std::string option = h.out.substr(at, h.out.find("\n  -", at) - at);
    QVERIFY2(option.find("training step") != std::string::npos, option.c_str());
    QVERIFY2(QString::fromStdString(option).indexOf("evaluation batch", 0, Qt::CaseInsensitive) < 0,
             option.c_str());
  }

  // The demo's model was trained on sentiment-train.tsv; 4 of the 600
  // sentences of its validation file occur there too (the README says so):
  // few enough to be a remark, not a question.
  void demoValidationSeenInTraining() {
    const std::string demo = std::string(PARETOPRUNE_RESOURCES_DIR) + "/demo";
    pp::DataSplit split;
    split.data = demo + "/sentiment-train.tsv";
    split.validation = demo + "/sentiment-validation.tsv";
    const pp::ModelConfig c = pp::loadModelConfig(demo + "/model/config.json");
    const pp::SeenExamples seen =
        pp::seenInTraining(demo + "/model", split, split.validationSet(c), c);
    QCOMPARE(seen.total, int64_t(600));
    QCOMPARE(seen.seen, int64_t(4));
    QCOMPARE(QString::fromStdString(seen.trainedOn), QString("sentiment-train.tsv"));
    QVERIFY(seen.share() < pp::kFewSeen);
    const std::string warning = pp::seenWarning(seen, split.validation);
    QVERIFY2(warning.rfind("4 of 600 (0.7%) validation examples", 0) == 0, warning.c_str());
    QVERIFY2(warning.find("hardly move") != std::string::npos, warning.c_str());
  }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
