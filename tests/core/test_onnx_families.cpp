// ONNX exports of DistilBERT, RoBERTa, ELECTRA and XLM-RoBERTa judged by real runtimes:
// a make-tiny model of each family exported with paretoprune-cli (the full
// model, and a sub-network with a head-less and a unit-less layer) runs in
// onnxruntime-node at batch 1 and 3 (padded) and in a transformers.js
// text-classification pipeline, which reads our config.json and the
// family's tokenizer files with its own tokenizer; both must give what
// `paretoprune-cli predict` gives. Taggers (BERT, RoBERTa) export per-token
// logits that ONNX Runtime must reproduce. Without the npm packages in BUILD/node
// (scripts/install-node-deps.sh) this test fails, it does not skip.
#include <QFileInfo>
#include <QProcess>
#include <QtTest>

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "paretoprune/eval/evaluator.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/formats/subnet.h"
#include "paretoprune/formats/tagging.h"
#include "paretoprune/formats/text_tokenizer.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/model_config.h"
#include "testutil.h"

using nlohmann::json;

namespace {
using testutil::Run;
// A program to its end (5 minutes at most: node loads the runtimes).
Run run(const QString& program, const QStringList& args, const QByteArray& input = {}) {
  return testutil::runProgram(program, args, input, 300000);
}

using Logits = std::vector<std::vector<float>>;

std::vector<double> softmax(const std::vector<float>& v) {
  const double m = *std::max_element(v.begin(), v.end());
  std::vector<double> p;
  double sum = 0;
  for (float x : v) sum += std::exp(static_cast<double>(x) - m);
  for (float x : v) p.push_back(std::exp(static_cast<double>(x) - m) / sum);
  return p;
}

const std::vector<std::string>& texts() {
  static const std::vector<std::string> t = {
      "The food was great and the service friendly.",
      "Terrible. I will never come back!",
      "it is what it is",
      "Not bad at all, actually quite good",
      "a",
      "Wonderful acting, a moving story; I loved every minute of it.",
      "the movie was very bad, the place was not good",
      "Ünïcödé façade — naïve café 😀 and   spaces"};
  return t;
}
}  // namespace

