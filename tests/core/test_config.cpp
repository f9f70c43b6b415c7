// config.json parsing, sub-network descriptions, parameter and FLOP counts,
// and classification metrics.
#include <QtTest>

#include <nlohmann/json.hpp>

#include "paretoprune/formats/config.h"
#include "paretoprune/formats/subnet.h"
#include "paretoprune/model/metrics.h"
#include "paretoprune/model/model_config.h"
#include "testutil.h"

using nlohmann::json;

namespace {
json bertBaseCased() {
  return json::parse(R"({"architectures":["BertForMaskedLM"],"attention_probs_dropout_prob":0.1,
    "hidden_act":"gelu","hidden_dropout_prob":0.1,"hidden_size":768,"initializer_range":0.02,
    "intermediate_size":3072,"layer_norm_eps":1e-12,"max_position_embeddings":512,"model_type":"bert",
    "num_attention_heads":12,"num_hidden_layers":12,"pad_token_id":0,"type_vocab_size":2,"vocab_size":28996})");
}
}  // namespace

class TestConfig : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void bertBaseCasedParameters() {
    auto c = pp::modelConfigFromJson(bertBaseCased());
    QCOMPARE(c.numLabels(), int64_t(2));
    QCOMPARE(pp::parameterCount(c), int64_t(108311810));
  }

  void subnetParametersMatchSmallerConfig() {
    // A seed sub-network counts exactly what a config of that size would.
    auto c = pp::modelConfigFromJson(bertBaseCased());
    auto s = pp::SubNetwork::uniform(c, 6, 12, 1536);
    json small = bertBaseCased();
    small["num_hidden_layers"] = 6;
    small["intermediate_size"] = 1536;
    QCOMPARE(pp::parameterCount(c, s), pp::parameterCount(pp::modelConfigFromJson(small)));
    // Removing heads: each head of 64 dims costs 4*(768*64) + 3*64 parameters.
    auto s11 = pp::SubNetwork::uniform(c, 12, 11, 3072);
    QCOMPARE(pp::parameterCount(c) - pp::parameterCount(c, s11),
             int64_t(12 * (4 * 768 * 64 + 3 * 64)));
  }

  void flops() {
    auto c = pp::modelConfigFromJson(bertBaseCased());
    const int64_t T = 128;
    const int64_t perLayer = 2 * T * 768 * 768 * 4 + 2 * 2 * T * T * 768 + 2 * 2 * T * 768 * 3072;
    QCOMPARE(pp::flopCount(c, pp::SubNetwork::full(c), T),
             12 * perLayer + 2 * 768 * 768 + 2 * 768 * 2);
    QCOMPARE(pp::flopCount(c, pp::SubNetwork::uniform(c, 0, 1, 0), T),
             int64_t(2 * 768 * 768 + 2 * 768 * 2));
  }

  void labelsAndPrunedHeads() {
    json j = bertBaseCased();
    j["id2label"] = {{"0", "entailment"}, {"1", "not_entailment"}};
    j["pruned_heads"] = {{"1", {0, 3}}};
    auto c = pp::modelConfigFromJson(j);
    QCOMPARE(c.labelId("not_entailment"), int64_t(1));
    QCOMPARE(c.headsInLayer(1), int64_t(10));
    QCOMPARE(c.headsInLayer(0), int64_t(12));
    auto back = pp::modelConfigFromJson(pp::modelConfigToJson(c));
    QCOMPARE(back.pruned_heads, c.pruned_heads);
    QCOMPARE(back.id2label, c.id2label);
  }

  void badConfigs_data() {
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("model type") << "model_type"
                                << "\"gpt2\""
                                << "not supported";
    QTest::newRow("missing") << "hidden_size"
                             << "<remove>"
                             << "required key \"hidden_size\"";
    QTest::newRow("wrong type") << "hidden_size"
                                << "\"768\""
                                << "must be an integer";
    QTest::newRow("zero") << "num_attention_heads"
                          << "0"
                          << "must be positive";
    QTest::newRow("negative") << "vocab_size"
                              << "-5"
                              << "must be positive";
    QTest::newRow("indivisible") << "num_attention_heads"
                                 << "7"
                                 << "not divisible";
    QTest::newRow("activation") << "hidden_act"
                                << "\"mish\""
                                << "unknown hidden_act";
    QTest::newRow("pruned layer") << "pruned_heads"
                                  << "{\"40\":[1]}"
                                  << "does not exist";
    QTest::newRow("labels disagree") << "num_labels"
                                     << "3"
                                     << "<with id2label>";
    QTest::newRow("huge") << "hidden_size"
                          << "100000000000"
                          << "implausibly large";
  }
  void badConfigs() {
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QString, fragment);
    json j = bertBaseCased();
    std::string frag = fragment.toStdString();
    if (value == "<remove>")
      j.erase(key.toStdString());
    else
      j[key.toStdString()] = json::parse(value.toStdString());
    if (frag == "<with id2label>") {
      j["id2label"] = {{"0", "a"}, {"1", "b"}};
      frag = "disagrees";
    }
    PP_EXPECT_ERROR(pp::modelConfigFromJson(j), frag);
  }

  void configFileErrorsNameTheFile() {
    QTemporaryDir dir;
    const std::string p = dir.path().toStdString() + "/config.json";
    testutil::writeText(p, "{not json");
    PP_EXPECT_ERROR(pp::loadModelConfig(p), p + ": not valid JSON");
    testutil::writeText(p, R"({"model_type":"bert","hidden_size":64})");
    PP_EXPECT_ERROR(pp::loadModelConfig(p), p + ": required key");
  }

  void subnetForms() {
    auto c = pp::modelConfigFromJson(bertBaseCased());
    auto s = pp::SubNetwork::parse(R"({"num_layers":4,"num_heads":6,"num_units":1000})", c);
    QCOMPARE(s.keptLayers(), int64_t(4));
    QCOMPARE(s.toJson(), json::parse(R"({"num_layers":4,"num_heads":6,"num_units":1000})"));
    auto p = pp::SubNetwork::parse(
        R"({"layers":[{"heads":12,"units":3072},{"heads":0,"units":0},{"heads":3,"units":5}]})", c);
    QCOMPARE(p.keptLayers(), int64_t(2));
    QCOMPARE(pp::SubNetwork::fromJson(p.toJson(), c), p);
    QVERIFY(pp::SubNetwork::full(c).isFull(c));
    QVERIFY(p.key() != s.key());
    PP_EXPECT_ERROR(pp::SubNetwork::parse(R"({"num_layers":13,"num_heads":6,"num_units":1})", c),
                    "num_layers 13");
    PP_EXPECT_ERROR(pp::SubNetwork::parse(R"({"num_layers":2,"num_heads":16,"num_units":1})", c),
                    "16 heads");
    PP_EXPECT_ERROR(pp::SubNetwork::parse(R"({"num_layers":2,"num_heads":1,"num_units":4000})", c),
                    "4000 feed-forward");
    PP_EXPECT_ERROR(pp::SubNetwork::parse(R"({"num_layers":2})", c), "missing \"num_heads\"");
    PP_EXPECT_ERROR(pp::SubNetwork::parse("{bad", c), "not valid JSON");
  }

  void metrics() {
    // Binary: tp=2 fp=1 fn=1 tn=2
    auto m = pp::classificationMetrics({1, 1, 0, 0, 1, 0}, {1, 1, 1, 0, 0, 0}, 2);
    QCOMPARE(m.accuracy, 4.0 / 6.0);
    QVERIFY(std::abs(m.f1 - 2.0 / 3.0) < 1e-12);
    QVERIFY(std::abs(m.mcc - 1.0 / 3.0) < 1e-12);  // (2*2-1*1)/sqrt(3*3*3*3)
    // Chance: the majority label's error.
    QCOMPARE(pp::majorityError({2, 1, 1, 0}), 0.5);
    QCOMPARE(pp::majorityError({1, 1, 1, 0}), 0.25);
    QCOMPARE(pp::majorityError({}), 1.0);
    auto perfect = pp::classificationMetrics({0, 1, 2}, {0, 1, 2}, 3);
    QCOMPARE(perfect.mcc, 1.0);
    QCOMPARE(perfect.f1, 1.0);
    auto constant = pp::classificationMetrics({0, 0, 0, 0}, {0, 1, 0, 1}, 2);
    QCOMPARE(constant.mcc, 0.0);
    QCOMPARE(constant.error, 0.5);
  }
};

QTEST_APPLESS_MAIN(TestConfig)
#include "test_config.moc"
