// Tagged data for token classification: CoNLL and JSON lines files (the
// good ones and the bad ones, each refused with its line named) and the
// alignment of words to word pieces.
#include <QtTest>

#include <nlohmann/json.hpp>

#include "paretoprune/base/error.h"
#include "paretoprune/formats/tagging.h"
#include "paretoprune/formats/tokenizer.h"
#include "paretoprune/model/model_config.h"
#include "testutil.h"

namespace {
const std::string kData = std::string(PARETOPRUNE_SOURCE_DIR) + "/tests/data/tagging/";

// The error loading `file` gives, or "" if it loads.
std::string errorOf(const std::string& file, const pp::ModelConfig& c) {
  try {
    pp::loadTaggedData(kData + file, c);
  } catch (const pp::Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

class TestTagging : public QObject {
  Q_OBJECT
  pp::ModelConfig config_;
  QTemporaryDir dir_;

 private Q_SLOTS:
  void initTestCase() {
    config_ = pp::modelConfigFromJson(nlohmann::json::parse(
        R"({"model_type":"bert","architectures":["BertForTokenClassification"],"vocab_size":10,
            "hidden_size":8,"num_hidden_layers":1,"num_attention_heads":2,"intermediate_size":4,
            "id2label":{"0":"O","1":"B-PER","2":"I-PER","3":"B-LOC","4":"I-LOC","5":"B-ORG",
                        "6":"I-ORG","7":"B-MISC","8":"I-MISC"}})"));
    QVERIFY(config_.tokenClassification());
  }

  void conllSentencesTagsInLastColumn() {
    const auto d = pp::loadTaggedData(kData + "sample.conll", config_);
    QCOMPARE(d.sentences.size(), size_t(3));  // -DOCSTART- lines and blank lines skipped
    QCOMPARE(d.sentences[0].words,
             (std::vector<std::string>{"EU", "rejects", "German", "call", "."}));
    QCOMPARE(d.sentences[0].tags, (std::vector<int64_t>{5, 0, 7, 0, 0}));
    QCOMPARE(d.sentences[0].line, int64_t(3));
    QCOMPARE(d.sentences[1].tags, (std::vector<int64_t>{1, 2}));
    QCOMPARE(d.sentences[2].words, (std::vector<std::string>{"BRUSSELS", "1996-08-22"}));
    QCOMPARE(d.sentences[2].line, int64_t(14));
    QCOMPARE(d.words(), int64_t(9));
    QVERIFY(!pp::isTaggedDataFile("reviews.tsv"));
    QVERIFY(pp::isTaggedDataFile(kData + "sample.conll"));
  }

  void jsonLinesNamesOrIds() {
    QVERIFY(pp::isTaggedDataFile(kData + "sample.jsonl"));
    const auto d = pp::loadTaggedData(kData + "sample.jsonl", config_);
    QCOMPARE(d.sentences.size(), size_t(2));
    QCOMPARE(d.sentences[0].tags, (std::vector<int64_t>{1, 0, 0, 3, 4}));
    QCOMPARE(d.sentences[1].tags, (std::vector<int64_t>{5}));  // ner_tags as label ids
    QCOMPARE(d.sentences[1].line, int64_t(3));
  }

  void badFilesNameTheLine() {
    QCOMPARE(errorOf("missing_tag.conll", config_),
             kData + "missing_tag.conll:2: \"rejects\" has no tag column (expected a token, " +
                 "then its tag in the last column)");
    const std::string unknown = errorOf("unknown_tag.conll", config_);
    QVERIFY2(unknown.rfind(kData + "unknown_tag.conll:4: tag \"B-CITY\" is not one of the model's "
                                   "labels (O, B-PER",
                           0) == 0,
             unknown.c_str());
    QCOMPARE(errorOf("empty.conll", config_), kData + "empty.conll: no tagged sentences");
    auto jsonError = [&](const std::string& text) {
      try {
        pp::parseTaggedData(text, "x.jsonl", true, config_);
      } catch (const pp::Error& e) {
        return std::string(e.what());
      }
      return std::string();
    };
    QCOMPARE(jsonError("{\"tokens\":[\"a\",\"b\"],\"tags\":[\"O\"]}\n"),
             std::string("x.jsonl:1: 2 tokens but 1 tags"));
    QCOMPARE(jsonError("\n{\"tokens\":[\"a\"],\"tags\":[9]}\n"),
             std::string("x.jsonl:2: tag id 9 is outside the model's 9 labels"));
    QCOMPARE(jsonError("{\"tags\":[\"O\"]}"), std::string("x.jsonl:1: no \"tokens\" list"));
    QCOMPARE(jsonError("[1]"), std::string("x.jsonl:1: not a JSON object"));
  }

  void firstPieceCarriesTheLabel() {
    const std::string vocab = dir_.path().toStdString() + "/vocab.txt";
    testutil::writeText(vocab, "[PAD]\n[UNK]\n[CLS]\n[SEP]\njohn\n##s\nin\nyo\n##rk\n");
    const auto tok = pp::WordPieceTokenizer::fromVocabFile(vocab);
    pp::TaggedSentence s;
    s.words = {"Johns", "in", "York"};
    s.tags = {1, 0, 3};
    const int64_t X = pp::kIgnoredLabel;
    auto a = pp::alignWords(tok, s, 0);
    QCOMPARE(a.ids, (std::vector<int64_t>{2, 4, 5, 6, 7, 8, 3}));
    QCOMPARE(a.labels, (std::vector<int64_t>{X, 1, X, 0, 3, X, X}));
    QCOMPARE(a.wordPiece, (std::vector<int64_t>{1, 3, 4}));
    QCOMPARE(a.typeIds.size(), a.ids.size());
    QVERIFY(!a.cut);
    // Too long: whole words are left out, and the sentence says it was cut.
    a = pp::alignWords(tok, s, 5);
    QCOMPARE(a.ids, (std::vector<int64_t>{2, 4, 5, 6, 3}));
    QCOMPARE(a.wordPiece, (std::vector<int64_t>{1, 3}));
    QVERIFY(a.cut);
    a = pp::alignWords(tok, s, 6);  // "York" needs two pieces: still cut
    QCOMPARE(a.wordPiece.size(), size_t(2));
    QVERIFY(a.cut);
    a = pp::alignWords(tok, s, 7);
    QCOMPARE(a.wordPiece.size(), size_t(3));
    QVERIFY(!a.cut);
  }
};

QTEST_GUILESS_MAIN(TestTagging)
#include "test_tagging.moc"