class TestOnnxFamilies : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString nodeDir_ = PARETOPRUNE_NODE_DIR;

  QString path(const QString& name) const { return tmp_.path() + "/" + name; }

  Logits predict(const QString& model, const QString& subnet) {
    QByteArray in;
    for (const auto& t : texts())
      in += QByteArray::fromStdString(json({{"text", t}}).dump() + "\n");
    Run r = run(PARETOPRUNE_CLI, {"predict", model, "--subnet", subnet, "--max-length", "64"}, in);
    if (r.code != 0) qFatal("predict failed: %s", r.err.c_str());
    Logits out;
    std::stringstream ss(r.out);
    for (std::string line; std::getline(ss, line);)
      out.push_back(json::parse(line)["logits"].get<std::vector<float>>());
    return out;
  }

  // onnxruntime-node's logits at batch `size` (rows padded to the longest).
  Logits runOrt(const QString& onnx, const std::vector<pp::Encoding>& enc, size_t size,
                const QString& inputs) {
    json batches = json::array();
    for (size_t start = 0; start < enc.size(); start += size) {
      const size_t end = std::min(enc.size(), start + size);
      size_t T = 0;
      for (size_t i = start; i < end; ++i) T = std::max(T, enc[i].ids.size());
      json ids = json::array(), mask = json::array(), types = json::array();
      for (size_t i = start; i < end; ++i) {
        std::vector<int64_t> id = enc[i].ids, ty = enc[i].type_ids, m(id.size(), 1);
        id.resize(T, 1);  // any id: masked out
        ty.resize(T, 0);
        m.resize(T, 0);
        ids.push_back(id);
        types.push_back(ty);
        mask.push_back(m);
      }
      batches.push_back({{"ids", ids}, {"mask", mask}, {"types", types}});
    }
    testutil::writeText(path("batches.json").toStdString(), json({{"batches", batches}}).dump());
    Run r = run("node", {nodeDir_ + "/families-run_onnx.mjs", onnx, path("batches.json"),
                         path("ort.json"), inputs});
    if (r.code != 0) qFatal("onnxruntime-node failed on %s: %s", qPrintable(onnx), r.err.c_str());
    const json res = json::parse(testutil::readText(path("ort.json").toStdString()));
    Logits all;
    for (const auto& b : res["logits"])
      for (const auto& row : b) all.push_back(row.get<std::vector<float>>());
    return all;
  }

  // make-tiny's model of `type`, made once.
  QString tinyModel(const QString& type) {
    const QString model = path("tiny-" + type);
    if (!QFileInfo::exists(model + "/config.json")) {
      Run m = run(PARETOPRUNE_CLI,
                  {"make-tiny", model, "--model-type", type, "--seed", "5", "--init-std", "0.2"});
      if (m.code != 0) qFatal("make-tiny failed: %s", m.err.c_str());
    }
    return model;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY2(
        QFileInfo::exists(nodeDir_ + "/node_modules/onnxruntime-node/package.json") &&
            QFileInfo::exists(nodeDir_ + "/node_modules/@huggingface/transformers/package.json"),
        qPrintable("onnxruntime-node and @huggingface/transformers are not installed in " +
                   nodeDir_ + ": run scripts/install-node-deps.sh BUILD_DIR"));
    // Beside node_modules (ES modules resolve packages from there), under
    // names of their own: test_onnx copies its scripts at the same time.
    for (const char* f : {"run_onnx.mjs", "classify.mjs", "tag.mjs"}) {
      QFile::remove(nodeDir_ + "/families-" + f);
      QVERIFY(QFile::copy(QString(PARETOPRUNE_SOURCE_DIR) + "/tests/node/" + f,
                          nodeDir_ + "/families-" + f));
    }
  }

  void judged_data() {
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("subnet");
    QTest::addColumn<QString>("inputs");
    const QString full = R"({"layers":[{"heads":4,"units":64},{"heads":4,"units":64}]})";
    const QString pruned = R"({"layers":[{"heads":0,"units":40},{"heads":2,"units":0}]})";
    const QString withTypes = "attention_mask,input_ids,token_type_ids";
    const QString noTypes = "attention_mask,input_ids";
    QTest::newRow("distilbert full") << "distilbert" << full << noTypes;
    QTest::newRow("distilbert pruned") << "distilbert" << pruned << noTypes;
    QTest::newRow("roberta full") << "roberta" << full << noTypes;
    QTest::newRow("roberta pruned") << "roberta" << pruned << noTypes;
    QTest::newRow("electra full") << "electra" << full << withTypes;
    QTest::newRow("electra pruned") << "electra" << pruned << withTypes;
    QTest::newRow("xlm-roberta full") << "xlm-roberta" << full << noTypes;
    QTest::newRow("xlm-roberta pruned") << "xlm-roberta" << pruned << noTypes;
  }

  void judged() {
    QFETCH(QString, type);
    QFETCH(QString, subnet);
    QFETCH(QString, inputs);
    const QString model = tinyModel(type);
    const QString out = path(type + "-" + QString::number(qHash(subnet)));
    Run e = run(PARETOPRUNE_CLI,
                {"export", model, "--format", "onnx", "--subnet", subnet, "--out", out, "--force"});
    QVERIFY2(e.code == 0, e.err.c_str());
    const Logits want = predict(model, subnet);
    // ONNX Runtime on our tokens, batch 1 and padded batches of 3.
    const auto tok = pp::loadTokenizer(model.toStdString());
    std::vector<pp::Encoding> enc;
    for (const auto& t : texts()) enc.push_back(tok->encode(t, nullptr, 64));
    for (size_t batch : {1, 3}) {
      const Logits got = runOrt(out + "/onnx/model.onnx", enc, batch, inputs);
      QCOMPARE(got.size(), want.size());
      double worst = 0;
      for (size_t i = 0; i < got.size(); ++i)
        for (size_t k = 0; k < got[i].size(); ++k)
          worst = std::max(worst, static_cast<double>(std::abs(got[i][k] - want[i][k])));
      qInfo("%s ONNX Runtime batch %zu: max |logit diff| %.3g", QTest::currentDataTag(), batch,
            worst);
      QVERIFY2(worst <= 1e-4, qPrintable(QString("max logit difference %1").arg(worst)));
    }
    // transformers.js: its own tokenizer on our tokenizer files, our config's labels.
    const pp::ModelConfig c = pp::loadModelConfig(out.toStdString() + "/config.json");
    testutil::writeText(path("texts.json").toStdString(), json(texts()).dump());
    Run p = run("node", {nodeDir_ + "/families-classify.mjs", out, "fp32", path("texts.json"),
                         path("pipeline.json")});
    QVERIFY2(p.code == 0, p.err.c_str());
    const json res = json::parse(testutil::readText(path("pipeline.json").toStdString()));
    QCOMPARE(res["results"].size(), texts().size());
    double worst = 0;
    for (size_t i = 0; i < texts().size(); ++i) {
      const std::vector<double> prob = softmax(want[i]);
      const json& scores = res["results"][i];
      QCOMPARE(scores.size(), c.id2label.size());
      const size_t best =
          static_cast<size_t>(std::max_element(prob.begin(), prob.end()) - prob.begin());
      QCOMPARE(scores[0]["label"].get<std::string>(), c.id2label[best]);
      for (const auto& s : scores) {
        const int64_t id = c.labelId(s["label"].get<std::string>());
        QVERIFY2(id >= 0, s.dump().c_str());
        worst = std::max(worst, std::abs(s["score"].get<double>() - prob[static_cast<size_t>(id)]));
      }
    }
    qInfo("%s transformers.js %s: max |probability diff| %.3g", QTest::currentDataTag(),
          res["version"].get<std::string>().c_str(), worst);
    QVERIFY2(worst <= 1e-5, qPrintable(QString("max probability difference %1").arg(worst)));
  }

  void taggers_data() {
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("subnet");
    QTest::addColumn<QString>("inputs");
    const QString full = R"({"layers":[{"heads":4,"units":64},{"heads":4,"units":64}]})";
    const QString pruned = R"({"layers":[{"heads":0,"units":40},{"heads":2,"units":0}]})";
    QTest::newRow("bert tagger full")
        << "bert" << full << "attention_mask,input_ids,token_type_ids";
    QTest::newRow("roberta tagger pruned") << "roberta" << pruned << "attention_mask,input_ids";
  }

  // A tagger's ONNX export ([batch, sequence, labels] logits) in ONNX
  // Runtime at batch 1 and 3: each word's first piece within 1e-4 of our
  // evaluator's logits for the sub-network.
  void taggers() {
    QFETCH(QString, type);
    QFETCH(QString, subnet);
    QFETCH(QString, inputs);
    const QString model = path("tagger-" + type);
    Run m = run(PARETOPRUNE_CLI, {"make-tiny", model, "--task", "token", "--model-type", type,
                                  "--seed", "7", "--init-std", "0.2"});
    QVERIFY2(m.code == 0, m.err.c_str());
    const QString out = path(type + "-tagger-onnx");
    Run e = run(PARETOPRUNE_CLI,
                {"export", model, "--format", "onnx", "--subnet", subnet, "--out", out, "--force"});
    QVERIFY2(e.code == 0, e.err.c_str());
    auto mo = pp::Model::load(model.toStdString());
    const auto& c = mo->config();
    pp::Dataset d;
    d.tagged = true;
    d.source = "taggers";
    for (const auto& t : texts()) {
      pp::Example ex;
      std::istringstream words(t);
      for (std::string w; words >> w;) ex.words.push_back(w);
      ex.tags.assign(ex.words.size(), 0);
      d.examples.push_back(ex);
    }
    pp::EncodedData enc(*mo, d, {});
    const Logits want = pp::computeLogits(*mo, pp::SubNetwork::parse(subnet.toStdString(), c), enc);
    std::vector<pp::Encoding> pieces;
    std::vector<std::vector<int64_t>> firsts;
    for (const auto& ex : d.examples) {
      const pp::AlignedSentence a =
          pp::alignWords(mo->tokenizer(), pp::TaggedSentence{ex.words, ex.tags, 0}, 128);
      pieces.push_back({a.ids, a.typeIds});
      firsts.push_back(a.wordPiece);
    }
    const size_t K = c.id2label.size();
    for (size_t batch : {1, 3}) {
      const Logits rows = runOrt(out + "/onnx/model.onnx", pieces, batch, inputs);
      QCOMPARE(rows.size(), want.size());
      double worst = 0;
      for (size_t i = 0; i < rows.size(); ++i) {
        QCOMPARE(want[i].size(), firsts[i].size() * K);
        for (size_t w = 0; w < firsts[i].size(); ++w)
          for (size_t k = 0; k < K; ++k)
            worst = std::max(
                worst,
                static_cast<double>(std::abs(rows[i][static_cast<size_t>(firsts[i][w]) * K + k] -
                                             want[i][w * K + k])));
      }
      qInfo("%s ONNX Runtime batch %zu: max |logit diff| %.3g", QTest::currentDataTag(), batch,
            worst);
      QVERIFY2(worst <= 1e-4, qPrintable(QString("max logit difference %1").arg(worst)));
    }
    if (type == "bert") checkTokenPipeline(model, subnet, out, firsts);
  }

 private:
  // transformers.js's token-classification pipeline on the export, with its
  // own tokenizer on the raw texts: at each word's first piece, the tag and
  // probability `predict` gives that word (WordPiece splits the texts as
  // it splits their words one by one).
  void checkTokenPipeline(const QString& model, const QString& subnet, const QString& out,
                          const std::vector<std::vector<int64_t>>& firsts) {
    QByteArray in;
    for (const auto& t : texts()) in += QByteArray::fromStdString(t + "\n");
    Run pr = run(PARETOPRUNE_CLI, {"predict", model, "--subnet", subnet}, in);
    QVERIFY2(pr.code == 0, pr.err.c_str());
    std::stringstream lines(pr.out);
    testutil::writeText(path("tag-texts.json").toStdString(), json(texts()).dump());
    Run p = run("node",
                {nodeDir_ + "/families-tag.mjs", out, path("tag-texts.json"), path("tag.json")});
    QVERIFY2(p.code == 0, p.err.c_str());
    const json res = json::parse(testutil::readText(path("tag.json").toStdString()));
    QCOMPARE(res["results"].size(), texts().size());
    double worst = 0;
    int checked = 0;
    for (size_t i = 0; i < texts().size(); ++i) {
      std::string line;
      std::getline(lines, line);
      const json ours = json::parse(line);
      for (size_t w = 0; w < firsts[i].size(); ++w)
        for (const auto& tok : res["results"][i]) {
          if (tok["index"].get<int64_t>() != firsts[i][w]) continue;
          QCOMPARE(tok["entity"].get<std::string>(), ours["tags"][w].get<std::string>());
          worst = std::max(worst,
                           std::abs(tok["score"].get<double>() - ours["scores"][w].get<double>()));
          ++checked;
        }
    }
    qInfo("transformers.js %s token-classification: %d words, max |score diff| %.3g",
          res["version"].get<std::string>().c_str(), checked, worst);
    QVERIFY(checked >= 20);
    QVERIFY2(worst <= 1e-5, qPrintable(QString("max score difference %1").arg(worst)));
  }

 private Q_SLOTS:
  void int8_data() {
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("inputs");
    QTest::newRow("distilbert") << "distilbert"
                                << "attention_mask,input_ids";
    QTest::newRow("roberta") << "roberta"
                             << "attention_mask,input_ids";
    QTest::newRow("electra") << "electra"
                             << "attention_mask,input_ids,token_type_ids";
    QTest::newRow("xlm-roberta") << "xlm-roberta"
                                 << "attention_mask,input_ids";
  }

  // onnx-int8 exports of each family: ONNX Runtime loads the quantized
  // graph, and its labels agree with predict's on at least 7 of the 8 texts
  // (int8 products move near-tied logits of these random models), its
  // logits within 0.1 of predict's (0.03 to 0.04 measured).
  void int8() {
    QFETCH(QString, type);
    QFETCH(QString, inputs);
    const QString model = tinyModel(type), out = path(type + "-int8");
    const QString full = R"({"layers":[{"heads":4,"units":64},{"heads":4,"units":64}]})";
    Run e = run(PARETOPRUNE_CLI, {"export", model, "--format", "onnx-int8", "--subnet", full,
                                  "--out", out, "--force"});
    QVERIFY2(e.code == 0, e.err.c_str());
    const Logits want = predict(model, full);
    const auto tok = pp::loadTokenizer(model.toStdString());
    std::vector<pp::Encoding> enc;
    for (const auto& t : texts()) enc.push_back(tok->encode(t, nullptr, 64));
    const Logits got = runOrt(out + "/onnx/model_quantized.onnx", enc, 3, inputs);
    QCOMPARE(got.size(), want.size());
    size_t agree = 0;
    double worst = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      auto best = [](const std::vector<float>& v) { return std::max_element(v.begin(), v.end()); };
      agree += best(got[i]) - got[i].begin() == best(want[i]) - want[i].begin();
      for (size_t k = 0; k < got[i].size(); ++k)
        worst = std::max(worst, static_cast<double>(std::abs(got[i][k] - want[i][k])));
    }
    qInfo("%s int8: labels agree on %zu of %zu, max |logit diff| %.3g", QTest::currentDataTag(),
          agree, got.size(), worst);
    QVERIFY2(agree + 1 >= got.size(), qPrintable(QString("labels agree on %1").arg(agree)));
    QVERIFY2(worst <= 0.1, qPrintable(QString("max logit difference %1").arg(worst)));
  }
};

QTEST_GUILESS_MAIN(TestOnnxFamilies)
#include "test_onnx_families.moc"
