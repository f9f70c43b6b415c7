// Token classification (NER taggers) through the family seam: for BERT,
// DistilBERT, RoBERTa and ELECTRA, a random make-tiny tagger loads as
// <Family>ForTokenClassification (no pooler, `classifier` on every token),
// computes what transformers' modules compute (reference_forward.h) at
// each word's first piece, evaluates to entity-level scores, slices,
// exports (hf, hf-any, torchscript, onnx: each checked by loading it back)
// and trains with the sandwich rule on per-token logits.
#include <QtTest>

#include <filesystem>

#include <torch/torch.h>

#include "paretoprune/eval/entity_metrics.h"
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/export/export.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/formats/tagging.h"
#include "paretoprune/formats/text_tokenizer.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/model_config.h"
#include "paretoprune/model/random_model.h"
#include "paretoprune/search/run_log.h"
#include "paretoprune/search/search_space.h"
#include "paretoprune/train/train.h"
#include "reference_forward.h"
#include "testutil.h"

using nlohmann::json;

namespace {

using Logits = std::vector<std::vector<float>>;

float maxAbsDiff(const Logits& a, const Logits& b) {
  if (a.size() != b.size()) return 1e9f;
  float worst = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].size() != b[i].size()) return 1e9f;
    for (size_t k = 0; k < a[i].size(); ++k) worst = std::max(worst, std::abs(a[i][k] - b[i][k]));
  }
  return worst;
}

// Tagged sentences over the tiny models' vocabularies, with words that
// split into several pieces and one sentence too long for 64 pieces.
pp::Dataset taggedSentences(const pp::ModelConfig& c) {
  const std::string text =
      "John B-PER\nlives O\nin O\nNew B-LOC\nYork I-LOC\n\n"
      "The O\nservice O\nat O\nAcme B-ORG\nCorporation I-ORG\nwas O\ngreat O\n\n"
      "Ünïcödé B-MISC\ncafé I-MISC\n\nMary B-PER\n\n"
      "the O\nfood O\nwas O\nvery O\ngood O\nand O\nthe O\nmovie O\nwas O\nnot O\nbad O\n"
      "at O\nall O\n,  O\nreally O\nnot O\nbad O\n";
  std::string longer = text;
  for (int i = 0; i < 70; ++i) longer += "bad O\n";  // past 64 pieces
  pp::TaggedData t = pp::parseTaggedData(longer, "test.conll", false, c);
  pp::Dataset d;
  d.tagged = true;
  d.source = "test.conll";
  for (auto& s : t.sentences) {
    pp::Example e;
    e.words = s.words;
    e.tags = s.tags;
    e.line = s.line;
    d.examples.push_back(std::move(e));
  }
  return d;
}

// A trial record's per-type F1: the tiny tagger's two types, each in [0, 1].
void checkTypeF1(const json& t) {
  QVERIFY2(t.contains("type_f1") && t["type_f1"].size() == 2, t.dump().c_str());
  for (const char* type : {"LOC", "PER"}) {
    const double f1 = t["type_f1"].value(type, -1.0);
    QVERIFY2(f1 >= 0 && f1 <= 1, t.dump().c_str());
  }
}

}  // namespace

