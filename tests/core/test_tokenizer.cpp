// WordPiece tokenizer against the reference tokenizations in
// tests/data/reference/tokenizer (Hugging Face tokenizers 0.23.2), from both
// vocab.txt and tokenizer.json (hand-written cases, and the corpus of tricky
// strings in tests/data/tokenizer_corpus), plus truncation and bad vocabularies.
#include <QtTest>

#include <nlohmann/json.hpp>

#include "paretoprune/formats/tokenizer.h"
#include "testutil.h"

using nlohmann::json;

class TestTokenizer : public QObject {
  Q_OBJECT
  std::string ref_ = std::string(PARETOPRUNE_REFERENCE_DIR) + "/tokenizer";

  void checkAll(const pp::WordPieceTokenizer& tok, const std::string& file = "cases.jsonl") {
    std::ifstream in(ref_ + "/" + file);
    QVERIFY2(in.good(), ("tests/data/reference/tokenizer/" + file + " is missing").c_str());
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      json c = json::parse(line);
      std::string text = c["text"];
      std::string pair = c.contains("pair") ? c["pair"].get<std::string>() : "";
      pp::Encoding e =
          tok.encode(text, c.contains("pair") ? &pair : nullptr, c.value("max_length", int64_t{0}));
      auto ids = c["ids"].get<std::vector<int64_t>>();
      auto types = c["type_ids"].get<std::vector<int64_t>>();
      if (e.ids != ids) {
        std::string got;
        for (auto id : e.ids) got += tok.piece(id) + " ";
        QFAIL(("case " + std::to_string(n) + " " + json(text).dump() + " gives: " + got).c_str());
      }
      QCOMPARE(e.type_ids, types);
      ++n;
    }
    QVERIFY(n >= 40);
  }

 private Q_SLOTS:
  // A user's clone has only this repository: the reference data must live in it.
  void referenceDataIsInTheRepository() {
    const QString ref = QFileInfo(QString::fromStdString(ref_)).canonicalFilePath();
    const QString src = QFileInfo(QStringLiteral(PARETOPRUNE_SOURCE_DIR)).canonicalFilePath();
    QVERIFY2(!ref.isEmpty(), "the reference folder is missing");
    QVERIFY2(ref.startsWith(src + "/"), qPrintable(ref + " lies outside the repository " + src));
  }

  void referenceFromVocabTxt() {
    checkAll(pp::WordPieceTokenizer::fromVocabFile(ref_ + "/vocab.txt"));
  }
  void referenceFromTokenizerJson() {
    checkAll(pp::WordPieceTokenizer::fromTokenizerJson(ref_ + "/tokenizer.json"));
  }
  // The corpus of tricky strings (tests/data/tokenizer_corpus), singly, in
  // pairs and truncated, as tokenizers 0.23.2 encodes it (tricky.jsonl).
  void referenceTrickyCorpus() {
    checkAll(pp::WordPieceTokenizer::fromVocabFile(ref_ + "/vocab.txt"), "tricky.jsonl");
    checkAll(pp::WordPieceTokenizer::fromTokenizerJson(ref_ + "/tokenizer.json"), "tricky.jsonl");
  }

  // The tokenizer.json we write (for transformers.js and BertTokenizerFast)
  // is the one the tokenizers library writes for this vocabulary, and reads
  // back to the same tokenizations.
  void writesTokenizerJsonLikeTheReference() {
    auto tok = pp::WordPieceTokenizer::fromVocabFile(ref_ + "/vocab.txt");
    const json ours = json::parse(tok.tokenizerJson());
    const json ref = json::parse(testutil::readText(ref_ + "/tokenizer.json"));
    for (auto it = ref.begin(); it != ref.end(); ++it)
      QVERIFY2(ours.contains(it.key()) && ours[it.key()] == it.value(),
               qPrintable(QString::fromStdString(
                   it.key() + " differs: " + ours.value(it.key(), json()).dump().substr(0, 300))));
    QTemporaryDir dir;
    tok.save(dir.path().toStdString(), 128);
    checkAll(
        pp::WordPieceTokenizer::fromTokenizerJson(dir.path().toStdString() + "/tokenizer.json"));
    const json cfg =
        json::parse(testutil::readText(dir.path().toStdString() + "/tokenizer_config.json"));
    QCOMPARE(cfg["model_max_length"].get<int>(), 128);
  }

  void spotIds() {
    auto tok = pp::WordPieceTokenizer::fromVocabFile(ref_ + "/vocab.txt");
    QCOMPARE(tok.idOf("the"), int64_t(1996));
    QCOMPARE(tok.clsId(), int64_t(101));
    QCOMPARE(tok.sepId(), int64_t(102));
    QCOMPARE(tok.padId(), int64_t(0));
  }

  void truncationLongestFirst() {
    auto tok = pp::WordPieceTokenizer::fromVocabFile(ref_ + "/vocab.txt");
    std::string a = "one two three four five six seven", b = "alpha beta";
    pp::Encoding e = tok.encode(a, &b, 8);  // budget 5: the longer first loses tokens
    QCOMPARE(e.ids.size(), size_t(8));
    QCOMPARE(tok.piece(e.ids[1]), std::string("one"));
    QCOMPARE(tok.piece(e.ids[4]), std::string("[SEP]"));  // 3 from a: one two three
    QCOMPARE(tok.piece(e.ids[5]), std::string("alpha"));
    QCOMPARE(e.type_ids[5], int64_t(1));
    pp::Encoding single = tok.encode(a, nullptr, 4);
    QCOMPARE(single.ids.size(), size_t(4));
    QCOMPARE(single.ids.back(), tok.sepId());
  }

  void noLowercaseVocab() {
    QTemporaryDir dir;
    const std::string v = dir.path().toStdString() + "/vocab.txt";
    testutil::writeText(v, "[PAD]\n[UNK]\n[CLS]\n[SEP]\nHello\nhello\n");
    pp::NormalizerOptions o;
    o.lowercase = o.strip_accents = false;
    auto tok = pp::WordPieceTokenizer::fromVocabFile(v, o);
    QCOMPARE(tok.tokenize("Hello hello"), (std::vector<std::string>{"Hello", "hello"}));
  }

  void badVocabularies_data() {
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("fragment");
    QTest::newRow("empty") << QByteArray("") << "vocabulary is empty";
    QTest::newRow("duplicate") << QByteArray("[PAD]\n[UNK]\n[CLS]\n[SEP]\nx\nx\n") << "twice";
    QTest::newRow("no CLS") << QByteArray("[PAD]\n[UNK]\n[SEP]\nx\n") << "[CLS]";
    QTest::newRow("no SEP") << QByteArray("[PAD]\n[UNK]\n[CLS]\nx\n") << "[SEP]";
    QTest::newRow("no UNK") << QByteArray("[PAD]\n[CLS]\n[SEP]\nx\n") << "[UNK]";
    QTest::newRow("bad utf8") << QByteArray("[PAD]\n[UNK]\n[CLS]\n[SEP]\n\xff\xfe\n") << "UTF-8";
  }
  void badVocabularies() {
    QFETCH(QByteArray, content);
    QFETCH(QString, fragment);
    QTemporaryDir dir;
    const std::string v = dir.path().toStdString() + "/vocab.txt";
    testutil::writeText(v, content.toStdString());
    PP_EXPECT_ERROR(pp::WordPieceTokenizer::fromVocabFile(v), fragment.toStdString());
  }

  void missingTokenizer() {
    QTemporaryDir dir;
    PP_EXPECT_ERROR(pp::WordPieceTokenizer::fromDirectory(dir.path().toStdString()),
                    "no tokenizer");
  }
};

QTEST_APPLESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
