// The Unigram tokenizer (XLM-RoBERTa's) against the reference encodings in
// tests/data/reference/unigram (Hugging Face tokenizers 0.23.2): ids and
// type ids of every case under three set-ups (make-tiny's XLM-RoBERTa
// tokenizer; a SentencePiece precompiled charsmap with Metaspace "first" and
// RobertaProcessing; byte fallback, NFKD + Lowercase + Strip, an added
// normalized token and BertProcessing); the make-tiny tokenizer is the
// reference's; malformed files are refused with one line naming the file.
#include <QtTest>

#include <functional>

#include <nlohmann/json.hpp>

#include "paretoprune/base/error.h"
#include "paretoprune/formats/text_tokenizer.h"
#include "paretoprune/formats/unigram_tokenizer.h"
#include "paretoprune/model/random_model.h"
#include "testutil.h"

using nlohmann::json;
using pp::UnigramTokenizer;

namespace {
std::string show(const std::vector<int64_t>& v) {
  std::string s;
  for (int64_t x : v) s += std::to_string(x) + " ";
  return s;
}
}  // namespace

class TestUnigram : public QObject {
  Q_OBJECT
  const std::string ref_ = std::string(PARETOPRUNE_REFERENCE_DIR) + "/unigram";
  json configs_;
  std::vector<json> cases_;
  QTemporaryDir tmp_;

  std::string write(const std::string& name, const json& j) {
    const std::string path = tmp_.path().toStdString() + "/" + name + ".json";
    testutil::writeText(path, j.dump(1));
    return path;
  }

  // The message of loading `j` as a tokenizer.json; empty if it loads.
  std::string refusal(const json& j) {
    try {
      UnigramTokenizer::fromTokenizerJson(write("bad", j));
    } catch (const pp::Error& e) {
      return e.what();
    }
    return {};
  }

 private Q_SLOTS:
  void initTestCase() {
    configs_ = json::parse(testutil::readText(ref_ + "/configs.json"));
    std::stringstream ss(testutil::readText(ref_ + "/cases.jsonl"));
    for (std::string line; std::getline(ss, line);)
      if (!line.empty()) cases_.push_back(json::parse(line));
    QVERIFY(cases_.size() > 300);
  }

  void matchesReference_data() {
    QTest::addColumn<QString>("config");
    for (const char* c : {"xlmr", "precompiled", "fallback"}) QTest::newRow(c) << c;
  }

  void matchesReference() {
    QFETCH(QString, config);
    const std::string name = config.toStdString();
    const UnigramTokenizer tok = UnigramTokenizer::fromTokenizerJson(write(name, configs_[name]));
    QCOMPARE(tok.kind(), std::string("unigram"));
    int n = 0;
    for (size_t i = 0; i < cases_.size(); ++i) {
      const json& c = cases_[i];
      if (c["config"] != name) continue;
      const std::string text = c["text"], pair = c.value("pair", std::string());
      const bool hasPair = c.contains("pair");
      const pp::Encoding e =
          tok.encode(text, hasPair ? &pair : nullptr, c.value("max_length", int64_t{0}));
      const auto want = c["ids"].get<std::vector<int64_t>>();
      const std::string where = name + " case " + std::to_string(i) + " " + json(text).dump() +
                                (hasPair ? " + " + json(pair).dump() : "");
      QVERIFY2(e.ids == want, qPrintable(QString::fromStdString(where + "\n  got  " + show(e.ids) +
                                                                "\n  want " + show(want))));
      QVERIFY2(e.type_ids == c["type_ids"].get<std::vector<int64_t>>(), where.c_str());
      ++n;
    }
    QVERIFY(n > 100);
    qInfo("%s: %d cases", name.c_str(), n);
  }

