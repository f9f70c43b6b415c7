// Model families through the seam: for BERT, DistilBERT, RoBERTa and
// ELECTRA, a random make-tiny model loads with its family and tokenizer,
// evaluates as Hugging Face's modeling code computes (a reference forward
// written here from transformers' modules, by tensor name), slices (masked
// == sliced with a head-less and a unit-less layer) and exports (hf,
// hf-any, onnx, torchscript) to files that load back and reproduce it.
#include <QtTest>

#include <cmath>
#include <filesystem>

#include <torch/torch.h>

#include "paretoprune/eval/evaluator.h"
#include "paretoprune/export/export.h"
#include "paretoprune/formats/dataset.h"
#include "paretoprune/formats/text_tokenizer.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model.h"
#include "paretoprune/model/model_config.h"
#include "paretoprune/model/random_model.h"
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
  for (size_t i = 0; i < a.size(); ++i)
    for (size_t k = 0; k < a[i].size(); ++k) worst = std::max(worst, std::abs(a[i][k] - b[i][k]));
  return worst;
}

pp::Dataset sentences() {
  pp::Dataset d;
  const char* texts[] = {"The food was great and the service friendly.",
                         "Terrible. I will never come back!",
                         "it is what it is",
                         "Not bad at all, actually quite good",
                         "a",
                         "Wonderful acting, a moving story; I loved every minute of it.",
                         "the movie was very bad",
                         "Ünïcödé façade — naïve café 😀"};
  int64_t i = 0;
  for (const char* t : texts) d.examples.push_back({t, "", i++ % 2, i});
  d.source = "test";
  return d;
}

}  // namespace

class TestFamilies : public QObject {
  Q_OBJECT
  QTemporaryDir tmp_;

  std::string path(const QString& name) const { return (tmp_.path() + "/" + name).toStdString(); }

  std::shared_ptr<const pp::Model> makeTiny(const QString& type) {
    pp::TinyModelOptions o = pp::TinyModelOptions::shaped(2, 32, 4, 64);
    o.modelType = type.toStdString();
    o.seed = 11;
    o.initStd = 0.2;  // large enough that every part moves the logits
    const std::string dir = path("tiny-" + type);
    pp::writeRandomModel(dir, o);
    return pp::Model::load(dir);
  }

 private Q_SLOTS:
  void families_data() {
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("tokenizer");
    QTest::addColumn<bool>("tokenTypes");  // the ONNX graph takes token_type_ids
    QTest::newRow("bert") << "bert"
                          << "BERT"
                          << "wordpiece" << true;
    QTest::newRow("distilbert") << "distilbert"
                                << "DistilBERT"
                                << "wordpiece" << false;
    QTest::newRow("roberta") << "roberta"
                             << "RoBERTa"
                             << "bpe" << false;
    QTest::newRow("electra") << "electra"
                             << "ELECTRA"
                             << "wordpiece" << true;
    QTest::newRow("xlm-roberta") << "xlm-roberta"
                                 << "XLM-RoBERTa"
                                 << "unigram" << false;
  }

  // Loads with its family and tokenizer; logits as transformers computes them.
  void families() {
    QFETCH(QString, type);
    QFETCH(QString, name);
    QFETCH(QString, tokenizer);
    auto m = makeTiny(type);
    QCOMPARE(QString::fromStdString(m->config().model_type), type);
    QCOMPARE(QString::fromStdString(pp::familyDisplayName(m->config())), name);
    QCOMPARE(QString::fromStdString(m->tokenizer().kind()), tokenizer);
    if (type == "electra") QVERIFY(m->config().embeddingSize() != m->config().hidden_size);
    // The family's config.json keys.
    const json cfg = json::parse(testutil::readText(m->directory() + "/config.json"));
    QCOMPARE(QString::fromStdString(cfg["model_type"].get<std::string>()), type);
    if (type == "distilbert") QVERIFY(cfg.contains("n_heads") && cfg.contains("hidden_dim"));
    const pp::Dataset data = sentences();
    pp::EncodeOptions eo;
    eo.batchSize = 3;  // padded batches
    pp::EncodedData enc(*m, data, eo);
    const auto full = pp::SubNetwork::full(m->config());
    const Logits masked = pp::computeLogits(*m, full, enc, pp::ExecMode::Masked);
    const Logits sliced = pp::computeLogits(*m, full, enc, pp::ExecMode::Sliced);
    Logits ref;
    for (const auto& e : data.examples)
      ref.push_back(reference::logits(m->directory(), type.toStdString(), m->config(),
                                      m->tokenizer().encode(e.text, nullptr, 128).ids));
    QVERIFY2(maxAbsDiff(sliced, ref) < 1e-4f, qPrintable(QString::number(maxAbsDiff(sliced, ref))));
    QVERIFY(maxAbsDiff(masked, ref) < 1e-4f);
    // Logits differ between texts: the test could fail.
    QVERIFY(maxAbsDiff({ref[0]}, {ref[1]}) > 1e-3f);
  }