class TestTagger : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;

  std::string path(const QString& name) const { return (tmp_.path() + "/" + name).toStdString(); }

  std::shared_ptr<const pp::Model> makeTagger(const QString& type) {
    pp::TinyModelOptions o = pp::TinyModelOptions::shaped(2, 32, 4, 64);
    o.modelType = type.toStdString();
    o.tokenClassification = true;
    o.seed = 13;
    o.initStd = 0.2;
    const std::string dir = path("tagger-" + type);
    pp::writeRandomModel(dir, o);
    return pp::Model::load(dir);
  }

 private Q_SLOTS:
  void families_data() {
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("architecture");
    QTest::newRow("bert") << "bert"
                          << "BertForTokenClassification";
    QTest::newRow("distilbert") << "distilbert"
                                << "DistilBertForTokenClassification";
    QTest::newRow("roberta") << "roberta"
                             << "RobertaForTokenClassification";
    QTest::newRow("electra") << "electra"
                             << "ElectraForTokenClassification";
  }

  // The config and checkpoint of a tagger; logits at each word's first
  // piece as transformers computes them, masked and sliced alike.
  void families() {
    QFETCH(QString, type);
    QFETCH(QString, architecture);
    auto m = makeTagger(type);
    const pp::ModelConfig& c = m->config();
    QVERIFY(c.tokenClassification());
    QCOMPARE(c.id2label.size(), size_t(9));
    QCOMPARE(c.id2label[1], std::string("B-PER"));
    const json cfg = json::parse(testutil::readText(m->directory() + "/config.json"));
    QCOMPARE(QString::fromStdString(cfg["architectures"][0].get<std::string>()), architecture);
    const reference::Checkpoint ck(m->directory());
    QVERIFY(ck.has("classifier.weight"));
    for (const char* absent : {"bert.pooler.dense.weight", "pre_classifier.weight",
                               "classifier.dense.weight", "classifier.out_proj.weight"})
      QVERIFY2(!ck.has(absent), absent);
    // FLOPs count the classifier on every token.
    const auto full = pp::SubNetwork::full(c);
    QCOMPARE(
        pp::flopCount(c, full, 10) - pp::flopCount(c, full, 9) > 2 * c.hidden_size * c.numLabels(),
        true);

    const pp::Dataset data = taggedSentences(c);
    pp::EncodeOptions eo;
    eo.batchSize = 3;  // padded batches
    eo.maxLength = 64;
    pp::EncodedData enc(*m, data, eo);
    QVERIFY(enc.tagging());
    QCOMPARE(enc.cutSentences(), int64_t(1));
    const Logits sliced = pp::computeLogits(*m, full, enc, pp::ExecMode::Sliced);
    const Logits masked = pp::computeLogits(*m, full, enc, pp::ExecMode::Masked);
    Logits ref;
    const int64_t K = c.numLabels();
    for (const auto& e : data.examples) {
      const pp::AlignedSentence a =
          pp::alignWords(m->tokenizer(), pp::TaggedSentence{e.words, e.tags, e.line}, 64);
      const auto all = reference::logits(m->directory(), type.toStdString(), c, a.ids, true);
      std::vector<float> words;
      for (int64_t p : a.wordPiece)
        words.insert(words.end(), all.begin() + p * K, all.begin() + (p + 1) * K);
      ref.push_back(words);
    }
    QVERIFY2(maxAbsDiff(sliced, ref) < 1e-4f, qPrintable(QString::number(maxAbsDiff(sliced, ref))));
    QVERIFY(maxAbsDiff(masked, ref) < 1e-4f);
    QVERIFY(ref.back().size() < data.examples.back().words.size() * size_t(K));  // cut

    // evaluate(): the entity metrics of the logits' argmax tags.
    pp::EvalOptions opts;
    opts.measureLatency = false;
    const pp::EvalResult r = pp::evaluate(*m, full, enc, opts);
    QVERIFY(r.tagger);
    std::vector<std::vector<std::string>> gold, pred;
    for (size_t i = 0; i < ref.size(); ++i) {
      std::vector<std::string> g, p;
      for (size_t w = 0; w * size_t(K) < ref[i].size(); ++w) {
        const float* l = ref[i].data() + w * size_t(K);
        p.push_back(c.id2label[size_t(std::max_element(l, l + K) - l)]);
        g.push_back(c.id2label[size_t(data.examples[i].tags[w])]);
      }
      QCOMPARE(r.wordTags[i].size(), p.size());
      gold.push_back(g);
      pred.push_back(p);
    }
    const pp::EntityMetrics want = pp::entityMetrics(gold, pred);
    QCOMPARE(r.entities.gold, want.gold);
    QCOMPARE(r.entities.predicted, want.predicted);
    QCOMPARE(r.entities.correct, want.correct);
    QCOMPARE(r.metrics.f1, want.f1);
    QCOMPARE(r.metrics.error, 1.0 - want.f1);
    QCOMPARE(r.metrics.accuracy, want.tokenAccuracy);
    QCOMPARE(r.entities.gold, int64_t(5));  // PER, LOC, ORG, MISC, PER
  }

  void slicesAndExports_data() { families_data(); }

  // A head-less and a unit-less layer: masked == sliced; every export
  // reproduces the sub-network's per-token logits.
  void slicesAndExports() {
    QFETCH(QString, type);
    QFETCH(QString, architecture);
    auto m = makeTagger(type);
    pp::SubNetwork s;
    s.layers = {{0, 40}, {2, 0}};
    pp::EncodedData enc(*m, taggedSentences(m->config()), {});
    const Logits sliced = pp::computeLogits(*m, s, enc, pp::ExecMode::Sliced);
    QVERIFY(maxAbsDiff(sliced, pp::computeLogits(*m, s, enc, pp::ExecMode::Masked)) < 1e-5f);
    for (const char* f : {"hf", "hf-any", "torchscript", "onnx"}) {
      if (std::string(f) == "onnx" && !pp::onnxAvailable()) continue;
      pp::ExportOptions o;
      o.format = pp::parseExportFormat(f);
      o.padUnits = true;
      const std::string out = path(type + "-tagger-" + f);
      const pp::ExportResult r = pp::exportSubnetwork(*m, s, out, o);
      QVERIFY2(r.maxLogitDiff < 1e-4, f);
      QCOMPARE(r.agreement, 1.0);
      const json cfg = json::parse(testutil::readText(out + "/config.json"));
      QCOMPARE(QString::fromStdString(cfg["architectures"][0].get<std::string>()), architecture);
      if (std::string(f).rfind("hf", 0) != 0) continue;
      auto back = pp::Model::load(out);
      QVERIFY(back->config().tokenClassification());
      pp::EncodedData backEnc(*back, taggedSentences(back->config()), {});
      const Logits got = pp::computeLogits(*back, pp::SubNetwork::full(back->config()), backEnc);
      QVERIFY2(maxAbsDiff(got, sliced) < 1e-5f, f);
    }
  }

  void trainsSandwich_data() {
    QTest::addColumn<QString>("type");
    QTest::newRow("bert") << "bert";
    QTest::newRow("roberta") << "roberta";
  }

  // Sandwich training with distillation on per-token logits: the loss
  // falls, entity F1 is the validation figure, the model loads back.
  void trainsSandwich() {
    QFETCH(QString, type);
    auto m = makeTagger(type);
    pp::Dataset data = taggedSentences(m->config());
    data.examples.pop_back();  // the long one
    for (int copy = 0; copy < 3; ++copy)
      for (size_t i = 0; i < 4; ++i) data.examples.push_back(data.examples[i]);
    pp::TrainOptions o;
    o.epochs = 4;
    o.batchSize = 4;
    o.learningRate = 3e-3;
    o.reorder = true;
    o.reorderBatches = 2;
    o.keepCheckpoints = false;
    o.device = "cpu";
    o.seed = 3;
    const std::string out = path("trained-tagger-" + type);
    const auto r =
        pp::trainModel(*m, data, &data,
                       pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, m->config()), o, out);
    QCOMPARE(r.epochs.size(), size_t(4));
    QVERIFY2(r.epochs.back().trainLoss < r.epochs.front().trainLoss,
             (std::to_string(r.epochs.front().trainLoss) + " -> " +
              std::to_string(r.epochs.back().trainLoss))
                 .c_str());
    QCOMPARE(r.epochs.back().metric, std::string("entity F1"));
    QVERIFY(r.epochs.back().validationAccuracy >= 0 && r.epochs.back().validationAccuracy <= 1);
    QVERIFY(r.epochs.back().smallestAccuracy >= 0);
    auto back = pp::Model::load(out);
    QVERIFY(back->config().tokenClassification());
  }

  // The command line on a tagger: make-tiny --task token, eval's per-type
  // table, a search whose log says entity F1 and whose error is 1 - F1,
  // and predict's entities with character spans.
  void commandLine_data() {
    QTest::addColumn<QString>("type");
    QTest::newRow("bert") << "bert";
    QTest::newRow("electra") << "electra";
  }

  void commandLine() {
    QFETCH(QString, type);
    const QString cli = PARETOPRUNE_CLI;
    const std::string dir = path("cli-tagger-" + type);
    auto run = [&](const QStringList& args, const QByteArray& in = {}) {
      const testutil::Run r = testutil::runProgram(cli, args, in, 300000);
      if (r.code != 0) qWarning("%s", r.err.c_str());
      return r;
    };
    QCOMPARE(run({"make-tiny", QString::fromStdString(dir), "--task", "token", "--model-type", type,
                  "--tag-types", "PER,LOC", "--seed", "5", "--init-std", "0.3"})
                 .code,
             0);
    const auto c = pp::loadModelConfig(dir + "/config.json");
    QCOMPARE(c.id2label, (std::vector<std::string>{"O", "B-PER", "I-PER", "B-LOC", "I-LOC"}));
    std::string conll;
    const char* names[] = {"john", "mary", "paris", "london", "the", "food", "was", "good"};
    for (int i = 0; i < 30; ++i) {
      conll += std::string(names[i % 2]) + " B-PER\n" + names[4 + i % 4] + " O\n";
      conll += std::string(names[2 + i % 2]) + " B-LOC\n" + names[3 - i % 2] + " I-LOC\n\n";
    }
    const std::string data = path("cli.conll");
    testutil::writeText(data, conll);
    const QString d = QString::fromStdString(dir), f = QString::fromStdString(data);
    auto ev = run({"eval", d, "--data", f, "--latency-runs", "0"});
    QCOMPARE(ev.code, 0);
    QVERIFY2(ev.out.find("entity F1") != std::string::npos, ev.out.c_str());
    QVERIFY2(
        ev.out.find("  LOC ") != std::string::npos && ev.out.find("  PER ") != std::string::npos,
        ev.out.c_str());
    const auto evj =
        json::parse(run({"--json", "eval", d, "--data", f, "--latency-runs", "0"}).out);
    QCOMPARE(evj["entities"]["gold"].get<int64_t>(), int64_t(60));
    QCOMPARE(evj["error"].get<double>(), 1.0 - evj["entities"]["f1"].get<double>());

    const QString log = QString::fromStdString(path("cli-search-" + type + ".jsonl"));
    auto se = run({"search", d, "--data", f, "--val-split", "0.5", "--trials", "6", "--workers",
                   "1", "--objectives", "f1,params", "--log", log});
    QCOMPARE(se.code, 0);
    std::istringstream lines(testutil::readText(log.toStdString()));
    std::string line;
    std::getline(lines, line);
    const json header = json::parse(line);
    QCOMPARE(header["metric"].get<std::string>(), std::string("entity_f1"));
    QVERIFY2(header["reference"]["type_f1"].contains("PER"), line.c_str());
    int trials = 0;
    while (std::getline(lines, line)) {
      const json t = json::parse(line);
      if (!t.contains("f1") || !t.contains("error")) continue;
      QVERIFY(std::abs(t["error"].get<double>() - (1.0 - t["f1"].get<double>())) < 1e-12);
      checkTypeF1(t);
      ++trials;
    }
    QVERIFY2(trials >= 6, std::to_string(trials).c_str());
    const auto opened = pp::openRunLog(log.toStdString(), dir);
    QCOMPARE(opened.log.trials.front().typeF1.size(), size_t{2});
    QCOMPARE(opened.log.trials.front().typeF1[0].type, std::string("LOC"));

    // baseline: a tagger's, scored as entity F1 (tagging all O finds nothing).
    const auto ba = run({"--json", "baseline", d, "--data", f, "--val-split", "0.5"});
    QCOMPARE(ba.code, 0);
    const auto bj = json::parse(ba.out);
    QCOMPARE(bj.size(), size_t{2});
    QCOMPARE(bj[0]["entity_f1"].get<double>(), 0.0);
    QCOMPARE(bj[0]["token_accuracy"].get<double>(), 0.25);  // one word in four is O
    // Names are always B-PER and the other words O; "paris" and "london"
    // are B-LOC as often as I-LOC: memorising finds every PER, some LOC.
    QVERIFY2(bj[1]["entity_f1"].get<double>() > 0.4 && bj[1]["entity_f1"].get<double>() < 1,
             bj.dump().c_str());
    QVERIFY(bj[1]["token_accuracy"].get<double>() > bj[0]["token_accuracy"].get<double>());

    auto pr = run({"predict", d}, "John  lives in Paris\n{\"text\": \"mary\"}\n");
    QCOMPARE(pr.code, 0);
    std::istringstream answers(pr.out);
    std::getline(answers, line);
    const json a = json::parse(line);
    QCOMPARE(a["tags"].size(), size_t(4));
    for (const auto& e : a["entities"]) {  // spans in characters, the words they cover
      const std::string text = "John  lives in Paris";
      const auto s = e["start"].get<size_t>(), end = e["end"].get<size_t>();
      QCOMPARE(text.substr(s, end - s), e["word"].get<std::string>());
      QVERIFY(e["score"].get<double>() > 0 && e["score"].get<double>() <= 1);
    }
    std::getline(answers, line);
    QCOMPARE(json::parse(line)["tags"].size(), size_t(1));
  }

  // A trial's per-type F1 in the log: an object of types, each in [0, 1].
  void typeF1Records() {
    auto m = makeTagger("bert");
    pp::Trial t;
    t.subnet = pp::SubNetwork::full(m->config());
    t.typeF1 = {{"LOC", 0.123456}, {"PER", 1.0}};
    json j = t.toJson();
    QCOMPARE(j["type_f1"]["LOC"].get<double>(), 0.1235);  // four decimals
    const pp::Trial back = pp::Trial::fromJson(j, m->config());
    QCOMPARE(back.typeF1.size(), size_t{2});
    QCOMPARE(back.typeF1[1].type, std::string("PER"));
    j.erase("type_f1");  // an older log's trial
    QVERIFY(pp::Trial::fromJson(j, m->config()).typeF1.empty());
    j["type_f1"] = {{"LOC", 1.5}};
    PP_EXPECT_ERROR(pp::Trial::fromJson(j, m->config()),
                    "field \"type_f1\": the F1 of \"LOC\" must be a number from 0 to 1");
    j["type_f1"] = json::array();
    PP_EXPECT_ERROR(pp::Trial::fromJson(j, m->config()), "field \"type_f1\": expected an object");
  }

  // A tagger refuses labelled texts, and a classifier tagged sentences.
  void wrongDataRefused() {
    auto m = makeTagger("bert");
    pp::Dataset texts;
    texts.source = "reviews.tsv";
    texts.examples.push_back({"good food", "", 0, 2});
    const std::string msg = testutil::errorOf([&] { pp::EncodedData(*m, texts, {}); });
    QVERIFY2(msg.rfind("reviews.tsv: BERT tagger needs tagged sentences", 0) == 0, msg.c_str());
  }
};

QTEST_GUILESS_MAIN(TestTagger)
#include "test_tagger.moc"