  // make-tiny's XLM-RoBERTa tokenizer is the one the reference was made from.
  void makeTinyWritesTheReferenceTokenizer() {
    const std::string dir = tmp_.path().toStdString() + "/tiny";
    pp::TinyModelOptions o;
    o.modelType = "xlm-roberta";
    o.layers = 1;
    o.hidden = 8;
    o.heads = 2;
    o.intermediate = 8;
    pp::writeRandomModel(dir, o);
    const json mine = json::parse(testutil::readText(dir + "/tokenizer.json"));
    const json ref = configs_["xlmr"];
    for (const char* key : {"model", "normalizer", "pre_tokenizer", "post_processor"})
      QVERIFY2(mine[key] == ref[key], key);
    const auto tok = pp::loadTokenizer(dir);
    QCOMPARE(tok->kind(), std::string("unigram"));
    QCOMPARE(tok->clsId(), int64_t{0});
    QCOMPARE(tok->padId(), int64_t{1});
    QCOMPARE(tok->sepId(), int64_t{2});
    QCOMPARE(tok->unkId(), int64_t{3});
    // Saving writes what transformers loads it from.
    const std::string out = tmp_.path().toStdString() + "/saved";
    QDir().mkpath(QString::fromStdString(out));
    tok->save(out);
    QCOMPARE(testutil::readText(out + "/tokenizer.json"),
             testutil::readText(dir + "/tokenizer.json"));
    const json cfg = json::parse(testutil::readText(out + "/tokenizer_config.json"));
    QCOMPARE(cfg["tokenizer_class"].get<std::string>(), std::string("XLMRobertaTokenizer"));
    QCOMPARE(cfg["mask_token"].get<std::string>(), std::string("<mask>"));
  }

  void refusesMalformedFiles() {
    const json good = configs_["xlmr"];
    QVERIFY(refusal(good).empty());
    auto broken = [&](const std::function<void(json&)>& f) {
      json j = good;
      f(j);
      return refusal(j);
    };
    auto names = [](const std::string& msg, const char* what) {
      return msg.find("bad.json") != std::string::npos && msg.find(what) != std::string::npos &&
             msg.find('\n') == std::string::npos;
    };
    QVERIFY(names(broken([](json& j) { j["model"]["unk_id"] = 100000; }), "unk_id"));
    QVERIFY(names(broken([](json& j) { j["model"]["vocab"][5] = "x"; }), "model.vocab[5]"));
    QVERIFY(names(broken([](json& j) {
                    j["normalizer"] = {{"type", "BertNormalizer"}};
                  }),
                  "BertNormalizer"));
    QVERIFY(names(broken([](json& j) {
                    j["normalizer"] = {{"type", "Precompiled"}, {"precompiled_charsmap", "!!"}};
                  }),
                  "base64"));
    QVERIFY(
        names(broken([](json& j) {
                j["normalizer"] = {{"type", "Precompiled"}, {"precompiled_charsmap", "AAEAAA=="}};
              }),
              "trie size"));
    QVERIFY(names(broken([](json& j) {
                    j["normalizer"]["normalizers"][2]["pattern"] = {{"Regex", "\\s+"}};
                  }),
                  "Replace pattern"));
    QVERIFY(names(broken([](json& j) {
                    j["pre_tokenizer"] = {{"type", "Whitespace"}};
                  }),
                  "Metaspace"));
    QVERIFY(names(broken([](json& j) { j["pre_tokenizer"]["prepend_scheme"] = "sometimes"; }),
                  "prepend_scheme"));
    QVERIFY(names(broken([](json& j) { j["added_tokens"][4]["id"] = 7; }), "<mask>"));
    QVERIFY(names(broken([](json& j) {
                    j["post_processor"] = {{"type", "ByteLevel"}};
                  }),
                  "post_processor"));
    // A vocabulary without unk_id refuses a character it has no piece for, at encoding.
    json noUnk = good;
    noUnk["model"].erase("unk_id");
    const UnigramTokenizer tok = UnigramTokenizer::fromTokenizerJson(write("nounk", noUnk));
    QVERIFY(!tok.tokenIds("the food").empty());
    QVERIFY_THROWS_EXCEPTION(pp::Error, tok.tokenIds("日"));
  }

  // A directory with only ALBERT's or T5's SentencePiece model file: one
  // line that says so (XLM-RoBERTa's sentencepiece.bpe.model is read:
  // test_sentencepiece).
  void sentencePieceModelFileNamed() {
    const std::string dir = tmp_.path().toStdString() + "/spm";
    QDir().mkpath(QString::fromStdString(dir));
    testutil::writeText(dir + "/spiece.model", "not read");
    QVERIFY(pp::tokenizerExistsIn(dir));
    const std::string msg = testutil::errorOf([&] { pp::loadTokenizer(dir); });
    QVERIFY2(msg.find("spiece.model") != std::string::npos &&
                 msg.find("tokenizer.json") != std::string::npos,
             msg.c_str());
  }
};

QTEST_GUILESS_MAIN(TestUnigram)
#include "test_unigram.moc"