  void slicesAndExports_data() { families_data(); }

  // A head-less and a unit-less layer: masked == sliced; every export
  // reproduces it (exportSubnetwork checks each by loading it back).
  void slicesAndExports() {
    QFETCH(QString, type);
    QFETCH(QString, tokenizer);
    QFETCH(bool, tokenTypes);
    auto m = makeTiny(type);
    pp::SubNetwork s;
    s.layers = {{0, 40}, {2, 0}};
    pp::EncodedData enc(*m, sentences(), {});
    const Logits sliced = pp::computeLogits(*m, s, enc, pp::ExecMode::Sliced);
    QVERIFY(maxAbsDiff(sliced, pp::computeLogits(*m, s, enc, pp::ExecMode::Masked)) < 1e-5f);
    QVERIFY(pp::parameterCount(m->config(), s) < pp::parameterCount(m->config()));
    for (const char* f : {"hf", "hf-any", "torchscript", "onnx"}) {
      if (std::string(f) == "onnx" && !pp::onnxAvailable()) continue;
      pp::ExportOptions o;
      o.format = pp::parseExportFormat(f);
      o.padUnits = true;
      const std::string out = path(type + "-" + f);
      const pp::ExportResult r = pp::exportSubnetwork(*m, s, out, o);
      QVERIFY2(r.maxLogitDiff < 1e-4, f);
      const bool hasJson = tokenizer == "bpe" || tokenizer == "unigram";
      QVERIFY(std::filesystem::exists(out + (hasJson ? "/tokenizer.json" : "/vocab.txt")));
      const json cfg = json::parse(testutil::readText(out + "/config.json"));
      QCOMPARE(QString::fromStdString(cfg["model_type"].get<std::string>()), type);
      if (std::string(f) == "onnx") {
        const std::string onnx = testutil::readText(out + "/onnx/model.onnx");
        QCOMPARE(onnx.find("token_type_ids") != std::string::npos, tokenTypes);
      }
      if (std::string(f).rfind("hf", 0) != 0) continue;
      auto back = pp::Model::load(out);  // the family's names, checked one by one
      QCOMPARE(back->config().model_type, m->config().model_type);
      pp::EncodedData backEnc(*back, sentences(), {});
      const Logits got = pp::computeLogits(*back, pp::SubNetwork::full(back->config()), backEnc);
      QVERIFY2(maxAbsDiff(got, sliced) < 1e-5f, f);
    }
  }

  void trainsSandwich_data() { families_data(); }

  // Sandwich training with importance ordering: the loss falls, the written
  // model loads as its family with its tokenizer.
  void trainsSandwich() {
    QFETCH(QString, type);
    QFETCH(QString, tokenizer);
    auto m = makeTiny(type);
    pp::Dataset data = sentences();
    for (int copy = 0; copy < 3; ++copy)
      for (size_t i = 0; i < 8; ++i) data.examples.push_back(data.examples[i]);
    pp::TrainOptions o;
    o.epochs = 4;
    o.batchSize = 8;
    o.learningRate = 3e-3;
    o.reorder = true;
    o.reorderBatches = 2;
    o.keepCheckpoints = false;
    o.device = "cpu";
    o.seed = 3;
    const std::string out = path("trained-" + type);
    const auto r =
        pp::trainModel(*m, data, &data,
                       pp::SearchSpace::defaults(pp::SearchSpace::Kind::Seed, m->config()), o, out);
    QCOMPARE(r.epochs.size(), size_t(4));
    QVERIFY2(r.epochs.back().trainLoss < r.epochs.front().trainLoss,
             (std::to_string(r.epochs.front().trainLoss) + " -> " +
              std::to_string(r.epochs.back().trainLoss))
                 .c_str());
    auto back = pp::Model::load(out);
    QCOMPARE(back->config().model_type, m->config().model_type);
    QCOMPARE(QString::fromStdString(back->tokenizer().kind()), tokenizer);
  }

  // An unknown model_type is refused with one line naming the supported ones.
  void unknownTypeRefused() {
    pp::TinyModelOptions o;
    o.modelType = "gpt2";
    const std::string msg = testutil::errorOf([&] { pp::writeRandomModel(path("gpt2"), o); });
    QVERIFY2(msg.find("distilbert") != std::string::npos &&
                 msg.find("roberta") != std::string::npos &&
                 msg.find("electra") != std::string::npos &&
                 msg.find("xlm-roberta") != std::string::npos,
             msg.c_str());
  }
};

QTEST_GUILESS_MAIN(TestFamilies)
#include "test_families.moc"
