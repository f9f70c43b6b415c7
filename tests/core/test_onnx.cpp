// ONNX exports judged by real runtimes: the demo model exported with
// paretoprune-cli (full, a layer with no heads, no feed-forward units, int8)
// runs in onnxruntime-node at batch 1 and 7 and in a transformers.js
// text-classification pipeline, and must give what `paretoprune-cli predict`
// gives. The npm packages live in BUILD/node (scripts/install-node-deps.sh,
// run by ./test.sh); without them this test fails, it does not skip.
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QtTest>

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "paretoprune/formats/config.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/formats/tokenizer.h"
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

size_t argmax(const std::vector<float>& v) {
  return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

std::vector<double> softmax(const std::vector<float>& v) {
  const double m = *std::max_element(v.begin(), v.end());
  std::vector<double> p;
  double sum = 0;
  for (float x : v) sum += std::exp(static_cast<double>(x) - m);
  for (float x : v) p.push_back(std::exp(static_cast<double>(x) - m) / sum);
  return p;
}
}  // namespace

class TestOnnx : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;
  QString model_ = QString(PARETOPRUNE_RESOURCES_DIR) + "/demo/model";
  QString nodeDir_ = PARETOPRUNE_NODE_DIR;
  std::vector<std::string> texts_;
  std::vector<pp::Encoding> enc_;  // texts_ tokenized, truncated to kMaxLen
  // Pairs (the first kPairs texts with the next text as second segment, token type 1).
  std::vector<std::string> pairTexts_, pairSeconds_;
  std::vector<pp::Encoding> pairEnc_;
  static constexpr size_t kPairs = 70;
  std::vector<std::string> labels_;
  static constexpr size_t kMaxLen = 64;

  QString path(const QString& name) const { return tmp_.path() + "/" + name; }

  Run node(const QString& script, const QStringList& args) {
    return run("node", QStringList{nodeDir_ + "/" + script} + args);
  }

  // paretoprune-cli predict's logits for `texts` (with `pairs` when given; --max-length maxLen).
  Logits predict(const std::string& subnet, int64_t maxLen, const std::vector<std::string>& texts,
                 const std::vector<std::string>* pairs = nullptr, const QString& model = {}) {
    return predictLines(subnet, maxLen, lines(texts, pairs), model);
  }

  static std::vector<json> lines(const std::vector<std::string>& texts,
                                 const std::vector<std::string>* pairs = nullptr) {
    std::vector<json> out;
    for (size_t i = 0; i < texts.size(); ++i) {
      out.push_back({{"text", texts[i]}});
      if (pairs) out.back()["pair"] = (*pairs)[i];
    }
    return out;
  }

  // One predict process for input lines of any kind (each line is read on its own).
  Logits predictLines(const std::string& subnet, int64_t maxLen, const std::vector<json>& lines,
                      const QString& model = {}) {
    QByteArray in;
    for (const json& line : lines) in += QByteArray::fromStdString(line.dump() + "\n");
    QStringList args{"predict", model.isEmpty() ? model_ : model, "--max-length",
                     QString::number(maxLen)};
    if (!subnet.empty()) args << "--subnet" << QString::fromStdString(subnet);
    Run r = run(PARETOPRUNE_CLI, args, in);
    if (r.code != 0) qFatal("predict failed: %s", r.err.c_str());
    Logits out;
    std::stringstream ss(r.out);
    for (std::string line; std::getline(ss, line);)
      out.push_back(json::parse(line)["logits"].get<std::vector<float>>());
    if (out.size() != lines.size()) qFatal("predict gave %zu lines", out.size());
    return out;
  }

  // Token batches of `size` rows (the last may be smaller), padded to their longest row.
  static json batches(const std::vector<pp::Encoding>& enc, size_t size) {
    json out = json::array();
    for (size_t start = 0; start < enc.size(); start += size) {
      const size_t end = std::min(enc.size(), start + size);
      size_t T = 0;
      for (size_t i = start; i < end; ++i) T = std::max(T, enc[i].ids.size());
      json ids = json::array(), mask = json::array(), types = json::array();
      for (size_t i = start; i < end; ++i) {
        std::vector<int64_t> id = enc[i].ids, ty = enc[i].type_ids, m(id.size(), 1);
        id.resize(T, 0);
        ty.resize(T, 0);
        m.resize(T, 0);
        ids.push_back(id);
        types.push_back(ty);
        mask.push_back(m);
      }
      out.push_back({{"ids", ids}, {"mask", mask}, {"types", types}});
    }
    return out;
  }

  // onnxruntime-node's logits for `enc` at batch `size`.
  Logits runOrt(const QString& onnxFile, const std::vector<pp::Encoding>& enc, size_t size) {
    const QString in = path("batches.json"), out = path("ort-out.json");
    testutil::writeText(in.toStdString(), json({{"batches", batches(enc, size)}}).dump());
    Run r = node("run_onnx.mjs", {onnxFile, in, out});
    if (r.code != 0)
      qFatal("onnxruntime-node failed on %s: %s", qPrintable(onnxFile), r.err.c_str());
    json j = json::parse(testutil::readText(out.toStdString()));
    Logits all;
    for (const auto& b : j["logits"])
      for (const auto& row : b) all.push_back(row.get<std::vector<float>>());
    return all;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY2(
        QFileInfo::exists(nodeDir_ + "/node_modules/onnxruntime-node/package.json") &&
            QFileInfo::exists(nodeDir_ + "/node_modules/@huggingface/transformers/package.json"),
        qPrintable("onnxruntime-node and @huggingface/transformers are not installed in " +
                   nodeDir_ + ": run scripts/install-node-deps.sh BUILD_DIR"));
    Run v = run("node", {"--version"});
    QVERIFY2(v.code == 0, "node (Node.js) is not installed: run scripts/install-deps.sh");
    // The scripts run beside node_modules (ES modules resolve packages from there).
    for (const char* f : {"run_onnx.mjs", "classify.mjs"}) {
      QFile::remove(nodeDir_ + "/" + f);
      QVERIFY(
          QFile::copy(QString(PARETOPRUNE_SOURCE_DIR) + "/tests/node/" + f, nodeDir_ + "/" + f));
    }
    const std::string dir = model_.toStdString();
    pp::ModelConfig c = pp::loadModelConfig(dir + "/config.json");
    for (const auto& l : c.id2label) labels_.push_back(l);
    pp::Dataset d = pp::loadDataset(
        std::string(PARETOPRUNE_RESOURCES_DIR) + "/demo/sentiment-validation.tsv", c);
    auto tok = pp::WordPieceTokenizer::fromDirectory(dir);
    // A few long training sentences too, truncated to kMaxLen.
    pp::Dataset train =
        pp::loadDataset(std::string(PARETOPRUNE_RESOURCES_DIR) + "/demo/sentiment-train.tsv", c);
    size_t added = 0;
    for (const auto& e : train.examples)
      if (added < 8 && tok.encode(e.text).ids.size() > kMaxLen) {
        d.examples.push_back(e);
        ++added;
      }
    size_t shortest = 1000, longest = 0;
    for (const auto& e : d.examples) {
      texts_.push_back(e.text);
      enc_.push_back(tok.encode(e.text, nullptr, kMaxLen));
      shortest = std::min(shortest, enc_.back().ids.size());
      longest = std::max(longest, enc_.back().ids.size());
    }
    for (size_t i = 0; i < kPairs; ++i) {
      pairTexts_.push_back(texts_[i]);
      pairSeconds_.push_back(texts_[i + 1]);
      pairEnc_.push_back(tok.encode(pairTexts_.back(), &pairSeconds_.back(), kMaxLen));
    }
    // The examples span the sequence lengths the issue asks for (5 to 64).
    QVERIFY2(texts_.size() >= 100, "too few validation sentences");
    QVERIFY2(shortest <= 5 && longest == kMaxLen,
             qPrintable(QString("token lengths %1..%2").arg(shortest).arg(longest)));
  }

  void onnxRuntimeAndTransformersJs_data() {
    QTest::addColumn<QString>("subnet");
    QTest::addColumn<QString>("format");
    const QString zeroHeads =
        R"({"layers":[{"heads":4,"units":512},{"heads":0,"units":384},{"heads":2,"units":160},{"heads":0,"units":0}]})";
    const QString noUnits =
        R"({"layers":[{"heads":4,"units":0},{"heads":2,"units":0},{"heads":3,"units":0},{"heads":1,"units":0}]})";
    const QString full = R"({"num_layers":4,"num_heads":4,"num_units":512})";
    QTest::newRow("full") << full << "onnx";
    QTest::newRow("layer with no heads") << zeroHeads << "onnx";
    QTest::newRow("no feed-forward units") << noUnits << "onnx";
    QTest::newRow("int8 full") << full << "onnx-int8";
    QTest::newRow("int8 layer with no heads") << zeroHeads << "onnx-int8";
  }

  void onnxRuntimeAndTransformersJs() {
    QFETCH(QString, subnet);
    QFETCH(QString, format);
    const bool int8 = format == "onnx-int8";
    const QString out = path(QString("export-%1").arg(QTest::currentDataTag()).replace(' ', '-'));
    QStringList args{"export", model_, "--format", format, "--out", out};
    if (!subnet.isEmpty()) args << "--subnet" << subnet;
    Run e = run(PARETOPRUNE_CLI, args);
    QVERIFY2(e.code == 0, e.err.c_str());
    for (const char* f : {"config.json", "tokenizer.json", "vocab.txt", "tokenizer_config.json",
                          "paretoprune.json"})
      QVERIFY2(QFileInfo::exists(out + "/" + f), f);
    const QString onnxFile = out + (int8 ? "/onnx/model_quantized.onnx" : "/onnx/model.onnx");
    QVERIFY(QFileInfo::exists(onnxFile));

    // onnxruntime-node against predict, batch 1 and batch 7, single texts and
    // pairs (predict reads both in one process).
    std::vector<json> in = lines(texts_), pairLines = lines(pairTexts_, &pairSeconds_);
    in.insert(in.end(), pairLines.begin(), pairLines.end());
    const Logits both = predictLines(subnet.toStdString(), kMaxLen, in);
    const Logits wantTexts(both.begin(), both.begin() + static_cast<std::ptrdiff_t>(texts_.size()));
    const Logits wantPairs(both.begin() + static_cast<std::ptrdiff_t>(texts_.size()), both.end());
    for (auto [batch, pairs] : {std::pair{size_t(1), false}, std::pair{size_t(7), false},
                                std::pair{size_t(1), true}, std::pair{size_t(7), true}}) {
      const Logits got = runOrt(onnxFile, pairs ? pairEnc_ : enc_, batch);
      const Logits& want = pairs ? wantPairs : wantTexts;
      QCOMPARE(got.size(), want.size());
      double worst = 0;
      size_t agree = 0;
      for (size_t i = 0; i < got.size(); ++i) {
        QCOMPARE(got[i].size(), labels_.size());
        for (size_t k = 0; k < got[i].size(); ++k)
          worst = std::max(worst, static_cast<double>(std::abs(got[i][k] - want[i][k])));
        agree += argmax(got[i]) == argmax(want[i]);
      }
      const double agreement = static_cast<double>(agree) / static_cast<double>(got.size());
      qInfo("%s batch %zu%s: max |logit diff| %.3g, labels agree %.2f%%", QTest::currentDataTag(),
            batch, pairs ? " (pairs)" : "", worst, 100 * agreement);
      if (int8)
        QVERIFY2(agreement >= 0.99, qPrintable(QString("int8 labels agree on %1").arg(agreement)));
      else
        QVERIFY2(worst <= 1e-4, qPrintable(QString("max logit difference %1").arg(worst)));
    }

    // transformers.js reads our config, tokenizer.json and ONNX file.
    pp::ModelConfig c = pp::loadModelConfig(model_.toStdString() + "/config.json");
    const Logits full = predict(subnet.toStdString(), c.max_position_embeddings, texts_);
    testutil::writeText(path("texts.json").toStdString(), json(texts_).dump());
    Run p = node("classify.mjs",
                 {out, int8 ? "q8" : "fp32", path("texts.json"), path("pipeline-out.json")});
    QVERIFY2(p.code == 0, p.err.c_str());
    json res = json::parse(testutil::readText(path("pipeline-out.json").toStdString()));
    QCOMPARE(res["results"].size(), texts_.size());
    double worst = 0;
    size_t agree = 0;
    for (size_t i = 0; i < texts_.size(); ++i) {
      const std::vector<double> prob = softmax(full[i]);
      const json& scores = res["results"][i];
      QCOMPARE(scores.size(), labels_.size());
      // top_k null: every label, best first.
      agree += scores[0]["label"].get<std::string>() == labels_[argmax(full[i])];
      for (const auto& s : scores) {
        auto it = std::find(labels_.begin(), labels_.end(), s["label"].get<std::string>());
        QVERIFY2(it != labels_.end(), s.dump().c_str());
        worst = std::max(worst, std::abs(s["score"].get<double>() -
                                         prob[static_cast<size_t>(it - labels_.begin())]));
      }
    }
    const double agreement = static_cast<double>(agree) / static_cast<double>(texts_.size());
    qInfo("%s transformers.js %s: max |probability diff| %.3g, labels agree %.2f%%",
          QTest::currentDataTag(), res["version"].get<std::string>().c_str(), worst,
          100 * agreement);
    if (int8) {
      QVERIFY(agreement >= 0.99);
    } else {
      QCOMPARE(agreement, 1.0);
      QVERIFY2(worst <= 1e-4, qPrintable(QString("max probability difference %1").arg(worst)));
    }
  }

  // Every activation bert.cpp knows, written out in ONNX ops, on a random
  // model with three labels and a per-layer sub-network.
  void activations_data() {
    QTest::addColumn<QString>("act");
    for (const char* a : {"gelu", "gelu_new", "relu", "silu", "tanh"}) QTest::newRow(a) << a;
  }
  void activations() {
    QFETCH(QString, act);
    const QString model = path("tiny-" + act), out = path("tiny-" + act + "-onnx");
    Run m = run(PARETOPRUNE_CLI,
                {"make-tiny",      model,
                 "--layers",       "3",
                 "--hidden",       "32",
                 "--heads",        "4",
                 "--intermediate", "48",
                 "--labels",       "3",
                 "--act",          act,
                 "--init-std",     "0.2",
                 "--seed",         "11",
                 "--vocab",        QString(PARETOPRUNE_RESOURCES_DIR) + "/demo/vocab.txt"});
    QVERIFY2(m.code == 0, m.err.c_str());
    const std::string subnet =
        R"({"layers":[{"heads":3,"units":40},{"heads":0,"units":20},{"heads":1,"units":0}]})";
    Run e = run(PARETOPRUNE_CLI, {"export", model, "--format", "onnx", "--out", out, "--subnet",
                                  QString::fromStdString(subnet)});
    QVERIFY2(e.code == 0, e.err.c_str());
    auto tok = pp::WordPieceTokenizer::fromDirectory(model.toStdString());
    std::vector<std::string> texts(texts_.begin(), texts_.begin() + 140);
    std::vector<pp::Encoding> enc;
    for (const auto& t : texts) enc.push_back(tok.encode(t, nullptr, kMaxLen));
    const Logits want = predict(subnet, kMaxLen, texts, nullptr, model);
    const Logits got = runOrt(out + "/onnx/model.onnx", enc, 7);
    QCOMPARE(got.size(), want.size());
    double worst = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      QCOMPARE(got[i].size(), size_t(3));
      for (size_t k = 0; k < 3; ++k)
        worst = std::max(worst, std::abs(static_cast<double>(got[i][k] - want[i][k])) /
                                    std::max(1.0, std::abs(static_cast<double>(want[i][k]))));
    }
    qInfo("%s: max relative |logit diff| %.3g", qPrintable(act), worst);
    QVERIFY2(worst <= 1e-4, qPrintable(QString("max logit difference %1").arg(worst)));
  }
};

QTEST_GUILESS_MAIN(TestOnnx)
#include "test_onnx.moc"
