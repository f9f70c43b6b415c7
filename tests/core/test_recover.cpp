// paretoprune-cli recover as a user runs it on a tiny model: records in the
// run log linked to their source trials, the recovered weights exported,
// `front --recovered`, a second run reusing finished picks, resume after a
// SIGKILL, and bad input said in one line with the log left as it was.
#include <QProcess>
#include <QtTest>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "paretoprune/base/rng.h"
#include "paretoprune/model/model_config.h"
#include "paretoprune/search/pick_again.h"
#include "paretoprune/search/recommend.h"
#include "paretoprune/search/run_log.h"
#include "testutil.h"

namespace {
testutil::Run cli(const QStringList& args, int timeoutMs = 300000) {
  return testutil::runProgram(PARETOPRUNE_CLI, args, {}, timeoutMs);
}
QString q(const std::string& s) {
  return QString::fromStdString(s);
}
int occurrences(const std::string& s, const std::string& what) {
  int n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}
int lineCount(const std::string& s) {
  return static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}
}  // namespace

class TestRecover : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  std::string dir_, model_, log_;
  std::vector<int64_t> picks_;

  // Sentences whose label follows their words, so fine-tuning has something to learn.
  void writeData(const std::string& path, int n, uint64_t seed) {
    pp::Rng rng(seed);
    const char* pos[] = {"good", "great", "fine", "lovely"};
    const char* neg[] = {"bad", "awful", "poor", "sad"};
    const char* filler[] = {"the", "movie", "was", "food", "service", "very"};
    std::string data = "sentence\tlabel\n";
    for (int i = 0; i < n; ++i) {
      const bool p = rng.bernoulli(0.5);
      for (int w = 0; w < 8; ++w)
        data += std::string(w ? " " : "") +
                (w == 3 ? (p ? pos[rng.index(4)] : neg[rng.index(4)]) : filler[rng.index(6)]);
      data += p ? "\tpositive\n" : "\tnegative\n";
    }
    testutil::writeText(path, data);
  }
  pp::LogContents readLog() {
    const auto cfg = pp::loadModelConfig(model_ + "/config.json");
    return pp::readRunLog(log_, &cfg);
  }

 private Q_SLOTS:
  void initTestCase() {
    dir_ = tmp_.path().toStdString();
    model_ = dir_ + "/m";
    log_ = dir_ + "/run.jsonl";
    QCOMPARE(cli({"make-tiny", q(model_), "--layers", "2", "--hidden", "32", "--heads", "4",
                  "--intermediate", "64", "--seed", "1"})
                 .code,
             0);
    writeData(dir_ + "/train.tsv", 240, 1);
    writeData(dir_ + "/val.tsv", 60, 2);
    // Sandwich training so that the trials are of a model that learnt something.
    const auto t = cli({"train", q(model_), "--data", q(dir_ + "/train.tsv"), "--out",
                        q(dir_ + "/trained"), "--epochs", "2", "--lr", "1e-3", "--strategy",
                        "standard", "--no-checkpoints", "--max-length", "16"});
    QVERIFY2(t.code == 0, t.err.c_str());
    model_ = dir_ + "/trained";
    const auto s =
        cli({"search", q(model_), "--data", q(dir_ + "/train.tsv"), "--validation",
             q(dir_ + "/val.tsv"), "--trials", "10", "--space", "per-layer", "--latency-runs", "0",
             "--log", q(log_), "--no-auto", "--max-length", "16"});
    QVERIFY2(s.code == 0, s.err.c_str());
    for (const auto& t2 : readLog().trials)
      if (t2.ok() && picks_.size() < 2 && t2.subnet.keptLayers() > 0) picks_.push_back(t2.id);
    QCOMPARE(picks_.size(), size_t(2));
  }

  void recoverRecordsLinkedTrials() {
    const QString ids = QString::number(picks_[0]) + "," + QString::number(picks_[1]);
    const QStringList args = {"recover", q(log_),          "--trials",       ids,
                              "--out",   q(dir_ + "/rec"), "--budget-steps", "30",
                              "--lr",    "1e-3,3e-3",      "--probe-steps",  "5"};
    const auto r = cli(args);
    QVERIFY2(r.code == 0, r.err.c_str());
    // The report names the judge, once per pick.
    QCOMPARE(occurrences(r.out, "agreement with the full model (the judge, 120"), 2);
    const auto lc = readLog();
    QCOMPARE(lc.recovered.size(), size_t(2));
    for (size_t i = 0; i < 2; ++i) {
      const auto& rec = lc.recovered[i];
      QCOMPARE(rec.source, picks_[i]);
      QCOMPARE(rec.method, std::string("distill"));
      const pp::Trial* src = nullptr;
      for (const auto& t : lc.trials)
        if (t.id == rec.source) src = &t;
      QVERIFY(src);
      QVERIFY(rec.trial.subnet == src->subnet);
      QCOMPARE(rec.trial.params, src->params);
      QVERIFY(QFile::exists(q(rec.weights + "/model.safetensors")));
      QVERIFY(rec.weightsChecksum.rfind("sha256:", 0) == 0);
      // The learning rate was chosen among the two given, on the held-out split.
      const double lr = rec.details.value("learning_rate", 0.0);
      QVERIFY(lr == 1e-3 || lr == 3e-3);
      QCOMPARE(rec.details["probes"].size(), size_t(2));
      QVERIFY(rec.details["holdout"].value("examples", 0) > 0);
      // The transfer set: 216 training sentences (240 less the 10% held
      // out) and 4 variants of each, under the cap of 30 steps of 32.
      QCOMPARE(rec.details["transfer_set"].value("examples", 0), 216);
      QCOMPARE(rec.details["transfer_set"].value("variants", 0), 864);
      QCOMPARE(rec.details["settings"].value("augment", 0), 4);
      // The judge of a distillation with a transfer set: agreement with the
      // full model on the 24 held-out sentences and 4 variants of each;
      // never less there than before (step 0 is a check, the best kept).
      const auto& agreement = rec.details["agreement"];
      QCOMPARE(agreement.value("examples", 0), 24 + 96);
      QVERIFY2(agreement.value("after", -1.0) >= agreement.value("before", 2.0),
               agreement.dump().c_str());
      QVERIFY(rec.details["holdout"].value("after", -1.0) >= 0);
    }
    // Again: the finished picks are reused, nothing is recorded twice.
    const auto again = cli(args);
    QVERIFY2(again.code == 0, again.err.c_str());
    QVERIFY(again.out.find("finished earlier") != std::string::npos);
    QCOMPARE(readLog().recovered.size(), size_t(2));
    // Pick again over the recovered points.
    const auto f = cli({"front", q(log_), "--recovered", "--json"});
    QVERIFY2(f.code == 0, f.err.c_str());
    QVERIFY(nlohmann::json::parse(f.out).is_array());
    // Under a constraint, and with the picks: core's rules over both kinds.
    const pp::OpenedRunLog run = pp::openRunLog(log_, model_);
    const pp::Trial* ref = run.reference ? &*run.reference : nullptr;
    QVERIFY(ref);
    const auto& obj = run.log.header.objectives;
    const auto cs = pp::parseConstraints({"params_share<=0.9"});
    const auto want = pp::pickAgain(run.log.trials, run.log.recovered, obj, cs, ref);
    const auto fc =
        cli({"front", q(log_), "--recovered", "--constraint", "params_share<=0.9", "--json"});
    QVERIFY2(fc.code == 0, fc.err.c_str());
    const auto rows = nlohmann::json::parse(fc.out);
    QCOMPARE(rows.size(), want.front.size());
    QVERIFY(!rows.empty());
    for (size_t k = 0; k < rows.size(); ++k) {
      QCOMPARE(rows[k]["trial"].get<int64_t>(), want.all[want.front[k]].id);
      QVERIFY(rows[k]["params"].get<double>() <= 0.9 * static_cast<double>(ref->params));
    }
    const auto all = pp::pickAgain(run.log.trials, run.log.recovered, obj);
    pp::RecommendOptions ro;  // as the CLI asks: the run's metric
    ro.metric = run.log.header.metric;
    const auto picks = pp::recommendPicks(all.all, obj, {}, ref, ro);
    const auto pj = cli({"front", q(log_), "--recovered", "--recommend", "--json"});
    QVERIFY2(pj.code == 0, pj.err.c_str());
    const auto got = nlohmann::json::parse(pj.out)["picks"];
    QCOMPARE(got.size(), picks.size());
    for (size_t k = 0; k < picks.size(); ++k) {
      QCOMPARE(got[k]["trial"]["trial"].get<int64_t>(), all.all[picks[k].index].id);
      const bool recovered = picks[k].index >= run.log.trials.size();
      QCOMPARE(got[k]["kind"].get<std::string>(), std::string(recovered ? "recovered" : "search"));
      if (recovered)
        QCOMPARE(got[k]["recovered"]["source"].get<int64_t>(), all.all[picks[k].index].id);
    }
    const auto pt = cli({"front", q(log_), "--recovered", "--recommend"});
    QVERIFY2(pt.code == 0, pt.err.c_str());
    QVERIFY2(pt.out.find("picked again over the recovered trials") != std::string::npos,
             pt.out.c_str());
    // Its table writes numbers as front's does (FLOPs as "131 k", not raw digits).
    QVERIFY2(pt.out.find("FLOPs/seq") != std::string::npos, pt.out.c_str());
    for (const auto& t : all.all)
      if (t.flops >= 10000)
        QVERIFY2(pt.out.find(" " + std::to_string(t.flops) + " ") == std::string::npos,
                 pt.out.c_str());
    // Export takes a recovered point with its own weights and says so.
    const auto e =
        cli({"export", q(model_), "--log", q(log_), "--trial", QString::number(picks_[0]),
             "--recovered", "distill", "--out", q(dir_ + "/exported"), "--format", "hf-any"});
    QVERIFY2(e.code == 0, e.err.c_str());
    const auto prov =
        nlohmann::json::parse(testutil::readText(dir_ + "/exported/paretoprune.json"));
    QVERIFY2(prov.dump().find("\"recovered\"") != std::string::npos, prov.dump().c_str());
  }

  void oldReadersRefuseTheRecord() {
    // A reader that knows only trials (Trial::fromJson) says the line is not one.
    const auto cfg = pp::loadModelConfig(model_ + "/config.json");
    const std::string text = testutil::readText(log_);
    const std::string last = text.substr(text.rfind('\n', text.size() - 2) + 1);
    const auto j = nlohmann::json::parse(last);
    QVERIFY(pp::isRecoveredRecord(j));
    QVERIFY(testutil::errorOf([&] { pp::Trial::fromJson(j, cfg); }).find("not a trial record") !=
            std::string::npos);
  }

  void plainFineTuningIsItsOwnMethod() {
    const auto r =
        cli({"recover", q(log_), "--trials", QString::number(picks_[0]), "--out",
             q(dir_ + "/plain"), "--budget-steps", "10", "--lr", "1e-3", "--no-distill"});
    QVERIFY2(r.code == 0, r.err.c_str());
    const auto lc = readLog();
    QCOMPARE(lc.recovered.back().method, std::string("finetune"));
    QCOMPARE(lc.recovered.back().source, picks_[0]);
    // Plain fine-tuning has no teacher to label variants: the held-out
    // labels judge, and the kept weights are never worse there.
    const auto& d = lc.recovered.back().details;
    QCOMPARE(d["transfer_set"].value("variants", -1), 0);
    QVERIFY(!d.contains("agreement"));
    QVERIFY(d["holdout"].value("after", -1.0) >= d["holdout"].value("before", 2.0));
    QVERIFY(!lc.recovered.back().details["settings"].contains("augment"));
  }

  // --augment 0: distillation on the training sentences alone, judged by
  // the held-out labels as plain fine-tuning is.
  void distillationWithoutTransferSet() {
    const auto r =
        cli({"recover", q(log_), "--trials", QString::number(picks_[0]), "--out",
             q(dir_ + "/noaug"), "--budget-steps", "10", "--lr", "1e-3", "--augment", "0"});
    QVERIFY2(r.code == 0, r.err.c_str());
    const auto lc = readLog();
    const auto& d = lc.recovered.back().details;
    QCOMPARE(lc.recovered.back().method, std::string("distill"));
    QCOMPARE(d["transfer_set"].value("variants", -1), 0);
    QCOMPARE(d["transfer_set"].value("examples", 0), 216);
    QVERIFY(!d.contains("agreement"));
    QVERIFY(!d["settings"].contains("augment"));
    QVERIFY(d["holdout"].value("after", -1.0) >= d["holdout"].value("before", 2.0));
  }

  // --hidden-weight: the layer outputs distilled too; the weight is part of
  // the settings the record keeps (and a checkpoint is resumed under), and
  // absent from a logits-only recovery's.
  void hiddenStateDistillation() {
    for (const char* w : {"0", "1"}) {
      const auto r = cli({"recover", q(log_), "--trials", QString::number(picks_[1]), "--out",
                          q(dir_ + "/hidden-" + w), "--budget-steps", "10", "--lr", "1e-3",
                          "--hidden-weight", w});
      QVERIFY2(r.code == 0, r.err.c_str());
      const auto rec = readLog().recovered.back();
      QCOMPARE(rec.method, std::string("distill"));
      QCOMPARE(rec.source, picks_[1]);
      const auto& st = rec.details["settings"];
      QCOMPARE(st.contains("hidden_weight"), std::string(w) == "1");
      // The transfer set is capped at what the budget can read: 10 steps of 32.
      QCOMPARE(rec.details["transfer_set"].value("variants", 0), 320);
      if (st.contains("hidden_weight")) QCOMPARE(st["hidden_weight"].get<double>(), 1.0);
      QVERIFY(rec.details["agreement"].value("after", -1.0) >=
              rec.details["agreement"].value("before", 2.0));
    }
  }

  void resumesAfterKill() {
    const QStringList args = {"recover",        q(log_),
                              "--trials",       QString::number(picks_[1]),
                              "--out",          q(dir_ + "/killed"),
                              "--budget-steps", "1500",
                              "--lr",           "1e-4",
                              "--eval-every",   "10",
                              "--patience",     "1000"};
    const std::string state =
        dir_ + "/killed/trial-" + std::to_string(picks_[1]) + "-distill/state/state.json";
    QProcess p;
    p.start(PARETOPRUNE_CLI, args);
    QVERIFY(p.waitForStarted());
    for (int i = 0; i < 600 && !QFile::exists(q(state)); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    QVERIFY2(QFile::exists(q(state)), "no checkpoint was written");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    p.kill();  // SIGKILL
    p.waitForFinished();
    const size_t before = readLog().recovered.size();
    const auto killedState = nlohmann::json::parse(testutil::readText(state));
    const int64_t step = killedState.value("step", -1);
    QVERIFY(step > 0);
    // The judge's best so far is in the checkpoint, for the resumed run to go on from.
    QVERIFY2(killedState.value("best_agreement", -1.0) > 0, killedState.dump().c_str());
    auto resumed = args;
    resumed[resumed.indexOf("1500")] = QString::number(step + 20);  // other settings: refused
    const auto refused = cli(resumed);
    QCOMPARE(refused.code, 1);
    QVERIFY(refused.err.find("other settings") != std::string::npos);
    const auto r = cli(args, 600000);
    QVERIFY2(r.code == 0, r.err.c_str());
    QVERIFY2(r.out.find("resumed at step") != std::string::npos, r.out.c_str());
    QCOMPARE(readLog().recovered.size(), before + 1);
  }

  // A tagger recovers with per-token distillation: its held-out checks are
  // entity F1, and its recovered trial records entity F1 as the error's
  // complement and per type.
  void taggerRecovers() {
    const std::string tagger = dir_ + "/tagger", conll = dir_ + "/tags.conll",
                      log = dir_ + "/tagger.jsonl";
    QCOMPARE(cli({"make-tiny", q(tagger), "--task", "token", "--tag-types", "PER,LOC", "--seed",
                  "3", "--init-std", "0.3"})
                 .code,
             0);
    pp::Rng rng(7);
    const char* names[] = {"john", "mary", "anna"};
    const char* places[] = {"paris", "london", "rome"};
    const char* filler[] = {"the", "food", "was", "good", "in"};
    std::string text;
    for (int i = 0; i < 80; ++i) {
      text += std::string(names[rng.index(3)]) + " B-PER\n" + filler[rng.index(5)] + " O\n" +
              places[rng.index(3)] + " B-LOC\n" + filler[rng.index(5)] + " O\n\n";
    }
    testutil::writeText(conll, text);
    const auto s = cli({"search", q(tagger), "--data", q(conll), "--val-split", "0.3", "--trials",
                        "4", "--latency-runs", "0", "--log", q(log), "--no-auto"});
    QVERIFY2(s.code == 0, s.err.c_str());
    const auto cfg = pp::loadModelConfig(tagger + "/config.json");
    int64_t pick = -1;
    for (const auto& t : pp::readRunLog(log, &cfg).trials)
      if (t.ok() && t.subnet.keptLayers() > 0 && pick < 0) pick = t.id;
    QVERIFY(pick >= 0);
    const auto r = cli({"recover", q(log), "--trials", QString::number(pick), "--out",
                        q(dir_ + "/tagger-rec"), "--budget-steps", "12", "--lr", "3e-3"});
    QVERIFY2(r.code == 0, r.err.c_str());
    const auto lc = pp::readRunLog(log, &cfg);
    QCOMPARE(lc.recovered.size(), size_t(1));
    const auto& rec = lc.recovered[0];
    QCOMPARE(rec.source, pick);
    QCOMPARE(rec.method, std::string("distill"));
    // A tagger is never augmented: no variants, the held-out F1 judges, and
    // its settings record no augment (the default 4 does not act on it).
    QCOMPARE(rec.details["transfer_set"].value("variants", -1), 0);
    QVERIFY(!rec.details.contains("agreement"));
    QVERIFY(!rec.details["settings"].contains("augment"));
    QVERIFY(std::abs(rec.trial.errorRate - (1 - rec.trial.f1)) < 1e-12);
    QCOMPARE(rec.trial.typeF1.size(), size_t(2));
    QVERIFY(rec.details["holdout"].value("after", -1.0) >=
            rec.details["holdout"].value("before", 2.0));
    // Training moved the weights toward the data: the held-out entity F1 of
    // a tiny random tagger on this easy pattern rises.
    QVERIFY2(
        rec.details["holdout"].value("after", 0.0) > rec.details["holdout"].value("before", 1.0),
        rec.details.dump().c_str());
  }

  void badInputIsOneLine_data() {
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<QString>("says");
    QTest::newRow("unknown trial") << QStringList{"--trials", "99999"} << "has no trial 99999";
    QTest::newRow("another model")
        << QStringList{"--trials", "PICK", "--model", "OTHER"} << "another model";
    QTest::newRow("empty training split")
        << QStringList{"--trials", "PICK", "--data", "EMPTY"} << "EMPTY";
    QTest::newRow("negative augment")
        << QStringList{"--trials", "PICK", "--augment", "-2"} << "--augment";
    QTest::newRow("negative hidden weight")
        << QStringList{"--trials", "PICK", "--hidden-weight", "-1"}
        << "--hidden-weight must be 0 or more";
    // A finished pick is reused only under the settings it was made with.
    QTest::newRow("finished with other settings")
        << QStringList{"--trials", "PICK", "--out",     "REC",           "--budget-steps",
                       "31",       "--lr", "1e-3,3e-3", "--probe-steps", "5"}
        << "was finished with other settings";
  }
  void badInputIsOneLine() {
    QFETCH(QStringList, extra);
    QFETCH(QString, says);
    const std::string other = dir_ + "/other";
    if (!QFile::exists(q(other)))
      QCOMPARE(cli({"make-tiny", q(other), "--layers", "2", "--hidden", "32", "--heads", "4",
                    "--intermediate", "64", "--seed", "7"})
                   .code,
               0);
    testutil::writeText(dir_ + "/empty.tsv", "sentence\tlabel\n");
    extra.replaceInStrings("OTHER", q(other));
    extra.replaceInStrings("PICK", QString::number(picks_[0]));
    extra.replaceInStrings("EMPTY", q(dir_ + "/empty.tsv"));
    extra.replaceInStrings("REC", q(dir_ + "/rec"));
    says.replace("EMPTY", q(dir_ + "/empty.tsv"));
    const std::string logBefore = testutil::readText(log_);
    QStringList args = {"recover", q(log_)};
    if (!extra.contains("--out")) args << "--out" << q(dir_ + "/bad");
    const auto r = cli(args + extra);
    QCOMPARE(r.code, 1);
    QCOMPARE(lineCount(r.err), 1);
    QVERIFY2(r.err.find(says.toStdString()) != std::string::npos, r.err.c_str());
    QCOMPARE(testutil::readText(log_), logBefore);  // nothing lost, nothing added
  }
};

QTEST_GUILESS_MAIN(TestRecover)
#include "test_recover.moc"
